use crate::helpers::{spawn_app, AUDITOR};

#[tokio::test]
async fn ticking_a_workspace_grants_it_bumps_versions_and_is_audited_once() {
    let app = spawn_app().await;
    app.sign_in().await;
    let user = app.user("grace@example.com").await;
    let ws = app.workspace("Finance").await;

    let (status, body) = app
        .call("users/save_access", &[("user_id", &user.id), ("version", "1"), ("shown[]", &ws.id), ("granted[]", &ws.id)])
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);

    let (_, page) = app.call("users/page", &[("id", &user.id), ("wsq", "")]).await;
    assert_eq!(page["workspaces"][0]["workspace_name"], "Finance");
    assert_eq!(page["workspaces"][0]["granted"], true);
    assert_eq!(page["granted_count"], 1);
    let ws_after = app.store.get_workspace(&ws.id).await.unwrap().unwrap();
    assert_eq!((ws_after.member_count, ws_after.version), (1, 2));
    assert_eq!(app.audit_actions("user", &user.id).await, vec![
        "user.create by system via cli".to_string(),
        format!("access.grant by {} via console", crate::helpers::ADMIN),
    ]);

    // Unticking: the checkbox is absent from the form.
    let (status, body) = app.call("users/save_access", &[("user_id", &user.id), ("version", "2"), ("shown[]", &ws.id)]).await;
    assert_eq!(status, 200, "{body}");
    let (_, page) = app.call("users/page", &[("id", &user.id), ("wsq", "")]).await;
    assert_eq!(page["workspaces"][0]["granted"], false);
    assert_eq!(app.store.get_workspace(&ws.id).await.unwrap().unwrap().member_count, 0);
}

#[tokio::test]
async fn a_stale_version_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in().await;
    let user = app.user("stale@example.com").await;
    let ws = app.workspace("Legal").await;
    let (status, _) = app.call("users/set_active", &[("id", &user.id), ("version", "1"), ("confirm", "yes")]).await;
    assert_eq!(status, 200);

    let (status, body) = app
        .call("users/save_access", &[("user_id", &user.id), ("version", "1"), ("shown[]", &ws.id), ("granted[]", &ws.id)])
        .await;
    assert_eq!(status, 409);
    assert!(body["Stale"].as_str().unwrap().contains("changed elsewhere"), "{body}");
    let (_, page) = app.call("users/page", &[("id", &user.id), ("wsq", "")]).await;
    assert_eq!(page["workspaces"][0]["granted"], false);
    assert_eq!(page["user"]["version"], 2);
    assert_eq!(app.audit_actions("user", &user.id).await.len(), 2, "create and deactivate only");
}

#[tokio::test]
async fn a_deactivated_user_keeps_its_grants_and_gets_them_back_on_reactivation() {
    let app = spawn_app().await;
    app.sign_in().await;
    let user = app.user("pause@example.com").await;
    let ws = app.workspace("Ops").await;
    app.call("users/save_access", &[("user_id", &user.id), ("version", "1"), ("shown[]", &ws.id), ("granted[]", &ws.id)]).await;
    let (_, body) = app.call("users/set_active", &[("id", &user.id), ("version", "2"), ("confirm", "yes")]).await;
    assert_eq!(body["active"], false);
    let (_, page) = app.call("users/page", &[("id", &user.id), ("wsq", "")]).await;
    assert_eq!(page["workspaces"][0]["granted"], true);
    let (_, body) = app.call("users/set_active", &[("id", &user.id), ("version", "3"), ("active", "on")]).await;
    assert_eq!(body["active"], true);
    // The workspace's members, as its page lists them.
    let (_, members) = app.call("users/list", &[("q", ""), ("status", "all"), ("ws", &ws.id)]).await;
    assert_eq!(members["rows"][0]["user_name"], "pause@example.com");
    assert_eq!(members["rows"][0]["active"], true);
}

#[tokio::test]
async fn an_auditor_reads_everything_and_changes_nothing() {
    let app = spawn_app().await;
    app.sign_in_as(AUDITOR).await;
    let user = app.user("watched@example.com").await;
    let (status, page) = app.call("users/list", &[("q", "watched"), ("status", "all")]).await;
    assert_eq!(status, 200);
    assert_eq!(page["rows"][0]["user_name"], "watched@example.com");
    let (_, body) = app.call("users/set_active", &[("id", &user.id), ("version", "1"), ("confirm", "yes")]).await;
    assert_eq!(body, "Forbidden");
    let (_, body) = app.call("workspaces/create", &[("name", "Sneaky"), ("description", "")]).await;
    assert_eq!(body, "Forbidden");
    assert!(app.store.get_user(&user.id).await.unwrap().unwrap().active);
    assert_eq!(app.audit_actions("user", &user.id).await.len(), 1);
}

#[tokio::test]
async fn search_matches_word_prefixes_and_pages_walk_every_user_once_in_order() {
    let app = spawn_app().await;
    app.sign_in().await;
    for i in 0..120 {
        app.user(&format!("person{i:03}@example.com")).await;
    }
    app.user("zed.lovelace@other.org").await;

    let (_, hit) = app.call("users/list", &[("q", "LOVE"), ("status", "all")]).await;
    assert_eq!(hit["rows"].as_array().unwrap().len(), 1);
    assert_eq!(hit["rows"][0]["user_name"], "zed.lovelace@other.org");
    let (_, both_words) = app.call("users/list", &[("q", "zed other"), ("status", "all")]).await;
    assert_eq!(both_words["rows"].as_array().unwrap().len(), 1);
    let (_, none) = app.call("users/list", &[("q", "zed example"), ("status", "all")]).await;
    assert_eq!(none["rows"].as_array().unwrap().len(), 0);

    let mut seen = Vec::new();
    let mut after = String::new();
    loop {
        let (_, page) = app.call("users/list", &[("q", "example"), ("status", "active"), ("after", &after)]).await;
        seen.extend(page["rows"].as_array().unwrap().iter().map(|r| r["user_name"].as_str().unwrap().to_string()));
        match page["next"].as_str() {
            Some(next) => after = next.to_string(),
            None => break,
        }
    }
    let expected: Vec<String> = (0..120).map(|i| format!("person{i:03}@example.com")).collect();
    assert_eq!(seen, expected);

    let (_, back) = app.call("users/list", &[("q", "example"), ("status", "all"), ("before", "person100@example.com")]).await;
    let rows = back["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 50);
    assert_eq!(rows[0]["user_name"], "person050@example.com");
    assert_eq!(rows[49]["user_name"], "person099@example.com");
}

#[tokio::test]
async fn deleting_a_user_takes_its_grants_and_deleting_a_workspace_moves_member_versions() {
    let app = spawn_app().await;
    app.sign_in().await;
    let a = app.user("a@example.com").await;
    let b = app.user("b@example.com").await;
    let ws = app.workspace("Shared").await;
    for u in [&a, &b] {
        app.call("users/save_access", &[("user_id", &u.id), ("version", "1"), ("shown[]", &ws.id), ("granted[]", &ws.id)]).await;
    }
    let (status, _) = app.call("users/delete", &[("id", &a.id), ("version", "2")]).await;
    assert_eq!(status, 200);
    let ws_now = app.store.get_workspace(&ws.id).await.unwrap().unwrap();
    assert_eq!(ws_now.member_count, 1);
    let (status, _) = app.call("workspaces/delete", &[("id", &ws.id), ("version", &ws_now.version.to_string())]).await;
    assert_eq!(status, 200);
    let b_now = app.store.get_user(&b.id).await.unwrap().unwrap();
    assert_eq!(b_now.version, 3, "losing a workspace changes the user");
    assert_eq!(app.store.count_grants_of_user(&b.id).await.unwrap(), 0);
}

#[tokio::test]
async fn one_save_applies_every_tick_and_untick_of_the_form_in_one_audited_write() {
    let app = spawn_app().await;
    app.sign_in().await;
    let user = app.user("several@example.com").await;
    let (a, b, c) = (app.workspace("A").await, app.workspace("B").await, app.workspace("C").await);
    let (status, body) = app.call("users/save_access", &[("user_id", &user.id), ("version", "1"),
        ("shown[]", &a.id), ("shown[]", &b.id), ("granted[]", &a.id), ("granted[]", &b.id)]).await;
    assert_eq!(status, 200, "{body}");
    // The next save unticks A, keeps B, ticks C: only what differs is written, in one event.
    let (status, body) = app.call("users/save_access", &[("user_id", &user.id), ("version", "2"),
        ("shown[]", &a.id), ("shown[]", &b.id), ("shown[]", &c.id), ("granted[]", &b.id), ("granted[]", &c.id)]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 3);
    let held = app.services.user_with_access(&crate::helpers::system(), &user.id).await.unwrap().workspaces;
    assert_eq!(held.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["B", "C"]);
    let events = app.store.audit_of("user", &user.id, 10).await.unwrap();
    assert_eq!(events[0].action, "access.grant+access.revoke");
    assert_eq!(events.len(), 3, "create and two saves");
}

#[tokio::test]
async fn deactivating_in_the_console_must_be_confirmed() {
    let app = spawn_app().await;
    app.sign_in().await;
    let user = app.user("confirm.me@example.com").await;
    let (status, body) = app.call("users/set_active", &[("id", &user.id), ("version", "1")]).await;
    assert_eq!(status, 422);
    assert_eq!(body["Invalid"]["field"], "confirm");
    assert!(app.store.get_user(&user.id).await.unwrap().unwrap().active, "nothing changed");
}
