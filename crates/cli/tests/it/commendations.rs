//! Commendations (khen thưởng): award forms with eligibility from the emulation
//! ranking, nominations proposed by units for their subtree and reviewed up the
//! tree, the proposal / list / decision documents; and the reminders before the
//! self-assessment deadline.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app_at, spawn_on_at};

const PW: &str = "mat-khau-thu-nghiem-1";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

async fn call(
    base: &str,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let client = reqwest::Client::new();
    let mut r = client.request(method, format!("{base}{path}")).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn get(base: &str, path: &str, token: &str) -> Value {
    let (status, v) = call(base, reqwest::Method::GET, path, token, None).await;
    assert_eq!(status, StatusCode::OK, "GET {path}: {v}");
    v
}

async fn put(base: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(base, reqwest::Method::PUT, path, token, Some(body)).await
}

async fn post(base: &str, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    call(base, reqwest::Method::POST, path, token, Some(body)).await
}

async fn bytes(base: &str, path: &str, token: &str) -> (StatusCode, Vec<u8>) {
    let r = reqwest::Client::new().get(format!("{base}{path}")).bearer_auth(token).send().await.expect("request");
    let status = r.status();
    (status, r.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
}

/// Attaches a small photo to an owner ("nomination:UNIT:ID") through the API.
async fn attach(base: &str, token: &str, owner: &str, caption: &str) -> (StatusCode, Value) {
    let form =
        reqwest::multipart::Form::new().text("owner", owner.to_string()).text("caption", caption.to_string()).part(
            "file",
            reqwest::multipart::Part::bytes(crate::attachments::photo(320, 200)).file_name("anh.jpg".to_string()),
        );
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/attachments"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("attach");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn candidate<'a>(list: &'a Value, form: &str, unit: &str) -> &'a Value {
    list["candidates"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["form"]["name"] == form))
        .and_then(|f| f["candidates"].as_array())
        .and_then(|c| c.iter().find(|c| c["unit"] == unit))
        .unwrap_or_else(|| panic!("candidate {unit} for {form}: {list}"))
}

fn form_id(forms: &Value, name: &str) -> i64 {
    forms["forms"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == name))
        .and_then(|f| f["id"].as_i64())
        .expect("form")
}

#[tokio::test]
async fn eligible_collectives_are_proposed_nominations_are_reviewed_up_the_tree_and_the_documents_list_the_accepted() {
    // Week 1 is due on 03/03/2023 at 16:00. Kiên Lương reports before it, on a server
    // whose clock is Friday morning; Rạch Giá after it, on one whose clock is Saturday.
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "k.admin", Role::Admin, &[], PW).await).await;
    let steering = add_token(db, add_user(db, "k.bcd", Role::Steering, &[], PW).await).await;
    let rach_gia = add_token(db, add_user(db, "k.899", Role::Unit, &["899"], PW).await).await;
    let ha_tien = add_token(db, add_user(db, "k.900", Role::Unit, &["900"], PW).await).await;
    let kien_luong = add_token(db, add_user(db, "k.902", Role::Unit, &["902"], PW).await).await;
    let ward = add_token(db, add_user(db, "k.30730", Role::Unit, &["30730"], PW).await).await;
    let r = app.submit(&kien_luong, "902", "2023-03-03", json!({"values": {"5": "100"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let base = spawn_on_at(db.clone(), vn(2023, 3, 4, 10, 0)).await;
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/reports/899/2023-03-03/submit"))
        .bearer_auth(&rach_gia)
        .json(&json!({"version": 0, "input": {"values": {"5": "100"}}}))
        .send()
        .await
        .expect("submit");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let b = base.as_str();

    // One self-assessed criterion of 100 points; the three districts in one cluster.
    let sheet = json!({"criteria": [{"number": "1", "title": "Tổ chức các hoạt động hưởng ứng", "max_points": 100, "rule": {"kind": "assessed"}}]});
    assert_eq!(put(b, "/api/v1/emulation/criteria", &admin, sheet).await.0, StatusCode::OK);
    let clusters = json!({"clusters": [{"name": "Cụm 1", "units": ["899", "900", "902"]}]});
    assert_eq!(put(b, "/api/v1/emulation/clusters", &admin, clusters).await.0, StatusCode::OK);
    for (code, token, points) in [("899", &rach_gia, 90), ("900", &ha_tien, 60), ("902", &kien_luong, 85)] {
        let body = json!({"scores": [{"criterion": "1", "points": points, "evidence": "Báo cáo kết quả"}]});
        let (status, v) = put(b, &format!("/api/v1/emulation/self?unit={code}"), token, body).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let review = json!({"reviews": [{"criterion": "1", "points": points}]});
        let (status, v) = put(b, &format!("/api/v1/emulation/review?unit={code}"), &steering, review).await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }

    // The forms: a unit cannot set them; the default set carries the plan's honours.
    let (status, _) = post(b, "/api/v1/emulation/awards/default", &rach_gia, json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let forms = json!({"forms": [
        {"name": "Bằng khen của BCH Tỉnh đoàn", "target": "collective", "max_rank": 3, "min_points": 70, "all_on_time": true, "quota": 1},
        {"name": "Gương mặt trẻ tiêu biểu", "target": "individual", "quota": 1},
        {"name": "Giấy khen của BCH Tỉnh đoàn", "target": "collective", "min_points": 50}
    ]});
    let (status, forms) = put(b, "/api/v1/emulation/awards", &admin, forms).await;
    assert_eq!(status, StatusCode::OK, "{forms}");
    let bang_khen = form_id(&forms, "Bằng khen của BCH Tỉnh đoàn");
    let guong_mat = form_id(&forms, "Gương mặt trẻ tiêu biểu");
    let giay_khen = form_id(&forms, "Giấy khen của BCH Tỉnh đoàn");

    // Eligibility from the ranking: Kiên Lương (85, on time) is proposed; Rạch Giá
    // (90, first) reported late; Hà Tiên is below the minimum. Each says why.
    let list = get(b, "/api/v1/emulation/nominations", &admin).await;
    let kl = candidate(&list, "Bằng khen của BCH Tỉnh đoàn", "902");
    assert_eq!(kl["eligible"], true, "{kl}");
    let rg = candidate(&list, "Bằng khen của BCH Tỉnh đoàn", "899");
    assert_eq!(rg["eligible"], false);
    assert!(rg["reasons_vi"][0].as_str().unwrap_or_default().contains("1 báo cáo trễ hạn"), "{rg}");
    let ht = candidate(&list, "Bằng khen của BCH Tỉnh đoàn", "900");
    assert_eq!(ht["eligible"], false);
    assert!(ht["reasons_vi"].to_string().contains("đạt 60 điểm, cần tối thiểu 70"), "{ht}");
    // A unit sees only its own subtree among the candidates.
    let theirs = get(b, "/api/v1/emulation/nominations", &rach_gia).await;
    let units: Vec<&str> = theirs["candidates"][0]["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter_map(|c| c["unit"].as_str())
        .collect();
    assert_eq!(units, ["899"]);

    // The late unit is refused with the reason, in both languages.
    let nominate = |form: i64, unit: &str, extra: Value| {
        let mut body =
            json!({"award_form_id": form, "unit": unit, "achievements": "Dẫn đầu Cụm 1 trong Tháng Thanh niên"});
        if let (Some(o), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        body
    };
    let (status, e) = post(b, "/api/v1/emulation/nominations", &rach_gia, nominate(bang_khen, "899", json!({}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(e["error"]["message_vi"].as_str().unwrap_or_default().contains("báo cáo trễ hạn"), "{e}");
    assert!(e["error"]["message_en"].as_str().unwrap_or_default().contains("late report"), "{e}");
    // Hà Tiên cannot nominate another district's unit.
    let (status, _) = post(b, "/api/v1/emulation/nominations", &ha_tien, nominate(giay_khen, "902", json!({}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Kiên Lương nominates itself; it cannot review its own nomination, the office can.
    let (status, kl_n) =
        post(b, "/api/v1/emulation/nominations", &kien_luong, nominate(bang_khen, "902", json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{kl_n}");
    assert_eq!(kl_n["status"], "pending");
    let kl_id = kl_n["id"].as_i64().expect("id");
    let accept = json!({"decision": "accept"});
    let (status, _) =
        post(b, &format!("/api/v1/emulation/nominations/{kl_id}/review"), &kien_luong, accept.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no one reviews their own nomination");
    // An individual needs a name, a year of birth and a position: nothing stored otherwise.
    let (status, e) = post(b, "/api/v1/emulation/nominations", &ward, nominate(guong_mat, "30730", json!({}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["message_vi"].as_str().unwrap_or_default().contains("Chưa nhập họ và tên"), "{e}");
    assert!(e["error"]["message_en"].as_str().unwrap_or_default().contains("name is missing"), "{e}");
    let person =
        json!({"person_name": "Nguyễn Văn An", "birth_year": 1996, "position": "Bí thư Đoàn phường Vĩnh Thanh Vân"});
    let (status, an) = post(b, "/api/v1/emulation/nominations", &ward, nominate(guong_mat, "30730", person)).await;
    assert_eq!(status, StatusCode::OK, "{an}");
    let an_id = an["id"].as_i64().expect("id");
    // The nomination's evidence: a photo attached by the ward, read by its parent, not by another district.
    let evidence_owner = format!("nomination:30730:{an_id}");
    let (status, photo) = attach(b, &ward, &evidence_owner, "Nhận giấy khen cấp huyện").await;
    assert_eq!(status, StatusCode::CREATED, "{photo}");
    let photo_id = photo["id"].as_i64().expect("attachment id");
    assert_eq!(bytes(b, &format!("/api/v1/attachments/{photo_id}"), &rach_gia).await.0, StatusCode::OK);
    assert_eq!(bytes(b, &format!("/api/v1/attachments/{photo_id}"), &ha_tien).await.0, StatusCode::FORBIDDEN);
    let listed = get(b, &format!("/api/v1/attachments?owner={evidence_owner}"), &rach_gia).await;
    assert!(listed.to_string().contains("Nhận giấy khen cấp huyện"), "{listed}");
    // The individual form's quota is 1: Rạch Giá's second person is refused.
    let other = json!({"person_name": "Trần Thị Bình", "birth_year": 1998, "position": "Phó Bí thư Thành đoàn"});
    let (status, e) = post(b, "/api/v1/emulation/nominations", &rach_gia, nominate(guong_mat, "899", other)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert!(e["error"]["message_vi"].as_str().unwrap_or_default().contains("đã đủ số lượng"), "{e}");
    // Up the tree: the ward cannot review its own; Hà Tiên cannot; Rạch Giá (its parent) can.
    let review = |id: i64| format!("/api/v1/emulation/nominations/{id}/review");
    assert_eq!(post(b, &review(an_id), &ward, accept.clone()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(post(b, &review(an_id), &ha_tien, accept.clone()).await.0, StatusCode::FORBIDDEN);
    let (status, an) = post(b, &review(an_id), &rach_gia, accept.clone()).await;
    assert_eq!(status, StatusCode::OK, "{an}");
    // Rạch Giá accepts at its level and sends it up: still waiting, for the province.
    assert_eq!(an["status"], "pending", "{an}");
    assert!(an["status_vi"].as_str().unwrap_or_default().contains("Thành đoàn Rạch Giá"), "{an}");
    assert_eq!(
        post(b, &review(an_id), &rach_gia, accept.clone()).await.0,
        StatusCode::FORBIDDEN,
        "a level reviews once; the next is above it"
    );
    let (status, an) = post(b, &review(an_id), &admin, accept.clone()).await;
    assert_eq!(status, StatusCode::OK, "{an}");
    assert_eq!(an["status"], "accepted");
    let steps: Vec<&str> =
        an["history"].as_array().expect("history").iter().filter_map(|h| h["action"].as_str()).collect();
    assert_eq!(steps, ["submit", "endorse", "accept"]);
    let (status, _) = attach(b, &ward, &evidence_owner, "Thêm sau khi duyệt").await;
    assert_eq!(status, StatusCode::CONFLICT, "an accepted nomination's evidence is closed to the unit");

    // Returned with a comment, corrected, accepted: every step in the history.
    let (status, rg_n) =
        post(b, "/api/v1/emulation/nominations", &rach_gia, nominate(giay_khen, "899", json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{rg_n}");
    let rg_id = rg_n["id"].as_i64().expect("id");
    let (status, _) = post(b, &review(rg_id), &steering, json!({"decision": "return"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "returning needs a comment");
    let (status, v) =
        post(b, &review(rg_id), &steering, json!({"decision": "return", "comment": "Bổ sung số liệu"})).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("returned")), "{v}");
    let fixed = json!({"achievements": "Dẫn đầu Cụm 1; trồng 2.000 cây xanh", "evidence": "Báo cáo số 12-BC/TĐ"});
    let (status, v) = put(b, &format!("/api/v1/emulation/nominations/{rg_id}"), &rach_gia, fixed).await;
    assert_eq!((status, v["status"].as_str()), (StatusCode::OK, Some("pending")), "{v}");
    let (status, v) = post(b, &review(rg_id), &admin, accept.clone()).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let steps: Vec<&str> =
        v["history"].as_array().expect("history").iter().filter_map(|h| h["action"].as_str()).collect();
    assert_eq!(steps, ["submit", "return", "resubmit", "accept"]);
    let (status, _) = post(b, &review(kl_id), &admin, accept).await;
    assert_eq!(status, StatusCode::OK);
    for action in ["commendation.nominate", "commendation.review", "commendation.forms"] {
        let audit = get(b, &format!("/api/v1/audit?action={action}"), &admin).await;
        assert!(audit["entries"].as_array().is_some_and(|e| !e.is_empty()), "{action}: {audit}");
    }

    // The proposal: the Đoàn header block, the list, the signature block.
    let (status, docx) = bytes(b, "/api/v1/emulation/nominations/documents/proposal.docx", &admin).await;
    assert_eq!(status, StatusCode::OK);
    let text = phongtrao_web::docx::read_text(&docx).expect("document.xml");
    for expected in [
        "BCH ĐOÀN TỈNH KIÊN GIANG",
        "ĐOÀN TNCS HỒ CHÍ MINH",
        "***",
        "-TTr/TĐTN",
        "Kiên Giang, ngày 04 tháng 3 năm 2023",
        "TỜ TRÌNH",
        "Về việc đề nghị khen thưởng",
        "DANH SÁCH",
        "STT | Tên tập thể | Thành tích",
        "Huyện đoàn Kiên Lương",
        "Nguyễn Văn An, sinh năm 1996, Bí thư Đoàn phường Vĩnh Thanh Vân",
        "Nơi nhận:",
        "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN",
        "BÍ THƯ",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains("Hà Tiên"), "only accepted nominations");
    // The list is the proposal's annex: it starts on a new page after the signature.
    let xml = crate::documents::part(&docx, "word/document.xml");
    let list = xml.find(">DANH SÁCH<").expect("the list's title");
    let its_paragraph = xml[..list].rfind("<w:p>").expect("paragraph");
    assert!(xml[its_paragraph..list].contains("<w:pageBreakBefore/>"), "the annex starts a new page");
    assert!(xml[..its_paragraph].contains("BÍ THƯ"), "after the signature");
    let decision = phongtrao_web::docx::read_text(
        &bytes(b, "/api/v1/emulation/nominations/documents/decision.docx", &admin).await.1,
    )
    .expect("decision");
    for expected in ["QUYẾT ĐỊNH", "Điều 1.", "Điều 2.", "Điều 3.", "-QĐ/TĐTN", "Kèm theo Quyết định"]
    {
        assert!(decision.contains(expected), "{expected} missing from:\n{decision}");
    }
    // The list as .xlsx: the accepted nominations in order (forms, collectives first).
    let (status, xlsx) = bytes(b, "/api/v1/emulation/nominations/documents/list.xlsx", &admin).await;
    assert_eq!(status, StatusCode::OK);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("xlsx");
    let range = book.worksheet_range("Danh sách").expect("sheet");
    let rows: Vec<(String, String)> = range
        .rows()
        .filter(|r| r.first().is_some_and(|c| c.to_string().parse::<i64>().is_ok()))
        .map(|r| (r[1].to_string(), r[3].to_string()))
        .collect();
    assert_eq!(
        rows,
        [
            ("Bằng khen của BCH Tỉnh đoàn".to_string(), "Huyện đoàn Kiên Lương".to_string()),
            ("Gương mặt trẻ tiêu biểu".to_string(), "Nguyễn Văn An".to_string()),
            ("Giấy khen của BCH Tỉnh đoàn".to_string(), "Thành đoàn Rạch Giá".to_string()),
        ]
    );
    // A unit does not download the province's documents.
    assert_eq!(
        bytes(b, "/api/v1/emulation/nominations/documents/proposal.docx", &rach_gia).await.0,
        StatusCode::FORBIDDEN
    );
    // A form with nominations cannot be removed.
    let (status, _) = put(b, "/api/v1/emulation/awards", &admin, json!({"forms": []})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The page shows the reasons and the documents (no JavaScript needed).
    let page = app.office_page("/emulation/nominations").await;
    assert!(page.contains("Chưa đủ điều kiện") && page.contains("cần tối thiểu 70"), "{page}");
    assert!(page.contains("/emulation/nominations/documents/proposal.docx"));
    assert!(page.contains("Nguyễn Văn An"));
}

#[tokio::test]
async fn a_reminder_is_queued_before_the_self_assessment_deadline_for_a_unit_that_has_not_self_scored() {
    use phongtrao_web::metrics::Metrics;
    use phongtrao_web::reminders::{ReminderConfig, Reminders};
    let app = spawn_app_at(vn(2023, 3, 20, 9, 0)).await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "r.admin", Role::Admin, &[], PW).await).await;
    let rach_gia = add_token(db, add_user(db, "r.899", Role::Unit, &["899"], PW).await).await;
    let b = app.base.as_str();
    let sheet = json!({"criteria": [
        {"number": "1", "title": "Hoạt động hưởng ứng", "max_points": 20, "rule": {"kind": "assessed"}},
        {"number": "2", "title": "Công trình thanh niên", "max_points": 10, "rule": {"kind": "assessed"}}]});
    assert_eq!(put(b, "/api/v1/emulation/criteria", &admin, sheet).await.0, StatusCode::OK);
    let clusters = json!({"clusters": [{"name": "Cụm 1", "units": ["899", "900"]}]});
    assert_eq!(put(b, "/api/v1/emulation/clusters", &admin, clusters).await.0, StatusCode::OK);
    let (status, _) = put(
        b,
        "/api/v1/emulation/settings",
        &admin,
        json!({"self_deadline": "2023-03-22T10:00:00Z", "reopened": false}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Rạch Giá self-scores both criteria; Hà Tiên nothing.
    let scores = json!({"scores": [{"criterion": "1", "points": 18}, {"criterion": "2", "points": 9}]});
    assert_eq!(put(b, "/api/v1/emulation/self?unit=899", &rach_gia, scores).await.0, StatusCode::OK);

    let hook = spawn_hook().await;
    let config = ReminderConfig { webhook_url: Some(hook.0.clone()), ..Default::default() };
    let scheduler = Reminders::new(db.clone(), config, Metrics::new()).expect("scheduler");
    let self_rows = || async {
        let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
        phongtrao_storage::reminder_deliveries::list(db, campaign.row.id, 1000)
            .await
            .expect("rows")
            .into_iter()
            .filter(|r| r.kind == "self_assessment")
            .map(|r| r.unit_code)
            .collect::<Vec<_>>()
    };
    // Three days before the deadline: too early.
    scheduler.tick(vn(2023, 3, 19, 17, 0)).await.expect("tick");
    assert!(self_rows().await.is_empty());
    // The day before: Hà Tiên is reminded, Rạch Giá is not; once only.
    scheduler.tick(vn(2023, 3, 21, 17, 0)).await.expect("tick");
    assert_eq!(self_rows().await, ["900"]);
    scheduler.tick(vn(2023, 3, 21, 18, 0)).await.expect("tick");
    assert_eq!(self_rows().await, ["900"]);
    let hooks = hook.1.lock().expect("lock").clone();
    let sent: Vec<&Value> = hooks.iter().filter(|h| h["kind"] == "self_assessment").collect();
    assert_eq!(sent.len(), 1, "{hooks:?}");
    assert!(sent[0]["message_vi"].as_str().unwrap_or_default().contains("hạn tự chấm điểm thi đua"), "{:?}", sent[0]);
    // The reminders page lists it in words.
    let page = app.office_page("/admin/reminders").await;
    assert!(page.contains("Trước hạn tự chấm thi đua"), "{page}");
}

type Hooks = std::sync::Arc<std::sync::Mutex<Vec<Value>>>;

/// A webhook receiver that records every JSON body it gets.
async fn spawn_hook() -> (String, Hooks) {
    let hooks: Hooks = Default::default();
    let store = hooks.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(v): axum::Json<Value>| {
            let store = store.clone();
            async move {
                store.lock().expect("lock").push(v);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://127.0.0.1:{port}/hook"), hooks)
}

#[tokio::test]
async fn the_office_sets_the_forms_and_a_unit_nominates_through_the_pages_without_javascript() {
    use crate::support::{browser, csrf_of};
    let app = spawn_app_at(vn(2023, 3, 20, 9, 0)).await;
    let db = &app.db;
    add_user(db, "p.admin", Role::Admin, &[], PW).await;
    add_user(db, "p.899", Role::Unit, &["899"], PW).await;
    let office = browser();
    assert_eq!(app.login_form(&office, "p.admin", PW, "10.250.1.1").await.status(), 303);
    let page =
        office.get(format!("{}/emulation/awards", app.base)).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("Gương mặt trẻ tiêu biểu") && page.contains("chưa lưu"), "the plan's honours proposed");
    let r = office
        .post(format!("{}/emulation/awards/default", app.base))
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .expect("default");
    assert_eq!(r.status(), 303);
    let unit = browser();
    assert_eq!(app.login_form(&unit, "p.899", PW, "10.250.1.2").await.status(), 303);
    let page =
        unit.get(format!("{}/emulation/nominations", app.base)).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("nominate-form"), "{page}");
    assert!(!page.contains("doc-proposal"), "a unit does not get the province's documents");
    let marker = "<option value=\"";
    let form_id = page
        .split(marker)
        .skip(1)
        .find(|o| o.contains("Gương mặt trẻ tiêu biểu"))
        .and_then(|o| o.split('"').next())
        .expect("form option")
        .to_string();
    let nominate_born = |year: &'static str| {
        unit.post(format!("{}/emulation/nominations", app.base))
            .form(&[
                ("csrf", csrf_of(&page)),
                ("award_form_id", form_id.clone()),
                ("unit", "30730".into()),
                ("person_name", "Lê Thị Hoa".into()),
                ("birth_year", year.into()),
                ("position", "Bí thư Chi đoàn khu phố 2".into()),
                ("achievements", "Vận động 50 đoàn viên hiến máu".into()),
                ("evidence", String::new()),
            ])
            .send()
    };
    // A mistyped year of birth: the page again, the message above the form, every
    // field as typed (nothing to type again), nothing stored.
    let r = nominate_born("199x").await.expect("nominate");
    assert!(r.status().is_client_error(), "{}", r.status());
    let again = r.text().await.expect("body");
    assert!(
        again.contains("id=\"nominate-error\"") && again.contains("Năm sinh &#34;199x&#34; không phải số"),
        "{again}"
    );
    for typed in [
        "value=\"Lê Thị Hoa\"",
        "value=\"199x\"",
        "Vận động 50 đoàn viên hiến máu</textarea>",
        "value=\"30730\" selected",
    ] {
        assert!(again.contains(typed), "{typed} not kept: {again}");
    }
    assert!(again.contains(&format!("value=\"{form_id}\" selected")), "the award form kept");
    assert!(!again.contains("chờ duyệt"), "nothing stored");
    let r = nominate_born("1999").await.expect("nominate");
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let page =
        unit.get(format!("{}/emulation/nominations", app.base)).send().await.expect("page").text().await.expect("body");
    assert!(page.contains("Lê Thị Hoa") && page.contains("chờ duyệt"), "{page}");
    // The office accepts it from the page.
    let page = office
        .get(format!("{}/emulation/nominations", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    let id = page
        .split("/emulation/nominations/")
        .find_map(|s| s.split("/review").next().filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit())))
        .expect("review form")
        .to_string();
    let r = office
        .post(format!("{}/emulation/nominations/{id}/review", app.base))
        .form(&[("csrf", csrf_of(&page).as_str()), ("decision", "accept"), ("comment", "")])
        .send()
        .await
        .expect("review");
    assert_eq!(r.status(), 303);
    let r = office.get(format!("{}/emulation/nominations/documents/list.docx", app.base)).send().await.expect("docx");
    assert_eq!(r.status(), 200);
    let text = phongtrao_web::docx::read_text(&r.bytes().await.expect("bytes")).expect("text");
    assert!(text.contains("Lê Thị Hoa, sinh năm 1999, Bí thư Chi đoàn khu phố 2"), "{text}");
}
