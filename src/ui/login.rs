use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::forms::{ErrorText, Here, PageField};
use crate::api::session::Login;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next")).or_else(|| Here::typed("login", "next")).unwrap_or_default();
    view! {
        <Title text="Sign in · CIM" />
        <section class="signin">
            <h1>"Sign in to CIM"</h1>
            <ActionForm action=login>
                <PageField />
                <input type="hidden" name="next" value=next />
                <label>"User name" <input type="text" name="username" autocomplete="username" required
                    value=Here::typed("login", "username") /></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required /></label>
                <ErrorText form="login" field="password" />
                <ErrorText form="login" />
                <button type="submit">"Sign in"</button>
            </ActionForm>
        </section>
    }
}
