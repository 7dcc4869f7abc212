//! The reports the console and the command line export: dated CSV files built from the store at
//! the moment they are asked for.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Report {
    /// Every inactive user: when and by whom disabled, and the workspaces they still hold.
    DisabledUsers,
    /// Every user with status and workspaces.
    Users,
    /// One row per grant: user, workspace, granted when and by whom.
    AccessMatrix,
    /// The audit trail under the filters of the audit page.
    Audit,
}

impl Report {
    pub const ALL: [Report; 4] = [Report::DisabledUsers, Report::Users, Report::AccessMatrix, Report::Audit];

    /// The name in addresses, file names and on the command line.
    pub fn slug(self) -> &'static str {
        match self {
            Report::DisabledUsers => "disabled-users",
            Report::Users => "users",
            Report::AccessMatrix => "access-matrix",
            Report::Audit => "audit",
        }
    }

    pub fn parse(slug: &str) -> Option<Report> {
        Report::ALL.into_iter().find(|r| r.slug() == slug)
    }

    pub fn title(self) -> &'static str {
        match self {
            Report::DisabledUsers => "Disabled users",
            Report::Users => "All users",
            Report::AccessMatrix => "Access matrix",
            Report::Audit => "Audit trail",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Report::DisabledUsers => "Every inactive user with when and by whom they were disabled, and the workspaces they still hold.",
            Report::Users => "Every user with status, profile and workspaces.",
            Report::AccessMatrix => "One row per workspace grant: user, workspace, granted when and by whom.",
            Report::Audit => "Every change, or those the filters on the audit trail page leave.",
        }
    }

    /// `cim-disabled-users-2026-11-29.csv`, for a file made on that (UTC) day.
    pub fn file_name(self, date: &str) -> String {
        format!("cim-{}-{date}.csv", self.slug())
    }

    pub fn header(self) -> &'static [&'static str] {
        match self {
            Report::DisabledUsers => &[
                "userName", "externalId", "givenName", "familyName", "email", "disabledAt", "disabledBy", "disabledThrough",
                "workspaces",
            ],
            Report::Users => &["userName", "externalId", "givenName", "familyName", "email", "active", "workspaces"],
            Report::AccessMatrix => &["userName", "active", "workspace", "grantedAt", "grantedBy"],
            Report::Audit => &[
                "at", "actor", "actorKind", "door", "action", "targetKind", "targetName", "targetId", "changes", "granted",
                "revoked", "requestId",
            ],
        }
    }
}
