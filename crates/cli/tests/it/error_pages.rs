//! An error page is no dead end: it keeps the user's menu and the simulated-data
//! banner, says what to do, and links back to the page the user came from.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;

use crate::support::{add_user, browser, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";

#[tokio::test]
async fn an_error_keeps_the_menu_says_what_to_do_and_links_back() {
    let app = spawn_app().await;
    add_user(&app.db, "dt.hondat", Role::Unit, &["903"], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, "dt.hondat", PW, "10.0.3.1").await.status(), StatusCode::SEE_OTHER);
    // A page this account may not open, reached from its home page.
    let r = client
        .get(format!("{}/admin/users", app.base))
        .header("referer", format!("{}/home", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let html = r.text().await.expect("body");
    assert!(html.contains("dt.hondat") && html.contains("action=\"/logout\""), "the user's menu stays: {html}");
    assert!(html.contains("liên hệ Ban Phong trào"), "says what to do");
    assert!(html.contains("href=\"/home\"") && html.contains("Quay lại trang trước"), "links back");
    // A page that does not exist, from another site: no link back there.
    let r = client
        .get(format!("{}/reports/903/2099-01-01", app.base))
        .header("referer", "https://evil.example/x")
        .send()
        .await
        .expect("get");
    assert!(r.status().is_client_error());
    let html = r.text().await.expect("body");
    assert!(!html.contains("evil.example") && html.contains("action=\"/logout\""));
}

#[tokio::test]
async fn a_bad_query_parameter_is_named_in_vietnamese_without_the_parsers_english() {
    let app = crate::support::spawn_app().await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let token = crate::support::add_token(&app.db, office).await;
    let r = app
        .client
        .get(format!("{}/api/v1/review-queue?late=khong", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let e: serde_json::Value = r.json().await.expect("json");
    let vi = e["error"]["message_vi"].as_str().unwrap_or_default();
    assert!(vi.contains("\"late\"") && !vi.contains("Failed") && !vi.contains("deserialize"), "{vi}");
    assert!(e["error"]["message_en"].as_str().is_some_and(|m| !m.is_empty()));
}
