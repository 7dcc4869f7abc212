//! Identity providers and the console side by side: who owns a user's fields and grants (per
//! credential), what a DELETE does, the brake on mass deactivation, and entitlements that are
//! not workspaces.

use cim::domain::credentials::{AccessPolicy, Brake, DeleteMode, OwnedField, ProvisioningPolicy};
use cim::domain::users::UserInput;
use cim::service::{AccessChange, Intent, ProfileUpdate, ServiceError, UserChange, WorkspaceRef};
use serde_json::{json, Value};

use crate::helpers::{assert_scim_error, spawn_app, system, Scim, TestApp};

fn policy(access: AccessPolicy) -> ProvisioningPolicy {
    ProvisioningPolicy { access, ..ProvisioningPolicy::default() }
}

/// Okta's "Push New Users": a full user, no entitlements.
fn okta_user(user_name: &str, family: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name,
        "name": {"givenName": "Grace", "familyName": family}, "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": format!("Grace {family}"), "externalId": "00u-okta", "active": true})
}

async fn workspace_names(app: &TestApp, user_id: &str) -> Vec<String> {
    let user = app.services.user_with_access(&system(), user_id).await.unwrap();
    user.workspaces.into_iter().map(|w| w.name).collect()
}

/// The console ticks workspaces: the same service write the checkboxes use, as an administrator
/// (who has to "change anyway" where the identity provider owns access).
async fn console_grant(app: &TestApp, user_id: &str, ids: &[&str]) {
    let access = AccessChange { grant: ids.iter().map(|i| WorkspaceRef::Id(i.to_string())).collect(), ..Default::default() };
    app.services.change_user_to(&system(), user_id, None, UserChange { access, intent: Intent::Override, ..Default::default() }).await.unwrap();
}

#[tokio::test]
async fn okta_profile_push_keeps_console_grants_unless_the_identity_provider_owns_access() {
    let app = spawn_app().await;
    let (w1, w2, w3) = (app.workspace("Finance FY27").await, app.workspace("Sales").await, app.workspace("Ops").await);
    for (i, access) in [AccessPolicy::ConsoleAdd, AccessPolicy::Console, AccessPolicy::Provider].into_iter().enumerate() {
        let (okta, _) = app.scim_with(&policy(access)).await;
        let user_name = format!("grace{i}@example.com");
        let created = okta.post("/Users", okta_user(&user_name, "Hopper")).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_string();
        console_grant(&app, &id, &[&w1.id, &w2.id]).await;

        // Push Profile Updates: a PUT with a changed familyName and no entitlements.
        let put = okta.send("PUT", &format!("/Users/{id}"), Some(okta_user(&user_name, "Hopper-King")), &[]).await;
        assert_eq!(put.status, 200, "{access:?}: {}", put.body);
        assert_eq!(put.body["name"]["familyName"], "Hopper-King");
        let held = workspace_names(&app, &id).await;
        match access {
            AccessPolicy::Provider => assert!(held.is_empty(), "the provider owns access: its PUT sets none: {held:?}"),
            _ => assert_eq!(held, ["Finance FY27", "Sales"], "{access:?}: the console's grants stay"),
        }

        // A PUT that names one workspace.
        let mut body = okta_user(&user_name, "Hopper-King");
        body["entitlements"] = json!([{"type": "WORKSPACE", "value": w3.id}]);
        let put = okta.send("PUT", &format!("/Users/{id}"), Some(body), &[]).await;
        assert_eq!(put.status, 200, "{}", put.body);
        let held = workspace_names(&app, &id).await;
        match access {
            AccessPolicy::ConsoleAdd => assert_eq!(held, ["Finance FY27", "Ops", "Sales"], "granted, nothing revoked"),
            AccessPolicy::Console => assert_eq!(held, ["Finance FY27", "Sales"], "ignored"),
            AccessPolicy::Provider => assert_eq!(held, ["Ops"], "exactly what was sent"),
        }
        // The response tells the identity provider what is stored, not what it sent.
        let sent: Vec<&str> = put.body["entitlements"].as_array().unwrap().iter().filter_map(|e| e["display"].as_str()).collect();
        assert_eq!(sent.len(), held.len());
    }
}

#[tokio::test]
async fn entra_patch_sequence_under_console_and_provider_ownership() {
    let app = spawn_app().await;
    let ws = app.workspace("Finance FY27").await;
    for access in [AccessPolicy::ConsoleAdd, AccessPolicy::Provider] {
        let (entra, _) = app.scim_with(&policy(access)).await;
        let created = entra.post("/Users", okta_user(&format!("ada-{}@example.com", access.as_str()), "Lovelace")).await;
        let id = created.body["id"].as_str().unwrap().to_string();
        console_grant(&app, &id, &[&ws.id]).await;
        // E5, E7c: profile changes in Entra's capitalised shapes.
        let r = entra.patch(&format!("/Users/{id}"), json!([
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada.l@example.com"},
            {"op": "Replace", "path": "name.familyName", "value": "King"}])).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["emails"][0]["value"], "ada.l@example.com");
        // E17: the member removed from the group.
        let r = entra.patch(&format!("/Groups/{}", ws.id), json!([{"op": "Remove", "path": "members", "value": [{"$ref": null, "value": id}]}])).await;
        assert!(r.status == 200 || r.status == 204, "{}", r.body);
        let held = workspace_names(&app, &id).await;
        match access {
            AccessPolicy::Provider => assert!(held.is_empty(), "the provider owns access: removal applies"),
            _ => assert_eq!(held, ["Finance FY27"], "the console owns access: the removal is ignored"),
        }
        // E21 under the console's ownership: the workspace and its grants are kept, and the
        // identity provider is told why.
        if access == AccessPolicy::ConsoleAdd {
            let r = entra.send("DELETE", &format!("/Groups/{}", ws.id), None, &[]).await;
            assert_scim_error(&r, 403, None);
            assert!(r.body["detail"].as_str().unwrap().contains("leaves workspace access to the console"));
            assert_eq!(app.services.get_workspace(&system(), &ws.id).await.unwrap().name, "Finance FY27");
        }
        // E16: added back (under the console's ownership an addition still counts).
        let r = entra.patch(&format!("/Groups/{}", ws.id), json!([{"op": "Add", "path": "members", "value": [{"$ref": null, "value": id}]}])).await;
        assert!(r.status == 200 || r.status == 204, "{}", r.body);
        assert_eq!(workspace_names(&app, &id).await, ["Finance FY27"]);
        // E6: disabled with the string "False".
        let r = entra.patch(&format!("/Users/{id}"), json!([{"op": "Replace", "path": "active", "value": "False"}])).await;
        assert_eq!(r.body["active"], false, "{}", r.body);
    }
}

#[tokio::test]
async fn managed_fields_are_locked_in_the_console_until_changed_anyway_and_unowned_fields_keep_console_values() {
    let app = spawn_app().await;
    let ws = app.workspace("Finance FY27").await;
    let owns_names = ProvisioningPolicy { access: AccessPolicy::Provider, owned: vec![OwnedField::UserName, OwnedField::Names], ..Default::default() };
    let (okta, _) = app.scim_with(&owns_names).await;
    let created = okta.post("/Users", okta_user("grace@example.com", "Hopper")).await;
    let id = created.body["id"].as_str().unwrap().to_string();
    let form = |given: &str, email: &str| UserInput {
        user_name: "grace@example.com".into(),
        external_id: "00u-okta".into(),
        given_name: given.into(),
        family_name: "Hopper".into(),
        display_name: "Grace Hopper".into(),
        email: email.into(),
    };
    let edit = |input: UserInput, intent: Intent| UserChange { profile: Some(ProfileUpdate::Form(input)), intent, ..Default::default() };

    // A managed field: refused, on its field, naming the identity provider; nothing changed.
    let refused = app.services.change_user_to(&system(), &id, None, edit(form("Gracie", "grace@example.com"), Intent::Edit)).await.unwrap_err();
    match &refused {
        ServiceError::Conflict { field, message } => {
            assert_eq!(field, "given_name");
            assert!(message.contains("managed by test-"), "{message}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(app.services.get_user(&system(), &id).await.unwrap().given_name, "Grace");
    // The provider owns access: a console tick is refused too, on `access`.
    let tick = UserChange { access: AccessChange { grant: vec![WorkspaceRef::Id(ws.id.clone())], ..Default::default() }, ..Default::default() };
    match app.services.change_user_to(&system(), &id, None, tick.clone()).await.unwrap_err() {
        ServiceError::Conflict { field, .. } => assert_eq!(field, "access"),
        other => panic!("expected a conflict, got {other:?}"),
    }

    // "Change anyway": applied, and the audit trail says it overrode the provider.
    app.services.change_user_to(&system(), &id, None, edit(form("Gracie", "grace@example.com"), Intent::Override)).await.unwrap();
    app.services.change_user_to(&system(), &id, None, UserChange { intent: Intent::Override, ..tick }).await.unwrap();
    assert_eq!(app.services.get_user(&system(), &id).await.unwrap().given_name, "Gracie");
    let events = app.store.audit_of("user", &id, 10).await.unwrap();
    let override_event = events.iter().find(|e| e.after_json.as_deref().is_some_and(|a| a.contains("\"given_name\""))).expect("override event");
    assert!(override_event.after_json.as_deref().unwrap().contains("changed_anyway"), "{:?}", override_event.after_json);

    // A field it does not own (the e-mail) changes in the console freely, and its push leaves it.
    app.services.change_user_to(&system(), &id, None, edit(form("Gracie", "g.hopper@example.com"), Intent::Edit)).await.unwrap();
    let put = okta.send("PUT", &format!("/Users/{id}"), Some(okta_user("grace@example.com", "Hopper")), &[]).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let user = app.services.get_user(&system(), &id).await.unwrap();
    assert_eq!(user.email, "g.hopper@example.com", "not owned: the console's value stays");
    assert_eq!(user.given_name, "Grace", "owned: the next push overwrote the override, as the page warned");

    // Over HTTP the console door answers 409 with the field, and the page data says who manages what.
    app.sign_in().await;
    let version = user.version.to_string();
    let (status, body) = app.call("users/update", &[("id", &id), ("version", &version), ("user_name", "grace@example.com"), ("external_id", "00u-okta"),
        ("given_name", "Other"), ("family_name", "Hopper"), ("display_name", "Grace Hopper"), ("email", "g.hopper@example.com")]).await;
    assert_eq!(status, 409, "{body}");
    let (_, page) = app.call("users/page", &[("id", &id), ("wsq", "")]).await;
    assert_eq!(page["managed"]["owns_access"], true, "{page}");
    assert_eq!(page["managed"]["owned"], json!(["UserName", "Names"]));
}

#[tokio::test]
async fn a_delete_deactivates_by_default_and_deletes_when_the_policy_says_so() {
    let app = spawn_app().await;
    let (keeps, _) = app.scim_with(&ProvisioningPolicy::default()).await;
    let id = keeps.create_user("kept@example.com").await["id"].as_str().unwrap().to_string();
    let r = keeps.send("DELETE", &format!("/Users/{id}"), None, &[]).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let after = keeps.get(&format!("/Users/{id}")).await;
    assert_eq!((after.status, after.body["active"].clone()), (200, json!(false)), "kept, inactive, same id");
    assert!(app.audit_actions("user", &id).await.iter().any(|a| a.starts_with("user.deactivate by test-")));

    let (deletes, _) = app.scim_with(&ProvisioningPolicy { on_delete: DeleteMode::Delete, ..Default::default() }).await;
    let id = deletes.create_user("gone@example.com").await["id"].as_str().unwrap().to_string();
    assert_eq!(deletes.send("DELETE", &format!("/Users/{id}"), None, &[]).await.status, 204);
    assert_eq!(deletes.get(&format!("/Users/{id}")).await.status, 404);
}

async fn deactivate(scim: &Scim, id: &str) -> crate::helpers::ScimResponse {
    scim.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "active", "value": false}])).await
}

async fn is_active(app: &TestApp, id: &str) -> bool {
    app.services.get_user(&system(), id).await.unwrap().active
}

#[tokio::test]
async fn sixty_deactivations_trip_the_brake_at_fifty_and_allow_applies_exactly_the_held_ones_once() {
    let app = spawn_app().await;
    let (idp, credential) = app.scim_with(&ProvisioningPolicy::default()).await;
    let mut ids = Vec::new();
    for i in 0..61 {
        ids.push(idp.create_user(&format!("u{i:02}@example.com")).await["id"].as_str().unwrap().to_string());
    }
    for (i, id) in ids.iter().take(60).enumerate() {
        let r = deactivate(&idp, id).await;
        if i < 50 {
            assert_eq!(r.status, 200, "deactivation {} applies: {}", i + 1, r.body);
        } else {
            assert_scim_error(&r, 429, None);
            assert_eq!(r.headers["retry-after"], "300");
            assert!(r.body.get("scimType").is_none());
            assert!(r.body["detail"].as_str().unwrap().contains(&format!("{} such changes", i - 49)), "{}", r.body);
        }
    }
    let active: Vec<bool> = futures_active(&app, &ids[..60]).await;
    assert_eq!(active.iter().filter(|a| !**a).count(), 50, "exactly 50 applied");
    assert!(active[50..].iter().all(|a| *a), "the held ones are not applied");

    // A retry while held is held again, not twice.
    assert_scim_error(&deactivate(&idp, &ids[55]).await, 429, None);
    let held = app.services.held_changes(&system()).await.unwrap();
    assert_eq!((held.len(), held[0].credential_id.as_str(), held[0].held), (1, credential.as_str(), 10));
    // Everything else from that credential keeps working: a profile update, an activation, a
    // create. (A held user changed since it was held is not deactivated by "allow" below: the
    // identity provider said something newer about them.)
    let r = idp.patch(&format!("/Users/{}", ids[59]), json!([{"op": "replace", "path": "displayName", "value": "Still here"}])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = idp.patch(&format!("/Users/{}", ids[0]), json!([{"op": "replace", "path": "active", "value": true}])).await;
    assert_eq!((r.status, r.body["active"].clone()), (200, json!(true)));
    idp.create_user("new@example.com").await;
    // A deletion is held too (this policy deletes by deactivating).
    assert_scim_error(&idp.send("DELETE", &format!("/Users/{}", ids[60]), None, &[]).await, 429, None);
    assert!(is_active(&app, &ids[60]).await);
    // An auditor is not shown the decision.
    assert!(app.services.held_changes(&crate::helpers::auditor()).await.unwrap().is_empty());

    // Allow, for what the banner showed: the held ones applied, each once, as the credential's
    // own change; the one changed since it was held is left alone; one held after the banner
    // was shown is not decided unseen.
    let shown = app.services.held_changes(&system()).await.unwrap()[0].last_id;
    let late = idp.create_user("late@example.com").await["id"].as_str().unwrap().to_string();
    assert_scim_error(&deactivate(&idp, &late).await, 429, None);
    assert_eq!(app.services.allow_held(&system(), &credential, shown).await.unwrap(), 10);
    let active = futures_active(&app, &ids).await;
    assert!(active[1..59].iter().all(|a| !*a) && !active[60], "every held one applied");
    assert!(active[59], "changed after it was held: superseded, not applied");
    assert!(is_active(&app, &late).await, "held after the decision was shown: still held");
    let still = app.services.held_changes(&system()).await.unwrap();
    assert_eq!(still.iter().map(|h| h.held).sum::<i64>(), 1);
    // The identity provider retries what it was refused: applied once, no second event.
    let r = deactivate(&idp, &ids[55]).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let trail = app.audit_actions("user", &ids[55]).await;
    assert_eq!(trail.iter().filter(|a| a.starts_with("user.deactivate")).count(), 1, "{trail:?}");
    assert_eq!(trail.iter().filter(|a| a.starts_with("brake.hold")).count(), 1, "{trail:?}");
    // Allowed for the rest of the window: further deactivations apply.
    assert_eq!(deactivate(&idp, &ids[0]).await.status, 200);
    let decisions = app.audit_actions("scim_credential", &credential).await;
    assert!(decisions.iter().any(|a| a.starts_with("brake.allow by system")), "{decisions:?}");
}

async fn futures_active(app: &TestApp, ids: &[String]) -> Vec<bool> {
    let mut out = Vec::new();
    for id in ids {
        out.push(is_active(app, id).await);
    }
    out
}

#[tokio::test]
async fn keep_blocked_applies_nothing_and_the_credential_stays_braked_and_the_brake_can_be_turned_off() {
    let app = spawn_app().await;
    let small = ProvisioningPolicy { brake: Brake { on: true, count: 2, percent: 1 }, ..Default::default() };
    let (idp, credential) = app.scim_with(&small).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(idp.create_user(&format!("b{i}@example.com")).await["id"].as_str().unwrap().to_string());
    }
    assert_eq!(deactivate(&idp, &ids[0]).await.status, 200);
    assert_eq!(deactivate(&idp, &ids[1]).await.status, 200);
    assert_eq!(deactivate(&idp, &ids[2]).await.status, 429);
    assert_eq!(app.services.keep_blocked(&system(), &credential, i64::MAX).await.unwrap(), 1);
    assert!(is_active(&app, &ids[2]).await, "kept blocked: not applied");
    assert!(app.services.held_changes(&system()).await.unwrap().is_empty());
    assert_eq!(deactivate(&idp, &ids[3]).await.status, 429, "still braked after keep blocked");
    let trail = app.audit_actions("scim_credential", &credential).await;
    assert!(trail.iter().any(|a| a.starts_with("brake.block by system")), "{trail:?}");

    // Turned off by a security admin: applied at once (and the change is audited).
    let off = ProvisioningPolicy { brake: Brake { on: false, ..small.brake }, ..small };
    app.services.set_credential_policy(&system(), &credential, &off).await.unwrap();
    assert_eq!(deactivate(&idp, &ids[4]).await.status, 200);
    let trail = app.audit_actions("scim_credential", &credential).await;
    assert!(trail.iter().any(|a| a.starts_with("scim_credential.policy by system")), "{trail:?}");
    // The console's own deactivations are never braked (the status is the provider's: anyway).
    let deactivate_anyway = UserChange { active: Some(false), intent: Intent::Override, ..Default::default() };
    app.services.change_user_to(&system(), &ids[2], None, deactivate_anyway).await.unwrap();
    assert!(!is_active(&app, &ids[2]).await);
}

#[tokio::test]
async fn entitlements_that_are_not_workspaces_are_kept_returned_filtered_and_grant_nothing() {
    let app = spawn_app().await;
    let ws = app.workspace("Finance FY27").await;
    let (idp, _) = app.scim_with(&policy(AccessPolicy::Provider)).await;
    let mut body = okta_user("role@example.com", "Roles");
    body["entitlements"] = json!([
        {"type": "ROLE", "value": "approver", "display": "Approver", "primary": true},
        {"type": "WORKSPACE", "value": ws.id}]);
    let created = idp.post("/Users", body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let got = idp.get(&format!("/Users/{id}")).await;
    let entitlements = got.body["entitlements"].as_array().unwrap().clone();
    assert!(entitlements.contains(&json!({"type": "ROLE", "value": "approver", "display": "Approver", "primary": true})), "{entitlements:?}");
    assert!(entitlements.iter().any(|e| e["type"] == "WORKSPACE" && e["value"] == ws.id.as_str()));
    assert_eq!(workspace_names(&app, &id).await, ["Finance FY27"], "only the workspace grants access");

    for filter in [r#"entitlements[type eq "ROLE" and value eq "approver"]"#, r#"entitlements.value eq "APPROVER""#, r#"entitlements.type eq "role""#, "entitlements[primary eq true]"] {
        let r = idp.get(&format!("/Users?filter={}", urlencode(filter))).await;
        assert_eq!(r.body["totalResults"], 1, "{filter}: {}", r.body);
    }
    let by_workspace = idp.get(&format!("/Users?filter={}", urlencode(&format!(r#"entitlements[type eq "WORKSPACE" and value eq "{}"]"#, ws.id)))).await;
    assert_eq!(by_workspace.body["totalResults"], 1, "{}", by_workspace.body);
    let none = idp.get(&format!("/Users?filter={}", urlencode(r#"entitlements.value eq "auditor""#))).await;
    assert_eq!(none.body["totalResults"], 0);

    // PATCH adds another; a PATCH removing the role by filter leaves the workspace.
    let r = idp.patch(&format!("/Users/{id}"), json!([{"op": "add", "path": "entitlements", "value": [{"type": "APP_ROLE", "value": "viewer"}]}])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["entitlements"].as_array().unwrap().len(), 3, "{}", r.body);
    let r = idp.patch(&format!("/Users/{id}"), json!([{"op": "remove", "path": "entitlements[type eq \"ROLE\"]"}])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let kinds: Vec<&str> = r.body["entitlements"].as_array().unwrap().iter().filter_map(|e| e["type"].as_str()).collect();
    assert_eq!(kinds, ["WORKSPACE", "APP_ROLE"], "{}", r.body);
    assert_eq!(workspace_names(&app, &id).await, ["Finance FY27"]);
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_deactivations_from_one_credential_trip_the_brake_at_exactly_its_count() {
    let app = spawn_app().await;
    let ten = ProvisioningPolicy { brake: Brake { on: true, count: 10, percent: 1 }, ..Default::default() };
    let (idp, _) = app.scim_with(&ten).await;
    let mut ids = Vec::new();
    for i in 0..24 {
        ids.push(idp.create_user(&format!("c{i:02}@example.com")).await["id"].as_str().unwrap().to_string());
    }
    let idp = std::sync::Arc::new(idp);
    let tasks: Vec<_> = ids
        .iter()
        .cloned()
        .map(|id| {
            let idp = idp.clone();
            tokio::spawn(async move { deactivate(&idp, &id).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 10, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 14, "{statuses:?}");
    let inactive = futures_active(&app, &ids).await.iter().filter(|a| !**a).count();
    assert_eq!(inactive, 10, "exactly the applied ones");
    assert_eq!(app.services.held_changes(&system()).await.unwrap()[0].held, 14);
}
