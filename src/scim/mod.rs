//! The SCIM 2.0 door (RFC 7643, RFC 7644) under /scim/v2. Handlers translate HTTP to service
//! calls; the pure protocol parts (path, filter, patch, projection) hold no HTTP or SQL.

mod bulk;
mod discovery;
pub mod error;
pub mod filter;
mod group_json;
mod groups;
mod http;
mod listing;
mod outcome;
pub mod patch;
pub mod path;
mod projection;
mod schema;
mod user_json;
mod users;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Value};

use error::{ScimError, ScimResult};
use http::ScimBody;
use listing::ListParams;
use outcome::{Ctx, Outcome};

use crate::server::state::AppState;
use crate::service::Actor;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/ServiceProviderConfig", get(discovery::service_provider_config))
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
        .route("/.search", post(search_all))
        .route("/Bulk", post(bulk::bulk))
        .method_not_allowed_fallback(|| async { ScimError::method_not_allowed() })
        .fallback(|| async { ScimError::new(StatusCode::NOT_FOUND, None, "There is no SCIM endpoint at this path.") })
        .layer(from_fn_with_state(state, http::require_credential))
}

/// POST /.search at the root: users, then groups, under one filter (RFC 7644 §3.4.3). A filter
/// naming attributes only one type has searches just that type.
async fn search_all(State(state): State<AppState>, Extension(actor): Extension<Actor>, headers: HeaderMap, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let ctx = Ctx::new(&state, actor, &headers);
    let params = ListParams::from_search(&body)?;
    let all = ListParams { start_index: Some(1), count: Some(listing::MAX_RESULTS as i64), ..params.clone() };
    let users = users::list_users(&ctx, &all).await;
    let groups = groups::list_groups(&ctx, &all).await;
    // An attribute only one type has is an invalid filter for the other: that type drops out.
    // Any other failure, or both failing, is the answer.
    let (users, groups) = match (users, groups) {
        (Err(e), _) | (_, Err(e)) if e.scim_type != Some("invalidFilter") => return Err(e),
        (Err(e), Err(_)) => return Err(e),
        pair => pair,
    };
    let mut total = 0;
    let mut resources: Vec<Value> = Vec::new();
    for list in [users, groups].into_iter().flatten() {
        total += list["totalResults"].as_i64().unwrap_or(0);
        resources.extend(list["Resources"].as_array().cloned().unwrap_or_default());
    }
    let page: Vec<Value> = resources.into_iter().skip(params.start() - 1).take(params.count()).collect();
    Ok(Outcome::json(json!({"schemas": [schema::LIST_SCHEMA], "totalResults": total, "startIndex": params.start(),
                            "itemsPerPage": page.len(), "Resources": page})))
}
