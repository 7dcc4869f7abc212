//! List and search parameters (RFC 7644 §3.4.2, §3.4.3) and the mapping from SCIM filters to
//! store conditions for Users and Groups.

use serde_json::Value;

use super::error::{ScimError, ScimResult};
use super::filter::{self, CompValue, Filter};
use super::limits::MAX_RESULTS;
use super::path::AttrPath;
use super::schema::{canonical, ENTERPRISE_ATTRS, GROUP_SCHEMA, NAME_EXTRA, USER_EXTRA, USER_SCHEMA};
use crate::domain::query::{Collection, Condition, Field, ListQuery, Literal, Sort};

const DEFAULT_COUNT: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    User,
    Group,
}

/// What a list or search asks for.
#[derive(Debug, Default, Clone)]
pub struct ListParams {
    pub filter: Option<String>,
    pub start_index: Option<i64>,
    pub count: Option<i64>,
    pub sort_by: Option<String>,
    pub sort_order: Option<String>,
    pub attributes: Vec<String>,
    pub excluded: Vec<String>,
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

impl ListParams {
    /// From a GET query string.
    pub fn from_query(pairs: &[(String, String)]) -> ScimResult<Self> {
        let mut p = ListParams::default();
        for (key, value) in pairs {
            let number = |v: &str| v.parse::<i64>().map_err(|_| ScimError::bad("invalidValue", format!("{key} must be an integer, not {v}")));
            match key.to_ascii_lowercase().as_str() {
                "filter" => p.filter = Some(value.clone()),
                "startindex" => p.start_index = Some(number(value)?),
                "count" => p.count = Some(number(value)?),
                "sortby" => p.sort_by = Some(value.clone()),
                "sortorder" => p.sort_order = Some(value.clone()),
                "attributes" => p.attributes = split_list(value),
                "excludedattributes" => p.excluded = split_list(value),
                _ => {}
            }
        }
        Ok(p)
    }

    /// From a POST /.search body (RFC 7644 §3.4.3).
    pub fn from_search(body: &Value) -> ScimResult<Self> {
        let obj = body.as_object().ok_or_else(|| ScimError::bad("invalidSyntax", "A SearchRequest must be an object."))?;
        let mut p = ListParams::default();
        for (key, value) in obj {
            let bad = || ScimError::bad("invalidValue", format!("{key} has the wrong type"));
            let list = |v: &Value| -> ScimResult<Vec<String>> {
                match v {
                    Value::Array(a) => a.iter().map(|x| x.as_str().map(str::to_string).ok_or_else(bad)).collect(),
                    Value::String(s) => Ok(split_list(s)),
                    _ => Err(bad()),
                }
            };
            match key.to_ascii_lowercase().as_str() {
                "filter" => p.filter = Some(value.as_str().ok_or_else(bad)?.to_string()),
                "startindex" => p.start_index = Some(value.as_i64().ok_or_else(bad)?),
                "count" => p.count = Some(value.as_i64().ok_or_else(bad)?),
                "sortby" => p.sort_by = Some(value.as_str().ok_or_else(bad)?.to_string()),
                "sortorder" => p.sort_order = Some(value.as_str().ok_or_else(bad)?.to_string()),
                "attributes" => p.attributes = list(value)?,
                "excludedattributes" => p.excluded = list(value)?,
                _ => {}
            }
        }
        Ok(p)
    }

    /// 1-based start (values below 1 count as 1, RFC 7644 §3.4.2.4).
    pub fn start(&self) -> usize {
        self.start_index.unwrap_or(1).max(1) as usize
    }

    pub fn count(&self) -> usize {
        self.count.unwrap_or(DEFAULT_COUNT as i64).clamp(0, MAX_RESULTS as i64) as usize
    }

    pub fn query(&self, resource: Resource) -> ScimResult<ListQuery> {
        let condition = match self.filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            Some(text) => {
                let tree = filter::parse(text).map_err(|e| ScimError::bad("invalidFilter", e.0))?;
                Some(condition(resource, &tree)?)
            }
            None => None,
        };
        let sort = match &self.sort_by {
            Some(attr) => {
                let path = AttrPath::parse(attr).ok_or_else(|| ScimError::bad("invalidValue", format!("Cannot sort by {attr}")))?;
                let field = match field(resource, &path, None)? {
                    Mapped::Plain(f) => f,
                    Mapped::Inside(..) => return Err(ScimError::bad("invalidValue", format!("Cannot sort by the multi-valued {attr}"))),
                };
                let descending = self.sort_order.as_deref().is_some_and(|o| o.eq_ignore_ascii_case("descending"));
                Some(Sort { field, descending })
            }
            None => None,
        };
        Ok(ListQuery { condition, sort, offset: self.start() - 1, limit: self.count() })
    }
}

/// Where an attribute lives: a plain field, or a field inside a multi-valued collection.
enum Mapped {
    Plain(Field),
    Inside(Collection, Field),
}

fn unknown(path: &AttrPath) -> ScimError {
    ScimError::bad("invalidFilter", format!("Unknown or unfilterable attribute {}", path.dotted()))
}

/// Maps a path to a field. `within` is the collection a value filter (`emails[...]`) is inside.
fn field(resource: Resource, path: &AttrPath, within: Option<Collection>) -> ScimResult<Mapped> {
    if let Some(collection) = within {
        let f = match (collection, path.attr.as_str()) {
            (Collection::Emails, "value") => Field::EmailValue,
            (Collection::Emails, "type") => Field::EmailType,
            (Collection::Emails, "primary") => Field::EmailPrimary,
            (Collection::Emails, "display") => Field::EmailDisplay,
            (Collection::Workspaces, "value") => Field::WorkspaceId,
            (Collection::Workspaces, "display") => Field::WorkspaceName,
            (Collection::WorkspaceEntitlements, "value") => Field::WorkspaceId,
            (Collection::WorkspaceEntitlements, "display") => Field::WorkspaceName,
            (Collection::WorkspaceEntitlements, "type") => Field::WorkspaceKind,
            (Collection::WorkspaceEntitlements, "primary") => Field::WorkspacePrimary,
            (Collection::Entitlements, "value") => Field::EmailValue,
            (Collection::Entitlements, "type") => Field::EmailType,
            (Collection::Entitlements, "primary") => Field::EmailPrimary,
            (Collection::Entitlements, "display") => Field::EmailDisplay,
            (Collection::Members, "value") => Field::MemberId,
            (Collection::Members, "display") => Field::MemberUserName,
            _ => return Err(unknown(path)),
        };
        return Ok(Mapped::Plain(f));
    }
    let sub = path.sub.as_deref();
    match resource {
        Resource::User => {
            if path.is_enterprise() {
                let attr = canonical(ENTERPRISE_ATTRS, &path.attr).ok_or_else(|| unknown(path))?;
                let mut keys = vec![super::schema::ENTERPRISE_SCHEMA.to_string(), attr.to_string()];
                if attr == "manager" {
                    keys.push(if sub.is_some_and(|s| s == "displayname") { "displayName".into() } else { "value".into() });
                }
                return Ok(Mapped::Plain(Field::Extra(keys)));
            }
            if path.schema.as_ref().is_some_and(|s| !s.eq_ignore_ascii_case(USER_SCHEMA)) {
                return Err(unknown(path));
            }
            let f = match (path.attr.as_str(), sub) {
                ("id", None) => Field::UserId,
                ("username", None) => Field::UserName,
                ("externalid", None) => Field::ExternalId,
                ("displayname", None) => Field::DisplayName,
                ("active", None) => Field::Active,
                ("name", Some("givenname")) => Field::GivenName,
                ("name", Some("familyname")) => Field::FamilyName,
                ("name", Some(other)) => Field::Extra(vec!["name".into(), canonical(NAME_EXTRA, other).ok_or_else(|| unknown(path))?.into()]),
                ("meta", Some("created")) => Field::Created,
                ("meta", Some("lastmodified")) => Field::LastModified,
                ("emails", None) => return Ok(Mapped::Inside(Collection::Emails, Field::EmailValue)),
                ("emails", Some(s)) => return field(resource, &AttrPath { schema: None, attr: s.into(), sub: None }, Some(Collection::Emails))
                    .map(|m| match m { Mapped::Plain(f) => Mapped::Inside(Collection::Emails, f), other => other }),
                ("entitlements" | "groups", None | Some("value")) => return Ok(Mapped::Inside(Collection::Workspaces, Field::WorkspaceId)),
                ("entitlements" | "groups", Some("display")) => return Ok(Mapped::Inside(Collection::Workspaces, Field::WorkspaceName)),
                (attr, None) => Field::Extra(vec![canonical(USER_EXTRA, attr).ok_or_else(|| unknown(path))?.into()]),
                _ => return Err(unknown(path)),
            };
            Ok(Mapped::Plain(f))
        }
        Resource::Group => {
            if path.schema.as_ref().is_some_and(|s| !s.eq_ignore_ascii_case(GROUP_SCHEMA)) {
                return Err(unknown(path));
            }
            let f = match (path.attr.as_str(), sub) {
                ("id", None) => Field::GroupId,
                ("displayname", None) => Field::GroupName,
                ("externalid", None) => Field::GroupExternalId,
                ("meta", Some("created")) => Field::GroupCreated,
                ("meta", Some("lastmodified")) => Field::GroupLastModified,
                ("members", None | Some("value")) => return Ok(Mapped::Inside(Collection::Members, Field::MemberId)),
                ("members", Some("display")) => return Ok(Mapped::Inside(Collection::Members, Field::MemberUserName)),
                _ => return Err(unknown(path)),
            };
            Ok(Mapped::Plain(f))
        }
    }
}

fn literal(value: &CompValue) -> Literal {
    match value {
        CompValue::Str(s) => Literal::Text(s.clone()),
        CompValue::Num(n) => Literal::Number(*n),
        CompValue::Bool(b) => Literal::Bool(*b),
        CompValue::Null => Literal::Null,
    }
}

/// Entitlements are workspaces (granted) and others (kept as sent): a condition on them holds
/// when some element of either meets it.
fn either_entitlement(mut condition: impl FnMut(Collection) -> ScimResult<Condition>) -> ScimResult<Condition> {
    Ok(Condition::Or(vec![
        Condition::Within(Collection::WorkspaceEntitlements, Box::new(condition(Collection::WorkspaceEntitlements)?)),
        Condition::Within(Collection::Entitlements, Box::new(condition(Collection::Entitlements)?)),
    ]))
}

fn is_entitlements(resource: Resource, path: &AttrPath) -> bool {
    resource == Resource::User && path.attr == "entitlements" && path.schema.is_none()
}

fn leaf(resource: Resource, path: &AttrPath, within: Option<Collection>, make: impl Fn(Field) -> Condition) -> ScimResult<Condition> {
    if within.is_none() && is_entitlements(resource, path) {
        let sub = AttrPath { schema: None, attr: path.sub.clone().unwrap_or_else(|| "value".into()), sub: None };
        return either_entitlement(|collection| match field(resource, &sub, Some(collection))? {
            Mapped::Plain(f) | Mapped::Inside(_, f) => Ok(make(f)),
        });
    }
    Ok(match field(resource, path, within)? {
        Mapped::Plain(f) => make(f),
        Mapped::Inside(collection, f) => Condition::Within(collection, Box::new(make(f))),
    })
}

fn convert(resource: Resource, f: &Filter, within: Option<Collection>) -> ScimResult<Condition> {
    Ok(match f {
        Filter::Compare(path, o, v) => leaf(resource, path, within, |field| Condition::Compare(field, *o, literal(v)))?,
        Filter::Present(path) => leaf(resource, path, within, Condition::Present)?,
        Filter::And(all) => Condition::And(all.iter().map(|f| convert(resource, f, within)).collect::<ScimResult<_>>()?),
        Filter::Or(any) => Condition::Or(any.iter().map(|f| convert(resource, f, within)).collect::<ScimResult<_>>()?),
        Filter::Not(inner) => Condition::Not(Box::new(convert(resource, inner, within)?)),
        Filter::ValuePath { attr, filter, then } => {
            if within.is_some() {
                return Err(ScimError::bad("invalidFilter", "Value filters cannot nest."));
            }
            if is_entitlements(resource, attr) {
                return either_entitlement(|collection| {
                    let inner = convert(resource, filter, Some(collection))?;
                    Ok(match then {
                        Some(then) => Condition::And(vec![inner, convert(resource, then, Some(collection))?]),
                        None => inner,
                    })
                });
            }
            let collection = match (resource, attr.attr.as_str()) {
                (Resource::User, "emails") => Collection::Emails,
                (Resource::User, "groups") => Collection::Workspaces,
                (Resource::Group, "members") => Collection::Members,
                _ => return Err(unknown(attr)),
            };
            let mut inner = convert(resource, filter, Some(collection))?;
            if let Some(then) = then {
                inner = Condition::And(vec![inner, convert(resource, then, Some(collection))?]);
            }
            Condition::Within(collection, Box::new(inner))
        }
    })
}

pub fn condition(resource: Resource, f: &Filter) -> ScimResult<Condition> {
    convert(resource, f, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_condition(text: &str) -> ScimResult<Condition> {
        condition(Resource::User, &filter::parse(text).unwrap())
    }

    #[test]
    fn user_name_and_urn_qualified_names_map_to_the_same_field() {
        let a = user_condition(r#"userName eq "x""#).unwrap();
        let b = user_condition(r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x""#).unwrap();
        assert_eq!(a, b);
        assert_eq!(a, Condition::Compare(Field::UserName, crate::domain::query::Op::Eq, Literal::Text("x".into())));
    }

    #[test]
    fn email_value_paths_look_inside_one_address() {
        let c = user_condition(r#"emails[type eq "work"].value eq "a@b.c""#).unwrap();
        assert_eq!(
            c,
            Condition::Within(
                Collection::Emails,
                Box::new(Condition::And(vec![
                    Condition::Compare(Field::EmailType, crate::domain::query::Op::Eq, Literal::Text("work".into())),
                    Condition::Compare(Field::EmailValue, crate::domain::query::Op::Eq, Literal::Text("a@b.c".into())),
                ]))
            )
        );
    }

    #[test]
    fn unknown_attributes_are_an_invalid_filter() {
        assert_eq!(user_condition(r#"shoeSize eq 4"#).unwrap_err().scim_type, Some("invalidFilter"));
    }

    #[test]
    fn paging_parameters_are_clamped_as_rfc_7644_says() {
        let p = ListParams { start_index: Some(-3), count: Some(5000), ..Default::default() };
        let q = p.query(Resource::User).unwrap();
        assert_eq!((q.offset, q.limit), (0, MAX_RESULTS));
    }
}
