//! Year over year, "so với cùng kỳ": a 2024 edition of the built-in campaign follows
//! the 2023 one; at week 2 every surface (API, dashboard, CLI, final report, workbook)
//! shows the same figure of week 2 of 2023 and the same change; a campaign that
//! follows none shows none; a unit made of two predecessors gets the sum of theirs.

use std::collections::HashMap;

use chrono::Utc;
use phongtrao_domain::progress::compare_years::{Lineage, Measure};
use phongtrao_domain::role::Role;
use phongtrao_storage::campaigns::{self, StoredCampaign};
use phongtrao_storage::Db;
use serde_json::{json, Value};

use crate::documents::{cell_f64, cli_progress, docx_text, download, sheet};
use crate::support::{add_token, add_user, spawn_app, TestApp};

const PW: &str = "mat-khau-thu-nghiem-1";
const CODE_2024: &str = "kien-giang-thang-thanh-nien-2024";

/// The built-in plan as its 2024 edition: another code and year, every date moved
/// 52 weeks on (Fridays stay Fridays: week 2 ends on 08/03/2024).
fn plan_2024() -> String {
    crate::campaigns::next_year_plan()
        .replace("code = \"kien-giang-thang-thanh-nien-2024\"", &format!("code = \"{CODE_2024}\""))
        .replace("title = \"Kế hoạch Tháng Thanh niên năm 2023\"", "title = \"Kế hoạch Tháng Thanh niên năm 2024\"")
}

/// Loads the 2024 edition following the built-in 2023 campaign; (2023, 2024).
async fn load_2024(db: &Db) -> (StoredCampaign, StoredCampaign) {
    let previous = campaigns::current(db).await.expect("built-in campaign");
    let text = plan_2024();
    let plan = phongtrao_domain::plan::parse_plan(&text).expect("the 2024 plan parses");
    let id = campaigns::load_plan(db, &plan, &text, Utc::now()).await.expect("load 2024").id();
    campaigns::set_previous(db, id, Some(previous.row.id), Utc::now()).await.expect("set previous");
    let this = campaigns::by_id(db, id).await.expect("read").expect("2024");
    (previous, this)
}

/// Makes a campaign the default one (the campaign switcher's job, not this file's).
async fn make_default(db: &Db, campaign_id: i64) {
    phongtrao_storage::with_pool!(db, pool => sqlx::query("UPDATE campaigns SET is_current = (id = $1)")
        .bind(campaign_id)
        .execute(pool)
        .await
        .map(|_| ()))
    .expect("switch");
}

async fn submit(app: &TestApp, token: &str, unit: &str, week: &str, values: Value) {
    let r = app.submit(token, unit, week, json!({ "values": values })).await;
    assert!(r.status().is_success(), "{unit} {week}: {}", r.text().await.unwrap_or_default());
}

fn indicator<'a>(progress: &'a Value, key: &str) -> &'a Value {
    progress["indicators"].as_array().expect("indicators").iter().find(|i| i["indicator"] == key).expect("indicator")
}

/// 2023: 899 reports 200 + 800 trees (5) in weeks 1 and 2 and 400 of its 4,000
/// members reached (2a); 900 reports 300 + 500 trees. A week-3 report (not the same
/// point) adds 5,000 that must not count. 2024: 899 reports 1,125 trees in week 2
/// and 600 members reached, and 4 new members (17) where 2023 had none.
async fn two_years(app: &TestApp) -> (String, String, StoredCampaign, StoredCampaign) {
    let db = &app.db;
    let admin = add_token(db, add_user(db, "y.admin", Role::Admin, &[], PW).await).await;
    let u899 = add_token(db, add_user(db, "y.899", Role::Unit, &["899"], PW).await).await;
    let u900 = add_token(db, add_user(db, "y.900", Role::Unit, &["900"], PW).await).await;
    app.set_members(&admin, "899", 4000).await;
    submit(app, &u899, "899", "2023-03-03", json!({"5": "200", "2a": "150"})).await;
    submit(app, &u899, "899", "2023-03-10", json!({"5": "800", "2a": "250"})).await;
    submit(app, &u899, "899", "2023-03-17", json!({"5": "5000", "2a": "1000"})).await;
    submit(app, &u900, "900", "2023-03-03", json!({"5": "300"})).await;
    submit(app, &u900, "900", "2023-03-10", json!({"5": "500"})).await;
    let (previous, this) = load_2024(db).await;
    make_default(db, this.row.id).await;
    submit(app, &u899, "899", "2024-03-08", json!({"5": "1125", "2a": "600", "17": "4"})).await;
    (admin, u899, previous, this)
}

#[tokio::test]
async fn every_surface_shows_the_same_point_of_last_year_and_the_same_change() {
    let app = spawn_app().await;
    let (admin, u899, _, _) = two_years(&app).await;
    // The API: week 2 of 2024 against week 2 of 2023 (not the week-3 report).
    let api = app.api("/api/v1/progress?unit=899&at=2024-03-08", &u899).await;
    assert_eq!(api["periods_counted"], 2);
    assert_eq!(api["compared_with"]["campaign"], "kien-giang-thang-thanh-nien-2023");
    assert_eq!(api["compared_with"]["year"], 2023);
    assert_eq!(api["compared_with"]["period"], 2);
    assert_eq!(api["compared_with"]["period_end"], "2023-03-10");
    let trees = indicator(&api, "5");
    assert_eq!(trees["sum"], 1125);
    assert_eq!(trees["previous"]["year"], 2023);
    assert_eq!(trees["previous"]["value"], 1000.0);
    assert_eq!(trees["previous"]["change_percent"], 12.5);
    assert_eq!(trees["previous"]["text_vi"], "tăng 12,5% so với cùng kỳ năm 2023");
    assert_eq!(trees["previous"]["text_en"], "up 12.5% on the same point of 2023");
    // Last year's whole curve, week by week (week 3's 5,000 after the same point).
    let series: Vec<f64> =
        trees["previous"]["series"].as_array().expect("series").iter().map(|v| v.as_f64().expect("number")).collect();
    assert_eq!(&series[..3], &[200.0, 1000.0, 6000.0]);
    // A percentage compares in points: 15% against 10% of 4,000 members.
    let reached = indicator(&api, "2a");
    assert_eq!(reached["previous"]["value"], 10.0);
    assert_eq!(reached["previous"]["change_points"], 5.0);
    assert_eq!(reached["previous"]["text_vi"], "tăng 5 điểm % so với cùng kỳ năm 2023");
    // Nothing last year: said so, no invented percentage.
    let members = indicator(&api, "17");
    assert_eq!(members["previous"]["text_vi"], "cùng kỳ năm 2023: 0");
    assert!(members["previous"]["change_percent"].is_null());
    // 0 in both years is level.
    assert_eq!(indicator(&api, "6")["previous"]["text_vi"], "bằng cùng kỳ năm 2023");

    // The use case's own route answers the same, for the unit's own reporter.
    let yoy = app.api("/api/v1/progress/year-over-year?unit=899&at=2024-03-08", &u899).await;
    let own = yoy["indicators"].as_array().expect("indicators").iter().find(|i| i["indicator"] == "5").expect("5");
    assert_eq!(own["text_vi"], trees["previous"]["text_vi"]);
    assert_eq!(own["value"], 1000.0);
    assert_eq!(yoy["compared_with"]["headline_vi"], api["compared_with"]["headline_vi"]);
    // …and not for a unit the reporter may not read.
    let r = app
        .client
        .get(format!("{}/api/v1/progress/year-over-year?unit=900&at=2024-03-08", app.base))
        .bearer_auth(&u899)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 403);

    // The CLI's JSON is the API's.
    let cli = cli_progress(&app, &["--unit", "899", "--at", "2024-03-08"]);
    assert_eq!(indicator(&cli, "5")["previous"], trees["previous"]);
    assert_eq!(cli["compared_with"], api["compared_with"]);

    // The CLI's text: the sentence, and a line under the indicator in both languages.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env("DATABASE_URL", &app.database_url)
        .env("RUST_LOG", "warn")
        .args(["progress", "--unit", "899", "--at", "2024-03-08"])
        .output()
        .expect("cli");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(api["compared_with"]["headline_vi"].as_str().expect("vi")), "{text}");
    assert!(
        text.contains(
            "cùng kỳ năm 2023: 1.000 — tăng 12,5% so với cùng kỳ năm 2023 / up 12.5% on the same point of 2023"
        ),
        "{text}"
    );

    // The dashboard: the headline's sentence and a line per indicator.
    let html = app.office_page("/dashboard?unit=899&at=2024-03-08").await;
    let headline = api["compared_with"]["headline_vi"].as_str().expect("headline");
    assert!(headline.starts_with("So với cùng kỳ năm 2023 (tuần 2):"), "{headline}");
    assert!(html.contains(headline), "the dashboard's headline: {html}");
    assert!(
        html.contains("Cùng kỳ năm 2023: 1.000 — tăng 12,5% so với cùng kỳ năm 2023"),
        "the dashboard's line of indicator 5"
    );

    // In English, from the same figures.
    let office = crate::support::browser();
    let r = app.login_form(&office, "y.admin", PW, "10.250.0.9").await;
    assert_eq!(r.status(), 303);
    office.get(format!("{}/lang/en?next=/", app.base)).send().await.expect("lang");
    let r = office.get(format!("{}/dashboard?unit=899&at=2024-03-08", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 200);
    let english = r.text().await.expect("body");
    assert!(english.contains(api["compared_with"]["headline_en"].as_str().expect("en")), "the English headline");
    assert!(english.contains("Same point of 2023: 1,000 — up 12.5% on the same point of 2023"), "the English line");

    // The weekly curve of indicator 5 lays last year's under this year's.
    let html = app.office_page("/dashboard?unit=899&at=2024-03-08&ind=5").await;
    assert!(html.contains("class=\"series-previous\""), "last year's curve");
    assert!(html.contains("Cùng kỳ năm 2023</title>"), "named in the chart");

    // The final report: one sentence per indicator.
    let (status, _, _, bytes) =
        download(&app, &admin, "/api/v1/exports/final-report.docx?unit=899&at=2024-03-08").await;
    assert_eq!(status, 200);
    let text = docx_text(&bytes);
    assert!(text.contains(headline), "{text}");
    assert!(text.contains(": 1.125 cây, tăng 12,5% so với cùng kỳ năm 2023."), "{text}");
    assert!(text.contains("tăng 5 điểm % so với cùng kỳ năm 2023."), "{text}");

    // The workbook: "Cùng kỳ năm 2023" and "Tăng/giảm" beside each indicator.
    let (status, _, _, bytes) = download(&app, &admin, "/api/v1/exports/workbook.xlsx?unit=899&at=2024-03-08").await;
    assert_eq!(status, 200);
    let targets = sheet(&bytes, "Chỉ tiêu");
    let rows: Vec<_> = targets.rows().collect();
    let header = rows.iter().position(|r| r.iter().any(|c| *c == "Mã")).expect("header row");
    let col = |name: &str| rows[header].iter().position(|c| *c == name).expect(name);
    let (key, previous, change) = (col("Mã"), col("Cùng kỳ năm 2023"), col("Tăng/giảm"));
    let row = rows.iter().find(|r| r[key] == "5").expect("row of 5");
    assert_eq!(cell_f64(&row[previous]), 1000.0);
    assert!((cell_f64(&row[change]) - 0.125).abs() < 1e-9, "{:?}", row[change]);
    let row = rows.iter().find(|r| r[key] == "2a").expect("row of 2a");
    assert!((cell_f64(&row[previous]) - 0.10).abs() < 1e-9, "{:?}", row[previous]);
    assert_eq!(row[change].to_string(), "tăng 5 điểm %");
    // The CSV: a change is a plain number or words, never a sign a spreadsheet takes
    // for a formula (escaped with a visible apostrophe).
    let (status, _, _, bytes) = download(&app, &admin, "/api/v1/exports/targets.csv?unit=899&at=2024-03-08").await;
    assert_eq!(status, 200);
    let csv = String::from_utf8_lossy(&bytes);
    assert!(csv.contains(",tăng 5 điểm %") && !csv.contains("'+") && !csv.contains("'-"), "{csv}");
}

#[tokio::test]
async fn a_campaign_that_follows_none_shows_no_comparison() {
    let app = spawn_app().await;
    let (_, u899, previous, _) = two_years(&app).await;
    make_default(&app.db, previous.row.id).await;
    let api = app.api("/api/v1/progress?unit=899&at=2023-03-10", &u899).await;
    assert_eq!(indicator(&api, "5")["sum"], 1000);
    assert!(api.get("compared_with").is_none(), "{api}");
    assert!(indicator(&api, "5").get("previous").is_none());
    let yoy = app.api("/api/v1/progress/year-over-year?unit=899&at=2023-03-10", &u899).await;
    assert!(yoy.is_null(), "{yoy}");
    let html = app.office_page("/dashboard?unit=899&at=2023-03-10").await;
    assert!(!html.contains("so với cùng kỳ"), "no comparison on the dashboard");
    let cli = cli_progress(&app, &["--unit", "899", "--at", "2023-03-10"]);
    assert!(cli.get("compared_with").is_none());
}

#[tokio::test]
async fn before_the_first_week_there_is_nothing_to_compare() {
    let app = spawn_app().await;
    let (_, u899, _, _) = two_years(&app).await;
    // 24/02/2024 is before the first period of 2024 starts counting.
    let api = app.api("/api/v1/progress?unit=899&at=2024-02-20", &u899).await;
    assert_eq!(api["periods_counted"], 0);
    assert!(api["compared_with"]["period"].is_null());
    assert_eq!(indicator(&api, "5")["previous"]["text_vi"], "chưa có số liệu cùng kỳ");
}

#[tokio::test]
async fn a_unit_made_of_two_predecessors_compares_with_the_sum_of_theirs() {
    let app = spawn_app().await;
    let (_, _, previous, _) = two_years(&app).await;
    let db = &app.db;
    let id = |code: &'static str| async move {
        phongtrao_storage::units::by_code(db, code).await.expect("read").expect(code).id
    };
    let (u899, u900) = (id("899").await, id("900").await);
    // A unit of the new tree formed from 899 and 900 (its id need not exist in the
    // old tree): week 2 of 2023 gives 1,000 + 800.
    let merged = 9_000_001;
    let lineage: Lineage = HashMap::from([(merged, vec![(u899, 1.0), (u900, 1.0)])]);
    let values =
        phongtrao_storage::comparisons::previous_values(db, &previous, merged, &lineage, 2).await.expect("values");
    let alone_899 =
        phongtrao_storage::comparisons::previous_values(db, &previous, u899, &Lineage::new(), 2).await.expect("899");
    let alone_900 =
        phongtrao_storage::comparisons::previous_values(db, &previous, u900, &Lineage::new(), 2).await.expect("900");
    assert_eq!(alone_899["5"], Measure::Count(1000));
    assert_eq!(alone_900["5"], Measure::Count(800));
    assert_eq!(values["5"], Measure::Count(1800), "the sum of the predecessors");
    // Half of 900 went to this unit: 1,000 + 400.
    let lineage: Lineage = HashMap::from([(merged, vec![(u899, 1.0), (u900, 0.5)])]);
    let values =
        phongtrao_storage::comparisons::previous_values(db, &previous, merged, &lineage, 2).await.expect("values");
    assert_eq!(values["5"], Measure::Count(1400));
    // The same week clamps: week 9 of a 6-week campaign is its last week (week 3's
    // 5,000 counts then).
    let values =
        phongtrao_storage::comparisons::previous_values(db, &previous, u899, &Lineage::new(), 3).await.expect("values");
    assert_eq!(values["5"], Measure::Count(6000));
    // A unit that did not exist last year, and that no lineage names: no figure,
    // which is not "0 last year".
    let weeks =
        phongtrao_storage::comparisons::previous_weeks(db, &previous, 9_000_002, &Lineage::new()).await.expect("weeks");
    assert!(weeks.is_empty());
    let weeks = phongtrao_storage::comparisons::previous_weeks(db, &previous, merged, &lineage).await.expect("weeks");
    assert_eq!(weeks["5"][1], Measure::Count(1400), "week 2 of the curve is the same point");
}

async fn link(app: &TestApp, token: &str, key: &str, previous_key: Value) -> (u16, Value) {
    let r = app
        .client
        .put(format!("{}/api/v1/progress/year-over-year/links/{key}", app.base))
        .bearer_auth(token)
        .json(&json!({ "previous_key": previous_key }))
        .send()
        .await
        .expect("put");
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_office_matches_an_indicator_whose_key_changed() {
    let app = spawn_app().await;
    let (admin, u899, _, this) = two_years(&app).await;
    // Indicator 17 of 2024 is taken to be last year's 5 (a made-up renaming).
    let (status, body) = link(&app, &admin, "17", json!("5")).await;
    assert_eq!(status, 200, "{body}");
    let api = app.api("/api/v1/progress?unit=899&at=2024-03-08", &u899).await;
    assert_eq!(indicator(&api, "17")["previous"]["key"], "5");
    assert_eq!(indicator(&api, "17")["previous"]["value"], 1000.0);
    // Audited.
    let audited: i64 = phongtrao_storage::with_pool!(&app.db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'indicator.link'").fetch_one(pool).await)
    .expect("audit");
    assert_eq!(audited, 1);
    // A unit reporter may not; a key last year's plan lacks is refused in both
    // languages; nothing is stored either way.
    let (status, _) = link(&app, &u899, "17", json!("2a")).await;
    assert_eq!(status, 403);
    let (status, body) = link(&app, &admin, "17", json!("99z")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("99z"), "{body}");
    assert_eq!(phongtrao_storage::comparisons::links(&app.db, this.row.id).await.expect("links")["17"], "5");
    // Removing the match: the same key again.
    let (status, _) = link(&app, &admin, "17", Value::Null).await;
    assert_eq!(status, 200);
    let api = app.api("/api/v1/progress?unit=899&at=2024-03-08", &u899).await;
    assert_eq!(indicator(&api, "17")["previous"]["key"], "17");
}

/// "So với cùng kỳ năm 2023 (tuần 2): 3 chỉ số tăng, 1 giảm, 2 bằng; 1 chưa so được."
/// → the numbers in it, summed.
fn headline_total(headline: &str) -> usize {
    let counts = headline.split_once("):").map(|(_, rest)| rest).unwrap_or_default();
    counts
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(|n| n.parse::<usize>().expect("number"))
        .sum()
}

/// The indicators that apply to the unit: those its progress judges (the dashboard's
/// "x/y chỉ số"), not those never given to it nor retired.
fn judged(progress: &Value) -> usize {
    progress["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .filter(|i| i["status"] != "no_goal" && i["retired"] != true)
        .count()
}

#[tokio::test]
async fn the_headline_counts_the_indicators_that_apply_to_the_unit() {
    let app = spawn_app().await;
    let (admin, u899, _, _) = two_years(&app).await;
    // A district: only the indicators given to it, and the word is "chỉ số".
    let api = app.api("/api/v1/progress?unit=899&at=2024-03-08", &u899).await;
    let all = api["indicators"].as_array().expect("indicators").len();
    let own = judged(&api);
    assert!(own < all, "the district is not given every indicator ({own} of {all})");
    let headline = api["compared_with"]["headline_vi"].as_str().expect("headline");
    assert!(headline.contains(" chỉ số tăng, "), "{headline}");
    assert!(!headline.contains("chỉ tiêu"), "{headline}");
    assert_eq!(headline_total(headline), own, "{headline}");
    let english = api["compared_with"]["headline_en"].as_str().expect("headline");
    assert_eq!(headline_total(english), own, "{english}");
    // The dashboard says the same beside "x/y chỉ số".
    let html = app.office_page("/dashboard?unit=899&at=2024-03-08").await;
    assert!(html.contains(headline), "the dashboard's headline");
    assert!(html.contains(&format!("/{own}</strong> chỉ số")), "the dashboard's count of indicators");
    // …and the district's final report.
    let (status, _, _, bytes) =
        download(&app, &admin, "/api/v1/exports/final-report.docx?unit=899&at=2024-03-08").await;
    assert_eq!(status, 200);
    let text = docx_text(&bytes);
    assert!(text.contains(headline), "{text}");
    // The province: every indicator of the plan applies.
    let api = app.api("/api/v1/progress?at=2024-03-08", &admin).await;
    let headline = api["compared_with"]["headline_vi"].as_str().expect("headline");
    assert_eq!(headline_total(headline), judged(&api), "{headline}");
    assert_eq!(judged(&api), all, "{headline}");
}
