use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::audit::{actions, event, Change};
use super::{Actor, ActorKind, Door, ServiceError, ServiceResult, Services};
use crate::auth::passwords::{hash_password, verify_password, MIN_PASSWORD_CHARS};
use crate::auth::secrets::new_id;
use crate::domain::admins::Role;
use crate::domain::text::{fold_key, required_field};
use crate::storage::{AdminRecord, StoreError};

/// Failed sign-ins allowed per user name from one address, and per address whatever the user
/// name, within one window. Counting per user name and address (not per user name alone) means
/// nobody can lock an administrator out by failing on their behalf from elsewhere.
const PAIR_FAILURES: i64 = 5;
const ADDRESS_FAILURES: i64 = 20;
const WINDOW_MS: i64 = 15 * 60 * 1000;

/// Sign-ins from one address are checked one at a time on this instance, so parallel guesses
/// cannot all pass the check before the first failure is counted (per user name, and per
/// address across user names). Sign-ins from different addresses do not wait for each other.
#[derive(Default)]
pub struct SignInTurns {
    keys: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl SignInTurns {
    async fn wait_for(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
            keys.retain(|_, lock| Arc::strong_count(lock) > 1);
            keys.entry(key.to_string()).or_default().clone()
        };
        lock.lock_owned().await
    }
}

/// A successful sign-in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub admin_id: String,
    pub username: String,
    pub role: Role,
}

#[derive(Serialize)]
struct AdminAudit<'a> {
    username: &'a str,
    role: &'a str,
}

const WRONG_CREDENTIALS: &str = "That user name and password do not match an administrator.";

impl Services {
    /// Checks a console sign-in. Every failure reads the same, so it does not tell which
    /// accounts exist; repeated failures (not attempts) lock that user name from that address,
    /// and that address, for a while. The counts live in the store: a restart or another
    /// instance gives no fresh budget.
    pub async fn authenticate(&self, username: &str, password: &str, address: &str) -> ServiceResult<SignedIn> {
        let pair = format!("user:{}|from:{address}", fold_key(username));
        let keys = [pair.clone(), format!("from:{address}")];
        let _turn = self.sign_in_turns.wait_for(&keys[1]).await;
        let since = self.now() - WINDOW_MS;
        let counted = self.store.sign_in_failures(&keys, since).await?;
        if counted[0].1 >= PAIR_FAILURES || counted[1].1 >= ADDRESS_FAILURES {
            return Err(ServiceError::Throttled("Too many failed sign-ins. Wait 15 minutes and try again.".into()));
        }
        let admin = self.store.find_admin_by_username(username).await?;
        let ok = verify_password(password.to_string(), admin.as_ref().map(|a| a.password_hash.clone()))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        match admin {
            Some(admin) if ok => {
                self.store.clear_sign_in_failures(&pair).await?;
                let role = Role::parse(&admin.role).ok_or_else(|| ServiceError::Internal("unknown role".into()))?;
                Ok(SignedIn { admin_id: admin.id, username: admin.username, role })
            }
            _ => {
                let now = self.now();
                self.store.record_sign_in_failure(&keys, now, now - WINDOW_MS).await?;
                Err(ServiceError::invalid("password", WRONG_CREDENTIALS))
            }
        }
    }

    /// The actor for a signed-in admin id, or None when that admin no longer exists.
    pub async fn admin_actor(&self, admin_id: &str, request_id: String) -> ServiceResult<Option<Actor>> {
        let Some(admin) = self.store.get_admin(admin_id).await? else {
            return Ok(None);
        };
        let role = Role::parse(&admin.role).ok_or_else(|| ServiceError::Internal("unknown role".into()))?;
        Ok(Some(Actor { kind: ActorKind::Admin, id: admin.id, name: admin.username, role, door: Door::Console, request_id }))
    }

    pub async fn count_admins(&self) -> ServiceResult<i64> {
        Ok(self.store.count_admins().await?)
    }

    pub async fn create_admin(&self, actor: &Actor, username: &str, password: &str, role: Role) -> ServiceResult<()> {
        actor.require_write()?;
        let username = required_field("username", "User name", username, 128)?;
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(ServiceError::invalid(
                "password",
                format!("The password must have at least {MIN_PASSWORD_CHARS} characters."),
            ));
        }
        let password_hash = hash_password(password.to_string()).await.map_err(|e| ServiceError::Internal(e.to_string()))?;
        let now = self.now();
        let record = AdminRecord { id: new_id(), username: username.clone(), password_hash, role: role.as_str().into(), created: now };
        let mut tx = self.store.write().await?;
        tx.insert_admin(&record).await.map_err(|err| match err {
            StoreError::Duplicate => ServiceError::conflict("username", format!("An administrator named {username} already exists.")),
            other => other.into(),
        })?;
        let change = Change { action: actions::ADMIN_CREATE, target_kind: "admin", target_id: &record.id, target_name: &username };
        let after = AdminAudit { username: &username, role: role.as_str() };
        tx.append_audit(&event(actor, change, None::<&AdminAudit>, Some(&after), now)).await?;
        tx.commit().await?;
        Ok(())
    }
}
