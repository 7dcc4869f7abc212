use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::audit::{actions, event, Change};
use super::{Actor, ActorKind, Door, ServiceError, ServiceResult, Services};
use crate::auth::secrets::{new_id, random_secret};
use crate::domain::admins::Role;
use super::users::policy_of;
use crate::domain::credentials::{CredentialKind, CredentialView, IssuedCredential, OwnedField, ProvisioningPolicy};
use crate::domain::text::required_field;
use crate::storage::{CredentialRecord, StoreError};

/// What a SCIM request presented in its Authorization header.
pub enum Presented {
    Bearer(String),
    Basic { username: String, password: String },
}

/// How stale `last_used` may get before a request records a new time, so a busy client does
/// not turn every read into a write.
const LAST_USED_GRANULARITY_MS: i64 = 60_000;

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn view(r: CredentialRecord) -> CredentialView {
    let policy = policy_of(&r);
    CredentialView {
        policy,
        brake_tripped_at: r.brake_tripped_at,
        brake_allowed_until: r.brake_allowed_until,
        id: r.id,
        name: r.name,
        kind: CredentialKind::parse(&r.kind).unwrap_or(CredentialKind::Bearer),
        username: r.username,
        created: r.created,
        created_by: r.created_by,
        last_used: r.last_used,
        revoked: r.revoked,
        errors_24h: 0,
    }
}

#[derive(Serialize)]
struct CredentialAudit<'a> {
    name: &'a str,
    kind: &'a str,
    username: Option<&'a str>,
    revoked: bool,
}

/// A policy as the audit trail records it: one readable value per setting.
fn policy_audit(p: &ProvisioningPolicy) -> serde_json::Value {
    serde_json::json!({
        "workspace_access": p.access.label(),
        "owned_fields": p.owned.iter().map(|f| f.label()).collect::<Vec<_>>().join(", "),
        "on_delete": p.on_delete.as_str(),
        "brake": if p.brake.on { format!("more than {} users or {}% of active users an hour", p.brake.count, p.brake.percent) } else { "off".into() },
    })
}

/// Writes a policy's settings into a credential record.
fn set_policy(record: &mut CredentialRecord, policy: &ProvisioningPolicy) {
    record.access_policy = policy.access.as_str().into();
    record.owned_fields = OwnedField::join(&policy.owned);
    record.on_delete = policy.on_delete.as_str().into();
    record.brake_on = policy.brake.on;
    record.brake_count = policy.brake.count;
    record.brake_percent = policy.brake.percent;
}

impl Services {
    pub async fn list_scim_credentials(&self, _actor: &Actor) -> ServiceResult<Vec<CredentialView>> {
        let errors = self.credential_errors_today().await?;
        let mut views: Vec<CredentialView> = self.store.list_credentials().await?.into_iter().map(view).collect();
        for v in &mut views {
            v.errors_24h = errors.get(&v.id).copied().unwrap_or(0);
        }
        Ok(views)
    }

    /// Issues a credential; its secret is returned this once and stored only as a hash.
    pub async fn issue_scim_credential(&self, actor: &Actor, name: &str, kind: CredentialKind, policy: &ProvisioningPolicy) -> ServiceResult<IssuedCredential> {
        actor.require_write()?;
        let name = required_field("name", "Name", name, 100)?;
        policy.validate()?;
        let secret = format!("cim_{}", random_secret(32));
        let now = self.now();
        let id = new_id();
        let username = (kind == CredentialKind::Basic).then(|| format!("scim-{}", &id[..8]));
        let mut record = CredentialRecord {
            id: id.clone(),
            name: name.clone(),
            kind: kind.as_str().into(),
            username: username.clone(),
            secret_hash: hash_secret(&secret),
            created: now,
            created_by: actor.name.clone(),
            last_used: None,
            revoked: None,
            access_policy: String::new(),
            owned_fields: String::new(),
            on_delete: String::new(),
            brake_on: true,
            brake_count: 0,
            brake_percent: 0,
            brake_tripped_at: None,
            brake_allowed_until: None,
        };
        set_policy(&mut record, policy);
        let mut tx = self.store.write().await?;
        tx.insert_credential(&record).await.map_err(|e| match e {
            StoreError::Duplicate => ServiceError::conflict("name", format!("A credential named {name} already exists.")),
            other => other.into(),
        })?;
        let mut after = serde_json::to_value(CredentialAudit { name: &name, kind: kind.as_str(), username: username.as_deref(), revoked: false })
            .unwrap_or_default();
        if let (Some(map), serde_json::Value::Object(policy)) = (after.as_object_mut(), policy_audit(policy)) {
            map.extend(policy);
        }
        let change = Change { action: actions::CREDENTIAL_ISSUE, target_kind: "scim_credential", target_id: &id, target_name: &name };
        tx.append_audit(&event(actor, change, None::<&()>, Some(&after), now)).await?;
        tx.commit().await?;
        Ok(IssuedCredential { credential: view(record), secret })
    }

    pub async fn revoke_scim_credential(&self, actor: &Actor, id: &str) -> ServiceResult<()> {
        actor.require_write()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let record = tx
            .get_credential(id)
            .await?
            .ok_or_else(|| ServiceError::NotFound { kind: "credential", id: id.to_string() })?;
        if record.revoked.is_some() {
            // Revoked elsewhere (another instance, the command line): stop trusting it here now.
            self.verified.forget_all();
            return Ok(());
        }
        tx.revoke_credential(id, now).await?;
        let state = |revoked| CredentialAudit { name: &record.name, kind: &record.kind, username: record.username.as_deref(), revoked };
        let change = Change { action: actions::CREDENTIAL_REVOKE, target_kind: "scim_credential", target_id: id, target_name: &record.name };
        tx.append_audit(&event(actor, change, Some(&state(false)), Some(&state(true)), now)).await?;
        tx.commit().await?;
        self.verified.forget_all();
        Ok(())
    }

    /// Changes what a credential's identity provider owns, how its DELETE acts, and its brake.
    pub async fn set_credential_policy(&self, actor: &Actor, id: &str, policy: &ProvisioningPolicy) -> ServiceResult<CredentialView> {
        actor.require_write()?;
        policy.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut record = tx.lock_credential(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "credential", id: id.to_string() })?;
        let before = policy_of(&record);
        if before == *policy {
            return Ok(view(record));
        }
        set_policy(&mut record, policy);
        tx.update_credential_policy(&record).await?;
        if !policy.brake.on && record.brake_tripped_at.is_some() {
            // Off means off: nothing is held from now on (what is held stays for a decision).
            tx.set_brake_state(id, None, None).await?;
            record.brake_tripped_at = None;
        }
        let change = Change { action: actions::CREDENTIAL_POLICY, target_kind: "scim_credential", target_id: id, target_name: &record.name };
        let (b, a) = (policy_audit(&before), policy_audit(policy));
        let differs = |v: &serde_json::Value, other: &serde_json::Value| -> serde_json::Map<String, serde_json::Value> {
            v.as_object().into_iter().flatten().filter(|(k, x)| other.get(k.as_str()) != Some(x)).map(|(k, x)| (k.clone(), x.clone())).collect()
        };
        tx.append_audit(&event(actor, change, Some(&differs(&b, &a)), Some(&differs(&a, &b)), now)).await?;
        tx.commit().await?;
        self.verified.forget_all();
        Ok(view(record))
    }

    pub async fn get_scim_credential(&self, _actor: &Actor, id: &str) -> ServiceResult<CredentialView> {
        let record = self.store.get_credential(id).await?.ok_or_else(|| ServiceError::NotFound { kind: "credential", id: id.to_string() })?;
        Ok(view(record))
    }

    /// The actor for a SCIM request's credential. Every failure is the same `Unauthenticated`.
    /// A credential verified within the last second is not looked up again (see `verified`).
    pub async fn scim_actor(&self, presented: Presented, request_id: String) -> ServiceResult<Actor> {
        let (key, secret_hash) = match &presented {
            Presented::Bearer(token) => {
                let hash = hash_secret(token);
                (hash.clone(), hash)
            }
            // The hash has a fixed length, so no other username and password make this key.
            Presented::Basic { username, password } => {
                let hash = hash_secret(password);
                (format!("{username}\n{hash}"), hash)
            }
        };
        let record = match self.verified.get(&key) {
            Some(record) => record,
            None => {
                let lookup = self.verified.start_lookup();
                let record = match &presented {
                    Presented::Bearer(_) => self.store.credential_by_hash(&secret_hash).await?,
                    Presented::Basic { username, .. } => self.store.credential_by_username(username).await?,
                };
                let live = record.filter(|r| {
                    let matches: bool = secret_hash.as_bytes().ct_eq(r.secret_hash.as_bytes()).into();
                    matches && r.revoked.is_none()
                });
                let Some(record) = live.map(std::sync::Arc::new) else {
                    return Err(ServiceError::Unauthenticated);
                };
                self.verified.remember(key.clone(), &record, lookup);
                record
            }
        };
        let now = self.now();
        if record.last_used.is_none_or(|t| now - t >= LAST_USED_GRANULARITY_MS) {
            self.store.touch_credential(&record.id, now).await?;
            self.verified.used(&key, now);
        }
        Ok(credential_actor(&record, request_id))
    }
}

/// The actor a credential's requests (and its held changes, once released) act as.
pub(crate) fn credential_actor(record: &CredentialRecord, request_id: String) -> Actor {
    Actor {
        kind: ActorKind::ScimCredential,
        id: record.id.clone(),
        name: record.name.clone(),
        role: Role::SecurityAdmin,
        door: Door::Scim,
        request_id,
        must_change_password: false,
        policy: Some(policy_of(record)),
        batch: None,
    }
}
