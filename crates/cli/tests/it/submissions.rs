//! Submissions that are what they seem (issue 14, items 6, 7, 9): a body of the
//! wrong shape is refused and stores nothing, an empty weekly report is refused
//! unless the unit says "không phát sinh trong tuần", numbers may come as JSON
//! numbers, messages stay Vietnamese, and a person's own identical save is no conflict.

use std::process::Command;

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";

async fn call(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let url = format!("{}{path}", app.base);
    let r = match method {
        "PUT" => app.client.put(&url).json(&body),
        "POST" => app.client.post(&url).json(&body),
        "PATCH" => app.client.patch(&url).json(&body),
        _ => app.client.get(&url),
    }
    .bearer_auth(token);
    let response = r.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The Vietnamese message of an error answer, checked to carry no English from the parser.
fn message_vi(answer: &Value) -> String {
    let vi = answer["error"]["message_vi"].as_str().unwrap_or("").to_string();
    for english in ["unknown field", "invalid type", "expected", "Failed to deserialize", "missing field", "at line"] {
        assert!(!vi.contains(english), "English parser text in the Vietnamese message: {vi}");
    }
    vi
}

async fn stored_report(app: &TestApp, token: &str, unit: &str) -> Value {
    call(app, "GET", &format!("/api/v1/reports/{unit}/{WEEK1}"), token, Value::Null).await.1["report"].clone()
}

async fn reporter(app: &TestApp, name: &str, unit: &str) -> String {
    add_token(&app.db, add_user(&app.db, name, Role::Unit, &[unit], PW).await).await
}

#[tokio::test]
async fn values_at_the_top_level_are_refused_naming_the_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let own = reporter(&app, "r.rachgia", "899").await;
    let path = format!("/api/v1/reports/899/{WEEK1}/submit");
    // The mistake of the issue: "values" beside "version" instead of inside "input".
    let (status, answer) = call(&app, "POST", &path, &own, json!({"version": 0, "values": {"5": "1200"}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let vi = message_vi(&answer);
    assert!(vi.contains("\"values\""), "the message names the field: {vi}");
    assert!(!vi.contains(" or "), "no English word in the Vietnamese message: {vi}");
    assert!(answer["error"]["message_en"].as_str().unwrap_or("").contains("values"), "{answer}");
    assert_eq!(stored_report(&app, &own, "899").await, Value::Null, "nothing stored");
    // A misspelt field inside the input, or inside an activity, is refused too.
    for body in [
        json!({"version": 0, "input": {"value": {"5": "1200"}}}),
        json!({"version": 0, "input": {"values": {"5": "1200"}, "activities": [{"title": "Ra quân", "date": "05/03/2023"}]}}),
        json!({"version": 0, "input": {"values": {"5": "1200"}}, "submit": true}),
    ] {
        let (status, answer) = call(&app, "POST", &path, &own, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body} -> {answer}");
        let vi = message_vi(&answer);
        assert!(vi.contains("\"value\"") || vi.contains("\"date\"") || vi.contains("\"submit\""), "{vi}");
        // Drafts are held to the same shape.
        let (status, _) = call(&app, "PUT", &format!("/api/v1/reports/899/{WEEK1}/draft"), &own, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(stored_report(&app, &own, "899").await, Value::Null, "still nothing stored");
    // The unit still counts as missing.
    let (_, list) = call(&app, "GET", &format!("/api/v1/reports?unit=899&period_end={WEEK1}"), &own, Value::Null).await;
    assert_eq!(list["count"], 0, "{list}");
}

#[tokio::test]
async fn an_empty_weekly_report_is_refused_unless_sent_as_nothing_to_report() {
    let app = spawn_app().await;
    let own = reporter(&app, "r.rachgia", "899").await;
    let path = format!("/api/v1/reports/899/{WEEK1}/submit");
    for input in [json!({}), json!({"values": {}}), json!({"values": {"5": "0", "17": ""}, "highlights": "  "})] {
        let (status, answer) = call(&app, "POST", &path, &own, json!({"version": 0, "input": input})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{input} -> {answer}");
        let fields: Vec<&str> =
            answer["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
        assert_eq!(fields, vec!["nothing_to_report"], "{answer}");
        assert!(answer["fields"][0]["message_vi"].as_str().unwrap_or("").contains("Không phát sinh trong tuần"));
        assert_eq!(stored_report(&app, &own, "899").await, Value::Null, "nothing stored for {input}");
    }
    // An empty unit plan is no plan either.
    let (status, answer) =
        call(&app, "POST", "/api/v1/reports/899/plan/submit", &own, json!({"version": 0, "input": {}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(call(&app, "GET", "/api/v1/reports/899/plan", &own, Value::Null).await.1["report"], Value::Null);
    // "Nothing to report" together with figures is contradictory: refused.
    let (status, answer) = call(
        &app,
        "POST",
        &path,
        &own,
        json!({"version": 0, "input": {"values": {"5": "10"}, "nothing_to_report": true}}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    // Said on purpose, the empty week is a report: stored with its flag, and shown.
    let (status, answer) =
        call(&app, "POST", &path, &own, json!({"version": 0, "input": {"nothing_to_report": true}})).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let report = stored_report(&app, &own, "899").await;
    assert_eq!(report["status"], "submitted");
    assert_eq!(report["nothing_to_report"], true, "{report}");
    let client = browser();
    app.login_form(&client, "r.rachgia", PW, "10.9.0.1").await;
    let page =
        client.get(format!("{}/reports/899/{WEEK1}", app.base)).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("Không phát sinh trong tuần</span>"), "the badge on the report page");
    let list = client.get(format!("{}/reports", app.base)).send().await.expect("list").text().await.expect("body");
    assert!(list.contains("· Không phát sinh"), "and in the list of reports");
}

#[tokio::test]
async fn the_form_refuses_an_empty_week_and_offers_the_nothing_to_report_box() {
    let app = spawn_app().await;
    add_user(&app.db, "r.rachgia", Role::Unit, &["899"], PW).await;
    let client = browser();
    app.login_form(&client, "r.rachgia", PW, "10.9.0.2").await;
    let url = format!("{}/reports/899/{WEEK1}", app.base);
    let page = client.get(&url).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("name=\"nothing_to_report\""), "the form offers the box");
    let csrf = csrf_of(&page);
    let sent = client
        .post(&url)
        .form(&[("csrf", csrf.as_str()), ("version", "0"), ("v.5", ""), ("action", "submit")])
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = sent.text().await.expect("body");
    assert!(body.contains("id=\"e-nothing\""), "the error sits by the box");
    assert!(body.contains("aria-describedby=\"h-nothing e-nothing\""), "and the box points at it");
    let sent = client
        .post(&url)
        .form(&[("csrf", csrf.as_str()), ("version", "0"), ("nothing_to_report", "1"), ("action", "submit")])
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn json_numbers_in_values_count_like_typed_text_and_errors_stay_vietnamese() {
    let app = spawn_app().await;
    let own = reporter(&app, "r.rachgia", "899").await;
    let other = reporter(&app, "r.hondat", "903").await;
    let (status, answer) = call(
        &app,
        "POST",
        &format!("/api/v1/reports/899/{WEEK1}/submit"),
        &own,
        json!({"version": 0, "input": {"values": {"5": 1200, "17": "1.035", "6": 40.0}}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (_, shown) = call(&app, "GET", &format!("/api/v1/reports/899/{WEEK1}"), &own, Value::Null).await;
    assert_eq!(shown["submitted"]["values"]["5"], 1200, "{shown}");
    assert_eq!(shown["submitted"]["values"]["17"], 1035);
    assert_eq!(shown["submitted"]["values"]["6"], 40);
    // A fraction, a negative number, a list: refused with Vietnamese messages, nothing stored.
    let path = format!("/api/v1/reports/903/{WEEK1}/submit");
    for (value, words) in [
        (json!(12.5), "số nguyên không âm"),
        (json!(-3), "số nguyên không âm"),
        (json!([1, 2]), "values.5"),
        (json!({"n": 1}), "values.5"),
    ] {
        let (status, answer) =
            call(&app, "POST", &path, &other, json!({"version": 0, "input": {"values": {"5": value}}})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{value} -> {answer}");
        let text = format!("{} {}", message_vi(&answer), answer["fields"]);
        assert!(text.contains(words), "{value}: {text}");
    }
    let (status, answer) = call(&app, "POST", &path, &other, json!({"version": "một", "input": {}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    message_vi(&answer);
    assert_eq!(stored_report(&app, &other, "903").await, Value::Null);
}

#[tokio::test]
async fn other_api_bodies_refuse_unknown_fields() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "r.vp", Role::Admin, &[], PW).await).await;
    let own = reporter(&app, "r.rachgia", "899").await;
    // A unit created with a misspelt parent would land at the top of the tree.
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/units",
        &admin,
        json!({"code": "899-99", "name": "Xã Thử", "kind": "commune", "parent": "899"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(message_vi(&answer).contains("\"parent\""));
    let (status, answer) =
        call(&app, "PATCH", "/api/v1/units/899", &admin, json!({"name": "Rạch Giá", "actve": false})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(message_vi(&answer).contains("\"actve\""));
    // The review of a report: a misspelt comment is not silently dropped.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/reports/899/{WEEK1}/submit"),
        &own,
        json!({"version": 0, "input": {"values": {"5": "5"}}}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, answer) = call(
        &app,
        "POST",
        &format!("/api/v1/reports/899/{WEEK1}/review"),
        &admin,
        json!({"action": "return", "version": 1, "coment": "Thiếu số liệu"}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(message_vi(&answer).contains("\"coment\""));
    assert_eq!(stored_report(&app, &own, "899").await["status"], "submitted", "not returned");
    // Login with an extra field.
    let status = browser()
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"username": "r.rachgia", "password": PW, "remember": true}))
        .send()
        .await
        .expect("login")
        .status();
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_save_whose_only_conflict_is_ones_own_identical_autosave_goes_through() {
    let app = spawn_app().await;
    let own = reporter(&app, "r.rachgia", "899").await;
    let colleague = add_token(&app.db, add_user(&app.db, "r.rachgia2", Role::Unit, &["899"], PW).await).await;
    let base = format!("/api/v1/reports/899/{WEEK1}");
    let input = json!({"values": {"5": "1.200", "17": "35"}, "highlights": "Ra quân\ntrồng cây"});
    // The autosave lands first (version 1)...
    let (status, _) = call(&app, "PUT", &format!("{base}/draft"), &own, json!({"version": 0, "input": input})).await;
    assert_eq!(status, StatusCode::CREATED);
    // ...then the submission the page sent with the version it had (0), same content.
    let (status, answer) =
        call(&app, "POST", &format!("{base}/submit"), &own, json!({"version": 0, "input": input})).await;
    assert!(status.is_success(), "{status} {answer}");
    assert_eq!(answer["status"], "submitted");
    assert_eq!(answer["version"], 2);
    // A real conflict is still one: different content, or someone else's save.
    let base3 = format!("/api/v1/reports/903/{WEEK1}");
    let other = reporter(&app, "r.hondat", "903").await;
    let (status, _) = call(&app, "PUT", &format!("{base3}/draft"), &other, json!({"version": 0, "input": input})).await;
    assert_eq!(status, StatusCode::CREATED);
    let changed = json!({"values": {"5": "1.300"}});
    let (status, answer) =
        call(&app, "PUT", &format!("{base3}/draft"), &other, json!({"version": 0, "input": changed})).await;
    assert_eq!(status, StatusCode::CONFLICT, "different content");
    assert!(message_vi(&answer).contains("chính bạn"), "one's own other save, said so: {answer}");
    let (status, _) =
        call(&app, "PUT", &format!("{base}/draft"), &colleague, json!({"version": 0, "input": input})).await;
    assert_eq!(status, StatusCode::CONFLICT, "the report is submitted: not editable");
    let colleague903 = add_token(&app.db, add_user(&app.db, "r.hondat2", Role::Unit, &["903"], PW).await).await;
    let (status, _) =
        call(&app, "POST", &format!("{base3}/submit"), &colleague903, json!({"version": 0, "input": input})).await;
    assert_eq!(status, StatusCode::CONFLICT, "someone else's save, even identical, is a conflict");
}

#[tokio::test]
async fn the_form_submitted_while_its_autosave_landed_is_not_a_conflict() {
    // The timing of the phone without the browser: the autosave (JSON, LF line breaks)
    // is stored, then the form (CRLF line breaks) arrives with the version before it.
    let app = spawn_app().await;
    add_user(&app.db, "r.rachgia", Role::Unit, &["899"], PW).await;
    let client = browser();
    app.login_form(&client, "r.rachgia", PW, "10.9.0.3").await;
    let url = format!("{}/reports/899/{WEEK1}", app.base);
    let page = client.get(&url).send().await.expect("page").text().await.expect("body");
    let csrf = csrf_of(&page);
    let autosave = client
        .put(format!("{}/api/v1/reports/899/{WEEK1}/draft", app.base))
        .header("x-csrf-token", &csrf)
        .json(&json!({"version": 0, "input": {"values": {"5": "120"}, "activities": [], "highlights": "Dòng 1\nDòng 2", "difficulties": "", "proposals": "", "confirm_above_base": false, "nothing_to_report": false}}))
        .send()
        .await
        .expect("autosave");
    assert_eq!(autosave.status(), StatusCode::CREATED, "{:?}", autosave.text().await);
    // Another content from the version before (another tab of the same person): a
    // real conflict, said as such, without "someone else".
    let other_tab = client
        .post(&url)
        .form(&[("csrf", csrf.as_str()), ("version", "0"), ("v.5", "999"), ("action", "save")])
        .send()
        .await
        .expect("post");
    assert_eq!(other_tab.status(), StatusCode::CONFLICT);
    let body = other_tab.text().await.unwrap_or_default();
    assert!(body.contains("Bạn đã lưu báo cáo này ở một trang hoặc thiết bị khác"), "own conflict wording");
    assert!(!body.contains("vừa được người khác lưu"));
    let sent = client
        .post(&url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("v.5", "120"),
            ("highlights", "Dòng 1\r\nDòng 2"),
            ("difficulties", ""),
            ("proposals", ""),
            ("action", "submit"),
        ])
        .send()
        .await
        .expect("post");
    let status = sent.status();
    let body = sent.text().await.unwrap_or_default();
    assert_eq!(status, StatusCode::SEE_OTHER, "{}", &body[..body.len().min(3000)]);
}

fn cli(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env_remove("DATABASE_URL")
        .env_remove("PHONGTRAO_DATA_DIR")
        .env("RUST_LOG", "warn")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn report_submit_file_of_the_wrong_shape_exits_non_zero_and_stores_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    assert!(cli(d, &["migrate"]).0);
    let file = |name: &str, body: &str| {
        let path = d.join(name);
        std::fs::write(&path, body).expect("write");
        path.display().to_string()
    };
    for (name, body, words) in [
        ("empty.json", "{}", "Không phát sinh trong tuần"),
        ("value.json", r#"{"value": {"5": "1200"}}"#, "\"value\""),
        ("list.json", r#"[{"5": "1200"}]"#, "đối tượng JSON"),
        ("typo.json", r#"{"values": {"5": "1200"}, "submited_at": "2023-03-03T10:00:00+07:00"}"#, "\"submited_at\""),
    ] {
        let path = file(name, body);
        let (ok, _, err) = cli(d, &["report", "submit", "--unit", "899", "--period-end", WEEK1, "--file", &path]);
        assert!(!ok, "{name} must fail");
        assert!(err.contains(words), "{name}: {err}");
        assert!(!err.contains("unknown field `"), "{name}: serde's text: {err}");
    }
    let (_, out, _) = cli(d, &["report", "list", "--unit", "899", "--json"]);
    assert_eq!(serde_json::from_str::<Value>(&out).expect("json"), json!([]), "nothing stored");
    // JSON numbers and "nothing to report" work from a file too.
    let numbers = file("numbers.json", r#"{"values": {"5": 1200, "17": "35"}}"#);
    let (ok, _, err) = cli(d, &["report", "submit", "--unit", "899", "--period-end", WEEK1, "--file", &numbers]);
    assert!(ok, "{err}");
    let nothing = file("nothing.json", r#"{"nothing_to_report": true}"#);
    let (ok, _, err) = cli(d, &["report", "submit", "--unit", "903", "--period-end", WEEK1, "--file", &nothing]);
    assert!(ok, "{err}");
    let (_, out, _) = cli(d, &["report", "list", "--json"]);
    let list: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    let rg = list.as_array().and_then(|l| l.iter().find(|r| r["unit"] == "899")).expect("899");
    assert_eq!(rg["values"]["5"], 1200);
    assert_eq!(rg["nothing_to_report"], false);
    let hd = list.as_array().and_then(|l| l.iter().find(|r| r["unit"] == "903")).expect("903");
    assert_eq!(hd["nothing_to_report"], true);
}

#[tokio::test]
async fn the_demo_fills_the_campaign_as_it_stands_at_the_servers_clock() {
    let (db, _dir) = crate::support::fresh_db().await;
    phongtrao_web::prepare::prepare(&db).await.expect("prepare");
    // Friday 10 March 2023, 09:00: week 2 is due at 16:00 today; weeks 3–5 have not begun.
    let now = chrono::DateTime::parse_from_rfc3339("2023-03-10T09:00:00+07:00").expect("t").with_timezone(&chrono::Utc);
    let state = phongtrao_web::AppState::new(db.clone(), false, now - chrono::Utc::now());
    let summary = phongtrao_web::demo::fill(&state, 2023).await.expect("demo");
    assert!(summary.reports > 0, "{summary:?}");
    let campaign = phongtrao_storage::campaigns::current(&db).await.expect("campaign");
    let reports = phongtrao_storage::reports::list(
        &db,
        campaign.row.id,
        phongtrao_domain::report::ReportKind::Weekly,
        None,
        None,
    )
    .await
    .expect("reports");
    assert!(reports.iter().all(|r| r.period_seq <= 2), "no report of a week not begun");
    assert!(reports.iter().all(|r| r.first_submitted_at.is_some_and(|t| t <= now)), "none sent after now");
    let week2: Vec<_> = reports.iter().filter(|r| r.period_seq == 2).collect();
    assert!(!week2.is_empty(), "some units sent week 2 already");
    assert!(week2.iter().all(|r| r.timeliness.as_deref() == Some("on_time")), "nobody late before the deadline");
    let late_week1 = reports.iter().filter(|r| r.period_seq == 1 && r.timeliness.as_deref() == Some("late")).count();
    assert_eq!(summary.late, late_week1, "{summary:?}");
    // Missing counts only week 1 (past its deadline): at most the units that did not send it.
    let sent_week1 = reports.iter().filter(|r| r.period_seq == 1).count();
    assert_eq!(summary.missing, summary.units - sent_week1, "{summary:?}");
}

#[tokio::test]
async fn an_overdue_unsent_week_is_never_not_yet_due_and_the_unit_plan_deadline_reads_alike() {
    // Thursday 9 March 2023: week 1 (due 3 March) was never sent; week 2 is open.
    let now = chrono::DateTime::parse_from_rfc3339("2023-03-09T10:00:00+07:00").expect("t").with_timezone(&chrono::Utc);
    let app = crate::support::spawn_app_at(now).await;
    add_user(&app.db, "r.rachgia", Role::Unit, &["899"], PW).await;
    let client = browser();
    let login = app.login_form(&client, "r.rachgia", PW, "10.9.0.4").await;
    assert_eq!(
        login.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/home"),
        "a unit reporter lands on the unit's home page"
    );
    let get = |path: &str| {
        let url = format!("{}{path}", app.base);
        let client = client.clone();
        async move { client.get(url).send().await.expect("page").text().await.expect("body") }
    };
    let reports = get("/reports").await;
    let week1 = reports.split("href=\"/reports/899/2023-03-03\"").nth(1).unwrap_or("");
    let week1 = week1.split("</a>").next().unwrap_or("");
    assert!(week1.contains("Chưa báo cáo") && !week1.contains("Chưa đến hạn"), "{week1}");
    // This week first: week 2 is the first report link of the page.
    let first = reports.split("href=\"/reports/899/").nth(1).map(|r| r.split('"').next().unwrap_or("")).unwrap_or("");
    assert!(first.contains("2023-03-10"), "{first}");
    let home = get("/home").await;
    let line = home.split("<strong>Báo cáo tuần 1</strong>").nth(1).unwrap_or("");
    let line = line.split("</li>").next().unwrap_or("");
    assert!(line.contains("Chưa báo cáo") && !line.contains("Chưa đến hạn"), "{line}");
    assert!(home.contains(">Báo cáo tuần này</a>"), "the button to this week's form");
    // The unit plan's deadline: the same words on the home page and the calendar.
    let calendar = get("/calendar?unit=899").await;
    let said = calendar
        .split("trước ngày ")
        .nth(1)
        .map(|rest| format!("trước ngày {}", &rest[..10]))
        .expect("the unit plan's deadline on the calendar");
    assert!(home.contains(&said), "home does not say {said:?}");
}

#[tokio::test]
async fn the_report_form_shows_sub_letters_the_units_goal_and_no_placeholder_zero() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "r.vp", Role::Admin, &[], PW).await).await;
    add_user(&app.db, "r.rachgia", Role::Unit, &["899"], PW).await;
    // The office allocates 1.200 trees (indicator 5) to Rạch Giá; nothing for indicator 6.
    let (status, answer) = call(&app, "POST", "/api/v1/allocations/5", &admin, json!({"goals": {"899": 1200}})).await;
    assert!(status.is_success(), "{answer}");
    let client = browser();
    app.login_form(&client, "r.rachgia", PW, "10.9.0.5").await;
    let url = format!("{}/reports/899/{WEEK1}", app.base);
    let page = client.get(&url).send().await.expect("page").text().await.expect("body");
    assert!(
        page.contains("<span class=\"tno\">2a</span>") && page.contains("<span class=\"tno\">15c</span>"),
        "sub-letters"
    );
    assert!(!page.contains("placeholder=\"0\""), "no grey 0 that looks typed");
    let help = |key: &str| {
        page.split(&format!("<small id=\"h-{key}\">"))
            .nth(1)
            .and_then(|r| r.split("</small>").next())
            .unwrap_or("")
            .to_string()
    };
    assert!(help("5").contains("1.200"), "the unit's goal for 5, not the province's: {}", help("5"));
    assert!(help("6").contains("chưa giao chỉ tiêu"), "no allocation: {}", help("6"));
    // An activity without its date: a readable message, linked to the date input.
    let csrf = csrf_of(&page);
    let sent = client
        .post(&url)
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("v.5", "10"),
            ("a.0.title", "Ra quân trồng cây"),
            ("a.0.held_on", ""),
            ("a.0.area", "2.1"),
            ("action", "submit"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = sent.text().await.expect("body");
    assert!(body.contains("Hoạt động 1: chưa nhập ngày tổ chức"), "readable empty date");
    assert!(body.contains("aria-describedby=\"e-a0-held_on\""), "the date input points at its error");
    assert!(body.contains("id=\"e-a0-held_on\""));
    // "Thêm hoạt động" comes back at the new row.
    assert!(body.contains(&format!("formaction=\"/reports/899/{WEEK1}#last-activity\"")));
    assert!(body.contains("id=\"last-activity\""));
}

#[tokio::test]
async fn after_the_forced_password_change_a_unit_reporter_is_shown_the_way_on() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "r.vp", Role::Admin, &[], PW).await).await;
    let (status, created) = call(
        &app,
        "POST",
        "/api/v1/users",
        &admin,
        json!({"username": "moi.rachgia", "display_name": "Người mới", "role": "unit", "units": ["899"]}),
    )
    .await;
    assert!(status.is_success(), "{created}");
    let one_time = created["one_time_password"].as_str().expect("one-time password").to_string();
    let client = browser();
    let r = app.login_form(&client, "moi.rachgia", &one_time, "10.9.0.6").await;
    assert_eq!(r.headers()["location"], "/account?first=1");
    let account = client.get(format!("{}/account", app.base)).send().await.expect("get").text().await.expect("body");
    let csrf = csrf_of(&account);
    let r = client
        .post(format!("{}/account/password", app.base))
        .form(&[("csrf", csrf.as_str()), ("current", one_time.as_str()), ("new", PW), ("confirm", PW)])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().expect("location").to_string();
    let done = client.get(format!("{}{location}", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(done.contains("Đã đổi mật khẩu."), "{location}");
    assert!(done.contains("<a href=\"/home\" role=\"button\" id=\"onward\">"), "a link onward to the unit's home page");
}
