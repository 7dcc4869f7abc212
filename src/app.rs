use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::ui::account::PasswordPage;
use crate::ui::admins::AdminsPage;
use crate::ui::audit::AuditPage;
use crate::ui::batch::BatchPage;
use crate::ui::bulk::BulkPage;
use crate::ui::import::{ImportPage, ImportsPage};
use crate::ui::credentials::{CredentialPage, CredentialsPage};
use crate::ui::frame::ConsoleFrame;
use crate::ui::login::LoginPage;
use crate::ui::not_found::NotFoundPage;
use crate::ui::overview::OverviewPage;
use crate::ui::provisioning::ProvisioningPage;
use crate::ui::reports::ReportsPage;
use crate::ui::user::UserPage;
use crate::ui::users::{NewUserPage, UsersPage};
use crate::ui::workspace::WorkspacePage;
use crate::ui::workspaces::WorkspacesPage;

/// The page's own script, before it is painted:
/// - it marks the page as scripted, so what only plain forms need (Save buttons beside controls
///   that save on change) never flashes;
/// - a form posted once ignores a second submit for a while (a double click would start two
///   batches or issue two credentials, and the first one's secret would never be shown). Only
///   posts that went ahead count: an island's form cancels its own submit and sends it itself,
///   and queues its saves. The mark goes after ten seconds, at any change to the form (a post
///   stopped half-way) and when the page is shown again from the browser's history. Buttons
///   stay enabled, so a clicked button's own `name=value` is still sent.
const PAGE_SCRIPT: &str = "document.documentElement.classList.add('js');\
function unmark(f){delete f.dataset.sent}\
addEventListener('submit',function(e){var f=e.target;\
if((f.getAttribute('method')||'').toLowerCase()!=='post')return;\
if(f.dataset.sent){e.preventDefault();return}\
setTimeout(function(){if(!e.defaultPrevented){f.dataset.sent='1';setTimeout(function(){unmark(f)},10000)}})},true);\
['input','change'].forEach(function(t){addEventListener(t,function(e){if(e.target.form)unmark(e.target.form)},true)});\
addEventListener('pageshow',function(){document.querySelectorAll('form[data-sent]').forEach(unmark)})";

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::headers::send_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <script nonce=leptos::nonce::use_nonce()>{PAGE_SCRIPT}</script>
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Page titles hold stored names, and leptos_meta writes a title into the server's HTML as it is:
/// escaped here, on the server only (the browser sets `document.title`, which is plain text).
fn title_text(text: String) -> String {
    if cfg!(feature = "ssr") {
        crate::domain::text::escape_html(&text)
    } else {
        text
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/cim.css" />
        <Title text="CIM" formatter=title_text />
        <Router>
            <ConsoleFrame>
                // Async: pages arrive complete, so they work with JavaScript off as well.
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/users/new") view=NewUserPage ssr=SsrMode::Async />
                    <Route path=path!("/users/bulk") view=BulkPage ssr=SsrMode::Async />
                    <Route path=path!("/batches/:id") view=BatchPage ssr=SsrMode::Async />
                    <Route path=path!("/imports") view=ImportsPage ssr=SsrMode::Async />
                    <Route path=path!("/imports/:id") view=ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/users/:id") view=UserPage ssr=SsrMode::Async />
                    <Route path=path!("/workspaces") view=WorkspacesPage ssr=SsrMode::Async />
                    <Route path=path!("/workspaces/:id") view=WorkspacePage ssr=SsrMode::Async />
                    <Route path=path!("/credentials") view=CredentialsPage ssr=SsrMode::Async />
                    <Route path=path!("/credentials/:id") view=CredentialPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/provisioning") view=ProvisioningPage ssr=SsrMode::Async />
                    <Route path=path!("/reports") view=ReportsPage ssr=SsrMode::Async />
                    <Route path=path!("/admins") view=AdminsPage ssr=SsrMode::Async />
                    <Route path=path!("/account/password") view=PasswordPage ssr=SsrMode::Async />
                </Routes>
            </ConsoleFrame>
        </Router>
    }
}
