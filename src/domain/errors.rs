use serde::{Deserialize, Serialize};

/// Input that breaks a rule of the domain: which field, and a sentence for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: String,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Invalid { field: field.to_string(), message: message.into() }
    }
}
