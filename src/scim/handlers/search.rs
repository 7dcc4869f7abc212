//! POST /.search at the root of the service (RFC 7644 §3.4.3).

use serde_json::{json, Value};

use super::groups::list_groups;
use super::outcome::{Ctx, Outcome};
use super::request::ScimBody;
use super::users::list_users;
use crate::scim::protocol::error::ScimResult;
use crate::scim::protocol::limits::MAX_RESULTS;
use crate::scim::protocol::listing::ListParams;
use crate::scim::protocol::schema::LIST_SCHEMA;

/// POST /.search at the root: users, then groups, under one filter (RFC 7644 §3.4.3). A filter
/// naming attributes only one type has searches just that type.
pub async fn search_all(ctx: Ctx, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let params = ListParams::from_search(&body)?;
    let all = ListParams { start_index: Some(1), count: Some(MAX_RESULTS as i64), ..params.clone() };
    let users = list_users(&ctx, &all).await;
    let groups = list_groups(&ctx, &all).await;
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
    Ok(Outcome::json(json!({"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": params.start(),
                            "itemsPerPage": page.len(), "Resources": page})))
}
