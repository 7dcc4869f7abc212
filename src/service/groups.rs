//! Workspaces seen as SCIM Groups: membership changes cost the members changed, not the group.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::audit::{event, Change};
use super::provisioning::query_error;
use super::users::check_version;
use super::{Actor, ServiceError, ServiceResult, Services};
use crate::auth::secrets::new_id;
use crate::domain::query::ListQuery;
use crate::domain::workspaces::{Workspace, WorkspaceInput};
use crate::storage::{StoreError, WriteTx};

/// What one group write changes; empty parts change nothing.
#[derive(Debug, Clone, Default)]
pub struct GroupChange {
    pub name: Option<String>,
    pub external_id: Option<Option<String>>,
    pub add: Vec<String>,
    pub remove: Vec<String>,
    /// The whole new member list (PUT, or PATCH replace of `members`).
    pub replace: Option<Vec<String>>,
}

#[derive(Serialize)]
struct GroupAudit<'a> {
    name: &'a str,
    external_id: Option<&'a str>,
    added: &'a [String],
    removed: &'a [String],
}

/// Adds members; ids of users that do not exist are skipped (identity providers push members
/// they have not provisioned yet), and the audit event lists only those really added.
async fn add_members(tx: &mut WriteTx, ws: &str, ids: &[String], by: &str, now: i64) -> ServiceResult<Vec<String>> {
    let mut added = Vec::new();
    for id in ids {
        if tx.user_exists(id).await? && !tx.has_grant(id, ws).await? {
            tx.insert_grant(id, ws, by, now).await?;
            tx.touch_user(id, now).await?;
            added.push(id.clone());
        }
    }
    Ok(added)
}

async fn remove_members(tx: &mut WriteTx, ws: &str, ids: &[String], now: i64) -> ServiceResult<Vec<String>> {
    let mut removed = Vec::new();
    for id in ids {
        if tx.has_grant(id, ws).await? {
            tx.delete_grant(id, ws, now).await?;
            tx.touch_user(id, now).await?;
            removed.push(id.clone());
        }
    }
    Ok(removed)
}

fn name_taken(name: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |err| match err {
        StoreError::Duplicate => ServiceError::conflict("displayName", format!("A group named {name} already exists.")),
        other => other.into(),
    }
}

impl Services {
    pub async fn find_groups(&self, _actor: &Actor, query: &ListQuery) -> ServiceResult<(i64, Vec<Workspace>)> {
        self.store.find_workspaces(query).await.map_err(query_error)
    }

    /// Every member of each group as (user id, userName), keyed by group id.
    pub async fn group_members(&self, _actor: &Actor, ids: &[String]) -> ServiceResult<HashMap<String, Vec<(String, String)>>> {
        Ok(self.store.members_of(ids).await?)
    }

    /// Creates a group with its members in one write.
    pub async fn provision_group(&self, actor: &Actor, name: &str, external_id: Option<String>, members: &[String]) -> ServiceResult<Workspace> {
        actor.require_write()?;
        let input = WorkspaceInput::parse(name, "").map_err(|e| ServiceError::invalid("displayName", e.to_string()))?;
        let now = self.now();
        let workspace = Workspace::new(new_id(), input, external_id.filter(|e| !e.trim().is_empty()), now);
        let mut tx = self.store.write().await?;
        tx.insert_workspace(&workspace).await.map_err(name_taken(&workspace.name))?;
        let added = add_members(&mut tx, &workspace.id, members, &actor.name, now).await?;
        let change = Change { action: "group.create", target_kind: "workspace", target_id: &workspace.id, target_name: &workspace.name };
        let after = GroupAudit { name: &workspace.name, external_id: workspace.external_id.as_deref(), added: &added, removed: &[] };
        tx.append_audit(&event(actor, change, None::<&GroupAudit>, Some(&after), now)).await?;
        let result = tx.get_workspace(&workspace.id).await?.ok_or_else(|| ServiceError::Internal("group vanished".into()))?;
        tx.commit().await?;
        Ok(result)
    }

    pub async fn change_group(&self, actor: &Actor, id: &str, expected_version: Option<i64>, change: &GroupChange) -> ServiceResult<Workspace> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx.get_workspace(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "group", id: id.to_string() })?;
        check_version("group", id, expected_version, before.version)?;
        let mut after = before.clone();
        if let Some(name) = &change.name {
            after.name = WorkspaceInput::parse(name, &before.description)
                .map_err(|e| ServiceError::invalid("displayName", e.to_string()))?
                .name;
        }
        if let Some(external_id) = &change.external_id {
            after.external_id = external_id.clone().filter(|e| !e.trim().is_empty());
        }
        if after.name != before.name || after.external_id != before.external_id {
            after.last_modified = now;
            tx.update_workspace(&after).await.map_err(name_taken(&after.name))?;
            if after.name != before.name {
                tx.touch_members(id, now).await?;
            }
        }
        let (mut add, mut remove) = (change.add.clone(), change.remove.clone());
        if let Some(all) = &change.replace {
            let current: BTreeSet<String> = tx.member_ids(id).await?.into_iter().collect();
            let wanted: BTreeSet<String> = all.iter().cloned().collect();
            add.extend(wanted.difference(&current).cloned());
            remove.extend(current.difference(&wanted).cloned());
        }
        let removed = remove_members(&mut tx, id, &remove, now).await?;
        let added = add_members(&mut tx, id, &add, &actor.name, now).await?;
        if after == before && added.is_empty() && removed.is_empty() {
            return Ok(before);
        }
        let change_rec = Change { action: "group.change", target_kind: "workspace", target_id: id, target_name: &after.name };
        let b = GroupAudit { name: &before.name, external_id: before.external_id.as_deref(), added: &[], removed: &[] };
        let a = GroupAudit { name: &after.name, external_id: after.external_id.as_deref(), added: &added, removed: &removed };
        tx.append_audit(&event(actor, change_rec, Some(&b), Some(&a), now)).await?;
        let result = tx.get_workspace(id).await?.ok_or_else(|| ServiceError::Internal("group vanished".into()))?;
        tx.commit().await?;
        Ok(result)
    }
}
