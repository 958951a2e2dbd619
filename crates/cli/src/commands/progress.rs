//! `phongtrao progress [--unit CODE] [--at YYYY-MM-DD] [--json]`.

use std::process::ExitCode;

use chrono::NaiveDate;
use phongtrao_domain::format;
use phongtrao_web::actions::progress;
use phongtrao_web::AppState;

use crate::config::DatabaseArgs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub async fn run(
    unit: Option<String>,
    at: Option<NaiveDate>,
    as_json: bool,
    campaign: crate::config::CampaignArg,
    db: DatabaseArgs,
) -> Result<ExitCode> {
    let db = db.connect().await?;
    let campaign = campaign.resolve(&db).await?;
    let state = AppState::local(db);
    let report =
        progress::compute(&state, &campaign, unit.as_deref(), at).await.map_err(|f| format!("{} / {}", f.vi, f.en))?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} — lũy kế đến / cumulative at {} ({} tuần / weeks)",
        report.unit_name,
        format::date(report.at),
        report.periods_counted
    );
    if let Some(c) = &report.compared_with {
        println!("{}", c.headline_vi);
        println!("{}", c.headline_en);
    }
    for i in &report.indicators {
        let goal = i
            .goal
            .map(|g| if i.kind == "count" { format::number(g, 0) } else { format::percent(g) })
            .unwrap_or_else(|| "—".into());
        // The same words as the documents: no base, no invented percentage.
        let achieved = if i.kind == "count" {
            format::integer(i.sum)
        } else if matches!(i.status, "no_base" | "insufficient_base") {
            "—".to_string()
        } else {
            i.achieved_percent.map(|p| p.vi()).unwrap_or_else(|| "—".into())
        };
        println!(
            "  {:>4}  {:<60}  {:>10}  {:>10}  {}",
            i.indicator,
            i.label.chars().take(60).collect::<String>(),
            goal,
            achieved,
            i.text_vi
        );
        if let Some(c) = &i.coverage_vi {
            println!("        ({c})");
        }
        if let Some(p) = &i.previous {
            println!("        cùng kỳ năm {}: {} — {} / {}", p.year, p.value_text, p.text_vi, p.text_en);
        }
    }
    for t in &report.timeliness {
        println!(
            "  Tuần {} ({}): {} đúng hạn, {} trễ hạn, {} chưa báo cáo / on time, late, missing (of {})",
            t.period,
            format::date(t.period_end),
            t.on_time,
            t.late,
            t.missing,
            t.expected
        );
    }
    Ok(ExitCode::SUCCESS)
}
