use leptos::prelude::*;

use super::error::AppError;
use crate::domain::credentials::{CredentialView, HeldSummary, IssuedCredential};

#[server(endpoint = "credentials/page")]
pub async fn credentials_page() -> Result<Vec<CredentialView>, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.list_scim_credentials(&actor).await }).await
}

#[server(endpoint = "credentials/one")]
pub async fn credential_page(id: String) -> Result<CredentialView, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.get_scim_credential(&actor, &id).await }).await
}

/// A provisioning policy as its form fields send it: `owns[]` lists the ticked fields, and
/// `brake_on` is present only when ticked.
#[cfg(feature = "ssr")]
struct PolicyForm {
    access: Option<String>,
    owns: Option<Vec<String>>,
    on_delete: Option<String>,
    brake_on: Option<String>,
    brake_count: Option<String>,
    brake_percent: Option<String>,
}

#[cfg(feature = "ssr")]
impl PolicyForm {
    /// The policy the form describes. A call without its fields (a script) gets the default
    /// policy; the form always sends `access`, and `owns[]` with an empty first value, so
    /// nothing ticked reads as "owns nothing", not as absent.
    fn policy(&self) -> Result<crate::domain::credentials::ProvisioningPolicy, AppError> {
        use crate::domain::credentials::{AccessPolicy, Brake, DeleteMode, OwnedField, ProvisioningPolicy};
        let Some(access) = &self.access else { return Ok(ProvisioningPolicy::default()) };
        let number = |field: &str, label: &str, text: &Option<String>| {
            text.as_deref().unwrap_or_default().trim().parse::<i64>().map_err(|_| AppError::invalid(field, format!("{label} must be a whole number.")))
        };
        Ok(ProvisioningPolicy {
            access: AccessPolicy::parse(access).ok_or_else(|| AppError::invalid("access", "Choose who owns workspace access."))?,
            owned: OwnedField::parse_list(&self.owns.clone().unwrap_or_default().join(",")),
            on_delete: DeleteMode::parse(self.on_delete.as_deref().unwrap_or_default())
                .ok_or_else(|| AppError::invalid("on_delete", "Choose what a DELETE does."))?,
            brake: Brake {
                on: self.brake_on.is_some(),
                count: number("brake_count", "The user count", &self.brake_count)?,
                percent: number("brake_percent", "The share of active users", &self.brake_percent)?,
            },
        })
    }
}

/// Issues a credential and hands its secret back this once: a plain form post (the console's
/// way) is answered with the credentials page showing it; a scripted call gets it in the
/// response. It is kept nowhere else.
#[server(endpoint = "credentials/issue")]
#[allow(clippy::too_many_arguments)]
pub async fn issue_credential(
    name: String,
    kind: String,
    access: Option<String>,
    owns: Option<Vec<String>>,
    on_delete: Option<String>,
    brake_on: Option<String>,
    brake_count: Option<String>,
    brake_percent: Option<String>,
) -> Result<Option<IssuedCredential>, AppError> {
    use super::ctx;
    use super::forms::FormReply;
    use crate::domain::credentials::CredentialKind;
    let result = async {
        let kind = CredentialKind::parse(&kind).ok_or_else(|| AppError::invalid("kind", "Choose bearer token or basic."))?;
        let policy = PolicyForm { access, owns, on_delete, brake_on, brake_count, brake_percent }.policy()?;
        let issued = ctx::with_actor(|services, actor| async move { services.issue_scim_credential(&actor, &name, kind, &policy).await }).await?;
        if ctx::is_plain_form() {
            ctx::answer_page(FormReply::Issued(issued));
            Ok(None)
        } else {
            Ok(Some(issued))
        }
    }
    .await;
    ctx::finish("issue_credential", result, None)
}

#[server(endpoint = "credentials/policy")]
#[allow(clippy::too_many_arguments)]
pub async fn save_policy(
    id: String,
    access: Option<String>,
    owns: Option<Vec<String>>,
    on_delete: Option<String>,
    brake_on: Option<String>,
    brake_count: Option<String>,
    brake_percent: Option<String>,
) -> Result<CredentialView, AppError> {
    use super::ctx;
    let result = async {
        let policy = PolicyForm { access, owns, on_delete, brake_on, brake_count, brake_percent }.policy()?;
        ctx::with_actor(|services, actor| async move { services.set_credential_policy(&actor, &id, &policy).await }).await
    }
    .await;
    ctx::finish("save_policy", result, None)
}

#[server(endpoint = "credentials/revoke")]
pub async fn revoke_credential(id: String) -> Result<(), AppError> {
    use super::ctx;
    let result = ctx::with_actor(|services, actor| async move { services.revoke_scim_credential(&actor, &id).await }).await;
    ctx::finish("revoke_credential", result, Some("/credentials".into()))
}

/// What the mass-deactivation brake holds, per credential (empty for auditors).
#[server(endpoint = "brake/held")]
pub async fn held_changes() -> Result<Vec<HeldSummary>, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.held_changes(&actor).await }).await
}

/// A security admin's decision on what the brake holds, up to `last_id` (what the page showed):
/// `allow` applies it, anything else keeps it blocked. Answered with the page it was made on.
#[server(endpoint = "brake/decide")]
pub async fn decide_held(credential_id: String, last_id: i64, decision: String) -> Result<usize, AppError> {
    use super::ctx;
    let result = ctx::with_actor(|services, actor| async move {
        if decision == "allow" {
            services.allow_held(&actor, &credential_id, last_id).await
        } else {
            services.keep_blocked(&actor, &credential_id, last_id).await
        }
    })
    .await;
    ctx::finish("decide_held", result, None)
}
