//! SCIM responses: JSON with the SCIM media type, ETags and Location, and errors in the form
//! RFC 7644 §3.12 gives them.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::scim::protocol::meta::etag;
use crate::scim::protocol::error::ScimError;

pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    scim_text(status, body.to_string())
}

/// JSON already written, with the SCIM media type.
pub fn scim_text(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    let mut response = (status, body.into()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_CONTENT_TYPE));
    response
}

/// A resource response with its ETag (and Location, for 201).
pub fn resource(status: StatusCode, body: String, version: i64, location: Option<&str>) -> Response {
    let mut response = scim_text(status, body);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        headers.insert(header::ETAG, v);
    }
    if let Some(Ok(v)) = location.map(HeaderValue::from_str) {
        headers.insert(header::LOCATION, v);
    }
    response
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = scim_json(status, &self.body());
        response.extensions_mut().insert(self.note());
        let headers = response.headers_mut();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            // Long enough for a security admin to decide on held changes.
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("300"));
        }
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"cim-scim\", Basic realm=\"cim-scim\""));
        }
        response
    }
}
