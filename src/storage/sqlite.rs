//! The SQLite backend: the embedded default, one file, one writer at a time (WAL mode).
//! Its statements are the shared ones in `sql/`; `dialect` holds what SQLite says differently.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

use super::sqlite_direct::DirectReads;
use super::sqlite_writer::{Write, Writer};
use super::Workload;

type Db = sqlx::Sqlite;
/// Reads run on `Readers`, writes on the `Writer`'s one connection.
type Pool = super::sqlite_readers::Readers;

/// Connections that read side by side (writes have one connection of their own).
const POOL_SIZE: usize = 8;

/// How much of the database file reads may map (address space, not memory).
const MMAP_BYTES: u64 = 16 << 30;

/// Rows a read connection's thread may hand over before the reader takes them (sqlx's default
/// is 50): a SCIM page of 100 users then goes over without that thread stopping halfway to
/// wait for the request's task, each stop costing two thread wake-ups.
const ROWS_IN_FLIGHT: usize = 256;

/// WAL pages after which a commit copies the WAL into the database file (SQLite's default is
/// 1,000). The copy runs inside that commit, on the one writer, so every write waits for it; ten
/// times fewer copies write the pages every write touches (the audit trail's last pages, the
/// indexes' hot pages) ten times less often: PATCH and POST gained about a quarter, for a WAL of
/// about 40 MB and a longer pause once in 10,000 pages. (Leaving every copy to a checkpointer
/// beside the writer, with none in the writer, was faster still but never let the WAL start over
/// under steady writes: it grew past 1 GB in 40 s. `keep_syncing` only adds a sync.)
const CHECKPOINT_PAGES: u32 = 10_000;

/// The writer's page cache, in KiB, in a process that loads many rows (`cim demo-data`, `cim
/// import`); SQLite's default is 2 MB. A load inserts into every index of users, grants and
/// search terms at random places: once those indexes outgrow the cache, nearly every insert
/// reads its pages back from the kernel and writes them out again. The cache fills only as far
/// as the load needs. At 1,000,000 users (4 GB of store) 512 MB took the load 317 s, 2 GB 273 s
/// (at most 6.3 GB resident, the generated users included). Not for the server: its writer's cache starts over whenever the WAL
/// does (every `CHECKPOINT_PAGES`), and emptying a large one each time cost POST a quarter.
const BULK_LOAD_CACHE_KIB: u32 = 2048 * 1024;

#[derive(Clone, Debug)]
pub struct Backend {
    pool: Pool,
    /// The connection write transactions run on, one at a time, several to a commit. Writers
    /// of this process take turns there, in arrival order, before SQLite's own lock: waiting on
    /// SQLite's lock polls with growing sleeps (1 ms up to 100 ms), which under load left the
    /// lock idle most of the time. Other processes (the command line) still meet SQLite's lock
    /// and its busy timeout. It reads without mmap: a writer mapping the file it grows remaps
    /// it again and again, which cost writes about a sixth of their rate.
    writer: Writer,
    /// The lookups of one user, read on the thread that asks (see `sqlite_direct`).
    direct: Option<Arc<DirectReads>>,
}

/// One write transaction (see `sqlite_writer`). Dropped without commit, it rolls back.
pub struct Tx {
    tx: Write,
}

impl Tx {
    pub async fn commit(self) -> StoreResult<()> {
        self.tx.commit().await
    }

    pub async fn abandon(self) {
        self.tx.abandon().await
    }
}

impl Backend {
    /// Opens (creating if needed) and migrates the database file named by `url`. A write waits
    /// at most `lock_wait` for the write lock, then fails as busy.
    pub async fn open(url: &str, lock_wait: Duration, workload: Workload) -> StoreResult<Backend> {
        super::sqlite_config::configure_sqlite();
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
        // Reads map the file instead of copying each page out of the kernel into every
        // connection's small page cache: that copying was most of a large read's time.
        // (SQLite caps it at its compiled limit; the WAL is still read the usual way.)
        let reads = options.clone().pragma("mmap_size", MMAP_BYTES.to_string()).row_buffer_size(ROWS_IN_FLIGHT);
        let mut migrating = sqlx::SqliteConnection::connect_with(&options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&mut migrating).await?;
        migrating.close().await?;
        let pool = Pool::new(reads, POOL_SIZE);
        // One reader now, so a store that cannot be read fails here, not at the first request.
        pool.acquire().await?.done();
        let mut writer = options.clone().pragma("wal_autocheckpoint", CHECKPOINT_PAGES.to_string());
        writer = match workload {
            Workload::BulkLoad => writer.pragma("cache_size", format!("-{BULK_LOAD_CACHE_KIB}")),
            // Statement journals (and temporary tables) in memory. A write of a group (see
            // `sqlite_writer`) runs in a savepoint inside the others', so every page it changes
            // that an earlier write of the group changed (the hot pages all writes share) is
            // copied into the statement journal first: at SQLite's default the journal of a
            // group of 16 POSTs spilled to a temporary file, created, written and deleted for
            // each commit, and that was most of the writer's time. A group's journal is a few
            // MB. (Raising SQLite's spill threshold for the whole process instead made the
            // million-user demo load fail with "database or disk is full".) Loads keep the
            // default: their single statements can journal far more.
            Workload::Serve => writer.pragma("temp_store", "MEMORY"),
        };
        let writer = Writer::open(writer, lock_wait).await?;
        let direct = plain_file(url, options.get_filename()).and_then(|path| DirectReads::new(path, MMAP_BYTES)).map(Arc::new);
        tokio::spawn(keep_syncing(options));
        Ok(Backend { pool, writer, direct })
    }

    /// Connections that read at once.
    pub fn max_connections(&self) -> usize {
        self.pool.size()
    }

    /// After an `ANALYZE`: SQLite's other connections keep the figures they read with the
    /// schema, so the idle readers are closed and reopened as needed.
    fn forget_planner_figures(&self) {
        self.pool.close_idle();
        if let Some(direct) = &self.direct {
            direct.close_idle();
        }
    }

    /// The user row `sql` selects by `key`, when it can be read on this thread.
    fn user_access_row_directly(&self, sql: &str, key: &str) -> Direct<UserAccessRow> {
        match &self.direct {
            Some(direct) => direct.one_row(sql, key, UserAccessRow::from_direct),
            None => Direct::Elsewhere,
        }
    }

    /// Starts a write: this process's turn first, then (for the first write of a group)
    /// SQLite's write lock. Waits at most the lock wait for either. (Run on a task of its own:
    /// see `Store::write`.)
    pub async fn write(&self) -> StoreResult<Tx> {
        self.begin(false).await
    }

    /// A write that commits on its own (see `Writer::begin`).
    pub async fn write_alone(&self) -> StoreResult<Tx> {
        self.begin(true).await
    }

    async fn begin(&self, alone: bool) -> StoreResult<Tx> {
        let writer = self.writer.clone();
        let tx = tokio::spawn(async move { writer.begin(alone).await }).await.map_err(|e| StoreError::Task(e.to_string()))??;
        Ok(Tx { tx })
    }
}

/// The file a store URL names, when it names nothing more: a URL with options (`?mode=`,
/// `?vfs=`, `?immutable=`) or an in-memory database is read only the way sqlx opens it.
fn plain_file<'p>(url: &str, filename: &'p std::path::Path) -> Option<&'p std::path::Path> {
    // sqlx names an in-memory database `file:sqlx-in-memory-N`.
    let name = filename.to_str()?;
    (!url.contains('?') && !name.is_empty() && !name.starts_with("file:")).then_some(filename)
}

/// How often committed writes are made safe from a power loss (see `keep_syncing`).
const SYNC_EVERY: Duration = Duration::from_secs(1);

/// Makes committed writes safe from a power loss at least once a second. With `synchronous =
/// NORMAL` a commit is written to the WAL (a process crash loses nothing) but synced only when
/// the WAL is next copied into the database file: every `CHECKPOINT_PAGES` pages, which on a
/// quiet store could be hours of writes. A PASSIVE checkpoint here syncs the WAL and copies what
/// it can beside the writes (it waits for no one and no one waits for it), so a power loss
/// undoes at most about the last second. (`synchronous = FULL`, a sync in every commit, cost
/// writes 40-45%.) Ends when its connection cannot be had.
async fn keep_syncing(options: SqliteConnectOptions) {
    let Ok(mut conn) = sqlx::SqliteConnection::connect_with(&options).await else { return };
    loop {
        tokio::time::sleep(SYNC_EVERY).await;
        if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn).await {
            tracing::warn!(error = %err, "syncing the WAL failed");
        }
    }
}

/// What SQLite says differently.
mod dialect {
    use sqlx::QueryBuilder;

    /// SQLite has one writer: the IMMEDIATE transaction already holds every row.
    pub const FOR_UPDATE: &str = "";
    pub const POSITION_FN: &str = "instr";
    /// A join whose left side drives: SQLite keeps the order of a CROSS JOIN, so the (few)
    /// search matches are read first and the users looked up by key.
    pub const DRIVING_JOIN: &str = "CROSS JOIN";
    /// The writer's page cache for a write of millions of rows at random places (the search
    /// terms' rebuild, once after a migration asks for it, before the server serves): as large
    /// as a bulk load's (see `Workload`), and back to the server's after. With SQLite's 2 MB,
    /// nearly every insert read its pages back from the kernel.
    pub const LARGE_WRITE_CACHE_KIB: Option<u32> = Some(super::BULK_LOAD_CACHE_KIB);
    pub const EXISTS_EMAIL: &str = "EXISTS (SELECT 1 FROM json_each(u.emails) e WHERE ";
    pub const EXISTS_ENTITLEMENT: &str = "EXISTS (SELECT 1 FROM json_each(u.extra, '$.entitlements') e WHERE ";
    pub const EMAIL_PRIMARY: &str = "coalesce(json_extract(e.value, '$.primary'), 0)";
    /// The aggregate of rows of `values` into one JSON array of arrays (text), `order` being
    /// empty or an ` ORDER BY ...` of the aggregate.
    pub fn json_rows(values: &str, order: &str) -> String {
        format!("coalesce(json_group_array(json_array({values}){order}), '[]')")
    }

    /// A text column holding JSON, as a JSON value inside `json_rows`.
    pub fn json_value(column: &str) -> String {
        format!("json({column})")
    }

    /// The elements of the JSON text array bound at `param`, as rows of `each.value`.
    pub fn json_elements(param: &str) -> String {
        format!("json_each({param}) AS each")
    }

    /// `insert`, a row into `table`, then `then`, which reads that row's id as `new.id`: two
    /// statements sent as one (each binds its own `$N`), so one round trip to the connection's
    /// thread. `then` must insert into a WITHOUT ROWID table (as the audit tags and search terms
    /// are): a row of a rowid table would move `last_insert_rowid()` under `new`. (The largest
    /// id instead, `max(id)`, measured a third slower.)
    pub fn insert_then(insert: &str, table: &str, then: &str) -> String {
        format!("{insert}; WITH new AS MATERIALIZED (SELECT id FROM {table} WHERE rowid = last_insert_rowid()) {then}")
    }

    /// A key of the current e-mail element, as text.
    pub fn email_element_text(key: &str) -> String {
        format!("json_extract(e.value, '$.{key}')")
    }

    /// The text at `keys` inside the JSON text in `column`.
    pub fn push_json_text(sql: &mut QueryBuilder<'_, super::Db>, column: &str, keys: &[String]) {
        let path = keys.iter().map(|k| format!("\"{}\"", k.replace(['"', '\\'], ""))).collect::<Vec<_>>().join(".");
        sql.push(format!("json_extract({column}, ")).push_bind(format!("$.{path}")).push(")");
    }

    /// SQLite's lower() folds ASCII letters only; a value compared with it is folded the same.
    pub fn fold_like_lower(text: &str) -> String {
        text.to_ascii_lowercase()
    }

    /// Writes the `number`th parameter of a statement written out parameter by parameter: plain
    /// `?`, numbered by its place. SQLite looks each named one (`$N`) up among those before it
    /// while it prepares the text (and sqlx reads each one's name when it binds): with the
    /// provisioning log's inserts of 4,800 parameters written `$N`, the writer spent so long on
    /// them that a 10,000-user batch took 12.5 s instead of 8.9 s and a SCIM GET's p99 doubled
    /// (6 ms against 3).
    pub fn push_parameter(sql: &mut String, _number: usize) {
        sql.push('?');
    }

    /// The call that takes the last `length` characters: `substr(x, -length)`.
    pub fn suffix_call(length: i32) -> (&'static str, i32) {
        ("substr", -length)
    }
}

include!("backend_prelude.rs");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite_direct::tests::File;

    /// A user with a name in two scripts, an external id, e-mails, extra attributes and no
    /// owner, granted two workspaces.
    async fn store_with_a_user() -> (File, Backend, User) {
        let file = File::new();
        let backend = Backend::open(&format!("sqlite://{}", file.0.display()), Duration::from_secs(5), Workload::Serve).await.unwrap();
        let user = User {
            id: "u-1".into(),
            user_name: "Zoë.Ünal@example.com".into(),
            external_id: Some("okta-00u1".into()),
            given_name: "Zoë".into(),
            family_name: "Ünal".into(),
            display_name: "Zoë Ünal".into(),
            email: "zoe@example.com".into(),
            active: false,
            created: 1_700_000_000_000,
            last_modified: 1_700_000_000_500,
            version: 3,
            emails: vec![crate::domain::users::Email { value: "zoe@example.com".into(), kind: Some("work".into()), primary: true, display: None }],
            extra: serde_json::json!({"title": "Auditor"}).as_object().unwrap().clone(),
            managed_by: None,
        };
        let mut tx = backend.write().await.unwrap();
        tx.insert_user(&user).await.unwrap();
        for (id, name) in [("w-b", "beta"), ("w-a", "Alpha")] {
            let input = crate::domain::workspaces::WorkspaceInput { name: name.into(), description: String::new() };
            tx.insert_workspace(&Workspace::new(id.into(), input, None, 1)).await.unwrap();
            assert!(tx.insert_grant("u-1", id, "test", 2).await.unwrap());
        }
        tx.commit().await.unwrap();
        (file, backend, user)
    }

    /// Logged requests go in 400 to a statement, numbered across the statement: a batch of a
    /// full statement and a partial one stores every row as given.
    #[tokio::test]
    async fn a_batch_of_logged_requests_is_stored_whole() {
        let (_file, backend, _) = store_with_a_user().await;
        let row = |n: i64| ScimRequestRow {
            id: 0,
            at: 1_000 + n,
            credential_id: (n % 2 == 0).then(|| "c-1".to_string()),
            credential_name: "okta".into(),
            method: "GET".into(),
            path: format!("/scim/v2/Users/{n}"),
            resource_id: Some(n.to_string()),
            status: if n == 400 { 404 } else { 200 },
            scim_type: None,
            detail: (n == 400).then(|| "no such user".to_string()),
            duration_us: n,
            request_id: format!("r-{n:04}"),
        };
        let mut tx = backend.write().await.unwrap();
        tx.insert_scim_requests((0..=400).map(row).collect()).await.unwrap();
        tx.commit().await.unwrap();
        let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM scim_requests").fetch_one(&backend.pool).await.unwrap();
        assert_eq!(stored, 401);
        let expected = row(400);
        let last = backend.last_scim_request().await.unwrap().unwrap();
        assert_eq!((last.at, last.path, last.status, last.detail, last.duration_us, last.request_id), (expected.at, expected.path, 404, expected.detail, 400, expected.request_id));
        let (class, credential): (i64, Option<String>) =
            sqlx::query_as("SELECT status_class, credential_id FROM scim_requests WHERE request_id = 'r-0399'").fetch_one(&backend.pool).await.unwrap();
        assert_eq!((class, credential.as_deref()), (2, None));
    }

    #[test]
    fn only_plain_files_are_read_directly() {
        let read_directly = |url: &str| {
            let options = SqliteConnectOptions::from_str(url).unwrap();
            plain_file(url, options.get_filename()).map(|path| path.to_str().unwrap().to_string())
        };
        assert_eq!(read_directly("sqlite://data/cim.db").as_deref(), Some("data/cim.db"));
        assert_eq!(read_directly("sqlite:///var/lib/cim/cim.db").as_deref(), Some("/var/lib/cim/cim.db"));
        assert_eq!(read_directly("sqlite://data/cim.db?mode=ro"), None);
        assert_eq!(read_directly("sqlite::memory:"), None);
        assert_eq!(read_directly("sqlite://data/cim.db?mode=memory"), None);
    }

    #[tokio::test]
    async fn a_user_is_read_directly_as_the_pool_reads_it() {
        let (_file, backend, user) = store_with_a_user().await;
        for (by, key) in [(UserKey::Id, "u-1".to_string()), (UserKey::UserNameKey, fold_key(&user.user_name))] {
            let sql = user_with_access_sql(by);
            let Direct::Found(direct) = backend.user_access_row_directly(sql, &key) else { panic!("read directly by {key}") };
            let pooled: UserAccessRow = sqlx::query_as(sql).bind(&key).fetch_one(&backend.pool).await.unwrap();
            let (direct, pooled): ((User, Vec<WorkspaceLink>), (User, Vec<WorkspaceLink>)) = (direct.try_into().unwrap(), pooled.try_into().unwrap());
            assert_eq!(direct, pooled);
            assert_eq!(direct.0, user);
            assert_eq!(direct.1.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["Alpha", "beta"]);
        }
        assert!(matches!(backend.user_access_row_directly(user_with_access_sql(UserKey::Id), "u-2"), Direct::Missing));
    }

    /// GET of a user and the filters naming one (`id eq`, `userName eq`) are the reads answered
    /// directly.
    #[tokio::test]
    async fn lookups_of_one_user_are_answered_directly() {
        let (_file, backend, user) = store_with_a_user().await;
        let direct = backend.direct.clone().expect("direct reads of a file store");
        let before = direct.answered();
        assert_eq!(backend.get_user_with_access("u-1").await.unwrap().unwrap().0, user);
        let named = |field, text: &str| ListQuery { condition: Some(Condition::Compare(field, Op::Eq, Literal::Text(text.into()))), sort: None, offset: 0, limit: 100 };
        let (total, users) = backend.find_users(&named(Field::UserName, "ZOË.ünal@EXAMPLE.com"), None).await.unwrap();
        assert_eq!((total, users[0].0.id.as_str()), (1, "u-1"));
        let (total, users) = backend.find_users(&named(Field::UserId, "u-2"), None).await.unwrap();
        assert_eq!((total, users.len()), (0, 0));
        assert_eq!(direct.answered() - before, 3);
    }
}
