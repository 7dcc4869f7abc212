//! The SCIM door's share of the store: at most so many SCIM requests work at once, so however
//! many an identity provider sends, the console keeps connections of its own.
//!
//! Where writes wait for the store's one writer without holding a connection (SQLite), they
//! have a budget of their own, as large as the writer's queue: the writer commits the writes
//! queued behind it together, so a budget shared with reads (six requests at a time) would cap
//! each commit at six writes. Their reads (the user before the change, the workspaces named)
//! still take a turn of the reads' budget each, for as long as they hold a connection, so the
//! console's connections stay its own. Elsewhere (PostgreSQL, where a write holds a connection
//! of the pool for its whole transaction) reads and writes share one budget.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::scim::protocol::error::ScimError;

/// How long a SCIM request waits for its turn before it is told to retry (503).
const WAIT_FOR_TURN: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct ScimBudget {
    reads: Arc<Semaphore>,
    /// The same as `reads` unless writes queue apart.
    writes: Arc<Semaphore>,
    /// Whether they do.
    apart: bool,
}

impl ScimBudget {
    /// Leaves `reserved` of the store's `connections` to the console; writes that queue apart
    /// (`queued_writes`, see the module's note) have that many turns of their own.
    pub fn new(connections: usize, reserved: usize, queued_writes: Option<usize>) -> Self {
        let reads = Arc::new(Semaphore::new(connections.saturating_sub(reserved).max(1)));
        let writes = queued_writes.map_or_else(|| reads.clone(), |n| Arc::new(Semaphore::new(n.max(1))));
        ScimBudget { reads, writes, apart: queued_writes.is_some() }
    }

    fn of(&self, request: &Request) -> &Arc<Semaphore> {
        if writes(request) {
            &self.writes
        } else {
            &self.reads
        }
    }

    /// Whether the request's reads take turns of the reads' budget one by one (see the module's
    /// note): a write's, when writes queue apart.
    fn reads_one_by_one(&self, request: &Request) -> bool {
        self.apart && writes(request)
    }
}

/// Whether a request may write: any method but the reading ones, except a search by POST.
fn writes(request: &Request) -> bool {
    !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) && !request.uri().path().ends_with("/.search")
}

pub async fn within_budget(State(budget): State<ScimBudget>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(WAIT_FOR_TURN, budget.of(&request).clone().acquire_owned()).await {
        Ok(Ok(_turn)) if budget.reads_one_by_one(&request) => crate::storage::reads_within(budget.reads.clone(), next.run(request)).await,
        Ok(Ok(_turn)) => next.run(request).await,
        _ => ScimError::busy().into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: Method, path: &str) -> Request {
        Request::builder().method(method).uri(path).body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn searches_by_post_count_as_reads_and_other_changes_as_writes() {
        let budget = ScimBudget::new(8, 2, Some(32));
        for (method, path) in [(Method::GET, "/Users"), (Method::POST, "/Users/.search"), (Method::POST, "/.search"), (Method::GET, "/Groups/1")] {
            assert!(Arc::ptr_eq(budget.of(&request(method.clone(), path)), &budget.reads), "{method} {path}");
        }
        for (method, path) in [(Method::POST, "/Users"), (Method::PATCH, "/Users/1"), (Method::PUT, "/Groups/1"), (Method::DELETE, "/Users/1"), (Method::POST, "/Bulk")] {
            assert!(Arc::ptr_eq(budget.of(&request(method.clone(), path)), &budget.writes), "{method} {path}");
        }
        assert_eq!(budget.reads.available_permits(), 6, "two connections left to the console");
        assert_eq!(budget.writes.available_permits(), 32);
        assert!(budget.reads_one_by_one(&request(Method::POST, "/Users")));
        assert!(!budget.reads_one_by_one(&request(Method::GET, "/Users")), "a read holds its turn throughout");
    }

    #[test]
    fn without_a_write_queue_reads_and_writes_share_one_budget() {
        let budget = ScimBudget::new(10, 2, None);
        assert!(Arc::ptr_eq(&budget.reads, &budget.writes));
        assert_eq!(budget.reads.available_permits(), 8);
        assert!(!budget.reads_one_by_one(&request(Method::POST, "/Users")), "a write holds its turn throughout");
    }
}
