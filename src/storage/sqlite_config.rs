//! What SQLite is told before it starts, once per process.

use std::os::raw::{c_int, c_void};

use libmimalloc_sys as mi;
use libsqlite3_sys::sqlite3_mem_methods;

/// Sets what SQLite only takes before it starts (the first connection starts it; later calls
/// change nothing): its allocator (`mimalloc`), and no memory statistics. With those on, every allocation SQLite makes, in every
/// connection, takes one process-wide mutex to count it: SCIM pages of 100 users, whose rows
/// sqlx copies value by value, spent a sixth of their time waking threads queued on it. Nothing
/// here reads the statistics.
pub fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config may only be called while no other thread uses SQLite: above
        // all not while another thread is inside sqlite3_initialize, which could then free
        // with mimalloc what it allocated with glibc. Every way this crate reaches SQLite (the
        // store's `open`, its read pool and its writer) calls this first, and the `Once` makes
        // every caller wait until it is done, so SQLite starts after it. Once SQLite has
        // started, each call is refused (SQLITE_MISUSE) and changes nothing. MEMSTATUS takes
        // one int; MALLOC a pointer to methods, which SQLite copies.
        let codes = unsafe {
            [
                libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MALLOC, &mimalloc() as *const sqlite3_mem_methods),
                libsqlite3_sys::sqlite3_config(libsqlite3_sys::SQLITE_CONFIG_MEMSTATUS, 0 as c_int),
            ]
        };
        if codes.iter().any(|code| *code != libsqlite3_sys::SQLITE_OK) {
            tracing::warn!(?codes, "SQLite had started before it could be configured: it runs on its defaults");
        }
    });
}

/// SQLite's allocations go to mimalloc, the server's own allocator (see Cargo.toml), instead of
/// glibc's: SQLite allocates and frees a value for each column of each row it hands out, and
/// glibc's allocator was about 8% of a SCIM page of 100 users, beside mimalloc's for the Rust
/// half. With one allocator a page cost 3-4% less CPU, and a POST about 3% (A/B on one store).
/// mimalloc aligns every block to at least 8 bytes (what SQLite needs) and reports each block's
/// usable size.
fn mimalloc() -> sqlite3_mem_methods {
    sqlite3_mem_methods {
        xMalloc: Some(allocate),
        xFree: Some(free),
        xRealloc: Some(reallocate),
        xSize: Some(size),
        xRoundup: Some(round_up),
        xInit: Some(init),
        xShutdown: Some(shutdown),
        pAppData: std::ptr::null_mut(),
    }
}

// SAFETY (all below): SQLite calls these as its `sqlite3_mem_methods` contract says: sizes are
// positive (SQLite refuses larger than its 2 GB limit before calling), and `free`, `reallocate`
// and `size` get only blocks `allocate` or `reallocate` returned, so mimalloc's own contract
// holds.
unsafe extern "C" fn allocate(bytes: c_int) -> *mut c_void {
    unsafe { mi::mi_malloc(bytes as usize) }
}

unsafe extern "C" fn free(block: *mut c_void) {
    unsafe { mi::mi_free(block) }
}

unsafe extern "C" fn reallocate(block: *mut c_void, bytes: c_int) -> *mut c_void {
    unsafe { mi::mi_realloc(block, bytes as usize) }
}

unsafe extern "C" fn size(block: *mut c_void) -> c_int {
    unsafe { mi::mi_usable_size(block) as c_int }
}

/// What mimalloc would hand out for `bytes`, or `bytes` if that does not fit an int.
unsafe extern "C" fn round_up(bytes: c_int) -> c_int {
    c_int::try_from(unsafe { mi::mi_good_size(bytes as usize) }).unwrap_or(bytes)
}

unsafe extern "C" fn init(_: *mut c_void) -> c_int {
    libsqlite3_sys::SQLITE_OK
}

unsafe extern "C" fn shutdown(_: *mut c_void) {}
