//! Importing a plan document: a draft with its sources; nothing runs until confirmed.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const DOCX: &[u8] = include_bytes!("../../../domain/tests/fixtures/kien-giang-2023.docx");

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    app.upload(token, "/api/v1/plan/import", name, bytes).await
}

#[tokio::test]
async fn a_word_plan_becomes_a_reviewed_draft_and_runs_only_once_confirmed() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "vp.import", Role::Admin, &[], PW).await).await;
    let before = app.json("/api/v1/campaign").await["id"].clone();
    let (status, body) = upload(&app, &admin, "ke-hoach-2023.docx", DOCX.to_vec()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["checked"]["valid"], true, "{}", body["checked"]);
    assert_eq!(
        (
            body["checked"]["targets"].as_i64(),
            body["checked"]["indicators"].as_i64(),
            body["checked"]["events"].as_i64()
        ),
        (Some(18), Some(26), Some(10))
    );
    let findings = body["checked"]["findings_vi"].to_string();
    assert!(findings.contains("Không có chỉ tiêu số 3") && findings.contains("30/03/2023"), "{findings}");
    // Each value keeps the sentence it came from.
    let items = body["review"]["items"].as_array().expect("items");
    let trees = items.iter().find(|i| i["value"] == "20000" || i["value"] == "20000.0").expect("the trees goal");
    assert!(trees["source"].as_str().unwrap_or("").contains("20.000 cây xanh"), "{trees}");
    // Nothing runs yet.
    assert_eq!(app.json("/api/v1/campaign").await["id"], before);
    // The reviewer edits the file (a code of its own) and confirms.
    let id = body["id"].as_i64().expect("id");
    let toml = body["review"]["toml"].as_str().expect("toml");
    let code_line = toml.lines().find(|l| l.starts_with("code = ")).expect("code line");
    let edited = toml.replacen(code_line, "code = \"kg-ttn-2023-nhap-tu-van-ban\"", 1);
    let r = app
        .client
        .post(format!("{}/api/v1/plan/import/{id}/confirm", app.base))
        .bearer_auth(&admin)
        .json(&json!({"toml": edited}))
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), 200, "{:?}", r.text().await);
    let now = app.json("/api/v1/campaign").await;
    assert_ne!(now["id"], before);
    assert_eq!(now["plan"]["campaign"]["code"], "kg-ttn-2023-nhap-tu-van-ban");
    assert_eq!(app.json("/api/v1/targets").await["targets"].as_array().map(Vec::len), Some(18));
}

#[tokio::test]
async fn a_broken_plan_cannot_be_confirmed_and_bad_files_are_refused() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "vp.import", Role::Admin, &[], PW).await).await;
    let unit = add_token(&app.db, add_user(&app.db, "dv.import", Role::Unit, &["899"], PW).await).await;
    assert_eq!(upload(&app, &unit, "kh.txt", b"KE HOACH".to_vec()).await.0, StatusCode::FORBIDDEN);
    let (status, body) = upload(&app, &admin, "kh.docx", b"not a zip".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = upload(&app, &admin, "kh.pdf", b"%PDF-1.4".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // A truncated document still gives a draft, with its problems named; it cannot run.
    let text = std::str::from_utf8(include_bytes!("../../../domain/tests/fixtures/kien-giang-2023.txt")).expect("utf8");
    let cut = &text[..text.find("III. CHỈ TIÊU").unwrap_or(text.len() / 2)];
    let (status, body) = upload(&app, &admin, "kh.txt", cut.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["checked"]["valid"], false);
    let id = body["id"].as_i64().expect("id");
    let r = app
        .client
        .post(format!("{}/api/v1/plan/import/{id}/confirm", app.base))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .expect("confirm");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.json("/api/v1/targets").await["targets"].as_array().map(Vec::len),
        Some(18),
        "the running plan is unchanged"
    );
}
