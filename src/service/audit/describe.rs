//! An event's stored before/after states spelled out for people: only the fields that changed,
//! before -> after, and the names of the workspaces or users whose access changed.

use serde_json::{Map, Value};

use crate::domain::audit::{AuditEntry, FieldChange, Subject};
use crate::storage::AuditRecord;

/// Keys of a state that are bookkeeping, or listed as access rather than as fields.
const NOT_FIELDS: [&str; 10] =
    ["id", "version", "created", "last_modified", "member_count", "granted", "revoked", "workspaces", "members", "imported_from"];

/// Fields in the order the console shows them; others follow in name order.
const FIELD_ORDER: [&str; 12] = [
    "user_name", "username", "name", "display_name", "given_name", "family_name", "email", "emails",
    "external_id", "active", "role", "description",
];

pub fn describe(record: AuditRecord) -> AuditEntry {
    let before = parse(record.before_json.as_deref());
    let after = parse(record.after_json.as_deref());
    let other = match record.target_kind.as_str() {
        "user" => "workspace",
        "workspace" => "user",
        _ => "",
    };
    let list = |state: &Map<String, Value>, key: &str| subjects(other, state.get(key));
    let mut granted = list(&after, "granted");
    // Created with access: the new user's workspaces.
    granted.extend(list(&after, "workspaces"));
    let mut revoked = list(&after, "revoked");
    // Deleted: what the user held, or who the workspace's members were.
    revoked.extend(list(&before, "workspaces"));
    revoked.extend(list(&before, "members"));
    AuditEntry {
        id: record.id,
        at: record.at,
        actor: Subject { kind: record.actor_kind, id: record.actor_id, name: record.actor_name },
        door: record.door,
        action: record.action,
        target: Subject { kind: record.target_kind, id: record.target_id, name: record.target_name },
        request_id: record.request_id,
        changes: changes(&before, &after),
        imported_from: after.get("imported_from").and_then(Value::as_str).map(str::to_string),
        granted,
        revoked,
    }
}

fn parse(json: Option<&str>) -> Map<String, Value> {
    match json.map(serde_json::from_str::<Value>) {
        Some(Ok(Value::Object(map))) => map,
        _ => Map::new(),
    }
}

fn subjects(kind: &str, list: Option<&Value>) -> Vec<Subject> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| {
            let id = item.get("id")?.as_str()?.to_string();
            let name = item.get("name").or_else(|| item.get("user_name")).and_then(Value::as_str).unwrap_or(&id).to_string();
            Some(Subject { kind: kind.to_string(), id, name })
        })
        .collect()
}

fn changes(before: &Map<String, Value>, after: &Map<String, Value>) -> Vec<FieldChange> {
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).filter(|k| !NOT_FIELDS.contains(&k.as_str())).collect();
    keys.sort_by_key(|k| (FIELD_ORDER.iter().position(|f| f == k).unwrap_or(FIELD_ORDER.len()), k.as_str()));
    keys.dedup();
    keys.into_iter()
        .filter_map(|key| field_change(key, before.get(key), after.get(key)))
        .collect()
}

/// One field's change in the console's words ("Given name", "—" for nothing), if it changed.
pub(crate) fn field_change(key: &str, before: Option<&Value>, after: Option<&Value>) -> Option<FieldChange> {
    let (b, a) = (text(key, before), text(key, after));
    (b != a).then(|| FieldChange { field: field_label(key), before: b, after: a })
}

/// "—" stands for no value.
pub const NOTHING: &str = "—";

fn text(key: &str, value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => NOTHING.into(),
        Some(Value::String(s)) if s.is_empty() => NOTHING.into(),
        Some(Value::String(s)) if key == "role" => crate::domain::admins::Role::parse(s).map(|r| r.label().to_string()).unwrap_or_else(|| s.clone()),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) if key == "active" || key == "disabled" => {
            let on = if key == "active" { *b } else { !*b };
            if on { "Active" } else { "Inactive" }.into()
        }
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.into(),
        Some(Value::Array(items)) if items.is_empty() => NOTHING.into(),
        Some(Value::Array(items)) => items.iter().map(item_text).collect::<Vec<_>>().join(", "),
        Some(Value::Object(map)) if map.is_empty() => NOTHING.into(),
        Some(Value::Object(map)) => map.iter().map(|(k, v)| format!("{k}: {}", item_text(v))).collect::<Vec<_>>().join("; "),
        Some(other) => other.to_string(),
    }
}

/// One element of a list: an e-mail as "address (type, primary)", anything else compactly.
fn item_text(item: &Value) -> String {
    match item {
        Value::String(s) => s.clone(),
        Value::Object(map) if map.get("value").is_some_and(Value::is_string) => {
            let value = map["value"].as_str().unwrap_or_default();
            let mut notes: Vec<&str> = map.get("type").and_then(Value::as_str).into_iter().collect();
            if map.get("primary").and_then(Value::as_bool) == Some(true) {
                notes.push("primary");
            }
            if notes.is_empty() { value.to_string() } else { format!("{value} ({})", notes.join(", ")) }
        }
        other => other.to_string(),
    }
}

fn field_label(key: &str) -> String {
    match key {
        "user_name" | "username" => "User name".into(),
        "external_id" => "External id".into(),
        "given_name" => "Given name".into(),
        "family_name" => "Family name".into(),
        "display_name" => "Display name".into(),
        "email" => "E-mail".into(),
        "emails" => "E-mail addresses".into(),
        "extra" => "Other SCIM attributes".into(),
        "active" | "disabled" => "Status".into(),
        other => {
            let spaced = other.replace('_', " ");
            let mut chars = spaced.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(target_kind: &str, before: Option<&str>, after: Option<&str>) -> AuditRecord {
        AuditRecord {
            id: 7,
            at: 1,
            actor_kind: "admin".into(),
            actor_id: "a1".into(),
            actor_name: "root".into(),
            door: "console".into(),
            action: "user.update".into(),
            target_kind: target_kind.into(),
            target_id: "u1".into(),
            target_name: "ada".into(),
            before_json: before.map(str::to_string),
            after_json: after.map(str::to_string),
            request_id: "r".into(),
        }
    }

    #[test]
    fn only_changed_fields_are_listed_with_before_and_after() {
        let entry = describe(record(
            "user",
            Some(r#"{"display_name":"Ada","active":true}"#),
            Some(r#"{"display_name":"Ada Lovelace","active":false,"revoked":[{"id":"w1","name":"Finance"}]}"#),
        ));
        assert_eq!(
            entry.changes,
            vec![
                FieldChange { field: "Display name".into(), before: "Ada".into(), after: "Ada Lovelace".into() },
                FieldChange { field: "Status".into(), before: "Active".into(), after: "Inactive".into() },
            ]
        );
        assert_eq!(entry.revoked, vec![Subject { kind: "workspace".into(), id: "w1".into(), name: "Finance".into() }]);
        assert!(entry.granted.is_empty());
    }

    #[test]
    fn a_deleted_workspace_lists_its_members_as_revoked_and_its_fields_as_gone() {
        let entry = describe(record(
            "workspace",
            Some(r#"{"id":"w1","name":"Finance","description":"","version":3,"members":[{"id":"u1","user_name":"ada"}]}"#),
            None,
        ));
        assert_eq!(entry.changes, vec![FieldChange { field: "Name".into(), before: "Finance".into(), after: NOTHING.into() }]);
        assert_eq!(entry.revoked, vec![Subject { kind: "user".into(), id: "u1".into(), name: "ada".into() }]);
    }

    #[test]
    fn emails_read_as_addresses_with_their_notes() {
        let entry = describe(record(
            "user",
            Some(r#"{"emails":[]}"#),
            Some(r#"{"emails":[{"value":"a@x.org","type":"work","primary":true},{"value":"b@y.org"}]}"#),
        ));
        assert_eq!(entry.changes[0].after, "a@x.org (work, primary), b@y.org");
        assert_eq!(entry.changes[0].before, NOTHING);
    }
}
