//! SQLite's writes: one connection, taken in turns, whose commits several writes share (group
//! commit).
//!
//! A commit writes every page its transaction changed to the WAL, and a write of one user
//! changes the same hot pages as the next one (the audit trail's last page, the totals, the
//! indexes' last pages): with a commit per write, POST spent most of the writer's time writing
//! those pages again and again. So a write that finds others waiting for their turn does not
//! commit: it leaves its changes in the open transaction and hands the turn on, and the last
//! write of the queue commits for all of them. Every write is answered only once that commit
//! is done, with its outcome: nothing is acknowledged before it is in the WAL, as before.
//!
//! Each write after the first runs inside a savepoint of its own, so one that fails or is
//! dropped (a client that hung up) is rolled back to its savepoint and undoes nothing of its
//! neighbours'. A write hands the turn on without releasing its savepoint (that would be one
//! more round trip to the connection's thread, with the turn held): the next write's savepoint
//! opens inside it, a rollback goes back to the innermost one, which is the writing write's,
//! and COMMIT releases them all. The first write of a group began the transaction and needs
//! none: nothing else is in it yet, and it rolls back the whole transaction. (A failure that
//! ends the whole transaction, such as a full disk, fails every write of the group: none was
//! acknowledged.) A write rolled back inside a group
//! commits the group at once instead of handing the turn on: a rolled-back write is most often
//! a change planned from a version another write of the group changed since, and planning again
//! reads through the read connections, which see only what is committed.
//!
//! A group commits when no one is waiting, or once it holds `MAX_WRITES` writes or is
//! `MAX_AGE` old, so that a steady queue cannot keep its first writes waiting.

use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Executor};
use tokio::sync::{watch, Mutex, OwnedMutexGuard};

use super::{StoreError, StoreResult};

/// The most writes one commit holds (and the SCIM door lets queue for it: see `ScimBudget`).
pub const MAX_WRITES: usize = 32;
/// The longest the first write of a group waits for the group to commit, besides its own time.
const MAX_AGE: Duration = Duration::from_millis(10);

/// The writer of one store; clones share it.
#[derive(Clone)]
pub struct Writer(Arc<Shared>);

struct Shared {
    options: SqliteConnectOptions,
    /// The turn to write: the connection, and the group its transaction holds.
    turn: Arc<Mutex<Turn>>,
    /// Writes waiting for the turn: one that finds some leaves the commit to them.
    waiting: AtomicUsize,
    lock_wait: Duration,
    /// Commits made, for the tests' sake.
    commits: AtomicUsize,
}

struct Turn {
    /// None after a failure that may have broken it: the next write opens a new one.
    conn: Option<SqliteConnection>,
    /// The open transaction's writes; None when no transaction is open.
    group: Option<Group>,
}

struct Group {
    /// Writes done inside it (those that handed the turn on wait for its commit).
    kept: usize,
    began: Instant,
    outcome: watch::Sender<Option<Outcome>>,
}

impl Group {
    /// Whether the group commits now: no write is waiting to add to it, or it is full or old.
    fn ends(&self, shared: &Shared) -> bool {
        shared.waiting.load(Ordering::SeqCst) == 0 || self.kept >= MAX_WRITES || self.began.elapsed() >= MAX_AGE
    }
}

/// What a group's commit came to, for each of its writes.
type Outcome = Result<(), String>;

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// A writer on a connection opened with `options` (opened now, so that a store that cannot
    /// be written fails at start). A write waits at most `lock_wait` for its turn, then fails
    /// as busy (SQLite's own lock, held by another process, has the same wait as busy timeout).
    pub async fn open(options: SqliteConnectOptions, lock_wait: Duration) -> StoreResult<Writer> {
        let conn = options.connect().await?;
        let turn = Arc::new(Mutex::new(Turn { conn: Some(conn), group: None }));
        Ok(Writer(Arc::new(Shared { options, turn, waiting: AtomicUsize::new(0), lock_wait, commits: AtomicUsize::new(0) })))
    }

    /// Takes the turn and starts a write: in the open transaction under a savepoint, or in a
    /// transaction it begins (IMMEDIATE: SQLite's write lock up front, so writers of two
    /// processes queue instead of failing on lock upgrade). Not cancel-safe: run it on a task
    /// of its own (see `Store::write`).
    pub async fn begin(&self) -> StoreResult<Write> {
        let shared = self.0.clone();
        let waiting = Waiting::count(&shared);
        let mut turn = tokio::time::timeout(shared.lock_wait, shared.turn.clone().lock_owned()).await.map_err(|_| StoreError::Busy)?;
        waiting.served();
        if turn.group.is_some() {
            if let Err(err) = run(&mut turn, "SAVEPOINT write").await {
                end_turn(&shared, turn, true).await;
                return Err(err);
            }
            return Ok(Write { turn: Some(turn), shared, first: false });
        }
        if turn.conn.is_none() {
            turn.conn = Some(shared.options.connect().await?);
        }
        run(&mut turn, "BEGIN IMMEDIATE").await?;
        turn.group = Some(Group { kept: 0, began: Instant::now(), outcome: watch::channel(None).0 });
        Ok(Write { turn: Some(turn), shared, first: true })
    }

    #[cfg(test)]
    fn commits(&self) -> usize {
        self.0.commits.load(Ordering::SeqCst)
    }
}

/// One write, holding the turn. Dropped without `commit`, it rolls back (on a task of its own).
pub struct Write {
    /// Taken when the write ends.
    turn: Option<OwnedMutexGuard<Turn>>,
    shared: Arc<Shared>,
    /// Began the transaction (and holds no savepoint).
    first: bool,
}

impl Write {
    /// Commits, with the group: returns once the commit that holds this write is done.
    pub async fn commit(mut self) -> StoreResult<()> {
        let turn = self.turn.take().expect("a write holds the turn until it ends");
        let outcome = match hand_on(&self.shared, turn) {
            Ok(mut outcome) => match outcome.wait_for(Option::is_some).await {
                Ok(done) => done.clone().expect("waited for"),
                Err(_) => Err("the transaction ended without a commit".into()),
            },
            // On a task of its own, so that a caller dropped meanwhile cannot leave the turn
            // with a transaction half committed and no one to end it.
            Err(mut turn) => {
                let shared = self.shared.clone();
                tokio::spawn(async move { commit_group(&shared, &mut turn).await }).await.map_err(|e| StoreError::Task(e.to_string()))?
            }
        };
        outcome.map_err(StoreError::NotCommitted)
    }
}

impl Deref for Write {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        self.turn.as_ref().and_then(|turn| turn.conn.as_ref()).expect("a write holds the turn and its connection")
    }
}

impl DerefMut for Write {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.turn.as_mut().and_then(|turn| turn.conn.as_mut()).expect("a write holds the turn and its connection")
    }
}

impl Drop for Write {
    fn drop(&mut self) {
        let Some(mut turn) = self.turn.take() else { return };
        let (shared, first) = (self.shared.clone(), self.first);
        match tokio::runtime::Handle::try_current() {
            // The connection's thread may still be running a cancelled statement: the rollback
            // queues behind it.
            Ok(runtime) => drop(runtime.spawn(async move { roll_back(&shared, turn, first).await })),
            // The process is ending: dropping the connection rolls its transaction back.
            Err(_) => {
                turn.conn = None;
                fail_group(&mut turn, "the process ended before the commit".into());
            }
        }
    }
}

/// Hands the turn on to the next write with this write's changes kept in the open transaction,
/// and gives the commit's outcome to come; or gives the turn back if the group should end
/// here, for the caller to commit it. Runs no statement: the savepoint stays open, inside the
/// next write's, and COMMIT releases them all.
fn hand_on(shared: &Shared, mut turn: OwnedMutexGuard<Turn>) -> Result<watch::Receiver<Option<Outcome>>, OwnedMutexGuard<Turn>> {
    let group = turn.group.as_mut().expect("a write holds an open transaction");
    group.kept += 1;
    if group.ends(shared) {
        return Err(turn);
    }
    Ok(group.outcome.subscribe())
}

/// Undoes a write that ended without commit: the whole transaction if it began it (nothing else
/// is in it), or else back to its savepoint (the innermost of that name), and then commits the
/// group (see the module's note).
async fn roll_back(shared: &Shared, mut turn: OwnedMutexGuard<Turn>, first: bool) {
    if first {
        if let Err(err) = run(&mut turn, "ROLLBACK").await {
            tracing::warn!(error = %err, "rolling back a write failed; its connection is closed");
            turn.conn = None;
        }
        turn.group = None;
        return;
    }
    match run(&mut turn, "ROLLBACK TO write").await {
        Ok(()) => drop(commit_group(shared, &mut turn).await),
        Err(err) => fail_group(&mut turn, err.to_string()),
    }
}

/// Ends a turn that holds no write of its own: commits the group unless writes are waiting to
/// add to it (and it may still grow). With `now`, commits whatever is waiting.
async fn end_turn(shared: &Shared, mut turn: OwnedMutexGuard<Turn>, now: bool) {
    let Some(group) = &turn.group else { return };
    if now || group.ends(shared) {
        // Its writes hear the outcome from the group.
        drop(commit_group(shared, &mut turn).await);
    }
}

/// Commits the open transaction and tells every write in it how that went.
async fn commit_group(shared: &Shared, turn: &mut Turn) -> Outcome {
    let outcome = match run(turn, "COMMIT").await {
        Ok(()) => {
            shared.commits.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        Err(err) => {
            // A failed COMMIT may leave the transaction open: end it, or the connection.
            if let Err(rollback) = run(turn, "ROLLBACK").await {
                if !matches!(rollback, StoreError::Database(_)) {
                    turn.conn = None;
                }
            }
            Err(err.to_string())
        }
    };
    if let Some(group) = turn.group.take() {
        group.outcome.send_replace(Some(outcome.clone()));
    }
    outcome
}

/// Ends the open transaction as failed: its writes are told so, and it is rolled back (by
/// SQLite already, most often: the failures that get here are those that end a transaction).
fn fail_group(turn: &mut Turn, why: String) {
    if let Some(group) = turn.group.take() {
        group.outcome.send_replace(Some(Err(why)));
    }
    // The next write begins anew on a new connection: dropping this one ends any transaction
    // left open.
    turn.conn = None;
}

/// Runs `sql` on the turn's connection. A failure other than the database's own refusal (the
/// connection's thread gone, an I/O error) drops the connection, to be opened again.
async fn run(turn: &mut Turn, sql: &'static str) -> StoreResult<()> {
    let conn = turn.conn.as_mut().ok_or_else(|| StoreError::NotCommitted("the write connection was lost".into()))?;
    match conn.execute(sqlx::raw_sql(sql)).await {
        Ok(_) => Ok(()),
        Err(err) => {
            if !matches!(err, sqlx::Error::Database(_)) {
                turn.conn = None;
            }
            Err(err.into())
        }
    }
}

/// A write waiting for the turn, counted in `waiting` while it waits. One that gives up (its
/// wait timed out) after a write handed it the turn ends the turn itself, so that the group
/// does not stay open with no one to commit it.
struct Waiting {
    shared: Option<Arc<Shared>>,
}

impl Waiting {
    fn count(shared: &Arc<Shared>) -> Waiting {
        shared.waiting.fetch_add(1, Ordering::SeqCst);
        Waiting { shared: Some(shared.clone()) }
    }

    /// The turn is had.
    fn served(mut self) {
        if let Some(shared) = self.shared.take() {
            shared.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Drop for Waiting {
    fn drop(&mut self) {
        let Some(shared) = self.shared.take() else { return };
        shared.waiting.fetch_sub(1, Ordering::SeqCst);
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        drop(runtime.spawn(async move {
            let turn = shared.turn.clone().lock_owned().await;
            end_turn(&shared, turn, false).await;
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer over a fresh in-memory database with one table.
    async fn writer() -> Writer {
        let writer = Writer::open(SqliteConnectOptions::new().in_memory(true), Duration::from_secs(5)).await.unwrap();
        let mut write = writer.begin().await.unwrap();
        write.execute("CREATE TABLE t (k INTEGER PRIMARY KEY); INSERT INTO t (k) VALUES (0)").await.unwrap();
        write.commit().await.unwrap();
        writer
    }

    async fn keys(writer: &Writer) -> Vec<i64> {
        let mut write = writer.begin().await.unwrap();
        let keys = sqlx::query_scalar("SELECT k FROM t ORDER BY k").fetch_all(&mut *write).await.unwrap();
        write.commit().await.unwrap();
        keys
    }

    /// Writes of k = 1..=n started at once, each on a task of its own; `k = fail` inserts the
    /// key 0, already there, and `k = dropped` is dropped after its insert.
    async fn writes_at_once(writer: &Writer, n: i64, fail: i64, dropped: i64) -> Vec<StoreResult<()>> {
        let tasks: Vec<_> = (1..=n)
            .map(|k| {
                let writer = writer.clone();
                tokio::spawn(async move {
                    let mut write = tokio::spawn({
                        let writer = writer.clone();
                        async move { writer.begin().await }
                    })
                    .await
                    .unwrap()?;
                    let key = if k == fail { 0 } else { k };
                    sqlx::query("INSERT INTO t (k) VALUES (?)").bind(key).execute(&mut *write).await?;
                    // Another write may queue meanwhile.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    if k == dropped {
                        drop(write);
                        return Err(StoreError::Task("dropped".into()));
                    }
                    write.commit().await
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    }

    #[tokio::test]
    async fn writes_that_queue_share_a_commit_and_each_gets_its_own_outcome() {
        let writer = writer().await;
        let commits_before = writer.commits();
        let results = writes_at_once(&writer, 20, 7, 12).await;
        for (k, result) in (1..=20).zip(&results) {
            match k {
                7 => assert!(matches!(result, Err(StoreError::Duplicate)), "write {k}: {result:?}"),
                12 => assert!(result.is_err()),
                _ => assert!(result.is_ok(), "write {k}: {result:?}"),
            }
        }
        let expected: Vec<i64> = (0..=20).filter(|k| *k != 7 && *k != 12).collect();
        assert_eq!(keys(&writer).await, expected, "every committed write is there, and neither the failed nor the dropped one");
        let commits = writer.commits() - commits_before - 1;
        assert!(commits < 18, "18 writes kept in {commits} commits: some shared one");
    }

    #[tokio::test]
    async fn a_dropped_first_write_rolls_back_alone_and_frees_the_turn() {
        let writer = writer().await;
        let mut write = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t (k) VALUES (1)").execute(&mut *write).await.unwrap();
        drop(write);
        let mut next = tokio::time::timeout(Duration::from_secs(5), writer.begin()).await.expect("the turn came back").unwrap();
        sqlx::query("INSERT INTO t (k) VALUES (2)").execute(&mut *next).await.unwrap();
        next.commit().await.unwrap();
        assert_eq!(keys(&writer).await, vec![0, 2]);
    }

    #[tokio::test]
    async fn a_write_cancelled_while_committing_still_ends_its_group() {
        let writer = writer().await;
        let results = writes_at_once(&writer, 8, 0, 0).await;
        assert!(results.iter().all(Result::is_ok));
        // A commit whose caller is gone at once: the write is committed or not, but the turn
        // comes back and the store is consistent.
        let mut write = writer.begin().await.unwrap();
        sqlx::query("INSERT INTO t (k) VALUES (100)").execute(&mut *write).await.unwrap();
        drop(tokio::time::timeout(Duration::from_micros(1), write.commit()).await);
        let mut next = tokio::time::timeout(Duration::from_secs(5), writer.begin()).await.expect("the turn came back").unwrap();
        sqlx::query("INSERT INTO t (k) VALUES (101)").execute(&mut *next).await.unwrap();
        next.commit().await.unwrap();
        let keys = keys(&writer).await;
        assert_eq!(keys.last(), Some(&101));
        assert_eq!(keys.len(), 11, "0..=8, 100 (its commit ran on) and 101: {keys:?}");
    }
}
