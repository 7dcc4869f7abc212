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
//! `MAX_AGE` old, so that a steady queue cannot keep its first writes waiting. A write of many
//! rows begins `alone`: it commits the open group first and then itself.
//!
//! What a write reads through its transaction includes the uncommitted writes grouped before
//! it, as a transaction begun after theirs would. If their commit then fails (a full disk, the
//! file lost), a write that was answered without committing (a refusal, "nothing changed") was
//! answered from a state that never reached the WAL; every write that changed something is told
//! it failed. The statements run here keep to what SQLite undoes one statement at a time
//! (constraint failures abort the statement, not the transaction), and none is deferred to
//! COMMIT: a deferred constraint would fail the whole group.

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
    /// `MAX_AGE`, but for tests that keep a group open on purpose.
    max_age: Duration,
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
        shared.waiting.load(Ordering::SeqCst) == 0 || self.kept >= MAX_WRITES || self.began.elapsed() >= shared.max_age
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
        Writer::open_with(options, lock_wait, MAX_AGE).await
    }

    async fn open_with(options: SqliteConnectOptions, lock_wait: Duration, max_age: Duration) -> StoreResult<Writer> {
        super::sqlite_config::configure_sqlite();
        let conn = options.connect().await?;
        let turn = Arc::new(Mutex::new(Turn { conn: Some(conn), group: None }));
        Ok(Writer(Arc::new(Shared { options, turn, waiting: AtomicUsize::new(0), lock_wait, max_age, commits: AtomicUsize::new(0) })))
    }

    /// Takes the turn and starts a write: in the open transaction under a savepoint, or in a
    /// transaction it begins (IMMEDIATE: SQLite's write lock up front, so writers of two
    /// processes queue instead of failing on lock upgrade). Not cancel-safe: run it on a task
    /// of its own (see `Store::write`).
    ///
    /// A write `alone` commits on its own, and commits the open group, if any, first: for
    /// writes of many rows (the provisioning log's batches), which would otherwise keep the
    /// writes grouped before them waiting for their answer.
    pub async fn begin(&self, alone: bool) -> StoreResult<Write> {
        let shared = self.0.clone();
        let waiting = Waiting::count(&shared);
        let mut turn = tokio::time::timeout(shared.lock_wait, shared.turn.clone().lock_owned()).await.map_err(|_| StoreError::Busy)?;
        waiting.served();
        if turn.group.is_some() {
            if alone {
                // Its writes hear the outcome from the group.
                drop(commit_group(&shared, &mut turn).await);
            } else if let Err(err) = run(&mut turn, "SAVEPOINT write").await {
                end_turn(&shared, turn, true).await;
                return Err(err);
            } else {
                return Ok(Write { turn: Some(turn), shared, first: false, alone });
            }
        }
        if turn.conn.is_none() {
            turn.conn = Some(shared.options.connect().await?);
        }
        run(&mut turn, "BEGIN IMMEDIATE").await?;
        turn.group = Some(Group { kept: 0, began: Instant::now(), outcome: watch::channel(None).0 });
        Ok(Write { turn: Some(turn), shared, first: true, alone })
    }
}

/// One write, holding the turn. Dropped without `commit`, it rolls back (on a task of its own).
pub struct Write {
    /// Taken when the write ends.
    turn: Option<OwnedMutexGuard<Turn>>,
    shared: Arc<Shared>,
    /// Began the transaction (and holds no savepoint).
    first: bool,
    /// Commits on its own (see `Writer::begin`).
    alone: bool,
}

impl Write {
    /// Commits, with the group: returns once the commit that holds this write is done.
    pub async fn commit(mut self) -> StoreResult<()> {
        let turn = self.turn.take().expect("a write holds the turn until it ends");
        let outcome = match hand_on(&self.shared, turn, self.alone) {
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

    /// Rolls back (see `roll_back`) and returns once that is done, with the group committed.
    pub async fn abandon(mut self) {
        let Some(turn) = self.turn.take() else { return };
        let (shared, first) = (self.shared.clone(), self.first);
        // On a task of its own, as when dropped: the rollback finishes whatever the caller does.
        if let Err(err) = tokio::spawn(async move { roll_back(&shared, turn, first).await }).await {
            tracing::warn!(error = %err, "rolling back an abandoned write ended abnormally");
        }
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
fn hand_on(shared: &Shared, mut turn: OwnedMutexGuard<Turn>, alone: bool) -> Result<watch::Receiver<Option<Outcome>>, OwnedMutexGuard<Turn>> {
    let group = turn.group.as_mut().expect("a write holds an open transaction");
    group.kept += 1;
    if alone || group.ends(shared) {
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
    use sqlx::sqlite::SqliteJournalMode;

    /// A store file of its own, removed at the end, with the table `t` holding the key 0, and a
    /// parent table `p` that `c` refers to, checked only at commit.
    struct Store {
        path: std::path::PathBuf,
        options: SqliteConnectOptions,
    }

    impl Store {
        async fn new() -> Store {
            crate::storage::sqlite_config::configure_sqlite();
            let path = std::env::temp_dir().join(format!("cim-writer-{}.db", uuid::Uuid::new_v4()));
            let options = SqliteConnectOptions::new().filename(&path).create_if_missing(true).journal_mode(SqliteJournalMode::Wal).foreign_keys(true);
            let mut conn = options.connect().await.unwrap();
            let schema = "CREATE TABLE t (k INTEGER PRIMARY KEY); INSERT INTO t (k) VALUES (0); \
                          CREATE TABLE p (k INTEGER PRIMARY KEY); \
                          CREATE TABLE c (k INTEGER REFERENCES p (k) DEFERRABLE INITIALLY DEFERRED)";
            conn.execute(schema).await.unwrap();
            Store { path, options }
        }

        /// A writer whose groups are never cut short by age: each test decides who waits.
        async fn writer(&self, lock_wait: Duration) -> Writer {
            Writer::open_with(self.options.clone(), lock_wait, Duration::from_secs(3600)).await.unwrap()
        }

        /// The keys of `t`, read on a connection of their own: what is committed.
        async fn committed(&self) -> Vec<i64> {
            let mut conn = self.options.connect().await.unwrap();
            sqlx::query_scalar("SELECT k FROM t ORDER BY k").fetch_all(&mut conn).await.unwrap()
        }
    }

    impl Drop for Store {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
            }
        }
    }

    const SOON: Duration = Duration::from_secs(10);

    async fn insert(write: &mut Write, k: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO t (k) VALUES (?)").bind(k).execute(&mut **write).await?;
        Ok(())
    }

    /// Begins (`alone` or not) on a task of its own, as `Backend::write` does, once another
    /// write holds the turn: returns when that one is counted as waiting.
    async fn queued(writer: &Writer, alone: bool) -> tokio::task::JoinHandle<StoreResult<Write>> {
        let before = writer.0.waiting.load(Ordering::SeqCst);
        let task = tokio::spawn({
            let writer = writer.clone();
            async move { writer.begin(alone).await }
        });
        while writer.0.waiting.load(Ordering::SeqCst) == before {
            tokio::task::yield_now().await;
        }
        task
    }

    /// A store, its writer, a first write that inserted 1 and holds the turn, and a second write
    /// queued behind it.
    async fn first_and_queued() -> (Store, Writer, Write, tokio::task::JoinHandle<StoreResult<Write>>) {
        let store = Store::new().await;
        let writer = store.writer(SOON).await;
        let mut first = writer.begin(false).await.unwrap();
        insert(&mut first, 1).await.unwrap();
        let second = queued(&writer, false).await;
        (store, writer, first, second)
    }

    /// Begins a write once the turn comes back, checks that it begins a transaction of its own,
    /// and commits `k` in it.
    async fn commit_afresh(writer: &Writer, k: i64) {
        let mut next = tokio::time::timeout(SOON, writer.begin(false)).await.expect("the turn came back").unwrap();
        assert!(next.first, "a transaction of its own: the one before ended");
        insert(&mut next, k).await.unwrap();
        next.commit().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_that_queue_share_a_commit_and_each_is_answered_after_it() {
        let store = Store::new().await;
        let writer = store.writer(SOON).await;
        let tasks: Vec<_> = (1..=20)
            .map(|k| {
                let (writer, options) = (writer.clone(), store.options.clone());
                tokio::spawn(async move {
                    let mut write = tokio::spawn(async move { writer.begin(false).await }).await.unwrap()?;
                    // k = 7 inserts the key 0, already there; k = 12 is dropped after its insert.
                    insert(&mut write, if k == 7 { 0 } else { k }).await?;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    if k == 12 {
                        drop(write);
                        return Ok(false);
                    }
                    write.commit().await?;
                    // Answered: committed, for any other connection to read.
                    let mut conn = options.connect().await?;
                    let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM t WHERE k = ?").bind(k).fetch_one(&mut conn).await?;
                    Ok::<_, StoreError>(seen == 1)
                })
            })
            .collect();
        for (k, task) in (1..=20).zip(tasks) {
            let result = tokio::time::timeout(SOON, task).await.expect("every write is answered").unwrap();
            match k {
                7 => assert!(matches!(result, Err(StoreError::Duplicate)), "write {k}: {result:?}"),
                12 => assert!(matches!(result, Ok(false))),
                _ => assert!(matches!(result, Ok(true)), "write {k} is committed when answered: {result:?}"),
            }
        }
        let expected: Vec<i64> = (0..=20).filter(|k| *k != 7 && *k != 12).collect();
        assert_eq!(store.committed().await, expected, "every committed write is there, and neither the failed nor the dropped one");
        let commits = writer.0.commits.load(Ordering::SeqCst);
        assert!(commits < 18, "18 writes kept in {commits} commits: some shared one");
    }

    #[tokio::test]
    async fn a_dropped_first_write_rolls_back_alone_and_frees_the_turn() {
        let store = Store::new().await;
        let writer = store.writer(SOON).await;
        let mut write = writer.begin(false).await.unwrap();
        insert(&mut write, 1).await.unwrap();
        drop(write);
        commit_afresh(&writer, 2).await;
        assert_eq!(store.committed().await, vec![0, 2]);
    }

    #[tokio::test]
    async fn a_write_whose_caller_left_while_it_waited_for_the_commit_is_committed_with_its_group() {
        let (store, writer, first, second) = first_and_queued().await;
        let mut commit = Box::pin(first.commit());
        assert!(futures::poll!(&mut commit).is_pending(), "handed on to the write waiting, to commit with it");
        drop(commit);
        let mut second = second.await.unwrap().unwrap();
        assert!(!second.first, "in the first one's transaction");
        insert(&mut second, 2).await.unwrap();
        assert_eq!(store.committed().await, vec![0], "nothing committed before the group ends");
        second.commit().await.unwrap();
        assert_eq!(store.committed().await, vec![0, 1, 2]);
        commit_afresh(&writer, 3).await;
    }

    #[tokio::test]
    async fn a_failed_commit_fails_every_write_of_its_group_and_the_next_write_starts_afresh() {
        let (store, writer, first, second) = first_and_queued().await;
        let first_done = tokio::spawn(first.commit());
        let mut second = second.await.unwrap().unwrap();
        // Refused only at COMMIT: no parent 99.
        sqlx::query("INSERT INTO c (k) VALUES (99)").execute(&mut *second).await.unwrap();
        assert!(matches!(second.commit().await, Err(StoreError::NotCommitted(_))));
        assert!(matches!(first_done.await.unwrap(), Err(StoreError::NotCommitted(_))), "the write kept in the group hears the failure");
        assert_eq!(store.committed().await, vec![0]);
        commit_afresh(&writer, 3).await;
        assert_eq!(store.committed().await, vec![0, 3]);
    }

    #[tokio::test]
    async fn a_write_rolled_back_inside_a_group_undoes_only_itself_and_commits_the_others() {
        let (store, _writer, first, second) = first_and_queued().await;
        let first_done = tokio::spawn(first.commit());
        let mut second = second.await.unwrap().unwrap();
        insert(&mut second, 2).await.unwrap();
        second.abandon().await;
        assert_eq!(store.committed().await, vec![0, 1], "abandoned: the group is committed when it returns, without it");
        first_done.await.unwrap().unwrap();
    }

    #[tokio::test]
    async fn a_write_alone_commits_the_open_group_before_it_and_itself_after() {
        let store = Store::new().await;
        let writer = store.writer(SOON).await;
        let mut first = writer.begin(false).await.unwrap();
        insert(&mut first, 1).await.unwrap();
        let alone = queued(&writer, true).await;
        let first_done = tokio::spawn(first.commit());
        let mut alone = alone.await.unwrap().unwrap();
        assert!(alone.first, "a transaction of its own");
        first_done.await.unwrap().unwrap();
        assert_eq!(store.committed().await, vec![0, 1], "the group before it committed without waiting for it");
        insert(&mut alone, 2).await.unwrap();
        let third = queued(&writer, false).await;
        alone.commit().await.unwrap();
        assert_eq!(store.committed().await, vec![0, 1, 2], "committed on its own, though a write was waiting");
        assert!(third.await.unwrap().unwrap().first);
    }

    #[tokio::test]
    async fn a_write_that_waits_past_the_lock_wait_is_busy_and_the_turn_still_comes_round() {
        let store = Store::new().await;
        let writer = store.writer(Duration::from_millis(100)).await;
        let mut holder = writer.begin(false).await.unwrap();
        insert(&mut holder, 1).await.unwrap();
        assert!(matches!(writer.begin(false).await, Err(StoreError::Busy)));
        holder.commit().await.unwrap();
        commit_afresh(&writer, 2).await;
        assert_eq!(store.committed().await, vec![0, 1, 2]);
        assert_eq!(writer.0.waiting.load(Ordering::SeqCst), 0);
    }
}
