//! The store: every SQL statement of CIM lives below this module. The service layer sees whole
//! operations on [`Store`] (reads) and [`WriteTx`] (one write transaction), never SQL.

mod admins;
mod audit;
mod credentials;
mod grants;
mod query;
mod sign_in;
mod users;
mod workspaces;

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, SqlitePool, Transaction};

pub use admins::AdminRecord;
pub use credentials::CredentialRecord;
pub use query::QueryError;
pub use audit::{AuditEvent, AuditRecord};
pub use users::UserListRow;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique index refused the write (a name already taken).
    #[error("unique constraint violated")]
    Duplicate,
    /// The write lock (or a row lock) could not be had in time.
    #[error("the database is busy")]
    Busy,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("cannot prepare the database location: {0}")]
    Location(#[from] std::io::Error),
    #[error("a store task ended abnormally: {0}")]
    Task(String),
    /// A condition that cannot be compiled (a type mismatch in a filter).
    #[error("unusable condition: {0}")]
    Query(QueryError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
            // SQLITE_BUSY after the busy timeout; PostgreSQL's lock_not_available.
            sqlx::Error::Database(db) if matches!(db.code().as_deref(), Some("5" | "517" | "55P03")) => StoreError::Busy,
            _ => StoreError::Database(err),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Connections in the pool: readers work side by side, SQLite writers queue on its one lock.
const POOL_SIZE: u32 = 8;

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) and migrates the database named by `url`. A write waits at
    /// most `lock_wait` for the write lock, then fails as busy (which the doors answer with a
    /// 503 that clients may retry) rather than waiting on.
    pub async fn open(url: &str, lock_wait: Duration) -> StoreResult<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(lock_wait);
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(POOL_SIZE).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Store { pool })
    }

    pub fn max_connections(&self) -> usize {
        self.pool.options().get_max_connections() as usize
    }

    pub fn sqlite_pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts the one transaction a service write runs in. SQLite's IMMEDIATE mode takes the
    /// write lock up front, so two writers queue instead of failing on lock upgrade.
    ///
    /// The BEGIN runs on a task of its own because sqlx's `begin_with` is not cancel-safe: a
    /// caller dropped after the worker acknowledged the BEGIN but before `begin_with` checked the
    /// connection's state leaves no `Transaction` behind to roll back, so the connection went
    /// back to the pool inside an open transaction holding the write lock (later writes failed
    /// with "non-zero transaction depth" or "database is locked"). A dropped caller now only
    /// drops the finished `Transaction`, which rolls back.
    pub async fn write(&self) -> StoreResult<WriteTx> {
        let pool = self.pool.clone();
        let begun = tokio::spawn(async move { pool.begin_with("BEGIN IMMEDIATE").await })
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(WriteTx { tx: begun? })
    }

    /// Refreshes the planner's statistics after bulk loads.
    pub async fn optimize(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }
}

/// One write transaction. Dropped without [`WriteTx::commit`], it rolls back.
pub struct WriteTx {
    tx: Transaction<'static, Sqlite>,
}

impl WriteTx {
    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// Upper bound for a prefix range: every string starting with `prefix` sorts below it.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}
