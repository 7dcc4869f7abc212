//! Several `cim serve` processes on one PostgreSQL database, as behind a load balancer: they
//! migrate once, share sessions and revocations, and concurrent writers through both lose
//! nothing. Run when the test command provides PostgreSQL (CIM_TEST_POSTGRES).

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::helpers::{new_database, postgres_server, TempDir, PASSWORD};

const ADMIN: &str = "instances-admin";

/// A `cim serve` process, stopped when dropped.
struct Instance {
    base: String,
    child: Child,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cim(database_url: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cim"));
    command.env("DATABASE_URL", database_url).env("RUST_LOG", "warn").env("LEPTOS_SITE_ROOT", "target/site");
    command
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts an instance without waiting for it.
fn launch(database_url: &str) -> Instance {
    let port = free_port();
    let child = cim(database_url)
        .arg("serve")
        .env("CIM_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start cim serve");
    Instance { base: format!("http://127.0.0.1:{port}"), child }
}

async fn wait_until_up(instance: &mut Instance) {
    for _ in 0..150 {
        if let Ok(r) = reqwest::get(format!("{}/healthz", instance.base)).await {
            if r.status().is_success() {
                return;
            }
        }
        if let Some(status) = instance.child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(instance.child.stderr.as_mut().unwrap(), &mut err).ok();
            panic!("cim serve exited with {status}: {err}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cim serve did not come up at {}", instance.base);
}

/// Two instances started at once on a fresh, empty database (they migrate it between them),
/// then one administrator.
async fn two_instances() -> Option<(TempDir, String, Instance, Instance)> {
    postgres_server()?;
    let dir = TempDir(std::env::temp_dir().join(format!("cim-instances-{}", cim::auth::secrets::new_id())));
    let url = new_database(&dir).await;
    let (mut a, mut b) = (launch(&url), launch(&url));
    wait_until_up(&mut a).await;
    wait_until_up(&mut b).await;
    let mut admin = cim(&url).args(["admin", "create", "--username", ADMIN, "--password-stdin"]).stdin(Stdio::piped()).spawn().unwrap();
    std::io::Write::write_all(admin.stdin.as_mut().unwrap(), PASSWORD.as_bytes()).unwrap();
    drop(admin.stdin.take());
    assert!(admin.wait().unwrap().success());
    Some((dir, url, a, b))
}

fn skipped() {
    eprintln!("(no CIM_TEST_POSTGRES: the test command runs this against PostgreSQL)");
}

/// A console client signed in on `base`.
async fn console(base: &str) -> reqwest::Client {
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let r = client.post(format!("{base}/api/login")).header("Accept", "application/json")
        .form(&[("username", ADMIN), ("password", PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    client
}

async fn call(client: &reqwest::Client, base: &str, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = client.post(format!("{base}/api/{endpoint}")).header("Accept", "application/json").form(form).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn scim(base: &str, token: &str, method: reqwest::Method, path: &str, body: Option<Value>, if_match: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().request(method, format!("{base}/scim/v2{path}")).bearer_auth(token);
    if let Some(body) = body {
        request = request.header("Content-Type", "application/scim+json").body(body.to_string());
    }
    if let Some(tag) = if_match {
        request = request.header("If-Match", tag);
    }
    let r = request.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn token(url: &str, name: &str) -> String {
    token_with(url, name, &[])
}

/// A new credential's token; `options` as `cim scim-credential create` takes them.
fn token_with(url: &str, name: &str, options: &[&str]) -> String {
    let out = cim(url).args(["scim-credential", "create", "--name", name]).args(options).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// Users `{prefix}{i}@example.com` for i below `count`, created through SCIM; their ids.
async fn create_users(base: &str, token: &str, prefix: &str, count: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..count {
        let (_, u) = scim(base, token, reqwest::Method::POST, "/Users", Some(json!({"userName": format!("{prefix}{i}@example.com")})), None).await;
        ids.push(u["id"].as_str().unwrap().to_string());
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_starting_at_once_on_an_empty_database_migrate_it_once() {
    let Some((_dir, url, _a, _b)) = two_instances().await else { return skipped() };
    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let applied: Vec<(i64, i64)> = sqlx::query_as("SELECT version, COUNT(*) FROM _sqlx_migrations GROUP BY version ORDER BY version")
        .fetch_all(&mut db).await.unwrap();
    let files = std::fs::read_dir("migrations/postgres").unwrap().count();
    assert_eq!(applied.len(), files);
    assert!(applied.iter().all(|(_, n)| *n == 1), "{applied:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_and_a_revocation_hold_on_every_instance() {
    let Some((_dir, url, a, b)) = two_instances().await else { return skipped() };
    let client = console(&a.base).await;
    let (status, _) = call(&client, &b.base, "users/list", &[("q", ""), ("status", "all")]).await;
    assert_eq!(status, 200, "a session signed in on A is valid on B");

    let token = token(&url, "okta");
    assert_eq!(scim(&b.base, &token, reqwest::Method::GET, "/Users", None, None).await.0, 200);
    let (_, credentials) = call(&client, &a.base, "credentials/page", &[]).await;
    let id = credentials.as_array().unwrap().iter().find(|c| c["name"] == "okta").unwrap()["id"].as_str().unwrap().to_string();
    let (status, _) = call(&client, &a.base, "credentials/revoke", &[("id", &id)]).await;
    assert_eq!(status, 200);
    // B trusts what it verified for at most a second (see service/verified.rs): refused by B
    // within a second (the bound allows for slow requests on a busy machine), by A at once.
    assert_eq!(scim(&a.base, &token, reqwest::Method::GET, "/Users", None, None).await.0, 401, "revoked through A, refused by A at once");
    let revoked_at = std::time::Instant::now();
    while scim(&b.base, &token, reqwest::Method::GET, "/Users", None, None).await.0 != 401 {
        assert!(revoked_at.elapsed() < std::time::Duration::from_millis(1500), "revoked through A, still accepted by B");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    // A deactivation through A is what B answers at once.
    let token = self::token(&url, "entra");
    let (_, user) = scim(&a.base, &token, reqwest::Method::POST, "/Users", Some(json!({"userName": "both@example.com"})), None).await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());
    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]});
    assert_eq!(scim(&a.base, &token, reqwest::Method::PATCH, &path, Some(patch), None).await.0, 200);
    assert_eq!(scim(&b.base, &token, reqwest::Method::GET, &path, None, None).await.1["active"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_through_two_instances_lose_nothing_and_fail_nothing() {
    let Some((_dir, url, a, b)) = two_instances().await else { return skipped() };
    let token = token(&url, "writers");
    let bases = [a.base.clone(), b.base.clone()];
    let (_, user) = scim(&a.base, &token, reqwest::Method::POST, "/Users", Some(json!({"userName": "contended@example.com"})), None).await;
    let user_id = user["id"].as_str().unwrap().to_string();
    let (_, ws) = scim(&a.base, &token, reqwest::Method::POST, "/Groups", Some(json!({"displayName": "Contended"})), None).await;
    let ws_id = ws["id"].as_str().unwrap().to_string();
    let others = create_users(&a.base, &token, "member", 10).await;

    // 20 writers, half through each instance: console saves and SCIM PATCHes of the same user,
    // and SCIM PATCHes of the same workspace, each with the version it read (stale ones refused).
    let mut writers = JoinSet::new();
    for i in 0..20usize {
        let base = bases[i % 2].clone();
        let (token, user_id, ws_id, member) = (token.clone(), user_id.clone(), ws_id.clone(), others[i % others.len()].clone());
        writers.spawn(async move {
            match i % 3 {
                0 => {
                    let client = console(&base).await;
                    let (_, page) = call(&client, &base, "users/page", &[("id", &user_id), ("wsq", "")]).await;
                    let version = page["user"]["version"].as_i64().unwrap().to_string();
                    let tick: Vec<(&str, &str)> = vec![("user_id", &user_id), ("version", &version), ("shown[]", &ws_id), ("granted[]", &ws_id)];
                    let untick: Vec<(&str, &str)> = vec![("user_id", &user_id), ("version", &version), ("shown[]", &ws_id)];
                    let form = if i % 2 == 0 { tick } else { untick };
                    ("user", call(&client, &base, "users/save_access", &form).await.0)
                }
                1 => {
                    let (_, current) = scim(&base, &token, reqwest::Method::GET, &format!("/Users/{user_id}"), None, None).await;
                    let tag = current["meta"]["version"].as_str().unwrap().to_string();
                    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "path": "displayName", "value": format!("Writer {i}")}]});
                    ("user", scim(&base, &token, reqwest::Method::PATCH, &format!("/Users/{user_id}"), Some(patch), Some(&tag)).await.0)
                }
                _ => {
                    let (_, current) = scim(&base, &token, reqwest::Method::GET, &format!("/Groups/{ws_id}?excludedAttributes=members"), None, None).await;
                    let tag = current["meta"]["version"].as_str().unwrap().to_string();
                    let op = if i % 2 == 0 { "add" } else { "remove" };
                    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": op, "path": "members", "value": [{"value": member}]}]});
                    ("workspace", scim(&base, &token, reqwest::Method::PATCH, &format!("/Groups/{ws_id}"), Some(patch), Some(&tag)).await.0)
                }
            }
        });
    }
    let mut outcomes = Vec::new();
    while let Some(done) = writers.join_next().await {
        outcomes.push(done.unwrap());
    }
    for (_, status) in &outcomes {
        assert!(matches!(status, 200 | 409 | 412), "every write is applied or refused as stale, never failed: {outcomes:?}");
    }

    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    // Each version step of the user has exactly one audit event (accepted writes that changed
    // nothing add neither), and the workspace's member count is its grants.
    let (version,): (i64,) = sqlx::query_as("SELECT version FROM users WHERE id = $1").bind(&user_id).fetch_one(&mut db).await.unwrap();
    let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE target_kind = 'user' AND target_id = $1")
        .bind(&user_id).fetch_one(&mut db).await.unwrap();
    assert_eq!(events, version, "one audit event per accepted change of the user");
    let (counted, actual): (i64, i64) = sqlx::query_as(
        "SELECT member_count, (SELECT COUNT(*) FROM access_grants WHERE workspace_id = $1) FROM workspaces WHERE id = $1")
        .bind(&ws_id).fetch_one(&mut db).await.unwrap();
    assert_eq!(counted, actual, "the member count never loses a step");
    let accepted = outcomes.iter().filter(|(_, s)| *s == 200).count();
    assert!(accepted >= 2, "some writes got through: {outcomes:?}");
    eprintln!("{accepted} of {} concurrent writes accepted, the rest refused as stale; user at version {version}", outcomes.len());
}

#[tokio::test]
async fn an_unreachable_database_at_start_is_one_clear_line_and_a_failed_start() {
    let out = cim("postgres://cim@127.0.0.1:1/cim").arg("serve").env("CIM_ADDR", "127.0.0.1:0").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("cannot reach PostgreSQL at 127.0.0.1:1") && lines[0].to_lowercase().contains("refused"), "{err}");
}

/// A TCP forwarder between the app and PostgreSQL that can cut every connection and refuse new
/// ones, as a database that went away would.
struct Cable {
    port: u16,
    cut: std::sync::Arc<std::sync::atomic::AtomicBool>,
    links: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Cable {
    async fn to(target: String) -> Cable {
        use std::sync::atomic::Ordering;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let cut = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let links = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let (cut2, links2) = (cut.clone(), links.clone());
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if cut2.load(Ordering::SeqCst) {
                    continue; // dropped: refused
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                links2.lock().unwrap().push(task.abort_handle());
            }
        });
        Cable { port, cut, links }
    }

    fn cut(&self) {
        self.cut.store(true, std::sync::atomic::Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }

    fn mend(&self) {
        self.cut.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_lost_while_serving_is_a_503_and_service_returns_with_it() {
    let Some(server) = postgres_server() else { return skipped() };
    let dir = TempDir(std::env::temp_dir().join(format!("cim-cable-{}", cim::auth::secrets::new_id())));
    let url = new_database(&dir).await;
    // The same database, reached through the cable.
    let (_, rest) = url.split_once('@').unwrap();
    let (host, db) = rest.split_once('/').unwrap();
    let cable = Cable::to(host.to_string()).await;
    let through = format!("{}@127.0.0.1:{}/{db}", url.split_once('@').unwrap().0, cable.port);
    let _ = server;
    let token = token(&through, "cable");
    let mut app = launch(&through);
    wait_until_up(&mut app).await;
    assert_eq!(scim(&app.base, &token, reqwest::Method::GET, "/Users", None, None).await.0, 200);

    cable.cut();
    let (status, body) = scim(&app.base, &token, reqwest::Method::POST, "/Users", Some(json!({"userName": "during@example.com"})), None).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error");
    assert!(app.child.try_wait().unwrap().is_none(), "the process keeps running");

    cable.mend();
    let mut recovered = 0;
    for _ in 0..50 {
        recovered = scim(&app.base, &token, reqwest::Method::POST, "/Users", Some(json!({"userName": "after@example.com"})), None).await.0;
        if recovered == 201 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(recovered, 201, "service returns with the database");
    let (_, found) = scim(&app.base, &token, reqwest::Method::GET, "/Users?filter=userName%20eq%20%22during%40example.com%22", None, None).await;
    assert_eq!(found["totalResults"], 0, "nothing of the refused write was kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_totals_stay_exact_under_creates_deactivations_and_deletes_through_two_instances() {
    let Some((_dir, url, a, b)) = two_instances().await else { return skipped() };
    let token = token_with(&url, "totals", &["--access", "provider", "--on-delete", "delete", "--no-brake"]);
    let bases = [a.base.clone(), b.base.clone()];
    let existing = create_users(&a.base, &token, "old", 20).await;
    // 30 writers at once, half through each instance: new users, deactivations and deletes,
    // several on the same user.
    let mut writers = JoinSet::new();
    for i in 0..30usize {
        let (base, token, id) = (bases[i % 2].clone(), token.clone(), existing[i % existing.len()].clone());
        writers.spawn(async move {
            match i % 3 {
                0 => scim(&base, &token, reqwest::Method::POST, "/Users", Some(json!({"userName": format!("new{i}@example.com")})), None).await.0,
                1 => {
                    let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "path": "active", "value": false}]});
                    scim(&base, &token, reqwest::Method::PATCH, &format!("/Users/{id}"), Some(patch), None).await.0
                }
                _ => scim(&base, &token, reqwest::Method::DELETE, &format!("/Users/{id}"), None, None).await.0,
            }
        });
    }
    while let Some(status) = writers.join_next().await {
        assert!(matches!(status.unwrap(), 200 | 201 | 204 | 404), "a writer failed");
    }

    use sqlx::Connection;
    let mut db = sqlx::PgConnection::connect(&url).await.unwrap();
    let counted = |active: bool| format!("SELECT COUNT(*) FROM users WHERE active = {active}");
    let kept = |active: bool| {
        format!("SELECT CAST((SELECT users FROM user_totals WHERE active = {active}) + COALESCE((SELECT SUM(delta) FROM user_count_changes WHERE active = {active}), 0) AS BIGINT)")
    };
    for active in [true, false] {
        let real: i64 = sqlx::query_scalar(&counted(active)).fetch_one(&mut db).await.unwrap();
        let total: i64 = sqlx::query_scalar(&kept(active)).fetch_one(&mut db).await.unwrap();
        assert_eq!(total, real, "active = {active}, before the fold");
    }
    // The instances fold the noted changes within a few seconds, each only once.
    tokio::time::sleep(Duration::from_millis(4500)).await;
    let unfolded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_count_changes").fetch_one(&mut db).await.unwrap();
    assert_eq!(unfolded, 0);
    for active in [true, false] {
        let real: i64 = sqlx::query_scalar(&counted(active)).fetch_one(&mut db).await.unwrap();
        let folded: i64 = sqlx::query_scalar(&format!("SELECT users FROM user_totals WHERE active = {active}")).fetch_one(&mut db).await.unwrap();
        assert_eq!(folded, real, "active = {active}, after the fold");
    }
}
