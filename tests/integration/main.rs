//! One integration-test binary: each test starts the real router on a random port with a fresh
//! SQLite database and drives it over HTTP (or calls the service layer it shares).

mod accountability;
mod bulk;
mod cancellation;
mod console_access;
mod console_auth;
mod console_forms;
mod helpers;
mod instances;
mod one_write_path;
mod ownership;
mod scim_discovery;
mod scim_groups;
mod scim_paging;
mod request_cost;
mod scim_users;
mod search;
mod security;
mod service_rules;
