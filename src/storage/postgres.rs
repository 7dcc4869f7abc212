//! The PostgreSQL backend: for several CIM instances on one database. Its statements are the
//! shared ones in `sql/`; `dialect` holds what PostgreSQL says differently. Writers do not
//! queue as they do on SQLite: each write locks the rows it is about to change (`FOR UPDATE`),
//! and a lock that cannot be had within the lock wait fails as busy.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::Connection;

type Db = sqlx::Postgres;
type Pool = sqlx::Pool<Db>;

/// Connections per instance; the database's own limit divided among the instances.
const POOL_SIZE: u32 = 10;

#[derive(Clone, Debug)]
pub struct Backend {
    pool: Pool,
    lock_wait: Duration,
    /// Stops the folding of user totals when the last handle on this store goes (the task holds
    /// a pool handle of its own, which would otherwise keep the pool open for good).
    _folding: Arc<StopOnDrop>,
}

/// One write transaction. Dropped without commit, it rolls back.
pub struct Tx {
    tx: sqlx::Transaction<'static, Db>,
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await?;
        Ok(())
    }

    /// Rolls back now. A failure leaves nothing to do: the pool pings (and drops) the
    /// connection when it comes back.
    pub async fn abandon(self) {
        if let Err(err) = self.tx.rollback().await {
            tracing::warn!(error = %err, "rolling back an abandoned write failed");
        }
    }
}

#[derive(Debug)]
struct StopOnDrop(tokio::task::JoinHandle<()>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Backend {
    /// Connects to and migrates the database named by `url`. Instances starting at once do not
    /// migrate twice: sqlx's migrator holds an advisory lock while it works.
    pub async fn open(url: &str, lock_wait: Duration) -> StoreResult<Backend> {
        let options = PgConnectOptions::from_str(url)?;
        let target = format!("{}:{} (database {})", options.get_host(), options.get_port(), options.get_database().unwrap_or("postgres"));
        // One connection first, for its own error if the server is not there (the pool would
        // only say that it timed out).
        let unreachable = |err: sqlx::Error| StoreError::Connect { target: target.clone(), cause: super::error_chain_of(&err) };
        sqlx::PgConnection::connect_with(&options).await.map_err(unreachable)?.close().await.ok();
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            // While the database is away, a request waits this long for it, then answers 503.
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await
            .map_err(unreachable)?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let folding = Arc::new(StopOnDrop(tokio::spawn(keep_folding_user_counts(pool.clone()))));
        Ok(Backend { pool, lock_wait, _folding: folding })
    }

    /// Connections that read and write at once.
    pub fn max_connections(&self) -> usize {
        self.pool.options().get_max_connections() as usize
    }

    /// After an `ANALYZE`: nothing to do, PostgreSQL's figures are shared by every connection.
    fn forget_planner_figures(&self) {}

    /// Nothing is read outside the pool here: a PostgreSQL query is a round trip to the server
    /// whichever thread sends it.
    fn user_access_row_directly(&self, _sql: &str, _key: &str) -> Direct<UserAccessRow> {
        Direct::Elsewhere
    }

    /// The same as `write`: each write commits on its own here.
    pub async fn write_alone(&self) -> StoreResult<Tx> {
        self.write().await
    }

    /// Starts a write that waits at most the lock wait for any row lock. (Run on a task of its
    /// own: see `Store::write`.)
    pub async fn write(&self) -> StoreResult<Tx> {
        let pool = self.pool.clone();
        let lock_wait = format!("SET LOCAL lock_timeout = '{}ms'", self.lock_wait.as_millis());
        let begun = tokio::spawn(async move {
            let mut tx = pool.begin().await?;
            sqlx::query(&lock_wait).execute(&mut *tx).await?;
            Ok::<_, sqlx::Error>(tx)
        })
        .await
        .map_err(|e| StoreError::Task(e.to_string()))?;
        Ok(Tx { tx: begun? })
    }
}

/// How often the noted changes of the user totals are folded into them.
const FOLD_EVERY: Duration = Duration::from_secs(2);

/// Folds the noted changes of the user totals into them (see the `user_totals` migration) every
/// `FOLD_EVERY`, in one statement: a change noted by a transaction that commits meanwhile is
/// neither deleted nor added, and instances folding at once each add only the rows their own
/// delete removed.
async fn keep_folding_user_counts(pool: Pool) {
    loop {
        tokio::time::sleep(FOLD_EVERY).await;
        let folded = sqlx::query(
            "WITH gone AS (DELETE FROM user_count_changes RETURNING active, delta), \
             sums AS (SELECT active, SUM(delta) AS delta FROM gone GROUP BY active) \
             UPDATE user_totals t SET users = t.users + sums.delta FROM sums WHERE t.active = sums.active",
        )
        .execute(&pool)
        .await;
        if let Err(err) = folded {
            tracing::warn!(error = %err, "folding the user totals failed; trying again later");
        }
    }
}

/// What PostgreSQL says differently.
mod dialect {
    use sqlx::QueryBuilder;

    /// Other instances write at the same time: a write locks the row it is about to change.
    pub const FOR_UPDATE: &str = " FOR UPDATE";
    pub const POSITION_FN: &str = "strpos";
    /// PostgreSQL's planner orders joins by its statistics (and has no CROSS JOIN ... ON).
    pub const DRIVING_JOIN: &str = "JOIN";
    /// The page cache is the server's: nothing to widen for a large write.
    pub const LARGE_WRITE_CACHE_KIB: Option<u32> = None;
    pub const EXISTS_EMAIL: &str = "EXISTS (SELECT 1 FROM jsonb_array_elements(u.emails::jsonb) AS e(value) WHERE ";
    pub const EXISTS_ENTITLEMENT: &str =
        "EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(u.extra::jsonb -> 'entitlements', '[]'::jsonb)) AS e(value) WHERE ";
    pub const EMAIL_PRIMARY: &str = "coalesce((e.value ->> 'primary')::boolean, false)";
    /// The aggregate of rows of `values` into one JSON array of arrays (text), `order` being
    /// empty or an ` ORDER BY ...` of the aggregate.
    pub fn json_rows(values: &str, order: &str) -> String {
        format!("coalesce(json_agg(json_build_array({values}){order}), '[]'::json)::text")
    }

    /// A text column holding JSON, as a JSON value inside `json_rows`.
    pub fn json_value(column: &str) -> String {
        format!("{column}::json")
    }

    /// The elements of the JSON text array bound at `param`, as rows of `each.value`.
    pub fn json_elements(param: &str) -> String {
        format!("json_array_elements_text({param}::json) AS each(value)")
    }

    /// `insert`, a row into `table`, then `then`, which reads that row's id as `new.id`: one
    /// statement (`table` is named for SQLite's sake).
    pub fn insert_then(insert: &str, _table: &str, then: &str) -> String {
        format!("WITH new AS ({insert} RETURNING id) {then}")
    }

    /// A key of the current e-mail element, as text.
    pub fn email_element_text(key: &str) -> String {
        format!("(e.value ->> '{key}')")
    }

    /// The text at `keys` inside the JSON text in `column` (a jsonb path, bound as a text array).
    pub fn push_json_text(sql: &mut QueryBuilder<'_, super::Db>, column: &str, keys: &[String]) {
        let path = keys.iter().map(|k| format!("\"{}\"", k.replace(['"', '\\'], ""))).collect::<Vec<_>>().join(",");
        sql.push(format!("({column}::jsonb #>> ")).push_bind(format!("{{{path}}}")).push("::text[])");
    }

    /// PostgreSQL's lower() folds every letter (the database is UTF-8), as Rust does.
    pub fn fold_like_lower(text: &str) -> String {
        text.to_lowercase()
    }

    /// Writes the `number`th parameter of a statement written out parameter by parameter.
    pub fn push_parameter(sql: &mut String, number: usize) {
        sql.push('$');
        sql.push_str(&number.to_string());
    }

    /// The call that takes the last `length` characters: `right(x, length)`.
    pub fn suffix_call(length: i32) -> (&'static str, i32) {
        ("right", length)
    }
}

include!("backend_prelude.rs");
