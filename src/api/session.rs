use leptos::prelude::*;

use crate::api::error::AppError;
use crate::domain::admins::AdminView;

/// Signs in; on success goes to `next` (a path on this site) or the users page, by way of the
/// password page when the admin signed in with a one-time password.
#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::ctx;
    let result = ctx::sign_in(&username, &password).await;
    let next = next.filter(|n| crate::domain::text::is_local_path(n)).unwrap_or_else(|| "/".into());
    let target = match result {
        Ok(true) => crate::domain::text::with_query_value("/account/password", "next", &next),
        _ => next,
    };
    ctx::finish("login", result.map(|_| ()), Some(target))
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
    match ctx::signed_in().await {
        Ok((_, actor)) => Ok(Some(AdminView { username: actor.name, role: actor.role, must_change_password: actor.must_change_password })),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Changes the signed-in administrator's own password (required after a one-time password);
/// this session stays signed in, every other session of theirs ends.
#[server(endpoint = "account/password")]
pub async fn change_password(current: String, password: String, confirm: String, next: Option<String>) -> Result<(), AppError> {
    use super::ctx;
    let result = async {
        if password != confirm {
            return Err(AppError::invalid("confirm", "The two new passwords differ."));
        }
        let (services, actor) = ctx::signed_in().await?;
        let mark = services.change_own_password(&actor, &current, &password).await.map_err(ctx::app_error)?;
        ctx::remember_password(mark).await
    }
    .await;
    let next = next.filter(|n| crate::domain::text::is_local_path(n) && !n.starts_with("/account/password")).unwrap_or_else(|| "/".into());
    ctx::finish("change_password", result, Some(next))
}
