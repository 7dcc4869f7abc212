//! GET /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4).

use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::request::base_url;
use super::response::{scim_json, scim_text};
use crate::scim::protocol::discovery::{list, resource_types, schemas, service_provider_config};
use crate::scim::protocol::error::{ScimError, ScimResult};

fn by_id(documents: Vec<Value>, id: &str, what: &str) -> ScimResult<Response> {
    documents
        .into_iter()
        .find(|d| d["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .map(|d| scim_json(StatusCode::OK, &d))
        .ok_or_else(|| ScimError::not_found(what, id))
}

/// A discovery document as written for the last base URL asked for. Clients send the same host
/// every time, so it is written once instead of on every request (building and writing the
/// configuration was a sixth of what a GET of it cost). One base only: the host is the client's
/// to choose, and a cache of every one could be made to grow without end.
struct LastWritten(Mutex<Option<(String, Bytes)>>);

impl LastWritten {
    fn answer(&self, headers: &HeaderMap, document: impl FnOnce(&str) -> Value) -> Response {
        let base = base_url(headers);
        let kept = self.0.lock().unwrap_or_else(|p| p.into_inner()).as_ref().filter(|(written_for, _)| *written_for == base).map(|(_, text)| text.clone());
        // Written outside the lock: requests by two bases in turn each write their own.
        let text = kept.unwrap_or_else(|| {
            let text = Bytes::from(document(&base).to_string());
            *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((base, text.clone()));
            text
        });
        scim_text(StatusCode::OK, text)
    }
}

static SERVICE_PROVIDER_CONFIG: LastWritten = LastWritten(Mutex::new(None));
static RESOURCE_TYPES: LastWritten = LastWritten(Mutex::new(None));
static SCHEMAS: LastWritten = LastWritten(Mutex::new(None));

pub async fn get_service_provider_config(headers: HeaderMap) -> Response {
    SERVICE_PROVIDER_CONFIG.answer(&headers, service_provider_config)
}

pub async fn list_resource_types(headers: HeaderMap) -> Response {
    RESOURCE_TYPES.answer(&headers, |base| list(resource_types(base)))
}

pub async fn get_resource_type(headers: HeaderMap, Path(id): Path<String>) -> ScimResult<Response> {
    by_id(resource_types(&base_url(&headers)), &id, "ResourceType")
}

pub async fn list_schemas(headers: HeaderMap) -> Response {
    SCHEMAS.answer(&headers, |base| list(schemas(base)))
}

pub async fn get_schema(headers: HeaderMap, Path(id): Path<String>) -> ScimResult<Response> {
    by_id(schemas(&base_url(&headers)), &id, "Schema")
}
