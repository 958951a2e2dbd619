//! Deactivating and moving units: asked before it is done, marked wherever the unit
//! is listed, and no longer counted in the totals.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";

#[tokio::test]
async fn deactivating_asks_first_then_marks_the_unit_and_stops_counting_it() {
    let app = spawn_app().await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let token = add_token(&app.db, office).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "vanphong", PW, "10.0.0.5").await.status(), StatusCode::SEE_OTHER);
    let expected_before = app.api("/api/v1/progress?at=2023-03-03", &token).await["timeliness"][0]["expected"].clone();
    let units_before = app.text("/units").await;
    let form =
        client.get(format!("{}/units/903/edit", app.base)).send().await.expect("get").text().await.expect("body");
    let csrf = csrf_of(&form);

    // Unticking "active" first shows what it will do; nothing changes yet.
    let r = client
        .post(format!("{}/units/903/edit", app.base))
        .form(&[("csrf", csrf.as_str()), ("name", "Huyện đoàn Hòn Đất"), ("parent_code", "91")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("không còn phải báo cáo")
            && html.contains("đơn vị trực thuộc")
            && html.contains("name=\"confirm\""),
        "{html}"
    );
    assert!(phongtrao_storage::units::by_code(&app.db, "903").await.expect("q").expect("903").active, "not yet");

    // Confirmed: done.
    let r = client
        .post(format!("{}/units/903/edit", app.base))
        .form(&[("csrf", csrf.as_str()), ("name", "Huyện đoàn Hòn Đất"), ("parent_code", "91"), ("confirm", "on")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!phongtrao_storage::units::by_code(&app.db, "903").await.expect("q").expect("903").active);

    // Marked on its parent's page and in the search; no longer in the totals.
    let parent = client.get(format!("{}/units/91", app.base)).send().await.expect("get").text().await.expect("body");
    let line = parent.split("href=\"/units/903\"").nth(1).and_then(|s| s.split("</li>").next()).expect("listed");
    assert!(line.contains("ngừng hoạt động"), "{line}");
    let found = app.text("/units?q=hon%20dat").await;
    assert!(found.contains("class=\"inactive\""), "search marks it");
    let units_after = app.text("/units").await;
    assert!(units_after.contains("đã ngừng hoạt động: 1") && !units_before.contains("đã ngừng hoạt động"));
    let expected_after = app.api("/api/v1/progress?at=2023-03-03", &token).await["timeliness"][0]["expected"].clone();
    assert_eq!(expected_after.as_i64(), expected_before.as_i64().map(|n| n - 1), "one unit fewer expected to report");

    // Moving a unit asks first as well.
    let r = client
        .post(format!("{}/units/30730/edit", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Đoàn phường Vĩnh Thanh Vân"),
            ("parent_code", "904"),
            ("active", "on"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("Chuyển") && html.contains("name=\"confirm\""), "{html}");
}

#[tokio::test]
async fn the_audit_log_is_filtered_by_a_units_name_as_typed() {
    let app = crate::support::spawn_app().await;
    add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "vanphong", PW, "10.0.4.1").await.status(), StatusCode::SEE_OTHER);
    let form =
        client.get(format!("{}/units/903/edit", app.base)).send().await.expect("get").text().await.expect("body");
    let r = client
        .post(format!("{}/units/903/edit", app.base))
        .form(&[
            ("csrf", csrf_of(&form).as_str()),
            ("name", "Huyện đoàn Hòn Đất mới"),
            ("parent_code", "91"),
            ("active", "on"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Typed as an officer would, without accents: found, not "not found".
    let r = client.get(format!("{}/audit?unit=hon%20dat", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("Hòn Đất mới"), "{html}");
    let r = client.get(format!("{}/audit?unit=khong%20co%20don%20vi%20nay", app.base)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("body").contains("Không tìm thấy đơn vị"));
}
