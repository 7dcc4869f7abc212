//! Console sign-in: password checks with failure counting, and who a session belongs to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use super::{Actor, ActorKind, Door, ServiceError, ServiceResult, Services};
use crate::auth::passwords::verify_password;
use crate::domain::admins::Role;
use crate::domain::text::fold_key;
use crate::storage::AdminRecord;

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
    /// Kept in the session: it stops matching when the password changes, which ends every
    /// session signed in with the old one.
    pub password_mark: String,
    pub must_change_password: bool,
}

/// A short digest of the stored password hash (itself salted): what a session remembers of the
/// password it was signed in with.
pub fn password_mark(admin: &AdminRecord) -> String {
    hex::encode(&Sha256::digest(admin.password_hash.as_bytes())[..12])
}

const DISABLED: &str = "This administrator account is disabled. Ask a security admin to enable it.";

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
                // Said only to someone who knows the password.
                if admin.disabled.is_some() {
                    return Err(ServiceError::invalid("password", DISABLED));
                }
                self.store.note_admin_sign_in(&admin.id, self.now()).await?;
                let role = role_of(&admin)?;
                let password_mark = password_mark(&admin);
                let must_change_password = admin.must_change_password;
                Ok(SignedIn { admin_id: admin.id, username: admin.username, role, password_mark, must_change_password })
            }
            _ => {
                let now = self.now();
                self.store.record_sign_in_failure(&keys, now, now - WINDOW_MS).await?;
                Err(ServiceError::invalid("password", WRONG_CREDENTIALS))
            }
        }
    }

    /// The actor for a session's admin id and password mark, or None when the session is no
    /// longer good: the admin is gone or disabled, or their password changed since.
    pub async fn admin_actor(&self, admin_id: &str, mark: &str, request_id: String) -> ServiceResult<Option<Actor>> {
        let Some(admin) = self.store.get_admin(admin_id).await? else {
            return Ok(None);
        };
        if admin.disabled.is_some() || password_mark(&admin) != mark {
            return Ok(None);
        }
        let role = role_of(&admin)?;
        let must_change_password = admin.must_change_password;
        Ok(Some(Actor { kind: ActorKind::Admin, id: admin.id, name: admin.username, role, door: Door::Console, request_id, must_change_password, policy: None, batch: None }))
    }
}

pub(super) fn role_of(admin: &AdminRecord) -> ServiceResult<Role> {
    Role::parse(&admin.role).ok_or_else(|| ServiceError::Internal(format!("unknown role {:?}", admin.role)))
}
