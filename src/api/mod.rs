//! The console's server functions, grouped by resource. Each is one screen or less: it finds the
//! caller, calls the service layer and hands back the result (see `server::console`).

pub mod credentials;
pub mod session;
pub mod users;
pub mod workspaces;
