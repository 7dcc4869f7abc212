//! Request filters in front of the console: sign-in for pages, same-origin for server functions.

use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use super::console::ADMIN_ID;
use crate::domain::text::percent_encode;

fn is_public(path: &str) -> bool {
    path == "/login"
        || path == "/healthz"
        || path == "/favicon.ico"
        || ["/api/", "/pkg/", "/scim/", "/assets/"].iter().any(|p| path.starts_with(p))
}

/// Pages other than the sign-in page need a session; without one the browser is sent to sign in
/// and brought back afterwards. Server functions check the session themselves.
pub async fn require_sign_in(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.method() != Method::GET || is_public(path) {
        return next.run(request).await;
    }
    match session.get::<String>(ADMIN_ID).await {
        Ok(Some(_)) => next.run(request).await,
        _ => {
            let wanted = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
            Redirect::to(&format!("/login?next={}", percent_encode(wanted))).into_response()
        }
    }
}

/// Server functions refuse requests another site's page made (cross-site request forgery),
/// on top of the SameSite=Strict session cookie.
pub async fn same_origin_api(request: Request, next: Next) -> Response {
    if request.uri().path().starts_with("/api/") && request.method() == Method::POST && is_cross_site(&request) {
        return (StatusCode::FORBIDDEN, "Cross-site requests are refused.").into_response();
    }
    next.run(request).await
}

fn is_cross_site(request: &Request) -> bool {
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site == "cross-site" {
            return true;
        }
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or(origin);
            origin != "null" && origin_host != host
        }
        (Some(origin), None) => origin != "null",
        (None, _) => false,
    }
}
