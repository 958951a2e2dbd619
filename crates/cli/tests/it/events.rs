//! The campaign's events are run, not just listed: the office records the province
//! events, each unit its own launch and closing; bad records are refused in words.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, csrf_of, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";

#[tokio::test]
async fn the_office_and_the_units_record_what_happened_at_each_event() {
    let app = spawn_app().await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let office_token = add_token(&app.db, office).await;
    let reporter = add_user(&app.db, "dt.hondat", Role::Unit, &["903"], PW).await;
    let reporter_token = add_token(&app.db, reporter).await;
    let put = |token: &str, path: &str, body: Value| {
        let (client, url, token) = (app.client.clone(), format!("{}{path}", app.base), token.to_string());
        async move { client.put(url).bearer_auth(token).json(&body).send().await.expect("put") }
    };
    let all = app.api("/api/v1/events", &office_token).await;
    assert_eq!(all["province"].as_array().map(Vec::len), Some(10), "the plan's ten province events");
    assert_eq!(all["province"][0]["status"], "planned");
    let districts = all["units"].as_array().expect("units").len();
    assert!(districts >= 15, "every reporting unit has its launch and closing: {districts}");

    // The office records event 1 as held; a postponed one needs its reason.
    let r = put(&office_token, "/api/v1/events/1", json!({"status": "held", "held_on": "2023-02-24", "place": "Huyện An Minh", "participants": 1200, "results": "Ra quân Tháng Thanh niên", "host_unit": "906"})).await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    let r = put(&office_token, "/api/v1/events/2", json!({"status": "postponed"})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: Value = r.json().await.expect("json");
    assert!(e["error"]["message_vi"].as_str().is_some_and(|m| m.contains("lý do")), "{e}");
    let r = put(&reporter_token, "/api/v1/events/3", json!({"status": "held", "held_on": "2023-03-26"})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a unit does not record the province's events");

    // A unit records its own launch, never another unit's.
    let r = put(
        &reporter_token,
        "/api/v1/events/units/903/launch",
        json!({"status": "held", "held_on": "2023-03-02", "participants": 350, "place": "Thị trấn Hòn Đất"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap_or_default());
    let r = put(&reporter_token, "/api/v1/events/units/899/launch", json!({"status": "held", "held_on": "2023-03-02"}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = put(&reporter_token, "/api/v1/events/units/903/party", json!({"status": "held", "held_on": "2023-03-02"}))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let all = app.api("/api/v1/events", &office_token).await;
    assert_eq!(all["province"][0]["status"], "held");
    assert_eq!(all["province"][0]["participants"], 1200);
    let hondat = all["units"].as_array().and_then(|u| u.iter().find(|u| u["unit"] == "903")).expect("903");
    assert_eq!(hondat["launch"]["participants"], 350);
    assert!(hondat["closing"].is_null());
    let audit = app.api("/api/v1/audit?action=event.record", &office_token).await;
    assert_eq!(audit["entries"].as_array().map(Vec::len), Some(1));

    // The page shows the statuses in words and records without JavaScript.
    let client = browser();
    assert_eq!(app.login_form(&client, "dt.hondat", PW, "10.0.0.6").await.status(), StatusCode::SEE_OTHER);
    let html = client.get(format!("{}/events", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("Đã tổ chức") && html.contains("24/02/2023") && html.contains("1.200 người"), "{html}");
    assert_eq!(html.matches("action=\"/events/1\"").count(), 0, "no province form for a unit reporter");
    // The host unit by its name, not its code.
    let host = phongtrao_storage::units::by_code(&app.db, "906").await.expect("query").expect("906").name;
    assert!(html.contains(&format!("Đơn vị tổ chức: {host}")), "{html}");
    assert!(!html.contains("(mã): 906"), "no raw code on the page");
    assert!(html.contains("action=\"/events/units/903/closing\""));
    let r = client
        .post(format!("{}/events/units/903/closing", app.base))
        .form(&[
            ("csrf", csrf_of(&html).as_str()),
            ("status", "held"),
            ("held_on", "2023-04-07"),
            ("participants", "1.050"),
            ("results", "Tổng kết, khen thưởng 12 tập thể"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html =
        client.get(format!("{}/events?saved=1", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(html.contains("Đã lưu kết quả hoạt động") && html.contains("1.050 người") && html.contains("07/04/2023"));

    // The calendar shows what became of each event, and leads to it.
    let calendar = app.text("/calendar").await;
    assert!(calendar.contains("href=\"/events#e1\"") && calendar.contains("— Đã tổ chức"), "{calendar}");

    // The final report tells what was held, and which launches were.
    let (status, _, _, bytes) =
        crate::documents::download(&app, &office_token, "/api/v1/exports/final-report.docx?at=2023-04-10").await;
    assert_eq!(status, 200);
    let text = crate::documents::docx_text(&bytes);
    assert!(text.contains("Kết quả tổ chức các hoạt động cấp tỉnh"), "{text}");
    assert!(
        text.contains("Đã tổ chức ngày 24/02/2023 tại Huyện An Minh, 1.200 người tham gia. Ra quân Tháng Thanh niên."),
        "{text}"
    );
    assert!(text.contains("Chưa tổ chức."), "events not recorded say so");
    assert!(text.contains("Lễ ra quân: 1/") && text.contains("đơn vị đã tổ chức, 350 người tham gia"), "{text}");
    assert!(text.contains("Tổng kết: 1/") && text.contains("1.050 người tham gia"), "{text}");
}

/// The built-in plan spells the honour of event 2 with its accent: "Gương mặt trẻ
/// tiêu biểu" on the events page, in the API and in the final report.
#[tokio::test]
async fn the_honours_of_the_built_in_plan_are_spelled_right() {
    let app = spawn_app().await;
    let office = add_token(&app.db, add_user(&app.db, "vanphong.gm", Role::Admin, &[], PW).await).await;
    let all = app.api("/api/v1/events", &office).await;
    let titles = all["province"].to_string();
    assert!(titles.contains("“Gương mặt trẻ tiêu biểu”"), "{titles}");
    assert!(!titles.contains("Guong"), "{titles}");
    let html = app.office_page("/events").await;
    assert!(html.contains("“Gương mặt trẻ tiêu biểu”"), "the events page");
    assert!(!html.contains("Guong"), "the events page");
    let (status, _, _, bytes) =
        crate::documents::download(&app, &office, "/api/v1/exports/final-report.docx?at=2023-04-10").await;
    assert_eq!(status, 200);
    let text = crate::documents::docx_text(&bytes);
    assert!(text.contains("“Gương mặt trẻ tiêu biểu”"), "{text}");
    assert!(!text.contains("Guong"), "{text}");
}
