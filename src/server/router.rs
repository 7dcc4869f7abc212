use std::sync::OnceLock;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::get;
use axum::Router;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::config::Config;
use super::state::AppState;
use super::client::TrustProxy;
use super::{client, detach, forms, guard, headers};
use crate::app::{shell, App};
use crate::scim::{self, ScimBudget};
use crate::storage::Store;

/// Connections of the store that SCIM requests leave to the console, however busy they are.
const CONSOLE_CONNECTIONS: usize = 2;

/// The app's routes, worked out once per process. Working them out runs the whole app with a
/// process-wide flag set that parks any resource first polled meanwhile, forever (leptos issue
/// #4773): a page rendered while a second router was being built (several apps in one process,
/// as the integration tests run them) never finished.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// The whole HTTP surface; `main` serves it and the integration tests drive it.
pub fn build_router(state: AppState, config: &Config, sessions: Store) -> Router {
    let routes = route_list();
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("cim_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::minutes(
            config.session_idle_minutes,
        )));
    let context_state = state.clone();
    // Note: leptos registers each server function's own route (before any wildcard could), with
    // `context_state.provide()` as their context.
    // The console: pages and server functions (leptos registers one route each), behind sessions,
    // sign-in and the same-origin check.
    let console = Router::new()
        .route("/reports/{file}", get(crate::api::downloads::report_file))
        .route(
            "/imports",
            axum::routing::post(super::uploads::upload).layer(axum::extract::DefaultBodyLimit::max(super::uploads::UPLOAD_BODY_LIMIT)),
        )
        .leptos_routes_with_context(&state, routes, move || context_state.provide(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            {
                let state = state.clone();
                move || state.provide()
            },
            shell,
        ))
        .layer(from_fn_with_state(state.clone(), forms::answer_plain_forms))
        .layer(from_fn(forms::refusal_status))
        .layer(from_fn_with_state(state.services.clone(), guard::require_sign_in))
        .layer(from_fn_with_state(TrustProxy(config.trust_proxy), client::client_address))
        .layer(from_fn(guard::same_origin_api))
        .layer(session_layer);
    // SCIM never touches the console's sessions or sign-in: it has its own credentials.
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/scim/v2", scim::router(state.services.clone(), ScimBudget::new(state.services.connections(), CONSOLE_CONNECTIONS, state.services.queued_writes())))
        .merge(console)
        .layer(from_fn(headers::security_headers))
        // The wasm bundle is about a third of its size gzipped.
        .layer(CompressionLayer::new())
        // Outermost, so a hung-up client cannot cut short anything below it.
        .layer(from_fn(detach::run_writes_to_completion))
        .with_state(state)
}
