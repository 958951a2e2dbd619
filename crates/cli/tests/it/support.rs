//! The test kit: starts the real server on port 0 against a fresh database.

use std::net::SocketAddr;

use phongtrao_storage::Db;
use phongtrao_web::prepare::{prepare, Prepared};
use phongtrao_web::{Application, Settings};

#[allow(dead_code)] // used by the suites that write
pub struct TestApp {
    pub base: String,
    /// The database's URL, for running the CLI against the same data.
    pub database_url: String,
    pub db: Db,
    pub prepared: Prepared,
    pub client: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh, empty database: a new PostgreSQL database when
/// PHONGTRAO_TEST_DATABASE_URL is set, else a SQLite file in a temporary directory.
pub async fn fresh_db() -> (Db, Option<tempfile::TempDir>) {
    let (db, dir, _) = fresh_db_with_url().await;
    (db, dir)
}

/// The same, with the database's URL (for running the CLI against it).
pub async fn fresh_db_with_url() -> (Db, Option<tempfile::TempDir>, String) {
    match std::env::var("PHONGTRAO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            SWEPT.get_or_init(|| sweep_ended_runs(&url)).await;
            let name = format!("pt_test_{}", random_suffix());
            let test_url =
                phongtrao_storage::create_postgres_database(&url, &name).await.expect("create test database");
            (Db::connect(&test_url).await.expect("connect to test database"), None, test_url)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let db = Db::open_data_dir(dir.path()).await.expect("open sqlite");
            let url = format!("sqlite://{}", dir.path().join("phongtrao.db").display());
            (db, Some(dir), url)
        }
    }
}

static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Drops the test databases (`pt_test_<pid>_…`) of earlier runs whose process has
/// ended, once per run. Without this every run left its 240 databases behind, and a
/// PostgreSQL that stopped uncleanly spent minutes syncing them before it let anyone in.
/// A database of a process still running (another suite) is kept.
async fn sweep_ended_runs(base_url: &str) {
    use sqlx::Connection;
    if !std::path::Path::new("/proc/self").exists() {
        return; // no way to tell which runs have ended
    }
    let Ok(mut admin) = sqlx::PgConnection::connect(base_url).await else { return };
    let names: Vec<String> = sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'pt\\_test\\_%'")
        .fetch_all(&mut admin)
        .await
        .unwrap_or_default();
    for name in names {
        let Some(pid) = name.split('_').find_map(|part| part.parse::<u32>().ok()) else { continue };
        if pid == std::process::id() || std::path::Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).execute(&mut admin).await;
    }
    let _ = admin.close().await;
}

pub fn random_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}

/// Another app instance on the same database; returns its base URL.
pub async fn spawn_on(db: Db) -> String {
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let settings = Settings { trust_forwarded_for: true, security: test_security(), ..Settings::local(bind) };
    let app = Application::build(&settings, db).await.expect("bind");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_forever());
    base
}

pub async fn spawn_app() -> TestApp {
    spawn_with_clock(None).await
}

/// The app with its clock set (as `phongtrao serve --now`): the server's time is
/// `now` and moves on from there.
#[allow(dead_code)]
pub async fn spawn_app_at(now: chrono::DateTime<chrono::Utc>) -> TestApp {
    spawn_with_clock(Some(now)).await
}

async fn spawn_with_clock(now: Option<chrono::DateTime<chrono::Utc>>) -> TestApp {
    spawn_app_with(|s| {
        s.trust_forwarded_for = true;
        s.now = now;
    })
    .await
}

impl TestApp {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).send().await.expect("request")
    }

    pub async fn text(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.expect("body")
    }

    /// GET an API path with a bearer token; the JSON answer, whatever the status.
    pub async fn api(&self, path: &str, token: &str) -> serde_json::Value {
        let url = format!("{}{path}", self.base);
        self.client.get(url).bearer_auth(token).send().await.expect("request").json().await.expect("json")
    }

    /// Submits a weekly report (version 0) through the API; the answer, whatever the status.
    pub async fn submit(
        &self,
        token: &str,
        unit: &str,
        period_end: &str,
        input: serde_json::Value,
    ) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/reports/{unit}/{period_end}/submit", self.base))
            .bearer_auth(token)
            .json(&serde_json::json!({"version": 0, "input": input}))
            .send()
            .await
            .expect("submit")
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("json")
    }
}

/// A user with a known password (already changed) and its units; returns its id.
pub async fn add_user(
    db: &Db,
    username: &str,
    role: phongtrao_domain::role::Role,
    unit_codes: &[&str],
    password: &str,
) -> i64 {
    let mut ids = Vec::new();
    for code in unit_codes {
        ids.push(phongtrao_storage::units::by_code(db, code).await.expect("query").expect("unit").id);
    }
    let hash = phongtrao_web::password::hash(password).expect("hash");
    phongtrao_storage::users::create(
        db,
        &phongtrao_storage::users::NewUser {
            username,
            display_name: username,
            password_hash: &hash,
            role,
            must_change_password: false,
            unit_ids: &ids,
            email: None,
        },
        &phongtrao_storage::audit::Who::system(),
        chrono::Utc::now(),
    )
    .await
    .expect("create user")
}

/// An API token for a user.
pub async fn add_token(db: &Db, user_id: i64) -> String {
    let token = format!("pt_test_{user_id}_{}", random_suffix());
    let digest = phongtrao_web::auth::current::token_digest(&token);
    phongtrao_storage::tokens::create(db, user_id, "test", &digest, chrono::Utc::now()).await.expect("token");
    token
}

/// A browser-like client with its own cookie jar.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).cookie_store(true).build().expect("client")
}

/// The value of `name="csrf" value="..."` in a page.
/// GET a page with a (logged-in) client: its text, whatever the status.
pub async fn page_of(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.expect("get").text().await.expect("body")
}

pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    html.find(marker).map(|i| html[i + marker.len()..].split('"').next().unwrap_or("").to_string()).unwrap_or_default()
}

impl TestApp {
    /// Logs in through the form from the given address; returns the client.
    pub async fn login_form(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
        from: &str,
    ) -> reqwest::Response {
        let page =
            client.get(format!("{}/login", self.base)).send().await.expect("login page").text().await.expect("body");
        let csrf = csrf_of(&page);
        client
            .post(format!("{}/login", self.base))
            .header("x-forwarded-for", from)
            .form(&[("username", username), ("password", password), ("csrf", csrf.as_str()), ("next", "/")])
            .send()
            .await
            .expect("login")
    }
}

impl TestApp {
    /// Sets a unit's number of members (số đoàn viên) through the API.
    pub async fn set_members(&self, token: &str, code: &str, members: i64) {
        let r = self
            .client
            .put(format!("{}/api/v1/units/{code}/base-figures", self.base))
            .bearer_auth(token)
            .json(&serde_json::json!({ "doan_vien": members }))
            .send()
            .await
            .expect("figures");
        assert_eq!(r.status(), 200, "base figures of {code}");
    }

    /// Uploads a file as the multipart field `file` to `path`; the status and the JSON answer.
    pub async fn upload(
        &self,
        token: &str,
        path: &str,
        name: &str,
        bytes: Vec<u8>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let form = reqwest::multipart::Form::new()
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        let r = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload");
        let status = r.status();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

/// The hardening settings of test servers: /metrics with a known token.
pub const METRICS_TOKEN: &str = "test-metrics-token";

pub fn test_security() -> phongtrao_web::security::SecuritySettings {
    phongtrao_web::security::SecuritySettings { metrics_token: Some(METRICS_TOKEN.to_string()), ..Default::default() }
}

impl TestApp {
    /// GET an API path as a steering member (reads every unit, base figures
    /// included, which are not public); the JSON answer, which must be 200.
    pub async fn office_json(&self, path: &str) -> serde_json::Value {
        let name = format!("t.office.{}", random_suffix());
        let user = add_user(&self.db, &name, phongtrao_domain::role::Role::Steering, &[], "mat-khau-van-phong-1").await;
        let token = add_token(&self.db, user).await;
        let r = self.client.get(format!("{}{path}", self.base)).bearer_auth(token).send().await.expect("request");
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.expect("json")
    }

    /// The HTML of a page for a logged-in steering member.
    pub async fn office_page(&self, path: &str) -> String {
        let name = format!("t.office.{}", random_suffix());
        add_user(&self.db, &name, phongtrao_domain::role::Role::Steering, &[], "mat-khau-van-phong-1").await;
        let client = browser();
        let r = self.login_form(&client, &name, "mat-khau-van-phong-1", "10.250.0.1").await;
        assert_eq!(r.status(), 303, "office login");
        let r = client.get(format!("{}{path}", self.base)).send().await.expect("request");
        assert_eq!(r.status(), 200, "GET {path}");
        r.text().await.expect("body")
    }
}

/// A fresh server with its settings changed by `adjust` first (tests' own settings:
/// /metrics with the test token).
#[allow(dead_code)]
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn,phongtrao_web=info").try_init();
    let (db, dir, database_url) = fresh_db_with_url().await;
    let prepared = prepare(&db).await.expect("prepare database");
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let mut settings = Settings { security: test_security(), ..Settings::local(bind) };
    adjust(&mut settings);
    let app = Application::build(&settings, db.clone()).await.expect("bind");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_forever());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    TestApp { base, database_url, db, prepared, client, _dir: dir }
}

/// Another app instance on the same database with its clock set to `now` (as
/// `phongtrao serve --now`); returns its base URL. For a user coming back later.
#[allow(dead_code)]
pub async fn spawn_on_at(db: Db, now: chrono::DateTime<chrono::Utc>) -> String {
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let settings =
        Settings { trust_forwarded_for: true, security: test_security(), now: Some(now), ..Settings::local(bind) };
    let app = Application::build(&settings, db).await.expect("bind");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_forever());
    base
}

/// An .xlsx workbook of one sheet whose cells are the given rows of text (what an
/// office worker would upload: every cell typed as text).
pub fn xlsx<'a, R: AsRef<[&'a str]>>(rows: &[R]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.as_ref().iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).expect("cell");
        }
    }
    book.save_to_buffer().expect("xlsx")
}
