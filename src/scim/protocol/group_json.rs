//! A workspace as a SCIM Group (RFC 7643 §4.2): displayName is the workspace name, members are
//! the users granted access.

use serde_json::{json, Map, Value};

use super::error::{ScimError, ScimResult};
use super::schema::GROUP_SCHEMA;
use super::meta::Meta;
use crate::domain::workspaces::Workspace;

pub fn group_location(base: &str, id: &str) -> String {
    GroupLocation { base, id }.to_string()
}

/// A group's location, also written straight into a body without a string of its own (a page
/// of 100 users names hundreds of groups).
pub struct GroupLocation<'a> {
    pub base: &'a str,
    pub id: &'a str,
}

impl std::fmt::Display for GroupLocation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/Groups/{}", self.base, self.id)
    }
}

impl serde::Serialize for GroupLocation<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The group; `members` only when they were loaded (None when excluded).
pub fn group_json(ws: &Workspace, members: Option<&[(String, String)]>, base: &str) -> Value {
    let mut out = Map::new();
    out.insert("schemas".into(), json!([GROUP_SCHEMA]));
    out.insert("id".into(), json!(ws.id));
    if let Some(external_id) = &ws.external_id {
        out.insert("externalId".into(), json!(external_id));
    }
    out.insert("displayName".into(), json!(ws.name));
    if let Some(members) = members {
        let list: Vec<Value> = members
            .iter()
            .map(|(id, user_name)| json!({"value": id, "display": user_name, "$ref": format!("{base}/Users/{id}"), "type": "User"}))
            .collect();
        out.insert("members".into(), Value::Array(list));
    }
    let meta = Meta { resource_type: "Group", created: ws.created, last_modified: ws.last_modified, location: group_location(base, &ws.id), version: ws.version };
    out.insert("meta".into(), serde_json::to_value(meta).expect("meta serialises"));
    Value::Object(out)
}

/// A group body (POST, PUT): displayName, externalId and member ids. Extra schema URNs (Entra
/// sends a Microsoft one) and read-only attributes are ignored.
pub struct GroupBody {
    pub display_name: String,
    pub external_id: Option<String>,
    pub members: Vec<String>,
}

pub fn member_ids(value: &Value) -> ScimResult<Vec<String>> {
    let items = super::schema::items(value);
    items
        .iter()
        .map(|item| {
            item.as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case("value")).map(|(_, v)| v))
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| ScimError::bad("invalidValue", "Each member must be an object with a string value (the user id)."))
        })
        .collect()
}

pub fn group_body(body: &Value) -> ScimResult<GroupBody> {
    let obj = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "A Group must be a JSON object."))?;
    let get = |k: &str| obj.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
    let display_name = get("displayName")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| ScimError::bad("invalidValue", "displayName is required."))?;
    let external_id = get("externalId").and_then(Value::as_str).map(str::to_string);
    let members = get("members").map(member_ids).transpose()?.unwrap_or_default();
    Ok(GroupBody { display_name, external_id, members })
}
