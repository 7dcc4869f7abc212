//! Batches: work on many users, run on the server one user at a time, each user's change its
//! own audited write (the same service write a single change uses) carrying the batch's id.
//! A batch outlives the browser tab that started it; its progress lives in the store, so every
//! instance shows it, and an administrator can stop it between two users.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use super::audit::{actions, event, Change};
use super::{Actor, BatchMark, ServiceError, ServiceResult, Services, UserChange, WorkspaceRef};
use crate::auth::secrets::new_id;
use crate::domain::batches::{BatchFailure, BatchState, BatchView, BulkAction, BulkPreview, Selection, FAILURES_SHOWN};
use crate::domain::text::is_local_path;
use crate::domain::users::{StatusFilter, UserListQuery, UserSort};
use crate::domain::workspaces::WorkspaceLink;
use crate::storage::{BatchProgress, BatchRow};

/// One user's part of a batch.
pub(crate) enum Step {
    /// Changes an existing user; with a version, only if it is still that version (an import
    /// applies exactly what its dry run showed).
    Change { user_id: String, label: String, expected_version: Option<i64>, change: UserChange },
    Create { label: String, change: UserChange },
}

/// What one step came to.
enum Outcome {
    Done,
    Unchanged,
    Failed(String),
}

/// A batch reports its progress (and learns whether it is to stop) after this many users or
/// this long, whichever comes first.
const REPORT_EVERY: i64 = 100;
const REPORT_AFTER: Duration = Duration::from_millis(500);

/// A running batch whose progress is older than this ran on an instance that stopped.
const HEARTBEAT_LOST_MS: i64 = 60_000;

/// The most rows a selection may tick one by one (a page is 50; "all matching" has no limit).
const MAX_TICKED: usize = 1000;

impl Services {
    /// What a bulk action on `selection` will do, before anything is done.
    pub async fn bulk_preview(&self, actor: &Actor, selection: &Selection, action: BulkAction, workspace_ids: &[String]) -> ServiceResult<BulkPreview> {
        actor.require_write()?;
        let workspaces = self.bulk_workspaces(action, workspace_ids).await?;
        let users = self.selected_users(selection).await?;
        let mut sample = Vec::new();
        for id in users.iter().take(5) {
            if let Some(user) = self.store.get_user(id).await? {
                sample.push(user.user_name);
            }
        }
        Ok(BulkPreview { title: action.title(&workspaces, users.len() as i64), users: users.len() as i64, workspaces, sample })
    }

    /// Starts a bulk action on the users `selection` names now; answers the batch's id. With
    /// `confirmed`, the number of users the confirmation stated: a search that matches another
    /// number by now is refused, so the batch never does more (or less) than was confirmed.
    pub async fn start_bulk(
        &self,
        actor: &Actor,
        selection: &Selection,
        action: BulkAction,
        workspace_ids: &[String],
        confirmed: Option<i64>,
        origin: &str,
    ) -> ServiceResult<String> {
        actor.require_write()?;
        let workspaces = self.bulk_workspaces(action, workspace_ids).await?;
        let users = self.selected_users(selection).await?;
        if let Some(confirmed) = confirmed.filter(|n| *n != users.len() as i64) {
            return Err(ServiceError::conflict(
                "selection",
                format!(
                    "The selection now holds {} users, not the {confirmed} you confirmed, so nothing was changed. Review the new count.",
                    crate::domain::text::group_digits(users.len() as i64)
                ),
            ));
        }
        let title = action.title(&workspaces, users.len() as i64);
        let refs = || workspaces.iter().map(|w| WorkspaceRef::Id(w.id.clone())).collect::<Vec<_>>();
        let mut change = UserChange::default();
        match action {
            BulkAction::Activate => change.active = Some(true),
            BulkAction::Deactivate => change.active = Some(false),
            BulkAction::Grant => change.access.grant = refs(),
            BulkAction::Revoke => change.access.revoke = refs(),
        }
        let steps = users
            .into_iter()
            .map(|user_id| Step::Change { label: user_id.clone(), user_id, expected_version: None, change: change.clone() })
            .collect();
        let names: Vec<&str> = workspaces.iter().map(|w| w.name.as_str()).collect();
        let details = json!({"action": action.label(), "workspaces": names});
        self.start_batch(actor, NewBatch { kind: "bulk", title, origin, details, import: None, file: None }, steps).await
    }

    async fn bulk_workspaces(&self, action: BulkAction, ids: &[String]) -> ServiceResult<Vec<WorkspaceLink>> {
        if !action.needs_workspaces() {
            return Ok(Vec::new());
        }
        let refs: Vec<WorkspaceRef> = ids.iter().filter(|id| !id.is_empty()).map(|id| WorkspaceRef::Id(id.clone())).collect();
        if refs.is_empty() {
            return Err(ServiceError::invalid("workspaces", "Choose at least one workspace."));
        }
        let mut links: Vec<WorkspaceLink> = self.resolve_workspaces(&refs.iter().collect::<Vec<_>>(), &[]).await?.into_values().collect();
        links.sort_by_key(|w| crate::domain::text::fold_key(&w.name));
        links.dedup_by(|a, b| a.id == b.id);
        Ok(links)
    }

    /// The ids of the users a selection names, each once, in a stable order.
    async fn selected_users(&self, selection: &Selection) -> ServiceResult<Vec<String>> {
        let ids = if selection.all {
            let list = UserListQuery {
                q: selection.q.clone(),
                status: StatusFilter::parse(&selection.status),
                workspace: Some(selection.ws.clone()).filter(|w| !w.is_empty()),
                sort: UserSort::UserName,
                descending: false,
            };
            self.store.user_ids_matching(&list).await.map_err(super::users::query_error)?
        } else {
            if selection.ids.len() > MAX_TICKED {
                return Err(ServiceError::invalid("selection", format!("Tick at most {MAX_TICKED} users, or choose all users matching the search.")));
            }
            let mut ids = selection.ids.clone();
            ids.retain(|id| !id.is_empty());
            ids.sort();
            ids.dedup();
            ids
        };
        if ids.is_empty() {
            return Err(ServiceError::invalid("selection", "Select at least one user."));
        }
        Ok(ids)
    }

    /// Records a batch and its start event in one write, then runs it on its own task.
    pub(crate) async fn start_batch(&self, actor: &Actor, new: NewBatch<'_>, steps: Vec<Step>) -> ServiceResult<String> {
        let now = self.now();
        let id = new_id();
        let origin = if is_local_path(new.origin) { new.origin.to_string() } else { "/users".to_string() };
        let row = BatchRow {
            id: id.clone(),
            kind: new.kind.into(),
            title: new.title.clone(),
            origin,
            started_by_id: actor.id.clone(),
            started_by: actor.name.clone(),
            started_at: now,
            total: steps.len() as i64,
            done: 0,
            unchanged: 0,
            failed: 0,
            status: "running".into(),
            cancel_requested: false,
            heartbeat_at: now,
            finished_at: None,
        };
        let mut tx = self.store.write().await?;
        if let Some(import) = new.import {
            if !tx.mark_import_applied(import, &id).await? {
                return Err(ServiceError::conflict("import", "This file was applied already."));
            }
        }
        tx.insert_batch(&row).await?;
        let mut after = new.details;
        after["title"] = json!(new.title);
        after["users"] = json!(row.total);
        let record = Change { action: actions::BATCH_START, target_kind: "batch", target_id: &id, target_name: &new.title };
        tx.append_audit(&event(actor, record, None::<&serde_json::Value>, Some(&after), now)).await?;
        tx.commit().await?;
        let mut worker = actor.clone();
        worker.batch = Some(BatchMark { id: id.clone(), file: new.file });
        let services = self.clone();
        let batch = id.clone();
        tokio::spawn(async move { services.run_batch(worker, batch, steps).await });
        Ok(id)
    }

    async fn run_batch(self, actor: Actor, id: String, steps: Vec<Step>) {
        let mut progress = BatchProgress::default();
        let mut reported = Instant::now();
        let mut status = "finished";
        for (position, step) in steps.into_iter().enumerate() {
            let (label, outcome) = self.run_step(&actor, step).await;
            match outcome {
                Outcome::Done => progress.done += 1,
                Outcome::Unchanged => progress.unchanged += 1,
                Outcome::Failed(reason) => progress.failures.push((position as i64, label, reason)),
            }
            let pending = progress.done + progress.unchanged + progress.failures.len() as i64;
            if pending >= REPORT_EVERY || reported.elapsed() >= REPORT_AFTER {
                if self.report_progress(&id, &mut progress).await {
                    status = "cancelled";
                    break;
                }
                reported = Instant::now();
            }
            // Other requests get their turn between two users, whatever the batch's size.
            tokio::task::yield_now().await;
        }
        // The last counts and the end in one write, tried again while the store is busy, so a
        // finished batch always adds up.
        for attempt in 0..super::WRITE_ATTEMPTS {
            match self.write_progress(&id, &progress, Some(status)).await {
                Ok(_) => return,
                Err(err) => {
                    tracing::warn!(batch = %id, attempt, error = %super::error_chain(&err), "batch end not recorded yet");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }

    /// Stores the progress since the last report, and with `end` the batch's end (one write);
    /// answers whether an administrator asked the batch to stop.
    async fn write_progress(&self, id: &str, progress: &BatchProgress, end: Option<&str>) -> ServiceResult<bool> {
        let mut tx = self.store.write().await?;
        let cancel = tx.record_batch_progress(id, progress, self.now()).await?;
        if let Some(status) = end {
            tx.finish_batch(id, status, self.now()).await?;
        }
        tx.commit().await?;
        Ok(cancel)
    }

    /// Stores the progress since the last report (kept for the next one if the store is busy);
    /// true when an administrator asked the batch to stop.
    async fn report_progress(&self, id: &str, progress: &mut BatchProgress) -> bool {
        match self.write_progress(id, progress, None).await {
            Ok(cancel) => {
                *progress = BatchProgress::default();
                cancel
            }
            Err(err) => {
                tracing::warn!(batch = %id, error = %super::error_chain(&err), "batch progress not recorded yet");
                false
            }
        }
    }

    async fn run_step(&self, actor: &Actor, step: Step) -> (String, Outcome) {
        match step {
            Step::Create { label, change } => {
                let outcome = match self.create_user(actor, &change).await {
                    Ok(_) => Outcome::Done,
                    Err(err) => Outcome::Failed(reason(err)),
                };
                (label, outcome)
            }
            Step::Change { user_id, label, expected_version, change } => {
                // The version the write planned from: the same one back means nothing changed.
                let seen = AtomicI64::new(-1);
                let result = self
                    .change_user(actor, &user_id, expected_version, |current| {
                        seen.store(current.user.version, Ordering::Relaxed);
                        Ok::<_, ServiceError>(change.clone())
                    })
                    .await;
                match result {
                    Ok(user) => {
                        let outcome = if user.user.version == seen.load(Ordering::Relaxed) { Outcome::Unchanged } else { Outcome::Done };
                        (user.user.user_name, outcome)
                    }
                    Err(ServiceError::NotFound { .. }) => (label, Outcome::Failed("Deleted since the batch started.".into())),
                    Err(ServiceError::Stale { .. }) => (label, Outcome::Failed("Changed since the dry run, so not applied: import the file again to review it.".into())),
                    Err(err) => {
                        let name = self.store.get_user(&user_id).await.ok().flatten().map(|u| u.user_name).unwrap_or(label);
                        (name, Outcome::Failed(reason(err)))
                    }
                }
            }
        }
    }

    /// A batch as its page shows it.
    pub async fn batch(&self, _actor: &Actor, id: &str) -> ServiceResult<BatchView> {
        let row = self.store.get_batch(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "batch", id: id.to_string() })?;
        let failures = self
            .store
            .batch_failures(id, FAILURES_SHOWN)
            .await?
            .into_iter()
            .map(|(position, subject, reason)| BatchFailure { position, subject, reason })
            .collect();
        let state = match row.status.as_str() {
            "finished" => BatchState::Finished,
            "cancelled" => BatchState::Cancelled,
            _ if self.now() - row.heartbeat_at > HEARTBEAT_LOST_MS => BatchState::Interrupted,
            _ if row.cancel_requested => BatchState::Cancelling,
            _ => BatchState::Running,
        };
        Ok(BatchView {
            id: row.id,
            kind: row.kind,
            title: row.title,
            origin: row.origin,
            started_by: row.started_by,
            started_at: row.started_at,
            finished_at: row.finished_at,
            total: row.total,
            done: row.done,
            unchanged: row.unchanged,
            failed: row.failed,
            state,
            failures,
        })
    }

    /// Asks a running batch to stop after the user in hand; what is done stays done.
    pub async fn cancel_batch(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require_write()?;
        let batch = self.batch(actor, id).await?;
        if !batch.state.is_running() {
            return Err(ServiceError::conflict("batch", "This batch is not running any more."));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        if !tx.request_batch_cancel(id).await? {
            return Err(ServiceError::conflict("batch", "This batch is not running any more."));
        }
        let record = Change { action: actions::BATCH_CANCEL, target_kind: "batch", target_id: id, target_name: &batch.title };
        tx.append_audit(&event(actor, record, None::<&serde_json::Value>, None::<&serde_json::Value>, now)).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A batch about to start.
pub(crate) struct NewBatch<'a> {
    pub kind: &'static str,
    pub title: String,
    pub origin: &'a str,
    /// What the start event records besides the title and the number of users.
    pub details: serde_json::Value,
    /// The import this batch applies (marked applied in the same write).
    pub import: Option<&'a str>,
    pub file: Option<String>,
}

/// Why a user's change was refused, in the words the console uses for it.
fn reason(err: ServiceError) -> String {
    match err {
        ServiceError::Invalid { message, .. } | ServiceError::Conflict { message, .. } => message,
        ServiceError::NotOwned(message) | ServiceError::Throttled(message) => message,
        ServiceError::Forbidden | ServiceError::Unauthenticated => "Not allowed for this administrator.".into(),
        ServiceError::Busy => "The store was busy; this user was not changed.".into(),
        err @ ServiceError::Held { .. } => err.to_string(),
        ServiceError::NotFound { .. } => "Deleted since the batch started.".into(),
        ServiceError::Stale { .. } => "Changed meanwhile; not applied.".into(),
        err @ (ServiceError::Store(_) | ServiceError::Internal(_)) => {
            tracing::error!(error = %super::error_chain(&err), "batch step failed");
            "An internal error stopped this change (logged).".into()
        }
    }
}
