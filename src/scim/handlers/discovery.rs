//! GET /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4).

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::request::base_url;
use super::response::scim_json;
use crate::scim::protocol::discovery::{list, resource_types, schemas, service_provider_config};
use crate::scim::protocol::error::{ScimError, ScimResult};

fn by_id(documents: Vec<Value>, id: &str, what: &str) -> ScimResult<Response> {
    documents
        .into_iter()
        .find(|d| d["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .map(|d| scim_json(StatusCode::OK, &d))
        .ok_or_else(|| ScimError::not_found(what, id))
}

pub async fn get_service_provider_config(headers: HeaderMap) -> Response {
    scim_json(StatusCode::OK, &service_provider_config(&base_url(&headers)))
}

pub async fn list_resource_types(headers: HeaderMap) -> Response {
    scim_json(StatusCode::OK, &list(resource_types(&base_url(&headers))))
}

pub async fn get_resource_type(headers: HeaderMap, Path(id): Path<String>) -> ScimResult<Response> {
    by_id(resource_types(&base_url(&headers)), &id, "ResourceType")
}

pub async fn list_schemas(headers: HeaderMap) -> Response {
    scim_json(StatusCode::OK, &list(schemas(&base_url(&headers))))
}

pub async fn get_schema(headers: HeaderMap, Path(id): Path<String>) -> ScimResult<Response> {
    by_id(schemas(&base_url(&headers)), &id, "Schema")
}
