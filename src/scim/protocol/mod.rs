//! The SCIM protocol itself, with no HTTP and no SQL in it: the filter language, attribute
//! paths, the PATCH engine, projections, list parameters, the User and Group representations,
//! errors and limits. Tested as plain functions.

pub mod discovery;
pub mod error;
pub mod filter;
pub mod group_json;
pub mod limits;
pub mod listing;
pub mod meta;
pub mod patch;
pub mod path;
pub mod projection;
pub mod schema;
pub mod user_json;
