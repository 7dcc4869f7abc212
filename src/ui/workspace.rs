use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::audit::AuditHistory;
use super::frame::Viewer;
use super::forms::{ConfirmDelete, ErrorText, PageField, Here};
use super::user::VersionInput;
use crate::domain::audit::subject_tag;
use crate::api::workspaces::{workspace_page, DeleteWorkspace, UpdateWorkspace};
use crate::domain::workspaces::Workspace;
use crate::api::error::AppError;

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let update = ServerAction::<UpdateWorkspace>::new();
    let delete = ServerAction::<DeleteWorkspace>::new();
    let data = Resource::new(id, workspace_page);
    view! {
        <Transition fallback=|| view! { <p>"Loading workspace…"</p> }>
            {move || Suspend::new(async move {
                let writable = Viewer::can_write().await;
                match data.await {
                    Err(AppError::NotFound(_)) => view! {
                        <Title text="Workspace not found · CIM" />
                        <h1>"Workspace not found"</h1>
                        <p>{format!("No workspace has the id {}. It may have been deleted, or the link is incomplete.", id())}</p>
                        <p><A href="/workspaces">"Find the workspace in the workspaces list"</A></p>
                    }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(workspace) => {
                        view! { <WorkspaceView workspace update delete writable /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// "1 member", "12 members", "No members".
fn members_text(count: i64) -> String {
    match count {
        0 => "No members".into(),
        1 => "1 member".into(),
        n => format!("{n} members"),
    }
}

#[component]
fn WorkspaceView(
    workspace: Workspace,
    update: ServerAction<UpdateWorkspace>,
    delete: ServerAction<DeleteWorkspace>,
    writable: bool,
) -> impl IntoView {
    let page = format!("/workspaces/{}", workspace.id);
    let version = RwSignal::new(workspace.version);
    let question = format!("Delete {}? Every member loses access to it. This cannot be undone.", workspace.name);
    let id = workspace.id.clone();
    let history_subject = subject_tag("workspace", &workspace.id);
    let description = workspace.description.clone();
    let (ws_id, ws_name) = (workspace.id.clone(), workspace.name.clone());
    view! {
        <Title text=format!("{} · CIM", workspace.name) />
        <p class="back"><a href="/workspaces">"‹ Back to workspaces"</a></p>
        <h1>{workspace.name.clone()}</h1>
        <p class="hint">{members_text(workspace.member_count)}</p>
        {writable.then(|| view! {
        <section aria-labelledby="rename-h">
            <h2 id="rename-h">"Name and description"</h2>
            <ActionForm action=update attr:class="inline">
                <PageField />
                <input type="hidden" name="id" value=workspace.id.clone() />
                <VersionInput version />
                <label>"Name" <input type="text" name="name" required
                        value=Here::typed("update_workspace", "name").unwrap_or(workspace.name.clone()) />
                    <ErrorText form="update_workspace" field="name" />
                </label>
                <label>"Description" <input type="text" name="description"
                        value=Here::typed("update_workspace", "description").unwrap_or(workspace.description.clone()) />
                    <ErrorText form="update_workspace" field="description" />
                </label>
                <button type="submit">"Save"</button>
                <ErrorText form="update_workspace" />
            </ActionForm>
        </section>
        })}
        {(!writable).then(|| view! {
            <p>{if description.is_empty() { "No description.".to_string() } else { description.clone() }}</p>
        })}
        <super::members::Members workspace_id=ws_id.clone() workspace_name=ws_name.clone() writable />
        {writable.then(|| view! { <super::members::AddMembers workspace_id=ws_id workspace_name=ws_name /> })}
        <AuditHistory subject=history_subject />
        {writable.then(|| view! {
        <ConfirmDelete page=page.clone() what="workspace" question form="delete_workspace">
            {
                let id = id.clone();
                view! {
                    <ActionForm action=delete attr:class="inline">
                        <PageField />
                        <input type="hidden" name="id" value=id />
                        <VersionInput version />
                        <button type="submit" class="danger">"Yes, delete this workspace"</button>
                    </ActionForm>
                }
            }
        </ConfirmDelete>
        })}
    }
}
