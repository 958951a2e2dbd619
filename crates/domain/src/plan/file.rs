//! The plan file as people write it (TOML). These structs mirror the file one to
//! one; `super::load` turns them into the checked domain model.
//!
//! Every table denies unknown fields so that a typo is an error that names the
//! field and its line, never a silently ignored value.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::values::{Comparison, FileDate, Goal, IndicatorKind, Level};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub campaign: CampaignFile,
    #[serde(default)]
    pub purpose: PurposeFile,
    #[serde(default)]
    pub areas: Vec<AreaFile>,
    #[serde(default)]
    pub target_groups: Vec<TargetGroupFile>,
    #[serde(default)]
    pub targets: Vec<TargetFile>,
    #[serde(default)]
    pub events: Vec<EventFile>,
    #[serde(default)]
    pub milestones: Vec<MilestoneFile>,
    pub reporting: ReportingFile,
    #[serde(default)]
    pub duties: Vec<DutyFile>,
    #[serde(default)]
    pub recipients: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignFile {
    pub code: String,
    pub title: String,
    #[serde(default)]
    pub short_title: Option<String>,
    pub year: i32,
    pub theme: String,
    /// The governing body above the issuer ("BCH ĐOÀN TỈNH KIÊN GIANG" style header line).
    #[serde(default)]
    pub superior_body: Option<String>,
    pub issuing_body: String,
    #[serde(default)]
    pub document_type: Option<String>,
    /// "Số: 45-KH/TĐTN-BPT"; empty when the source text does not give it.
    #[serde(default)]
    pub document_number: Option<String>,
    pub place: String,
    #[serde(default)]
    pub issued_on: Option<FileDate>,
    /// The "Căn cứ ..." sentence.
    #[serde(default)]
    pub basis: Option<String>,
    pub starts_on: FileDate,
    pub ends_on: FileDate,
    #[serde(default = "default_timezone")]
    pub timezone: String,
    pub signatory: SignatoryFile,
    pub contact: ContactFile,
}

fn default_timezone() -> String {
    "Asia/Ho_Chi_Minh".to_string()
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SignatoryFile {
    /// "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN"
    pub on_behalf_of: String,
    /// "BÍ THƯ"
    pub title: String,
    pub name: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ContactFile {
    pub office: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PurposeFile {
    #[serde(default)]
    pub aims: Vec<String>,
    #[serde(default)]
    pub requirements: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AreaFile {
    /// Document numbering: "1", "2", "2.1", "3.3".
    pub number: Spanned<String>,
    pub title: String,
    /// Free paragraphs or bullets directly under the heading.
    #[serde(default)]
    pub items: Vec<String>,
    /// Sub-headings in italics with their own bullets (2.1 has four).
    #[serde(default)]
    pub groups: Vec<AreaGroupFile>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AreaGroupFile {
    pub heading: String,
    #[serde(default)]
    pub items: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroupFile {
    pub key: Spanned<String>,
    pub title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetFile {
    /// The document's own number; gaps are kept (the 2023 plan has no target 3).
    pub number: Spanned<u32>,
    pub group: Spanned<String>,
    /// The sentence of the plan, word for word.
    pub text: String,
    /// Activity area the target belongs to, by area number ("2.1").
    #[serde(default)]
    pub area: Option<Spanned<String>>,
    pub indicators: Vec<IndicatorFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorFile {
    /// Unique key: the target number, with a letter when the target has several ("2a").
    pub key: Spanned<String>,
    pub label: String,
    pub kind: IndicatorKind,
    /// ">=" for "ít nhất / tối thiểu" and plain goals, ">" for "trên".
    pub comparison: Comparison,
    /// A count for `count`; a percentage (0–100) for the three other kinds.
    pub goal: Spanned<Goal>,
    /// "cây", "lớp", "lượt", "đoàn viên", "mô hình"; "%" is implied for percentages.
    #[serde(default)]
    pub unit_label: Option<String>,
    /// For `percent_of_base`: the base figure that is the denominator.
    #[serde(default)]
    pub base: Option<Spanned<String>>,
    /// For `share_of_units` and `minimum_per_unit`: the levels of units expected.
    #[serde(default)]
    pub levels: Vec<Level>,
    /// Optional narrowing by unit kind (e.g. only xã, phường, thị trấn).
    #[serde(default)]
    pub unit_kinds: Vec<String>,
    /// For `minimum_per_unit`: the minimum each expected unit must reach.
    #[serde(default)]
    pub per_unit_minimum: Option<Spanned<Goal>>,
    /// "trong đó": this indicator is a part of another one of the same target.
    #[serde(default)]
    pub part_of: Option<Spanned<String>>,
    /// Reading notes: where the text was ambiguous and what was chosen.
    #[serde(default)]
    pub note: Option<String>,
    /// No longer followed (an amendment "ngừng theo dõi"): an indicator that has
    /// reports is never deleted, only retired; its figures stay visible, the weekly
    /// form no longer asks for it and completion leaves it out.
    #[serde(default)]
    pub retired: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFile {
    pub number: Spanned<u32>,
    pub title: String,
    #[serde(default)]
    pub starts_on: Option<FileDate>,
    #[serde(default)]
    pub ends_on: Option<FileDate>,
    #[serde(default)]
    pub place: Option<String>,
    /// Unit code of the host, when the plan names one.
    #[serde(default)]
    pub host_unit: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneFile {
    pub key: Spanned<String>,
    pub title: String,
    pub level: Level,
    /// A single day ("ngày 24/2/2023").
    #[serde(default)]
    pub on: Option<FileDate>,
    /// A window ("từ ngày 01/3 đến 05/3/2023"), both days included.
    #[serde(default)]
    pub from: Option<FileDate>,
    #[serde(default)]
    pub to: Option<FileDate>,
    /// A deadline "trước ngày 10/4/2023": due before this day begins.
    #[serde(default)]
    pub before: Option<FileDate>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub host_unit: Option<String>,
    /// Where in the plan the date is given ("V.1").
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingFile {
    /// Which levels send weekly reports.
    pub levels: Vec<Level>,
    /// Where reports go.
    #[serde(default)]
    pub send_to: Option<String>,
    pub weekly: WeeklyFile,
    /// Lock a period this many days after its deadline (none: never).
    #[serde(default)]
    pub lock_after_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklyFile {
    /// The Friday that ends the first period.
    pub first_period_end: FileDate,
    /// The Friday that ends the last period.
    pub last_period_end: FileDate,
    /// "16:00": due before this time on the last day of the period.
    pub due_time: String,
    /// The sentence of the plan that states the rule.
    #[serde(default)]
    pub rule_text: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DutyFile {
    /// Who: "Ban Thường vụ Tỉnh đoàn", "Ban Phong trào", "Ban Chỉ đạo", ...
    pub party: String,
    /// Role in the product: "standing_agency", "steering", "district_units", "host", "issuer".
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub unit: Option<String>,
    pub items: Vec<String>,
}
