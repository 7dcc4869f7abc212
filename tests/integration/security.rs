//! Both doors as an attacker sees them: stored names that try to become markup, forged
//! cross-site posts, refusals that must say what they are, and sign-in guessing.

use std::sync::Arc;

use cim::service::{ServiceError, Services, SystemClock};
use serde_json::json;
use tokio::task::JoinSet;

use crate::helpers::{spawn_app, system, ADMIN, AUDITOR, PASSWORD};

/// Markup planted in names; each piece would run script or add an element if it reached a page
/// unescaped.
const HOSTILE: [&str; 3] = [
    "</title><script>alert(1)</script>",
    "<img/src=x/onerror=alert(2)>",
    "\"><svg/onload=alert(3)>",
];

fn assert_no_markup_from(page: &str, url: &str) {
    for planted in ["<script>alert", "<img/src=x", "<svg/onload", "</title><script"] {
        assert!(!page.contains(planted), "{url} carries {planted} unescaped");
    }
    for (i, _) in page.match_indices("<script") {
        let tag_end = page[i..].find('>').map(|e| i + e).unwrap_or(page.len());
        assert!(page[i..tag_end].contains("nonce="), "{url}: a script without this page's nonce: {}", &page[i..tag_end]);
    }
}

#[tokio::test]
async fn hostile_names_from_both_doors_reach_no_page_as_markup() {
    let app = spawn_app().await;
    app.sign_in().await;
    let scim = app.scim().await;
    let created = scim
        .post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": HOSTILE[0],
            "displayName": HOSTILE[1], "name": {"givenName": HOSTILE[2], "familyName": HOSTILE[1]}, "externalId": HOSTILE[2]}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let user_id = created.body["id"].as_str().unwrap().to_string();
    let group = scim.post("/Groups", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": HOSTILE[0],
        "members": [{"value": user_id}]})).await;
    assert_eq!(group.status, 201, "{}", group.body);
    let (status, console_ws) = app.call("workspaces/create", &[("name", HOSTILE[1]), ("description", HOSTILE[2])]).await;
    assert_eq!(status, 200, "{console_ws}");
    let (status, _) = app.call("credentials/issue", &[("name", HOSTILE[2]), ("kind", "bearer")]).await;
    assert_eq!(status, 200);

    let pages = [
        "/users".to_string(),
        "/users?q=title".to_string(),
        format!("/users/{user_id}"),
        "/workspaces".to_string(),
        format!("/workspaces/{}", group.body["id"].as_str().unwrap()),
        format!("/workspaces/{}", console_ws["id"].as_str().unwrap()),
        "/credentials".to_string(),
    ];
    for path in &pages {
        let response = crate::helpers::within(path, app.client.get(format!("{}{path}", app.base)).send()).await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let csp = response.headers()["content-security-policy"].to_str().unwrap().to_string();
        assert!(csp.contains("script-src 'self' 'nonce-") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        let page = crate::helpers::within(path, response.text()).await.unwrap();
        assert_no_markup_from(&page, path);
    }
    let user_page = app.client.get(format!("{}/users/{user_id}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(user_page.contains("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; · CIM</title>"), "the title shows the name as text");
    let login = reqwest::Client::new().get(format!("{}/login?next={}", app.base, "%22%3E%3Cscript%3Ealert(4)%3C/script%3E")).send().await.unwrap();
    assert_no_markup_from(&login.text().await.unwrap(), "/login");
}

#[tokio::test]
async fn pages_and_answers_with_identity_data_are_never_cached_framed_or_sniffed() {
    let app = spawn_app().await;
    app.sign_in().await;
    for path in ["/users", "/workspaces", "/credentials"] {
        let response = app.client.get(format!("{}{path}", app.base)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["cache-control"], "no-store", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
    let api = app.client.post(format!("{}/api/users/list", app.base)).header("Accept", "application/json")
        .form(&[("q", ""), ("status", "all")]).send().await.unwrap();
    assert_eq!(api.headers()["cache-control"], "no-store");
    let scim = app.scim().await;
    assert_eq!(scim.get("/Users").await.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn only_same_origin_form_posts_reach_a_server_function() {
    let app = spawn_app().await;
    app.sign_in().await;
    let own = app.base.clone();
    let form = "application/x-www-form-urlencoded";
    // (Origin, Referer, Content-Type, Sec-Fetch-Site, expected status)
    let cases: [(Option<&str>, Option<String>, &str, Option<&str>, u16); 10] = [
        (Some(&own), None, form, Some("same-origin"), 200),
        (None, Some(format!("{own}/workspaces")), form, None, 200),
        (None, None, form, None, 200),
        (Some("http://evil.example"), None, form, None, 403),
        (Some("null"), None, form, None, 403),
        (None, Some("http://evil.example/page".into()), form, None, 403),
        (Some(&own), None, form, Some("cross-site"), 403),
        (Some(&own), None, form, Some("same-site"), 403),
        (Some(&own), None, "text/plain", None, 415),
        (Some(&own), None, "application/json", None, 415),
    ];
    for (i, (origin, referer, content_type, site, expected)) in cases.iter().enumerate() {
        let name = format!("Planted {i}");
        let mut request = app.client.post(format!("{}/api/workspaces/create", app.base))
            .header("Accept", "application/json").header("Content-Type", *content_type)
            .body(format!("name=Planted+{i}&description="));
        if let Some(origin) = origin {
            request = request.header("Origin", *origin);
        }
        if let Some(referer) = referer {
            request = request.header("Referer", referer.as_str());
        }
        if let Some(site) = site {
            request = request.header("Sec-Fetch-Site", *site);
        }
        let status = request.send().await.unwrap().status().as_u16();
        assert_eq!(status, *expected, "case {i}: {origin:?} {referer:?} {content_type} {site:?}");
        let created = app.store.find_workspace_id_by_name(&name).await.unwrap().is_some();
        assert_eq!(created, *expected == 200, "case {i}");
    }
}

#[tokio::test]
async fn every_kind_of_refusal_has_its_own_status_and_only_faults_are_500() {
    let app = spawn_app().await;
    let user = app.user("status@example.com").await;
    let (status, body) = app.call("users/list", &[("q", ""), ("status", "all")]).await;
    assert_eq!((status, body), (401, json!("Unauthenticated")));
    app.sign_in_as(AUDITOR).await;
    let (status, _) = app.call("users/set_active", &[("id", &user.id), ("version", "1"), ("confirm", "yes")]).await;
    assert_eq!(status, 403);
    app.sign_in().await;
    let (status, _) = app.call("users/page", &[("id", "no-such-user"), ("wsq", "")]).await;
    assert_eq!(status, 404);
    let (status, body) = app.call("users/create", &[("user_name", "has space"), ("external_id", ""), ("given_name", ""),
        ("family_name", ""), ("display_name", ""), ("email", "")]).await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app.call("users/create", &[("user_name", "STATUS@example.com"), ("external_id", ""), ("given_name", ""),
        ("family_name", ""), ("display_name", ""), ("email", "")]).await;
    assert_eq!(status, 409);
    let (status, _) = app.call("users/set_active", &[("id", &user.id), ("version", "7"), ("confirm", "yes")]).await;
    assert_eq!(status, 409);
    let (status, body) = app.call("users/set_active", &[("id", &user.id)]).await;
    assert_eq!(status, 422, "a form missing a field is the caller's mistake: {body}");
}

#[tokio::test]
async fn correct_sign_ins_at_once_all_succeed() {
    let app = spawn_app().await;
    let mut attempts = JoinSet::new();
    for _ in 0..8 {
        let base = app.base.clone();
        attempts.spawn(async move {
            reqwest::Client::new().post(format!("{base}/api/login")).header("Accept", "application/json")
                .form(&[("username", ADMIN), ("password", PASSWORD)]).send().await.unwrap().status().as_u16()
        });
    }
    while let Some(status) = attempts.join_next().await {
        assert_eq!(status.unwrap(), 200);
    }
}

#[tokio::test]
async fn failures_lock_a_user_name_from_one_address_only_and_survive_a_restart() {
    let app = spawn_app().await;
    let services = &app.services;
    for _ in 0..5 {
        let err = services.authenticate(ADMIN, "a-wrong-guess-here", "203.0.113.9").await.unwrap_err();
        assert!(matches!(err, ServiceError::Invalid { .. }), "{err:?}");
    }
    let locked = services.authenticate(ADMIN, PASSWORD, "203.0.113.9").await.unwrap_err();
    assert!(matches!(locked, ServiceError::Throttled(_)), "{locked:?}");
    services.authenticate(ADMIN, PASSWORD, "198.51.100.7").await.expect("the admin still signs in from elsewhere");
    services.authenticate(AUDITOR, PASSWORD, "203.0.113.9").await.expect("other users still sign in from there");

    // A new process on the same store (a restart, or a second instance) keeps counting.
    let restarted = Services::new(app.store.clone(), Arc::new(SystemClock));
    let still = restarted.authenticate(ADMIN, PASSWORD, "203.0.113.9").await.unwrap_err();
    assert!(matches!(still, ServiceError::Throttled(_)), "{still:?}");
}

#[tokio::test]
async fn names_that_reorder_text_and_ill_typed_attributes_are_refused() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let spoof = scim.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "admin\u{202E}moc.elpmaxe@evil.example"})).await;
    crate::helpers::assert_scim_error(&spoof, 400, Some("invalidValue"));
    let err = app.services.create_workspace(&system(), &crate::helpers::named("Fin\u{2067}ance")).await.unwrap_err();
    assert!(matches!(err, ServiceError::Invalid { .. }), "{err:?}");
    let number = scim.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "typed@example.com", "nickName": 42})).await;
    crate::helpers::assert_scim_error(&number, 400, Some("invalidValue"));
    let huge = scim.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "huge@example.com", "title": "x".repeat(20_000)})).await;
    crate::helpers::assert_scim_error(&huge, 400, Some("invalidValue"));
    let (total, _) = app.services.find_users(&system(), &cim::domain::query::ListQuery { condition: None, sort: None, offset: 0, limit: 10 }).await.unwrap();
    assert_eq!(total, 0, "nothing was created");
}
