use super::audit::{event, Change};
use super::paging::page_of;
use super::users::check_version;
use super::{Actor, ServiceError, ServiceResult, Services};
use crate::auth::secrets::new_id;
use crate::domain::paging::{Cursor, Page, PAGE_SIZE};
use crate::domain::workspaces::{Member, Workspace, WorkspaceInput};
use crate::storage::{StoreError, WriteTx};

fn name_taken(name: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |err| match err {
        StoreError::Duplicate => ServiceError::conflict("name", format!("A workspace named {name} already exists.")),
        other => other.into(),
    }
}

async fn load_workspace(tx: &mut WriteTx, id: &str) -> ServiceResult<Workspace> {
    tx.get_workspace(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "workspace", id: id.to_string() })
}

impl Services {
    pub async fn list_workspaces(&self, _actor: &Actor, name_prefix: &str, cursor: &Cursor) -> ServiceResult<Page<Workspace>> {
        let rows = self.store.list_workspaces(name_prefix, cursor, PAGE_SIZE + 1).await?;
        Ok(page_of(rows, cursor, PAGE_SIZE))
    }

    pub async fn get_workspace(&self, _actor: &Actor, id: &str) -> ServiceResult<Workspace> {
        self.store
            .get_workspace(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound { kind: "workspace", id: id.to_string() })
    }

    pub async fn list_members(&self, actor: &Actor, workspace_id: &str, cursor: &Cursor) -> ServiceResult<Page<Member>> {
        self.get_workspace(actor, workspace_id).await?;
        let rows = self.store.list_members(workspace_id, cursor, PAGE_SIZE + 1).await?;
        Ok(page_of(rows, cursor, PAGE_SIZE))
    }

    pub async fn create_workspace(&self, actor: &Actor, name: &str, description: &str) -> ServiceResult<Workspace> {
        actor.require_write()?;
        let input = WorkspaceInput::parse(name, description)?;
        let now = self.now();
        let workspace = Workspace::new(new_id(), input, None, now);
        let mut tx = self.store.write().await?;
        tx.insert_workspace(&workspace).await.map_err(name_taken(&workspace.name))?;
        let change = Change { action: "workspace.create", target_kind: "workspace", target_id: &workspace.id, target_name: &workspace.name };
        tx.append_audit(&event(actor, change, None::<&Workspace>, Some(&workspace), now)).await?;
        tx.commit().await?;
        Ok(workspace)
    }

    pub async fn update_workspace(
        &self,
        actor: &Actor,
        id: &str,
        expected_version: Option<i64>,
        name: &str,
        description: &str,
    ) -> ServiceResult<Workspace> {
        actor.require_write()?;
        let input = WorkspaceInput::parse(name, description)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_workspace(&mut tx, id).await?;
        check_version("workspace", id, expected_version, before.version)?;
        if before.name == input.name && before.description == input.description {
            return Ok(before);
        }
        let after = Workspace {
            name: input.name,
            description: input.description,
            last_modified: now,
            version: before.version + 1,
            ..before.clone()
        };
        tx.update_workspace(&after).await.map_err(name_taken(&after.name))?;
        if after.name != before.name {
            tx.touch_members(id, now).await?;
        }
        let change = Change { action: "workspace.update", target_kind: "workspace", target_id: id, target_name: &after.name };
        tx.append_audit(&event(actor, change, Some(&before), Some(&after), now)).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_workspace(&self, actor: &Actor, id: &str, expected_version: Option<i64>) -> ServiceResult<()> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_workspace(&mut tx, id).await?;
        check_version("workspace", id, expected_version, before.version)?;
        tx.delete_workspace(id, now).await?;
        let change = Change { action: "workspace.delete", target_kind: "workspace", target_id: id, target_name: &before.name };
        tx.append_audit(&event(actor, change, Some(&before), None::<&Workspace>, now)).await?;
        tx.commit().await?;
        Ok(())
    }
}
