//! A unit's contact: kept by the unit and the office, shown with a tel: link to those
//! who may read the unit, never to anonymous visitors; bad fields named, nothing stored.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{add_token, add_user, spawn_app};

const PW: &str = "mat-khau-thu-nghiem-1";

#[tokio::test]
async fn a_units_contact_is_kept_by_the_unit_and_read_by_the_office_only() {
    let app = spawn_app().await;
    let reporter = add_user(&app.db, "dt.rachgia", Role::Unit, &["899"], PW).await;
    let reporter_token = add_token(&app.db, reporter).await;
    let other = add_user(&app.db, "dt.hondat", Role::Unit, &["903"], PW).await;
    let other_token = add_token(&app.db, other).await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], PW).await;
    let office_token = add_token(&app.db, office).await;
    let put = |token: String, body: serde_json::Value| {
        let (client, url) = (app.client.clone(), format!("{}/api/v1/units/899/contact", app.base));
        async move { client.put(url).bearer_auth(token).json(&body).send().await.expect("put") }
    };
    let r = put(reporter_token.clone(), json!({"secretary": "Nguyễn Văn A", "phone": "0297 3862 123", "email": "sai"}))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let e: serde_json::Value = r.json().await.expect("json");
    assert!(e["error"]["message_vi"].as_str().is_some_and(|m| m.contains("\"sai\"")), "{e}");
    assert_eq!(app.api("/api/v1/units/899/contact", &office_token).await["secretary"], "", "nothing stored");
    let r = put(
        reporter_token.clone(),
        json!({"secretary": "Nguyễn Văn A", "phone": "0297 3862 123", "note": "Gọi sau 17h"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = put(other_token.clone(), json!({"secretary": "Kẻ khác"})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "another district cannot write it");
    let seen = app.api("/api/v1/units/899/contact", &office_token).await;
    assert_eq!(seen["phone"], "0297 3862 123");
    let r = app
        .client
        .get(format!("{}/api/v1/units/899/contact", app.base))
        .bearer_auth(&other_token)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let audit = app.api("/api/v1/audit?action=unit.contact", &office_token).await;
    assert_eq!(audit["entries"].as_array().map(Vec::len), Some(1));
    // The unit page shows it with a tel: link to a logged-in office, not to anonymous visitors.
    let anonymous = app.text("/units/899").await;
    assert!(!anonymous.contains("0297 3862 123"));
    let client = crate::support::browser();
    add_user(&app.db, "vanphong2", Role::Admin, &[], PW).await;
    assert_eq!(app.login_form(&client, "vanphong2", PW, "10.0.0.4").await.status(), StatusCode::SEE_OTHER);
    let page = client.get(format!("{}/units/899", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("href=\"tel:02973862123\"") && page.contains("Nguyễn Văn A"), "{page}");
}
