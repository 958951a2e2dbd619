//! `phongtrao-bench children --data-dir DIR`: the top unit's children (700 at
//! national scale) judged in server code, quiet, median of `--repeat` runs (10), on a
//! data directory a burst left: the path the dashboard and `/api/v1/ranking` took
//! before round 3 of #24 (every child's full progress report — 26 indicators with
//! their texts in two languages, series and projections — then the ranking from
//! them) and the lean one they take now (`judge_children`, `rank_judged`: the same
//! judgement without texts), one after the other in the same run; and that both
//! give the same ranking, to the last bit of its JSON.

use std::time::Instant;

use chrono::Utc;
use phongtrao_storage::{campaigns, Db};
use phongtrao_web::actions::progress;

use crate::{median_ms, Result};

pub async fn run(db: &Db, repeat: usize) -> Result<serde_json::Value> {
    let Db::Sqlite(pool) = db else { return Err("SQLite only".into()) };
    let campaign = campaigns::current(db).await.map_err(|e| format!("{e:?}"))?;
    // The server's clock as the burst set it: two hours before the deadline of the
    // last week reported.
    let (seq,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(period_seq) FROM reports WHERE campaign_id = $1 AND kind = 'weekly'")
            .bind(campaign.row.id)
            .fetch_one(pool)
            .await?;
    let period =
        campaign.plan.periods().into_iter().find(|p| i64::from(p.seq) == seq.unwrap_or(1)).ok_or("no reported week")?;
    let now = period.deadline.with_timezone(&Utc) - chrono::Duration::hours(2);
    let state = phongtrao_web::AppState::new(db.clone(), false, phongtrao_web::Clock::starting_at(now).offset());
    let (mut full_ms, mut lean_ms, mut same) = (Vec::new(), Vec::new(), true);
    let mut children = 0;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let (parent, full) =
            progress::compute_children(&state, &campaign, None, None).await.map_err(|e| format!("{e:?}"))?;
        let at = full.last().map(|(_, p)| p.at).unwrap_or_else(|| now.date_naive());
        let old = progress::rank_reports(&parent.code, at, full.iter().map(|(_, p)| p));
        full_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let lean = progress::judge_children(&state, &campaign, None, None).await.map_err(|e| format!("{e:?}"))?;
        let new = progress::rank_judged(&campaign.plan, &lean.parent.code, lean.at, &lean.children);
        lean_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        same &= serde_json::to_value(&old)? == serde_json::to_value(&new)?;
        children = lean.children.len();
    }
    // Where the lean path's time goes (median of the same runs): the reads (the
    // children, their kept rows, own reports, base figures, goals), the judgement
    // of 700 × 26 indicators, the ranking, its JSON (what /api/v1/ranking sends).
    let (mut read_ms, mut judge_ms, mut rank_ms, mut json_ms) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // The reads, one by one: the children's list, their figures (kept rows, own
    // reports and base figures, parsed), the goals and the marks; and the kept rows
    // alone fetched without parsing them (what sqlx costs against what parsing does).
    let (mut list_ms, mut figures_ms, mut goals_ms, mut raw_ms) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut json_bytes = 0;
    let plan = &campaign.plan;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let root = phongtrao_web::campaign_choice::root(db, &campaign)
            .await
            .map_err(|e| format!("{e:?}"))?
            .ok_or("no root")?;
        let step = Instant::now();
        let kids: Vec<_> =
            phongtrao_storage::units::children(db, root.id).await?.into_iter().filter(|u| u.active).collect();
        list_ms.push(step.elapsed().as_secs_f64() * 1000.0);
        let ids: Vec<i64> = kids.iter().map(|u| u.id).collect();
        let step = Instant::now();
        let mut figures = phongtrao_storage::rollups::subtree_figures_of_rows(db, plan, campaign.row.id, &kids).await?;
        figures_ms.push(step.elapsed().as_secs_f64() * 1000.0);
        let step = Instant::now();
        let goals = phongtrao_storage::allocations::for_units(db, campaign.row.id, &ids).await?;
        let checks = progress::BaseChecks {
            marked_complete: phongtrao_storage::base_figures::marked_complete(db, campaign.row.id).await?,
            tree: Default::default(),
        };
        goals_ms.push(step.elapsed().as_secs_f64() * 1000.0);
        read_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let step = Instant::now();
        let raw: Vec<(i64, String)> = sqlx::query_as(
            "SELECT unit_id, figures FROM child_summaries WHERE campaign_id = $1 AND unit_id IN (SELECT id FROM units WHERE parent_id = $2)",
        )
        .bind(campaign.row.id)
        .bind(root.id)
        .fetch_all(pool)
        .await?;
        raw_ms.push(step.elapsed().as_secs_f64() * 1000.0);
        drop(raw);
        let t = Instant::now();
        let at = now.date_naive();
        let upto = progress::periods_counted(plan, at);
        let judge = progress::Judge::new(plan, &goals, &checks, upto);
        let periods = progress::counted_periods(plan, upto);
        let judged: Vec<progress::ChildJudged> = kids
            .into_iter()
            .map(|unit| {
                let f = figures.remove(&unit.id).unwrap_or_default();
                let indicators = judge.judge(&unit, &f);
                let (expected, on_time, late) = progress::timeliness_sums(&f, &periods);
                progress::ChildJudged { unit, indicators, expected, on_time, late }
            })
            .collect();
        judge_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let ranking = progress::rank_judged(plan, &root.code, at, &judged);
        rank_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        json_bytes = serde_json::to_vec(&ranking)?.len();
        json_ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let out = serde_json::json!({
        "lean: reads_ms": median_ms(read_ms),
        "lean: reads: children list_ms": median_ms(list_ms),
        "lean: reads: figures (kept rows, own reports, base figures, parsed)_ms": median_ms(figures_ms),
        "lean: reads: goals and marks_ms": median_ms(goals_ms),
        "kept rows fetched alone, not parsed_ms": median_ms(raw_ms),
        "lean: judgement_ms": median_ms(judge_ms),
        "lean: ranking_ms": median_ms(rank_ms),
        "lean: ranking_json_ms": median_ms(json_ms),
        "ranking_json_bytes": json_bytes,
        "children": children,
        "full_reports_and_ranking_ms (before round 3)": median_ms(full_ms),
        "lean_judgement_and_ranking_ms": median_ms(lean_ms),
        "same_ranking": same,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    if !same {
        return Err("the lean ranking differs from the full one".into());
    }
    Ok(out)
}
