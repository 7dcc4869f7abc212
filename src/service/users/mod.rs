//! Users: reads for both doors, and the three writes a user has (create, change, delete).

mod change;
mod ownership;

use serde_json::{Map, Value};

pub use change::{AccessChange, Intent, ProfileUpdate, UserChange, WorkspaceRef, MAX_WORKSPACE_REFS};
pub(crate) use ownership::{policy_of, shape_access};
pub(crate) use change::{apply_fields, changed_fields, field_value};

use super::audit::{actions, event, Change};
use super::page_anchors::{self, Anchor};
use super::paging::page_of;
use super::brake::Removal;
use super::{Actor, ActorKind, ServiceError, ServiceResult, Services};
use crate::domain::credentials::DeleteMode;
use crate::auth::secrets::new_ordered_id;
use crate::domain::paging::{Cursor, Total, PAGE_SIZE};
use crate::domain::query::ListQuery;
use crate::domain::users::{User, UserListPage, UserListQuery, UserPageData, UserSummary, WORKSPACES_SHOWN};
use crate::domain::workspaces::WorkspaceLink;
use crate::storage::StoreError;

/// A user with the workspaces it may enter.
#[derive(Debug, Clone, PartialEq)]
pub struct UserWithAccess {
    pub user: User,
    pub workspaces: Vec<WorkspaceLink>,
}

/// Refuses a write made against an older version than the stored one.
pub(super) fn check_version(kind: &'static str, id: &str, expected: Option<i64>, current: i64) -> ServiceResult<()> {
    match expected {
        Some(expected) if expected != current => Err(ServiceError::Stale { kind, id: id.to_string(), expected, current }),
        _ => Ok(()),
    }
}

fn user_name_taken(user_name: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |err| match err {
        StoreError::Duplicate => ServiceError::conflict("user_name", format!("The user name {user_name} is already taken.")),
        other => other.into(),
    }
}

/// A filter the store cannot compile is the caller's mistake, not ours.
pub(super) fn query_error(err: StoreError) -> ServiceError {
    match err {
        StoreError::Query(q) => ServiceError::invalid("filter", q.0),
        other => other.into(),
    }
}

/// The whole state of a user, for the audit trail of a create or a delete.
pub(crate) fn snapshot(user: &User, workspaces: &[WorkspaceLink]) -> Value {
    let mut state = match serde_json::to_value(user) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    state.insert("workspaces".into(), Value::Array(workspaces.iter().map(|w| serde_json::json!({"id": w.id, "name": w.name})).collect()));
    Value::Object(state)
}

impl Services {
    /// One page of the users list, with how many match in all. `first` is where the page
    /// starts among them, as the link that led here counted it (keyset pages do not know).
    pub async fn list_users(&self, _actor: &Actor, list: &UserListQuery, cursor: &Cursor, first: i64) -> ServiceResult<UserListPage> {
        // The page and the count at once, on two of the store's readers: a search's count costs
        // as much as its page (at 1,000,000 users, "lovelace" among a workspace's 2,142 members:
        // 5-12 ms each).
        let (rows, total) = futures::future::try_join(
            async { self.store.list_users(list, cursor, PAGE_SIZE + 1).await.map_err(query_error) },
            async { Ok(self.store.count_users(list).await?) },
        )
        .await?;
        let keyed = rows.into_iter().map(|r| (r.cursor(list.sort), UserSummary::from(r))).collect();
        let page = page_of(keyed, cursor, PAGE_SIZE);
        let first = match (cursor, total) {
            (Cursor::First, _) => 1,
            (_, Total::Exactly(n)) => first.clamp(1, n.max(1)),
            (_, Total::AtLeast(_)) => first.max(1),
        };
        // A count that stopped short: there are at least the rows up to this page's last, and
        // exactly those when the list goes no further.
        let total = match total {
            Total::AtLeast(_) if page.next.is_none() && !matches!(cursor, Cursor::Before(_)) => Total::Exactly(first - 1 + page.rows.len() as i64),
            Total::AtLeast(n) => Total::AtLeast(n.max(first - 1 + page.rows.len() as i64)),
            exact => exact,
        };
        Ok(UserListPage { rows: page.rows, next: page.next, prev: page.prev, total, first })
    }

    pub async fn get_user(&self, _actor: &Actor, id: &str) -> ServiceResult<User> {
        self.store.get_user(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "user", id: id.to_string() })
    }

    pub async fn user_with_access(&self, _actor: &Actor, id: &str) -> ServiceResult<UserWithAccess> {
        let (user, workspaces) =
            self.store.get_user_with_access(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "user", id: id.to_string() })?;
        Ok(UserWithAccess { user, workspaces })
    }

    /// Users meeting a SCIM filter, sorted and paged, with their workspaces.
    pub async fn find_users(&self, _actor: &Actor, query: &ListQuery) -> ServiceResult<(i64, Vec<UserWithAccess>)> {
        let start = self.page_anchor(query).await;
        let (total, users) = self.store.find_users(query, start.as_ref().map(|a| (a.key.as_str(), a.position))).await.map_err(query_error)?;
        Ok((total, users.into_iter().map(|(user, workspaces)| UserWithAccess { user, workspaces }).collect()))
    }

    /// Where a page deep in the whole list starts (see `page_anchors`); None: walk from the top.
    async fn page_anchor(&self, query: &ListQuery) -> Option<Anchor> {
        if query.condition.is_some() || query.sort.is_some() || query.offset < page_anchors::WORTH_IT_FROM {
            return None;
        }
        if let Some(anchor) = self.anchors.anchor(query.offset) {
            return Some(anchor);
        }
        if let Some(mut ended) = self.anchors.read_under_way() {
            // A read longer than that is walked past (an error here is a read that ended).
            let _ = tokio::time::timeout(self.anchors.wait_for_read(), ended.changed()).await;
            return self.anchors.anchor(query.offset);
        }
        // None: read a moment ago, perhaps by a request that has just kept the names.
        let Some(reading) = self.anchors.start_reading() else { return self.anchors.anchor(query.offset) };
        let read_from = std::time::Instant::now();
        // The order first: a change between the two reads then shows at the next check.
        let order = self.store.users_order().await.ok();
        if order.is_some() && order == reading.renewable() {
            reading.renew(read_from);
            return self.anchors.anchor(query.offset);
        }
        let keys = self.store.user_name_key_anchors(page_anchors::STEP).await;
        if let Err(err) = &keys {
            tracing::warn!(error = %err, "reading where the users list's pages start failed");
        }
        reading.finish(read_from, keys.ok(), order);
        self.anchors.anchor(query.offset)
    }

    /// The user page: profile plus the workspaces whose name starts with `workspace_filter`.
    pub async fn user_page(&self, actor: &Actor, id: &str, workspace_filter: &str) -> ServiceResult<UserPageData> {
        let user = self.get_user(actor, id).await?;
        let workspaces = self.store.workspace_access(id, workspace_filter, WORKSPACES_SHOWN).await?;
        let total_workspaces = self.store.count_workspaces().await?;
        let granted_count = self.store.count_grants_of_user(id).await?;
        let managed = self.management_of(&user).await?;
        Ok(UserPageData { user, workspaces, total_workspaces, granted_count, managed })
    }

    /// Creates a user from `change`, which must hold a profile; a new user is active unless the
    /// change says otherwise. The console's form and a SCIM POST both come here.
    pub async fn create_user(&self, actor: &Actor, change: &UserChange) -> ServiceResult<UserWithAccess> {
        retrying!(self.create_user_once(actor, change).await)
    }

    async fn create_user_once(&self, actor: &Actor, change: &UserChange) -> ServiceResult<UserWithAccess> {
        actor.require_write()?;
        if change.profile.is_none() {
            return Err(ServiceError::invalid("user_name", "A new user needs a user name."));
        }
        let now = self.now();
        let mut user = change::apply_fields(&User::blank(new_ordered_id(), now), change)?;
        let access = match &actor.policy {
            Some(policy) => shape_access(policy.access, change.access.clone()),
            None => change.access.clone(),
        };
        if actor.kind == ActorKind::ScimCredential {
            user.managed_by = Some(actor.id.clone());
        }
        let (grant, _) = self.wanted_workspaces(&[], &access).await?;
        let plan = change::Plan { after: user.clone(), fields: Vec::new(), grant, revoke: Vec::new(), claims: false, overrides: None };
        let mut tx = self.store.write().await?;
        tx.insert_user(&user).await.map_err(user_name_taken(&user.user_name))?;
        if !change::write_grants(&mut tx, &user.id, &plan, &actor.name, now).await? {
            return Err(ServiceError::invalid("entitlements", "A workspace named in the request was deleted meanwhile."));
        }
        // Created inactive: a deactivation too, so the trail and the disabled-users report find it.
        let action = if user.active { actions::USER_CREATE.to_string() } else { format!("{}+{}", actions::USER_CREATE, actions::USER_DEACTIVATE) };
        let record = Change { action: &action, target_kind: "user", target_id: &user.id, target_name: &user.user_name };
        tx.append_audit(&event(actor, record, None::<&Value>, Some(&snapshot(&user, &plan.grant)), now)).await?;
        tx.commit().await?;
        self.anchors.users_reordered();
        let mut workspaces = plan.grant;
        workspaces.sort_by_key(|w| crate::domain::text::fold_key(&w.name));
        Ok(UserWithAccess { user, workspaces })
    }

    /// Deletes a user; a DELETE from an identity provider whose policy keeps users deactivates.
    pub async fn delete_user(&self, actor: &Actor, id: &str, expected_version: Option<i64>) -> ServiceResult<()> {
        if actor.policy.as_ref().is_some_and(|p| p.on_delete == DeleteMode::Deactivate) {
            return self.change_user_to(actor, id, expected_version, UserChange::deprovision()).await.map(|_| ());
        }
        retrying!(self.delete_user_once(actor, id, expected_version).await)
    }

    async fn delete_user_once(&self, actor: &Actor, id: &str, expected_version: Option<i64>) -> ServiceResult<()> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        // Locked first: two deletions of one user (a release and a retry) go one after the other,
        // and the second finds nothing.
        tx.lock_user(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "user", id: id.to_string() })?;
        let before = tx.get_user(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "user", id: id.to_string() })?;
        check_version("user", id, expected_version, before.version)?;
        if let Some(held) = self.brake(&mut tx, actor, &before, Removal::Delete).await? {
            tx.commit().await?;
            return Err(held);
        }
        let held = tx.workspaces_of_user(id).await?;
        tx.delete_user(id, now).await?;
        let record = Change { action: actions::USER_DELETE, target_kind: "user", target_id: id, target_name: &before.user_name };
        tx.append_audit(&event(actor, record, Some(&snapshot(&before, &held)), None::<&Value>, now)).await?;
        tx.commit().await?;
        self.anchors.users_reordered();
        Ok(())
    }
}
