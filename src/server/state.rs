use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::service::Services;

/// What every request handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub services: Services,
    pub leptos_options: LeptosOptions,
}
