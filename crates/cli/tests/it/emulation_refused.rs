//! A refused save on the office's emulation sheets keeps the form: the criteria
//! sheet (typed or uploaded as .xlsx) and the award forms come back as the same page
//! with the message above the form, in Vietnamese, and what was typed kept; nothing
//! is stored.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;

use crate::support::*;

const PW: &str = "mat-khau-thu-nghiem-1";

async fn office(app: &TestApp, name: &str) -> (reqwest::Client, String) {
    add_user(&app.db, name, Role::Admin, &[], PW).await;
    let client = browser();
    assert_eq!(app.login_form(&client, name, PW, "10.0.0.41").await.status(), StatusCode::SEE_OTHER);
    let page =
        client.get(format!("{}/emulation/criteria", app.base)).send().await.expect("get").text().await.expect("body");
    (client, csrf_of(&page))
}

#[tokio::test]
async fn a_refused_criteria_sheet_comes_back_with_its_message_and_every_row_as_typed() {
    let app = spawn_app().await;
    let (client, csrf) = office(&app, "vp.tieuchi").await;
    let form: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("id.0", ""),
        ("number.0", "1"),
        ("title.0", "Tiêu chí thử nghiệm ABC"),
        ("max.0", "-5"),
        ("rule.0", "Tự chấm"),
        ("id.1", ""),
        ("number.1", "2"),
        ("title.1", "Tiêu chí thứ hai XYZ"),
        ("max.1", "12,5"),
        ("rule.1", "Tự chấm"),
        ("remove.1", "1"),
    ];
    let r = client.post(format!("{}/emulation/criteria", app.base)).form(&form).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("id=\"emulation-error\""), "the message above the form: {html}");
    assert!(html.contains("Bảng tiêu chí chưa lưu được: Dòng 1: Số điểm không được âm: -5."), "{html}");
    assert!(html.contains("action=\"/emulation/criteria\""), "the same form again");
    for typed in
        ["value=\"Tiêu chí thử nghiệm ABC\"", "value=\"-5\"", "value=\"Tiêu chí thứ hai XYZ\"", "value=\"12,5\""]
    {
        assert!(html.contains(typed), "{typed} kept: {html}");
    }
    assert!(html.contains("name=\"remove.1\" value=\"1\" checked"), "the tick kept");
    // Nothing stored: the plan's default is still proposed.
    let page =
        client.get(format!("{}/emulation/criteria", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("id=\"emulation-proposed\"") && !page.contains("Tiêu chí thử nghiệm ABC"));
    assert!(!page.contains("id=\"emulation-error\""));

    // An uploaded sheet with a mistake: the same page, the message naming the row.
    let bad = xlsx(&[
        ["STT", "Tiêu chí", "Điểm tối đa", "Cách tính"],
        ["1", "Trồng cây", "10", "Hoàn thành chỉ tiêu 5"],
        ["2", "Chế độ báo cáo", "tám", "Tự chấm"],
    ]);
    let upload = reqwest::multipart::Form::new()
        .text("csrf", csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(bad).file_name("tieu-chi.xlsx".to_string()));
    let r =
        client.post(format!("{}/emulation/criteria/import", app.base)).multipart(upload).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("id=\"emulation-error\""), "{html}");
    assert!(html.contains("Dòng 3") && html.contains("tám"), "{html}");
    assert!(html.contains("action=\"/emulation/criteria/import\""), "the upload form again");
}

#[tokio::test]
async fn refused_award_forms_come_back_with_their_message_and_every_row_as_typed() {
    let app = spawn_app().await;
    let (client, csrf) = office(&app, "vp.khenthuong").await;
    let form: Vec<(&str, &str)> = vec![
        ("csrf", &csrf),
        ("id.0", ""),
        ("name.0", "Bằng khen thử nghiệm"),
        ("target.0", "individual"),
        ("max_rank.0", "ba"),
        ("min_points.0", "85,5"),
        ("quota.0", "4"),
        ("all_on_time.0", "1"),
    ];
    let r = client.post(format!("{}/emulation/awards", app.base)).form(&form).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("body");
    assert!(html.contains("id=\"awards-error\""), "the message above the form: {html}");
    assert!(html.contains("Hình thức khen thưởng chưa lưu được: Dòng 1: hạng"), "{html}");
    for typed in ["value=\"Bằng khen thử nghiệm\"", "value=\"ba\"", "value=\"85,5\"", "value=\"4\""] {
        assert!(html.contains(typed), "{typed} kept: {html}");
    }
    assert!(html.contains("value=\"individual\" selected"), "the choice kept");
    let page =
        client.get(format!("{}/emulation/awards", app.base)).send().await.expect("get").text().await.expect("body");
    assert!(page.contains("id=\"awards-proposed\"") && !page.contains("Bằng khen thử nghiệm"), "nothing stored");
}
