//! The outside security probe (issue #15), kept as tests: every case failed on the
//! code the probe ran against.

use std::time::{Duration, Instant};

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";

/// A 5 KB workbook with a cell at A1 and one at XFD1048576.
fn two_cell_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write_string(0, 0, "code").expect("write");
    sheet.write_string(1_048_575, 16_383, "goal").expect("write");
    wb.save_to_buffer().expect("save")
}

async fn admin_token(app: &TestApp) -> String {
    let id = match phongtrao_storage::users::by_username(&app.db, "s.admin").await.expect("q") {
        Some(u) => u.id,
        None => add_user(&app.db, "s.admin", Role::Admin, &[], PW).await,
    };
    add_token(&app.db, id).await
}

async fn logged_in(app: &TestApp, username: &str) -> (reqwest::Client, String) {
    let client = browser();
    let r = app.login_form(&client, username, PW, "10.15.0.1").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login of {username}");
    let page = client.get(format!("{}/account", app.base)).send().await.expect("account").text().await.expect("body");
    let csrf = csrf_of(&page);
    (client, csrf)
}

fn upload_form(name: &str, bytes: Vec<u8>) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()))
}

/// The resident memory of another process, in bytes.
fn rss_of(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).map(|kb| kb * 1024))
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn a_two_cell_workbook_spanning_the_whole_grid_is_refused_quickly_and_the_server_stays_up() {
    let app = spawn_app().await;
    let admin = admin_token(&app).await;
    let bytes = two_cell_workbook();
    assert!(bytes.len() < 10_000, "a small file: {} bytes", bytes.len());
    for path in ["/api/v1/units/import", "/api/v1/units/import?confirm=true"] {
        let started = Instant::now();
        let (status, body) = app.upload(&admin, path, "two-cells.xlsx", bytes.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(started.elapsed() < Duration::from_secs(1), "refused in {:?}", started.elapsed());
        assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("Trang tính quá lớn"), "{body}");
    }
    // The allocation import reads the same way.
    let (client, csrf) = {
        add_user(&app.db, "s.office", Role::Admin, &[], PW).await;
        logged_in(&app, "s.office").await
    };
    let started = Instant::now();
    let r = client
        .post(format!("{}/allocations/import?indicator=5&parent=91", app.base))
        .multipart(upload_form("giao.xlsx", bytes.clone()).text("csrf", csrf.clone()))
        .send()
        .await
        .expect("import");
    let status = r.status();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text().await.unwrap_or_default());
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK, "the server is still up");
    // Memory, measured on a server process of its own (the tests share this one).
    let dir = tempfile::tempdir().expect("dir");
    let db = phongtrao_storage::Db::open_data_dir(dir.path()).await.expect("db");
    phongtrao_web::prepare::prepare(&db).await.expect("prepare");
    let token = add_token(&db, add_user(&db, "s.admin", Role::Admin, &[], PW).await).await;
    db.close().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .args(["serve", "--data-dir", &dir.path().display().to_string(), "--bind", &format!("127.0.0.1:{port}")])
        .env("PHONGTRAO_NO_REMINDERS", "true")
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("serve");
    let base = format!("http://127.0.0.1:{port}");
    let plain = reqwest::Client::new();
    for _ in 0..100 {
        if plain.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before = rss_of(server.id());
    for _ in 0..10 {
        let r = plain
            .post(format!("{base}/api/v1/units/import"))
            .bearer_auth(&token)
            .multipart(upload_form("two-cells.xlsx", bytes.clone()))
            .send()
            .await
            .expect("upload");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let grown = rss_of(server.id()).saturating_sub(before);
    let alive = plain.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success());
    let _ = server.kill();
    let _ = server.wait();
    assert!(before > 0, "the server's memory was read");
    assert!(grown < 50 * 1024 * 1024, "memory grew by {} MB over 10 uploads", grown / 1024 / 1024);
    assert!(alive, "the server is still up");
}

#[tokio::test]
async fn nobody_gets_a_file_parsed_for_a_unit_they_cannot_write() {
    let app = spawn_app().await;
    add_user(&app.db, "s.viewer", Role::Viewer, &["899"], PW).await;
    add_user(&app.db, "s.unit899", Role::Unit, &["899"], PW).await;
    // Not a workbook at all: parsing it would answer 422; the right is asked first.
    for user in ["s.viewer", "s.unit899"] {
        let (client, csrf) = logged_in(&app, user).await;
        for parent in ["900", "91"] {
            let r = client
                .post(format!("{}/allocations/import?indicator=5&parent={parent}", app.base))
                .multipart(upload_form("giao.xlsx", b"not a workbook".to_vec()).text("csrf", csrf.clone()))
                .send()
                .await
                .expect("import");
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{user} posting for {parent}");
        }
    }
    let viewer = add_token(&app.db, add_user(&app.db, "s.viewer2", Role::Viewer, &["899"], PW).await).await;
    let (status, _) = app.upload(&viewer, "/api/v1/units/import", "units.xlsx", b"junk".to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.upload(&viewer, "/api/v1/plan/import", "plan.docx", b"junk".to_vec()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

const OFF_SITE: &[&str] = &[
    "/%09/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/%0a/evil.example",
    "//evil.example",
    "/%5Cevil.example",
    "/%5C/evil.example",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "https://evil.example",
    "%5C%5Cevil.example",
];

#[tokio::test]
async fn next_never_leads_off_the_site_after_login_or_a_language_switch() {
    let app = spawn_app().await;
    add_user(&app.db, "s.redirect", Role::Unit, &["899"], PW).await;
    for next in OFF_SITE {
        let client = browser();
        let r = client.get(format!("{}/lang/en?next={next}", app.base)).send().await.expect("lang");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "lang with {next}");
        assert_eq!(r.headers()["location"], "/", "lang with {next}");
        let page = client.get(format!("{}/login", app.base)).send().await.expect("login").text().await.expect("body");
        let csrf = csrf_of(&page);
        // The form posts `next` as typed into the address bar (percent-decoded once).
        let decoded = percent_decode(next);
        let r = client
            .post(format!("{}/login", app.base))
            .header("x-forwarded-for", "10.15.4.1")
            .form(&[("username", "s.redirect"), ("password", PW), ("csrf", csrf.as_str()), ("next", decoded.as_str())])
            .send()
            .await
            .expect("login");
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login with {next}");
        let location = r.headers()["location"].to_str().unwrap_or("").to_string();
        assert!(location == "/" || location == "/home", "login with {next:?} went to {location:?}");
    }
    // A path of the site is kept.
    let r = browser().get(format!("{}/lang/en?next=/reports%3Funit%3D899", app.base)).send().await.expect("lang");
    assert_eq!(r.headers()["location"], "/reports?unit=899");
}

fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&value[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A client logged in through the API (cookie session); its CSRF token.
async fn api_session(app: &TestApp, username: &str, password: &str) -> (reqwest::Client, String, StatusCode) {
    let client = browser();
    let r = client
        .post(format!("{}/api/v1/session", app.base))
        .header("x-forwarded-for", "10.15.9.9")
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("session");
    let status = r.status();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    (client, body["csrf_token"].as_str().unwrap_or("").to_string(), status)
}

async fn audit_of(app: &TestApp, query: &str) -> Vec<Value> {
    let admin = admin_token(app).await;
    let r = app.api(&format!("/api/v1/audit?{query}"), &admin).await;
    r["entries"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_one_time_password_opens_nothing_but_the_password_change_page_or_api() {
    let app = spawn_app().await;
    let id = add_user(&app.db, "s.fresh", Role::Unit, &["899"], PW).await;
    let old_token = add_token(&app.db, id).await;
    // The admin resets the password: a one-time one, and the old token is revoked.
    let admin = admin_token(&app).await;
    let r = app
        .client
        .post(format!("{}/api/v1/users/{id}/password-reset", app.base))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("reset");
    assert_eq!(r.status(), StatusCode::OK);
    let one_time = r.json::<Value>().await.expect("json")["one_time_password"].as_str().expect("otp").to_string();
    assert_eq!(
        app.client.get(format!("{}/api/v1/me", app.base)).bearer_auth(&old_token).send().await.expect("me").status(),
        StatusCode::UNAUTHORIZED,
        "the reset revoked the token"
    );
    // Logged in with the one-time password through the API: every route but the change answers 403.
    let (client, csrf, status) = api_session(&app, "s.fresh", &one_time).await;
    assert_eq!(status, StatusCode::OK);
    for path in ["/api/v1/reports", "/api/v1/progress?unit=899", "/api/v1/audit", "/api/v1/tokens"] {
        let r = client.get(format!("{}{path}", app.base)).send().await.expect("get");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["error"]["code"], "password_change_required", "{path}");
        assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("đổi mật khẩu"));
    }
    let r = client
        .post(format!("{}/api/v1/tokens", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"name": "script"}))
        .send()
        .await
        .expect("token");
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no token with a one-time password");
    // The page form to make a token, too (its path starts with /account).
    let page_client = browser();
    assert_eq!(app.login_form(&page_client, "s.fresh", &one_time, "10.15.9.10").await.status(), StatusCode::SEE_OTHER);
    let account =
        page_client.get(format!("{}/account", app.base)).send().await.expect("account").text().await.expect("body");
    assert!(!account.contains("action=\"/account/tokens\""), "no token form before the change");
    let page_csrf = csrf_of(&account);
    let r = page_client
        .post(format!("{}/account/tokens", app.base))
        .form(&[("csrf", page_csrf.as_str()), ("name", "script")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = page_client.get(format!("{}/reports", app.base)).send().await.expect("page");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/account?first=1");
    assert!(phongtrao_storage::tokens::list_for_user(&app.db, id)
        .await
        .expect("q")
        .iter()
        .all(|t| t.revoked_at.is_some()));
    // The change itself works, and then everything does.
    let r = client
        .post(format!("{}/api/v1/account/password", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"current": one_time, "new": "mat-khau-moi-cua-toi-1"}))
        .send()
        .await
        .expect("change");
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(client.get(format!("{}/api/v1/reports", app.base)).send().await.expect("get").status(), StatusCode::OK);
}

#[tokio::test]
async fn tokens_expire_are_revoked_by_a_password_change_unless_kept_and_admins_list_and_revoke_them() {
    let app = spawn_app().await;
    let id = add_user(&app.db, "s.script", Role::Unit, &["899"], PW).await;
    // A token past its expiry is refused.
    let expired = "pt_expired_token_for_the_test";
    let long_ago = chrono::Utc::now() - chrono::Duration::days(100);
    let digest = phongtrao_web::auth::current::token_digest(expired);
    phongtrao_storage::tokens::create_until(
        &app.db,
        id,
        "old",
        &digest,
        long_ago,
        long_ago + chrono::Duration::days(90),
    )
    .await
    .expect("token");
    let me = |token: String| {
        let app = &app;
        async move {
            app.client.get(format!("{}/api/v1/me", app.base)).bearer_auth(token).send().await.expect("me").status()
        }
    };
    assert_eq!(me(expired.to_string()).await, StatusCode::UNAUTHORIZED);
    // A token made through the API expires after 90 days.
    let t1 = add_token(&app.db, id).await;
    let r = app
        .client
        .post(format!("{}/api/v1/tokens", app.base))
        .bearer_auth(&t1)
        .json(&json!({"name": "báo cáo tự động"}))
        .send()
        .await
        .expect("create");
    assert_eq!(r.status(), StatusCode::CREATED);
    let t2 = r.json::<Value>().await.expect("json")["token"].as_str().expect("token").to_string();
    let listed = app.api("/api/v1/tokens", &t2).await;
    let made = listed["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .find(|t| t["name"] == "báo cáo tự động")
        .cloned()
        .expect("listed");
    let expires = chrono::DateTime::parse_from_rfc3339(made["expires_at"].as_str().expect("expiry")).expect("date");
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!((89..=90).contains(&days), "{days} days");
    // A password change keeping the tokens keeps them...
    let change = |token: String, current: &'static str, new: &'static str, keep: bool| {
        let app = &app;
        async move {
            app.client
                .post(format!("{}/api/v1/account/password", app.base))
                .bearer_auth(token)
                .json(&json!({"current": current, "new": new, "keep_tokens": keep}))
                .send()
                .await
                .expect("change")
                .status()
        }
    };
    assert_eq!(change(t1.clone(), PW, "mat-khau-thu-hai-22", true).await, StatusCode::OK);
    assert_eq!(me(t2.clone()).await, StatusCode::OK);
    // ...and by default revokes every one of them.
    assert_eq!(change(t1.clone(), "mat-khau-thu-hai-22", "mat-khau-thu-ba-333", false).await, StatusCode::OK);
    assert_eq!(me(t1.clone()).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(t2.clone()).await, StatusCode::UNAUTHORIZED);
    // An admin lists anyone's tokens and revokes one; the log says so.
    let t3 = add_token(&app.db, id).await;
    let admin = admin_token(&app).await;
    let listed = app.api(&format!("/api/v1/tokens?user_id={id}"), &admin).await;
    let live: Vec<i64> = listed["tokens"]
        .as_array()
        .expect("tokens")
        .iter()
        .filter(|t| t["live"] == true)
        .filter_map(|t| t["id"].as_i64())
        .collect();
    assert_eq!(live.len(), 1, "{listed}");
    let r = app
        .client
        .delete(format!("{}/api/v1/tokens/{}", app.base, live[0]))
        .bearer_auth(&admin)
        .send()
        .await
        .expect("revoke");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(me(t3.clone()).await, StatusCode::UNAUTHORIZED);
    let entries = audit_of(&app, "action=token.revoke").await;
    assert!(entries.iter().any(|e| e["after"]["by_admin"] == true), "{entries:?}");
    // Someone else cannot list them.
    let other = add_token(&app.db, add_user(&app.db, "s.other", Role::Unit, &["900"], PW).await).await;
    let r = app
        .client
        .get(format!("{}/api/v1/tokens?user_id={id}", app.base))
        .bearer_auth(&other)
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Deactivating an account revokes its tokens.
    let t4 = add_token(&app.db, id).await;
    let r = app
        .client
        .patch(format!("{}/api/v1/users/{id}", app.base))
        .bearer_auth(&admin)
        .json(&json!({"username": "s.script", "role": "unit", "units": ["899"], "active": false}))
        .send()
        .await
        .expect("deactivate");
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    let tokens = phongtrao_storage::tokens::list_for_user(&app.db, id).await.expect("q");
    assert!(tokens.iter().all(|t| t.revoked_at.is_some()), "every token revoked");
    let _ = t4;
}

/// A server with its own hardening settings; its base URL (and what keeps its data alive).
async fn spawn_with(
    security: phongtrao_web::security::SecuritySettings,
    secure_cookies: bool,
) -> (String, phongtrao_storage::Db, Option<tempfile::TempDir>) {
    let (db, dir) = crate::support::fresh_db().await;
    phongtrao_web::prepare::prepare(&db).await.expect("prepare");
    let settings = phongtrao_web::Settings {
        trust_forwarded_for: true,
        secure_cookies,
        security,
        ..phongtrao_web::Settings::local("127.0.0.1:0".parse().expect("address"))
    };
    let app = phongtrao_web::Application::build(&settings, db.clone()).await.expect("bind");
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_forever());
    (base, db, dir)
}

#[tokio::test]
async fn idle_sockets_cannot_make_the_server_unreachable() {
    use tokio::io::AsyncReadExt;
    let security = phongtrao_web::security::SecuritySettings {
        max_connections: 1000,
        header_timeout: Duration::from_secs(2),
        ..Default::default()
    };
    let (base, _db, _dir) = spawn_with(security, false).await;
    let address = base.trim_start_matches("http://").to_string();
    // 1,100 sockets opened and left silent.
    let mut held = Vec::new();
    for _ in 0..1100 {
        held.push(tokio::net::TcpStream::connect(&address).await.expect("connect"));
    }
    // While they are held the server still answers at once: a clear 503 over the cap.
    let client = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().expect("client");
    let started = Instant::now();
    let r = client.get(format!("{base}/healthz")).send().await.expect("an answer, not a hang");
    assert!(started.elapsed() < Duration::from_secs(1), "answered in {:?}", started.elapsed());
    if r.status() == StatusCode::SERVICE_UNAVAILABLE {
        assert_eq!(r.headers()["retry-after"], "5");
        assert_eq!(r.headers()["x-frame-options"], "DENY");
        let body: Value = r.json().await.expect("json");
        assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("quá tải"), "{body}");
    }
    // Every idle socket is closed by the server within the header timeout.
    let started = Instant::now();
    let mut closed = 0;
    for mut socket in held {
        let mut buf = [0u8; 512];
        match tokio::time::timeout(Duration::from_secs(6), socket.read(&mut buf)).await {
            Ok(Ok(_)) | Ok(Err(_)) => closed += 1,
            Err(_) => {}
        }
    }
    assert_eq!(closed, 1100, "idle sockets closed in {:?}", started.elapsed());
    let started = Instant::now();
    let r = client.get(format!("{base}/healthz")).send().await.expect("healthz");
    assert_eq!(r.status(), StatusCode::OK);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn hsts_with_secure_cookies_and_metrics_only_with_its_token() {
    let security = phongtrao_web::security::SecuritySettings {
        metrics_token: Some("s3cret-metrics".into()),
        ..Default::default()
    };
    let (base, _db, _dir) = spawn_with(security, true).await;
    let client = browser();
    let r = client.get(format!("{base}/login")).send().await.expect("login");
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000; includeSubDomains");
    assert_eq!(client.get(format!("{base}/metrics")).send().await.expect("m").status(), StatusCode::NOT_FOUND);
    let r = client.get(format!("{base}/metrics")).bearer_auth("wrong").send().await.expect("m");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = client.get(format!("{base}/metrics")).bearer_auth("s3cret-metrics").send().await.expect("m");
    assert_eq!(r.status(), StatusCode::OK);
    // Without a token set, /metrics is not served on the main address at all.
    let (plain, _db2, _dir2) = spawn_with(Default::default(), false).await;
    let r = client.get(format!("{plain}/metrics")).send().await.expect("m");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
}

#[tokio::test]
async fn layer_errors_carry_the_headers_and_the_json_shape_and_sensitive_pages_are_not_cached() {
    let app = spawn_app().await;
    let token = admin_token(&app).await;
    // 6 MB: refused by the body limit layer.
    let big = vec![b'a'; 6 * 1024 * 1024];
    let r = app
        .client
        .post(format!("{}/api/v1/units/import", app.base))
        .bearer_auth(&token)
        .header("content-type", "multipart/form-data; boundary=x")
        .body(big.clone())
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(r.headers().contains_key("content-security-policy"));
    let body: Value = r.json().await.expect("the API's JSON shape");
    assert_eq!(body["error"]["code"], "too_large");
    // The same on a page: a page with the headers, not bare text.
    let (client, _csrf) = {
        add_user(&app.db, "s.big", Role::Unit, &["899"], PW).await;
        logged_in(&app, "s.big").await
    };
    let r = client
        .post(format!("{}/reports/899/2023-03-03", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-type"].to_str().unwrap_or("").starts_with("text/html"));
    // No-store on the account page, report pages and exports.
    for path in ["/account", "/reports/899/2023-03-03", "/allocations/export.xlsx?indicator=5&parent=899"] {
        let r = client.get(format!("{}{path}", app.base)).send().await.expect("get");
        assert!(r.status().is_success(), "{path}: {}", r.status());
        assert_eq!(r.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{path}");
    }
}

#[tokio::test]
async fn viewers_have_no_audit_log_and_reporters_see_their_units_in_words() {
    let app = spawn_app().await;
    add_user(&app.db, "s.viewer", Role::Viewer, &["899"], PW).await;
    add_user(&app.db, "s.r899", Role::Unit, &["899"], PW).await;
    let viewer = add_token(&app.db, add_user(&app.db, "s.viewer.api", Role::Viewer, &["899"], PW).await).await;
    for path in ["/api/v1/audit", "/api/v1/audit?unit=899"] {
        let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(&viewer).send().await.expect("audit");
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let (client, _) = logged_in(&app, "s.viewer").await;
    assert_eq!(client.get(format!("{}/audit", app.base)).send().await.expect("page").status(), StatusCode::FORBIDDEN);
    let home = client.get(format!("{}/account", app.base)).send().await.expect("page").text().await.expect("body");
    assert!(!home.contains("href=\"/audit\""), "no audit link for a viewer");
    // Something happens in another district (900) and in the reporter's own (899).
    let other = add_token(&app.db, add_user(&app.db, "s.r900", Role::Unit, &["900"], PW).await).await;
    let own = add_token(&app.db, crate::support::add_user(&app.db, "s.r899.api", Role::Unit, &["899"], PW).await).await;
    for (token, unit) in [(&other, "900"), (&own, "899")] {
        let r = app
            .client
            .put(format!("{}/api/v1/reports/{unit}/2023-03-03/draft", app.base))
            .bearer_auth(token)
            .json(&json!({"version": 0, "input": {"values": {"5": "10"}}}))
            .send()
            .await
            .expect("draft");
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let unit900 = phongtrao_storage::units::by_code(&app.db, "900").await.expect("q").expect("unit").id;
    let mine = app.api("/api/v1/audit", &own).await;
    let entries = mine["entries"].as_array().expect("entries");
    assert!(!entries.is_empty());
    assert!(entries.iter().all(|e| e["unit_id"] != json!(unit900)), "no row of another district");
    // The page says what happened in Vietnamese words, not codes or JSON.
    let (client, _) = logged_in(&app, "s.r899").await;
    let page = client.get(format!("{}/audit", app.base)).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("lưu nháp báo cáo"), "readable action");
    assert!(
        !page.contains("report.save_draft") && !page.contains("{&quot;") && !page.contains("{\""),
        "no codes, no JSON"
    );
    assert!(page.contains("trạng thái: nháp") || page.contains("phiên bản"), "values in words");
}

#[tokio::test]
async fn no_session_row_before_login_one_audit_row_per_wait_and_drafts_are_capped() {
    let app = spawn_app().await;
    let sessions = || async {
        let sql = match app.db.backend() {
            phongtrao_storage::Backend::Sqlite => "SELECT COUNT(*) FROM tower_sessions",
            phongtrao_storage::Backend::Postgres => "SELECT COUNT(*) FROM tower_sessions.session",
        };
        let (n,): (i64,) = match &app.db {
            phongtrao_storage::Db::Sqlite(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap_or((-1,)),
            phongtrao_storage::Db::Postgres(p) => sqlx::query_as(sql).fetch_one(p).await.unwrap_or((-1,)),
        };
        n
    };
    let before = sessions().await;
    for _ in 0..20 {
        let r = browser().get(format!("{}/login", app.base)).send().await.expect("login page");
        assert_eq!(r.status(), StatusCode::OK);
        assert!(!csrf_of(&r.text().await.expect("body")).is_empty(), "the form still has its token");
    }
    assert_eq!(sessions().await, before, "anonymous visits store no session");
    // Logging in works with the pre-login token, and makes exactly one session.
    add_user(&app.db, "s.once", Role::Unit, &["899"], PW).await;
    let (_client, _) = logged_in(&app, "s.once").await;
    assert_eq!(sessions().await, before.max(0) + 1);
    // A throttled account: one audit row for the wait, however many tries.
    add_user(&app.db, "s.locked", Role::Unit, &["899"], PW).await;
    let attacker = browser();
    for _ in 0..6 {
        app.login_form(&attacker, "s.locked", "sai-mat-khau", "203.0.113.99").await;
    }
    for _ in 0..8 {
        let r = app.login_form(&attacker, "s.locked", "sai-mat-khau", "203.0.113.99").await;
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    }
    let throttled = audit_of(&app, "action=login.throttled").await;
    assert_eq!(throttled.len(), 1, "{throttled:?}");
    // 30 draft saves keep the last 20 drafts.
    let token = add_token(&app.db, add_user(&app.db, "s.drafts", Role::Unit, &["899"], PW).await).await;
    let mut version = 0;
    for i in 0..30 {
        let r = app
            .client
            .put(format!("{}/api/v1/reports/899/2023-03-03/draft", app.base))
            .bearer_auth(&token)
            .json(&json!({"version": version, "input": {"values": {"5": i.to_string()}}}))
            .send()
            .await
            .expect("draft");
        assert!(r.status().is_success());
        version = r.json::<Value>().await.expect("json")["version"].as_i64().expect("version");
    }
    let history = app.api("/api/v1/reports/899/2023-03-03/versions", &token).await;
    let drafts =
        history["versions"].as_array().expect("versions").iter().filter(|v| v["action"] == "save_draft").count();
    assert_eq!(drafts, 20);
}

/// A .docx whose text is one paragraph of `len` characters.
fn docx_with_paragraph(len: usize) -> Vec<u8> {
    let mut buffer = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buffer);
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("[Content_Types].xml", options).expect("entry");
        std::io::Write::write_all(
            &mut zip,
            b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>",
        )
        .expect("write");
        zip.start_file("word/document.xml", options).expect("entry");
        std::io::Write::write_all(
            &mut zip,
            b"<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>",
        )
        .expect("write");
        let chunk = "Kế hoạch ".repeat(1000);
        let mut written = 0;
        while written < len {
            std::io::Write::write_all(&mut zip, chunk.as_bytes()).expect("write");
            written += chunk.chars().count();
        }
        std::io::Write::write_all(&mut zip, b"</w:t></w:r></w:p></w:body></w:document>").expect("write");
        zip.finish().expect("finish");
    }
    buffer.into_inner()
}

#[tokio::test]
async fn a_docx_holding_one_huge_paragraph_is_refused_quickly() {
    let app = spawn_app().await;
    let admin = admin_token(&app).await;
    let bytes = docx_with_paragraph(18 * 1024 * 1024 / 12);
    assert!(bytes.len() < 500 * 1024, "a small file: {} bytes", bytes.len());
    let started = Instant::now();
    let (status, body) = app.upload(&admin, "/api/v1/plan/import", "ke-hoach.docx", bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("quá dài"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(3), "refused in {:?}", started.elapsed());
}

#[tokio::test]
async fn base_figures_and_allocations_follow_the_dashboard_rule() {
    let app = spawn_app().await;
    let office = admin_token(&app).await;
    app.set_members(&office, "899", 1500).await;
    // Anonymous: the unit, not its figures.
    let anonymous = app.json("/api/v1/units/899").await;
    assert_eq!(anonymous["name"], "Thành đoàn Rạch Giá");
    assert!(anonymous["base_figures"].is_null(), "{anonymous}");
    let other = add_token(&app.db, add_user(&app.db, "s.r900b", Role::Unit, &["900"], PW).await).await;
    let hidden = app.api("/api/v1/units/899", &other).await;
    assert!(hidden["base_figures"].is_null());
    let own = add_token(&app.db, add_user(&app.db, "s.r899b", Role::Unit, &["899"], PW).await).await;
    assert_eq!(app.api("/api/v1/units/899", &own).await["base_figures"]["doan_vien"], 1500);
    // Allocations of another district's communes: 403, like its dashboard.
    let r = app
        .client
        .get(format!("{}/api/v1/allocations/5?parent=899", app.base))
        .bearer_auth(&other)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .client
        .get(format!("{}/api/v1/allocations/5?parent=899", app.base))
        .bearer_auth(&own)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::OK);
    add_user(&app.db, "s.r900c", Role::Unit, &["900"], PW).await;
    let (client, _) = logged_in(&app, "s.r900c").await;
    for path in ["/allocations?indicator=5&parent=899", "/allocations/export.xlsx?indicator=5&parent=899"] {
        assert_eq!(
            client.get(format!("{}{path}", app.base)).send().await.expect("get").status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let page = client.get(format!("{}/units/899", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(!page.contains("1.500"), "no figures of another district on its page");
}

#[tokio::test]
async fn csrf_is_rotated_at_login_a_junk_bearer_exempts_nothing_and_refusals_are_logged() {
    let app = spawn_app().await;
    add_user(&app.db, "s.csrf", Role::Unit, &["899"], PW).await;
    let client = browser();
    let login = client.get(format!("{}/login", app.base)).send().await.expect("get").text().await.expect("body");
    let before = csrf_of(&login);
    let r = client
        .post(format!("{}/login", app.base))
        .header("x-forwarded-for", "10.15.7.7")
        .form(&[("username", "s.csrf"), ("password", PW), ("csrf", before.as_str())])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let account = client.get(format!("{}/account", app.base)).send().await.expect("get").text().await.expect("body");
    let after = csrf_of(&account);
    assert!(!after.is_empty() && after != before, "a new token after login");
    // A cookie request with a junk bearer header and no CSRF token is refused.
    let r = client
        .post(format!("{}/api/v1/account/password", app.base))
        .bearer_auth("junk")
        .json(&json!({"current": PW, "new": "mat-khau-khac-han-1"}))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.json::<Value>().await.expect("json")["error"]["code"], "csrf");
    let r =
        client.post(format!("{}/logout", app.base)).header("authorization", "Bearer junk").send().await.expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let logged = audit_of(&app, "action=csrf.refused").await;
    assert!(logged.len() >= 2, "{logged:?}");
    assert!(logged.iter().any(|e| e["entity_key"].as_str().unwrap_or("").contains("/logout")), "{logged:?}");
}

#[tokio::test]
async fn names_refuse_nul_control_and_direction_characters() {
    let app = spawn_app().await;
    let admin = admin_token(&app).await;
    for (i, name) in
        ["Nguyễn\u{0}Văn A", "Trần\u{7}B", "Lê C\u{202E}gnaiG", "Phạm\u{2066}D", "Võ\nE"].iter().enumerate()
    {
        let r = app
            .client
            .post(format!("{}/api/v1/users", app.base))
            .bearer_auth(&admin)
            .json(&json!({"username": format!("s.name{i}"), "display_name": name, "role": "viewer", "units": ["899"]}))
            .send()
            .await
            .expect("create");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        let r = app
            .client
            .patch(format!("{}/api/v1/units/899", app.base))
            .bearer_auth(&admin)
            .json(&json!({"name": format!("Thành đoàn {name}")}))
            .send()
            .await
            .expect("rename");
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "unit {name:?}");
    }
    assert_eq!(app.json("/api/v1/units/899").await["name"], "Thành đoàn Rạch Giá");
    // A note keeps its lines and loses the rest.
    let token = add_token(&app.db, add_user(&app.db, "s.note", Role::Unit, &["899"], PW).await).await;
    let r = app
        .client
        .put(format!("{}/api/v1/reports/899/2023-03-03/draft", app.base))
        .bearer_auth(&token)
        .json(&json!({"version": 0, "input": {"values": {"5": "1"}, "highlights": "Dòng 1\nDòng 2\u{0}\u{202E}!"}}))
        .send()
        .await
        .expect("draft");
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap_or_default());
    let r = app
        .client
        .post(format!("{}/api/v1/reports/899/2023-03-03/submit", app.base))
        .bearer_auth(&token)
        .json(&json!({"version": 1, "input": {"values": {"5": "1"}, "highlights": "Dòng 1\nDòng 2\u{0}\u{202E}!"}}))
        .send()
        .await
        .expect("submit");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let shown = app.api("/api/v1/reports/899/2023-03-03", &token).await;
    let highlights = shown["report"]["draft"]["highlights"].as_str().unwrap_or("").to_string();
    assert_eq!(highlights, "Dòng 1\nDòng 2!");
}

#[tokio::test]
async fn with_the_database_down_a_token_or_a_session_gets_503_not_please_log_in() {
    let app = spawn_app().await;
    add_user(&app.db, "s.down", Role::Unit, &["899"], PW).await;
    let token = admin_token(&app).await;
    let (client, _) = logged_in(&app, "s.down").await;
    app.db.close().await;
    let r = app.client.get(format!("{}/api/v1/reports", app.base)).bearer_auth(&token).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.headers().contains_key("retry-after"));
    let body: Value = r.json().await.expect("json");
    let text = body.to_string();
    assert_eq!(body["error"]["code"], "unavailable");
    assert!(!text.contains("pool") && !text.contains("sqlx") && !text.contains("database error"), "{text}");
    assert!(text.contains("Mã tham chiếu"), "a reference id: {text}");
    let r = client.get(format!("{}/reports", app.base)).send().await.expect("page");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "a session: 503, not the login page");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let r = client.get(format!("{}/api/v1/me", app.base)).send().await.expect("me");
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// The rows of the sessions table: (expired, live).
async fn session_rows(db: &phongtrao_storage::Db) -> (i64, i64) {
    match db {
        phongtrao_storage::Db::Sqlite(pool) => {
            // The store keeps the expiry as RFC 3339 text.
            let expired: (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM tower_sessions WHERE datetime(expiry_date) < datetime('now')")
                    .fetch_one(pool)
                    .await
                    .expect("count");
            let live: (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM tower_sessions WHERE datetime(expiry_date) >= datetime('now')")
                    .fetch_one(pool)
                    .await
                    .expect("count");
            (expired.0, live.0)
        }
        phongtrao_storage::Db::Postgres(pool) => {
            let now = chrono::Utc::now();
            let expired: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tower_sessions.session WHERE expiry_date < $1")
                .bind(now)
                .fetch_one(pool)
                .await
                .expect("count");
            let live: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM tower_sessions.session WHERE expiry_date >= $1")
                .bind(now)
                .fetch_one(pool)
                .await
                .expect("count");
            (expired.0, live.0)
        }
    }
}

#[tokio::test]
async fn expired_sessions_are_deleted_and_live_ones_kept() {
    let (db, _dir) = crate::support::fresh_db().await;
    phongtrao_web::prepare::prepare(&db).await.expect("prepare");
    let (past, future) =
        (chrono::Utc::now() - chrono::Duration::days(2), chrono::Utc::now() + chrono::Duration::hours(1));
    match &db {
        phongtrao_storage::Db::Sqlite(pool) => {
            for (id, at) in [("old1", past), ("old2", past), ("live", future)] {
                sqlx::query("INSERT INTO tower_sessions (id, data, expiry_date) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(Vec::<u8>::new())
                    .bind(at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
                    .execute(pool)
                    .await
                    .expect("insert");
            }
        }
        phongtrao_storage::Db::Postgres(pool) => {
            for (id, at) in [("old1", past), ("old2", past), ("live", future)] {
                sqlx::query("INSERT INTO tower_sessions.session (id, data, expiry_date) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(Vec::<u8>::new())
                    .bind(at)
                    .execute(pool)
                    .await
                    .expect("insert");
            }
        }
    }
    assert_eq!(session_rows(&db).await, (2, 1));
    // A server starting on the database deletes the expired sessions (then every 10 minutes).
    let _base = crate::support::spawn_on(db.clone()).await;
    let started = Instant::now();
    while session_rows(&db).await.0 > 0 && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(session_rows(&db).await, (0, 1), "expired sessions deleted, the live one kept");
}

#[tokio::test]
async fn the_csrf_token_travels_in_the_form_never_in_the_address() {
    let app = spawn_app().await;
    add_user(&app.db, "s.upload", Role::Admin, &[], PW).await;
    let (client, csrf) = logged_in(&app, "s.upload").await;
    // Every upload form on the pages carries the token as a field, not in its address.
    for path in
        ["/allocations?indicator=5&parent=91", "/admin/units/import", "/admin/plan/import", "/admin/users/import"]
    {
        let page = client.get(format!("{}{path}", app.base)).send().await.expect("get").text().await.expect("body");
        assert!(page.contains("enctype=\"multipart/form-data\""), "{path} has an upload form");
        assert!(!page.contains("csrf="), "{path}: the token is in an address");
    }
    let csv = b"code,goal\n899,10\n".to_vec();
    let form = |with_token: bool| {
        let f = reqwest::multipart::Form::new();
        let f = if with_token { f.text("csrf", csrf.clone()) } else { f };
        f.part("file", reqwest::multipart::Part::bytes(csv.clone()).file_name("giao.csv"))
    };
    // A token in the address is not accepted (it would be written to logs and history).
    let r = client
        .post(format!("{}/allocations/import?indicator=5&parent=91&csrf={csrf}", app.base))
        .multipart(form(false))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(format!("{}/logout?csrf={csrf}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // In the form body it is.
    let r = client
        .post(format!("{}/allocations/import?indicator=5&parent=91", app.base))
        .multipart(form(true))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::OK, "a preview");
}

#[tokio::test]
async fn api_refusals_of_routes_methods_and_query_strings_say_each_language_apart() {
    let app = spawn_app().await;
    let token = add_token(&app.db, add_user(&app.db, "s.routes", Role::Admin, &[], PW).await).await;
    let get = |method: reqwest::Method, path: &'static str| {
        app.client.request(method, format!("{}{path}", app.base)).bearer_auth(&token).send()
    };
    let r = get(reqwest::Method::GET, "/api/v1/khong-co").await.expect("get");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["error"]["message_en"], "No such API route", "{e}");
    assert_eq!(e["error"]["message_vi"], "Không tìm thấy đường dẫn API này", "{e}");
    let r = get(reqwest::Method::PUT, "/api/v1/reports/899/2023-03-03").await.expect("put");
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.headers().contains_key("allow"), "the methods it takes are named");
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["error"]["code"], "method_not_allowed", "{e}");
    assert!(e["error"]["message_vi"].as_str().unwrap_or("").contains("phương thức"), "{e}");
    let r = get(reqwest::Method::GET, "/api/v1/audit?page=999999999999999999999").await.expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: Value = r.json().await.expect("json");
    assert_eq!(e["error"]["message_en"], "The query parameter \"page\" is not in the right form", "{e}");
}
