//! What one SCIM request may cost, in one place. `/ServiceProviderConfig` publishes those the RFC
//! has a place for (bulk and filter); README lists them all.

pub use crate::service::{MAX_MEMBERS_PER_CHANGE, MAX_WORKSPACE_REFS};

/// Bytes in any request body, Bulk included (RFC 7644 §3.7.4 `maxPayloadSize`).
pub const MAX_PAYLOAD_BYTES: usize = 1_048_576;
/// Operations in one Bulk request (`maxOperations`).
pub const MAX_BULK_OPERATIONS: usize = 1000;
/// Operations in one PATCH (each key of a path-less operation's value counts as one).
pub const MAX_PATCH_OPERATIONS: usize = 1000;
/// Values of one multi-valued attribute while a PATCH is applied (a user's workspaces are
/// bounded by MAX_WORKSPACE_REFS, its e-mails and other lists more tightly still).
pub const MAX_VALUES: usize = 1000;
/// Resources in one list page (`filter.maxResults`).
pub const MAX_RESULTS: usize = 1000;
/// Characters in a filter.
pub const MAX_FILTER_CHARS: usize = 8192;
/// Comparisons (`eq`, `pr`, ...) in one filter: real clients send one or two.
pub const MAX_FILTER_TERMS: usize = 50;
/// Nesting of parentheses, `not` and value filters in a filter.
pub const MAX_FILTER_DEPTH: usize = 32;
