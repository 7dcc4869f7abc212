use crate::helpers::{spawn_app, ADMIN, PASSWORD};

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_get_the_same_generic_error() {
    let app = spawn_app().await;
    let (status_a, wrong_password) = app.call("login", &[("username", ADMIN), ("password", "not-the-password")]).await;
    let (status_b, unknown) = app.call("login", &[("username", "nobody"), ("password", PASSWORD)]).await;
    assert_eq!(status_a, 422);
    assert_eq!(status_b, 422);
    assert_eq!(wrong_password, unknown);
    assert_eq!(wrong_password["Invalid"]["message"], "That user name and password do not match an administrator.");
    let (status, _) = app.call("users/list", &[("q", ""), ("status", "all")]).await;
    assert_eq!(status, 401, "a failed sign-in must not create a session");
}

#[tokio::test]
async fn server_functions_refuse_a_caller_without_a_session() {
    let app = spawn_app().await;
    let user = app.user("ada@example.com").await;
    let (_, body) = app.call("users/list", &[("q", ""), ("status", "all")]).await;
    assert_eq!(body, "Unauthenticated");
    let (_, body) = app.call("users/set_active", &[("id", &user.id), ("version", "1"), ("confirm", "yes")]).await;
    assert_eq!(body, "Unauthenticated");
    let still = app.store.get_user(&user.id).await.unwrap().unwrap();
    assert!(still.active, "nothing changes without a session");
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_cookie_and_sign_out_ends_the_session() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/login", app.base))
        .header("Accept", "application/json")
        .form(&[("username", ADMIN), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = response.headers().get("set-cookie").expect("session cookie").to_str().unwrap().to_string();
    assert!(cookie.starts_with("cim_session="), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let (status, _) = app.call("users/list", &[("q", ""), ("status", "all")]).await;
    assert_eq!(status, 200);
    app.call("logout", &[]).await;
    let (_, body) = app.call("users/list", &[("q", ""), ("status", "all")]).await;
    assert_eq!(body, "Unauthenticated");
}

#[tokio::test]
async fn repeated_failed_sign_ins_lock_the_account_for_a_while() {
    let app = spawn_app().await;
    for _ in 0..5 {
        app.call("login", &[("username", ADMIN), ("password", "guess")]).await;
    }
    let (status, body) = app.call("login", &[("username", ADMIN), ("password", PASSWORD)]).await;
    assert_eq!(status, 429);
    assert!(body["Throttled"].as_str().unwrap().contains("Too many failed sign-ins"), "{body}");
}

#[tokio::test]
async fn signed_out_page_requests_are_redirected_to_sign_in() {
    let app = spawn_app().await;
    let response = app.client.get(format!("{}/users?q=ada", app.base)).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
    assert_eq!(response.headers()["location"], "/login?next=%2Fusers%3Fq%3Dada");
    let login = app.client.get(format!("{}/login", app.base)).send().await.unwrap();
    assert_eq!(login.status().as_u16(), 200);
    assert!(login.text().await.unwrap().contains("Sign in to CIM"));
}

#[tokio::test]
async fn server_functions_refuse_cross_site_requests() {
    let app = spawn_app().await;
    app.sign_in().await;
    let response = app
        .client
        .post(format!("{}/api/workspaces/create", app.base))
        .header("Origin", "http://evil.example")
        .form(&[("name", "Planted"), ("description", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    let (_, page) = app.call("workspaces/list", &[("q", "Planted")]).await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 0);
}
