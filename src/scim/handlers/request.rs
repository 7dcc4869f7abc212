//! What the handlers read from a request: JSON bodies, If-Match, and the base URL that
//! resource locations are made from.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap};
use serde_json::Value;

use crate::scim::protocol::error::{ScimError, ScimResult};
use crate::scim::protocol::limits::MAX_PAYLOAD_BYTES;

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
        .map_err(|_| ScimError::new(412, None, format!("If-Match {text} matches no version of this resource.")))
}

/// `http(s)://host/scim/v2`, for `meta.location` and `Location`.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
    format!("{scheme}://{host}/scim/v2")
}

/// A JSON request body (`application/scim+json` or `application/json`, nothing else) of at most
/// [`MAX_PAYLOAD_BYTES`]; the router's body limit enforces the size while reading.
pub struct ScimBody(pub Value);

impl<S: Send + Sync> FromRequest<S> for ScimBody {
    type Rejection = ScimError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // Only JSON bodies: a foreign web page can post text/plain or a form without asking the
        // browser first, never JSON.
        let media_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let media_type = media_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        if media_type != "application/scim+json" && media_type != "application/json" {
            return Err(ScimError::new(415, None, "Send the body as application/scim+json (or application/json)."));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|_| ScimError::too_large(MAX_PAYLOAD_BYTES))?;
        let value: Value = serde_json::from_slice(&bytes)
            .map_err(|e| ScimError::bad("invalidSyntax", format!("The body is not valid JSON: {e}")))?;
        if !value.is_object() {
            return Err(ScimError::bad("invalidSyntax", "The body must be a JSON object."));
        }
        Ok(ScimBody(value))
    }
}
