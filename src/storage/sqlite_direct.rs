//! SQLite reads of one row by a unique key, answered on the calling thread.
//!
//! sqlx runs each SQLite query on the connection's own thread: the query goes there and its
//! answer comes back, two thread wake-ups (and the kernel's context switches behind them) per
//! query. For the lookups identity providers make most, a user by id and by user name (before
//! every create and update), that hand-over cost more than the query: in a profile of `userName
//! eq` filters, SQLite's own work was 12% of the CPU and handing queries over about 20% more.
//! Those lookups are read here instead, through SQLite's C API on the thread that asks: one row
//! off a unique index, tens of microseconds, less than writing its answer out.
//!
//! The price: the request's thread (one of as many as there are cores) waits for SQLite. That is
//! short only while the row's pages are in memory; on a cold store (just started, larger than
//! memory) a lookup can wait for a dozen page reads from disk, and another process recovering
//! the WAL after a crash can keep it waiting longer. The pool's readers would wait as long, on
//! their own threads, while this thread served other requests. Connections are opened beside
//! the requests (on a blocking thread), never on the request's.
//!
//! Only what can be answered at once is: whatever is unusual (the store busy, a statement that
//! does not prepare, a value of an unexpected type) returns `Direct::Elsewhere`, and the caller
//! reads the usual way through sqlx, which answers it or reports the error as always. A call
//! runs to its end before it returns (nothing here awaits), so a client hanging up cannot leave
//! a statement half-stepped, and each statement is reset (its read transaction ended) before its
//! connection goes back.

use std::collections::HashMap;
use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libsqlite3_sys as ffi;

/// Idle connections kept, at least (or one per core when there are more). Calls run on the
/// runtime's worker threads and never wait, so no more run at once than there are threads; a
/// connection given back past this is closed.
const MOST_IDLE: usize = 16;

/// What a direct read came to.
#[derive(Debug, PartialEq)]
pub enum Direct<T> {
    Found(T),
    /// The store holds no such row.
    Missing,
    /// Not answered here: read it the usual way.
    Elsewhere,
}

/// Read connections to one database file, used one thread at a time each.
pub struct DirectReads(Arc<Shared>);

struct Shared {
    path: CString,
    mmap_bytes: u64,
    idle: Mutex<Vec<Connection>>,
    /// Idle connections kept: a thread that calls at once with all others, at the least.
    most_idle: usize,
    /// Set while a connection is being opened beside the requests (see `open_beside`).
    opening: AtomicBool,
    /// Unexpected failures since the last warning, and when that was: a cause that lasts is
    /// logged once a minute with its count, not once a request.
    failures: AtomicU64,
    warned_at: Mutex<Option<Instant>>,
    /// Reads answered here (found or missing), for the tests to see that they are.
    #[cfg(test)]
    answered: AtomicU64,
}

impl std::fmt::Debug for DirectReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReads").field("path", &self.0.path).finish_non_exhaustive()
    }
}

impl DirectReads {
    /// Reads of the database file at `path`, each connection mapping up to `mmap_bytes` of it
    /// (as the pool's readers do), with one connection open. None (and every read through the
    /// pool) when that connection cannot be opened, or this SQLite was built without threads.
    pub fn new(path: &Path, mmap_bytes: u64) -> Option<DirectReads> {
        super::sqlite_config::configure_sqlite();
        // SAFETY: no arguments; reads a compile-time setting.
        if unsafe { ffi::sqlite3_threadsafe() } == 0 {
            return None;
        }
        let path = CString::new(path.to_str()?).ok()?;
        let first = Connection::open(&path, mmap_bytes)
            .inspect_err(|why| tracing::warn!(%why, "direct SQLite reads are off: every read goes through the pool"))
            .ok()?;
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        Some(DirectReads(Arc::new(Shared {
            path,
            mmap_bytes,
            idle: Mutex::new(vec![first]),
            most_idle: MOST_IDLE.max(threads),
            opening: AtomicBool::new(false),
            failures: AtomicU64::new(0),
            warned_at: Mutex::new(None),
            #[cfg(test)]
            answered: AtomicU64::new(0),
        })))
    }

    /// Closes the idle connections (see `Readers::close_idle`); the next read opens a new one.
    pub fn close_idle(&self) {
        let idle = std::mem::take(&mut *self.0.idle.lock().unwrap_or_else(|p| p.into_inner()));
        drop(idle);
    }

    /// The row `sql` selects with `key` bound to its one parameter, through `decode` (None when
    /// a value is not what it expects). `sql` must select by a unique key: only its first row
    /// is read.
    pub fn one_row<T>(&self, sql: &str, key: &str, decode: impl FnOnce(&Row<'_>) -> Option<T>) -> Direct<T> {
        let shared = &self.0;
        let idle = shared.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let Some(mut connection) = idle else {
            self.open_beside();
            return Direct::Elsewhere;
        };
        let read = connection.one_row(sql, key, decode);
        match read {
            Ok(read) => {
                #[cfg(test)]
                shared.answered.fetch_add(1, Ordering::Relaxed);
                shared.give_back(connection);
                read
            }
            // Busy is expected now and then (another process recovering the WAL); the
            // connection is fine, and so is one that read a value it did not expect.
            Err(Failure::Busy) => {
                shared.give_back(connection);
                Direct::Elsewhere
            }
            Err(Failure::Unexpected(why)) => {
                shared.give_back(connection);
                shared.unexpected(why);
                Direct::Elsewhere
            }
            // Anything else closes the connection; the next read opens a fresh one.
            Err(Failure::Broken(why)) => {
                shared.unexpected(why);
                Direct::Elsewhere
            }
        }
    }

    /// Opens a connection for the idle list on a blocking thread, when none is being opened:
    /// opening it (and reading the schema, see `Connection::open`) is file work no request's
    /// thread should wait for. After a failed open, none is tried for `RETRY_OPEN_AFTER`.
    /// (Without a runtime, nothing is opened: reads go through the pool.)
    fn open_beside(&self) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        if self.0.opening.swap(true, Ordering::AcqRel) {
            return;
        }
        // Clears `opening` however the task ends: run, dropped unrun (the runtime shutting
        // down), or never started (no thread for it).
        struct Opening(Arc<Shared>);
        impl Drop for Opening {
            fn drop(&mut self) {
                self.0.opening.store(false, Ordering::Release);
            }
        }
        let opening = Opening(self.0.clone());
        let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            runtime.spawn_blocking(move || {
                let shared = &opening.0;
                match Connection::open(&shared.path, shared.mmap_bytes) {
                    Ok(connection) => shared.give_back(connection),
                    Err(why) => {
                        shared.unexpected(why);
                        std::thread::sleep(RETRY_OPEN_AFTER);
                    }
                }
                drop(opening);
            })
        }));
        if started.is_err() {
            tracing::warn!("no thread could be started to open a direct SQLite read connection");
        }
    }
}

impl Shared {
    /// Puts `connection` back in the idle list, or closes it when the list is full.
    fn give_back(&self, connection: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.most_idle {
            idle.push(connection);
        }
    }

    fn unexpected(&self, why: String) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let mut warned_at = self.warned_at.lock().unwrap_or_else(|p| p.into_inner());
        if warned_at.is_none_or(|at| at.elapsed() >= WARN_EVERY) {
            *warned_at = Some(Instant::now());
            let failures = self.failures.swap(0, Ordering::Relaxed);
            tracing::warn!(%why, failures, "direct SQLite reads failed (since the last warning): they went through the pool");
        }
    }
}

/// How often lasting failures of direct reads are logged.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// How long after a connection failed to open the next is tried.
const RETRY_OPEN_AFTER: Duration = Duration::from_secs(5);

enum Failure {
    /// The store could not be read at once.
    Busy,
    /// The statement or its row was not what this reads; the connection is fine.
    Unexpected(String),
    /// The connection may not be fine.
    Broken(String),
}

/// One SQLite connection and its prepared statements.
struct Connection {
    db: *mut ffi::sqlite3,
    statements: HashMap<String, Statement>,
}

// SAFETY: the connection is opened in SQLite's multi-thread mode (NOMUTEX), in which a
// connection and its statements may move between threads as long as no two use them at once.
// A `Connection` is used only through `&mut` (it is taken out of the idle list for a read), so
// one thread at a time.
unsafe impl Send for Connection {}

struct Statement {
    handle: *mut ffi::sqlite3_stmt,
    /// Column names, by index.
    columns: Vec<String>,
}

impl Connection {
    fn open(path: &CStr, mmap_bytes: u64) -> Result<Connection, String> {
        let mut db = std::ptr::null_mut();
        // No CREATE: the store's `open` has created and migrated the file.
        let flags = ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_NOMUTEX;
        // SAFETY: `path` is a NUL-terminated string; SQLite writes a handle (possibly to a
        // failed connection, which must still be closed) into `db`.
        let code = unsafe { ffi::sqlite3_open_v2(path.as_ptr(), &mut db, flags, std::ptr::null()) };
        // From here the handle is closed when `connection` drops, whatever happens.
        let connection = Connection { db, statements: HashMap::new() };
        if code != ffi::SQLITE_OK {
            return Err(format!("opening the store: {}", connection.error_message()));
        }
        // query_only: nothing read through here can write, whatever the statement. The SELECT
        // reads the schema now (SQLite would at the first statement, on a request's thread).
        connection.execute(&format!("PRAGMA query_only = ON; PRAGMA mmap_size = {mmap_bytes}; SELECT 1 FROM sqlite_schema LIMIT 1;"))?;
        Ok(connection)
    }

    /// Runs `sql`, statements without results.
    fn execute(&self, sql: &str) -> Result<(), String> {
        let sql = CString::new(sql).map_err(|e| e.to_string())?;
        // SAFETY: `db` is an open connection, `sql` NUL-terminated; no callback.
        let code = unsafe { ffi::sqlite3_exec(self.db, sql.as_ptr(), None, std::ptr::null_mut(), std::ptr::null_mut()) };
        if code == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.error_message())
        }
    }

    fn error_message(&self) -> String {
        error_message(self.db)
    }

    /// `sql`, prepared once per connection and kept.
    fn statement(&mut self, sql: &str) -> Result<&Statement, Failure> {
        if !self.statements.contains_key(sql) {
            let statement = self.prepare(sql)?;
            self.statements.insert(sql.to_string(), statement);
        }
        Ok(&self.statements[sql])
    }

    fn prepare(&self, sql: &str) -> Result<Statement, Failure> {
        let length = c_int::try_from(sql.len()).map_err(|_| Failure::Unexpected("the statement is too long".into()))?;
        let mut handle = std::ptr::null_mut();
        // SAFETY: `sql` is valid for `length` bytes (no NUL needed when the length is given);
        // SQLite writes a statement handle, or null, into `handle`.
        let code = unsafe {
            ffi::sqlite3_prepare_v3(self.db, sql.as_ptr().cast(), length, ffi::SQLITE_PREPARE_PERSISTENT, &mut handle, std::ptr::null_mut())
        };
        if code != ffi::SQLITE_OK || handle.is_null() {
            let why = format!("preparing {sql:?}: {}", self.error_message());
            // Reading the schema can meet a busy store; out of memory or an I/O error may have
            // left the connection unfit; anything else is the statement's own fault.
            return Err(match code & 0xff {
                ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => Failure::Busy,
                ffi::SQLITE_OK | ffi::SQLITE_ERROR | ffi::SQLITE_RANGE => Failure::Unexpected(why),
                _ => Failure::Broken(why),
            });
        }
        // Owned from here: finalised on every way out (see its drop).
        let mut statement = Statement { handle, columns: Vec::new() };
        // SAFETY: `handle` is a prepared statement of this connection.
        let (parameters, count) = unsafe { (ffi::sqlite3_bind_parameter_count(handle), ffi::sqlite3_column_count(handle)) };
        if parameters != 1 {
            return Err(Failure::Unexpected(format!("{sql:?} takes {parameters} parameters, not one")));
        }
        for index in 0..count {
            // SAFETY: `index` is below the column count; the name is NUL-terminated and valid
            // until the statement is finalised (copied at once). Null only when out of memory.
            let name = unsafe { ffi::sqlite3_column_name(handle, index) };
            if name.is_null() {
                return Err(Failure::Broken("a column name could not be read (out of memory)".into()));
            }
            statement.columns.push(unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned());
        }
        Ok(statement)
    }

    fn one_row<T>(&mut self, sql: &str, key: &str, decode: impl FnOnce(&Row<'_>) -> Option<T>) -> Result<Direct<T>, Failure> {
        let db = self.db;
        let statement = self.statement(sql)?;
        let length = c_int::try_from(key.len()).map_err(|_| Failure::Unexpected("the key is too long".into()))?;
        let handle = statement.handle;
        // Resets the statement and forgets the key on every way out, a panic in `decode`
        // included: the key is bound without a copy, and a statement left stepped would hold
        // its read transaction open (and keep the WAL from starting over).
        let _reset = Reset(handle);
        // SAFETY: `handle` is a statement of this connection with one parameter; `key` is valid
        // for `length` bytes and outlives the binding (SQLITE_STATIC), which `_reset` clears.
        // An empty key is bound as a valid pointer to no bytes (an empty slice's may dangle).
        let text = if key.is_empty() { c"".as_ptr() } else { key.as_ptr().cast() };
        let bound = unsafe { ffi::sqlite3_bind_text(handle, 1, text, length, ffi::SQLITE_STATIC()) };
        if bound != ffi::SQLITE_OK {
            return Err(Failure::Broken(format!("binding the key: code {bound}")));
        }
        // SAFETY: a bound statement of this connection, used by this thread only.
        match unsafe { ffi::sqlite3_step(handle) } {
            ffi::SQLITE_ROW => match decode(&Row { handle, columns: &statement.columns }) {
                Some(value) => Ok(Direct::Found(value)),
                None => Err(Failure::Unexpected(format!("a row of {sql:?} held a value of an unexpected type"))),
            },
            ffi::SQLITE_DONE => Ok(Direct::Missing),
            code if code & 0xff == ffi::SQLITE_BUSY || code & 0xff == ffi::SQLITE_LOCKED => Err(Failure::Busy),
            code => Err(Failure::Broken(format!("reading {sql:?}: code {code}: {}", error_message(db)))),
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.statements.clear();
        // SAFETY: `db` came from sqlite3_open_v2 (null is allowed) and is closed once, after
        // its statements are finalised (which sqlite3_close needs to succeed).
        unsafe { ffi::sqlite3_close(self.db) };
    }
}

impl Drop for Statement {
    fn drop(&mut self) {
        // SAFETY: a statement of a connection still open (see `Connection`'s drop), finalised once.
        unsafe { ffi::sqlite3_finalize(self.handle) };
    }
}

/// The last error of connection `db`.
fn error_message(db: *mut ffi::sqlite3) -> String {
    // SAFETY: SQLite returns a NUL-terminated message owned by the connection (or a static one
    // for a null connection), valid until the next call on it; copied at once.
    unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }.to_string_lossy().into_owned()
}

/// Resets a statement and clears its bindings when dropped.
struct Reset(*mut ffi::sqlite3_stmt);

impl Drop for Reset {
    fn drop(&mut self) {
        // SAFETY: a live statement of the connection in use by this thread.
        unsafe {
            ffi::sqlite3_reset(self.0);
            ffi::sqlite3_clear_bindings(self.0);
        }
    }
}

/// The row a statement stands on; its values are read by column name.
pub struct Row<'s> {
    handle: *mut ffi::sqlite3_stmt,
    columns: &'s [String],
}

impl Row<'_> {
    /// The column named `name` and its value's type.
    fn column(&self, name: &str) -> Option<(c_int, c_int)> {
        let index = c_int::try_from(self.columns.iter().position(|c| c == name)?).ok()?;
        // SAFETY: `index` is one of the statement's columns; the statement stands on a row.
        Some((index, unsafe { ffi::sqlite3_column_type(self.handle, index) }))
    }

    /// A text value; None for another type or a NULL.
    pub fn text(&self, name: &str) -> Option<String> {
        let (index, kind) = self.column(name)?;
        if kind != ffi::SQLITE_TEXT {
            return None;
        }
        // SAFETY: a TEXT value: its UTF-8 bytes stay valid until the statement steps, resets or
        // is finalised, none of which happens while `self` borrows it; copied at once. The text
        // must be asked for before its length.
        unsafe {
            let text = ffi::sqlite3_column_text(self.handle, index);
            let length = usize::try_from(ffi::sqlite3_column_bytes(self.handle, index)).ok()?;
            // Null for a TEXT value only when SQLite ran out of memory.
            if text.is_null() {
                return None;
            }
            std::str::from_utf8(std::slice::from_raw_parts(text, length)).ok().map(str::to_string)
        }
    }

    /// A text value or NULL (`Some(None)`); None for another type.
    pub fn optional_text(&self, name: &str) -> Option<Option<String>> {
        match self.column(name)? {
            (_, ffi::SQLITE_NULL) => Some(None),
            _ => self.text(name).map(Some),
        }
    }

    /// An integer value; None for another type or a NULL.
    pub fn integer(&self, name: &str) -> Option<i64> {
        let (index, kind) = self.column(name)?;
        // SAFETY: as in `column`.
        (kind == ffi::SQLITE_INTEGER).then(|| unsafe { ffi::sqlite3_column_int64(self.handle, index) })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A new store file's path, the file removed with its WAL when dropped.
    pub(crate) struct File(pub(crate) std::path::PathBuf);

    impl File {
        pub(crate) fn new() -> File {
            File(std::env::temp_dir().join(format!("cim-direct-{}.db", uuid::Uuid::new_v4())))
        }
    }

    impl Drop for File {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
            }
        }
    }

    /// A store file with one table of two rows, and direct reads of it.
    fn store() -> (File, DirectReads) {
        let file = File::new();
        let setup = Connection::open_creating(&file.0);
        setup
            .execute(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, s TEXT); \
                 INSERT INTO t VALUES ('a', 1, 'één'), ('b', 2, NULL);",
            )
            .unwrap();
        let reads = DirectReads::new(&file.0, 1 << 20).unwrap();
        (file, reads)
    }

    impl Connection {
        fn open_creating(path: &Path) -> Connection {
            crate::storage::sqlite_config::configure_sqlite();
            let path = CString::new(path.to_str().unwrap()).unwrap();
            let mut db = std::ptr::null_mut();
            let flags = ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE;
            assert_eq!(unsafe { ffi::sqlite3_open_v2(path.as_ptr(), &mut db, flags, std::ptr::null()) }, ffi::SQLITE_OK);
            Connection { db, statements: HashMap::new() }
        }
    }

    impl DirectReads {
        pub(crate) fn answered(&self) -> u64 {
            self.0.answered.load(Ordering::Relaxed)
        }

        fn idle_count(&self) -> usize {
            self.0.idle.lock().unwrap().len()
        }

        /// Whether every idle connection's statements are reset (none holds a read open).
        fn all_at_rest(&self) -> bool {
            let idle = self.0.idle.lock().unwrap();
            idle.iter().all(|c| c.statements.values().all(|s| unsafe { ffi::sqlite3_stmt_busy(s.handle) } == 0))
        }
    }

    const SELECT: &str = "SELECT n, s FROM t WHERE k = $1";

    fn pair(row: &Row<'_>) -> Option<(i64, Option<String>)> {
        Some((row.integer("n")?, row.optional_text("s")?))
    }

    #[test]
    fn a_row_is_read_by_its_key_and_a_missing_one_is_missing() {
        let (_file, reads) = store();
        assert_eq!(reads.one_row(SELECT, "a", pair), Direct::Found((1, Some("één".to_string()))));
        assert_eq!(reads.one_row(SELECT, "b", pair), Direct::Found((2, None)));
        assert_eq!(reads.one_row(SELECT, "c", pair), Direct::Missing);
        assert_eq!(reads.one_row(SELECT, "", pair), Direct::Missing);
        assert_eq!(reads.answered(), 4);
        assert_eq!(reads.idle_count(), 1, "one connection, back after each read");
        assert!(reads.all_at_rest(), "no statement left holding a read");
    }

    #[test]
    fn what_is_unusual_is_left_to_the_usual_way_and_the_connection_kept() {
        let (_file, reads) = store();
        // A value of another type than asked, a statement that does not prepare, one that
        // does not take one key.
        assert_eq!(reads.one_row(SELECT, "a", |row| row.text("n")), Direct::Elsewhere);
        assert_eq!(reads.one_row("SELECT nothing FROM nowhere WHERE k = $1", "a", pair), Direct::Elsewhere);
        assert_eq!(reads.one_row("SELECT n, s FROM t", "a", pair), Direct::Elsewhere);
        assert_eq!((reads.answered(), reads.idle_count()), (0, 1));
        assert!(reads.all_at_rest());
        assert_eq!(reads.one_row(SELECT, "a", pair), Direct::Found((1, Some("één".to_string()))));
    }

    /// Reads `key` once a connection is open again (one is opened beside the requests).
    async fn read_when_open(reads: &DirectReads, key: &str) -> Direct<(i64, Option<String>)> {
        for _ in 0..500 {
            match reads.one_row(SELECT, key, pair) {
                Direct::Elsewhere => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
                read => return read,
            }
        }
        panic!("no connection was opened again");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn nothing_can_be_written_through_it_and_a_failed_connection_is_replaced() {
        let (_file, reads) = store();
        let insert = "INSERT INTO t (k) VALUES ($1) RETURNING n";
        assert_eq!(reads.one_row(insert, "z", |row| Some(row.optional_text("n"))), Direct::Elsewhere);
        assert_eq!(reads.idle_count(), 0, "the connection that failed is closed");
        assert_eq!(read_when_open(&reads, "z").await, Direct::Missing);
        assert_eq!(read_when_open(&reads, "a").await, Direct::Found((1, Some("één".to_string()))));
        assert_eq!(reads.idle_count(), 1);
    }

    #[test]
    fn a_read_ends_its_transaction_so_later_writes_show() {
        let (file, reads) = store();
        assert_eq!(reads.one_row(SELECT, "a", pair), Direct::Found((1, Some("één".to_string()))));
        assert!(reads.all_at_rest());
        let writer = Connection::open_creating(&file.0);
        writer.execute("UPDATE t SET n = 10 WHERE k = 'a'").unwrap();
        assert_eq!(reads.one_row(SELECT, "a", pair), Direct::Found((10, Some("één".to_string()))));
    }
}
