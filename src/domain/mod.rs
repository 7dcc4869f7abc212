//! Types and rules shared by the browser and the server. Nothing here touches the database.

pub mod admins;
pub mod audit;
pub mod credentials;
pub mod errors;
pub mod paging;
pub mod provisioning;
pub mod query;
pub mod text;
pub mod users;
pub mod workspaces;

pub use errors::Invalid;
