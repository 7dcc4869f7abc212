//! The attributes this server knows, with their canonical names: input keys and paths match them
//! case-insensitively, output always uses these spellings.

pub use super::path::{ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA};

pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const BULK_REQUEST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
pub const BULK_RESPONSE_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// Core User attributes kept as sent in the user's extra attributes.
pub const USER_EXTRA: &[&str] = &[
    "nickName", "profileUrl", "title", "userType", "preferredLanguage", "locale", "timezone",
    "phoneNumbers", "ims", "photos", "addresses", "roles", "x509Certificates",
];

/// Those of [`USER_EXTRA`] that are lists of complex values; the others are strings.
pub const MULTI_VALUED_EXTRA: &[&str] = &["phoneNumbers", "ims", "photos", "addresses", "roles", "x509Certificates"];

/// Sub-attributes of `name` beyond the two with columns.
pub const NAME_EXTRA: &[&str] = &["formatted", "middleName", "honorificPrefix", "honorificSuffix"];

/// Enterprise extension attributes (RFC 7643 §4.3).
pub const ENTERPRISE_ATTRS: &[&str] = &["employeeNumber", "costCenter", "organization", "division", "department", "manager"];

/// The canonical spelling of `name` among `known`, matched case-insensitively.
pub fn canonical(known: &[&'static str], name: &str) -> Option<&'static str> {
    known.iter().copied().find(|k| k.eq_ignore_ascii_case(name))
}

/// The entries of a multi-valued attribute: an array as is, null as none, one value as one.
pub fn items(value: &serde_json::Value) -> Vec<serde_json::Value> {
    match value {
        serde_json::Value::Array(items) => items.clone(),
        serde_json::Value::Null => Vec::new(),
        other => vec![other.clone()],
    }
}
