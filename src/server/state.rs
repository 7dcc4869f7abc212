use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;

use crate::service::Services;

/// What every request handler can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub services: Services,
    pub leptos_options: LeptosOptions,
}

impl AppState {
    /// Makes the services reachable from server functions and pages rendered on the server.
    pub fn provide(&self) {
        provide_context(self.services.clone());
    }
}
