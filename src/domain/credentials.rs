use serde::{Deserialize, Serialize};

/// How a SCIM client presents its credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CredentialKind {
    /// `Authorization: Bearer <token>` (Entra, scripts).
    Bearer,
    /// `Authorization: Basic` with a generated user name and secret (Okta's SWA-style setup).
    Basic,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Bearer => "bearer",
            CredentialKind::Basic => "basic",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "bearer" => Some(CredentialKind::Bearer),
            "basic" => Some(CredentialKind::Basic),
            _ => None,
        }
    }
}

/// A SCIM credential as the console lists it: never the secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialView {
    pub id: String,
    pub name: String,
    pub kind: CredentialKind,
    pub username: Option<String>,
    pub created: i64,
    pub created_by: String,
    pub last_used: Option<i64>,
    pub revoked: Option<i64>,
    /// SCIM requests it made that were refused or failed in the last 24 hours.
    pub errors_24h: i64,
}

/// A credential just issued: the only time its secret is shown. It serialises only to reach the
/// administrator who issued it; its Debug form hides the secret.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuedCredential {
    pub credential: CredentialView,
    pub secret: String,
}

impl std::fmt::Debug for IssuedCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedCredential").field("credential", &self.credential).field("secret", &"<redacted>").finish()
    }
}
