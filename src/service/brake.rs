//! The brake on mass deactivation: a credential that deactivates or deletes more users within
//! an hour than its policy allows has further deactivations and deletions held until a
//! security admin allows them (or keeps them blocked). Everything else it sends still works.

use serde_json::json;

use super::audit::{actions, event, Change};
use super::credentials::credential_actor;
use super::{Actor, ActorKind, ServiceError, ServiceResult, Services, UserChange};
use crate::domain::credentials::{Brake, HeldSummary, BRAKE_WINDOW_MS};
use crate::domain::users::User;
use crate::storage::WriteTx;

/// What the brake holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deactivate,
    Delete,
}

impl Removal {
    fn as_str(self) -> &'static str {
        match self {
            Removal::Deactivate => "deactivate",
            Removal::Delete => "delete",
        }
    }
}

impl Services {
    /// Lets one deactivation or deletion by `actor` through (counting it), or holds it: then
    /// the hold is recorded in `tx`, which the caller commits without the change, and the
    /// error to answer with is returned. Only SCIM credentials are braked.
    pub(crate) async fn brake(&self, tx: &mut WriteTx, actor: &Actor, user: &User, removal: Removal) -> ServiceResult<Option<ServiceError>> {
        if actor.kind != ActorKind::ScimCredential {
            return Ok(None);
        }
        let now = self.now();
        let since = now - BRAKE_WINDOW_MS;
        let Some(credential) = tx.lock_credential(&actor.id).await? else { return Ok(None) };
        let brake = Brake { on: credential.brake_on, count: credential.brake_count, percent: credential.brake_percent };
        if !brake.on {
            return Ok(None);
        }
        let allowed = credential.brake_allowed_until.is_some_and(|until| until > now);
        let tripped = !allowed
            && (credential.brake_tripped_at.is_some() || {
                let recent = tx.count_removals(&actor.id, since).await?;
                // The active-user count costs a scan: only asked once the fixed count is reached.
                recent >= brake.count && recent >= brake.limit(tx.count_active_users().await?)
            });
        if !tripped {
            tx.record_removal(&actor.id, now, since).await?;
            return Ok(None);
        }
        if credential.brake_tripped_at.is_none() {
            tx.set_brake_state(&actor.id, Some(now), None).await?;
        }
        if tx.hold_change(&actor.id, &user.id, &user.user_name, removal.as_str(), now, &actor.request_id).await? {
            let change = Change { action: actions::BRAKE_HOLD, target_kind: "user", target_id: &user.id, target_name: &user.user_name };
            let after = json!({"held": removal.as_str(), "credential": credential.name});
            tx.append_audit(&event(actor, change, None::<&()>, Some(&after), now)).await?;
        }
        let held = tx.count_held(&actor.id).await?;
        Ok(Some(ServiceError::Held { credential: credential.name, held }))
    }

    /// Per credential, what the brake holds; only security admins decide, so only they see it.
    pub async fn held_changes(&self, actor: &Actor) -> ServiceResult<Vec<HeldSummary>> {
        if !actor.role.can_write() {
            return Ok(Vec::new());
        }
        let rows = self.store.held_counts().await?;
        Ok(rows
            .into_iter()
            .map(|r| HeldSummary { credential_id: r.credential_id, credential_name: r.credential_name, held: r.held, last_id: r.last_id })
            .collect())
    }

    /// "Allow": lets the credential deactivate and delete for the next hour and applies what the
    /// brake held for it, up to `last_id` (what the admin was shown). The decision is one
    /// audited write; each held change is then applied as the credential's own write and marked
    /// applied only once it is. One whose user changed after it was held (the identity provider
    /// re-activated them, say) is not applied but marked superseded; one that fails stays held.
    /// Returns how many were applied.
    pub async fn allow_held(&self, actor: &Actor, credential_id: &str, last_id: i64) -> ServiceResult<usize> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let credential = tx.lock_credential(credential_id).await?.ok_or_else(|| ServiceError::NotFound { kind: "credential", id: credential_id.into() })?;
        tx.set_brake_state(credential_id, None, Some(now + BRAKE_WINDOW_MS)).await?;
        let held = tx.held_up_to(credential_id, last_id).await?;
        let change = Change { action: actions::BRAKE_ALLOW, target_kind: "scim_credential", target_id: credential_id, target_name: &credential.name };
        let after = json!({"allowed_until": now + BRAKE_WINDOW_MS, "released": listed(&held)});
        tx.append_audit(&event(actor, change, None::<&()>, Some(&after), now)).await?;
        tx.commit().await?;
        let requester = credential_actor(&credential, actor.request_id.clone());
        let mut applied = 0;
        for h in &held {
            let outcome = match self.store.get_user(&h.user_id).await? {
                Some(user) if user.last_modified <= h.requested_at => {
                    let done = if h.kind == Removal::Delete.as_str() {
                        self.delete_user(&requester, &h.user_id, Some(user.version)).await
                    } else {
                        self.change_user_to(&requester, &h.user_id, Some(user.version), UserChange::deprovision()).await.map(|_| ())
                    };
                    match done {
                        Ok(()) => "applied",
                        Err(ServiceError::NotFound { .. } | ServiceError::Stale { .. }) => "superseded",
                        Err(err) => {
                            tracing::warn!(user = %h.user_id, error = %err, "a released change could not be applied; it stays held");
                            continue;
                        }
                    }
                }
                _ => "superseded",
            };
            let mut tx = self.store.write().await?;
            if tx.settle_held(&[h.id], outcome, &actor.name, self.now()).await? == 1 && outcome == "applied" {
                applied += 1;
            }
            tx.commit().await?;
        }
        Ok(applied)
    }

    /// "Keep blocked": the held changes (up to `last_id`) are not applied, and the credential
    /// stays braked. Returns how many were discarded.
    pub async fn keep_blocked(&self, actor: &Actor, credential_id: &str, last_id: i64) -> ServiceResult<usize> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let credential = tx.lock_credential(credential_id).await?.ok_or_else(|| ServiceError::NotFound { kind: "credential", id: credential_id.into() })?;
        let held = tx.held_up_to(credential_id, last_id).await?;
        let ids: Vec<i64> = held.iter().map(|h| h.id).collect();
        tx.settle_held(&ids, "rejected", &actor.name, now).await?;
        let change = Change { action: actions::BRAKE_BLOCK, target_kind: "scim_credential", target_id: credential_id, target_name: &credential.name };
        tx.append_audit(&event(actor, change, None::<&()>, Some(&json!({"rejected": listed(&held)})), now)).await?;
        tx.commit().await?;
        Ok(held.len())
    }
}

/// Held changes as the audit trail lists them.
fn listed(held: &[crate::storage::HeldChangeRow]) -> Vec<serde_json::Value> {
    held.iter().map(|h| json!({"id": h.user_id, "user_name": h.user_name, "change": h.kind})).collect()
}
