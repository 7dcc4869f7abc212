use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::frame::{Viewer, WriterOnly};
use super::time::{when, LocalTime};
use super::forms::{hydrated, ErrorText, PageField, PageReply, last_error};
use crate::api::forms::FormReply;
use crate::api::credentials::{credentials_page, IssueCredential, RevokeCredential};
use crate::domain::credentials::{CredentialKind, CredentialView, IssuedCredential};

/// Credentials SCIM clients (Okta, Entra, scripts) sign in with.
#[component]
pub fn CredentialsPage() -> impl IntoView {
    let issue = ServerAction::<IssueCredential>::new();
    let revoke = ServerAction::<RevokeCredential>::new();
    let issue_error = last_error(issue.value());
    let revoke_error = last_error(revoke.value());
    let data = Resource::new(move || (issue.version().get(), revoke.version().get()), |_| credentials_page());
    view! {
        <Title text="SCIM credentials · CIM" />
        <h1>"SCIM credentials"</h1>
        <p class="hint">"Identity providers and scripts call the SCIM API at " <code>"/scim/v2"</code>
            " on this server with one of these credentials. Secrets are stored only as hashes and shown once."</p>
        <WriterOnly>
        <section aria-labelledby="issue-h">
            <h2 id="issue-h">"Issue a credential"</h2>
            <ActionForm action=issue attr:class="inline">
                <PageField />
                <label>"Name" <input type="text" name="name" required placeholder="Okta production"
                    value=PageReply::typed("issue_credential", "name") /></label>
                <ErrorText error=issue_error form="issue_credential" field="name" />
                <div class="field"><label for="issue-kind">"Kind"</label>
                    <select id="issue-kind" name="kind">
                        <option value="bearer" selected>"Bearer token (Entra, scripts)"</option>
                        <option value="basic">"Basic user name and secret (Okta)"</option>
                    </select>
                </div>
                <button type="submit" disabled=move || issue.pending().get()>"Issue credential"</button>
                <ErrorText error=issue_error form="issue_credential" />
            </ActionForm>
        </section>
        </WriterOnly>
        <Transition fallback=|| view! { <p>"Loading credentials…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(credentials) => view! {
                        {just_issued(issue).map(|issued| view! { <IssuedNotice issued /> })}
                        <CredentialTable credentials revoke writable=Viewer::can_write().await />
                    }.into_any(),
                }
            })}
        </Transition>
        <ErrorText error=revoke_error form="revoke_credential" />
    }
}

/// The credential this page was answered with (a plain form post) or that the hydrated form's
/// last call issued.
fn just_issued(issue: ServerAction<IssueCredential>) -> Option<IssuedCredential> {
    let answered = PageReply::current().and_then(|reply| match reply {
        FormReply::Issued(issued) => Some(issued),
        _ => None,
    });
    answered.or_else(|| issue.value().get_untracked().and_then(|r| r.ok()).flatten())
}

#[component]
fn IssuedNotice(issued: IssuedCredential) -> impl IntoView {
    let kind = issued.credential.kind;
    view! {
        <section class="issued" aria-labelledby="issued-h">
            <h2 id="issued-h">{format!("Issued: {}", issued.credential.name)}</h2>
            <p>"Copy the secret now: it is not shown again."</p>
            {issued.credential.username.clone().map(|u| view! {
                <p>"User name: " <code data-testid="issued-username">{u}</code></p>
            })}
            <p>{if kind == CredentialKind::Bearer { "Bearer token: " } else { "Secret: " }}
                <code class="secret" data-testid="issued-secret">{issued.secret.clone()}</code>
                <CopyButton text=issued.secret /></p>
        </section>
    }
}

/// Copies `text` to the clipboard. It needs JavaScript, so it appears only once the page is
/// hydrated (never a dead button); without it the secret selects with one click.
#[component]
fn CopyButton(text: String) -> impl IntoView {
    let hydrated = hydrated();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let clipboard = window().navigator().clipboard();
        let _ = clipboard.write_text(&text);
        copied.set(true);
    };
    view! {
        <Show when=move || hydrated.get()>
            <button type="button" class="secondary" on:click=copy.clone()>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
        </Show>
        <span class="saved" role="status" aria-live="polite">{move || copied.get().then_some("Copied to the clipboard.")}</span>
    }
}

#[component]
fn CredentialTable(credentials: Vec<CredentialView>, revoke: ServerAction<RevokeCredential>, writable: bool) -> impl IntoView {
    if credentials.is_empty() {
        return view! { <p class="empty">"No credentials yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll"><table class="list stack">
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Issued"</th><th scope="col">"Last used"</th><th scope="col">"Errors (24 h)"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>
                {credentials.into_iter().map(|c| {
                    let revoked = c.revoked.is_some();
                    let form_id = c.id.clone();
                    view! {
                        <tr>
                            <td data-label="Name">{c.name.clone()}</td>
                            <td data-label="Kind">{match c.kind { CredentialKind::Bearer => "bearer".to_string(), CredentialKind::Basic => format!("basic ({})", c.username.clone().unwrap_or_default()) }}</td>
                            <td data-label="Issued">{format!("{} by {}", when(Some(c.created)), c.created_by)}</td>
                            <td data-label="Last used">{c.last_used.map(|ms| view! { <LocalTime ms /> }.into_any()).unwrap_or_else(|| "never".into_any())}</td>
                            <td data-label="Errors (24 h)"><ErrorCount credential_id=c.id.clone() errors=c.errors_24h /></td>
                            <td data-label="Status">
                                {if revoked {
                                    view! { <span class="badge off">"revoked"</span> }.into_any()
                                } else if writable {
                                    view! { <RevokeCell id=form_id.clone() name=c.name.clone() revoke /> }.into_any()
                                } else {
                                    view! { <span class="badge ok">"active"</span> }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
    .into_any()
}

/// Refused or failed requests of one credential today, linked to them in the provisioning log.
#[component]
fn ErrorCount(credential_id: String, errors: i64) -> impl IntoView {
    if errors == 0 {
        return view! { <span class="hint">"none"</span> }.into_any();
    }
    let href = format!("/provisioning?credential={credential_id}&status=4xx");
    let text = if errors == 1 { "1 error".to_string() } else { format!("{errors} errors") };
    view! { <A href=href attr:class="badge bad">{text}</A> }.into_any()
}

/// Revoking asks first, through a link, so it works the same with and without JavaScript.
#[component]
fn RevokeCell(id: String, name: String, revoke: ServerAction<RevokeCredential>) -> impl IntoView {
    let query = use_query_map();
    let target = id.clone();
    let confirming = move || query.with(|q| q.get("revoke").as_deref() == Some(target.as_str()));
    let ask = format!("/credentials?revoke={id}");
    let confirm_form = move || {
        let (id, label) = (id.clone(), format!("Yes, revoke {name}"));
        view! {
            <ActionForm action=revoke attr:class="inline">
                <PageField />
                <input type="hidden" name="id" value=id />
                <button type="submit" class="danger">{label}</button>
                <A href="/credentials">"Cancel"</A>
            </ActionForm>
        }
    };
    view! {
        <Show when=confirming fallback=move || view! { <A href=ask.clone()>"Revoke…"</A> }>
            {confirm_form()}
        </Show>
    }
}
