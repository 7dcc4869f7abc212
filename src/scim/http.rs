//! Request and response plumbing shared by the SCIM handlers: JSON bodies, ETags, If-Match,
//! the resource base URL and the credential check.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::Value;

use super::error::{ScimError, ScimResult, SCIM_CONTENT_TYPE};
use crate::auth::secrets::new_id;
use crate::server::state::AppState;
use crate::service::Presented;

/// A SCIM response: JSON with the SCIM media type.
pub fn scim_json(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_CONTENT_TYPE));
    response
}

pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// A resource response with its ETag (and Location, for 201).
pub fn resource(status: StatusCode, body: &Value, version: i64, location: Option<&str>) -> Response {
    let mut response = scim_json(status, body);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        headers.insert(header::ETAG, v);
    }
    if let Some(Ok(v)) = location.map(HeaderValue::from_str) {
        headers.insert(header::LOCATION, v);
    }
    response
}

/// The version an `If-Match` header demands: None when absent or `*`. A tag that is not one of
/// ours can never match, so it is a 412 like any other mismatch.
pub fn if_match(headers: &HeaderMap) -> ScimResult<Option<i64>> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.trim_start_matches("W/")
        .trim_matches('"')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ScimError::new(StatusCode::PRECONDITION_FAILED, None, format!("If-Match {text} matches no version of this resource.")))
}

/// `http(s)://host/scim/v2`, for `meta.location` and `Location`.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}/scim/v2")
}

/// A JSON request body (`application/scim+json` or `application/json`).
pub struct ScimBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimBody {
    type Rejection = ScimError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ScimError::new(StatusCode::PAYLOAD_TOO_LARGE, None, e.body_text()))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ScimError::bad("invalidSyntax", format!("The body is not valid JSON: {e}")))?;
        if !value.is_object() {
            return Err(ScimError::bad("invalidSyntax", "The body must be a JSON object."));
        }
        Ok(ScimBody(value))
    }
}

fn presented(headers: &HeaderMap) -> Option<Presented> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, rest) = value.split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(Presented::Bearer(rest.to_string()));
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = base64::engine::general_purpose::STANDARD.decode(rest).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (username, password) = text.split_once(':')?;
        return Some(Presented::Basic { username: username.into(), password: password.into() });
    }
    None
}

/// Every SCIM request needs a live credential; the actor it maps to rides in the request.
/// SCIM requests never touch the console's session.
pub async fn require_credential(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let Some(presented) = presented(request.headers()) else {
        return ScimError::unauthorized().into_response();
    };
    match state.services.scim_actor(presented, new_id()).await {
        Ok(actor) => {
            request.extensions_mut().insert(actor);
            next.run(request).await
        }
        Err(err) => ScimError::from(err).into_response(),
    }
}
