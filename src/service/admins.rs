use std::collections::HashMap;
use std::sync::Mutex;

use serde::Serialize;

use super::audit::{event, Change};
use super::{Actor, ActorKind, Door, ServiceError, ServiceResult, Services};
use crate::auth::passwords::{hash_password, verify_password, MIN_PASSWORD_CHARS};
use crate::auth::secrets::new_id;
use crate::domain::admins::Role;
use crate::domain::text::{fold_key, required_field};
use crate::storage::{AdminRecord, StoreError};

/// Failed sign-ins allowed per account, and per client address, within one window.
const ACCOUNT_FAILURES: u32 = 5;
const ADDRESS_FAILURES: u32 = 20;
const WINDOW_MS: i64 = 15 * 60 * 1000;

/// Counts failed sign-ins in memory. Each app instance counts its own, which still bounds
/// guessing to a small multiple of the limit.
#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

impl LoginThrottle {
    /// Counts an attempt against both keys before the password is checked, in one step, so
    /// parallel guesses cannot all slip past the limit. None when either key is used up.
    fn reserve(&self, keys: [(&str, u32); 2], now: i64) -> Option<()> {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for (key, limit) in keys {
            if let Some((count, since)) = map.get(key) {
                if now - since < WINDOW_MS && *count >= limit {
                    return None;
                }
            }
        }
        for (key, _) in keys {
            let entry = map.entry(key.to_string()).or_insert((0, now));
            if now - entry.1 >= WINDOW_MS {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Some(())
    }

    /// A successful sign-in takes its attempt back.
    fn release(&self, keys: [&str; 2]) {
        let mut map = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        for key in keys {
            if let Some(entry) = map.get_mut(key) {
                entry.0 = entry.0.saturating_sub(1);
            }
        }
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
    /// accounts exist; repeated failures lock the account and the address for a while.
    pub async fn authenticate(&self, username: &str, password: &str, address: &str) -> ServiceResult<SignedIn> {
        let now = self.now();
        let account_key = format!("account:{}", fold_key(username));
        let address_key = format!("address:{address}");
        if self.throttle.reserve([(&account_key, ACCOUNT_FAILURES), (&address_key, ADDRESS_FAILURES)], now).is_none() {
            return Err(ServiceError::Throttled(
                "Too many failed sign-ins. Wait 15 minutes and try again.".into(),
            ));
        }
        let admin = self.store.find_admin_by_username(username).await?;
        let ok = verify_password(password.to_string(), admin.as_ref().map(|a| a.password_hash.clone()))
            .await
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        match admin {
            Some(admin) if ok => {
                self.throttle.release([&account_key, &address_key]);
                let role = Role::parse(&admin.role).ok_or_else(|| ServiceError::Internal("unknown role".into()))?;
                Ok(SignedIn { admin_id: admin.id, username: admin.username, role })
            }
            _ => Err(ServiceError::invalid("password", WRONG_CREDENTIALS)),
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
        let change = Change { action: "admin.create", target_kind: "admin", target_id: &record.id, target_name: &username };
        let after = AdminAudit { username: &username, role: role.as_str() };
        tx.append_audit(&event(actor, change, None::<&AdminAudit>, Some(&after), now)).await?;
        tx.commit().await?;
        Ok(())
    }
}
