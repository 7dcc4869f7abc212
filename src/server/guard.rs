//! Request filters in front of the console: sign-in for pages, same-origin for server functions.

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use crate::api::ctx::{session_actor, ADMIN_ID};
use crate::service::Services;
use crate::domain::text::percent_encode;

fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/favicon.ico"
        || ["/api/", "/pkg/", "/scim/", "/assets/"].iter().any(|p| path.starts_with(p))
}

/// Pages other than the sign-in page need a session; without one the browser is sent to sign in
/// and brought back afterwards. Server functions check the session themselves.
/// An administrator still holding a one-time password is sent to choose their own first (the
/// server functions refuse them anything else meanwhile).
pub async fn require_sign_in(State(services): State<Services>, session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if !matches!(*request.method(), Method::GET | Method::HEAD) || is_public(path) {
        return next.run(request).await;
    }
    let wanted = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    match session.get::<String>(ADMIN_ID).await {
        Ok(Some(_)) => {
            let must_change = session_actor(&services, &session).await.is_ok_and(|a| a.must_change_password);
            if must_change && path != "/account/password" {
                return Redirect::to(&format!("/account/password?next={}", percent_encode(wanted))).into_response();
            }
            next.run(request).await
        }
        _ => Redirect::to(&format!("/login?next={}", percent_encode(wanted))).into_response(),
    }
}

/// Server functions (and the import upload) refuse requests another site's page made (cross-site request forgery), on
/// top of the SameSite=Strict session cookie, and any body the console's own forms never send.
pub async fn same_origin_api(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if (path.starts_with("/api/") || path == "/imports") && request.method() == Method::POST {
        if let Some(refusal) = refusal(&request) {
            return refusal.into_response();
        }
    }
    next.run(request).await
}

/// Content types the console's forms and server functions send. `text/plain`, which a foreign
/// page may post without a preflight, is not one of them.
const FORM_TYPES: &[&str] = &["application/x-www-form-urlencoded", "multipart/form-data"];

fn refusal(request: &Request) -> Option<(StatusCode, &'static str)> {
    let headers = request.headers();
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let content_type = text(header::CONTENT_TYPE).unwrap_or("");
    let media_type = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if !FORM_TYPES.contains(&media_type.as_str()) {
        return Some((StatusCode::UNSUPPORTED_MEDIA_TYPE, "The console accepts form posts only."));
    }
    const CROSS_SITE: (StatusCode, &str) = (StatusCode::FORBIDDEN, "Cross-site requests are refused.");
    if text(HeaderName::from_static("sec-fetch-site")).is_some_and(|site| site != "same-origin") {
        return Some(CROSS_SITE);
    }
    let host = text(header::HOST)?;
    // A browser names the page that made the request in Origin (always, on a POST) or Referer. An
    // opaque origin ("null": sandboxed frames, data: URLs) is never the console. A client that
    // names neither is no browser, so it carries no one's cookies but its own.
    let claimed = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(origin), _) => origin,
        (None, Some(referer)) => referer,
        (None, None) => return None,
    };
    (origin_host(claimed) != Some(host)).then_some(CROSS_SITE)
}

/// The host[:port] of an origin or URL; None for "null" or anything without a scheme.
fn origin_host(url: &str) -> Option<&str> {
    let (_, rest) = url.split_once("://")?;
    Some(rest.split(['/', '?', '#']).next().unwrap_or(rest))
}
