use serde_json::{json, Value};

use crate::helpers::{spawn_app, Scim};

/// The userNames of one unfiltered page, and the total it reports.
async fn page(scim: &Scim, offset: usize, count: usize) -> (i64, Vec<String>) {
    let r = scim.get(&format!("/Users?startIndex={}&count={count}&attributes=userName", offset + 1)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let names = r.body["Resources"].as_array().unwrap().iter().map(|u| u["userName"].as_str().unwrap().to_string()).collect();
    (r.body["totalResults"].as_i64().unwrap(), names)
}

/// Creates `n` users page-0000@example.com, page-0001@... (by SCIM bulk, within its limit of
/// operations per request); their names, in order.
async fn numbered_users(scim: &Scim, n: usize) -> Vec<String> {
    let names: Vec<String> = (0..n).map(|i| format!("page-{i:04}@example.com")).collect();
    for chunk in names.chunks(1_000) {
        let ops: Vec<Value> = chunk.iter().map(|n| json!({"method": "POST", "path": "/Users", "bulkId": n, "data": {"userName": n}})).collect();
        let r = scim.post("/Bulk", json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops})).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    names
}

/// Deep pages start from a kept user name instead of walking from the top: whatever the page,
/// and right after users are created, deleted or renamed through this instance, each page holds
/// exactly the users that position holds in user-name order.
#[tokio::test]
async fn deep_pages_hold_the_users_of_their_position_in_name_order() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let mut expected = numbered_users(&scim, 1_250).await;
    let offsets = [0, 998, 999, 1_000, 1_001, 1_099, 1_100, 1_101, 1_234, 1_245];
    let check = |expected: Vec<String>| {
        let scim = &scim;
        async move {
            for offset in offsets {
                let (total, names) = page(scim, offset, 7).await;
                assert_eq!(total, expected.len() as i64);
                let want: Vec<String> = expected.iter().skip(offset).take(7).cloned().collect();
                assert_eq!(names, want, "the page at offset {offset}");
            }
        }
    };
    check(expected.clone()).await;

    // A new user early in the order moves every later page by one, at once.
    scim.create_user("page-0000a@example.com").await;
    expected.push("page-0000a@example.com".into());
    expected.sort();
    check(expected.clone()).await;

    // So do a deletion and a rename.
    let first = scim.get("/Users?filter=userName%20eq%20%22page-0001%40example.com%22").await.body["Resources"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(scim.send("DELETE", &format!("/Users/{first}"), None, &[]).await.status, 204);
    expected.retain(|n| n != "page-0001@example.com");
    check(expected.clone()).await;
    let second = scim.get("/Users?filter=userName%20eq%20%22page-0002%40example.com%22").await.body["Resources"][0]["id"].as_str().unwrap().to_string();
    let renamed = scim.patch(&format!("/Users/{second}"), json!([{"op": "replace", "path": "userName", "value": "page-9999@example.com"}])).await;
    assert_eq!(renamed.status, 200, "{}", renamed.body);
    expected.retain(|n| n != "page-0002@example.com");
    expected.push("page-9999@example.com".into());
    expected.sort();
    check(expected).await;
}

/// Users renamed or deleted elsewhere (another instance, the command line) show in deep pages
/// once the kept names go stale (a second): the names are checked against the users' number and
/// latest change, and read again when either moved; unchanged, they are kept.
#[tokio::test]
async fn deep_pages_follow_users_changed_elsewhere_once_the_kept_names_go_stale() {
    let app = spawn_app().await;
    let scim = app.scim().await;
    let mut expected = numbered_users(&scim, 1_150).await;
    let deep = |expected: &[String]| expected[1_100..1_105].to_vec();
    assert_eq!(page(&scim, 1_100, 5).await.1, deep(&expected));
    // The page at 1,100 until it is `want`, for at most 5 s: the names go stale after a second
    // (or ten times their read, a few ms here). Less than the 10 s after which names are read in
    // full whatever the check says, so a change shows through the check.
    let settles = |want: (i64, Vec<String>)| {
        let scim = &scim;
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            loop {
                let shown = page(scim, 1_100, 5).await;
                if shown == want || std::time::Instant::now() > deadline {
                    return shown;
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    };
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(page(&scim, 1_100, 5).await.1, deep(&expected), "still right once the names went stale");

    // Renamed behind this instance's back, with a later change time.
    app.execute(
        "UPDATE users SET user_name = 'zz-renamed@example.com', user_name_key = 'zz-renamed@example.com', \
         last_modified = (SELECT MAX(last_modified) FROM users) + 1 WHERE user_name_key = 'page-0003@example.com'",
    )
    .await;
    expected.retain(|n| n != "page-0003@example.com");
    expected.push("zz-renamed@example.com".into());
    let want = (expected.len() as i64, deep(&expected));
    assert_eq!(settles(want.clone()).await, want, "the rename shows");

    // Deleted behind its back: one user fewer, the latest change as it was.
    app.execute("DELETE FROM users WHERE user_name_key = 'page-0005@example.com'").await;
    expected.retain(|n| n != "page-0005@example.com");
    let want = (expected.len() as i64, deep(&expected));
    assert_eq!(settles(want.clone()).await, want, "the deletion shows");
}
