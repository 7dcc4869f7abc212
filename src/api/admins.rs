use leptos::prelude::*;

use super::error::AppError;
use crate::domain::admins::{AdminSummary, OneTimePassword};

#[server(endpoint = "admins/page")]
pub async fn admins_page() -> Result<Vec<AdminSummary>, AppError> {
    use super::ctx;
    ctx::read(|services, actor| async move { services.list_admins(&actor).await }).await
}

/// Hands a one-time password back this once: in the answered page for a plain form post (the
/// console's way), in the response to a scripted call.
#[cfg(feature = "ssr")]
fn one_time(password: OneTimePassword) -> Option<OneTimePassword> {
    use super::ctx;
    use super::forms::FormReply;
    if ctx::is_plain_form() {
        ctx::answer_page(FormReply::OneTimePassword(password));
        None
    } else {
        Some(password)
    }
}

/// Creates an administrator with a one-time password, to be replaced at first sign-in.
#[server(endpoint = "admins/create")]
pub async fn create_admin(username: String, role: String) -> Result<Option<OneTimePassword>, AppError> {
    use super::ctx;
    use crate::domain::admins::Role;
    let result = async {
        let role = Role::parse(&role).ok_or_else(|| AppError::invalid("role", "Choose a role."))?;
        let created = ctx::with_actor(|services, actor| async move {
            services.create_admin_with_one_time_password(&actor, &username, role).await
        })
        .await?;
        Ok(one_time(created))
    }
    .await;
    ctx::finish("create_admin", result, None)
}

/// One change to another administrator: `op` is `role` (with `role`), `disable`, `enable` or
/// `reset` (a new one-time password).
#[server(endpoint = "admins/change")]
pub async fn change_admin(id: String, op: String, role: Option<String>) -> Result<Option<OneTimePassword>, AppError> {
    use super::ctx;
    use crate::domain::admins::Role;
    use crate::service::AdminChange;
    let result = async {
        let change = match op.as_str() {
            "role" => AdminChange {
                role: Some(role.as_deref().and_then(Role::parse).ok_or_else(|| AppError::invalid("role", "Choose a role."))?),
                ..Default::default()
            },
            "disable" => AdminChange { disabled: Some(true), ..Default::default() },
            "enable" => AdminChange { disabled: Some(false), ..Default::default() },
            "reset" => AdminChange { reset_password: true, ..Default::default() },
            _ => return Err(AppError::invalid("", "Unknown change.")),
        };
        let password = ctx::with_actor(|services, actor| async move { services.change_admin(&actor, &id, &change).await }).await?;
        Ok(password.and_then(one_time))
    }
    .await;
    ctx::finish("change_admin", result, None)
}
