//! The landing page: is everything all right?

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::time::LocalTime;
use crate::api::overview::overview_figures;
use crate::domain::overview::Overview;
use crate::domain::text::group_digits;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| overview_figures());
    view! {
        <Title text="Overview · CIM" />
        <h1>"Overview"</h1>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(o) => view! { <OverviewTiles o /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Tile(figure: String, label: &'static str, href: String, #[prop(optional)] warn: bool) -> impl IntoView {
    view! {
        <A href=href attr:class=if warn { "tile warn" } else { "tile" }>
            <span class="figure">{figure}</span>
            <span class="label">{label}</span>
        </A>
    }
}

#[component]
fn OverviewTiles(o: Overview) -> impl IntoView {
    let failing = o.failing_credentials.len();
    let warn = failing > 0;
    view! {
        <div class="tiles">
            <Tile figure=group_digits(o.active_users) label="active users" href="/users?status=active".into() />
            <Tile figure=group_digits(o.inactive_users) label="inactive users" href="/users?status=inactive".into() />
            <Tile figure=group_digits(o.workspaces) label="workspaces" href="/workspaces".into() />
            <Tile figure=group_digits(o.changes_24h) label="changes in the last 24 hours" href="/audit".into() />
            <Tile figure=format!("{failing} of {}", o.live_credentials) label="SCIM credentials with errors in 24 hours"
                href="/credentials".into() warn />
        </div>
        <section aria-labelledby="idp-h">
            <h2 id="idp-h">"Identity providers"</h2>
            {match o.last_scim_request {
                None => view! { <p class="hint">"No SCIM request has been recorded yet."</p> }.into_any(),
                Some(r) => view! {
                    <p>"Last SCIM request: " <LocalTime ms=r.at /> {format!(" from {}: {} {} answered {}.", r.credential_name, r.method, r.path, r.status)}</p>
                }.into_any(),
            }}
            {if o.failing_credentials.is_empty() {
                view! { <p class="hint">"No refused or failed SCIM requests in the last 24 hours."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {o.failing_credentials.into_iter().map(|(id, name, n)| view! {
                            <li><A href=format!("/provisioning?credential={id}&status=4xx")>{name}</A>
                                {format!(": {} refused or failed request{} in the last 24 hours", group_digits(n), if n == 1 { "" } else { "s" })}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
