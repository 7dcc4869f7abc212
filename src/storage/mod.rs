//! The store: every SQL statement of CIM lives below this module. The service layer sees whole
//! operations on [`Store`] (reads) and [`WriteTx`] (one write transaction), never SQL.

mod admins;
mod audit;
mod credentials;
mod grants;
mod query;
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
pub use users::UserKeyed;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique index refused the write (a name already taken).
    #[error("unique constraint violated")]
    Duplicate,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("cannot prepare the database location: {0}")]
    Location(#[from] std::io::Error),
    /// A condition that cannot be compiled (a type mismatch in a filter).
    #[error("unusable condition: {0}")]
    Query(QueryError),
}

impl From<sqlx::Error> for StoreError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
            _ => StoreError::Database(err),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) and migrates the database named by `url`.
    pub async fn open(url: &str) -> StoreResult<Store> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Store { pool })
    }

    pub fn sqlite_pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Starts the one transaction a service write runs in. SQLite's IMMEDIATE mode takes the
    /// write lock up front, so two writers queue instead of failing on lock upgrade.
    pub async fn write(&self) -> StoreResult<WriteTx> {
        Ok(WriteTx { tx: self.pool.begin_with("BEGIN IMMEDIATE").await? })
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
