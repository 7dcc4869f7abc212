use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use super::forms::{Here, PageField};
use crate::api::error::AppError;
use crate::api::session::{current_admin, Logout};
use crate::domain::admins::AdminView;

/// Who is looking at the console, for pages that show a security admin more than an auditor.
/// The server refuses every write an auditor sends anyway; this only keeps the controls away.
#[derive(Clone, Copy)]
pub struct Viewer(Resource<Result<Option<AdminView>, AppError>>);

impl Viewer {
    fn provide() -> Viewer {
        let location = use_location();
        let viewer = Viewer(Resource::new(move || location.pathname.get(), |_| current_admin()));
        provide_context(viewer);
        viewer
    }

    async fn admin(self) -> Option<AdminView> {
        self.0.await.ok().flatten()
    }

    /// True when the signed-in administrator may change things.
    pub async fn can_write() -> bool {
        match use_context::<Viewer>() {
            Some(viewer) => viewer.admin().await.is_some_and(|a| a.role.can_write()),
            None => false,
        }
    }
}

/// What only a security admin is shown: edit controls, forms, the Administrators link.
#[component]
pub fn WriterOnly(children: ChildrenFn) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {
                let children = children.clone();
                move || {
                    let children = children.clone();
                    Suspend::new(async move { Viewer::can_write().await.then(|| children()) })
                }
            }
        </Suspense>
    }
}

/// Navigation and the signed-in administrator around every page but sign-in. It also marks the
/// document once the browser has hydrated its islands, which end-to-end tests wait for.
#[component]
pub fn ConsoleFrame(children: Children) -> impl IntoView {
    Here::provide();
    let viewer = Viewer::provide();
    let location = use_location();
    let on_login = move || location.pathname.get() == "/login";
    view! {
        <div id="app" data-hydrated="false">
            <Show when=move || !on_login()>
                <NavBar viewer />
                <BrakeBanner />
            </Show>
            <main>{children()}</main>
            <HydratedMark />
        </div>
    }
}

/// Marks `#app` hydrated. Islands hydrate in document order, so this one, last in the page,
/// runs once every island before it is live.
#[island]
fn HydratedMark() -> impl IntoView {
    Effect::new(move |_| {
        if let Some(app) = document().get_element_by_id("app") {
            let _ = app.set_attribute("data-hydrated", "true");
        }
    });
}

#[component]
fn NavBar(viewer: Viewer) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">"CIM"</A>
            <nav aria-label="Main">
                <A href="/users">"Users"</A>
                <A href="/workspaces">"Workspaces"</A>
                <WriterOnly><A href="/imports">"Import"</A></WriterOnly>
                <A href="/audit">"Audit trail"</A>
                <A href="/reports">"Reports"</A>
                <A href="/provisioning">"Provisioning log"</A>
                <A href="/credentials">"SCIM credentials"</A>
                <WriterOnly><A href="/admins">"Administrators"</A></WriterOnly>
            </nav>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    viewer.admin().await.map(|a| {
                        let read_only = !a.role.can_write();
                        view! {
                            {read_only.then(|| view! { <span class="badge readonly" title="Auditors can view everything and change nothing.">"Read-only"</span> })}
                            <A href="/account/password" attr:class="whoami" attr:title="Change your password">{a.username} " · " {a.role.label()}</A>
                        }
                    })
                })}
            </Transition>
            <ActionForm action=logout attr:class="signout">
                <PageField />
                <button type="submit">"Sign out"</button>
            </ActionForm>
        </header>
    }
}

/// On every page, for security admins: what the mass-deactivation brake holds, per credential,
/// with the two decisions. Plain forms, so it works the same without JavaScript.
#[component]
fn BrakeBanner() -> impl IntoView {
    use crate::api::credentials::{held_changes, DecideHeld};
    let location = use_location();
    let decide = ServerAction::<DecideHeld>::new();
    let held = Resource::new(move || location.pathname.get(), |_| held_changes());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let held = held.await.unwrap_or_default();
                (!held.is_empty()).then(|| view! {
                    <div class="brake-banner" role="region" aria-label="Held by the mass-deactivation brake">
                        {held.into_iter().map(|h| {
                            let changes = if h.held == 1 { "1 deactivation or deletion is".to_string() } else { format!("{} deactivations and deletions are", h.held) };
                            view! {
                                <div class="brake-item">
                                    <p><strong>"Mass-deactivation brake: "</strong>
                                        <a href=format!("/credentials/{}", h.credential_id)>{h.credential_name.clone()}</a>
                                        {format!(" went past its threshold; {changes} held and not applied. Allow applies them and lets it continue for an hour.")}
                                        " " <a href=format!("/audit?action=brake.hold&actor={}", h.credential_id)>"See the held users"</a></p>
                                    <ActionForm action=decide attr:class="inline">
                                        <PageField />
                                        <input type="hidden" name="credential_id" value=h.credential_id.clone() />
                                        <input type="hidden" name="last_id" value=h.last_id.to_string() />
                                        <button type="submit" name="decision" value="allow" class="danger">{format!("Allow {}", h.held)}</button>
                                        <button type="submit" name="decision" value="block">"Keep blocked"</button>
                                    </ActionForm>
                                </div>
                            }
                        }).collect_view()}
                        <super::forms::ErrorText form="decide_held" />
                    </div>
                })
            })}
        </Transition>
    }
}
