//! The test kit: starts the real server on port 0 against a fresh database.

use std::net::SocketAddr;

use phongtrao_storage::Db;
use phongtrao_web::prepare::{prepare, Prepared};
use phongtrao_web::{Application, Settings};

#[allow(dead_code)] // used by the suites that write
pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub prepared: Prepared,
    pub client: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
}

/// A fresh, empty database: a new PostgreSQL database when
/// PHONGTRAO_TEST_DATABASE_URL is set, else a SQLite file in a temporary directory.
pub async fn fresh_db() -> (Db, Option<tempfile::TempDir>) {
    match std::env::var("PHONGTRAO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let name = format!("pt_test_{}", random_suffix());
            let test_url = phongtrao_storage::create_postgres_database(&url, &name).await.expect("create test database");
            (Db::connect(&test_url).await.expect("connect to test database"), None)
        }
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let db = Db::open_data_dir(dir.path()).await.expect("open sqlite");
            (db, Some(dir))
        }
    }
}

fn random_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{}", std::process::id(), nanos % 1_000_000_000_000)
}

pub async fn spawn_app() -> TestApp {
    let (db, dir) = fresh_db().await;
    let prepared = prepare(&db).await.expect("prepare database");
    let bind: SocketAddr = "127.0.0.1:0".parse().expect("address");
    let app = Application::build(&Settings { bind }, db.clone()).await.expect("bind");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_forever());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        .build()
        .expect("client");
    TestApp { base, db, prepared, client, _dir: dir }
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

    pub async fn json(&self, path: &str) -> serde_json::Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("json")
    }
}
