//! Many campaigns in one database (#19): two running campaigns never see each
//! other's reports, figures, documents or reminders; every campaign-scoped route
//! named with a wrong campaign answers 404; an archived campaign is read-only; the
//! user's choice follows them; the calendar feed covers every running campaign.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};
use phongtrao_domain::role::Role;
use serde_json::json;

use crate::support::*;

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";
const A: &str = "kien-giang-thang-thanh-nien-2023";
const B: &str = "kien-giang-thang-thanh-nien-2024";

fn vn(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    let tz = FixedOffset::east_opt(7 * 3600).expect("offset");
    tz.with_ymd_and_hms(y, m, d, h, min, 0).single().expect("time").with_timezone(&Utc)
}

/// The built-in plan as next year's edition: another code, every date 52 weeks on
/// (the same weekdays).
pub fn next_year_plan() -> String {
    let text = phongtrao_domain::builtin::PLAN_TOML.replace(A, B).replace("year = 2023", "year = 2024");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(i) = rest.find("2023-") {
        out.push_str(&rest[..i]);
        let candidate = rest.get(i..i + 10).unwrap_or("");
        match NaiveDate::parse_from_str(candidate, "%Y-%m-%d") {
            Ok(d) => {
                out.push_str(&(d + Duration::days(364)).format("%Y-%m-%d").to_string());
                rest = &rest[i + 10..];
            }
            Err(_) => {
                out.push_str("2023-");
                rest = &rest[i + 5..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Loads next year's edition as a second running campaign (not the default).
pub async fn add_second_campaign(db: &phongtrao_storage::Db) -> i64 {
    let toml = next_year_plan();
    let plan = phongtrao_domain::plan::parse_plan(&toml).expect("plan of 2024");
    phongtrao_storage::campaigns::load_plan(db, &plan, &toml, Utc::now()).await.expect("load").id()
}

#[tokio::test]
async fn two_running_campaigns_do_not_see_each_others_reports_figures_or_documents() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    add_second_campaign(db).await;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let reporter = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;

    // Both run; the list says which is the default.
    let list = app.api("/api/v1/campaigns", &office).await;
    let codes: Vec<&str> =
        list["campaigns"].as_array().expect("list").iter().filter_map(|c| c["code"].as_str()).collect();
    assert!(codes.contains(&A) && codes.contains(&B), "{list}");
    assert!(list["campaigns"].as_array().expect("list").iter().all(|c| c["status"] == "running"), "{list}");

    // A report of 2023 (the default campaign).
    let r = app.submit(&reporter, "903", WEEK1, json!({"values": {"5": "12"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let in_a = app.api(&format!("/api/v1/reports?campaign={A}"), &office).await;
    assert_eq!(in_a["reports"].as_array().map(Vec::len), Some(1), "{in_a}");

    // Campaign 2024 sees no report, no figure, no week of 2023.
    let in_b = app.api(&format!("/api/v1/reports?campaign={B}"), &office).await;
    assert_eq!(in_b["reports"].as_array().map(Vec::len), Some(0), "{in_b}");
    let progress_a = app.api(&format!("/api/v1/progress?campaign={A}&unit=903"), &office).await;
    let progress_b = app.api(&format!("/api/v1/progress?campaign={B}&unit=903"), &office).await;
    let value = |p: &serde_json::Value| {
        p["indicators"].as_array().and_then(|l| l.iter().find(|i| i["indicator"] == "5")).map(|i| i["achieved"].clone())
    };
    assert_eq!(value(&progress_a), Some(json!(12.0)), "{progress_a}");
    assert_ne!(value(&progress_b), Some(json!(12.0)), "{progress_b}");

    // Every campaign-scoped route named with the wrong campaign: 404.
    for path in [
        format!("/api/v1/reports/903/{WEEK1}?campaign={B}"),
        format!("/api/v1/reports/903/{WEEK1}/versions?campaign={B}"),
        "/api/v1/exports/weekly-report.docx?campaign=khong-co&period_end=2023-03-03".to_string(),
        "/api/v1/document-texts/weekly-report?campaign=khong-co".to_string(),
        "/api/v1/periods?campaign=khong-co".to_string(),
        "/api/v1/targets?campaign=khong-co".to_string(),
        "/api/v1/progress?campaign=khong-co".to_string(),
        "/api/v1/reports?campaign=khong-co".to_string(),
        "/api/v1/campaign?campaign=khong-co".to_string(),
        "/api/v1/events?campaign=khong-co".to_string(),
        "/api/v1/review-queue?campaign=khong-co".to_string(),
        "/api/v1/reminders?campaign=khong-co&unit=903".to_string(),
        "/api/v1/notices?campaign=khong-co".to_string(),
        "/api/v1/allocations/17?campaign=khong-co".to_string(),
    ] {
        let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(&office).send().await.expect("get");
        assert_eq!(r.status(), 404, "GET {path}");
        let body: serde_json::Value = r.json().await.unwrap_or_default();
        assert!(body["error"]["message_vi"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {body}");
        // The route exists: it is the campaign (or its week) that is not there.
        assert_ne!(body["error"]["message_en"], "No such API route", "{path}");
    }
    // Every campaign-scoped GET route takes the campaign (a valid one answers 200).
    for path in [
        format!("/api/v1/reports?campaign={B}"),
        format!("/api/v1/progress?campaign={B}"),
        format!("/api/v1/ranking?campaign={B}"),
        format!("/api/v1/base-figures/coverage?campaign={B}"),
        format!("/api/v1/campaign?campaign={B}"),
        format!("/api/v1/targets?campaign={B}"),
        format!("/api/v1/periods?campaign={B}"),
        format!("/api/v1/events?campaign={B}"),
        format!("/api/v1/review-queue?campaign={B}"),
        format!("/api/v1/reminders?campaign={B}&unit=903"),
        format!("/api/v1/reminders/deliveries?campaign={B}"),
        format!("/api/v1/notices?campaign={B}"),
        format!("/api/v1/notices/deliveries?campaign={B}"),
        format!("/api/v1/allocations/17?campaign={B}"),
        format!("/api/v1/document-texts/final-report?campaign={B}"),
        format!("/api/v1/document-texts/weekly-report?campaign={B}&period_end=2024-03-01"),
        format!("/api/v1/exports/plan.docx?campaign={B}"),
        format!("/api/v1/me/campaign?campaign={B}"),
    ] {
        let r = app.client.get(format!("{}{path}", app.base)).bearer_auth(&office).send().await.expect("get");
        assert_eq!(r.status(), 200, "GET {path}: {}", r.text().await.unwrap_or_default());
    }

    // A week of 2023 asked of the 2024 campaign's documents: no week ends that day in
    // 2024 (the documents' refusal of a day that ends no week, 422), never 2023's file.
    let r = app
        .client
        .get(format!("{}/api/v1/exports/weekly-report.docx?campaign={B}&period_end={WEEK1}", app.base))
        .bearer_auth(&office)
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 422);
    let texts_b = app.api(&format!("/api/v1/document-texts/final-report?campaign={B}"), &office).await;
    assert!(texts_b.get("error").is_none(), "{texts_b}");
    let unknown = app.api("/api/v1/reports?campaign=khong-co", &office).await;
    assert_eq!(unknown["error"]["code"], "unknown_campaign", "{unknown}");
    assert!(unknown["error"]["message_vi"].as_str().unwrap_or("").contains("Không có chiến dịch"), "{unknown}");

    // Each campaign's own plan and periods.
    let periods_b = app.api(&format!("/api/v1/periods?campaign={B}"), &office).await;
    assert_eq!(periods_b["periods"][0]["end"], "2024-03-01", "{periods_b}");
    let periods_a = app.api("/api/v1/periods", &office).await;
    assert_eq!(periods_a["periods"][0]["end"], WEEK1, "{periods_a}");
}

#[tokio::test]
async fn an_archived_campaign_is_read_only_and_keeps_its_reports() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    add_second_campaign(db).await;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let reporter = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;
    let r = app.submit(&reporter, "903", WEEK1, json!({"values": {"5": "12"}})).await;
    assert!(r.status().is_success());

    // A unit reporter may not archive.
    let put = |token: &str, archived: bool| {
        app.client
            .put(format!("{}/api/v1/campaigns/{A}/status", app.base))
            .bearer_auth(token.to_string())
            .json(&json!({"archived": archived}))
            .send()
    };
    assert_eq!(put(&reporter, true).await.expect("put").status(), 403);
    let r = put(&office, true).await.expect("put");
    assert_eq!(r.status(), 200);

    // Its report is still there; a new one is refused, with why, and nothing stored.
    let kept = app.api(&format!("/api/v1/reports?campaign={A}"), &office).await;
    assert_eq!(kept["reports"].as_array().map(Vec::len), Some(1), "{kept}");
    let again = app
        .client
        .post(format!("{}/api/v1/reports/903/{WEEK1}/submit?campaign={A}", app.base))
        .bearer_auth(&reporter)
        .json(&json!({"version": 1, "input": {"values": {"5": "20"}}}))
        .send()
        .await
        .expect("submit");
    assert_eq!(again.status(), 409);
    let body: serde_json::Value = again.json().await.expect("json");
    assert_eq!(body["error"]["code"], "campaign_archived", "{body}");
    assert!(body["error"]["message_vi"].as_str().unwrap_or("").contains("lưu trữ"), "{body}");
    let progress = app.api(&format!("/api/v1/progress?campaign={A}&unit=903"), &office).await;
    let five = progress["indicators"].as_array().and_then(|l| l.iter().find(|i| i["indicator"] == "5")).cloned();
    assert_eq!(five.map(|i| i["achieved"].clone()), Some(json!(12.0)), "{progress}");

    // The default moved to the campaign that runs; the archive is in the audit log.
    let list = app.api("/api/v1/campaigns", &office).await;
    let default: Vec<&str> = list["campaigns"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|c| c["is_default"] == true)
        .filter_map(|c| c["code"].as_str())
        .collect();
    assert_eq!(default, vec![B], "{list}");
    let audit = app.api("/api/v1/audit?action=campaign.archive", &office).await;
    assert!(audit.to_string().contains(A), "{audit}");

    // Brought back, it takes writes again: the report's own rules answer (a
    // submitted report changes only when returned), not the archive.
    assert_eq!(put(&office, false).await.expect("put").status(), 200);
    let r = app
        .client
        .post(format!("{}/api/v1/reports/903/{WEEK1}/submit?campaign={A}", app.base))
        .bearer_auth(&reporter)
        .json(&json!({"version": 1, "input": {"values": {"5": "20"}}}))
        .send()
        .await
        .expect("submit");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_editable", "{body}");
}

#[tokio::test]
async fn the_switcher_keeps_the_users_choice_and_the_calendar_covers_every_running_campaign() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    add_second_campaign(db).await;
    add_user(db, "vanphong", Role::Admin, &[], PW).await;
    let office = browser();
    assert_eq!(app.login_form(&office, "vanphong", PW, "198.51.100.7").await.status(), 303);
    let page = |path: &str| {
        let url = format!("{}{path}", app.base);
        let client = office.clone();
        async move { client.get(url).send().await.expect("get").text().await.expect("body") }
    };

    // The switcher lists both; the default one is shown first.
    let first = page("/targets").await;
    assert!(first.contains("campaign-switch"), "no switcher");
    assert!(first.contains(&format!("value=\"{B}\"")), "2024 not offered");
    assert!(first.contains(&format!("value=\"{A}\" selected")), "2023 not chosen");

    // A link on another site (an e-mail, a chat) does not change the choice: it opens
    // the list of campaigns, and the pages stay on 2023.
    let choose = format!("{}/campaigns/choose?campaign={B}&next=/targets", app.base);
    for (header, value) in [("sec-fetch-site", "cross-site"), ("referer", "https://evil.example/")] {
        let r = office.get(&choose).header(header, value).send().await.expect("choose");
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers().get("location").and_then(|l| l.to_str().ok()), Some("/campaigns"));
        assert!(page("/targets").await.contains(&format!("value=\"{A}\" selected")), "{header}: changed");
        // Nor does a page linked with its campaign in the address: it shows 2024, once.
        let r = office.get(format!("{}/targets?campaign={B}", app.base)).header(header, value).send().await;
        assert!(r.expect("get").text().await.expect("body").contains(&format!("value=\"{B}\" selected")));
        assert!(page("/targets").await.contains(&format!("value=\"{A}\" selected")), "{header}: kept");
    }

    // Choosing 2024 keeps it: the next pages (without ?campaign=) are about 2024.
    let r = office
        .get(&choose)
        .header("sec-fetch-site", "same-origin")
        .header("referer", format!("{}/targets", app.base))
        .send()
        .await
        .expect("choose");
    assert_eq!(r.status(), 303);
    let after = page("/targets").await;
    assert!(after.contains(&format!("value=\"{B}\" selected")), "the choice was not kept");
    let reports = page("/reports").await;
    assert!(reports.contains("01/03/2024") || reports.contains("2024-03-01"), "the weeks of 2024 are not shown");

    // An unknown campaign in the address: a page that says so (404), in Vietnamese.
    let r = office.get(format!("{}/dashboard?campaign=khong-co", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 404);
    assert!(r.text().await.expect("body").contains("Không có chiến dịch"));

    // The calendar feed: the weeks of both running campaigns, each UID its own.
    let ics = app.text("/calendar.ics").await;
    assert!(ics.contains(&format!("{A}-week-1@phongtrao")), "2023 missing");
    assert!(ics.contains(&format!("{B}-week-1@phongtrao")), "2024 missing");
    let only_b = app.text(&format!("/calendar.ics?campaign={B}")).await;
    assert!(!only_b.contains(&format!("{A}-week-1@phongtrao")));

    // The campaigns page lists both, with the next deadline of the one still to run.
    let list = page("/campaigns").await;
    assert!(list.contains("Các chiến dịch") && list.contains("hạn báo cáo tuần"), "{list}");
}

#[tokio::test]
async fn a_steering_member_assigned_to_one_campaign_sees_only_that_one() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    add_second_campaign(db).await;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let member = add_token(db, add_user(db, "bcd.tran", Role::Steering, &[], PW).await).await;
    let set = |body: serde_json::Value| {
        app.client.put(format!("{}/api/v1/campaigns/{B}/members", app.base)).bearer_auth(&office).json(&body).send()
    };
    // Not a steering member, or no such account: refused, nothing changed.
    let r = set(json!({"usernames": ["vanphong"]})).await.expect("put");
    assert_eq!(r.status(), 422);
    assert_eq!(set(json!({"usernames": ["khong-co"]})).await.expect("put").status(), 422);
    assert_eq!(app.api(&format!("/api/v1/reports?campaign={A}"), &member).await["reports"], json!([]));

    let r = set(json!({"usernames": ["bcd.tran"]})).await.expect("put");
    assert_eq!(r.status(), 200);
    let members: serde_json::Value = r.json().await.expect("json");
    assert_eq!(members["members"][0]["assigned"], true, "{members}");

    // Assigned to 2024 only: 2023 is not there for them, and 2024 is their default.
    let list = app.api("/api/v1/campaigns", &member).await;
    let codes: Vec<&str> =
        list["campaigns"].as_array().expect("list").iter().filter_map(|c| c["code"].as_str()).collect();
    assert_eq!(codes, vec![B], "{list}");
    let refused = app.api(&format!("/api/v1/reports?campaign={A}"), &member).await;
    assert_eq!(refused["error"]["code"], "unknown_campaign", "{refused}");
    assert_eq!(app.api("/api/v1/me/campaign", &member).await["code"], B);
    // The office still sees both.
    let all = app.api("/api/v1/campaigns", &office).await;
    assert_eq!(all["campaigns"].as_array().map(Vec::len), Some(2), "{all}");
    let audit = app.api("/api/v1/audit?action=campaign.members", &office).await;
    assert!(audit.to_string().contains(B), "{audit}");
}

fn phongtrao(args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
        .env_remove("DATABASE_URL")
        .env_remove("PHONGTRAO_DATA_DIR")
        .env_remove("PHONGTRAO_CAMPAIGN")
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .expect("run");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_commands_name_the_campaign_and_an_archived_one_refuses_a_report() {
    if std::env::var("PHONGTRAO_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return; // the commands run on a SQLite data directory here
    }
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let data = data.to_str().expect("path");
    assert!(phongtrao(&["migrate", "--data-dir", data]).0);
    let (ok, out) = phongtrao(&["campaign", "new-from", A, "--year", "2024", "--yes", "--data-dir", data]);
    assert!(ok, "{out}");
    let (ok, list) = phongtrao(&["campaign", "list", "--data-dir", data]);
    assert!(ok && list.contains(A) && list.contains(B), "{list}");
    assert!(list.contains("mặc định"), "{list}");

    // A report to 2023 by naming it, then 2023 archived: its report stays, a new one
    // is refused with why, and 2024 still takes one.
    let file = dir.path().join("r.json");
    std::fs::write(&file, r#"{"values": {"5": "1.200"}, "submitted_at": "2023-03-03T15:00:00+07:00"}"#).expect("write");
    let file = file.to_str().expect("path");
    let (ok, out) = phongtrao(&[
        "report",
        "submit",
        "--unit",
        "903",
        "--period-end",
        WEEK1,
        "--file",
        file,
        "--campaign",
        A,
        "--data-dir",
        data,
    ]);
    assert!(ok, "{out}");
    let (ok, out) = phongtrao(&["campaign", "archive", A, "--data-dir", data]);
    assert!(ok && out.contains("Đã lưu trữ"), "{out}");
    let (ok, out) = phongtrao(&[
        "report",
        "submit",
        "--unit",
        "899",
        "--period-end",
        WEEK1,
        "--file",
        file,
        "--campaign",
        A,
        "--data-dir",
        data,
    ]);
    assert!(!ok && out.contains("lưu trữ"), "{out}");
    let (ok, out) = phongtrao(&["progress", "--json", "--campaign", A, "--unit", "903", "--data-dir", data]);
    assert!(ok && out.contains("\"sum\": 1200"), "{out}");
    let (ok, out) = phongtrao(&["report", "list", "--campaign", B, "--json", "--data-dir", data]);
    assert!(ok && !out.contains("\"903\""), "{out}");
    let (ok, list) = phongtrao(&["campaign", "list", "--json", "--data-dir", data]);
    assert!(ok && list.contains("\"archived\""), "{list}");
    let (ok, out) = phongtrao(&["progress", "--campaign", "khong-co", "--data-dir", data]);
    assert!(!ok && out.contains("Không có chiến dịch"), "{out}");
}

#[tokio::test]
async fn a_form_opened_in_one_campaign_saves_there_after_a_switch_in_another_tab() {
    let app = spawn_app_at(vn(2023, 3, 3, 10, 0)).await;
    let db = &app.db;
    // A second campaign with the very same weeks (a copy under another code).
    const COPY: &str = "kien-giang-ban-sao-2023";
    let toml = phongtrao_domain::builtin::PLAN_TOML.replace(A, COPY);
    let plan = phongtrao_domain::plan::parse_plan(&toml).expect("plan");
    phongtrao_storage::campaigns::load_plan(db, &plan, &toml, Utc::now()).await.expect("load");
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await;
    let reporter = browser();
    assert_eq!(app.login_form(&reporter, "hondat.bc", PW, "198.51.100.9").await.status(), 303);

    // The form of 2023's week 1, as the reporter opened it.
    let form = reporter.get(format!("{}/reports/903/{WEEK1}", app.base)).send().await.expect("get");
    let html = form.text().await.expect("body");
    let marker = "id=\"report-form\"";
    let tag_start = html[..html.find(marker).expect("the form")].rfind("<form").expect("form tag");
    let action = html[tag_start..].split("action=\"").nth(1).and_then(|a| a.split('"').next()).expect("action");
    assert!(action.contains(&format!("campaign={A}")), "{action}");
    assert!(html.contains(&format!("/draft?campaign={A}")), "the autosave names its campaign");
    let csrf = csrf_of(&html);

    // Meanwhile, in another tab, the reporter switches to the copy.
    let r =
        reporter.get(format!("{}/campaigns/choose?campaign={COPY}&next=/home", app.base)).send().await.expect("choose");
    assert_eq!(r.status(), 303);

    // The form is sent: it lands in the campaign it was opened in.
    let r = reporter
        .post(format!("{}{}", app.base, action.replace("&amp;", "&")))
        .form(&[("csrf", csrf.as_str()), ("version", "0"), ("v.5", "12"), ("action", "draft")])
        .send()
        .await
        .expect("save");
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let in_a = app.api(&format!("/api/v1/reports?campaign={A}"), &office).await;
    assert_eq!(in_a["reports"].as_array().map(Vec::len), Some(1), "{in_a}");
    let in_copy = app.api(&format!("/api/v1/reports?campaign={COPY}"), &office).await;
    assert_eq!(in_copy["reports"].as_array().map(Vec::len), Some(0), "{in_copy}");
}
