//! The console's file upload (server only): `POST /imports`, a CSV file for import as a plain
//! multipart form, which works the same with JavaScript on or off. Authorised from the session
//! like the server functions, and behind the same same-origin check.

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
        let multipart = Multipart::from_request(axum::extract::Request::from_parts(parts.clone(), body), &state).await.map_err(|_| bad_form())?;
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

async fn read_form(mut multipart: Multipart) -> Result<ImportUpload, AppError> {
    let mut upload = ImportUpload { file_name: String::new(), bytes: Vec::new(), deactivate_missing: false };
    let mut has_file = false;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
            Err(_) => return Err(bad_form()),
        };
        match field.name().unwrap_or_default() {
            "file" => {
                upload.file_name = field.file_name().unwrap_or_default().to_string();
                upload.bytes = match field.bytes().await {
                    Ok(bytes) => bytes.to_vec(),
                    Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_large()),
                    Err(_) => return Err(bad_form()),
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
