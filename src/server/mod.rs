//! Wiring: configuration, application state, the router and the console door's glue.

pub mod cli;
pub mod config;
pub mod console;
pub mod guard;
pub mod router;
pub mod state;
