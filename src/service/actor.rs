use super::{ServiceError, ServiceResult};
use crate::domain::admins::Role;
use crate::domain::credentials::ProvisioningPolicy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    Admin,
    ScimCredential,
    System,
}

/// Which way a request came in, recorded with each audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    Console,
    Scim,
    Cli,
}

/// Who is asking, established by a door (session, SCIM credential, command line).
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    pub id: String,
    pub name: String,
    pub role: Role,
    pub door: Door,
    pub request_id: String,
    /// Signed in with a one-time password: the console lets them do nothing but choose a new one.
    pub must_change_password: bool,
    /// A SCIM credential's provisioning policy: what its identity provider owns.
    pub policy: Option<ProvisioningPolicy>,
    /// The batch this actor's writes belong to (a bulk action or an import), recorded with
    /// each of their audit events.
    pub batch: Option<BatchMark>,
}

/// What each audit event of a batch records about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchMark {
    pub id: String,
    /// The file an import applies, named in each event it causes.
    pub file: Option<String>,
}

impl Actor {
    /// The command line's actor: whoever can run `cim` on the server owns the store anyway.
    pub fn system(request_id: impl Into<String>) -> Self {
        Actor {
            kind: ActorKind::System,
            id: "system".into(),
            name: "system".into(),
            role: Role::SecurityAdmin,
            door: Door::Cli,
            request_id: request_id.into(),
            must_change_password: false,
            policy: None,
            batch: None,
        }
    }

    pub fn require_write(&self) -> ServiceResult<()> {
        if self.role.can_write() {
            Ok(())
        } else {
            Err(ServiceError::Forbidden)
        }
    }

    pub fn kind_str(&self) -> &'static str {
        match self.kind {
            ActorKind::Admin => "admin",
            ActorKind::ScimCredential => "scim_credential",
            ActorKind::System => "system",
        }
    }

    pub fn door_str(&self) -> &'static str {
        match self.door {
            Door::Console => "console",
            Door::Scim => "scim",
            Door::Cli => "cli",
        }
    }
}
