use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::frame::WriterOnly;
use super::forms::{ErrorText, PageField, Here};
use super::paging::PagerLinks;
use crate::api::workspaces::{list_workspaces, CreateWorkspace};

#[component]
pub fn WorkspacesPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let create = ServerAction::<CreateWorkspace>::new();
    let list = Resource::new(
        move || (param("q"), param("after"), param("before")),
        |(q, after, before)| list_workspaces(q, Some(after), Some(before)),
    );
    view! {
        <Title text="Workspaces · CIM" />
        <h1>"Workspaces"</h1>
        <WriterOnly>
        <section aria-labelledby="new-ws-h">
            <h2 id="new-ws-h">"New workspace"</h2>
            <ActionForm action=create attr:class="inline">
                <PageField />
                <label>"Name" <input type="text" name="name" required value=Here::typed("create_workspace", "name") />
                    <ErrorText form="create_workspace" field="name" />
                </label>
                <label>"Description" <input type="text" name="description" value=Here::typed("create_workspace", "description") />
                    <ErrorText form="create_workspace" field="description" />
                </label>
                <button type="submit">"Create workspace"</button>
                <ErrorText form="create_workspace" />
            </ActionForm>
        </section>
        </WriterOnly>
        <Form method="GET" action="/workspaces" attr:class="filters" attr:role="search">
            <label class="grow">"Name starts with" <input type="search" name="q" value=move || param("q") /></label>
            <button type="submit">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <p>"Loading workspaces…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(page) if page.rows.is_empty() => view! { <p class="empty">"No workspaces yet."</p> }.into_any(),
                    Ok(page) => view! {
                        <div class="table-scroll"><table class="list stack">
                            <thead><tr><th scope="col">"Workspace"</th><th scope="col">"Members"</th><th scope="col">"Description"</th></tr></thead>
                            <tbody>
                                {page.rows.into_iter().map(|w| view! {
                                    <tr>
                                        <td data-label="Workspace"><A href=format!("/workspaces/{}", w.id)>{w.name}</A></td>
                                        <td data-label="Members">{w.member_count}</td>
                                        <td data-label="Description">{w.description}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <PagerLinks path="/workspaces".into() base=vec![("q", param("q"))] prev=page.prev next=page.next />
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
