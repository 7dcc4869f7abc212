//! Wiring: configuration, application state, the router and what sits in front of both doors.

pub mod cli;
pub mod client;
pub mod config;
pub mod forms;
pub mod headers;
pub mod import_cli;
pub mod detach;
pub mod guard;
pub mod router;
pub mod state;
pub mod uploads;
