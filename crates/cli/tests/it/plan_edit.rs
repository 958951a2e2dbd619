//! The plan editor (issue 20): an imported document, a new plan and their checks as
//! the office sees them; nothing runs while a field is missing or a placeholder.

use std::io::{Read, Write};

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const DOCX: &[u8] = include_bytes!("../../../domain/tests/fixtures/kien-giang-2023.docx");

/// The 2023 plan as a .docx with some of its words replaced (in word/document.xml).
pub fn docx_with(replacements: &[(&str, &str)]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(DOCX)).expect("docx");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let name = file.name().expect("name").to_string();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).expect("read");
        if name == "word/document.xml" {
            let mut text = String::from_utf8(bytes).expect("utf8");
            for (from, to) in replacements {
                assert!(text.contains(from), "the fixture has {from}");
                text = text.replace(from, to);
            }
            bytes = text.into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default()).expect("start");
        out.write_all(&bytes).expect("write");
    }
    out.finish().expect("zip").into_inner()
}

pub(crate) async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = app.client.request(method, format!("{}{path}", app.base)).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn errors_on<'a>(draft: &'a Value, path: &str) -> Vec<&'a str> {
    draft["notes"]
        .as_array()
        .map(|a| {
            a.iter().filter(|n| n["path"] == path && n["error"] == true).filter_map(|n| n["vi"].as_str()).collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_imported_draft_with_a_missing_goal_and_signatory_runs_only_once_both_are_filled_in() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "vp.editor", Role::Admin, &[], PW).await).await;
    let before = app.json("/api/v1/campaign").await["id"].clone();
    let bytes = docx_with(&[("20.000 cây xanh", "nhiều cây xanh"), ("Phan Đình Nhân", "")]);
    let (status, body) = app.upload(&admin, "/api/v1/plan/import", "ke-hoach-thieu.docx", bytes).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_i64().expect("id");

    let (status, draft) = send(&app, reqwest::Method::GET, &format!("/api/v1/plan/drafts/{id}"), &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{draft}");
    assert_eq!(draft["mode"], "import");
    assert_eq!(draft["valid"], false);
    // The missing signatory is named on its field, in words.
    let signatory = errors_on(&draft, "campaign.signatory.name");
    assert!(!signatory.is_empty(), "{}", draft["notes"]);
    // The target without a number has no invented goal: its goal field is empty and an error.
    let edit = draft["edit"].clone();
    let trees = edit["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .position(|t| t["text"].as_str().unwrap_or("").contains("nhiều cây xanh"))
        .expect("the trees target");
    assert_eq!(edit["targets"][trees]["indicators"][0]["goal"], "", "never a goal of 0");
    let goal_path = format!("targets[{trees}].indicators[0].goal");
    assert!(!errors_on(&draft, &goal_path).is_empty(), "{}", draft["notes"]);
    let field = draft["notes"]
        .as_array()
        .and_then(|a| a.iter().find(|n| n["path"] == goal_path.as_str()))
        .and_then(|n| n["field_vi"].as_str())
        .unwrap_or_default()
        .to_string();
    assert!(field.starts_with("Chỉ tiêu 5") && field.ends_with("mục tiêu"), "{field}");

    // Confirming now is refused and nothing runs.
    let (status, refused) =
        send(&app, reqwest::Method::POST, &format!("/api/v1/plan/drafts/{id}/confirm"), &admin, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["error"]["message_vi"].as_str().unwrap_or("").contains("Kế hoạch còn"), "{refused}");
    assert_eq!(app.json("/api/v1/campaign").await["id"], before);

    // A goal typed the Vietnamese way and a name: the plan is valid and runs.
    let mut fixed = edit.clone();
    fixed["targets"][trees]["indicators"][0]["goal"] = json!("20.000");
    fixed["targets"][trees]["indicators"][0]["unit_label"] = json!("cây");
    fixed["targets"][trees]["indicators"][0]["label"] = json!("Cây xanh trồng mới và chăm sóc");
    fixed["campaign"]["signatory_name"] = json!("Phan Đình Nhân");
    fixed["campaign"]["code"] = json!("kg-ttn-2023-tu-trinh-soan-thao");
    let (status, saved) =
        send(&app, reqwest::Method::PUT, &format!("/api/v1/plan/drafts/{id}"), &admin, Some(fixed)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["valid"], true, "{}", saved["notes"]);
    let (status, started) =
        send(&app, reqwest::Method::POST, &format!("/api/v1/plan/drafts/{id}/confirm"), &admin, None).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    assert_eq!(started["code"], "kg-ttn-2023-tu-trinh-soan-thao");
    let now = app.json("/api/v1/campaign").await;
    assert_ne!(now["id"], before);
    assert_eq!(now["plan"]["campaign"]["signatory"]["name"], "Phan Đình Nhân");
    let goal = now["plan"]["targets"]
        .as_array()
        .and_then(|a| a.iter().find(|t| t["number"] == 5))
        .map(|t| t["indicators"][0]["goal"].clone());
    assert_eq!(goal, Some(json!(20000.0)));
    // A confirmed draft is gone.
    let (status, _) = send(&app, reqwest::Method::GET, &format!("/api/v1/plan/drafts/{id}"), &admin, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_new_plan_takes_the_offices_header_and_every_bad_field_is_named_where_it_is() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "vp.editor", Role::Admin, &[], PW).await).await;
    let (status, draft) = send(&app, reqwest::Method::POST, "/api/v1/plan/drafts", &admin, None).await;
    assert_eq!(status, StatusCode::CREATED, "{draft}");
    assert_eq!(draft["mode"], "new");
    assert_eq!(draft["edit"]["campaign"]["signatory_name"], "Phan Đình Nhân", "the header of the running plan");
    let id = draft["id"].as_i64().expect("id");
    let mut edit = draft["edit"].clone();
    edit["campaign"]["title"] = json!("Kế hoạch Tháng Thanh niên năm 2027");
    edit["campaign"]["theme"] = json!("Tuổi trẻ Kiên Giang xung kích");
    edit["campaign"]["year"] = json!("2027");
    edit["campaign"]["starts_on"] = json!("01/03/2027");
    edit["campaign"]["ends_on"] = json!("31/02/2027");
    edit["target_groups"] = json!([{"title": "Nhóm chỉ tiêu về tình nguyện"}]);
    edit["targets"] = json!([{"number": "1", "text": "Trồng 10.000 cây xanh.", "indicators": [
        {"label": "Cây xanh trồng mới", "kind": "count", "comparison": ">=", "goal": "mười nghìn", "unit_label": "cây"},
        {"label": "Đoàn viên tham gia", "kind": "percent_of_base", "comparison": ">=", "goal": "80%"}
    ]}]);
    edit["reporting"]["first_period_end"] = json!("05/03/2027");
    edit["reporting"]["last_period_end"] = json!("26/03/2027");
    edit["reporting"]["due_time"] = json!("16 giờ");
    let (status, checked) =
        send(&app, reqwest::Method::PUT, &format!("/api/v1/plan/drafts/{id}"), &admin, Some(edit.clone())).await;
    assert_eq!(status, StatusCode::OK, "{checked}");
    assert_eq!(checked["valid"], false);
    for path in [
        "campaign.ends_on",
        "targets[0].indicators[0].goal",
        "targets[0].indicators[1].base",
        "reporting.weekly.due_time",
    ] {
        assert!(!errors_on(&checked, path).is_empty(), "{path}: {}", checked["notes"]);
    }
    // Keys come from the document's words, never typed by the office.
    assert_eq!(checked["edit"]["campaign"]["code"], "ke-hoach-thang-thanh-nien-nam-2027");
    assert_eq!(checked["edit"]["targets"][0]["indicators"][1]["key"], "1b");
    assert_eq!(checked["edit"]["targets"][0]["group"], "nhom-chi-tieu-ve-tinh-nguyen");

    let mut fixed = checked["edit"].clone();
    fixed["campaign"]["ends_on"] = json!("31/03/2027");
    fixed["targets"][0]["indicators"][0]["goal"] = json!("10.000");
    fixed["targets"][0]["indicators"][1]["base"] = json!("doan_vien");
    fixed["reporting"]["due_time"] = json!("16:00");
    let (status, checked) =
        send(&app, reqwest::Method::PUT, &format!("/api/v1/plan/drafts/{id}"), &admin, Some(fixed)).await;
    assert_eq!(status, StatusCode::OK, "{checked}");
    assert_eq!(checked["valid"], true, "{}", checked["notes"]);
    let (status, started) =
        send(&app, reqwest::Method::POST, &format!("/api/v1/plan/drafts/{id}/confirm"), &admin, None).await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let c = app.json("/api/v1/campaign?campaign=ke-hoach-thang-thanh-nien-nam-2027").await;
    assert_eq!(c["plan"]["targets"][0]["indicators"][0]["goal"], json!(10000.0), "{c}");
    assert_eq!(c["plan"]["campaign"]["year"], 2027);
    // The audit log has the new campaign.
    let audit = app.api("/api/v1/audit?action=campaign.activate", &admin).await;
    assert!(audit.to_string().contains("ke-hoach-thang-thanh-nien-nam-2027"), "{audit}");
}

#[tokio::test]
async fn drafts_are_the_offices_own_and_the_old_address_leads_to_the_editor() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "vp.editor", Role::Admin, &[], PW).await).await;
    let other = add_token(&app.db, add_user(&app.db, "vp.khac", Role::Admin, &[], PW).await).await;
    let unit = add_token(&app.db, add_user(&app.db, "dv.editor", Role::Unit, &["899"], PW).await).await;
    let (status, draft) = send(&app, reqwest::Method::POST, "/api/v1/plan/drafts", &admin, None).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = draft["id"].as_i64().expect("id");
    let (status, _) = send(&app, reqwest::Method::POST, "/api/v1/plan/drafts", &unit, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(&app, reqwest::Method::GET, &format!("/api/v1/plan/drafts/{id}"), &unit, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(&app, reqwest::Method::GET, &format!("/api/v1/plan/drafts/{id}"), &other, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another account's draft is not shown");
    let (status, body) = send(
        &app,
        reqwest::Method::PUT,
        &format!("/api/v1/plan/drafts/{id}"),
        &admin,
        Some(json!({"campaign": {"title": 5}})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a number where a text goes: {body}");
    let many: Vec<Value> = (0..400).map(|n| json!({"number": n.to_string()})).collect();
    let (status, body) =
        send(&app, reqwest::Method::PUT, &format!("/api/v1/plan/drafts/{id}"), &admin, Some(json!({"targets": many})))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "400 targets: {body}");
    let (_, kept) = send(&app, reqwest::Method::GET, &format!("/api/v1/plan/drafts/{id}"), &admin, None).await;
    assert_eq!(kept["edit"]["targets"].as_array().map(Vec::len), Some(0), "nothing stored");
    let r = app.client.get(format!("{}/admin/plan/import/{id}", app.base)).send().await.expect("old address");
    assert!(r.status().is_redirection() || r.url().path().starts_with("/login"), "{}", r.status());
}

#[tokio::test]
async fn targets_suggested_from_a_news_article_are_never_confirmed_until_a_person_types_each_goal() {
    let app = spawn_app().await;
    add_user(&app.db, "vp.tinbai", Role::Admin, &[], PW).await;
    let text = include_bytes!("../../../domain/tests/fixtures/tin-bai-ra-quan-thang-thanh-nien.txt");
    let client = crate::support::browser();
    let r = app.login_form(&client, "vp.tinbai", PW, "10.20.0.1").await;
    assert_eq!(r.status(), 303);
    let page =
        client.get(format!("{}/admin/plan/import", app.base)).send().await.expect("page").text().await.expect("body");
    let form = reqwest::multipart::Form::new()
        .text("csrf", crate::support::csrf_of(&page))
        .part("file", reqwest::multipart::Part::bytes(text.to_vec()).file_name("tin-bai.txt"));
    let r = client.post(format!("{}/admin/plan/import", app.base)).multipart(form).send().await.expect("upload");
    let to = r.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(to.starts_with("/admin/plan/drafts/"), "{}", r.status());
    let html = client.get(format!("{}{to}", app.base)).send().await.expect("editor").text().await.expect("body");
    // Each suggested goal is an empty field with an error, the figure read beside it.
    assert!(html.contains("Chỉ tiêu gợi ý từ nội dung văn bản"), "the group says they are suggestions");
    assert!(html.contains("Văn bản ghi: 5.000"), "the figure read is shown beside the empty goal");
    assert!(html.contains("Chưa có mục tiêu"), "the goal is an error until typed");
    assert!(html.contains("Giá trị đọc chưa chắc chắn"), "listed at the top as low confidence");
    assert!(!html.contains("value=\"5.000\""), "never filled in for the reviewer");
}
