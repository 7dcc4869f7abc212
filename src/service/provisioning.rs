//! Whole-user writes as identity providers make them: profile, addresses, extra attributes,
//! active and the full set of workspaces, in one transaction and one audit event.

use std::collections::BTreeSet;

use serde::Serialize;

use super::audit::{event, Change};
use super::users::{check_version, load_user};
use super::{Actor, ServiceError, ServiceResult, Services};
use crate::auth::secrets::new_id;
use crate::domain::query::ListQuery;
use crate::domain::users::{check_addresses_and_extra, Email, User, UserInput};
use crate::domain::workspaces::WorkspaceLink;
use crate::storage::{StoreError, WriteTx};

/// A workspace named by id or by name (Anaplan's WORKSPACE_IDS / WORKSPACE_NAMES).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceRef {
    Id(String),
    Name(String),
}

/// A user as an identity provider sends it.
#[derive(Debug, Clone, Default)]
pub struct UserDraft {
    pub user_name: String,
    pub external_id: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub display_name: String,
    /// None keeps the stored value (a new user starts active).
    pub active: Option<bool>,
    pub emails: Vec<Email>,
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The workspaces the user may enter; None leaves them as they are.
    pub workspaces: Option<Vec<WorkspaceRef>>,
}

/// A user with the workspaces it may enter.
#[derive(Debug, Clone, PartialEq)]
pub struct UserWithAccess {
    pub user: User,
    pub workspaces: Vec<WorkspaceLink>,
}

#[derive(Serialize)]
struct Snapshot<'a> {
    #[serde(flatten)]
    user: &'a User,
    workspaces: &'a BTreeSet<String>,
}

impl UserDraft {
    /// Validates the draft onto `user` (a new one or a copy of the stored one).
    fn apply_to(&self, user: &mut User) -> ServiceResult<()> {
        if let Some(bad) = self.emails.iter().find(|e| e.value.trim().is_empty()) {
            return Err(ServiceError::invalid("emails", format!("An e-mail entry has no value: {bad:?}")));
        }
        check_addresses_and_extra(&self.emails, &self.extra)?;
        let input = UserInput {
            user_name: self.user_name.clone(),
            external_id: self.external_id.clone().unwrap_or_default(),
            given_name: self.given_name.clone(),
            family_name: self.family_name.clone(),
            display_name: self.display_name.clone(),
            email: User::primary_email(&self.emails),
        };
        let profile = input.validate()?;
        user.user_name = profile.user_name;
        user.external_id = profile.external_id;
        user.given_name = profile.given_name;
        user.family_name = profile.family_name;
        user.display_name = profile.display_name;
        user.emails = self.emails.clone();
        user.email = profile.email;
        user.extra = self.extra.clone();
        if let Some(active) = self.active {
            user.active = active;
        }
        Ok(())
    }
}

fn user_name_taken(user_name: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |err| match err {
        StoreError::Duplicate => ServiceError::conflict("userName", format!("The userName {user_name} is already taken.")),
        other => other.into(),
    }
}

/// Turns workspace references into ids; an unknown one refuses the whole write.
async fn resolve(tx: &mut WriteTx, refs: &[WorkspaceRef]) -> ServiceResult<BTreeSet<String>> {
    let mut ids = BTreeSet::new();
    for r in refs {
        let id = match r {
            WorkspaceRef::Id(id) => tx.get_workspace(id).await?.map(|w| w.id),
            WorkspaceRef::Name(name) => tx.workspace_id_by_name(name).await?,
        };
        match (id, r) {
            (Some(id), _) => {
                ids.insert(id);
            }
            (None, WorkspaceRef::Id(id)) => {
                return Err(ServiceError::invalid("entitlements", format!("No workspace has the id {id}.")))
            }
            (None, WorkspaceRef::Name(name)) => {
                return Err(ServiceError::invalid("entitlements", format!("No workspace is named {name}.")))
            }
        }
    }
    Ok(ids)
}

/// Makes the user's grants exactly `wanted`; only the differences are written.
async fn set_grants(tx: &mut WriteTx, user_id: &str, current: &BTreeSet<String>, wanted: &BTreeSet<String>, by: &str, now: i64) -> ServiceResult<()> {
    for id in wanted.difference(current) {
        tx.insert_grant(user_id, id, by, now).await?;
    }
    for id in current.difference(wanted) {
        tx.delete_grant(user_id, id, now).await?;
    }
    Ok(())
}

impl Services {
    pub async fn find_users(&self, _actor: &Actor, query: &ListQuery) -> ServiceResult<(i64, Vec<UserWithAccess>)> {
        let (total, users) = self.store.find_users(query).await.map_err(query_error)?;
        let ids: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
        let mut access = self.store.workspaces_of(&ids).await?;
        let rows = users
            .into_iter()
            .map(|user| {
                let workspaces = access.remove(&user.id).unwrap_or_default();
                UserWithAccess { user, workspaces }
            })
            .collect();
        Ok((total, rows))
    }

    pub async fn user_with_access(&self, actor: &Actor, id: &str) -> ServiceResult<UserWithAccess> {
        let user = self.get_user(actor, id).await?;
        let workspaces = self.store.workspaces_of(std::slice::from_ref(&user.id)).await?.remove(&user.id).unwrap_or_default();
        Ok(UserWithAccess { user, workspaces })
    }

    pub async fn provision_user(&self, actor: &Actor, draft: &UserDraft) -> ServiceResult<UserWithAccess> {
        actor.require_write()?;
        let now = self.now();
        let mut user = User::blank(new_id(), now);
        draft.apply_to(&mut user)?;
        let mut tx = self.store.write().await?;
        let wanted = resolve(&mut tx, draft.workspaces.as_deref().unwrap_or(&[])).await?;
        tx.insert_user(&user).await.map_err(user_name_taken(&user.user_name))?;
        set_grants(&mut tx, &user.id, &BTreeSet::new(), &wanted, &actor.name, now).await?;
        let change = Change { action: "user.create", target_kind: "user", target_id: &user.id, target_name: &user.user_name };
        let after = Snapshot { user: &user, workspaces: &wanted };
        tx.append_audit(&event(actor, change, None::<&Snapshot>, Some(&after), now)).await?;
        tx.commit().await?;
        self.user_with_access(actor, &user.id).await
    }

    /// Replaces a user's attributes (and workspaces, when the draft names them).
    pub async fn replace_user(&self, actor: &Actor, id: &str, expected_version: Option<i64>, draft: &UserDraft) -> ServiceResult<UserWithAccess> {
        self.edit_user(actor, id, expected_version, |_| Ok::<_, ServiceError>(draft.clone())).await
    }

    /// Replaces a user with what `edit` makes of its current state. The state is read inside
    /// the same write transaction, so a read-modify-write (a SCIM PATCH) cannot lose a change
    /// made in between. `edit` may refuse with an error of the caller's own kind.
    pub async fn edit_user<E: From<ServiceError>>(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
        edit: impl FnOnce(&UserWithAccess) -> Result<UserDraft, E>,
    ) -> Result<UserWithAccess, E> {
        match self.edit_user_in_tx(actor, id, expected_version, edit).await {
            Ok(Ok(())) => Ok(self.user_with_access(actor, id).await?),
            Ok(Err(refused)) => Err(refused),
            Err(err) => Err(err.into()),
        }
    }

    async fn edit_user_in_tx<E>(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
        edit: impl FnOnce(&UserWithAccess) -> Result<UserDraft, E>,
    ) -> ServiceResult<Result<(), E>> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_user(&mut tx, id).await?;
        check_version("user", id, expected_version, before.version)?;
        let links = tx.workspaces_of_user(id).await?;
        let current: BTreeSet<String> = links.iter().map(|w| w.id.clone()).collect();
        let draft = match edit(&UserWithAccess { user: before.clone(), workspaces: links }) {
            Ok(draft) => draft,
            Err(refused) => return Ok(Err(refused)),
        };
        let wanted = match &draft.workspaces {
            Some(refs) => resolve(&mut tx, refs).await?,
            None => current.clone(),
        };
        let mut after = before.clone();
        draft.apply_to(&mut after)?;
        if after == before && wanted == current {
            return Ok(Ok(()));
        }
        after.last_modified = now;
        after.version = before.version + 1;
        tx.update_user(&after).await.map_err(user_name_taken(&after.user_name))?;
        if after.user_name != before.user_name {
            tx.touch_workspaces_of(id, now).await?;
        }
        set_grants(&mut tx, id, &current, &wanted, &actor.name, now).await?;
        let change = Change { action: "user.replace", target_kind: "user", target_id: id, target_name: &after.user_name };
        let (b, a) = (Snapshot { user: &before, workspaces: &current }, Snapshot { user: &after, workspaces: &wanted });
        tx.append_audit(&event(actor, change, Some(&b), Some(&a), now)).await?;
        tx.commit().await?;
        Ok(Ok(()))
    }
}

/// A filter the store cannot compile is the caller's mistake, not ours.
pub(super) fn query_error(err: StoreError) -> ServiceError {
    match err {
        StoreError::Query(q) => ServiceError::invalid("filter", q.0),
        other => other.into(),
    }
}
