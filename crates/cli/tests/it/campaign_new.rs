//! "Tạo kế hoạch từ năm trước": the 2023 Youth Month made into 2024's through the
//! API and the CLI: same targets and indicators, Saturday–Friday weeks of 2024,
//! allocations copied proportionally, the edition it follows recorded, one audit
//! entry; refused to anyone but the office, for a year not after the source's, and
//! nothing written by a dry run.

use chrono::{Datelike, Weekday};
use phongtrao_domain::role::Role;
use phongtrao_storage::audit::{self, AuditFilter, Who};
use phongtrao_storage::{allocations, campaigns, units};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::support::{add_token, add_user, spawn_app, TestApp};

const OLD: &str = "kien-giang-thang-thanh-nien-2023";
const NEW: &str = "kien-giang-thang-thanh-nien-2024";

async fn post(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/campaigns/from-previous", app.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status();
    (status, r.json().await.expect("json"))
}

async fn campaign_count(app: &TestApp) -> usize {
    campaigns::list(&app.db).await.expect("campaigns").len()
}

async fn create_from_entries(app: &TestApp) -> Vec<audit::AuditRow> {
    let filter =
        AuditFilter { action_prefix: Some("campaign.create_from".into()), limit: 100, ..AuditFilter::default() };
    audit::query(&app.db, &filter).await.expect("audit")
}

/// Indicator 5 (20.000 trees) split among the province's districts unevenly, adding up.
async fn allocate_trees(app: &TestApp) -> Vec<(i64, i64)> {
    let root = units::root(&app.db).await.expect("root").expect("a root");
    let children = units::children(&app.db, root.id).await.expect("children");
    let districts: Vec<i64> = children.iter().filter(|u| u.active).map(|u| u.id).collect();
    assert!(districts.len() >= 10, "{}", districts.len());
    let weights: Vec<i64> = (0..districts.len() as i64).map(|i| 1 + (i * 7) % 5).collect();
    let total: i64 = weights.iter().sum();
    let mut goals: Vec<(i64, i64)> = districts.iter().zip(&weights).map(|(u, w)| (*u, 20_000 * w / total)).collect();
    let given: i64 = goals.iter().map(|(_, g)| g).sum();
    goals[0].1 += 20_000 - given;
    let old = campaigns::by_code(&app.db, OLD).await.expect("query").expect("2023");
    allocations::set(&app.db, old.row.id, "5", &goals, "manual", &Who::system(), chrono::Utc::now())
        .await
        .expect("allocate");
    goals
}

async fn check_new_campaign(app: &TestApp, code: &str, old_goals: &[(i64, i64)], new_goal: i64) {
    let old = campaigns::by_code(&app.db, OLD).await.expect("query").expect("2023");
    let new = campaigns::by_code(&app.db, code).await.expect("query").expect("the new campaign");
    assert_eq!(new.row.status, "running");
    assert_eq!(new.row.year, 2024);
    assert_eq!(new.row.previous_campaign_id, Some(old.row.id));
    assert!(!new.row.is_current, "the running default stays last year's until the office switches");
    assert_eq!(new.plan.targets.len(), 18);
    assert_eq!(new.plan.indicators().count(), 26);
    let periods = new.plan.periods();
    assert_eq!(periods.len(), 5);
    for p in &periods {
        assert_eq!((p.start.weekday(), p.end.weekday(), p.start.year()), (Weekday::Sat, Weekday::Fri, 2024));
        assert!(p.start >= new.plan.campaign.starts_on && p.end <= new.plan.campaign.ends_on);
    }
    assert_eq!(new.plan.events[0].starts_on, chrono::NaiveDate::from_ymd_opt(2024, 2, 23));
    // Allocations: the same units, in proportion, adding up to the new goal exactly.
    let copied = allocations::for_indicator(&app.db, new.row.id, "5").await.expect("allocations");
    assert_eq!(old_goals.iter().map(|(u, _)| copied[u]).sum::<i64>(), new_goal);
    for (unit, old_goal) in old_goals {
        let expected = *old_goal as f64 * new_goal as f64 / 20_000.0;
        assert!((copied[unit] as f64 - expected).abs() < 1.0, "{unit}: {} vs {expected}", copied[unit]);
    }
    // Last year's allocations are untouched.
    let kept = allocations::for_indicator(&app.db, old.row.id, "5").await.expect("old");
    assert!(old_goals.iter().all(|(unit, goal)| kept[unit] == *goal));
}

#[tokio::test]
async fn the_office_makes_2024_from_2023_through_the_api() {
    let app = spawn_app().await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], "mat-khau-dai-1").await;
    let token = add_token(&app.db, office).await;
    let old_goals = allocate_trees(&app).await;
    // One district split its part among its communes too (a second level).
    let (district, district_goal) = old_goals[1];
    let communes: Vec<i64> =
        units::children(&app.db, district).await.expect("communes").iter().filter(|u| u.active).map(|u| u.id).collect();
    assert!(communes.len() >= 3, "{}", communes.len());
    let mut commune_goals: Vec<(i64, i64)> =
        communes.iter().map(|c| (*c, district_goal / communes.len() as i64)).collect();
    commune_goals[0].1 += district_goal - commune_goals.iter().map(|(_, g)| g).sum::<i64>();
    let old_id = campaigns::by_code(&app.db, OLD).await.expect("query").expect("2023").row.id;
    allocations::set(&app.db, old_id, "5", &commune_goals, "manual", &Who::system(), chrono::Utc::now())
        .await
        .expect("allocate communes");
    let before = campaign_count(&app).await;

    // A dry run shows the review and writes nothing.
    let body = json!({"source": OLD, "year": 2024, "goals": {"5": 23000}, "dry_run": true});
    let (status, review) = post(&app, &token, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{review}");
    let preview = &review["preview"];
    assert_eq!(preview["code"], NEW);
    assert_eq!(preview["stored"], false);
    assert_eq!(preview["code_available"], true);
    assert_eq!(preview["targets"], 18);
    assert_eq!(preview["indicators"], 26);
    let dates = preview["dates"].as_array().expect("dates");
    assert_eq!(dates.len(), 12, "{dates:?}");
    assert!(dates.iter().all(|d| d["weekday_before_vi"] == d["weekday_after_vi"]));
    assert!(dates.iter().any(|d| d["old"] == "2023-02-24" && d["new"] == "2024-02-23"));
    let trees = preview["goals"].as_array().expect("goals").iter().find(|g| g["key"] == "5").expect("5").clone();
    assert_eq!((trees["old_goal"].as_f64(), trees["goal"].as_f64()), (Some(20000.0), Some(23000.0)));
    assert_eq!(preview["allocations"][0]["new_total"], 23000);
    assert_eq!(campaign_count(&app).await, before, "a dry run stores nothing");
    assert!(create_from_entries(&app).await.is_empty());

    // Confirmed: stored, running, following 2023.
    let mut confirm = body;
    confirm["dry_run"] = json!(false);
    let (status, created) = post(&app, &token, confirm.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["code"], NEW);
    assert_eq!(created["allocations"], old_goals.len() + communes.len());
    check_new_campaign(&app, NEW, &old_goals, 23_000).await;
    // The communes share their district's new part, exactly.
    let new_id = campaigns::by_code(&app.db, NEW).await.expect("query").expect("2024").row.id;
    let copied = allocations::for_indicator(&app.db, new_id, "5").await.expect("allocations");
    assert_eq!(communes.iter().map(|c| copied[c]).sum::<i64>(), copied[&district]);
    assert_eq!(copied.len(), old_goals.len() + communes.len());
    let entries = create_from_entries(&app).await;
    assert_eq!(entries.len(), 1);
    assert_eq!((entries[0].actor_name.as_str(), entries[0].entity_key.as_deref()), ("vanphong", Some(NEW)));
    assert_eq!(campaign_count(&app).await, before + 1);

    // The same again: the code exists, refused, nothing more stored.
    let (status, refusal) = post(&app, &token, confirm).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refusal}");
    assert!(refusal["error"]["message_vi"].as_str().expect("vi").contains("Đã có kế hoạch"));
    assert_eq!(campaign_count(&app).await, before + 1);
}

#[tokio::test]
async fn anyone_but_the_office_is_refused_and_a_year_not_later_too() {
    let app = spawn_app().await;
    let unit = add_user(&app.db, "huyendoan", Role::Unit, &["899"], "mat-khau-dai-1").await;
    let viewer = add_user(&app.db, "xem", Role::Viewer, &["899"], "mat-khau-dai-1").await;
    let steering = add_user(&app.db, "bcd", Role::Steering, &[], "mat-khau-dai-1").await;
    let office = add_user(&app.db, "vanphong", Role::Admin, &[], "mat-khau-dai-1").await;
    let before = campaign_count(&app).await;
    for user in [unit, viewer, steering] {
        let token = add_token(&app.db, user).await;
        for dry_run in [true, false] {
            let (status, body) = post(&app, &token, json!({"year": 2024, "dry_run": dry_run})).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        }
    }
    assert_eq!(campaign_count(&app).await, before);
    assert!(create_from_entries(&app).await.is_empty());

    let token = add_token(&app.db, office).await;
    for year in [2023, 2020] {
        let (status, body) = post(&app, &token, json!({"source": OLD, "year": year})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let vi = body["error"]["message_vi"].as_str().expect("vi");
        assert!(vi.contains("phải sau năm của kế hoạch gốc (2023)"), "{vi}");
        assert!(body["error"]["message_en"].as_str().expect("en").contains("must be after"));
    }
    let (status, body) = post(&app, &token, json!({"source": "khong-co", "year": 2024})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = post(&app, &token, json!({"source": OLD, "year": 2024, "goals": {"2b": 120}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(campaign_count(&app).await, before);
}

#[tokio::test]
async fn the_cli_prints_the_review_and_writes_only_with_yes() {
    let app = spawn_app().await;
    let old_goals = allocate_trees(&app).await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_phongtrao"))
            .env("DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .args(args)
            .output()
            .expect("cli")
    };
    let before = campaign_count(&app).await;
    let out = run(&["campaign", "new-from", OLD, "--year", "2024", "--goal", "5=21.000"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Thứ Sáu 24/02/2023 → Thứ Sáu 23/02/2024"), "{text}");
    assert!(text.contains("Tuần 1: 24/02/2024 – 01/03/2024"), "{text}");
    assert!(text.contains("20.000") && text.contains("21.000"), "{text}");
    assert!(text.contains("--yes"));
    assert_eq!(campaign_count(&app).await, before, "without --yes nothing is stored");

    let out = run(&["campaign", "new-from", OLD, "--year", "2023"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("phải sau năm"), "{}", String::from_utf8_lossy(&out.stderr));

    let out = run(&["campaign", "new-from", OLD, "--year", "2024", "--goal", "5=21.000", "--yes"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Đã tạo kế hoạch"));
    check_new_campaign(&app, NEW, &old_goals, 21_000).await;
    let entries = create_from_entries(&app).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].actor_name, "cli");
}

#[tokio::test]
async fn the_page_reviews_edits_and_confirms_without_javascript() {
    let app = spawn_app().await;
    add_user(&app.db, "vanphong", Role::Admin, &[], "mat-khau-dai-1").await;
    add_user(&app.db, "xem", Role::Viewer, &["899"], "mat-khau-dai-1").await;
    allocate_trees(&app).await;
    let before = campaign_count(&app).await;

    // A viewer does not get the page, and cannot post it.
    let viewer = crate::support::browser();
    assert_eq!(app.login_form(&viewer, "xem", "mat-khau-dai-1", "10.250.0.7").await.status(), 303);
    let r = viewer.get(format!("{}/campaigns/new", app.base)).send().await.expect("get");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let home = viewer.get(format!("{}/", app.base)).send().await.expect("home").text().await.expect("html");
    let csrf = crate::support::csrf_of(&home);
    let r = viewer
        .post(format!("{}/campaigns/new/confirm", app.base))
        .form(&[("csrf", csrf.as_str()), ("source", OLD), ("year", "2024")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(campaign_count(&app).await, before);

    let office = crate::support::browser();
    assert_eq!(app.login_form(&office, "vanphong", "mat-khau-dai-1", "10.250.0.8").await.status(), 303);
    let overview = office.get(format!("{}/", app.base)).send().await.expect("get").text().await.expect("html");
    assert!(overview.contains("href=\"/campaigns/new\""), "the office finds the page from the overview");
    let form = office.get(format!("{}/campaigns/new", app.base)).send().await.expect("get");
    assert_eq!(form.status(), StatusCode::OK);
    let form = form.text().await.expect("html");
    assert!(form.contains("Tạo kế hoạch từ năm trước"));
    assert!(form.contains("value=\"2024\""), "the next year is proposed");
    let csrf = crate::support::csrf_of(&form);

    // The review: every moved date with its weekday, the proposals, nothing stored.
    let post = |path: &str, fields: &[(&str, &str)]| {
        let mut fields: Vec<(String, String)> = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        fields.push(("csrf".into(), csrf.clone()));
        office.post(format!("{}{path}", app.base)).form(&fields).send()
    };
    let r = post("/campaigns/new", &[("source", OLD), ("year", "2024"), ("g.5", "23.000")]).await.expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("html");
    assert!(html.contains("Thứ Sáu 24/02/2023") && html.contains("Thứ Sáu 23/02/2024"), "{html}");
    assert!(html.contains("24/02/2024 – 01/03/2024"));
    assert!(html.contains("93 năm ngày thành lập"), "the words rewritten are shown");
    assert!(html.contains("name=\"g.5\" value=\"23.000\""));
    assert!(html.contains("name=\"g.2b\" value=\"70%\""));
    assert!(html.contains("formaction=\"/campaigns/new/confirm\""));
    assert!(html.contains("data-label="), "stacked rows on a phone");
    assert_eq!(campaign_count(&app).await, before);

    // A goal typed wrong: named, nothing stored even when confirming.
    let r =
        post("/campaigns/new/confirm", &[("source", OLD), ("year", "2024"), ("g.5", "23,000,5")]).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("html").contains("Không phải số"));
    // The same year: refused in Vietnamese.
    let r = post("/campaigns/new/confirm", &[("source", OLD), ("year", "2023")]).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.expect("html").contains("phải sau năm của kế hoạch gốc"));
    assert_eq!(campaign_count(&app).await, before);

    // Confirmed.
    let r =
        post("/campaigns/new/confirm", &[("source", OLD), ("year", "2024"), ("g.5", "23.000")]).await.expect("post");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().expect("location").to_string();
    assert_eq!(to, format!("/campaigns/new?created={NEW}"));
    let done = office.get(format!("{}{to}", app.base)).send().await.expect("get").text().await.expect("html");
    assert!(done.contains("Đã tạo kế hoạch mới") && done.contains(NEW));
    assert_eq!(campaign_count(&app).await, before + 1);
    let new = campaigns::by_code(&app.db, NEW).await.expect("query").expect("new");
    assert_eq!(new.plan.indicator("5").map(|i| i.goal), Some(23_000.0));
    assert_eq!(allocations::for_indicator(&app.db, new.row.id, "5").await.expect("a").values().sum::<i64>(), 23_000);
    assert_eq!(create_from_entries(&app).await.len(), 1);
    // The list names the campaign it follows, not its code.
    let list = office.get(format!("{}/campaigns", app.base)).send().await.expect("get").text().await.expect("html");
    let follows = &list[list.find("Tiếp nối chiến dịch").expect("the line it follows")..];
    let follows = &follows[..follows.find("</small>").expect("end")];
    assert_eq!(follows, "Tiếp nối chiến dịch Kế hoạch Tháng Thanh niên năm 2023", "not the code {OLD}");

    // In English: the same review, the refusal in English.
    office.get(format!("{}/lang/en", app.base)).send().await.expect("lang");
    let r = post("/campaigns/new", &[("source", OLD), ("year", "2025")]).await.expect("post");
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.expect("html");
    assert!(html.contains("New campaign from an earlier one") && html.contains("Friday 21/02/2025"), "{html}");
    assert!(!html.contains("Thứ Sáu"));
    let r = post("/campaigns/new/confirm", &[("source", NEW), ("year", "2024")]).await.expect("post");
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.expect("html");
    assert!(html.contains("must be after the source plan") && html.contains("(2024)."), "{html}");
}
