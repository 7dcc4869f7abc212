use serde::Serialize;

use super::audit::{event, Change};
use super::users::{check_version, load_user};
use super::{Actor, ServiceError, ServiceResult, Services};
use crate::domain::users::User;

#[derive(Serialize)]
struct AccessState<'a> {
    workspace_id: &'a str,
    workspace_name: &'a str,
    granted: bool,
}

impl Services {
    /// Grants or revokes one workspace for one user. The user's version (and so its SCIM ETag)
    /// and the workspace's version both move; asking for the state it already has changes nothing.
    pub async fn set_access(
        &self,
        actor: &Actor,
        user_id: &str,
        workspace_id: &str,
        expected_version: Option<i64>,
        granted: bool,
    ) -> ServiceResult<User> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut user = load_user(&mut tx, user_id).await?;
        check_version("user", user_id, expected_version, user.version)?;
        let workspace = tx
            .get_workspace(workspace_id)
            .await?
            .ok_or_else(|| ServiceError::NotFound { kind: "workspace", id: workspace_id.to_string() })?;
        let had = tx.has_grant(user_id, workspace_id).await?;
        if had == granted {
            return Ok(user);
        }
        if granted {
            tx.insert_grant(user_id, workspace_id, &actor.name, now).await?;
        } else {
            tx.delete_grant(user_id, workspace_id, now).await?;
        }
        tx.touch_user(user_id, now).await?;
        let state = |granted| AccessState { workspace_id, workspace_name: &workspace.name, granted };
        let action = if granted { "access.grant" } else { "access.revoke" };
        let change = Change { action, target_kind: "user", target_id: user_id, target_name: &user.user_name };
        tx.append_audit(&event(actor, change, Some(&state(had)), Some(&state(granted)), now)).await?;
        tx.commit().await?;
        user.version += 1;
        user.last_modified = now;
        Ok(user)
    }
}
