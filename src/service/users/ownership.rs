//! Who owns what of a user: an identity provider's changes are shaped by its credential's
//! policy before they are planned, and the console's changes to what an identity provider owns
//! are refused unless the administrator chose "change anyway".

use super::super::{Actor, ActorKind, ServiceError, ServiceResult, Services};
use super::change::{AccessChange, Intent, Plan, ProfileUpdate, UserChange};
use super::UserWithAccess;
use crate::domain::credentials::{AccessPolicy, Management, OwnedField, OwnedPart, ProvisioningPolicy};
use crate::domain::users::User;
use crate::storage::CredentialRecord;

/// What an identity provider's change may do: fields it does not own keep their stored values,
/// and its workspace entitlements count as far as the policy says.
pub(super) fn shape(policy: &ProvisioningPolicy, current: &User, mut change: UserChange) -> UserChange {
    if let Some(ProfileUpdate::Whole { input, emails, .. }) = &mut change.profile {
        if !policy.owns(OwnedField::UserName) {
            input.user_name = current.user_name.clone();
        }
        if !policy.owns(OwnedField::ExternalId) {
            input.external_id = current.external_id.clone().unwrap_or_default();
        }
        if !policy.owns(OwnedField::Names) {
            input.given_name = current.given_name.clone();
            input.family_name = current.family_name.clone();
            input.display_name = current.display_name.clone();
        }
        if !policy.owns(OwnedField::Email) {
            *emails = current.emails.clone();
        }
    }
    // A DELETE that deactivates is the identity provider's deprovisioning, whoever owns `active`.
    if !policy.owns(OwnedField::Active) && change.intent != Intent::Deprovision {
        change.active = None;
    }
    change.access = shape_access(policy.access, std::mem::take(&mut change.access));
    change
}

/// Workspace access an identity provider sends, as its policy lets it count.
pub(crate) fn shape_access(policy: AccessPolicy, access: AccessChange) -> AccessChange {
    let (grant, revoke, exactly) = policy.shape(access.grant, access.revoke, access.exactly);
    AccessChange { grant, revoke, exactly }
}

pub(crate) fn policy_of(record: &CredentialRecord) -> ProvisioningPolicy {
    use crate::domain::credentials::{Brake, DeleteMode};
    ProvisioningPolicy {
        access: AccessPolicy::parse(&record.access_policy).unwrap_or_default(),
        owned: OwnedField::parse_list(&record.owned_fields),
        on_delete: DeleteMode::parse(&record.on_delete).unwrap_or_default(),
        brake: Brake { on: record.brake_on, count: record.brake_count, percent: record.brake_percent },
    }
}

impl Services {
    /// What the identity provider that provisions `user` owns of it; None when no live
    /// credential does.
    pub async fn management_of(&self, user: &User) -> ServiceResult<Option<Management>> {
        match &user.managed_by {
            Some(id) => self.management_by(id).await,
            None => Ok(None),
        }
    }

    /// What the credential `id` owns of the users it provisions; None once it is revoked.
    pub(crate) async fn management_by(&self, id: &str) -> ServiceResult<Option<Management>> {
        let Some(record) = self.store.get_credential(id).await? else { return Ok(None) };
        if record.revoked.is_some() {
            return Ok(None);
        }
        let policy = policy_of(&record);
        Ok(Some(Management {
            credential_id: record.id,
            credential_name: record.name,
            owns_access: policy.access == AccessPolicy::Provider,
            owned: policy.owned,
        }))
    }

    /// Refuses a console change to what an identity provider owns, unless it is an explicit
    /// override; returns the name of the overridden provider for the audit trail.
    pub(super) async fn check_managed(&self, actor: &Actor, current: &UserWithAccess, plan: &Plan, intent: Intent) -> ServiceResult<Option<String>> {
        if actor.kind == ActorKind::ScimCredential {
            return Ok(None);
        }
        let Some(managed) = self.management_of(&current.user).await? else { return Ok(None) };
        let Some(part) = managed.owned_part(&plan.fields, !(plan.grant.is_empty() && plan.revoke.is_empty())) else {
            return Ok(None);
        };
        if intent == Intent::Override {
            return Ok(Some(managed.credential_name));
        }
        let (field, what) = match part {
            OwnedPart::Field("active") => ("active", "The status"),
            OwnedPart::Field(f) => (f, "This field"),
            OwnedPart::Access => ("access", "Workspace access"),
        };
        Err(ServiceError::conflict(
            field,
            format!(
                "{what} is managed by {}: its next push may overwrite a change made here. Choose \u{201c}Change anyway\u{201d} to change it regardless.",
                managed.credential_name
            ),
        ))
    }
}
