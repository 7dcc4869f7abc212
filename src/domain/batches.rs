//! Work on many users at once: bulk actions, the batches that carry them out, and CSV imports.

use serde::{Deserialize, Serialize};

use super::text::group_digits;
use super::workspaces::WorkspaceLink;

/// What a bulk action does to each selected user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkAction {
    Activate,
    Deactivate,
    Grant,
    Revoke,
}

impl BulkAction {
    pub const ALL: [BulkAction; 4] = [BulkAction::Activate, BulkAction::Deactivate, BulkAction::Grant, BulkAction::Revoke];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            BulkAction::Activate => "activate",
            BulkAction::Deactivate => "deactivate",
            BulkAction::Grant => "grant",
            BulkAction::Revoke => "revoke",
        }
    }

    /// The words of the action menu.
    pub fn label(self) -> &'static str {
        match self {
            BulkAction::Activate => "Activate",
            BulkAction::Deactivate => "Deactivate",
            BulkAction::Grant => "Grant workspaces",
            BulkAction::Revoke => "Revoke workspaces",
        }
    }

    pub fn needs_workspaces(self) -> bool {
        matches!(self, BulkAction::Grant | BulkAction::Revoke)
    }

    /// Exactly what the action will do, as the confirmation and the batch say it:
    /// "Deactivate 1,234 users", "Grant Finance FY27 to 40 users".
    pub fn title(self, workspaces: &[WorkspaceLink], users: i64) -> String {
        let users = count_of(users, "user", "users");
        let names = workspaces.iter().map(|w| w.name.as_str()).collect::<Vec<_>>().join(", ");
        match self {
            BulkAction::Activate => format!("Activate {users}"),
            BulkAction::Deactivate => format!("Deactivate {users}"),
            BulkAction::Grant => format!("Grant {names} to {users}"),
            BulkAction::Revoke => format!("Revoke {names} from {users}"),
        }
    }
}

/// "1 user", "1,234 users".
pub fn count_of(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{} {many}", group_digits(n))
    }
}

/// Which users a bulk action is for: the rows ticked, or every user the list's search and
/// filters match (on all pages).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    pub ids: Vec<String>,
    /// Every user matching `q`, `status` and `ws`, whatever `ids` holds.
    pub all: bool,
    pub q: String,
    pub status: String,
    pub ws: String,
}

/// A bulk action as the confirmation states it, before anything is done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkPreview {
    pub title: String,
    pub users: i64,
    pub workspaces: Vec<WorkspaceLink>,
    /// The first few users concerned, so the admin sees whom the action reaches.
    pub sample: Vec<String>,
}

/// Where a batch is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BatchState {
    Running,
    /// Asked to stop; stops after the user in hand.
    Cancelling,
    Finished,
    Cancelled,
    /// Was running on an instance that stopped: what is done stays done.
    Interrupted,
}

impl BatchState {
    pub fn label(self) -> &'static str {
        match self {
            BatchState::Running => "Running",
            BatchState::Cancelling => "Cancelling",
            BatchState::Finished => "Finished",
            BatchState::Cancelled => "Cancelled",
            BatchState::Interrupted => "Interrupted",
        }
    }

    pub fn is_running(self) -> bool {
        matches!(self, BatchState::Running | BatchState::Cancelling)
    }
}

/// A user a batch could not change, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchFailure {
    pub position: i64,
    pub subject: String,
    pub reason: String,
}

/// A batch as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchView {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub origin: String,
    pub started_by: String,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub total: i64,
    pub done: i64,
    pub unchanged: i64,
    pub failed: i64,
    pub state: BatchState,
    /// The first failures (the page shows at most this many).
    pub failures: Vec<BatchFailure>,
}

impl BatchView {
    pub fn processed(&self) -> i64 {
        self.done + self.unchanged + self.failed
    }
}

/// How many failures a batch page lists.
pub const FAILURES_SHOWN: usize = 500;

/// What importing one line of a file will do (the dry run), or why it cannot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RowPlan {
    Create,
    /// The changes, in words: "email: a@x → b@y", "workspaces: + Finance, − HR".
    Update(Vec<String>),
    Unchanged,
    /// Not in the file, and "deactivate users not in this file" was ticked.
    Deactivate,
    /// Not in the file, but left alone: why (an identity provider owns its status).
    Skipped(String),
    Error(String),
}

/// One line of the dry run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLine {
    /// The line number in the file (0 for users not in the file).
    pub line: usize,
    pub user_name: String,
    pub plan: RowPlan,
}

/// A dry run: what applying the file would do, line by line, with the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    pub id: String,
    pub file_name: String,
    pub rows: i64,
    pub creates: i64,
    pub updates: i64,
    pub unchanged: i64,
    pub deactivations: i64,
    pub skipped: i64,
    pub errors: i64,
    pub deactivate_missing: bool,
    /// Columns the file has that CIM does not read.
    pub unknown_columns: Vec<String>,
    /// The lines to show: errors first, then changes (at most [`LINES_SHOWN`]).
    pub lines: Vec<ImportLine>,
    /// Identifies exactly this plan against this state of the store: applying checks it.
    pub fingerprint: String,
    /// The batch that applied the file, once applied.
    pub applied_by: Option<String>,
}

/// How many lines of a dry run the page lists.
pub const LINES_SHOWN: usize = 500;

/// The columns an import reads, as the file names them (matched case-insensitively).
pub const IMPORT_COLUMNS: [&str; 7] = ["userName", "externalId", "givenName", "familyName", "email", "active", "workspaces"];

/// The form the console's upload answers refusals for (shown beside its file input).
pub const IMPORT_UPLOAD_FORM: &str = "import_upload";

/// The largest file an import takes: 100,000 rows of a typical export are about 12 MB.
pub const IMPORT_MAX_BYTES: usize = 32 * 1024 * 1024;
