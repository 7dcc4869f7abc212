//! The console's server functions, grouped by resource. Each is one screen or less: it finds the
//! caller, calls the service layer and hands back the result (see `ctx`).

pub mod admins;
pub mod audit;
pub mod batches;
pub mod credentials;
pub mod error;
pub mod forms;
pub mod overview;
pub mod provisioning;
pub mod session;
pub mod users;
pub mod workspaces;

// The one server-only module outside lib.rs's gates: the glue every server function body uses,
// kept beside them so the doors do not reach into `server/`.
#[cfg(feature = "ssr")]
pub mod ctx;
#[cfg(feature = "ssr")]
pub mod downloads;
