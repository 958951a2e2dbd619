//! The campaign's documents: the final summary report and the weekly consolidated
//! report (.docx in the Youth Union format), the plan (.docx), the workbook (.xlsx)
//! and its tables as CSV. Figures come from `actions::progress` (never recomputed
//! here); activities and notes from the counted weekly reports.

pub mod commendation;
pub mod plan;
pub mod report;
pub mod tables;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use phongtrao_domain::format;
use phongtrao_domain::period::Period;
use phongtrao_domain::plan::Comparison;
use phongtrao_storage::campaigns::StoredCampaign;
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
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
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
pub async fn stored_texts(
    state: &AppState,
    campaign: &StoredCampaign,
    doc: ReportDoc,
    week: Option<u32>,
) -> Result<DocumentTexts, Failure> {
    let code = campaign.row.code.as_str();
    let read = |name: String| async move {
        Ok::<_, Failure>(
            documents::texts(&state.db, &name)
                .await?
                .and_then(|json| serde_json::from_str::<DocumentTexts>(&json).ok()),
        )
    };
    let Some(week) = week.filter(|_| doc == ReportDoc::Weekly) else {
        return Ok(read(base_name(code, doc)).await?.unwrap_or_default());
    };
    if let Some(own) = read(texts_name(code, doc, week)).await? {
        return Ok(own);
    }
    // A week without texts of its own starts from the nearest earlier week's (or the
    // texts kept before weeks had their own), with the week number brought up to date
    // and without that document's number and date.
    for earlier in (1..week).rev() {
        if let Some(texts) = read(texts_name(code, doc, earlier)).await? {
            return Ok(texts.carried_to(earlier, week));
        }
    }
    Ok(read(base_name(code, doc)).await?.map(|t| t.carried_to(0, week)).unwrap_or_default())
}

/// Where a document's texts are kept: once for the final report, per week for the
/// weekly report.
/// (each campaign its own: the name starts with the campaign's code).
pub fn texts_name(campaign_code: &str, doc: ReportDoc, week: u32) -> String {
    match doc {
        ReportDoc::Final => base_name(campaign_code, doc),
        ReportDoc::Weekly => format!("{campaign_code}/{}:{week}", doc.as_str()),
    }
}

/// The name of a document's texts not tied to one week.
fn base_name(campaign_code: &str, doc: ReportDoc) -> String {
    format!("{campaign_code}/{}", doc.as_str())
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
    /// Period → the units of the subtree whose first report of it was late (ids).
    pub late: std::collections::BTreeMap<u32, Vec<i64>>,
    /// Period → the units whose first report of it counts on time by the time "Gửi"
    /// was pressed although received after the deadline ("gửi muộn do mất kết nối").
    pub offline_late: std::collections::BTreeMap<u32, Vec<i64>>,
    /// The province events as they were run (the province's final report).
    pub events: Vec<phongtrao_storage::event_records::ProvinceEvent>,
    /// The launches and closings recorded by the subtree's units.
    pub unit_events: Vec<phongtrao_storage::event_records::UnitEventRow>,
    /// How many units of the subtree were expected to hold a launch and a closing.
    pub event_units: usize,
    /// After an amendment of the plan, which version the figures are judged against:
    /// "(điều chỉnh lần 1 theo văn bản số 12-KH/TĐTN-BPT, ngày 06/03/2023)".
    pub plan_citation: Option<String>,
    /// The photos attached to the counted weekly reports (the appendix "PHỤ LỤC HÌNH ẢNH").
    pub photos: Vec<Photo>,
}

/// A photo of the appendix: the stored JPEG, its size in pixels and its caption.
#[derive(Debug, Clone)]
pub struct Photo {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub caption: String,
    pub unit: String,
    pub date: NaiveDate,
}

/// The most photos an appendix shows.
pub const MAX_APPENDIX_PHOTOS: usize = 60;

/// The period of the campaign that ends on `end`, or a clear refusal.
pub fn period_ending(campaign: &StoredCampaign, end: NaiveDate) -> Result<Period, Failure> {
    campaign.plan.period_ending(end).ok_or_else(|| {
        let periods = campaign.plan.periods();
        let vi: Vec<String> = periods.iter().map(|p| format::date(p.end)).collect();
        let iso: Vec<String> = periods.iter().map(|p| p.end.format("%Y-%m-%d").to_string()).collect();
        Failure::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("Không có kỳ báo cáo kết thúc ngày {} (các kỳ kết thúc: {})", format::date(end), vi.join(", ")),
            format!("No reporting period ends on {end} (periods end on: {})", iso.join(", ")),
        )
    })
}

/// The unit (the province when None), its figures at `at` (or at the period's end),
/// the activities and notes of its subtree's counted reports.
pub async fn gather(
    state: &AppState,
    campaign: &StoredCampaign,
    unit_code: Option<&str>,
    at: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
    doc: ReportDoc,
) -> Result<Gathered, Failure> {
    let db = &state.db;
    let period = match period_end {
        Some(end) => Some(period_ending(campaign, end)?),
        None => None,
    };
    let at = period.as_ref().map(|p| p.end).or(at);
    let progress = progress::compute(state, campaign, unit_code, at).await?;
    let all = units::list(db).await?;
    let root = all.iter().find(|u| u.code == progress.unit).cloned().ok_or_else(Failure::not_found)?;
    let subtree = units::subtree_ids(db, root.id).await?;
    let (from, to) = match &period {
        Some(p) => (i64::from(p.seq), i64::from(p.seq)),
        None => (1, i64::from(progress.periods_counted)),
    };
    let activities = documents::activities(db, campaign.row.id, &subtree, from, to).await?;
    let notes = documents::notes(db, campaign.row.id, &subtree, from, to).await?;
    let mut late: std::collections::BTreeMap<u32, Vec<i64>> = std::collections::BTreeMap::new();
    for (seq, unit) in phongtrao_storage::progress::late_units(db, campaign.row.id, &subtree, from, to).await? {
        late.entry(u32::try_from(seq).unwrap_or(0)).or_default().push(unit);
    }
    let mut offline_late: std::collections::BTreeMap<u32, Vec<i64>> = std::collections::BTreeMap::new();
    for (seq, unit) in
        phongtrao_storage::reports::sent_late_for_connection(db, campaign.row.id, &subtree, from, to).await?
    {
        offline_late.entry(u32::try_from(seq).unwrap_or(0)).or_default().push(unit);
    }
    let is_province = root.parent_id.is_none();
    // The office's texts are the province's; a unit's own report takes the defaults.
    let texts = if is_province {
        stored_texts(state, campaign, doc, period.as_ref().map(|p| p.seq)).await?
    } else {
        DocumentTexts::default()
    };
    let events = if is_province && period.is_none() {
        phongtrao_storage::event_records::province(db, campaign.row.id).await?
    } else {
        Vec::new()
    };
    let in_subtree: std::collections::HashSet<i64> = subtree.iter().copied().collect();
    let unit_events: Vec<_> = phongtrao_storage::event_records::units(db, campaign.row.id)
        .await?
        .into_iter()
        .filter(|r| in_subtree.contains(&r.unit_id))
        .collect();
    let levels = &campaign.plan.reporting.levels;
    let event_units = all
        .iter()
        .filter(|u| u.active && in_subtree.contains(&u.id) && u.level().is_some_and(|l| levels.contains(&l)))
        .count();
    let plan_citation = crate::actions::plan_amend::citation(state, campaign.row.id).await?.map(|(vi, _)| vi);
    let names: HashMap<i64, String> = all.iter().map(|u| (u.id, u.name.clone())).collect();
    let periods = campaign.plan.periods();
    let period_key =
        |seq: i64| periods.iter().find(|p| i64::from(p.seq) == seq).map(|p| p.end.format("%Y-%m-%d").to_string());
    let photos = phongtrao_storage::attachments::report_photos(
        db,
        campaign.row.id,
        &subtree,
        from,
        to,
        period_key,
        MAX_APPENDIX_PHOTOS,
    )
    .await?
    .into_iter()
    .map(|(a, jpeg)| Photo {
        jpeg,
        width: a.width.and_then(|w| u32::try_from(w).ok()).unwrap_or(1600),
        height: a.height.and_then(|h| u32::try_from(h).ok()).unwrap_or(1200),
        caption: a.caption.clone(),
        unit: names.get(&a.unit_id).cloned().unwrap_or_default(),
        date: a.created_at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive(),
    })
    .collect();
    Ok(Gathered {
        photos,
        plan_citation,
        events,
        unit_events,
        event_units,
        names,
        names_by_code: all.iter().map(|u| (u.code.clone(), u.name.clone())).collect(),
        late,
        offline_late,
        campaign: campaign.clone(),
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
    let comparison = Comparison::parse(i.comparison).unwrap_or(Comparison::AtLeast);
    if i.kind == "count" {
        return comparison.count_goal_text(goal, i.unit_label.as_deref());
    }
    comparison.percent_goal_text(goal)
}

/// What was achieved: "18.250 cây", "72,4% (5.230)"; for a percentage without
/// its base, the words every surface uses ("chưa có số liệu nền (5.230)"), never "0%".
pub fn result_text(i: &IndicatorProgress) -> String {
    if i.kind == "count" {
        let unit = i.unit_label.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        return format!("{}{unit}", format::integer(i.sum));
    }
    match (i.status, i.achieved_percent) {
        ("no_base", _) | (_, None) if i.kind == "percent_of_base" => {
            if i.sum > 0 {
                format!("chưa có số liệu nền ({})", format::integer(i.sum))
            } else {
                "chưa có số liệu nền".to_string()
            }
        }
        ("insufficient_base", _) => match i.coverage {
            Some(c) => {
                format!("{} ({}/{} đơn vị có số liệu nền)", format::integer(i.sum), c.units_with_base, c.units_expected)
            }
            None => format::integer(i.sum),
        },
        (_, Some(p)) => format!("{} ({})", p.vi(), format::integer(i.sum)),
        (_, None) => format::integer(i.sum),
    }
}

/// The ratio to the goal ("so với chỉ tiêu"): "91,3%", or "—".
pub fn ratio_text(i: &IndicatorProgress) -> String {
    i.completion.map(|p| p.vi()).unwrap_or_else(|| "—".into())
}

/// Đạt / Vượt / Chưa đạt / Chưa có số liệu nền / Chưa đủ số liệu nền / Chưa giao chỉ tiêu.
pub fn status_label(status: &str) -> String {
    phongtrao_domain::progress::status_title(status, true)
}

/// What "có X/Y chỉ tiêu đạt và vượt" counts: the plan's targets (a target is met
/// when every one of its indicators is), and separately its indicators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Targets with a goal for this unit.
    pub targets: usize,
    /// Targets whose every indicator is met or exceeded.
    pub targets_met: usize,
    /// Of those, targets with an indicator exceeded.
    pub targets_exceeded: usize,
    /// Targets with an indicator not met.
    pub targets_not_met: usize,
    /// Targets that cannot be judged yet: an indicator without (enough) base figures.
    pub targets_without_base: usize,
    /// Targets with no goal allocated to this unit.
    pub targets_no_goal: usize,
    pub indicators: usize,
    pub indicators_met: usize,
    pub indicators_exceeded: usize,
    pub indicators_not_met: usize,
    pub indicators_without_base: usize,
    pub indicators_no_goal: usize,
}

/// Counts targets and indicators by their verdicts.
pub fn tally(indicators: &[IndicatorProgress]) -> Tally {
    let mut t = Tally::default();
    let mut by_target: Vec<(u32, Vec<&str>)> = Vec::new();
    // A retired indicator ("ngừng theo dõi") is shown, not counted.
    for i in indicators.iter().filter(|i| !i.retired) {
        match by_target.iter_mut().find(|(n, _)| *n == i.target) {
            Some((_, list)) => list.push(i.status),
            None => by_target.push((i.target, vec![i.status])),
        }
        t.indicators += 1;
        match i.status {
            "met" => t.indicators_met += 1,
            "exceeded" => t.indicators_exceeded += 1,
            "not_met" => t.indicators_not_met += 1,
            "no_base" | "insufficient_base" => t.indicators_without_base += 1,
            _ => t.indicators_no_goal += 1,
        }
    }
    for (_, statuses) in by_target {
        let with_goal: Vec<&str> = statuses.iter().copied().filter(|s| *s != "no_goal").collect();
        if with_goal.is_empty() {
            t.targets_no_goal += 1;
            continue;
        }
        t.targets += 1;
        if with_goal.contains(&"not_met") {
            t.targets_not_met += 1;
        } else if with_goal.iter().any(|s| matches!(*s, "no_base" | "insufficient_base")) {
            t.targets_without_base += 1;
        } else {
            t.targets_met += 1;
            if with_goal.contains(&"exceeded") {
                t.targets_exceeded += 1;
            }
        }
    }
    t
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

impl DocumentTexts {
    /// Week `from`'s texts as the start of week `to`'s: "tuần 1" becomes "tuần 2" in the
    /// written paragraphs, and the document number and date, which belong to one
    /// document, are left for the office to give.
    pub fn carried_to(mut self, from: u32, to: u32) -> DocumentTexts {
        if from > 0 {
            for text in [&mut self.opening, &mut self.conclusions] {
                for word in ["tuần", "Tuần", "TUẦN"] {
                    *text = replace_whole_number(text, &format!("{word} {from}"), &format!("{word} {to}"));
                }
            }
        }
        self.number = String::new();
        self.issued_on = String::new();
        self
    }
}

/// Replaces `old` by `new` where `old` is not followed by another digit ("tuần 1" is
/// not "tuần 12").
fn replace_whole_number(text: &str, old: &str, new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(old) {
        let after = &rest[i + old.len()..];
        out.push_str(&rest[..i]);
        if after.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            out.push_str(old);
        } else {
            out.push_str(new);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod carried_tests {
    use super::DocumentTexts;

    #[test]
    fn the_next_week_starts_from_the_last_with_its_own_number() {
        let week1 = DocumentTexts {
            number: "12-BC/TĐTN".into(),
            issued_on: "2023-03-03".into(),
            opening: "Báo cáo kết quả tuần 1; so với tuần 12 năm trước.".into(),
            conclusions: "Tuần 1: tiếp tục ra quân.".into(),
            signer_name: "Nguyễn Văn A".into(),
            ..Default::default()
        };
        let week2 = week1.carried_to(1, 2);
        assert_eq!(week2.opening, "Báo cáo kết quả tuần 2; so với tuần 12 năm trước.");
        assert_eq!(week2.conclusions, "Tuần 2: tiếp tục ra quân.");
        assert_eq!((week2.number.as_str(), week2.issued_on.as_str()), ("", ""));
        assert_eq!(week2.signer_name, "Nguyễn Văn A");
    }
}
