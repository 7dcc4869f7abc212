use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use super::forms::{PageField, PageReply};
use crate::api::session::{current_admin, Logout};

/// Navigation and the signed-in administrator around every page but sign-in. It also marks the
/// document once the browser has hydrated it, which end-to-end tests wait for.
#[component]
pub fn ConsoleFrame(children: Children) -> impl IntoView {
    PageReply::provide();
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let location = use_location();
    let on_login = move || location.pathname.get() == "/login";
    view! {
        <div id="app" data-hydrated=move || if hydrated.get() { "true" } else { "false" }>
            <Show when=move || !on_login()>
                <NavBar />
            </Show>
            <main>{children()}</main>
        </div>
    }
}

#[component]
fn NavBar() -> impl IntoView {
    let location = use_location();
    let admin = Resource::new(move || location.pathname.get(), |_| current_admin());
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <span class="brand">"CIM"</span>
            <nav aria-label="Main">
                <A href="/users">"Users"</A>
                <A href="/workspaces">"Workspaces"</A>
                <A href="/credentials">"SCIM credentials"</A>
            </nav>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    admin.await.ok().flatten().map(|a| {
                        view! {
                            <span class="whoami">{a.username} " · " {a.role.label()}</span>
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
