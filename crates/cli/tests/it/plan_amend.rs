//! Amending a running plan (issue #20): a new version with a reason, shown before
//! it applies; a goal change re-evaluates progress; an indicator with reports is
//! retired, never deleted (its figures stay, the form no longer asks for it); a
//! week with reports stays; every amendment is in the audit log and the version
//! list; the documents cite the amendment.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use phongtrao_domain::role::Role;
use serde_json::{json, Value};

use crate::support::*;

const PW: &str = "mat-khau-thu-nghiem-1";
const CODE: &str = "kien-giang-thang-thanh-nien-2023";
const WEEK1: &str = "2023-03-03";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

fn plan() -> String {
    phongtrao_domain::builtin::PLAN_TOML.to_string()
}

/// The plan text with the first `goal = old` after the indicator `key` set to `new`.
fn with_goal(text: &str, key: &str, old: &str, new: &str) -> String {
    let at = text.find(&format!("key = \"{key}\"")).expect("indicator");
    let (head, tail) = text.split_at(at);
    format!("{head}{}", tail.replacen(&format!("goal = {old}"), &format!("goal = {new}"), 1))
}

fn with_retired(text: &str, key: &str) -> String {
    text.replacen(&format!("key = \"{key}\"\n"), &format!("key = \"{key}\"\nretired = true\n"), 1)
}

/// The plan text without the `[[targets.indicators]]` table of one indicator.
fn without_indicator(text: &str, key: &str) -> String {
    let at = text.find(&format!("key = \"{key}\"")).expect("indicator");
    let start = text[..at].rfind("[[targets.indicators]]").expect("table");
    let end = text[at..].find("\n[[").map(|e| at + e + 1).unwrap_or(text.len());
    format!("{}{}", &text[..start], &text[end..])
}

/// The plan text with its reporting weeks ending on `last` (yyyy-mm-dd).
fn with_last_week(text: &str, last: &str) -> String {
    let line = text.lines().find(|l| l.trim_start().starts_with("last_period_end")).expect("last week");
    text.replacen(line, &format!("last_period_end = {last}"), 1)
}

async fn amend(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/campaigns/{CODE}/plan/amendments", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("amend");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn indicator<'a>(progress: &'a Value, key: &str) -> &'a Value {
    progress["indicators"].as_array().and_then(|l| l.iter().find(|i| i["indicator"] == key)).expect("indicator")
}

#[tokio::test]
async fn a_goal_amended_mid_campaign_re_evaluates_progress_and_is_versioned_and_audited() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let reporter = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;
    let r = app.submit(&reporter, "903", WEEK1, json!({"values": {"4a": "1"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());

    // Before: 1 of the province's goal of 2 (50%).
    let before = app.api("/api/v1/progress", &office).await;
    assert_eq!(indicator(&before, "4a")["goal"], json!(2.0), "{before}");
    assert_eq!(indicator(&before, "4a")["status"], "not_met");

    // The preview says what changes and stores nothing.
    let amended = with_goal(&plan(), "4a", "2", "1");
    let (status, preview) = amend(&app, &office, json!({"plan_toml": amended, "dry_run": true})).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["can_apply"], true, "{preview}");
    assert_eq!(preview["version_next"], 2);
    let message = preview["changes"][0]["vi"].as_str().expect("change").to_string();
    assert!(message.starts_with("Chỉ tiêu 4a (") && message.ends_with("mục tiêu 2 mô hình → 1 mô hình"), "{message}");
    let same = app.api("/api/v1/progress", &office).await;
    assert_eq!(indicator(&same, "4a")["goal"], json!(2.0), "a preview changes nothing");

    // Without a reason: refused, nothing stored.
    let (status, refused) = amend(&app, &office, json!({"plan_toml": amended})).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["error"]["message_vi"].as_str().is_some_and(|m| m.contains("lý do")), "{refused}");

    // Applied with its reason and document.
    let (status, applied) = amend(
        &app,
        &office,
        json!({"plan_toml": amended, "reason": "Điều chỉnh chỉ tiêu theo thực tế", "document_number": "12-KH/TĐTN-BPT", "document_date": "2023-03-06"}),
    )
    .await;
    assert_eq!(status, 201, "{applied}");
    assert_eq!(applied["version"], 2);

    // Progress is judged against the new goal: 1 of 1, met.
    let after = app.api("/api/v1/progress", &office).await;
    assert_eq!(indicator(&after, "4a")["goal"], json!(1.0), "{after}");
    assert!(matches!(indicator(&after, "4a")["status"].as_str(), Some("met" | "exceeded")), "{after}");

    // Another process (the command line) reads the amended plan from the database.
    let cli = crate::documents::cli_progress(&app, &[]);
    assert_eq!(indicator(&cli, "4a")["goal"], json!(1.0), "{cli}");

    // The versions: 1 (the plan loaded) and 2 with its change.
    let versions = app.api(&format!("/api/v1/campaigns/{CODE}/plan/versions"), &reporter).await;
    assert_eq!(versions["current"], 2, "{versions}");
    let list = versions["versions"].as_array().expect("versions");
    assert_eq!(list.len(), 2, "{versions}");
    assert_eq!(list[0]["reason"], "Kế hoạch ban đầu");
    assert_eq!(list[1]["document_number"], "12-KH/TĐTN-BPT");
    assert_eq!(list[1]["changes"][0]["vi"].as_str(), Some(message.as_str()), "{versions}");
    let v2 = app.api(&format!("/api/v1/campaigns/{CODE}/plan/versions/2"), &office).await;
    assert!(v2["plan_toml"].as_str().is_some_and(|t| t.contains("goal = 1")), "{v2}");
    let v1 = app.api(&format!("/api/v1/campaigns/{CODE}/plan/versions/1"), &office).await;
    assert_eq!(v1["plan_toml"].as_str(), Some(phongtrao_domain::builtin::PLAN_TOML));
    let none = app.client.get(format!("{}/api/v1/campaigns/{CODE}/plan/versions/9", app.base)).bearer_auth(&office);
    assert_eq!(none.send().await.expect("get").status(), 404);

    // The audit log has the amendment with its reason and change.
    let audit = app.api("/api/v1/audit?action=plan.amend", &office).await.to_string();
    assert!(audit.contains("plan.amend") && audit.contains("Điều chỉnh chỉ tiêu theo thực tế"), "{audit}");
    assert!(audit.contains("mục tiêu 2 mô hình → 1 mô hình"), "{audit}");

    // The same text again changes nothing: refused.
    let (status, again) = amend(&app, &office, json!({"plan_toml": amended, "reason": "lần nữa"})).await;
    assert_eq!(status, 422, "{again}");

    // The weekly report cites the amended plan.
    let r = app
        .client
        .get(format!("{}/api/v1/exports/weekly-report.docx?period_end={WEEK1}", app.base))
        .bearer_auth(&office)
        .send()
        .await
        .expect("docx");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes");
    let text = crate::documents::docx_text(&bytes);
    assert!(text.contains("điều chỉnh lần 1 theo văn bản số 12-KH/TĐTN-BPT, ngày 06/03/2023"), "{text}");
    // So does the plan itself.
    let r = app.client.get(format!("{}/api/v1/exports/plan.docx", app.base)).bearer_auth(&office).send().await;
    let bytes = r.expect("plan").bytes().await.expect("bytes");
    let text = crate::documents::docx_text(&bytes);
    assert!(text.contains("(điều chỉnh lần 1 theo văn bản số 12-KH/TĐTN-BPT, ngày 06/03/2023)"), "{text}");
}

#[tokio::test]
async fn an_indicator_with_reports_is_retired_not_deleted_and_a_reported_week_stays() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let reporter = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;
    let rach_gia = add_token(db, add_user(db, "rachgia.bc", Role::Unit, &["899"], PW).await).await;
    let r = app.submit(&reporter, "903", WEEK1, json!({"values": {"4b": "1"}})).await;
    assert!(r.status().is_success());
    let first: Value = r.json().await.expect("json");

    // Deleting indicator 5: refused, it has figures; nothing changes.
    let (status, refused) =
        amend(&app, &office, json!({"plan_toml": without_indicator(&plan(), "4b"), "reason": "Bỏ chỉ tiêu 4b"})).await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["error"]["message_vi"].as_str().is_some_and(|m| m.contains("ngừng theo dõi")), "{refused}");
    assert!(refused["error"]["message_en"].as_str().is_some_and(|m| m.contains("retire it instead")), "{refused}");
    let (_, preview) =
        amend(&app, &office, json!({"plan_toml": without_indicator(&plan(), "4b"), "dry_run": true})).await;
    assert_eq!(preview["can_apply"], false, "{preview}");
    assert_eq!(preview["problems"][0]["code"], "indicator_reported", "{preview}");
    let versions = app.api(&format!("/api/v1/campaigns/{CODE}/plan/versions"), &office).await;
    assert_eq!(versions["current"], 1, "nothing stored: {versions}");
    let progress = app.api("/api/v1/progress", &office).await;
    assert_eq!(indicator(&progress, "4b")["achieved"], json!(1.0));

    // Removing the week that has a report (the first one): refused too.
    let (status, refused) = amend(
        &app,
        &office,
        json!({"plan_toml": plan().replacen("first_period_end = 2023-03-03", "first_period_end = 2023-03-10", 1), "reason": "Dời"}),
    )
    .await;
    assert_eq!(status, 409, "{refused}");
    assert!(refused["error"]["message_vi"].as_str().is_some_and(|m| m.contains("03/03/2023")), "{refused}");
    // A week with no report can go.
    let (status, shorter) = amend(
        &app,
        &office,
        json!({"plan_toml": with_last_week(&plan(), "2023-03-24"), "reason": "Rút ngắn một tuần"}),
    )
    .await;
    assert_eq!(status, 201, "{shorter}");
    let periods = app.api("/api/v1/periods", &office).await.to_string();
    assert!(!periods.contains("2023-03-31") && periods.contains(WEEK1), "{periods}");

    // Retired: kept with its figures, marked, no longer asked for nor accepted.
    let retired = with_retired(&with_last_week(&plan(), "2023-03-24"), "4b");
    let (status, applied) =
        amend(&app, &office, json!({"plan_toml": retired, "reason": "Ngừng theo dõi chỉ tiêu 4b", "base_version": 2}))
            .await;
    assert_eq!(status, 201, "{applied}");
    assert!(applied["changes"][0]["vi"].as_str().is_some_and(|m| m.contains("ngừng theo dõi")), "{applied}");
    let progress = app.api("/api/v1/progress", &office).await;
    let five = indicator(&progress, "4b");
    assert_eq!(five["achieved"], json!(1.0), "{five}");
    assert_eq!(five["retired"], true);
    assert!(five["label"].as_str().is_some_and(|l| l.ends_with("(ngừng theo dõi)")), "{five}");
    let form = app.api(&format!("/api/v1/reports/899/{WEEK1}"), &rach_gia).await.to_string();
    assert!(form.contains("\"key\":\"4a\"") && !form.contains("\"key\":\"4b\""), "{form}");
    let client = browser();
    let r = app.login_form(&client, "rachgia.bc", PW, "10.250.0.9").await;
    assert_eq!(r.status(), 303);
    let page = client.get(format!("{}/reports/899/{WEEK1}", app.base)).send().await.expect("form");
    let html = page.text().await.expect("html");
    assert!(html.contains("name=\"v.4a\""), "the form asks for 4a");
    assert!(!html.contains("name=\"v.4b\""), "the retired indicator is not asked for");
    let r = app.submit(&rach_gia, "899", WEEK1, json!({"values": {"4b": "3", "4a": "1"}})).await;
    assert_eq!(r.status(), 422);
    let body: Value = r.json().await.expect("json");
    assert!(body.to_string().contains("ngừng theo dõi"), "{body}");
    let r = app.submit(&rach_gia, "899", WEEK1, json!({"values": {"4b": "0", "4a": "1"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let progress = app.api("/api/v1/progress", &office).await;
    assert_eq!(indicator(&progress, "4b")["achieved"], json!(1.0), "the retired figures stay");
    // Returned and sent again without it (the form no longer asks): the figure stays.
    let returned: Value = app
        .client
        .post(format!("{}/api/v1/reports/903/{WEEK1}/review", app.base))
        .bearer_auth(&office)
        .json(&json!({"action": "return", "comment": "Bổ sung hoạt động", "version": first["version"]}))
        .send()
        .await
        .expect("return")
        .json()
        .await
        .expect("json");
    let again = app
        .client
        .post(format!("{}/api/v1/reports/903/{WEEK1}/submit", app.base))
        .bearer_auth(&reporter)
        .json(&json!({"version": returned["version"], "input": {"values": {"4a": "1"}}}))
        .send()
        .await
        .expect("submit");
    assert_eq!(again.status(), 200, "{returned}");
    let progress = app.api("/api/v1/progress", &office).await;
    assert_eq!(indicator(&progress, "4b")["achieved"], json!(1.0), "kept after a resubmission");
    assert_eq!(indicator(&progress, "4a")["achieved"], json!(2.0), "{progress}");
    // A stale base version is refused (someone amended meanwhile).
    let (status, stale) = amend(
        &app,
        &office,
        json!({"plan_toml": with_goal(&retired, "4a", "2", "3"), "reason": "x", "base_version": 1}),
    )
    .await;
    assert_eq!(status, 409, "{stale}");
}

#[tokio::test]
async fn only_the_office_amends_and_an_archived_campaign_refuses() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let district = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;
    let steering = add_token(db, add_user(db, "bcd", Role::Steering, &[], PW).await).await;
    let amended = with_goal(&plan(), "4a", "2", "3");
    for token in [&district, &steering] {
        let (status, refused) = amend(&app, token, json!({"plan_toml": amended, "reason": "r"})).await;
        assert_eq!(status, 403, "{refused}");
        let (status, _) = amend(&app, token, json!({"plan_toml": amended, "dry_run": true})).await;
        assert_eq!(status, 403);
    }
    // A plan with errors: 422 naming the line.
    let (status, invalid) =
        amend(&app, &office, json!({"plan_toml": amended.replace("goal = 3", "goal = -3"), "reason": "r"})).await;
    assert_eq!(status, 422, "{invalid}");
    assert!(invalid["error"]["message_vi"].as_str().is_some_and(|m| m.contains("dòng")), "{invalid}");

    let r = app
        .client
        .put(format!("{}/api/v1/campaigns/{CODE}/status", app.base))
        .bearer_auth(&office)
        .json(&json!({"archived": true}))
        .send()
        .await
        .expect("archive");
    assert_eq!(r.status(), 200);
    let (status, refused) = amend(&app, &office, json!({"plan_toml": amended, "reason": "r"})).await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "campaign_archived");
    let versions = app.api(&format!("/api/v1/campaigns/{CODE}/plan/versions"), &office).await;
    assert_eq!(versions["current"], 1, "{versions}");
}
