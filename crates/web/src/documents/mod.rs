//! The campaign's documents: the final summary report and the weekly consolidated
//! report (.docx in the Youth Union format), the plan (.docx), the workbook (.xlsx)
//! and its tables as CSV. Figures come from `actions::progress` (never recomputed
//! here); activities and notes from the counted weekly reports.

pub mod plan;
pub mod report;
pub mod tables;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use phongtrao_domain::format;
use phongtrao_domain::period::Period;
use phongtrao_storage::campaigns::{self, StoredCampaign};
use phongtrao_storage::documents::{self, UnitActivity, UnitNotes};
use phongtrao_storage::units::{self, UnitRow};
use serde::{Deserialize, Serialize};

use crate::actions::progress::{self, IndicatorProgress, ProgressReport};
use crate::error::Failure;
use crate::AppState;

/// The label every export of simulated data carries.
pub const SIMULATED_LABEL: &str = "SỐ LIỆU MÔ PHỎNG / SIMULATED DATA";

/// Which report the office-written texts belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportDoc {
    Final,
    Weekly,
}

impl ReportDoc {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportDoc::Final => "final_report",
            ReportDoc::Weekly => "weekly_report",
        }
    }

    pub fn parse(text: &str) -> Option<ReportDoc> {
        match text {
            "final_report" | "final-report" => Some(ReportDoc::Final),
            "weekly_report" | "weekly-report" => Some(ReportDoc::Weekly),
            _ => None,
        }
    }
}

/// What the office writes itself before exporting a report. An empty field takes
/// its default from the plan (issuing body, signatory, recipients) or from the data.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct DocumentTexts {
    /// "BCH ĐOÀN TỈNH KIÊN GIANG"
    pub issuing_body: String,
    /// "45-BC/TĐTN-BPT" (shown after "Số: ")
    pub number: String,
    /// The date of the place-and-date line, YYYY-MM-DD; empty: the figures' date.
    pub issued_on: String,
    /// "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN"
    pub on_behalf_of: String,
    /// "PHÓ BÍ THƯ"
    pub signer_title: String,
    pub signer_name: String,
    /// The opening paragraph.
    pub opening: String,
    /// Conclusions (final report) or next week's focus (weekly report).
    pub conclusions: String,
    /// Nơi nhận, one per line.
    pub recipients: String,
}

const SHORT_MAX: usize = 200;
const LONG_MAX: usize = 5000;

impl DocumentTexts {
    /// NFC, trimmed, checked; a message in both languages when something is wrong.
    pub fn checked(mut self) -> Result<DocumentTexts, Failure> {
        let nfc = |s: &str| phongtrao_domain::text::nfc(s.trim());
        for (name, field, max) in [
            ("issuing_body", &mut self.issuing_body, SHORT_MAX),
            ("number", &mut self.number, SHORT_MAX),
            ("issued_on", &mut self.issued_on, SHORT_MAX),
            ("on_behalf_of", &mut self.on_behalf_of, SHORT_MAX),
            ("signer_title", &mut self.signer_title, SHORT_MAX),
            ("signer_name", &mut self.signer_name, SHORT_MAX),
            ("opening", &mut self.opening, LONG_MAX),
            ("conclusions", &mut self.conclusions, LONG_MAX),
            ("recipients", &mut self.recipients, LONG_MAX),
        ] {
            *field = nfc(field);
            if field.chars().count() > max {
                return Err(Failure::invalid(format!(
                    "Mục {name} dài quá {max} ký tự / The field {name} is longer than {max} characters"
                )));
            }
        }
        if !self.issued_on.is_empty() && NaiveDate::parse_from_str(&self.issued_on, "%Y-%m-%d").is_err() {
            return Err(Failure::invalid("Ngày ban hành phải có dạng YYYY-MM-DD / The issue date must be YYYY-MM-DD"));
        }
        Ok(self)
    }
}

/// The texts the office stored for a report (empty fields where it stored none).
pub async fn stored_texts(state: &AppState, doc: ReportDoc) -> Result<DocumentTexts, Failure> {
    Ok(documents::texts(&state.db, doc.as_str())
        .await?
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default())
}

/// Everything a report is made of.
pub struct Gathered {
    pub campaign: StoredCampaign,
    pub root: UnitRow,
    pub is_province: bool,
    pub progress: ProgressReport,
    /// The weekly report's period; None for the final report.
    pub period: Option<Period>,
    pub activities: Vec<UnitActivity>,
    pub notes: Vec<UnitNotes>,
    pub names: HashMap<i64, String>,
    pub names_by_code: HashMap<String, String>,
    pub texts: DocumentTexts,
}

/// The period of the campaign that ends on `end`, or a clear refusal.
pub fn period_ending(campaign: &StoredCampaign, end: NaiveDate) -> Result<Period, Failure> {
    let periods = campaign.plan.periods();
    periods.iter().find(|p| p.end == end).cloned().ok_or_else(|| {
        let ends: Vec<String> = periods.iter().map(|p| p.end.format("%Y-%m-%d").to_string()).collect();
        Failure::invalid(format!(
            "Không có kỳ báo cáo kết thúc ngày {} (các kỳ: {}) / No reporting period ends on {end} (periods: {})",
            format::date(end),
            ends.join(", "),
            ends.join(", ")
        ))
    })
}

/// The unit (the province when None), its figures at `at` (or at the period's end),
/// the activities and notes of its subtree's counted reports.
pub async fn gather(
    state: &AppState,
    unit_code: Option<&str>,
    at: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    doc: ReportDoc,
) -> Result<Gathered, Failure> {
    let db = &state.db;
    let campaign = campaigns::current(db).await?;
    let period = match period_end {
        Some(end) => Some(period_ending(&campaign, end)?),
        None => None,
    };
    let at = period.as_ref().map(|p| p.end).or(at);
    let progress = progress::compute(state, unit_code, at).await?;
    let all = units::list(db).await?;
    let root = all.iter().find(|u| u.code == progress.unit).cloned().ok_or_else(Failure::not_found)?;
    let subtree = units::subtree_ids(db, root.id).await?;
    let (from, to) = match &period {
        Some(p) => (i64::from(p.seq), i64::from(p.seq)),
        None => (1, i64::from(progress.periods_counted)),
    };
    let activities = documents::activities(db, campaign.row.id, &subtree, from, to).await?;
    let notes = documents::notes(db, campaign.row.id, &subtree, from, to).await?;
    let is_province = root.parent_id.is_none();
    // The office's texts are the province's; a unit's own report takes the defaults.
    let texts = if is_province { stored_texts(state, doc).await? } else { DocumentTexts::default() };
    Ok(Gathered {
        names: all.iter().map(|u| (u.id, u.name.clone())).collect(),
        names_by_code: all.iter().map(|u| (u.code.clone(), u.name.clone())).collect(),
        campaign,
        is_province,
        root,
        progress,
        period,
        activities,
        notes,
        texts,
    })
}

/// "Kiên Giang, ngày 05 tháng 4 năm 2023": days below 10 and the months 1 and 2
/// take a leading zero, as in administrative documents.
pub fn place_and_date(place: &str, day: NaiveDate) -> String {
    let month = if day.month() <= 2 { format!("{:02}", day.month()) } else { day.month().to_string() };
    format!("{place}, ngày {:02} tháng {month} năm {}", day.day(), day.year())
}

/// The campaign's name without the document type: "Tháng Thanh niên năm 2023".
pub fn campaign_name(campaign: &StoredCampaign) -> String {
    let c = &campaign.plan.campaign;
    let title = c.title.trim();
    match &c.document_type {
        Some(t) => title.strip_prefix(t.as_str()).map(|s| s.trim().to_string()).unwrap_or_else(|| title.to_string()),
        None => title.to_string(),
    }
}

/// The goal as the plan says it: "20.000 cây", "≥ 70%", "100%".
pub fn goal_text(i: &IndicatorProgress) -> String {
    let Some(goal) = i.goal else {
        return "chưa giao".to_string();
    };
    if i.kind == "count" {
        let unit = i.unit_label.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        return format!("{}{unit}", format::number(goal, 0));
    }
    let symbol = match i.comparison {
        ">" => "> ",
        _ if goal >= 100.0 => "",
        _ => "≥ ",
    };
    format!("{symbol}{}", format::percent(goal))
}

/// What was achieved: "18.250 cây", "72,4% (5.230)".
pub fn result_text(i: &IndicatorProgress) -> String {
    if i.kind == "count" {
        let unit = i.unit_label.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        format!("{}{unit}", format::integer(i.sum))
    } else {
        format!("{} ({})", format::percent(i.achieved), format::integer(i.sum))
    }
}

/// The ratio to the goal: "91,3%", or "—".
pub fn ratio_text(i: &IndicatorProgress) -> String {
    i.ratio.map(|r| format::percent(r * 100.0)).unwrap_or_else(|| "—".into())
}

/// Đạt / Vượt / Chưa đạt / Chưa giao.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "met" => "Đạt",
        "exceeded" => "Vượt",
        "not_met" => "Chưa đạt",
        _ => "Chưa giao",
    }
}

/// (met or exceeded, with a goal): "có X/Y chỉ tiêu đạt và vượt".
pub fn tally(indicators: &[IndicatorProgress]) -> (usize, usize, usize, usize) {
    let with_goal = indicators.iter().filter(|i| i.status != "no_goal").count();
    let exceeded = indicators.iter().filter(|i| i.status == "exceeded").count();
    let met = indicators.iter().filter(|i| i.status == "met").count();
    let not_met = indicators.iter().filter(|i| i.status == "not_met").count();
    (met + exceeded, with_goal, exceeded, not_met)
}

/// A name safe in a file name: letters, digits, '-' and '_'.
pub fn file_part(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_and_date_line() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
        assert_eq!(place_and_date("Kiên Giang", d(2023, 4, 5)), "Kiên Giang, ngày 05 tháng 4 năm 2023");
        assert_eq!(place_and_date("Kiên Giang", d(2023, 2, 24)), "Kiên Giang, ngày 24 tháng 02 năm 2023");
        assert_eq!(place_and_date("Kiên Giang", d(2023, 12, 31)), "Kiên Giang, ngày 31 tháng 12 năm 2023");
    }

    #[test]
    fn texts_are_checked() {
        let bad = DocumentTexts { issued_on: "05/04/2023".into(), ..DocumentTexts::default() };
        assert!(bad.checked().is_err());
        let long = DocumentTexts { number: "x".repeat(300), ..DocumentTexts::default() };
        assert!(long.checked().is_err());
        let ok = DocumentTexts { number: "  45-BC/TĐTN-BPT ".into(), ..DocumentTexts::default() };
        assert_eq!(ok.checked().map(|t| t.number).unwrap_or_default(), "45-BC/TĐTN-BPT");
    }
}
