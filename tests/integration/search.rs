//! The users list's search at any size: a page comes off the search terms in user-name order,
//! counts come from totals kept with the rows, and a store whose terms a migration threw away
//! rebuilds them when it opens.

use std::sync::Arc;

use cim::domain::paging::{Cursor, Total};
use cim::domain::users::{StatusFilter, UserInput, UserListPage, UserListQuery, UserSort};
use cim::service::{AccessChange, Services, SystemClock, UserChange, WorkspaceChange, WorkspaceRef};
use cim::storage::{Store, Workload};

use crate::helpers::{named, profile, spawn_app, system, TestApp};

async fn person(app: &TestApp, user_name: &str, given: &str, family: &str) -> String {
    let input = UserInput { user_name: user_name.into(), given_name: given.into(), family_name: family.into(), ..Default::default() };
    app.services.create_user(&system(), &profile(input)).await.expect("create user").user.id
}

async fn page(services: &Services, list: &UserListQuery, cursor: Cursor) -> UserListPage {
    services.list_users(&system(), list, &cursor, 1).await.expect("list")
}

/// Every page of the list, following its next links as the console does (each link says where
/// its page starts).
async fn pages(services: &Services, list: &UserListQuery) -> Vec<UserListPage> {
    let mut all = Vec::new();
    let (mut cursor, mut first) = (Cursor::First, 1);
    loop {
        let shown = services.list_users(&system(), list, &cursor, first).await.expect("list");
        first += shown.rows.len() as i64;
        let next = shown.next.clone();
        all.push(shown);
        match next {
            Some(next) => cursor = Cursor::After(next),
            None => return all,
        }
    }
}

/// Every user name the list shows, page after page.
async fn every_page(services: &Services, list: &UserListQuery) -> Vec<String> {
    pages(services, list).await.iter().flat_map(|p| p.rows.iter().map(|r| r.user_name.clone())).collect()
}

fn search(q: &str) -> UserListQuery {
    UserListQuery { q: q.into(), ..Default::default() }
}

#[tokio::test]
async fn a_search_walks_every_term_of_a_word_in_user_name_order_both_ways() {
    let app = spawn_app().await;
    // "lov" is three terms (lovelace, lovett, lovell); numbered names are a name and a number.
    let mut expected_lov = Vec::new();
    let mut inactive = Vec::new();
    for i in 0..70 {
        let name = format!("ada.lovelace{i}@example.com");
        let id = person(&app, &name, if i % 2 == 0 { "Ada" } else { "Augusta" }, "Lovelace").await;
        if i % 7 == 0 {
            let off = UserChange { active: Some(false), ..Default::default() };
            app.services.change_user_to(&system(), &id, None, off).await.expect("deactivate");
            inactive.push(name.clone());
        }
        expected_lov.push(name);
    }
    for i in 0..25 {
        let name = format!("zoe.lovett{i}@example.org");
        person(&app, &name, "Zoe", "Lovett").await;
        expected_lov.push(name);
    }
    person(&app, "bea.lovell@example.net", "Bea", "Lovell").await;
    expected_lov.push("bea.lovell@example.net".into());
    person(&app, "grace.hopper@example.com", "Grace", "Hopper").await;
    expected_lov.sort();
    inactive.sort();

    assert_eq!(every_page(&app.services, &search("lov")).await, expected_lov);
    assert_eq!(page(&app.services, &search("lov"), Cursor::First).await.total, Total::Exactly(expected_lov.len() as i64));

    // Descending, and back from the last page: the same users, the other way round.
    let mut reversed = expected_lov.clone();
    reversed.reverse();
    let descending = UserListQuery { descending: true, ..search("lov") };
    assert_eq!(every_page(&app.services, &descending).await, reversed);
    let second = page(&app.services, &search("lov"), Cursor::After(expected_lov[49].to_lowercase())).await;
    let back = page(&app.services, &search("lov"), Cursor::Before(second.rows[0].user_name.to_lowercase())).await;
    assert_eq!(back.rows.iter().map(|r| r.user_name.clone()).collect::<Vec<_>>(), expected_lov[..50].to_vec());

    // The rest of the search applies to each term's walk: a status, a second word, a number.
    let inactive_lov = UserListQuery { status: StatusFilter::Inactive, ..search("lov") };
    assert_eq!(every_page(&app.services, &inactive_lov).await, inactive);
    let augusta: Vec<String> = (0..70).filter(|i| i % 2 == 1).map(|i| format!("ada.lovelace{i}@example.com")).collect();
    let mut augusta_sorted = augusta.clone();
    augusta_sorted.sort();
    assert_eq!(every_page(&app.services, &search("aug lov")).await, augusta_sorted);
    assert_eq!(page(&app.services, &search("aug lov"), Cursor::First).await.total, Total::Exactly(35));
    let mut augusta_reversed = augusta_sorted.clone();
    augusta_reversed.reverse();
    assert_eq!(every_page(&app.services, &UserListQuery { descending: true, ..search("lov aug") }).await, augusta_reversed);
    let inactive_augusta = UserListQuery { status: StatusFilter::Inactive, ..search("aug lov") };
    let expected: Vec<String> = augusta_sorted.iter().filter(|n| inactive.contains(n)).cloned().collect();
    assert_eq!(every_page(&app.services, &inactive_augusta).await, expected);
    let back = page(&app.services, &search("aug lov"), Cursor::Before(augusta_sorted[20].clone())).await;
    assert_eq!(back.rows.iter().map(|r| r.user_name.clone()).collect::<Vec<_>>(), augusta_sorted[..20].to_vec());
    let mut numbered: Vec<String> = [4, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49].iter().map(|i| format!("ada.lovelace{i}@example.com")).collect();
    numbered.sort();
    assert_eq!(every_page(&app.services, &search("Lovelace4")).await, numbered);
    assert!(every_page(&app.services, &search("lovelacex")).await.is_empty());
    assert_eq!(page(&app.services, &search("lovelacex"), Cursor::First).await.total, Total::Exactly(0));

    // Another order (walked along its own index) finds every match, in that order.
    let by_change = UserListQuery { sort: UserSort::LastChange, ..search("lov") };
    let first = page(&app.services, &by_change, Cursor::First).await;
    assert!(first.rows.windows(2).all(|w| w[0].last_modified <= w[1].last_modified));
    let mut changed = every_page(&app.services, &by_change).await;
    changed.sort();
    assert_eq!(changed, expected_lov);
    let inactive_by_name = UserListQuery { sort: UserSort::Name, status: StatusFilter::Inactive, ..search("lov") };
    let mut named = every_page(&app.services, &inactive_by_name).await;
    named.sort();
    assert_eq!(named, inactive);
}

/// The overview's counts and the users list's totals, all and inactive only.
async fn expect_totals(services: &Services, active: i64, inactive: i64) {
    let overview = services.overview(&system()).await.expect("overview");
    assert_eq!((overview.active_users, overview.inactive_users), (active, inactive));
    let all = page(services, &UserListQuery::default(), Cursor::First).await;
    assert_eq!(all.total, Total::Exactly(active + inactive));
    let only_inactive = UserListQuery { status: StatusFilter::Inactive, ..Default::default() };
    assert_eq!(page(services, &only_inactive, Cursor::First).await.total, Total::Exactly(inactive));
}

#[tokio::test]
async fn user_totals_follow_every_create_status_change_and_delete() {
    let app = spawn_app().await;
    let ids = [
        person(&app, "a@example.com", "A", "One").await,
        person(&app, "b@example.com", "B", "Two").await,
        person(&app, "c@example.com", "C", "Three").await,
    ];
    let off = UserChange { active: Some(false), ..Default::default() };
    app.services.change_user_to(&system(), &ids[0], None, off).await.expect("deactivate");
    app.services.delete_user(&system(), &ids[1], None).await.expect("delete");
    expect_totals(&app.services, 1, 1).await;
    // PostgreSQL notes each change as a row and folds them into the totals every few seconds:
    // the same counts before and after.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    expect_totals(&app.services, 1, 1).await;
    let on = UserChange { active: Some(true), ..Default::default() };
    app.services.change_user_to(&system(), &ids[0], None, on).await.expect("reactivate");
    expect_totals(&app.services, 2, 0).await;
}

#[tokio::test]
async fn a_store_told_to_rebuild_its_search_terms_does_so_when_it_opens() {
    let app = spawn_app().await;
    // A new store has no terms to rebuild.
    assert!(!app.store.search_terms_due().await.unwrap());
    person(&app, "grace.hopper42@navy.mil", "Grace", "Hopper").await;
    app.execute("DELETE FROM user_search_terms").await;
    // A display name key folded by an older migration's SQL, not as every write folds it.
    app.execute("UPDATE users SET display_name_key = 'GRACE HOPPER'").await;
    app.execute("INSERT INTO store_upkeep (task) VALUES ('rebuild_search_terms')").await;
    assert!(page(&app.services, &search("hopper"), Cursor::First).await.rows.is_empty());

    let reopened = Store::open(&app.database_url, std::time::Duration::from_secs(5), Workload::Serve).await.expect("reopen");
    assert!(!reopened.search_terms_due().await.unwrap());
    let services = Services::new(reopened, Arc::new(SystemClock));
    for q in ["hopper", "grace hop", "hopper4", "navy"] {
        let found = page(&services, &search(q), Cursor::First).await;
        assert_eq!(found.rows.iter().map(|r| r.user_name.as_str()).collect::<Vec<_>>(), ["grace.hopper42@navy.mil"], "{q}");
    }
    // The key folded again, the users' display order and the terms' copy agree: a search sorted
    // by name with a status (hopping through both) finds the user, before and after a change
    // of status alone.
    let by_name_with = |status| UserListQuery { sort: UserSort::Name, status, ..search("grace hop") };
    let found = page(&services, &by_name_with(StatusFilter::Active), Cursor::First).await;
    assert_eq!(found.rows.len(), 1);
    let off = UserChange { active: Some(false), ..Default::default() };
    services.change_user_to(&system(), &found.rows[0].id, None, off).await.expect("deactivate");
    assert_eq!(page(&services, &by_name_with(StatusFilter::Inactive), Cursor::First).await.rows.len(), 1);
    assert!(page(&services, &by_name_with(StatusFilter::Active), Cursor::First).await.rows.is_empty());
}

#[tokio::test]
async fn a_search_for_a_word_most_users_have_walks_the_users_in_order() {
    let app = spawn_app().await;
    // 60 different terms under "q" (too many to walk one by one), one per user.
    let mut expected = Vec::new();
    for i in 0..60u8 {
        let family = format!("Q{}{}", (b'a' + i / 26) as char, (b'a' + i % 26) as char);
        let name = format!("user{i:02}@example.com");
        person(&app, &name, "Pat", &family).await;
        expected.push(name);
    }
    person(&app, "other@example.com", "Pat", "Zed").await;
    assert_eq!(every_page(&app.services, &search("q")).await, expected);
    assert_eq!(page(&app.services, &search("q"), Cursor::First).await.total, Total::Exactly(60));
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(every_page(&app.services, &UserListQuery { descending: true, ..search("Q") }).await, reversed);
    assert_eq!(every_page(&app.services, &search("q pat")).await, expected);
    assert!(every_page(&app.services, &UserListQuery { status: StatusFilter::Inactive, ..search("q") }).await.is_empty());
}

#[tokio::test]
async fn a_count_that_stops_short_says_at_least_and_the_last_page_says_exactly() {
    let app = spawn_app().await;
    for i in 0..230 {
        person(&app, &format!("pat.quill{i:03}@example.com"), "Pat", "Quill").await;
    }
    // Two words: hopped through together, counted up to 201.
    let all = pages(&app.services, &search("pat quill")).await;
    assert_eq!(all.len(), 5);
    assert_eq!(all[0].total, Total::AtLeast(201));
    assert_eq!(all.iter().map(|p| p.first).collect::<Vec<_>>(), [1, 51, 101, 151, 201]);
    assert_eq!(all[4].rows.len(), 30);
    assert_eq!(all[4].total, Total::Exactly(230));

    // A rename moves the user in every plan: one word, two words, a word and a status.
    let renamed = app.store.find_user_id_by_name("pat.quill000@example.com").await.unwrap().unwrap();
    let input = UserInput { user_name: "zz.quill@example.com".into(), given_name: "Pat".into(), family_name: "Quill".into(), ..Default::default() };
    app.services.change_user_to(&system(), &renamed, None, profile(input)).await.expect("rename");
    for q in [search("quill"), search("pat quill"), UserListQuery { status: StatusFilter::Active, ..search("quill") }] {
        let names = every_page(&app.services, &q).await;
        assert_eq!(names.len(), 230, "{q:?}");
        assert_eq!(names.last().map(String::as_str), Some("zz.quill@example.com"), "{q:?}");
        assert!(!names.contains(&"pat.quill000@example.com".to_string()), "{q:?}");
    }
}

#[tokio::test]
async fn a_search_sorted_by_name_walks_the_terms_in_display_name_order_both_ways() {
    let app = spawn_app().await;
    // User names in one order, display names in another, and many users under one display name
    // (their ids order them): (display name key, id, user name) of every Lovelace.
    let mut lovelaces: Vec<(String, String, String)> = Vec::new();
    let mut inactive = Vec::new();
    for i in 0..80 {
        let given = ["Zed", "Ada", "Mia", "Ada"][i % 4];
        let name = format!("u{:02}.lovelace@example.com", 79 - i);
        let id = person(&app, &name, given, "Lovelace").await;
        if i % 5 == 0 {
            let off = UserChange { active: Some(false), ..Default::default() };
            app.services.change_user_to(&system(), &id, None, off).await.expect("deactivate");
            inactive.push(name.clone());
        }
        lovelaces.push((format!("{} lovelace", given.to_lowercase()), id, name));
    }
    for i in 0..30 {
        person(&app, &format!("ada.byron{i}@example.com"), "Ada", "Byron").await;
    }
    lovelaces.sort();
    let by_name = |q: &str| UserListQuery { sort: UserSort::Name, ..search(q) };
    let names = |of: &[(String, String, String)]| of.iter().map(|(_, _, n)| n.clone()).collect::<Vec<_>>();
    let expected = names(&lovelaces);

    // One word: its terms walked in display-name order, page after page, and back.
    assert_eq!(every_page(&app.services, &by_name("lovelace")).await, expected);
    let mut reversed = expected.clone();
    reversed.reverse();
    assert_eq!(every_page(&app.services, &UserListQuery { descending: true, ..by_name("lovelace") }).await, reversed);
    let all = pages(&app.services, &by_name("lovelace")).await;
    assert_eq!(all.len(), 2);
    let back = page(&app.services, &by_name("lovelace"), Cursor::Before(all[0].next.clone().expect("a second page"))).await;
    assert_eq!(back.rows.iter().map(|r| r.user_name.clone()).collect::<Vec<_>>(), expected[..49].to_vec());

    // Two words: hopped through together in display-name order.
    let adas: Vec<(String, String, String)> = lovelaces.iter().filter(|(key, _, _)| key.starts_with("ada")).cloned().collect();
    assert_eq!(every_page(&app.services, &by_name("ada lov")).await, names(&adas));
    let mut adas_reversed = names(&adas);
    adas_reversed.reverse();
    assert_eq!(every_page(&app.services, &UserListQuery { descending: true, ..by_name("lov ada") }).await, adas_reversed);
    assert_eq!(page(&app.services, &by_name("ada lov"), Cursor::First).await.total, Total::Exactly(40));

    // A status is met by each match of the walk.
    let inactive_by_name: Vec<String> = expected.iter().filter(|n| inactive.contains(n)).cloned().collect();
    assert_eq!(every_page(&app.services, &UserListQuery { status: StatusFilter::Inactive, ..by_name("lovelace") }).await, inactive_by_name);
    let inactive_adas: Vec<String> = names(&adas).into_iter().filter(|n| inactive.contains(n)).collect();
    assert_eq!(every_page(&app.services, &UserListQuery { status: StatusFilter::Inactive, ..by_name("ada lov") }).await, inactive_adas);

    // In status order: the inactive by user name, then the active, each status read off the
    // terms in user-name order; both ways, and back from the second page.
    let mut by_user_name = expected.clone();
    by_user_name.sort();
    let (off, on): (Vec<String>, Vec<String>) = by_user_name.into_iter().partition(|n| inactive.contains(n));
    let by_status_expected = [off.clone(), on].concat();
    let by_status = UserListQuery { sort: UserSort::Status, ..search("lovelace") };
    assert_eq!(every_page(&app.services, &by_status).await, by_status_expected);
    let mut by_status_reversed = by_status_expected.clone();
    by_status_reversed.reverse();
    assert_eq!(every_page(&app.services, &UserListQuery { descending: true, ..by_status.clone() }).await, by_status_reversed);
    let second = pages(&app.services, &by_status).await[0].next.clone().expect("a second page");
    let back = page(&app.services, &by_status, Cursor::Before(second)).await;
    assert_eq!(back.rows.iter().map(|r| r.user_name.clone()).collect::<Vec<_>>(), by_status_expected[..49].to_vec());
    let inactive_by_status = UserListQuery { status: StatusFilter::Inactive, ..by_status.clone() };
    assert_eq!(every_page(&app.services, &inactive_by_status).await, off);

    // A new display name moves the user in that order.
    let (_, moved_id, moved) = lovelaces[0].clone();
    let input = UserInput { user_name: moved.clone(), given_name: "Zz".into(), family_name: "Lovelace".into(), ..Default::default() };
    app.services.change_user_to(&system(), &moved_id, None, profile(input)).await.expect("rename");
    let shown = every_page(&app.services, &by_name("lovelace")).await;
    assert_eq!(shown.last(), Some(&moved));
    assert_eq!(shown.len(), 80);
    assert!(!every_page(&app.services, &by_name("ada lov")).await.contains(&moved));
}

/// A workspace's members come off its grants in user-name order whatever the search: walking
/// the grants (a word more users have than the workspace has members) or a word's terms (a rarer
/// word), both ways and back. Granted from either side; a rename moves a member in the list (and
/// in the group's members), a revoke takes it out.
#[tokio::test]
async fn a_workspace_lists_its_members_in_user_name_order_off_its_grants() {
    let app = spawn_app().await;
    let eng = app.services.create_workspace(&system(), &named("Engineering")).await.expect("workspace");
    let (mut members, mut by_workspace) = (Vec::new(), Vec::new());
    let mut inactive = Vec::new();
    for i in 0..130 {
        // Created out of name order; most are Lovelaces, a Hopper is rarer than a member.
        let family = if i % 13 == 0 { "Hopper" } else { "Lovelace" };
        let name = format!("m{:03}.{}@example.com", (i * 37) % 130, family.to_lowercase());
        let id = person(&app, &name, "Ada", family).await;
        if i % 2 == 1 {
            continue;
        }
        members.push(name.clone());
        if i % 4 == 0 {
            let grant = AccessChange { grant: vec![WorkspaceRef::Id(eng.id.clone())], ..Default::default() };
            let off = (i % 3 == 0).then_some(false);
            if off.is_some() {
                inactive.push(name);
            }
            app.services.change_user_to(&system(), &id, None, UserChange { access: grant, active: off, ..Default::default() }).await.expect("grant");
        } else {
            by_workspace.push(id);
        }
    }
    let add = WorkspaceChange { add: by_workspace, ..Default::default() };
    app.services.change_workspace(&system(), &eng.id, None, &add).await.expect("add members");
    members.sort();
    let in_eng = |q: &str| UserListQuery { workspace: Some(eng.id.clone()), ..search(q) };
    let reversed = |names: &[String]| names.iter().rev().cloned().collect::<Vec<_>>();

    // Every member, page after page, both ways and back from the second page.
    assert_eq!(every_page(&app.services, &in_eng("")).await, members);
    assert_eq!(every_page(&app.services, &UserListQuery { descending: true, ..in_eng("") }).await, reversed(&members));
    let second = pages(&app.services, &in_eng("")).await[0].next.clone().expect("a second page");
    let back = page(&app.services, &in_eng(""), Cursor::Before(second)).await;
    assert_eq!(back.rows.iter().map(|r| r.user_name.clone()).collect::<Vec<_>>(), members[..49].to_vec());
    assert_eq!(back.total, Total::Exactly(65));

    // A word more common than membership walks the grants; a rarer one, its terms.
    let having = |word: &str| members.iter().filter(|n| n.contains(word)).cloned().collect::<Vec<_>>();
    assert_eq!(every_page(&app.services, &in_eng("lovelace")).await, having("lovelace"));
    assert_eq!(every_page(&app.services, &UserListQuery { descending: true, ..in_eng("ada love") }).await, reversed(&having("lovelace")));
    assert_eq!(every_page(&app.services, &in_eng("hopper")).await, having("hopper"));
    // "m" starts more terms (m000 to m129) than are met one by one.
    assert_eq!(every_page(&app.services, &in_eng("m lovelace")).await, having("lovelace"));
    assert_eq!(page(&app.services, &in_eng("m"), Cursor::First).await.total, Total::Exactly(65));
    assert_eq!(every_page(&app.services, &UserListQuery { descending: true, ..in_eng("hop") }).await, reversed(&having("hopper")));
    // A workspace this small counts its matches exactly, whichever list the page walks.
    assert_eq!(page(&app.services, &in_eng("hop"), Cursor::First).await.total, Total::Exactly(having("hopper").len() as i64));
    assert_eq!(page(&app.services, &in_eng("lovelace"), Cursor::First).await.total, Total::Exactly(having("lovelace").len() as i64));
    inactive.sort();
    assert!(!inactive.is_empty());
    assert_eq!(every_page(&app.services, &UserListQuery { status: StatusFilter::Inactive, ..in_eng("") }).await, inactive);
    assert_eq!(every_page(&app.services, &UserListQuery { status: StatusFilter::Inactive, ..in_eng("lovelace") }).await, inactive.iter().filter(|n| n.contains("lovelace")).cloned().collect::<Vec<_>>());
    // In another order the members are sorted, each word met the same ways.
    let by_status = |q: &str| UserListQuery { sort: UserSort::Status, ..in_eng(q) };
    let (off, on): (Vec<String>, Vec<String>) = having("lovelace").into_iter().partition(|n| inactive.contains(n));
    assert_eq!(every_page(&app.services, &by_status("lovelace")).await, [off.clone(), on.clone()].concat());
    assert_eq!(every_page(&app.services, &by_status("m lovelace")).await, [off, on].concat());
    let (off, on): (Vec<String>, Vec<String>) = having("hopper").into_iter().partition(|n| inactive.contains(n));
    assert_eq!(every_page(&app.services, &by_status("hop")).await, [off, on].concat());

    // A rename moves a member to its new place, in the list and in the group's members.
    let first = app.services.list_users(&system(), &in_eng(""), &Cursor::First, 1).await.expect("list").rows[0].clone();
    let input = UserInput { user_name: "zz.renamed@example.com".into(), given_name: "Ada".into(), family_name: "Lovelace".into(), ..Default::default() };
    app.services.change_user_to(&system(), &first.id, None, profile(input)).await.expect("rename");
    let mut renamed: Vec<String> = members[1..].to_vec();
    renamed.push("zz.renamed@example.com".into());
    assert_eq!(every_page(&app.services, &in_eng("")).await, renamed);
    assert_eq!(every_page(&app.services, &in_eng("lovelace")).await.last().map(String::as_str), Some("zz.renamed@example.com"));
    let group = app.services.workspace_members(&system(), std::slice::from_ref(&eng.id)).await.expect("group members");
    assert_eq!(group[&eng.id].iter().map(|(_, n)| n.clone()).collect::<Vec<_>>(), renamed);

    // A revoke takes the member out.
    let revoke = UserChange { access: AccessChange { revoke: vec![WorkspaceRef::Id(eng.id.clone())], ..Default::default() }, ..Default::default() };
    app.services.change_user_to(&system(), &first.id, None, revoke).await.expect("revoke");
    assert_eq!(every_page(&app.services, &in_eng("")).await, members[1..].to_vec());
}

/// A store from before migration 14 (grants without their user's name key) gets the keys when
/// it opens: its workspaces list their members in user-name order (the key folded, not the
/// name as typed) and find them by a word, and a rename afterwards moves a member as usual.
#[tokio::test]
async fn a_store_from_before_grants_kept_name_keys_copies_them_when_it_opens() {
    let app = spawn_app().await;
    let eng = app.services.create_workspace(&system(), &named("Engineering")).await.expect("workspace");
    let names = ["Carol.Lovelace@example.com", "bob.hopper@example.com", "Dave.Lovelace@example.com", "alice.lovelace@example.com", "Eve.Hopper@example.com"];
    let mut ids = Vec::new();
    for name in names {
        let family = if name.to_lowercase().contains("hopper") { "Hopper" } else { "Lovelace" };
        ids.push(person(&app, name, "Ada", family).await);
    }
    let add = WorkspaceChange { add: ids.clone(), ..Default::default() };
    app.services.change_workspace(&system(), &eng.id, None, &add).await.expect("add members");
    // Back to the schema before migration 14, which then counts as not applied.
    app.execute("DROP INDEX access_grants_in_user_name_order").await;
    app.execute("ALTER TABLE access_grants DROP COLUMN user_name_key").await;
    app.execute("CREATE INDEX access_grants_by_workspace ON access_grants (workspace_id, user_id)").await;
    app.execute("DELETE FROM _sqlx_migrations WHERE version = 20261129000014").await;

    let reopened = Store::open(&app.database_url, std::time::Duration::from_secs(5), Workload::Serve).await.expect("reopen and migrate");
    let services = Services::new(reopened, Arc::new(SystemClock));
    let in_eng = |q: &str| UserListQuery { workspace: Some(eng.id.clone()), ..search(q) };
    let in_key_order = ["alice.lovelace@example.com", "bob.hopper@example.com", "Carol.Lovelace@example.com", "Dave.Lovelace@example.com", "Eve.Hopper@example.com"];
    assert_eq!(every_page(&services, &in_eng("")).await, in_key_order);
    assert_eq!(every_page(&services, &UserListQuery { descending: true, ..in_eng("") }).await, in_key_order.iter().rev().copied().collect::<Vec<_>>());
    assert_eq!(every_page(&services, &in_eng("hopper")).await, ["bob.hopper@example.com", "Eve.Hopper@example.com"]);
    assert_eq!(every_page(&services, &in_eng("lovelace")).await, ["alice.lovelace@example.com", "Carol.Lovelace@example.com", "Dave.Lovelace@example.com"]);

    let input = UserInput { user_name: "zed.lovelace@example.com".into(), given_name: "Ada".into(), family_name: "Lovelace".into(), ..Default::default() };
    services.change_user_to(&system(), &ids[3], None, profile(input)).await.expect("rename");
    assert_eq!(every_page(&services, &in_eng("lovelace")).await, ["Carol.Lovelace@example.com", "Dave.Lovelace@example.com", "zed.lovelace@example.com"]);
}
