//! Pages and components. They reach the server only through `crate::api`.

pub mod credentials;
pub mod forms;
pub mod frame;
pub mod login;
pub mod not_found;
pub mod paging;
pub mod time;
pub mod user;
pub mod users;
pub mod workspace;
pub mod workspaces;
