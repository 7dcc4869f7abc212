//! What the server answers a plain HTML form post (JavaScript off) with, when the answer is the
//! page itself rather than a redirect.

use serde::{Deserialize, Serialize};

use super::error::AppError;
use crate::domain::admins::OneTimePassword;
use crate::domain::credentials::IssuedCredential;

/// Form fields never sent back to the page: what was typed there is not kept anywhere.
pub const SECRET_FIELDS: &[&str] = &["password", "current", "confirm"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum FormReply {
    /// A refused post: the page is shown again with the error beside the form (and field) it is
    /// about, and with what was typed, so nothing has to be typed twice.
    Refused { form: String, error: AppError, values: Vec<(String, String)> },
    /// A credential issued by a plain post: its secret is shown in the answer to that post and
    /// kept nowhere, neither in the session nor in the store.
    Issued(IssuedCredential),
    /// An administrator created or reset by a plain post: the one-time password is shown in
    /// the answer to that post only, like a credential's secret.
    OneTimePassword(OneTimePassword),
}

impl FormReply {
    /// The refusal of `form`, if that is what this reply is.
    pub fn refusal_of(&self, form: &str) -> Option<&AppError> {
        match self {
            FormReply::Refused { form: f, error, .. } if f == form => Some(error),
            _ => None,
        }
    }

    /// What was typed into `field` of `form`, if this reply refused that form.
    pub fn typed(&self, form: &str, field: &str) -> Option<&str> {
        match self {
            FormReply::Refused { form: f, values, .. } if f == form => {
                values.iter().find(|(k, _)| k == field).map(|(_, v)| v.as_str())
            }
            _ => None,
        }
    }
}
