//! CSV import: `/imports` takes a file (a plain multipart form, see `server::uploads`),
//! `/imports/:id` shows its dry run line by line and applies it as shown.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::forms::{ErrorText, PageField};
use super::frame::WriterOnly;
use crate::api::batches::{dry_run_import, ApplyImport};
use crate::api::error::AppError;
use crate::domain::batches::{count_of, ImportLine, ImportPreview, RowPlan, IMPORT_COLUMNS, IMPORT_MAX_BYTES, IMPORT_UPLOAD_FORM};
use crate::domain::text::group_digits;

#[component]
pub fn ImportsPage() -> impl IntoView {
    view! {
        <Title text="Import users · CIM" />
        <h1>"Import users from a CSV file"</h1>
        <p>{format!(
            "The first line names the columns: {}. Names are matched in any case; userName is required, the others are optional. \
             A column in the file sets that field for every user in it (an empty cell empties it, except active, where it leaves the status alone); \
             a column left out leaves the field alone. \
             workspaces lists workspace names separated by \u{201c};\u{201d} and is the whole set the user may enter afterwards. \
             Files up to {} MB, UTF-8.",
            IMPORT_COLUMNS.join(", "),
            IMPORT_MAX_BYTES / (1024 * 1024)
        )}</p>
        <p class="hint">"Nothing changes when you upload: you first see a dry run of every line, then apply it."</p>
        <WriterOnly>
            <form method="post" action="/imports" enctype="multipart/form-data" class="profile">
                <label>"CSV file" <input type="file" name="file" accept=".csv,text/csv" required />
                    <ErrorText form=IMPORT_UPLOAD_FORM field="file" />
                </label>
                <label class="choice"><input type="checkbox" name="deactivate_missing" value="1" />
                    "Deactivate active users who are not in this file (the dry run shows how many)"</label>
                <button type="submit">"Upload and review"</button>
                <ErrorText form=IMPORT_UPLOAD_FORM />
            </form>
        </WriterOnly>
    }
}

fn plan_text(plan: &RowPlan) -> String {
    match plan {
        RowPlan::Create => "Create".into(),
        RowPlan::Update(changes) => format!("Update: {}", changes.join("; ")),
        RowPlan::Unchanged => "Unchanged".into(),
        RowPlan::Deactivate => "Deactivate (not in the file)".into(),
        RowPlan::Skipped(reason) => reason.clone(),
        RowPlan::Error(reason) => reason.clone(),
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let apply = ServerAction::<ApplyImport>::new();
    let data = Resource::new(id, dry_run_import);
    view! {
        <Transition fallback=|| view! { <p>"Reading the file…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(AppError::NotFound(_)) => view! {
                        <Title text="Import not found · CIM" />
                        <h1>"Import not found"</h1>
                        <p><a href="/imports">"Upload a file"</a></p>
                    }.into_any(),
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(preview) => view! { <DryRun preview apply /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn DryRun(preview: ImportPreview, apply: ServerAction<ApplyImport>) -> impl IntoView {
    let changes = preview.creates + preview.updates + preview.deactivations;
    let mut summary = format!(
        "{} · {} to create · {} to update · {} unchanged · {} to deactivate · {}",
        count_of(preview.rows, "line", "lines"),
        group_digits(preview.creates),
        group_digits(preview.updates),
        group_digits(preview.unchanged),
        group_digits(preview.deactivations),
        count_of(preview.errors, "error", "errors"),
    );
    if preview.skipped > 0 {
        summary.push_str(&format!(" · {} left alone", group_digits(preview.skipped)));
    }
    if preview.applied_by.is_some() {
        summary = "Applied".into();
    }
    let can_apply = preview.errors == 0 && changes > 0 && preview.applied_by.is_none();
    let listed = preview.lines.len() as i64;
    let listable = preview.errors + changes + preview.skipped;
    view! {
        <Title text=format!("Dry run: {} · CIM", preview.file_name) />
        <p class="back"><a href="/imports">"‹ Upload another file"</a></p>
        <h1>{format!("Dry run: {}", preview.file_name)}</h1>
        <p class="count" role="status">{summary}</p>
        {(!preview.unknown_columns.is_empty()).then(|| view! {
            <p class="warning">{format!("Columns CIM does not read, ignored: {}.", preview.unknown_columns.join(", "))}</p>
        })}
        {preview.applied_by.clone().map(|batch| view! {
            <p class="notice">"This file was applied. " <a href=format!("/batches/{batch}")>"See what it did"</a></p>
        })}
        {(preview.errors > 0).then(|| view! {
            <p class="error" role="alert">{format!(
                "{} of the file {} errors, so nothing can be imported yet: correct the file and upload it again.",
                count_of(preview.errors, "line", "lines"), if preview.errors == 1 { "has" } else { "have" }
            )}</p>
        })}
        {(preview.errors == 0 && changes == 0 && preview.applied_by.is_none()).then(|| view! {
            <p class="notice">"Nothing to do: the store already matches this file."</p>
        })}
        {can_apply.then(|| view! {
            <ActionForm action=apply attr:class="inline">
                <PageField />
                <input type="hidden" name="id" value=preview.id.clone() />
                <input type="hidden" name="fingerprint" value=preview.fingerprint.clone() />
                <button type="submit">{format!(
                    "Apply: create {}, update {}, deactivate {}", group_digits(preview.creates), group_digits(preview.updates), group_digits(preview.deactivations)
                )}</button>
            </ActionForm>
        })}
        <ErrorText form="apply_import" />
        <ErrorText form="apply_import" field="import" />
        {(!preview.lines.is_empty()).then(|| view! {
            <section aria-labelledby="lines-h">
                <h2 id="lines-h">"Lines with errors or changes"</h2>
                <DryRunLines lines=preview.lines />
                {(listed < listable).then(|| view! {
                    <p class="hint">{format!("Showing the first {} of {}; on the server, cim import FILE --dry-run lists every line.", group_digits(listed), group_digits(listable))}</p>
                })}
            </section>
        })}
    }
}

#[component]
fn DryRunLines(lines: Vec<ImportLine>) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="list stack">
            <thead><tr><th scope="col">"Line"</th><th scope="col">"User name"</th><th scope="col">"What happens"</th></tr></thead>
            <tbody>
                {lines.into_iter().map(|l| {
                    let error = matches!(l.plan, RowPlan::Error(_));
                    view! {
                        <tr class:row-error=error>
                            <td data-label="Line">{if l.line == 0 { "—".to_string() } else { l.line.to_string() }}</td>
                            <td data-label="User name">{l.user_name}</td>
                            <td data-label="What happens" class="wrap" class:error=error>{plan_text(&l.plan)}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}
