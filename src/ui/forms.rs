//! Pieces every form uses: error messages that work with and without JavaScript, and
//! checkboxes that save as soon as they change.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_query_map};

use crate::api::error::AppError;
use crate::api::forms::FormReply;

/// The answer to a plain form post that the server rendered this page for (JavaScript off), if
/// any: the refusal to show beside its form, or a credential issued once. It reaches the browser
/// with the page, so a hydrated page shows the same; it belongs to the page it was rendered on.
#[derive(Clone, Default)]
pub struct PageReply {
    path: String,
    reply: Option<FormReply>,
}

impl PageReply {
    /// Called once, inside the router, around every page.
    pub fn provide() {
        let path = use_location().pathname.get_untracked();
        let reply = SharedValue::new(|| use_context::<FormReply>()).into_inner();
        provide_context(PageReply { path, reply });
    }

    /// The reply, while the browser is still on the page it was rendered for.
    pub fn current() -> Option<FormReply> {
        let this = use_context::<PageReply>()?;
        (use_location().pathname.get_untracked() == this.path).then_some(this.reply).flatten()
    }

    /// What was typed into `field` of a refused `form`, to show it again.
    pub fn typed(form: &str, field: &str) -> Option<String> {
        PageReply::current().and_then(|r| r.typed(form, field).map(str::to_string))
    }
}

/// The error to show for `form` (and `field`, if given): the last result of the form's action
/// when hydrated, or the refusal the server answered a plain form post with. When one action
/// serves many forms, `last_key` names the form that used it last.
///
/// `error` must outlive the form (create it at page level), since forms inside a refetched
/// resource are rebuilt while the action's result is still being read.
#[component]
pub fn ErrorText(
    error: Signal<Option<AppError>>,
    #[prop(into)] form: String,
    #[prop(optional)] field: Option<&'static str>,
    #[prop(optional)] last_key: Option<RwSignal<String>>,
) -> impl IntoView {
    let answered = PageReply::current().and_then(|reply| reply.refusal_of(&form).cloned());
    let message = move || {
        let own = last_key.is_none_or(|key| key.with(|k| *k == form));
        let err = error.get().filter(|_| own).or_else(|| answered.clone())?;
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
    let location = use_location();
    let page = move || {
        let search = location.search.get();
        let path = location.pathname.get();
        if search.is_empty() { path } else { format!("{path}?{}", search.trim_start_matches('?')) }
    };
    view! { <input type="hidden" name="_page" value=page /> }
}

/// Says that a save went through: after a hydrated save (`hydrated`), or after a plain form
/// post sent the browser back with `saved=<form>` (`messages` says what to say for each form).
/// A live region that is always there, so screen readers announce it and focus stays put.
#[component]
pub fn SavedNotice(hydrated: RwSignal<Option<&'static str>>, messages: &'static [(&'static str, &'static str)]) -> impl IntoView {
    let query = use_query_map();
    let from_post = move || {
        let form = query.with(|q| q.get("saved"))?;
        messages.iter().find(|(f, _)| *f == form).map(|(_, m)| *m)
    };
    let text = move || hydrated.get().or_else(from_post).unwrap_or_default();
    view! { <p class="saved" role="status" aria-live="polite">{text}</p> }
}

/// True once the page runs in the browser (effects run only there), for what only works with
/// JavaScript.
pub fn hydrated() -> RwSignal<bool> {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    hydrated
}

/// The error of a server action's last call, as a signal.
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

/// A delete that asks first, through a link to `page?confirm=delete`, so it works the same with
/// and without JavaScript. `children` is the confirming form.
#[component]
pub fn ConfirmDelete(
    page: String,
    what: &'static str,
    question: String,
    error: Signal<Option<AppError>>,
    form: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let query = use_query_map();
    let confirming = move || query.with(|q| q.get("confirm").as_deref() == Some("delete"));
    let ask = format!("{page}?confirm=delete");
    view! {
        <section aria-labelledby="danger-h" class="danger">
            <h2 id="danger-h">"Delete"</h2>
            <Show when=confirming fallback=move || view! { <A href=ask.clone()>{format!("Delete this {what}…")}</A> }>
                <p>{question.clone()}</p>
                {children()}
                <A href=page.clone()>"Cancel"</A>
            </Show>
            <ErrorText error form />
        </section>
    }
}
