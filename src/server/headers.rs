//! Response headers that keep pages from being framed, sniffed, cached or made to run script
//! that someone planted in a stored name.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;

/// Files that may be cached: the browser bundle and public assets, which hold no identity data.
fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.ico"
}

pub async fn security_headers(request: Request, next: Next) -> Response {
    let cacheable = is_static(request.uri().path());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Same-origin: plain form posts need the Referer to find their way back to the page.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if !cacheable {
        // Pages and API answers show identity data: never kept, not even for the Back button
        // after sign-out.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The Content-Security-Policy of a rendered page: only this page's own inline scripts (they
/// carry its nonce) and scripts, styles and connections from this origin. A name that slipped
/// past escaping still could not run script.
pub fn send_page_policy() {
    let (Some(nonce), Some(options)) = (leptos::nonce::use_nonce(), use_context::<ResponseOptions>()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        options.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}
