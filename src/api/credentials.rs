use leptos::prelude::*;

use super::error::AppError;
use crate::domain::credentials::{CredentialView, IssuedCredential};

#[server(endpoint = "credentials/page")]
pub async fn credentials_page() -> Result<Vec<CredentialView>, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.list_scim_credentials(&actor).await }).await
}

/// Issues a credential and hands its secret back this once. Hydrated, it is in the response; a
/// plain form post is answered with the credentials page showing it. It is kept nowhere else.
#[server(endpoint = "credentials/issue")]
pub async fn issue_credential(name: String, kind: String) -> Result<Option<IssuedCredential>, AppError> {
    use super::ctx;
    use super::forms::FormReply;
    use crate::domain::credentials::CredentialKind;
    let result = async {
        let kind = CredentialKind::parse(&kind).ok_or_else(|| AppError::invalid("kind", "Choose bearer token or basic."))?;
        let issued = ctx::with_actor(|services, actor| async move { services.issue_scim_credential(&actor, &name, kind).await }).await?;
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

#[server(endpoint = "credentials/revoke")]
pub async fn revoke_credential(id: String) -> Result<(), AppError> {
    use super::ctx;
    let result = ctx::with_actor(|services, actor| async move { services.revoke_scim_credential(&actor, &id).await }).await;
    ctx::finish("revoke_credential", result, Some("/credentials".into()))
}
