use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::bulk::{BulkBar, SelectCell, CONFIRM_PATH};
use super::frame::{Viewer, WriterOnly};
use super::forms::{ErrorText, PageField, Here};
use super::paging::PagerLinks;
use super::time::when;
use crate::api::error::AppError;
use crate::api::users::{list_users, CreateUser};
use crate::api::workspaces::workspace_choices;
use crate::domain::text::{group_digits, query_string};
use crate::domain::paging::Total;
use crate::domain::users::{UserListPage, UserSort};

/// The users list: search, status and workspace filters, sortable columns, a count of what
/// matches and pages both ways, all in the address so any view can be linked and returned to.
#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let users = Resource::new(
        move || ["q", "status", "ws", "sort", "dir", "after", "before", "at"].map(param),
        |[q, status, ws, sort, dir, after, before, at]| {
            list_users(q, status, Some(ws), Some(sort), Some(dir), Some(after), Some(before), at.parse().ok())
        },
    );
    let choices = Resource::new(|| (), |_| workspace_choices());
    // The list's own query (filters and order, no position), which every link of it keeps.
    let filters = move || ["q", "status", "ws", "sort", "dir"].map(|k| (k, param(k))).to_vec();
    view! {
        <Title text="Users · CIM" />
        <div class="page-head">
            <h1>"Users"</h1>
            <WriterOnly><A href="/users/new" attr:class="button">"New user"</A></WriterOnly>
        </div>
        <Form method="GET" action="/users" attr:class="filters" attr:role="search">
            <label class="grow">"Search"
                <input type="search" name="q" value=move || param("q") placeholder="Name, e-mail or id" />
            </label>
            <div class="field"><label for="filter-status">"Status"</label>
                <select id="filter-status" name="status">
                    {[("all", "All"), ("active", "Active"), ("inactive", "Inactive")].into_iter().map(|(value, text)| view! {
                        <option value=value selected=move || param("status") == value || (value == "all" && param("status").is_empty())>{text}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field"><label for="filter-ws">"Workspace"</label>
                <select id="filter-ws" name="ws">
                    <option value="">"Any workspace"</option>
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            choices.await.unwrap_or_default().into_iter().map(|w| {
                                let id = w.id.clone();
                                view! { <option value=w.id selected=move || param("ws") == id>{w.name}</option> }
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </div>
            <div class="field"><label for="filter-sort">"Sort by"</label>
                <select id="filter-sort" name="sort">
                    {UserSort::ALL.into_iter().map(|sort| view! {
                        <option value=sort.as_str() selected=move || UserSort::parse(&param("sort")) == sort>{sort.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field"><label for="filter-dir">"Order"</label>
                <select id="filter-dir" name="dir">
                    <option value="asc" selected=move || param("dir") != "desc">"Ascending"</option>
                    <option value="desc" selected=move || param("dir") == "desc">"Descending"</option>
                </select>
            </div>
            <button type="submit">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                let writable = Viewer::can_write().await;
                let choices = if writable { choices.await.unwrap_or_default() } else { Vec::new() };
                match users.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(page) => view! {
                        <UserTable page filters=filters() cursor=["after", "before"].map(|k| (k, param(k))).to_vec() writable choices />
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// "1–50 of 1,234 users", with the words for an empty result.
fn count_text(first: i64, shown: usize, total: Total) -> String {
    match (shown, total) {
        (0, _) => "No users match.".into(),
        (_, Total::Exactly(1)) => "1 user".into(),
        _ => format!("{}–{} of {}", group_digits(first), group_digits(first + shown as i64 - 1), total.of("user", "users")),
    }
}

#[component]
fn UserTable(
    page: UserListPage,
    filters: Vec<(&'static str, String)>,
    cursor: Vec<(&'static str, String)>,
    /// A security admin: rows can be selected for a bulk action.
    writable: bool,
    choices: Vec<crate::domain::workspaces::WorkspaceLink>,
) -> impl IntoView {
    let value = |key: &str| filters.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let sort = UserSort::parse(&value("sort"));
    let descending = value("dir") == "desc";
    // Where a user's page sends the admin back to: this very page of the list.
    let here = {
        let mut pairs: Vec<(&str, &str)> = filters.iter().chain(cursor.iter()).map(|(k, v)| (*k, v.as_str())).collect();
        let at = page.first.to_string();
        pairs.push(("at", &at));
        format!("/users?{}", query_string(&pairs))
    };
    let searching = !value("q").is_empty() || !value("ws").is_empty() || matches!(value("status").as_str(), "active" | "inactive");
    let kept: Vec<(&'static str, String)> = ["q", "status", "ws"].map(|k| (k, value(k))).to_vec();
    let shown = page.rows.len();
    let summary = count_text(page.first, shown, page.total);
    let pager = {
        let (filters, prev, next, first) = (filters.clone(), page.prev.clone(), page.next.clone(), page.first);
        move |label: &'static str| {
            view! { <PagerLinks path="/users".into() base=filters.clone() prev=prev.clone() next=next.clone() first shown label /> }
        }
    };
    let pager_bottom = pager("Pages (bottom)");
    let header = move |column: UserSort| {
        let active = column == sort;
        let next_dir = if active && !descending { "desc" } else { "asc" };
        let mut pairs: Vec<(&str, String)> = filters.iter().filter(|(k, _)| *k != "sort" && *k != "dir").cloned().collect();
        pairs.push(("sort", column.as_str().to_string()));
        pairs.push(("dir", next_dir.to_string()));
        let href = format!("/users?{}", query_string(&pairs.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()));
        let aria = active.then_some(if descending { "descending" } else { "ascending" });
        let mark = if !active { "" } else if descending { " ▼" } else { " ▲" };
        view! { <th scope="col" aria-sort=aria><A href=href>{column.label()}{mark}</A></th> }.into_any()
    };
    // Erased: the table's full type is deeper than release builds allow.
    view! {
        <p class="count" role="status">{summary}</p>
        {(shown > 0).then(|| view! {
            {pager("Pages")}
            // A plain GET form: the selection goes to the confirmation, which says exactly what
            // will happen before anything does.
            <form method="get" action=CONFIRM_PATH aria-label="Select users">
            {writable.then(|| view! {
                {kept.into_iter().map(|(k, v)| view! { <input type="hidden" name=k value=v /> }).collect_view()}
                <input type="hidden" name="back" value=here.clone() />
                <BulkBar shown total=page.total searching choices />
            }.into_any())}
            <div class="table-scroll"><table class="list stack">
                <thead><tr>
                    {writable.then(|| view! { <th scope="col" class="select"><span class="sr-only">"Select"</span></th> })}
                    {header(UserSort::UserName)}{header(UserSort::Name)}<th scope="col">"Email"</th>
                    {header(UserSort::Status)}<th scope="col">"Workspaces"</th>{header(UserSort::LastChange)}
                </tr></thead>
                <tbody>
                    {page.rows.into_iter().map(|u| {
                        let href = format!("/users/{}?{}", u.id, query_string(&[("back", here.as_str())]));
                        let select = writable.then(|| view! { <SelectCell id=u.id.clone() user_name=u.user_name.clone() /> });
                        view! {
                            <tr>
                                {select}
                                <td data-label="User name"><A href=href>{u.user_name}</A></td>
                                <td data-label="Name">{u.display_name}</td>
                                <td data-label="Email">{u.email}</td>
                                <td data-label="Status"><StatusBadge active=u.active /></td>
                                <td data-label="Workspaces">{u.workspace_count}</td>
                                <td data-label="Last change">{when(Some(u.last_modified))}</td>
                            </tr>
                        }.into_any()
                    }).collect_view()}
                </tbody>
            </table></div>
            </form>
            {pager_bottom}
        }.into_any())}
    }
}

/// A user's status in colour and in words.
#[component]
pub fn StatusBadge(active: bool) -> impl IntoView {
    if active {
        view! { <span class="badge ok">"Active"</span> }
    } else {
        view! { <span class="badge off">"Inactive"</span> }
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    view! {
        <Title text="New user · CIM" />
        <h1>"New user"</h1>
        <ActionForm action=create attr:class="profile">
            <PageField />
            <ProfileFields values=None form="create_user" />
            <ErrorText form="create_user" />
            <button type="submit">"Create user"</button>
        </ActionForm>
    }
}

/// Current values of a profile form; None for an empty form.
#[derive(Clone)]
pub struct ProfileValues {
    pub user_name: String,
    pub external_id: String,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub email: String,
}

/// The profile inputs shared by the new-user and edit-user forms, each with its error.
#[component]
pub fn ProfileFields(
    values: Option<ProfileValues>,
    #[prop(optional)] error: Signal<Option<AppError>>,
    form: &'static str,
    /// Fields an identity provider owns: read-only, marked with who manages them.
    #[prop(optional)] locked: Vec<&'static str>,
    #[prop(optional)] managed_by: String,
) -> impl IntoView {
    let v = values.unwrap_or(ProfileValues {
        user_name: String::new(),
        external_id: String::new(),
        given_name: String::new(),
        family_name: String::new(),
        display_name: String::new(),
        email: String::new(),
    });
    let fields: [(&'static str, &'static str, String, &'static str); 6] = [
        ("user_name", "User name", v.user_name, "text"),
        ("given_name", "Given name", v.given_name, "text"),
        ("family_name", "Family name", v.family_name, "text"),
        ("display_name", "Display name", v.display_name, "text"),
        ("email", "Email", v.email, "text"),
        ("external_id", "External id", v.external_id, "text"),
    ];
    fields
        .into_iter()
        .map(|(name, label, value, kind)| {
            let value = Here::typed(form, name).unwrap_or(value);
            let is_locked = locked.contains(&name);
            view! {
                <label>{label} <input type=kind name=name value=value required=name == "user_name" readonly=is_locked />
                    {is_locked.then(|| view! { <super::user::ManagedBadge by=managed_by.clone() /> })}
                    <ErrorText error form field=name />
                </label>
            }
        })
        .collect_view()
}
