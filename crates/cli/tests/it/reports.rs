//! Weekly reports: timeliness, the workflow, concurrent edits, idempotent
//! submission, validation, authorization, locks; the CLI and the form.

use std::process::Command;

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";

fn cli(app_dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env_remove("DATABASE_URL")
        .env_remove("PHONGTRAO_DATA_DIR")
        .env("RUST_LOG", "warn")
        .args(args)
        .arg("--data-dir")
        .arg(app_dir)
        .output()
        .expect("run");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn report_file(dir: &std::path::Path, name: &str, body: Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body.to_string()).expect("write");
    path.display().to_string()
}

#[test]
fn submitted_at_15_59_59_is_on_time_16_00_00_is_late_and_late_stays_late() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path();
    assert!(cli(d, &["migrate"]).0);
    let on_time = report_file(
        d,
        "a.json",
        json!({"values": {"5": "1.200", "17": "35"}, "submitted_at": "2023-03-03T15:59:59+07:00"}),
    );
    let late = report_file(d, "b.json", json!({"values": {"5": "800"}, "submitted_at": "2023-03-03T16:00:00+07:00"}));
    let (ok, out, err) = cli(d, &["report", "submit", "--unit", "899", "--period-end", WEEK1, "--file", &on_time]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).expect("json")["saved"]["timeliness"], "on_time");
    let (ok, out, err) = cli(d, &["report", "submit", "--unit", "903", "--period-end", WEEK1, "--file", &late]);
    assert!(ok, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).expect("json")["saved"]["timeliness"], "late");
    // The office returns the late report; it is resubmitted "on time": still late.
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let db = phongtrao_storage::Db::open_data_dir(d).await.expect("db");
        let campaign = phongtrao_storage::campaigns::current(&db).await.expect("campaign");
        let unit = phongtrao_storage::units::by_code(&db, "903").await.expect("q").expect("unit");
        let key = phongtrao_storage::reports::ReportKey {
            campaign_id: campaign.row.id,
            unit_id: unit.id,
            kind: phongtrao_domain::report::ReportKind::Weekly,
            period_seq: 1,
        };
        let report = phongtrao_storage::reports::get(&db, &key).await.expect("q").expect("report");
        let who = phongtrao_storage::audit::Who::cli();
        let returned = phongtrao_storage::reports::review(
            &db,
            &campaign.plan,
            report.id,
            report.version,
            false,
            "Thiếu số liệu cây xanh",
            &who,
            chrono::Utc::now(),
        );
        assert!(returned.await.is_ok());
    });
    let again = report_file(d, "c.json", json!({"values": {"5": "900"}, "submitted_at": "2023-03-03T10:00:00+07:00"}));
    let (ok, out, err) = cli(d, &["report", "submit", "--unit", "903", "--period-end", WEEK1, "--file", &again]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["saved"]["status"], "submitted");
    assert_eq!(v["saved"]["timeliness"], "late", "timeliness is judged on the first submission");
    let (ok, out, _) = cli(d, &["report", "list", "--period-end", WEEK1, "--json"]);
    assert!(ok);
    let list: Value = serde_json::from_str(&out).expect("json");
    let list = list.as_array().expect("array");
    assert_eq!(list.len(), 2);
    let hd = list.iter().find(|r| r["unit"] == "903").expect("903");
    assert_eq!(hd["values"]["5"], 900);
    // Bad input through the CLI stores nothing.
    let bad = report_file(d, "d.json", json!({"values": {"5": "-1"}}));
    let (ok, _, err) = cli(d, &["report", "submit", "--unit", "904", "--period-end", WEEK1, "--file", &bad]);
    assert!(!ok && err.contains("số nguyên không âm"), "{err}");
    let (_, out, _) = cli(d, &["report", "list", "--unit", "904", "--json"]);
    assert_eq!(serde_json::from_str::<Value>(&out).expect("json"), json!([]));
}

struct Reporters {
    own: String,
    other: String,
    steering: String,
    admin: String,
}

async fn reporters(app: &TestApp) -> Reporters {
    let db = &app.db;
    Reporters {
        own: add_token(db, add_user(db, "r.rachgia", Role::Unit, &["899"], PW).await).await,
        other: add_token(db, add_user(db, "r.hondat", Role::Unit, &["903"], PW).await).await,
        steering: add_token(db, add_user(db, "r.bcd", Role::Steering, &["899"], PW).await).await,
        admin: add_token(db, add_user(db, "r.vp", Role::Admin, &[], PW).await).await,
    }
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: Value,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let url = format!("{}{path}", app.base);
    let mut r = match method {
        "PUT" => app.client.put(&url).json(&body),
        "POST" => app.client.post(&url).json(&body),
        _ => app.client.get(&url),
    }
    .bearer_auth(token);
    if let Some(k) = key {
        r = r.header("idempotency-key", k);
    }
    let response = r.send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn two_concurrent_edits_one_wins_the_other_gets_a_conflict_and_both_stay_in_history() {
    let app = spawn_app().await;
    let r = reporters(&app).await;
    let path = format!("/api/v1/reports/899/{WEEK1}/draft");
    let (s, first) =
        call(&app, "PUT", &path, &r.own, json!({"version": 0, "input": {"values": {"5": "100"}}}), None).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    let v1 = first["version"].as_i64().expect("version");
    // Two people start from version 1.
    let (a, b) = tokio::join!(
        call(
            &app,
            "PUT",
            &path,
            &r.own,
            json!({"version": v1, "input": {"values": {"5": "150"}, "highlights": "Người A"}}),
            None
        ),
        call(
            &app,
            "PUT",
            &path,
            &r.own,
            json!({"version": v1, "input": {"values": {"5": "175"}, "highlights": "Người B"}}),
            None
        ),
    );
    let statuses = [a.0, b.0];
    assert!(statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT), "{statuses:?}");
    let loser = if a.0 == StatusCode::CONFLICT { &a.1 } else { &b.1 };
    assert!(loser["error"]["message_vi"].as_str().unwrap_or("").contains("vừa được"), "{loser}");
    assert_eq!(loser["current"]["version"], v1 + 1);
    let (_, history) =
        call(&app, "GET", &format!("/api/v1/reports/899/{WEEK1}/versions"), &r.own, Value::Null, None).await;
    let versions = history["versions"].as_array().expect("versions");
    let texts: Vec<&str> = versions.iter().filter_map(|v| v["snapshot"]["draft"]["highlights"].as_str()).collect();
    assert!(texts.contains(&"Người A") && texts.contains(&"Người B"), "{texts:?}");
    assert!(versions.iter().any(|v| v["action"] == "conflict_refused"));
}

#[tokio::test]
async fn a_retried_submission_with_the_same_idempotency_key_stores_one_report() {
    let app = spawn_app().await;
    let r = reporters(&app).await;
    let path = format!("/api/v1/reports/899/{WEEK1}/submit");
    let body = json!({"version": 0, "input": {"values": {"5": "300", "17": "12"}, "highlights": "Ra quân trồng cây"}});
    let (s1, first) = call(&app, "POST", &path, &r.own, body.clone(), Some("phone-retry-0001")).await;
    assert_eq!(s1, StatusCode::CREATED, "{first}");
    let (s2, second) = call(&app, "POST", &path, &r.own, body.clone(), Some("phone-retry-0001")).await;
    assert_eq!(s2, StatusCode::OK);
    assert_eq!(second["report_id"], first["report_id"]);
    assert_eq!(second["version"], first["version"]);
    assert_eq!(second["replayed"], true);
    let (_, list) =
        call(&app, "GET", &format!("/api/v1/reports?unit=899&period_end={WEEK1}"), &r.admin, Value::Null, None).await;
    assert_eq!(list["count"], 1);
    let (_, history) =
        call(&app, "GET", &format!("/api/v1/reports/899/{WEEK1}/versions"), &r.own, Value::Null, None).await;
    let submits = history["versions"].as_array().expect("versions").iter().filter(|v| v["action"] == "submit").count();
    assert_eq!(submits, 1);
    // The same key from another user is refused, not replayed.
    let (s3, _) = call(
        &app,
        "POST",
        &format!("/api/v1/reports/903/{WEEK1}/submit"),
        &r.other,
        body.clone(),
        Some("phone-retry-0001"),
    )
    .await;
    assert_eq!(s3, StatusCode::UNPROCESSABLE_ENTITY);
    // The same key with another body, on another report or for a draft is refused
    // (409, saying why), never answered as the first request while dropping this one.
    let other_body = json!({"version": 0, "input": {"values": {"5": "999"}}});
    let (s4, refused) = call(&app, "POST", &path, &r.own, other_body, Some("phone-retry-0001")).await;
    assert_eq!(s4, StatusCode::CONFLICT, "{refused}");
    assert!(refused.to_string().contains("Idempotency-Key"), "{refused}");
    let (s5, _) = call(
        &app,
        "POST",
        &format!("/api/v1/reports/900/{WEEK1}/submit"),
        &r.admin,
        body.clone(),
        Some("admin-key-0001"),
    )
    .await;
    assert_eq!(s5, StatusCode::CREATED);
    let (s6, _) = call(
        &app,
        "POST",
        &format!("/api/v1/reports/902/{WEEK1}/submit"),
        &r.admin,
        body.clone(),
        Some("admin-key-0001"),
    )
    .await;
    assert_eq!(s6, StatusCode::CONFLICT);
    let (s7, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/reports/902/{WEEK1}/draft"),
        &r.admin,
        body.clone(),
        Some("admin-key-0002"),
    )
    .await;
    assert_eq!(s7, StatusCode::CREATED);
    let (s8, _) = call(
        &app,
        "POST",
        &format!("/api/v1/reports/902/{WEEK1}/submit"),
        &r.admin,
        json!({"version": 1, "input": body["input"]}),
        Some("admin-key-0002"),
    )
    .await;
    assert_eq!(s8, StatusCode::CONFLICT);
    // Nothing of the refused requests was stored: 899 still has 300, 902 is a draft.
    let (_, own) = call(&app, "GET", &format!("/api/v1/reports/899/{WEEK1}"), &r.own, Value::Null, None).await;
    assert_eq!(own["report"]["version"], first["version"], "{own}");
    let (_, draft) = call(&app, "GET", &format!("/api/v1/reports/902/{WEEK1}"), &r.admin, Value::Null, None).await;
    assert_eq!(draft["report"]["status"], "draft", "{draft}");
    // The right retry is still answered.
    let (s9, again) = call(&app, "POST", &path, &r.own, body, Some("phone-retry-0001")).await;
    assert_eq!((s9, again["replayed"].clone()), (StatusCode::OK, json!(true)));
}

#[tokio::test]
async fn the_workflow_submit_return_resubmit_accept_with_authorization() {
    let app = spawn_app().await;
    let r = reporters(&app).await;
    let base = format!("/api/v1/reports/899/{WEEK1}");
    // A save that claims a version of a report that does not exist stores nothing.
    let (s, _) = call(
        &app,
        "PUT",
        &format!("{base}/draft"),
        &r.own,
        json!({"version": 99, "input": {"values": {"5": "1"}}}),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(call(&app, "GET", &base, &r.own, Value::Null, None).await.1["report"], Value::Null);
    // Another district can neither read nor write this draft.
    let (s, _) = call(
        &app,
        "PUT",
        &format!("{base}/draft"),
        &r.own,
        json!({"version": 0, "input": {"values": {"5": "10"}}}),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(call(&app, "GET", &base, &r.other, Value::Null, None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(
        call(&app, "PUT", &format!("{base}/draft"), &r.other, json!({"version": 1, "input": {}}), None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "PUT", &format!("{base}/draft"), &r.steering, json!({"version": 1, "input": {}}), None).await.0,
        StatusCode::FORBIDDEN
    );
    // Invalid submission: every problem named, nothing stored.
    let bad = json!({"version": 1, "input": {"values": {"5": "abc", "17": "-2"}, "activities": [{"title": "Ra quân", "held_on": "2023-03-10", "area": "2.1", "funds": "1,5"}]}});
    let (s, body) = call(&app, "POST", &format!("{base}/submit"), &r.own, bad, None).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        body["fields"].as_array().expect("fields").iter().filter_map(|f| f["field"].as_str()).collect();
    assert_eq!(fields, vec!["values.5", "values.17", "activities[0].held_on", "activities[0].funds"]);
    let (_, shown) = call(&app, "GET", &base, &r.own, Value::Null, None).await;
    assert_eq!(shown["report"]["status"], "draft");
    assert_eq!(shown["submitted"]["values"], json!({}));
    // A good one.
    let good = json!({"version": 1, "input": {"values": {"5": "1.500", "17": "20"}, "activities": [{"title": "Ra quân trồng cây xanh", "held_on": "2023-03-01", "area": "2.1", "place": "Phường Vĩnh Thanh", "participants": "150", "funds": "2.500.000", "result": "Trồng 1.500 cây"}], "highlights": "Ra quân đồng loạt"}});
    let (s, saved) = call(&app, "POST", &format!("{base}/submit"), &r.own, good, None).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
    assert_eq!(saved["status"], "submitted");
    assert_eq!(saved["timeliness"], "late", "2023 deadlines are past");
    let version = saved["version"].as_i64().expect("v");
    // The reporter cannot change it now; the steering member returns it with a comment.
    assert_eq!(
        call(&app, "PUT", &format!("{base}/draft"), &r.own, json!({"version": version, "input": {}}), None).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        call(&app, "POST", &format!("{base}/review"), &r.own, json!({"action": "accept", "version": version}), None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (s, _) = call(
        &app,
        "POST",
        &format!("{base}/review"),
        &r.steering,
        json!({"action": "return", "comment": "", "version": version}),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "a return needs a comment");
    let (s, returned) = call(
        &app,
        "POST",
        &format!("{base}/review"),
        &r.steering,
        json!({"action": "return", "comment": "Bổ sung ảnh hoạt động", "version": version}),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (_, shown) = call(&app, "GET", &base, &r.own, Value::Null, None).await;
    assert_eq!(shown["report"]["review_comment"], "Bổ sung ảnh hoạt động");
    let resubmit = json!({"version": returned["version"], "input": {"values": {"5": "1.600", "17": "20"}}});
    let (s, again) = call(&app, "POST", &format!("{base}/submit"), &r.own, resubmit, None).await;
    assert_eq!(s, StatusCode::OK, "{again}");
    let (s, accepted) = call(
        &app,
        "POST",
        &format!("{base}/review"),
        &r.admin,
        json!({"action": "accept", "version": again["version"]}),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(accepted["status"], "accepted");
    let (_, shown) = call(&app, "GET", &base, &r.steering, Value::Null, None).await;
    assert_eq!(shown["submitted"]["values"]["5"], 1600);
}

#[tokio::test]
async fn a_locked_period_refuses_reports_until_the_office_reopens_it() {
    let app = spawn_app().await;
    let r = reporters(&app).await;
    assert_eq!(
        call(&app, "POST", &format!("/api/v1/periods/{WEEK1}/lock"), &r.own, Value::Null, None).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        call(&app, "POST", &format!("/api/v1/periods/{WEEK1}/lock"), &r.admin, Value::Null, None).await.0,
        StatusCode::OK
    );
    let draft = json!({"version": 0, "input": {"values": {"5": "1"}}});
    let (s, body) = call(&app, "PUT", &format!("/api/v1/reports/899/{WEEK1}/draft"), &r.own, draft.clone(), None).await;
    assert_eq!(s, StatusCode::LOCKED);
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("đã khóa"));
    assert_eq!(
        call(&app, "POST", &format!("/api/v1/periods/{WEEK1}/reopen"), &r.admin, Value::Null, None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&app, "PUT", &format!("/api/v1/reports/899/{WEEK1}/draft"), &r.own, draft, None).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn the_unit_plan_is_due_before_1_march_and_the_launch_date_is_checked() {
    let app = spawn_app().await;
    let r = reporters(&app).await;
    let (s, form) = call(&app, "GET", "/api/v1/reports/899/plan", &r.own, Value::Null, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(form["due_at"], "2023-02-28T17:00:00+00:00", "before 01/3/2023 in Vietnam time");
    let plan = json!({"version": 0, "input": {"values": {"5": "3.000", "17": "500"}, "activities": [
        {"title": "Lễ khởi động Tháng Thanh niên", "held_on": "2023-03-08", "area": "1", "place": "Quảng trường", "tag": "launch"}]}});
    let (s, saved) = call(&app, "POST", "/api/v1/reports/899/plan/submit", &r.own, plan, None).await;
    assert_eq!(s, StatusCode::CREATED, "{saved}");
    let warnings = saved["warnings"].as_array().expect("warnings");
    assert!(
        warnings.iter().any(|w| w["message_vi"].as_str().unwrap_or("").contains("01/03/2023 – 05/03/2023")),
        "{warnings:?}"
    );
    // Communes do not report in 2023: no form for them.
    assert_eq!(
        call(&app, "GET", "/api/v1/reports/30733/plan", &r.own, Value::Null, None).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_reporter_fills_in_and_submits_the_form_without_javascript() {
    let app = spawn_app().await;
    add_user(&app.db, "bao.cao", Role::Unit, &["899"], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "bao.cao", PW, "10.9.0.1").await.status(), StatusCode::SEE_OTHER);
    let list = client.get(format!("{}/reports", app.base)).send().await.expect("list").text().await.expect("body");
    assert!(list.contains(&format!("/reports/899/{WEEK1}")), "the list links the week");
    assert!(!list.contains("/reports/903/"), "only the reporter's own units");
    let form =
        client.get(format!("{}/reports/899/{WEEK1}", app.base)).send().await.expect("form").text().await.expect("body");
    // The goal shown is the unit's (none allocated here), not the province's 20.000 trees.
    assert!(form.contains("name=\"v.5\"") && form.contains("chưa giao chỉ tiêu") && !form.contains("≥ 20.000 cây"));
    let csrf = csrf_of(&form);
    let fields = vec![
        ("csrf", csrf.as_str()),
        ("version", "0"),
        ("v.5", "2.000"),
        ("v.16", "3"),
        ("a.0.title", "Ngày Chủ nhật xanh"),
        ("a.0.held_on", "2023-02-26"),
        ("a.0.area", "2.1"),
        ("a.0.place", "Phường An Hòa"),
        ("a.0.participants", "80"),
        ("a.0.funds", "1.500.000"),
        ("a.1.area", "1"),
        ("highlights", "Ra quân đồng loạt 12 phường, xã"),
        ("action", "submit"),
    ];
    let r = client.post(format!("{}/reports/899/{WEEK1}", app.base)).form(&fields).send().await.expect("submit");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(format!("{}/reports/899/{WEEK1}?saved=submit", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("Đã gửi báo cáo.") && page.contains("status-submitted"));
    let token = add_token(&app.db, add_user(&app.db, "kiem.tra", Role::Admin, &[], PW).await).await;
    let (_, shown) = call(&app, "GET", &format!("/api/v1/reports/899/{WEEK1}"), &token, Value::Null, None).await;
    assert_eq!(shown["submitted"]["values"]["5"], 2000);
    assert_eq!(shown["submitted"]["values"]["16"], 3);
    assert_eq!(shown["submitted"]["activities"][0]["funds_vnd"], 1_500_000);
    assert_eq!(shown["submitted"]["activities"].as_array().map(Vec::len), Some(1), "the blank row is dropped");
    // A bad value comes back with the message and the typed values kept.
    let r = client
        .post(format!("{}/reports/899/2023-03-10", app.base))
        .form(&[("csrf", csrf.as_str()), ("version", "0"), ("v.5", "mười"), ("action", "submit")])
        .send()
        .await
        .expect("submit");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.expect("body");
    assert!(body.contains("phải là số nguyên không âm") && body.contains("value=\"mười\""));
}
