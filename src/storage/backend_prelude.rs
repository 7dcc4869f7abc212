// What both backends share: the names every statement in `sql/` may use, the transaction type,
// and those statements. Included into each backend module (which defines `Db`, `Pool`,
// `Backend` with its `open` and `write`, `Tx` (one write transaction, whose `tx` the statements
// run on), and `dialect`).
use std::collections::HashMap;

use sqlx::{FromRow, QueryBuilder};

use super::records::{
    parse_time_key, AccessRow, AdminRecord, BatchProgress, BatchRow, ImportRecord, AuditEvent, AuditRecord, CredentialRecord, HeldChangeRow, HeldCountRow, GrantRow, ReportUserRow, ScimRequestRow, CURSOR_SEPARATOR, name_position, QueryError, UserAccessRow, UserListRow, UserRow,
    WorkspaceRow, WorkspaceRowWithKey,
};
use super::sqlite_direct::Direct;
use super::{StoreError, StoreResult};
use crate::domain::audit::{action_tag, subject_tag, AuditFilter};
use crate::domain::provisioning::ProvisioningFilter;
use crate::domain::paging::{Cursor, Total, PAGE_SIZE};
use crate::domain::query::{Collection, Condition, Field, FieldKind, ListQuery, Literal, Op, Sort};
use crate::domain::text::{fold_key, search_terms};
use crate::domain::users::{StatusFilter, User, UserListQuery, UserSort, WorkspaceAccess};
use crate::domain::workspaces::{Workspace, WorkspaceLink};

impl Backend {
    /// Refreshes the planner's statistics after bulk loads.
    pub async fn optimize(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// Refreshes the planner's statistics of users and their search terms after the terms'
    /// rebuild, and has every later read use them: without any for the display-order index,
    /// SQLite walked "lovelace" in user-name order and sorted it (90 ms at 1,000,000 users,
    /// against 5 ms). Outside the rebuild's transaction, so a lock wait here (PostgreSQL's
    /// ANALYZE waits behind a VACUUM) never throws the rebuild away.
    pub async fn analyze_users(&self) -> StoreResult<()> {
        sqlx::query("ANALYZE users").execute(&self.pool).await?;
        sqlx::query("ANALYZE user_search_terms").execute(&self.pool).await?;
        self.forget_planner_figures();
        Ok(())
    }
}

include!("sql/common.rs");
include!("sql/admins.rs");
include!("sql/audit.rs");
include!("sql/batches.rs");
include!("sql/credentials.rs");
include!("sql/grants.rs");
include!("sql/provisioning.rs");
include!("sql/query.rs");
include!("sql/reports.rs");
include!("sql/sessions.rs");
include!("sql/sign_in.rs");
include!("sql/users.rs");
include!("sql/workspaces.rs");
