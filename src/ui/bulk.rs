//! Bulk actions: the selection bar of a list of users, and the confirmation that states exactly
//! what will happen before a batch starts. Plain GET forms lead to the confirmation, so both
//! work the same with JavaScript off.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::forms::{ErrorText, PageField};
use crate::api::batches::{preview_bulk, StartBulk};
use crate::domain::batches::{count_of, BulkAction};
use crate::domain::text::is_local_path;
use crate::domain::paging::Total;
use crate::domain::workspaces::WorkspaceLink;

/// Where a selection form goes to be confirmed.
pub const CONFIRM_PATH: &str = "/users/bulk";

/// The selection bar above a list of users: tick this page or every match, choose an action
/// (and workspaces for grant and revoke), review.
#[component]
pub fn BulkBar(shown: usize, total: Total, searching: bool, choices: Vec<WorkspaceLink>) -> impl IntoView {
    let all_text = match (searching, total) {
        (true, Total::AtLeast(_)) => format!("Select every user matching this search ({})", total.text()),
        (true, Total::Exactly(_)) => format!("Select all {} matching this search", total.of("user", "users")),
        (false, _) => format!("Select all {}", total.of("user", "users")),
    };
    view! {
        <fieldset class="bulk-bar">
            <legend>"Change the selected users"</legend>
            <SelectPage label=format!("Select this page ({})", count_of(shown as i64, "user", "users")) />
            <label class="choice"><input type="checkbox" name="all" value="1" />{all_text}</label>
            <div class="field"><label for="bulk-action">"Action"</label>
                <select id="bulk-action" name="action">
                    {BulkAction::ALL.into_iter().map(|a| view! { <option value=a.as_str()>{a.label()}</option> }).collect_view()}
                </select>
            </div>
            <div class="field"><label for="bulk-workspaces">"Workspaces (grant or revoke)"</label>
                <select id="bulk-workspaces" name="workspaces" multiple size="3">
                    {choices.into_iter().map(|w| view! { <option value=w.id>{w.name}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit">"Review…"</button>
        </fieldset>
    }
}

/// "Select this page": without JavaScript it sends the page's ids (each row carries its own);
/// with it, it ticks the rows of its form instead, so a row unticked afterwards stays out.
#[island]
pub fn SelectPage(label: String) -> impl IntoView {
    let hydrated = super::forms::hydrated();
    let tick_rows = move |ev: leptos::ev::Event| {
        let all = event_target::<web_sys::HtmlInputElement>(&ev);
        let Some(rows) = all.form().and_then(|form| form.query_selector_all(r#"input[name="ids"]"#).ok()) else { return };
        for row in (0..rows.length()).filter_map(|i| rows.item(i)) {
            if let Ok(row) = wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(row) {
                row.set_checked(all.checked());
            }
        }
    };
    view! {
        <label class="choice"><input type="checkbox" name=move || (!hydrated.get()).then_some("page") value="1"
            on:change=tick_rows />{label}</label>
    }
}

/// A row's selection checkbox (ticked with the whole page by [`SelectPage`] when scripted), and
/// the row's id for "select this page".
#[component]
pub fn SelectCell(id: String, user_name: String) -> impl IntoView {
    view! {
        <td data-label="Select" class="select">
            <input type="checkbox" name="ids" value=id.clone() aria-label=format!("Select {user_name}") />
            <input type="hidden" name="page_ids" value=id />
        </td>
    }
}

/// What an action does to each user, said before it is done.
fn consequence(action: Option<BulkAction>) -> &'static str {
    match action {
        Some(BulkAction::Deactivate) => "Each user keeps their workspace grants, suspended until they are activated again.",
        Some(BulkAction::Activate) => "Each user can enter the workspaces they hold again.",
        Some(BulkAction::Grant) => "Each user can enter these workspaces (users who already could are left as they are).",
        Some(BulkAction::Revoke) => "Each user loses access to these workspaces.",
        None => "",
    }
}

/// `/users/bulk`: the confirmation of a bulk action, with the exact count, then the batch.
#[component]
pub fn BulkPage() -> impl IntoView {
    let query = use_query_map();
    let one = move |key: &str| query.with(|q| q.get(key).unwrap_or_default());
    let many = move |key: &str| query.with(|q| q.get_all(key).unwrap_or_default());
    let some = |text: String| (!text.is_empty()).then_some(text);
    let start = ServerAction::<StartBulk>::new();
    let preview = Resource::new(
        move || (many("ids"), one("page"), many("page_ids"), one("all"), [one("q"), one("status"), one("ws"), one("action")], many("workspaces")),
        move |(ids, page, page_ids, all, [q, status, ws, action], workspaces)| {
            preview_bulk(Some(ids), some(page), Some(page_ids), some(all), q, status, ws, action, Some(workspaces))
        },
    );
    let back = move || Some(one("back")).filter(|b| is_local_path(b)).unwrap_or_else(|| "/users".into());
    view! {
        <Transition fallback=|| view! { <p>"Counting the selected users…"</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Err(err) => view! {
                        <Title text="Nothing to confirm · CIM" />
                        <h1>"Nothing to confirm"</h1>
                        <p class="error" role="alert">{err.to_string()}</p>
                        <p><a href=back()>"‹ Back to the list"</a></p>
                    }.into_any(),
                    Ok(preview) => {
                        let action = BulkAction::parse(&one("action"));
                        let danger = matches!(action, Some(BulkAction::Deactivate | BulkAction::Revoke));
                        let more = preview.users > preview.sample.len() as i64;
                        view! {
                            <Title text=format!("Confirm: {} · CIM", preview.title) />
                            <p class="back"><a href=back()>"‹ Back without changing anything"</a></p>
                            <h1>{preview.title.clone()}</h1>
                            <p>{consequence(action)}</p>
                            <p class="hint">{format!("Including {}{}", preview.sample.join(", "), if more { ", …" } else { "" })}</p>
                            <p class="hint">"Each user is changed in its own audited write, all in one batch: users changed meanwhile are still changed, users deleted meanwhile are reported. The batch runs on the server, so this tab may be closed; it can be cancelled while it runs."</p>
                            <ActionForm action=start attr:class="inline">
                                <PageField />
                                // The selection as it came; the server reads it again when the batch starts.
                                {["ids", "page_ids"].map(|k| many(k).into_iter().map(|id| view! { <input type="hidden" name=format!("{k}[]") value=id /> }).collect_view())}
                                {["page", "all"].map(|k| (!one(k).is_empty()).then(|| view! { <input type="hidden" name=k value="1" /> }))}
                                {["q", "status", "ws", "action"].map(|k| view! { <input type="hidden" name=k value=one(k) /> })}
                                {preview.workspaces.iter().map(|w| view! { <input type="hidden" name="workspaces[]" value=w.id.clone() /> }).collect_view()}
                                <input type="hidden" name="count" value=preview.users.to_string() />
                                <input type="hidden" name="back" value=back() />
                                <button type="submit" class:danger=danger>{preview.title.clone()}</button>
                                <a href=back()>"Cancel"</a>
                            </ActionForm>
                            <ErrorText form="start_bulk" />
                            <ErrorText form="start_bulk" field="selection" />
                            <ErrorText form="start_bulk" field="workspaces" />
                        }.into_any()
                    }
                }
            })}
        </Transition>
    }
}
