//! Each level runs its part (issue #21): a district's own plan inherits the goal the
//! province allocated to it and adds its own indicator; its communes report against
//! it; the district's report up is their sum (plus its own level), computed, never
//! typed; the province's figure is the sum over all communes; the district's own
//! indicator never reaches the province; a district's office cannot touch another
//! district's plan nor the province's.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::plan_edit::send;
use crate::support::*;

const PW: &str = "mat-khau-thu-nghiem-1";
const CODE: &str = "kien-giang-thang-thanh-nien-2023";
const OWN_KEY: &str = "an-bien-cay-duong";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

fn set_goal(edit: &mut Value, key: &str, goal: &str) {
    for t in edit["targets"].as_array_mut().expect("targets") {
        for i in t["indicators"].as_array_mut().expect("indicators") {
            if i["key"] == key {
                i["goal"] = json!(goal);
            }
        }
    }
}

fn indicator<'a>(progress: &'a Value, key: &str) -> Option<&'a Value> {
    progress["indicators"].as_array().and_then(|l| l.iter().find(|i| i["indicator"] == key))
}

async fn submit_in(app: &TestApp, token: &str, campaign: &str, unit: &str, week_end: &str, values: Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/reports/{unit}/{week_end}/submit?campaign={campaign}", app.base))
        .bearer_auth(token)
        .json(&json!({"version": 0, "input": {"values": values}}))
        .send()
        .await
        .expect("submit");
    assert!(r.status().is_success(), "{unit} {week_end}: {}", r.text().await.unwrap_or_default());
}

#[tokio::test]
async fn a_districts_own_plan_feeds_the_province_through_its_report_up_without_retyping() {
    // Thursday of week 2: week 1 is late, week 2 is open.
    let app = spawn_app_at(vn(2023, 3, 9, 9, 0)).await;
    let db = &app.db;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let an_bien = add_token(db, add_user(db, "anbien.vp", Role::UnitOffice, &["908"], PW).await).await;
    let hon_dat = add_token(db, add_user(db, "hondat.vp", Role::UnitOffice, &["903"], PW).await).await;
    let thu_ba = add_token(db, add_user(db, "thuba.bc", Role::Unit, &["30985"], PW).await).await;
    let tay_yen = add_token(db, add_user(db, "tayyen.bc", Role::Unit, &["30988"], PW).await).await;

    // The province gives An Biên 1,500 trees (goal 5).
    let (status, body) = send(
        &app,
        reqwest::Method::POST,
        "/api/v1/allocations/5",
        &office,
        Some(json!({"goals": {"908": 1500, "903": 2000}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let part = app.api(&format!("/api/v1/campaigns/{CODE}/units/908/plan"), &an_bien).await;
    let given = part["given"].as_array().expect("given");
    assert_eq!(given.len(), 1, "{part}");
    assert_eq!((given[0]["key"].as_str(), given[0]["goal"].as_i64()), (Some("5"), Some(1500)));
    assert_eq!(part["own_campaign"], Value::Null);

    // Another district's office and the province's plan are out of reach.
    let path = format!("/api/v1/campaigns/{CODE}/units/908/plan");
    assert_eq!(send(&app, reqwest::Method::GET, &path, &hon_dat, None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(send(&app, reqwest::Method::POST, &path, &hon_dat, None).await.0, StatusCode::FORBIDDEN);
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/campaigns/{CODE}/plan/amendments"),
        &an_bien,
        Some(json!({"plan_toml": phongtrao_domain::builtin::PLAN_TOML, "reason": "thử", "dry_run": true})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a district's office cannot amend the province's plan");
    assert_eq!(
        send(&app, reqwest::Method::POST, &format!("/api/v1/campaigns/{CODE}/units/{}/plan", "91"), &an_bien, None)
            .await
            .0,
        StatusCode::FORBIDDEN,
        "nor write the province's own part"
    );

    // An Biên's office starts its plan from the province's: the allocated goal is there.
    let (status, started) = send(&app, reqwest::Method::POST, &path, &an_bien, None).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let id = started["draft_id"].as_i64().expect("draft id");
    let draft_path = format!("/api/v1/plan/drafts/{id}");
    let (status, draft) = send(&app, reqwest::Method::GET, &draft_path, &an_bien, None).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    let mut edit = draft["edit"].clone();
    assert_eq!(edit["campaign"]["issuing_body"], "Ban Thường vụ Huyện đoàn An Biên");
    assert_eq!(edit["reporting"]["levels"], json!(["grassroots"]));
    let trees = edit["targets"]
        .as_array()
        .and_then(|ts| {
            ts.iter().position(|t| t["indicators"].as_array().is_some_and(|l| l.iter().any(|i| i["key"] == "5")))
        })
        .expect("the target of goal 5");
    assert_eq!(edit["targets"][trees]["indicators"][0]["goal"], "1500", "{}", edit["targets"][trees]);
    // Its own indicator, its signatory; a goal below the allocation first.
    let mut own = edit["targets"][trees]["indicators"][0].clone();
    own["key"] = json!(OWN_KEY);
    own["label"] = json!("Cây xanh trồng trên các tuyến đường của huyện");
    own["goal"] = json!("300");
    own["origin"] = json!("");
    edit["targets"][trees]["indicators"].as_array_mut().expect("list").push(own);
    edit["campaign"]["signatory_name"] = json!("Nguyễn Văn An");
    edit["campaign"]["contact_office"] = json!("Văn phòng Huyện đoàn");
    set_goal(&mut edit, "5", "1.000");
    let (status, saved) = send(&app, reqwest::Method::PUT, &draft_path, &an_bien, Some(edit.clone())).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["valid"], true, "{}", saved["notes"]);
    let (status, refused) = send(&app, reqwest::Method::POST, &format!("{draft_path}/confirm"), &an_bien, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(
        refused["error"]["message_vi"].as_str().unwrap_or("").contains("không được hạ"),
        "a goal below the allocation is refused: {refused}"
    );
    set_goal(&mut edit, "5", "1.600");
    let (status, _) = send(&app, reqwest::Method::PUT, &draft_path, &an_bien, Some(edit)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, confirmed) = send(&app, reqwest::Method::POST, &format!("{draft_path}/confirm"), &an_bien, None).await;
    assert_eq!(status, StatusCode::CREATED, "{confirmed}");
    let own_code = confirmed["code"].as_str().expect("code").to_string();
    let part = app.api(&format!("/api/v1/campaigns/{CODE}/units/908/plan"), &an_bien).await;
    assert_eq!(part["own_campaign"], json!(own_code));
    // The province's campaign stays everyone's default.
    assert_eq!(app.json("/api/v1/campaign").await["plan"]["campaign"]["code"], CODE);

    // An Biên splits its goal among its communes; they report in its plan (week 1 ends Thursday).
    let (status, body) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/allocations/5?campaign={own_code}"),
        &an_bien,
        Some(json!({"parent": "908", "goals": {"30985": 900, "30988": 700}})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    submit_in(&app, &thu_ba, &own_code, "30985", "2023-03-02", json!({"5": "400", OWN_KEY: "50"})).await;
    submit_in(&app, &tay_yen, &own_code, "30988", "2023-03-02", json!({"5": "250"})).await;
    let own_progress = app.api(&format!("/api/v1/progress?campaign={own_code}"), &an_bien).await;
    assert_eq!(indicator(&own_progress, "5").expect("5")["sum"], json!(650), "{own_progress}");
    assert_eq!(indicator(&own_progress, OWN_KEY).expect("own")["sum"], json!(50));

    // The report up: computed from the communes; the own indicator is not in it.
    let up_path = format!("/api/v1/reports/908/2023-03-03/up?campaign={CODE}");
    let up = app.api(&up_path, &an_bien).await;
    let lines = up["lines"].as_array().expect("lines");
    let five = lines.iter().find(|l| l["key"] == "5").expect("line 5");
    assert_eq!((five["from_units"].as_i64(), five["total"].as_i64()), (Some(650), Some(650)), "{up}");
    assert!(lines.iter().all(|l| l["key"] != OWN_KEY), "{up}");
    assert_eq!(send(&app, reqwest::Method::GET, &up_path, &hon_dat, None).await.0, StatusCode::FORBIDDEN);
    let (status, sent) = send(&app, reqwest::Method::POST, &up_path, &an_bien, Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["status"], "submitted");

    // The province: its figure for goal 5 is the sum over all communes; the own indicator never appears.
    let province = app.api("/api/v1/progress", &office).await;
    assert_eq!(indicator(&province, "5").expect("5")["sum"], json!(650), "{province}");
    assert!(indicator(&province, OWN_KEY).is_none());
    let report = app.api("/api/v1/reports/908/2023-03-03", &office).await;
    assert!(!report.to_string().contains(OWN_KEY), "{report}");

    // Week 2: the district adds what its own level did ("1.200" typed the Vietnamese way).
    submit_in(&app, &thu_ba, &own_code, "30985", "2023-03-09", json!({"5": "100"})).await;
    let up2 = format!("/api/v1/reports/908/2023-03-10/up?campaign={CODE}");
    let (status, sent) =
        send(&app, reqwest::Method::POST, &up2, &an_bien, Some(json!({"own_level": {"5": "1.200"}}))).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let five = sent["lines"].as_array().and_then(|l| l.iter().find(|l| l["key"] == "5")).expect("line 5");
    assert_eq!(
        (five["from_units"].as_i64(), five["own_level"].as_i64(), five["total"].as_i64()),
        (Some(100), Some(1200), Some(1300))
    );
    let province = app.api("/api/v1/progress", &office).await;
    assert_eq!(indicator(&province, "5").expect("5")["sum"], json!(650 + 1300), "{province}");
    // The own level's part is kept with the report by the submission itself: read again,
    // it is still 1,200 of the 1,300; the province reads the same breakdown.
    let again = app.api(&up2, &an_bien).await;
    let five = again["lines"].as_array().and_then(|l| l.iter().find(|l| l["key"] == "5")).expect("line 5");
    assert_eq!((five["own_level"].as_i64(), five["total"].as_i64()), (Some(1200), Some(1300)), "{again}");
    let stored = app.api("/api/v1/reports/908/2023-03-10", &office).await;
    assert_eq!(stored["report"]["draft"]["own_level"]["5"], json!(1200), "{stored}");
    // A unit's own report cannot carry an own-level breakdown (only a report up does).
    let (status, refused) = send(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/reports/30985/2023-03-09/submit?campaign={own_code}"),
        &thu_ba,
        Some(json!({"version": 2, "input": {"values": {"5": "1"}, "own_level": {"5": 1}}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("báo cáo lên cấp trên"), "{refused}");

    // Its documents are in its own name, from the same templates.
    let docx = |path: String, token: String| {
        let app = &app;
        async move {
            let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(token).send().await.expect("export");
            assert_eq!(r.status(), StatusCode::OK, "{path}");
            crate::documents::docx_text(&r.bytes().await.expect("bytes"))
        }
    };
    let plan_doc = docx(format!("/api/v1/exports/plan.docx?campaign={own_code}"), an_bien.clone()).await;
    assert!(plan_doc.contains("BCH ĐOÀN HUYỆN AN BIÊN"), "{plan_doc}");
    assert!(plan_doc.contains("Cây xanh trồng trên các tuyến đường của huyện"), "its own indicator is in its plan");
    let weekly =
        docx(format!("/api/v1/exports/weekly-report.docx?campaign={own_code}&period_end=2023-03-02"), an_bien.clone())
            .await;
    assert!(weekly.contains("HUYỆN ĐOÀN AN BIÊN") || weekly.contains("BCH ĐOÀN HUYỆN AN BIÊN"), "{weekly}");
    assert!(!weekly.contains("TỈNH ĐOÀN KIÊN GIANG\n"), "not in the province's name");
    assert_eq!(
        app.client
            .get(format!("{}/api/v1/exports/weekly-report.docx?campaign={own_code}&period_end=2023-03-02", app.base))
            .bearer_auth(&hon_dat)
            .send()
            .await
            .expect("export")
            .status(),
        StatusCode::FORBIDDEN,
        "another district cannot read An Biên's report"
    );

    // The district cannot review its own report up; the province can.
    let review = format!("/api/v1/reports/908/2023-03-10/review?campaign={CODE}");
    let version = sent["version"].as_i64().expect("version");
    let (status, _) =
        send(&app, reqwest::Method::POST, &review, &an_bien, Some(json!({"action": "accept", "version": version})))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) =
        send(&app, reqwest::Method::POST, &review, &office, Some(json!({"action": "accept", "version": version})))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let audit = app.api("/api/v1/audit?action=campaign.own_plan", &office).await;
    assert!(audit.to_string().contains(&own_code), "{audit}");
}

#[tokio::test]
async fn a_districts_office_sees_its_part_on_a_page_and_starts_its_plan_there() {
    let app = spawn_app_at(vn(2023, 3, 2, 9, 0)).await;
    let db = &app.db;
    add_user(db, "anbien.vp", Role::UnitOffice, &["908"], PW).await;
    let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
    let r = app.login_form(&client, "anbien.vp", PW, "10.0.0.7").await;
    assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
    let r = client.get(format!("{}/unit-plan", app.base)).send().await.expect("unit plan");
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.expect("page");
    assert!(page.contains("Kế hoạch của đơn vị"), "{page}");
    assert!(page.contains("Huyện đoàn An Biên") || page.contains("An Biên"), "{page}");
    assert!(page.contains("Lập kế hoạch của đơn vị"), "{page}");
    let csrf = csrf_of(&page);
    let r = client
        .post(format!("{}/campaigns/{CODE}/units/908/plan", app.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("start");
    assert_eq!(r.status(), StatusCode::OK, "the editor after the redirect");
    let editor = r.text().await.expect("editor");
    assert!(editor.contains("Ban Thường vụ Huyện đoàn An Biên"), "the editor opens on the district's plan");
}

#[tokio::test]
async fn a_district_office_gives_its_communes_their_accounts_and_no_one_else() {
    let app = spawn_app_at(vn(2023, 3, 9, 9, 0)).await;
    let db = &app.db;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let an_bien = add_token(db, add_user(db, "anbien.vp", Role::UnitOffice, &["908"], PW).await).await;
    let hon_dat_reporter = add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await;
    let create = |token: String, body: Value| {
        let app = &app;
        async move { send(app, reqwest::Method::POST, "/api/v1/users", &token, Some(body)).await }
    };

    // A reporter for its commune Thứ Ba: created, with a one-time password that logs in.
    let (status, made) = create(
        an_bien.clone(),
        json!({"username": "thuba.bc", "display_name": "Chị Lan", "role": "unit", "units": ["30985"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let secret = made["one_time_password"].as_str().expect("one-time password").to_string();
    let login = app.login_form(&browser(), "thuba.bc", &secret, "10.0.0.9").await;
    assert!(login.status().is_redirection(), "the new reporter logs in: {}", login.status());
    let thu_ba_id = made["id"].as_i64().expect("id");

    // Never an administrator or the steering committee, never its own level, another
    // district's commune, or an account without a unit; nothing is created.
    for (body, why) in [
        (json!({"username": "x.admin", "role": "admin", "units": ["30985"]}), "an administrator"),
        (json!({"username": "x.steer", "role": "steering", "units": ["30985"]}), "a steering member"),
        (json!({"username": "x.own", "role": "unit", "units": ["908"]}), "its own level"),
        (json!({"username": "x.other", "role": "unit", "units": ["903"]}), "another district"),
        (json!({"username": "x.mixed", "role": "unit", "units": ["30985", "903"]}), "one unit outside"),
    ] {
        let (status, refused) = create(an_bien.clone(), body).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{why}: {refused}");
    }
    let (status, refused) = create(an_bien.clone(), json!({"username": "x.none", "role": "viewer"})).await;
    assert!(status.is_client_error(), "an account without a unit: {refused}");

    // Its list: the accounts of its communes only.
    let list = app.api("/api/v1/users", &an_bien).await;
    let names: Vec<&str> =
        list["users"].as_array().expect("users").iter().filter_map(|u| u["username"].as_str()).collect();
    assert_eq!(names, ["thuba.bc"], "{list}");
    assert!(app.api("/api/v1/users", &office).await.to_string().contains("hondat.bc"), "the office sees all");

    // A new password for its reporter; not for another district's, nor for the office's.
    let reset = |id: i64| format!("/api/v1/users/{id}/password-reset");
    assert_eq!(send(&app, reqwest::Method::POST, &reset(thu_ba_id), &an_bien, None).await.0, StatusCode::OK);
    assert_eq!(
        send(&app, reqwest::Method::POST, &reset(hon_dat_reporter), &an_bien, None).await.0,
        StatusCode::FORBIDDEN
    );
    // Moving its reporter to another district's commune, or raising it to administrator: refused.
    let patch = format!("/api/v1/users/{thu_ba_id}");
    for body in [
        json!({"username": "thuba.bc", "role": "unit", "units": ["903"]}),
        json!({"username": "thuba.bc", "role": "admin", "units": ["30985"]}),
    ] {
        let (status, body) = send(&app, reqwest::Method::PATCH, &patch, &an_bien, Some(body)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    let (status, body) = send(
        &app,
        reqwest::Method::PATCH,
        &patch,
        &an_bien,
        Some(json!({"username": "thuba.bc", "role": "unit", "units": ["30985", "30988"]})),
    )
    .await;
    assert!(status.is_success(), "two of its communes: {body}");
    // A commune reporter manages no account at all.
    let thu_ba = add_token(db, thu_ba_id).await;
    assert_eq!(
        app.client.get(format!("{}/api/v1/users", app.base)).bearer_auth(&thu_ba).send().await.expect("list").status(),
        StatusCode::FORBIDDEN
    );

    // The page: its communes' accounts, no bulk change of the whole tree, only the roles it may give.
    let client = browser();
    app.login_form(&client, "anbien.vp", PW, "10.0.0.8").await;
    let page = client.get(format!("{}/admin/users", app.base)).send().await.expect("page");
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("thuba.bc") && !html.contains("hondat.bc") && !html.contains("vanphong"), "{html}");
    assert!(!html.contains("/admin/users/bulk") && !html.contains("/admin/users/import"));
    assert!(!html.contains("value=\"admin\"") && !html.contains("value=\"steering\""));
    // A commune of another district typed on the form: told which, on the form itself.
    let csrf = csrf_of(&html);
    let refused = client
        .post(format!("{}/admin/users", app.base))
        .form(&[("username", "x.form"), ("role", "unit"), ("units", "hon dat"), ("csrf", csrf.as_str())])
        .send()
        .await
        .expect("form");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let html = refused.text().await.expect("html");
    assert!(
        html.contains("Huyện đoàn Hòn Đất không trực thuộc đơn vị của bạn") && html.contains("Tạo tài khoản"),
        "{html}"
    );

    // Every refusal is in the audit log, the creation too.
    let entries = app.api("/api/v1/audit?action=access.denied", &office).await;
    assert!(entries["entries"].as_array().is_some_and(|e| e.len() >= 5), "{entries}");
    let created = app.api("/api/v1/audit?action=user.create", &office).await;
    assert!(created.to_string().contains("thuba.bc") && !created.to_string().contains("x.admin"), "{created}");
}
