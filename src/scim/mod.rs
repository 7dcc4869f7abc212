//! The SCIM 2.0 door (RFC 7643, RFC 7644) under /scim/v2: the protocol itself (no HTTP, no SQL)
//! and the handlers that turn HTTP requests into service calls.

mod handlers;
pub mod protocol;

pub use handlers::{router, ScimBudget};
