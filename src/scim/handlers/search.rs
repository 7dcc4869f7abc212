//! POST /.search at the root of the service (RFC 7644 §3.4.3).

use serde_json::Value;

use super::groups::list_groups;
use super::outcome::{Ctx, Outcome};
use super::request::ScimBody;
use super::users::list_users;
use crate::scim::protocol::error::ScimResult;
use crate::scim::protocol::listing::ListParams;

/// POST /.search at the root: users, then groups, under one filter (RFC 7644 §3.4.3), paged
/// across both as one list. Each type is asked for just its share of the page (and its total),
/// never for more. A filter naming attributes only one type has searches just that type.
pub async fn search_all(ctx: Ctx, ScimBody(body): ScimBody) -> ScimResult<Outcome> {
    let params = ListParams::from_search(&body)?;
    let (start, count) = (params.start(), params.count());
    let users = list_users(&ctx, &ListParams { start_index: Some(start as i64), count: Some(count as i64), ..params.clone() }).await;
    let users_total = users.as_ref().map_or(0, |(total, _)| *total) as usize;
    let users_shown = users.as_ref().map_or(0, |(_, shown)| shown.len());
    // Groups continue where users end: from the first group if this page began among the users.
    let group_start = start.saturating_sub(users_total).max(1);
    let group_count = count - users_shown;
    let groups = list_groups(&ctx, &ListParams { start_index: Some(group_start as i64), count: Some(group_count as i64), ..params.clone() }).await;
    // An attribute only one type has is an invalid filter for the other: that type drops out.
    // Any other failure, or both failing, is the answer.
    let (users, groups) = match (users, groups) {
        (Err(e), _) | (_, Err(e)) if e.scim_type != Some("invalidFilter") => return Err(e),
        (Err(e), Err(_)) => return Err(e),
        pair => pair,
    };
    let mut total = 0;
    let mut page: Vec<Value> = Vec::new();
    for (of_type, shown) in [users, groups].into_iter().flatten() {
        total += of_type;
        page.extend(shown);
    }
    Ok(Outcome::list(total, start, &page))
}
