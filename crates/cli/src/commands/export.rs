//! `phongtrao export final-report|weekly-report|workbook|plan|TABLE.csv
//! [--period-end YYYY-MM-DD] [--unit CODE] [--at YYYY-MM-DD] --out FILE`: the documents
//! of the Documents page, written to a file (acting for the office).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use phongtrao_web::actions::documents::{export_as_office, Export, ExportQuery};
use phongtrao_web::AppState;

use crate::config::DatabaseArgs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub struct ExportArgs {
    pub what: String,
    pub unit: Option<String>,
    pub period_end: Option<NaiveDate>,
    pub at: Option<NaiveDate>,
    pub out: PathBuf,
}

pub async fn run(args: ExportArgs, campaign: crate::config::CampaignArg, db: DatabaseArgs) -> Result<ExitCode> {
    let Some(what) = Export::parse(&args.what) else {
        return Err(format!(
            "không có tài liệu \"{}\" / unknown document \"{}\": final-report, weekly-report, workbook, plan, targets.csv, units.csv, timeliness.csv, activities.csv, notes.csv",
            args.what, args.what
        )
        .into());
    };
    let db = db.connect().await?;
    let campaign = campaign.resolve(&db).await?;
    let state = AppState::local(db);
    let q = ExportQuery { unit: args.unit, period_end: args.period_end, at: args.at };
    let file = export_as_office(&state, &campaign, what, &q).await.map_err(|f| format!("{} / {}", f.vi, f.en))?;
    std::fs::write(&args.out, &file.bytes)
        .map_err(|e| format!("không ghi được / cannot write {}: {e}", args.out.display()))?;
    eprintln!("Đã ghi / written: {} ({} bytes; {})", args.out.display(), file.bytes.len(), file.file_name);
    Ok(ExitCode::SUCCESS)
}
