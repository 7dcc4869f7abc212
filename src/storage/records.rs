//! The records the store reads and writes, shared by both backends: each decodes from a row of
//! either database (sqlx's `FromRow` derive is generic over the row type).

use crate::domain::users::{User, UserSort, UserSummary};
use crate::domain::workspaces::Workspace;
use super::StoreError;

/// A console operator as stored, password hash included: server-only, never serialised.
#[derive(Clone, sqlx::FromRow)]
pub struct AdminRecord {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub role: String,
    pub created: i64,
    /// When the administrator was disabled; None while they may sign in.
    pub disabled: Option<i64>,
    /// Signed in with a one-time password: nothing but a new password until it is changed.
    pub must_change_password: bool,
    pub last_sign_in: Option<i64>,
}

impl std::fmt::Debug for AdminRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password_hash", &"<redacted>")
            .field("role", &self.role)
            .field("disabled", &self.disabled)
            .finish()
    }
}

/// One change to append to the audit trail.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub at: i64,
    pub actor_kind: &'static str,
    pub actor_id: String,
    pub actor_name: String,
    pub door: &'static str,
    pub action: String,
    pub target_kind: &'static str,
    pub target_id: String,
    pub target_name: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: String,
    /// The batch the event belongs to (a bulk action or an import), if any.
    pub batch_id: Option<String>,
    /// What the event is filed under besides its time, actor and door (see `domain::audit`).
    pub tags: Vec<String>,
}

/// A grant as bulk loads write it.
#[derive(Debug, Clone)]
pub struct GrantRow {
    pub user_id: String,
    /// The user's name, whose key orders the workspace's members (stored folded).
    pub user_name: String,
    pub workspace_id: String,
    pub granted_at: i64,
    pub granted_by: String,
}

/// An audit event as read back.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRecord {
    pub id: i64,
    pub at: i64,
    pub actor_kind: String,
    pub actor_id: String,
    pub actor_name: String,
    pub door: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub target_name: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub request_id: String,
}

impl AuditRecord {
    /// The event's place in the trail, as a page cursor.
    pub fn key(&self) -> String {
        time_key(self.at, self.id)
    }
}

/// A place in a log kept in time order (audit trail, provisioning log), as a page cursor:
/// `<at>.<id>`.
pub fn time_key(at: i64, id: i64) -> String {
    format!("{at}.{id}")
}

pub fn parse_time_key(key: &str) -> Result<(i64, i64), StoreError> {
    key.split_once('.')
        .and_then(|(at, id)| Some((at.parse().ok()?, id.parse().ok()?)))
        .ok_or_else(|| StoreError::Query(QueryError(format!("{key:?} is not a position in this log"))))
}

/// A SCIM request as the provisioning log stores it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ScimRequestRow {
    pub id: i64,
    pub at: i64,
    pub credential_id: Option<String>,
    pub credential_name: String,
    pub method: String,
    pub path: String,
    pub resource_id: Option<String>,
    pub status: i64,
    pub scim_type: Option<String>,
    pub detail: Option<String>,
    pub duration_us: i64,
    pub request_id: String,
}

/// A SCIM credential as stored: the secret only as its hash.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CredentialRecord {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub username: Option<String>,
    pub secret_hash: String,
    pub created: i64,
    pub created_by: String,
    pub last_used: Option<i64>,
    pub revoked: Option<i64>,
    pub access_policy: String,
    pub owned_fields: String,
    pub on_delete: String,
    pub brake_on: bool,
    pub brake_count: i64,
    pub brake_percent: i64,
    pub brake_tripped_at: Option<i64>,
    pub brake_allowed_until: Option<i64>,
}

/// A deactivation or deletion the brake held.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldChangeRow {
    pub id: i64,
    pub user_id: String,
    pub user_name: String,
    pub kind: String,
    pub requested_at: i64,
}

/// The held changes of one credential, for the console's banner.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldCountRow {
    pub credential_id: String,
    pub credential_name: String,
    pub held: i64,
    /// The newest held change: a decision covers those up to it, the ones the admin saw.
    pub last_id: i64,
}

#[derive(sqlx::FromRow)]
pub struct AccessRow {
    pub workspace_id: String,
    pub workspace_name: String,
    pub granted: bool,
}

/// A user as the reports list them, with the key they are walked in.
#[derive(Debug, sqlx::FromRow)]
pub struct ReportUserRow {
    pub user_name_key: String,
    pub id: String,
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub email: String,
    pub active: bool,
}

#[derive(sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    pub email: String,
    pub active: bool,
    pub created: i64,
    pub last_modified: i64,
    pub version: i64,
    pub emails: String,
    pub extra: String,
    pub managed_by: Option<String>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            user_name: r.user_name,
            external_id: r.external_id,
            given_name: r.given_name,
            family_name: r.family_name,
            display_name: r.display_name,
            email: r.email,
            active: r.active,
            created: r.created,
            last_modified: r.last_modified,
            version: r.version,
            emails: serde_json::from_str(&r.emails).unwrap_or_default(),
            extra: serde_json::from_str(&r.extra).unwrap_or_default(),
            managed_by: r.managed_by,
        }
    }
}

/// A user with the workspaces it may enter, read in one query: the workspaces come as a JSON
/// array of `[id, name, name key]`, in no order (see `workspaces_of_u` in sql/users.rs).
#[derive(sqlx::FromRow)]
pub struct UserAccessRow {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub workspaces: String,
}

impl UserAccessRow {
    /// The row as a direct read hands it over (see `sqlite_direct`), by the same column names
    /// sqlx's `FromRow` reads; None when a value is not of the type `FromRow` would take.
    pub fn from_direct(row: &super::sqlite_direct::Row<'_>) -> Option<UserAccessRow> {
        Some(UserAccessRow {
            user: UserRow {
                id: row.text("id")?,
                user_name: row.text("user_name")?,
                external_id: row.optional_text("external_id")?,
                given_name: row.text("given_name")?,
                family_name: row.text("family_name")?,
                display_name: row.text("display_name")?,
                email: row.text("email")?,
                active: row.integer("active")? != 0,
                created: row.integer("created")?,
                last_modified: row.integer("last_modified")?,
                version: row.integer("version")?,
                emails: row.text("emails")?,
                extra: row.text("extra")?,
                managed_by: row.optional_text("managed_by")?,
            },
            workspaces: row.text("workspaces")?,
        })
    }
}

/// A user's workspaces decide what a change grants and revokes: unreadable, they are an error,
/// never an empty list.
impl TryFrom<UserAccessRow> for (User, Vec<crate::domain::workspaces::WorkspaceLink>) {
    type Error = super::StoreError;

    fn try_from(r: UserAccessRow) -> Result<Self, Self::Error> {
        let mut rows: Vec<(String, String, String)> =
            serde_json::from_str(&r.workspaces).map_err(|e| super::StoreError::Unreadable(format!("the workspaces of user {}: {e}", r.user.id)))?;
        // By name key, as bytes: the order of SQLite's keys and of PostgreSQL's (collation "C").
        rows.sort_unstable_by(|a, b| a.2.cmp(&b.2));
        Ok((User::from(r.user), rows.into_iter().map(|(id, name, _)| crate::domain::workspaces::WorkspaceLink { id, name }).collect()))
    }
}

/// A row of the users list.
#[derive(Debug, sqlx::FromRow)]
pub struct UserListRow {
    pub user_name_key: String,
    pub display_name_key: String,
    pub last_modified: i64,
    pub id: String,
    pub user_name: String,
    pub display_name: String,
    pub email: String,
    pub active: bool,
    pub workspace_count: i64,
}

/// Separates the parts of a composite list cursor; control characters never occur in stored
/// names, so it cannot be forged into a different key.
pub const CURSOR_SEPARATOR: char = '\u{1f}';

/// A user's place in the users list sorted by name, as one text: the display name's key, the
/// separator and the id. The separator sorts below every character a stored name may hold, so
/// the text sorts as the pair does; the search terms keep it (`display_order`), so a search
/// sorted by name is walked off their index, and it is that order's cursor.
pub fn name_position(display_name_key: &str, id: &str) -> String {
    format!("{display_name_key}{CURSOR_SEPARATOR}{id}")
}

impl UserListRow {
    /// The key this row is sorted by under `sort`, unique (the id breaks ties) and opaque to
    /// the browser, which hands it back to page on.
    pub fn cursor(&self, sort: UserSort) -> String {
        match sort {
            UserSort::UserName => self.user_name_key.clone(),
            UserSort::Name => name_position(&self.display_name_key, &self.id),
            UserSort::Status => format!("{}{CURSOR_SEPARATOR}{}", u8::from(self.active), self.user_name_key),
            UserSort::LastChange => format!("{}{CURSOR_SEPARATOR}{}", self.last_modified, self.id),
        }
    }
}

impl From<UserListRow> for UserSummary {
    fn from(r: UserListRow) -> Self {
        UserSummary {
            id: r.id,
            user_name: r.user_name,
            display_name: r.display_name,
            email: r.email,
            active: r.active,
            workspace_count: r.workspace_count,
            last_modified: r.last_modified,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: String,
    pub name: String,
    pub external_id: Option<String>,
    pub description: String,
    pub member_count: i64,
    pub created: i64,
    pub last_modified: i64,
    pub version: i64,
}

impl From<WorkspaceRow> for Workspace {
    fn from(r: WorkspaceRow) -> Self {
        Workspace {
            id: r.id,
            name: r.name,
            external_id: r.external_id,
            description: r.description,
            member_count: r.member_count,
            created: r.created,
            last_modified: r.last_modified,
            version: r.version,
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct WorkspaceRowWithKey {
    pub name_key: String,
    #[sqlx(flatten)]
    pub row: WorkspaceRow,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// A batch as stored (see the batches migration).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BatchRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub origin: String,
    pub started_by_id: String,
    pub started_by: String,
    pub started_at: i64,
    pub total: i64,
    pub done: i64,
    pub unchanged: i64,
    pub failed: i64,
    pub status: String,
    pub cancel_requested: bool,
    pub heartbeat_at: i64,
    pub finished_at: Option<i64>,
}

/// What a running batch did since it last reported: counts, and the users it could not change
/// (position in the batch, who, why).
#[derive(Debug, Clone, Default)]
pub struct BatchProgress {
    pub done: i64,
    pub unchanged: i64,
    pub failures: Vec<(i64, String, String)>,
}

/// An uploaded CSV file between its dry run and its application.
#[derive(Clone, sqlx::FromRow)]
pub struct ImportRecord {
    pub id: String,
    pub file_name: String,
    pub content: String,
    pub deactivate_missing: bool,
    pub uploaded_by_id: String,
    pub uploaded_at: i64,
    pub batch_id: Option<String>,
}

impl std::fmt::Debug for ImportRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportRecord").field("id", &self.id).field("file_name", &self.file_name).field("bytes", &self.content.len()).finish()
    }
}
