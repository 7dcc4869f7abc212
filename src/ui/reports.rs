//! Reports: dated CSV files generated from the store at the moment of download.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use super::filters::TimeRangeFields;
use super::time::{ZoneField, ZoneName};
use crate::domain::reports::Report;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <Title text="Reports · CIM" />
        <h1>"Reports"</h1>
        <p class="hint">"Each file is generated from the store at the moment you download it, and its name carries the date (UTC). \
            Reports asked “as of” an earlier moment are rebuilt from the audit trail, which records every change with its before and after. \
            Cells a spreadsheet would run as a formula start with an apostrophe. Every download is recorded in the audit trail."</p>
        <section aria-labelledby="reports-h">
            <h2 id="reports-h">"Downloads"</h2>
            <ul class="reports">
                {Report::ALL.into_iter().map(|report| view! { <ReportItem report /> }).collect_view()}
            </ul>
        </section>
        <section aria-labelledby="cli-h">
            <h2 id="cli-h">"Scheduled snapshots"</h2>
            <p>"The same files from the command line, for cron: "
                <code>"cim report disabled-users --out /var/backups/cim/disabled-users-$(date +%F).csv"</code>
                " (reports: " {Report::ALL.map(|r| r.slug()).join(", ")} "; " <code>"--out -"</code> " writes to standard output; "
                <code>"--as-of 2026-10-01"</code> " rebuilds disabled-users or access-matrix as of that moment, in UTC; "
                <code>"--from"</code> " and " <code>"--to"</code> " bound access-changes and audit)."</p>
        </section>
    }
}

/// One report: its download, with the moment to rebuild it as of, or the range it covers, where
/// it takes one. A plain GET form, so it downloads the same with and without JavaScript.
#[component]
fn ReportItem(report: Report) -> impl IntoView {
    let slug = report.slug();
    let label = format!("Download {}", report.title().to_lowercase());
    let fields = match report {
        r if r.has_as_of() => view! {
            <div class="field"><label for=format!("{slug}-as-of")><span>"As of (" <ZoneName /> ", empty for now)"</span></label>
                <input id=format!("{slug}-as-of") type="datetime-local" name="as_of" /></div>
            <ZoneField />
        }
        .into_any(),
        Report::AccessChanges => view! { <TimeRangeFields prefix="changes" /> }.into_any(),
        _ => ().into_any(),
    };
    view! {
        <li>
            <div>
                <strong>{report.title()}</strong>
                <p class="hint">{report.description()}</p>
            </div>
            // Plain GET forms and links: the router leaves them to the browser, which downloads.
            <form method="get" action=format!("/reports/{slug}.csv") class="inline" aria-label=report.title()>
                {fields}
                <button type="submit">{label}</button>
                {(report == Report::Audit).then(|| view! { <A href="/audit">"Filter first on the audit trail"</A> })}
            </form>
        </li>
    }
}
