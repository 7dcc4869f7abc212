//! Workspaces (each also a SCIM Group): reads for both doors and the one write path per
//! operation, create, change (fields and members) and delete, whichever door asks.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Map, Value};

use super::audit::{actions, event, Change};
use super::paging::page_of;
use super::users::{check_version, query_error};
use super::{Actor, ServiceError, ServiceResult, Services};
use crate::auth::secrets::new_id;
use crate::domain::credentials::AccessPolicy;
use crate::domain::paging::{Cursor, Page, PAGE_SIZE};
use crate::domain::query::ListQuery;
use crate::domain::text::{clean_field, required_field};
use crate::domain::workspaces::{Workspace, WorkspaceLink};
use crate::storage::{StoreError, WriteTx};

/// The most members one request may add or remove (or name in a whole new member list), so a
/// single request cannot hold the write lock for long.
pub const MAX_MEMBERS_PER_CHANGE: usize = 10_000;

/// The most workspaces a filter offers to choose from; past that the list is cut.
pub const MAX_CHOICES: usize = 2000;

/// What a door asks to change about one workspace. Empty parts change nothing.
#[derive(Debug, Clone, Default)]
pub struct WorkspaceChange {
    pub name: Option<String>,
    pub description: Option<String>,
    pub external_id: Option<Option<String>>,
    /// Users (by id) to add; ids of users that do not exist are skipped, since identity providers
    /// push members they have not provisioned yet.
    pub add: Vec<String>,
    pub remove: Vec<String>,
    /// The whole new member list (a SCIM PUT, or PATCH replace of `members`).
    pub replace: Option<Vec<String>>,
}

impl WorkspaceChange {
    fn members_named(&self) -> usize {
        self.add.len() + self.remove.len() + self.replace.as_ref().map_or(0, Vec::len)
    }

    /// The membership part as the actor's provisioning policy lets it count: the same rule as
    /// for a user's workspace entitlements (added only, ignored, or as sent).
    fn shaped_for(&self, actor: &Actor) -> WorkspaceChange {
        let mut change = self.clone();
        if let Some(policy) = &actor.policy {
            (change.add, change.remove, change.replace) = policy.access.shape(change.add, change.remove, change.replace);
        }
        change
    }
}

fn name_taken(name: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |err| match err {
        StoreError::Duplicate => ServiceError::conflict("name", format!("A workspace named {name} already exists.")),
        other => other.into(),
    }
}

/// Applies the field part of a change onto a copy of `ws`, validating it.
fn apply_fields(ws: &Workspace, change: &WorkspaceChange) -> ServiceResult<Workspace> {
    let mut after = ws.clone();
    if let Some(name) = &change.name {
        after.name = required_field("name", "Workspace name", name, 200)?;
    }
    if let Some(description) = &change.description {
        after.description = clean_field("description", "Description", description, 2000)?;
    }
    if let Some(external_id) = &change.external_id {
        after.external_id = match external_id {
            Some(e) => Some(clean_field("externalId", "External id", e, 256)?).filter(|e| !e.is_empty()),
            None => None,
        };
    }
    check_members_named(change)?;
    Ok(after)
}

/// Refuses, before any lock is taken, a change naming more members than one request may.
fn check_members_named(change: &WorkspaceChange) -> ServiceResult<()> {
    if change.members_named() > MAX_MEMBERS_PER_CHANGE {
        return Err(ServiceError::invalid("members", format!("One request may name at most {MAX_MEMBERS_PER_CHANGE} members.")));
    }
    Ok(())
}

fn field_diff(before: &Workspace, after: &Workspace) -> (Map<String, Value>, Map<String, Value>) {
    let (mut b, mut a) = (Map::new(), Map::new());
    for (field, old, new) in [
        ("name", json!(before.name), json!(after.name)),
        ("description", json!(before.description), json!(after.description)),
        ("external_id", json!(before.external_id), json!(after.external_id)),
    ] {
        if old != new {
            b.insert(field.into(), old);
            a.insert(field.into(), new);
        }
    }
    (b, a)
}

fn members_json(members: &[(String, String)]) -> Value {
    Value::Array(members.iter().map(|(id, name)| json!({"id": id, "user_name": name})).collect())
}

/// Adds and removes members set-based; returns (added, removed) as (user id, userName).
async fn write_members(tx: &mut WriteTx, ws: &str, change: &WorkspaceChange, by: &str, now: i64) -> ServiceResult<(Vec<(String, String)>, Vec<(String, String)>)> {
    let (mut add, mut remove) = (change.add.clone(), change.remove.clone());
    if let Some(all) = &change.replace {
        let current: BTreeSet<String> = tx.member_ids(ws).await?.into_iter().collect();
        let wanted: BTreeSet<String> = all.iter().cloned().collect();
        add = wanted.difference(&current).cloned().collect();
        remove = current.difference(&wanted).cloned().collect();
    }
    let removed = tx.remove_members(ws, &remove, now).await?;
    let added = tx.add_members(ws, &add, by, now).await?;
    Ok((added, removed))
}

impl Services {
    pub async fn list_workspaces(&self, _actor: &Actor, name_prefix: &str, cursor: &Cursor) -> ServiceResult<Page<Workspace>> {
        let rows = self.store.list_workspaces(name_prefix, cursor, PAGE_SIZE + 1).await?;
        Ok(page_of(rows, cursor, PAGE_SIZE))
    }

    /// Every workspace by name (at most [`MAX_CHOICES`]), for choosing one in a list filter.
    pub async fn workspace_choices(&self, _actor: &Actor) -> ServiceResult<Vec<WorkspaceLink>> {
        Ok(self.store.workspace_links(MAX_CHOICES).await?)
    }

    pub async fn get_workspace(&self, _actor: &Actor, id: &str) -> ServiceResult<Workspace> {
        self.store.get_workspace(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "workspace", id: id.to_string() })
    }

    /// Workspaces meeting a SCIM filter, sorted and paged, with the total.
    pub async fn find_workspaces(&self, _actor: &Actor, query: &ListQuery) -> ServiceResult<(i64, Vec<Workspace>)> {
        self.store.find_workspaces(query).await.map_err(query_error)
    }

    /// Every member of each workspace as (user id, userName), keyed by workspace id.
    pub async fn workspace_members(&self, _actor: &Actor, ids: &[String]) -> ServiceResult<HashMap<String, Vec<(String, String)>>> {
        Ok(self.store.members_of(ids).await?)
    }

    /// Creates a workspace (with members, if the change names some) in one write.
    pub async fn create_workspace(&self, actor: &Actor, change: &WorkspaceChange) -> ServiceResult<Workspace> {
        retrying!(self.create_workspace_once(actor, change).await)
    }

    async fn create_workspace_once(&self, actor: &Actor, change: &WorkspaceChange) -> ServiceResult<Workspace> {
        actor.require_write()?;
        let change = &change.shaped_for(actor);
        if change.name.is_none() {
            return Err(ServiceError::invalid("name", "Workspace name is required."));
        }
        let now = self.now();
        let blank = Workspace { id: new_id(), name: String::new(), external_id: None, description: String::new(), member_count: 0, created: now, last_modified: now, version: 1 };
        let workspace = apply_fields(&blank, change)?;
        let mut tx = self.store.write().await?;
        tx.insert_workspace(&workspace).await.map_err(name_taken(&workspace.name))?;
        let (added, _) = write_members(&mut tx, &workspace.id, change, &actor.name, now).await?;
        let mut after = serde_json::to_value(&workspace).unwrap_or(Value::Null);
        if !added.is_empty() {
            after["granted"] = members_json(&added);
        }
        let record = Change { action: actions::WORKSPACE_CREATE, target_kind: "workspace", target_id: &workspace.id, target_name: &workspace.name };
        tx.append_audit(&event(actor, record, None::<&Value>, Some(&after), now)).await?;
        let created = tx.get_workspace(&workspace.id).await?.ok_or_else(|| ServiceError::Internal("workspace vanished".into()))?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a workspace's fields and members in one write with one audit event. Membership
    /// changes cost the members named, not the size of the workspace.
    pub async fn change_workspace(&self, actor: &Actor, id: &str, expected_version: Option<i64>, change: &WorkspaceChange) -> ServiceResult<Workspace> {
        retrying!(self.change_workspace_once(actor, id, expected_version, change).await)
    }

    async fn change_workspace_once(&self, actor: &Actor, id: &str, expected_version: Option<i64>, change: &WorkspaceChange) -> ServiceResult<Workspace> {
        actor.require_write()?;
        let change = &change.shaped_for(actor);
        check_members_named(change)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx.lock_workspace(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "workspace", id: id.to_string() })?;
        check_version("workspace", id, expected_version, before.version)?;
        let after = apply_fields(&before, change)?;
        let (b, mut a) = field_diff(&before, &after);
        if !a.is_empty() {
            tx.update_workspace(&Workspace { last_modified: now, ..after.clone() }).await.map_err(name_taken(&after.name))?;
            if after.name != before.name {
                tx.touch_members(id, now).await?;
            }
        }
        let (added, removed) = write_members(&mut tx, id, change, &actor.name, now).await?;
        if a.is_empty() && added.is_empty() && removed.is_empty() {
            return Ok(before);
        }
        let action = actions::for_workspace_change(!a.is_empty(), !added.is_empty(), !removed.is_empty());
        if !added.is_empty() {
            a.insert("granted".into(), members_json(&added));
        }
        if !removed.is_empty() {
            a.insert("revoked".into(), members_json(&removed));
        }
        let record = Change { action: &action, target_kind: "workspace", target_id: id, target_name: &after.name };
        tx.append_audit(&event(actor, record, Some(&Value::Object(b)), Some(&Value::Object(a)), now)).await?;
        let result = tx.get_workspace(id).await?.ok_or_else(|| ServiceError::Internal("workspace vanished".into()))?;
        tx.commit().await?;
        Ok(result)
    }

    pub async fn delete_workspace(&self, actor: &Actor, id: &str, expected_version: Option<i64>) -> ServiceResult<()> {
        retrying!(self.delete_workspace_once(actor, id, expected_version).await)
    }

    async fn delete_workspace_once(&self, actor: &Actor, id: &str, expected_version: Option<i64>) -> ServiceResult<()> {
        actor.require_write()?;
        // Deleting a workspace revokes every grant in it: only an identity provider that owns
        // workspace access may.
        if actor.policy.as_ref().is_some_and(|p| p.access != AccessPolicy::Provider) {
            return Err(ServiceError::NotOwned(
                "This credential's provisioning policy leaves workspace access to the console: the workspace and its grants were kept. Delete it in the console, or give this credential ownership of workspace access.".into(),
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx.lock_workspace(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "workspace", id: id.to_string() })?;
        check_version("workspace", id, expected_version, before.version)?;
        let members = tx.members_with_names(id).await?;
        tx.delete_workspace(id, now).await?;
        let record = Change { action: actions::WORKSPACE_DELETE, target_kind: "workspace", target_id: id, target_name: &before.name };
        // Who lost access with it, as a user's deletion records the workspaces it held.
        let mut state = serde_json::to_value(&before).unwrap_or(Value::Null);
        state["members"] = members_json(&members);
        tx.append_audit(&event(actor, record, Some(&state), None::<&Value>, now)).await?;
        tx.commit().await?;
        Ok(())
    }
}
