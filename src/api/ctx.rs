//! The console door's glue for server functions (server only): who is calling, the HTTP status
//! of each refusal, and answers to plain HTML form posts (JavaScript off).

use std::future::Future;
use std::sync::{Arc, Mutex};

use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use tower_sessions::Session;

use super::error::AppError;
use super::forms::FormReply;
use crate::auth::secrets::new_ordered_id;
use crate::domain::text::with_query_value;
use crate::service::{error_chain, Actor, ServiceError, Services};

/// Session key holding the signed-in admin's id.
pub const ADMIN_ID: &str = "admin_id";
/// Session key holding the mark of the password the session was signed in with.
const PASSWORD_MARK: &str = "password_mark";

pub fn services() -> Result<Services, AppError> {
    use_context::<Services>().ok_or_else(|| {
        tracing::error!("Services missing from the server function context");
        AppError::Internal
    })
}

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "session layer missing");
        AppError::Internal
    })
}

/// The signed-in caller, checked on every call: an admin deleted or disabled since sign-in, or
/// whose password changed, is signed out. One still holding a one-time password may do nothing
/// else until they choose a new one.
pub async fn actor() -> Result<(Services, Actor), AppError> {
    let services = services()?;
    let actor = working_actor(&services, &session().await?).await?;
    Ok((services, actor))
}

/// The session's administrator, refused while they hold a one-time password (server functions
/// and the console's plain routes alike).
pub async fn working_actor(services: &Services, session: &Session) -> Result<Actor, AppError> {
    let actor = session_actor(services, session).await?;
    if actor.must_change_password {
        return Err(AppError::PasswordChangeRequired);
    }
    Ok(actor)
}

/// The signed-in caller, one-time password or not (who am I, sign out, change password).
pub async fn signed_in() -> Result<(Services, Actor), AppError> {
    let services = services()?;
    let actor = session_actor(&services, &session().await?).await?;
    Ok((services, actor))
}

/// The administrator a session is signed in as (one-time password or not), for server
/// functions and the console's plain routes (downloads) alike.
pub async fn session_actor(services: &Services, session: &Session) -> Result<Actor, AppError> {
    let admin_id: Option<String> = session.get(ADMIN_ID).await.map_err(|e| internal(&e))?;
    let mark: Option<String> = session.get(PASSWORD_MARK).await.map_err(|e| internal(&e))?;
    let (Some(admin_id), Some(mark)) = (admin_id, mark) else {
        return Err(AppError::Unauthenticated);
    };
    match services.admin_actor(&admin_id, &mark, new_ordered_id()).await.map_err(app_error)? {
        Some(actor) => Ok(actor),
        None => {
            let _ = session.flush().await;
            Err(AppError::Unauthenticated)
        }
    }
}

/// Keeps this session signed in after its admin changed their own password (which ends every
/// other session of theirs).
pub async fn remember_password(mark: String) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await.map_err(|e| internal(&e))?;
    session.insert(PASSWORD_MARK, mark).await.map_err(|e| internal(&e))
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

/// Reads for a page: the caller's data or a refusal with its status.
pub async fn read<T, F, Fut>(call: F) -> Result<T, AppError>
where
    F: FnOnce(Services, Actor) -> Fut,
    Fut: Future<Output = Result<T, ServiceError>>,
{
    respond(with_actor(call).await)
}

/// Signs in; true when the admin must choose a new password first.
pub async fn sign_in(username: &str, password: &str) -> Result<bool, AppError> {
    let services = services()?;
    let address = use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<ClientAddress>().cloned())
        .map(|ClientAddress(address)| address)
        .unwrap_or_else(|| "unknown".into());
    let signed_in = services.authenticate(username, password, &address).await.map_err(app_error)?;
    let session = session().await?;
    // A new id at sign-in, so a session id planted before sign-in is worth nothing after it.
    session.cycle_id().await.map_err(|e| internal(&e))?;
    session.insert(ADMIN_ID, signed_in.admin_id).await.map_err(|e| internal(&e))?;
    session.insert(PASSWORD_MARK, signed_in.password_mark).await.map_err(|e| internal(&e))?;
    tracing::info!(admin = %signed_in.username, "signed in");
    Ok(signed_in.must_change_password)
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
        ServiceError::Forbidden | ServiceError::NotOwned(_) => AppError::Forbidden,
        ServiceError::NotFound { kind, .. } => AppError::NotFound(format!("That {kind} does not exist (it may have been deleted).")),
        ServiceError::Invalid { field, message } => AppError::Invalid { field, message },
        ServiceError::Conflict { field, message } => AppError::Conflict { field, message },
        ServiceError::Stale { kind, .. } => AppError::Stale(format!(
            "This {kind} was changed elsewhere after you opened the page, so nothing was saved. Reload to see the latest and try again."
        )),
        ServiceError::Throttled(message) => AppError::Throttled(message),
        err @ ServiceError::Held { .. } => AppError::Throttled(err.to_string()),
        ServiceError::Busy => AppError::Busy,
        err @ (ServiceError::Store(_) | ServiceError::Internal(_)) => {
            tracing::error!(error = %error_chain(&err), "service call failed");
            AppError::Internal
        }
    }
}

/// Ends every server function: a refusal leaves with its own HTTP status (401, 403, 404, 409,
/// 422, 429, 503), and only real faults with 500.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let (Err(err), Some(options)) = (&result, use_context::<ResponseOptions>()) {
        if let Ok(status) = http::StatusCode::from_u16(err.status()) {
            options.set_status(status);
        }
    }
    result
}

/// Where the answer to a plain form post is left (it rides in the request's extensions) for the
/// server's form layer, which renders the page with it instead of redirecting.
#[derive(Clone, Default)]
pub struct PlainFormAnswer(Arc<Mutex<Option<FormReply>>>);

impl PlainFormAnswer {
    pub fn set(&self, reply: FormReply) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(reply);
    }

    pub fn take(&self) -> Option<FormReply> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }
}

/// True for a plain HTML form post (JavaScript off), as the server's form layer recognised it:
/// only such a post has somewhere to leave a page answer.
pub fn is_plain_form() -> bool {
    use_context::<Parts>().is_some_and(|parts| parts.extensions.get::<PlainFormAnswer>().is_some())
}

/// Where a console request comes from, for counting failed sign-ins: the peer address, or the
/// client a trusted proxy names (see `server::config`). IPv6 clients count per /64, since one
/// host commonly holds a whole /64.
#[derive(Clone, Debug)]
pub struct ClientAddress(pub String);

/// Ends a form's server function. With JavaScript the client gets the result as usual. A plain
/// form post that succeeded is sent on to `success_to` (or back to the page it came from); one
/// that was refused is answered with that page again, the error beside `form` and what was
/// typed still in its fields.
pub fn finish<T>(form: &str, result: Result<T, AppError>, success_to: Option<String>) -> Result<T, AppError> {
    match (&result, success_to) {
        (Ok(_), Some(target)) => leptos_axum::redirect(&target),
        (Ok(_), None) if is_plain_form() => leptos_axum::redirect(&with_query_value(&form_page(), SAVED_KEY, form)),
        (Err(error), _) if is_plain_form() => answer_page(FormReply::Refused { form: form.into(), error: error.clone(), values: Vec::new() }),
        _ => {}
    }
    respond(result)
}

/// The page a plain form was posted from: its `_page` field (see `ui::forms::PageField`), which
/// stays right when the form sits on a page that answered an earlier post (whose address is the
/// server function's), else the Referer. Always a path on this site.
#[derive(Clone, Debug)]
pub struct FormPage(pub String);

impl FormPage {
    pub fn of(parts: &Parts, fields: &[(String, String)]) -> FormPage {
        let named = fields.iter().find(|(k, _)| k == PAGE_FIELD).map(|(_, v)| v.clone());
        let referer = parts
            .headers
            .get(http::header::REFERER)
            .and_then(|v| v.to_str().ok()?.parse::<http::Uri>().ok())
            .and_then(|uri| uri.path_and_query().map(|p| p.as_str().to_string()));
        let page = named.into_iter().chain(referer).find(|p| crate::domain::text::is_local_path(p) && !p.starts_with("/api/"));
        FormPage(page.unwrap_or_else(|| "/".into()))
    }
}

/// The hidden field every console form carries with the path of its page.
pub const PAGE_FIELD: &str = "_page";

/// The query key that tells a page, after a plain form post, which of its forms was just saved
/// (so it can say so; with JavaScript the page learns it from the action's result).
pub const SAVED_KEY: &str = "saved";

/// The page a plain form post came from (set by the server's form layer).
fn form_page() -> String {
    use_context::<Parts>().and_then(|p| p.extensions.get::<FormPage>().map(|f| f.0.clone())).unwrap_or_else(|| "/".into())
}

/// Answers a plain form post with its page, showing `reply` (see [`PlainFormAnswer`]).
pub fn answer_page(reply: FormReply) {
    match use_context::<Parts>().and_then(|parts| parts.extensions.get::<PlainFormAnswer>().cloned()) {
        Some(answer) => answer.set(reply),
        None => tracing::error!("a plain form answer has nowhere to go"),
    }
}

/// A page's address query (as the browser's location holds it) read into `T`. Unknown keys are
/// ignored, as a hand-edited or old link may carry some.
pub fn page_query<T: serde::de::DeserializeOwned>(query: &str) -> Result<T, AppError> {
    serde_urlencoded::from_str(query.trim_start_matches('?')).map_err(|_| AppError::invalid("", "The address of this page is malformed."))
}
