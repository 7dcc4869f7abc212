//! Reports: dated CSV files generated from the store at the moment of download.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::domain::reports::Report;

#[component]
pub fn ReportsPage() -> impl IntoView {
    view! {
        <Title text="Reports · CIM" />
        <h1>"Reports"</h1>
        <p class="hint">"Each file is generated from the store at the moment you download it, and its name carries the date (UTC). \
            Cells a spreadsheet would run as a formula start with an apostrophe. Every download is recorded in the audit trail."</p>
        <section aria-labelledby="reports-h">
            <h2 id="reports-h">"Downloads"</h2>
            <ul class="reports">
                {Report::ALL.into_iter().map(|report| {
                    let audit = report == Report::Audit;
                    view! {
                        <li>
                            <div>
                                <strong>{report.title()}</strong>
                                <p class="hint">{report.description()}</p>
                            </div>
                            <div>
                                // A plain link with `download`: the router leaves it to the browser.
                                <a class="button" href=format!("/reports/{}.csv", report.slug()) download>{format!("Download {}", report.title().to_lowercase())}</a>
                                {audit.then(|| view! { " " <A href="/audit">"Filter first on the audit trail"</A> })}
                            </div>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
        <section aria-labelledby="cli-h">
            <h2 id="cli-h">"Scheduled snapshots"</h2>
            <p>"The same files from the command line, for cron: "
                <code>"cim report disabled-users --out /var/backups/cim/disabled-users-$(date +%F).csv"</code>
                " (reports: " {Report::ALL.map(|r| r.slug()).join(", ")} "; " <code>"--out -"</code> " writes to standard output)."</p>
        </section>
    }
}
