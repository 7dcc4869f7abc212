//! The provisioning log: every SCIM request as the console lists it.

use serde::{Deserialize, Serialize};

use super::paging::Page;
use super::text::{given, given_pairs};

/// One SCIM request: never its body, never a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScimRequestEntry {
    pub id: i64,
    pub at: i64,
    /// The credential it presented, when that was a live one.
    pub credential_id: Option<String>,
    pub credential_name: String,
    pub method: String,
    /// Path and query, shortened when very long.
    pub path: String,
    pub resource_id: Option<String>,
    pub status: u16,
    pub scim_type: Option<String>,
    pub detail: Option<String>,
    pub duration_us: i64,
    pub request_id: String,
}

impl ScimRequestEntry {
    /// The console's words for the duration: "850 µs", "12.3 ms", "1.2 s".
    pub fn duration_text(&self) -> String {
        let us = self.duration_us;
        if us < 1_000 {
            format!("{us} µs")
        } else if us < 1_000_000 {
            format!("{:.1} ms", us as f64 / 1_000.0)
        } else {
            format!("{:.1} s", us as f64 / 1_000_000.0)
        }
    }
}

/// Status classes the log can be filtered by: 2xx, 4xx, 5xx.
pub const STATUS_CLASSES: [(i64, &str); 3] = [(2, "2xx success"), (4, "4xx refused"), (5, "5xx failed")];

/// Methods the log can be filtered by.
pub const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The log as asked for; every filter given must hold. `to` is exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningFilter {
    pub credential: Option<String>,
    pub status_class: Option<i64>,
    pub method: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// One request, by the id its response carried (X-Request-Id) and the audit trail records.
    pub request: Option<String>,
}

/// The provisioning page's address, as its filter form and links carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProvisioningQuery {
    pub credential: String,
    pub status: String,
    pub method: String,
    pub from: String,
    pub to: String,
    pub tz: String,
    pub request: String,
    pub after: String,
    pub before: String,
}

impl ProvisioningQuery {
    pub fn filter(&self) -> Result<ProvisioningFilter, crate::domain::Invalid> {
        use crate::domain::Invalid;
        let status_class = match given(&self.status) {
            None => None,
            Some(s) => Some(
                STATUS_CLASSES
                    .iter()
                    .find(|(class, _)| s == format!("{class}xx"))
                    .map(|(class, _)| *class)
                    .ok_or_else(|| Invalid::new("status", "Choose a status from the list."))?,
            ),
        };
        let method = given(&self.method).map(|m| m.to_ascii_uppercase());
        if method.as_deref().is_some_and(|m| !METHODS.contains(&m)) {
            return Err(Invalid::new("method", "Choose a method from the list."));
        }
        let (from, to) = crate::domain::time::time_range(&self.from, &self.to, &self.tz)?;
        Ok(ProvisioningFilter { credential: given(&self.credential), status_class, method, from, to, request: given(&self.request) })
    }

    pub fn cursor(&self) -> super::paging::Cursor {
        super::paging::Cursor::from_query(Some(self.after.clone()), Some(self.before.clone()))
    }

    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        given_pairs(&[
            ("credential", &self.credential),
            ("status", &self.status),
            ("method", &self.method),
            ("from", &self.from),
            ("to", &self.to),
            ("tz", &self.tz),
            ("request", &self.request),
        ])
    }
}

/// A credential the log can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialChoice {
    pub id: String,
    pub name: String,
}

/// The provisioning page: a page of requests and the credentials to filter by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisioningView {
    pub page: Page<ScimRequestEntry>,
    pub credentials: Vec<CredentialChoice>,
    /// How many days requests are kept.
    pub retention_days: i64,
}
