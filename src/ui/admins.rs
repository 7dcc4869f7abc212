//! Administrators: who may sign in to the console and with which role. Security admins only.

use leptos::prelude::*;
use leptos_meta::Title;

use super::forms::{ErrorText, PageField, Here, SavedNotice};
use super::time::LocalTime;
use crate::api::admins::{admins_page, ChangeAdmin, CreateAdmin};
use crate::api::forms::FormReply;
use crate::domain::admins::{AdminSummary, OneTimePassword, Role};

#[component]
pub fn AdminsPage() -> impl IntoView {
    let create = ServerAction::<CreateAdmin>::new();
    let change = ServerAction::<ChangeAdmin>::new();
    let data = Resource::new(|| (), |_| admins_page());
    view! {
        <Title text="Administrators · CIM" />
        <h1>"Administrators"</h1>
        <p class="hint">"Security admins change access; auditors see everything and change nothing. \
            New administrators and reset passwords get a one-time password, replaced at the next sign-in."</p>
        <section aria-labelledby="new-admin-h">
            <h2 id="new-admin-h">"Add an administrator"</h2>
            <ActionForm action=create attr:class="inline">
                <PageField />
                <label>"User name" <input type="text" name="username" required autocomplete="off"
                    value=Here::typed("create_admin", "username") />
                    <ErrorText form="create_admin" field="username" /></label>
                <div class="field"><label for="new-admin-role">"Role"</label>
                    <select id="new-admin-role" name="role">
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit">"Add administrator"</button>
                <ErrorText form="create_admin" />
            </ActionForm>
        </section>
        <SavedNotice messages=&[("change_admin", "Administrator saved.")] />
        <ErrorText form="change_admin" field="admin" />
        <ErrorText form="change_admin" />
        <Transition fallback=|| view! { <p>"Loading administrators…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(admins) => view! {
                        {one_time_password().map(|p| view! { <OneTimeNotice password=p /> })}
                        <AdminTable admins change />
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The one-time password this page was answered with (the post that created or reset an
/// administrator).
fn one_time_password() -> Option<OneTimePassword> {
    Here::reply().and_then(|reply| match reply {
        FormReply::OneTimePassword(p) => Some(p),
        _ => None,
    })
}

#[component]
fn OneTimeNotice(password: OneTimePassword) -> impl IntoView {
    view! {
        <section class="issued" aria-labelledby="otp-h">
            <h2 id="otp-h">{format!("One-time password for {}", password.username)}</h2>
            <p>"Give it to them by a safe channel; it is not shown again. They choose their own password when they sign in."</p>
            <p><code class="secret" data-testid="one-time-password">{password.password}</code></p>
        </section>
    }
}

#[component]
fn AdminTable(admins: Vec<AdminSummary>, change: ServerAction<ChangeAdmin>) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="list stack">
            <thead><tr>
                <th scope="col">"User name"</th><th scope="col">"Role"</th><th scope="col">"Status"</th>
                <th scope="col">"Last sign-in"</th><th scope="col">"Actions"</th>
            </tr></thead>
            <tbody>
                {admins.into_iter().map(|a| view! { <AdminRow a change /> }).collect_view()}
            </tbody>
        </table></div>
    }
}

#[component]
fn AdminRow(a: AdminSummary, change: ServerAction<ChangeAdmin>) -> impl IntoView {
    let status = match (a.disabled.is_some(), a.must_change_password) {
        (true, _) => view! { <span class="badge off">"disabled"</span> }.into_any(),
        (false, true) => view! { <span class="badge off">"one-time password"</span> }.into_any(),
        (false, false) => view! { <span class="badge ok">"enabled"</span> }.into_any(),
    };
    let (id, role) = (a.id.clone(), a.role);
    let op_form = move |op: &'static str, label: String, class: &'static str| {
        let id = id.clone();
        view! {
            <ActionForm action=change attr:class="inline">
                <PageField />
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="op" value=op />
                <button type="submit" class=class>{label}</button>
            </ActionForm>
        }
    };
    let select_id = format!("role-{}", a.id);
    view! {
        <tr>
            <td data-label="User name">{a.username.clone()}</td>
            <td data-label="Role">
                <ActionForm action=change attr:class="inline">
                    <PageField />
                    <input type="hidden" name="id" value=a.id.clone() />
                    <input type="hidden" name="op" value="role" />
                    <label class="sr-only" for=select_id.clone()>{format!("Role of {}", a.username)}</label>
                    <select id=select_id name="role">
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == role>{r.label()}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="secondary">"Change role"</button>
                </ActionForm>
            </td>
            <td data-label="Status">{status}</td>
            <td data-label="Last sign-in">{a.last_sign_in.map(|ms| view! { <LocalTime ms /> }.into_any()).unwrap_or_else(|| "never".into_any())}</td>
            <td data-label="Actions" class="actions">
                {if a.disabled.is_some() {
                    op_form("enable", "Enable (new one-time password)".into(), "secondary")
                } else {
                    op_form("disable", "Disable".into(), "danger")
                }}
                {op_form("reset", "Reset password".into(), "secondary")}
            </td>
        </tr>
    }
}
