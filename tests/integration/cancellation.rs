//! Clients that hang up mid-request (a load balancer's timeout, an identity provider giving up,
//! wrk at the end of a run) must never leave a transaction open or a pooled connection in a bad
//! state: the writes beside them keep working, and each cancelled write is whole or absent.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::task::JoinSet;

use crate::helpers::{spawn_app, TestApp};

const HANGERS: usize = 600;
const NORMAL_WRITERS: usize = 4;
const WRITES_EACH: usize = 25;

/// Sends one whole request over its own connection, waits `after`, and hangs up without reading
/// the answer: the server has the request and sees the connection close while it works on it.
async fn hang_up(addr: String, request: String, after: Duration) {
    let Ok(mut stream) = tokio::net::TcpStream::connect(&addr).await else { return };
    if stream.write_all(request.as_bytes()).await.is_ok() {
        tokio::time::sleep(after).await;
    }
    drop(stream);
}

fn http_request(method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: cim.test\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        text.push_str(&format!("{k}: {v}\r\n"));
    }
    text.push_str("\r\n");
    text.push_str(body);
    text
}

fn scim_user(user_name: &str) -> serde_json::Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name,
           "name": {"givenName": "Cancel", "familyName": "Me"}})
}

/// Waits until the audit trail stops growing: cancelled writes run on after their clients left.
async fn settled(app: &TestApp) -> i64 {
    let mut last = -1;
    for _ in 0..100 {
        let now = app.store.count_audit_events().await.unwrap();
        if now == last {
            return now;
        }
        last = now;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("the store kept changing for 30 s after every client was gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundreds_of_cancelled_writes_through_both_doors_never_wedge_the_writes_beside_them() {
    let app = spawn_app().await;
    app.sign_in().await;
    let scim = app.scim().await;
    // Users the cancelled PATCHes edit, so updates are cancelled as well as creates.
    let mut targets = Vec::new();
    for i in 0..10 {
        targets.push(scim.create_user(&format!("target{i}@example.com")).await["id"].as_str().unwrap().to_string());
    }

    let addr = app.base.trim_start_matches("http://").to_string();
    let bearer = format!("Bearer {}", scim.token);
    let cookie = app.session_cookie();
    let scim_json = [("Authorization", bearer.as_str()), ("Content-Type", "application/scim+json")];
    let console_form = [("Cookie", cookie.as_str()), ("Accept", "application/json"), ("Content-Type", "application/x-www-form-urlencoded")];
    let mut hangers = JoinSet::new();
    for i in 0..HANGERS {
        let after = Duration::from_micros(400 * (i % 50) as u64);
        let request = match i % 3 {
            0 => http_request("POST", "/scim/v2/Users", &scim_json, &scim_user(&format!("cancelled{i}@example.com")).to_string()),
            1 => http_request("PATCH", &format!("/scim/v2/Users/{}", targets[i % targets.len()]), &scim_json,
                &json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "path": "displayName", "value": format!("Cancelled {i}")}]}).to_string()),
            _ => http_request("POST", "/api/workspaces/create", &console_form, &format!("name=Cancelled+workspace+{i}&description=")),
        };
        hangers.spawn(hang_up(addr.clone(), request, after));
    }

    let mut normal = JoinSet::new();
    for writer in 0..NORMAL_WRITERS {
        let (scim_http, base, token) = (scim.http.clone(), scim.base.clone(), scim.token.clone());
        let (console, app_base) = (app.client.clone(), app.base.clone());
        normal.spawn(async move {
            let mut failures = Vec::new();
            for n in 0..WRITES_EACH {
                let response = if n % 2 == 0 {
                    scim_http.post(format!("{base}/Users")).bearer_auth(&token).header("Content-Type", "application/scim+json")
                        .body(scim_user(&format!("normal{writer}-{n}@example.com")).to_string()).send().await
                } else {
                    console.post(format!("{app_base}/api/workspaces/create")).header("Accept", "application/json")
                        .form(&[("name", format!("Normal workspace {writer}-{n}")), ("description", String::new())]).send().await
                };
                match response {
                    Ok(r) if r.status().is_success() => {}
                    Ok(r) => failures.push(format!("{} {}", r.status(), r.text().await.unwrap_or_default())),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            failures
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = normal.join_next().await {
        failures.extend(done.unwrap());
    }
    while hangers.join_next().await.is_some() {}
    assert!(failures.is_empty(), "{} of {} normal writes failed: {:?}", failures.len(), NORMAL_WRITERS * WRITES_EACH, &failures[..failures.len().min(5)]);

    settled(&app).await;
    // One more write from each door still works after the storm.
    scim.create_user("after.the.storm@example.com").await;
    let (status, body) = app.call("workspaces/create", &[("name", "After the storm"), ("description", "")]).await;
    assert_eq!(status, 200, "{body}");

    // Every cancelled create is whole (row and its audit event) or absent (neither).
    let events = app.store.audit_events_all().await.unwrap();
    let mut created: HashMap<String, usize> = HashMap::new();
    for e in events.iter().filter(|e| e.action == "user.create" || e.action == "workspace.create") {
        *created.entry(e.target_name.clone()).or_default() += 1;
    }
    for i in (0..HANGERS).filter(|i| i % 3 != 1) {
        let (name, exists) = if i % 3 == 0 {
            let name = format!("cancelled{i}@example.com");
            let found = app.store.find_user_id_by_name(&name).await.unwrap().is_some();
            (name, found)
        } else {
            let name = format!("Cancelled workspace {i}");
            let found = app.store.find_workspace_id_by_name(&name).await.unwrap().is_some();
            (name, found)
        };
        assert_eq!(created.get(&name).copied().unwrap_or(0), usize::from(exists), "{name}: exists={exists}");
    }
    // Every version step of an edited user has exactly one audit event, and the stored name is
    // the one the last event recorded.
    for id in &targets {
        let user = app.store.get_user(id).await.unwrap().unwrap();
        let history = app.store.audit_of("user", id, 1000).await.unwrap();
        assert_eq!(history.len() as i64, user.version, "user {id}: one event per version");
        let last_after: serde_json::Value = serde_json::from_str(history[0].after_json.as_deref().unwrap()).unwrap();
        assert_eq!(last_after["display_name"], user.display_name);
    }
}

/// The same below the doors: a service write whose future is dropped at any await (a timeout in
/// a background job, say) leaves no open transaction behind for the next writer.
const DROPPED: u64 = 1200;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn service_writes_dropped_at_any_point_leave_the_store_usable() {
    let app = spawn_app().await;
    // A few rounds: the unsafe moment is brief, so one round alone may miss it.
    for round in 0..3 {
        let mut dropped = JoinSet::new();
        for i in 0..DROPPED {
            let services = app.services.clone();
            dropped.spawn(async move {
                let (actor, change) = (crate::helpers::system(), crate::helpers::named(&format!("Dropped {round}-{i}")));
                let write = services.create_workspace(&actor, &change);
                let _ = tokio::time::timeout(Duration::from_micros(25 * (i % 80)), write).await;
            });
        }
        let mut normal = JoinSet::new();
        for i in 0..40 {
            let services = app.services.clone();
            normal.spawn(async move {
                let (actor, name) = (crate::helpers::system(), format!("Kept {round}-{i}"));
                services.create_workspace(&actor, &crate::helpers::named(&name)).await
            });
        }
        while let Some(done) = normal.join_next().await {
            done.unwrap().expect("a write beside the dropped ones failed");
        }
        while dropped.join_next().await.is_some() {}
        let events = app.store.audit_events_all().await.unwrap();
        for i in 0..DROPPED {
            let name = format!("Dropped {round}-{i}");
            let exists = app.store.find_workspace_id_by_name(&name).await.unwrap().is_some();
            let audited = events.iter().filter(|e| e.target_name == name).count();
            assert_eq!(audited, usize::from(exists), "{name}");
        }
    }
    app.services.create_workspace(&crate::helpers::system(), &crate::helpers::named("Afterwards")).await.expect("the store is usable");
}
