use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::forms::{ErrorText, PageField, PageReply, last_error};
use super::paging::PagerLinks;
use crate::api::error::AppError;
use crate::api::users::{list_users, CreateUser};

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let users = Resource::new(
        move || (param("q"), param("status"), param("after"), param("before")),
        |(q, status, after, before)| list_users(q, status, Some(after), Some(before)),
    );
    view! {
        <Title text="Users · CIM" />
        <div class="page-head">
            <h1>"Users"</h1>
            <A href="/users/new" attr:class="button">"New user"</A>
        </div>
        <Form method="GET" action="/users" attr:class="search" attr:role="search">
            <label>"Search" <input type="search" name="q" value=move || param("q")
                placeholder="user name, name, email or external id" /></label>
            <label>"Status"
                <select name="status">
                    {["all", "active", "inactive"].into_iter().map(|s| view! {
                        <option value=s selected=move || param("status") == s || (s == "all" && param("status").is_empty())>{s}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit">"Search"</button>
        </Form>
        <Transition fallback=|| view! { <p>"Loading users…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(page) if page.rows.is_empty() => view! { <p class="empty">"No users match."</p> }.into_any(),
                    Ok(page) => {
                        let base = vec![("q", param("q")), ("status", param("status"))];
                        view! {
                            <table class="list">
                                <thead><tr><th>"User name"</th><th>"Name"</th><th>"Email"</th><th>"Status"</th><th>"Workspaces"</th></tr></thead>
                                <tbody>
                                    {page.rows.into_iter().map(|u| view! {
                                        <tr>
                                            <td><A href=format!("/users/{}", u.id)>{u.user_name}</A></td>
                                            <td>{u.display_name}</td>
                                            <td>{u.email}</td>
                                            <td>{if u.active { "Active" } else { "Inactive" }}</td>
                                            <td>{u.workspace_count}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <PagerLinks path="/users".into() base prev=page.prev next=page.next />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
pub fn NewUserPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let error = last_error(create.value());
    view! {
        <Title text="New user · CIM" />
        <h1>"New user"</h1>
        <ActionForm action=create attr:class="profile">
            <PageField />
            <ProfileFields values=None error form="create_user" />
            <ErrorText error form="create_user" />
            <button type="submit" disabled=move || create.pending().get()>"Create user"</button>
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
    error: Signal<Option<AppError>>,
    form: &'static str,
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
            let value = PageReply::typed(form, name).unwrap_or(value);
            view! {
                <label>{label} <input type=kind name=name value=value required=name == "user_name" /></label>
                <ErrorText error form field=name />
            }
        })
        .collect_view()
}
