//! SQLite's read connections: a pool that takes a connection back as soon as its query is done.
//!
//! sqlx's own pool pings every connection it takes back before handing it out again: a round
//! trip to the connection's thread, two thread wake-ups, after every query. On these machines a
//! wake-up of another thread costs about as much as reading a user, so a GET of one user spent
//! more on the ping than on its query. The ping guards against what a cancelled query may leave
//! behind. A SQLite connection runs its commands one after the other on its own thread and
//! resets each statement before it takes the next command, and this pool runs no transactions
//! (only single statements, autocommit), so a connection whose query ran to its end is ready
//! for the next one. Only a connection whose query was cancelled, or failed other than by the
//! database's own refusal, waits for a ping (which queues behind that query) before it is
//! handed out again; one that cannot answer it is dropped.
//!
//! `&Readers` is an sqlx `Executor`, so the statements in `sql/` run on it as on a pool.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteQueryResult, SqliteRow, SqliteStatement, SqliteTypeInfo};
use sqlx::{ConnectOptions, Connection, Describe, Either, Execute, Executor, Sqlite};
use sqlx_core::ext::async_stream::TryAsyncStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How long a read waits for a connection before it fails (as sqlx's pools do; the store
/// answers 503 then).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

tokio::task_local! {
    /// The share of the connections the current task's reads are kept within (see
    /// `reads_within`).
    static SHARE: Arc<Semaphore>;
}

/// Runs `work` with each of its reads holding a permit of `share` while it holds a connection:
/// a door whose requests do not hold a permit of their own for their whole run (the SCIM
/// door's writes, which spend most of it queued for the writer) keeps their reads within its
/// share of the connections this way, and the other door keeps the rest. Reads on tasks that
/// `work` spawns are not counted.
pub async fn reads_within<F: std::future::Future>(share: Arc<Semaphore>, work: F) -> F::Output {
    SHARE.scope(share, work).await
}

#[derive(Clone)]
pub struct Readers(Arc<Shared>);

struct Shared {
    options: SqliteConnectOptions,
    size: usize,
    /// One permit per connection that may exist; a reader holds one while it has a connection.
    permits: Arc<Semaphore>,
    idle: Mutex<Vec<SqliteConnection>>,
}

impl std::fmt::Debug for Readers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Readers").field("size", &self.0.size).finish_non_exhaustive()
    }
}

impl Readers {
    /// Up to `size` connections opened with `options`, as they are needed.
    pub fn new(options: SqliteConnectOptions, size: usize) -> Readers {
        super::sqlite_config::configure_sqlite();
        Readers(Arc::new(Shared { options, size, permits: Arc::new(Semaphore::new(size)), idle: Mutex::new(Vec::new()) }))
    }

    pub fn size(&self) -> usize {
        self.0.size
    }

    /// Closes the idle connections, so the next reads open fresh ones: a connection reads the
    /// planner's figures (`ANALYZE`) only when it first reads the schema.
    pub fn close_idle(&self) {
        let idle = std::mem::take(&mut *self.0.idle.lock().unwrap_or_else(|p| p.into_inner()));
        drop(idle);
    }

    /// A connection of the pool, waiting for one to be free if all are in use.
    pub async fn acquire(&self) -> Result<Reader, sqlx::Error> {
        let share = match SHARE.try_with(Arc::clone) {
            Ok(share) => Some(within_timeout(share).await?),
            Err(_) => None,
        };
        let permit = within_timeout(self.0.permits.clone()).await?;
        let idle = self.0.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.0.options.connect().await?,
        };
        Ok(Reader { conn: Some(conn), shared: self.0.clone(), permit: Some(permit), share, done: false })
    }
}

/// A permit of `permits`, waiting at most `ACQUIRE_TIMEOUT`.
async fn within_timeout(permits: Arc<Semaphore>) -> Result<OwnedSemaphorePermit, sqlx::Error> {
    tokio::time::timeout(ACQUIRE_TIMEOUT, permits.acquire_owned()).await.map_err(|_| sqlx::Error::PoolTimedOut)?.map_err(|_| sqlx::Error::PoolClosed)
}

/// A connection lent out; it goes back to the pool when dropped.
pub struct Reader {
    conn: Option<SqliteConnection>,
    shared: Arc<Shared>,
    permit: Option<OwnedSemaphorePermit>,
    /// The permit of the task's share (see `reads_within`), if it has one.
    share: Option<OwnedSemaphorePermit>,
    /// Set once the query ran to its end; a reader dropped before is a cancelled query.
    done: bool,
}

impl Reader {
    fn conn(&mut self) -> &mut SqliteConnection {
        self.conn.as_mut().expect("a reader holds its connection until dropped")
    }

    pub fn done(&mut self) {
        self.done = true;
    }

    /// Marks the reader done if `result` leaves its connection as good as before: a success, or
    /// the database refusing the statement. Any other error (the connection's thread gone, an
    /// I/O error) sends it through the ping, which drops a connection that cannot answer.
    fn done_after<T>(&mut self, result: &Result<T, sqlx::Error>) {
        if matches!(result, Ok(_) | Err(sqlx::Error::Database(_))) {
            self.done = true;
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        let (Some(mut conn), Some(permit)) = (self.conn.take(), self.permit.take()) else { return };
        let (shared, share) = (self.shared.clone(), self.share.take());
        if self.done {
            shared.idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
            drop((permit, share));
            return;
        }
        // Cancelled: the connection's thread may still be running the query. Its permits are
        // released once a ping, queued behind the query, comes back; a connection that cannot
        // answer is dropped (and a new one opened when next needed). Without a runtime (the
        // process is ending) the connection is dropped at once, its thread left to finish.
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        runtime.spawn(async move {
            if conn.ping().await.is_ok() {
                shared.idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
            }
            drop((permit, share));
        });
    }
}

impl<'p> Executor<'p> for &'_ Readers {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<SqliteQueryResult, SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let readers = self.clone();
        TryAsyncStream::new(move |yielder| async move {
            let mut reader = readers.acquire().await?;
            let mut results = reader.conn().fetch_many(query);
            while let Some(result) = results.try_next().await? {
                yielder.r#yield(result).await;
            }
            drop(results);
            reader.done();
            Ok(())
        })
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let readers = self.clone();
        Box::pin(async move {
            let mut reader = readers.acquire().await?;
            let row = reader.conn().fetch_optional(query).await;
            reader.done_after(&row);
            row
        })
    }

    fn prepare_with<'e, 'q: 'e>(self, sql: &'q str, parameters: &'e [SqliteTypeInfo]) -> BoxFuture<'e, Result<SqliteStatement<'q>, sqlx::Error>> {
        let readers = self.clone();
        Box::pin(async move {
            let mut reader = readers.acquire().await?;
            let statement = reader.conn().prepare_with(sql, parameters).await;
            reader.done_after(&statement);
            statement
        })
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Sqlite>, sqlx::Error>> {
        let readers = self.clone();
        Box::pin(async move {
            let mut reader = readers.acquire().await?;
            let description = reader.conn().describe(sql).await;
            reader.done_after(&description);
            description
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A pool of one connection over a fresh in-memory database.
    fn one_reader() -> Readers {
        Readers::new(SqliteConnectOptions::new().in_memory(true), 1)
    }

    const COUNTING: &str = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) SELECT i FROM n";

    #[tokio::test]
    async fn a_finished_query_gives_its_connection_straight_back() {
        let readers = one_reader();
        let one: i64 = sqlx::query_scalar("SELECT 1").fetch_one(&readers).await.unwrap();
        assert_eq!(one, 1);
        assert_eq!(readers.0.idle.lock().unwrap().len(), 1, "back in the pool, no ping waited for");
        let all: Vec<i64> = sqlx::query_scalar("SELECT 2 UNION ALL SELECT 3").fetch_all(&readers).await.unwrap();
        assert_eq!(all, vec![2, 3]);
        assert_eq!(readers.0.idle.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_query_dropped_halfway_leaves_the_connection_usable() {
        let readers = one_reader();
        let mut rows = sqlx::query_scalar::<_, i64>(COUNTING).fetch(&readers);
        assert_eq!(rows.try_next().await.unwrap(), Some(1));
        drop(rows);
        let next = tokio::time::timeout(Duration::from_secs(10), sqlx::query_scalar::<_, i64>("SELECT 7").fetch_one(&readers));
        assert_eq!(next.await.expect("the one connection came back").unwrap(), 7);
        let cancelled = tokio::time::timeout(Duration::from_millis(1), sqlx::query_scalar::<_, i64>(COUNTING).fetch_all(&readers)).await;
        assert!(cancelled.is_err(), "a million rows take longer than a millisecond");
        let after: Vec<i64> = sqlx::query_scalar("SELECT 8").fetch_all(&readers).await.unwrap();
        assert_eq!(after, vec![8]);
    }

    #[tokio::test]
    async fn reads_within_a_share_wait_for_its_permits_and_others_do_not() {
        let readers = Readers::new(SqliteConnectOptions::new().in_memory(true), 2);
        let share = Arc::new(Semaphore::new(1));
        let taken = share.clone().acquire_owned().await.unwrap();
        let within = reads_within(share.clone(), sqlx::query_scalar::<_, i64>("SELECT 1").fetch_one(&readers));
        assert!(tokio::time::timeout(Duration::from_millis(50), within).await.is_err(), "the share's one permit is taken");
        let outside: i64 = sqlx::query_scalar("SELECT 2").fetch_one(&readers).await.unwrap();
        assert_eq!(outside, 2, "a read outside the share has the pool's connections");
        drop(taken);
        let within = reads_within(share.clone(), sqlx::query_scalar::<_, i64>("SELECT 3").fetch_one(&readers));
        assert_eq!(tokio::time::timeout(Duration::from_secs(10), within).await.expect("the permit is free").unwrap(), 3);
        assert_eq!(share.available_permits(), 1, "given back with the connection");
    }

    #[tokio::test]
    async fn no_more_connections_than_its_size_are_lent_at_once() {
        let readers = one_reader();
        let held = readers.acquire().await.unwrap();
        let waiting = tokio::time::timeout(Duration::from_millis(50), readers.acquire()).await;
        assert!(waiting.is_err(), "the second reader waits while the only connection is lent");
        drop(held);
        let mut second = tokio::time::timeout(Duration::from_secs(10), readers.acquire()).await.expect("lent after the first came back").unwrap();
        second.done();
    }
}
