//! The audit trail as the console shows it and asks for it.

use serde::{Deserialize, Serialize};

use super::paging::Page;
use super::text::{given, given_pairs};

/// The audit vocabulary: every action either door records, in one place. The same change gets
/// the same action whichever door made it. A write that changes several things records one
/// event whose action joins its parts with `+`, in the order below
/// (`user.update+user.deactivate+access.revoke`).
pub mod actions {
    /// A user was created (after: the whole user and the workspaces granted with it). A user
    /// created inactive records `user.create+user.deactivate`.
    pub const USER_CREATE: &str = "user.create";
    /// Profile fields changed (before/after: just those fields).
    pub const USER_UPDATE: &str = "user.update";
    pub const USER_ACTIVATE: &str = "user.activate";
    /// Deactivated: grants are kept but suspended.
    pub const USER_DEACTIVATE: &str = "user.deactivate";
    /// A user was deleted (before: the whole user and the workspaces it held).
    pub const USER_DELETE: &str = "user.delete";
    /// Workspace access was granted (after.granted: the workspaces, or for a workspace the users).
    pub const ACCESS_GRANT: &str = "access.grant";
    /// Workspace access was revoked (after.revoked, likewise).
    pub const ACCESS_REVOKE: &str = "access.revoke";
    pub const WORKSPACE_CREATE: &str = "workspace.create";
    /// Name, description or external id changed.
    pub const WORKSPACE_UPDATE: &str = "workspace.update";
    /// A workspace was deleted (before: the workspace and its members, who lost access).
    pub const WORKSPACE_DELETE: &str = "workspace.delete";
    pub const ADMIN_CREATE: &str = "admin.create";
    /// Role, status or password of an administrator changed (never the password itself).
    pub const ADMIN_UPDATE: &str = "admin.update";
    pub const CREDENTIAL_ISSUE: &str = "scim_credential.issue";
    pub const CREDENTIAL_REVOKE: &str = "scim_credential.revoke";
    /// A credential's provisioning policy changed (before/after: the policy).
    pub const CREDENTIAL_POLICY: &str = "scim_credential.policy";
    /// The mass-deactivation brake held a deactivation or deletion (target: the user).
    pub const BRAKE_HOLD: &str = "brake.hold";
    /// An administrator allowed what the brake held (target: the credential).
    pub const BRAKE_ALLOW: &str = "brake.allow";
    /// An administrator kept the brake's held changes from being applied.
    pub const BRAKE_BLOCK: &str = "brake.block";
    /// A batch started: a bulk action or an import (target: the batch; its users' events carry
    /// its id).
    pub const BATCH_START: &str = "batch.start";
    /// A CSV file was uploaded for import (target: the import; nothing is changed until applied).
    pub const IMPORT_UPLOAD: &str = "import.upload";
    /// An administrator stopped a running batch.
    pub const BATCH_CANCEL: &str = "batch.cancel";
    pub const DEMO_DATA_LOAD: &str = "demo_data.load";
    /// A report was downloaded or written (target: the report, after: its parameters).
    pub const REPORT_EXPORT: &str = "report.export";

    /// Every action with the words the console uses for it, in the order of the filter.
    pub const ALL: [(&str, &str); 23] = [
        (USER_CREATE, "User created"),
        (USER_UPDATE, "User profile changed"),
        (USER_ACTIVATE, "User activated"),
        (USER_DEACTIVATE, "User deactivated"),
        (USER_DELETE, "User deleted"),
        (ACCESS_GRANT, "Access granted"),
        (ACCESS_REVOKE, "Access revoked"),
        (WORKSPACE_CREATE, "Workspace created"),
        (WORKSPACE_UPDATE, "Workspace changed"),
        (WORKSPACE_DELETE, "Workspace deleted"),
        (ADMIN_CREATE, "Administrator created"),
        (ADMIN_UPDATE, "Administrator changed"),
        (CREDENTIAL_ISSUE, "SCIM credential issued"),
        (CREDENTIAL_REVOKE, "SCIM credential revoked"),
        (CREDENTIAL_POLICY, "Provisioning policy changed"),
        (BRAKE_HOLD, "Held by the brake"),
        (BRAKE_ALLOW, "Held changes allowed"),
        (BRAKE_BLOCK, "Held changes kept blocked"),
        (BATCH_START, "Batch started"),
        (BATCH_CANCEL, "Batch cancelled"),
        (IMPORT_UPLOAD, "File uploaded for import"),
        (REPORT_EXPORT, "Report exported"),
        (DEMO_DATA_LOAD, "Demo data loaded"),
    ];

    /// The console's words for one action part.
    pub fn label(part: &str) -> &str {
        ALL.iter().find(|(a, _)| *a == part).map(|(_, l)| *l).unwrap_or(part)
    }

    /// Whether `part` is in the vocabulary.
    pub fn known(part: &str) -> bool {
        ALL.iter().any(|(a, _)| *a == part)
    }

    /// The action of a user change: which fields changed, whether grants were added or removed,
    /// and the status after it.
    pub fn for_user_change(fields: &[&str], granted: bool, revoked: bool, active_after: bool) -> String {
        let mut parts = Vec::new();
        if fields.iter().any(|f| *f != "active") {
            parts.push(USER_UPDATE);
        }
        if fields.contains(&"active") {
            parts.push(if active_after { USER_ACTIVATE } else { USER_DEACTIVATE });
        }
        parts.extend(access(granted, revoked));
        parts.join("+")
    }

    /// The action of a workspace change: its own fields, and members added or removed.
    pub fn for_workspace_change(updated: bool, granted: bool, revoked: bool) -> String {
        let mut parts = Vec::new();
        if updated {
            parts.push(WORKSPACE_UPDATE);
        }
        parts.extend(access(granted, revoked));
        parts.join("+")
    }

    fn access(granted: bool, revoked: bool) -> impl Iterator<Item = &'static str> {
        [(granted, ACCESS_GRANT), (revoked, ACCESS_REVOKE)].into_iter().filter(|(on, _)| *on).map(|(_, a)| a)
    }
}

/// The ways into CIM, as recorded with each event, and the console's words for them.
pub const DOORS: [(&str, &str); 3] = [("console", "Console"), ("scim", "SCIM"), ("cli", "Command line")];

pub fn door_label(door: &str) -> &str {
    DOORS.iter().find(|(d, _)| *d == door).map(|(_, l)| *l).unwrap_or(door)
}

/// The kinds of thing an event can be about, and the console's words for them.
pub fn kind_label(kind: &str) -> &str {
    match kind {
        "user" => "User",
        "workspace" => "Workspace",
        "admin" => "Administrator",
        "scim_credential" => "SCIM credential",
        "report" => "Report",
        "batch" => "Batch",
        "import" => "Import",
        "store" => "Store",
        other => other,
    }
}

/// The console page of a subject, where there is one.
pub fn subject_href(kind: &str, id: &str) -> Option<String> {
    match kind {
        "user" => Some(format!("/users/{id}")),
        "workspace" => Some(format!("/workspaces/{id}")),
        "scim_credential" => Some("/credentials".into()),
        "admin" => Some("/admins".into()),
        "batch" => Some(format!("/batches/{id}")),
        "import" => Some(format!("/imports/{id}")),
        _ => None,
    }
}

/// The audit trail as asked for; every filter given must hold. Times are milliseconds since
/// the epoch, `from` inclusive and `to` exclusive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// What the events concern, as a subject tag (`user:<id>`): the target, or a user or
    /// workspace whose access the event changed.
    pub subject: Option<String>,
    /// One action part (`user.deactivate`): events whose action includes it.
    pub action: Option<String>,
    /// An administrator id, a SCIM credential id, or `system`.
    pub actor: Option<String>,
    pub door: Option<String>,
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// The events one request caused (the provisioning log links here).
    pub request: Option<String>,
    /// Shows a batch as its start event alone (the console's trail without a subject or an
    /// action); reports and exports always list every event.
    #[serde(default)]
    pub collapse_batches: bool,
}

/// The audit page's address, as typed into its filter form or carried by a link: the same
/// query serves the page, its pages and its CSV export.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// A target by name: a user name, workspace, credential or administrator.
    pub tq: String,
    /// A target by tag (`user:<id>`), as links from a user or workspace page carry it.
    pub subject: String,
    pub actor: String,
    pub door: String,
    pub action: String,
    pub from: String,
    pub to: String,
    /// The browser's offset from UTC in minutes, for `from` and `to` (see `time::parse_local`).
    pub tz: String,
    pub request: String,
    pub after: String,
    pub before: String,
}

impl AuditQuery {
    pub fn filter(&self) -> Result<AuditFilter, crate::domain::Invalid> {
        let (from, to) = crate::domain::time::time_range(&self.from, &self.to, &self.tz)?;
        Ok(AuditFilter {
            subject: given(&self.subject),
            action: given(&self.action),
            actor: given(&self.actor),
            door: given(&self.door),
            from,
            to,
            request: given(&self.request),
            collapse_batches: false,
        })
    }

    pub fn cursor(&self) -> super::paging::Cursor {
        super::paging::Cursor::from_query(Some(self.after.clone()), Some(self.before.clone()))
    }

    /// The filters without the position, for page links and the export.
    pub fn filter_pairs(&self) -> Vec<(&'static str, String)> {
        given_pairs(&[
            ("tq", &self.tq),
            ("subject", &self.subject),
            ("actor", &self.actor),
            ("door", &self.door),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
            ("tz", &self.tz),
            ("request", &self.request),
        ])
    }
}

/// The tag an event is filed under for one subject.
pub fn subject_tag(kind: &str, id: &str) -> String {
    format!("{kind}:{id}")
}

/// The tag an event is filed under for one part of its action.
pub fn action_tag(part: &str) -> String {
    format!("action:{part}")
}

/// A thing an event names: a user, a workspace, a credential, an administrator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub kind: String,
    pub id: String,
    pub name: String,
}

/// One field an event changed, as text: "—" stands for nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One event as the console lists it, with what it changed spelled out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub actor: Subject,
    pub door: String,
    pub action: String,
    pub target: Subject,
    pub request_id: String,
    pub changes: Vec<FieldChange>,
    /// Access given: workspaces (for a user) or users (for a workspace).
    pub granted: Vec<Subject>,
    /// Access taken away, including by deletion.
    pub revoked: Vec<Subject>,
    /// The file an import applied this change from.
    pub imported_from: Option<String>,
}

impl AuditEntry {
    /// The console's words for the action: "User deactivated, Access revoked".
    pub fn summary(&self) -> String {
        self.action.split('+').map(actions::label).collect::<Vec<_>>().join(", ")
    }
}

/// A page of the audit trail, newest first.
pub type AuditPage = Page<AuditEntry>;

/// An actor the trail can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActorChoice {
    pub id: String,
    pub label: String,
}

/// What the audit page needs besides the events: who can be chosen as actor, and the subject
/// the trail is narrowed to, named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    pub page: AuditPage,
    pub actors: Vec<ActorChoice>,
    pub subject: Option<Subject>,
    /// When the subject was asked for by name and nothing has that name.
    pub subject_missing: Option<String>,
}
