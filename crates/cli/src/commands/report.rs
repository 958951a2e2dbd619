//! `phongtrao report submit|list`: reports from scripts and from past data.

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;
use phongtrao_domain::report::ReportKind;
use phongtrao_storage::audit::Who;
use phongtrao_storage::reports::{self, SaveAction};
use phongtrao_storage::units;
use phongtrao_web::actions::reports::{self as report_actions, ReportFailure};
use phongtrao_web::AppState;
use serde_json::json;

use crate::config::DatabaseArgs;

#[derive(Subcommand)]
pub enum ReportCommand {
    /// Submit a unit's weekly report from a JSON file (as the campaign office).
    Submit {
        #[arg(long)]
        unit: String,
        /// The last day (Friday) of the period, YYYY-MM-DD.
        #[arg(long)]
        period_end: NaiveDate,
        /// {"values": {"5": "1.200", "17": 35, ...}, "activities": [...], "highlights": "...", "nothing_to_report": false, "submitted_at": "2023-03-03T15:00:00+07:00"}; an unknown field or an empty report (unless nothing_to_report) is refused
        #[arg(long)]
        file: PathBuf,
        #[command(flatten)]
        campaign: crate::config::CampaignArg,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List reports.
    List {
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        period_end: Option<NaiveDate>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        campaign: crate::config::CampaignArg,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub async fn run(command: ReportCommand) -> Result<ExitCode> {
    match command {
        ReportCommand::Submit { unit, period_end, file, campaign, db } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("không đọc được / cannot read {}: {e}", file.display()))?;
            // The file's shape is checked before anything is opened: an unknown field
            // (a misplaced "value") or another shape stores nothing.
            let (input, submitted_at) = match report_actions::input_from_json(&text) {
                Ok(parsed) => parsed,
                Err((vi, en)) => {
                    eprintln!("{}: {vi} / {en}", file.display());
                    return Ok(ExitCode::from(2));
                }
            };
            // When the report was first sent (migration of past data); default: now.
            let submitted_at: Option<chrono::DateTime<chrono::FixedOffset>> = match submitted_at {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(t)) => match chrono::DateTime::parse_from_rfc3339(&t) {
                    Ok(t) => Some(t),
                    Err(_) => {
                        eprintln!(
                            "{}: submitted_at \"{t}\" phải là thời điểm RFC 3339, ví dụ 2023-03-03T15:00:00+07:00 / must be an RFC 3339 time",
                            file.display()
                        );
                        return Ok(ExitCode::from(2));
                    }
                },
                Some(_) => {
                    eprintln!("{}: submitted_at phải là chuỗi thời điểm / must be a time string", file.display());
                    return Ok(ExitCode::from(2));
                }
            };
            let db = db.connect().await?;
            let state = AppState::local(db.clone());
            let campaign = campaign.resolve(&db).await?;
            let ctx = report_actions::load(&state, &campaign, &unit, ReportKind::Weekly, Some(period_end))
                .await
                .map_err(|f| format!("{} / {}", f.vi, f.en))?;
            let version = ctx.report.as_ref().map(|r| r.version).unwrap_or(0);
            let at = submitted_at.map(|t| t.with_timezone(&chrono::Utc));
            match report_actions::save_as(
                &state,
                &Who::cli(),
                &ctx,
                &input,
                version,
                SaveAction::Submit,
                None,
                at,
                None,
            )
            .await
            {
                Ok((saved, checked)) => {
                    let warnings = checked.map(|c| c.warnings).unwrap_or_default();
                    println!("{}", serde_json::to_string_pretty(&json!({"saved": saved, "warnings": warnings}))?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(ReportFailure::Invalid(errors)) => {
                    eprintln!("Báo cáo không hợp lệ, chưa lưu gì / invalid report, nothing stored:");
                    for e in errors {
                        eprintln!("  - {}: {} / {}", e.field, e.message_vi, e.message_en);
                    }
                    Ok(ExitCode::from(1))
                }
                Err(ReportFailure::Conflict(current)) => {
                    Err(format!("báo cáo vừa thay đổi (phiên bản {}) / the report changed meanwhile", current.version)
                        .into())
                }
                Err(ReportFailure::Other(f)) => Err(format!("{} / {}", f.vi, f.en).into()),
            }
        }
        ReportCommand::List { unit, period_end, json: as_json, campaign, db } => {
            let db = db.connect().await?;
            let campaign = campaign.resolve(&db).await?;
            let periods = campaign.plan.periods();
            let seq = match period_end {
                Some(end) => Some(
                    campaign
                        .plan
                        .period_ending(end)
                        .map(|p| i64::from(p.seq))
                        .ok_or("không có kỳ báo cáo này / no such period")?,
                ),
                None => None,
            };
            let unit_filter = match &unit {
                Some(code) => Some(vec![
                    units::by_code(&db, code)
                        .await?
                        .ok_or_else(|| format!("không có đơn vị {code} / no unit {code}"))?
                        .id,
                ]),
                None => None,
            };
            let all_units = units::list(&db).await?;
            let rows = reports::list(&db, campaign.row.id, ReportKind::Weekly, unit_filter.as_deref(), seq).await?;
            let mut out = Vec::new();
            for r in &rows {
                let u = all_units.iter().find(|u| u.id == r.unit_id);
                out.push(json!({
                    "unit": u.map(|u| u.code.clone()), "unit_name": u.map(|u| u.name.clone()),
                    "period_end": periods.iter().find(|p| i64::from(p.seq) == r.period_seq).map(|p| p.end),
                    "status": r.status, "version": r.version, "timeliness": r.timeliness,
                    "nothing_to_report": r.nothing_to_report(),
                    "first_submitted_at": r.first_submitted_at.map(|t| t.to_rfc3339()),
                    "values": reports::values(&db, r.id).await?,
                }));
            }
            if as_json {
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for o in &out {
                    println!(
                        "{} {} {} {}",
                        o["period_end"].as_str().unwrap_or(""),
                        o["unit"].as_str().unwrap_or(""),
                        o["status"].as_str().unwrap_or(""),
                        o["timeliness"].as_str().unwrap_or("")
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
