//! Secrets: password hashing and random credentials. Nothing here is ever logged.

pub mod passwords;
pub mod secrets;
