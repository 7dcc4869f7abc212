//! Plain HTML form posts to server functions (JavaScript off): a refused post
//! is answered with its page again (error beside the form, typed values kept, the refusal's
//! status), and a post whose result must be seen once (a new credential's secret) with the page
//! showing it. Nothing of either is kept in the session or the store.

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use leptos::prelude::provide_context;
use axum::middleware::Next;
use leptos_axum::render_app_async_with_context;

use super::state::AppState;
use crate::api::ctx::{FormPage, PlainFormAnswer};
use crate::api::error::AppError;
use crate::api::forms::{FormReply, SECRET_FIELDS};
use crate::app::shell;

/// The largest form body the console accepts; its forms are a few kilobytes.
const FORM_BODY_LIMIT: usize = 256 * 1024;

/// In front of the server functions: a plain form post gets a [`PlainFormAnswer`] slot in its
/// request; when the server function leaves a reply there, the answer is the page, not a redirect.
pub async fn answer_plain_forms(State(state): State<AppState>, request: Request<Body>, next: Next) -> Response {
    if !is_plain_form_post(&request) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_BODY_LIMIT).await else {
        return (StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response();
    };
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let page = FormPage::of(&parts, &fields);
    let answer = PlainFormAnswer::default();
    parts.extensions.insert(answer.clone());
    parts.extensions.insert(page.clone());
    let response = next.run(Request::from_parts(parts.clone(), Body::from(bytes))).await;
    match answer.take() {
        None => response,
        Some(reply) => render_page(state, parts, page, with_typed_values(reply, fields)).await,
    }
}

/// Server functions answer every error with 500 unless their body set a status; refusals made
/// before the body runs (a form missing a field) are the caller's mistake and get the status of
/// the error they carry.
pub async fn refusal_status(request: Request<Body>, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, FORM_BODY_LIMIT).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn is_plain_form_post(request: &Request<Body>) -> bool {
    let header_has = |name, text: &str| {
        request.headers().get(name).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(text))
    };
    request.method() == Method::POST
        && request.uri().path().starts_with("/api/")
        && header_has(header::ACCEPT, "text/html")
        && header_has(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
}

/// A refusal carries back what was typed, minus secrets.
fn with_typed_values(reply: FormReply, fields: Vec<(String, String)>) -> FormReply {
    match reply {
        FormReply::Refused { form, error, .. } => {
            let values = fields.into_iter().filter(|(k, _)| !SECRET_FIELDS.contains(&k.as_str())).collect();
            FormReply::Refused { form, error, values }
        }
        other => other,
    }
}

/// Renders the page the form was posted from, with `reply` in the context.
pub(super) async fn render_page(state: AppState, parts: Parts, page: FormPage, reply: FormReply) -> Response {
    let status = match &reply {
        FormReply::Refused { error, .. } => StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        FormReply::Issued(_) | FormReply::OneTimePassword(_) => StatusCode::OK,
    };
    let mut request = Request::new(Body::empty());
    *request.uri_mut() = page.0.parse().unwrap_or_else(|_| http::Uri::from_static("/"));
    *request.headers_mut() = parts.headers;
    *request.extensions_mut() = parts.extensions;
    let options = state.leptos_options.clone();
    let render = render_app_async_with_context(
        move || {
            state.provide();
            provide_context(reply.clone());
        },
        move || shell(options.clone()),
    );
    let mut response = render(request).await;
    *response.status_mut() = status;
    response
}
