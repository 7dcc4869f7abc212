use serde::{Deserialize, Serialize};

/// What a console operator may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    /// May change everything.
    SecurityAdmin,
    /// Reads everything, changes nothing.
    Auditor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SecurityAdmin => "security_admin",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "security_admin" => Some(Role::SecurityAdmin),
            "auditor" => Some(Role::Auditor),
            _ => None,
        }
    }

    pub fn can_write(self) -> bool {
        self == Role::SecurityAdmin
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SecurityAdmin => "Security admin",
            Role::Auditor => "Auditor",
        }
    }
}

/// The signed-in operator, as the browser sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminView {
    pub username: String,
    pub role: Role,
}
