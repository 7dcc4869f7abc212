//! Plain HTML form posts: what the console does with JavaScript off.

use crate::helpers::{spawn_app, within, TestApp};

async fn post_form(app: &TestApp, endpoint: &str, referer: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(format!("{}/api/{endpoint}", app.base))
        .header("Accept", "text/html,application/xhtml+xml")
        .header("Referer", format!("{}{referer}", app.base))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_refused_plain_form_post_is_answered_with_its_page_the_error_and_what_was_typed() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.workspace("Finance").await;
    let response = post_form(&app, "workspaces/create", "/workspaces?q=fin", &[("name", "finance"), ("description", "Plans & budgets")]).await;
    assert_eq!(response.status().as_u16(), 409);
    assert!(response.headers().get("location").is_none());
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"<span role="alert" class="error">A workspace named finance already exists."#), "{page}");
    assert!(page.contains(r#"value="Plans &amp; budgets""#), "the description typed is kept: {page}");
    assert!(page.contains(r#"value="finance""#), "the name typed is kept");
    let (_, list) = app.call("workspaces/list", &[("q", "")]).await;
    assert_eq!(list["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_refused_new_user_keeps_every_field_and_a_refused_sign_in_keeps_the_user_name_only() {
    let app = spawn_app().await;
    app.sign_in().await;
    let response = post_form(&app, "users/create", "/users/new", &[
        ("user_name", "grace@example.com"), ("external_id", "E-42"), ("given_name", "Grace"), ("family_name", "Hopper"),
        ("display_name", "Amazing Grace"), ("email", "not-an-email"),
    ]).await;
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("Email must look like name@example.com."), "{page}");
    for typed in ["grace@example.com", "E-42", "Grace", "Hopper", "Amazing Grace", "not-an-email"] {
        assert!(page.contains(&format!(r#"value="{typed}""#)), "{typed} is kept");
    }

    let anonymous = reqwest::Client::new();
    let response = anonymous.post(format!("{}/api/login", app.base)).header("Accept", "text/html")
        .header("Referer", format!("{}/login?next=%2Fworkspaces", app.base))
        .form(&[("username", "typo-admin"), ("password", "secret-guess-123"), ("next", "/workspaces")]).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"value="typo-admin""#), "the user name is kept");
    assert!(!page.contains("secret-guess-123"), "a password is never sent back");
}

#[tokio::test]
async fn a_successful_plain_form_post_goes_back_to_its_page_or_on_to_the_new_record() {
    let app = spawn_app().await;
    app.sign_in().await;
    let response = post_form(&app, "workspaces/create", "/workspaces", &[("name", "Sales"), ("description", "")]).await;
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(response.headers()["location"], "/workspaces?saved=create_workspace", "back, saying what was saved");
    let created = post_form(&app, "users/create", "/users/new", &[
        ("user_name", "new@example.com"), ("external_id", ""), ("given_name", "New"), ("family_name", "User"),
        ("display_name", ""), ("email", "new@example.com"),
    ]).await;
    let location = created.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/users/"), "{location}");
    let page = app.client.get(format!("{}{location}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("new@example.com"), "the new user's page renders with its data");
}

#[tokio::test]
async fn a_credential_issued_by_a_plain_post_is_shown_in_the_answer_and_kept_nowhere() {
    let app = spawn_app().await;
    within("sign-in", app.sign_in()).await;
    let response = within("issue", post_form(&app, "credentials/issue", "/credentials", &[("name", "Okta production"), ("kind", "bearer")])).await;
    assert_eq!(response.status().as_u16(), 200);
    let page = within("answer body", response.text()).await.unwrap();
    // The secret is `cim_` and 43 URL-safe characters (the page also names cim_bg.wasm).
    let secret_char = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let secret = page
        .split("cim_")
        .skip(1)
        .find(|rest| rest.chars().take(43).filter(|c| secret_char(*c)).count() == 43 && !rest[43..].starts_with(secret_char))
        .map(|rest| format!("cim_{}", &rest[..43]))
        .expect("the secret is on the page");
    // Not in the session table nor anywhere else in the store: only its hash is kept.
    let dump = app.dump_store().await;
    assert!(!dump.contains(&secret), "the secret rests nowhere in the store");
    let again = within("page again", async { app.client.get(format!("{}/credentials", app.base)).send().await.unwrap().text().await.unwrap() }).await;
    assert!(again.contains("Okta production") && !again.contains(&secret), "shown once");
    let works = within("scim", reqwest::Client::new().get(format!("{}/scim/v2/Users", app.base)).bearer_auth(&secret).send()).await.unwrap();
    assert_eq!(works.status().as_u16(), 200);
}
