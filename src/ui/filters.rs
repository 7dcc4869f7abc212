//! Pieces of the filter forms on list pages whose filters live in the address (GET forms, so
//! every view can be linked, bookmarked and returned to).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::time::{ZoneField, ZoneName};
use crate::api::error::AppError;
use crate::domain::text::query_string;

/// The page's address query, read by key.
#[derive(Clone, Copy)]
pub struct FilterParams {
    query: Memo<leptos_router::params::ParamsMap>,
}

impl FilterParams {
    pub fn new() -> Self {
        FilterParams { query: use_query_map() }
    }

    pub fn get(&self, key: &str) -> String {
        self.query.with(|q| q.get(key).unwrap_or_default())
    }

    /// The non-empty values of `keys`, for links that keep the filters.
    pub fn pairs(&self, keys: &[&'static str]) -> Vec<(&'static str, String)> {
        keys.iter().map(|k| (*k, self.get(k))).filter(|(_, v)| !v.is_empty()).collect()
    }

    /// The whole query but `drop`.
    pub fn query_without(&self, drop: &[&str]) -> String {
        self.query.with(|q| {
            let refs: Vec<(&str, &str)> = q.into_iter().filter(|(k, _)| !drop.contains(&k.as_ref())).map(|(k, v)| (k.as_ref(), v)).collect();
            query_string(&refs)
        })
    }
}

/// The refusal of a filter form's request, beside the field it concerns.
#[component]
pub fn FieldError(error: Option<AppError>, field: &'static str) -> impl IntoView {
    error.filter(|e| e.field() == Some(field)).map(|e| view! { <span class="error" role="alert">{e.to_string()}</span> })
}

/// A filter form's time range, typed in the browser's zone (the hidden zone field says which;
/// UTC without JavaScript, and the labels say so). `prefix` keeps the fields' ids apart.
#[component]
pub fn TimeRangeFields(
    prefix: &'static str,
    #[prop(optional)] from: String,
    #[prop(optional)] to: String,
    #[prop(optional_no_strip)] error: Option<AppError>,
) -> impl IntoView {
    let (from_id, to_id) = (format!("{prefix}-from"), format!("{prefix}-to"));
    view! {
        <div class="field"><label for=from_id.clone()><span>"From (" <ZoneName /> ")"</span></label>
            <input id=from_id type="datetime-local" name="from" value=from />
            <FieldError error=error.clone() field="from" />
        </div>
        <div class="field"><label for=to_id.clone()><span>"Until (" <ZoneName /> ")"</span></label>
            <input id=to_id type="datetime-local" name="to" value=to />
            <FieldError error field="to" />
        </div>
        <ZoneField />
    }
}
