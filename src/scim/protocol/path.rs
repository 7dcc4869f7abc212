//! SCIM attribute paths (RFC 7644 §3.10): `[schema-urn ":"] attr ["." subAttr]`, matched
//! case-insensitively (RFC 7643 §2.1).

/// The core and extension schema URNs this server knows.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrPath {
    /// The schema URN, lower-cased, when the path named one.
    pub schema: Option<String>,
    /// The attribute name, lower-cased.
    pub attr: String,
    /// The sub-attribute, lower-cased.
    pub sub: Option<String>,
}

impl AttrPath {
    /// Parses `text`; None when it is not a valid path.
    pub fn parse(text: &str) -> Option<AttrPath> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let lower = text.to_ascii_lowercase();
        // A URN prefix ends at the last ':'; its own dots ("2.0") are not sub-attribute dots.
        let (schema, rest) = match lower.rfind(':') {
            Some(i) if lower.starts_with("urn:") => (Some(lower[..i].to_string()), &lower[i + 1..]),
            Some(_) => return None,
            None => (None, lower.as_str()),
        };
        let mut parts = rest.splitn(2, '.');
        let attr = parts.next().unwrap_or("").to_string();
        let sub = parts.next().map(str::to_string);
        let valid = |s: &str| {
            let mut chars = s.chars();
            matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
        };
        if !valid(&attr) || sub.as_deref().is_some_and(|s| !valid(s)) {
            return None;
        }
        Some(AttrPath { schema, attr, sub })
    }

    /// True when the path is in the enterprise extension.
    pub fn is_enterprise(&self) -> bool {
        self.schema.as_deref() == Some(&ENTERPRISE_SCHEMA.to_ascii_lowercase())
    }

    /// `attr` or `attr.sub`, lower-cased, without the schema.
    pub fn dotted(&self) -> String {
        match &self.sub {
            Some(sub) => format!("{}.{sub}", self.attr),
            None => self.attr.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fold_case_and_split_urn_prefix_from_sub_attribute() {
        let p = AttrPath::parse("urn:ietf:params:scim:schemas:core:2.0:User:name.givenName").unwrap();
        assert_eq!(p.schema.as_deref(), Some("urn:ietf:params:scim:schemas:core:2.0:user"));
        assert_eq!((p.attr.as_str(), p.sub.as_deref()), ("name", Some("givenname")));
        let e = AttrPath::parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber").unwrap();
        assert!(e.is_enterprise());
        assert_eq!(AttrPath::parse("USERNAME").unwrap().dotted(), "username");
    }

    #[test]
    fn malformed_paths_are_refused() {
        for bad in ["", "1abc", "name..x", "a b", "weird:thing"] {
            assert_eq!(AttrPath::parse(bad), None, "{bad}");
        }
    }
}
