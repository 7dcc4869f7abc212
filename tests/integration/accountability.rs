//! Accounting for every access: the audit trail, reports, the provisioning log, administrators
//! and the read-only console, as the console and the command line see them.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, system, TestApp, ADMIN, AUDITOR};

/// RFC 4180 records, as a spreadsheet reads them.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {
                chars.next();
                record.push(std::mem::take(&mut cell));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => cell.push(c),
        }
    }
    assert!(cell.is_empty() && record.is_empty(), "the file ends with a line end");
    records
}

/// A report as the console downloads it: its status, file name and records.
async fn download(app: &TestApp, path: &str) -> (u16, String, Vec<Vec<String>>) {
    let response = app.client.get(format!("{}{path}", app.base)).send().await.expect("download");
    let status = response.status().as_u16();
    let disposition = response.headers().get("content-disposition").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    let body = response.text().await.expect("body");
    let records = if status == 200 { parse_csv(&body) } else { Vec::new() };
    (status, disposition, records)
}

/// The record whose first cell is `first`.
fn row<'a>(records: &'a [Vec<String>], first: &str) -> &'a [String] {
    records.iter().find(|r| r[0] == first).unwrap_or_else(|| panic!("no row for {first} in {records:?}"))
}

fn cell<'a>(records: &'a [Vec<String>], first: &str, column: &str) -> &'a str {
    let index = records[0].iter().position(|h| h == column).unwrap_or_else(|| panic!("no column {column}"));
    &row(records, first)[index]
}

fn utc_today() -> String {
    cim::domain::time::utc_date(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64)
}

#[tokio::test]
async fn reports_hold_what_either_door_did_and_each_export_is_audited() {
    let app = spawn_app().await;
    app.sign_in().await;
    let scim = app.scim().await;
    let finance = app.workspace("Finance FY27").await;
    let legal = app.workspace("Legal").await;
    let by_scim = scim.create_user("scim-leaver@example.com").await;
    let by_console = app.user("console-leaver@example.com").await;
    let stays = app.user("stays@example.com").await;
    for (user, version) in [(&by_console.id, "1"), (&stays.id, "1")] {
        let (status, body) = app
            .call("users/save_access", &[("user_id", user), ("version", version), ("shown[]", &finance.id), ("granted[]", &finance.id)])
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let id = by_scim["id"].as_str().unwrap();
    let grant = scim.patch(&format!("/Users/{id}"), json!([{"op": "add", "path": "entitlements", "value": [{"value": legal.id, "type": "WORKSPACE"}]}])).await;
    assert_eq!(grant.status, 200, "{}", grant.body);
    let off = scim.patch(&format!("/Users/{id}"), json!([{"op": "replace", "path": "active", "value": false}])).await;
    assert_eq!(off.status, 200, "{}", off.body);
    let (status, body) = app.call("users/set_active", &[("id", &by_console.id), ("version", "2"), ("confirm", "yes")]).await;
    assert_eq!(status, 200, "{body}");

    let (status, disposition, disabled) = download(&app, "/reports/disabled-users.csv").await;
    assert_eq!(status, 200);
    assert!(disposition.contains(&format!("cim-disabled-users-{}.csv", utc_today())), "{disposition}");
    assert_eq!(disabled[0][..5], ["userName", "externalId", "givenName", "familyName", "email"]);
    assert_eq!(disabled.len(), 3, "a header and the two disabled users: {disabled:?}");
    let credential = app.store.list_credentials().await.unwrap()[0].name.clone();
    assert_eq!(cell(&disabled, "scim-leaver@example.com", "disabledBy"), credential);
    assert_eq!(cell(&disabled, "scim-leaver@example.com", "disabledThrough"), "SCIM");
    assert_eq!(cell(&disabled, "scim-leaver@example.com", "workspaces"), "Legal", "the grant a disabled user still holds");
    assert_eq!(cell(&disabled, "console-leaver@example.com", "disabledBy"), ADMIN);
    assert_eq!(cell(&disabled, "console-leaver@example.com", "disabledThrough"), "Console");
    assert_eq!(cell(&disabled, "console-leaver@example.com", "workspaces"), "Finance FY27");
    assert!(cell(&disabled, "console-leaver@example.com", "disabledAt").starts_with(&utc_today()));

    let (_, _, users) = download(&app, "/reports/users.csv").await;
    assert_eq!(users.len(), 4);
    assert_eq!(cell(&users, "stays@example.com", "active"), "true");
    assert_eq!(cell(&users, "scim-leaver@example.com", "active"), "false");

    let (_, _, matrix) = download(&app, "/reports/access-matrix.csv").await;
    let grants: Vec<(&str, &str, &str)> = matrix[1..].iter().map(|r| (r[0].as_str(), r[2].as_str(), r[4].as_str())).collect();
    assert_eq!(grants, vec![
        ("console-leaver@example.com", "Finance FY27", ADMIN),
        ("scim-leaver@example.com", "Legal", credential.as_str()),
        ("stays@example.com", "Finance FY27", ADMIN),
    ]);

    // The audit report takes the audit page's filters.
    let (_, _, audit) = download(&app, "/reports/audit.csv?door=scim&action=user.deactivate").await;
    assert_eq!(audit.len(), 2, "{audit:?}");
    assert_eq!((audit[1][4].as_str(), audit[1][6].as_str()), ("user.deactivate", "scim-leaver@example.com"));
    assert_eq!(audit[1][8], "Status: Active -> Inactive");

    let exports = app.store.audit_events_all().await.unwrap().into_iter().filter(|e| e.action == "report.export").count();
    assert_eq!(exports, 4, "every download is an audit event");
}

#[tokio::test]
async fn csv_cells_are_quoted_and_formulas_neutralised() {
    let app = spawn_app().await;
    app.sign_in().await;
    let scim = app.scim().await;
    let created = scim
        .post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "zoë.ærø@例え.jp",
            "externalId": "-2+3", "name": {"givenName": "=HYPERLINK(\"http://evil.example\",\"click\")", "familyName": "O\"Brien, Jr."},
            "emails": [{"value": "zoe@example.com", "primary": true}]}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let (status, _, users) = download(&app, "/reports/users.csv").await;
    assert_eq!(status, 200);
    let zoe = row(&users, "zoë.ærø@例え.jp");
    assert_eq!(zoe[1], "'-2+3");
    assert_eq!(zoe[2], "'=HYPERLINK(\"http://evil.example\",\"click\")");
    assert_eq!(zoe[3], "O\"Brien, Jr.", "quotes and commas survive quoting (line breaks: see domain::csv)");
}

#[tokio::test]
async fn reports_need_a_session_and_name_a_real_report() {
    let app = spawn_app().await;
    let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let response = anonymous.get(format!("{}/reports/users.csv", app.base)).send().await.unwrap();
    assert!(response.status().is_redirection(), "sent to sign in");
    assert!(response.headers()["location"].to_str().unwrap().starts_with("/login"));
    app.sign_in_as(AUDITOR).await;
    let (status, _, records) = download(&app, "/reports/users.csv").await;
    assert_eq!((status, records.len()), (200, 1), "an auditor may export");
    assert_eq!(download(&app, "/reports/passwords.csv").await.0, 404);
    assert_eq!(download(&app, "/reports/audit.csv?from=yesterday").await.0, 422);
}

#[tokio::test]
async fn the_audit_trail_filters_combine_and_say_what_changed() {
    let app = spawn_app().await;
    app.sign_in().await;
    let scim = app.scim().await;
    let ws = app.workspace("Finance FY27").await;
    let grace = app.user("grace@example.com").await;
    let (status, _) = app.call("users/save_access", &[("user_id", &grace.id), ("version", "1"), ("shown[]", &ws.id), ("granted[]", &ws.id)]).await;
    assert_eq!(status, 200);
    let other = scim.create_user("other@example.com").await;
    let off = scim.patch(&format!("/Users/{}", other["id"].as_str().unwrap()), json!([{"op": "replace", "path": "active", "value": false}])).await;
    assert_eq!(off.status, 200);

    let page = |query: &str| {
        let query = query.to_string();
        let app = &app;
        async move { app.call("audit/page", &[("query", &query)]).await }
    };
    // By target name: the user's own events, newest first, the grant naming the workspace.
    let (status, view) = page("tq=grace@example.com").await;
    assert_eq!(status, 200, "{view}");
    let rows = view["page"]["rows"].as_array().unwrap();
    assert_eq!(rows.iter().map(|r| r["action"].as_str().unwrap()).collect::<Vec<_>>(), ["access.grant", "user.create"]);
    assert_eq!(rows[0]["granted"][0]["name"], "Finance FY27");
    assert_eq!(rows[0]["actor"]["name"], ADMIN);
    assert_eq!(view["subject"]["name"], "grace@example.com");
    // The workspace's trail includes the grant made on the user.
    let (_, view) = page(&format!("subject=workspace:{}", ws.id)).await;
    let actions: Vec<&str> = view["page"]["rows"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["access.grant", "workspace.create"]);
    // Door and action together; the change shows before and after.
    let (_, view) = page("door=scim&action=user.deactivate").await;
    let rows = view["page"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{view}");
    assert_eq!(rows[0]["target"]["name"], "other@example.com");
    assert_eq!(rows[0]["changes"], json!([{"field": "Status", "before": "Active", "after": "Inactive"}]));
    // By actor, and by time: nothing before the epoch's first day, everything after it.
    let admin_id = app.store.find_admin_by_username(ADMIN).await.unwrap().unwrap().id;
    let (_, view) = page(&format!("actor={admin_id}")).await;
    assert_eq!(view["page"]["rows"].as_array().unwrap().len(), 1);
    let (_, view) = page("to=1970-01-02T00:00").await;
    assert!(view["page"]["rows"].as_array().unwrap().is_empty());
    let (_, view) = page("from=1970-01-02T00:00&tz=-60").await;
    assert_eq!(view["page"]["rows"].as_array().unwrap().len(), 8, "every event, the accounts' creation included: {view}");
    // Bad input is refused beside its field; an unknown name matches nothing.
    let (status, body) = page("from=2026-13-01T00:00").await;
    assert_eq!(status, 422);
    assert_eq!(body["Invalid"]["field"], "from", "{body}");
    let (status, body) = page("action=user.explode").await;
    assert_eq!((status, body["Invalid"]["field"].as_str()), (422, Some("action")));
    assert_eq!(page("after=not-a-position").await.0, 422, "a mangled link is bad input, not a fault");
    let (_, view) = page("tq=nobody@example.com").await;
    assert_eq!(view["subject_missing"], "nobody@example.com");
    assert!(view["page"]["rows"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_provisioning_log_records_each_scim_request_and_links_its_events() {
    let app = spawn_app().await;
    app.sign_in().await;
    let scim = app.scim().await;
    let refused = scim.post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]})).await;
    assert_eq!(refused.status, 400);
    let created = scim.create_user_response("logged@example.com").await;
    assert_eq!(created.status, 201);
    let request_id = created.headers["x-request-id"].to_str().unwrap().to_string();
    app.services.flush_provisioning_log().await;

    let (status, view) = app.call("provisioning/page", &[("query", "status=4xx")]).await;
    assert_eq!(status, 200, "{view}");
    let rows = view["page"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{view}");
    assert_eq!((rows[0]["method"].as_str(), rows[0]["status"].as_u64(), rows[0]["scim_type"].as_str()), (Some("POST"), Some(400), Some("invalidValue")));
    assert!(rows[0]["credential_name"].as_str().unwrap().starts_with("test-"));
    let (_, view) = app.call("provisioning/page", &[("query", &format!("request={request_id}"))]).await;
    let rows = view["page"]["rows"].as_array().unwrap();
    assert_eq!((rows.len(), rows[0]["status"].as_u64()), (1, Some(201)));
    assert_eq!(rows[0]["resource_id"], created.body["id"]);
    // Linked the other way: the audit events that request caused.
    let (_, trail) = app.call("audit/page", &[("query", &format!("request={request_id}"))]).await;
    let events = trail["page"]["rows"].as_array().unwrap();
    assert_eq!((events.len(), events[0]["action"].as_str()), (1, Some("user.create")));
    // Bodies and secrets are never recorded.
    assert!(!app.dump_store().await.contains(&scim.token));
    // The credentials page counts the error.
    let (_, credentials) = app.call("credentials/page", &[]).await;
    assert_eq!(credentials[0]["errors_24h"], 1, "{credentials}");
    assert_eq!(app.call("provisioning/page", &[("query", "method=BREW")]).await.0, 422);
}

/// A client signed in as `username` with `password`, apart from the app's own.
async fn session_of(app: &TestApp, username: &str, password: &str) -> (reqwest::Client, u16) {
    let client = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let status = client
        .post(format!("{}/api/login", app.base))
        .header("Accept", "application/json")
        .form(&[("username", username), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (client, status)
}

async fn call_as(app: &TestApp, client: &reqwest::Client, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = client.post(format!("{}/api/{endpoint}", app.base)).header("Accept", "application/json").form(form).send().await.unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null))
}

#[tokio::test]
async fn administrators_get_one_time_passwords_and_the_last_security_admin_stays() {
    let app = spawn_app().await;
    app.sign_in().await;
    let (status, created) = app.call("admins/create", &[("username", "newcomer"), ("role", "security_admin")]).await;
    assert_eq!(status, 200, "{created}");
    let one_time = created["password"].as_str().unwrap().to_string();

    // The one-time password signs in, but nothing else works until a new one is chosen.
    let (newcomer, status) = session_of(&app, "newcomer", &one_time).await;
    assert_eq!(status, 200);
    let (status, _) = call_as(&app, &newcomer, "overview", &[]).await;
    assert_eq!(status, 403);
    let page = newcomer.get(format!("{}/users", app.base)).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 303, "pages send them to choose a password");
    assert!(page.headers()["location"].to_str().unwrap().starts_with("/account/password?next="));
    let (status, body) = call_as(&app, &newcomer, "account/password", &[("current", &one_time), ("password", "short"), ("confirm", "short")]).await;
    assert_eq!((status, body["Invalid"]["field"].as_str()), (422, Some("password")));
    let new_password = "newcomer-chose-this-one";
    let (status, _) = call_as(&app, &newcomer, "account/password", &[("current", &one_time), ("password", new_password), ("confirm", new_password)]).await;
    assert_eq!(status, 200);
    assert_eq!(call_as(&app, &newcomer, "overview", &[]).await.0, 200);
    assert_eq!(session_of(&app, "newcomer", &one_time).await.1, 422, "the one-time password is spent");

    // Changing a password ends the admin's other sessions.
    let (elsewhere, _) = session_of(&app, "newcomer", new_password).await;
    let again = "newcomer-changed-it-again";
    assert_eq!(call_as(&app, &newcomer, "account/password", &[("current", new_password), ("password", again), ("confirm", again)]).await.0, 200);
    assert_eq!(call_as(&app, &elsewhere, "overview", &[]).await.0, 401);
    assert_eq!(call_as(&app, &newcomer, "overview", &[]).await.0, 200, "the session that changed it stays");

    // Disabled: cannot sign in, and a session already open ends.
    let newcomer_id = app.store.find_admin_by_username("newcomer").await.unwrap().unwrap().id;
    let (status, body) = app.call("admins/change", &[("id", &newcomer_id), ("op", "disable")]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(call_as(&app, &newcomer, "overview", &[]).await.0, 401);
    assert_eq!(session_of(&app, "newcomer", again).await.1, 422, "a disabled administrator cannot sign in");

    // Re-enabled: a new one-time password, and nothing from before works again.
    let (status, enabled) = app.call("admins/change", &[("id", &newcomer_id), ("op", "enable")]).await;
    assert_eq!(status, 200, "{enabled}");
    assert_eq!(call_as(&app, &newcomer, "overview", &[]).await.0, 401, "the old session stays ended");
    assert_eq!(session_of(&app, "newcomer", again).await.1, 422, "the old password is gone");
    assert_eq!(session_of(&app, "newcomer", enabled["password"].as_str().unwrap()).await.1, 200);
    // Reset: another one-time password.
    let (status, reset) = app.call("admins/change", &[("id", &newcomer_id), ("op", "reset")]).await;
    assert_eq!(status, 200);
    assert_eq!(session_of(&app, "newcomer", reset["password"].as_str().unwrap()).await.1, 200);

    // Nobody disables or demotes the last enabled security admin, nor themselves.
    let admin_id = app.store.find_admin_by_username(ADMIN).await.unwrap().unwrap().id;
    let (status, body) = app.call("admins/change", &[("id", &admin_id), ("op", "disable")]).await;
    assert_eq!((status, body["Invalid"]["field"].as_str()), (422, Some("admin")));
    app.services
        .change_admin(&system(), &newcomer_id, &cim::service::AdminChange { disabled: Some(true), ..Default::default() })
        .await
        .unwrap();
    let refused = app
        .services
        .change_admin(&system(), &admin_id, &cim::service::AdminChange { role: Some(cim::domain::admins::Role::Auditor), ..Default::default() })
        .await;
    assert!(matches!(refused, Err(cim::service::ServiceError::Invalid { .. })), "{refused:?}");
    assert!(app.store.get_admin(&admin_id).await.unwrap().unwrap().disabled.is_none());

    // Every change is audited, and no password or hash reaches the trail.
    let events: Vec<_> = app.store.audit_events_all().await.unwrap().into_iter().filter(|e| e.target_kind == "admin").collect();
    assert_eq!(events.iter().filter(|e| e.action == "admin.update").count(), 6, "two password changes, disable, enable, reset, disable");
    let trail = serde_json::to_string(&events.iter().map(|e| (&e.before_json, &e.after_json)).collect::<Vec<_>>()).unwrap();
    assert!(!trail.contains(&one_time) && !trail.contains(new_password) && !trail.contains("argon2"));
}

#[tokio::test]
async fn an_auditor_sees_pages_without_edit_controls_and_is_refused_writes() {
    let app = spawn_app().await;
    let user = app.user("watched@example.com").await;
    let ws = app.workspace("Finance FY27").await;
    let controls = |html: &str| ["type=\"checkbox\"", "Save profile", "Delete this", "New user", "Issue credential", "Add administrator"]
        .into_iter()
        .filter(|c| html.contains(c))
        .count();
    let page = |path: String| {
        let app = &app;
        async move { app.client.get(format!("{}{path}", app.base)).send().await.unwrap().text().await.unwrap() }
    };
    app.sign_in().await;
    let admin_view = page(format!("/users/{}", user.id)).await + &page("/users".into()).await;
    assert!(controls(&admin_view) >= 3, "a security admin gets the controls");
    app.sign_in_as(AUDITOR).await;
    for path in [format!("/users/{}", user.id), "/users".into(), format!("/workspaces/{}", ws.id), "/workspaces".into(), "/credentials".into()] {
        let html = page(path.clone()).await;
        assert!(html.contains("Read-only"), "{path} shows the read-only badge");
        assert_eq!(controls(&html), 0, "{path} has no edit controls");
    }
    let (status, _) = app.call("users/save_access", &[("user_id", &user.id), ("version", "1"), ("shown[]", &ws.id), ("granted[]", &ws.id)]).await;
    assert_eq!(status, 403);
    assert_eq!(app.call("admins/page", &[]).await.0, 403);
    assert_eq!(app.call("audit/page", &[("query", "")]).await.0, 200);
}

#[tokio::test]
async fn reports_as_of_an_earlier_moment_are_rebuilt_from_the_audit_trail() {
    let app = spawn_app().await;
    app.sign_in().await;
    let scim = app.scim().await;
    let finance = app.workspace("Finance FY27").await;
    let legal = app.workspace("Legal").await;
    let stayer = app.user("stayer@example.com").await;
    let leaver = app.user("leaver@example.com").await;
    let was_off = app.user("was-off@example.com").await;
    for user in [&stayer, &leaver] {
        let (status, _) = app.call("users/save_access", &[("user_id", &user.id), ("version", "1"), ("shown[]", &finance.id), ("granted[]", &finance.id)]).await;
        assert_eq!(status, 200);
    }
    assert_eq!(app.call("users/set_active", &[("id", &was_off.id), ("version", "1"), ("confirm", "yes")]).await.0, 200);
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    let then = app.services.now_ms();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    // After that moment: stayer is disabled and moved from Finance to Legal (by SCIM), leaver is
    // deleted, was-off comes back, a newcomer arrives, and Finance is renamed.
    let path = format!("/Users/{}", stayer.id);
    let moved = scim
        .patch(&path, json!([{"op": "replace", "path": "active", "value": false},
            {"op": "add", "path": "entitlements", "value": [{"value": legal.id, "type": "WORKSPACE"}]},
            {"op": "remove", "path": format!("entitlements[value eq \"{}\"]", finance.id)}]))
        .await;
    assert_eq!(moved.status, 200, "{}", moved.body);
    assert_eq!(scim.send("DELETE", &format!("/Users/{}", leaver.id), None, &[]).await.status, 204);
    assert_eq!(app.call("users/set_active", &[("id", &was_off.id), ("version", "2"), ("active", "on")]).await.0, 200);
    let newcomer = scim
        .post("/Users", json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "newcomer@example.com",
            "active": false, "entitlements": [{"value": legal.id, "type": "WORKSPACE"}]}))
        .await;
    assert_eq!(newcomer.status, 201, "{}", newcomer.body);
    let version = app.store.get_workspace(&finance.id).await.unwrap().unwrap().version.to_string();
    let (status, body) = app.call("workspaces/update", &[("id", &finance.id), ("version", &version), ("name", "Finance FY28"), ("description", "")]).await;
    assert_eq!(status, 200, "{body}");

    let at = cim::domain::time::iso_utc(then);
    let at = at.trim_end_matches('Z');
    let (status, disposition, matrix) = download(&app, &format!("/reports/access-matrix.csv?as_of={at}")).await;
    assert_eq!(status, 200);
    assert!(disposition.contains("cim-access-matrix-as-of-"), "{disposition}");
    let grants: Vec<(&str, &str, &str)> = matrix[1..].iter().map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str())).collect();
    assert_eq!(grants, vec![("leaver@example.com", "true", "Finance FY27"), ("stayer@example.com", "true", "Finance FY27")], "{matrix:?}");
    let (_, _, disabled) = download(&app, &format!("/reports/disabled-users.csv?as_of={at}")).await;
    assert_eq!(disabled.len(), 2, "{disabled:?}");
    assert_eq!(cell(&disabled, "was-off@example.com", "disabledBy"), ADMIN);

    // Today, for contrast.
    let (_, _, now) = download(&app, "/reports/access-matrix.csv").await;
    let grants: Vec<(&str, &str)> = now[1..].iter().map(|r| (r[0].as_str(), r[2].as_str())).collect();
    assert_eq!(grants, vec![("newcomer@example.com", "Legal"), ("stayer@example.com", "Legal")]);
    let (_, _, disabled_now) = download(&app, "/reports/disabled-users.csv").await;
    assert_eq!(cell(&disabled_now, "newcomer@example.com", "disabledThrough"), "SCIM", "created inactive counts as disabled");

    // What changed in between, one row per user and change.
    let (_, _, changes) = download(&app, &format!("/reports/access-changes.csv?from={at}")).await;
    let mut rows: Vec<(&str, &str, &str)> = changes[1..].iter().map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str())).collect();
    rows.sort();
    assert_eq!(rows, vec![
        ("leaver@example.com", "deleted", ""),
        ("leaver@example.com", "revoked", "Finance FY27"),
        ("newcomer@example.com", "created inactive", ""),
        ("newcomer@example.com", "granted", "Legal"),
        ("stayer@example.com", "disabled", ""),
        ("stayer@example.com", "granted", "Legal"),
        ("stayer@example.com", "revoked", "Finance FY27"),
        ("was-off@example.com", "enabled", ""),
    ]);
    // A moment still to come is refused.
    assert_eq!(download(&app, "/reports/disabled-users.csv?as_of=2999-01-01T00:00").await.0, 422);
}
