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
    /// Every access change between two dates: disabled, enabled, granted, revoked, created,
    /// deleted, with who did it.
    AccessChanges,
}

impl Report {
    pub const ALL: [Report; 5] = [Report::DisabledUsers, Report::Users, Report::AccessMatrix, Report::AccessChanges, Report::Audit];

    /// The name in addresses, file names and on the command line.
    pub fn slug(self) -> &'static str {
        match self {
            Report::DisabledUsers => "disabled-users",
            Report::Users => "users",
            Report::AccessMatrix => "access-matrix",
            Report::Audit => "audit",
            Report::AccessChanges => "access-changes",
        }
    }

    /// Reports that can be asked "as of" an earlier moment (rebuilt from the audit trail).
    pub fn has_as_of(self) -> bool {
        matches!(self, Report::DisabledUsers | Report::AccessMatrix)
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
            Report::AccessChanges => "Access changes",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Report::DisabledUsers => "Every inactive user with when and by whom they were disabled, and the workspaces they still hold.",
            Report::Users => "Every user with status, profile and workspaces.",
            Report::AccessMatrix => "One row per workspace grant: user, workspace, granted when and by whom.",
            Report::Audit => "Every change, or those the filters on the audit trail page leave.",
            Report::AccessChanges => "Who was disabled, enabled, granted or revoked a workspace between two moments, by whom.",
        }
    }

    /// `cim-disabled-users-2026-11-29.csv`, for a file made on that (UTC) day;
    /// `cim-disabled-users-as-of-2026-10-01T0800Z.csv` for one rebuilt as of an earlier moment.
    pub fn file_name(self, made: i64, as_of: Option<i64>) -> String {
        match as_of {
            None => format!("cim-{}-{}.csv", self.slug(), super::time::utc_date(made)),
            Some(at) => {
                let minute: String = super::time::iso_utc(at).chars().take(16).filter(|c| *c != ':').collect();
                format!("cim-{}-as-of-{minute}Z.csv", self.slug())
            }
        }
    }

    pub fn header(self) -> &'static [&'static str] {
        match self {
            Report::DisabledUsers => &[
                "userName", "externalId", "givenName", "familyName", "email", "disabledAt", "disabledBy", "disabledThrough",
                "workspaces",
            ],
            Report::Users => &["userName", "externalId", "givenName", "familyName", "email", "active", "workspaces"],
            Report::AccessMatrix => &["userName", "active", "workspace", "grantedAt", "grantedBy"],
            Report::AccessChanges => &["at", "userName", "change", "workspace", "by", "door"],
            Report::Audit => &[
                "at", "actor", "actorKind", "door", "action", "targetKind", "targetName", "targetId", "changes", "granted",
                "revoked", "requestId",
            ],
        }
    }
}

/// A report's own address query: the moment it is rebuilt as of, or the range it covers, as
/// typed into the Reports page (in the browser's zone, `tz`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub as_of: String,
    pub from: String,
    pub to: String,
    pub tz: String,
}

impl ReportQuery {
    /// The moment asked for, None for now. A moment still to come is refused.
    pub fn as_of(&self, now: i64) -> Result<Option<i64>, super::Invalid> {
        let (at, _) = super::time::time_range(&self.as_of, "", &self.tz).map_err(|e| super::Invalid::new("as_of", e.message))?;
        match at {
            Some(at) if at > now => Err(super::Invalid::new("as_of", "That moment has not come yet.")),
            other => Ok(other),
        }
    }

    pub fn range(&self) -> Result<(Option<i64>, Option<i64>), super::Invalid> {
        super::time::time_range(&self.from, &self.to, &self.tz)
    }
}

#[cfg(test)]
mod tests {
    use super::Report;

    #[test]
    fn file_names_carry_the_date() {
        let made = 1_795_929_026_486; // 2026-11-29 05:10:26 UTC
        assert_eq!(Report::DisabledUsers.file_name(made, None), "cim-disabled-users-2026-11-29.csv");
        assert_eq!(Report::AccessMatrix.file_name(made, Some(made)), "cim-access-matrix-as-of-2026-11-29T0510Z.csv");
        for report in Report::ALL {
            assert_eq!(Report::parse(report.slug()), Some(report));
        }
    }
}
