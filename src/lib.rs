//! CIM: a console and a SCIM server deciding who may enter which workspace.
//!
//! This file is the one place that separates server-only code (`ssr`) from what also compiles
//! to WebAssembly for the browser (`hydrate`).

pub mod api;
pub mod app;
pub mod domain;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod auth;
#[cfg(feature = "ssr")]
pub mod scim;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod storage;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Islands: the server renders every page; only the `#[island]` components in `ui` run here.
    leptos::mount::hydrate_islands();
}
