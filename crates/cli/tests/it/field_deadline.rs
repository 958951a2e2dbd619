//! "Giờ bấm Gửi" for the deadline (issue #23 item 2): a report written on a phone
//! without a connection carries the time "Gửi" was pressed. The campaign's setting
//! (default off) decides whether that time counts: off, the server's receipt time
//! decides (the pressed time is kept); on, a believable pressed time before the
//! deadline counts the report on time, marked "gửi muộn do mất kết nối" on the report,
//! the review list and in the on-time counts; a time in the future, before the period
//! opened or before the draft's first save is ignored. Only the office changes the
//! setting, and the change is audited.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::*;

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";
const CAMPAIGN: &str = "kien-giang-thang-thanh-nien-2023";

/// Vietnam time.
fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

/// The server at 17:30 on the Friday of week 1: 1 h 30 after the deadline (16:00).
async fn after_the_deadline() -> TestApp {
    spawn_app_at(vn(2023, 3, 3, 17, 30)).await
}

async fn token(app: &TestApp, name: &str, role: Role, units: &[&str]) -> String {
    add_token(&app.db, add_user(&app.db, name, role, units, PW).await).await
}

/// Submits week 1 of `unit` through the API as the phone's outbox does, with the
/// time "Gửi" was pressed (None: not said); the status and the answer.
async fn submit_pressed(app: &TestApp, token: &str, unit: &str, pressed: Option<DateTime<Utc>>) -> (StatusCode, Value) {
    let mut body = json!({"version": 0, "input": {"values": {"5": "120"}}});
    if let Some(at) = pressed {
        body["pressed_at"] = json!(at.to_rfc3339());
    }
    let r = app
        .client
        .post(format!("{}/api/v1/reports/{unit}/{WEEK1}/submit", app.base))
        .bearer_auth(token)
        .header("Idempotency-Key", format!("k-{unit}-{}", pressed.map(|p| p.timestamp()).unwrap_or(0)))
        .json(&body)
        .send()
        .await
        .expect("submit");
    let status = r.status();
    (status, r.json().await.expect("json"))
}

async fn set_rule(app: &TestApp, token: &str, on: bool) -> reqwest::Response {
    app.client
        .put(format!("{}/api/v1/campaigns/{CAMPAIGN}/deadline-rule", app.base))
        .bearer_auth(token)
        .json(&json!({ "deadline_by_pressed_at": on }))
        .send()
        .await
        .expect("deadline rule")
}

#[tokio::test]
async fn with_the_setting_off_the_pressed_time_is_kept_but_the_servers_time_decides() {
    let app = after_the_deadline().await;
    let reporter = token(&app, "bc.rachgia", Role::Unit, &["899"]).await;
    let pressed = vn(2023, 3, 3, 15, 30);
    let (status, saved) = submit_pressed(&app, &reporter, "899", Some(pressed)).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["timeliness"], "late", "off by default: received at 17:30, late");
    let report = app.api(&format!("/api/v1/reports/899/{WEEK1}"), &reporter).await;
    let kept: DateTime<Utc> = report["report"]["pressed_at"].as_str().expect("pressed_at kept").parse().expect("time");
    assert_eq!(kept, pressed, "the pressed time is stored");
    assert_eq!(report["report"]["timeliness"], "late");
    assert_eq!(report["report"]["sent_late_for_connection"], false);
    let campaigns = app.api("/api/v1/campaigns", &reporter).await;
    let ours = campaigns["campaigns"].as_array().expect("list").iter().find(|c| c["code"] == CAMPAIGN).cloned();
    assert_eq!(ours.expect("campaign")["deadline_by_pressed_at"], false, "default off");
}

/// A pressed time the server does not believe (a phone's clock in year 9999, a time
/// before the period opened) is not kept: the report API shows none, with the setting
/// off or on; a believable one sent beside it is shown.
#[tokio::test]
async fn an_unbelievable_pressed_time_is_neither_kept_nor_shown() {
    let app = after_the_deadline().await;
    let office = token(&app, "vanphong", Role::Admin, &[]).await;
    let far = Utc.with_ymd_and_hms(9999, 12, 31, 23, 0, 0).single().expect("time");
    let cases = [("899", far), ("900", vn(2023, 2, 20, 9, 0))];
    for (on, (unit, pressed)) in [(false, cases[0]), (true, cases[1])] {
        assert_eq!(set_rule(&app, &office, on).await.status(), 200);
        let reporter = token(&app, &format!("bc.{unit}"), Role::Unit, &[unit]).await;
        let (status, saved) = submit_pressed(&app, &reporter, unit, Some(pressed)).await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
        assert_eq!(saved["timeliness"], "late", "{saved}");
        let report = app.api(&format!("/api/v1/reports/{unit}/{WEEK1}"), &reporter).await;
        assert!(report["report"]["pressed_at"].is_null(), "not kept nor shown ({pressed}): {report}");
        let listed = app.api(&format!("/api/v1/reports/{unit}/{WEEK1}"), &office).await;
        assert!(listed["report"]["pressed_at"].is_null(), "{listed}");
    }
    // A believable one, 15:30 on the day, is kept and shown.
    let pressed = vn(2023, 3, 3, 15, 30);
    let reporter = token(&app, "bc.903", Role::Unit, &["903"]).await;
    let (status, saved) = submit_pressed(&app, &reporter, "903", Some(pressed)).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    let report = app.api(&format!("/api/v1/reports/903/{WEEK1}"), &reporter).await;
    let shown: DateTime<Utc> =
        report["report"]["pressed_at"].as_str().expect("pressed_at shown").parse().expect("time");
    assert_eq!(shown, pressed);
    // A year-9999 time stored before the rule (written here by hand) is not shown either.
    phongtrao_storage::with_pool!(&app.db, pool => sqlx::query("UPDATE reports SET pressed_at = $1")
        .bind(far)
        .execute(pool)
        .await
        .map(|_| ()))
    .expect("an old row");
    let report = app.api(&format!("/api/v1/reports/903/{WEEK1}"), &reporter).await;
    assert!(report["report"]["pressed_at"].is_null(), "{report}");
}

#[tokio::test]
async fn with_the_setting_on_a_report_pressed_before_the_deadline_counts_on_time_and_is_marked_everywhere() {
    let app = after_the_deadline().await;
    let office = token(&app, "vanphong", Role::Admin, &[]).await;
    let r = set_rule(&app, &office, true).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.expect("json")["deadline_by_pressed_at"], true);

    // Rạch Giá pressed "Gửi" at 15:30 on an island without signal; it arrives at 17:30.
    let rach_gia = token(&app, "bc.rachgia", Role::Unit, &["899"]).await;
    let (status, saved) = submit_pressed(&app, &rach_gia, "899", Some(vn(2023, 3, 3, 15, 30))).await;
    assert_eq!(status, StatusCode::CREATED, "{saved}");
    assert_eq!(saved["timeliness"], "on_time", "{saved}");
    let report = app.api(&format!("/api/v1/reports/899/{WEEK1}"), &rach_gia).await;
    assert_eq!(report["report"]["sent_late_for_connection"], true, "{report}");
    // Hòn Đất sends online at 17:30: late, no mark.
    let hon_dat = token(&app, "bc.hondat", Role::Unit, &["903"]).await;
    let (_, saved) = submit_pressed(&app, &hon_dat, "903", None).await;
    assert_eq!(saved["timeliness"], "late");
    // A phone whose clock says 18:00 (in the future): ignored, late.
    let future = token(&app, "bc.900", Role::Unit, &["900"]).await;
    let (_, saved) = submit_pressed(&app, &future, "900", Some(vn(2023, 3, 3, 18, 0))).await;
    assert_eq!(saved["timeliness"], "late", "a pressed time in the future is not believed");
    // Pressed before the period opened: ignored, late.
    let early = token(&app, "bc.902", Role::Unit, &["902"]).await;
    let (_, saved) = submit_pressed(&app, &early, "902", Some(vn(2023, 2, 20, 9, 0))).await;
    assert_eq!(saved["timeliness"], "late", "a pressed time before the period is not believed");
    // Pressed before the draft was first saved on the server: ignored, late.
    let drafted = token(&app, "bc.904", Role::Unit, &["904"]).await;
    let r = app
        .client
        .put(format!("{}/api/v1/reports/904/{WEEK1}/draft", app.base))
        .bearer_auth(&drafted)
        .json(&json!({"version": 0, "input": {"values": {"5": "10"}}}))
        .send()
        .await
        .expect("draft");
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .client
        .post(format!("{}/api/v1/reports/904/{WEEK1}/submit", app.base))
        .bearer_auth(&drafted)
        .json(
            &json!({"version": 1, "input": {"values": {"5": "10"}}, "pressed_at": vn(2023, 3, 3, 15, 0).to_rfc3339()}),
        )
        .send()
        .await
        .expect("submit");
    let saved: Value = r.json().await.expect("json");
    assert_eq!(saved["timeliness"], "late", "pressed before the draft existed: {saved}");

    // The office sees the mark on the review list (API and page) and the report's page.
    let queue = app.api("/api/v1/review-queue", &office).await;
    let items = queue["items"].as_array().expect("items");
    let marked: Vec<&str> = items
        .iter()
        .filter(|i| i["sent_late_for_connection"] == true)
        .map(|i| i["unit"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(marked, vec!["899"], "{queue}");
    let one = items.iter().find(|i| i["unit"] == "899").expect("899 listed");
    assert_eq!(one["timeliness"], "on_time");
    let review = app.office_page("/review").await;
    assert_eq!(review.matches("gửi muộn do mất kết nối").count(), 1, "one report marked on the review page");
    let page = app.office_page(&format!("/reports/899/{WEEK1}")).await;
    assert!(page.contains("Gửi muộn do mất kết nối: bấm “Gửi” lúc"), "the report's page says when it was pressed");
    let other = app.office_page(&format!("/reports/903/{WEEK1}")).await;
    assert!(!other.contains("mất kết nối"), "no mark on a report late online");
    // The office's week list shows it too.
    let week = app.office_page("/reports").await;
    assert!(week.contains("Đúng hạn · gửi muộn do mất kết nối"), "the reports list marks it");

    // The on-time counts count it on time: 1 on time (899), 4 late.
    let progress = app.api("/api/v1/progress", &office).await;
    let week1 = &progress["timeliness"][0];
    assert_eq!((week1["on_time"].as_i64(), week1["late"].as_i64()), (Some(1), Some(4)), "{week1}");
    // The CLI reads the same counts.
    let cli = crate::documents::cli_progress(&app, &[]);
    assert_eq!(cli["timeliness"][0]["on_time"], 1);

    // The week's report (.docx) names it apart from the late ones.
    let r = app
        .client
        .get(format!("{}/api/v1/exports/weekly-report.docx?period_end={WEEK1}", app.base))
        .bearer_auth(&office)
        .send()
        .await
        .expect("docx");
    assert_eq!(r.status(), 200);
    let text = crate::documents::docx_text(&r.bytes().await.expect("bytes"));
    let rach_gia_name = phongtrao_storage::units::by_code(&app.db, "899").await.expect("q").expect("unit").name;
    let line = text.lines().find(|l| l.contains("Gửi muộn do mất kết nối")).unwrap_or_default();
    assert!(line.contains("tính đúng hạn (1)") && line.contains(&rach_gia_name), "{text}");
    let late = text.lines().find(|l| l.contains("Gửi trễ hạn (4)")).unwrap_or_default();
    assert!(!late.contains(&rach_gia_name), "not among the late: {late}");
}

#[tokio::test]
async fn only_the_office_changes_the_setting_on_its_campaigns_page_and_the_change_is_audited() {
    let app = after_the_deadline().await;
    let office = token(&app, "vanphong", Role::Admin, &[]).await;
    let reporter = token(&app, "bc.rachgia", Role::Unit, &["899"]).await;
    let steering = token(&app, "bcd.tinh", Role::Steering, &[]).await;
    assert_eq!(set_rule(&app, &reporter, true).await.status(), StatusCode::FORBIDDEN, "a unit account");
    assert_eq!(set_rule(&app, &steering, true).await.status(), StatusCode::FORBIDDEN, "the steering committee");
    let campaigns = app.api("/api/v1/campaigns", &office).await;
    let ours = campaigns["campaigns"].as_array().expect("list").iter().find(|c| c["code"] == CAMPAIGN).cloned();
    assert_eq!(ours.expect("campaign")["deadline_by_pressed_at"], false, "nothing changed");

    // The office ticks the box on the campaigns page (no JavaScript).
    add_user(&app.db, "vp.web", Role::Admin, &[], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "vp.web", PW, "10.1.0.1").await.status(), 303);
    let html = client.get(format!("{}/campaigns", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains(&format!("id=\"deadline-by-pressed-at-{CAMPAIGN}\"")), "the checkbox");
    assert!(html.contains("Tính hạn theo giờ bấm “Gửi” trên điện thoại"), "explained in Vietnamese");
    assert!(html.contains("gửi muộn do mất kết nối"), "the explanation names the mark");
    let csrf = csrf_of(&html);
    let r = client
        .post(format!("{}/campaigns/{CAMPAIGN}/deadline", app.base))
        .form(&[("csrf", csrf.as_str()), ("by_pressed_at", "on")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let html = client.get(format!("{}/campaigns", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains(&format!("id=\"deadline-by-pressed-at-{CAMPAIGN}\" checked")), "ticked now");
    // A unit account posting the form is refused.
    let unit_client = browser();
    add_user(&app.db, "bc.web", Role::Unit, &["903"], PW).await;
    assert_eq!(app.login_form(&unit_client, "bc.web", PW, "10.1.0.2").await.status(), 303);
    let home = unit_client.get(format!("{}/home", app.base)).send().await.expect("get").text().await.expect("body");
    let r = unit_client
        .post(format!("{}/campaigns/{CAMPAIGN}/deadline", app.base))
        .form(&[("csrf", csrf_of(&home).as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Off again through the API.
    assert_eq!(set_rule(&app, &office, false).await.status(), 200);

    // Both changes are in the audit log, with before and after, by whom.
    let audit = app.api("/api/v1/audit?action=campaign.deadline_rule", &office).await;
    let entries = audit["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "{audit}");
    assert_eq!(entries[0]["actor"], "vanphong");
    assert_eq!(entries[0]["after"]["deadline_by_pressed_at"], false);
    assert_eq!(entries[1]["actor"], "vp.web");
    assert_eq!(entries[1]["before"]["deadline_by_pressed_at"], false);
    assert_eq!(entries[1]["after"]["deadline_by_pressed_at"], true);
    let page = client.get(format!("{}/audit", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("đổi cách tính hạn báo cáo"), "the audit page says it in words");
}
