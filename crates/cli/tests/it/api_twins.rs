//! The API twins of the audit log's export and of the submission notices: a script
//! gets what the pages give, under the same rules (the same action functions).

use calamine::Reader;
use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use phongtrao_domain::role::Role;
use phongtrao_storage::audit::{self, AuditFilter, Who};
use phongtrao_storage::{units, Db};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, spawn_app_at, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";

/// Vietnam time.
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

/// A report submission in the log, written at a chosen time as the app writes them.
async fn submitted(db: &Db, who: (i64, &str), unit: &str, seq: i64, at: DateTime<Utc>) {
    let id = units::by_code(db, unit).await.expect("query").expect("unit").id;
    let who = Who { user_id: Some(who.0), name: who.1.to_string(), client: Some("10.0.0.9".into()) };
    let e = who
        .entry("report.submit", "report", Some(format!("weekly/{id}/{seq}")))
        .unit(Some(id))
        .after(&json!({"status": "submitted", "version": 1}));
    audit::record(db, &e, at).await.expect("audit");
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client.get(format!("{}{path}", app.base)).bearer_auth(token).send().await.expect("get")
}

async fn send(app: &TestApp, token: &str, method: reqwest::Method, path: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("send");
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn sheet_rows(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("xlsx");
    let sheet = book.worksheet_range_at(0).expect("sheet").expect("range");
    sheet.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

#[tokio::test]
async fn the_audit_export_over_the_api_is_the_pages_export_under_the_same_rights() {
    let app = spawn_app_at(vn(2023, 3, 10, 9, 0)).await;
    let db = &app.db;
    let office = add_user(db, "vanphong", Role::Admin, &[], PW).await;
    let office_token = add_token(db, office).await;
    let a = add_user(db, "nva", Role::Unit, &["903"], PW).await;
    let b = add_user(db, "ttb", Role::Unit, &["899"], PW).await;
    submitted(db, (a, "nva"), "903", 1, vn(2023, 3, 1, 10, 0)).await; // before the range
    submitted(db, (a, "nva"), "903", 2, vn(2023, 3, 5, 10, 0)).await; // kept
    submitted(db, (b, "ttb"), "899", 2, vn(2023, 3, 5, 11, 0)).await; // another district
    submitted(db, (a, "nva"), "30823", 2, vn(2023, 3, 6, 23, 30)).await; // a commune below Hòn Đất, kept
    let q = "unit=hon%20dat&action=report.submit&from=02/03/2023&to=06/03/2023";

    // The page's export, as the office downloads it.
    let page = browser();
    assert_eq!(app.login_form(&page, "vanphong", PW, "10.0.7.1").await.status(), StatusCode::SEE_OTHER);
    let r = page.get(format!("{}/audit/export.xlsx?{q}", app.base)).send().await.expect("page export");
    assert_eq!(r.status(), 200);
    let from_page = sheet_rows(r.bytes().await.expect("bytes").to_vec());
    assert_eq!(from_page.len(), 3, "header and two entries: {from_page:?}");

    // The API's, with a token: the same rows, the same file name and type.
    let r = get(&app, &office_token, &format!("/api/v1/audit/export.xlsx?{q}")).await;
    assert_eq!(r.status(), 200);
    let kind = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert_eq!(kind, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let disposition = r.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(
        disposition.starts_with("attachment; filename=\"nhat-ky-") && disposition.ends_with(".xlsx\""),
        "{disposition}"
    );
    let from_api = sheet_rows(r.bytes().await.expect("bytes").to_vec());
    assert_eq!(from_api, from_page);
    assert!(from_api[1][2].starts_with("nva nộp báo cáo tuần 2"), "{from_api:?}");

    // In English when asked, as the page gives it in English.
    let r = get(&app, &office_token, &format!("/api/v1/audit/export.xlsx?{q}&lang=en")).await;
    assert_eq!(r.status(), 200);
    let english = sheet_rows(r.bytes().await.expect("bytes").to_vec());
    assert_eq!(english[0][..5], ["Time", "By", "Action", "Unit", "Details"]);
    assert!(english[1][2].starts_with("nva submitted the report of week 2"), "{english:?}");

    // The CSV: the same entries.
    let csv = page.get(format!("{}/audit/export.csv?{q}", app.base)).send().await.expect("page csv");
    let csv_page = csv.text().await.expect("csv");
    let r = get(&app, &office_token, &format!("/api/v1/audit/export.csv?{q}")).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().starts_with("text/csv"));
    let csv_api = r.text().await.expect("csv");
    assert_eq!(csv_api, csv_page);
    assert_eq!(csv_api.trim_end().lines().count(), 3, "{csv_api}");

    // A district's officer exports its own subtree only, never another district's.
    let ttb = add_token(db, b).await;
    let r = get(&app, &ttb, "/api/v1/audit/export.csv?action=report.submit").await;
    assert_eq!(r.status(), 200);
    let own = r.text().await.expect("csv");
    assert_eq!(own.trim_end().lines().count(), 2, "only Rạch Giá's entry: {own}");
    assert!(own.contains("(mã 899)") && !own.contains("(mã 903)") && !own.contains("(mã 30823)"), "{own}");
    let r = get(&app, &ttb, "/api/v1/audit/export.xlsx?unit=903").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another district's log is refused");

    // A viewer reads no audit log: refused in both languages, no file.
    let viewer = add_user(db, "xem", Role::Viewer, &["903"], PW).await;
    let viewer = add_token(db, viewer).await;
    for path in ["/api/v1/audit/export.xlsx", "/api/v1/audit/export.csv", "/api/v1/audit/export.xlsx?unit=903"] {
        let r = get(&app, &viewer, path).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = r.json().await.expect("json");
        assert!(!body["error"]["message_vi"].as_str().unwrap_or("").is_empty(), "{body}");
        assert!(!body["error"]["message_en"].as_str().unwrap_or("").is_empty(), "{body}");
    }
    // Without a token: 401; a date that is not one: 422 naming the format.
    assert_eq!(app.get("/api/v1/audit/export.xlsx").await.status(), StatusCode::UNAUTHORIZED);
    let r = get(&app, &office_token, "/api/v1/audit/export.csv?from=31/02/2023").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.expect("json");
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("ngày/tháng/năm"), "{body}");

    // The list takes the same filters (from, to, page); a page below 1 is refused, not read as 1.
    assert_eq!(get(&app, &office_token, "/api/v1/audit?page=0").await.status(), StatusCode::BAD_REQUEST);
    let list = app.api(&format!("/api/v1/audit?{q}&limit=1&page=2"), &office_token).await;
    let entries = list["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{list}");
    assert_eq!(entries[0]["actor"], "nva");
    assert!(entries[0]["at"].as_str().unwrap_or("").starts_with("2023-03-05T03:00:00"), "{list}");
}

#[tokio::test]
async fn a_submission_is_a_notice_over_the_api_for_the_officers_above_it_only() {
    // Friday 03/03/2023 10h00, week 1 is open.
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let rach_gia = add_token(db, add_user(db, "rachgia.cb", Role::Unit, &["899"], PW).await).await;
    let viewer = add_token(db, add_user(db, "xem", Role::Viewer, &["91"], PW).await).await;
    let reporter = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;

    assert_eq!(app.api("/api/v1/notices", &office).await, json!({"notices": [], "unread": 0}));
    let r = app.submit(&reporter, "903", WEEK1, json!({"values": {"5": "12"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());

    // The office sees it, in both languages, with a link to the report.
    let seen = app.api("/api/v1/notices", &office).await;
    assert_eq!(seen["unread"], 1, "{seen}");
    let notice = &seen["notices"][0];
    let text = notice["text_vi"].as_str().unwrap_or("");
    assert!(text.contains("(mã 903) đã nộp báo cáo tuần 1 lúc 10h00 ngày 03/03/2023"), "{seen}");
    assert!(notice["text_en"].as_str().unwrap_or("").contains("(code 903) submitted the report of week 1"), "{seen}");
    assert_eq!(
        (notice["unit"].as_str(), notice["kind"].as_str(), notice["unread"].as_bool()),
        (Some("903"), Some("weekly"), Some(true))
    );
    assert_eq!(notice["submitted_by"], "hondat.bc");
    assert!(notice["href"].as_str().unwrap_or("").starts_with("/reports/903"), "{seen}");
    // Another district's officer and a viewer see nothing of it.
    assert_eq!(app.api("/api/v1/notices", &rach_gia).await, json!({"notices": [], "unread": 0}));
    assert_eq!(app.api("/api/v1/notices", &viewer).await, json!({"notices": [], "unread": 0}));

    // A second unit submits: two unread; marking one read leaves one.
    let cb = add_token(db, add_user(db, "rachgia.bc", Role::Unit, &["899"], PW).await).await;
    let r = app.submit(&cb, "899", WEEK1, json!({"values": {"5": "3"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let seen = app.api("/api/v1/notices", &office).await;
    assert_eq!(seen["unread"], 2, "{seen}");
    let newest = seen["notices"][0]["id"].as_i64().expect("id");
    assert_eq!(seen["notices"][0]["unit"], "899", "newest first");
    let (status, marked) =
        send(&app, &office, reqwest::Method::POST, "/api/v1/notices/read", json!({"ids": [newest]})).await;
    assert_eq!(status, 200, "{marked}");
    assert_eq!(marked, json!({"marked": 1, "unread": 1}));
    let unread = app.api("/api/v1/notices?unread=true", &office).await;
    assert_eq!(unread["unread"], 1);
    assert_eq!(unread["notices"].as_array().map(Vec::len), Some(1), "{unread}");
    assert_eq!(unread["notices"][0]["unit"], "903");
    let all = app.api("/api/v1/notices?limit=1", &office).await;
    assert_eq!(all["notices"].as_array().map(Vec::len), Some(1), "limit: {all}");
    assert_eq!(all["notices"][0]["unread"], false, "read ones are listed, marked read");
    // A notice the caller does not get is not marked; an empty list marks all.
    let (_, none) =
        send(&app, &rach_gia, reqwest::Method::POST, "/api/v1/notices/read", json!({"ids": [newest]})).await;
    assert_eq!(none["marked"], 0, "{none}");
    let (status, all) = send(&app, &office, reqwest::Method::POST, "/api/v1/notices/read", json!({"ids": []})).await;
    assert_eq!(status, 200, "{all}");
    assert_eq!(all, json!({"marked": 1, "unread": 0}));
    // The marks are the office's own: the steering committee still has both unread.
    let steering = add_token(db, add_user(db, "bcd", Role::Steering, &[], PW).await).await;
    assert_eq!(app.api("/api/v1/notices", &steering).await["unread"], 2);
    let (status, _) = send(&app, &steering, reqwest::Method::POST, "/api/v1/notices/read", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(app.api("/api/v1/notices", &steering).await["unread"], 0, "a missing list marks all");
    // A misplaced field is refused.
    let (status, body) =
        send(&app, &office, reqwest::Method::POST, "/api/v1/notices/read", json!({"id": newest})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A limit out of bounds is said, not capped.
    assert_eq!(get(&app, &office, "/api/v1/notices?limit=0").await.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn notice_preferences_round_trip_are_audited_and_deliveries_are_the_offices() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    let office_id = add_user(db, "vanphong", Role::Admin, &[], PW).await;
    let office = add_token(db, office_id).await;
    let officer_id = add_user(db, "kg.cb", Role::Unit, &["91"], PW).await;
    let officer = add_token(db, officer_id).await;
    let viewer = add_token(db, add_user(db, "xem", Role::Viewer, &["91"], PW).await).await;

    let path = "/api/v1/account/notice-prefs";
    assert_eq!(app.api(path, &officer).await, json!({"by_email": false, "by_webhook": false}));
    let (status, saved) =
        send(&app, &officer, reqwest::Method::PUT, path, json!({"by_email": true, "by_webhook": false})).await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved, json!({"by_email": true, "by_webhook": false}));
    assert_eq!(app.api(path, &officer).await, json!({"by_email": true, "by_webhook": false}));
    // Each account's own: the office's is untouched.
    assert_eq!(app.api(path, &office).await, json!({"by_email": false, "by_webhook": false}));

    // In the audit log, as the page's change is: by the officer, before → after.
    let filter = AuditFilter {
        actor_user_id: Some(officer_id),
        action_prefix: Some("notice.prefs".into()),
        limit: 10,
        ..Default::default()
    };
    let logged = audit::query(db, &filter).await.expect("audit");
    assert_eq!(logged.len(), 1, "{logged:?}");
    let after: Value = serde_json::from_str(logged[0].after_json.as_deref().unwrap_or("null")).expect("after");
    assert_eq!(after["by_email"], true, "{after}");
    let list = app.api("/api/v1/audit?action=notice.prefs", &office).await;
    assert_eq!(list["entries"].as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list["entries"][0]["actor"], "kg.cb");

    // A body that is not the two choices stores nothing.
    let (status, _) = send(&app, &officer, reqwest::Method::PUT, path, json!({"by_email": false})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "both choices are needed");
    let (status, _) = send(
        &app,
        &officer,
        reqwest::Method::PUT,
        path,
        json!({"by_email": false, "by_webhook": false, "by_sms": true}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an unknown channel is refused");
    assert_eq!(app.api(path, &officer).await["by_email"], true, "nothing partial");
    // A viewer gets no notices to choose for.
    let (status, body) =
        send(&app, &viewer, reqwest::Method::PUT, path, json!({"by_email": true, "by_webhook": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("chỉ xem"), "{body}");

    // A submission to Kiên Giang's officer, who chose e-mail: one delivery, listed for the office only.
    let reporter = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;
    let r = app.submit(&reporter, "903", WEEK1, json!({"values": {"5": "12"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let listed = app.api("/api/v1/notices/deliveries", &office).await;
    let deliveries = listed["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 1, "{listed}");
    assert_eq!((deliveries[0]["username"].as_str(), deliveries[0]["by_email"].as_bool()), (Some("kg.cb"), Some(true)));
    assert_eq!(deliveries[0]["status"], "pending");
    let r = get(&app, &officer, "/api/v1/notices/deliveries").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn unit_import_row_errors_say_each_language_apart() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let admin = add_token(&app.db, add_user(&app.db, "nhap.lieu", Role::Admin, &[], PW).await).await;
    let csv = "code,parent_code,kind,name\nX1,91,truong,Đoàn X\nX2,9999,affiliated,Đoàn Y\n";
    let (status, body) = app.upload(&admin, "/api/v1/units/import", "don-vi.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let rows = body["rows"].as_array().expect("rows");
    assert_eq!(rows.iter().filter_map(|r| r["row"].as_i64()).collect::<Vec<_>>(), vec![2, 3], "{body}");
    let vi = rows[0]["message_vi"].as_str().unwrap_or("");
    let en = rows[0]["message_en"].as_str().unwrap_or("");
    assert!(vi.contains("loại \"truong\" không hợp lệ") && !vi.contains("unknown kind"), "{body}");
    assert!(en.contains("unknown kind \"truong\"") && !en.contains("không hợp lệ"), "{body}");
    assert!(!rows[1]["message_vi"].as_str().unwrap_or("").contains(" / "), "{body}");
    assert!(!rows[1]["message_en"].as_str().unwrap_or("").is_empty(), "{body}");
    assert_eq!(app.get("/api/v1/units/X1").await.status(), 404, "nothing stored");

    // The list of accounts says its bad rows in each language apart too.
    let body = json!({"accounts": [{"unit": "khong-co-don-vi", "name": "Nguyễn Văn C"}], "dry_run": true});
    let (status, body) = send(&app, &admin, reqwest::Method::POST, "/api/v1/users/import", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (vi, en) =
        (body["error"]["message_vi"].as_str().unwrap_or(""), body["error"]["message_en"].as_str().unwrap_or(""));
    assert!(vi.starts_with("Chưa tạo tài khoản nào. tài khoản 1: ") && !vi.contains(" / "), "{body}");
    assert!(en.starts_with("No account was created. account 1: ") && !en.contains(" / "), "{body}");
}
