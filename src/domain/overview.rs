//! The landing page's answer to "is everything all right?".

use serde::{Deserialize, Serialize};

use super::provisioning::ScimRequestEntry;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub active_users: i64,
    pub inactive_users: i64,
    pub workspaces: i64,
    pub live_credentials: i64,
    /// Credentials whose requests were refused or failed in the last 24 hours: (id, name, count).
    pub failing_credentials: Vec<(String, String, i64)>,
    pub last_scim_request: Option<ScimRequestEntry>,
    pub changes_24h: i64,
}
