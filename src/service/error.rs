use crate::domain::Invalid;
use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("the caller's role may not change anything")]
    Forbidden,
    /// The caller may write, but not this: its provisioning policy leaves it to the console.
    #[error("{0}")]
    NotOwned(String),
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: String },
    #[error("invalid {field}: {message}")]
    Invalid { field: String, message: String },
    #[error("conflict on {field}: {message}")]
    Conflict { field: String, message: String },
    /// The caller's version is not the current one.
    #[error("{kind} {id} changed since version {expected}; it is now at {current}")]
    Stale { kind: &'static str, id: String, expected: i64, current: i64 },
    #[error("{0}")]
    Throttled(String),
    /// The mass-deactivation brake held the change: nothing was applied; a security admin
    /// decides, and the client should retry later.
    #[error("held by the brake: {credential} has {held} deactivations or deletions waiting")]
    Held { credential: String, held: i64 },
    /// The store could not take the write in time; nothing was changed, a retry may succeed.
    #[error("the store is busy")]
    Busy,
    #[error(transparent)]
    Store(StoreError),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ServiceError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Busy | StoreError::Unavailable(_) | StoreError::NotCommitted(_) => ServiceError::Busy,
            other => ServiceError::Store(other),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// An error with all its causes, for the log.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

impl ServiceError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Invalid { field: field.into(), message: message.into() }
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        ServiceError::Conflict { field: field.into(), message: message.into() }
    }
}

/// Domain validation failures become service validation failures.
impl From<Invalid> for ServiceError {
    fn from(err: Invalid) -> Self {
        ServiceError::Invalid { field: err.field, message: err.message }
    }
}
