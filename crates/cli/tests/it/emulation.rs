//! Emulation scoring (thi đua): the criteria sheet, automatic criteria computed from
//! the same figures as the progress page, self-assessment with evidence and its
//! review, clusters and the ranking with every score broken down.

use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app, xlsx, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";

async fn send(app: &TestApp, method: reqwest::Method, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .request(method, format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    send(app, reqwest::Method::PUT, path, token, body).await
}

/// A sheet of three criteria: goal 5 (10 points, proportional), reporting (20
/// points, −1 per late, −2 per missing) and activities (22, self-assessed).
fn small_sheet() -> Value {
    json!({"criteria": [
        {"number": "1", "title": "Trồng cây", "max_points": 10, "rule": {"kind": "goal_completion", "indicator": "5"}},
        {"number": "2", "title": "Chế độ thông tin báo cáo", "max_points": 20, "rule": {"kind": "reports_on_time", "per_late": 1, "per_missing": 2}},
        {"number": "3", "title": "Tổ chức các hoạt động hưởng ứng", "max_points": 22, "rule": {"kind": "assessed"}}
    ]})
}

fn line<'a>(row: &'a Value, number: &str) -> &'a Value {
    row["lines"].as_array().and_then(|l| l.iter().find(|l| l["number"] == number)).expect("criterion line")
}

fn row_of<'a>(ranking: &'a Value, unit: &str) -> &'a Value {
    ranking["clusters"][0]["rows"].as_array().and_then(|r| r.iter().find(|r| r["unit"] == unit)).expect("unit row")
}

#[tokio::test]
async fn automatic_criteria_equal_the_figures_they_come_from_and_late_reports_deduct_their_points() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "e.admin", Role::Admin, &[], PW).await).await;
    let rach_gia = add_token(db, add_user(db, "e.899", Role::Unit, &["899"], PW).await).await;
    // The default sheet from the plan: 70 + 8 + 22 = 100 points.
    let r = app.client.post(format!("{}/api/v1/emulation/criteria/default", app.base)).bearer_auth(&admin).send().await;
    let sheet: Value = r.expect("default").json().await.expect("json");
    assert_eq!(sheet["total_max"], 100.0, "{sheet}");
    assert!(sheet["criteria"].as_array().expect("criteria").iter().any(|c| c["title"] == "Chế độ thông tin báo cáo"));
    // The office's own sheet replaces it.
    let (status, sheet) = put(&app, "/api/v1/emulation/criteria", &admin, small_sheet()).await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    assert_eq!(sheet["total_max"], 52.0);
    // Goal 5: 2,000 trees for Rạch Giá; it reports 1,700 in week 1 (late: the clock is years on).
    let r = app
        .client
        .post(format!("{}/api/v1/allocations/5", app.base))
        .bearer_auth(&admin)
        .json(&json!({"goals": {"899": 2000, "900": 2000}}))
        .send()
        .await
        .expect("allocate");
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    let r = app.submit(&rach_gia, "899", "2023-03-03", json!({"values": {"5": "1700"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let (status, _) = put(
        &app,
        "/api/v1/emulation/clusters",
        &admin,
        json!({"clusters": [{"name": "Cụm 1", "units": ["899", "900"]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let ranking = app.api("/api/v1/emulation/ranking", &admin).await;
    let rg = row_of(&ranking, "899");
    // The goal criterion: 10 × 1,700/2,000 = 8,5, from the progress figures.
    let progress = app.api("/api/v1/progress?unit=899", &admin).await;
    let five = progress["indicators"].as_array().and_then(|i| i.iter().find(|i| i["indicator"] == "5")).expect("5");
    assert_eq!(five["achieved"].as_f64(), Some(1700.0));
    let goal_line = line(rg, "1");
    assert_eq!(goal_line["points"].as_f64(), Some(10.0 * five["ratio"].as_f64().expect("ratio")));
    assert_eq!(goal_line["points"].as_f64(), Some(8.5));
    let source = goal_line["source_vi"].as_str().unwrap_or_default();
    assert!(source.contains("85%") && source.contains("1.700/2.000"), "{source}");
    // Reporting: 20 − 1 per late report − 2 per missing one, the counts of the progress page.
    let (late, missing) = progress["timeliness"]
        .as_array()
        .expect("timeliness")
        .iter()
        .fold((0, 0), |(l, m), t| (l + t["late"].as_i64().unwrap_or(0), m + t["missing"].as_i64().unwrap_or(0)));
    assert_eq!(late, 1, "the one report was late");
    let expected = (20 - late - 2 * missing).max(0) as f64;
    assert_eq!(line(rg, "2")["points"].as_f64(), Some(expected));
    // Hà Tiên sent nothing: one more missing report, no late one: one point less.
    let ht = row_of(&ranking, "900");
    assert_eq!(line(ht, "2")["points"].as_f64(), Some((20 - 2 * (missing + 1)).max(0) as f64));
    assert_eq!(line(ht, "1")["points"].as_f64(), Some(0.0));
    assert_eq!((rg["rank"].as_i64(), ht["rank"].as_i64()), (Some(1), Some(2)), "{ranking}");
    assert!(line(rg, "2")["source_vi"].as_str().unwrap_or_default().contains("1 báo cáo trễ"));
}

#[tokio::test]
async fn self_scores_are_bounded_reviewed_with_history_and_ranked_in_their_cluster() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "s.admin", Role::Admin, &[], PW).await).await;
    let steering = add_token(db, add_user(db, "s.bcd", Role::Steering, &[], PW).await).await;
    let rach_gia = add_token(db, add_user(db, "s.899", Role::Unit, &["899"], PW).await).await;
    let ha_tien = add_token(db, add_user(db, "s.900", Role::Unit, &["900"], PW).await).await;
    assert_eq!(put(&app, "/api/v1/emulation/criteria", &rach_gia, small_sheet()).await.0, StatusCode::FORBIDDEN);
    assert_eq!(put(&app, "/api/v1/emulation/criteria", &admin, small_sheet()).await.0, StatusCode::OK);
    // Outside 0..22: refused in both languages, nothing stored.
    let score = |points: f64| {
        json!({"scores": [{"criterion": "3", "points": points, "doc_number": "125", "doc_symbol": "KH/ĐTN",
            "doc_date": "2023-03-05", "evidence": "Tổ chức 3 ngày thứ Bảy tình nguyện"}]})
    };
    let (status, e) = put(&app, "/api/v1/emulation/self?unit=899", &rach_gia, score(23.0)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(e["error"]["message_vi"].as_str().unwrap_or_default().contains("từ 0 đến 22"), "{e}");
    assert!(e["error"]["message_en"].as_str().unwrap_or_default().contains("between 0 and 22"), "{e}");
    let mine = app.api("/api/v1/emulation/self?unit=899", &rach_gia).await;
    assert!(mine["scores"][0]["self_points"].is_null(), "nothing stored: {mine}");
    // The same through the page without JavaScript: the form comes back with the
    // message and what was typed, nothing stored.
    add_user(db, "s.899.form", Role::Unit, &["899"], PW).await;
    let client = crate::support::browser();
    app.login_form(&client, "s.899.form", PW, "10.0.7.1").await;
    let form = client.get(format!("{}/emulation/self?unit=899", app.base)).send().await.expect("page");
    let csrf = crate::support::csrf_of(&form.text().await.expect("html"));
    let r = client
        .post(format!("{}/emulation/self?unit=899", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("criterion", "3"),
            ("points.3", "23"),
            ("doc_number.3", "125"),
            ("doc_symbol.3", "KH/ĐTN"),
            ("doc_date.3", "2023-03-05"),
            ("evidence.3", "Tổ chức 3 ngày thứ Bảy tình nguyện"),
        ])
        .send()
        .await
        .expect("save");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("id=\"scores-error\"") && html.contains("từ 0 đến 22"), "{html}");
    assert!(
        html.contains("name=\"points.3\" value=\"23\"")
            && html.contains("Tổ chức 3 ngày thứ Bảy tình nguyện</textarea>"),
        "{html}"
    );
    let mine = app.api("/api/v1/emulation/self?unit=899", &rach_gia).await;
    assert!(mine["scores"][0]["self_points"].is_null(), "nothing stored: {mine}");
    // An automatic criterion takes no self-score.
    let (status, _) =
        put(&app, "/api/v1/emulation/self?unit=899", &rach_gia, json!({"scores": [{"criterion": "2", "points": 5}]}))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another unit's account cannot score Rạch Giá.
    assert_eq!(put(&app, "/api/v1/emulation/self?unit=899", &ha_tien, score(20.0)).await.0, StatusCode::FORBIDDEN);
    let (status, mine) = put(&app, "/api/v1/emulation/self?unit=899", &rach_gia, score(18.0)).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["scores"][0]["reference"], "Số 125-KH/ĐTN ngày 05/03/2023");
    let (status, _) = put(&app, "/api/v1/emulation/self?unit=900", &ha_tien, score(18.0)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = put(
        &app,
        "/api/v1/emulation/clusters",
        &admin,
        json!({"clusters": [{"name": "Cụm thành phố", "units": ["899", "900"]}, {"name": "Cụm 2", "units": ["900"]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a unit is in one cluster at most");
    let (status, _) = put(
        &app,
        "/api/v1/emulation/clusters",
        &admin,
        json!({"clusters": [{"name": "Cụm thành phố", "units": ["899", "900"]}]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Not reviewed yet: counts 0 and says "chờ duyệt"; equal totals share the rank, by name.
    let ranking = app.api("/api/v1/emulation/ranking?cluster=Cụm thành phố", &admin).await;
    let rows = ranking["clusters"][0]["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0]["rank"].as_i64(), rows[1]["rank"].as_i64()), (Some(1), Some(1)), "{ranking}");
    assert_eq!(
        (rows[0]["unit"].as_str(), rows[1]["unit"].as_str()),
        (Some("900"), Some("899")),
        "Hà Tiên before Rạch Giá"
    );
    let rg = row_of(&ranking, "899");
    assert_eq!(line(rg, "3")["points"].as_f64(), Some(0.0));
    assert_eq!(rg["pending"], true);
    assert!(line(rg, "3")["source_vi"].as_str().unwrap_or_default().contains("chờ duyệt"));
    // The review: an adjustment needs its comment; a unit cannot review.
    let adjust = |comment: &str| json!({"reviews": [{"criterion": "3", "points": 16, "comment": comment}]});
    assert_eq!(
        put(&app, "/api/v1/emulation/review?unit=899", &rach_gia, adjust("tự duyệt")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        put(&app, "/api/v1/emulation/review?unit=899", &steering, adjust("")).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let (status, reviewed) =
        put(&app, "/api/v1/emulation/review?unit=899", &steering, adjust("Thiếu minh chứng 1 hoạt động")).await;
    assert_eq!(status, StatusCode::OK, "{reviewed}");
    assert_eq!(reviewed["history"].as_array().map(Vec::len), Some(2), "the self-score and its review: {reviewed}");
    let ranking = app.api("/api/v1/emulation/ranking", &admin).await;
    let rg = row_of(&ranking, "899");
    let three = line(rg, "3");
    assert_eq!(three["points"].as_f64(), Some(16.0));
    let source = three["source_vi"].as_str().unwrap_or_default();
    assert!(
        source.contains("tự chấm 18") && source.contains("duyệt 16") && source.contains("Thiếu minh chứng"),
        "{source}"
    );
    assert_eq!(rg["rank"], 1, "16 points ahead of Hà Tiên's unreviewed 18");
    assert!(ranking["overall"]["rows"].as_array().is_some_and(|r| r.len() == 2));
    // A unit sees its own cluster, not the overall ranking.
    let theirs = app.api("/api/v1/emulation/ranking", &ha_tien).await;
    assert_eq!(theirs["clusters"].as_array().map(Vec::len), Some(1));
    assert!(theirs["overall"].is_null());
    // Every write is in the audit log.
    for action in ["emulation.criteria", "emulation.self_score", "emulation.review", "emulation.clusters"] {
        let audit = app.api(&format!("/api/v1/audit?action={action}"), &admin).await;
        assert!(audit["entries"].as_array().is_some_and(|e| !e.is_empty()), "{action}: {audit}");
    }
    // A self-scored criterion cannot be removed from the sheet.
    let two_rows = json!({"criteria": [
        {"number": "1", "title": "Trồng cây", "max_points": 10, "rule": {"kind": "goal_completion", "indicator": "5"}}]});
    assert_eq!(put(&app, "/api/v1/emulation/criteria", &admin, two_rows).await.0, StatusCode::CONFLICT);
}

#[tokio::test]
async fn after_the_deadline_units_cannot_change_their_self_score_unless_the_office_reopens() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "d.admin", Role::Admin, &[], PW).await).await;
    let rach_gia = add_token(db, add_user(db, "d.899", Role::Unit, &["899"], PW).await).await;
    assert_eq!(put(&app, "/api/v1/emulation/criteria", &admin, small_sheet()).await.0, StatusCode::OK);
    let body = json!({"scores": [{"criterion": "3", "points": 20}]});
    let (status, _) =
        put(&app, "/api/v1/emulation/settings", &admin, json!({"self_deadline": "2023-04-01T00:00:00Z"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, e) = put(&app, "/api/v1/emulation/self?unit=899", &rach_gia, body.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{e}");
    assert!(e["error"]["message_vi"].as_str().unwrap_or_default().contains("hết hạn"), "{e}");
    let (status, _) = put(
        &app,
        "/api/v1/emulation/settings",
        &admin,
        json!({"self_deadline": "2023-04-01T00:00:00Z", "reopened": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(put(&app, "/api/v1/emulation/self?unit=899", &rach_gia, body).await.0, StatusCode::OK);
}

#[tokio::test]
async fn the_sheet_is_imported_from_xlsx_whole_or_not_at_all() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "x.admin", Role::Admin, &[], PW).await).await;
    let header = ["STT", "Tiêu chí", "Điểm tối đa", "Cách tính"];
    let bad = xlsx(&[
        header,
        ["1", "Trồng cây", "10", "Hoàn thành chỉ tiêu 5"],
        ["2", "Chế độ báo cáo", "tám", "báo cáo đúng hạn, trừ 1 mỗi báo cáo trễ, 2 mỗi báo cáo thiếu"],
        ["3", "Chỉ tiêu lạ", "5", "hoàn thành chỉ tiêu 99z"],
    ]);
    let (status, e) = app.upload(&admin, "/api/v1/emulation/criteria/import", "tieu-chi.xlsx", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let vi = e["error"]["message_vi"].as_str().unwrap_or_default();
    assert!(vi.contains("Dòng 3") && vi.contains("tám"), "{vi}");
    assert!(e["error"]["message_en"].as_str().unwrap_or_default().contains("Row 3"), "{e}");
    assert_eq!(app.api("/api/v1/emulation/criteria", &admin).await["criteria"].as_array().map(Vec::len), Some(0));
    let bad_indicator = xlsx(&[header, ["1", "Chỉ tiêu lạ", "5", "hoàn thành chỉ tiêu 99z"]]);
    let (status, e) = app.upload(&admin, "/api/v1/emulation/criteria/import", "tieu-chi.xlsx", bad_indicator).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        e["error"]["message_vi"].as_str().unwrap_or_default().contains("Dòng 2: Kế hoạch không có chỉ tiêu \"99z\""),
        "{e}"
    );
    let good = xlsx(&[
        header,
        ["1", "Trồng cây", "10", "Hoàn thành chỉ tiêu 5"],
        ["2", "Chế độ thông tin báo cáo", "8", "báo cáo đúng hạn, trừ 1 mỗi báo cáo trễ, 2 mỗi báo cáo thiếu"],
        ["3", "Tổ chức các hoạt động hưởng ứng", "22,5", "Tự chấm"],
    ]);
    let (status, sheet) = app.upload(&admin, "/api/v1/emulation/criteria/import", "tieu-chi.xlsx", good).await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    assert_eq!(sheet["total_max"], 40.5);
    assert_eq!(sheet["criteria"][1]["rule"]["per_missing"], 2.0);
}

fn unescape(html: &str) -> String {
    html.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn the_office_and_a_unit_work_through_the_pages_without_javascript() {
    let app = spawn_app().await;
    let db = &app.db;
    add_user(db, "p.admin", Role::Admin, &[], PW).await;
    add_user(db, "p.899", Role::Unit, &["899"], PW).await;
    let office = crate::support::browser();
    assert_eq!(app.login_form(&office, "p.admin", PW, "10.0.0.21").await.status(), StatusCode::SEE_OTHER);
    let get = |client: &reqwest::Client, path: &str| {
        let (client, url) = (client.clone(), format!("{}{path}", app.base));
        async move { client.get(url).send().await.expect("get") }
    };
    // No sheet yet: the plan's default is proposed, 100 points in all.
    let page = get(&office, "/emulation/criteria").await.text().await.expect("body");
    assert!(page.contains("id=\"emulation-proposed\"") && page.contains("Chế độ thông tin báo cáo"), "{page}");
    assert!(page.contains("<strong>100</strong>"), "total shown");
    // The office saves it as shown (the form's own rows), with one row removed.
    let csrf = crate::support::csrf_of(&page);
    let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
    let field = |html: &str, name: &str| -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        html.find(&marker).map(|i| html[i + marker.len()..].split('"').next().unwrap_or("").to_string())
    };
    let mut i = 0;
    while let Some(number) = field(&page, &format!("number.{i}")) {
        for name in ["id", "title", "max", "rule"] {
            let value = field(&page, &format!("{name}.{i}")).unwrap_or_default();
            form.push((format!("{name}.{i}"), unescape(&value)));
        }
        form.push((format!("number.{i}"), number));
        i += 1;
    }
    form.push(("remove.0".into(), "1".into()));
    let r = office.post(format!("{}/emulation/criteria", app.base)).form(&form).send().await.expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap_or_default());
    let sheet = get(&office, "/emulation/criteria").await.text().await.expect("body");
    assert!(!sheet.contains("id=\"emulation-proposed\""), "stored now");
    // Clusters by a form: a name and codes.
    let r = office
        .post(format!("{}/emulation/clusters", app.base))
        .form(&[("csrf", csrf.as_str()), ("name", "Cụm thành phố"), ("units", "899, 900"), ("name", ""), ("units", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // The unit self-scores on its one form; outside 0..22 is refused, nothing stored.
    let unit = crate::support::browser();
    assert_eq!(app.login_form(&unit, "p.899", PW, "10.0.0.22").await.status(), StatusCode::SEE_OTHER);
    let own = get(&unit, "/emulation/self").await.text().await.expect("body");
    assert!(own.contains("name=\"points.3\""), "{own}");
    let ucsrf = crate::support::csrf_of(&own);
    let post_self = |points: &str| {
        let form = vec![
            ("csrf", ucsrf.clone()),
            ("criterion", "3".to_string()),
            ("points.3", points.to_string()),
            ("doc_number.3", "125".to_string()),
            ("doc_symbol.3", "KH/ĐTN".to_string()),
            ("doc_date.3", "2023-03-05".to_string()),
            ("evidence.3", "Ra quân ngày Chủ nhật xanh".to_string()),
        ];
        let (client, url) = (unit.clone(), format!("{}/emulation/self?unit=899", app.base));
        async move { client.post(url).form(&form).send().await.expect("post") }
    };
    let r = post_self("30").await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap_or_default().contains("từ 0 đến 22"));
    assert_eq!(post_self("18,5").await.status(), StatusCode::SEE_OTHER);
    let own = get(&unit, "/emulation/self?unit=899").await.text().await.expect("body");
    assert!(own.contains("value=\"18,5\"") && own.contains("chờ duyệt"), "{own}");
    assert_eq!(get(&unit, "/emulation/self?unit=900").await.status(), StatusCode::FORBIDDEN);
    // The ranking: one card per unit with its breakdown; the office can download it.
    let ranking = get(&office, "/emulation").await.text().await.expect("body");
    assert!(ranking.contains("class=\"emulation-card\"") && ranking.contains("Cụm thành phố"), "{ranking}");
    assert!(ranking.contains("tự chấm 18,5"), "{ranking}");
    let r = get(&office, "/emulation/ranking.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.expect("bytes");
    let book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("xlsx");
    use calamine::Reader;
    assert!(book.sheet_names().len() >= 2, "overall and the cluster");
}
