//! The rules. Every change of state goes through here: validate, authorise, one transaction,
//! version bump, one audit event. Both doors (console server functions, SCIM handlers) call it.

/// Runs a write again when PostgreSQL gave it up to keep concurrent writes consistent (a
/// deadlock or serialization failure: nothing of it was kept), a few times, then answers busy.
/// SQLite, with one writer at a time, never asks for this. (A macro, as a closure-taking
/// function would not keep the write's future `Send`.)
macro_rules! retrying {
    ($write:expr) => {{
        let mut attempts = 1;
        loop {
            match $write {
                Err($crate::service::ServiceError::Store($crate::storage::StoreError::Retry(err))) if attempts < $crate::service::WRITE_ATTEMPTS => {
                    attempts += 1;
                    tracing::debug!(error = %err, "write retried");
                }
                Err($crate::service::ServiceError::Store($crate::storage::StoreError::Retry(_))) => break Err($crate::service::ServiceError::Busy),
                other => break other,
            }
        }
    }};
}

mod actor;
mod admins;
mod audit;
mod batches;
mod brake;
mod clock;
mod credentials;
mod demo;
mod error;
mod import;
mod overview;
mod page_anchors;
mod paging;
mod provisioning;
mod reports;
mod sign_in;
mod users;
mod verified;
mod workspaces;

use std::sync::Arc;

pub use actor::{Actor, ActorKind, BatchMark, Door};
pub use admins::AdminChange;
pub use sign_in::{SignInTurns, SignedIn};
pub use clock::{Clock, SystemClock};
pub use credentials::Presented;
pub use import::ImportUpload;
pub use demo::DemoSize;
pub use reports::{ReportFile, ReportOptions};
pub use users::{AccessChange, Intent, ProfileUpdate, UserChange, UserWithAccess, WorkspaceRef, MAX_WORKSPACE_REFS};
pub use workspaces::{WorkspaceChange, MAX_MEMBERS_PER_CHANGE};
pub use error::{error_chain, ServiceError, ServiceResult};

use crate::storage::Store;

/// How many times a write is tried when the database asks for it to be run again.
pub(crate) const WRITE_ATTEMPTS: usize = 5;

/// The service layer's entry point, cheap to clone (one reference count: each request's
/// middleware layers clone it several times).
#[derive(Clone)]
pub struct Services(Arc<Parts>);

#[derive(Clone)]
pub struct Parts {
    store: Store,
    clock: Arc<dyn Clock>,
    sign_in_turns: Arc<SignInTurns>,
    provisioning: provisioning::ProvisioningLog,
    verified: Arc<verified::VerifiedCredentials>,
    anchors: Arc<page_anchors::PageAnchors>,
}

impl std::ops::Deref for Services {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl Services {
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Services(Arc::new(Parts {
            store,
            clock,
            sign_in_turns: Arc::new(SignInTurns::default()),
            provisioning: Default::default(),
            verified: Default::default(),
            anchors: Default::default(),
        }))
    }

    /// Turns the provisioning log on: every SCIM request is recorded and kept `retention_days`.
    pub fn with_provisioning_log(self, retention_days: i64) -> Self {
        let mut parts = Arc::unwrap_or_clone(self.0);
        parts.provisioning = provisioning::ProvisioningLog::start(parts.store.clone(), retention_days, parts.clock.clone());
        Services(Arc::new(parts))
    }

    /// How many connections the store keeps (the SCIM door takes a share of them).
    pub fn connections(&self) -> usize {
        self.store.max_connections()
    }

    /// Writes that may wait for the store's writer without holding a connection (see
    /// `Store::queued_writes`).
    pub fn queued_writes(&self) -> Option<usize> {
        self.store.queued_writes()
    }

    fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The service clock's time, for doors that stamp what they record.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}
