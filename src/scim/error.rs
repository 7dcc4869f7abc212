//! RFC 7644 §3.12 errors: every failure of the SCIM door leaves through here.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::service::ServiceError;

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
pub const SCIM_CONTENT_TYPE: &str = "application/scim+json";

#[derive(Debug)]
pub struct ScimError {
    pub status: StatusCode,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

pub type ScimResult<T> = Result<T, ScimError>;

impl ScimError {
    pub fn new(status: StatusCode, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        ScimError { status, scim_type, detail: detail.into() }
    }

    /// 400 with a scimType (invalidFilter, invalidSyntax, invalidPath, invalidValue, noTarget,
    /// mutability, tooMany, invalidVers).
    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        ScimError::new(StatusCode::BAD_REQUEST, Some(scim_type), detail)
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        ScimError::new(StatusCode::NOT_FOUND, None, format!("{what} {id} not found"))
    }

    pub fn unauthorized() -> Self {
        ScimError::new(StatusCode::UNAUTHORIZED, None, "A valid SCIM bearer token or basic credential is required.")
    }

    /// 503: the store could not take the request in time. Nothing was changed; the client
    /// should retry (RFC 7644 §3.12 lists 503 for a service that is temporarily unavailable).
    pub fn busy() -> Self {
        ScimError::new(StatusCode::SERVICE_UNAVAILABLE, None, "The server is busy; nothing was changed. Retry shortly.")
    }

    pub fn method_not_allowed() -> Self {
        ScimError::new(StatusCode::METHOD_NOT_ALLOWED, None, "This endpoint does not support that method.")
    }

    pub fn body(&self) -> serde_json::Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.as_u16().to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        body
    }
}

impl IntoResponse for ScimError {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body().to_string()).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_CONTENT_TYPE));
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"cim-scim\", Basic realm=\"cim-scim\""));
        }
        response
    }
}

impl From<ServiceError> for ScimError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Unauthenticated => ScimError::unauthorized(),
            ServiceError::Forbidden => ScimError::new(StatusCode::FORBIDDEN, None, "This credential may not change anything."),
            ServiceError::NotFound { kind, id } => {
                let what = match kind {
                    "user" => "User",
                    "group" | "workspace" => "Group",
                    other => other,
                };
                ScimError::not_found(what, &id)
            }
            ServiceError::Invalid { field, message } if field == "filter" => ScimError::bad("invalidFilter", message),
            ServiceError::Invalid { message, .. } => ScimError::bad("invalidValue", message),
            ServiceError::Conflict { message, .. } => ScimError::new(StatusCode::CONFLICT, Some("uniqueness"), message),
            ServiceError::Stale { current, .. } => ScimError::new(
                StatusCode::PRECONDITION_FAILED,
                None,
                format!("The resource has changed: its current version is W/\"{current}\"."),
            ),
            ServiceError::Throttled(message) => ScimError::new(StatusCode::TOO_MANY_REQUESTS, None, message),
            ServiceError::Busy => ScimError::busy(),
            err @ (ServiceError::Store(_) | ServiceError::Internal(_)) => {
                tracing::error!(error = %crate::service::error_chain(&err), "SCIM request failed");
                ScimError::new(StatusCode::INTERNAL_SERVER_ERROR, None, "Internal error; it has been logged.")
            }
        }
    }
}
