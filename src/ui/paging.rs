use leptos::prelude::*;
use leptos_router::components::A;

use crate::domain::text::query_string;

/// Previous / next links for a keyset-paged list; `base` holds the list's other query pairs.
#[component]
pub fn PagerLinks(path: String, base: Vec<(&'static str, String)>, prev: Option<String>, next: Option<String>) -> impl IntoView {
    let link = move |key: &'static str, cursor: String| {
        let mut pairs: Vec<(&str, &str)> = base.iter().map(|(k, v)| (*k, v.as_str())).collect();
        pairs.push((key, cursor.as_str()));
        format!("{path}?{}", query_string(&pairs))
    };
    let prev_href = prev.map(|c| link("before", c));
    let next_href = next.map(|c| link("after", c));
    view! {
        <nav class="pager" aria-label="Pages">
            {prev_href.map(|href| view! { <A href=href>"← Previous"</A> })}
            {next_href.map(|href| view! { <A href=href>"Next →"</A> })}
        </nav>
    }
}
