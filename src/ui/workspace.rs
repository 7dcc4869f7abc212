use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::forms::{ConfirmDelete, ErrorText, PageField, last_error};
use super::paging::PagerLinks;
use super::user::VersionInput;
use crate::api::workspaces::{workspace_page, DeleteWorkspace, UpdateWorkspace};
use crate::domain::paging::Page;
use crate::domain::workspaces::{Member, Workspace};
use crate::api::error::AppError;

#[component]
pub fn WorkspacePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let param = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let update = ServerAction::<UpdateWorkspace>::new();
    let delete = ServerAction::<DeleteWorkspace>::new();
    let version = RwSignal::new(0i64);
    Effect::new(move |_| {
        if let Some(Ok(ws)) = update.value().get() {
            version.set(ws.version);
        }
    });
    let update_error = last_error(update.value());
    let delete_error = last_error(delete.value());
    let data = Resource::new(
        move || (id(), param("after"), param("before"), update.version().get()),
        |(id, after, before, _)| workspace_page(id, Some(after), Some(before)),
    );
    view! {
        <Transition fallback=|| view! { <p>"Loading workspace…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok((workspace, members)) => {
                        version.set(workspace.version);
                        view! { <WorkspaceView workspace members version update delete update_error delete_error /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn WorkspaceView(
    workspace: Workspace,
    members: Page<Member>,
    version: RwSignal<i64>,
    update: ServerAction<UpdateWorkspace>,
    delete: ServerAction<DeleteWorkspace>,
    update_error: Signal<Option<AppError>>,
    delete_error: Signal<Option<AppError>>,
) -> impl IntoView {
    let page = format!("/workspaces/{}", workspace.id);
    let error = update_error;
    let question = format!("Delete {}? Every member loses access to it. This cannot be undone.", workspace.name);
    let id = workspace.id.clone();
    view! {
        <Title text=format!("{} · CIM", workspace.name) />
        <h1>{workspace.name.clone()}</h1>
        <p class="hint">{format!("{} members", workspace.member_count)}</p>
        <section aria-labelledby="rename-h">
            <h2 id="rename-h">"Name and description"</h2>
            <ActionForm action=update attr:class="inline">
                <PageField />
                <input type="hidden" name="id" value=workspace.id.clone() />
                <VersionInput version />
                <label>"Name" <input type="text" name="name" value=workspace.name.clone() required /></label>
                <ErrorText error form="update_workspace" field="name" />
                <label>"Description" <input type="text" name="description" value=workspace.description.clone() /></label>
                <ErrorText error form="update_workspace" field="description" />
                <button type="submit" disabled=move || update.pending().get()>"Save"</button>
                <ErrorText error form="update_workspace" />
            </ActionForm>
        </section>
        <section aria-labelledby="members-h">
            <h2 id="members-h">"Members"</h2>
            {if members.rows.is_empty() {
                view! { <p class="empty">"No members."</p> }.into_any()
            } else {
                view! {
                    <table class="list">
                        <thead><tr><th>"User name"</th><th>"Name"</th><th>"Access"</th></tr></thead>
                        <tbody>
                            {members.rows.into_iter().map(|m| view! {
                                <tr>
                                    <td><A href=format!("/users/{}", m.user_id)>{m.user_name}</A></td>
                                    <td>{m.display_name}</td>
                                    <td>{if m.active { "Active" } else { "Suspended (user inactive)" }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <PagerLinks path=page.clone() base=vec![] prev=members.prev next=members.next />
        </section>
        <ConfirmDelete page=page.clone() what="workspace" question error=delete_error form="delete_workspace">
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
    }
}
