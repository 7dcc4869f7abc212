use leptos::prelude::*;

use crate::domain::paging::Page;
use crate::domain::workspaces::{Member, Workspace};
use crate::domain::AppError;

#[server(endpoint = "workspaces/list")]
pub async fn list_workspaces(q: String, after: Option<String>, before: Option<String>) -> Result<Page<Workspace>, AppError> {
    use crate::domain::paging::Cursor;
    use crate::server::console;
    let (services, actor) = console::actor().await?;
    services.list_workspaces(&actor, &q, &Cursor::from_query(after, before)).await.map_err(console::app_error)
}

#[server(endpoint = "workspaces/page")]
pub async fn workspace_page(
    id: String,
    after: Option<String>,
    before: Option<String>,
) -> Result<(Workspace, Page<Member>), AppError> {
    use crate::domain::paging::Cursor;
    use crate::server::console;
    let (services, actor) = console::actor().await?;
    let workspace = services.get_workspace(&actor, &id).await.map_err(console::app_error)?;
    let members = services.list_members(&actor, &id, &Cursor::from_query(after, before)).await.map_err(console::app_error)?;
    Ok((workspace, members))
}

#[server(endpoint = "workspaces/create")]
pub async fn create_workspace(name: String, description: String) -> Result<Workspace, AppError> {
    use crate::server::console;
    let result = console::with_actor(|services, actor| async move {
        services.create_workspace(&actor, &name, &description).await
    })
    .await;
    console::finish("create_workspace", result, None)
}

#[server(endpoint = "workspaces/update")]
pub async fn update_workspace(id: String, version: i64, name: String, description: String) -> Result<Workspace, AppError> {
    use crate::server::console;
    let result = console::with_actor(|services, actor| async move {
        services.update_workspace(&actor, &id, Some(version), &name, &description).await
    })
    .await;
    console::finish("update_workspace", result, None)
}

#[server(endpoint = "workspaces/delete")]
pub async fn delete_workspace(id: String, version: i64) -> Result<(), AppError> {
    use crate::server::console;
    let result = console::with_actor(|services, actor| async move {
        services.delete_workspace(&actor, &id, Some(version)).await
    })
    .await;
    console::finish("delete_workspace", result, Some("/workspaces".into()))
}
