use leptos::prelude::*;

use crate::domain::paging::Page;
use crate::domain::workspaces::{Workspace, WorkspaceLink};
use crate::api::error::AppError;

#[server(endpoint = "workspaces/list")]
pub async fn list_workspaces(q: String, after: Option<String>, before: Option<String>) -> Result<Page<Workspace>, AppError> {
    use crate::domain::paging::Cursor;
    use super::ctx;
    let cursor = Cursor::from_query(after, before);
    ctx::read(|services, actor| async move { services.list_workspaces(&actor, &q, &cursor).await }).await
}

/// Every workspace by name, for choosing one (the users list's workspace filter).
#[server(endpoint = "workspaces/choices")]
pub async fn workspace_choices() -> Result<Vec<WorkspaceLink>, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.workspace_choices(&actor).await }).await
}

#[server(endpoint = "workspaces/page")]
pub async fn workspace_page(id: String) -> Result<Workspace, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.get_workspace(&actor, &id).await }).await
}

#[server(endpoint = "workspaces/create")]
pub async fn create_workspace(name: String, description: String) -> Result<Workspace, AppError> {
    use super::ctx;
    use crate::service::WorkspaceChange;
    let result = ctx::with_actor(|services, actor| async move {
        let change = WorkspaceChange { name: Some(name), description: Some(description), ..Default::default() };
        services.create_workspace(&actor, &change).await
    })
    .await;
    ctx::finish("create_workspace", result, None)
}

#[server(endpoint = "workspaces/update")]
pub async fn update_workspace(id: String, version: i64, name: String, description: String) -> Result<Workspace, AppError> {
    use super::ctx;
    use crate::service::WorkspaceChange;
    let result = ctx::with_actor(|services, actor| async move {
        let change = WorkspaceChange { name: Some(name), description: Some(description), ..Default::default() };
        services.change_workspace(&actor, &id, Some(version), &change).await
    })
    .await;
    ctx::finish("update_workspace", result, None)
}

#[server(endpoint = "workspaces/delete")]
pub async fn delete_workspace(id: String, version: i64) -> Result<(), AppError> {
    use super::ctx;
    let result = ctx::with_actor(|services, actor| async move {
        services.delete_workspace(&actor, &id, Some(version)).await
    })
    .await;
    ctx::finish("delete_workspace", result, Some("/workspaces".into()))
}
