//! `/batches/:id`: a batch's progress while it runs (with JavaScript the bar follows it; without,
//! the page reloads itself until it is done), then its summary and the users it could not
//! change, with why.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::forms::{ErrorText, Here, PageField};
use super::frame::Viewer;
use super::time::when;
use crate::api::batches::{batch_progress, CancelBatch};
use crate::api::error::AppError;
use crate::domain::audit::subject_tag;
use crate::domain::batches::{BatchState, BatchView};
use crate::domain::text::{group_digits, percent_encode};

/// How often a scripted page asks how far a running batch got.
const POLL_MS: u64 = 700;

#[component]
pub fn BatchPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let cancel = ServerAction::<CancelBatch>::new();
    let data = Resource::new(id, batch_progress);
    view! {
        <Transition fallback=|| view! { <p>"Loading the batch…"</p> }>
            {move || Suspend::new(async move {
                let writable = Viewer::can_write().await;
                match data.await {
                    Err(AppError::NotFound(_)) => view! {
                        <Title text="Batch not found · CIM" />
                        <h1>"Batch not found"</h1>
                        <p>{format!("No batch has the id {}.", id())}</p>
                    }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(batch) => view! { <BatchSummary batch cancel writable /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The words of the link back to the page a batch was started from.
fn back_label(origin: &str) -> &'static str {
    if origin.starts_with("/workspaces/") {
        "‹ Back to the workspace"
    } else if origin.starts_with("/imports") {
        "‹ Back to the import"
    } else {
        "‹ Back to the users list"
    }
}

fn state_class(state: BatchState) -> &'static str {
    match state {
        BatchState::Finished => "badge ok",
        BatchState::Running | BatchState::Cancelling => "badge info",
        BatchState::Cancelled | BatchState::Interrupted => "badge off",
    }
}

#[component]
fn BatchSummary(batch: BatchView, cancel: ServerAction<CancelBatch>, writable: bool) -> impl IntoView {
    let running = batch.state.is_running();
    // Followed while it runs, unless this page answers a refused post: reloading would post
    // again, or take the refusal away.
    let followed = running && Here::reply().is_none();
    let trail = format!("/audit?subject={}", percent_encode(&subject_tag("batch", &batch.id)));
    let more_failures = batch.failed - batch.failures.len() as i64;
    let id = batch.id.clone();
    view! {
        <Title text=format!("{} · CIM", batch.title) />
        // JavaScript off: the page reloads itself every two seconds while the batch runs (inert
        // markup for a scripted page, where `LiveProgress` asks).
        {followed.then(|| view! {
            <div inner_html=r#"<noscript><meta http-equiv="refresh" content="2"></noscript>"# />
        })}
        <p class="back"><a href=batch.origin.clone()>{back_label(&batch.origin)}</a></p>
        <h1>{batch.title.clone()}</h1>
        <p class="hint">{format!("Started by {} ", batch.started_by)}{when(Some(batch.started_at))}
            {batch.finished_at.map(|at| view! { " · ended " {when(Some(at))} })}</p>
        <section aria-labelledby="progress-h">
            {if followed {
                // Its failures stay out of the island's props (they are listed below, from the server).
                let counts = BatchView { failures: Vec::new(), ..batch.clone() };
                view! { <LiveProgress batch=counts page=Here::address() /> }.into_any()
            } else {
                view! { <Progress batch=batch.clone() /> }.into_any()
            }}
            {(batch.state == BatchState::Interrupted).then(|| view! {
                <p class="warning">{if batch.kind == "import" {
                    "The instance running this import stopped before it finished. What was done stays done; upload the file again: its dry run shows what is left."
                } else {
                    "The instance running this batch stopped before it finished. What was done stays done; start the action again for the rest (users already changed are left as they are)."
                }}</p>
            })}
            {(running && writable).then(|| view! {
                <ActionForm action=cancel attr:class="inline">
                    <PageField />
                    <input type="hidden" name="id" value=id.clone() />
                    <button type="submit" class="danger" disabled=batch.state == BatchState::Cancelling>"Cancel batch"</button>
                </ActionForm>
                <ErrorText form="cancel_batch" />
                <ErrorText form="cancel_batch" field="batch" />
            })}
            <p><a href=trail>"Every change of this batch in the audit trail"</a></p>
        </section>
        {(!batch.failures.is_empty()).then(|| view! {
            <section aria-labelledby="failures-h">
                <h2 id="failures-h">"Not changed"</h2>
                <div class="table-scroll"><table class="list stack">
                    <thead><tr><th scope="col">"User"</th><th scope="col">"Why"</th></tr></thead>
                    <tbody>
                        {batch.failures.into_iter().map(|f| view! {
                            <tr><td data-label="User">{f.subject}</td><td data-label="Why" class="wrap">{f.reason}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
                {(more_failures > 0).then(|| view! { <p class="hint">{format!("and {} more", group_digits(more_failures))}</p> })}
            </section>
        })}
    }
}

/// How far a batch got: its state, the bar, the counts.
#[component]
fn Progress(batch: BatchView) -> impl IntoView {
    let progress_text = format!("{} of {} users done", group_digits(batch.processed()), group_digits(batch.total));
    view! {
        <h2 id="progress-h">"Progress " <span class=state_class(batch.state)>{batch.state.label()}</span></h2>
        <progress max=batch.total.max(1) value=batch.processed() aria-label="Batch progress">{progress_text.clone()}</progress>
        <p class="count" role="status">{progress_text}</p>
        <dl class="facts">
            <dt>"Changed"</dt><dd>{group_digits(batch.done)}</dd>
            <dt>"Unchanged (already so)"</dt><dd>{group_digits(batch.unchanged)}</dd>
            <dt>"Failed"</dt><dd>{group_digits(batch.failed)}</dd>
        </dl>
    }
}

/// A running batch's [`Progress`], asked again every `POLL_MS`. Once the batch has ended, the
/// page (`page`, its own address) is loaded again, in place of this one in the history, for its
/// summary and failures; not once a form of the page is sent (Cancel batch), whose answer is
/// the next page.
#[island]
fn LiveProgress(batch: BatchView, page: String) -> impl IntoView {
    let shown = RwSignal::new(batch);
    let (asked, sent) = (RwSignal::new(0u64), RwSignal::new(false));
    let _ = window_event_listener(leptos::ev::submit, move |_| sent.set(true));
    // Each answer, or failure, asks again shortly while the batch runs.
    Effect::new(move |_| {
        asked.track();
        if sent.get_untracked() {
            return;
        }
        if !shown.with_untracked(|b| b.state.is_running()) {
            let _ = window().location().replace(&page);
            return;
        }
        let id = shown.with_untracked(|b| b.id.clone());
        let ask = move || {
            leptos::task::spawn_local(async move {
                if let Ok(batch) = batch_progress(id).await {
                    shown.set(batch);
                }
                asked.update(|n| *n += 1);
            })
        };
        set_timeout(ask, std::time::Duration::from_millis(POLL_MS));
    });
    move || view! { <Progress batch=shown.get() /> }
}
