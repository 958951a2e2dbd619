//! Downloading the campaign's documents (final and weekly reports, the plan, the
//! workbook, CSV tables) and editing the texts the office writes itself. Pages, the
//! API and the CLI all come here.

use chrono::NaiveDate;
use phongtrao_domain::policy::Action;
use phongtrao_storage::campaigns::StoredCampaign;
use serde::Deserialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::documents::{self, file_part, tables, DocumentTexts, ReportDoc};
use crate::error::Failure;
use crate::AppState;

pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV: &str = "text/csv; charset=utf-8";

/// What to export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    FinalReport,
    WeeklyReport,
    Workbook,
    Plan,
    /// One table of the workbook, by its name (`tables::TABLES`).
    Csv(&'static str),
}

impl Export {
    /// From a download's name: "final-report.docx", "weekly-report.docx",
    /// "workbook.xlsx", "plan.docx", "targets.csv", ... (the extension is optional
    /// for the first four, as the CLI names them).
    pub fn parse(name: &str) -> Option<Export> {
        match name {
            "final-report" | "final-report.docx" => Some(Export::FinalReport),
            "weekly-report" | "weekly-report.docx" => Some(Export::WeeklyReport),
            "workbook" | "workbook.xlsx" => Some(Export::Workbook),
            "plan" | "plan.docx" => Some(Export::Plan),
            other => {
                let table = other.strip_suffix(".csv")?;
                tables::TABLES.iter().find(|t| **t == table).map(|t| Export::Csv(t))
            }
        }
    }
}

/// Which unit and which moment.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExportQuery {
    /// The unit whose subtree is reported (the province by default).
    pub unit: Option<String>,
    /// The weekly report's period (its last day); for the other exports, the
    /// figures up to that period's end.
    pub period_end: Option<NaiveDate>,
    /// Cumulative figures up to this day (default: today, or the campaign's end).
    pub at: Option<NaiveDate>,
}

/// A file to send.
pub struct ExportFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl ExportFile {
    /// `attachment; filename="..."` (the names are ASCII).
    pub fn disposition(&self) -> String {
        format!("attachment; filename=\"{}\"", self.file_name)
    }
}

/// The export, for a logged-in user allowed to read the unit.
pub async fn export(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    what: Export,
    q: &ExportQuery,
) -> Result<ExportFile, Failure> {
    if what != Export::Plan {
        let unit = match &q.unit {
            Some(code) => crate::campaign_choice::unit_by_code(&state.db, campaign, code).await?,
            None => crate::campaign_choice::root(&state.db, campaign).await?,
        }
        .ok_or_else(|| {
            Failure::new(axum::http::StatusCode::NOT_FOUND, "not_found", "Không tìm thấy đơn vị", "Unit not found")
        })?;
        require(state, actor, client, Action::ReadUnit, Some(unit.id)).await?;
    }
    export_as_office(state, campaign, what, q).await
}

/// The export without an authorization check: for the CLI, which acts for the office.
pub async fn export_as_office(
    state: &AppState,
    campaign: &StoredCampaign,
    what: Export,
    q: &ExportQuery,
) -> Result<ExportFile, Failure> {
    let unit = q.unit.as_deref();
    match what {
        Export::Plan => {
            let simulated = crate::demo::is_simulated(&state.db).await;
            let amended = crate::actions::plan_amend::citation(state, campaign.row.id).await?.map(|(vi, _)| vi);
            Ok(ExportFile {
                file_name: format!("ke-hoach-{}.docx", file_part(&campaign.plan.campaign.code)),
                content_type: DOCX,
                bytes: documents::plan::build(campaign, simulated, amended.as_deref())?,
            })
        }
        Export::FinalReport => {
            let g = documents::gather(state, campaign, unit, q.at.or(q.period_end), None, ReportDoc::Final).await?;
            Ok(ExportFile {
                file_name: format!(
                    "bao-cao-tong-ket-{}-{}.docx",
                    file_part(&g.root.code),
                    g.progress.at.format("%Y-%m-%d")
                ),
                content_type: DOCX,
                bytes: documents::report::build(&g)?,
            })
        }
        Export::WeeklyReport => {
            let end = q.period_end.ok_or_else(|| {
                Failure::invalid("Chọn kỳ báo cáo (period_end=YYYY-MM-DD) / Choose the period (period_end=YYYY-MM-DD)")
            })?;
            let g = documents::gather(state, campaign, unit, None, Some(end), ReportDoc::Weekly).await?;
            let seq = g.period.as_ref().map(|p| p.seq).unwrap_or(0);
            Ok(ExportFile {
                file_name: format!("bao-cao-tuan-{seq}-{}-{}.docx", file_part(&g.root.code), end.format("%Y-%m-%d")),
                content_type: DOCX,
                bytes: documents::report::build(&g)?,
            })
        }
        Export::Workbook => {
            let (g, t) = tables::tables(state, campaign, unit, q.at, q.period_end).await?;
            Ok(ExportFile {
                file_name: format!("so-lieu-{}-{}.xlsx", file_part(&g.root.code), g.progress.at.format("%Y-%m-%d")),
                content_type: XLSX,
                bytes: tables::workbook(&g, t)?,
            })
        }
        Export::Csv(name) => {
            let (g, t) = tables::tables(state, campaign, unit, q.at, q.period_end).await?;
            let table = t.iter().find(|x| x.key == name).ok_or_else(Failure::not_found)?;
            Ok(ExportFile {
                file_name: format!("{name}-{}-{}.csv", file_part(&g.root.code), g.progress.at.format("%Y-%m-%d")),
                content_type: CSV,
                bytes: tables::csv(&g, table)?,
            })
        }
    }
}

/// The texts the office stored for a report (any logged-in user may read them).
pub async fn texts(
    state: &AppState,
    campaign: &StoredCampaign,
    doc: ReportDoc,
    period_end: Option<NaiveDate>,
) -> Result<DocumentTexts, Failure> {
    let week = week_of(state, campaign, doc, period_end).await?;
    documents::stored_texts(state, campaign, doc, week).await
}

/// The week whose texts are meant: the period ending on `period_end` (weekly report,
/// by default the last period that has ended); none for the final report.
async fn week_of(
    state: &AppState,
    campaign: &StoredCampaign,
    doc: ReportDoc,
    period_end: Option<NaiveDate>,
) -> Result<Option<u32>, Failure> {
    if doc == ReportDoc::Final {
        return Ok(None);
    }
    match period_end {
        Some(end) => Ok(Some(documents::period_ending(campaign, end)?.seq)),
        None => {
            let today = state.now().with_timezone(&campaign.plan.campaign.timezone).date_naive();
            let periods = campaign.plan.periods();
            Ok(periods.iter().rfind(|p| p.end <= today).or(periods.first()).map(|p| p.seq))
        }
    }
}

/// Stores the office's texts of a report (the weekly report's: of one week): the
/// office (admin) only, audited.
pub async fn save_texts(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    doc: ReportDoc,
    period_end: Option<NaiveDate>,
    input: DocumentTexts,
) -> Result<DocumentTexts, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    crate::authz::require_campaign(state, actor, client, Action::AdministerCampaign, campaign).await?;
    let texts = input.checked()?;
    let name = match (doc, period_end) {
        (ReportDoc::Final, _) => documents::texts_name(&campaign.row.code, doc, 0),
        (ReportDoc::Weekly, None) => {
            return Err(Failure::invalid(
                "Hãy chọn tuần của báo cáo (period_end) / Choose the report's week (period_end)",
            ))
        }
        (ReportDoc::Weekly, Some(_)) => {
            let week = week_of(state, campaign, doc, period_end).await?.unwrap_or(1);
            documents::texts_name(&campaign.row.code, doc, week)
        }
    };
    let json = serde_json::to_string(&texts).map_err(Failure::internal)?;
    phongtrao_storage::documents::set_texts(&state.db, &name, &json, &who(Some(actor), client), state.now()).await?;
    Ok(texts)
}
