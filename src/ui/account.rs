//! The signed-in administrator's own password: chosen at first sign-in, changed at will.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::forms::{ErrorText, PageField, Here};
use crate::api::session::ChangePassword;
use crate::domain::admins::MIN_PASSWORD_CHARS;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).or_else(|| Here::typed("change_password", "next")).unwrap_or_default();
    let forced = move || query.with(|q| q.get("next").is_some());
    view! {
        <Title text="Your password · CIM" />
        <section class="signin">
            <h1>"Choose your password"</h1>
            <Show when=forced>
                <p class="hint">"You signed in with a one-time password. Choose your own before you continue."</p>
            </Show>
            <p class="hint">{format!("At least {MIN_PASSWORD_CHARS} characters. Every other session of yours is signed out.")}</p>
            <ActionForm action=change>
                <PageField />
                <input type="hidden" name="next" value=next />
                <input type="text" name="username" autocomplete="username" hidden />
                <label>"Current password" <input type="password" name="current" autocomplete="current-password" required />
                    <ErrorText form="change_password" field="current" /></label>
                <label>"New password" <input type="password" name="password" autocomplete="new-password" required minlength=MIN_PASSWORD_CHARS.to_string() />
                    <ErrorText form="change_password" field="password" /></label>
                <label>"New password again" <input type="password" name="confirm" autocomplete="new-password" required />
                    <ErrorText form="change_password" field="confirm" /></label>
                <ErrorText form="change_password" />
                <button type="submit">"Save password"</button>
            </ActionForm>
        </section>
    }
}
