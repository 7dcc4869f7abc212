//! Requests that may change state run to completion whatever the client does.

use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Runs a request that may write on a task of its own, which the connection only awaits. When
/// the client hangs up (a load balancer or identity provider timing out), hyper drops the
/// awaiting future, but the write it started still finishes with its audit event instead of
/// being cut off between two awaits: a write is never half-done because its caller left.
pub async fn run_writes_to_completion(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    match tokio::spawn(next.run(request)).await {
        Ok(response) => response,
        Err(err) => {
            tracing::error!(error = %err, "a request task ended abnormally");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
