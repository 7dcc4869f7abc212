use leptos::prelude::*;

use crate::domain::paging::Page;
use crate::domain::users::{User, UserPageData, UserSummary};
use crate::api::error::AppError;

#[server(endpoint = "users/list")]
pub async fn list_users(
    q: String,
    status: String,
    after: Option<String>,
    before: Option<String>,
) -> Result<Page<UserSummary>, AppError> {
    use crate::domain::paging::Cursor;
    use crate::domain::users::StatusFilter;
    use super::ctx;
    let cursor = Cursor::from_query(after, before);
    ctx::read(|services, actor| async move { services.list_users(&actor, StatusFilter::parse(&status), &q, &cursor).await }).await
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
) -> Result<User, AppError> {
    use super::ctx;
    use crate::domain::users::UserInput;
    use crate::service::{ProfileUpdate, UserChange};
    let input = UserInput { user_name, external_id, given_name, family_name, display_name, email };
    let change = UserChange { profile: Some(ProfileUpdate::Form(input)), ..Default::default() };
    let result = ctx::with_actor(|services, actor| async move {
        Ok(services.change_user_to(&actor, &id, Some(version), change).await?.user)
    })
    .await;
    ctx::finish("update_user", result, None)
}

/// The Active switch: a checkbox, so `active` is present only when ticked.
#[server(endpoint = "users/set_active")]
pub async fn set_user_active(id: String, version: i64, active: Option<String>) -> Result<User, AppError> {
    use super::ctx;
    use crate::service::UserChange;
    let change = UserChange { active: Some(active.is_some()), ..Default::default() };
    let result = ctx::with_actor(|services, actor| async move {
        Ok(services.change_user_to(&actor, &id, Some(version), change).await?.user)
    })
    .await;
    ctx::finish("set_active", result, None)
}

/// One workspace checkbox: `granted` is present only when ticked.
#[server(endpoint = "users/set_access")]
pub async fn set_access(
    user_id: String,
    workspace_id: String,
    version: i64,
    granted: Option<String>,
) -> Result<User, AppError> {
    use super::ctx;
    use crate::service::{AccessChange, UserChange, WorkspaceRef};
    let form = format!("access:{workspace_id}");
    let named = vec![WorkspaceRef::Id(workspace_id)];
    let access = if granted.is_some() { AccessChange { grant: named, ..Default::default() } } else { AccessChange { revoke: named, ..Default::default() } };
    let change = UserChange { access, ..Default::default() };
    let result = ctx::with_actor(|services, actor| async move {
        Ok(services.change_user_to(&actor, &user_id, Some(version), change).await?.user)
    })
    .await;
    ctx::finish(&form, result, None)
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
