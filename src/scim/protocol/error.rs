//! RFC 7644 §3.12 errors: every failure of the SCIM door is one of these. This type knows
//! statuses as numbers only; the handlers turn it into an HTTP response.

use serde_json::json;

use crate::service::{error_chain, ServiceError};

pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

#[derive(Debug, Clone, PartialEq)]
pub struct ScimError {
    pub status: u16,
    pub scim_type: Option<&'static str>,
    pub detail: String,
}

pub type ScimResult<T> = Result<T, ScimError>;

impl ScimError {
    pub fn new(status: u16, scim_type: Option<&'static str>, detail: impl Into<String>) -> Self {
        ScimError { status, scim_type, detail: detail.into() }
    }

    /// 400 with a scimType (invalidFilter, invalidSyntax, invalidPath, invalidValue, noTarget,
    /// mutability, tooMany, invalidVers).
    pub fn bad(scim_type: &'static str, detail: impl Into<String>) -> Self {
        ScimError::new(400, Some(scim_type), detail)
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        ScimError::new(404, None, format!("{what} {id} not found"))
    }

    pub fn unauthorized() -> Self {
        ScimError::new(401, None, "A valid SCIM bearer token or basic credential is required.")
    }

    /// 503: the request could not be served in time (the store's write lock, or this door's
    /// share of connections, was busy). Nothing was changed; the client should retry, as RFC
    /// 7644 §3.12 describes for a service temporarily unavailable.
    pub fn busy() -> Self {
        ScimError::new(503, None, "The server is busy; nothing was changed. Retry shortly.")
    }

    pub fn too_large(limit: usize) -> Self {
        ScimError::new(413, None, format!("A SCIM request body may hold at most {limit} bytes."))
    }

    pub fn method_not_allowed() -> Self {
        ScimError::new(405, None, "This endpoint does not support that method.")
    }

    pub fn body(&self) -> serde_json::Value {
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status.to_string(),
            "detail": self.detail,
        });
        if let Some(t) = self.scim_type {
            body["scimType"] = json!(t);
        }
        body
    }
}

impl From<ServiceError> for ScimError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::Unauthenticated => ScimError::unauthorized(),
            ServiceError::Forbidden => ScimError::new(403, None, "This credential may not change anything."),
            ServiceError::NotOwned(message) => ScimError::new(403, None, message),
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
            ServiceError::Conflict { message, .. } => ScimError::new(409, Some("uniqueness"), message),
            ServiceError::Stale { current, .. } => {
                ScimError::new(412, None, format!("The resource has changed: its current version is {}.", super::meta::etag(current)))
            }
            ServiceError::Throttled(message) => ScimError::new(429, None, message),
            // 429, no scimType: RFC 7644 §3.12 defines scimType values for 400 (and uniqueness
            // for 409) only, each saying the request itself is wrong and must not be repeated.
            // Okta and Entra both retry 429 later, which is what a held change needs.
            ServiceError::Held { credential, held } => ScimError::new(
                429,
                None,
                format!(
                    "Held by CIM's mass-deactivation brake: credential {credential} has deactivated or deleted more users \
                     within an hour than its threshold allows, and {held} such changes wait for a security admin. \
                     Nothing was changed; retry later."
                ),
            ),
            ServiceError::Busy => ScimError::busy(),
            err @ (ServiceError::Store(_) | ServiceError::Internal(_)) => {
                tracing::error!(error = %error_chain(&err), "SCIM request failed");
                ScimError::new(500, None, "Internal error; it has been logged.")
            }
        }
    }
}
