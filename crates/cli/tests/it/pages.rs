//! The read-only pages and their API twins, as a user sees them.

use crate::support::spawn_app;

#[tokio::test]
async fn health_check_answers_200() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn overview_shows_theme_every_date_and_the_plans_inconsistencies() {
    let app = spawn_app().await;
    let html = app.text("/").await;
    assert!(html.contains("Tuổi trẻ Kiên Giang tiên phong chuyển đổi số"));
    assert!(html.contains("<html lang=\"vi\""));
    // Section V, in Vietnamese date format.
    for date in [
        "24/02/2023",
        "05/04/2023",
        "từ 01/03/2023 đến 05/03/2023",
        "trước ngày 10/04/2023",
        "trước ngày 30/03/2023",
        "trước ngày 01/03/2023",
    ] {
        assert!(html.contains(date), "overview lacks {date}");
    }
    // The five weekly deadlines.
    for friday in ["03/03/2023", "10/03/2023", "17/03/2023", "24/03/2023", "31/03/2023"] {
        assert!(html.contains(&format!("16h00 {friday}")), "overview lacks the deadline of {friday}");
    }
    assert!(html.contains("huyện An Minh"));
    // In date order: the plans are due before the district launches start.
    let due = html.find("trước ngày 01/03/2023").unwrap_or(usize::MAX);
    let launch = html.find("từ 01/03/2023 đến 05/03/2023").unwrap_or(0);
    assert!(due < launch, "timeline order");
    assert!(html.contains("banphongtraotdkg@gmail.com"));
    // All ten province events.
    assert_eq!(html.matches("<li value=").count(), 10);
    // The plan's own inconsistency is shown, not hidden.
    assert!(html.contains("Không có chỉ tiêu số 3"));
    assert!(html.contains("sớm hơn hạn báo cáo tuần cuối cùng"));
}

#[tokio::test]
async fn targets_page_keeps_document_numbering_and_vietnamese_numbers() {
    let app = spawn_app().await;
    let html = app.text("/targets").await;
    assert_eq!(html.matches("class=\"target\"").count(), 18);
    assert!(!html.contains("id=\"target-3\""));
    assert!(html.contains("Văn bản không có chỉ tiêu số 3"));
    assert!(html.contains("20.000 cây"), "trees goal formatted");
    assert!(html.contains("7.000 đoàn viên"), "new members goal formatted");
    assert!(!html.contains("≥ 100%"), "a goal of all reads 100%, without a sign");
    assert!(html.contains("≥ 85%"));
    assert!(html.contains("&#62; 7%"), "'trên 7%' is strict");
    assert!(html.contains("Nhóm chỉ tiêu về công tác tuyên truyền, giáo dục"));
    assert_eq!(html.matches("id=\"indicator-").count(), 26);
}

#[tokio::test]
async fn unit_search_ignores_case_and_diacritics() {
    let app = spawn_app().await;
    let html = app.text("/units?q=kien+giang").await;
    assert!(html.contains("Tỉnh đoàn Kiên Giang"));
    let html = app.text("/units?q=hon+dat").await;
    assert!(html.contains("Huyện đoàn Hòn Đất"));
    assert!(!html.contains("Thành đoàn Rạch Giá</a>"));
    let html = app.text("/units?q=H%C3%92N%20%C4%90%E1%BA%A4T").await; // "HÒN ĐẤT"
    assert!(html.contains("Huyện đoàn Hòn Đất"));
    // NFD input ("Hòa" with a combining grave accent) finds the NFC name.
    let html = app.text("/units?q=Ho%CC%80a%20Thu%E1%BA%ADn").await;
    assert!(html.contains("Hòa Thuận"), "NFD query");
    let api = app.json("/api/v1/units?q=rach%20gia").await;
    let names: Vec<&str> = api["units"].as_array().expect("units").iter().filter_map(|u| u["name"].as_str()).collect();
    assert!(names.contains(&"Thành đoàn Rạch Giá"), "{names:?}");
}

#[tokio::test]
async fn unit_tree_has_the_province_15_districts_and_144_communes() {
    let app = spawn_app().await;
    let api = app.json("/api/v1/units").await;
    let units = api["units"].as_array().expect("units");
    let count = |level: i64| units.iter().filter(|u| u["level"] == level).count();
    assert_eq!((count(1), count(2), count(3)), (1, 15, 144));
    let html = app.text("/units").await;
    assert!(html.contains("Huyện đoàn An Minh"));
    assert!(html.contains("Đoàn xã Phi Thông"));
    assert!(html.contains("Đoàn thị trấn Giồng Riềng"));
}

#[tokio::test]
async fn missing_base_figures_are_shown_as_missing() {
    let app = spawn_app().await;
    let html = app.office_page("/units/899").await;
    assert!(html.contains("Thành đoàn Rạch Giá"));
    assert!(html.contains("chưa có số liệu"));
    assert!(html.contains("Đoàn phường Vĩnh Thanh Vân"), "children listed");
    let api = app.office_json("/api/v1/units/899").await;
    assert!(api["base_figures"]["doan_vien"].is_null());
    let missing = app.get("/api/v1/units/does-not-exist").await;
    assert_eq!(missing.status(), 404);
    let body: serde_json::Value = missing.json().await.expect("json");
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("Không tìm thấy"));
}

#[tokio::test]
async fn unknown_pages_get_a_vietnamese_404() {
    let app = spawn_app().await;
    let response = app.get("/khong-co").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.expect("body").contains("Không tìm thấy trang"));
}

#[tokio::test]
async fn english_is_one_switch_away() {
    let app = spawn_app().await;
    let response = app.get("/lang/en?next=/targets").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/targets");
    let html = app.text("/targets").await;
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Basic targets"));
    // Never redirect to another site.
    let response = app.get("/lang/vi?next=//evil.example").await;
    assert_eq!(response.headers()["location"], "/");
}

#[tokio::test]
async fn pages_carry_security_headers_and_no_inline_script() {
    let app = spawn_app().await;
    let response = app.get("/").await;
    let csp = response.headers()["content-security-policy"].to_str().expect("csp").to_string();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let html = response.text().await.expect("body");
    assert!(!html.contains("<script>"), "no inline script");
    assert!(html.contains("/static/vendor/pico-2.1.1/pico.blue.min.css"));
    let css = app.get("/static/vendor/pico-2.1.1/pico.blue.min.css").await;
    assert_eq!(css.status(), 200);
}

#[tokio::test]
async fn api_mirrors_the_plan_and_has_an_openapi_document() {
    let app = spawn_app().await;
    let periods = app.json("/api/v1/periods").await;
    assert_eq!(periods["periods"].as_array().map(Vec::len), Some(5));
    assert_eq!(periods["periods"][0]["deadline"], "2023-03-03T16:00:00+07:00");
    let targets = app.json("/api/v1/targets").await;
    assert_eq!(targets["targets"].as_array().map(Vec::len), Some(18));
    assert_eq!(targets["missing_target_numbers"], serde_json::json!([3]));
    let doc = app.json("/api/v1/openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    for path in ["/api/v1/campaign", "/api/v1/targets", "/api/v1/periods", "/api/v1/units", "/api/v1/units/{code}"] {
        assert!(doc["paths"].get(path).is_some(), "openapi lacks {path}");
    }
}
