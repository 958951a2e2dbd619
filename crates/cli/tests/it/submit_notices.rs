//! A notice when a unit submits: once per report version, for the officers above the
//! unit (the province office, the district office over it), never for a draft; read
//! marks per officer; e-mail deliveries for those who chose them, once per version.

use chrono::{DateTime, Utc};
use phongtrao_domain::role::Role;
use phongtrao_storage::submit_notices::{self as notices, NewNotice, Reader};
use phongtrao_web::metrics::Metrics;
use phongtrao_web::reminders::{ReminderConfig, Reminders};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app_at, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)
}

async fn logged_in(app: &TestApp, login: &str) -> reqwest::Client {
    let client = browser();
    assert_eq!(app.login_form(&client, login, PW, "10.0.9.1").await.status(), StatusCode::SEE_OTHER, "{login}");
    client
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = client.get(format!("{}{path}", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 200, "{path}");
    r.text().await.expect("body")
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    let r = app.client.post(format!("{}{path}", app.base)).bearer_auth(token).json(&body).send().await.expect("post");
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_submission_notifies_the_officers_above_once_per_version_and_never_for_a_draft() {
    // Friday 03/03/2023 10h00, week 1 is open.
    let app = spawn_app_at(at("2023-03-03T10:00:00+07:00")).await;
    let db = &app.db;
    let office = add_user(db, "vanphong", Role::Admin, &[], PW).await;
    let office_token = add_token(db, office).await;
    add_user(db, "tinhdoan.cb", Role::Unit, &["91"], PW).await; // an officer of the province unit
    add_user(db, "rachgia.cb", Role::Unit, &["899"], PW).await; // another district's officer
    let reporter = add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await;
    let token = add_token(db, reporter).await;
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let count = || async {
        notices::list(db, campaign.row.id, &Reader { user_id: office, all: true, unit_ids: vec![] }, false, 100)
            .await
            .expect("list")
            .len()
    };

    // A draft, saved twice: no notice.
    for v in [0, 1] {
        let r = app
            .client
            .put(format!("{}/api/v1/reports/903/{WEEK1}/draft", app.base))
            .bearer_auth(&token)
            .json(&json!({"version": v, "input": {"values": {"5": "10"}}}))
            .send()
            .await
            .expect("draft");
        assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    }
    assert_eq!(count().await, 0, "a draft makes no notice");

    // Submitted (through the API): one notice.
    let (status, saved) = post(
        &app,
        &token,
        &format!("/api/v1/reports/903/{WEEK1}/submit"),
        json!({"version": 2, "input": {"values": {"5": "12"}}}),
    )
    .await;
    assert!(status.is_success(), "{saved}");
    assert_eq!(count().await, 1);

    // The province office sees it on its landing page, unread, with a link to the report.
    let vp = logged_in(&app, "vanphong").await;
    let dash = page(&vp, &app, "/dashboard").await;
    let unit = phongtrao_storage::units::by_code(db, "903").await.expect("q").expect("unit");
    let text = format!("{} (mã 903) đã nộp báo cáo tuần 1 lúc 10h00 ngày 03/03/2023", unit.name);
    assert!(dash.contains(&text), "{dash}");
    assert!(dash.contains(&format!("href=\"/reports/903/{WEEK1}\"")), "a link to the report");
    assert!(dash.contains("class=\"unread\""), "unread");
    // The officer of the province unit sees it on the home page; another district's officer does not.
    let td = logged_in(&app, "tinhdoan.cb").await;
    assert!(page(&td, &app, "/home?unit=91").await.contains(&text));
    let rg = logged_in(&app, "rachgia.cb").await;
    let other = page(&rg, &app, "/home").await;
    assert!(!other.contains("đã nộp báo cáo tuần"), "{other}");
    let own = logged_in(&app, "hondat.bc").await;
    assert!(!page(&own, &app, "/home").await.contains("đã nộp báo cáo tuần 1 lúc"), "not the unit's own reporter");

    // Marked read by the office (POST with the CSRF token): read for the office only.
    let csrf = csrf_of(&dash);
    let id = notices::list(db, campaign.row.id, &Reader { user_id: office, all: true, unit_ids: vec![] }, false, 10)
        .await
        .expect("list")[0]
        .id;
    let r = vp
        .post(format!("{}/notices/read", app.base))
        .form(&[("csrf", csrf.as_str()), ("id", &id.to_string()), ("back", "/dashboard")])
        .send()
        .await
        .expect("read");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let dash = page(&vp, &app, "/dashboard").await;
    assert!(dash.contains(&text) && !dash.contains("class=\"unread\""), "read now: {dash}");
    assert!(page(&td, &app, "/home?unit=91").await.contains("class=\"unread\""), "still unread for the other officer");
    // Without the CSRF token: refused.
    let r = vp.post(format!("{}/notices/read", app.base)).form(&[("id", id.to_string())]).send().await.expect("read");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Returned, then resubmitted: a new notice for the new version, newest first.
    let (status, body) = post(
        &app,
        &office_token,
        &format!("/api/v1/reports/903/{WEEK1}/review"),
        json!({"action": "return", "comment": "Bổ sung", "version": saved["version"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let version = body["version"].as_i64().or_else(|| saved["version"].as_i64().map(|v| v + 1)).expect("version");
    let (status, again) = post(
        &app,
        &token,
        &format!("/api/v1/reports/903/{WEEK1}/submit"),
        json!({"version": version, "input": {"values": {"5": "15"}}}),
    )
    .await;
    assert!(status.is_success(), "{again}");
    assert_eq!(count().await, 2);
    let dash = page(&vp, &app, "/dashboard").await;
    let newest = dash.find("đã nộp lại báo cáo tuần 1").expect("the resubmission");
    assert!(newest < dash.find(&text).expect("the first"), "newest first");

    // Through the page form too (another district).
    add_user(db, "rachgia.bc", Role::Unit, &["899"], PW).await;
    let rp = logged_in(&app, "rachgia.bc").await;
    let form = page(&rp, &app, &format!("/reports/899/{WEEK1}")).await;
    let r = rp
        .post(format!("{}/reports/899/{WEEK1}", app.base))
        .form(&[("csrf", csrf_of(&form).as_str()), ("version", "0"), ("v.5", "7"), ("action", "submit")])
        .send()
        .await
        .expect("submit");
    assert!(r.status().is_redirection() || r.status().is_success(), "{}", r.status());
    assert_eq!(count().await, 3);
    assert!(!page(&rg, &app, "/home").await.contains("đã nộp báo cáo tuần"), "a district sees not its own");

    // A commune's report would reach the district office over it, not another district's.
    let commune = phongtrao_storage::units::by_code(db, "30823").await.expect("q").expect("unit");
    let (id903, id899) = (unit.id, phongtrao_storage::units::by_code(db, "899").await.expect("q").expect("unit").id);
    notices::record(
        db,
        &NewNotice {
            campaign_id: campaign.row.id,
            report_id: saved["report_id"].as_i64().expect("id"),
            version: 99,
            unit_id: commune.id,
            kind: "weekly".into(),
            period_seq: 1,
            submitted_at: at("2023-03-03T11:00:00+07:00"),
            submitted_by: "xa".into(),
            resubmission: false,
        },
        at("2023-03-03T11:00:00+07:00"),
    )
    .await
    .expect("record");
    let district = |unit: i64| Reader { user_id: 424242, all: false, unit_ids: vec![unit] };
    let seen = notices::list(db, campaign.row.id, &district(id903), false, 10).await.expect("list");
    assert_eq!(seen.iter().map(|n| n.unit_id).collect::<Vec<_>>(), [commune.id], "the district over it");
    assert!(notices::list(db, campaign.row.id, &district(id899), false, 10)
        .await
        .expect("list")
        .iter()
        .all(|n| n.unit_id != commune.id));
}

#[tokio::test]
async fn an_officer_who_chose_e_mail_gets_exactly_one_mail_per_report_version() {
    let app = spawn_app_at(at("2023-03-03T10:00:00+07:00")).await;
    let db = &app.db;
    let office = add_user(db, "vanphong", Role::Admin, &[], PW).await;
    let office_token = add_token(db, office).await;
    phongtrao_storage::users::set_email(db, office, Some("vanphong@example.test")).await.expect("email");
    add_user(db, "bcd", Role::Steering, &[], PW).await; // did not choose e-mail
    let token = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;

    // The choice is made on the account page (POST with CSRF, audited).
    let vp = logged_in(&app, "vanphong").await;
    let account = page(&vp, &app, "/account").await;
    assert!(account.contains("id=\"notice-prefs\""), "{account}");
    let r = vp
        .post(format!("{}/account/notices", app.base))
        .form(&[("csrf", csrf_of(&account).as_str()), ("by_email", "1")])
        .send()
        .await
        .expect("prefs");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let account = page(&vp, &app, "/account?notices=1").await;
    assert!(
        account.contains("Đã lưu cách nhận thông báo") && account.contains("name=\"by_email\" value=\"1\" checked"),
        "{account}"
    );

    let (status, saved) = post(
        &app,
        &token,
        &format!("/api/v1/reports/903/{WEEK1}/submit"),
        json!({"version": 0, "input": {"values": {"5": "12"}}}),
    )
    .await;
    assert!(status.is_success(), "{saved}");
    // A retried request (same idempotency key) is the same version: no second notice.
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let rows = notices::deliveries(db, campaign.row.id, 100).await.expect("deliveries");
    assert_eq!(rows.len(), 1, "one delivery, for the officer who chose e-mail: {rows:?}");
    assert_eq!((rows[0].user_id, rows[0].status.as_str()), (office, "pending"));

    let (smtp_port, mails) = crate::reminders::smtp_sink().await;
    let config = ReminderConfig { smtp_url: Some(format!("smtp://127.0.0.1:{smtp_port}")), ..Default::default() };
    let first = Reminders::new(db.clone(), config.clone(), Metrics::new()).expect("scheduler");
    let o = first.tick(at("2023-03-03T10:05:00+07:00")).await.expect("tick");
    assert_eq!(o.notices, 1, "{o:?}");
    let o = first.tick(at("2023-03-03T10:06:00+07:00")).await.expect("tick");
    assert_eq!(o.notices, 0, "sent once");
    {
        let mails = mails.lock().expect("mails");
        let ours: Vec<_> = mails.iter().filter(|m| m.to.iter().any(|t| t.contains("vanphong@example.test"))).collect();
        assert_eq!(ours.len(), 1, "{mails:?}");
        assert!(ours[0].data.contains("/reports/903/2023-03-03"), "{}", ours[0].data);
    }
    let rows = notices::deliveries(db, campaign.row.id, 100).await.expect("deliveries");
    assert_eq!((rows.len(), rows[0].status.as_str()), (1, "sent"));

    // Returned and resubmitted: one more delivery, for the new version.
    let (status, body) = post(
        &app,
        &office_token,
        &format!("/api/v1/reports/903/{WEEK1}/review"),
        json!({"action": "return", "comment": "Bổ sung", "version": saved["version"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let version = body["version"].as_i64().expect("version");
    let (status, again) = post(
        &app,
        &token,
        &format!("/api/v1/reports/903/{WEEK1}/submit"),
        json!({"version": version, "input": {"values": {"5": "15"}}}),
    )
    .await;
    assert!(status.is_success(), "{again}");
    let o = first.tick(at("2023-03-03T10:20:00+07:00")).await.expect("tick");
    assert_eq!(o.notices, 1, "{o:?}");
    let rows = notices::deliveries(db, campaign.row.id, 100).await.expect("deliveries");
    assert_eq!(rows.len(), 2, "one per report version: {rows:?}");
    assert!(rows.iter().all(|r| r.status == "sent" && r.user_id == office));
    assert_eq!(mails.lock().expect("mails").iter().filter(|m| m.to.iter().any(|t| t.contains("vanphong@"))).count(), 2);
}

#[tokio::test]
async fn a_webhook_notice_that_fails_is_tried_again_and_delivered_once() {
    let app = spawn_app_at(at("2023-03-03T10:00:00+07:00")).await;
    let db = &app.db;
    let member = add_user(db, "bcd.thanhvien", Role::Steering, &[], PW).await;
    notices::set_prefs(
        db,
        member,
        notices::Prefs { by_email: false, by_webhook: true },
        &phongtrao_storage::audit::Who::system(),
        at("2023-03-03T09:00:00+07:00"),
    )
    .await
    .expect("prefs");
    let token = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;
    let (status, saved) = post(
        &app,
        &token,
        &format!("/api/v1/reports/903/{WEEK1}/submit"),
        json!({"version": 0, "input": {"values": {"5": "3"}}}),
    )
    .await;
    assert!(status.is_success(), "{saved}");

    // The chat bot is down at first: the try fails and another is planned.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let dead = format!("http://127.0.0.1:{}/hook", closed.local_addr().expect("addr").port());
    drop(closed);
    let down =
        Reminders::new(db.clone(), ReminderConfig { webhook_url: Some(dead), ..Default::default() }, Metrics::new())
            .expect("scheduler");
    assert_eq!(down.tick(at("2023-03-03T10:01:00+07:00")).await.expect("tick").notices, 1);
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let rows = notices::deliveries(db, campaign.row.id, 10).await.expect("deliveries");
    assert_eq!((rows.len(), rows[0].status.as_str(), rows[0].attempts), (1, "failed", 1), "{rows:?}");
    down.release().await.expect("release");

    // Back up: the next try (a minute later) delivers it, once, with a stable delivery id.
    let (hook, received) = crate::reminders::webhook_receiver().await;
    let up =
        Reminders::new(db.clone(), ReminderConfig { webhook_url: Some(hook), ..Default::default() }, Metrics::new())
            .expect("scheduler");
    assert_eq!(up.tick(at("2023-03-03T10:01:30+07:00")).await.expect("tick").notices, 0, "not due yet");
    assert_eq!(up.tick(at("2023-03-03T10:03:00+07:00")).await.expect("tick").notices, 1);
    assert_eq!(up.tick(at("2023-03-03T10:30:00+07:00")).await.expect("tick").notices, 0);
    // (The same webhook also carries the week's reminders to the units that have not sent.)
    let bodies: Vec<Value> =
        received.lock().expect("lock").iter().filter(|b| b["kind"] == "submitted").cloned().collect();
    assert_eq!(bodies.len(), 1, "{bodies:?}");
    assert_eq!(bodies[0]["kind"], "submitted");
    assert_eq!(bodies[0]["unit"], "903");
    assert_eq!(bodies[0]["attempt"], 2);
    assert_eq!(bodies[0]["delivery_id"], format!("phongtrao-notice-{}-{member}", rows[0].notice_id));
    assert!(bodies[0]["message_vi"].as_str().is_some_and(|m| m.contains("đã nộp báo cáo tuần 1")), "{bodies:?}");
    let rows = notices::deliveries(db, campaign.row.id, 10).await.expect("deliveries");
    assert_eq!((rows.len(), rows[0].status.as_str()), (1, "sent"));
}
