use super::audit::{event, Change};
use super::paging::page_of;
use super::{Actor, ServiceError, ServiceResult, Services};
use crate::auth::secrets::new_id;
use crate::domain::paging::{Cursor, Page, PAGE_SIZE};
use crate::domain::users::{StatusFilter, User, UserInput, UserPageData, UserProfile, UserSummary, WORKSPACES_SHOWN};
use crate::storage::{StoreError, WriteTx};

/// Refuses a write made against an older version than the stored one.
pub(super) fn check_version(kind: &'static str, id: &str, expected: Option<i64>, current: i64) -> ServiceResult<()> {
    match expected {
        Some(expected) if expected != current => {
            Err(ServiceError::Stale { kind, id: id.to_string(), expected, current })
        }
        _ => Ok(()),
    }
}

fn taken(user_name: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |err| match err {
        StoreError::Duplicate => ServiceError::conflict("user_name", format!("The user name {user_name} is already taken.")),
        other => other.into(),
    }
}

pub(super) async fn load_user(tx: &mut WriteTx, id: &str) -> ServiceResult<User> {
    tx.get_user(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "user", id: id.to_string() })
}

impl Services {
    pub async fn list_users(
        &self,
        _actor: &Actor,
        status: StatusFilter,
        query: &str,
        cursor: &Cursor,
    ) -> ServiceResult<Page<UserSummary>> {
        let rows = self.store.list_users(status, query, cursor, PAGE_SIZE + 1).await?;
        let keyed = rows.into_iter().map(|r| (r.user_name_key.clone(), UserSummary::from(r))).collect();
        Ok(page_of(keyed, cursor, PAGE_SIZE))
    }

    pub async fn get_user(&self, _actor: &Actor, id: &str) -> ServiceResult<User> {
        self.store.get_user(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "user", id: id.to_string() })
    }

    /// The user page: profile plus the workspaces whose name starts with `workspace_filter`.
    pub async fn user_page(&self, actor: &Actor, id: &str, workspace_filter: &str) -> ServiceResult<UserPageData> {
        let user = self.get_user(actor, id).await?;
        let workspaces = self.store.workspace_access(id, workspace_filter, WORKSPACES_SHOWN).await?;
        let total_workspaces = self.store.count_workspaces().await?;
        let granted_count = self.store.count_grants_of_user(id).await?;
        Ok(UserPageData { user, workspaces, total_workspaces, granted_count })
    }

    pub async fn create_user(&self, actor: &Actor, input: &UserInput, active: bool) -> ServiceResult<User> {
        actor.require_write()?;
        let profile = input.validate()?;
        let now = self.now();
        let mut user = User::blank(new_id(), now);
        user.active = active;
        apply_profile(&mut user, profile);
        let mut tx = self.store.write().await?;
        tx.insert_user(&user).await.map_err(taken(&user.user_name))?;
        let change = Change { action: "user.create", target_kind: "user", target_id: &user.id, target_name: &user.user_name };
        tx.append_audit(&event(actor, change, None::<&User>, Some(&user), now)).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn update_user(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
        input: &UserInput,
    ) -> ServiceResult<User> {
        actor.require_write()?;
        let profile = input.validate()?;
        self.change_user(actor, id, expected_version, "user.update", |user| apply_profile(user, profile)).await
    }

    pub async fn set_user_active(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
        active: bool,
    ) -> ServiceResult<User> {
        actor.require_write()?;
        let action = if active { "user.activate" } else { "user.deactivate" };
        self.change_user(actor, id, expected_version, action, |user| user.active = active).await
    }

    pub async fn delete_user(&self, actor: &Actor, id: &str, expected_version: Option<i64>) -> ServiceResult<()> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_user(&mut tx, id).await?;
        check_version("user", id, expected_version, before.version)?;
        tx.delete_user(id, now).await?;
        let change = Change { action: "user.delete", target_kind: "user", target_id: id, target_name: &before.user_name };
        tx.append_audit(&event(actor, change, Some(&before), None::<&User>, now)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Loads, checks the version, applies `edit` and stores the result with one audit event.
    /// An edit that changes nothing writes nothing.
    async fn change_user(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
        action: &'static str,
        edit: impl FnOnce(&mut User),
    ) -> ServiceResult<User> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_user(&mut tx, id).await?;
        check_version("user", id, expected_version, before.version)?;
        let mut after = before.clone();
        edit(&mut after);
        if after == before {
            return Ok(before);
        }
        after.last_modified = now;
        after.version = before.version + 1;
        tx.update_user(&after).await.map_err(taken(&after.user_name))?;
        if after.user_name != before.user_name {
            tx.touch_workspaces_of(id, now).await?;
        }
        let change = Change { action, target_kind: "user", target_id: id, target_name: &after.user_name };
        tx.append_audit(&event(actor, change, Some(&before), Some(&after), now)).await?;
        tx.commit().await?;
        Ok(after)
    }
}

fn apply_profile(user: &mut User, profile: UserProfile) {
    user.user_name = profile.user_name;
    user.external_id = profile.external_id;
    user.given_name = profile.given_name;
    user.family_name = profile.family_name;
    user.display_name = profile.display_name;
    user.set_email(profile.email);
}
