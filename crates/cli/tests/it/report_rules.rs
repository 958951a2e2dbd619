//! The report rules as a unit and the office meet them: the first submission decides
//! on time or late for good, a locked period refuses every save (in words, storing
//! nothing) while review goes on, an accepted report is final, and every step makes
//! the next version. The rules are the domain's (`report::transition`); storage only
//! persists, on every save path (single, grouped commit, savepoint).

use chrono::{DateTime, TimeZone, Utc};
use phongtrao_domain::report::{ReportInput, ReportKind, ReportRuleError};
use phongtrao_domain::role::Role;
use phongtrao_storage::audit::Who;
use phongtrao_storage::reports::{self, ReportKey, SaveAction, SaveError, SaveRequest};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app, spawn_app_at, spawn_on_at, TestApp};

const PW: &str = "mat-khau-quy-tac-1";
const WEEK1: &str = "2023-03-03";
const LOCKED_VI: &str = "Kỳ báo cáo này đã khóa. Liên hệ Ban Phong trào để mở lại.";

struct People {
    reporter: String,
    steering: String,
    office: String,
}

async fn people(app: &TestApp) -> People {
    let db = &app.db;
    People {
        reporter: add_token(db, add_user(db, "q.rachgia", Role::Unit, &["899"], PW).await).await,
        steering: add_token(db, add_user(db, "q.bcd", Role::Steering, &[], PW).await).await,
        office: add_token(db, add_user(db, "q.vp", Role::Admin, &[], PW).await).await,
    }
}

async fn call(app: &TestApp, base: &str, method: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let url = format!("{base}{path}");
    let request = match method {
        "PUT" => app.client.put(&url).json(&body),
        "POST" => app.client.post(&url).json(&body),
        _ => app.client.get(&url),
    };
    let response = request.bearer_auth(token).send().await.expect("request");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn report_path(what: &str) -> String {
    format!("/api/v1/reports/899/{WEEK1}{what}")
}

fn good(version: i64, trees: &str) -> Value {
    json!({"version": version, "input": {"values": {"5": trees, "17": "20"}, "highlights": "Ra quân trồng cây"}})
}

/// Vietnam time on a day of March 2023.
fn vn(day: u32, hour: u32) -> DateTime<Utc> {
    let tz = chrono::FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(2023, 3, day, hour, 0, 0).single().expect("time").with_timezone(&Utc)
}

#[tokio::test]
async fn a_report_sent_on_time_returned_and_resubmitted_after_the_deadline_stays_on_time() {
    // Friday 3 March, 10h00: before the 16h00 deadline.
    let app = spawn_app_at(vn(3, 10)).await;
    let p = people(&app).await;
    let base = app.base.clone();
    let (s, first) = call(&app, &base, "POST", &report_path("/submit"), &p.reporter, good(0, "1.200")).await;
    assert_eq!(s, StatusCode::CREATED, "{first}");
    assert_eq!(first["timeliness"], "on_time");
    let (s, returned) = call(
        &app,
        &base,
        "POST",
        &report_path("/review"),
        &p.steering,
        json!({"action": "return", "comment": "Bổ sung số cây", "version": first["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{returned}");
    assert_eq!(returned["status"], "returned");
    // The unit corrects it on Monday 6 March, well after the deadline.
    let monday = spawn_on_at(app.db.clone(), vn(6, 9)).await;
    let (s, again) = call(
        &app,
        &monday,
        "POST",
        &report_path("/submit"),
        &p.reporter,
        good(returned["version"].as_i64().unwrap_or(0), "1.500"),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{again}");
    assert_eq!(again["status"], "submitted");
    assert_eq!(again["timeliness"], "on_time", "the first submission decides, not the resubmission");
    // Still Friday's first submission (PostgreSQL keeps microseconds only).
    let when = |v: &Value| v["first_submitted_at"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok());
    let (kept, sent) = (when(&again).expect("kept"), when(&first).expect("first"));
    assert!((kept - sent).num_milliseconds().abs() < 1, "{kept} vs {sent}");
    let (_, shown) = call(&app, &monday, "GET", &report_path(""), &p.office, Value::Null).await;
    assert_eq!(shown["report"]["timeliness"], "on_time");
    assert_eq!(shown["submitted"]["values"]["5"], 1500, "the corrected figures count");
    // A unit whose first submission comes on Monday is late, and it is said so.
    let other = add_token(&app.db, add_user(&app.db, "q.hondat", Role::Unit, &["903"], PW).await).await;
    let (s, late) =
        call(&app, &monday, "POST", &format!("/api/v1/reports/903/{WEEK1}/submit"), &other, good(0, "10")).await;
    assert_eq!(s, StatusCode::CREATED, "{late}");
    assert_eq!(late["timeliness"], "late");
}

/// A save request straight to storage, as the grouped commit and the CLI make them.
fn draft_request<'a>(
    key: ReportKey,
    due_at: DateTime<Utc>,
    draft: &'a ReportInput,
    who: &'a Who,
    plan: &'a phongtrao_domain::plan::Plan,
    expected_version: i64,
) -> SaveRequest<'a> {
    SaveRequest {
        key,
        due_at,
        expected_version,
        draft,
        checked: None,
        action: SaveAction::Draft,
        who,
        now: Utc::now(),
        idempotency_key: None,
        plan,
    }
}

#[tokio::test]
async fn a_locked_period_refuses_every_save_in_words_and_stores_nothing_but_review_goes_on() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let base = app.base.clone();
    // Rạch Giá has a draft; Hòn Đất has submitted.
    let (s, draft) = call(
        &app,
        &base,
        "PUT",
        &report_path("/draft"),
        &p.reporter,
        json!({"version": 0, "input": {"values": {"5": "7"}}}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{draft}");
    let hondat = add_token(&app.db, add_user(&app.db, "q.hondat", Role::Unit, &["903"], PW).await).await;
    let hondat_path = format!("/api/v1/reports/903/{WEEK1}");
    let (s, sent) = call(&app, &base, "POST", &format!("{hondat_path}/submit"), &hondat, good(0, "300")).await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    let (s, _) = call(&app, &base, "POST", &format!("/api/v1/periods/{WEEK1}/lock"), &p.office, Value::Null).await;
    assert_eq!(s, StatusCode::OK);

    // The reporter's submission is refused in Vietnamese, then English.
    let (s, refused) = call(&app, &base, "POST", &report_path("/submit"), &p.reporter, good(1, "1.000")).await;
    assert_eq!(s, StatusCode::LOCKED, "{refused}");
    assert_eq!(refused["error"]["code"], "period_locked");
    assert_eq!(refused["error"]["message_vi"], LOCKED_VI);
    assert!(refused["error"]["message_en"].as_str().unwrap_or("").contains("locked"));
    // … and so is the office's own save: it reopens the period first.
    let (s, _) = call(&app, &base, "PUT", &report_path("/draft"), &p.office, json!({"version": 1, "input": {}})).await;
    assert_eq!(s, StatusCode::LOCKED);
    // Nothing was stored: still the draft of version 1, no figure, no new history row.
    let (_, shown) = call(&app, &base, "GET", &report_path(""), &p.reporter, Value::Null).await;
    assert_eq!((shown["report"]["status"].as_str(), shown["report"]["version"].as_i64()), (Some("draft"), Some(1)));
    assert_eq!(shown["submitted"]["values"], json!({}));
    let (_, history) = call(&app, &base, "GET", &report_path("/versions"), &p.reporter, Value::Null).await;
    assert_eq!(history["versions"].as_array().map(Vec::len), Some(1), "{history}");

    // Storage refuses on its own too, whichever way the save comes (a single save, a
    // grouped commit, its savepoint path when two saves touch one report): the rule
    // is the domain's, checked inside the write transaction.
    let campaign = phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let unit = phongtrao_storage::units::by_code(&app.db, "904").await.expect("query").expect("unit");
    let key = ReportKey { campaign_id: campaign.row.id, unit_id: unit.id, kind: ReportKind::Weekly, period_seq: 1 };
    let period = campaign.plan.periods().into_iter().find(|x| x.seq == 1).expect("week 1");
    let due = period.deadline.with_timezone(&Utc);
    let (input, who) = (ReportInput::default(), Who::cli());
    let one = draft_request(key, due, &input, &who, &campaign.plan, 0);
    assert!(matches!(reports::save(&app.db, &one).await, Err(SaveError::Rule(ReportRuleError::PeriodLocked))));
    for batch in [
        vec![draft_request(key, due, &input, &who, &campaign.plan, 0)],
        vec![
            draft_request(key, due, &input, &who, &campaign.plan, 0),
            draft_request(key, due, &input, &who, &campaign.plan, 1),
        ],
    ] {
        let results = reports::save_many(&app.db, &batch).await.expect("batch");
        assert_eq!(results.len(), batch.len());
        for r in results {
            assert!(matches!(r, Err(SaveError::Rule(ReportRuleError::PeriodLocked))), "{r:?}");
        }
    }
    assert!(reports::get(&app.db, &key).await.expect("query").is_none(), "no report of a locked period");

    // The steering committee still reviews the week.
    let (s, accepted) = call(
        &app,
        &base,
        "POST",
        &format!("{hondat_path}/review"),
        &p.steering,
        json!({"action": "accept", "version": sent["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{accepted}");
    assert_eq!(accepted["status"], "accepted");

    // Reopened, the reporter's submission goes through.
    let (s, _) = call(&app, &base, "POST", &format!("/api/v1/periods/{WEEK1}/reopen"), &p.office, Value::Null).await;
    assert_eq!(s, StatusCode::OK);
    let (s, saved) = call(&app, &base, "POST", &report_path("/submit"), &p.reporter, good(1, "1.000")).await;
    assert_eq!(s, StatusCode::OK, "{saved}");
}

#[tokio::test]
async fn an_accepted_report_is_final_for_the_reporter_and_says_so() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let base = app.base.clone();
    let (s, sent) = call(&app, &base, "POST", &report_path("/submit"), &p.reporter, good(0, "1.200")).await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    let (s, accepted) = call(
        &app,
        &base,
        "POST",
        &report_path("/review"),
        &p.office,
        json!({"action": "accept", "version": sent["version"]}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{accepted}");
    let version = accepted["version"].as_i64().expect("version");
    for (method, what, body) in [
        ("PUT", "/draft", json!({"version": version, "input": {"values": {"5": "9"}}})),
        ("POST", "/submit", good(version, "9.999")),
    ] {
        let (s, refused) = call(&app, &base, method, &report_path(what), &p.reporter, body).await;
        assert_eq!(s, StatusCode::CONFLICT, "{what}: {refused}");
        assert_eq!(refused["error"]["code"], "not_editable");
        let vi = refused["error"]["message_vi"].as_str().unwrap_or("");
        assert!(vi.contains("Đã duyệt") && vi.contains("chỉ sửa được khi là bản nháp hoặc bị trả lại"), "{vi}");
    }
    // Accepting or returning it again is refused too: it is no longer waiting.
    let (s, again) = call(
        &app,
        &base,
        "POST",
        &report_path("/review"),
        &p.steering,
        json!({"action": "return", "comment": "Xem lại", "version": version}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{again}");
    assert_eq!(again["error"]["code"], "not_submitted");
    let (_, shown) = call(&app, &base, "GET", &report_path(""), &p.reporter, Value::Null).await;
    assert_eq!(shown["report"]["status"], "accepted");
    assert_eq!(shown["report"]["version"], version);
    assert_eq!(shown["submitted"]["values"]["5"], 1200);
}

#[tokio::test]
async fn every_step_makes_the_next_version_and_a_stale_save_changes_none() {
    let app = spawn_app().await;
    let p = people(&app).await;
    let base = app.base.clone();
    let mut seen = Vec::new();
    let draft = |v: i64, trees: &str| json!({"version": v, "input": {"values": {"5": trees}}});
    let (_, d1) = call(&app, &base, "PUT", &report_path("/draft"), &p.reporter, draft(0, "1")).await;
    seen.push(d1["version"].as_i64());
    let (_, d2) = call(&app, &base, "PUT", &report_path("/draft"), &p.reporter, draft(1, "2")).await;
    seen.push(d2["version"].as_i64());
    // Someone working from version 1 is refused: no version is spent on it.
    let (s, stale) = call(&app, &base, "PUT", &report_path("/draft"), &p.office, draft(1, "3")).await;
    assert_eq!(s, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["current"]["version"], 2);
    let (_, sent) = call(&app, &base, "POST", &report_path("/submit"), &p.reporter, good(2, "1.000")).await;
    seen.push(sent["version"].as_i64());
    let (_, returned) = call(
        &app,
        &base,
        "POST",
        &report_path("/review"),
        &p.steering,
        json!({"action": "return", "comment": "Thiếu ảnh", "version": 3}),
    )
    .await;
    seen.push(returned["version"].as_i64());
    // A draft on a returned report keeps it returned.
    let (_, fixing) = call(&app, &base, "PUT", &report_path("/draft"), &p.reporter, draft(4, "1.100")).await;
    assert_eq!(fixing["status"], "returned");
    seen.push(fixing["version"].as_i64());
    let (_, again) = call(&app, &base, "POST", &report_path("/submit"), &p.reporter, good(5, "1.100")).await;
    seen.push(again["version"].as_i64());
    let (_, accepted) =
        call(&app, &base, "POST", &report_path("/review"), &p.office, json!({"action": "accept", "version": 6})).await;
    seen.push(accepted["version"].as_i64());
    assert_eq!(seen, (1..=7).map(Some).collect::<Vec<_>>());
    // The history: every step with its version and what was done, the refused attempt kept.
    let (_, history) = call(&app, &base, "GET", &report_path("/versions"), &p.office, Value::Null).await;
    let steps: Vec<(i64, &str, &str)> = history["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| {
            (v["version"].as_i64().unwrap_or(0), v["action"].as_str().unwrap_or(""), v["status"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (1, "save_draft", "draft"),
            (2, "save_draft", "draft"),
            (2, "conflict_refused", "draft"),
            (3, "submit", "submitted"),
            (4, "return", "returned"),
            (5, "save_draft", "returned"),
            (6, "submit", "submitted"),
            (7, "accept", "accepted"),
        ]
    );
}

/// The same checks offline as on the server, end to end: the rule set the server
/// serves with the form, evaluated by the page's `rules.js` (under node), gives what
/// the server answers when the same reports are submitted: the same errors (field,
/// code, both messages) for refused ones, and a valid one is stored.
#[tokio::test]
async fn the_served_rule_set_evaluated_by_the_page_answers_as_the_server_does() {
    let app = spawn_app_at(vn(2, 10)).await;
    let p = people(&app).await;
    let base = app.base.clone();
    let (s, view) = call(&app, &base, "GET", &report_path(""), &p.reporter, Value::Null).await;
    assert_eq!(s, StatusCode::OK, "{view}");
    let rules = view["rules"].clone();
    assert!(rules["fields"].as_array().is_some_and(|f| !f.is_empty()), "{rules}");
    let act = |held_on: &str, funds: &str, area: &str| {
        json!({"title": "Ra quân trồng cây", "held_on": held_on, "area": area, "place": "Phường Vĩnh Thanh",
               "participants": "120", "funds": funds, "result": "Trồng 500 cây"})
    };
    let inputs = [
        json!({"values": {"5": "-3", "7": "2,5", "zz": "1"}}),
        json!({"values": {"5": "1.20"}, "activities": [act("2023-03-11", "1,5 triệu", "9")]}),
        json!({"values": {}}),
        json!({"nothing_to_report": true, "values": {"5": "3"}}),
        json!({"activities": [act("31/02/2023", "1.500.000", "2.1")], "highlights": "x".repeat(3001)}),
        // Valid last (it is stored): a week with figures and an activity.
        json!({"values": {"5": "1.200", "17": "25"}, "activities": [act("2023-03-02", "1.500.000 đ", "2.1")]}),
    ];
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("cases.json");
    let cases: Vec<Value> = inputs.iter().map(|i| json!({"rules": rules, "input": i})).collect();
    std::fs::write(&file, serde_json::to_string(&cases).expect("json")).expect("write");
    let rules_js = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/static/rules.js");
    let script = format!(
        "const r = require({rules_js:?}); const cases = require({:?}); \
         process.stdout.write(JSON.stringify(cases.map(c => r.evaluate(c.rules, c.input))));",
        file.to_string_lossy()
    );
    let out = std::process::Command::new("node").arg("-e").arg(&script).output().expect("node");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page: Vec<Value> = serde_json::from_slice(&out.stdout).expect("node's answer");
    for (i, input) in inputs.iter().enumerate() {
        let (s, answer) =
            call(&app, &base, "POST", &report_path("/submit"), &p.reporter, json!({"version": 0, "input": input}))
                .await;
        if page[i]["ok"] == json!(true) {
            assert_eq!(s, StatusCode::CREATED, "case {i}: the page found it valid: {answer}");
            assert_eq!(answer["warnings"], page[i]["warnings"], "case {i}");
        } else {
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "case {i}: {answer}");
            assert_eq!(answer["fields"], page[i]["errors"], "case {i}: the page's errors are the server's");
        }
    }
    assert_eq!(page.iter().filter(|r| r["ok"] == json!(false)).count(), 5, "five refused, one stored");
}
