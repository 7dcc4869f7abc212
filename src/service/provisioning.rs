//! The provisioning log: every SCIM request, recorded off the request path. Requests hand their
//! record to a channel; one writer per process stores them in batches, and a pruner deletes
//! what is older than the retention period a slice at a time, so neither slows the door.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use super::{Actor, Clock, ServiceResult, Services};
use crate::domain::paging::{Cursor, PAGE_SIZE};
use crate::domain::provisioning::{CredentialChoice, ProvisioningFilter, ProvisioningView, ScimRequestEntry};
use crate::service::paging::page_of;
use crate::storage::{time_key, ScimRequestRow, Store};

/// Requests waiting to be written before new ones are dropped (and counted in the log).
const QUEUE: usize = 20_000;
/// Requests written per batch, and the longest a request waits to be written. Every commit
/// costs the readers of the store their page caches, so batches are large: at thousands of
/// requests a second, about one commit a second.
const BATCH: usize = 5_000;
const BATCH_WAIT: Duration = Duration::from_millis(1000);
/// While a batch fills, the writer takes what is queued this often, instead of waking for each
/// request: under load, a wake per request (a timer and a hand-over between threads) cost a
/// static SCIM answer about a tenth of its speed. The queue holds far more than a nap's worth.
const DRAIN_EVERY: Duration = Duration::from_millis(20);
/// How often old requests are pruned, and how many go per statement.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
const PRUNE_SLICE: usize = 5_000;
const DAY_MS: i64 = 24 * 3600 * 1000;

enum Message {
    Record(ScimRequestRow),
    /// Answered once everything sent before it is stored.
    Flush(oneshot::Sender<()>),
}

/// Requests without a valid credential recorded per minute, at most: enough to see an identity
/// provider failing to sign in, too few for an anonymous flood to fill the log.
const ANONYMOUS_PER_MINUTE: u32 = 120;

/// The handle requests record through; cheap to clone. Off, it records nothing.
#[derive(Clone, Default)]
pub struct ProvisioningLog {
    sender: Option<mpsc::Sender<Message>>,
    retention_days: i64,
    /// The minute being counted and how many anonymous requests were recorded in it.
    anonymous: Arc<std::sync::Mutex<(i64, u32)>>,
}

impl ProvisioningLog {
    /// Starts the writer and the pruner for `store`; requests are kept `retention_days`.
    pub fn start(store: Store, retention_days: i64, clock: Arc<dyn Clock>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(store.clone(), receiver));
        tokio::spawn(prune(store, retention_days, clock));
        ProvisioningLog { sender: Some(sender), retention_days, anonymous: Arc::default() }
    }

    /// Hands a request to the writer without waiting; when the writer is far behind, the
    /// record is dropped rather than the request slowed.
    pub fn record(&self, row: ScimRequestRow) {
        if row.credential_id.is_none() && !self.anonymous_allowed(row.at) {
            return;
        }
        if let Some(sender) = &self.sender {
            if sender.try_send(Message::Record(row)).is_err() {
                tracing::warn!("provisioning log queue full: a request was not logged");
            }
        }
    }

    /// True while this minute's share of anonymous requests is not used up.
    fn anonymous_allowed(&self, at: i64) -> bool {
        let mut counted = self.anonymous.lock().unwrap_or_else(|p| p.into_inner());
        let minute = at.div_euclid(60_000);
        if counted.0 != minute {
            *counted = (minute, 0);
        }
        counted.1 += 1;
        if counted.1 == ANONYMOUS_PER_MINUTE + 1 {
            tracing::warn!("more than {ANONYMOUS_PER_MINUTE} SCIM requests without a valid credential this minute: the rest are not logged");
        }
        counted.1 <= ANONYMOUS_PER_MINUTE
    }

    /// Waits until every request recorded so far is stored (shutdown, tests).
    pub async fn flush(&self) {
        if let Some(sender) = &self.sender {
            let (done, stored) = oneshot::channel();
            if sender.send(Message::Flush(done)).await.is_ok() {
                let _ = stored.await;
            }
        }
    }
}

async fn write_batches(store: Store, mut receiver: mpsc::Receiver<Message>) {
    let mut batch = Vec::with_capacity(BATCH);
    let mut waiting = Vec::new();
    let mut closed = false;
    while let Some(first) = receiver.recv().await {
        let deadline = tokio::time::Instant::now() + BATCH_WAIT;
        let mut next = Some(first);
        loop {
            // Everything queued now, without waiting for more.
            let mut queued = || match receiver.try_recv() {
                Ok(message) => Some(message),
                Err(mpsc::error::TryRecvError::Empty) => None,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    closed = true;
                    None
                }
            };
            while let Some(message) = next.take().or_else(&mut queued) {
                match message {
                    Message::Record(row) => batch.push(row),
                    Message::Flush(done) => waiting.push(done),
                }
                if !waiting.is_empty() || batch.len() >= BATCH {
                    break;
                }
            }
            let now = tokio::time::Instant::now();
            // The last senders gone (shutdown): what is left is written at once.
            if closed || !waiting.is_empty() || batch.len() >= BATCH || now >= deadline {
                break;
            }
            tokio::time::sleep(DRAIN_EVERY.min(deadline - now)).await;
        }
        if !batch.is_empty() {
            let rows = std::mem::take(&mut batch);
            let count = rows.len();
            if let Err(err) = insert(&store, rows).await {
                tracing::error!(error = %err, lost = count, "provisioning log batch not written");
            }
        }
        for done in waiting.drain(..) {
            let _ = done.send(());
        }
    }
}

/// A batch of requests in one write, taking its turn with the requests' own writes (on SQLite
/// a writer outside that queue would make them wait on SQLite's lock).
async fn insert(store: &Store, batch: Vec<ScimRequestRow>) -> Result<(), crate::storage::StoreError> {
    let mut tx = store.write_alone().await?;
    tx.insert_scim_requests(batch).await?;
    tx.commit().await
}

async fn prune_slice(store: &Store, before: i64) -> Result<u64, crate::storage::StoreError> {
    let mut tx = store.write_alone().await?;
    let pruned = tx.prune_scim_requests(before, PRUNE_SLICE).await?;
    tx.commit().await?;
    Ok(pruned)
}

async fn prune(store: Store, retention_days: i64, clock: Arc<dyn Clock>) {
    loop {
        let before = clock.now_ms() - retention_days * DAY_MS;
        loop {
            match prune_slice(&store, before).await {
                Ok(n) if n as usize == PRUNE_SLICE => tokio::task::yield_now().await,
                Ok(_) => break,
                Err(err) => {
                    tracing::warn!(error = %err, "provisioning log pruning failed; trying again later");
                    break;
                }
            }
        }
        tokio::time::sleep(PRUNE_EVERY).await;
    }
}

fn entry(r: ScimRequestRow) -> ScimRequestEntry {
    ScimRequestEntry {
        id: r.id,
        at: r.at,
        credential_id: r.credential_id,
        credential_name: r.credential_name,
        method: r.method,
        path: r.path,
        resource_id: r.resource_id,
        status: u16::try_from(r.status).unwrap_or(0),
        scim_type: r.scim_type,
        detail: r.detail,
        duration_us: r.duration_us,
        request_id: r.request_id,
    }
}

impl Services {
    /// Records one SCIM request in the provisioning log (if it is on).
    pub fn log_scim_request(&self, row: ScimRequestRow) {
        self.provisioning.record(row);
    }

    pub async fn flush_provisioning_log(&self) {
        self.provisioning.flush().await;
    }

    /// One page of the provisioning log under `filter`, newest first.
    pub async fn provisioning_log(&self, _actor: &Actor, filter: &ProvisioningFilter, cursor: &Cursor) -> ServiceResult<ProvisioningView> {
        crate::service::paging::check_time_cursor(cursor)?;
        let rows = self.store.scim_request_page(filter, cursor, PAGE_SIZE + 1).await?;
        let page = page_of(rows.into_iter().map(|r| (time_key(r.at, r.id), entry(r))).collect(), cursor, PAGE_SIZE);
        let credentials =
            self.store.list_credentials().await?.into_iter().map(|c| CredentialChoice { id: c.id, name: c.name }).collect();
        Ok(ProvisioningView { page, credentials, retention_days: self.provisioning.retention_days })
    }

    /// Refused or failed SCIM requests per credential over the last 24 hours.
    pub async fn credential_errors_today(&self) -> ServiceResult<std::collections::HashMap<String, i64>> {
        Ok(self.store.scim_errors_by_credential(self.now() - DAY_MS).await?.into_iter().collect())
    }

    pub async fn last_scim_request(&self) -> ServiceResult<Option<ScimRequestEntry>> {
        Ok(self.store.last_scim_request().await?.map(entry))
    }
}
