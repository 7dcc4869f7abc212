//! `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): which attributes a response
//! carries. `id` and `schemas` always stay.

use serde_json::{Map, Value};

use super::path::AttrPath;

fn key_of<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name))
}

/// The object a path points into: the resource itself for core attributes, the extension object
/// for enterprise ones, nothing for a schema this server does not have.
fn target<'a>(resource: &'a mut Map<String, Value>, path: &AttrPath) -> Option<&'a mut Map<String, Value>> {
    match &path.schema {
        Some(schema) if path.is_enterprise() => {
            let key = key_of(resource, schema)?.clone();
            resource.get_mut(&key)?.as_object_mut()
        }
        Some(schema) if !schema.ends_with(":user") && !schema.ends_with(":group") => None,
        _ => Some(resource),
    }
}

pub fn project(resource: &mut Value, attributes: &[String], excluded: &[String]) {
    let Some(obj) = resource.as_object_mut() else { return };
    if !attributes.is_empty() {
        let wanted: Vec<AttrPath> = attributes.iter().filter_map(|a| AttrPath::parse(a)).collect();
        let mut kept = Map::new();
        for (key, value) in obj.iter() {
            let lower = key.to_ascii_lowercase();
            if matches!(lower.as_str(), "id" | "schemas") {
                kept.insert(key.clone(), value.clone());
                continue;
            }
            let is_extension = lower.starts_with("urn:");
            let matching: Vec<&AttrPath> = wanted
                .iter()
                .filter(|p| if is_extension { p.schema.as_deref() == Some(lower.as_str()) || p.attr == lower } else { p.attr == lower && (p.schema.is_none() || !p.is_enterprise()) })
                .collect();
            if matching.is_empty() {
                continue;
            }
            let subs: Vec<&str> = matching.iter().filter_map(|p| if is_extension { Some(p.attr.as_str()) } else { p.sub.as_deref() }).collect();
            let whole = matching.iter().any(|p| if is_extension { p.attr == lower } else { p.sub.is_none() });
            let value = match value {
                Value::Object(inner) if !whole && !subs.is_empty() => {
                    Value::Object(inner.iter().filter(|(k, _)| subs.iter().any(|s| k.eq_ignore_ascii_case(s))).map(|(k, v)| (k.clone(), v.clone())).collect())
                }
                other => other.clone(),
            };
            kept.insert(key.clone(), value);
        }
        *obj = kept;
    }
    for path in excluded.iter().filter_map(|a| AttrPath::parse(a)) {
        if matches!(path.attr.as_str(), "id" | "schemas") && path.sub.is_none() {
            continue;
        }
        let Some(container) = target(obj, &path) else { continue };
        if let Some(key) = key_of(container, &path.attr).cloned() {
            match &path.sub {
                None => {
                    container.remove(&key);
                }
                Some(sub) => {
                    if let Some(Value::Object(inner)) = container.get_mut(&key) {
                        if let Some(k) = key_of(inner, sub).cloned() {
                            inner.remove(&k);
                        }
                    }
                }
            }
        }
    }
}

/// True when `excludedAttributes` drops `attr` whole, so it need not be loaded.
pub fn excludes(excluded: &[String], attr: &str) -> bool {
    excluded.iter().filter_map(|a| AttrPath::parse(a)).any(|p| p.attr.eq_ignore_ascii_case(attr) && p.sub.is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attributes_keep_only_what_was_asked_plus_id_and_schemas() {
        let mut v = json!({"schemas": ["s"], "id": "1", "userName": "a", "name": {"givenName": "A", "familyName": "B"}, "active": true});
        project(&mut v, &["userName".into(), "name.familyName".into()], &[]);
        assert_eq!(v, json!({"schemas": ["s"], "id": "1", "userName": "a", "name": {"familyName": "B"}}));
    }

    #[test]
    fn excluded_attributes_are_dropped_but_never_the_id() {
        let mut v = json!({"id": "1", "displayName": "G", "members": [{"value": "u"}]});
        project(&mut v, &[], &["members".into(), "id".into()]);
        assert_eq!(v, json!({"id": "1", "displayName": "G"}));
        assert!(excludes(&["MEMBERS".into()], "members"));
    }
}
