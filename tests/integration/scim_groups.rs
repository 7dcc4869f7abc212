use serde_json::json;

use crate::helpers::{assert_scim_error, spawn_app};

#[tokio::test]
async fn okta_push_groups_create_rename_membership_and_delete() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let a = scim.create_user("a@okta.local").await["id"].as_str().unwrap().to_string();
    let b = scim.create_user("b@okta.local").await["id"].as_str().unwrap().to_string();
    let created = scim.post("/Groups", json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Test SCIMv2","members":[]})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/Groups/{id}");
    assert_scim_error(&scim.post("/Groups", json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"test scimv2"})).await, 409, Some("uniqueness"));

    let r = scim.patch(&path, json!([{"op":"replace","value":{"id":id,"displayName":"Renamed"}}])).await;
    assert_eq!((r.status, r.body["displayName"].as_str()), (200, Some("Renamed")));
    // `members` is returned on request only (RFC 7643 §7 "request"): an identity provider's
    // PATCH answer is the group without them, and `attributes=members` asks for them.
    let r = scim.patch(&path, json!([{"op":"add","path":"members","value":[{"value":a,"display":"a@okta.local"}, {"value": b}]}])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.get("members").is_none(), "{}", r.body);
    assert_eq!(scim.get(&format!("{path}?attributes=members")).await.body["members"].as_array().unwrap().len(), 2);
    assert!(scim.get(&path).await.body.get("members").is_none());
    let with_members = format!("{path}?attributes=members");
    let r = scim.patch(&with_members, json!([{"op":"remove","path":format!("members[value eq \"{a}\"]")},{"op":"add","path":"members","value":[{"value":a}]}])).await;
    assert_eq!(r.body["members"].as_array().unwrap().len(), 2, "one entry per member");
    let r = scim.patch(&with_members, json!([{"op":"replace","path":"members","value":[{"value":b}]}])).await;
    assert_eq!(r.body["members"], json!([{"value":b,"display":"b@okta.local","$ref":format!("{}/Users/{b}", scim.base),"type":"User"}]));
    // The console sees the same membership: b holds the workspace, a does not.
    assert_eq!(app.services.user_page(&crate::helpers::system(), &b, "").await.unwrap().granted_count, 1);
    assert_eq!(app.services.user_page(&crate::helpers::system(), &a, "").await.unwrap().granted_count, 0);
    // Members the server does not know are skipped, not an error.
    assert_eq!(scim.patch(&path, json!([{"op":"add","path":"members","value":[{"value":"fake-member-id"}]}])).await.status, 200);
    let r = scim.patch(&with_members, json!([{"op":"remove","path":"members"}])).await;
    assert_eq!(r.body["members"], json!([]));
    assert_eq!(scim.send("DELETE", &path, None, &[]).await.status, 204);
    assert_scim_error(&scim.get(&path).await, 404, None);
}

#[tokio::test]
async fn entra_group_shapes() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let user = scim.create_user("e@contoso.com").await["id"].as_str().unwrap().to_string();
    let created = scim.post("/Groups", json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group",
        "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "externalId":"8aa1a0c0","displayName":"displayName","meta":{"resourceType":"Group"}})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.body["externalId"], "8aa1a0c0");
    let id = created.body["id"].as_str().unwrap().to_string();
    let path = format!("/Groups/{id}");
    assert_scim_error(&scim.post("/Groups", json!({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"DISPLAYNAME","externalId":"new"})).await, 409, Some("uniqueness"));

    let r = scim.patch(&format!("{path}?attributes=members"), json!([{"op":"Add","path":"members","value":[{"$ref":null,"value":user}]}])).await;
    assert_eq!(r.body["members"].as_array().unwrap().len(), 1);
    let got = scim.get(&format!("{path}?excludedAttributes=members")).await;
    assert_eq!(got.status, 200);
    assert!(got.body.get("members").is_none());
    let listed = scim.get("/Groups?excludedAttributes=members&filter=displayName%20eq%20%22DisplayName%22").await;
    assert_eq!(listed.body["totalResults"], 1);
    assert!(listed.body["Resources"][0].get("members").is_none());
    let by_member = scim.get(&format!("/Groups?filter=members.value%20eq%20%22{user}%22")).await;
    assert_eq!(by_member.body["totalResults"], 1);
    let r = scim.patch(&format!("{path}?attributes=members"), json!([{"op":"Remove","path":"members","value":[{"$ref":null,"value":user}]}])).await;
    assert_eq!(r.body["members"], json!([]));
    let r = scim.patch(&path, json!([{"op":"Replace","path":"displayName","value":"updatedDisplayName"}])).await;
    assert_eq!(r.body["displayName"], "updatedDisplayName");
    assert_scim_error(&scim.patch(&path, json!([{"op":"remove","path":"displayName"}])).await, 400, Some("mutability"));
    assert_scim_error(&scim.patch(&path, json!([{"op":"add","path":"owner","value":"x"}])).await, 400, Some("invalidPath"));
    let put = scim.send("PUT", &format!("{path}?attributes=members"), Some(json!({"displayName":"Put Name","members":[{"value":user}]})), &[]).await;
    assert_eq!((put.status, put.body["members"].as_array().unwrap().len()), (200, 1));
    assert_eq!(scim.get(&format!("/Users/{user}")).await.body["groups"][0]["display"], "Put Name");
}

#[tokio::test]
async fn bulk_runs_operations_with_bulk_id_references_and_stops_after_fail_on_errors() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let r = scim.post("/Bulk", json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
        {"method":"POST","path":"/Groups","bulkId":"g1","data":{"displayName":"Bulk Group","members":[{"value":"bulkId:u1"}]}},
        {"method":"POST","path":"/Users","bulkId":"u1","data":{"userName":"bulk@example.com"}},
        {"method":"PATCH","path":"/Users/bulkId:u1","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations":[{"op":"replace","path":"title","value":"Bulk"}]}}
    ]})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ops = r.body["Operations"].as_array().unwrap();
    assert_eq!(ops.iter().map(|o| o["status"].as_str().unwrap()).collect::<Vec<_>>(), vec!["201", "201", "200"]);
    let group = scim.get("/Groups?filter=displayName%20eq%20%22Bulk%20Group%22&attributes=displayName,members").await;
    assert_eq!(group.body["Resources"][0]["members"][0]["display"], "bulk@example.com");

    let r = scim.post("/Bulk", json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[
        {"method":"POST","path":"/Users","data":{"userName":"bulk@example.com"}},
        {"method":"POST","path":"/Users","data":{"userName":"never@example.com"}}
    ]})).await;
    let ops = r.body["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0]["status"], "409");
    assert_eq!(ops[0]["response"]["scimType"], "uniqueness");
    assert_eq!(scim.get("/Users?filter=userName%20eq%20%22never%40example.com%22").await.body["totalResults"], 0);
    let too_many: Vec<_> = (0..1001).map(|_| json!({"method":"DELETE","path":"/Users/x"})).collect();
    assert_scim_error(&scim.post("/Bulk", json!({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":too_many})).await, 413, Some("tooMany"));
}

#[tokio::test]
async fn audit_events_name_the_scim_credential_as_the_actor() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let id = scim.create_user("audited@example.com").await["id"].as_str().unwrap().to_string();
    scim.patch(&format!("/Users/{id}"), json!([{"op":"replace","path":"active","value":false}])).await;
    let actions = app.audit_actions("user", &id).await;
    assert_eq!(actions.len(), 2);
    assert!(actions[0].starts_with("user.create by test-") && actions[0].ends_with("via scim"), "{actions:?}");
    assert!(actions[1].starts_with("user.deactivate by test-"), "{actions:?}");
}

#[tokio::test]
async fn patch_operations_apply_in_order_and_renames_move_related_etags() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let a = scim.create_user("order-a@example.com").await["id"].as_str().unwrap().to_string();
    let b = scim.create_user("order-b@example.com").await["id"].as_str().unwrap().to_string();
    let id = scim.post("/Groups", json!({"displayName":"Ordered"})).await.body["id"].as_str().unwrap().to_string();
    let path = format!("/Groups/{id}");
    let r = scim.patch(&format!("{path}?attributes=members"), json!([
        {"op":"add","path":"members","value":[{"value":b}]},
        {"op":"remove","path":format!("members[value eq \"{b}\"]")},
        {"op":"remove","path":format!("members[value eq \"{a}\"]")},
        {"op":"add","path":"members","value":[{"value":a}]}])).await;
    let members: Vec<&str> = r.body["members"].as_array().unwrap().iter().map(|m| m["value"].as_str().unwrap()).collect();
    assert_eq!(members, vec![a.as_str()], "{}", r.body);

    let group_version = scim.get(&path).await.body["meta"]["version"].clone();
    let put = scim.send("PUT", &format!("/Users/{a}"), Some(json!({"userName":"renamed-a@example.com","active":false,
        "entitlements":[{"type":"WORKSPACE","value":id}]})), &[]).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let group = scim.get(&format!("{path}?attributes=members,meta")).await.body;
    assert_ne!(group["meta"]["version"], group_version, "the member's new name changes the group");
    assert_eq!(group["members"][0]["display"], "renamed-a@example.com");

    let user_version = scim.get(&format!("/Users/{a}")).await.body["meta"]["version"].clone();
    scim.patch(&path, json!([{"op":"replace","path":"displayName","value":"Ordered Renamed"}])).await;
    let user = scim.get(&format!("/Users/{a}")).await.body;
    assert_ne!(user["meta"]["version"], user_version, "the group's new name changes its members");
    assert_eq!(user["groups"][0]["display"], "Ordered Renamed");
    assert_eq!(user["active"], false);
    let again = scim.send("PUT", &format!("/Users/{a}"), Some(json!({"userName":"renamed-a@example.com","entitlements":[{"type":"WORKSPACE","value":id}]})), &[]).await;
    assert_eq!(again.body["active"], false, "a PUT without active leaves it as it was");
}
