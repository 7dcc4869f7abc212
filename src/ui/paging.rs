use leptos::prelude::*;
use leptos_router::components::A;

use crate::domain::paging::PAGE_SIZE;
use crate::domain::text::query_string;

/// First / previous / next links for a keyset-paged list. `base` holds the list's other query
/// pairs; `first` is where this page starts among all matches (1-based), for lists that count.
#[component]
pub fn PagerLinks(
    path: String,
    base: Vec<(&'static str, String)>,
    prev: Option<String>,
    next: Option<String>,
    #[prop(optional)] first: Option<i64>,
    #[prop(optional)] shown: usize,
    #[prop(optional)] label: &'static str,
) -> impl IntoView {
    let link = move |extra: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = base.iter().chain(extra.iter()).map(|(k, v)| (*k, v.as_str())).collect();
        let query = query_string(&pairs);
        if query.is_empty() { path.clone() } else { format!("{path}?{query}") }
    };
    let at = |n: i64| first.map(|_| ("at", n.max(1).to_string()));
    let start = first.unwrap_or(1);
    let first_href = prev.is_some().then(|| link(Vec::new()));
    let prev_href = prev.map(|c| link([Some(("before", c)), at(start - PAGE_SIZE as i64)].into_iter().flatten().collect()));
    let next_href = next.map(|c| link([Some(("after", c)), at(start + shown as i64)].into_iter().flatten().collect()));
    let label = if label.is_empty() { "Pages" } else { label };
    view! {
        <nav class="pager" aria-label=label>
            {first_href.map(|href| view! { <A href=href>"« First"</A> })}
            {prev_href.map(|href| view! { <A href=href attr:rel="prev">"‹ Previous"</A> })}
            {next_href.map(|href| view! { <A href=href attr:rel="next">"Next ›"</A> })}
        </nav>
    }
}
