use leptos::prelude::*;

use crate::domain::credentials::{CredentialView, IssuedCredential};
use crate::domain::AppError;

/// The SCIM credentials page: every credential, and the one just issued (its secret shown this
/// once: it is taken out of the session as it is read).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CredentialsData {
    pub credentials: Vec<CredentialView>,
    pub just_issued: Option<IssuedCredential>,
}

#[server(endpoint = "credentials/page")]
pub async fn credentials_page() -> Result<CredentialsData, AppError> {
    use crate::server::console;
    let (services, actor) = console::actor().await?;
    let credentials = services.list_scim_credentials(&actor).await.map_err(console::app_error)?;
    let just_issued = console::take_issued_secret().await?;
    Ok(CredentialsData { credentials, just_issued })
}

/// Issues a credential. Hydrated, the secret comes back in the response; a plain form post is
/// redirected, so the secret waits in the session until the page shows it once.
#[server(endpoint = "credentials/issue")]
pub async fn issue_credential(name: String, kind: String) -> Result<Option<IssuedCredential>, AppError> {
    use crate::domain::credentials::CredentialKind;
    use crate::server::console;
    let result = async {
        let kind = CredentialKind::parse(&kind).ok_or_else(|| AppError::invalid("kind", "Choose bearer token or basic."))?;
        let issued = console::with_actor(|services, actor| async move { services.issue_scim_credential(&actor, &name, kind).await }).await?;
        if console::is_plain_form() {
            console::keep_issued_secret(issued).await?;
            Ok(None)
        } else {
            Ok(Some(issued))
        }
    }
    .await;
    console::finish("issue_credential", result, None)
}

#[server(endpoint = "credentials/revoke")]
pub async fn revoke_credential(id: String) -> Result<(), AppError> {
    use crate::server::console;
    let result = console::with_actor(|services, actor| async move { services.revoke_scim_credential(&actor, &id).await }).await;
    console::finish("revoke_credential", result, Some("/credentials".into()))
}
