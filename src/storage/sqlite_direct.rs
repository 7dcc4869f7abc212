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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use libsqlite3_sys as ffi;

/// Idle connections kept. Calls run on the runtime's worker threads and never wait, so no more
/// run at once than there are threads; one opened past this is closed after its read.
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
pub struct DirectReads {
    path: CString,
    mmap_bytes: u64,
    idle: Mutex<Vec<Connection>>,
    /// Whether an unexpected failure was logged already: a cause that lasts would otherwise log
    /// once a request.
    warned: AtomicBool,
}

impl std::fmt::Debug for DirectReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReads").field("path", &self.path).finish_non_exhaustive()
    }
}

impl DirectReads {
    /// Reads of the database file at `path`, each connection mapping up to `mmap_bytes` of it
    /// (as the pool's readers do). None for a path SQLite could not be given.
    pub fn new(path: &Path, mmap_bytes: u64) -> Option<DirectReads> {
        super::sqlite_config::configure_sqlite();
        let path = CString::new(path.to_str()?).ok()?;
        Some(DirectReads { path, mmap_bytes, idle: Mutex::new(Vec::new()), warned: AtomicBool::new(false) })
    }

    /// Closes the idle connections (see `Readers::close_idle`).
    pub fn close_idle(&self) {
        let idle = std::mem::take(&mut *self.idle.lock().unwrap_or_else(|p| p.into_inner()));
        drop(idle);
    }

    /// The row `sql` selects with `key` bound to its one parameter, through `decode` (None when
    /// a value is not what it expects). `sql` must select by a unique key: only its first row
    /// is read.
    pub fn one_row<T>(&self, sql: &str, key: &str, decode: impl FnOnce(&Row<'_>) -> Option<T>) -> Direct<T> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut connection = match idle {
            Some(connection) => connection,
            None => match Connection::open(&self.path, self.mmap_bytes) {
                Ok(connection) => connection,
                Err(why) => return self.unexpected(why),
            },
        };
        match connection.one_row(sql, key, decode) {
            Ok(read) => {
                let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
                if idle.len() < MOST_IDLE {
                    idle.push(connection);
                }
                read
            }
            // Busy is expected now and then (a WAL being recovered); the connection is fine.
            Err(Failure::Busy) => {
                self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(connection);
                Direct::Elsewhere
            }
            // Anything else closes the connection: the next read opens a fresh one.
            Err(Failure::Other(why)) => self.unexpected(why),
        }
    }

    fn unexpected<T>(&self, why: String) -> Direct<T> {
        if !self.warned.swap(true, Ordering::Relaxed) {
            tracing::warn!(%why, "a direct SQLite read failed: such reads go through the pool (logged once)");
        }
        Direct::Elsewhere
    }
}

enum Failure {
    Busy,
    Other(String),
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
        // query_only: nothing read through here can write, whatever the statement.
        connection.execute(&format!("PRAGMA query_only = ON; PRAGMA mmap_size = {mmap_bytes};"))?;
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
        // SAFETY: SQLite returns a NUL-terminated message owned by the connection (or a static
        // one for a null connection), valid until the next call on it; copied at once.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }.to_string_lossy().into_owned()
    }

    /// `sql`, prepared once per connection and kept.
    fn statement(&mut self, sql: &str) -> Result<&Statement, Failure> {
        if !self.statements.contains_key(sql) {
            let statement = self.prepare(sql).map_err(Failure::Other)?;
            self.statements.insert(sql.to_string(), statement);
        }
        Ok(&self.statements[sql])
    }

    fn prepare(&self, sql: &str) -> Result<Statement, String> {
        let length = c_int::try_from(sql.len()).map_err(|_| "the statement is too long".to_string())?;
        let mut handle = std::ptr::null_mut();
        // SAFETY: `sql` is valid for `length` bytes (no NUL needed when the length is given);
        // SQLite writes a statement handle, or null, into `handle`.
        let code = unsafe {
            ffi::sqlite3_prepare_v3(self.db, sql.as_ptr().cast(), length, ffi::SQLITE_PREPARE_PERSISTENT, &mut handle, std::ptr::null_mut())
        };
        if code != ffi::SQLITE_OK || handle.is_null() {
            return Err(format!("preparing {sql:?}: {}", self.error_message()));
        }
        // Owned from here: finalised on every way out (see its drop).
        let mut statement = Statement { handle, columns: Vec::new() };
        // SAFETY: `handle` is a prepared statement of this connection.
        let (parameters, count) = unsafe { (ffi::sqlite3_bind_parameter_count(handle), ffi::sqlite3_column_count(handle)) };
        if parameters != 1 {
            return Err(format!("{sql:?} takes {parameters} parameters, not one"));
        }
        for index in 0..count {
            // SAFETY: `index` is below the column count; the name is NUL-terminated and valid
            // until the statement is finalised (copied at once). Null only when out of memory.
            let name = unsafe { ffi::sqlite3_column_name(handle, index) };
            if name.is_null() {
                return Err("a column name could not be read".into());
            }
            statement.columns.push(unsafe { CStr::from_ptr(name) }.to_string_lossy().into_owned());
        }
        Ok(statement)
    }

    fn one_row<T>(&mut self, sql: &str, key: &str, decode: impl FnOnce(&Row<'_>) -> Option<T>) -> Result<Direct<T>, Failure> {
        let db = self.db;
        let statement = self.statement(sql)?;
        let length = c_int::try_from(key.len()).map_err(|_| Failure::Other("the key is too long".into()))?;
        let handle = statement.handle;
        // Resets the statement and forgets the key on every way out, a panic in `decode`
        // included: the key is bound without a copy, and a statement left stepped would hold
        // its read transaction open (and keep the WAL from starting over).
        let _reset = Reset(handle);
        // SAFETY: `handle` is a statement of this connection with one parameter; `key` is valid
        // for `length` bytes and outlives the binding (SQLITE_STATIC), which `_reset` clears.
        let bound = unsafe { ffi::sqlite3_bind_text(handle, 1, key.as_ptr().cast(), length, ffi::SQLITE_STATIC()) };
        if bound != ffi::SQLITE_OK {
            return Err(Failure::Other(format!("binding the key: code {bound}")));
        }
        // SAFETY: a bound statement of this connection, used by this thread only.
        match unsafe { ffi::sqlite3_step(handle) } {
            ffi::SQLITE_ROW => match decode(&Row { handle, columns: &statement.columns }) {
                Some(value) => Ok(Direct::Found(value)),
                None => Err(Failure::Other(format!("a row of {sql:?} held a value of an unexpected type"))),
            },
            ffi::SQLITE_DONE => Ok(Direct::Missing),
            code if code & 0xff == ffi::SQLITE_BUSY || code & 0xff == ffi::SQLITE_LOCKED => Err(Failure::Busy),
            code => {
                // SAFETY: as in `error_message`.
                let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(db)) }.to_string_lossy().into_owned();
                Err(Failure::Other(format!("reading {sql:?}: code {code}: {message}")))
            }
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
            if text.is_null() {
                return (length == 0).then(String::new);
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
mod tests {
    use super::*;

    /// A store file, removed with its WAL when dropped.
    struct File(std::path::PathBuf);

    impl Drop for File {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
            }
        }
    }

    /// A store file with one table of two rows, and direct reads of it.
    fn store() -> (File, DirectReads) {
        let path = std::env::temp_dir().join(format!("cim-direct-{}.db", uuid::Uuid::new_v4()));
        let setup = Connection::open_creating(&path);
        setup
            .execute(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (k TEXT PRIMARY KEY, n INTEGER, s TEXT); \
                 INSERT INTO t VALUES ('a', 1, 'één'), ('b', 2, NULL);",
            )
            .unwrap();
        (File(path.clone()), DirectReads::new(&path, 1 << 20).unwrap())
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

    const SELECT: &str = "SELECT n, s FROM t WHERE k = $1";

    fn pair(row: &Row<'_>) -> Option<(i64, Option<String>)> {
        Some((row.integer("n")?, row.optional_text("s")?))
    }

    #[test]
    fn a_row_is_read_by_its_key_and_a_missing_one_is_missing() {
        let (_dir, reads) = store();
        assert_eq!(reads.one_row(SELECT, "a", pair), Direct::Found((1, Some("één".to_string()))));
        assert_eq!(reads.one_row(SELECT, "b", pair), Direct::Found((2, None)));
        assert_eq!(reads.one_row(SELECT, "c", pair), Direct::Missing);
        assert_eq!(reads.idle.lock().unwrap().len(), 1, "one connection, back after each read");
    }

    #[test]
    fn what_is_unusual_is_left_to_the_usual_way() {
        let (_dir, reads) = store();
        // A value of another type than asked, a statement that does not prepare, one that
        // does not take one key.
        assert_eq!(reads.one_row(SELECT, "a", |row| row.text("n")), Direct::Elsewhere);
        assert_eq!(reads.one_row("SELECT nothing FROM nowhere WHERE k = $1", "a", pair), Direct::Elsewhere);
        assert_eq!(reads.one_row("SELECT n, s FROM t", "a", pair), Direct::Elsewhere);
        // A failed read closes its connection; the next one reads again.
        assert_eq!(reads.one_row(SELECT, "a", pair), Direct::Found((1, Some("één".to_string()))));
    }

    #[test]
    fn nothing_can_be_written_through_it() {
        let (_dir, reads) = store();
        let insert = "INSERT INTO t (k) VALUES ($1) RETURNING n";
        assert_eq!(reads.one_row(insert, "z", |row| Some(row.optional_text("n"))), Direct::Elsewhere);
        assert_eq!(reads.one_row(SELECT, "z", pair), Direct::Missing);
    }

    #[test]
    fn a_read_ends_its_transaction_so_later_writes_show() {
        let (file, reads) = store();
        assert_eq!(reads.one_row(SELECT, "a", pair), Direct::Found((1, Some("één".to_string()))));
        let writer = Connection::open_creating(&file.0);
        writer.execute("UPDATE t SET n = 10 WHERE k = 'a'").unwrap();
        assert_eq!(reads.one_row(SELECT, "a", pair), Direct::Found((10, Some("één".to_string()))));
    }
}
