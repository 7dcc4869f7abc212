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
    pub policy: ProvisioningPolicy,
    /// Since when the brake holds its deactivations and deletions, if it does.
    pub brake_tripped_at: Option<i64>,
    /// Until when an administrator let it deactivate and delete past the brake.
    pub brake_allowed_until: Option<i64>,
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

/// Who decides which workspaces a user provisioned by an identity provider may enter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessPolicy {
    /// The identity provider: a PUT sets exactly the workspaces it sends (none sent, none kept),
    /// a PATCH adds and removes as sent, and the console shows those grants as managed by it.
    Provider,
    /// The console; workspaces the identity provider sends are granted, never revoked, and a
    /// PUT without entitlements leaves grants alone.
    #[default]
    ConsoleAdd,
    /// The console alone: workspace entitlements and group memberships the identity provider
    /// sends are ignored.
    Console,
}

impl AccessPolicy {
    pub const ALL: [AccessPolicy; 3] = [AccessPolicy::ConsoleAdd, AccessPolicy::Console, AccessPolicy::Provider];

    pub fn as_str(self) -> &'static str {
        match self {
            AccessPolicy::Provider => "provider",
            AccessPolicy::ConsoleAdd => "console_add",
            AccessPolicy::Console => "console",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        AccessPolicy::ALL.into_iter().find(|p| p.as_str() == text)
    }

    /// The one sentence the credential page and the README give for each choice.
    pub fn explain(self) -> &'static str {
        match self {
            AccessPolicy::ConsoleAdd => "The console owns workspace access: workspaces this identity provider sends are granted, never revoked, and a PUT without entitlements leaves grants alone (Okta: Push Profile Updates on, no entitlement mapping needed; Entra: attribute mappings without a remove rule).",
            AccessPolicy::Console => "The console alone owns workspace access: workspace entitlements and group memberships this identity provider sends are ignored (Okta: Push Groups off; Entra: provision users only, no group or entitlement mappings).",
            AccessPolicy::Provider => "The identity provider owns workspace access: a PUT sets exactly the workspaces it sends, a PATCH adds and removes, and the console shows these grants as managed (Okta: entitlements or Push Groups as the source of truth; Entra: group provisioning or an entitlements mapping).",
        }
    }

    /// What an identity provider's access change may do under this policy, whichever side it
    /// names (a user's workspaces, a workspace's members): what to add, what to remove, and
    /// the whole set to hold afterwards, if it names one.
    pub fn shape<T>(self, add: Vec<T>, remove: Vec<T>, exactly: Option<Vec<T>>) -> (Vec<T>, Vec<T>, Option<Vec<T>>) {
        match self {
            AccessPolicy::Provider => (add, remove, exactly),
            AccessPolicy::ConsoleAdd => (add.into_iter().chain(exactly.into_iter().flatten()).collect(), Vec::new(), None),
            AccessPolicy::Console => (Vec::new(), Vec::new(), None),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AccessPolicy::ConsoleAdd => "Console owns access; grants sent are added",
            AccessPolicy::Console => "Console alone; grants sent are ignored",
            AccessPolicy::Provider => "Identity provider owns access",
        }
    }
}

/// A profile field (or group of fields) an identity provider can own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OwnedField {
    UserName,
    ExternalId,
    /// Given, family and display name.
    Names,
    /// The e-mail addresses.
    Email,
    /// Active or inactive.
    Active,
}

impl OwnedField {
    pub const ALL: [OwnedField; 5] = [OwnedField::UserName, OwnedField::ExternalId, OwnedField::Names, OwnedField::Email, OwnedField::Active];

    pub fn as_str(self) -> &'static str {
        match self {
            OwnedField::UserName => "user_name",
            OwnedField::ExternalId => "external_id",
            OwnedField::Names => "names",
            OwnedField::Email => "email",
            OwnedField::Active => "active",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        OwnedField::ALL.into_iter().find(|f| f.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            OwnedField::UserName => "User name",
            OwnedField::ExternalId => "External id",
            OwnedField::Names => "Given, family and display name",
            OwnedField::Email => "E-mail addresses",
            OwnedField::Active => "Active / inactive",
        }
    }

    /// The stored fields (as forms and the audit trail name them) this owned field covers.
    pub fn stored_fields(self) -> &'static [&'static str] {
        match self {
            OwnedField::UserName => &["user_name"],
            OwnedField::ExternalId => &["external_id"],
            OwnedField::Names => &["given_name", "family_name", "display_name"],
            OwnedField::Email => &["email", "emails"],
            OwnedField::Active => &["active"],
        }
    }

    /// The owned field a stored field (as the audit trail names it) belongs to.
    pub fn of_stored(field: &str) -> Option<Self> {
        OwnedField::ALL.into_iter().find(|f| f.stored_fields().contains(&field))
    }

    /// Parses a stored comma-separated list, ignoring what this version does not know.
    pub fn parse_list(text: &str) -> Vec<OwnedField> {
        let mut fields: Vec<OwnedField> = text.split(',').filter_map(|f| OwnedField::parse(f.trim())).collect();
        fields.sort();
        fields.dedup();
        fields
    }

    pub fn join(fields: &[OwnedField]) -> String {
        fields.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")
    }
}

/// What a DELETE from the identity provider does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum DeleteMode {
    /// Deactivates and keeps the user, grants included: reversible, and the id stays valid.
    #[default]
    Deactivate,
    /// Removes the user and its grants.
    Delete,
}

impl DeleteMode {
    pub fn as_str(self) -> &'static str {
        match self {
            DeleteMode::Deactivate => "deactivate",
            DeleteMode::Delete => "delete",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [DeleteMode::Deactivate, DeleteMode::Delete].into_iter().find(|m| m.as_str() == text)
    }

    pub fn explain(self) -> &'static str {
        match self {
            DeleteMode::Deactivate => "A DELETE deactivates the user and keeps it with its grants, so deprovisioning can be undone and the id stays valid (Okta deactivates rather than deletes; Entra sends DELETE when a user is removed from scope).",
            DeleteMode::Delete => "A DELETE removes the user and its grants for good; a user created again gets a new id.",
        }
    }
}

/// The brake on mass deactivation: more than `count` users or `percent` of active users,
/// whichever is larger, deactivated or deleted by one credential within an hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brake {
    pub on: bool,
    pub count: i64,
    pub percent: i64,
}

impl Default for Brake {
    fn default() -> Self {
        Brake { on: true, count: 50, percent: 5 }
    }
}

/// The window the brake counts in.
pub const BRAKE_WINDOW_MS: i64 = 60 * 60 * 1000;

impl Brake {
    /// How many removals an hour are allowed with `active` users active.
    pub fn limit(self, active: i64) -> i64 {
        let share = (active * self.percent + 99) / 100;
        self.count.max(share)
    }
}

/// A credential's provisioning policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisioningPolicy {
    pub access: AccessPolicy,
    pub owned: Vec<OwnedField>,
    pub on_delete: DeleteMode,
    pub brake: Brake,
}

impl Default for ProvisioningPolicy {
    fn default() -> Self {
        ProvisioningPolicy { access: AccessPolicy::default(), owned: OwnedField::ALL.to_vec(), on_delete: DeleteMode::default(), brake: Brake::default() }
    }
}

impl ProvisioningPolicy {
    pub fn owns(&self, field: OwnedField) -> bool {
        self.owned.contains(&field)
    }

    /// Checks the brake's numbers.
    pub fn validate(&self) -> Result<(), super::Invalid> {
        if !(1..=1_000_000).contains(&self.brake.count) {
            return Err(super::Invalid::new("brake_count", "The brake's user count must be between 1 and 1,000,000."));
        }
        if !(1..=100).contains(&self.brake.percent) {
            return Err(super::Invalid::new("brake_percent", "The brake's share must be between 1 and 100 percent."));
        }
        Ok(())
    }
}

/// A user's fields and grants an identity provider owns, as the console shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Management {
    pub credential_id: String,
    pub credential_name: String,
    pub owned: Vec<OwnedField>,
    /// The identity provider owns this user's workspace access.
    pub owns_access: bool,
}

impl Management {
    pub fn owns(&self, field: OwnedField) -> bool {
        self.owned.contains(&field)
    }

    /// Whether the form field (or stored field) `name` is owned.
    pub fn owns_field(&self, name: &str) -> bool {
        OwnedField::of_stored(name).is_some_and(|f| self.owns(f))
    }

    /// What of a change the identity provider owns: the first of the changed `fields` it owns,
    /// else workspace access, when it owns that and the change grants or revokes.
    pub fn owned_part<'a>(&self, fields: &[&'a str], access_changed: bool) -> Option<OwnedPart<'a>> {
        match fields.iter().find(|f| self.owns_field(f)) {
            Some(field) => Some(OwnedPart::Field(field)),
            None => (self.owns_access && access_changed).then_some(OwnedPart::Access),
        }
    }
}

/// The part of a change that an identity provider owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnedPart<'a> {
    /// A stored field (`user_name`, `active`, ...).
    Field(&'a str),
    Access,
}

/// Deactivations and deletions the brake holds for one credential, for the console's banner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldSummary {
    pub credential_id: String,
    pub credential_name: String,
    pub held: i64,
    /// The newest of them: a decision covers those up to it, so changes held after the page
    /// was shown are not decided unseen.
    pub last_id: i64,
}
