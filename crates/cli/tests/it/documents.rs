//! Documents: the final and weekly reports (.docx), the workbook (.xlsx), CSV tables
//! and the plan, opened again and checked against `phongtrao progress --json`.

use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use phongtrao_domain::format;
use phongtrao_domain::role::Role;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, browser, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const FORMULA: &str = "=HYPERLINK(\"http://x\",\"y\")";

/// A part of a zip file (a .docx or .xlsx) as text.
pub(crate) fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip file");
    let mut out = String::new();
    archive.by_name(name).expect(name).read_to_string(&mut out).expect("utf-8");
    out
}

/// The text of a .docx body: runs joined, one line per paragraph, " | " between cells.
pub(crate) fn docx_text(bytes: &[u8]) -> String {
    let xml = part(bytes, "word/document.xml");
    let mut out = String::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>').expect("tag end");
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with("w:t ") || tag == "w:t" {
            let close = rest.find("</w:t>").expect("w:t end");
            out.push_str(
                &rest[..close].replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&"),
            );
            rest = &rest[close..];
        } else if tag == "/w:p" {
            out.push('\n');
        } else if tag == "/w:tc" {
            if out.ends_with('\n') {
                out.pop();
            }
            out.push_str(" | ");
        }
    }
    out
}

pub(crate) fn cli_progress(app: &TestApp, extra: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .args(["progress", "--json"])
        .args(extra)
        .output()
        .expect("cli");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

pub(crate) async fn download(app: &TestApp, token: &str, path: &str) -> (reqwest::StatusCode, String, String, Vec<u8>) {
    let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(token).send().await.expect("download");
    let status = r.status();
    let header = |name: &str| r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let (ctype, disposition) = (header("content-type"), header("content-disposition"));
    (status, ctype, disposition, r.bytes().await.expect("body").to_vec())
}

async fn submit(app: &TestApp, token: &str, code: &str, week: &str, input: Value) {
    let r = app.submit(token, code, week, input).await;
    assert!(r.status().is_success(), "{code} {week}: {}", r.text().await.unwrap_or_default());
}

pub(crate) fn sheet(bytes: &[u8], name: &str) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("xlsx");
    wb.worksheet_range(name).expect(name)
}

pub(crate) fn cell_f64(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

/// Two districts report two weeks each, with activities and notes.
async fn with_reports(app: &TestApp) -> (String, String) {
    let db = &app.db;
    let admin = add_token(db, add_user(db, "d.admin", Role::Admin, &[], PW).await).await;
    let u899 = add_token(db, add_user(db, "d.899", Role::Unit, &["899"], PW).await).await;
    let u900 = add_token(db, add_user(db, "d.900", Role::Unit, &["900"], PW).await).await;
    app.set_members(&admin, "899", 4000).await;
    app.set_members(&admin, "900", 1500).await;
    let activity = |title: &str, day: &str, people: &str| json!({"title": title, "held_on": day, "area": "2.1", "place": "Phường Vĩnh Thanh", "participants": people, "funds": "2.500.000", "result": "Hoàn thành"});
    for (code, token, trees, members, reached) in [("899", &u899, 1500, 20, 900), ("900", &u900, 2750, 12, 300)] {
        submit(
            app,
            token,
            code,
            "2023-03-03",
            json!({"values": {"5": trees.to_string(), "17": members.to_string(), "2a": reached.to_string()},
                   "activities": [activity("Ra quân trồng cây xanh", "2023-03-01", "150")],
                   "highlights": format!("Đơn vị {code} ra quân"), "difficulties": "Thiếu kinh phí", "proposals": "Hỗ trợ cây giống"}),
        )
        .await;
        submit(
            app,
            token,
            code,
            "2023-03-10",
            json!({"values": {"5": (trees / 2).to_string(), "17": "3"},
                   "activities": [activity("Ngày hội việc làm", "2023-03-08", "420")],
                   "highlights": FORMULA, "difficulties": FORMULA, "proposals": "Tăng cường tập huấn"}),
        )
        .await;
    }
    (admin, u899)
}

#[tokio::test]
async fn the_final_and_weekly_reports_and_the_workbook_carry_the_progress_figures() {
    let app = spawn_app().await;
    let (admin, u899) = with_reports(&app).await;
    let progress = cli_progress(&app, &["--at", "2023-03-31"]);
    let indicators = progress["indicators"].as_array().expect("indicators");
    let find = |key: &str| indicators.iter().find(|i| i["indicator"] == key).expect("indicator").clone();

    // The final report.
    let (status, ctype, disposition, bytes) =
        download(&app, &admin, "/api/v1/exports/final-report.docx?at=2023-03-31").await;
    assert_eq!(status, 200);
    assert!(ctype.contains("wordprocessingml"), "{ctype}");
    assert_eq!(disposition, "attachment; filename=\"bao-cao-tong-ket-91-2023-03-31.docx\"");
    let text = docx_text(&bytes);
    for expected in [
        "ĐOÀN TNCS HỒ CHÍ MINH",
        "BCH ĐOÀN TỈNH KIÊN GIANG",
        "Số: ....-BC/TĐTN",
        "Kiên Giang, ngày 31 tháng 3 năm 2023",
        "BÁO CÁO",
        "tổng kết Tháng Thanh niên năm 2023",
        "Nơi nhận:",
        "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN",
        "Phan Đình Nhân",
        "Thiếu kinh phí",
        "Hỗ trợ cây giống",
        "Ngày hội việc làm",
    ] {
        assert!(text.contains(expected), "the final report lacks {expected:?}:\n{text}");
    }
    // Each indicator's row: plan, result, ratio and verdict as progress has them.
    for key in ["5", "17"] {
        let i = find(key);
        let sum = i["sum"].as_i64().expect("sum");
        let unit = i["unit_label"].as_str().expect("unit label");
        let ratio = format::percent(i["completion"].as_f64().expect("completion"));
        let goal = format::number(i["goal"].as_f64().expect("goal"), 0);
        let row = format!("| {goal} {unit} | {} {unit} | {ratio} | ", format::integer(sum));
        assert!(text.contains(&row), "no row {row:?} for {key}:\n{text}");
    }
    assert_eq!(find("5")["sum"], 1500 + 2750 + 750 + 1375);
    assert!(text.contains("6.375 cây"), "Vietnamese thousands");
    // Members known for 2 districts of 15: no percentage is made up for the province.
    let reached = find("2a");
    assert_eq!(reached["status"], "insufficient_base");
    let pct = format!("{} (2/15 đơn vị có số liệu nền)", format::integer(1200));
    assert!(text.contains(&pct), "{pct}:\n{text}");
    // The count sentence counts the plan's targets (met when all their indicators
    // are), then its indicators.
    let mut targets: Vec<(i64, Vec<String>)> = Vec::new();
    for i in indicators {
        let (n, status) = (i["target"].as_i64().expect("target"), i["status"].as_str().expect("status").to_string());
        match targets.iter_mut().find(|(t, _)| *t == n) {
            Some((_, list)) => list.push(status),
            None => targets.push((n, vec![status])),
        }
    }
    let met = targets.iter().filter(|(_, s)| s.iter().all(|s| s == "met" || s == "exceeded")).count();
    assert_eq!(targets.len(), 18);
    assert!(text.contains(&format!("có {met}/18 chỉ tiêu đạt và vượt")), "{text}");
    let met = indicators.iter().filter(|i| i["status"] == "met" || i["status"] == "exceeded").count();
    assert!(text.contains(&format!("{met}/26 chỉ số đạt và vượt")), "{text}");
    // Timeliness of every week: 15 expected; two reports late in weeks 1 and 2.
    for t in progress["timeliness"].as_array().expect("timeliness") {
        let row = format!(
            "| {} | {} | {} | {} | {} | ",
            t["expected"],
            t["on_time"],
            t["late"],
            t["missing"],
            format::percent(t["rate"].as_f64().expect("rate"))
        );
        assert!(text.contains(&row), "no timeliness row {row:?}:\n{text}");
    }
    // A4, Times New Roman, 30 mm left and 20 mm other margins.
    let xml = part(&bytes, "word/document.xml");
    assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
    assert!(xml.contains(r#"w:top="1134" w:right="1134" w:bottom="1134" w:left="1701""#), "margins");
    assert!(part(&bytes, "word/styles.xml").contains(r#"w:ascii="Times New Roman""#));
    assert!(!text.contains("SỐ LIỆU MÔ PHỎNG"), "real data are not labelled simulated");

    // The weekly report of week 2: the figures up to 10/03.
    let week2 = cli_progress(&app, &["--at", "2023-03-10"]);
    let (status, _, disposition, bytes) =
        download(&app, &admin, "/api/v1/exports/weekly-report.docx?period_end=2023-03-10").await;
    assert_eq!(status, 200);
    assert!(disposition.contains("bao-cao-tuan-2-91-2023-03-10.docx"), "{disposition}");
    let text = docx_text(&bytes);
    assert!(text.contains("tuần 2") && text.contains("(từ ngày 04/03/2023 đến ngày 10/03/2023)"), "{text}");
    let trees = week2["indicators"].as_array().expect("ind").iter().find(|i| i["indicator"] == "5").expect("5").clone();
    let week_increase = 750 + 1375;
    let row = format!(
        "| {} | {} cây | ",
        format::integer(week_increase),
        format::integer(trees["sum"].as_i64().expect("sum"))
    );
    assert!(text.contains(&row), "{row:?}:\n{text}");
    assert!(text.contains("Tăng cường tập huấn") && !text.contains("Hỗ trợ cây giống"), "only week 2's notes");
    let (status, _, _, body) = download(&app, &admin, "/api/v1/exports/weekly-report.docx?period_end=2023-03-11").await;
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));

    // The workbook: the same figures, as numbers.
    let (status, ctype, _, bytes) = download(&app, &admin, "/api/v1/exports/workbook.xlsx?at=2023-03-31").await;
    assert_eq!(status, 200);
    assert!(ctype.contains("spreadsheetml"), "{ctype}");
    let targets = sheet(&bytes, "Chỉ tiêu");
    assert_eq!(targets.get((1, 1)), Some(&Data::String("Mã".into())), "header under the title row");
    for i in indicators {
        let key = i["indicator"].as_str().expect("key");
        let row = (2..targets.height() as u32)
            .find(|r| targets.get_value((*r, 1)) == Some(&Data::String(key.to_string())))
            .expect("indicator row");
        assert_eq!(cell_f64(targets.get_value((row, 7)).expect("sum")), i["sum"].as_f64().expect("sum"), "{key}");
        match i["completion"].as_f64() {
            Some(r) => {
                assert!((cell_f64(targets.get_value((row, 8)).expect("ratio")) - r / 100.0).abs() < 1e-9, "{key}")
            }
            None => assert_eq!(targets.get_value((row, 8)), Some(&Data::Empty)),
        }
    }
    let units = sheet(&bytes, "Đơn vị × chỉ tiêu");
    let rach_gia = cli_progress(&app, &["--at", "2023-03-31", "--unit", "899"]);
    let header: Vec<String> =
        (0..units.width() as u32).map(|c| units.get_value((1, c)).map(|d| d.to_string()).unwrap_or_default()).collect();
    let col = header.iter().position(|h| h.starts_with("5 (")).expect("column of 5") as u32;
    let row = (2..units.height() as u32)
        .find(|r| units.get_value((*r, 0)) == Some(&Data::String("899".into())))
        .expect("899");
    let expected = rach_gia["indicators"].as_array().expect("ind").iter().find(|i| i["indicator"] == "5").expect("5")
        ["sum"]
        .clone();
    assert_eq!(cell_f64(units.get_value((row, col)).expect("value")), expected.as_f64().expect("sum"));
    assert_eq!(units.height(), 2 + 15, "the province's 15 district-level units");
    let timeliness = sheet(&bytes, "Báo cáo đúng hạn");
    for (n, t) in progress["timeliness"].as_array().expect("t").iter().enumerate() {
        let r = n as u32 + 2;
        assert_eq!(cell_f64(timeliness.get_value((r, 4)).expect("expected")), t["expected"].as_f64().expect("e"));
        assert_eq!(cell_f64(timeliness.get_value((r, 7)).expect("missing")), t["missing"].as_f64().expect("m"));
    }
    let activities = sheet(&bytes, "Hoạt động");
    assert_eq!(activities.height(), 2 + 4, "four activities");

    // The plan.
    let (status, _, _, bytes) = download(&app, &admin, "/api/v1/exports/plan.docx").await;
    assert_eq!(status, 200);
    let text = docx_text(&bytes);
    assert!(text.contains("KẾ HOẠCH") && text.contains("20.000 cây") && text.contains("Số: ....-KH/TĐTN"), "{text}");
    assert!(text.contains("trước 16h00 ngày 03/03/2023"), "weekly deadlines:\n{text}");

    // Every route is in the OpenAPI document.
    let doc = app.json("/api/v1/openapi.json").await;
    for path in ["/api/v1/exports/{file}", "/api/v1/document-texts/{doc}"] {
        assert!(doc["paths"].get(path).is_some(), "openapi lacks {path}");
    }

    // Logged-in users only; a unit reads its own subtree, not the province.
    let r = app.client.get(format!("{}/api/v1/exports/workbook.xlsx", app.base)).send().await.expect("anonymous");
    assert_eq!(r.status(), 401);
    let (status, _, _, _) = download(&app, &u899, "/api/v1/exports/final-report.docx").await;
    assert_eq!(status, 403);
    let (status, _, _, bytes) = download(&app, &u899, "/api/v1/exports/final-report.docx?unit=899&at=2023-03-31").await;
    assert_eq!(status, 200);
    assert!(docx_text(&bytes).contains("BCH THÀNH ĐOÀN RẠCH GIÁ"));
}

#[tokio::test]
async fn a_formula_in_a_note_stays_text_in_the_workbook_and_csv() {
    let app = spawn_app().await;
    let (admin, _) = with_reports(&app).await;
    let (status, _, _, bytes) = download(&app, &admin, "/api/v1/exports/workbook.xlsx?at=2023-03-31").await;
    assert_eq!(status, 200);
    let notes = sheet(&bytes, "Ý kiến đơn vị");
    // calamine reads each as a string cell with the text as typed (no formula, no value).
    let strings = notes.used_cells().filter(|(_, _, d)| matches!(d, Data::String(s) if s == FORMULA)).count();
    assert_eq!(strings, 4, "highlights and difficulties of two units");
    for n in 1..=5 {
        let xml = part(&bytes, &format!("xl/worksheets/sheet{n}.xml"));
        assert!(!xml.contains("<f>") && !xml.contains("<f "), "sheet {n} has a formula");
    }
    let (status, ctype, disposition, csv) = download(&app, &admin, "/api/v1/exports/notes.csv?at=2023-03-31").await;
    assert_eq!(status, 200);
    assert!(ctype.starts_with("text/csv"), "{ctype}");
    assert!(disposition.contains("notes-91-2023-03-31.csv"), "{disposition}");
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "UTF-8 BOM");
    let text = String::from_utf8(csv[3..].to_vec()).expect("utf-8");
    assert!(text.contains("\r\n"), "CRLF");
    let mut reader = csv_reader(&text);
    let mut seen = 0;
    for record in reader.records() {
        for field in record.expect("record").iter() {
            assert!(!field.starts_with(['=', '+', '-', '@']), "a formula in the CSV: {field}");
            if *field == format!("'{FORMULA}") {
                seen += 1;
            }
        }
    }
    assert_eq!(seen, 4);
    // The targets CSV: plain numbers for other programs.
    let (_, _, _, csv) = download(&app, &admin, "/api/v1/exports/targets.csv?at=2023-03-31").await;
    let text = String::from_utf8(csv[3..].to_vec()).expect("utf-8");
    assert!(text.lines().any(|l| l.starts_with("5,5,") && l.contains(",6375,")), "{text}");
}

fn csv_reader(text: &str) -> SimpleCsv {
    SimpleCsv(text.to_string())
}

/// Just enough of RFC 4180 to read back what we wrote (quoted fields, doubled quotes).
struct SimpleCsv(String);

impl SimpleCsv {
    fn records(&mut self) -> impl Iterator<Item = Result<Vec<String>, ()>> + '_ {
        let mut rows = Vec::new();
        let (mut row, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, self.0.chars().peekable());
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut field)),
                (false, '\r') => {}
                (false, '\n') => {
                    row.push(std::mem::take(&mut field));
                    rows.push(Ok(std::mem::take(&mut row)));
                }
                (false, c) => field.push(c),
            }
        }
        rows.into_iter()
    }
}

#[tokio::test]
async fn the_office_edits_its_texts_and_the_page_downloads_in_one_click() {
    let app = spawn_app().await;
    let db = &app.db;
    let admin_id = add_user(db, "t.admin", Role::Admin, &[], PW).await;
    let admin = add_token(db, admin_id).await;
    let unit = add_token(db, add_user(db, "t.899", Role::Unit, &["899"], PW).await).await;
    let texts = json!({"number": "45-BC/TĐTN-BPT", "signer_title": "PHÓ BÍ THƯ", "signer_name": "Nguyễn Văn A",
                       "issued_on": "2023-04-05", "conclusions": "Tháng Thanh niên đạt nhiều kết quả."});
    let put = |token: &str, body: Value| {
        app.client.put(format!("{}/api/v1/document-texts/final_report", app.base)).bearer_auth(token).json(&body).send()
    };
    assert_eq!(put(&unit, texts.clone()).await.expect("put").status(), 403, "units do not write the office's texts");
    assert_eq!(put(&admin, json!({"issued_on": "05/04/2023"})).await.expect("put").status(), 422);
    let r = put(&admin, texts).await.expect("put");
    assert_eq!(r.status(), 200);
    let stored: Value = r.json().await.expect("json");
    assert_eq!(stored["number"], "45-BC/TĐTN-BPT");
    let audit = phongtrao_storage::audit::query(
        db,
        &phongtrao_storage::audit::AuditFilter {
            action_prefix: Some("document.".into()),
            limit: 10,
            ..Default::default()
        },
    )
    .await
    .expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor_user_id, Some(admin_id));
    assert!(audit[0].after_json.as_deref().unwrap_or("").contains("PHÓ BÍ THƯ"));
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/final-report.docx?at=2023-03-31").await;
    let text = docx_text(&bytes);
    for expected in [
        "Số: 45-BC/TĐTN-BPT",
        "PHÓ BÍ THƯ",
        "Nguyễn Văn A",
        "Kiên Giang, ngày 05 tháng 4 năm 2023",
        "VI. ĐÁNH GIÁ CHUNG",
    ] {
        assert!(text.contains(expected), "{expected}:\n{text}");
    }

    // The page: linked from the nav, one GET per document, the form for the office.
    let client = browser();
    app.login_form(&client, "t.admin", PW, "10.0.0.9").await;
    let html = client.get(format!("{}/documents", app.base)).send().await.expect("page").text().await.expect("html");
    assert!(html.contains("href=\"/documents\"") && html.contains("action=\"/documents/final-report.docx\""), "{html}");
    assert!(html.contains("value=\"45-BC/TĐTN-BPT\""), "the stored texts are on the form");
    let csrf = crate::support::csrf_of(&html);
    // A weekly report's texts belong to its week (here week 2).
    let r = client
        .post(format!("{}/documents/texts/weekly_report?texts_week=2023-03-10", app.base))
        .header("origin", &app.base)
        .form(&[
            ("csrf", csrf.as_str()),
            ("number", "12-BC/TĐTN"),
            ("signer_name", "Trần Thị B"),
            ("opening", "Ban Thường vụ báo cáo kết quả tuần 2 như sau:"),
        ])
        .send()
        .await
        .expect("save");
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    // The office is told it was saved, and for which week.
    let back = r.headers()["location"].to_str().expect("location").to_string();
    let html = client.get(format!("{}{back}", app.base)).send().await.expect("page").text().await.expect("html");
    let saved = html.split("id=\"texts-saved\"").nth(1).and_then(|t| t.split("</p>").next()).unwrap_or("");
    assert!(saved.contains("Đã lưu nội dung văn bản") && saved.contains("Tuần 2"), "{saved}");
    let week_texts = |end: &'static str| {
        let request = app
            .client
            .get(format!("{}/api/v1/document-texts/weekly_report?period_end={end}", app.base))
            .bearer_auth(&admin);
        async move { request.send().await.expect("texts").json::<Value>().await.expect("json") }
    };
    let week2 = week_texts("2023-03-10").await;
    assert_eq!(week2["number"], "12-BC/TĐTN");
    assert_eq!(week2["signer_name"], "Trần Thị B");
    // Week 1 keeps its own (none); week 3 starts from week 2's, its week number
    // updated and without week 2's document number.
    assert_eq!(week_texts("2023-03-03").await["number"], "");
    let week3 = week_texts("2023-03-17").await;
    assert_eq!(week3["number"], "");
    assert_eq!(week3["signer_name"], "Trần Thị B");
    assert_eq!(week3["opening"], "Ban Thường vụ báo cáo kết quả tuần 3 như sau:");
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/weekly-report.docx?period_end=2023-03-17").await;
    let text = docx_text(&bytes);
    assert!(!text.contains("12-BC/TĐTN") && !text.contains("kết quả tuần 2 như sau"), "week 3's report: {text}");
    let (_, _, _, bytes) = download(&app, &admin, "/api/v1/exports/weekly-report.docx?period_end=2023-03-10").await;
    assert!(docx_text(&bytes).contains("12-BC/TĐTN"));
    // Without a week, a weekly report's texts are refused, in words.
    let r = app
        .client
        .put(format!("{}/api/v1/document-texts/weekly_report", app.base))
        .bearer_auth(&admin)
        .json(&json!({"number": "1"}))
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 422);
    let r = client.get(format!("{}/documents/plan.docx", app.base)).send().await.expect("download");
    assert_eq!(r.status(), 200);
    let disposition = r.headers()["content-disposition"].to_str().expect("header").to_string();
    assert_eq!(disposition, "attachment; filename=\"ke-hoach-kien-giang-thang-thanh-nien-2023.docx\"");
    let anonymous = browser().get(format!("{}/documents/plan.docx", app.base)).send().await.expect("anon");
    assert_eq!(anonymous.status(), 303, "to the login form");

    // Simulated data are labelled in every export; the CLI writes the same files.
    phongtrao_storage::settings::set(db, phongtrao_storage::settings::SIMULATED, "true", chrono::Utc::now())
        .await
        .expect("simulated");
    let dir = tempfile::tempdir().expect("dir");
    for (what, file) in [
        ("final-report", "f.docx"),
        ("weekly-report", "w.docx"),
        ("plan", "p.docx"),
        ("workbook", "b.xlsx"),
        ("targets.csv", "t.csv"),
    ] {
        let path = dir.path().join(file);
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .args(["export", what, "--period-end", "2023-03-10", "--out"])
            .arg(&path)
            .output()
            .expect("cli");
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        let bytes = std::fs::read(&path).expect("file");
        let labelled = if file.ends_with(".docx") {
            docx_text(&bytes).contains("SỐ LIỆU MÔ PHỎNG / SIMULATED DATA")
        } else if file.ends_with(".xlsx") {
            let s = sheet(&bytes, "Chỉ tiêu");
            s.get_value((0, 0))
                .map(|d| d.to_string())
                .unwrap_or_default()
                .starts_with("SỐ LIỆU MÔ PHỎNG / SIMULATED DATA")
        } else {
            String::from_utf8_lossy(&bytes).contains("SỐ LIỆU MÔ PHỎNG / SIMULATED DATA")
        };
        assert!(labelled, "{what} is not labelled simulated");
    }
}

/// A district's report is its own union's document: its own symbol after the number
/// (HĐTN for a Huyện đoàn, TĐTN for a Thành đoàn), dated at its own place, signed by
/// its own standing committee, never with the province's number, place or signer.
#[tokio::test]
async fn a_districts_report_is_numbered_dated_and_signed_as_its_own() {
    let app = spawn_app().await;
    let admin = add_token(&app.db, add_user(&app.db, "t.admin.own", Role::Admin, &[], PW).await).await;
    // The province's own texts: its number and signer.
    let texts = json!({"number": "45-BC/TĐTN-BPT", "signer_title": "PHÓ BÍ THƯ", "signer_name": "Nguyễn Văn A"});
    let r = app
        .client
        .put(format!("{}/api/v1/document-texts/final_report", app.base))
        .bearer_auth(&admin)
        .json(&texts)
        .send()
        .await
        .expect("put");
    assert_eq!(r.status(), 200);
    let text = |path: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let (status, _, _, bytes) = download(app, &admin, path).await;
            assert_eq!(status, 200, "{path}");
            docx_text(&bytes)
        }
    };
    let province = text("/api/v1/exports/final-report.docx?at=2023-03-31").await;
    for expected in
        ["BCH ĐOÀN TỈNH KIÊN GIANG", "Số: 45-BC/TĐTN-BPT", "Kiên Giang, ngày 31 tháng 3 năm 2023", "Nguyễn Văn A"]
    {
        assert!(province.contains(expected), "the province's: {expected}:\n{province}");
    }
    for path in [
        "/api/v1/exports/final-report.docx?unit=904&at=2023-03-31",
        "/api/v1/exports/weekly-report.docx?unit=904&period_end=2023-03-31",
    ] {
        let district = text(path).await;
        for expected in [
            "BCH HUYỆN ĐOÀN TÂN HIỆP",
            "Số: ....-BC/HĐTN",
            "Tân Hiệp, ngày 31 tháng 3 năm 2023",
            "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN",
            "BÍ THƯ",
        ] {
            assert!(district.contains(expected), "{path}: {expected}:\n{district}");
        }
        for absent in ["TĐTN", "Kiên Giang, ngày", "TỈNH ĐOÀN\n", "Nguyễn Văn A", "PHÓ BÍ THƯ", "Phan Đình Nhân"]
        {
            assert!(!district.contains(absent), "{path}: not the province's {absent}:\n{district}");
        }
    }
    // A Thành đoàn keeps TĐTN, at its own place.
    let city = text("/api/v1/exports/final-report.docx?unit=899&at=2023-03-31").await;
    for expected in ["BCH THÀNH ĐOÀN RẠCH GIÁ", "Số: ....-BC/TĐTN", "Rạch Giá, ngày 31 tháng 3 năm 2023"]
    {
        assert!(city.contains(expected), "{expected}:\n{city}");
    }
    assert!(!city.contains("Kiên Giang, ngày") && !city.contains("Nguyễn Văn A"), "{city}");
}
