//! Every SCIM request needs a live credential; the actor it maps to rides in the request.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::log::{CredentialNote, RequestId};
use crate::auth::secrets::new_ordered_id;
use crate::scim::protocol::error::ScimError;
use crate::service::{Presented, Services};

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

pub async fn require_credential(State(services): State<Services>, mut request: Request, next: Next) -> Response {
    let Some(presented) = presented(request.headers()) else {
        return ScimError::unauthorized().into_response();
    };
    let request_id = request.extensions().get::<RequestId>().map(|r| r.0.clone()).unwrap_or_else(new_ordered_id);
    match services.scim_actor(presented, request_id).await {
        Ok(actor) => {
            if let Some(note) = request.extensions().get::<CredentialNote>() {
                note.set(&actor.id, &actor.name);
            }
            request.extensions_mut().insert(actor);
            next.run(request).await
        }
        Err(err) => ScimError::from(err).into_response(),
    }
}
