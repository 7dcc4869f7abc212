//! The store: every SQL statement of CIM lives below this module. The service layer sees whole
//! operations on [`Store`] (reads) and [`WriteTx`] (one write transaction), never SQL.
//!
//! Two backends, chosen by the URL at start: SQLite (the embedded default) and PostgreSQL (for
//! several instances on one database). Each statement is written once, in `sql/`, and compiled
//! into both backend modules against their own sqlx driver (`include!`, so each gets concrete
//! types and the compiler checks both); `dialect` in each backend holds the few things the two
//! say differently (JSON access, row locks, two function names).

mod postgres;
mod records;
mod sessions;
mod sqlite;
mod sqlite_config;
mod sqlite_direct;
mod sqlite_readers;
mod sqlite_writer;

use std::collections::HashMap;
use std::time::Duration;

pub use records::{
    parse_time_key, time_key, AdminRecord, AuditEvent, BatchProgress, BatchRow, ImportRecord, AuditRecord, CredentialRecord, GrantRow, HeldChangeRow, HeldCountRow, QueryError, ReportUserRow, ScimRequestRow,
    UserListRow,
};

pub use sqlite_readers::reads_within;

use crate::domain::audit::AuditFilter;
use crate::domain::provisioning::ProvisioningFilter;
use crate::domain::paging::{Cursor, Total};
use crate::domain::query::ListQuery;
use crate::domain::users::{User, UserListQuery, WorkspaceAccess};
use crate::domain::workspaces::{Workspace, WorkspaceLink};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique index refused the write (a name already taken).
    #[error("unique constraint violated")]
    Duplicate,
    /// The write lock (or a row lock) could not be had in time.
    #[error("the database is busy")]
    Busy,
    /// PostgreSQL gave up on a transaction to keep concurrent ones consistent (serialization
    /// failure, deadlock): running it again may succeed.
    #[error("the transaction must be retried: {0}")]
    Retry(#[source] sqlx::Error),
    /// The database cannot be reached (a lost connection): nothing was written.
    #[error("the database cannot be reached: {0}")]
    Unavailable(#[source] sqlx::Error),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("cannot prepare the database location: {0}")]
    Location(#[from] std::io::Error),
    /// A write's commit failed (SQLite: the commit of the group of writes it was part of):
    /// nothing of it was written.
    #[error("the write could not be committed: {0}")]
    NotCommitted(String),
    #[error("a store task ended abnormally: {0}")]
    Task(String),
    /// A condition that cannot be compiled (a type mismatch in a filter).
    #[error("unusable condition: {0}")]
    Query(QueryError),
    #[error("{0}")]
    Url(String),
    /// A stored value that does not read as what wrote it (a damaged row).
    #[error("a stored value cannot be read: {0}")]
    Unreadable(String),
    /// The database was not there when CIM started.
    #[error("cannot reach PostgreSQL at {target}: {cause}")]
    Connect { target: String, cause: String },
}

/// An error's message with its causes, on one line.
fn error_chain_of(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
            // SQLITE_BUSY after the busy timeout; PostgreSQL's lock_not_available.
            sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "517" | "55P03")) => StoreError::Busy,
            // serialization_failure, deadlock_detected.
            sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("40001" | "40P01")) => StoreError::Retry(err),
            sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => {
                StoreError::Unavailable(err)
            }
            // PostgreSQL shutting down or restarting (admin_shutdown, crash_shutdown, cannot_connect_now).
            sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03")) => {
                StoreError::Unavailable(err)
            }
            _ => StoreError::Database(err),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The store: one of the two backends.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(sqlite::Backend),
    Postgres(postgres::Backend),
}

/// One write transaction. Dropped without [`WriteTx::commit`], it rolls back.
pub enum WriteTx {
    Sqlite(sqlite::Tx),
    Postgres(postgres::Tx),
}

/// Forwards each listed operation to the backend the store (or transaction) was opened on.
macro_rules! on_backend {
    (Store { $( fn $name:ident($($arg:ident: $argty:ty),*) -> $ret:ty; )* }) => {
        impl Store {
            $(
                pub async fn $name(&self, $($arg: $argty),*) -> $ret {
                    match self {
                        Store::Sqlite(backend) => backend.$name($($arg),*).await,
                        Store::Postgres(backend) => backend.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
    (WriteTx { $( fn $name:ident($($arg:ident: $argty:ty),*) -> $ret:ty; )* }) => {
        impl WriteTx {
            $(
                pub async fn $name(&mut self, $($arg: $argty),*) -> $ret {
                    match self {
                        WriteTx::Sqlite(tx) => tx.$name($($arg),*).await,
                        WriteTx::Postgres(tx) => tx.$name($($arg),*).await,
                    }
                }
            )*
        }
    };
}

on_backend!(Store {
    fn find_admin_by_username(username: &str) -> StoreResult<Option<AdminRecord>>;
    fn get_admin(id: &str) -> StoreResult<Option<AdminRecord>>;
    fn count_admins() -> StoreResult<i64>;
    fn list_admins() -> StoreResult<Vec<AdminRecord>>;
    fn note_admin_sign_in(id: &str, now: i64) -> StoreResult<()>;
    fn audit_of(target_kind: &str, target_id: &str, limit: usize) -> StoreResult<Vec<AuditRecord>>;
    fn audit_page(filter: &AuditFilter, cursor: &Cursor, limit: usize) -> StoreResult<Vec<AuditRecord>>;
    fn audit_of_request(request_id: &str) -> StoreResult<Vec<AuditRecord>>;
    fn access_changes_since(since: i64, before: Option<&str>, limit: usize) -> StoreResult<String>;
    fn count_audit_events() -> StoreResult<i64>;
    fn count_audit_events_since(since: i64) -> StoreResult<i64>;
    fn scim_request_page(filter: &ProvisioningFilter, cursor: &Cursor, limit: usize) -> StoreResult<Vec<ScimRequestRow>>;
    fn scim_errors_by_credential(since: i64) -> StoreResult<Vec<(String, i64)>>;
    fn last_scim_request() -> StoreResult<Option<ScimRequestRow>>;
    fn audit_events_all() -> StoreResult<Vec<AuditRecord>>;
    fn list_credentials() -> StoreResult<Vec<CredentialRecord>>;
    fn credential_by_hash(secret_hash: &str) -> StoreResult<Option<CredentialRecord>>;
    fn credential_by_username(username: &str) -> StoreResult<Option<CredentialRecord>>;
    fn touch_credential(id: &str, now: i64) -> StoreResult<()>;
    fn get_credential(id: &str) -> StoreResult<Option<CredentialRecord>>;
    fn held_counts() -> StoreResult<Vec<HeldCountRow>>;
    fn count_workspaces() -> StoreResult<i64>;
    fn count_grants_of_user(user_id: &str) -> StoreResult<i64>;
    fn insert_session(id: &str, data: &str, expiry: i64) -> StoreResult<bool>;
    fn save_session(id: &str, data: &str, expiry: i64) -> StoreResult<()>;
    fn load_session(id: &str, now: i64) -> StoreResult<Option<String>>;
    fn delete_session(id: &str) -> StoreResult<()>;
    fn delete_expired_sessions(now: i64) -> StoreResult<u64>;
    fn sign_in_failures(keys: &[String], since: i64) -> StoreResult<Vec<(String, i64)>>;
    fn record_sign_in_failure(keys: &[String], now: i64, since: i64) -> StoreResult<()>;
    fn clear_sign_in_failures(key: &str) -> StoreResult<()>;
    fn find_user_id_by_name(user_name: &str) -> StoreResult<Option<String>>;
    fn get_user(id: &str) -> StoreResult<Option<User>>;
    fn list_users(list: &UserListQuery, cursor: &Cursor, limit: usize) -> StoreResult<Vec<UserListRow>>;
    fn count_users(list: &UserListQuery) -> StoreResult<Total>;
    fn user_total(active: Option<bool>) -> StoreResult<i64>;
    fn search_terms_due() -> StoreResult<bool>;
    fn get_user_with_access(id: &str) -> StoreResult<Option<(User, Vec<WorkspaceLink>)>>;
    fn find_users(query: &ListQuery, start: Option<(&str, usize)>) -> StoreResult<(i64, Vec<(User, Vec<WorkspaceLink>)>)>;
    fn user_name_key_anchors(step: usize) -> StoreResult<Vec<String>>;
    fn users_order() -> StoreResult<(i64, i64)>;
    fn workspaces_of(user_ids: &[String]) -> StoreResult<HashMap<String, Vec<WorkspaceLink>>>;
    fn find_workspace_id_by_name(name: &str) -> StoreResult<Option<String>>;
    fn get_workspace(id: &str) -> StoreResult<Option<Workspace>>;
    fn workspace_links(limit: usize) -> StoreResult<Vec<WorkspaceLink>>;
    fn find_workspaces(query: &ListQuery) -> StoreResult<(i64, Vec<Workspace>)>;
    fn members_of(workspace_ids: &[String]) -> StoreResult<HashMap<String, Vec<(String, String)>>>;
    fn workspace_access(user_id: &str, name_prefix: &str, limit: usize) -> StoreResult<Vec<WorkspaceAccess>>;
    fn list_workspaces(name_prefix: &str, cursor: &Cursor, limit: usize) -> StoreResult<Vec<(String, Workspace)>>;
    fn workspaces_by_ids_and_names(ids: &[String], names: &[String]) -> StoreResult<(HashMap<String, WorkspaceLink>, HashMap<String, WorkspaceLink>)>;
    fn optimize() -> StoreResult<()>;
    fn analyze_users() -> StoreResult<()>;
    fn report_users(after_key: &str, inactive_only: bool, limit: usize) -> StoreResult<Vec<ReportUserRow>>;
    fn grants_of(user_ids: &[String]) -> StoreResult<String>;
    fn report_users_by_ids(ids: &[String]) -> StoreResult<Vec<ReportUserRow>>;
    fn user_ids_matching(list: &UserListQuery) -> StoreResult<Vec<String>>;
    fn users_by_names(user_names: &[String]) -> StoreResult<Vec<User>>;
    fn active_user_names() -> StoreResult<Vec<(String, String, i64, Option<String>)>>;
    fn get_batch(id: &str) -> StoreResult<Option<BatchRow>>;
    fn batch_failures(id: &str, limit: usize) -> StoreResult<Vec<(i64, String, String)>>;
    fn get_import(id: &str) -> StoreResult<Option<ImportRecord>>;
    fn deactivations_until(until: i64, after: (i64, i64), limit: usize) -> StoreResult<Vec<(String, i64, i64, String, String)>>;
});

on_backend!(WriteTx {
    fn insert_scim_requests(rows: Vec<ScimRequestRow>) -> StoreResult<()>;
    fn prune_scim_requests(before: i64, limit: usize) -> StoreResult<u64>;
    fn insert_admin(admin: &AdminRecord) -> StoreResult<()>;
    fn lock_security_admins() -> StoreResult<Vec<String>>;
    fn get_admin(id: &str) -> StoreResult<Option<AdminRecord>>;
    fn update_admin(admin: &AdminRecord) -> StoreResult<()>;
    fn append_audit(event: &AuditEvent) -> StoreResult<()>;
    fn append_audit_batch(events: &[AuditEvent]) -> StoreResult<()>;
    fn load_grants(grants: &[GrantRow]) -> StoreResult<()>;
    fn insert_credential(c: &CredentialRecord) -> StoreResult<()>;
    fn get_credential(id: &str) -> StoreResult<Option<CredentialRecord>>;
    fn revoke_credential(id: &str, now: i64) -> StoreResult<()>;
    fn lock_credential(id: &str) -> StoreResult<Option<CredentialRecord>>;
    fn update_credential_policy(c: &CredentialRecord) -> StoreResult<()>;
    fn count_removals(credential_id: &str, since: i64) -> StoreResult<i64>;
    fn record_removal(credential_id: &str, now: i64, since: i64) -> StoreResult<()>;
    fn count_active_users() -> StoreResult<i64>;
    fn set_brake_state(id: &str, tripped_at: Option<i64>, allowed_until: Option<i64>) -> StoreResult<()>;
    fn hold_change(credential_id: &str, user_id: &str, user_name: &str, kind: &str, now: i64, request_id: &str) -> StoreResult<bool>;
    fn count_held(credential_id: &str) -> StoreResult<i64>;
    fn held_up_to(credential_id: &str, last_id: i64) -> StoreResult<Vec<HeldChangeRow>>;
    fn settle_held(ids: &[i64], status: &str, by: &str, now: i64) -> StoreResult<u64>;
    fn insert_grant(user_id: &str, workspace_id: &str, by: &str, now: i64) -> StoreResult<bool>;
    fn delete_grant(user_id: &str, workspace_id: &str, now: i64) -> StoreResult<bool>;
    fn workspace_exists(id: &str) -> StoreResult<bool>;
    fn get_user(id: &str) -> StoreResult<Option<User>>;
    fn insert_user(user: &User) -> StoreResult<()>;
    fn lock_user(id: &str) -> StoreResult<Option<i64>>;
    fn update_user(user: &User, searchable: bool, expected: i64) -> StoreResult<bool>;
    fn rebuild_search_terms() -> StoreResult<bool>;
    fn touch_user(id: &str, now: i64, expected: i64) -> StoreResult<bool>;
    fn delete_user(id: &str, now: i64) -> StoreResult<()>;
    fn workspaces_of_user(user_id: &str) -> StoreResult<Vec<WorkspaceLink>>;
    fn get_workspace(id: &str) -> StoreResult<Option<Workspace>>;
    fn insert_workspace(ws: &Workspace) -> StoreResult<()>;
    fn update_workspace(ws: &Workspace) -> StoreResult<()>;
    fn delete_workspace(id: &str, now: i64) -> StoreResult<()>;
    fn lock_workspace(id: &str) -> StoreResult<Option<Workspace>>;
    fn add_members(workspace_id: &str, user_ids: &[String], by: &str, now: i64) -> StoreResult<Vec<(String, String)>>;
    fn remove_members(workspace_id: &str, user_ids: &[String], now: i64) -> StoreResult<Vec<(String, String)>>;
    fn touch_members(workspace_id: &str, now: i64) -> StoreResult<()>;
    fn touch_workspaces_of(user_id: &str, now: i64) -> StoreResult<()>;
    fn members_with_names(workspace_id: &str) -> StoreResult<Vec<(String, String)>>;
    fn member_ids(workspace_id: &str) -> StoreResult<Vec<String>>;
    fn insert_batch(b: &BatchRow) -> StoreResult<()>;
    fn record_batch_progress(id: &str, progress: &BatchProgress, now: i64) -> StoreResult<bool>;
    fn finish_batch(id: &str, status: &str, now: i64) -> StoreResult<()>;
    fn request_batch_cancel(id: &str) -> StoreResult<bool>;
    fn insert_import(i: &ImportRecord) -> StoreResult<()>;
    fn mark_import_applied(id: &str, batch_id: &str) -> StoreResult<bool>;
    fn delete_imports_unapplied_since(before: i64) -> StoreResult<u64>;
});

/// What a process opens the store for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    /// Requests: many small transactions, side by side.
    Serve,
    /// A command that loads many rows (`cim demo-data`, `cim import`): SQLite gives its writer a
    /// large page cache. PostgreSQL's is the server's and the same either way.
    BulkLoad,
}

impl Store {
    /// Opens the store `url` names: `postgres://` (or `postgresql://`) selects PostgreSQL,
    /// `sqlite://` SQLite. The database is migrated on the way.
    pub async fn open(url: &str, lock_wait: Duration, workload: Workload) -> StoreResult<Store> {
        let store = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Store::Postgres(postgres::Backend::open(url, lock_wait).await?)
        } else if url.starts_with("sqlite:") {
            Store::Sqlite(sqlite::Backend::open(url, lock_wait, workload).await?)
        } else {
            return Err(StoreError::Url(format!(
                "DATABASE_URL must start with sqlite:// or postgres://, not {:?}",
                url.split(':').next().unwrap_or("")
            )));
        };
        store.catch_up_on_upkeep().await?;
        Ok(store)
    }

    /// Does the work a migration left to the application: a rebuild of every user's search
    /// terms (25 s at 100,000 users, about 4 minutes at 1,000,000), before any request can search them. Another
    /// instance doing it meanwhile makes this one wait for it.
    async fn catch_up_on_upkeep(&self) -> StoreResult<()> {
        while self.search_terms_due().await? {
            tracing::info!("rebuilding every user's search terms for the new search index (or waiting for the instance that is)");
            let started = std::time::Instant::now();
            let mut tx = match self.write().await {
                Err(StoreError::Busy) => continue,
                begun => begun?,
            };
            match tx.rebuild_search_terms().await {
                Ok(true) => {
                    tx.commit().await?;
                    tracing::info!(seconds = started.elapsed().as_secs_f64(), "rebuilt every user's search terms");
                    if let Err(err) = self.analyze_users().await {
                        tracing::warn!(error = %err, "the planner's figures for the rebuilt search terms were not refreshed; searches may be slower until the next ANALYZE");
                    }
                }
                Ok(false) | Err(StoreError::Busy) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    }

    pub fn max_connections(&self) -> usize {
        match self {
            Store::Sqlite(b) => b.max_connections(),
            Store::Postgres(b) => b.max_connections(),
        }
    }

    /// How many writes may wait for their turn without holding a connection: SQLite's queue
    /// for its one writer (whose commits the writes queued together share). None on
    /// PostgreSQL, where a write holds a connection of the pool for its whole transaction.
    pub fn queued_writes(&self) -> Option<usize> {
        match self {
            Store::Sqlite(_) => Some(sqlite_writer::MAX_WRITES),
            Store::Postgres(_) => None,
        }
    }

    /// Starts the one transaction a service write runs in.
    ///
    /// The start runs on a task of its own because it is not cancel-safe: on PostgreSQL, a
    /// caller of sqlx's `begin` dropped after the server acknowledged the BEGIN but before
    /// `begin` checked the connection's state leaves no `Transaction` behind to roll back, so the
    /// connection went back to the pool inside an open transaction; on SQLite, a caller dropped
    /// halfway through its SAVEPOINT would leave the write's place in its group unknown. A
    /// dropped caller now only drops the finished transaction, which rolls back.
    pub async fn write(&self) -> StoreResult<WriteTx> {
        Ok(match self {
            Store::Sqlite(b) => WriteTx::Sqlite(b.write().await?),
            Store::Postgres(b) => WriteTx::Postgres(b.write().await?),
        })
    }

    /// [`Store::write`] for a write of many rows (the provisioning log's batches): on SQLite it
    /// commits on its own, so the writes grouped before it are answered without waiting for it.
    pub async fn write_alone(&self) -> StoreResult<WriteTx> {
        Ok(match self {
            Store::Sqlite(b) => WriteTx::Sqlite(b.write_alone().await?),
            Store::Postgres(b) => WriteTx::Postgres(b.write_alone().await?),
        })
    }
}

impl WriteTx {
    pub async fn commit(self) -> StoreResult<()> {
        match self {
            WriteTx::Sqlite(tx) => tx.commit().await,
            WriteTx::Postgres(tx) => tx.commit().await,
        }
    }

    /// Rolls the transaction back and returns once that is done, for a caller that reads the
    /// store again next: on SQLite, once the writes grouped with it (see `sqlite_writer`) are
    /// committed too, so that those reads see them. (Dropping it rolls back as well, but later.)
    pub async fn abandon(self) {
        match self {
            WriteTx::Sqlite(tx) => tx.abandon().await,
            WriteTx::Postgres(tx) => tx.abandon().await,
        }
    }
}
