//! What every resource carries about itself: `meta` (RFC 7643 §3.1) and its version as an
//! entity tag.

use chrono::{TimeZone, Utc};
use serde::{Serialize, Serializer};

/// A weak entity tag made of the resource's version.
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

/// A resource's `meta`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    pub resource_type: &'static str,
    #[serde(serialize_with = "as_rfc3339")]
    pub created: i64,
    #[serde(serialize_with = "as_rfc3339")]
    pub last_modified: i64,
    pub location: String,
    #[serde(serialize_with = "as_etag")]
    pub version: i64,
}

fn as_rfc3339<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    let at = Utc.timestamp_millis_opt(*ms).single().unwrap_or_default();
    s.serialize_str(&at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

fn as_etag<S: Serializer>(version: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&etag(*version))
}
