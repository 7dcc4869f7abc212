//! The provisioning log: every SCIM request, who sent it, what came of it, and the audit events
//! it caused.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_location;

use super::filters::{FieldError, FilterParams, TimeRangeFields};
use super::paging::PagerLinks;
use super::time::LocalTime;
use crate::api::error::AppError;
use crate::api::provisioning::provisioning_page;
use crate::domain::provisioning::{CredentialChoice, ProvisioningView, ScimRequestEntry, METHODS, STATUS_CLASSES};
use crate::domain::text::query_string;

const FILTER_KEYS: [&str; 7] = ["credential", "status", "method", "from", "to", "tz", "request"];

#[component]
pub fn ProvisioningPage() -> impl IntoView {
    let location = use_location();
    let data = Resource::new(move || location.search.get(), provisioning_page);
    view! {
        <Title text="Provisioning log · CIM" />
        <h1>"Provisioning log"</h1>
        <Transition fallback=|| view! { <p>"Loading the provisioning log…"</p> }>
            {move || Suspend::new(async move {
                let (view, error) = match data.await {
                    Ok(view) => (Some(view), None),
                    Err(err) => (None, Some(err)),
                };
                view! {
                    {view.as_ref().map(|v| view! { <p class="hint">{retention_text(v.retention_days)}</p> })}
                    <ProvisioningFilters credentials=view.as_ref().map(|v| v.credentials.clone()).unwrap_or_default() error />
                    {view.map(|view| view! { <RequestTable view /> })}
                }
            })}
        </Transition>
    }
}

fn retention_text(days: i64) -> String {
    match days {
        0 => "Recording is switched off (CIM_PROVISIONING_LOG_DAYS=0); what is listed was recorded earlier.".into(),
        1 => "Every SCIM request, kept for 1 day. Request bodies and secrets are never recorded.".into(),
        n => format!("Every SCIM request, kept for {n} days. Request bodies and secrets are never recorded."),
    }
}

#[component]
fn ProvisioningFilters(credentials: Vec<CredentialChoice>, error: Option<AppError>) -> impl IntoView {
    let params = FilterParams::new();
    let param = move |key: &'static str| params.get(key);
    let general_error = error.clone().filter(|e| !matches!(e.field(), Some("from" | "to" | "status" | "method")));
    let range_error = error.clone();
    let field_error = move |field: &'static str| view! { <FieldError error=error.clone() field /> };
    view! {
        <Form method="GET" action="/provisioning" attr:class="filters" attr:role="search" attr:aria-label="Filter the provisioning log">
            <div class="field"><label for="log-credential">"Credential"</label>
                <select id="log-credential" name="credential">
                    <option value="">"Any credential"</option>
                    {credentials.into_iter().map(|c| {
                        let selected = param("credential") == c.id;
                        view! { <option value=c.id selected=selected>{c.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field"><label for="log-status">"Status"</label>
                <select id="log-status" name="status">
                    <option value="">"Any status"</option>
                    {STATUS_CLASSES.into_iter().map(|(class, label)| {
                        let value = format!("{class}xx");
                        let selected = param("status") == value;
                        view! { <option value=value selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                {field_error("status")}
            </div>
            <div class="field"><label for="log-method">"Method"</label>
                <select id="log-method" name="method">
                    <option value="">"Any method"</option>
                    {METHODS.into_iter().map(|m| view! { <option value=m selected=param("method") == m>{m}</option> }).collect_view()}
                </select>
                {field_error("method")}
            </div>
            <TimeRangeFields prefix="log" from=param("from") to=param("to") error=range_error />
            {(!param("request").is_empty()).then(|| view! { <input type="hidden" name="request" value=param("request") /> })}
            <button type="submit">"Apply"</button>
            <A href="/provisioning">"Clear filters"</A>
        </Form>
        {general_error.map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
    }
}

#[component]
fn RequestTable(view: ProvisioningView) -> impl IntoView {
    let params = FilterParams::new();
    let base = params.pairs(&FILTER_KEYS);
    let page = view.page;
    if page.rows.is_empty() {
        return view! { <p class="empty">"No SCIM requests match."</p> }.into_any();
    }
    view! {
        <div class="table-scroll"><table class="list stack">
            <thead><tr>
                <th scope="col">"When"</th><th scope="col">"Credential"</th><th scope="col">"Request"</th>
                <th scope="col">"Status"</th><th scope="col">"Error"</th><th scope="col">"Duration"</th><th scope="col">"Changes"</th>
            </tr></thead>
            <tbody>
                {page.rows.into_iter().map(|r| view! { <RequestRow r /> }).collect_view()}
            </tbody>
        </table></div>
        <PagerLinks path="/provisioning".into() base prev=page.prev next=page.next label="Provisioning log pages" />
    }
    .into_any()
}

#[component]
fn RequestRow(r: ScimRequestEntry) -> impl IntoView {
    let status_class = match r.status {
        200..=299 => "badge ok",
        400..=499 => "badge off",
        _ => "badge bad",
    };
    let error = match (&r.scim_type, &r.detail) {
        (Some(t), Some(d)) => format!("{t}: {d}"),
        (None, Some(d)) => d.clone(),
        (Some(t), None) => t.clone(),
        (None, None) => String::new(),
    };
    let writes = r.method != "GET";
    let changes_href = format!("/audit?{}", query_string(&[("request", &r.request_id)]));
    let duration = r.duration_text();
    view! {
        <tr>
            <td data-label="When"><LocalTime ms=r.at /></td>
            <td data-label="Credential">{r.credential_name.clone()}</td>
            <td data-label="Request" class="wrap"><code>{format!("{} {}", r.method, r.path)}</code>
                {r.resource_id.clone().map(|id| view! { <span class="hint">{format!(" · {id}")}</span> })}</td>
            <td data-label="Status"><span class=status_class>{r.status}</span></td>
            <td data-label="Error" class="wrap">{error}</td>
            <td data-label="Duration">{duration}</td>
            <td data-label="Changes">{if writes && r.status < 300 {
                view! { <A href=changes_href>"Audit events"</A> }.into_any()
            } else {
                view! { <span class="hint" title=format!("Request id {}", r.request_id)>"—"</span> }.into_any()
            }}</td>
        </tr>
    }
}
