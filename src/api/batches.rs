//! Bulk actions, the batches that carry them out, and CSV imports (the upload itself is a
//! plain route: see `uploads`).

use leptos::prelude::*;

use crate::api::error::AppError;
use crate::domain::batches::{BatchView, BulkPreview, ImportPreview};

/// The users a bulk form names: ticked rows, the whole page (`page` with the page's ids), or
/// every user matching the list's search (`all`).
#[cfg(feature = "ssr")]
fn selection(ids: Option<Vec<String>>, page: Option<String>, page_ids: Option<Vec<String>>, all: Option<String>, q: String, status: String, ws: String) -> crate::domain::batches::Selection {
    let mut ids = ids.unwrap_or_default();
    if page.is_some() {
        ids.extend(page_ids.unwrap_or_default());
    }
    crate::domain::batches::Selection { ids, all: all.is_some(), q, status, ws }
}

#[cfg(feature = "ssr")]
fn action(text: &str) -> Result<crate::domain::batches::BulkAction, AppError> {
    crate::domain::batches::BulkAction::parse(text).ok_or_else(|| AppError::invalid("action", "Choose what to do with the selected users."))
}

/// What a bulk action will do, for its confirmation.
#[server(endpoint = "batches/preview")]
#[allow(clippy::too_many_arguments)]
pub async fn preview_bulk(
    ids: Option<Vec<String>>,
    page: Option<String>,
    page_ids: Option<Vec<String>>,
    all: Option<String>,
    q: String,
    status: String,
    ws: String,
    action: String,
    workspaces: Option<Vec<String>>,
) -> Result<BulkPreview, AppError> {
    use super::ctx;
    let action = match self::action(&action) {
        Ok(action) => action,
        Err(err) => return ctx::respond(Err(err)),
    };
    let selection = selection(ids, page, page_ids, all, q, status, ws);
    ctx::read(|services, actor| async move { services.bulk_preview(&actor, &selection, action, &workspaces.unwrap_or_default()).await }).await
}

/// Starts a confirmed bulk action; the browser goes on to the batch's page.
#[server(endpoint = "batches/start")]
#[allow(clippy::too_many_arguments)]
pub async fn start_bulk(
    ids: Option<Vec<String>>,
    page: Option<String>,
    page_ids: Option<Vec<String>>,
    all: Option<String>,
    q: String,
    status: String,
    ws: String,
    action: String,
    workspaces: Option<Vec<String>>,
    count: Option<i64>,
    back: String,
) -> Result<String, AppError> {
    use super::ctx;
    let selection = selection(ids, page, page_ids, all, q, status, ws);
    let result = match self::action(&action) {
        Err(err) => Err(err),
        Ok(action) => {
            ctx::with_actor(|services, actor| async move {
                services.start_bulk(&actor, &selection, action, &workspaces.unwrap_or_default(), count, &back).await
            })
            .await
        }
    };
    let target = result.as_ref().ok().map(|id| format!("/batches/{id}"));
    ctx::finish("start_bulk", result, target)
}

#[server(endpoint = "batches/view")]
pub async fn batch_progress(id: String) -> Result<BatchView, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.batch(&actor, &id).await }).await
}

/// Stops a running batch after the user in hand.
#[server(endpoint = "batches/cancel")]
pub async fn cancel_batch(id: String) -> Result<(), AppError> {
    use super::ctx;
    let result = ctx::with_actor(|services, actor| async move { services.cancel_batch(&actor, &id).await }).await;
    ctx::finish("cancel_batch", result, None)
}

/// The dry run of an uploaded file, against the store as it is now.
#[server(endpoint = "imports/preview")]
pub async fn dry_run_import(id: String) -> Result<ImportPreview, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.import_preview(&actor, &id).await }).await
}

/// Applies an uploaded file as its dry run (`fingerprint`) showed it.
#[server(endpoint = "imports/apply")]
pub async fn apply_import(id: String, fingerprint: String) -> Result<String, AppError> {
    use super::ctx;
    let back = format!("/imports/{id}");
    let result = ctx::with_actor(|services, actor| async move { services.apply_import(&actor, &id, &fingerprint, &back).await }).await;
    let target = result.as_ref().ok().map(|id| format!("/batches/{id}"));
    ctx::finish("apply_import", result, target)
}
