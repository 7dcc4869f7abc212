use crate::domain::AppError;
use crate::storage::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("the caller's role may not change anything")]
    Forbidden,
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
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("internal error: {0}")]
    Internal(String),
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
impl From<AppError> for ServiceError {
    fn from(err: AppError) -> Self {
        match err {
            AppError::Invalid { field, message } => ServiceError::Invalid { field, message },
            other => ServiceError::Internal(other.to_string()),
        }
    }
}
