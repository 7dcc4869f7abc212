//! The console's file upload (server only): `POST /imports`, a CSV file for import as a plain
//! multipart form, which works the same with JavaScript on or off. Authorised from the session
//! like the server functions, and behind the same same-origin check.

use axum::extract::multipart::MultipartError;
use axum::extract::{FromRequest, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::state::AppState;
use crate::api::ctx::{app_error, working_actor, FormPage};
use crate::api::error::AppError;
use crate::api::forms::FormReply;
use crate::domain::batches::{IMPORT_MAX_BYTES, IMPORT_UPLOAD_FORM};
use crate::service::ImportUpload;

/// The body an upload may have: the file's limit and room for the form around it. Larger
/// bodies are cut off while being read, so a huge upload costs nothing.
pub const UPLOAD_BODY_LIMIT: usize = IMPORT_MAX_BYTES + 64 * 1024;

/// `POST /imports`: keeps the file and sends the browser to its dry run; a refused file is
/// answered with the import page again, the reason beside the file input, with its status.
pub async fn upload(State(state): State<AppState>, session: Session, request: axum::extract::Request) -> Response {
    let (parts, body) = request.into_parts();
    let result = async {
        let actor = working_actor(&state.services, &session).await?;
        let multipart = Multipart::from_request(axum::extract::Request::from_parts(parts.clone(), body), &state).await.map_err(|rejection| {
            tracing::warn!(%rejection, "an import upload was not a multipart form");
            bad_form()
        })?;
        let upload = read_form(multipart).await?;
        state.services.upload_import(&actor, upload).await.map_err(app_error)
    }
    .await;
    match result {
        Ok(id) => Redirect::to(&format!("/imports/{id}")).into_response(),
        Err(AppError::Unauthenticated) => Redirect::to("/login?next=%2Fimports").into_response(),
        Err(error) => {
            let reply = FormReply::Refused { form: IMPORT_UPLOAD_FORM.into(), error, values: Vec::new() };
            super::forms::render_page(state, parts, FormPage("/imports".into()), reply).await
        }
    }
}

fn bad_form() -> AppError {
    AppError::invalid("file", "Choose a CSV file to upload.")
}

/// A body that stopped short or does not parse (the connection dropped mid-upload, a malformed
/// multipart body): said as such, and logged, rather than asking for a file that was chosen.
fn unreadable(error: MultipartError) -> AppError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return too_large();
    }
    tracing::warn!(%error, "an import upload could not be read");
    AppError::invalid("file", "The upload arrived incomplete or malformed. Send the file again.")
}

async fn read_form(mut multipart: Multipart) -> Result<ImportUpload, AppError> {
    let mut upload = ImportUpload { file_name: String::new(), bytes: Vec::new(), deactivate_missing: false };
    let mut has_file = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => return Err(unreadable(error)),
        };
        match field.name().unwrap_or_default() {
            "file" => {
                upload.file_name = field.file_name().unwrap_or_default().to_string();
                upload.bytes = match field.bytes().await {
                    Ok(bytes) => bytes.to_vec(),
                    Err(error) => return Err(unreadable(error)),
                };
                has_file = !upload.file_name.is_empty() || !upload.bytes.is_empty();
            }
            "deactivate_missing" => upload.deactivate_missing = true,
            _ => {}
        }
    }
    if !has_file {
        return Err(bad_form());
    }
    Ok(upload)
}

fn too_large() -> AppError {
    AppError::invalid("file", format!("The file is larger than {} MB, the most an import takes.", IMPORT_MAX_BYTES / (1024 * 1024)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The form as read from a multipart body.
    async fn read(body: &'static str) -> Result<ImportUpload, AppError> {
        let request = axum::http::Request::builder()
            .header("content-type", "multipart/form-data; boundary=X")
            .body(axum::body::Body::from(body))
            .unwrap();
        read_form(Multipart::from_request(request, &()).await.unwrap()).await
    }

    fn message(result: Result<ImportUpload, AppError>) -> String {
        match result {
            Err(AppError::Invalid { field, message }) if field == "file" => message,
            _ => panic!("refused with a message beside the file"),
        }
    }

    #[tokio::test]
    async fn an_upload_cut_short_is_told_apart_from_no_file() {
        let whole = read(concat!("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n\r\n", "userName\nada@example.com\n\r\n--X--\r\n")).await;
        let whole = whole.unwrap_or_else(|_| panic!("a whole upload is read"));
        assert_eq!((whole.file_name.as_str(), whole.bytes.as_slice()), ("people.csv", b"userName\nada@example.com\n".as_slice()));
        let cut = read(concat!("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\n\r\n", "userName\nada@exa")).await;
        assert_eq!(message(cut), "The upload arrived incomplete or malformed. Send the file again.");
        let none = read("--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n--X--\r\n").await;
        assert_eq!(message(none), "Choose a CSV file to upload.");
    }
}
