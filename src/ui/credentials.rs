use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use super::frame::{Viewer, WriterOnly};
use super::time::{when, LocalTime};
use super::forms::{hydrated, ErrorText, PageField, Here, SavedNotice};
use crate::api::forms::FormReply;
use crate::api::credentials::{credential_page, credentials_page, DecideHeld, IssueCredential, RevokeCredential, SavePolicy};
use crate::domain::credentials::{AccessPolicy, CredentialKind, CredentialView, DeleteMode, IssuedCredential, OwnedField, ProvisioningPolicy};

/// Credentials SCIM clients (Okta, Entra, scripts) sign in with.
#[component]
pub fn CredentialsPage() -> impl IntoView {
    let issue = ServerAction::<IssueCredential>::new();
    let revoke = ServerAction::<RevokeCredential>::new();
    let data = Resource::new(|| (), |_| credentials_page());
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
                    value=Here::typed("issue_credential", "name") /></label>
                <ErrorText form="issue_credential" field="name" />
                <div class="field"><label for="issue-kind">"Kind"</label>
                    <select id="issue-kind" name="kind">
                        <option value="bearer" selected>"Bearer token (Entra, scripts)"</option>
                        <option value="basic">"Basic user name and secret (Okta)"</option>
                    </select>
                </div>
                <details class="policy">
                    <summary>"Provisioning policy: the console owns workspace access, DELETE deactivates, brake on (change…)"</summary>
                    <PolicyFields policy=ProvisioningPolicy::default() form="issue_credential" />
                </details>
                <button type="submit">"Issue credential"</button>
                <ErrorText form="issue_credential" />
            </ActionForm>
        </section>
        </WriterOnly>
        <Transition fallback=|| view! { <p>"Loading credentials…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(credentials) => view! {
                        {just_issued().map(|issued| view! { <IssuedNotice issued /> })}
                        <CredentialTable credentials revoke writable=Viewer::can_write().await />
                    }.into_any(),
                }
            })}
        </Transition>
        <ErrorText form="revoke_credential" />
    }
}

/// The credential this page was answered with (the post that issued it).
fn just_issued() -> Option<IssuedCredential> {
    Here::reply().and_then(|reply| match reply {
        FormReply::Issued(issued) => Some(issued),
        _ => None,
    })
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

/// Copies `text` to the clipboard. It needs JavaScript, so it appears only once the island is
/// hydrated (never a dead button); without it the secret selects with one click.
#[island]
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
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Kind"</th><th scope="col">"Policy"</th><th scope="col">"Issued"</th><th scope="col">"Last used"</th><th scope="col">"Errors (24 h)"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>
                {credentials.into_iter().map(|c| {
                    let revoked = c.revoked.is_some();
                    let form_id = c.id.clone();
                    let display_name = c.name.clone();
                    view! {
                        <tr>
                            <td data-label="Name"><A href=format!("/credentials/{}", c.id)>{display_name.clone()}</A></td>
                            <td data-label="Kind">{match c.kind { CredentialKind::Bearer => "bearer".to_string(), CredentialKind::Basic => format!("basic ({})", c.username.clone().unwrap_or_default()) }}</td>
                            <td data-label="Policy"><span>{policy_summary(&c)}</span></td>
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

/// One line for the credentials table: who owns access, what a DELETE does, the brake.
fn policy_summary(c: &CredentialView) -> impl IntoView {
    let brake = match (c.policy.brake.on, c.brake_tripped_at.is_some()) {
        (_, true) => view! { <span class="badge bad">"brake holding"</span> }.into_any(),
        (true, false) => view! { <span class="hint">"brake on"</span> }.into_any(),
        (false, false) => view! { <span class="hint">"brake off"</span> }.into_any(),
    };
    let delete = match c.policy.on_delete {
        DeleteMode::Deactivate => "DELETE deactivates",
        DeleteMode::Delete => "DELETE deletes",
    };
    view! { {c.policy.access.label()} " · " {delete} " · " {brake} }
}

/// The settings of a provisioning policy, for issuing a credential and for changing one.
#[component]
fn PolicyFields(policy: ProvisioningPolicy, form: &'static str) -> impl IntoView {
    let typed = move |field: &str, stored: String| Here::typed(form, field).unwrap_or(stored);
    let access = typed("access", policy.access.as_str().to_string());
    let on_delete = typed("on_delete", policy.on_delete.as_str().to_string());
    view! {
        <fieldset class="policy">
            <legend>"Workspace access"</legend>
            {AccessPolicy::ALL.into_iter().map(|p| view! {
                <label class="choice">
                    <input type="radio" name="access" value=p.as_str() checked=access == p.as_str() />
                    <span><strong>{p.label()}</strong><br /><span class="hint">{p.explain()}</span></span>
                </label>
            }).collect_view()}
            <ErrorText form field="access" />
        </fieldset>
        <fieldset class="policy">
            <legend>"Profile fields it owns"</legend>
            <input type="hidden" name="owns[]" value="" />
            <p class="hint">"Owned fields are taken from the identity provider and locked in the console (a security admin can still change them anyway, audited); fields it does not own keep the console's values whatever it sends."</p>
            <div class="owned">
                {OwnedField::ALL.into_iter().map(|f| view! {
                    <label class="choice">
                        <input type="checkbox" name="owns[]" value=f.as_str() checked=policy.owns(f) />
                        {f.label()}
                    </label>
                }).collect_view()}
            </div>
        </fieldset>
        <fieldset class="policy">
            <legend>"A DELETE from it"</legend>
            {[DeleteMode::Deactivate, DeleteMode::Delete].into_iter().map(|m| view! {
                <label class="choice">
                    <input type="radio" name="on_delete" value=m.as_str() checked=on_delete == m.as_str() />
                    <span><strong>{if m == DeleteMode::Deactivate { "Deactivates and keeps the user" } else { "Deletes the user" }}</strong>
                        <br /><span class="hint">{m.explain()}</span></span>
                </label>
            }).collect_view()}
            <ErrorText form field="on_delete" />
        </fieldset>
        <fieldset class="policy">
            <legend>"Brake on mass deactivation"</legend>
            <label class="choice"><input type="checkbox" name="brake_on" value="on" checked=policy.brake.on />
                "Hold its deactivations and deletions past the threshold until a security admin allows them"</label>
            <div class="inline-fields">
                <label>"More than (users)" <input type="number" name="brake_count" min="1" value=typed("brake_count", policy.brake.count.to_string()) />
                    <ErrorText form field="brake_count" /></label>
                <label>"or (% of active users)" <input type="number" name="brake_percent" min="1" max="100" value=typed("brake_percent", policy.brake.percent.to_string()) />
                    <ErrorText form field="brake_percent" /></label>
            </div>
            <p class="hint">"Whichever is larger, within one hour. Held requests are answered 429 with Retry-After, which Okta and Entra retry; nothing is applied until allowed."</p>
        </fieldset>
    }
}

/// One credential: its provisioning policy, editable by a security admin.
#[component]
pub fn CredentialPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let save = ServerAction::<SavePolicy>::new();
    let decide = ServerAction::<DecideHeld>::new();
    let data = Resource::new(id, credential_page);
    view! {
        <p class="back"><A href="/credentials">"‹ Back to SCIM credentials"</A></p>
        <SavedNotice messages=&[("save_policy", "Policy saved.")] />
        <Transition fallback=|| view! { <p>"Loading credential…"</p> }>
            {move || Suspend::new(async move {
                let writable = Viewer::can_write().await;
                match data.await {
                    Err(err) => view! { <p class="error" role="alert">{err.to_string()}</p> }.into_any(),
                    Ok(c) => view! { <CredentialDetail c save decide writable /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CredentialDetail(
    c: CredentialView,
    save: ServerAction<SavePolicy>,
    decide: ServerAction<DecideHeld>,
    writable: bool,
) -> impl IntoView {
    let credential_id = c.id.clone();
    let brake_state = match (c.brake_tripped_at, c.brake_allowed_until) {
        (Some(ms), _) => view! {
            <div class="confirm" role="group" aria-labelledby="brake-h">
                <h2 id="brake-h">"The brake is on"</h2>
                <p>"Since " <LocalTime ms /> " this credential's deactivations and deletions are held (the banner lists any waiting).                     Releasing lets it deactivate and delete for an hour, then the threshold counts again."</p>
                {writable.then(|| view! {
                    <ActionForm action=decide attr:class="inline">
                        <PageField />
                        <input type="hidden" name="credential_id" value=credential_id.clone() />
                        // 0: this releases the brake and decides nothing held; the banner does that.
                        <input type="hidden" name="last_id" value="0" />
                        <button type="submit" name="decision" value="allow" class="danger">"Release the brake for an hour"</button>
                    </ActionForm>
                })}
            </div>
        }.into_any(),
        (None, Some(ms)) => view! { <p class="hint">"Allowed past the brake until " <LocalTime ms /> "."</p> }.into_any(),
        (None, None) => ().into_any(),
    };
    view! {
        <Title text=format!("{} · SCIM credentials · CIM", c.name) />
        <h1>{c.name.clone()}</h1>
        <p class="hint">{format!("{} credential issued {} by {}.", c.kind.as_str(), when(Some(c.created)), c.created_by)}
            {c.revoked.map(|_| " Revoked: it can no longer call the SCIM API.")}</p>
        {brake_state}
        <section aria-labelledby="policy-h">
            <h2 id="policy-h">"Provisioning policy"</h2>
            {if writable {
                view! {
                    <ActionForm action=save attr:class="policy-form">
                        <PageField />
                        <input type="hidden" name="id" value=c.id.clone() />
                        <PolicyFields policy=c.policy.clone() form="save_policy" />
                        <button type="submit">"Save policy"</button>
                        <ErrorText form="save_policy" />
                    </ActionForm>
                }.into_any()
            } else {
                view! {
                    <dl class="facts">
                        <dt>"Workspace access"</dt><dd>{c.policy.access.explain()}</dd>
                        <dt>"Profile fields it owns"</dt><dd>{c.policy.owned.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")}</dd>
                        <dt>"A DELETE"</dt><dd>{c.policy.on_delete.explain()}</dd>
                        <dt>"Brake"</dt><dd>{if c.policy.brake.on { format!("More than {} users or {}% of active users within an hour", c.policy.brake.count, c.policy.brake.percent) } else { "Off".into() }}</dd>
                    </dl>
                }.into_any()
            }}
        </section>
    }
}
