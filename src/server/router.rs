use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::from_fn;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, handle_server_fns_with_context, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use super::config::Config;
use super::guard;
use super::state::AppState;
use crate::app::{shell, App};

/// The whole HTTP surface; `main` serves it and the integration tests drive it.
pub fn build_router(state: AppState, config: &Config, sessions: SqliteStore) -> Router {
    let routes = generate_route_list(App);
    let session_layer = SessionManagerLayer::new(sessions)
        .with_name("cim_session")
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(config.secure_cookies)
        .with_expiry(Expiry::OnInactivity(tower_sessions::cookie::time::Duration::minutes(
            config.session_idle_minutes,
        )));
    let context_state = state.clone();
    Router::new()
        .route("/api/{*fn_name}", get(server_fn_handler).post(server_fn_handler))
        .route("/healthz", get(|| async { "ok" }))
        .nest("/scim/v2", crate::scim::router(state.clone()))
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(from_fn(guard::require_sign_in))
        .layer(from_fn(guard::same_origin_api))
        .layer(session_layer)
        // The wasm bundle is about a third of its size gzipped.
        .layer(CompressionLayer::new())
        .with_state(state)
}

async fn server_fn_handler(State(state): State<AppState>, request: Request<Body>) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), request).await
}
