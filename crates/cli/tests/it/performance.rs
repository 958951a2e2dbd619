//! Performance (#24): a submission's notice is written with the report, in its
//! transaction (grouped commit included), not in a transaction and a disk flush of
//! its own after the answer — so every acknowledged report has its notice, and a
//! notice that cannot be written stores no report.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use phongtrao_domain::role::Role;
use phongtrao_storage::submit_notices::{self as notices, Reader};
use phongtrao_storage::Db;
use serde_json::json;

use crate::support::{add_token, add_user, spawn_app_at};

const PW: &str = "mat-khau-thu-nghiem-1";
const WEEK1: &str = "2023-03-03";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("time").with_timezone(&Utc)
}

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
        Db::Postgres(pool) => sqlx::raw_sql(sql).execute(pool).await.map(|_| ()),
    }
    .expect(sql);
}

#[tokio::test]
async fn concurrent_submissions_each_leave_one_notice_scoped_to_the_units_above() {
    let app = spawn_app_at(at("2023-03-03T10:00:00+07:00")).await;
    let db = &app.db;
    let office = add_user(db, "vanphong", Role::Admin, &[], PW).await;
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let root = phongtrao_storage::units::by_code(db, "91").await.expect("q").expect("province");
    // Every district-level unit submits at the same moment (one grouped commit or a few).
    let districts: Vec<_> = phongtrao_storage::units::children(db, root.id)
        .await
        .expect("children")
        .into_iter()
        .filter(|u| u.active)
        .collect();
    assert!(districts.len() >= 10, "the built-in tree has its districts");
    let mut tokens = Vec::new();
    for d in &districts {
        let user = add_user(db, &format!("bc.{}", d.code), Role::Unit, &[d.code.as_str()], PW).await;
        tokens.push((d.code.clone(), add_token(db, user).await));
    }
    let mut set = tokio::task::JoinSet::new();
    for (code, token) in tokens.iter().cloned() {
        let (client, base) = (app.client.clone(), app.base.clone());
        set.spawn(async move {
            client
                .post(format!("{base}/api/v1/reports/{code}/{WEEK1}/submit"))
                .bearer_auth(token)
                .header("Idempotency-Key", format!("perf-{code}"))
                .json(&json!({"version": 0, "input": {"values": {"5": "12"}}}))
                .send()
                .await
                .expect("submit")
                .status()
        });
    }
    let answers = set.join_all().await;
    assert!(answers.iter().all(|s| s.is_success()), "{answers:?}");
    // The same requests again (a client retrying): answered as before, no second notice.
    for (code, token) in tokens.iter().take(3) {
        let r = app
            .client
            .post(format!("{}/api/v1/reports/{code}/{WEEK1}/submit", app.base))
            .bearer_auth(token)
            .header("Idempotency-Key", format!("perf-{code}"))
            .json(&json!({"version": 0, "input": {"values": {"5": "12"}}}))
            .send()
            .await
            .expect("retry");
        assert!(r.status().is_success());
        assert!(r.text().await.expect("body").contains("\"replayed\":true"));
    }
    let all = Reader { user_id: office, all: true, unit_ids: vec![] };
    let seen = notices::list(db, campaign.row.id, &all, false, 1000).await.expect("list");
    assert_eq!(seen.len(), districts.len(), "one notice per acknowledged submission");
    let mut units: Vec<i64> = seen.iter().map(|n| n.unit_id).collect();
    units.sort_unstable();
    units.dedup();
    assert_eq!(units.len(), districts.len(), "one per unit");
    // Scoped to the units above: the province officer sees them all, a district officer
    // only none of the others'.
    let province = Reader { user_id: 9_999_001, all: false, unit_ids: vec![root.id] };
    assert_eq!(notices::list(db, campaign.row.id, &province, false, 1000).await.expect("list").len(), districts.len());
    let one = Reader { user_id: 9_999_002, all: false, unit_ids: vec![districts[0].id] };
    assert!(notices::list(db, campaign.row.id, &one, false, 1000).await.expect("list").is_empty());
}

#[tokio::test]
async fn a_notice_that_cannot_be_written_stores_no_report() {
    let app = spawn_app_at(at("2023-03-03T10:00:00+07:00")).await;
    let db = &app.db;
    let token = add_token(db, add_user(db, "hondat.bc", Role::Unit, &["903"], PW).await).await;
    // The notice table refuses every row (as a full disk or a broken table would).
    match db {
        Db::Sqlite(_) => {
            exec(
                db,
                "CREATE TRIGGER perf_no_notice BEFORE INSERT ON submit_notices BEGIN SELECT RAISE(ABORT, 'no notice'); END;",
            )
            .await
        }
        Db::Postgres(_) => {
            exec(
                db,
                "CREATE FUNCTION perf_no_notice() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no notice'; END; $$ LANGUAGE plpgsql;
                 CREATE TRIGGER perf_no_notice BEFORE INSERT ON submit_notices FOR EACH ROW EXECUTE FUNCTION perf_no_notice();",
            )
            .await
        }
    }
    let r = app.submit(&token, "903", WEEK1, json!({"values": {"5": "12"}})).await;
    assert!(r.status().is_server_error(), "the submission is not acknowledged: {}", r.status());
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let unit = phongtrao_storage::units::by_code(db, "903").await.expect("q").expect("unit");
    let key = phongtrao_storage::reports::ReportKey {
        campaign_id: campaign.row.id,
        unit_id: unit.id,
        kind: phongtrao_domain::report::ReportKind::Weekly,
        period_seq: 1,
    };
    assert!(
        phongtrao_storage::reports::get(db, &key).await.expect("read").is_none_or(|r| r.first_submitted_at.is_none()),
        "no report stored without its notice"
    );
    // Once the table takes rows again, the same submission goes through with its notice.
    match db {
        Db::Sqlite(_) => exec(db, "DROP TRIGGER perf_no_notice").await,
        Db::Postgres(_) => {
            exec(db, "DROP TRIGGER perf_no_notice ON submit_notices; DROP FUNCTION perf_no_notice();").await
        }
    }
    let r = app.submit(&token, "903", WEEK1, json!({"values": {"5": "12"}})).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap_or_default());
    let all = Reader { user_id: 1, all: true, unit_ids: vec![] };
    assert_eq!(notices::list(db, campaign.row.id, &all, false, 10).await.expect("list").len(), 1);
}

/// unit → {"figure@period": value}
type ByUnit = BTreeMap<i64, BTreeMap<String, i64>>;
/// Rows of `rollups` (unit, figure, period, value).
type RollupRows = Vec<(i64, String, i64, i64)>;

/// Each unit's kept figures as one row (`child_summaries`) against its rows of
/// `rollups` (what the dashboard summed before).
async fn summaries_and_rollups(db: &Db, campaign_id: i64) -> (ByUnit, ByUnit) {
    let (rows, kept): (RollupRows, Vec<(i64, String)>) = match db {
        Db::Sqlite(pool) => (
            sqlx::query_as("SELECT unit_id, key, period_seq, value FROM rollups WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_all(pool)
                .await
                .expect("rollups"),
            sqlx::query_as("SELECT unit_id, figures FROM child_summaries WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_all(pool)
                .await
                .expect("summaries"),
        ),
        Db::Postgres(pool) => (
            sqlx::query_as("SELECT unit_id, key, period_seq, value FROM rollups WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_all(pool)
                .await
                .expect("rollups"),
            sqlx::query_as("SELECT unit_id, figures FROM child_summaries WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_all(pool)
                .await
                .expect("summaries"),
        ),
    };
    let mut pivot: ByUnit = BTreeMap::new();
    for (unit, key, seq, value) in rows.into_iter().filter(|r| r.3 != 0) {
        pivot.entry(unit).or_default().insert(format!("{key}@{seq}"), value);
    }
    let summaries = kept
        .into_iter()
        .map(|(unit, json)| (unit, serde_json::from_str::<BTreeMap<String, i64>>(&json).expect("one JSON object")))
        .filter(|(_, f)| !f.is_empty())
        .collect();
    (summaries, pivot)
}

#[tokio::test]
async fn the_children_s_kept_rows_follow_every_submission_and_equal_the_consolidated_figures() {
    let app = spawn_app_at(at("2023-03-03T10:00:00+07:00")).await;
    let db = &app.db;
    let office = add_token(db, add_user(db, "vanphong", Role::Admin, &[], PW).await).await;
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let root = phongtrao_storage::units::by_code(db, "91").await.expect("q").expect("province");
    let (summaries, pivot) = summaries_and_rollups(db, campaign.row.id).await;
    assert!(!pivot.is_empty(), "the tree has kept figures before any report");
    assert_eq!(summaries, pivot, "one row per unit, the same figures");
    let ranking_before = app.api("/api/v1/ranking", &office).await;
    let root_before = summaries.get(&root.id).cloned();

    // Three districts report week 1.
    for (code, value) in [("903", "12"), ("899", "7"), ("904", "30")] {
        let token = add_token(db, add_user(db, &format!("bc.{code}"), Role::Unit, &[code], PW).await).await;
        let r = app.submit(&token, code, WEEK1, json!({"values": {"5": value}})).await;
        assert!(r.status().is_success(), "{code}: {}", r.text().await.unwrap_or_default());
    }
    let (summaries, pivot) = summaries_and_rollups(db, campaign.row.id).await;
    assert_eq!(summaries, pivot, "the kept rows follow each submission");
    assert_ne!(summaries.get(&root.id).cloned(), root_before, "the province's row changed");
    let ranking = app.api("/api/v1/ranking", &office).await;
    assert_ne!(ranking, ranking_before, "the ranking shows the new reports");
    let row = |r: &serde_json::Value, code: &str| {
        r["rows"].as_array().expect("rows").iter().find(|x| x["unit"] == code).cloned().expect("row")
    };
    assert_eq!(row(&ranking, "903")["breakdown"]["on_time"], 1, "{}", row(&ranking, "903"));
    assert_eq!(row(&ranking_before, "903")["breakdown"]["on_time"], 0);
    let dashboard = app.api("/api/v1/progress", &office).await;

    // A full rebuild from the raw rows writes the same rows: the ranking and the
    // figures read from them are the same as those kept write by write.
    phongtrao_storage::rollups::rebuild(db, &campaign.plan, campaign.row.id).await.expect("rebuild");
    let (rebuilt, pivot) = summaries_and_rollups(db, campaign.row.id).await;
    assert_eq!(rebuilt, pivot);
    assert_eq!(rebuilt, summaries, "kept write by write = rebuilt");
    assert_eq!(app.api("/api/v1/ranking", &office).await, ranking);
    assert_eq!(app.api("/api/v1/progress", &office).await, dashboard);
}

/// What the dashboard's table showed for one child's indicator before round 3 (from
/// the child's full progress report): the cell's class, title and text.
fn old_cell(i: &phongtrao_web::actions::progress::IndicatorProgress) -> String {
    use phongtrao_domain::format;
    let shown = match i.status {
        "no_base" | "insufficient_base" => None,
        _ if i.kind == "count" => i.completion,
        _ => i.achieved_percent,
    };
    let text = match (i.status, shown) {
        ("no_goal", _) => format::integer(i.sum),
        ("no_base" | "insufficient_base", _) => phongtrao_domain::progress::status_title(i.status, true),
        (_, Some(p)) => p.vi(),
        _ => "—".into(),
    };
    let class = match (matches!(i.status, "met" | "exceeded" | "not_met"), i.ratio) {
        (false, _) | (true, None) => "c-na",
        (true, Some(r)) if r >= 1.0 => "c-met",
        (true, Some(r)) if r >= 0.8 => "c-high",
        (true, Some(r)) if r >= 0.5 => "c-mid",
        (true, Some(_)) => "c-low",
    };
    let escape = |t: &str| t.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;");
    format!(
        "<td class=\"{class}\" title=\"{}\">{}</td>",
        escape(&format!("{} {}: {}", i.indicator, i.label, i.text_vi)),
        escape(&text)
    )
}

/// The dashboard's children and the ranking (`/api/v1/ranking`) are judged without
/// texts since round 3 of #24: on a simulated province (every unit reporting, a few
/// late, a few missing; allocated goals), at every week of the campaign, they give
/// the same figures, ranking and table cells as the full progress reports of each
/// child — and a new submission changes the child's row.
#[tokio::test]
async fn the_lean_judgement_of_the_children_equals_their_full_progress_reports() {
    use phongtrao_web::actions::progress;
    let app = spawn_app_at(at("2023-04-20T10:00:00+07:00")).await;
    let db = &app.db;
    let state = phongtrao_web::AppState::local(app.db.clone());
    let summary = phongtrao_web::demo::fill(&state, 2024).await.expect("demo");
    assert!(summary.reports > 50 && summary.late > 0 && summary.missing > 0, "{summary:?}");
    let campaign = phongtrao_storage::campaigns::current(db).await.expect("campaign");
    let plan = &campaign.plan;
    let mut statuses = std::collections::BTreeSet::new();
    let days = ["2023-02-20", "2023-03-03", "2023-03-17", "2023-04-07", "2023-04-20"];
    for parent in [None, Some("899"), Some("903")] {
        for day in days.iter().map(|d| d.parse().ok()).chain([None]) {
            let (_, full) = progress::compute_children(&state, &campaign, parent, day).await.expect("full");
            let lean = progress::judge_children(&state, &campaign, parent, day).await.expect("lean");
            assert_eq!(full.len(), lean.children.len());
            if parent.is_none() {
                assert_eq!(full.len(), 15, "the province's 15 districts");
            }
            for ((unit, report), child) in full.iter().zip(&lean.children) {
                assert_eq!(unit.code, child.unit.code);
                assert_eq!(report.at, lean.at);
                for (i, j) in report.indicators.iter().zip(&child.indicators) {
                    let what = format!("{} {} {day:?}", unit.code, i.indicator);
                    statuses.insert(i.status);
                    assert_eq!(
                        (i.status, i.goal, i.sum, i.ratio),
                        (j.status, j.goal, j.totals.sum, j.ratio()),
                        "{what}"
                    );
                    assert_eq!(
                        (i.achieved, i.achieved_percent, i.completion),
                        (j.progress.achieved, j.progress.achieved_percent, j.completion()),
                        "{what}"
                    );
                    assert_eq!(
                        (i.text_vi.as_str(), i.text_en.as_str()),
                        (j.text(false).to_string().as_str(), j.text(true).to_string().as_str()),
                        "{what}"
                    );
                }
                let sum = |f: fn(&progress::Timeliness) -> usize| report.timeliness.iter().map(f).sum::<usize>();
                assert_eq!(
                    (sum(|t| t.expected), sum(|t| t.on_time), sum(|t| t.late)),
                    (child.expected, child.on_time, child.late)
                );
            }
            // The ranking: the same rows, scores and breakdowns, to the last bit.
            let at = lean.at;
            let code = lean.parent.code.clone();
            let old =
                serde_json::to_value(progress::rank_reports(&code, at, full.iter().map(|(_, r)| r))).expect("json");
            let new = serde_json::to_value(progress::rank_judged(plan, &code, at, &lean.children)).expect("json");
            assert_eq!(old, new, "{parent:?} {day:?}");
        }
    }
    for s in ["met", "exceeded", "not_met", "no_goal"] {
        assert!(statuses.contains(s), "the simulated province gives {s}: {statuses:?}");
    }

    // The page: each child's row holds the cells the full reports gave.
    let html = app.office_page("/dashboard?at=2023-04-07").await;
    let (_, full) = progress::compute_children(&state, &campaign, None, "2023-04-07".parse().ok()).await.expect("full");
    for (unit, report) in &full {
        let marker = format!("<tr data-unit=\"{}\">", unit.code);
        let row = html.split(&marker).nth(1).and_then(|r| r.split("</tr>").next()).expect("row");
        let cells: String = report.indicators.iter().map(old_cell).collect();
        assert!(row.contains(&cells), "{}: {row}\nexpected {cells}", unit.code);
    }

    // A submission changes the district's row and the ranking's figures.
    let before = progress::judge_children(&state, &campaign, None, None).await.expect("lean");
    let codes: Vec<String> = before.children.iter().map(|c| c.unit.code.clone()).collect();
    let code_refs: Vec<&str> = codes.iter().map(String::as_str).collect();
    let token = add_token(db, add_user(db, "bc.lean", Role::Unit, &code_refs, PW).await).await;
    // A week the simulation left missing for some district (a report already there
    // is refused at version 0; a week long past may be locked).
    let mut sent = None;
    'weeks: for p in plan.periods().iter().filter(|p| p.start <= "2023-04-20".parse().expect("day")).rev() {
        for code in &codes {
            let r = app.submit(&token, code, &p.end.to_string(), json!({"values": {"5": "4321"}})).await;
            if r.status().is_success() {
                sent = Some(code.clone());
                break 'weeks;
            }
        }
    }
    let sent = sent.expect("one district's week was missing and is now sent");
    let after = progress::judge_children(&state, &campaign, None, None).await.expect("lean");
    let row = |j: &progress::ChildrenJudged| j.children.iter().find(|c| c.unit.code == sent).cloned().expect("row");
    let five = plan.indicators().position(|i| i.key == "5").expect("5");
    assert_eq!(row(&after).indicators[five].totals.sum, row(&before).indicators[five].totals.sum + 4321);
    let (_, full) = progress::compute_children(&state, &campaign, None, None).await.expect("full");
    let code = after.parent.code.clone();
    assert_eq!(
        serde_json::to_value(progress::rank_reports(&code, after.at, full.iter().map(|(_, r)| r))).expect("json"),
        serde_json::to_value(progress::rank_judged(plan, &code, after.at, &after.children)).expect("json")
    );
}
