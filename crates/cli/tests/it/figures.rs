//! Figures an office can sign (issue #14): partial base figures never invent a
//! result, every surface says the same words, percentages are rounded half away
//! from zero on exact decimals, the count sentence counts targets and indicators,
//! the reports name late and missing units.

use calamine::Data;
use phongtrao_domain::role::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::documents::{cell_f64, cli_progress, docx_text, download, sheet};
use crate::support::{add_token, add_user, browser, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";

async fn submit(app: &TestApp, token: &str, code: &str, week: &str, input: Value) {
    let r = app.submit(token, code, week, input).await;
    assert!(r.status().is_success(), "{code} {week}: {}", r.text().await.unwrap_or_default());
}

fn indicator(progress: &Value, key: &str) -> Value {
    progress["indicators"].as_array().expect("indicators").iter().find(|i| i["indicator"] == key).expect(key).clone()
}

/// The cells of the results table of a .docx after the one that reads `label`
/// (plan, result, ratio, verdict), as "| a | b | c | d |".
fn docx_row(text: &str, label: &str) -> String {
    let marker = format!("| {label} | ");
    let start = text.find(&marker).unwrap_or_else(|| panic!("no row {label:?}:\n{text}")) + marker.len();
    let cells: Vec<&str> = text[start..].split(" | ").take(4).collect();
    format!("| {} |", cells.join(" | "))
}

async fn put_complete(app: &TestApp, token: &str, figure: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .put(format!("{}/api/v1/base-figures/{figure}/complete", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("put");
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The office logged in through the form (for pages).
async fn office_browser(app: &TestApp, login: &str) -> reqwest::Client {
    let client = browser();
    assert_eq!(app.login_form(&client, login, PW, "198.51.100.9").await.status(), StatusCode::SEE_OTHER);
    client
}

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let r = client.get(format!("{}{path}", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 200, "GET {path}");
    r.text().await.expect("html")
}

#[tokio::test]
async fn a_partial_base_is_never_a_result_on_any_surface_until_the_office_marks_it_complete() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "f.admin", Role::Admin, &[], PW).await).await;
    let u899 = add_token(db, add_user(db, "f.899", Role::Unit, &["899"], PW).await).await;
    let u900 = add_token(db, add_user(db, "f.900", Role::Unit, &["900"], PW).await).await;
    // Members (số đoàn viên) for one district of 15; both districts report indicator 1
    // ("100% đoàn viên được học tập").
    app.set_members(&admin, "899", 1000).await;
    submit(&app, &u899, "899", "2023-03-03", json!({"values": {"1": "900", "5": "100"}})).await;
    submit(&app, &u900, "900", "2023-03-03", json!({"values": {"1": "500", "5": "100"}})).await;

    // The CLI (JSON): the province's indicator 1 is not "vượt, 140%" but
    // "chưa đủ số liệu nền", with its coverage.
    let progress = cli_progress(&app, &["--at", "2023-03-31"]);
    let one = indicator(&progress, "1");
    assert_eq!(one["status"], "insufficient_base", "{one:#}");
    assert_eq!(one["ratio"], Value::Null);
    assert_eq!(one["completion"], Value::Null);
    assert_eq!(one["coverage"]["units_with_base"], 1);
    assert_eq!(one["coverage"]["units_expected"], 15);
    assert_eq!(one["coverage"]["people_without_base"], 500);
    assert_eq!(one["coverage"]["complete"], false);
    assert_eq!(one["text_vi"], "chưa đủ số liệu nền (1/15 đơn vị có số liệu nền)");
    assert_eq!(one["status_vi"], "chưa đủ số liệu nền");
    // No unit has the number of young people (thanh niên): indicator 2b has no base.
    let young = indicator(&progress, "2b");
    assert_eq!(young["status"], "no_base", "{young:#}");
    assert_eq!(young["text_vi"], "chưa có số liệu nền");
    // The district that has its base is judged: 900 of 1.000.
    let rach_gia = cli_progress(&app, &["--at", "2023-03-31", "--unit", "899"]);
    assert_eq!(indicator(&rach_gia, "1")["status"], "not_met");
    assert_eq!(indicator(&rach_gia, "1")["text_vi"], "90% · chưa đạt");
    assert_eq!(indicator(&rach_gia, "1")["achieved_percent"], 90.0);

    // The CLI's text says the same words.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .args(["progress", "--at", "2023-03-31"])
        .output()
        .expect("cli");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().find(|l| l.trim_start().starts_with("1 ")).expect("line of indicator 1");
    assert!(line.contains("chưa đủ số liệu nền") && !line.contains("140") && !line.contains("90%"), "{line}");
    assert!(text.contains("1/15 đơn vị có số liệu nền; 500 người"), "{text}");

    // The API.
    let api = app.api("/api/v1/progress?at=2023-03-31", &admin).await;
    assert_eq!(indicator(&api, "1")["status"], "insufficient_base");
    assert_eq!(indicator(&api, "1")["text_vi"], one["text_vi"]);

    // The final report: the row says it, the percentage 140% appears nowhere, and
    // neither indicator counts as "chưa đạt".
    let (status, _, _, bytes) = download(&app, &admin, "/api/v1/exports/final-report.docx?at=2023-03-31").await;
    assert_eq!(status, 200);
    let docx = docx_text(&bytes);
    let row = docx_row(&docx, one["label"].as_str().expect("label"));
    assert_eq!(row, "| 100% | 1.400 (1/15 đơn vị có số liệu nền) | — | Chưa đủ số liệu nền |");
    let row = docx_row(&docx, &format!("- {}", young["label"].as_str().expect("label")));
    assert_eq!(row, "| ≥ 70% | chưa có số liệu nền | — | Chưa có số liệu nền |");
    assert!(!docx.contains("140%") && !docx.contains("Vượt"), "{docx}");
    assert!(
        docx.contains("chưa đánh giá được vì chưa có hoặc chưa đủ số liệu nền: 1 (1/15 đơn vị có số liệu nền"),
        "{docx}"
    );
    let not_met_line = docx.lines().find(|l| l.starts_with("Các chỉ số chưa đạt: ")).unwrap_or("");
    let not_met: Vec<&str> = not_met_line.trim_start_matches("Các chỉ số chưa đạt: ").split("; ").collect();
    assert!(!not_met.iter().any(|i| i.starts_with("1 (") || i.starts_with("2b (")), "{not_met_line}");

    // The workbook: words, not 0%, and no ratio.
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/workbook.xlsx?at=2023-03-31").await;
    let targets = sheet(&bytes, "Chỉ tiêu");
    let row_of = |key: &str| {
        (2..targets.height() as u32)
            .find(|r| targets.get_value((*r, 1)) == Some(&Data::String(key.to_string())))
            .expect("row")
    };
    let r1 = row_of("1");
    assert_eq!(targets.get_value((r1, 6)), Some(&Data::String("chưa đủ số liệu nền".into())));
    assert_eq!(targets.get_value((r1, 8)), Some(&Data::Empty));
    assert_eq!(targets.get_value((r1, 9)), Some(&Data::String("Chưa đủ số liệu nền".into())));
    assert_eq!(targets.get_value((row_of("2b"), 9)), Some(&Data::String("Chưa có số liệu nền".into())));
    // The CSV too.
    let (_, _, _, csv) = download(&app, &admin, "/api/v1/exports/targets.csv?at=2023-03-31").await;
    let csv = String::from_utf8(csv).expect("utf-8");
    let line = csv.lines().find(|l| l.contains(",1,") && l.contains("đoàn viên")).expect("csv row of 1");
    assert!(line.contains(",chưa đủ số liệu nền,1400,,Chưa đủ số liệu nền,"), "no ratio: {line}");

    // The dashboard: the same words, and the coverage under the indicator.
    let office = office_browser(&app, "f.admin").await;
    let html = page(&app, &office, "/dashboard?at=2023-03-31").await;
    assert!(html.contains(r#"data-indicator="1" data-status="insufficient_base""#), "dashboard status");
    assert!(html.contains("chưa đủ số liệu nền (1/15 đơn vị có số liệu nền)"), "dashboard words");
    assert!(html.contains("500 người ở đơn vị chưa có số liệu nền không được tính"), "dashboard coverage");
    assert!(!html.contains("140%"));

    // The switch: the office only, a base figure of the plan only, no stray field.
    let (status, _) = put_complete(&app, &u899, "doan_vien", json!({"complete": true})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = put_complete(&app, &admin, "so_ghe", json!({"complete": true})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, _) = put_complete(&app, &admin, "doan_vien", json!({"complete": true, "all": 1})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let coverage = app.api("/api/v1/base-figures/coverage", &admin).await;
    let members = coverage.as_array().expect("list").iter().find(|b| b["figure"] == "doan_vien").expect("dv").clone();
    assert_eq!((members["units_with_base"].clone(), members["marked_complete"].clone()), (json!(1), json!(false)));
    let (status, body) = put_complete(&app, &admin, "doan_vien", json!({"complete": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["complete"], true);

    // Marked complete: judged over the units that have it (900 of 1.000), said so.
    let progress = cli_progress(&app, &["--at", "2023-03-31"]);
    let one = indicator(&progress, "1");
    assert_eq!(one["status"], "not_met", "{one:#}");
    assert_eq!(one["text_vi"], "90% · chưa đạt");
    assert_eq!(one["coverage"]["marked_complete"], true);
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/final-report.docx?at=2023-03-31").await;
    let docx = docx_text(&bytes);
    assert_eq!(docx_row(&docx, one["label"].as_str().expect("label")), "| 100% | 90% (1.400) | 90% | Chưa đạt |");
    // Audited, with the value before and after; the targets page shows the state.
    let r = app.client.get(format!("{}/api/v1/audit", app.base)).bearer_auth(&admin).send().await.expect("audit");
    let entries = r.json::<Value>().await.expect("json")["entries"].as_array().cloned().unwrap_or_default();
    let entry = entries.iter().find(|e| e["action"] == "base_figures.complete").expect("audited");
    assert!(entry.to_string().contains("false") && entry.to_string().contains("true"), "{entry}");
    let html = page(&app, &office, "/targets").await;
    assert!(html.contains(r#"data-figure="doan_vien" data-marked="true""#), "targets page shows the mark");
    assert!(html.contains(r#"action="/targets/base-complete""#), "the office's switch");
    // Unmarked from the page (the form), back to "chưa đủ".
    let csrf = crate::support::csrf_of(&html);
    let r = office
        .post(format!("{}/targets/base-complete", app.base))
        .form(&[("csrf", csrf.as_str()), ("figure", "doan_vien"), ("complete", "false")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(indicator(&cli_progress(&app, &["--at", "2023-03-31"]), "1")["status"], "insufficient_base");
}

/// A base figure of 0 would count a unit's people against nothing at the province
/// (88.6 % became 97.2 %) while the unit itself shows no percentage: it is refused at
/// every door with what to do instead, and the stored figure stays as it was.
#[tokio::test]
async fn a_base_figure_of_zero_is_refused_at_every_door_and_nothing_changes() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "f.zero", Role::Admin, &[], PW).await).await;
    app.set_members(&admin, "903", 6276).await;
    let r = app
        .client
        .put(format!("{}/api/v1/units/903/base-figures", app.base))
        .bearer_auth(&admin)
        .json(&json!({"doan_vien": 0}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap_or_default();
    assert!(body.contains("lớn hơn 0") && body.contains("above 0"), "{body}");
    // The unit import names the row and stores nothing.
    let csv = "code,doan_vien\n903,0\n";
    let (status, body) =
        app.upload(&admin, "/api/v1/units/import?confirm=true", "don-vi.csv", csv.as_bytes().to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("lớn hơn 0"), "{body}");
    let unit = app.api("/api/v1/units/903", &admin).await;
    assert_eq!(unit["base_figures"]["doan_vien"], 6276, "{unit}");
    // The form says the same and keeps the figure.
    let client = office_browser(&app, "f.zero").await;
    let page = page(&app, &client, "/units/903").await;
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).and_then(|r| r.split('"').next()).unwrap_or("");
    let r = client
        .post(format!("{}/units/903/figures", app.base))
        .form(&[("csrf", csrf), ("doan_vien", "0")])
        .send()
        .await
        .expect("form");
    let text = r.text().await.unwrap_or_default();
    assert!(text.contains("lớn hơn 0"), "{text}");
    assert_eq!(app.api("/api/v1/units/903", &admin).await["base_figures"]["doan_vien"], 6276);
}

#[tokio::test]
async fn percentages_are_rounded_half_away_from_zero_and_agree_to_the_digit() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "r.admin", Role::Admin, &[], PW).await).await;
    let u899 = add_token(db, add_user(db, "r.899", Role::Unit, &["899"], PW).await).await;
    // 1.647 of 2.000 members = 82,35% → 82,4%; 16.450 of 20.000 trees = 82,25% → 82,3%.
    app.set_members(&admin, "899", 2000).await;
    submit(&app, &u899, "899", "2023-03-03", json!({"values": {"1": "1.647", "5": "16.450"}})).await;
    let rg = cli_progress(&app, &["--at", "2023-03-31", "--unit", "899"]);
    assert_eq!(indicator(&rg, "1")["achieved_percent"], 82.4);
    assert_eq!(indicator(&rg, "1")["text_vi"], "82,4% · chưa đạt");
    let province = cli_progress(&app, &["--at", "2023-03-31"]);
    let trees = indicator(&province, "5");
    assert_eq!(trees["completion"], 82.3, "{trees:#}");
    assert_eq!(trees["text_vi"], "82,3% · chưa đạt");

    // The unit's final report, the workbook and the dashboard agree to the digit.
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/final-report.docx?unit=899&at=2023-03-31").await;
    let docx = docx_text(&bytes);
    assert!(docx.contains("| 82,4% (1.647) | 82,4% | Chưa đạt |"), "{docx}");
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/final-report.docx?at=2023-03-31").await;
    assert!(docx_text(&bytes).contains("| 16.450 cây | 82,3% | Chưa đạt |"), "province trees");
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/workbook.xlsx?unit=899&at=2023-03-31").await;
    let targets = sheet(&bytes, "Chỉ tiêu");
    let row = (2..targets.height() as u32)
        .find(|r| targets.get_value((*r, 1)) == Some(&Data::String("1".into())))
        .expect("row of 1");
    let value = cell_f64(targets.get_value((row, 6)).expect("achieved"));
    assert!((value - 0.824).abs() < 1e-12, "the cell holds 82,4% exactly as shown: {value}");
    let (_, _, _, csv) = download(&app, &admin, "/api/v1/exports/targets.csv?unit=899&at=2023-03-31").await;
    let csv = String::from_utf8(csv).expect("utf-8");
    assert!(csv.lines().any(|l| l.contains(",82.4,")), "{csv}");
    let office = office_browser(&app, "r.admin").await;
    let html = page(&app, &office, "/dashboard?unit=899&at=2023-03-31").await;
    assert!(html.contains("82,4% · chưa đạt"), "dashboard wording: percentage first, then the verdict");
    assert!(!html.contains("chưa đạt, đạt"), "the old wording is gone");
    let html = page(&app, &office, "/dashboard?at=2023-03-31").await;
    assert!(html.contains("82,3% · chưa đạt"));
}

#[tokio::test]
async fn the_count_sentence_counts_targets_and_indicators_and_reports_name_late_and_missing_units() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "c.admin", Role::Admin, &[], PW).await).await;
    let u899 = add_token(db, add_user(db, "c.899", Role::Unit, &["899"], PW).await).await;
    let u900 = add_token(db, add_user(db, "c.900", Role::Unit, &["900"], PW).await).await;
    // Activities without funds; both reports of week 1 are late (sent after the deadline).
    let activity =
        json!({"title": "Ra quân", "held_on": "2023-03-01", "area": "2.1", "place": "Rạch Giá", "participants": "150"});
    submit(&app, &u899, "899", "2023-03-03", json!({"values": {"5": "25000"}, "activities": [activity]})).await;
    submit(&app, &u900, "900", "2023-03-03", json!({"values": {"5": "10"}})).await;

    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/final-report.docx?at=2023-03-31").await;
    let docx = docx_text(&bytes);
    // 18 targets in the plan, 26 indicators: target 5 is met (its one indicator is).
    assert!(docx.contains("có 1/18 chỉ tiêu đạt và vượt (trong đó 1 chỉ tiêu vượt)"), "{docx}");
    assert!(docx.contains("/26 chỉ số đạt và vượt"), "{docx}");
    assert!(!docx.contains("tổng kinh phí 0 đồng"), "{docx}");
    assert!(docx.contains("(chưa có báo cáo kinh phí)"), "{docx}");
    // The late and missing units by name, week by week.
    assert!(docx.contains("Tuần 1 (03/03/2023): gửi trễ hạn (2): Thành đoàn Rạch Giá, Thành đoàn Hà Tiên."), "{docx}");
    let missing =
        docx.lines().find(|l| l.contains("Tuần 1 (03/03/2023): chưa gửi báo cáo (13)")).expect("missing, week 1");
    assert!(missing.contains("Huyện đoàn Kiên Lương") && !missing.contains("Rạch Giá"), "{missing}");
    // A week nobody reported in is one short line, not fifteen names.
    assert!(docx.contains("Tuần 2 (10/03/2023): chưa gửi báo cáo: cả 15 đơn vị."), "{docx}");

    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/weekly-report.docx?period_end=2023-03-03").await;
    let weekly = docx_text(&bytes);
    assert!(weekly.contains("Gửi trễ hạn (2): Thành đoàn Rạch Giá, Thành đoàn Hà Tiên."), "{weekly}");
    assert!(weekly.contains("Chưa gửi báo cáo (13): ") && weekly.contains("Huyện đoàn Kiên Lương"), "{weekly}");

    // The dashboard counts targets and indicators separately too, and lists the
    // indicator names for phones.
    let office = office_browser(&app, "c.admin").await;
    let html = page(&app, &office, "/dashboard?at=2023-03-31").await;
    assert!(html.contains(r#"<strong class="dash-targets-met">1/18</strong>"#), "dashboard targets count");
    assert!(html.contains(r#"<strong class="dash-indicators-met">1/"#), "dashboard indicators count");
    assert!(html.contains(r#"<details class="indicator-names">"#) && html.contains("<dt>15a</dt>"), "names on phones");
}

#[tokio::test]
async fn units_done_beyond_the_units_in_the_tree_are_not_a_share() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin = add_token(db, add_user(db, "t.admin", Role::Admin, &[], PW).await).await;
    let u899 = add_token(db, add_user(db, "t.899", Role::Unit, &["899"], PW).await).await;
    let u900 = add_token(db, add_user(db, "t.900", Role::Unit, &["900"], PW).await).await;
    // Indicator 16: communes with a digital-tech team. Rạch Giá reports all its 12
    // communes, Hà Tiên 3; then two of Rạch Giá's communes leave the tree (deactivated):
    // 12 done of the 10 the tree holds.
    submit(&app, &u899, "899", "2023-03-03", json!({"values": {"16": "12"}})).await;
    submit(&app, &u900, "900", "2023-03-03", json!({"values": {"16": "3"}})).await;
    for code in ["30730", "30733"] {
        let r = app
            .client
            .patch(format!("{}/api/v1/units/{code}", app.base))
            .bearer_auth(&admin)
            .json(&json!({"active": false}))
            .send()
            .await
            .expect("patch");
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap_or_default());
    }
    let province = cli_progress(&app, &["--at", "2023-03-31"]);
    let tech = indicator(&province, "16");
    assert_eq!(tech["status"], "insufficient_base", "{tech:#}");
    assert_eq!(tech["ratio"], Value::Null);
    assert_eq!(tech["coverage"]["units_with_base"], 14);
    assert_eq!(tech["coverage"]["units_expected"], 15);
    assert_eq!(tech["coverage"]["people_without_base"], 12);
    assert_eq!(tech["text_vi"], "chưa đủ số liệu nền (14/15 đơn vị có đủ đơn vị trực thuộc trong cây)");
    let rach_gia = cli_progress(&app, &["--at", "2023-03-31", "--unit", "899"]);
    assert_eq!(indicator(&rach_gia, "16")["status"], "insufficient_base");
    // Hà Tiên's figures are whole: a share of its communes.
    let ha_tien = cli_progress(&app, &["--at", "2023-03-31", "--unit", "900"]);
    assert_eq!(indicator(&ha_tien, "16")["status"], "not_met");
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/final-report.docx?at=2023-03-31").await;
    let docx = docx_text(&bytes);
    assert!(docx_row(&docx, tech["label"].as_str().expect("label")).contains("| — | Chưa đủ số liệu nền |"), "{docx}");
}
