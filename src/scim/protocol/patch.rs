//! PATCH (RFC 7644 §3.5.2) applied to a resource's JSON, plus what real identity providers send
//! (see shared/docs/idp-requests.md): op names in any case, path-less operations whose value
//! has dotted or URN keys, value-path adds that match nothing yet, removes with a value list.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::error::{ScimError, ScimResult};
use super::filter::{self, CompValue, CompareOp, Filter};
use super::limits::{MAX_PATCH_OPERATIONS, MAX_VALUES};
use super::path::AttrPath;
use super::schema::{canonical, ENTERPRISE_ATTRS, ENTERPRISE_SCHEMA, NAME_EXTRA, PATCH_SCHEMA, USER_EXTRA};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Add,
    Replace,
    Remove,
}

#[derive(Debug, Clone)]
pub struct PatchOp {
    pub kind: OpKind,
    pub path: Option<String>,
    pub value: Option<Value>,
}

/// Reads a PatchOp message. It must name the PatchOp schema and hold one or more operations.
pub fn parse_patch(body: &Value) -> ScimResult<Vec<PatchOp>> {
    let obj = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "A PATCH body must be an object."))?;
    let get = |k: &str| obj.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
    let names_schema = get("schemas")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_SCHEMA))));
    if !names_schema {
        return Err(ScimError::bad("invalidSyntax", format!("schemas must contain {PATCH_SCHEMA}")));
    }
    let ops = get("Operations").and_then(Value::as_array).ok_or_else(|| ScimError::bad("invalidSyntax", "Operations must be an array."))?;
    if ops.is_empty() {
        return Err(ScimError::bad("invalidValue", "Operations must hold at least one operation (RFC 7644 §3.5.2)."));
    }
    if ops.len() > MAX_PATCH_OPERATIONS {
        return Err(ScimError::bad("invalidValue", format!("A PATCH may hold at most {MAX_PATCH_OPERATIONS} operations.")));
    }
    ops.iter()
        .map(|op| {
            let o = op.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "Each operation must be an object."))?;
            let get = |k: &str| o.iter().find(|(key, _)| key.eq_ignore_ascii_case(k)).map(|(_, v)| v);
            let kind = match get("op").and_then(Value::as_str).map(str::to_ascii_lowercase).as_deref() {
                Some("add") => OpKind::Add,
                Some("replace") => OpKind::Replace,
                Some("remove") => OpKind::Remove,
                other => return Err(ScimError::bad("invalidSyntax", format!("op must be add, replace or remove, not {other:?}"))),
            };
            let path = match get("path") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.trim().is_empty() => None,
                Some(Value::String(s)) => Some(s.trim().to_string()),
                Some(_) => return Err(ScimError::bad("invalidPath", "path must be a string.")),
            };
            let value = get("value").cloned();
            if kind != OpKind::Remove && value.is_none() {
                return Err(ScimError::bad("invalidValue", "add and replace need a value."));
            }
            if kind == OpKind::Remove && path.is_none() {
                return Err(ScimError::bad("noTarget", "remove needs a path."));
            }
            Ok(PatchOp { kind, path, value })
        })
        .collect()
}

/// A path split into where it points: attribute, optional value filter, optional sub-attribute.
pub struct Target {
    pub extension: bool,
    pub attr: String,
    pub filter: Option<Filter>,
    pub sub: Option<String>,
}

pub fn parse_target(path: &str) -> ScimResult<Target> {
    let invalid = || ScimError::bad("invalidPath", format!("{path} is not a valid attribute path"));
    if path.eq_ignore_ascii_case(ENTERPRISE_SCHEMA) {
        return Ok(Target { extension: true, attr: String::new(), filter: None, sub: None });
    }
    let (head, filter, sub) = match path.find('[') {
        Some(open) => {
            let close = path.rfind(']').filter(|c| *c > open).ok_or_else(invalid)?;
            let inner = filter::parse(&path[open + 1..close]).map_err(|e| ScimError::bad("invalidFilter", e.0))?;
            let rest = &path[close + 1..];
            let sub = match rest.strip_prefix('.') {
                Some(s) if !s.is_empty() => Some(s.to_string()),
                None if rest.is_empty() => None,
                _ => return Err(invalid()),
            };
            (&path[..open], Some(inner), sub)
        }
        None => (path, None, None),
    };
    let parsed = AttrPath::parse(head).ok_or_else(invalid)?;
    if filter.is_some() && parsed.sub.is_some() {
        return Err(invalid());
    }
    Ok(Target { extension: parsed.is_enterprise(), attr: parsed.attr, sub: sub.or(parsed.sub).map(|s| s.to_ascii_lowercase()), filter })
}

fn key_in(obj: &Map<String, Value>, name: &str) -> Option<String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

const USER_CORE: &[&str] = &["userName", "externalId", "displayName", "active", "emails", "name", "entitlements", "password"];

/// The canonical key for `attr` in the user document (or its extension object).
fn user_key(extension: bool, attr: &str) -> ScimResult<String> {
    let found = if extension { canonical(ENTERPRISE_ATTRS, attr) } else { canonical(USER_CORE, attr).or_else(|| canonical(USER_EXTRA, attr)) };
    found.map(str::to_string).ok_or_else(|| ScimError::bad("invalidPath", format!("{attr} is not an attribute of User")))
}

fn sub_key(container: Option<&Map<String, Value>>, sub: &str) -> String {
    if let Some(k) = container.and_then(|o| key_in(o, sub)) {
        return k;
    }
    canonical(NAME_EXTRA, sub)
        .or_else(|| canonical(&["givenName", "familyName", "value", "type", "primary", "display", "displayName", "$ref"], sub))
        .unwrap_or(sub)
        .to_string()
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether one element of a multi-valued attribute meets a value filter.
pub fn matches(f: &Filter, element: &Value) -> bool {
    let get = |p: &AttrPath| element.as_object().and_then(|o| key_in(o, &p.attr).and_then(|k| o.get(&k).cloned()));
    match f {
        Filter::Compare(p, op, value) => {
            let actual = get(p);
            let wanted = match value {
                CompValue::Str(s) => Some(s.to_lowercase()),
                CompValue::Num(n) => Some(n.to_string()),
                CompValue::Bool(b) => Some(b.to_string()),
                CompValue::Null => None,
            };
            let actual_text = actual.as_ref().and_then(as_text);
            match (op, actual_text, wanted) {
                (CompareOp::Eq, a, w) => a == w,
                (CompareOp::Ne, a, w) => a != w,
                (_, None, _) | (_, _, None) => false,
                (CompareOp::Co, Some(a), Some(w)) => a.contains(&w),
                (CompareOp::Sw, Some(a), Some(w)) => a.starts_with(&w),
                (CompareOp::Ew, Some(a), Some(w)) => a.ends_with(&w),
                (CompareOp::Gt, Some(a), Some(w)) => a > w,
                (CompareOp::Ge, Some(a), Some(w)) => a >= w,
                (CompareOp::Lt, Some(a), Some(w)) => a < w,
                (CompareOp::Le, Some(a), Some(w)) => a <= w,
            }
        }
        Filter::Present(p) => get(p).is_some_and(|v| !v.is_null() && v != Value::String(String::new())),
        Filter::And(all) => all.iter().all(|f| matches(f, element)),
        Filter::Or(any) => any.iter().any(|f| matches(f, element)),
        Filter::Not(inner) => !matches(inner, element),
        Filter::ValuePath { .. } => false,
    }
}

/// The element a value filter describes, for an add that matches nothing yet:
/// `emails[type eq "home"].value` + "x" becomes {"type": "home", "value": "x"}.
fn element_from(f: &Filter) -> Map<String, Value> {
    let mut out = Map::new();
    match f {
        Filter::Compare(p, CompareOp::Eq, v) => {
            let value = match v {
                CompValue::Str(s) => Value::String(s.clone()),
                CompValue::Bool(b) => Value::Bool(*b),
                CompValue::Num(n) => serde_json::Number::from_f64(*n).map(Value::Number).unwrap_or(Value::Null),
                CompValue::Null => Value::Null,
            };
            out.insert(sub_key(None, &p.attr), value);
        }
        Filter::And(all) => {
            for f in all {
                out.extend(element_from(f));
            }
        }
        _ => {}
    }
    out
}

/// Removes from `list` the elements whose `value` equals one in `remove`.
fn remove_listed(list: &mut Vec<Value>, remove: &Value) {
    let values: HashSet<Option<String>> = super::schema::items(remove).iter().map(|v| v.get("value").and_then(as_text)).collect();
    list.retain(|e| {
        let v = e.get("value").and_then(as_text);
        !values.contains(&v)
    });
}

/// Applies one operation at `target` inside `container`.
fn apply_at(container: &mut Map<String, Value>, key: String, target: &Target, kind: OpKind, value: Option<&Value>) -> ScimResult<()> {
    match (&target.filter, &target.sub) {
        (None, None) => match kind {
            OpKind::Remove => match (value, container.get_mut(&key)) {
                (Some(listed), Some(Value::Array(list))) => remove_listed(list, listed),
                _ => {
                    container.remove(&key);
                }
            },
            OpKind::Add | OpKind::Replace => {
                let value = value.cloned().unwrap_or(Value::Null);
                match (container.get_mut(&key), value) {
                    (Some(Value::Array(list)), new) if kind == OpKind::Add => {
                        // Set-based, so adding n values to a list of m costs n + m, not n * m.
                        let mut present: HashSet<String> = list.iter().map(Value::to_string).collect();
                        for item in super::schema::items(&new) {
                            if present.insert(item.to_string()) {
                                list.push(item);
                            }
                        }
                    }
                    (Some(Value::Object(existing)), Value::Object(new)) => {
                        for (k, v) in new {
                            let k = key_in(existing, &k).unwrap_or(k);
                            existing.insert(k, v);
                        }
                    }
                    (_, new) => {
                        container.insert(key, new);
                    }
                }
            }
        },
        (None, Some(sub)) => {
            let slot = container.entry(key).or_insert_with(|| Value::Object(Map::new()));
            let apply = |obj: &mut Map<String, Value>| {
                let k = sub_key(Some(&*obj), sub);
                match kind {
                    OpKind::Remove => {
                        obj.remove(&k);
                    }
                    _ => {
                        obj.insert(k, value.cloned().unwrap_or(Value::Null));
                    }
                }
            };
            match slot {
                Value::Object(obj) => apply(obj),
                Value::Array(items) => items.iter_mut().filter_map(Value::as_object_mut).for_each(apply),
                _ => return Err(ScimError::bad("invalidPath", format!("{} has no sub-attribute {sub}", target.attr))),
            }
        }
        (Some(f), sub) => {
            let slot = container.entry(key.clone()).or_insert_with(|| Value::Array(Vec::new()));
            let Value::Array(list) = slot else {
                return Err(ScimError::bad("invalidPath", format!("{key} is not multi-valued")));
            };
            let hits: Vec<usize> = (0..list.len()).filter(|i| matches(f, &list[*i])).collect();
            let hit: HashSet<usize> = hits.iter().copied().collect();
            match (kind, sub) {
                (OpKind::Remove, None) => {
                    let mut i = 0;
                    list.retain(|_| {
                        let keep = !hit.contains(&i);
                        i += 1;
                        keep
                    });
                }
                (OpKind::Remove, Some(sub)) => {
                    for i in hits {
                        if let Some(obj) = list[i].as_object_mut() {
                            if let Some(k) = key_in(obj, sub) {
                                obj.remove(&k);
                            }
                        }
                    }
                }
                (_, Some(sub)) if hits.is_empty() => {
                    let mut element = element_from(f);
                    element.insert(sub_key(None, sub), value.cloned().unwrap_or(Value::Null));
                    list.push(Value::Object(element));
                }
                (_, Some(sub)) => {
                    for i in hits {
                        if let Some(obj) = list[i].as_object_mut() {
                            let k = sub_key(Some(&*obj), sub);
                            obj.insert(k, value.cloned().unwrap_or(Value::Null));
                        }
                    }
                }
                (OpKind::Add, None) if hits.is_empty() => list.extend(super::schema::items(value.unwrap_or(&Value::Null))),
                (OpKind::Replace, None) if hits.is_empty() => {
                    return Err(ScimError::bad("noTarget", format!("No value of {key} matches the path filter.")));
                }
                (_, None) => {
                    for i in hits {
                        match (list[i].as_object_mut(), value) {
                            (Some(obj), Some(Value::Object(new))) => obj.extend(new.clone()),
                            (_, Some(new)) => list[i] = new.clone(),
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// Applies one operation to a User document. `budget` counts operations, those a path-less
/// operation expands into included, so one cannot stand for thousands.
fn apply_user_op(doc: &mut Map<String, Value>, kind: OpKind, path: Option<&str>, value: Option<&Value>, budget: &mut usize) -> ScimResult<()> {
    let Some(path) = path else {
        // No path: each key of the value is a path of its own (RFC 7644 §3.5.2.1, and Entra's
        // dotted and URN-qualified keys).
        let Some(Value::Object(entries)) = value else {
            return Err(ScimError::bad("invalidValue", "An operation without a path needs an object value."));
        };
        for (k, v) in entries {
            apply_user_op(doc, kind, Some(k), Some(v), budget)?;
        }
        return Ok(());
    };
    *budget = budget.checked_sub(1).ok_or_else(|| {
        ScimError::bad("invalidValue", format!("A PATCH may hold at most {MAX_PATCH_OPERATIONS} operations, counting each key of a value without a path."))
    })?;
    let mut target = parse_target(path)?;
    // Entra's tutorial patches `manager` without the extension URN, with a one-element list.
    if !target.extension && canonical(USER_CORE, &target.attr).is_none() && canonical(USER_EXTRA, &target.attr).is_none()
        && canonical(ENTERPRISE_ATTRS, &target.attr).is_some()
    {
        target.extension = true;
    }
    let single;
    let value = match (target.attr.as_str(), value) {
        ("manager", Some(Value::Array(list))) if target.sub.is_none() => {
            single = list.first().cloned();
            single.as_ref()
        }
        _ => value,
    };
    if target.extension && target.attr.is_empty() {
        let key = key_in(doc, ENTERPRISE_SCHEMA).unwrap_or_else(|| ENTERPRISE_SCHEMA.to_string());
        let t = Target { extension: false, attr: key.clone(), filter: None, sub: None };
        return apply_at(doc, key, &t, kind, value);
    }
    let canonical_key = user_key(target.extension, &target.attr)?;
    if target.extension {
        let ext_key = key_in(doc, ENTERPRISE_SCHEMA).unwrap_or_else(|| ENTERPRISE_SCHEMA.to_string());
        let ext = doc.entry(ext_key).or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(ext) = ext else {
            return Err(ScimError::bad("invalidValue", "The enterprise extension must be an object."));
        };
        let key = key_in(ext, &canonical_key).unwrap_or(canonical_key);
        return apply_at(ext, key, &target, kind, value);
    }
    let key = key_in(doc, &canonical_key).unwrap_or(canonical_key);
    apply_at(doc, key, &target, kind, value)
}

/// Applies every operation, in order, to a User document. No multi-valued attribute may grow
/// past [`MAX_VALUES`] along the way, so later operations never work on a huge list.
pub fn apply_user_patch(doc: &mut Map<String, Value>, ops: &[PatchOp]) -> ScimResult<()> {
    let mut budget = MAX_PATCH_OPERATIONS;
    for op in ops {
        apply_user_op(doc, op.kind, op.path.as_deref(), op.value.as_ref(), &mut budget)?;
        if let Some((key, _)) = doc.iter().find(|(_, v)| v.as_array().is_some_and(|a| a.len() > MAX_VALUES)) {
            return Err(ScimError::bad("invalidValue", format!("{key} may hold at most {MAX_VALUES} values.")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(doc: Value, ops: Value) -> Value {
        let body = json!({"schemas": [PATCH_SCHEMA], "Operations": ops});
        let mut map = doc.as_object().unwrap().clone();
        apply_user_patch(&mut map, &parse_patch(&body).unwrap()).unwrap();
        Value::Object(map)
    }

    fn doc() -> Value {
        json!({"userName": "a", "name": {"givenName": "A", "familyName": "B"}, "active": true,
               "emails": [{"value": "a@work.com", "type": "work", "primary": true}]})
    }

    #[test]
    fn okta_pathless_replace_of_active() {
        let out = patch(doc(), json!([{"op": "replace", "value": {"active": false}}]));
        assert_eq!(out["active"], false);
    }

    #[test]
    fn entra_capitalised_ops_value_path_replace_and_dotted_keys() {
        let out = patch(doc(), json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "new@work.com"},
            {"op": "Replace", "path": "name.familyName", "value": "Z"},
            {"op": "replace", "value": {"displayName": "D", "name.givenName": "G",
              "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "42"}}
        ]));
        assert_eq!(out["emails"][0]["value"], "new@work.com");
        assert_eq!(out["emails"].as_array().unwrap().len(), 1);
        assert_eq!(out["name"], json!({"givenName": "G", "familyName": "Z"}));
        assert_eq!(out["displayName"], "D");
        assert_eq!(out[ENTERPRISE_SCHEMA]["employeeNumber"], "42");
    }

    #[test]
    fn an_add_through_a_value_filter_that_matches_nothing_creates_the_element() {
        let out = patch(doc(), json!([{"op": "add", "path": "emails[type eq \"home\"].value", "value": "a@home.com"}]));
        assert_eq!(out["emails"][1], json!({"type": "home", "value": "a@home.com"}));
    }

    #[test]
    fn remove_by_filter_and_by_value_list() {
        let out = patch(doc(), json!([{"op": "remove", "path": "emails[value eq \"A@WORK.COM\"]"}]));
        assert_eq!(out["emails"], json!([]));
        let out = patch(doc(), json!([{"op": "Remove", "path": "emails", "value": [{"value": "a@work.com"}]}]));
        assert_eq!(out["emails"], json!([]));
        let out = patch(doc(), json!([{"op": "remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"}]));
        assert_eq!(out[ENTERPRISE_SCHEMA], json!({}));
    }

    #[test]
    fn bad_patches_are_refused_with_the_right_scim_type() {
        let parse = |ops: Value| parse_patch(&json!({"schemas": [PATCH_SCHEMA], "Operations": ops}));
        assert_eq!(parse(json!([])).unwrap_err().scim_type, Some("invalidValue"));
        assert_eq!(parse(json!([{"op": "move", "path": "x"}])).unwrap_err().scim_type, Some("invalidSyntax"));
        assert_eq!(parse(json!([{"op": "remove"}])).unwrap_err().scim_type, Some("noTarget"));
        assert_eq!(parse_patch(&json!({"Operations": [{"op": "remove", "path": "x"}]})).unwrap_err().scim_type, Some("invalidSyntax"));
        let mut d = doc().as_object().unwrap().clone();
        let err = apply_user_patch(&mut d, &parse(json!([{"op": "add", "path": "shoeSize", "value": 1}])).unwrap()).unwrap_err();
        assert_eq!(err.scim_type, Some("invalidPath"));
    }
}
