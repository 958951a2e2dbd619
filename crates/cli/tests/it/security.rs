//! The outside security probe (issue #15), kept as tests: every case failed on the
//! code the probe ran against.

use std::time::{Duration, Instant};

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";

/// The resident memory of this process (the server runs in it), in bytes.
fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| {
                l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()).map(|kb| kb * 1024)
            })
        })
        .unwrap_or(0)
}

/// A 5 KB workbook with a cell at A1 and one at XFD1048576.
fn two_cell_workbook() -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.write_string(0, 0, "code").expect("write");
    sheet.write_string(1_048_575, 16_383, "goal").expect("write");
    wb.save_to_buffer().expect("save")
}

async fn admin_token(app: &TestApp) -> String {
    add_token(&app.db, add_user(&app.db, "s.admin", Role::Admin, &[], PW).await).await
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

#[tokio::test]
async fn a_two_cell_workbook_spanning_the_whole_grid_is_refused_quickly_and_the_server_stays_up() {
    let app = spawn_app().await;
    let admin = admin_token(&app).await;
    let bytes = two_cell_workbook();
    assert!(bytes.len() < 10_000, "a small file: {} bytes", bytes.len());
    let before = rss_bytes();
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
        .post(format!("{}/allocations/import?indicator=5&parent=91&csrf={csrf}", app.base))
        .multipart(upload_form("giao.xlsx", bytes))
        .send()
        .await
        .expect("import");
    let status = r.status();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text().await.unwrap_or_default());
    assert!(started.elapsed() < Duration::from_secs(1));
    let grown = rss_bytes().saturating_sub(before);
    assert!(grown < 50 * 1024 * 1024, "memory grew by {} MB", grown / 1024 / 1024);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK, "the server is still up");
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
                .post(format!("{}/allocations/import?indicator=5&parent={parent}&csrf={csrf}", app.base))
                .multipart(upload_form("giao.xlsx", b"not a workbook".to_vec()))
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
