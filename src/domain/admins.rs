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

    pub const ALL: [Role; 2] = [Role::SecurityAdmin, Role::Auditor];

    pub fn label(self) -> &'static str {
        match self {
            Role::SecurityAdmin => "Security admin",
            Role::Auditor => "Auditor",
        }
    }
}

/// The shortest password an administrator may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// The signed-in operator, as the browser sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminView {
    pub username: String,
    pub role: Role,
    /// Signed in with a one-time password: choose a new one before anything else.
    pub must_change_password: bool,
}

/// An administrator as the Administrators page lists them: never the password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminSummary {
    pub id: String,
    pub username: String,
    pub role: Role,
    pub created: i64,
    pub disabled: Option<i64>,
    pub last_sign_in: Option<i64>,
    /// Has a one-time password not yet replaced.
    pub must_change_password: bool,
}

/// A one-time password, shown once to the security admin who created or reset the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OneTimePassword {
    pub username: String,
    pub password: String,
}
