use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::Invalid;

/// What the console shows when something fails. Internal causes stay in the server log;
/// `Internal` reaches the browser as an opaque sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in.")]
    Unauthenticated,
    #[error("Your role can view but not change this.")]
    Forbidden,
    /// Signed in with a one-time password: nothing else until a new one is chosen.
    #[error("Choose a new password before you continue.")]
    PasswordChangeRequired,
    #[error("{0}")]
    NotFound(String),
    /// Bad input in one field of a form: shown next to that field.
    #[error("{message}")]
    Invalid { field: String, message: String },
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// The record changed since the form was loaded.
    #[error("{0}")]
    Stale(String),
    #[error("{0}")]
    Throttled(String),
    /// The store could not take the change in time (another long write held it).
    #[error("The server is busy; nothing was changed. Please try again in a moment.")]
    Busy,
    #[error("Something went wrong on the server. It has been logged; please try again.")]
    Internal,
    /// The request never reached our code (network, encoding).
    #[error("The server could not be reached: {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid { field: field.to_string(), message: message.into() }
    }

    /// The form field an error belongs to, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } | AppError::Conflict { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The HTTP status the console answers with: refusals say what kind they are, so browsers
    /// and monitoring can tell a typo from a fault.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden | AppError::PasswordChangeRequired => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } => 422,
            AppError::Conflict { .. } | AppError::Stale(_) => 409,
            AppError::Throttled(_) => 429,
            AppError::Busy => 503,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl From<Invalid> for AppError {
    fn from(err: Invalid) -> Self {
        AppError::Invalid { field: err.field, message: err.message }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => {
                AppError::invalid("", format!("The form was incomplete: {m}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}
