//! The provisioning log's view of each SCIM request: who (the credential), what (method, path,
//! resource), how it ended (status, SCIM error type and detail), how long it took, and the
//! request id that the audit events it caused carry too. Never a body, never a secret.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{OriginalUri, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::secrets::new_ordered_id;
use crate::scim::protocol::error::ScimError;
use crate::service::Services;
use crate::storage::ScimRequestRow;

/// The id of this request: in the audit events it causes, the log, and `X-Request-Id`.
#[derive(Clone)]
pub struct RequestId(pub String);

/// Filled in as the request passes the credential check.
#[derive(Clone, Default)]
pub struct CredentialNote(Arc<Mutex<Option<(String, String)>>>);

impl CredentialNote {
    pub fn set(&self, id: &str, name: &str) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((id.to_string(), name.to_string()));
    }

    fn take(&self) -> Option<(String, String)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// How a refused request ended, as the error response carries it for the log.
#[derive(Clone)]
pub struct ErrorNote {
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

impl ScimError {
    pub fn note(&self) -> ErrorNote {
        ErrorNote { scim_type: self.scim_type, detail: self.detail.clone() }
    }
}

/// Paths (with their query) are kept to this many characters.
const MAX_PATH_CHARS: usize = 512;

/// A request on its way through: recorded when its answer leaves, or (the client hung up
/// first) when it is dropped, as 499.
struct Pending {
    services: Services,
    row: Option<ScimRequestRow>,
    started: Instant,
    credential: CredentialNote,
}

impl Pending {
    fn finish(&mut self, status: u16, error: Option<ErrorNote>, created: Option<String>) {
        if let Some(mut row) = self.row.take() {
            row.status = i64::from(status);
            row.duration_us = self.started.elapsed().as_micros() as i64;
            if let Some((id, name)) = self.credential.take() {
                row.credential_id = Some(id);
                row.credential_name = name;
            }
            if let Some(error) = error {
                row.scim_type = error.scim_type.map(str::to_string);
                row.detail = Some(error.detail);
            }
            if row.resource_id.is_none() {
                row.resource_id = created;
            }
            self.services.log_scim_request(row);
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        let note = ErrorNote { scim_type: None, detail: "The client closed the connection before the answer.".into() };
        self.finish(499, Some(note), None);
    }
}

/// The first `most` characters of `text`: a slice, copied once (not character by character).
fn first_chars(text: &str, most: usize) -> &str {
    text.char_indices().nth(most).map_or(text, |(cut, _)| &text[..cut])
}

/// The resource a path names: `/Users/{id}`, `/Groups/{id}`.
fn resource_of(path: &str) -> Option<String> {
    let mut parts = path.trim_start_matches("/scim/v2").trim_matches('/').split('/');
    match (parts.next(), parts.next()) {
        (Some("Users" | "Groups"), Some(id)) if !id.is_empty() && !id.starts_with('.') => Some(id.to_string()),
        _ => None,
    }
}

pub async fn record_request(State(services): State<Services>, mut request: Request, next: Next) -> Response {
    let request_id = new_ordered_id();
    let uri = request.extensions().get::<OriginalUri>().map(|o| o.0.clone()).unwrap_or_else(|| request.uri().clone());
    let path = first_chars(uri.path_and_query().map(|p| p.as_str()).unwrap_or("/"), MAX_PATH_CHARS).to_string();
    let credential = CredentialNote::default();
    request.extensions_mut().insert(RequestId(request_id.clone()));
    request.extensions_mut().insert(credential.clone());
    let mut pending = Pending {
        row: Some(ScimRequestRow {
            id: 0,
            at: services.now_ms(),
            credential_id: None,
            credential_name: String::new(),
            method: request.method().as_str().to_string(),
            resource_id: resource_of(uri.path()),
            path,
            status: 0,
            scim_type: None,
            detail: None,
            duration_us: 0,
            request_id: request_id.clone(),
        }),
        services,
        started: Instant::now(),
        credential,
    };
    let mut response = next.run(request).await;
    let created = response
        .headers()
        .get(header::LOCATION)
        .and_then(|l| l.to_str().ok())
        .and_then(|l| l.rsplit('/').next())
        .map(str::to_string);
    pending.finish(response.status().as_u16(), response.extensions().get::<ErrorNote>().cloned(), created);
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn long_paths_are_kept_to_their_first_characters() {
        assert_eq!(super::first_chars("/scim/v2/Users", 512), "/scim/v2/Users");
        assert_eq!(super::first_chars("/Users?filter=é€x", 16), "/Users?filter=é€");
        assert_eq!(super::first_chars("", 3), "");
    }

    #[test]
    fn resources_are_read_from_item_paths_only() {
        assert_eq!(super::resource_of("/scim/v2/Users/abc").as_deref(), Some("abc"));
        assert_eq!(super::resource_of("/scim/v2/Groups/g1").as_deref(), Some("g1"));
        assert_eq!(super::resource_of("/scim/v2/Users/.search"), None);
        assert_eq!(super::resource_of("/scim/v2/Users"), None);
        assert_eq!(super::resource_of("/scim/v2/ServiceProviderConfig"), None);
    }
}
