//! Work on many users at once: bulk batches (each user its own audited write carrying the
//! batch's id), bulk racing SCIM on the same users, and CSV import from the upload to the
//! applied batch, with its edge cases.

use cim::domain::audit::AuditFilter;
use cim::domain::batches::{BatchView, BulkAction, RowPlan, Selection};
use cim::domain::credentials::{AccessPolicy, OwnedField, ProvisioningPolicy};
use cim::domain::paging::Cursor;
use cim::service::{ImportUpload, ServiceError};
use serde_json::json;

use crate::helpers::{auditor, plain_scim_policy, spawn_app, system, within, TestApp};

/// Waits for a batch to stop running.
async fn finished(app: &TestApp, id: &str) -> BatchView {
    within("batch end", async {
        loop {
            let view = app.services.batch(&system(), id).await.expect("batch");
            if !view.state.is_running() {
                return view;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    })
    .await
}

/// The actions of every event filed under `subject`, oldest first.
async fn trail_of(app: &TestApp, subject: &str) -> Vec<String> {
    let filter = AuditFilter { subject: Some(subject.into()), ..Default::default() };
    let view = app.services.audit_trail(&system(), filter, "", &Cursor::First).await.expect("trail");
    view.page.rows.into_iter().rev().map(|e| e.action).collect()
}

fn ticked(ids: Vec<String>) -> Selection {
    Selection { ids, ..Default::default() }
}

#[tokio::test]
async fn a_bulk_deactivation_writes_each_user_once_under_its_batch_and_reports_users_deleted_meanwhile() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(app.user(&format!("leaver{i:02}@example.com")).await.id);
    }
    let gone = ids[3].clone();
    app.services.delete_user(&system(), &gone, None).await.unwrap();

    let preview = app.services.bulk_preview(&system(), &ticked(ids.clone()), BulkAction::Deactivate, &[]).await.unwrap();
    assert_eq!(preview.title, "Deactivate 12 users");
    let batch = app.services.start_bulk(&system(), &ticked(ids.clone()), BulkAction::Deactivate, &[], None, "/users?q=leaver").await.unwrap();
    let done = finished(&app, &batch).await;
    assert_eq!((done.total, done.done, done.unchanged, done.failed), (12, 11, 0, 1), "{done:?}");
    assert_eq!(done.failures[0].reason, "Deleted since the batch started.");
    assert_eq!(done.origin, "/users?q=leaver");
    for id in ids.iter().filter(|id| **id != gone) {
        assert!(!app.services.get_user(&system(), id).await.unwrap().active);
        let actions = trail_of(&app, &format!("user:{id}")).await;
        assert_eq!(actions, ["user.create", "user.deactivate"], "one event per user");
    }
    // The batch: its start event and each user's change, filed under it.
    let batch_trail = trail_of(&app, &format!("batch:{batch}")).await;
    assert_eq!(batch_trail.len(), 12, "{batch_trail:?}");
    assert_eq!(batch_trail[0], "batch.start");
    // The unfiltered trail shows the batch as its one line.
    let all = app.services.audit_trail(&system(), AuditFilter::default(), "", &Cursor::First).await.unwrap();
    assert_eq!(all.page.rows.iter().filter(|e| e.action == "user.deactivate").count(), 0);
    assert_eq!(all.page.rows[0].action, "batch.start");
    assert_eq!(all.page.rows[0].target.name, "Deactivate 12 users");

    // Reports list every event: the audit and access-changes exports name each user.
    app.sign_in().await;
    for report in ["audit", "access-changes"] {
        let body = app.client.get(format!("{}/reports/{report}.csv", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(body.contains("leaver11@example.com"), "{report}: {body}");
    }

    // Again: every user is already inactive, so nothing changes and nothing is recorded.
    let again = app.services.start_bulk(&system(), &ticked(ids.clone()), BulkAction::Deactivate, &[], None, "/users").await.unwrap();
    let again = finished(&app, &again).await;
    assert_eq!((again.done, again.unchanged, again.failed), (0, 11, 1));
    assert_eq!(trail_of(&app, &format!("user:{}", ids[0])).await.len(), 2);
}

#[tokio::test]
async fn a_cancelled_batch_stops_between_two_users_and_keeps_what_it_did() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..400 {
        ids.push(app.user(&format!("many{i:03}@example.com")).await.id);
    }
    let batch = app.services.start_bulk(&system(), &ticked(ids.clone()), BulkAction::Deactivate, &[], None, "/users").await.unwrap();
    // It learns of the request when it next reports, after at most 100 users.
    app.services.cancel_batch(&system(), &batch).await.unwrap();
    let done = finished(&app, &batch).await;
    assert_eq!(done.state, cim::domain::batches::BatchState::Cancelled, "{done:?}");
    assert!(done.done > 0 && done.done < 400, "stopped part way: {done:?}");
    let mut inactive = 0;
    for id in &ids {
        if !app.services.get_user(&system(), id).await.unwrap().active {
            inactive += 1;
        }
    }
    assert_eq!(inactive, done.done, "what it counts is what it did");
    let filed = AuditFilter { subject: Some(format!("batch:{batch}")), ..Default::default() };
    let filed = app.store.audit_page(&filed, &Cursor::First, 1000).await.unwrap();
    assert_eq!(filed.iter().filter(|e| e.action == "user.deactivate").count() as i64, done.done, "one event per user changed");
    assert!(app.store.audit_of("batch", &batch, 10).await.unwrap().iter().any(|e| e.action == "batch.cancel"));
    // Over: nothing left to cancel.
    assert!(matches!(app.services.cancel_batch(&system(), &batch).await, Err(ServiceError::Conflict { .. })));
}

#[tokio::test]
async fn bulk_actions_refuse_auditors_empty_selections_and_missing_workspaces() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com").await;
    let selection = ticked(vec![ada.id.clone()]);
    let refused = app.services.start_bulk(&auditor(), &selection, BulkAction::Deactivate, &[], None, "/users").await;
    assert!(matches!(refused, Err(ServiceError::Forbidden)), "{refused:?}");
    let empty = app.services.start_bulk(&system(), &ticked(Vec::new()), BulkAction::Activate, &[], None, "/users").await;
    assert!(matches!(empty, Err(ServiceError::Invalid { ref field, .. }) if field == "selection"), "{empty:?}");
    let no_workspace = app.services.start_bulk(&system(), &selection, BulkAction::Grant, &[], None, "/users").await;
    assert!(matches!(no_workspace, Err(ServiceError::Invalid { ref field, .. }) if field == "workspaces"), "{no_workspace:?}");
    let unknown = app.services.start_bulk(&system(), &selection, BulkAction::Grant, &["nope".into()], None, "/users").await;
    assert!(matches!(unknown, Err(ServiceError::Invalid { .. })), "{unknown:?}");
    // An address elsewhere is not somewhere to go back to.
    let batch = app.services.start_bulk(&system(), &selection, BulkAction::Deactivate, &[], None, "https://evil.example/").await.unwrap();
    assert_eq!(finished(&app, &batch).await.origin, "/users");
    assert!(app.services.cancel_batch(&auditor(), &batch).await.is_err());
    assert!(!app.services.get_user(&system(), &ada.id).await.unwrap().active);
}

#[tokio::test]
async fn all_users_matching_a_search_are_selected_on_every_page() {
    let app = spawn_app().await;
    for i in 0..60 {
        app.user(&format!("finance{i:02}@example.com")).await;
    }
    app.user("sales@example.com").await;
    let finance = app.workspace("Finance FY27").await;
    let all = Selection { all: true, q: "finance".into(), ..Default::default() };
    let preview = app.services.bulk_preview(&system(), &all, BulkAction::Grant, &[finance.id.clone()]).await.unwrap();
    assert_eq!(preview.title, "Grant Finance FY27 to 60 users");
    assert_eq!(preview.sample.len(), 5);
    // A count that no longer holds is refused: the batch does what was confirmed, or nothing.
    let stale = app.services.start_bulk(&system(), &all, BulkAction::Grant, &[finance.id.clone()], Some(59), "/users").await;
    assert!(matches!(stale, Err(ServiceError::Conflict { ref field, .. }) if field == "selection"), "{stale:?}");
    let batch = app.services.start_bulk(&system(), &all, BulkAction::Grant, &[finance.id.clone()], Some(60), "/users").await.unwrap();
    assert_eq!(finished(&app, &batch).await.done, 60);
    assert_eq!(app.services.get_workspace(&system(), &finance.id).await.unwrap().member_count, 60);
}

#[tokio::test]
async fn bulk_and_scim_racing_on_the_same_users_lose_nothing_and_record_each_change_once() {
    let app = spawn_app().await;
    let finance = app.workspace("Finance FY27").await;
    let mut ids = Vec::new();
    for i in 0..30 {
        ids.push(app.user(&format!("race{i:02}@example.com")).await.id);
    }
    // An identity provider that owns names only, and leaves access to the console.
    let policy = ProvisioningPolicy { owned: vec![OwnedField::Names], access: AccessPolicy::ConsoleAdd, ..plain_scim_policy() };
    let (okta, _) = app.scim_with(&policy).await;
    let batch = app.services.start_bulk(&system(), &ticked(ids.clone()), BulkAction::Grant, &[finance.id.clone()], None, "/users").await.unwrap();
    let paths: Vec<String> = ids.iter().map(|id| format!("/Users/{id}")).collect();
    let patches = paths.iter().map(|path| okta.patch(path, json!([{"op": "replace", "path": "name.givenName", "value": "Renamed"}])));
    for response in futures::future::join_all(patches).await {
        assert_eq!(response.status, 200, "{}", response.body);
    }
    let done = finished(&app, &batch).await;
    assert_eq!((done.done, done.failed), (30, 0), "{done:?}");
    for id in &ids {
        let user = app.services.user_with_access(&system(), id).await.unwrap();
        assert_eq!(user.user.given_name, "Renamed", "the SCIM change is kept");
        assert_eq!(user.workspaces.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["Finance FY27"], "the grant is kept");
        let mut actions = trail_of(&app, &format!("user:{id}")).await;
        actions.sort();
        assert_eq!(actions, ["access.grant", "user.create", "user.update"], "each change recorded once");
    }
}

fn upload(name: &str, csv: &str) -> ImportUpload {
    ImportUpload { file_name: name.into(), bytes: csv.as_bytes().to_vec(), deactivate_missing: false }
}

fn invalid_message(result: Result<String, ServiceError>) -> String {
    match result {
        Err(ServiceError::Invalid { message, .. }) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn files_that_cannot_be_imported_are_refused_with_the_reason_and_nothing_is_kept() {
    let app = spawn_app().await;
    let events = app.store.count_audit_events().await.unwrap();
    let latin1 = ImportUpload { file_name: "x.csv".into(), bytes: b"userName,givenName\nzoe@example.com,Zo\xeb\n".to_vec(), deactivate_missing: false };
    assert!(invalid_message(app.services.upload_import(&system(), latin1).await).contains("not UTF-8 text (line 2"));
    assert!(invalid_message(app.services.upload_import(&system(), upload("x.csv", "email,givenName\na@b.c,A\n")).await).contains("no userName column"));
    assert!(invalid_message(app.services.upload_import(&system(), upload("x.csv", "userName\n")).await).contains("no users"));
    assert!(invalid_message(app.services.upload_import(&system(), upload("x.csv", "")).await).contains("empty"));
    assert!(invalid_message(app.services.upload_import(&system(), upload("x.csv", "userName\n\"open\n")).await).contains("never closed"));
    let huge = ImportUpload { file_name: "x.csv".into(), bytes: vec![b'a'; 33 * 1024 * 1024], deactivate_missing: false };
    assert!(invalid_message(app.services.upload_import(&system(), huge).await).contains("at most 32 MB"));
    assert!(matches!(app.services.upload_import(&auditor(), upload("x.csv", "userName\nada\n")).await, Err(ServiceError::Forbidden)));
    assert_eq!(app.store.count_audit_events().await.unwrap(), events, "nothing recorded");
}

#[tokio::test]
async fn a_dry_run_says_what_each_line_does_and_applying_does_exactly_that() {
    let app = spawn_app().await;
    let (finance, sales) = (app.workspace("Finance FY27").await, app.workspace("Sales").await);
    let ada = app.user("ada@example.com").await;
    let grant = cim::service::AccessChange { grant: vec![cim::service::WorkspaceRef::Id(sales.id.clone())], ..Default::default() };
    app.services.change_user_to(&system(), &ada.id, None, cim::service::UserChange { access: grant, ..Default::default() }).await.unwrap();
    // Headers in any case, an unknown column, and a line of each kind.
    let csv = "USERNAME,GivenName,email,Active,workspaces,Team\n\
               ADA@example.com,Augusta,ada@example.com,yes,Finance FY27,R&D\n\
               bob@example.com,Bob,bob@example.com,,Finance FY27; Sales,Ops\n\
               carol@example.com,Carol,carol@x,true,,Ops\n\
               dan@example.com,Dan,dan@example.com,maybe,,Ops\n\
               erin@example.com,Erin,erin@example.com,true,Marketing,Ops\n\
               fay@example.com,Fay,fay@example.com,true,,Ops\n\
               fay@example.com,Fay,fay@example.com,false,,Ops\n\
               \"gus, jr@example.com\",Gus\n";
    let id = app.services.upload_import(&system(), upload("people.csv", csv)).await.unwrap();
    let preview = app.services.import_preview(&system(), &id).await.unwrap();
    assert_eq!(preview.unknown_columns, ["Team"]);
    assert_eq!((preview.rows, preview.creates, preview.updates, preview.errors), (8, 1, 1, 6), "{preview:#?}");
    let (_, lines) = app.services.import_dry_run(&system(), &id).await.unwrap();
    let plan = |line: usize| lines.iter().find(|l| l.line == line).unwrap().plan.clone();
    assert_eq!(
        plan(2),
        RowPlan::Update(vec![
            "Given name: Test → Augusta".into(),
            "Display name: Test User → Augusta User".into(),
            "E-mail: — → ada@example.com".into(),
            "Workspaces: + Finance FY27, \u{2212} Sales".into(),
        ])
    );
    assert_eq!(plan(3), RowPlan::Create);
    assert_eq!(plan(4), RowPlan::Error("Line 4: Email must look like name@example.com.".into()));
    assert_eq!(plan(5), RowPlan::Error("Line 5: active must be true or false, not \u{201c}maybe\u{201d}.".into()));
    assert_eq!(plan(6), RowPlan::Error("Line 6: no workspace is named Marketing.".into()));
    assert!(matches!(plan(7), RowPlan::Error(ref e) if e.contains("also on line 8")));
    assert!(matches!(plan(8), RowPlan::Error(ref e) if e.contains("also on line 7")));
    assert!(matches!(plan(9), RowPlan::Error(ref e) if e.contains("has 2 cells")));
    let refused = app.services.apply_import(&system(), &id, &preview.fingerprint, "/imports").await;
    assert!(invalid_message(refused).contains("6 lines of the file have errors"));
    assert_eq!(app.services.get_user(&system(), &ada.id).await.unwrap().given_name, "Test", "nothing imported");

    let fixed = "userName,givenName,email,active,workspaces\n\
                 ADA@example.com,Augusta,ada@example.com,yes,Finance FY27\n\
                 bob@example.com,Bob,bob@example.com,,Finance FY27; Sales\n\
                 carol@example.com,Carol,carol@example.com,false,\n";
    let id = app.services.upload_import(&system(), upload("people.csv", fixed)).await.unwrap();
    let preview = app.services.import_preview(&system(), &id).await.unwrap();
    assert_eq!((preview.creates, preview.updates, preview.errors), (2, 1, 0));
    let batch = app.services.apply_import(&system(), &id, &preview.fingerprint, "/imports").await.unwrap();
    let done = finished(&app, &batch).await;
    assert_eq!((done.done, done.failed), (3, 0), "{done:?}");
    let ada = app.services.user_with_access(&system(), &ada.id).await.unwrap();
    assert_eq!((ada.user.user_name.as_str(), ada.user.given_name.as_str()), ("ada@example.com", "Augusta"), "case alone renames no one");
    assert_eq!(ada.workspaces.iter().map(|w| w.id.as_str()).collect::<Vec<_>>(), [finance.id.as_str()]);
    let carol = app.store.find_user_id_by_name("carol@example.com").await.unwrap().unwrap();
    let carol = app.services.user_with_access(&system(), &carol).await.unwrap();
    assert!(!carol.user.active && carol.workspaces.is_empty());
    // Each line's event carries the batch and the file.
    let events = app.store.audit_of("user", &carol.user.id, 10).await.unwrap();
    assert!(events[0].after_json.as_deref().unwrap_or_default().contains("\"imported_from\":\"people.csv\""), "{events:?}");
    assert!(trail_of(&app, &format!("batch:{batch}")).await.len() == 4);
    // Applied once only.
    assert!(app.services.apply_import(&system(), &id, &preview.fingerprint, "/imports").await.is_err());

    // The same file again: every line unchanged, nothing to apply, nothing recorded.
    let events = app.store.count_audit_events().await.unwrap();
    let again = app.services.upload_import(&system(), upload("people.csv", fixed)).await.unwrap();
    let preview = app.services.import_preview(&system(), &again).await.unwrap();
    assert_eq!((preview.unchanged, preview.creates, preview.updates), (3, 0, 0));
    assert!(invalid_message(app.services.apply_import(&system(), &again, &preview.fingerprint, "/imports").await).contains("Nothing to apply"));
    assert_eq!(app.store.count_audit_events().await.unwrap(), events + 1, "only the upload is recorded");
}

#[tokio::test]
async fn applying_refuses_when_a_user_changed_since_the_dry_run() {
    let app = spawn_app().await;
    let ada = app.user("ada@example.com").await;
    let id = app.services.upload_import(&system(), upload("people.csv", "userName,givenName\nada@example.com,Augusta\n")).await.unwrap();
    let preview = app.services.import_preview(&system(), &id).await.unwrap();
    let rename = cim::service::UserChange { active: Some(false), ..Default::default() };
    app.services.change_user_to(&system(), &ada.id, None, rename).await.unwrap();
    let refused = app.services.apply_import(&system(), &id, &preview.fingerprint, "/imports").await;
    assert!(matches!(refused, Err(ServiceError::Conflict { .. })), "{refused:?}");
    assert_eq!(app.services.get_user(&system(), &ada.id).await.unwrap().given_name, "Test");
    // The new dry run applies.
    let preview = app.services.import_preview(&system(), &id).await.unwrap();
    let batch = app.services.apply_import(&system(), &id, &preview.fingerprint, "/imports").await.unwrap();
    assert_eq!(finished(&app, &batch).await.done, 1);
}

#[tokio::test]
async fn two_administrators_applying_one_file_at_once_apply_it_once() {
    let app = spawn_app().await;
    let csv = "userName,givenName\n".to_string() + &(0..40).map(|i| format!("twice{i:02}@example.com,Twice\n")).collect::<String>();
    let id = app.services.upload_import(&system(), upload("twice.csv", &csv)).await.unwrap();
    let preview = app.services.import_preview(&system(), &id).await.unwrap();
    let (one, other) = (system(), system());
    let (first, second) = tokio::join!(
        app.services.apply_import(&one, &id, &preview.fingerprint, "/imports"),
        app.services.apply_import(&other, &id, &preview.fingerprint, "/imports"),
    );
    let applied: Vec<String> = [first, second].into_iter().filter_map(Result::ok).collect();
    assert_eq!(applied.len(), 1, "one of them applies it, the other is told it was");
    let done = finished(&app, &applied[0]).await;
    assert_eq!((done.done, done.failed), (40, 0), "{done:?}");
}

#[tokio::test]
async fn users_missing_from_the_file_are_deactivated_only_when_asked() {
    let app = spawn_app().await;
    let (ada, bob, cy) = (app.user("ada@example.com").await, app.user("bob@example.com").await, app.user("cy@example.com").await);
    app.services.change_user_to(&system(), &cy.id, None, cim::service::UserChange { active: Some(false), ..Default::default() }).await.unwrap();
    let csv = "userName\nada@example.com\n";
    let left_alone = app.services.upload_import(&system(), upload("a.csv", csv)).await.unwrap();
    assert_eq!(app.services.import_preview(&system(), &left_alone).await.unwrap().deactivations, 0);
    // An identity provider that owns its users' status keeps them: left alone, and said so.
    let okta = app.scim().await;
    let managed = okta.create_user("okta@example.com").await;
    let asked = ImportUpload { deactivate_missing: true, ..upload("a.csv", csv) };
    let id = app.services.upload_import(&system(), asked).await.unwrap();
    let preview = app.services.import_preview(&system(), &id).await.unwrap();
    assert_eq!((preview.deactivations, preview.unchanged, preview.skipped), (1, 1, 1), "only bob: cy is inactive already, okta's is okta's");
    let batch = app.services.apply_import(&system(), &id, &preview.fingerprint, "/imports").await.unwrap();
    finished(&app, &batch).await;
    assert!(app.services.get_user(&system(), &ada.id).await.unwrap().active);
    assert!(!app.services.get_user(&system(), &bob.id).await.unwrap().active);
    assert!(app.services.get_user(&system(), managed["id"].as_str().unwrap()).await.unwrap().active);
}

/// A multipart body with one file field, as a browser sends it.
fn multipart(file_name: &str, content: &str) -> (String, String) {
    let boundary = "----cimtestboundary";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn the_console_upload_keeps_the_file_for_its_dry_run_and_refuses_other_sites_and_auditors() {
    let app = spawn_app().await;
    app.sign_in().await;
    let (content_type, body) = multipart("people.csv", "userName,givenName\nada@example.com,Ada\n");
    let post = |origin: &'static str, body: String| {
        app.client.post(format!("{}/imports", app.base)).header("Content-Type", content_type.clone()).header("Origin", origin).body(body).send()
    };
    let cross = post("https://evil.example", body.clone()).await.unwrap();
    assert_eq!(cross.status(), 403);
    let same = app.base.clone();
    let response = app
        .client
        .post(format!("{same}/imports"))
        .header("Content-Type", content_type.clone())
        .header("Origin", same.clone())
        .body(body.clone())
        .send()
        .await
        .unwrap();
    // Sent on to the dry run.
    assert_eq!(response.status(), 303);
    let url = response.headers()["location"].to_str().unwrap().to_string();
    assert!(url.starts_with("/imports/"), "{url}");
    let page = app.client.get(format!("{same}{url}")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Dry run: people.csv") && page.contains("1 to create"), "{page}");

    // A refused file: the import page again, with the reason and the refusal's status.
    let (_, bad) = multipart("bad.csv", "email\nada@example.com\n");
    let refused = app.client.post(format!("{same}/imports")).header("Content-Type", content_type.clone()).header("Origin", same.clone()).body(bad).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("The file has no userName column"));

    app.sign_in_as(crate::helpers::AUDITOR).await;
    let auditor = app.client.post(format!("{same}/imports")).header("Content-Type", content_type).header("Origin", same.clone()).body(body).send().await.unwrap();
    assert_eq!(auditor.status(), 403);
}

/// A clock that says what it is told.
struct At(i64);

impl cim::service::Clock for At {
    fn now_ms(&self) -> i64 {
        self.0
    }
}

#[tokio::test]
async fn a_file_nobody_applied_within_a_day_is_let_go_at_the_next_upload() {
    let app = spawn_app().await;
    let now = app.services.now_ms();
    let two_days_ago = cim::service::Services::new(app.store.clone(), std::sync::Arc::new(At(now - 2 * 24 * 3600 * 1000)));
    let old = two_days_ago.upload_import(&system(), upload("old.csv", "userName\nada@example.com\n")).await.unwrap();
    let recent = two_days_ago.upload_import(&system(), upload("recent.csv", "userName\nbob@example.com\n")).await;
    assert!(recent.is_ok() && app.services.import_preview(&system(), &old).await.is_ok(), "kept within the day");
    let new = app.services.upload_import(&system(), upload("new.csv", "userName\ncy@example.com\n")).await.unwrap();
    assert!(matches!(app.services.import_preview(&system(), &old).await, Err(ServiceError::NotFound { .. })));
    assert!(app.services.import_preview(&system(), &new).await.is_ok());
}
