//! Dashboards: the figures on the dashboard are those of `progress::compute` and of
//! /api/v1/progress; a new report shows at once; reminders go only to the units that
//! have not reported; the unit's home page shows them; the .ics feed is RFC 5545.

use phongtrao_domain::format;
use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const AT: &str = "2023-03-31";

/// The text of the element that starts at the first `marker` (an attribute), up to
/// the end of its line item or table row, without tags and with entities decoded.
fn element_text(html: &str, marker: &str, end: &str) -> Option<String> {
    let start = html.find(marker)?;
    let rest = &html[start..];
    let stop = rest.find(end).unwrap_or(rest.len());
    let mut text = String::new();
    let mut in_tag = false;
    for c in rest[..stop].chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text.replace("&#x2f;", "/").replace("&#47;", "/").replace("&amp;", "&").replace("&#x27;", "'");
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The values of `attr="..."` in order of appearance.
fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let marker = format!("{attr}=\"");
    html.match_indices(&marker)
        .map(|(i, _)| html[i + marker.len()..].split('"').next().unwrap_or("").to_string())
        .collect()
}

async fn submit(app: &TestApp, token: &str, unit: &str, week: &str, values: Value) -> Value {
    let r = app.submit(token, unit, week, json!({ "values": values })).await;
    assert!(r.status().is_success(), "{unit} {week}: {}", r.text().await.unwrap_or_default());
    r.json().await.expect("json")
}

async fn api(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(token).send().await.expect("get");
    assert_eq!(r.status(), 200, "GET {path}");
    r.json().await.expect("json")
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(format!("{}{path}", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 200, "GET {path}");
    r.text().await.expect("body")
}

/// What the dashboard shows for an indicator of the JSON: the verdict text, and the
/// summed count for counts.
fn check_targets(html: &str, progress: &Value) {
    for i in progress["indicators"].as_array().expect("indicators") {
        let key = i["indicator"].as_str().expect("key");
        let text = element_text(html, &format!("data-indicator=\"{key}\""), "</li>").expect("indicator shown");
        let verdict = i["text_vi"].as_str().expect("verdict");
        assert!(text.contains(verdict), "{key}: {text:?} lacks {verdict:?}");
        if i["kind"] == "count" {
            let sum = format::integer(i["sum"].as_i64().expect("sum"));
            assert!(text.contains(&sum), "{key}: {text:?} lacks {sum}");
        }
        assert!(
            html.contains(&format!("data-indicator=\"{key}\" data-status=\"{}\"", i["status"].as_str().expect("s")))
        );
    }
}

#[tokio::test]
async fn the_dashboard_shows_the_progress_figures_and_a_new_report_at_once() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "d.admin", Role::Admin, &[], PW).await).await;
    let t899 = add_token(db, add_user(db, "d.899", Role::Unit, &["899"], PW).await).await;
    let t900 = add_token(db, add_user(db, "d.900", Role::Unit, &["900"], PW).await).await;
    let t903 = add_token(db, add_user(db, "d.903", Role::Unit, &["903"], PW).await).await;
    app.set_members(&admin, "899", 4000).await;
    app.set_members(&admin, "900", 1500).await;
    submit(&app, &t899, "899", "2023-03-03", json!({"5": "1.200", "17": "25", "2a": "300", "16": "1"})).await;
    submit(&app, &t899, "899", "2023-03-10", json!({"5": "700", "2a": "150"})).await;
    submit(&app, &t900, "900", "2023-03-03", json!({"5": "800", "2a": "400"})).await;
    let office = browser();
    assert_eq!(app.login_form(&office, "d.admin", PW, "198.51.100.1").await.status(), StatusCode::SEE_OTHER);

    // The province: every indicator as in /api/v1/progress, and as `compute` gives.
    let json = api(&app, &admin, &format!("/api/v1/progress?at={AT}")).await;
    let state = phongtrao_web::AppState::local(app.db.clone());
    let campaign = &phongtrao_storage::campaigns::current(&app.db).await.expect("campaign");
    let computed =
        phongtrao_web::actions::progress::compute(&state, campaign, None, AT.parse().ok()).await.expect("compute");
    let from_json = json["indicators"].as_array().expect("indicators");
    assert_eq!(computed.indicators.len(), from_json.len());
    for (c, j) in computed.indicators.iter().zip(from_json) {
        // JSON's numbers may differ from the computed f64 in the last bit.
        let close = |a: f64, b: &Value| (a - b.as_f64().unwrap_or(f64::NAN)).abs() < 1e-9;
        assert_eq!(
            (c.indicator.as_str(), c.status, c.sum),
            (j["indicator"].as_str().expect("k"), j["status"].as_str().expect("s"), j["sum"].as_i64().expect("n"))
        );
        assert!(close(c.achieved, &j["achieved"]), "{}", c.indicator);
        assert_eq!(c.text_vi, j["text_vi"].as_str().expect("text"));
    }
    let html = page(&app, &office, &format!("/dashboard?at={AT}")).await;
    assert!(html.contains("Tỉnh đoàn Kiên Giang"));
    assert!(html.contains("31/03/2023"));
    check_targets(&html, &json);
    assert!(element_text(&html, "data-indicator=\"5\"", "</li>").expect("5").contains("2.700 / 20.000 cây"));

    // The children: each row is that child's own /api/v1/progress, and links to its dashboard.
    let child = api(&app, &admin, &format!("/api/v1/progress?unit=899&at={AT}")).await;
    let row = element_text(&html, "data-unit=\"899\"", "</tr>").expect("row of 899");
    let reached = child["indicators"].as_array().expect("i").iter().find(|i| i["indicator"] == "2a").expect("2a");
    assert!(row.contains(&format::percent(reached["achieved"].as_f64().expect("a"))), "{row}");
    assert!(row.contains("Thành đoàn Rạch Giá"));
    assert!(html.contains(&format!("href=\"/dashboard?unit=899&amp;at={AT}\"")));
    assert_eq!(attr_values(&html, "data-unit").len(), 15, "the 15 district-level units");

    // The ranking: the same order and scores as /api/v1/ranking.
    let ranking = api(&app, &admin, &format!("/api/v1/ranking?at={AT}")).await;
    let expected: Vec<String> = ranking["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["unit"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(attr_values(&html, "data-rank-unit"), expected);
    for r in ranking["rows"].as_array().expect("rows") {
        let unit = r["unit"].as_str().expect("unit");
        let text = element_text(&html, &format!("data-rank-unit=\"{unit}\""), "</tr>").expect("ranked");
        if let Some(score) = r["score"].as_f64() {
            assert!(text.contains(&format::number(score, 1)), "{unit}: {text}");
        }
    }

    // A district's own dashboard (drill down): its figures equal its own JSON.
    let html_899 = page(&app, &office, &format!("/dashboard?unit=899&at={AT}")).await;
    check_targets(&html_899, &child);
    assert!(html_899.contains("href=\"/dashboard?unit=91&amp;at=2023-03-31\""), "a way back up");

    // 903 reports: the dashboard shows it at once.
    submit(&app, &t903, "903", "2023-03-10", json!({"5": "500"})).await;
    let json = api(&app, &admin, &format!("/api/v1/progress?at={AT}")).await;
    let html = page(&app, &office, &format!("/dashboard?at={AT}")).await;
    check_targets(&html, &json);
    assert!(element_text(&html, "data-indicator=\"5\"", "</li>").expect("5").contains("3.200 / 20.000 cây"));
    // The timeliness of the current week (5): nobody has reported it; of week 2, 899 and 903.
    let week2 = &json["timeliness"][1];
    assert_eq!(week2["late"], 2);
    assert!(!week2["missing_units"].as_array().expect("m").iter().any(|c| c == "903"));
    let missing = element_text(&html, "id=\"timeliness\"", "</section>").expect("timeliness");
    assert!(missing.contains("Huyện đoàn Hòn Đất"), "{missing}");

    // The weekly curve: an SVG with a point per counted week and its table.
    assert!(html.contains("<svg viewBox=\"0 0 480 250\" role=\"img\""));
    let series =
        json["indicators"].as_array().expect("i").iter().find(|i| i["indicator"] == "5").expect("5")["series"].clone();
    assert_eq!(html.matches("<circle class=\"dot\"").count(), series.as_array().expect("series").len());
    assert!(html.contains("<td class=\"num\">3.200</td>"));
    // Every table (the chart's figures and the earlier weeks in their <details> too)
    // scrolls inside its own box, so a 360 px phone never scrolls the page sideways.
    assert!(html.contains("Các tuần trước") && html.contains("Bảng số liệu của biểu đồ"));
    // The dashboard's ranking is by progress, not the emulation ranking (the Thi đua
    // page's, by the criteria sheet): its title says which.
    assert!(
        html.contains("Xếp hạng tiến độ (theo chỉ tiêu và báo cáo đúng hạn)") && !html.contains("Xếp hạng thi đua")
    );
    for (i, _) in html.match_indices("<table") {
        let before = html[..i].trim_end();
        let opening = &before[before.rfind('<').expect("a tag before")..];
        assert!(opening.starts_with("<figure class=\"scroll-x\""), "a table outside the scroll box: {opening}");
    }

    // English is one switch away.
    office.get(format!("{}/lang/en?next=/", app.base)).send().await.expect("lang");
    let html = page(&app, &office, &format!("/dashboard?at={AT}")).await;
    assert!(html.contains("Reporting timeliness") && html.contains("Progress ranking"));

    // Another district cannot see Rạch Giá's dashboard; nobody sees one without logging in.
    let other = browser();
    app.login_form(&other, "d.900", PW, "198.51.100.2").await;
    let r = other.get(format!("{}/dashboard?unit=899", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 403);
    let r = browser().get(format!("{}/dashboard", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 303);
}

#[tokio::test]
async fn reminders_go_only_to_the_units_that_have_not_reported_and_show_on_their_home_page() {
    let app = spawn_app().await;
    let db = &app.db;
    add_user(db, "r.admin", Role::Admin, &[], PW).await;
    let t899 = add_token(db, add_user(db, "r.899", Role::Unit, &["899"], PW).await).await;
    add_user(db, "r.903", Role::Unit, &["903"], PW).await;
    let steering = add_token(db, add_user(db, "r.steering", Role::Steering, &["903"], PW).await).await;
    submit(&app, &t899, "899", "2023-03-10", json!({"5": "100"})).await;

    let office = browser();
    app.login_form(&office, "r.admin", PW, "198.51.100.1").await;
    let html = page(&app, &office, "/dashboard?at=2023-03-10").await;
    let csrf = csrf_of(&html);
    assert!(html.contains("id=\"remind-button\""));
    let r = office
        .post(format!("{}/dashboard/remind", app.base))
        .form(&[("csrf", csrf.as_str()), ("unit", "91"), ("period", "2023-03-10"), ("at", "2023-03-10")])
        .send()
        .await
        .expect("remind");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/dashboard?unit=91&at=2023-03-10&reminded=14#timeliness");

    // One notice per missing district-level unit, none for Rạch Giá, which reported.
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let notices = phongtrao_storage::reminders::for_period(db, campaign.row.id, 2).await.expect("reminders");
    assert_eq!(notices.len(), 14);
    let rach_gia = phongtrao_storage::units::by_code(db, "899").await.expect("q").expect("unit");
    assert!(notices.iter().all(|n| n.unit_id != rach_gia.id && n.sent_by == "r.admin"));
    let audit = phongtrao_storage::audit::query(
        db,
        &phongtrao_storage::audit::AuditFilter {
            action_prefix: Some("reminder.".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .expect("audit");
    assert_eq!(audit.len(), 1);
    assert!(audit[0].after_json.as_deref().unwrap_or("").contains("\"903\""));
    assert!(!audit[0].after_json.as_deref().unwrap_or("").contains("\"899\""));
    let html = page(&app, &office, "/dashboard?at=2023-03-10&reminded=14").await;
    assert!(html.contains("Đã gửi nhắc nhở đến số đơn vị: 14"));
    assert!(element_text(&html, "data-missing=\"903\"", "</li>").expect("903").contains("đã nhắc lúc"));

    // The API twin, by a steering member: only Hòn Đất's subtree, which is missing week 1.
    let r = app
        .client
        .post(format!("{}/api/v1/reminders", app.base))
        .bearer_auth(&steering)
        .json(&json!({"unit": "903", "period_end": "2023-03-03"}))
        .send()
        .await
        .expect("remind");
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.expect("json");
    assert_eq!(done["reminded"], json!(["903"]));
    // A unit cannot send reminders.
    let r = app
        .client
        .post(format!("{}/api/v1/reminders", app.base))
        .bearer_auth(&t899)
        .json(&json!({"period_end": "2023-03-03"}))
        .send()
        .await
        .expect("remind");
    assert_eq!(r.status(), 403);

    // Hòn Đất's home page shows both notices; Rạch Giá's shows none.
    let hon_dat = browser();
    app.login_form(&hon_dat, "r.903", PW, "198.51.100.3").await;
    let home = page(&app, &hon_dat, "/home").await;
    assert!(home.contains("Nhắc nhở từ Ban Phong trào"), "{home}");
    assert_eq!(home.matches("Chưa nộp báo cáo tuần").count(), 2);
    assert!(home.contains("href=\"/reports/903/2023-03-10\""));
    let listed = api(&app, &steering, "/api/v1/reminders?unit=903").await;
    assert_eq!(listed["reminders"].as_array().map(Vec::len), Some(2));
    let rg = browser();
    app.login_form(&rg, "r.899", PW, "198.51.100.4").await;
    let home = page(&app, &rg, "/home").await;
    assert!(!home.contains("Nhắc nhở từ Ban Phong trào"));
    assert!(home.contains("Báo cáo của đơn vị") && home.contains("Thành đoàn Rạch Giá"));
    // A steering member sees their assigned unit first, marked, and a link to its dashboard.
    let member = browser();
    app.login_form(&member, "r.steering", PW, "198.51.100.6").await;
    let html = page(&app, &member, "/dashboard?at=2023-03-10").await;
    assert_eq!(attr_values(&html, "data-unit").first().map(String::as_str), Some("903"));
    assert!(element_text(&html, "data-unit=\"903\"", "</tr>").expect("903").contains('★'));
    assert!(html.contains("Đơn vị được phân công phụ trách"));
    // The office's home is the dashboard.
    let r = office.get(format!("{}/home", app.base)).send().await.expect("home");
    assert_eq!(r.headers()["location"], "/dashboard");
}

#[tokio::test]
async fn with_more_missing_units_than_the_page_lists_the_dashboard_says_so_and_reminds_them_all() {
    let app = spawn_app().await;
    let db = &app.db;
    // 600 more district-level unions: 615 units missing week 1, more than the page lists.
    let extra: Vec<phongtrao_domain::unit::UnitSeed> = (1..=600)
        .map(|i| phongtrao_domain::unit::UnitSeed {
            code: format!("DTT-{i:03}"),
            parent_code: Some("91".into()),
            kind: phongtrao_domain::unit::UnitKind::Affiliated,
            name: format!("Đoàn trực thuộc số {i}"),
            admin_name: None,
            gso_code: None,
        })
        .collect();
    phongtrao_storage::units::insert_missing(db, &extra, chrono::Utc::now()).await.expect("units");
    let admin = add_token(db, add_user(db, "m.admin", Role::Admin, &[], PW).await).await;
    let office = browser();
    app.login_form(&office, "m.admin", PW, "198.51.100.7").await;
    let html = page(&app, &office, "/dashboard?at=2023-03-03").await;
    assert!(!html.contains("Tất cả đơn vị đã nộp báo cáo kỳ này"), "615 units are missing");
    assert!(html.contains("Quá nhiều đơn vị để liệt kê"));
    assert!(element_text(&html, "id=\"remind-button\"", "</button>").expect("button").contains("(615)"));
    let r = app
        .client
        .post(format!("{}/api/v1/reminders", app.base))
        .bearer_auth(&admin)
        .json(&json!({"period_end": "2023-03-03"}))
        .send()
        .await
        .expect("remind");
    assert_eq!(r.status(), 200);
    let done: Value = r.json().await.expect("json");
    assert_eq!(done["reminded"].as_array().map(Vec::len), Some(615));
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let notices = phongtrao_storage::reminders::for_period(db, campaign.row.id, 1).await.expect("reminders");
    assert_eq!(notices.len(), 615);
}

#[tokio::test]
async fn a_returned_report_and_its_comment_show_on_the_unit_home_page() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "h.admin", Role::Admin, &[], PW).await).await;
    let t899 = add_token(db, add_user(db, "h.899", Role::Unit, &["899"], PW).await).await;
    let saved = submit(&app, &t899, "899", "2023-03-03", json!({"5": "100"})).await;
    let r = app
        .client
        .post(format!("{}/api/v1/reports/899/2023-03-03/review", app.base))
        .bearer_auth(&admin)
        .json(&json!({"action": "return", "comment": "Số cây xanh chưa khớp, đề nghị kiểm tra", "version": saved["version"]}))
        .send()
        .await
        .expect("return");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let unit = browser();
    app.login_form(&unit, "h.899", PW, "198.51.100.5").await;
    let home = page(&app, &unit, "/home").await;
    assert!(home.contains("Báo cáo bị trả lại"));
    assert!(home.contains("Số cây xanh chưa khớp, đề nghị kiểm tra"));
    assert!(home.contains("h.admin"));
}

#[tokio::test]
async fn the_home_page_says_in_words_whether_the_unit_plan_and_each_week_came_on_time() {
    let app = spawn_app().await;
    let db = &app.db;
    let t899 = add_token(db, add_user(db, "hp.899", Role::Unit, &["899"], PW).await).await;
    // Sent today, long after the 2023 deadlines: both late.
    let plan = json!({"version": 0, "input": {"values": {"5": "3.000"}}});
    let r = app
        .client
        .post(format!("{}/api/v1/reports/899/plan/submit", app.base))
        .bearer_auth(&t899)
        .json(&plan)
        .send()
        .await
        .expect("plan");
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap_or_default());
    submit(&app, &t899, "899", "2023-03-03", json!({"5": "100"})).await;
    let unit = browser();
    app.login_form(&unit, "hp.899", PW, "198.51.100.6").await;
    let home = page(&app, &unit, "/home").await;
    assert_eq!(home.matches("<small>Trễ hạn</small>").count(), 2, "the unit plan and week 1 are late: {home}");
    assert!(!home.contains(">late<") && !home.contains(">on_time<"), "a stored code shown raw");
}

#[tokio::test]
async fn the_ics_feed_is_rfc_5545() {
    let app = spawn_app().await;
    for path in ["/calendar.ics", "/calendar.ics?unit=899"] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap_or("").starts_with("text/calendar"));
        let body = r.text().await.expect("body");
        // CRLF everywhere, no line longer than 75 octets.
        assert!(body.ends_with("\r\n"));
        assert!(!body.replace("\r\n", "").contains('\n'), "bare LF");
        let physical: Vec<&str> = body.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.iter().all(|l| l.len() <= 75), "a line over 75 octets");
        // Unfold, then check the structure.
        let unfolded = body.replace("\r\n ", "");
        let lines: Vec<&str> = unfolded.trim_end_matches("\r\n").split("\r\n").collect();
        assert_eq!(lines.first(), Some(&"BEGIN:VCALENDAR"));
        assert_eq!(lines.last(), Some(&"END:VCALENDAR"));
        assert!(lines.contains(&"VERSION:2.0"));
        assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
        let mut stack: Vec<&str> = Vec::new();
        let mut events: Vec<Vec<&str>> = Vec::new();
        for l in &lines {
            if let Some(name) = l.strip_prefix("BEGIN:") {
                stack.push(name);
                if name == "VEVENT" {
                    events.push(Vec::new());
                }
            } else if let Some(name) = l.strip_prefix("END:") {
                assert_eq!(stack.pop(), Some(name), "unbalanced END:{name}");
            } else if stack.last() == Some(&"VEVENT") {
                events.last_mut().expect("event").push(l);
            }
        }
        assert!(stack.is_empty());
        let mut uids = std::collections::HashSet::new();
        for e in &events {
            let uid = e.iter().find_map(|l| l.strip_prefix("UID:")).expect("UID");
            assert!(uids.insert(uid.to_string()), "duplicate UID {uid}");
            assert!(e.iter().any(|l| l.starts_with("DTSTAMP:") && l.ends_with('Z')), "DTSTAMP in UTC");
            assert!(e.iter().any(|l| l.starts_with("DTSTART")), "DTSTART");
            let summary = e.iter().find_map(|l| l.strip_prefix("SUMMARY:")).expect("SUMMARY");
            // Commas and semicolons in text are escaped.
            let bare = summary.replace("\\,", "").replace("\\;", "");
            assert!(!bare.contains(',') && !bare.contains(';'), "{summary}");
        }
        // The five weekly deadlines, 16h00 Vietnam time = 09:00 UTC.
        let deadlines: Vec<&Vec<&str>> =
            events.iter().filter(|e| e.iter().any(|l| l.starts_with("UID:") && l.contains("-week-"))).collect();
        assert_eq!(deadlines.len(), 5, "{path}");
        assert!(deadlines[0].contains(&"DTEND:20230303T090000Z"));
        if path == "/calendar.ics" {
            // The province events with a date, and the launch at An Minh.
            assert!(events.len() > 10);
            assert!(unfolded.contains("LOCATION:"));
        } else {
            assert!(deadlines[0].iter().any(|l| l.contains("Thành đoàn Rạch Giá")));
        }
    }
    assert_eq!(app.get("/calendar.ics?unit=khong-co").await.status(), 404);
    let html = app.text("/calendar").await;
    assert!(html.contains("Lịch sự kiện và hạn báo cáo") && html.contains("/calendar.ics"));
    assert!(html.contains("Hạn báo cáo tuần 1"));
}
