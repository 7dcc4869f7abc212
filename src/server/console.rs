//! The console door's glue for server functions: who is calling, turning service errors into
//! what the browser shows, and keeping forms working without JavaScript.

use std::future::Future;

use axum::extract::ConnectInfo;
use http::request::Parts;
use leptos::prelude::*;
use tower_sessions::Session;

use super::state::AppState;
use crate::auth::secrets::new_id;
use crate::domain::credentials::IssuedCredential;
use crate::domain::text::percent_encode;
use crate::domain::AppError;
use crate::service::{Actor, ServiceError, Services};

/// Session key holding the signed-in admin's id.
pub const ADMIN_ID: &str = "admin_id";

pub fn services() -> Result<Services, AppError> {
    use_context::<AppState>().map(|s| s.services).ok_or_else(|| {
        tracing::error!("AppState missing from the server function context");
        AppError::Internal
    })
}

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

/// The signed-in caller, checked on every call: an admin deleted since sign-in is signed out.
pub async fn actor() -> Result<(Services, Actor), AppError> {
    let services = services()?;
    let session = session().await?;
    let admin_id: Option<String> = session.get(ADMIN_ID).await.map_err(|e| internal(&e))?;
    let Some(admin_id) = admin_id else {
        return Err(AppError::Unauthenticated);
    };
    match services.admin_actor(&admin_id, new_id()).await.map_err(app_error)? {
        Some(actor) => Ok((services, actor)),
        None => {
            let _ = session.flush().await;
            Err(AppError::Unauthenticated)
        }
    }
}

/// Runs a service call as the signed-in caller.
pub async fn with_actor<T, F, Fut>(call: F) -> Result<T, AppError>
where
    F: FnOnce(Services, Actor) -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    let (services, actor) = actor().await?;
    call(services, actor).await.map_err(app_error)
}

pub async fn sign_in(username: &str, password: &str) -> Result<(), AppError> {
    let services = services()?;
    let address = leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let signed_in = services.authenticate(username, password, &address).await.map_err(app_error)?;
    let session = session().await?;
    // A new id at sign-in, so a session id planted before sign-in is worth nothing after it.
    session.cycle_id().await.map_err(|e| internal(&e))?;
    session.insert(ADMIN_ID, signed_in.admin_id).await.map_err(|e| internal(&e))?;
    tracing::info!(admin = %signed_in.username, "signed in");
    Ok(())
}

/// Session key for a credential just issued by a plain form post, so its secret survives the
/// redirect and is shown exactly once, within a few minutes, then dropped.
const ISSUED: &str = "issued_credential";
const ISSUED_SHOWN_FOR_MS: i64 = 5 * 60 * 1000;

pub async fn keep_issued_secret(issued: IssuedCredential) -> Result<(), AppError> {
    let now = chrono::Utc::now().timestamp_millis();
    session().await?.insert(ISSUED, (now, issued)).await.map_err(|e| internal(&e))
}

pub async fn take_issued_secret() -> Result<Option<IssuedCredential>, AppError> {
    let kept = session().await?.remove::<(i64, IssuedCredential)>(ISSUED).await.map_err(|e| internal(&e))?;
    let now = chrono::Utc::now().timestamp_millis();
    Ok(kept.filter(|(at, _)| now - at < ISSUED_SHOWN_FOR_MS).map(|(_, issued)| issued))
}

pub async fn sign_out() -> Result<(), AppError> {
    session().await?.flush().await.map_err(|e| internal(&e))
}

fn internal(err: &dyn std::error::Error) -> AppError {
    tracing::error!(error = %err, "console request failed");
    AppError::Internal
}

/// What the browser is told about a failed service call. Internal causes are logged here, once,
/// with their chain, and reach the browser as an opaque sentence.
pub fn app_error(err: ServiceError) -> AppError {
    match err {
        ServiceError::Unauthenticated => AppError::Unauthenticated,
        ServiceError::Forbidden => AppError::Forbidden,
        ServiceError::NotFound { kind, .. } => AppError::NotFound(format!("That {kind} does not exist (it may have been deleted).")),
        ServiceError::Invalid { field, message } => AppError::Invalid { field, message },
        ServiceError::Conflict { field, message } => AppError::Conflict { field, message },
        ServiceError::Stale { kind, .. } => AppError::Stale(format!(
            "This {kind} was changed elsewhere after you opened the page, so nothing was saved. Reload to see the latest and try again."
        )),
        ServiceError::Throttled(message) => AppError::Throttled(message),
        err @ (ServiceError::Store(_) | ServiceError::Internal(_)) => {
            tracing::error!(error = %crate::service::error_chain(&err), "service call failed");
            AppError::Internal
        }
    }
}

/// Query keys that carry a failed form's error back to the page when JavaScript is off.
pub const ERROR_FORM: &str = "error_form";
pub const ERROR_MESSAGE: &str = "error";
pub const ERROR_FIELD: &str = "error_field";

/// Ends a server function. With JavaScript the client gets the result as usual. A plain HTML
/// form post is sent back to the page it came from, carrying any error in the query so the page
/// can show it beside `form`; `success_to` sends both kinds elsewhere on success.
pub fn finish<T>(form: &str, result: Result<T, AppError>, success_to: Option<String>) -> Result<T, AppError> {
    let plain_form = is_plain_form();
    match (&result, success_to) {
        (Ok(_), Some(target)) => leptos_axum::redirect(&target),
        (Ok(_), None) if plain_form => leptos_axum::redirect(&back_to_referer(&[])),
        (Err(err), _) if plain_form => {
            let message = err.to_string();
            let mut params = vec![(ERROR_FORM, form), (ERROR_MESSAGE, message.as_str())];
            if let Some(field) = err.field() {
                params.push((ERROR_FIELD, field));
            }
            leptos_axum::redirect(&back_to_referer(&params));
        }
        _ => {}
    }
    result
}

/// True for a plain HTML form post (JavaScript off): the browser asks for a page back.
pub fn is_plain_form() -> bool {
    use_context::<Parts>().is_some_and(|parts| {
        parts.headers.get(http::header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
    })
}

/// The referring page's path and query, minus old error keys, plus `params`.
fn back_to_referer(params: &[(&str, &str)]) -> String {
    let referer = use_context::<Parts>()
        .and_then(|p| p.headers.get(http::header::REFERER).and_then(|v| v.to_str().ok()).map(str::to_string))
        .unwrap_or_else(|| "/".into());
    let uri: http::Uri = referer.parse().unwrap_or_else(|_| http::Uri::from_static("/"));
    let path = uri.path();
    let kept = uri.query().unwrap_or("").split('&').filter(|pair| {
        let key = pair.split('=').next().unwrap_or("");
        !pair.is_empty() && ![ERROR_FORM, ERROR_MESSAGE, ERROR_FIELD].contains(&key)
    });
    let mut query: Vec<String> = kept.map(str::to_string).collect();
    query.extend(params.iter().map(|(k, v)| format!("{k}={}", percent_encode(v))));
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}
