use leptos::prelude::*;

use crate::domain::users::{User, UserListPage, UserPageData};
use crate::api::error::AppError;

/// The users list as the page's address describes it: search words, status, workspace, order,
/// and where the page starts (`after` / `before` a position, `at` its place among all matches).
#[server(endpoint = "users/list")]
#[allow(clippy::too_many_arguments)]
pub async fn list_users(
    q: String,
    status: String,
    ws: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    after: Option<String>,
    before: Option<String>,
    at: Option<i64>,
) -> Result<UserListPage, AppError> {
    use super::ctx;
    use crate::domain::paging::Cursor;
    use crate::domain::users::{StatusFilter, UserListQuery, UserSort};
    let list = UserListQuery {
        q,
        status: StatusFilter::parse(&status),
        workspace: ws.filter(|w| !w.is_empty()),
        sort: UserSort::parse(sort.as_deref().unwrap_or_default()),
        descending: dir.as_deref() == Some("desc"),
    };
    let cursor = Cursor::from_query(after, before);
    ctx::read(|services, actor| async move { services.list_users(&actor, &list, &cursor, at.unwrap_or(1)).await }).await
}

#[server(endpoint = "users/page")]
pub async fn user_page(id: String, wsq: String) -> Result<UserPageData, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.user_page(&actor, &id, &wsq).await }).await
}

#[server(endpoint = "users/create")]
pub async fn create_user(
    user_name: String,
    external_id: String,
    given_name: String,
    family_name: String,
    display_name: String,
    email: String,
) -> Result<User, AppError> {
    use super::ctx;
    use crate::domain::users::UserInput;
    use crate::service::{ProfileUpdate, UserChange};
    let input = UserInput { user_name, external_id, given_name, family_name, display_name, email };
    let change = UserChange { profile: Some(ProfileUpdate::Form(input)), ..Default::default() };
    let result = ctx::with_actor(|services, actor| async move { Ok(services.create_user(&actor, &change).await?.user) }).await;
    let target = result.as_ref().ok().map(|u| format!("/users/{}", u.id));
    ctx::finish("create_user", result, target)
}

#[server(endpoint = "users/update")]
#[allow(clippy::too_many_arguments)]
pub async fn update_user(
    id: String,
    version: i64,
    user_name: String,
    external_id: String,
    given_name: String,
    family_name: String,
    display_name: String,
    email: String,
    anyway: Option<String>,
) -> Result<User, AppError> {
    use super::ctx;
    use crate::domain::users::UserInput;
    use crate::service::{ProfileUpdate, UserChange};
    let input = UserInput { user_name, external_id, given_name, family_name, display_name, email };
    let change = UserChange { profile: Some(ProfileUpdate::Form(input)), intent: intent(anyway), ..Default::default() };
    let result = ctx::with_actor(|services, actor| async move {
        Ok(services.change_user_to(&actor, &id, Some(version), change).await?.user)
    })
    .await;
    ctx::finish("update_user", result, None)
}

/// The Active switch: a checkbox, so `active` is present only when switched on. Switching off
/// must be confirmed (`confirm`): the page says what deactivating does before it happens.
#[server(endpoint = "users/set_active")]
pub async fn set_user_active(id: String, version: i64, active: Option<String>, confirm: Option<String>, anyway: Option<String>) -> Result<User, AppError> {
    use super::ctx;
    use crate::service::UserChange;
    let result = async {
        if active.is_none() && confirm.is_none() {
            return Err(AppError::invalid(
                CONFIRM_FIELD,
                "Deactivating keeps this user's workspace grants but suspends them until the user is activated again. Confirm to deactivate.",
            ));
        }
        let change = UserChange { active: Some(active.is_some()), intent: intent(anyway), ..Default::default() };
        ctx::with_actor(|services, actor| async move { Ok(services.change_user_to(&actor, &id, Some(version), change).await?.user) }).await
    }
    .await;
    ctx::finish("set_active", result, None)
}

/// The field every form of a user page sends when the admin chose "change anyway" for what an
/// identity provider manages.
pub const ANYWAY_FIELD: &str = "anyway";

#[cfg(feature = "ssr")]
fn intent(anyway: Option<String>) -> crate::service::Intent {
    if anyway.is_some() { crate::service::Intent::Override } else { crate::service::Intent::Edit }
}

/// The field a deactivation's confirmation arrives in, and the error it is asked for under.
pub const CONFIRM_FIELD: &str = "confirm";

/// The workspace checkboxes of a user page, saved together: `shown` lists every workspace the
/// form showed, `granted` those ticked. Unticked shown ones are revoked, ticked ones granted,
/// in one audited write; workspaces the form did not show are left alone.
#[server(endpoint = "users/save_access")]
pub async fn save_access(
    user_id: String,
    version: i64,
    shown: Option<Vec<String>>,
    granted: Option<Vec<String>>,
    anyway: Option<String>,
) -> Result<User, AppError> {
    use super::ctx;
    use crate::service::{AccessChange, UserChange, WorkspaceRef};
    let granted = granted.unwrap_or_default();
    let (grant, revoke): (Vec<String>, Vec<String>) = shown.unwrap_or_default().into_iter().partition(|id| granted.contains(id));
    let access = AccessChange {
        grant: grant.into_iter().map(WorkspaceRef::Id).collect(),
        revoke: revoke.into_iter().map(WorkspaceRef::Id).collect(),
        exactly: None,
    };
    let change = UserChange { access, intent: intent(anyway), ..Default::default() };
    let result = ctx::with_actor(|services, actor| async move {
        Ok(services.change_user_to(&actor, &user_id, Some(version), change).await?.user)
    })
    .await;
    ctx::finish("save_access", result, None)
}

#[server(endpoint = "users/delete")]
pub async fn delete_user(id: String, version: i64) -> Result<(), AppError> {
    use super::ctx;
    let result = ctx::with_actor(|services, actor| async move {
        services.delete_user(&actor, &id, Some(version)).await
    })
    .await;
    ctx::finish("delete_user", result, Some("/users".into()))
}
