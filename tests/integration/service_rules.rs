use cim::domain::admins::Role;
use cim::domain::users::UserInput;
use cim::service::ServiceError;

use crate::helpers::{named, profile, spawn_app, system};

fn input(user_name: &str) -> UserInput {
    UserInput { user_name: user_name.into(), ..Default::default() }
}

#[tokio::test]
async fn user_names_are_unique_whatever_their_case() {
    let app = spawn_app().await;
    app.user("Ada@Example.com").await;
    let err = app.services.create_user(&system(), &profile(input("ada@example.COM"))).await.unwrap_err();
    assert!(matches!(err, ServiceError::Conflict { ref field, .. } if field == "user_name"), "{err:?}");
}

#[tokio::test]
async fn workspace_names_are_unique_whatever_their_case_also_on_rename() {
    let app = spawn_app().await;
    app.workspace("Finance").await;
    let other = app.workspace("Sales").await;
    let err = app.services.change_workspace(&system(), &other.id, Some(1), &named("FINANCE")).await.unwrap_err();
    assert!(matches!(err, ServiceError::Conflict { ref field, .. } if field == "name"), "{err:?}");
    assert_eq!(app.store.get_workspace(&other.id).await.unwrap().unwrap().name, "Sales");
}

#[tokio::test]
async fn every_change_bumps_the_version_and_appends_one_audit_event_with_before_and_after() {
    let app = spawn_app().await;
    let user = app.user("turing@example.com").await;
    let mut edited = input("turing@example.com");
    edited.given_name = "Alan".into();
    let after = app.services.change_user_to(&system(), &user.id, Some(1), profile(edited.clone())).await.unwrap().user;
    assert_eq!(after.version, 2);
    let events = app.store.audit_of("user", &user.id, 10).await.unwrap();
    assert_eq!(events.len(), 2);
    let update = &events[0];
    assert_eq!(update.action, "user.update");
    assert!(update.before_json.as_deref().unwrap().contains("\"given_name\":\"Test\""));
    assert!(update.after_json.as_deref().unwrap().contains("\"given_name\":\"Alan\""));
    // The search terms follow the change: found by the new name, no longer by the old.
    let search = |q: &str| cim::domain::users::UserListQuery { q: q.into(), ..Default::default() };
    let found = app.services.list_users(&system(), &search("alan"), &Default::default(), 1).await.unwrap();
    assert_eq!(found.rows.len(), 1);
    let gone = app.services.list_users(&system(), &search("test turing"), &Default::default(), 1).await.unwrap();
    assert!(gone.rows.is_empty());
    // Saving the same values again changes nothing and records nothing.
    let same = app.services.change_user_to(&system(), &user.id, Some(2), profile(edited)).await.unwrap().user;
    assert_eq!(same.version, 2);
    assert_eq!(app.store.audit_of("user", &user.id, 10).await.unwrap().len(), 2);
}

#[tokio::test]
async fn invalid_input_is_refused_before_anything_is_written() {
    let app = spawn_app().await;
    let err = app.services.create_user(&system(), &profile(input("has space"))).await.unwrap_err();
    assert!(matches!(err, ServiceError::Invalid { ref field, .. } if field == "user_name"));
    let page = app.services.list_users(&system(), &Default::default(), &Default::default(), 1).await.unwrap();
    assert!(page.rows.is_empty());
}

#[tokio::test]
async fn admin_passwords_must_be_long_and_are_stored_only_as_argon2id_hashes() {
    let app = spawn_app().await;
    let err = app.services.create_admin(&system(), "shorty", "short", Role::Auditor).await.unwrap_err();
    assert!(matches!(err, ServiceError::Invalid { ref field, .. } if field == "password"));
    let admin = app.store.find_admin_by_username(crate::helpers::ADMIN).await.unwrap().unwrap();
    assert!(admin.password_hash.starts_with("$argon2id$"), "{}", admin.password_hash);
    assert!(!admin.password_hash.contains(crate::helpers::PASSWORD));
}

#[tokio::test]
async fn demo_data_adds_users_workspaces_and_grants_in_one_audited_write() {
    let app = spawn_app().await;
    app.services.load_demo_data(&system(), cim::service::DemoSize { users: 300, workspaces: 5, ..Default::default() }).await.unwrap();
    let page = app.services.list_users(&system(), &Default::default(), &Default::default(), 1).await.unwrap();
    assert_eq!(page.rows.len(), 50);
    assert!(page.next.is_some());
    let workspaces = app.services.list_workspaces(&system(), "", &Default::default()).await.unwrap();
    assert_eq!(workspaces.rows.len(), 5);
    let members: i64 = workspaces.rows.iter().map(|w| w.member_count).sum();
    assert!(members > 100, "grants were made: {members}");
    // Each grant knows its member's place in user-name order: a workspace lists them all so.
    let biggest = workspaces.rows.iter().max_by_key(|w| w.member_count).unwrap();
    let in_it = cim::domain::users::UserListQuery { workspace: Some(biggest.id.clone()), ..Default::default() };
    let (mut listed, mut cursor, mut first) = (Vec::new(), cim::domain::paging::Cursor::First, 1);
    loop {
        let page = app.services.list_users(&system(), &in_it, &cursor, first).await.unwrap();
        first += page.rows.len() as i64;
        listed.extend(page.rows.into_iter().map(|r| r.user_name.to_lowercase()));
        match page.next {
            Some(next) => cursor = cim::domain::paging::Cursor::After(next),
            None => break,
        }
    }
    assert_eq!(listed.len() as i64, biggest.member_count);
    assert!(listed.windows(2).all(|w| w[0] < w[1]), "in user-name order");
    let events = app.store.audit_of("store", "demo", 10).await.unwrap();
    assert_eq!(events.len(), 1);
}
