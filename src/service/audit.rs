use serde::Serialize;

use super::Actor;
use crate::storage::AuditEvent;

/// The audit vocabulary: every action either door records, in one place. The same change gets
/// the same action whichever door made it. A write that changes several things records one
/// event whose action joins its parts with `+`, in the order below
/// (`user.update+user.deactivate+access.revoke`).
pub mod actions {
    /// A user was created (after: the whole user and the workspaces granted with it).
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
    pub const WORKSPACE_DELETE: &str = "workspace.delete";
    pub const ADMIN_CREATE: &str = "admin.create";
    pub const CREDENTIAL_ISSUE: &str = "scim_credential.issue";
    pub const CREDENTIAL_REVOKE: &str = "scim_credential.revoke";
    pub const DEMO_DATA_LOAD: &str = "demo_data.load";

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

/// What changed, for the audit trail.
pub struct Change<'a> {
    pub action: &'a str,
    pub target_kind: &'static str,
    pub target_id: &'a str,
    pub target_name: &'a str,
}

fn json<T: Serialize>(value: Option<&T>) -> Option<serde_json::Value> {
    value.and_then(|v| serde_json::to_value(v).ok())
}

/// The audit event for `change` made by `actor` at `at`, with the states before and after.
pub fn event<B: Serialize, A: Serialize>(
    actor: &Actor,
    change: Change<'_>,
    before: Option<&B>,
    after: Option<&A>,
    at: i64,
) -> AuditEvent {
    AuditEvent {
        at,
        actor_kind: actor.kind_str(),
        actor_id: actor.id.clone(),
        actor_name: actor.name.clone(),
        door: actor.door_str(),
        action: change.action.to_string(),
        target_kind: change.target_kind,
        target_id: change.target_id.to_string(),
        target_name: change.target_name.to_string(),
        before: json(before),
        after: json(after),
        request_id: actor.request_id.clone(),
    }
}
