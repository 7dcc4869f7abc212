//! Pieces every form uses: error messages that work with and without JavaScript, and
//! checkboxes that save as soon as they change.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::error::AppError;
use crate::api::forms::FormReply;

/// The page being shown, as the server received its request: its path and query, and the
/// answer to a plain form post (JavaScript off) it was rendered for, if any (the refusal to show
/// beside its form, or a credential issued once). The frame provides it around every page;
/// islands, which run in the browser without the router, get it as a prop and provide it again.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Here {
    /// Path and query, as the browser asked for them.
    address: String,
    query: Vec<(String, String)>,
    reply: Option<FormReply>,
}

impl Here {
    /// Called once, inside the router, around every page.
    pub fn provide() {
        let location = use_location();
        let (path, search) = (location.pathname.get_untracked(), location.search.get_untracked());
        let address = if search.is_empty() { path } else { format!("{path}?{}", search.trim_start_matches('?')) };
        let query = use_query_map().with_untracked(|q| q.clone().into_iter().map(|(k, v)| (k.into_owned(), v)).collect());
        provide_context(Here { address, query, reply: use_context::<FormReply>() });
    }

    /// The page being shown, to hand to an island: with a refusal to show, but never a secret
    /// (an issued credential or a one-time password), which island props would put in the
    /// page's markup whether shown or not.
    pub fn for_island() -> Here {
        let mut here = Here::get();
        here.reply = here.reply.filter(|r| matches!(r, FormReply::Refused { .. }));
        here
    }

    fn get() -> Here {
        use_context::<Here>().unwrap_or_default()
    }

    /// The value of `key` in the page's query.
    pub fn param(key: &str) -> Option<String> {
        use_context::<Here>()?.query.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The page's address: its path and query.
    pub fn address() -> String {
        Here::get().address
    }

    /// The answer to the plain form post this page was rendered for, if any.
    pub fn reply() -> Option<FormReply> {
        use_context::<Here>()?.reply
    }

    /// What was typed into `field` of a refused `form`, to show it again.
    pub fn typed(form: &str, field: &str) -> Option<String> {
        Here::reply().and_then(|r| r.typed(form, field).map(str::to_string))
    }
}

/// The error to show for `form` (and `field`, if given): the refusal the server answered a plain
/// form post with, or, inside an island, the last result of the form's action (`error`).
///
/// `error` must outlive the form (create it at the island's top), since forms inside a re-read
/// view are rebuilt while the action's result is still being read.
#[component]
pub fn ErrorText(
    #[prop(optional)] error: Signal<Option<AppError>>,
    #[prop(into)] form: String,
    #[prop(optional)] field: Option<&'static str>,
) -> impl IntoView {
    let answered = Here::reply().and_then(|reply| reply.refusal_of(&form).cloned());
    let message = move || {
        let err = error.get().or_else(|| answered.clone())?;
        let err_field = err.field().filter(|f| !f.is_empty());
        (err_field == field).then(|| err.to_string())
    };
    view! {
        {move || message().map(|m| view! { <span class="error" role="alert">{m}</span> })}
    }
}

/// The page a form sits on, sent with it, so that a plain form post (JavaScript off) always
/// finds its way back, even from a page that answered an earlier post (whose address is then
/// the server function's). Server functions ignore it; the server's form layer reads it.
#[component]
pub fn PageField() -> impl IntoView {
    view! { <input type="hidden" name="_page" value=Here::address() /> }
}

/// Says that a save went through: after a plain form post sent the browser back with
/// `saved=<form>` (`messages` says what to say for each form), or, inside an island, what
/// `hydrated` says after a save there. A live region that is always there, so screen readers
/// announce it and focus stays put.
#[component]
pub fn SavedNotice(
    #[prop(optional)] hydrated: RwSignal<Option<&'static str>>,
    messages: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    let form = Here::param("saved");
    let from_post = messages.iter().find(|(f, _)| Some(*f) == form.as_deref()).map(|(_, m)| *m);
    let text = move || hydrated.get().or(from_post).unwrap_or_default();
    view! { <p class="saved" role="status" aria-live="polite">{text}</p> }
}

/// True once an island runs in the browser (effects run only there), for what only works with
/// JavaScript.
pub fn hydrated() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}

/// The error of a server action's last call, as a signal (inside an island: elsewhere forms
/// are plain posts, answered with a page).
pub fn last_error<T: Clone + Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

/// Submits the form an input sits in, as its own submit button would.
pub fn submit_form_of(input: &web_sys::HtmlInputElement) {
    if let Some(form) = input.form() {
        let _ = form.request_submit();
    }
}

/// Whether a page's delete is asking (`?confirm=delete`). An island keeps it above what it
/// re-renders after a save, so the question stays as the admin left it.
pub fn asking_to_delete() -> RwSignal<bool> {
    RwSignal::new(Here::param("confirm").as_deref() == Some("delete"))
}

/// A delete that asks first, through a link to `page?confirm=delete`, so it works the same with
/// and without JavaScript. Inside an island the links ask and cancel in place (`asking`),
/// keeping what was typed elsewhere on the page, and focus moves to the question, or back to
/// the link. `children` is the confirming form.
#[component]
pub fn ConfirmDelete(
    page: String,
    what: &'static str,
    question: String,
    #[prop(optional)] error: Signal<Option<AppError>>,
    #[prop(optional)] asking: Option<RwSignal<bool>>,
    form: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let asking = asking.unwrap_or_else(asking_to_delete);
    let (question_at, link_at) = (NodeRef::<leptos::html::P>::new(), NodeRef::<leptos::html::A>::new());
    let toggle = move |ev: leptos::ev::MouseEvent| {
        // A link opened elsewhere (a new tab) is left to the browser.
        if ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key() {
            return;
        }
        ev.prevent_default();
        asking.update(|a| *a = !*a);
        request_animation_frame(move || {
            let _ = match asking.get_untracked() {
                true => question_at.get_untracked().map(|p| p.focus()),
                false => link_at.get_untracked().map(|a| a.focus()),
            };
        });
    };
    let ask = format!("{page}?confirm=delete");
    view! {
        <section aria-labelledby="danger-h" class="danger">
            <h2 id="danger-h">"Delete"</h2>
            <Show when=move || asking.get() fallback=move || view! {
                <a href=ask.clone() on:click=toggle node_ref=link_at>{format!("Delete this {what}…")}</a>
            }>
                <p tabindex="-1" node_ref=question_at>{question.clone()}</p>
                {children()}
                <a href=page.clone() on:click=toggle>"Cancel"</a>
            </Show>
            <ErrorText error form />
        </section>
    }
}
