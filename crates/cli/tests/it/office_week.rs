//! The office's working week (issue 16, items 3, 10, 12, 16): a locked period is
//! seen on the grid, the form and the unit's home page before anyone types; lock and
//! reopen are labelled, confirmed and answered; the page takes only the verbs and
//! decisions the API takes; what a reporter typed survives a lock that lands
//! meanwhile; the calendar marks today.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app, spawn_app_at, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";

/// Thursday 2 March 2023, 10:00 in Vietnam: week 1 is open (deadline Friday 16:00).
fn thursday_of_week_1() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2023-03-02T10:00:00+07:00").expect("time").with_timezone(&chrono::Utc)
}

/// A logged-in browser (cookie jar) for a new user.
async fn logged_in(app: &TestApp, name: &str, role: Role, units: &[&str]) -> reqwest::Client {
    add_user(&app.db, name, role, units, PW).await;
    let client = browser();
    let r = app.login_form(&client, name, PW, "10.9.0.1").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "login {name}");
    client
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (StatusCode, String) {
    let r = client.get(format!("{}{path}", app.base)).send().await.expect("get");
    let status = r.status();
    (status, r.text().await.expect("body"))
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let (_, home) = page(app, client, "/reports").await;
    let csrf = csrf_of(&home);
    let mut fields: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    fields.extend_from_slice(form);
    let r = client.post(format!("{}{path}", app.base)).form(&fields).send().await.expect("post");
    let status = r.status();
    let location = r.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
    (status, location, r.text().await.unwrap_or_default())
}

/// Whether the reporter's form of week 1 is locked (read-only with its notice).
async fn form_locked(app: &TestApp, reporter: &reqwest::Client) -> bool {
    let (s, form) = page(app, reporter, &format!("/reports/899/{WEEK1}")).await;
    assert_eq!(s, StatusCode::OK);
    form.contains("id=\"locked\"")
}

#[tokio::test]
async fn the_office_locks_a_week_after_confirming_and_the_grid_the_form_and_the_home_page_show_it() {
    let app = spawn_app_at(thursday_of_week_1()).await;
    let office = logged_in(&app, "vp.tinh", Role::Admin, &[]).await;
    let reporter = logged_in(&app, "r.rachgia", Role::Unit, &["899"]).await;

    // Labelled actions, not emoji-only buttons.
    let (_, grid) = page(&app, &office, "/reports").await;
    assert!(grid.contains("Khóa kỳ báo cáo"), "labelled lock action");
    assert!(!grid.contains(">🔒</button>") && !grid.contains(">🔓</button>"));
    assert!(!grid.contains("class=\"badge locked\""), "nothing locked yet");

    // Sent without ticking the confirmation: back to the confirmation, nothing done.
    let (s, location, _) = post(&app, &office, &format!("/periods/{WEEK1}/lock"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(location.contains("confirm=2023-03-03") && location.contains("need=1"), "{location}");
    assert!(!form_locked(&app, &reporter).await, "not locked without the confirmation");
    let (_, confirm) = page(&app, &office, &location).await;
    assert!(confirm.contains("id=\"confirm-lock\""));
    assert!(confirm.contains("Hãy đánh dấu ô xác nhận"));
    assert!(confirm.contains("action=\"/periods/2023-03-03/lock\""));

    // Confirmed: done, and said so.
    let (s, location, _) = post(&app, &office, &format!("/periods/{WEEK1}/lock"), &[("confirm", "1")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, grid) = page(&app, &office, &location).await;
    assert!(grid.contains("Đã khóa kỳ báo cáo Tuần 1 (25/02/2023 – 03/03/2023)"), "{location}");
    assert!(grid.contains("<th scope=\"col\" id=\"week-2023-03-03\" class=\"locked\""), "the column is marked");
    assert!(grid.contains("Kỳ đã khóa"), "the cells say it");
    assert!(grid.contains("verb=reopen"), "the column now offers to reopen");

    // The reporter's grid, form and home page say it before anyone types.
    let (_, their_grid) = page(&app, &reporter, "/reports").await;
    assert!(their_grid.contains("class=\"badge locked\""));
    let (_, form) = page(&app, &reporter, &format!("/reports/899/{WEEK1}")).await;
    assert!(form.contains("id=\"locked\""), "the notice");
    assert!(form.contains("Kỳ báo cáo tuần 1 đã được khóa lúc"), "since when");
    assert!(form.contains("người khóa: vp.tinh"), "by whom");
    assert!(form.contains("liên hệ Ban Phong trào"), "whom to contact");
    assert!(form.contains("<fieldset disabled>"), "read-only");
    assert!(!form.contains("data-autosave="), "no autosave into a locked period");
    let (_, home) = page(&app, &reporter, "/home").await;
    assert!(home.contains("id=\"home-locked\""), "the home page's card says it");

    // Reopened, confirmed: the form is open again and the office is told.
    let (s, location, _) = post(&app, &office, &format!("/periods/{WEEK1}/reopen"), &[("confirm", "1")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, grid) = page(&app, &office, &location).await;
    assert!(grid.contains("Đã mở lại kỳ báo cáo Tuần 1"));
    assert!(!form_locked(&app, &reporter).await);
    let (_, home) = page(&app, &reporter, "/home").await;
    assert!(!home.contains("id=\"home-locked\""));
}

#[tokio::test]
async fn the_page_takes_only_lock_and_reopen_like_the_api() {
    let app = spawn_app().await;
    let office = logged_in(&app, "vp.tinh", Role::Admin, &[]).await;
    let reporter = logged_in(&app, "r.rachgia", Role::Unit, &["899"]).await;
    let (s, _, _) = post(&app, &office, &format!("/periods/{WEEK1}/lock"), &[("confirm", "1")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert!(form_locked(&app, &reporter).await);
    // Any other word used to reopen the period on the page.
    for verb in ["anything", "unlock", "Lock"] {
        let (s, _, _) = post(&app, &office, &format!("/periods/{WEEK1}/{verb}"), &[("confirm", "1")]).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "page /{verb}");
    }
    assert!(form_locked(&app, &reporter).await, "still locked");
    let token = add_token(&app.db, add_user(&app.db, "vp.api", Role::Admin, &[], PW).await).await;
    let r = app
        .client
        .post(format!("{}/api/v1/periods/{WEEK1}/anything", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), StatusCode::NOT_FOUND, "API");
}

#[tokio::test]
async fn the_review_decision_is_accept_or_return_on_the_page_as_in_the_api_and_sits_at_the_top() {
    let app = spawn_app().await;
    let reporter = add_token(&app.db, add_user(&app.db, "r.rachgia", Role::Unit, &["899"], PW).await).await;
    let r = app.submit(&reporter, "899", WEEK1, json!({"values": {"5": "1.200"}, "highlights": "Ra quân"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let version = r.json::<Value>().await.expect("json")["version"].as_i64().expect("version").to_string();
    let office = logged_in(&app, "vp.tinh", Role::Admin, &[]).await;
    let path = format!("/reports/899/{WEEK1}");
    let (_, report) = page(&app, &office, &path).await;
    let review = report.find("id=\"review\"").expect("the review box");
    let form = report.find("id=\"report-form\"").expect("the form");
    assert!(review < form, "the review actions come before the form");

    // A mistyped decision used to return the report.
    let (s, _, body) = post(
        &app,
        &office,
        &format!("{path}/review"),
        &[("decision", "acept"), ("comment", "Thiếu số liệu"), ("version", &version)],
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("chưa lưu gì"));
    let token = add_token(&app.db, add_user(&app.db, "vp.api", Role::Admin, &[], PW).await).await;
    let shown = app.api(&format!("/api/v1/reports/899/{WEEK1}"), &token).await;
    assert_eq!(shown["report"]["status"], "submitted", "{shown}");
    let r = app
        .client
        .post(format!("{}/api/v1/reports/899/{WEEK1}/review", app.base))
        .bearer_auth(&token)
        .json(&json!({"action": "acept", "comment": "", "version": version.parse::<i64>().expect("n")}))
        .send()
        .await
        .expect("api");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST, "API");

    // Returned without a comment (no script): the same report page, the reason next
    // to the comment box, what was typed kept, nothing stored.
    let (s, _, body) = post(
        &app,
        &office,
        &format!("{path}/review"),
        &[("decision", "return"), ("comment", " x"), ("version", &version)],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(!body.contains("Hãy quay lại trang trước"), "not the bare error page");
    assert!(body.contains("id=\"review\"") && body.contains("id=\"report-form\""), "the report page again");
    let box_ = &body[body.find("name=\"comment\"").expect("the comment box")..];
    let box_ = &box_[..box_.find("</label>").expect("end of the box")];
    assert!(box_.contains("aria-invalid=\"true\"") && box_.contains("> x</textarea>"), "{box_}");
    assert!(box_.contains("cần ghi rõ lý do"), "the reason next to the box: {box_}");
    let shown = app.api(&format!("/api/v1/reports/899/{WEEK1}"), &token).await;
    assert_eq!(shown["report"]["status"], "submitted", "{shown}");

    // Accepted: said so.
    let (s, location, _) =
        post(&app, &office, &format!("{path}/review"), &[("decision", "accept"), ("version", &version)]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, after) = page(&app, &office, &location).await;
    assert!(after.contains("Đã duyệt báo cáo của"), "{location}");

    // The history has one column per thing (no "#" beside the version).
    let (_, history) = page(&app, &office, &format!("{path}/history")).await;
    assert!(!history.contains("<th>#</th>"));
    assert_eq!(history.matches("<th>phiên bản</th>").count(), 1);
}

#[tokio::test]
async fn what_the_reporter_typed_is_shown_back_when_the_period_is_locked_before_saving() {
    let app = spawn_app_at(thursday_of_week_1()).await;
    let reporter = logged_in(&app, "r.rachgia", Role::Unit, &["899"]).await;
    let (_, form) = page(&app, &reporter, &format!("/reports/899/{WEEK1}")).await;
    assert!(!form.contains("id=\"locked\""));
    let csrf = csrf_of(&form);
    // While the reporter types, the office locks the week.
    let token = add_token(&app.db, add_user(&app.db, "vp.api", Role::Admin, &[], PW).await).await;
    let r = app
        .client
        .post(format!("{}/api/v1/periods/{WEEK1}/lock", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("lock");
    assert_eq!(r.status(), StatusCode::OK);
    let highlights = "Ra quân Tháng Thanh niên tại 12 xã, 1.500 đoàn viên tham gia";
    let r = reporter
        .post(format!("{}/reports/899/{WEEK1}", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("v.5", "1.234"),
            ("a.0.title", "Ngày Chủ nhật xanh"),
            ("a.0.area", "1"),
            ("highlights", highlights),
            ("action", "submit"),
        ])
        .send()
        .await
        .expect("save");
    assert_eq!(r.status(), StatusCode::LOCKED);
    let body = r.text().await.expect("body");
    assert!(body.contains("Chưa lưu: kỳ báo cáo vừa bị khóa"), "the refusal");
    assert!(body.contains("id=\"typed-input\""), "the typed text to copy");
    assert!(body.contains(highlights), "the narrative is back");
    assert!(body.contains("value=\"1.234\""), "the figure is back in its field");
    assert!(body.contains("Ngày Chủ nhật xanh"), "the activity is back");
    assert!(body.contains("liên hệ Ban Phong trào"));
    // Nothing stored.
    let shown = app.api(&format!("/api/v1/reports/899/{WEEK1}"), &token).await;
    assert!(shown["report"].is_null(), "{shown}");
}

#[tokio::test]
async fn the_calendar_marks_today_by_the_servers_clock() {
    let app = spawn_app_at(thursday_of_week_1()).await;
    let cal = app.text("/calendar").await;
    assert!(cal.contains("Hôm nay: <strong>02/03/2023</strong>"), "the heading says today");
    let marker = cal.find("<li class=\"cal-today-marker\" id=\"today\"").expect("the today mark in the list");
    assert!(cal[marker..].contains("Hôm nay · 02/03/2023"));
    // Everything before the mark is past, the line just after it is not.
    let before = &cal[..marker];
    let after = &cal[marker..];
    let next_line = after[after.find("<li class=\"cal-").map(|i| i + 1).unwrap_or(0)..]
        .find("<li class=\"cal-")
        .map(|i| &after[i..i + 60])
        .unwrap_or("");
    assert!(!next_line.contains("past"), "{next_line}");
    assert!(
        before.matches("<li class=\"cal-").count()
            == before.matches(" past\"").count() + before.matches(" past today\"").count()
    );
    // Another day, another mark.
    let later = spawn_app_at(thursday_of_week_1() + chrono::Duration::days(14)).await;
    assert!(later.text("/calendar").await.contains("Hôm nay · 16/03/2023"));
}

#[tokio::test]
async fn the_grid_and_the_dashboard_print_on_a4_landscape() {
    let app = spawn_app().await;
    let css = app.text("/static/app.css").await;
    assert!(css.contains("@page wide { size: A4 landscape"));
    assert!(css.contains(".print-grid, main:has(.dash-at) { page: wide; }"));
    let office = logged_in(&app, "vp.tinh", Role::Admin, &[]).await;
    let (_, grid) = page(&app, &office, "/reports").await;
    assert!(grid.contains("class=\"print-grid\""));
    assert!(grid.contains("class=\"lock-actions no-print\""), "no buttons on paper");
}

#[tokio::test]
async fn the_office_picks_units_on_the_grid_by_name_without_accents() {
    let app = spawn_app().await;
    let office = logged_in(&app, "vp.tinh", Role::Admin, &[]).await;
    let (_, grid) = page(&app, &office, "/reports").await;
    assert!(grid.contains("<datalist id=\"grid-units\">"), "names offered while typing");
    assert!(grid.contains("<option value=\"Thành đoàn Rạch Giá\">"));
    let (_, only) = page(&app, &office, "/reports?q=hon+dat").await;
    assert!(only.contains(">Huyện đoàn Hòn Đất</a></th>"), "found without accents");
    assert!(!only.contains(">Thành đoàn Rạch Giá</a></th>"), "the others left out");
    let (_, by_code) = page(&app, &office, "/reports?q=899").await;
    assert!(by_code.contains(">Thành đoàn Rạch Giá</a></th>"));
    assert!(!by_code.contains(">Huyện đoàn Hòn Đất</a></th>"));
    let (_, none) = page(&app, &office, "/reports?q=khong+co+don+vi+nay").await;
    assert!(none.contains("Không có đơn vị nào có tên khớp."));
}

#[tokio::test]
async fn a_unit_edit_says_it_was_saved_on_the_unit_page() {
    let app = spawn_app().await;
    let office = logged_in(&app, "vp.tinh", Role::Admin, &[]).await;
    let (s, location, body) =
        post(&app, &office, "/units/899/edit", &[("name", "Thành đoàn Rạch Giá"), ("active", "on")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let (_, unit) = page(&app, &office, &location).await;
    assert!(unit.contains("Đã lưu thay đổi của đơn vị."), "{location}");
    let (_, again) = page(&app, &office, "/units/899").await;
    assert!(!again.contains("Đã lưu thay đổi của đơn vị."), "only right after saving");
}

#[tokio::test]
async fn in_english_the_lock_and_its_confirmation_are_said_in_english() {
    let app = spawn_app_at(thursday_of_week_1()).await;
    let office = logged_in(&app, "vp.tinh", Role::Admin, &[]).await;
    let reporter = logged_in(&app, "r.rachgia", Role::Unit, &["899"]).await;
    for c in [&office, &reporter] {
        c.get(format!("{}/lang/en", app.base)).send().await.expect("lang");
    }
    let (_, confirm) = page(&app, &office, &format!("/reports?confirm={WEEK1}&verb=lock")).await;
    assert!(confirm.contains("Lock the reporting period?"));
    assert!(!confirm.contains("Khóa kỳ"), "no Vietnamese on the English page");
    let (s, location, _) = post(&app, &office, &format!("/periods/{WEEK1}/lock"), &[("confirm", "1")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, grid) = page(&app, &office, &location).await;
    assert!(grid.contains("Reporting period Week 1 (25/02/2023 – 03/03/2023) locked"), "{location}");
    let (_, form) = page(&app, &reporter, &format!("/reports/899/{WEEK1}")).await;
    assert!(form.contains("was locked at") && form.contains("by vp.tinh"));
    assert!(!form.contains("đã được khóa"));
}
