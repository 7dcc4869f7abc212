use serde::Serialize;

use super::Actor;
use crate::storage::AuditEvent;

/// What changed, for the audit trail.
pub struct Change<'a> {
    pub action: &'static str,
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
        action: change.action,
        target_kind: change.target_kind,
        target_id: change.target_id.to_string(),
        target_name: change.target_name.to_string(),
        before: json(before),
        after: json(after),
        request_id: actor.request_id.clone(),
    }
}
