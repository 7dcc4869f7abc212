//! What a SCIM operation produced, shared by the HTTP handlers and /Bulk.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::request::base_url;
use super::response::{resource, scim_json};
use crate::scim::protocol::error::ScimError;
use crate::service::{Actor, Services};

/// Everything an operation needs: the services, who asks, and the base URL for locations.
#[derive(Clone)]
pub struct Ctx {
    pub services: Services,
    pub actor: Actor,
    pub base: String,
}

pub struct Outcome {
    pub status: StatusCode,
    pub body: Option<Value>,
    pub version: Option<i64>,
    pub location: Option<String>,
}

/// Every handler gets its context this way: the services, the credential's actor (put there by
/// the credential check) and the base URL.
impl FromRequestParts<Services> for Ctx {
    type Rejection = ScimError;

    async fn from_request_parts(parts: &mut Parts, services: &Services) -> Result<Self, Self::Rejection> {
        let actor = parts.extensions.get::<Actor>().cloned().ok_or_else(ScimError::unauthorized)?;
        Ok(Ctx { services: services.clone(), actor, base: base_url(&parts.headers) })
    }
}

impl Outcome {
    pub fn resource(status: StatusCode, body: Value, version: i64, location: String) -> Self {
        Outcome { status, body: Some(body), version: Some(version), location: Some(location) }
    }

    pub fn json(body: Value) -> Self {
        Outcome { status: StatusCode::OK, body: Some(body), version: None, location: None }
    }

    pub fn no_content() -> Self {
        Outcome { status: StatusCode::NO_CONTENT, body: None, version: None, location: None }
    }
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        match (self.body, self.version) {
            (Some(body), Some(version)) => {
                let location = (self.status == StatusCode::CREATED).then_some(self.location.as_deref()).flatten();
                resource(self.status, &body, version, location)
            }
            (Some(body), None) => scim_json(self.status, &body),
            (None, _) => self.status.into_response(),
        }
    }
}
