//! The office's review queue: every submitted report not yet accepted or returned,
//! oldest first, filtered by week, lateness, unit and text; several accepted at once,
//! never one that changed after the officer read it.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app_at};

const PW: &str = "mat-khau-thu-nghiem-1";

#[tokio::test]
async fn the_queue_lists_submitted_reports_oldest_first_and_accepts_several_at_once() {
    // Friday 03/03/2023 10h00: week 1's reports are on time, week 2's cannot exist yet.
    let now = chrono::DateTime::parse_from_rfc3339("2023-03-03T10:00:00+07:00").expect("time").to_utc();
    let app = spawn_app_at(now).await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let office_token = add_token(&app.db, office).await;
    let reporter = add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let reporter_token = add_token(&app.db, reporter).await;
    // Three district units report week 1, one after the other.
    for (unit, text) in
        [("899", "Ra quân Ngày Chủ nhật xanh"), ("903", "Trồng cây tuyến đường"), ("908", "Hiến máu tình nguyện")]
    {
        let r =
            app.submit(&office_token, unit, "2023-03-03", json!({"values": {"5": "100"}, "highlights": text})).await;
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap_or_default());
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }

    let queue = app.api("/api/v1/review-queue", &office_token).await;
    let units: Vec<&str> =
        queue["items"].as_array().expect("items").iter().filter_map(|i| i["unit"].as_str()).collect();
    assert_eq!(units, ["899", "903", "908"], "oldest submission first: {queue}");
    assert_eq!(queue["items"][0]["period_end"], "2023-03-03");
    assert_eq!(queue["items"][0]["timeliness"], "on_time");

    // Filters: text without accents or case, a unit's subtree, a week, late only.
    let found = app.api("/api/v1/review-queue?q=HIEN%20MAU", &office_token).await;
    assert_eq!(found["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(found["items"][0]["unit"], "908");
    let one_unit = app.api("/api/v1/review-queue?unit=903", &office_token).await;
    assert_eq!(one_unit["items"].as_array().map(Vec::len), Some(1));
    // The unit as the officer types its name, without accents.
    let by_name = app.api("/api/v1/review-queue?unit=hon%20dat", &office_token).await;
    assert_eq!(by_name["items"], one_unit["items"], "a name finds the same unit as its code");
    let r = app
        .client
        .get(format!("{}/api/v1/review-queue?unit=khong%20co", app.base))
        .bearer_auth(&office_token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("body").contains("Không tìm thấy đơn vị «khong co»"));
    let late = app.api("/api/v1/review-queue?late=true", &office_token).await;
    assert_eq!(late["items"].as_array().map(Vec::len), Some(0));
    let r = app
        .client
        .get(format!("{}/api/v1/review-queue?period_end=2023-03-04", app.base))
        .bearer_auth(&office_token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no period ends on 04/03");

    // A unit reporter has no queue.
    let r = app
        .client
        .get(format!("{}/api/v1/review-queue", app.base))
        .bearer_auth(&reporter_token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // Bulk acceptance: 899 and 903 as read; 908 was changed (returned) meanwhile, so
    // the version the officer saw is stale and it is skipped, not accepted.
    let item = |i: usize| json!({"report_id": queue["items"][i]["report_id"], "version": queue["items"][i]["version"]});
    let returned = app
        .client
        .post(format!("{}/api/v1/reports/908/2023-03-03/review", app.base))
        .bearer_auth(&office_token)
        .json(&json!({"action": "return", "comment": "Bổ sung số liệu", "version": queue["items"][2]["version"]}))
        .send()
        .await
        .expect("return");
    assert_eq!(returned.status(), StatusCode::OK, "{}", returned.text().await.unwrap_or_default());
    let r = app
        .client
        .post(format!("{}/api/v1/review-queue/accept", app.base))
        .bearer_auth(&office_token)
        .json(&json!({"reports": [item(0), item(1), item(2)]}))
        .send()
        .await
        .expect("accept");
    assert_eq!(r.status(), StatusCode::OK);
    let outcome: Value = r.json().await.expect("json");
    assert_eq!(outcome["accepted"].as_array().map(Vec::len), Some(2), "{outcome}");
    assert_eq!(outcome["skipped"][0]["unit"], "908", "{outcome}");
    for unit in ["899", "903"] {
        let report = app.api(&format!("/api/v1/reports/{unit}/2023-03-03"), &office_token).await;
        assert_eq!(report["report"]["status"], "accepted", "{unit}: {report}");
    }
    let report = app.api("/api/v1/reports/908/2023-03-03", &office_token).await;
    assert_eq!(report["report"]["status"], "returned");
    assert_eq!(app.api("/api/v1/review-queue", &office_token).await["items"].as_array().map(Vec::len), Some(0));
    let audit = app.api("/api/v1/audit?action=report.accept", &office_token).await;
    assert_eq!(audit["entries"].as_array().map(Vec::len), Some(2), "each acceptance is audited: {audit}");

    // A body of the wrong shape stores nothing.
    let r = app
        .client
        .post(format!("{}/api/v1/review-queue/accept", app.base))
        .bearer_auth(&office_token)
        .json(&json!({"reports": [], "all": true}))
        .send()
        .await
        .expect("accept");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_page_ticks_reports_and_accepts_them_without_javascript() {
    let now = chrono::DateTime::parse_from_rfc3339("2023-03-03T10:00:00+07:00").expect("time").to_utc();
    let app = spawn_app_at(now).await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let token = add_token(&app.db, office).await;
    for unit in ["899", "903"] {
        let r = app.submit(&token, unit, "2023-03-03", json!({"values": {"5": "10"}, "highlights": "Tuần đầu"})).await;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let client = browser();
    assert_eq!(app.login_form(&client, "vanphong", PW, "10.0.0.9").await.status(), StatusCode::SEE_OTHER);
    let html = client.get(format!("{}/review", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("Báo cáo chờ duyệt") && html.contains("href=\"/review\""), "menu link and title");
    assert!(html.contains("Báo cáo tuần đến 03/03/2023") && html.contains("Đúng hạn"));
    let picks: Vec<String> =
        html.split("name=\"r\" value=\"").skip(1).filter_map(|s| s.split('"').next().map(str::to_string)).collect();
    assert_eq!(picks.len(), 2, "{html}");
    let csrf = csrf_of(&html);
    let mut form = vec![("csrf".to_string(), csrf)];
    form.push(("r".to_string(), picks[0].clone()));
    let r = client.post(format!("{}/review/accept", app.base)).form(&form).send().await.expect("post");
    // Post/Redirect/Get: back to the queue, which says what was done (a reload posts nothing).
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().expect("location").to_string();
    assert!(location.starts_with("/review?") && location.contains("accepted=1"), "{location}");
    let html = client.get(format!("{}{location}", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("Đã duyệt số báo cáo: 1"), "the page says what it did");
    assert_eq!(html.matches("name=\"r\" value=\"").count(), 1, "one report left in the queue");
    // The same report ticked again (say from a second tab): not accepted twice, named.
    let r = client
        .post(format!("{}/review/accept", app.base))
        .form(&[("csrf", csrf_of(&html).as_str()), ("r", picks[0].as_str()), ("unit", "899")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().expect("location").to_string();
    assert!(location.contains("unit=899") && location.contains("accepted=0") && location.contains("skipped="));
    let again = client.get(format!("{}{location}", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(again.contains("Đã duyệt số báo cáo: 0") && again.contains("Các báo cáo sau chưa được duyệt"), "{again}");
    assert!(again.contains("đã thay đổi sau khi anh/chị mở danh sách"), "{again}");
    // Only ids travel in the address: a made-up text is never shown.
    let forged =
        crate::support::page_of(&client, &format!("{}/review?accepted=1&skipped=Goi%20so%20may%20nay", app.base)).await;
    assert!(!forged.contains("Goi so may nay"));
    // "Accept all" takes every report the officer was shown (here the one left).
    let r = client
        .post(format!("{}/review/accept", app.base))
        .form(&[("csrf", csrf_of(&html).as_str()), ("all", "1"), ("shown", picks[1].as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let location = r.headers()["location"].to_str().expect("location").to_string();
    let html = client.get(format!("{}{location}", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("Đã duyệt số báo cáo: 1") && html.contains("Không còn báo cáo nào chờ duyệt"), "{html}");
    // Nothing ticked: a clear message, nothing accepted.
    let r = client
        .post(format!("{}/review/accept", app.base))
        .form(&[("csrf", csrf_of(&html))])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Chưa chọn báo cáo nào"));
}
