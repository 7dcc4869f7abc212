use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::audit::{history_query, HistoryRows, HistorySection};
use super::frame::Viewer;
use super::forms::{asking_to_delete, last_error, submit_form_of, ConfirmDelete, ErrorText, PageField, Here, SavedNotice};
use super::users::{ProfileFields, ProfileValues, StatusBadge};
use crate::api::error::AppError;
use crate::api::audit::audit_page;
use crate::api::users::{user_page, DeleteUser, SaveAccess, SetUserActive, UpdateUser, ANYWAY_FIELD, CONFIRM_FIELD};
use crate::domain::credentials::{Management, OwnedField};
use crate::domain::audit::{subject_tag, AuditEntry};
use crate::domain::text::is_local_path;
use crate::domain::users::{User, UserPageData, WORKSPACES_SHOWN};

/// The actions of a user page and their last errors, owned by the page so they outlive the
/// re-renders that follow every save.
#[derive(Clone, Copy)]
struct UserActions {
    update: ServerAction<UpdateUser>,
    set_active: ServerAction<SetUserActive>,
    save_access: ServerAction<SaveAccess>,
    delete: ServerAction<DeleteUser>,
    /// The version every form sends: the stored one, as the last save or load saw it.
    version: RwSignal<i64>,
    /// The deactivation is waiting for its confirmation (asked in the browser).
    confirming: RwSignal<bool>,
    /// The delete is asking (see `ConfirmDelete`).
    deleting: RwSignal<bool>,
    /// A tick changed while a save was on its way: save again when it is back.
    resave: RwSignal<bool>,
    update_error: Signal<Option<AppError>>,
    set_active_error: Signal<Option<AppError>>,
    save_access_error: Signal<Option<AppError>>,
    delete_error: Signal<Option<AppError>>,
}

impl UserActions {
    fn new(version: i64) -> UserActions {
        let (update, set_active) = (ServerAction::<UpdateUser>::new(), ServerAction::<SetUserActive>::new());
        let (save_access, delete) = (ServerAction::<SaveAccess>::new(), ServerAction::<DeleteUser>::new());
        UserActions {
            update,
            set_active,
            save_access,
            delete,
            version: RwSignal::new(version),
            confirming: RwSignal::new(false),
            deleting: asking_to_delete(),
            resave: RwSignal::new(false),
            update_error: last_error(update.value()),
            set_active_error: last_error(set_active.value()),
            save_access_error: last_error(save_access.value()),
            delete_error: last_error(delete.value()),
        }
    }

    /// How many saves have come back, refusals included.
    fn answered(&self) -> usize {
        self.update.version().get() + self.set_active.version().get() + self.save_access.version().get()
    }
}

/// One user: status (deactivating asks first), workspace access in one form, profile, delete.
/// After every save or refusal the page shows what is stored, so nothing looks applied that
/// was not.
#[component]
pub fn UserPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let wsq = Here::param("wsq").unwrap_or_default();
    let data = Resource::new(move || (id(), wsq.clone()), |(id, wsq)| user_page(id, wsq));
    // What a security admin's page starts with, so that the island holds no loading state.
    let history = Resource::new(id, |id| audit_page(history_query(&subject_tag("user", &id))));
    view! {
        <Suspense fallback=|| view! { <p>"Loading user…"</p> }>
            {move || Suspend::new(async move {
                let writable = Viewer::can_write().await;
                match data.await {
                    Err(AppError::NotFound(_)) => view! { <UserNotFound id=id() /> }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(page) => {
                        let title = view! { <Title text=format!("{} · CIM", page.user.user_name) /> };
                        let history = history.await.map(|h| h.page.rows);
                        if writable {
                            view! { {title} <UserEditor page history here=Here::for_island() /> }.into_any()
                        } else {
                            view! { {title} <UserHead page=page.clone() locks=Locks::of(&page, false) writable /> <ReadOnlyUser page history /> }.into_any()
                        }
                    }
                }
            })}
        </Suspense>
    }
}

/// A security admin's user page, live in the browser: every tick saves at once, deactivating
/// asks first, and after every save or refusal it shows what is stored (read again through
/// `user_page`), keeping focus where it was.
#[island]
fn UserEditor(page: UserPageData, history: Result<Vec<AuditEntry>, AppError>, here: Here) -> impl IntoView {
    provide_context(here);
    let wsq = Here::param("wsq").unwrap_or_default();
    let anyway = Here::param(ANYWAY_FIELD).is_some();
    let actions = UserActions::new(page.user.version);
    let saved = RwSignal::new(None::<&'static str>);
    for (value, message) in [
        (actions.update.value(), "Profile saved."),
        (actions.set_active.value(), "Status saved."),
        (actions.save_access.value(), "Workspace access saved."),
    ] {
        Effect::new(move |_| match value.get() {
            Some(Ok(user)) => {
                actions.version.set(user.version);
                actions.confirming.set(false);
                saved.set(Some(message));
            }
            Some(Err(_)) => saved.set(None),
            None => {}
        });
    }
    let id = page.user.id.clone();
    let (shown, history) = (RwSignal::new(page), RwSignal::new(history));
    let reread_error = RwSignal::new(None::<AppError>);
    // Every result, refusals included, reads again what is stored, and the History with it.
    // Only the newest read is shown: one that comes back after a later save's is dropped, so it
    // can neither show an older state nor send an older version with the next save.
    Effect::new(move |seen: Option<usize>| {
        let answered = actions.answered();
        if seen.is_some_and(|seen| seen != answered) {
            let (id, wsq) = (id.clone(), wsq.clone());
            let newest = move || untrack(|| actions.answered()) == answered;
            leptos::task::spawn_local(async move {
                let page = user_page(id.clone(), wsq).await;
                let events = audit_page(history_query(&subject_tag("user", &id))).await.map(|view| view.page.rows);
                if !newest() {
                    return;
                }
                match page {
                    Ok(page) => {
                        actions.version.set(page.user.version);
                        shown.set(page);
                        reread_error.set(None);
                    }
                    Err(err) => reread_error.set(Some(err)),
                }
                history.set(events);
            });
        }
        answered
    });
    // The tab says who this is, after a rename too.
    Effect::new(move |_| document().set_title(&shown.with(|p| format!("{} · CIM", p.user.user_name))));
    view! {
        <SavedNotice hydrated=saved messages=&[
            ("update_user", "Profile saved."),
            ("set_active", "Status saved."),
            ("save_access", "Workspace access saved."),
        ] />
        {move || reread_error.get().map(|err| view! {
            <p class="error" role="alert">{format!("This page could not be brought up to date ({err}). Reload it to see what is stored.")}</p>
        })}
        {move || {
            let page = shown.get();
            let locks = Locks::of(&page, anyway);
            view! {
                <UserHead page=page.clone() locks=locks.clone() writable=true />
                <UserForms page actions locks history />
            }
        }}
    }
}

#[component]
fn UserNotFound(id: String) -> impl IntoView {
    view! {
        <Title text="User not found · CIM" />
        <h1>"User not found"</h1>
        <p>{format!("No user has the id {id}. It may have been deleted, or the link is incomplete.")}</p>
        <p><A href="/users">"Find the user in the users list"</A></p>
    }
}

/// Where "back" leads: the users list as the admin left it, if that is where they came from.
fn back_link() -> String {
    Here::param("back")
        .filter(|b| b.starts_with("/users") && is_local_path(b))
        .unwrap_or_else(|| "/users".into())
}

/// What an identity provider manages of the user on this page, and whether the admin chose to
/// change it anyway (`?anyway`): then every form says so and the server allows it.
#[derive(Clone)]
struct Locks {
    managed: Option<Management>,
    anyway: bool,
}

impl Locks {
    fn of(page: &UserPageData, anyway: bool) -> Locks {
        Locks { anyway: anyway && page.managed.is_some(), managed: page.managed.clone() }
    }

    fn locked(&self, field: &str) -> bool {
        !self.anyway && self.managed.as_ref().is_some_and(|m| m.owns_field(field))
    }

    fn access_locked(&self) -> bool {
        !self.anyway && self.managed.as_ref().is_some_and(|m| m.owns_access)
    }

    fn manager(&self) -> String {
        self.managed.as_ref().map(|m| m.credential_name.clone()).unwrap_or_default()
    }
}

/// Sent with every form of the page while the admin changes managed fields anyway.
#[component]
fn AnywayField(locks: Locks) -> impl IntoView {
    locks.anyway.then(|| view! { <input type="hidden" name=ANYWAY_FIELD value="yes" /> })
}

/// Which identity provider provisions the user and what it owns; the way to change it anyway.
#[component]
fn ManagedNote(locks: Locks, user_id: String, writable: bool) -> impl IntoView {
    let Some(managed) = locks.managed.clone() else { return ().into_any() };
    let mut owned: Vec<&str> = managed.owned.iter().map(|f| f.label()).collect();
    if managed.owns_access {
        owned.push("Workspace access");
    }
    let owned = if owned.is_empty() { "nothing on this page".to_string() } else { owned.join(", ") };
    let page = format!("/users/{user_id}");
    let policy = format!("/credentials/{}", managed.credential_id);
    if locks.anyway {
        return view! {
            <div class="managed-note warn" role="status">
                <p><strong>{format!("Changing what {} manages.", managed.credential_name)}</strong>
                    {format!(" Your changes are saved and audited as overrides, but {} may overwrite them at its next push.                         Change them in the identity provider too, or they will not last.", managed.credential_name)}</p>
                <p><a href=page>"Done: lock managed fields again"</a></p>
            </div>
        }
        .into_any();
    }
    let anyway = format!("{page}?{ANYWAY_FIELD}=1");
    view! {
        <div class="managed-note" role="note">
            <p>"Provisioned by " <a href=policy>{managed.credential_name.clone()}</a> ". Managed there and locked here: " {owned} "."</p>
            {writable.then(|| view! { <p><a href=anyway>"Change anyway…"</a></p> })}
        </div>
    }
    .into_any()
}

/// Entitlements an identity provider sent that are not workspaces: shown, never editable here,
/// and granting nothing.
#[component]
fn OtherEntitlements(user: User) -> impl IntoView {
    let others = user.other_entitlements();
    (!others.is_empty()).then(|| view! {
        <section aria-labelledby="other-ent-h">
            <h2 id="other-ent-h">"Other entitlements (no workspace access)"</h2>
            <p class="hint">"Sent by the identity provider and kept as sent; they grant no workspace and change only through SCIM."</p>
            <div class="table-scroll"><table class="list">
                <thead><tr><th scope="col">"Type"</th><th scope="col">"Value"</th><th scope="col">"Display"</th><th scope="col">"Primary"</th></tr></thead>
                <tbody>
                    {others.into_iter().map(|e| view! {
                        <tr><td>{e.kind}</td><td>{e.value}</td><td>{e.display}</td><td>{if e.primary { "yes" } else { "" }}</td></tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    })
}

/// The lock badge beside a managed field.
#[component]
pub fn ManagedBadge(by: String) -> impl IntoView {
    view! { <span class="badge managed" title="Managed by the identity provider that provisions this user">{format!("managed by {by}")}</span> }
}

/// The top of a user page: the way back, the name, the status, who provisions the user.
#[component]
fn UserHead(page: UserPageData, locks: Locks, writable: bool) -> impl IntoView {
    view! {
        <p class="back"><a href=back_link()>"‹ Back to users"</a></p>
        <div class="page-head">
            <h1>{page.user.user_name.clone()}</h1>
            <StatusBadge active=page.user.active />
        </div>
        <ManagedNote locks user_id=page.user.id writable />
    }
}

/// What a security admin changes on a user page: status, access, profile, and delete.
#[component]
fn UserForms(page: UserPageData, actions: UserActions, locks: Locks, history: RwSignal<Result<Vec<AuditEntry>, AppError>>) -> impl IntoView {
    let UserPageData { user, workspaces, total_workspaces, granted_count, .. } = page;
    // Profile fields as the form shows them (the address is one field; `emails` has none).
    let all_locked = ["user_name", "external_id", "given_name", "family_name", "display_name", "email"].iter().all(|f| locks.locked(f));
    let profile = profile_values(&user);
    let user_id = user.id.clone();
    view! {
        <StatusSection user=user.clone() granted_count actions locks=locks.clone() />
        <AccessSection user=user.clone() workspaces total_workspaces granted_count actions locks=locks.clone() />
        <OtherEntitlements user=user.clone() />
        <section aria-labelledby="profile-h">
            <h2 id="profile-h">"Profile"</h2>
            <ActionForm action=actions.update attr:class="profile">
                <PageField />
                <input type="hidden" name="id" value=user_id />
                <VersionInput version=actions.version />
                <AnywayField locks=locks.clone() />
                <ProfileFields values=Some(profile) error=actions.update_error form="update_user"
                    locked=profile_locks(&locks) managed_by=locks.manager() />
                <ErrorText error=actions.update_error form="update_user" />
                {if all_locked {
                    view! { <p class="hint">{format!("Every profile field is managed by {}; use \u{201c}Change anyway\u{2026}\u{201d} above to edit.", locks.manager())}</p> }.into_any()
                } else {
                    view! { <button type="submit" disabled=move || actions.update.pending().get()>"Save profile"</button> }.into_any()
                }}
            </ActionForm>
        </section>
        <HistorySection subject=subject_tag("user", &user.id)>
            {move || view! { <HistoryRows entries=history.get() /> }}
        </HistorySection>
        <DeleteUserSection user actions />
    }
}

/// The user as an auditor sees them: the same facts, no controls.
#[component]
fn ReadOnlyUser(page: UserPageData, history: Result<Vec<AuditEntry>, AppError>) -> impl IntoView {
    let UserPageData { user, workspaces, total_workspaces, granted_count, .. } = page;
    let others = view! {
        <OtherEntitlements user=user.clone() />
        <HistorySection subject=subject_tag("user", &user.id)><HistoryRows entries=history /></HistorySection>
    };
    let granted: Vec<_> = workspaces.into_iter().filter(|w| w.granted).collect();
    let more = granted_count - granted.len() as i64;
    let facts = [
        ("User name", user.user_name.clone()),
        ("External id", user.external_id.clone().unwrap_or_default()),
        ("Given name", user.given_name.clone()),
        ("Family name", user.family_name.clone()),
        ("Display name", user.display_name.clone()),
        ("E-mail", user.email.clone()),
    ];
    view! {
        <section aria-labelledby="access-h">
            <h2 id="access-h">"Workspace access"</h2>
            <p class="hint">{format!("{granted_count} of {total_workspaces} workspaces granted.")}
                {(!user.active).then_some(" While the user is inactive these grants are suspended: kept, but not usable.")}</p>
            {if granted.is_empty() {
                view! { <p class="empty">"No workspace granted."</p> }.into_any()
            } else {
                view! {
                    <ul class="access">
                        {granted.into_iter().map(|w| view! {
                            <li><a href=format!("/workspaces/{}", w.workspace_id)>{w.workspace_name}</a></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(more > 0).then(|| view! { <p class="hint">{format!("And {more} more: filter the users list by workspace to see them.")}</p> })}
        </section>
        <section aria-labelledby="profile-h">
            <h2 id="profile-h">"Profile"</h2>
            <dl class="facts">
                {facts.into_iter().map(|(label, value)| view! {
                    <dt>{label}</dt><dd>{if value.is_empty() { "—".to_string() } else { value }}</dd>
                }).collect_view()}
            </dl>
        </section>
        {others}
    }
}

/// The Active switch. Switching it off asks first and says what deactivating does; the server
/// refuses a deactivation that was not confirmed, so the question is asked without JavaScript
/// too (the answer to that refusal is the page with the question).
#[component]
fn StatusSection(user: User, granted_count: i64, actions: UserActions, locks: Locks) -> impl IntoView {
    let locked = locks.locked("active");
    let (manager, form_locks) = (locks.manager(), locks.clone());
    let error = actions.set_active_error;
    let asked_by_server = move || {
        error.get().or_else(|| Here::reply().and_then(|r| r.refusal_of("set_active").cloned()))
            .is_some_and(|e| e.field() == Some(CONFIRM_FIELD))
    };
    let confirming = move || actions.confirming.get() || asked_by_server();
    let on_change = move |ev: leptos::ev::Event| {
        let switch = event_target::<web_sys::HtmlInputElement>(&ev);
        if switch.checked() {
            submit_form_of(&switch);
        } else {
            // Not yet: the switch stays on until the deactivation is confirmed.
            switch.set_checked(true);
            actions.confirming.set(true);
        }
    };
    let active = user.active;
    let (id, name) = (user.id.clone(), user.user_name.clone());
    view! {
        <section aria-labelledby="status-h">
            <h2 id="status-h">"Status"</h2>
            <ActionForm action=actions.set_active attr:class="inline">
                <PageField />
                <input type="hidden" name="id" value=user.id.clone() />
                <VersionInput version=actions.version />
                <AnywayField locks=form_locks />
                <label class="switch">
                    <input type="checkbox" role="switch" name="active" value="on" checked=active prop:checked=active
                        disabled=locked on:change=on_change />
                    "Active"
                </label>
                {if locked {
                    view! { <ManagedBadge by=manager /> }.into_any()
                } else {
                    view! { <button type="submit" class="autosave-submit">"Save status"</button> }.into_any()
                }}
            </ActionForm>
            <p class="hint">{if active {
                "Active: may enter the workspaces granted below."
            } else {
                "Inactive: the workspace grants below are kept but suspended until the user is activated."
            }}</p>
            <ErrorText error form="set_active" />
            <ErrorText error form="set_active" field="active" />
            <Show when=confirming>
                <ConfirmDeactivate id=id.clone() name=name.clone() granted_count actions locks=locks.clone() />
            </Show>
        </section>
    }
}

#[component]
fn ConfirmDeactivate(id: String, name: String, granted_count: i64, actions: UserActions, locks: Locks) -> impl IntoView {
    let grants = match granted_count {
        0 => "no workspace grants".to_string(),
        1 => "its 1 workspace grant".to_string(),
        n => format!("its {n} workspace grants"),
    };
    let page = format!("/users/{id}");
    // Cancelled in place, unless the question is the server's answer to a plain post (the
    // page's address is then the post's): then the link leads back to the user's own page.
    let in_place = !Here::reply().is_some_and(|r| r.refusal_of("set_active").is_some());
    let cancel = move |ev: leptos::ev::MouseEvent| {
        if in_place {
            ev.prevent_default();
        }
        actions.confirming.set(false);
    };
    view! {
        <div class="confirm" role="group" aria-labelledby="confirm-h">
            <h3 id="confirm-h">{format!("Deactivate {name}?")}</h3>
            <p>{format!("{name} keeps {grants}, but cannot enter any workspace until activated again. \
                Identity providers see the user as inactive at once.")}</p>
            <ActionForm action=actions.set_active attr:class="inline">
                <PageField />
                <input type="hidden" name="id" value=id />
                <VersionInput version=actions.version />
                <input type="hidden" name=CONFIRM_FIELD value="yes" />
                <AnywayField locks=locks.clone() />
                <button type="submit" class="danger">"Deactivate"</button>
                <a href=page on:click=cancel>"Cancel"</a>
            </ActionForm>
        </div>
    }
}

/// Every workspace (or those the filter leaves) as a checkbox, in one form. With JavaScript, a tick
/// saves at once (a tick made while a save is on its way is saved right after it); without
/// JavaScript one Save applies every tick and untick together.
#[component]
fn AccessSection(
    user: User,
    workspaces: Vec<crate::domain::users::WorkspaceAccess>,
    total_workspaces: i64,
    granted_count: i64,
    actions: UserActions,
    locks: Locks,
) -> impl IntoView {
    let locked = locks.access_locked();
    let form = NodeRef::<html::Form>::new();
    let save = actions.save_access;
    Effect::new(move |_| {
        if !save.pending().get() && actions.resave.get_untracked() {
            actions.resave.set(false);
            if let Some(form) = form.get_untracked() {
                let _ = form.request_submit();
            }
        }
    });
    let on_change = move |ev: leptos::ev::Event| {
        if save.pending().get_untracked() {
            actions.resave.set(true);
        } else {
            submit_form_of(&event_target::<web_sys::HtmlInputElement>(&ev));
        }
    };
    let shown = workspaces.len();
    let suspended_note = (!user.active).then_some(" While the user is inactive these grants are suspended: kept, but not usable.");
    view! {
        <section aria-labelledby="access-h">
            <h2 id="access-h">"Workspace access"</h2>
            <p class="hint">{format!("{granted_count} of {total_workspaces} workspaces granted.")}{suspended_note}</p>
            {locked.then(|| view! {
                <p class="hint"><ManagedBadge by=locks.manager() />" Workspace access is set by the identity provider; its next push replaces it."</p>
            })}
            <form method="GET" action=format!("/users/{}", user.id) class="filters" role="search">
                <input type="hidden" name="back" value=back_link() />
                <label class="grow">"Filter workspaces" <input type="search" name="wsq" value=Here::param("wsq") placeholder="Name starts with" /></label>
                <button type="submit">"Filter"</button>
            </form>
            {(shown >= WORKSPACES_SHOWN && (shown as i64) < total_workspaces).then(|| view! {
                <p class="hint">{format!("Showing the first {shown}; filter to find the others.")}</p>
            })}
            <ActionForm action=save node_ref=form attr:class="access-form">
                <PageField />
                <input type="hidden" name="user_id" value=user.id.clone() />
                <VersionInput version=actions.version />
                <AnywayField locks=locks.clone() />
                <ul class=if user.active { "access" } else { "access suspended" }>
                    {workspaces.into_iter().map(|ws| {
                        let suspended = ws.granted && !user.active;
                        view! {
                            <li>
                                <input type="hidden" name="shown[]" value=ws.workspace_id.clone() />
                                <label>
                                    <input type="checkbox" name="granted[]" value=ws.workspace_id.clone()
                                        checked=ws.granted prop:checked=ws.granted disabled=locked on:change=on_change />
                                    {ws.workspace_name.clone()}
                                </label>
                                {suspended.then(|| view! { <span class="badge off">"suspended"</span> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(!locked).then(|| view! { <button type="submit" class="autosave-submit">"Save workspace access"</button> })}
                <ErrorText error=actions.save_access_error form="save_access" />
                <ErrorText error=actions.save_access_error form="save_access" field="access" />
            </ActionForm>
        </section>
    }
}

/// The version a form was loaded with, kept current by later saves on the same page.
#[component]
pub fn VersionInput(version: RwSignal<i64>) -> impl IntoView {
    view! { <input type="hidden" name="version" value=version.get_untracked() prop:value=move || version.get() /> }
}

/// The profile form fields an identity provider owns and the page keeps locked.
fn profile_locks(locks: &Locks) -> Vec<&'static str> {
    OwnedField::ALL.iter().flat_map(|f| f.stored_fields()).copied().filter(|f| locks.locked(f)).collect()
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
fn DeleteUserSection(user: User, actions: UserActions) -> impl IntoView {
    let question = format!("Delete {} and all of its workspace grants? This cannot be undone.", user.user_name);
    let id = user.id.clone();
    view! {
        <ConfirmDelete page=format!("/users/{}", user.id) what="user" question error=actions.delete_error asking=actions.deleting form="delete_user">
            {
                let id = id.clone();
                view! {
                    <ActionForm action=actions.delete attr:class="inline">
                        <PageField />
                        <input type="hidden" name="id" value=id />
                        <VersionInput version=actions.version />
                        <button type="submit" class="danger">"Yes, delete this user"</button>
                    </ActionForm>
                }
            }
        </ConfirmDelete>
    }
}
