// The names every statement in `sql/` may use. Included, with those statements, into each
// backend module (which defines `Db`, `Pool`, `Backend`, `Tx` and `dialect`).
use std::collections::HashMap;

use sqlx::{FromRow, QueryBuilder};

use super::records::{
    AccessRow, AdminRecord, AuditEvent, AuditRecord, CredentialRecord, MemberRow, CURSOR_SEPARATOR, QueryError, UserListRow, UserRow,
    WorkspaceRow, WorkspaceRowWithKey,
};
use super::{StoreError, StoreResult};
use crate::domain::paging::Cursor;
use crate::domain::query::{Collection, Condition, Field, FieldKind, ListQuery, Literal, Op, Sort};
use crate::domain::text::{fold_key, search_terms};
use crate::domain::users::{User, UserListQuery, UserSort, WorkspaceAccess};
use crate::domain::workspaces::{Member, Workspace, WorkspaceLink};

include!("sql/common.rs");
include!("sql/admins.rs");
include!("sql/audit.rs");
include!("sql/credentials.rs");
include!("sql/grants.rs");
include!("sql/query.rs");
include!("sql/sessions.rs");
include!("sql/sign_in.rs");
include!("sql/users.rs");
include!("sql/workspaces.rs");
