//! Recording the audit trail (every write appends one event in its own transaction) and
//! reading it back for the console.

mod describe;
mod trail;

pub(crate) use describe::{describe, field_change};

use serde::Serialize;
use serde_json::Value;

use super::Actor;
pub use crate::domain::audit::actions;
use crate::domain::audit::{action_tag, subject_tag};
use crate::storage::AuditEvent;

/// What changed, for the audit trail.
pub struct Change<'a> {
    pub action: &'a str,
    pub target_kind: &'static str,
    pub target_id: &'a str,
    pub target_name: &'a str,
}

fn json<T: Serialize>(value: Option<&T>) -> Option<Value> {
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
    let before = json(before);
    let mut after = json(after);
    let mut tags = tags(&change, before.as_ref(), after.as_ref());
    if let Some(batch) = &actor.batch {
        tags.push(subject_tag("batch", &batch.id));
        if let (Some(file), Some(Value::Object(state))) = (&batch.file, after.as_mut()) {
            state.insert("imported_from".into(), Value::from(file.clone()));
        }
    }
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
        before,
        after,
        request_id: actor.request_id.clone(),
        batch_id: actor.batch.as_ref().map(|b| b.id.clone()),
        tags,
    }
}

/// The lists in an event's states that name the other side of an access change: workspaces
/// for a user, users for a workspace (granted, revoked, held at creation or deletion).
const ACCESS_LISTS: [(bool, &str); 5] =
    [(false, "granted"), (false, "revoked"), (false, "workspaces"), (true, "workspaces"), (true, "members")];

/// What an event is filed under: its target, every user or workspace whose access it changed,
/// and each part of its action. (The audit_trail migration files older events the same way.)
fn tags(change: &Change<'_>, before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let mut tags = vec![subject_tag(change.target_kind, change.target_id)];
    tags.extend(change.action.split('+').map(action_tag));
    let other = match change.target_kind {
        "user" => "workspace",
        "workspace" => "user",
        _ => return tags,
    };
    for (in_before, key) in ACCESS_LISTS {
        let state = if in_before { before } else { after };
        for item in state.and_then(|s| s.get(key)).and_then(Value::as_array).into_iter().flatten() {
            if let Some(id) = item.get("id").and_then(Value::as_str) {
                tags.push(subject_tag(other, id));
            }
        }
    }
    tags.sort();
    tags.dedup();
    tags
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_access_change_is_filed_under_both_sides_and_each_action_part() {
        let change = Change { action: "user.deactivate+access.revoke", target_kind: "user", target_id: "u1", target_name: "ada" };
        let after = json!({"active": false, "revoked": [{"id": "w1", "name": "Finance"}, {"id": "w2", "name": "HR"}]});
        let tags = tags(&change, Some(&json!({"active": true})), Some(&after));
        assert_eq!(tags, ["action:access.revoke", "action:user.deactivate", "user:u1", "workspace:w1", "workspace:w2"]);
    }

    #[test]
    fn a_deleted_workspace_is_filed_under_its_former_members() {
        let change = Change { action: "workspace.delete", target_kind: "workspace", target_id: "w1", target_name: "Finance" };
        let before = json!({"name": "Finance", "members": [{"id": "u1", "user_name": "ada"}]});
        assert_eq!(tags(&change, Some(&before), None), ["action:workspace.delete", "user:u1", "workspace:w1"]);
    }
}
