use std::net::SocketAddr;
use std::sync::Arc;

use cim::auth::secrets::new_id;
use cim::domain::admins::Role;
use cim::domain::credentials::{AccessPolicy, Brake, DeleteMode, ProvisioningPolicy};
use cim::domain::users::{User, UserInput};
use cim::domain::workspaces::Workspace;
use cim::server::config::Config;
use cim::server::router::build_router;
use cim::server::state::AppState;
use cim::service::{Actor, ProfileUpdate, Services, SystemClock, UserChange, WorkspaceChange};
use cim::storage::{Store, Workload};
use leptos::config::LeptosOptions;
use serde_json::Value;

pub const ADMIN: &str = "root-admin";
pub const PASSWORD: &str = "a-long-test-password";
pub const AUDITOR: &str = "read-only";
/// As in production: long enough for every queued writer of a busy test.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

pub struct TestApp {
    pub base: String,
    pub services: Services,
    /// The store under the services, for tests to look at what is stored (the doors cannot).
    pub store: Store,
    pub client: reqwest::Client,
    jar: Arc<reqwest::cookie::Jar>,
    pub database_url: String,
    _dir: TempDir,
}

/// A folder removed when the test ends.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A change that sets a user's profile to what a console form holds.
pub fn profile(input: UserInput) -> UserChange {
    UserChange { profile: Some(ProfileUpdate::Form(input)), ..Default::default() }
}

/// A new workspace's name, or a rename.
pub fn named(name: &str) -> WorkspaceChange {
    WorkspaceChange { name: Some(name.into()), ..Default::default() }
}

/// Awaits `step`, failing the test with `label` if it takes over 30 s (a hang, not slowness:
/// tests never assert on speed).
pub async fn within<T>(label: &str, step: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(std::time::Duration::from_secs(30), step).await {
        Ok(value) => value,
        Err(_) => panic!("hung at: {label}"),
    }
}

pub fn system() -> Actor {
    Actor::system(new_id())
}

/// An auditor's actor: may read everything and change nothing.
pub fn auditor() -> Actor {
    Actor { role: Role::Auditor, ..system() }
}

/// Starts the app on 127.0.0.1:0 with a new database holding one security admin and one auditor.
pub async fn spawn_app() -> TestApp {
    spawn_app_waiting(LOCK_WAIT).await
}

/// The PostgreSQL server the tests run against, when they do (the test command sets it): an
/// administrator's URL, under which each test gets a database of its own.
pub fn postgres_server() -> Option<String> {
    std::env::var("CIM_TEST_POSTGRES").ok().filter(|u| !u.is_empty())
}

/// A new, empty database for one test: a SQLite file in a folder of its own, or a database of
/// its own on the test PostgreSQL server.
pub async fn new_database(dir: &TempDir) -> String {
    match postgres_server() {
        None => format!("sqlite://{}/cim.db", dir.0.display()),
        Some(server) => {
            use sqlx::Connection;
            let name = format!("cim_test_{}", new_id().replace('-', ""));
            let mut admin = sqlx::PgConnection::connect(&server).await.expect("test PostgreSQL server");
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.expect("create database");
            let (base, _) = server.rsplit_once('/').expect("a database in the server URL");
            format!("{base}/{name}")
        }
    }
}

/// [`spawn_app`] whose writes wait at most `lock_wait` for the store's lock.
pub async fn spawn_app_waiting(lock_wait: std::time::Duration) -> TestApp {
    let dir = TempDir(std::env::temp_dir().join(format!("cim-test-{}", new_id())));
    let _ = std::fs::create_dir_all(&dir.0);
    let url = new_database(&dir).await;
    let store = Store::open(&url, lock_wait, Workload::Serve).await.expect("open store");
    let services = Services::new(store.clone(), Arc::new(SystemClock)).with_provisioning_log(30);
    services.create_admin(&system(), ADMIN, PASSWORD, Role::SecurityAdmin).await.expect("admin");
    services.create_admin(&system(), AUDITOR, PASSWORD, Role::Auditor).await.expect("auditor");
    let sessions = store.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let config = Config {
        database_url: url,
        addr,
        site_root: "target/site".into(),
        session_idle_minutes: 30,
        secure_cookies: false,
        lock_wait,
        trust_proxy: false,
        provisioning_log_days: 30,
    };
    let leptos_options = LeptosOptions::builder().output_name("cim").site_root("target/site").site_addr(addr).build();
    let router = build_router(AppState { services: services.clone(), leptos_options }, &config, sessions);
    tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
    });
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp { base: format!("http://{addr}"), services, store, client, jar, database_url: config.database_url, _dir: dir }
}

impl TestApp {
    /// Calls a server function the way the hydrated console does; returns status and JSON body.
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}/api/{endpoint}", self.base))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn sign_in_as(&self, username: &str) {
        let (status, body) = self.call("login", &[("username", username), ("password", PASSWORD)]).await;
        assert_eq!(status, 200, "sign-in failed: {body}");
    }

    /// Everything the store keeps, as text, to prove what is not in it: every byte of the SQLite
    /// files (database, WAL, shared memory), or every row of every PostgreSQL table.
    pub async fn dump_store(&self) -> String {
        if self.database_url.starts_with("postgres") {
            use sqlx::Connection;
            let mut db = sqlx::PgConnection::connect(&self.database_url).await.expect("test database");
            let tables: Vec<String> = sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
                .fetch_all(&mut db).await.expect("tables");
            let mut all = String::new();
            for table in tables {
                let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t")).fetch_all(&mut db).await.expect("rows");
                all.push_str(&rows.join("\n"));
            }
            return all;
        }
        let mut all = Vec::new();
        for entry in std::fs::read_dir(&self._dir.0).expect("store folder").flatten() {
            all.extend(std::fs::read(entry.path()).unwrap_or_default());
        }
        String::from_utf8_lossy(&all).into_owned()
    }

    /// Runs one statement on the store behind the services' back (what a migration would do).
    pub async fn execute(&self, statement: &str) {
        use sqlx::Connection;
        if self.database_url.starts_with("postgres") {
            let mut db = sqlx::PgConnection::connect(&self.database_url).await.expect("test database");
            sqlx::query(statement).execute(&mut db).await.expect(statement);
        } else {
            let mut db = sqlx::SqliteConnection::connect(&self.database_url).await.expect("test database");
            sqlx::query(statement).execute(&mut db).await.expect(statement);
        }
    }

    /// The `Cookie` header the signed-in client sends, for requests made by hand.
    pub fn session_cookie(&self) -> String {
        use reqwest::cookie::CookieStore;
        let url = self.base.parse().expect("base url");
        self.jar.cookies(&url).map(|v| v.to_str().unwrap_or_default().to_string()).unwrap_or_default()
    }

    pub async fn sign_in(&self) {
        self.sign_in_as(ADMIN).await;
    }

    pub async fn user(&self, user_name: &str) -> User {
        let input = UserInput { user_name: user_name.into(), given_name: "Test".into(), family_name: "User".into(), ..Default::default() };
        self.services.create_user(&system(), &profile(input)).await.expect("create user").user
    }

    pub async fn workspace(&self, name: &str) -> Workspace {
        self.services.create_workspace(&system(), &named(name)).await.expect("create workspace")
    }

    pub async fn audit_actions(&self, kind: &str, id: &str) -> Vec<String> {
        let events = self.store.audit_of(kind, id, 100).await.expect("audit");
        events.into_iter().rev().map(|e| format!("{} by {} via {}", e.action, e.actor_name, e.door)).collect()
    }
}

/// A SCIM client with a fresh bearer token.
pub struct Scim {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

pub struct ScimResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// The policy of a plain SCIM server, which most SCIM tests exercise: the identity provider
/// owns everything, a DELETE deletes, no brake.
pub fn plain_scim_policy() -> ProvisioningPolicy {
    ProvisioningPolicy {
        access: AccessPolicy::Provider,
        on_delete: DeleteMode::Delete,
        brake: Brake { on: false, ..Brake::default() },
        ..ProvisioningPolicy::default()
    }
}

impl TestApp {
    pub async fn scim(&self) -> Scim {
        self.scim_with(&plain_scim_policy()).await.0
    }

    /// A SCIM client whose credential has `policy`, and the credential's id.
    pub async fn scim_with(&self, policy: &ProvisioningPolicy) -> (Scim, String) {
        let issued = self
            .services
            .issue_scim_credential(&system(), &format!("test-{}", new_id()), cim::domain::credentials::CredentialKind::Bearer, policy)
            .await
            .expect("credential");
        (Scim { base: format!("{}/scim/v2", self.base), token: issued.secret, http: reqwest::Client::new() }, issued.credential.id)
    }
}

impl Scim {
    pub async fn send(&self, method: &str, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> ScimResponse {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        if let Some(body) = body {
            request = request.header("Content-Type", "application/scim+json").body(body.to_string());
        }
        let response = request.send().await.expect("scim request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        ScimResponse { status, headers, body }
    }

    pub async fn get(&self, path: &str) -> ScimResponse {
        self.send("GET", path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> ScimResponse {
        self.send("POST", path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, ops: Value) -> ScimResponse {
        let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
        self.send("PATCH", path, Some(body), &[]).await
    }

    pub async fn create_user_response(&self, user_name: &str) -> ScimResponse {
        self.post("/Users", serde_json::json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name,
            "name": {"givenName": "Test", "familyName": "User"}, "emails": [{"value": user_name, "type": "work", "primary": true}]}))
            .await
    }

    pub async fn create_user(&self, user_name: &str) -> Value {
        let r = self.create_user_response(user_name).await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.body
    }
}

/// Asserts an RFC 7644 §3.12 error with this status (and scimType, if given).
pub fn assert_scim_error(r: &ScimResponse, status: u16, scim_type: Option<&str>) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error", "{}", r.body);
    assert_eq!(r.body["status"], status.to_string());
    assert!(r.body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    if let Some(t) = scim_type {
        assert_eq!(r.body["scimType"], t, "{}", r.body);
    }
    assert!(r.headers["content-type"].to_str().unwrap().starts_with("application/scim+json"));
}
