//! Types and rules shared by the browser and the server. Nothing here touches the database.

pub mod admins;
pub mod audit;
pub mod batches;
pub mod credentials;
pub mod csv;
pub mod overview;
pub mod errors;
pub mod paging;
pub mod provisioning;
pub mod query;
pub mod reports;
pub mod text;
pub mod time;
pub mod users;
pub mod workspaces;

pub use errors::Invalid;
