//! Plain HTML form posts: what the console does with JavaScript off.

use crate::helpers::spawn_app;

async fn post_form(app: &crate::helpers::TestApp, endpoint: &str, referer: &str, form: &[(&str, &str)]) -> reqwest::Response {
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
async fn a_failed_plain_form_post_goes_back_with_the_error_for_its_form() {
    let app = spawn_app().await;
    app.sign_in().await;
    app.workspace("Finance").await;
    let response = post_form(&app, "workspaces/create", "/workspaces?q=fin&error=old", &[("name", "finance"), ("description", "")]).await;
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(
        response.headers()["location"],
        "/workspaces?q=fin&error_form=create_workspace&error=A%20workspace%20named%20finance%20already%20exists.&error_field=name"
    );
    let (_, page) = app.call("workspaces/list", &[("q", "")]).await;
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_successful_plain_form_post_goes_back_without_old_errors() {
    let app = spawn_app().await;
    app.sign_in().await;
    let response = post_form(&app, "workspaces/create", "/workspaces?error_form=create_workspace&error=x", &[("name", "Sales"), ("description", "")]).await;
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(response.headers()["location"], "/workspaces");
    let created = post_form(&app, "users/create", "/users/new", &[
        ("user_name", "new@example.com"), ("external_id", ""), ("given_name", "New"), ("family_name", "User"),
        ("display_name", ""), ("email", "new@example.com"),
    ]).await;
    let location = created.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/users/"), "{location}");
    let page = app.client.get(format!("{}{location}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("new@example.com"), "the new user's page renders with its data");
}
