//! A workspace's members from the workspace's side: listed (paged, searchable, off the same
//! index as the users list), removed (one, or the selected), and added from a user search. Each
//! removal or addition is a bulk action on the users concerned, confirmed first, so it goes
//! through the same service write as a checkbox on a user's page.

use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::{use_location, use_query_map};

use super::bulk::{SelectCell, SelectPage, CONFIRM_PATH};
use super::paging::PagerLinks;
use super::users::StatusBadge;
use crate::api::users::list_users;
use crate::domain::batches::count_of;
use crate::domain::text::{group_digits, query_string};
use crate::domain::paging::Total;
use crate::domain::users::UserListPage;

/// Where a member action comes back to: this page as it is now.
fn here() -> String {
    let location = use_location();
    let search = location.search.get_untracked();
    let path = location.pathname.get_untracked();
    if search.is_empty() { path } else { format!("{path}?{}", search.trim_start_matches('?')) }
}

/// The hidden fields that make a selection form a grant or revoke of one workspace.
fn action_fields(action: &'static str, workspace_id: String) -> impl IntoView {
    view! {
        <input type="hidden" name="action" value=action />
        <input type="hidden" name="workspaces" value=workspace_id />
        <input type="hidden" name="back" value=here() />
    }
}

#[component]
pub fn Members(workspace_id: String, workspace_name: String, writable: bool) -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let ws = workspace_id.clone();
    let members = Resource::new(
        move || ["mq", "after", "before", "at"].map(param),
        move |[mq, after, before, at]| list_users(mq, "all".into(), Some(ws.clone()), None, None, Some(after), Some(before), at.parse().ok()),
    );
    let path = format!("/workspaces/{workspace_id}");
    view! {
        <section aria-labelledby="members-h">
            <h2 id="members-h">"Members"</h2>
            <Form method="GET" action=path.clone() attr:class="filters" attr:role="search" attr:aria-label="Members">
                <label class="grow">"Find a member"
                    <input type="search" name="mq" value=move || param("mq") placeholder="Name, e-mail or id" />
                </label>
                <button type="submit">"Find"</button>
            </Form>
            <Transition fallback=|| view! { <p>"Loading members…"</p> }>
                {move || {
                    let (workspace_id, workspace_name, path) = (workspace_id.clone(), workspace_name.clone(), path.clone());
                    Suspend::new(async move {
                        match members.await {
                            Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                            Ok(page) => view! { <MemberTable page workspace_id workspace_name path mq=param("mq") writable /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn MemberTable(page: UserListPage, workspace_id: String, workspace_name: String, path: String, mq: String, writable: bool) -> impl IntoView {
    let shown = page.rows.len();
    if shown == 0 {
        let text = if mq.is_empty() { "No members." } else { "No member matches." };
        return view! { <p class="empty">{text}</p> }.into_any();
    }
    let count = format!(
        "{}–{} of {}",
        group_digits(page.first),
        group_digits(page.first + shown as i64 - 1),
        page.total.of("member", "members")
    );
    let back = here();
    let remove_one = |user_id: &str| {
        let pairs = [("ids", user_id), ("action", "revoke"), ("workspaces", workspace_id.as_str()), ("back", back.as_str())];
        format!("{CONFIRM_PATH}?{}", query_string(&pairs))
    };
    let base = if mq.is_empty() { Vec::new() } else { vec![("mq", mq.clone())] };
    view! {
        <p class="count" role="status">{count}</p>
        <form method="get" action=CONFIRM_PATH aria-label="Select members">
            {writable.then(|| view! {
                {action_fields("revoke", workspace_id.clone())}
                <input type="hidden" name="ws" value=workspace_id.clone() />
                <input type="hidden" name="q" value=mq.clone() />
                <div class="bulk-bar-inline">
                    <SelectPage label=format!("Select this page ({})", count_of(shown as i64, "member", "members")) />
                    <label class="choice"><input type="checkbox" name="all" value="1" />
                        {match (page.total, mq.is_empty()) {
                            (Total::AtLeast(_), _) => format!("Select every member matching ({})", page.total.text()),
                            (total, everyone) => format!("Select all {}{}", total.of("member", "members"), if everyone { "" } else { " matching" }),
                        }}</label>
                    <button type="submit" class="danger">{format!("Remove selected from {workspace_name}…")}</button>
                </div>
            }.into_any())}
            <div class="table-scroll"><table class="list stack">
                <thead><tr>
                    {writable.then(|| view! { <th scope="col" class="select"><span class="sr-only">"Select"</span></th> })}
                    <th scope="col">"User name"</th><th scope="col">"Name"</th><th scope="col">"Access"</th>
                    {writable.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
                </tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|m| {
                        let remove = writable.then(|| remove_one(&m.id));
                        let remove_label = format!("Remove {}", m.user_name);
                        view! {
                        <tr>
                            {writable.then(|| view! { <SelectCell id=m.id.clone() user_name=m.user_name.clone() /> })}
                            <td data-label="User name"><A href=format!("/users/{}", m.id)>{m.user_name.clone()}</A></td>
                            <td data-label="Name">{m.display_name}</td>
                            <td data-label="Access">{if m.active {
                                view! { <StatusBadge active=true /> }.into_any()
                            } else {
                                view! { <span class="badge off">"Suspended (user inactive)"</span> }.into_any()
                            }}</td>
                            {remove.map(|href| view! {
                                <td data-label="Actions"><a href=href aria-label=remove_label>"Remove…"</a></td>
                            })}
                        </tr>
                    }.into_any()}).collect_view()}
                </tbody>
            </table></div>
        </form>
        <PagerLinks path base prev=page.prev next=page.next first=page.first shown label="Member pages" />
    }
    .into_any()
}

/// Users found by a search, to add to the workspace.
#[component]
pub fn AddMembers(workspace_id: String, workspace_name: String) -> impl IntoView {
    let query = use_query_map();
    let aq = move || query.with(|q| q.get("aq").unwrap_or_default());
    let found = Resource::new(aq, |aq| async move {
        if aq.trim().is_empty() {
            return Ok(None);
        }
        list_users(aq, "all".into(), None, None, None, None, None, None).await.map(Some)
    });
    let path = format!("/workspaces/{workspace_id}");
    view! {
        <section aria-labelledby="add-h">
            <h2 id="add-h">"Add members"</h2>
            <Form method="GET" action=path attr:class="filters" attr:role="search" attr:aria-label="Users to add">
                <label class="grow">"Find users to add"
                    <input type="search" name="aq" value=aq placeholder="Name, e-mail or id" />
                </label>
                <button type="submit">"Search users"</button>
            </Form>
            <Transition fallback=|| ()>
                {move || {
                    let (workspace_id, workspace_name) = (workspace_id.clone(), workspace_name.clone());
                    Suspend::new(async move {
                        match found.await {
                            Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                            Ok(None) => ().into_any(),
                            Ok(Some(page)) if page.rows.is_empty() => view! { <p class="empty">"No user matches."</p> }.into_any(),
                            Ok(Some(page)) => view! { <Candidates page workspace_id workspace_name /> }.into_any(),
                        }
                    })
                }}
            </Transition>
        </section>
    }
}

#[component]
fn Candidates(page: UserListPage, workspace_id: String, workspace_name: String) -> impl IntoView {
    let shown = page.rows.len();
    let more = page.total.at_least() - shown as i64;
    view! {
        <form method="get" action=CONFIRM_PATH aria-label="Select users to add">
            {action_fields("grant", workspace_id)}
            <SelectPage label=format!("Select all {}", count_of(shown as i64, "user", "users")) />
            <div class="table-scroll"><table class="list stack">
                <thead><tr><th scope="col" class="select"><span class="sr-only">"Select"</span></th>
                    <th scope="col">"User name"</th><th scope="col">"Name"</th><th scope="col">"Status"</th><th scope="col">"Workspaces"</th></tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|u| view! {
                        <tr>
                            <SelectCell id=u.id.clone() user_name=u.user_name.clone() />
                            <td data-label="User name">{u.user_name}</td>
                            <td data-label="Name">{u.display_name}</td>
                            <td data-label="Status"><StatusBadge active=u.active /></td>
                            <td data-label="Workspaces">{u.workspace_count}</td>
                        </tr>
                    }.into_any()).collect_view()}
                </tbody>
            </table></div>
            {(more > 0).then(|| view! { <p class="hint">{format!("The first {shown} of {}: narrow the search to find others.", page.total.text())}</p> })}
            <button type="submit">{format!("Add selected to {workspace_name}…")}</button>
        </form>
    }
}
