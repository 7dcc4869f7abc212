//! What one SCIM request may cost: each limit answers a clear 4xx at once and changes nothing,
//! the console keeps answering while expensive requests run, and a store that stays locked
//! answers 503 (retry later), never 500.

use std::time::Duration;

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::helpers::{assert_scim_error, spawn_app, spawn_app_waiting, system};

fn patch(ops: Vec<Value>) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops})
}

#[tokio::test]
async fn oversized_and_overlong_requests_are_refused_before_any_work() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let id = scim.create_user("costly@example.com").await["id"].as_str().unwrap().to_string();
    let path = format!("/Users/{id}");

    // 1.3 MB: over the body limit, refused while reading.
    let entitlements: Vec<Value> = (0..30_000).map(|i| json!({"type": "WORKSPACE", "value": format!("ws-{i:05}")})).collect();
    let big = scim.send("PATCH", &path, Some(patch(vec![json!({"op": "add", "path": "entitlements", "value": entitlements})])), &[]).await;
    assert_scim_error(&big, 413, None);
    // Within the limit, but naming more workspaces than one change may.
    let many: Vec<Value> = (0..5_000).map(|i| json!({"value": format!("w{i}")})).collect();
    let refs = scim.send("PATCH", &path, Some(patch(vec![json!({"op": "add", "path": "entitlements", "value": many})])), &[]).await;
    assert_scim_error(&refs, 400, Some("invalidValue"));
    assert!(refs.body["detail"].as_str().unwrap().contains("at most 1000"), "{}", refs.body);
    let ops: Vec<Value> = (0..1001).map(|i| json!({"op": "replace", "path": "displayName", "value": format!("N{i}")})).collect();
    assert_scim_error(&scim.send("PATCH", &path, Some(patch(ops)), &[]).await, 400, Some("invalidValue"));

    let chain = |n: usize| (0..n).map(|i| format!("emails.value eq \"u{i}@example.com\"")).collect::<Vec<_>>().join(" or ");
    let refused = scim.post("/Users/.search", json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": chain(51)})).await;
    assert_scim_error(&refused, 400, Some("invalidFilter"));
    let long_or = (0..2000).map(|_| "userName pr").collect::<Vec<_>>().join(" or ");
    let refused = scim.post("/Users/.search", json!({"filter": long_or})).await;
    assert_scim_error(&refused, 400, Some("invalidFilter"));

    let bulk_ops: Vec<Value> = (0..1001).map(|i| json!({"method": "DELETE", "path": format!("/Users/x{i}")})).collect();
    let bulk = scim.post("/Bulk", json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": bulk_ops})).await;
    assert_scim_error(&bulk, 413, Some("tooMany"));

    let group = scim.post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Crowd"})).await;
    let members: Vec<Value> = (0..10_001).map(|i| json!({"value": format!("u{i}")})).collect();
    let crowd = scim.send("PATCH", &format!("/Groups/{}", group.body["id"].as_str().unwrap()),
        Some(patch(vec![json!({"op": "add", "path": "members", "value": members})])), &[]).await;
    assert_scim_error(&crowd, 400, Some("invalidValue"));

    let user = scim.get(&path).await;
    assert_eq!(user.body["meta"]["version"], "W/\"1\"", "nothing was written");
    let config = scim.get("/ServiceProviderConfig").await.body;
    assert_eq!(config["bulk"]["maxOperations"], 1000);
    assert_eq!(config["bulk"]["maxPayloadSize"], 1_048_576);
    assert_eq!(config["filter"]["maxResults"], 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_console_keeps_answering_while_expensive_filters_run() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.services.load_demo_data(&system(), cim::service::DemoSize { users: 3000, workspaces: 10, ..Default::default() }).await.unwrap();
    let scim = app.scim().await;
    // 50 comparisons, the most a filter may hold, each looking inside a multi-valued attribute.
    let filter = (0..25).map(|i| format!("emails[value co \"x{i}\"] or entitlements.display co \"y{i}\"")).collect::<Vec<_>>().join(" or ");
    let mut heavy = JoinSet::new();
    for _ in 0..10 {
        let (http, base, token, filter) = (scim.http.clone(), scim.base.clone(), scim.token.clone(), filter.clone());
        heavy.spawn(async move {
            http.post(format!("{base}/Users/.search")).bearer_auth(token).header("Content-Type", "application/scim+json")
                .body(json!({"filter": filter, "count": 10}).to_string()).send().await.unwrap().status().as_u16()
        });
    }
    for _ in 0..5 {
        let (status, page) = app.call("users/list", &[("q", ""), ("status", "all")]).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["rows"].as_array().unwrap().len(), 50);
    }
    while let Some(status) = heavy.join_next().await {
        let status = status.unwrap();
        assert!(matches!(status, 200 | 503), "an expensive filter is served or told to retry, never failed: {status}");
    }
}

#[tokio::test]
async fn a_write_that_cannot_get_the_lock_in_time_is_a_503_to_retry() {
    let app = spawn_app_waiting(Duration::from_millis(300)).await;
    let scim = app.scim().await;
    app.sign_in().await;
    let id = scim.create_user("locked.out@example.com").await["id"].as_str().unwrap().to_string();
    // Another writer holds the user (SQLite: the one write lock; PostgreSQL: the row).
    let mut held = app.store.write().await.unwrap();
    held.lock_user(&id).await.unwrap();
    let refused = scim.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "active", "value": false}])).await;
    assert_scim_error(&refused, 503, None);
    assert_eq!(refused.headers["retry-after"], "2");
    let (status, body) = app.call("users/set_active", &[("id", &id), ("version", "1"), ("confirm", "yes"), ("anyway", "yes")]).await;
    assert_eq!((status, body), (503, json!("Busy")));
    drop(held);
    let applied = scim.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "active", "value": false}])).await;
    assert_eq!(applied.status, 200, "{}", applied.body);
}

#[tokio::test]
async fn a_path_less_patch_counts_every_key_and_lists_cannot_grow_past_their_bound() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let id = scim.create_user("keys@example.com").await["id"].as_str().unwrap().to_string();
    // 1,001 distinct spellings of one attribute in one operation without a path.
    let many: serde_json::Map<String, Value> = (0..1001)
        .map(|i| {
            let spelling: String = "displayname".chars().enumerate()
                .map(|(b, c)| if i >> b & 1 == 1 { c.to_ascii_uppercase() } else { c }).collect();
            (spelling, json!("N"))
        })
        .collect();
    assert_eq!(many.len(), 1001);
    let refused = scim.send("PATCH", &format!("/Users/{id}"), Some(patch(vec![json!({"op": "replace", "value": many})])), &[]).await;
    assert_scim_error(&refused, 400, Some("invalidValue"));
    let phones: Vec<Value> = (0..1001).map(|i| json!({"value": format!("+1 555 {i:04}"), "type": "work"})).collect();
    let grown = scim.send("PATCH", &format!("/Users/{id}"), Some(patch(vec![json!({"op": "add", "path": "phoneNumbers", "value": phones})])), &[]).await;
    assert_scim_error(&grown, 400, Some("invalidValue"));
    assert_eq!(scim.get(&format!("/Users/{id}")).await.body["meta"]["version"], "W/\"1\"");
}

#[tokio::test]
async fn bulk_references_run_in_dependency_order_and_missing_ones_fail_alone() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    // The group comes first but names the user created after it; a third refers to nothing.
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
        {"method": "POST", "path": "/Groups", "bulkId": "g", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Chained", "members": [{"value": "bulkId:u"}]}},
        {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "chained@example.com"}},
        {"method": "PATCH", "path": "/Users/bulkId:nowhere", "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": false}]}}
    ]});
    let response = scim.post("/Bulk", body).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let ops = response.body["Operations"].as_array().unwrap();
    assert_eq!(ops.iter().map(|o| o["status"].as_str().unwrap()).collect::<Vec<_>>(), ["201", "201", "409"]);
    let group = scim.get(&format!("{}?attributes=members", ops[0]["location"].as_str().unwrap().rsplit_once("/scim/v2").unwrap().1)).await;
    assert_eq!(group.body["members"][0]["display"], "chained@example.com");
}
