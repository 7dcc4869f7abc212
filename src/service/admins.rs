//! Console administrators: created, given a role, disabled and re-enabled, their passwords set
//! or reset, each change audited. At least one enabled security admin always remains.

use serde::Serialize;

use super::audit::{actions, event, Change};
use super::sign_in::role_of;
use super::{Actor, ServiceError, ServiceResult, Services};
use crate::auth::passwords::{hash_password, verify_password, MIN_PASSWORD_CHARS};
use crate::auth::secrets::{new_id, random_secret};
use crate::domain::admins::{AdminSummary, OneTimePassword, Role};
use crate::domain::text::required_field;
use crate::storage::{AdminRecord, StoreError, WriteTx};

/// What the audit trail records of an administrator: never a password or its hash.
#[derive(Serialize)]
struct AdminAudit<'a> {
    username: &'a str,
    role: &'a str,
    disabled: bool,
}

impl<'a> AdminAudit<'a> {
    fn of(admin: &'a AdminRecord) -> Self {
        AdminAudit { username: &admin.username, role: &admin.role, disabled: admin.disabled.is_some() }
    }
}

/// A change to an administrator account; None leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct AdminChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    /// Replace the password with a new one-time password.
    pub reset_password: bool,
}

fn summary(admin: AdminRecord) -> ServiceResult<AdminSummary> {
    Ok(AdminSummary {
        role: role_of(&admin)?,
        id: admin.id,
        username: admin.username,
        created: admin.created,
        disabled: admin.disabled,
        last_sign_in: admin.last_sign_in,
        must_change_password: admin.must_change_password,
    })
}

fn check_password(password: &str) -> ServiceResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServiceError::invalid("password", format!("The password must have at least {MIN_PASSWORD_CHARS} characters.")));
    }
    Ok(())
}

async fn hashed(password: &str) -> ServiceResult<String> {
    hash_password(password.to_string()).await.map_err(|e| ServiceError::Internal(e.to_string()))
}

/// A password for someone to type once and replace: 20 URL-safe characters (120 bits).
fn one_time_password() -> String {
    random_secret(15)
}

impl Services {
    pub async fn count_admins(&self) -> ServiceResult<i64> {
        Ok(self.store.count_admins().await?)
    }

    pub async fn list_admins(&self, actor: &Actor) -> ServiceResult<Vec<AdminSummary>> {
        actor.require_write()?;
        self.store.list_admins().await?.into_iter().map(summary).collect()
    }

    /// Creates an administrator with the password given (the command line, tests).
    pub async fn create_admin(&self, actor: &Actor, username: &str, password: &str, role: Role) -> ServiceResult<()> {
        check_password(password)?;
        self.insert_admin(actor, username, password, role, false).await
    }

    /// Creates an administrator with a one-time password, returned this once: they must
    /// replace it at their first sign-in.
    pub async fn create_admin_with_one_time_password(&self, actor: &Actor, username: &str, role: Role) -> ServiceResult<OneTimePassword> {
        let password = one_time_password();
        self.insert_admin(actor, username, &password, role, true).await?;
        Ok(OneTimePassword { username: username.trim().to_string(), password })
    }

    async fn insert_admin(&self, actor: &Actor, username: &str, password: &str, role: Role, one_time: bool) -> ServiceResult<()> {
        actor.require_write()?;
        let username = required_field("username", "User name", username, 128)?;
        let password_hash = hashed(password).await?;
        let now = self.now();
        let record = AdminRecord {
            id: new_id(),
            username: username.clone(),
            password_hash,
            role: role.as_str().into(),
            created: now,
            disabled: None,
            must_change_password: one_time,
            last_sign_in: None,
        };
        let mut tx = self.store.write().await?;
        tx.insert_admin(&record).await.map_err(|err| match err {
            StoreError::Duplicate => ServiceError::conflict("username", format!("An administrator named {username} already exists.")),
            other => other.into(),
        })?;
        let change = Change { action: actions::ADMIN_CREATE, target_kind: "admin", target_id: &record.id, target_name: &username };
        tx.append_audit(&event(actor, change, None::<&AdminAudit>, Some(&AdminAudit::of(&record)), now)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes another administrator's role or status, or resets their password (returning the
    /// new one-time password; re-enabling sets one too). Refused when it would leave no enabled security admin, and for
    /// one's own account (another security admin must do it).
    pub async fn change_admin(&self, actor: &Actor, id: &str, change: &AdminChange) -> ServiceResult<Option<OneTimePassword>> {
        retrying!(self.change_admin_once(actor, id, change).await)
    }

    async fn change_admin_once(&self, actor: &Actor, id: &str, change: &AdminChange) -> ServiceResult<Option<OneTimePassword>> {
        actor.require_write()?;
        if id == actor.id && (change.disabled == Some(true) || change.role.is_some_and(|r| r != actor.role)) {
            return Err(ServiceError::invalid("admin", "You cannot disable or demote your own account; ask another security admin."));
        }
        // Re-enabling comes with a new one-time password, so no session or password from before
        // the account was disabled works again (it may have been disabled for being compromised).
        let password = (change.reset_password || change.disabled == Some(false)).then(one_time_password);
        let password_hash = match &password {
            Some(p) => Some(hashed(p).await?),
            None => None,
        };
        let now = self.now();
        let mut tx = self.store.write().await?;
        let enabled_security_admins = tx.lock_security_admins().await?;
        let before = tx.get_admin(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "administrator", id: id.to_string() })?;
        let mut after = before.clone();
        if let Some(role) = change.role {
            after.role = role.as_str().into();
        }
        match change.disabled {
            Some(true) if before.disabled.is_none() => after.disabled = Some(now),
            Some(false) => after.disabled = None,
            _ => {}
        }
        let reenabled = before.disabled.is_some() && after.disabled.is_none();
        let password = password.filter(|_| change.reset_password || reenabled);
        if let (Some(hash), true) = (password_hash, password.is_some()) {
            after.password_hash = hash;
            after.must_change_password = true;
        }
        let stays_security_admin = after.role == Role::SecurityAdmin.as_str() && after.disabled.is_none();
        if !stays_security_admin && enabled_security_admins.len() == 1 && enabled_security_admins[0] == id {
            return Err(ServiceError::invalid("admin", "This is the last enabled security admin: make another one first."));
        }
        tx.update_admin(&after).await?;
        let (b, mut a) = (serde_json::to_value(AdminAudit::of(&before)), serde_json::to_value(AdminAudit::of(&after)));
        if let (Ok(serde_json::Value::Object(a)), true) = (&mut a, password.is_some()) {
            a.insert("password".into(), "reset to a one-time password".into());
        }
        self.record_admin_change(&mut tx, actor, &after, b.ok(), a.ok(), now).await?;
        tx.commit().await?;
        Ok(password.map(|password| OneTimePassword { username: after.username, password }))
    }

    /// Changes the signed-in administrator's own password; the current one must be given.
    /// Returns the session's new password mark, so this session stays signed in while every
    /// other session of theirs ends.
    pub async fn change_own_password(&self, actor: &Actor, current: &str, new: &str) -> ServiceResult<String> {
        check_password(new)?;
        if new == current {
            return Err(ServiceError::invalid("password", "Choose a password different from the current one."));
        }
        let stored = self.store.get_admin(&actor.id).await?.ok_or(ServiceError::Unauthenticated)?;
        let ok = verify_password(current.to_string(), Some(stored.password_hash.clone())).await.map_err(|e| ServiceError::Internal(e.to_string()))?;
        if !ok {
            return Err(ServiceError::invalid("current", "That is not your current password."));
        }
        let password_hash = hashed(new).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx.get_admin(&actor.id).await?.ok_or(ServiceError::Unauthenticated)?;
        let after = AdminRecord { password_hash, must_change_password: false, ..before.clone() };
        tx.update_admin(&after).await?;
        let note = |text: &str| serde_json::json!({ "password": text });
        self.record_admin_change(&mut tx, actor, &after, Some(note("")), Some(note("changed by its owner")), now).await?;
        tx.commit().await?;
        Ok(super::sign_in::password_mark(&after))
    }

    async fn record_admin_change(
        &self,
        tx: &mut WriteTx,
        actor: &Actor,
        admin: &AdminRecord,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
        now: i64,
    ) -> ServiceResult<()> {
        let change = Change { action: actions::ADMIN_UPDATE, target_kind: "admin", target_id: &admin.id, target_name: &admin.username };
        tx.append_audit(&event(actor, change, before.as_ref(), after.as_ref(), now)).await?;
        Ok(())
    }
}
