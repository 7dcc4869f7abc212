//! What a SCIM operation produced, shared by the HTTP handlers and /Bulk.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

use super::request::base_url;
use super::response::{resource, scim_text};
use crate::scim::protocol::schema::LIST_SCHEMA;
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
    pub body: Option<Body>,
    pub version: Option<i64>,
    pub location: Option<String>,
}

/// A response body: a tree, or JSON already written (a list page or a whole user, see
/// `UserDoc`).
pub enum Body {
    Tree(Value),
    Written(String),
}

impl From<Value> for Body {
    fn from(tree: Value) -> Body {
        Body::Tree(tree)
    }
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
    pub fn resource(status: StatusCode, body: impl Into<Body>, version: i64, location: String) -> Self {
        Outcome { status, body: Some(body.into()), version: Some(version), location: Some(location) }
    }

    pub fn json(body: Value) -> Self {
        Outcome { status: StatusCode::OK, body: Some(Body::Tree(body)), version: None, location: None }
    }

    /// A ListResponse (RFC 7644 §3.4.2) of `resources`, the page from `start` of `total`.
    pub fn list<T: Serialize>(total: i64, start: usize, resources: &[T]) -> Self {
        let page = ListResponse { schemas: [LIST_SCHEMA], total_results: total, start_index: start, items_per_page: resources.len(), resources };
        let text = serde_json::to_string(&page).expect("a list serialises");
        Outcome { status: StatusCode::OK, body: Some(Body::Written(text)), version: None, location: None }
    }

    /// The id of the resource the answer is about: the last segment of its location (which
    /// every resource answer has, however its body was written).
    pub fn resource_id(&self) -> Option<&str> {
        self.location.as_deref().and_then(|l| l.rsplit('/').next()).filter(|id| !id.is_empty())
    }

    pub fn no_content() -> Self {
        Outcome { status: StatusCode::NO_CONTENT, body: None, version: None, location: None }
    }
}

impl IntoResponse for Outcome {
    fn into_response(self) -> Response {
        let text = match self.body {
            Some(Body::Tree(body)) => body.to_string(),
            Some(Body::Written(text)) => text,
            None => return self.status.into_response(),
        };
        match self.version {
            Some(version) => {
                let location = (self.status == StatusCode::CREATED).then_some(self.location.as_deref()).flatten();
                resource(self.status, text, version, location)
            }
            None => scim_text(self.status, text),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListResponse<'a, T> {
    schemas: [&'static str; 1],
    total_results: i64,
    start_index: usize,
    items_per_page: usize,
    #[serde(rename = "Resources")]
    resources: &'a [T],
}
