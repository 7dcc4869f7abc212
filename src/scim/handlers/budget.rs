//! The SCIM door's share of the store: at most so many SCIM requests work at once, so however
//! many an identity provider sends, the console keeps connections of its own.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

use crate::scim::protocol::error::ScimError;

/// How long a SCIM request waits for its turn before it is told to retry (503).
const WAIT_FOR_TURN: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct ScimBudget(Arc<Semaphore>);

impl ScimBudget {
    /// Leaves `reserved` of the store's `connections` to the console.
    pub fn new(connections: usize, reserved: usize) -> Self {
        ScimBudget(Arc::new(Semaphore::new(connections.saturating_sub(reserved).max(1))))
    }
}

pub async fn within_budget(State(budget): State<ScimBudget>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(WAIT_FOR_TURN, budget.0.clone().acquire_owned()).await {
        Ok(Ok(_turn)) => next.run(request).await,
        _ => ScimError::busy().into_response(),
    }
}
