//! Pieces every form uses: error messages that work with and without JavaScript, and
//! checkboxes that save as soon as they change.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use wasm_bindgen::JsCast;

use crate::domain::AppError;

/// The error to show for `form` (and `field`, if given): the last result of the form's action
/// when hydrated, or the error the server put in the query after a plain form post. When one
/// action serves many forms, `only_for` names this form's key, shown only if `last_key` holds it.
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
    let query = use_query_map();
    let this_form = form.clone();
    let message = move || {
        let own = last_key.is_none_or(|key| key.with(|k| *k == this_form));
        let (message, error_field) = match error.get().filter(|_| own) {
            Some(err) => (err.to_string(), err.field().map(str::to_string)),
            None => query.with(|q| {
                if q.get("error_form").as_deref() == Some(form.as_str()) {
                    (q.get("error").unwrap_or_default(), q.get("error_field"))
                } else {
                    (String::new(), None)
                }
            }),
        };
        let error_field = error_field.filter(|f| !f.is_empty());
        (!message.is_empty() && error_field.as_deref() == field).then_some(message)
    };
    view! {
        {move || message().map(|m| view! { <p class="error" role="alert">{m}</p> })}
    }
}

/// The error of a server action's last call, as a signal.
pub fn last_error<T: Clone + Send + Sync + 'static>(
    value: MappedSignal<Option<Result<T, AppError>>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(Result::err))
}

/// Submits the form a changed checkbox sits in, so a tick saves at once when hydrated. Without
/// JavaScript the form's Save button does the same.
pub fn submit_on_change(ev: leptos::ev::Event) {
    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
        if let Some(form) = input.form() {
            let _ = form.request_submit();
        }
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
