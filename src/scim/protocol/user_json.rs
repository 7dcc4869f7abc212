//! The SCIM User (RFC 7643 §4.1, §4.3) as JSON: from the store's user and back to a draft.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::error::{ScimError, ScimResult};
use super::group_json::GroupLocation;
use super::meta::Meta;
use super::schema::{canonical, ENTERPRISE_ATTRS, ENTERPRISE_SCHEMA, MULTI_VALUED_EXTRA, NAME_EXTRA, USER_EXTRA, USER_SCHEMA};
use crate::domain::users::{Email, User, OTHER_ENTITLEMENTS};
use crate::domain::users::UserInput;
use crate::service::{AccessChange, ProfileUpdate, UserChange, UserWithAccess, WorkspaceRef};

/// A user as a SCIM body describes it (POST, PUT, or a patched representation).
#[derive(Debug, Clone, Default)]
pub struct UserDraft {
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    /// None keeps the stored value (a new user starts active).
    pub active: Option<bool>,
    pub emails: Vec<Email>,
    pub extra: Map<String, Value>,
    /// The workspaces the user may enter; None when the body has no `entitlements`.
    pub workspaces: Option<Vec<WorkspaceRef>>,
}

impl UserDraft {
    /// The change that makes a user what this body describes.
    pub fn into_change(self) -> UserChange {
        let input = UserInput {
            user_name: self.user_name,
            external_id: self.external_id.unwrap_or_default(),
            given_name: self.given_name,
            family_name: self.family_name,
            display_name: self.display_name,
            email: String::new(),
        };
        UserChange {
            profile: Some(ProfileUpdate::Whole { input, emails: self.emails, extra: self.extra }),
            active: self.active,
            access: AccessChange { exactly: self.workspaces, ..Default::default() },
            ..Default::default()
        }
    }
}

pub fn user_location(base: &str, id: &str) -> String {
    format!("{base}/Users/{id}")
}

/// The attributes a PATCH works on: the representation without what the server generates
/// (id, meta, schemas, groups, and a `formatted` name made from the parts), so a patched
/// given name does not leave the old generated full name behind as if someone had set it.
pub fn patchable_json(u: &UserWithAccess) -> Map<String, Value> {
    let Value::Object(mut map) = user_json(u, "") else { return Map::new() };
    for generated in ["meta", "groups", "id", "schemas"] {
        map.remove(generated);
    }
    let stored = u.user.extra.get("name").and_then(|n| n.get("formatted")).is_some();
    if let (false, Some(Value::Object(name))) = (stored, map.get_mut("name")) {
        name.remove("formatted");
    }
    map
}

/// The full representation of a user, as a `Value` (to patch or project it).
pub fn user_json(u: &UserWithAccess, base: &str) -> Value {
    serde_json::to_value(UserDoc { user: u, base }).expect("a user serialises")
}

/// The full representation of a user, written attribute by attribute. A list page writes a
/// hundred of them: building a `Value` tree for each first (a map node and a string per key,
/// every one freed again) was most of what a page cost beyond reading the store.
pub struct UserDoc<'a> {
    pub user: &'a UserWithAccess,
    pub base: &'a str,
}

impl Serialize for UserDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (u, user) = (self.user, &self.user.user);
        let mut out = s.serialize_map(None)?;
        let enterprise = user.extra.get(ENTERPRISE_SCHEMA);
        match enterprise {
            Some(_) => out.serialize_entry("schemas", &[USER_SCHEMA, ENTERPRISE_SCHEMA])?,
            None => out.serialize_entry("schemas", &[USER_SCHEMA])?,
        }
        out.serialize_entry("id", &user.id)?;
        if let Some(external_id) = &user.external_id {
            out.serialize_entry("externalId", external_id)?;
        }
        out.serialize_entry("userName", &user.user_name)?;
        out.serialize_entry("name", &NameDoc(user))?;
        out.serialize_entry("displayName", &user.display_name)?;
        out.serialize_entry("active", &user.active)?;
        if !user.emails.is_empty() {
            out.serialize_entry("emails", &user.emails)?;
        }
        for key in USER_EXTRA {
            if let Some(v) = user.extra.get(*key) {
                out.serialize_entry(key, v)?;
            }
        }
        out.serialize_entry("groups", &GroupsDoc(self))?;
        out.serialize_entry("entitlements", &EntitlementsDoc(u))?;
        if let Some(ext) = enterprise {
            out.serialize_entry(ENTERPRISE_SCHEMA, ext)?;
        }
        let location = user_location(self.base, &user.id);
        out.serialize_entry("meta", &Meta { resource_type: "User", created: user.created, last_modified: user.last_modified, location, version: user.version })?;
        out.end()
    }
}

/// `name`: the two parts with columns, the stored others, and `formatted` made from the parts
/// unless one was stored.
struct NameDoc<'a>(&'a User);

impl Serialize for NameDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let user = self.0;
        let mut out = s.serialize_map(None)?;
        out.serialize_entry("givenName", &user.given_name)?;
        out.serialize_entry("familyName", &user.family_name)?;
        let stored = match user.extra.get("name") {
            Some(Value::Object(stored)) => Some(stored),
            _ => None,
        };
        // Only the parts without columns, so no key is written twice (`user_draft` stores no
        // others, but a map written as text would keep a repeat that a `Value` would merge).
        for (key, value) in stored.into_iter().flatten().filter(|(key, _)| canonical(NAME_EXTRA, key).is_some()) {
            out.serialize_entry(key, value)?;
        }
        if !stored.is_some_and(|n| n.contains_key("formatted")) {
            out.serialize_entry("formatted", format!("{} {}", user.given_name, user.family_name).trim())?;
        }
        out.end()
    }
}

/// `groups`: each workspace the user may enter, as a direct membership.
struct GroupsDoc<'a>(&'a UserDoc<'a>);

impl Serialize for GroupsDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let base = self.0.base;
        s.collect_seq(self.0.user.workspaces.iter().map(|w| GroupRef {
            value: &w.id,
            display: &w.name,
            reference: GroupLocation { base, id: &w.id },
            kind: "direct",
        }))
    }
}

#[derive(Serialize)]
struct GroupRef<'a> {
    value: &'a str,
    display: &'a str,
    #[serde(rename = "$ref")]
    reference: GroupLocation<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct Entitlement<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    value: &'a str,
    display: &'a str,
}

/// `entitlements`: a WORKSPACE one per workspace, then the others as they were sent.
struct EntitlementsDoc<'a>(&'a UserWithAccess);

impl Serialize for EntitlementsDoc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut out = s.serialize_seq(None)?;
        for w in &self.0.workspaces {
            out.serialize_element(&Entitlement { kind: "WORKSPACE", value: &w.id, display: &w.name })?;
        }
        if let Some(Value::Array(others)) = self.0.user.extra.get(OTHER_ENTITLEMENTS) {
            for other in others {
                out.serialize_element(other)?;
            }
        }
        out.end()
    }
}

fn text(value: &Value, attr: &str) -> ScimResult<String> {
    match value {
        Value::String(s) => Ok(s.clone()),
        Value::Null => Ok(String::new()),
        other => Err(ScimError::bad("invalidValue", format!("{attr} must be a string, not {other}"))),
    }
}

/// Booleans, also as the strings "True"/"False" that Entra sends.
pub fn boolean(value: &Value, attr: &str) -> ScimResult<bool> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(ScimError::bad("invalidValue", format!("{attr} must be true or false, not {other}"))),
    }
}

fn emails(value: &Value) -> ScimResult<Vec<Email>> {
    let items = super::schema::items(value);
    items
        .iter()
        .map(|item| {
            let obj = item.as_object().ok_or_else(|| ScimError::bad("invalidValue", "Each entry of emails must be an object."))?;
            let get = |k: &str| obj.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
            Ok(Email {
                value: get("value").map(|v| text(v, "emails.value")).transpose()?.unwrap_or_default(),
                kind: get("type").map(|v| text(v, "emails.type")).transpose()?.filter(|t| !t.is_empty()),
                primary: get("primary").map(|v| boolean(v, "emails.primary")).transpose()?.unwrap_or(false),
                display: get("display").map(|v| text(v, "emails.display")).transpose()?.filter(|t| !t.is_empty()),
            })
        })
        .collect()
}

/// Splits `entitlements` into workspace references (type WORKSPACE with the id as value, and
/// Anaplan's WORKSPACE_IDS / WORKSPACE_NAMES with comma-separated values) and the others,
/// which are kept as sent (value, type, display, primary) and grant nothing.
fn entitlements(value: &Value) -> ScimResult<(Vec<WorkspaceRef>, Vec<Value>)> {
    let items = super::schema::items(value);
    let mut refs = Vec::new();
    let mut others = Vec::new();
    for item in &items {
        let obj = item.as_object().ok_or_else(|| ScimError::bad("invalidValue", "Each entitlement must be an object."))?;
        let get = |k: &str| obj.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
        let kind = get("type").and_then(Value::as_str).unwrap_or("WORKSPACE").to_ascii_uppercase();
        let value = get("value").and_then(Value::as_str).unwrap_or("").trim().to_string();
        let split = |v: &str| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect::<Vec<_>>();
        match kind.as_str() {
            "WORKSPACE" if !value.is_empty() => refs.push(WorkspaceRef::Id(value)),
            "WORKSPACE_IDS" => refs.extend(split(&value).into_iter().map(WorkspaceRef::Id)),
            "WORKSPACE_NAMES" => refs.extend(split(&value).into_iter().map(WorkspaceRef::Name)),
            "WORKSPACE" => return Err(ScimError::bad("invalidValue", "A WORKSPACE entitlement needs a value (the workspace id).")),
            _ => others.push(other_entitlement(obj)?),
        }
    }
    Ok((refs, others))
}

/// An entitlement that is not a workspace, reduced to the attributes RFC 7643 §4.1.2 gives it.
fn other_entitlement(obj: &Map<String, Value>) -> ScimResult<Value> {
    let get = |k: &str| obj.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
    let mut kept = Map::new();
    for key in ["value", "type", "display"] {
        if let Some(v) = get(key).filter(|v| !v.is_null()) {
            kept.insert(key.into(), Value::String(text(v, &format!("entitlements.{key}"))?));
        }
    }
    if let Some(p) = get("primary").filter(|v| !v.is_null()) {
        kept.insert("primary".into(), Value::Bool(boolean(p, "entitlements.primary")?));
    }
    if kept.get("value").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(ScimError::bad("invalidValue", "Each entitlement needs a value."));
    }
    Ok(Value::Object(kept))
}

/// An optional attribute checked against its type in the schema (RFC 7643 §4.1, §4.3): text
/// attributes are strings, `manager` is an object, the multi-valued ones are lists of objects.
fn typed(attr: &'static str, value: &Value) -> ScimResult<Value> {
    let wrong = |what: &str| ScimError::bad("invalidValue", format!("{attr} must be {what}."));
    if MULTI_VALUED_EXTRA.contains(&attr) {
        let items = super::schema::items(value);
        if items.iter().any(|i| !i.is_object()) {
            return Err(wrong("a list of objects"));
        }
        return Ok(Value::Array(items));
    }
    match (attr, value) {
        ("manager", Value::Object(_)) => Ok(value.clone()),
        ("manager", Value::String(id)) => Ok(serde_json::json!({"value": id})),
        ("manager", _) => Err(wrong("an object with the manager's id as value")),
        (_, Value::String(_)) => Ok(value.clone()),
        _ => Err(wrong("a string")),
    }
}

/// A draft from a full User body (POST, PUT, or a patched representation). Read-only and
/// unknown attributes are ignored (RFC 7643 §7); `password` is accepted and never stored.
pub fn user_draft(body: &Value) -> ScimResult<UserDraft> {
    let obj = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "A User must be a JSON object."))?;
    let mut draft = UserDraft::default();
    let mut saw_entitlements = false;
    let mut user_name = None;
    for (key, value) in obj {
        let lower = key.to_ascii_lowercase();
        match lower.as_str() {
            "username" => user_name = Some(text(value, "userName")?),
            "externalid" => draft.external_id = Some(text(value, "externalId")?).filter(|s| !s.is_empty()),
            "displayname" => draft.display_name = text(value, "displayName")?,
            "active" => draft.active = Some(boolean(value, "active")?),
            "emails" => draft.emails = emails(value)?,
            "entitlements" => {
                saw_entitlements = true;
                let (refs, others) = entitlements(value)?;
                draft.workspaces = Some(refs);
                if !others.is_empty() {
                    draft.extra.insert(OTHER_ENTITLEMENTS.into(), Value::Array(others));
                }
            }
            "name" => {
                let name = value.as_object().ok_or_else(|| ScimError::bad("invalidValue", "name must be an object."))?;
                let mut extra_name = Map::new();
                for (k, v) in name {
                    match k.to_ascii_lowercase().as_str() {
                        "givenname" => draft.given_name = text(v, "name.givenName")?,
                        "familyname" => draft.family_name = text(v, "name.familyName")?,
                        _ => {
                            if let Some(c) = canonical(NAME_EXTRA, k) {
                                if !v.is_null() {
                                    extra_name.insert(c.into(), Value::String(text(v, &format!("name.{c}"))?));
                                }
                            }
                        }
                    }
                }
                // The `formatted` this server generates is not kept, or it would go stale.
                let generated = format!("{} {}", draft.given_name, draft.family_name);
                if extra_name.get("formatted").and_then(Value::as_str) == Some(generated.trim()) {
                    extra_name.remove("formatted");
                }
                if !extra_name.is_empty() {
                    draft.extra.insert("name".into(), Value::Object(extra_name));
                }
            }
            _ if lower == ENTERPRISE_SCHEMA.to_ascii_lowercase() => {
                let ext = value.as_object().ok_or_else(|| ScimError::bad("invalidValue", "The enterprise extension must be an object."))?;
                let mut kept = Map::new();
                for (k, v) in ext {
                    if let Some(c) = canonical(ENTERPRISE_ATTRS, k) {
                        if !v.is_null() {
                            kept.insert(c.into(), typed(c, v)?);
                        }
                    }
                }
                if !kept.is_empty() {
                    draft.extra.insert(ENTERPRISE_SCHEMA.into(), Value::Object(kept));
                }
            }
            _ => {
                if let Some(c) = canonical(USER_EXTRA, key) {
                    if !value.is_null() {
                        draft.extra.insert(c.into(), typed(c, value)?);
                    }
                }
            }
        }
    }
    draft.user_name = user_name.ok_or_else(|| ScimError::bad("invalidValue", "userName is required."))?;
    if !saw_entitlements {
        draft.workspaces = None;
    }
    Ok(draft)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_draft_reads_keys_in_any_case_and_keeps_extension_attributes() {
        let body = json!({
            "USERNAME": "bjensen@example.com",
            "name": {"GivenName": "Barbara", "familyName": "Jensen", "middleName": "Jane"},
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}],
            "active": "False",
            "nickName": "Babs",
            "password": "never-kept",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"},
            "entitlements": [{"type": "WORKSPACE_NAMES", "value": "Finance, Sales"}, {"type": "WORKSPACE", "value": "w1"}]
        });
        let d = user_draft(&body).unwrap();
        assert_eq!(d.user_name, "bjensen@example.com");
        assert_eq!((d.given_name.as_str(), d.family_name.as_str()), ("Barbara", "Jensen"));
        assert_eq!(d.active, Some(false));
        assert_eq!(d.extra["nickName"], "Babs");
        assert_eq!(d.extra["name"]["middleName"], "Jane");
        assert_eq!(d.extra[ENTERPRISE_SCHEMA]["employeeNumber"], "701984");
        assert!(!d.extra.contains_key("password"));
        assert_eq!(
            d.workspaces.unwrap(),
            vec![WorkspaceRef::Name("Finance".into()), WorkspaceRef::Name("Sales".into()), WorkspaceRef::Id("w1".into())]
        );
    }

    #[test]
    fn a_user_without_user_name_is_refused_and_other_entitlements_are_kept_as_sent() {
        assert!(user_draft(&json!({"schemas": [USER_SCHEMA]})).is_err());
        let d = user_draft(&json!({"userName": "a", "entitlements": [
            {"type": "ROLE", "value": "approver", "display": "Approver", "primary": "True", "junk": 1},
            {"type": "WORKSPACE", "value": "w1"}
        ]}))
        .unwrap();
        assert_eq!(d.workspaces, Some(vec![WorkspaceRef::Id("w1".into())]));
        assert_eq!(d.extra[OTHER_ENTITLEMENTS], json!([{"type": "ROLE", "value": "approver", "display": "Approver", "primary": true}]));
        let err = user_draft(&json!({"userName": "a", "entitlements": [{"type": "ROLE"}]})).unwrap_err();
        assert_eq!(err.scim_type, Some("invalidValue"));
    }

    #[test]
    fn the_generated_formatted_name_is_not_stored_but_a_custom_one_is() {
        let plain = user_draft(&json!({"userName": "a", "name": {"givenName": "A", "familyName": "B", "formatted": "A B"}})).unwrap();
        assert!(!plain.extra.contains_key("name"));
        let custom = user_draft(&json!({"userName": "a", "name": {"givenName": "A", "familyName": "B", "formatted": "Dr. A B"}})).unwrap();
        assert_eq!(custom.extra["name"]["formatted"], "Dr. A B");
        assert_eq!(plain.active, None);
    }

    #[test]
    fn no_entitlements_key_leaves_workspaces_alone() {
        assert_eq!(user_draft(&json!({"userName": "a"})).unwrap().workspaces, None);
        assert_eq!(user_draft(&json!({"userName": "a", "entitlements": []})).unwrap().workspaces, Some(vec![]));
    }

    #[test]
    fn a_user_is_written_with_every_attribute_once() {
        let body = json!({
            "userName": "bjensen", "externalId": "e1", "displayName": "Babs", "active": false, "nickName": "B",
            "name": {"givenName": "Barbara", "familyName": "Jensen", "middleName": "Jane"},
            "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
            "entitlements": [{"type": "ROLE", "value": "approver"}],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tour"}
        });
        let UserChange { profile: Some(ProfileUpdate::Whole { input, emails, extra }), .. } = user_draft(&body).unwrap().into_change() else {
            panic!("a whole profile")
        };
        let user = User {
            id: "u1".into(), user_name: input.user_name, external_id: Some(input.external_id), given_name: input.given_name,
            family_name: input.family_name, display_name: input.display_name, email: String::new(), active: false,
            created: 0, last_modified: 1_000, version: 3, emails, extra, managed_by: None,
        };
        let access = UserWithAccess { user, workspaces: vec![crate::domain::workspaces::WorkspaceLink { id: "w1".into(), name: "Finance".into() }] };
        let written = serde_json::to_string(&UserDoc { user: &access, base: "https://cim" }).unwrap();
        let expected = json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA], "id": "u1", "externalId": "e1", "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen", "middleName": "Jane", "formatted": "Barbara Jensen"},
            "displayName": "Babs", "active": false, "nickName": "B",
            "emails": [{"value": "b@example.com", "type": "work", "primary": true}],
            "groups": [{"value": "w1", "display": "Finance", "$ref": "https://cim/Groups/w1", "type": "direct"}],
            "entitlements": [{"type": "WORKSPACE", "value": "w1", "display": "Finance"}, {"type": "ROLE", "value": "approver"}],
            ENTERPRISE_SCHEMA: {"department": "Tour"},
            "meta": {"resourceType": "User", "created": "1970-01-01T00:00:00.000Z", "lastModified": "1970-01-01T00:00:01.000Z",
                     "location": "https://cim/Users/u1", "version": "W/\"3\""}
        });
        assert_eq!(serde_json::from_str::<Value>(&written).unwrap(), expected);
        assert_eq!(user_json(&access, "https://cim"), expected);
        // Parsing keeps the last of a repeated key, so count them in the text.
        for key in ["\"formatted\"", "\"givenName\"", "\"entitlements\"", "\"id\""] {
            assert_eq!(written.matches(key).count(), 1, "{key} in {written}");
        }
    }

    #[test]
    fn a_bare_user_and_a_stored_formatted_name_are_written_as_they_are() {
        let user = |body: Value| {
            let UserChange { profile: Some(ProfileUpdate::Whole { input, emails, extra }), .. } = user_draft(&body).unwrap().into_change() else {
                panic!("a whole profile")
            };
            let external_id = Some(input.external_id).filter(|e| !e.is_empty());
            let user = User {
                id: "u2".into(), user_name: input.user_name, external_id, given_name: input.given_name, family_name: input.family_name,
                display_name: input.display_name, email: String::new(), active: true, created: 0, last_modified: 0, version: 1,
                emails, extra, managed_by: None,
            };
            let access = UserWithAccess { user, workspaces: vec![] };
            serde_json::to_string(&UserDoc { user: &access, base: "" }).unwrap()
        };
        let bare = user(json!({"userName": "a"}));
        let bare_value: Value = serde_json::from_str(&bare).unwrap();
        assert_eq!(bare_value["schemas"], json!([USER_SCHEMA]));
        assert_eq!(bare_value["name"], json!({"givenName": "", "familyName": "", "formatted": ""}));
        for absent in ["externalId", "emails", ENTERPRISE_SCHEMA] {
            assert!(bare_value.get(absent).is_none(), "{absent} in {bare}");
        }
        assert_eq!((bare_value["groups"].clone(), bare_value["entitlements"].clone()), (json!([]), json!([])));
        let titled = user(json!({"userName": "b", "name": {"givenName": "B", "familyName": "J", "formatted": "Ms. B J III"}}));
        assert_eq!(serde_json::from_str::<Value>(&titled).unwrap()["name"]["formatted"], "Ms. B J III");
        assert_eq!(titled.matches("\"formatted\"").count(), 1, "{titled}");
    }
}
