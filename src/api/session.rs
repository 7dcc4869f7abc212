use leptos::prelude::*;

use crate::domain::admins::AdminView;
use crate::api::error::AppError;

/// Signs in; on success goes to `next` (a path on this site) or the users page.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::ctx;
    let result = ctx::sign_in(&username, &password).await;
    let target = next.filter(|n| crate::domain::text::is_local_path(n)).unwrap_or_else(|| "/users".into());
    ctx::finish("login", result, Some(target))
}

#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use super::ctx;
    let result = ctx::sign_out().await;
    ctx::finish("logout", result, Some("/login".into()))
}

/// The signed-in administrator, or None.
#[server(endpoint = "current_admin")]
pub async fn current_admin() -> Result<Option<AdminView>, AppError> {
    use super::ctx;
    match ctx::actor().await {
        Ok((_, actor)) => Ok(Some(AdminView { username: actor.name, role: actor.role })),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(other) => Err(other),
    }
}
