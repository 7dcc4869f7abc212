//! The console and SCIM change users through one service write: the same change from either
//! door stores the same state and records the same audit action.

use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

/// The last audit action recorded for a user, and the door it came through.
async fn last_action(app: &TestApp, id: &str) -> (String, String) {
    let events = app.store.audit_of("user", id, 1).await.unwrap();
    (events[0].action.clone(), events[0].door.clone())
}

#[tokio::test]
async fn the_same_change_through_either_door_is_stored_and_audited_alike() {
    let app = spawn_app().await;
    app.sign_in().await;
    let scim = app.scim().await;
    let ws = app.workspace("Finance FY27").await;
    let by_console = app.user("console.side@example.com").await;
    let by_scim = app.user("scim.side@example.com").await;
    let patch = |ops| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});

    // Deactivate.
    app.call("users/set_active", &[("id", &by_console.id), ("version", "1"), ("confirm", "yes")]).await;
    scim.send("PATCH", &format!("/Users/{}", by_scim.id), Some(patch(json!([{"op": "replace", "path": "active", "value": false}]))), &[]).await;
    assert_eq!(last_action(&app, &by_console.id).await, ("user.deactivate".into(), "console".into()));
    assert_eq!(last_action(&app, &by_scim.id).await, ("user.deactivate".into(), "scim".into()));

    // Grant a workspace.
    app.call("users/save_access", &[("user_id", &by_console.id), ("version", "2"), ("shown[]", &ws.id), ("granted[]", &ws.id)]).await;
    scim.send("PATCH", &format!("/Users/{}", by_scim.id),
        Some(patch(json!([{"op": "add", "path": "entitlements", "value": [{"type": "WORKSPACE", "value": ws.id}]}]))), &[]).await;
    assert_eq!(last_action(&app, &by_console.id).await.0, "access.grant");
    assert_eq!(last_action(&app, &by_scim.id).await.0, "access.grant");

    // Change the given name.
    app.call("users/update", &[("id", &by_console.id), ("version", "3"), ("user_name", "console.side@example.com"),
        ("external_id", ""), ("given_name", "Renamed"), ("family_name", "User"), ("display_name", "Test User"), ("email", "")]).await;
    scim.send("PATCH", &format!("/Users/{}", by_scim.id), Some(patch(json!([{"op": "replace", "path": "name.givenName", "value": "Renamed"}]))), &[]).await;
    assert_eq!(last_action(&app, &by_console.id).await.0, "user.update");
    assert_eq!(last_action(&app, &by_scim.id).await.0, "user.update");

    for id in [&by_console.id, &by_scim.id] {
        let stored = app.services.user_with_access(&crate::helpers::system(), id).await.unwrap();
        assert_eq!((stored.user.active, stored.user.version, stored.user.given_name.as_str()), (false, 4, "Renamed"));
        assert_eq!(stored.workspaces.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["Finance FY27"]);
        let event = &app.store.audit_of("user", id, 1).await.unwrap()[0];
        assert_eq!(event.before_json.as_deref(), Some(r#"{"given_name":"Test"}"#), "only what changed is recorded: {:?}", event.after_json);
        assert_eq!(event.after_json.as_deref(), Some(r#"{"given_name":"Renamed"}"#));
    }
    assert_eq!(app.store.get_workspace(&ws.id).await.unwrap().unwrap().member_count, 2);
}

#[tokio::test]
async fn a_change_of_several_things_is_one_event_that_names_each() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let ws = app.workspace("Sales").await;
    let created = scim.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "many@example.com",
        "entitlements": [{"type": "WORKSPACE", "value": ws.id}]})).await;
    let id = created.body["id"].as_str().unwrap();
    let put = scim.send("PUT", &format!("/Users/{id}"), Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "many@example.com", "displayName": "Many Things", "active": false})), &[]).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let event = &app.store.audit_of("user", id, 1).await.unwrap()[0];
    assert_eq!(event.action, "user.update+user.deactivate+access.revoke");
    let after: serde_json::Value = serde_json::from_str(event.after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after["revoked"], json!([{"id": ws.id, "name": "Sales"}]));
    assert_eq!(after["active"], false);
}
