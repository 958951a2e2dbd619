//! Reminders as the office sends them: one list of every reminder sent, any week that
//! has begun, and a repeat within the hour asked before it is sent.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app_at};

const PW: &str = "mat-khau-thu-nghiem-1";

#[tokio::test]
async fn the_office_reminds_any_past_week_sees_every_reminder_and_is_asked_before_a_repeat() {
    let now = chrono::DateTime::parse_from_rfc3339("2023-03-16T09:00:00+07:00").expect("time").to_utc();
    let app = spawn_app_at(now).await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let token = add_token(&app.db, office).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "vanphong", PW, "10.0.2.1").await.status(), StatusCode::SEE_OTHER);
    let page =
        client.get(format!("{}/admin/reminders", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("href=\"/admin/reminders\""), "the menu leads here");
    assert!(page.contains("Văn phòng chưa gửi lời nhắc nào"));
    // Week 1 is long past: Hòn Đất is reminded of it from this page.
    let csrf = csrf_of(&page);
    let send = |extra: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("csrf", csrf.clone()), ("period", "2023-03-03".to_string()), ("unit", "903".to_string())];
        form.extend(extra.into_iter().map(|(k, v)| (k, v.to_string())));
        client.post(format!("{}/admin/reminders/send", app.base)).form(&form).send()
    };
    let r = send(vec![]).await.expect("send");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("Đã gửi nhắc nhở đến số đơn vị: 1"), "{html}");
    assert!(html.contains("Huyện đoàn Hòn Đất") && html.contains("16/03/2023"), "listed with its time");
    // A second send within the hour asks first and sends nothing.
    let r = send(vec![]).await.expect("send");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.expect("body");
    assert!(html.contains("đã được nhắc báo cáo tuần 1 lúc") && html.contains("name=\"confirm\""), "{html}");
    assert_eq!(app.api("/api/v1/reminders?unit=903", &token).await["reminders"].as_array().map(Vec::len), Some(1));
    let r = send(vec![("confirm", "on")]).await.expect("send");
    assert_eq!(r.status(), 200);
    assert_eq!(app.api("/api/v1/reminders?unit=903", &token).await["reminders"].as_array().map(Vec::len), Some(2));
    // The API asks the same way.
    let post = |body: serde_json::Value| {
        app.client.post(format!("{}/api/v1/reminders", app.base)).bearer_auth(&token).json(&body).send()
    };
    let r = post(json!({"unit": "903", "period_end": "2023-03-03"})).await.expect("post");
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = post(json!({"unit": "903", "period_end": "2023-03-03", "confirm": true})).await.expect("post");
    assert_eq!(r.status(), 200);
    // A reminder sent from the dashboard appears in the same list.
    let dash = client
        .get(format!("{}/dashboard?unit=904&at=2023-03-10", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let r = client
        .post(format!("{}/dashboard/remind", app.base))
        .form(&[("csrf", csrf_of(&dash).as_str()), ("unit", "904"), ("period", "2023-03-10"), ("at", "2023-03-10")])
        .send()
        .await
        .expect("remind");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page =
        client.get(format!("{}/admin/reminders", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("Huyện đoàn Tân Hiệp") && page.contains("Tuần 2 (10/03/2023)"), "{page}");
}
