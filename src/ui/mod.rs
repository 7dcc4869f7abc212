//! Pages and components. They reach the server only through `crate::api`.

pub mod account;
pub mod admins;
pub mod audit;
pub mod batch;
pub mod bulk;
pub mod credentials;
pub mod filters;
pub mod forms;
pub mod frame;
pub mod import;
pub mod login;
pub mod members;
pub mod not_found;
pub mod overview;
pub mod paging;
pub mod provisioning;
pub mod reports;
pub mod time;
pub mod user;
pub mod users;
pub mod workspace;
pub mod workspaces;
