//! Times as the console shows them: UTC from the server, the admin's local time once the page
//! runs in their browser (which alone knows their zone), UTC always on hover.

use leptos::prelude::*;

use super::forms::hydrated;
use crate::domain::time::{clock_text, iso_utc, utc_minutes};

/// A time as UTC minutes, or "never".
pub fn when(ms: Option<i64>) -> String {
    utc_minutes(ms)
}

/// The browser's offset behind UTC in minutes at `ms` (`Date.getTimezoneOffset`); 0 on the server.
fn zone_offset(ms: i64) -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64)).get_timezone_offset() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ms;
        0
    }
}

/// A moment in the admin's local time, with UTC on hover. Without JavaScript it reads in UTC
/// and says so. An island, since only the browser knows the admin's zone.
#[island]
pub fn LocalTime(ms: i64) -> impl IntoView {
    let hydrated = hydrated();
    let utc = utc_minutes(Some(ms));
    let title = utc.clone();
    let text = move || if hydrated.get() { clock_text(ms - zone_offset(ms) * 60_000) } else { utc.clone() };
    view! { <time datetime=iso_utc(ms) title=title>{text}</time> }
}

/// The hidden field that tells the server which zone a form's times were typed in; empty (UTC)
/// without JavaScript. [`ZoneName`] says the same in the form's labels.
#[island]
pub fn ZoneField() -> impl IntoView {
    let hydrated = hydrated();
    let offset = move || if hydrated.get() { zone_offset(js_now()).to_string() } else { String::new() };
    view! { <input type="hidden" name="tz" value=offset /> }
}

/// Which zone the time fields of a form read in, for their labels: the one [`ZoneField`] sends.
/// (A label wraps its text and this in one `span`, so its column layout keeps them on one line.)
#[island]
pub fn ZoneName() -> impl IntoView {
    let hydrated = hydrated();
    view! { <span>{move || if hydrated.get() { "your local time" } else { "UTC" }}</span> }
}

fn js_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0
    }
}
