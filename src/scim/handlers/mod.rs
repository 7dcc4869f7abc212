//! The SCIM door's HTTP side: routes, the credential check, this door's share of the store,
//! and one handler per endpoint that turns a request into service calls.

mod budget;
mod bulk;
mod credential;
mod discovery;
mod groups;
mod log;
mod outcome;
mod request;
mod response;
mod search;
mod users;

use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;

pub use budget::ScimBudget;

use super::protocol::error::ScimError;
use super::protocol::limits::MAX_PAYLOAD_BYTES;
use crate::service::Services;

/// The routes under /scim/v2. They see only the services, never the console's state.
pub fn router<S: Clone + Send + Sync + 'static>(services: Services, budget: ScimBudget) -> Router<S> {
    Router::new()
        .route("/ServiceProviderConfig", get(discovery::get_service_provider_config))
        .route("/ResourceTypes", get(discovery::list_resource_types))
        .route("/ResourceTypes/{id}", get(discovery::get_resource_type))
        .route("/Schemas", get(discovery::list_schemas))
        .route("/Schemas/{id}", get(discovery::get_schema))
        .route("/Users", get(users::list).post(users::create))
        .route("/Users/.search", post(users::search))
        .route("/Users/{id}", get(users::get).put(users::replace).patch(users::patch).delete(users::delete))
        .route("/Groups", get(groups::list).post(groups::create))
        .route("/Groups/.search", post(groups::search))
        .route("/Groups/{id}", get(groups::get).put(groups::replace).patch(groups::patch).delete(groups::delete))
        .route("/.search", post(search::search_all))
        .route("/Bulk", post(bulk::bulk))
        .method_not_allowed_fallback(|| async { ScimError::method_not_allowed() })
        .fallback(|| async { ScimError::new(404, None, "There is no SCIM endpoint at this path.") })
        .layer(DefaultBodyLimit::max(MAX_PAYLOAD_BYTES))
        .layer(from_fn_with_state(budget, budget::within_budget))
        .layer(from_fn_with_state(services.clone(), credential::require_credential))
        .layer(from_fn_with_state(services.clone(), log::record_request))
        .with_state(services)
}
