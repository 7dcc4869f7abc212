//! The audit trail: the whole of it on `/audit`, filtered by what its address says, and the
//! same rows as the History of one user or workspace.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_location;

use super::filters::{FieldError, FilterParams, TimeRangeFields};
use super::paging::PagerLinks;
use super::time::LocalTime;
use crate::api::audit::audit_page;
use crate::api::error::AppError;
use crate::domain::audit::{actions, door_label, kind_label, subject_href, subject_tag, ActorChoice, AuditEntry, AuditView, FieldChange, Subject, DOORS};
use crate::domain::text::query_string;

/// Query keys the audit page's filter form sets (the position keys `after`/`before` aside).
const FILTER_KEYS: [&str; 9] = ["tq", "subject", "actor", "door", "action", "from", "to", "tz", "request"];

#[component]
pub fn AuditPage() -> impl IntoView {
    let location = use_location();
    let data = Resource::new(move || location.search.get(), audit_page);
    view! {
        <Title text="Audit trail · CIM" />
        <div class="page-head">
            <h1>"Audit trail"</h1>
        </div>
        <p class="hint">"Every change made in the console, through SCIM or on the command line, newest first. Open a row to see what changed."</p>
        <Transition fallback=|| view! { <p>"Loading the audit trail…"</p> }>
            {move || Suspend::new(async move {
                let (view, error) = match data.await {
                    Ok(view) => (Some(view), None),
                    Err(err) => (None, Some(err)),
                };
                view! {
                    <AuditFilters actors=view.as_ref().map(|v| v.actors.clone()).unwrap_or_default()
                        subject=view.as_ref().and_then(|v| v.subject.clone()) error=error.clone() />
                    {view.map(|view| view! { <AuditResults view /> })}
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditFilters(actors: Vec<ActorChoice>, subject: Option<Subject>, error: Option<AppError>) -> impl IntoView {
    let params = FilterParams::new();
    let param = move |key: &'static str| params.get(key);
    let export = move || {
        let pairs = params.pairs(&FILTER_KEYS);
        let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("/reports/audit.csv?{}", query_string(&pairs))
    };
    let general_error = error.clone().filter(|e| !matches!(e.field(), Some("from" | "to" | "action" | "door" | "actor")));
    let range_error = error.clone();
    let field_error = move |field: &'static str| view! { <FieldError error=error.clone() field /> };
    view! {
        <Form method="GET" action="/audit" attr:class="filters" attr:role="search" attr:aria-label="Filter the audit trail">
            {match subject.filter(|_| !param("subject").is_empty()) {
                Some(subject) => view! {
                    <div class="field"><span class="label">"Target"</span>
                        <span class="chip">{format!("{}: {}", kind_label(&subject.kind), subject.name)}
                            " " <a href=move || format!("/audit?{}", params.query_without(&["subject", "after", "before"]))
                                attr:aria-label="Remove the target filter">"✕"</a></span>
                        <input type="hidden" name="subject" value=param("subject") />
                    </div>
                }.into_any(),
                None => view! {
                    <label class="grow target">"Target"
                        <input type="search" name="tq" value=param("tq") placeholder="User name, workspace, credential or administrator" />
                    </label>
                }.into_any(),
            }}
            <div class="field"><label for="audit-actor">"Who"</label>
                <select id="audit-actor" name="actor">
                    <option value="">"Anyone"</option>
                    {actors.into_iter().map(|a| {
                        let selected = param("actor") == a.id;
                        view! { <option value=a.id selected=selected>{a.label}</option> }
                    }).collect_view()}
                </select>
                {field_error("actor")}
            </div>
            <div class="field"><label for="audit-door">"Door"</label>
                <select id="audit-door" name="door">
                    <option value="">"Any door"</option>
                    {DOORS.into_iter().map(|(door, label)| view! {
                        <option value=door selected=param("door") == door>{label}</option>
                    }).collect_view()}
                </select>
                {field_error("door")}
            </div>
            <div class="field"><label for="audit-action">"Action"</label>
                <select id="audit-action" name="action">
                    <option value="">"Any action"</option>
                    {actions::ALL.into_iter().map(|(action, label)| view! {
                        <option value=action selected=param("action") == action>{label}</option>
                    }).collect_view()}
                </select>
                {field_error("action")}
            </div>
            <TimeRangeFields prefix="audit" from=param("from") to=param("to") error=range_error />
            {(!param("request").is_empty()).then(|| view! { <input type="hidden" name="request" value=param("request") /> })}
            <button type="submit">"Apply"</button>
            <a href="/audit">"Clear filters"</a>
            <a href=export download>"Download CSV"</a>
        </Form>
        {general_error.map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
    }
}

#[component]
fn AuditResults(view: AuditView) -> impl IntoView {
    let params = FilterParams::new();
    let base = params.pairs(&FILTER_KEYS);
    let request = params.get("request");
    let heading = match (&view.subject_missing, &view.subject, request.is_empty()) {
        (Some(name), _, _) => format!("Nothing is named “{name}”."),
        (None, Some(subject), _) => format!("Events concerning {} {}", kind_label(&subject.kind).to_lowercase(), subject.name),
        (None, None, false) => format!("Events caused by SCIM request {request}"),
        _ => String::new(),
    };
    let page = view.page;
    view! {
        {(!heading.is_empty()).then(|| view! { <p class="count">{heading}</p> })}
        <AuditRows entries=page.rows.clone() />
        <PagerLinks path="/audit".into() base prev=page.prev next=page.next label="Audit trail pages" />
    }
}

/// Events as rows that open to show what changed. `empty` is what to say when there are none.
#[component]
pub fn AuditRows(entries: Vec<AuditEntry>, #[prop(optional)] empty: &'static str) -> impl IntoView {
    if entries.is_empty() {
        let empty = if empty.is_empty() { "No events match." } else { empty };
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    view! {
        <div class="trail">
            <div class="trail-head" aria-hidden="true">
                <span>"When"</span><span>"Who"</span><span>"Door"</span><span>"What"</span><span>"Target"</span>
            </div>
            <ul class="trail-rows">
                {entries.into_iter().map(|e| view! { <li><AuditRow entry=e /></li> }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let summary = entry.summary();
    view! {
        // The summary holds text only (a link inside it would be a control inside a control);
        // the links are in the row's detail.
        <details class="trail-row">
            <summary>
                <span class="when"><LocalTime ms=entry.at /></span>
                <span class="who">{entry.actor.name.clone()}</span>
                <span class="door"><span class="badge door">{door_label(&entry.door).to_string()}</span></span>
                <span class="what">{summary}</span>
                <span class="target">{entry.target.name.clone()}</span>
            </summary>
            <AuditDetail entry />
        </details>
    }
    // Erased here: the row's full type is deeper than release builds of the bundle allow.
    .into_any()
}

#[component]
fn AuditDetail(entry: AuditEntry) -> impl IntoView {
    let actor_href = format!("/audit?{}", query_string(&[("actor", &entry.actor.id)]));
    let request_href = format!("/provisioning?{}", query_string(&[("request", &entry.request_id)]));
    let from_scim = entry.door == "scim";
    let nothing = entry.changes.is_empty() && entry.granted.is_empty() && entry.revoked.is_empty();
    // A batch is one line of the trail; it opens to the change of each of its users.
    let batch_href = (entry.target.kind == "batch" && entry.action.starts_with(actions::BATCH_START))
        .then(|| format!("/audit?{}", query_string(&[("subject", &subject_tag("batch", &entry.target.id))])));
    view! {
        <div class="trail-detail">
            <p class="subjects"><strong>{format!("{}: ", kind_label(&entry.target.kind))}</strong><SubjectLink subject=entry.target.clone() />
                " · " <strong>"By: "</strong><a href=actor_href>{entry.actor.name.clone()}</a>
                <span class="hint">" (all their changes)"</span></p>
            <ChangesTable changes=entry.changes />
            <SubjectList label="Granted" subjects=entry.granted />
            <SubjectList label="Revoked" subjects=entry.revoked />
            {batch_href.map(|href| view! { <p><a href=href>"Each user's change in this batch"</a></p> })}
            {entry.imported_from.clone().map(|file| view! { <p class="hint">{format!("Imported from {file}")}</p> })}
            {nothing.then(|| view! { <p class="hint">"No field values recorded for this event."</p> })}
            <p class="meta">
                "Request "
                {if from_scim {
                    view! { <a href=request_href>{entry.request_id.clone()}</a> }.into_any()
                } else {
                    view! { <code>{entry.request_id.clone()}</code> }.into_any()
                }}
            </p>
        </div>
    }
    .into_any()
}

#[component]
fn ChangesTable(changes: Vec<FieldChange>) -> impl IntoView {
    (!changes.is_empty()).then(|| {
        view! {
            <table class="changes">
                <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                <tbody>
                    {changes.into_iter().map(|c| view! {
                        <tr><th scope="row">{c.field}</th><td class="before">{c.before}</td><td class="after">{c.after}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    })
}

#[component]
fn SubjectList(label: &'static str, subjects: Vec<Subject>) -> impl IntoView {
    (!subjects.is_empty()).then(|| {
        view! {
            <p class="subjects"><strong>{format!("{label}: ")}</strong>
                {subjects.into_iter().enumerate().map(|(i, s)| view! {
                    {(i > 0).then_some(", ")}<SubjectLink subject=s />
                }).collect_view()}
            </p>
        }
    })
}

/// A user, workspace, credential or administrator by name, linked to its page while it exists.
#[component]
fn SubjectLink(subject: Subject) -> impl IntoView {
    match subject_href(&subject.kind, &subject.id) {
        Some(href) => view! { <a href=href>{subject.name}</a> }.into_any(),
        None => view! { <span>{subject.name}</span> }.into_any(),
    }
}

/// The newest events concerning one user or workspace (`subject` is its tag, `user:<id>`), with
/// a link to all of them on the audit page.
#[component]
pub fn AuditHistory(subject: String) -> impl IntoView {
    let query = history_query(&subject);
    let data = Resource::new(move || query.clone(), audit_page);
    view! {
        <HistorySection subject>
            <Transition fallback=|| view! { <p>"Loading history…"</p> }>
                {move || Suspend::new(async move {
                    view! { <HistoryRows entries=data.await.map(|view| view.page.rows) /> }
                })}
            </Transition>
        </HistorySection>
    }
}

/// The audit page's query for the events concerning `subject`.
pub fn history_query(subject: &str) -> String {
    format!("subject={}", crate::domain::text::percent_encode(subject))
}

/// The History section around a subject's events.
#[component]
pub fn HistorySection(subject: String, children: Children) -> impl IntoView {
    view! {
        <section aria-labelledby="history-h" class="history">
            <div class="section-head">
                <h2 id="history-h">"History"</h2>
                <a href=format!("/audit?{}", history_query(&subject))>"Full history in the audit trail"</a>
            </div>
            {children()}
        </section>
    }
}

/// A subject's newest events, or that it has none, or why they could not be read.
#[component]
pub fn HistoryRows(entries: Result<Vec<AuditEntry>, AppError>) -> impl IntoView {
    match entries {
        Ok(entries) => view! { <AuditRows entries empty="No recorded changes." /> }.into_any(),
        Err(err) => view! { <p class="error" role="alert">{format!("The history could not be read: {err}")}</p> }.into_any(),
    }
}
