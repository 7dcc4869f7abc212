use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::forms::{ConfirmDelete, ErrorText, PageField, last_error, submit_on_change};
use super::users::{ProfileFields, ProfileValues};
use crate::api::users::{user_page, DeleteUser, SetAccess, SetUserActive, UpdateUser};
use crate::domain::users::{User, UserPageData, WORKSPACES_SHOWN};

/// One user: profile, the Active switch and a checkbox per workspace, each saved on change.
#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let wsq = move || query.with(|q| q.get("wsq").unwrap_or_default());

    let update = ServerAction::<UpdateUser>::new();
    let set_active = ServerAction::<SetUserActive>::new();
    let set_access = ServerAction::<SetAccess>::new();
    let delete = ServerAction::<DeleteUser>::new();
    // The version every form sends; moved on by each save so the next one is not refused as stale.
    let version = RwSignal::new(0i64);
    for value in [update.value(), set_active.value(), set_access.value()] {
        Effect::new(move |_| {
            if let Some(Ok(user)) = value.get() {
                version.set(user.version);
            }
        });
    }
    let saves = move || update.version().get() + set_active.version().get() + set_access.version().get();
    let data = Resource::new(move || (id(), wsq(), saves()), |(id, wsq, _)| user_page(id, wsq));
    let last_access_form = RwSignal::new(String::new());
    let errors = UserErrors {
        update: last_error(update.value()),
        set_active: last_error(set_active.value()),
        set_access: last_error(set_access.value()),
        delete: last_error(delete.value()),
    };

    view! {
        <Transition fallback=|| view! { <p>"Loading user…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(page) => {
                        version.set(page.user.version);
                        view! {
                            <UserView page version wsq=wsq() update set_active set_access delete last_access_form errors />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The last error of each form's action, owned by the page so they outlive refetches.
#[derive(Clone, Copy)]
struct UserErrors {
    update: Signal<Option<crate::api::error::AppError>>,
    set_active: Signal<Option<crate::api::error::AppError>>,
    set_access: Signal<Option<crate::api::error::AppError>>,
    delete: Signal<Option<crate::api::error::AppError>>,
}

#[component]
fn UserView(
    page: UserPageData,
    version: RwSignal<i64>,
    wsq: String,
    update: ServerAction<UpdateUser>,
    set_active: ServerAction<SetUserActive>,
    set_access: ServerAction<SetAccess>,
    delete: ServerAction<DeleteUser>,
    last_access_form: RwSignal<String>,
    errors: UserErrors,
) -> impl IntoView {
    let UserPageData { user, workspaces, total_workspaces, granted_count } = page;
    let user_id = user.id.clone();
    let profile = profile_values(&user);
    let (status_id, profile_id) = (user.id.clone(), user.id.clone());
    let busy = move || set_access.pending().get() || set_active.pending().get();
    let status = if user.active { "Active" } else { "Inactive: workspace access is suspended" };
    let shown = workspaces.len();
    view! {
        <Title text=format!("{} · CIM", user.user_name) />
        <div class="page-head">
            <h1>{user.user_name.clone()}</h1>
            <span class=if user.active { "badge ok" } else { "badge off" }>{status}</span>
        </div>

        <section aria-labelledby="status-h">
            <h2 id="status-h">"Status"</h2>
            <ActionForm action=set_active attr:class="inline autosave">
                <PageField />
                <input type="hidden" name="id" value=status_id />
                <VersionInput version />
                <label class="switch">
                    <input type="checkbox" role="switch" name="active" value="on" checked=user.active
                        disabled=busy on:change=submit_on_change />
                    "Active"
                </label>
                <button type="submit" class="autosave-submit">"Save status"</button>
                <ErrorText error=errors.set_active form="set_active" />
            </ActionForm>
        </section>

        <section aria-labelledby="access-h">
            <h2 id="access-h">"Workspace access"</h2>
            <p class="hint">
                {format!("{granted_count} of {total_workspaces} workspaces granted.")}
                {(!user.active).then(|| " While the user is inactive these grants are suspended: kept, but not usable.")}
            </p>
            <Form method="GET" action=format!("/users/{}", user.id) attr:class="search" attr:role="search">
                <label>"Filter workspaces" <input type="search" name="wsq" value=wsq /></label>
                <button type="submit">"Filter"</button>
            </Form>
            {(shown >= WORKSPACES_SHOWN && (shown as i64) < total_workspaces).then(|| view! {
                <p class="hint">{format!("Showing the first {shown}; filter to find the others.")}</p>
            })}
            <ul class=if user.active { "access" } else { "access suspended" }>
                {workspaces.into_iter().map(|ws| {
                    let user_id = user_id.clone();
                    let form_key = format!("access:{}", ws.workspace_id);
                    let mark = form_key.clone();
                    let suspended = ws.granted && !user.active;
                    view! {
                        <li>
                            <ActionForm action=set_access attr:class="inline autosave">
                                <PageField />
                                <input type="hidden" name="user_id" value=user_id />
                                <input type="hidden" name="workspace_id" value=ws.workspace_id.clone() />
                                <VersionInput version />
                                <label>
                                    <input type="checkbox" name="granted" value="on" checked=ws.granted disabled=busy
                                        on:change=move |ev| { last_access_form.set(mark.clone()); submit_on_change(ev) } />
                                    {ws.workspace_name.clone()}
                                </label>
                                {suspended.then(|| view! { <span class="badge off">"suspended"</span> })}
                                <button type="submit" class="autosave-submit">{format!("Save {}", ws.workspace_name)}</button>
                                <ErrorText error=errors.set_access form=form_key last_key=last_access_form />
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>

        <section aria-labelledby="profile-h">
            <h2 id="profile-h">"Profile"</h2>
            <ActionForm action=update attr:class="profile">
                <PageField />
                <input type="hidden" name="id" value=profile_id />
                <VersionInput version />
                <ProfileFields values=Some(profile) error=errors.update form="update_user" />
                <ErrorText error=errors.update form="update_user" />
                <button type="submit" disabled=move || update.pending().get()>"Save profile"</button>
            </ActionForm>
        </section>

        <DeleteUserSection user=user.clone() delete version error=errors.delete />
    }
}

/// The version a form was loaded with, kept current by later saves on the same page.
#[component]
pub fn VersionInput(version: RwSignal<i64>) -> impl IntoView {
    view! { <input type="hidden" name="version" value=version.get_untracked() prop:value=move || version.get() /> }
}

fn profile_values(user: &User) -> ProfileValues {
    ProfileValues {
        user_name: user.user_name.clone(),
        external_id: user.external_id.clone().unwrap_or_default(),
        given_name: user.given_name.clone(),
        family_name: user.family_name.clone(),
        display_name: user.display_name.clone(),
        email: user.email.clone(),
    }
}

#[component]
fn DeleteUserSection(
    user: User,
    delete: ServerAction<DeleteUser>,
    version: RwSignal<i64>,
    error: Signal<Option<crate::api::error::AppError>>,
) -> impl IntoView {
    let question = format!("Delete {} and all of its workspace grants? This cannot be undone.", user.user_name);
    let id = user.id.clone();
    view! {
        <ConfirmDelete page=format!("/users/{}", user.id) what="user" question error form="delete_user">
            {
                let id = id.clone();
                view! {
                    <ActionForm action=delete attr:class="inline">
                        <PageField />
                        <input type="hidden" name="id" value=id />
                        <VersionInput version />
                        <button type="submit" class="danger">"Yes, delete this user"</button>
                    </ActionForm>
                }
            }
        </ConfirmDelete>
    }
}
