//! "Tạo kế hoạch từ năm trước": a new edition of a campaign from an earlier one.
//!
//! The plan text (TOML) stays the storage format: the new plan is the old text with
//! its dates, code, year, titles and goals rewritten in place (comments, wording and
//! layout are kept), so the office can read it as it always did.
//!
//! # How dates move (the documented rule)
//!
//! * The whole plan moves by **one whole number of weeks**: the number that brings
//!   the campaign's first day closest to the same day and month of the new year
//!   (52 weeks for one year; 53 when that is closer, as happens after several years).
//!   Every weekday stays the same weekday, every date stays in the same ISO week
//!   (give or take the year's edge), and the distances between dates stay as they
//!   were: a Friday launch stays a Friday, a Saturday–Friday week stays one.
//! * The weekly rule moves by the same weeks, so its periods are recomputed as
//!   Saturday–Friday weeks of the new year, covering the moved campaign as before.
//! * Deadlines ("trước ngày …"), windows ("từ … đến …") and the campaign's own span
//!   move by the same weeks.
//! * A **fixed date** keeps its day and month: a single-day event or milestone that
//!   falls on an anniversary of [`ANNIVERSARIES`] (26/3 Ngày thành lập Đoàn, 15/10,
//!   …) is held on that anniversary again (29/2 would become 28/2). An event that
//!   starts on an anniversary and lasts several days keeps its length.
//!
//! Every changed date is listed with its field in words, the old and new date and
//! their weekdays, so the office reviews them before confirming.
//!
//! # Words
//!
//! The code and titles get the new year. In every sentence of the plan, "năm 2023"
//! becomes "năm 2024", a date written in the text ("trước ngày 01/3/2023") becomes
//! the date it moved to (the same date field's new date when the plan has it, else
//! by the same rule), and the founding anniversary's count goes up ("92 năm ngày
//! thành lập Đoàn" → "93 năm"). Each rewrite is listed; any other mention of the old
//! year is counted (`old_year_mentions`) for the office to read over. The document
//! number is emptied (a new document gets its own).
//!
//! # Goals
//!
//! Each indicator (matched by its key) gets a proposed goal: the larger of last
//! year's goal and last year's result (the result is given by the caller), a count
//! rounded up to a whole number, a percentage kept within 100. The office may edit
//! any proposal.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::lint::{lint, Finding};
use super::load::{parse_plan, PlanErrors};
use super::values::{FileDate, IndicatorKind};
use crate::text::nfc;

/// Days whose calendar date is their meaning: an event on one of them keeps the day
/// and month in the new year. (day, month, Vietnamese name, English name)
pub const ANNIVERSARIES: [(u32, u32, &str, &str); 14] = [
    (9, 1, "Ngày truyền thống học sinh, sinh viên", "Vietnamese Students' Day"),
    (3, 2, "Ngày thành lập Đảng Cộng sản Việt Nam", "Founding of the Communist Party of Vietnam"),
    (8, 3, "Ngày Quốc tế Phụ nữ", "International Women's Day"),
    (26, 3, "Ngày thành lập Đoàn TNCS Hồ Chí Minh", "Founding of the Ho Chi Minh Communist Youth Union"),
    (30, 4, "Ngày Giải phóng miền Nam, thống nhất đất nước", "Reunification Day"),
    (1, 5, "Ngày Quốc tế Lao động", "International Workers' Day"),
    (15, 5, "Ngày thành lập Đội TNTP Hồ Chí Minh", "Founding of the Ho Chi Minh Young Pioneers"),
    (19, 5, "Ngày sinh Chủ tịch Hồ Chí Minh", "President Ho Chi Minh's birthday"),
    (1, 6, "Ngày Quốc tế Thiếu nhi", "International Children's Day"),
    (27, 7, "Ngày Thương binh – Liệt sĩ", "War Invalids and Martyrs' Day"),
    (2, 9, "Ngày Quốc khánh", "National Day"),
    (15, 10, "Ngày truyền thống Hội Liên hiệp Thanh niên Việt Nam", "Vietnam Youth Federation Day"),
    (20, 11, "Ngày Nhà giáo Việt Nam", "Vietnamese Teachers' Day"),
    (22, 12, "Ngày thành lập Quân đội nhân dân Việt Nam", "Vietnam People's Army Day"),
];

/// What the caller asks for.
#[derive(Debug, Clone, Default)]
pub struct RollForwardOptions {
    /// The new campaign's year; must be later than the source's.
    pub year: i32,
    /// The new campaign's code; None: the old code with the year replaced.
    pub code: Option<String>,
    /// Last year's result per indicator key (the source campaign's figure at its root).
    pub results: BTreeMap<String, f64>,
    /// Goals chosen by the office per indicator key, in place of the proposals.
    pub goals: BTreeMap<String, f64>,
}

/// Why a date moved the way it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum DateRule {
    /// Moved by whole weeks (same weekday).
    Weeks { weeks: i64 },
    /// Kept its day and month: an anniversary.
    Anniversary { name_vi: String, name_en: String },
}

/// One changed date.
#[derive(Debug, Clone, Serialize)]
pub struct DateChange {
    /// Where it is, in words: "Hoạt động 1 «…»: ngày bắt đầu".
    pub field_vi: String,
    pub field_en: String,
    pub old: NaiveDate,
    pub new: NaiveDate,
    pub weekday_before_vi: &'static str,
    pub weekday_after_vi: &'static str,
    pub weekday_before_en: &'static str,
    pub weekday_after_en: &'static str,
    #[serde(flatten)]
    pub rule: DateRule,
}

/// One rewritten text (code, year, titles).
#[derive(Debug, Clone, Serialize)]
pub struct TextChange {
    pub field_vi: String,
    pub field_en: String,
    pub old: String,
    pub new: String,
}

/// The proposed goal of one indicator.
#[derive(Debug, Clone, Serialize)]
pub struct GoalProposal {
    pub key: String,
    pub target_number: u32,
    pub label: String,
    pub kind: IndicatorKind,
    pub unit_label: Option<String>,
    pub old_goal: f64,
    /// Last year's result, when known.
    pub last_result: Option<f64>,
    /// What the new plan says: the office's figure, or the proposal.
    pub goal: f64,
    /// The default proposal (the larger of the old goal and the result).
    pub proposed: f64,
    /// Whether the office changed the proposal.
    pub edited: bool,
}

/// One weekly period of the new plan.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodLine {
    pub seq: u32,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// What the office reviews before confirming.
#[derive(Debug, Clone, Serialize)]
pub struct RollForward {
    /// The new plan's text (parses with `parse_plan`).
    pub plan_toml: String,
    pub source_code: String,
    pub source_year: i32,
    pub code: String,
    pub year: i32,
    pub title: String,
    /// The whole weeks the plan moved by.
    pub weeks: i64,
    pub targets: usize,
    pub indicators: usize,
    pub events: usize,
    /// Every changed date, in the plan's order.
    pub dates: Vec<DateChange>,
    pub texts: Vec<TextChange>,
    pub goals: Vec<GoalProposal>,
    pub periods: Vec<PeriodLine>,
    /// Lint findings the new plan has and the old one had not (none expected).
    pub new_findings: Vec<Finding>,
    /// How many times the old year is still written in the new text where no rule
    /// above rewrote it (the office reads those over).
    pub old_year_mentions: usize,
}

/// Why no new plan could be made.
#[derive(Debug, Clone)]
pub enum RollForwardError {
    /// The year is not after the source's.
    YearNotLater { source_year: i32, year: i32 },
    /// A year the calendar cannot hold.
    YearOutOfRange(i32),
    /// The code is empty, too long, or the source's own.
    BadCode(String),
    /// The source plan does not parse (it always should).
    Source(PlanErrors),
    /// A goal was given for an indicator the plan does not have.
    UnknownIndicator(String),
    /// A goal the indicator cannot take.
    BadGoal { key: String, vi: String, en: String },
    /// The rewritten plan does not parse (a bug: reported, never stored).
    Result(PlanErrors),
}

impl RollForwardError {
    pub fn message_vi(&self) -> String {
        match self {
            Self::YearNotLater { source_year, year } => format!(
                "Năm của kế hoạch mới ({year}) phải sau năm của kế hoạch gốc ({source_year})."
            ),
            Self::YearOutOfRange(year) => format!("Năm {year} không hợp lệ."),
            Self::BadCode(code) => format!(
                "Mã kế hoạch \"{code}\" không dùng được: cần từ 1 đến 100 ký tự (chữ không dấu, số, dấu gạch) và khác mã kế hoạch gốc."
            ),
            Self::Source(e) => format!("Kế hoạch gốc không đọc được: {e}"),
            Self::UnknownIndicator(key) => format!("Kế hoạch không có chỉ số \"{key}\"."),
            Self::BadGoal { key, vi, .. } => format!("Chỉ tiêu của chỉ số {key}: {vi}"),
            Self::Result(e) => format!("Kế hoạch mới không hợp lệ (lỗi của phần mềm, chưa lưu gì): {e}"),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Self::YearNotLater { source_year, year } => {
                format!("The new plan's year ({year}) must be after the source plan's ({source_year}).")
            }
            Self::YearOutOfRange(year) => format!("{year} is not a valid year."),
            Self::BadCode(code) => format!(
                "The campaign code \"{code}\" cannot be used: 1 to 100 characters (letters without accents, digits, dashes), different from the source's."
            ),
            Self::Source(e) => format!("The source plan cannot be read: {e}"),
            Self::UnknownIndicator(key) => format!("The plan has no indicator \"{key}\"."),
            Self::BadGoal { key, en, .. } => format!("Goal of indicator {key}: {en}"),
            Self::Result(e) => format!("The new plan is not valid (a software fault; nothing was stored): {e}"),
        }
    }
}

impl fmt::Display for RollForwardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} / {}", self.message_vi(), self.message_en())
    }
}

impl std::error::Error for RollForwardError {}

// --- the spans of what is rewritten -------------------------------------------------

#[derive(Deserialize)]
struct Spans {
    campaign: CampaignSpans,
    #[serde(default)]
    targets: Vec<TargetSpans>,
    #[serde(default)]
    events: Vec<EventSpans>,
    #[serde(default)]
    milestones: Vec<MilestoneSpans>,
    reporting: ReportingSpans,
    #[serde(default)]
    duties: Vec<DutySpans>,
}

#[derive(Deserialize)]
struct CampaignSpans {
    code: Spanned<String>,
    title: Spanned<String>,
    #[serde(default)]
    short_title: Option<Spanned<String>>,
    year: Spanned<i64>,
    #[serde(default)]
    document_number: Option<Spanned<String>>,
    #[serde(default)]
    issued_on: Option<Spanned<toml::Value>>,
    starts_on: Spanned<toml::Value>,
    ends_on: Spanned<toml::Value>,
}

#[derive(Deserialize)]
struct TargetSpans {
    #[serde(default)]
    indicators: Vec<IndicatorSpans>,
}

#[derive(Deserialize)]
struct IndicatorSpans {
    key: String,
    goal: Spanned<toml::Value>,
}

#[derive(Deserialize)]
struct EventSpans {
    number: u32,
    title: Spanned<String>,
    #[serde(default)]
    starts_on: Option<Spanned<toml::Value>>,
    #[serde(default)]
    ends_on: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
struct MilestoneSpans {
    title: Spanned<String>,
    #[serde(default)]
    on: Option<Spanned<toml::Value>>,
    #[serde(default)]
    from: Option<Spanned<toml::Value>>,
    #[serde(default)]
    to: Option<Spanned<toml::Value>>,
    #[serde(default)]
    before: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
struct ReportingSpans {
    weekly: WeeklySpans,
}

#[derive(Deserialize)]
struct WeeklySpans {
    first_period_end: Spanned<toml::Value>,
    last_period_end: Spanned<toml::Value>,
}

#[derive(Deserialize)]
struct DutySpans {
    party: Spanned<String>,
}

/// Text edits by byte span, applied from the end.
#[derive(Default)]
struct Edits(Vec<(std::ops::Range<usize>, String)>);

impl Edits {
    fn replace<T>(&mut self, at: &Spanned<T>, text: String) {
        self.0.push((at.span(), text));
    }

    fn apply(mut self, source: &str) -> String {
        self.0.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        let mut out = source.to_string();
        for (span, text) in self.0 {
            out.replace_range(span, &text);
        }
        out
    }
}

fn value_date(value: &toml::Value) -> Option<NaiveDate> {
    match value {
        toml::Value::String(s) => FileDate::parse(s).ok().map(|d| d.0),
        toml::Value::Datetime(dt) => {
            let d = dt.date?;
            NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
        }
        _ => None,
    }
}

/// The date written the way the old one was (a TOML date or a quoted text).
fn date_text(old: &toml::Value, date: NaiveDate) -> String {
    match old {
        toml::Value::String(s) if s.contains('/') => format!("\"{}\"", date.format("%d/%m/%Y")),
        toml::Value::String(_) => format!("\"{}\"", date.format("%Y-%m-%d")),
        _ => date.format("%Y-%m-%d").to_string(),
    }
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A goal as TOML: whole numbers without a decimal point.
fn goal_text(goal: f64) -> String {
    if goal.fract() == 0.0 && goal.abs() < 1e15 {
        format!("{}", goal as i64)
    } else {
        format!("{goal}")
    }
}

/// Replaces the year written as a number of its own (not part of a longer number).
pub fn replace_year(text: &str, from: i32, to: i32) -> String {
    let needle = from.to_string();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut search = 0;
    while let Some(pos) = text[search..].find(&needle) {
        let start = search + pos;
        let end = start + needle.len();
        let before_ok = start == 0 || !bytes[start - 1].is_ascii_digit();
        let after_ok = end == bytes.len() || !bytes[end].is_ascii_digit();
        if before_ok && after_ok {
            out.push_str(&text[last..start]);
            out.push_str(&to.to_string());
            last = end;
        }
        search = end;
    }
    out.push_str(&text[last..]);
    out
}

/// Rewrites the mentions of the year `from` in a text: a date written in it
/// ("01/3/2023", "26/3/2023") becomes the date `move_date` gives, written the same
/// way; "năm 2023" becomes "năm 2024"; with `every_year`, any other mention of the
/// year too (titles: "Tháng Thanh niên 2023"). Returns the text and each change made.
pub fn rewrite_mentions(
    text: &str,
    from: i32,
    to: i32,
    move_date: &dyn Fn(NaiveDate) -> NaiveDate,
    every_year: bool,
) -> (String, Vec<(String, String)>) {
    let needle = from.to_string();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut changes = Vec::new();
    let mut last = 0;
    for (start, _) in text.match_indices(&needle) {
        let end = start + needle.len();
        if start < last
            || (start > 0 && bytes[start - 1].is_ascii_digit())
            || (end < bytes.len() && bytes[end].is_ascii_digit())
        {
            continue;
        }
        if let Some((date_start, day_text, month_text)) = date_before(text, start, last) {
            let day = day_text.parse::<u32>().ok();
            let month = month_text.parse::<u32>().ok();
            if let Some(date) = day.zip(month).and_then(|(d, m)| NaiveDate::from_ymd_opt(from, m, d)) {
                let new = move_date(date);
                let written = format!(
                    "{:0dw$}/{:0mw$}/{}",
                    new.day(),
                    new.month(),
                    new.year(),
                    dw = day_text.len(),
                    mw = month_text.len()
                );
                changes.push((text[date_start..end].to_string(), written.clone()));
                out.push_str(&text[last..date_start]);
                out.push_str(&written);
                last = end;
                continue;
            }
        }
        let named = text[last..start].to_lowercase().ends_with("năm ");
        if every_year || named {
            let old_words = if named { format!("năm {from}") } else { needle.clone() };
            let new_words = if named { format!("năm {to}") } else { to.to_string() };
            changes.push((old_words, new_words));
            out.push_str(&text[last..start]);
            out.push_str(&to.to_string());
            last = end;
        }
    }
    out.push_str(&text[last..]);
    (out, changes)
}

/// "kỷ niệm 92 năm ngày thành lập Đoàn" a year later is "93 năm": the count of
/// years before "năm ngày thành lập" goes up by `years`. Returns the text and each
/// change made.
pub fn bump_founding_counts(text: &str, years: i32) -> (String, Vec<(String, String)>) {
    const AFTER: &str = " năm ngày thành lập";
    let lower = text.to_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut changes = Vec::new();
    let mut last = 0;
    // Lower-casing keeps byte offsets here: the phrase and digits are the same length
    // in both cases, and only positions found in `lower` that match in `text` are used.
    for (at, _) in lower.match_indices(AFTER) {
        if lower.len() != text.len() || !text.is_char_boundary(at) || at < last {
            continue;
        }
        let digits = text[last..at].bytes().rev().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 3 {
            continue;
        }
        let start = at - digits;
        if start > 0 && text.as_bytes()[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let Ok(n) = text[start..at].parse::<i32>() else { continue };
        let bumped = (n + years).to_string();
        changes.push((format!("{n}{AFTER}"), format!("{bumped}{AFTER}")));
        out.push_str(&text[last..start]);
        out.push_str(&bumped);
        last = at;
    }
    out.push_str(&text[last..]);
    (out, changes)
}

/// "D/M/" (one or two digits each) right before `at`, not reaching back past `floor`:
/// where it starts, the day and the month as written.
fn date_before(text: &str, at: usize, floor: usize) -> Option<(usize, &str, &str)> {
    let head = text.get(floor..at)?.strip_suffix('/')?;
    let month_len = head.bytes().rev().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&month_len) {
        return None;
    }
    let month = &head[head.len() - month_len..];
    let head = head[..head.len() - month_len].strip_suffix('/')?;
    let day_len = head.bytes().rev().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&day_len) {
        return None;
    }
    let day = &head[head.len() - day_len..];
    let start = floor + head.len() - day_len;
    if start > 0 && text.as_bytes()[start - 1].is_ascii_digit() {
        return None;
    }
    Some((start, day, month))
}

fn count_year(text: &str, year: i32) -> usize {
    let needle = year.to_string();
    let bytes = text.as_bytes();
    text.match_indices(&needle)
        .filter(|(start, _)| {
            let end = start + needle.len();
            (*start == 0 || !bytes[start - 1].is_ascii_digit()) && (end == bytes.len() || !bytes[end].is_ascii_digit())
        })
        .count()
}

/// The new code: the old one with its year replaced, or the year added.
pub fn next_code(code: &str, from: i32, to: i32) -> String {
    let replaced = replace_year(code, from, to);
    if replaced != code {
        replaced
    } else {
        format!("{code}-{to}")
    }
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 100
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Vietnamese and English names of a weekday.
pub fn weekday_names(day: NaiveDate) -> (&'static str, &'static str) {
    match day.weekday() {
        Weekday::Mon => ("Thứ Hai", "Monday"),
        Weekday::Tue => ("Thứ Ba", "Tuesday"),
        Weekday::Wed => ("Thứ Tư", "Wednesday"),
        Weekday::Thu => ("Thứ Năm", "Thursday"),
        Weekday::Fri => ("Thứ Sáu", "Friday"),
        Weekday::Sat => ("Thứ Bảy", "Saturday"),
        Weekday::Sun => ("Chủ nhật", "Sunday"),
    }
}

/// The same day and month in `year` (29/2 → 28/2 in a common year).
fn same_day_in(year: i32, date: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, date.month(), date.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, date.month(), date.day().saturating_sub(1)))
}

/// The whole weeks that bring `anchor` closest to its day and month in `year`.
pub fn weeks_to(anchor: NaiveDate, year: i32) -> Option<i64> {
    let target = same_day_in(year, anchor)?;
    let days = (target - anchor).num_days();
    Some((days as f64 / 7.0).round() as i64)
}

fn anniversary(date: NaiveDate) -> Option<(&'static str, &'static str)> {
    ANNIVERSARIES.iter().find(|(d, m, _, _)| *d == date.day() && *m == date.month()).map(|(_, _, vi, en)| (*vi, *en))
}

struct Mover<'a> {
    year: i32,
    weeks: i64,
    edits: &'a mut Edits,
    changes: Vec<DateChange>,
}

impl Mover<'_> {
    fn by_weeks(&self, date: NaiveDate) -> NaiveDate {
        date + Duration::weeks(self.weeks)
    }

    fn record(&mut self, field_vi: String, field_en: String, old: NaiveDate, new: NaiveDate, rule: DateRule) {
        let (bv, be) = weekday_names(old);
        let (av, ae) = weekday_names(new);
        self.changes.push(DateChange {
            field_vi,
            field_en,
            old,
            new,
            weekday_before_vi: bv,
            weekday_after_vi: av,
            weekday_before_en: be,
            weekday_after_en: ae,
            rule,
        });
    }

    /// Moves a date by the plan's weeks.
    fn weekly(&mut self, at: &Spanned<toml::Value>, field_vi: String, field_en: String) -> Option<NaiveDate> {
        let old = value_date(at.get_ref())?;
        let new = self.by_weeks(old);
        self.edits.replace(at, date_text(at.get_ref(), new));
        self.record(field_vi, field_en, old, new, DateRule::Weeks { weeks: self.weeks });
        Some(new)
    }

    /// Moves a single day: an anniversary keeps its day and month, any other day
    /// moves by the plan's weeks. Returns the old and new date.
    fn single_day(
        &mut self,
        at: &Spanned<toml::Value>,
        field_vi: String,
        field_en: String,
    ) -> Option<(NaiveDate, NaiveDate)> {
        let old = value_date(at.get_ref())?;
        let (new, rule) = match anniversary(old).and_then(|names| Some((same_day_in(self.year, old)?, names))) {
            Some((new, (vi, en))) => (new, DateRule::Anniversary { name_vi: vi.to_string(), name_en: en.to_string() }),
            None => (self.by_weeks(old), DateRule::Weeks { weeks: self.weeks }),
        };
        self.edits.replace(at, date_text(at.get_ref(), new));
        self.record(field_vi, field_en, old, new, rule);
        Some((old, new))
    }

    /// Moves a date by a given number of days (the end of an event that keeps its length).
    fn by_days(
        &mut self,
        at: &Spanned<toml::Value>,
        days: i64,
        field_vi: String,
        field_en: String,
        rule: DateRule,
    ) -> Option<NaiveDate> {
        let old = value_date(at.get_ref())?;
        let new = old + Duration::days(days);
        self.edits.replace(at, date_text(at.get_ref(), new));
        self.record(field_vi, field_en, old, new, rule);
        Some(new)
    }
}

fn short(title: &str) -> String {
    let title = title.trim().trim_end_matches('.');
    let mut chars = title.chars();
    let cut: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("{cut}…")
    } else {
        cut
    }
}

/// Rounds a proposed goal to what the indicator takes.
fn tidy_goal(kind: IndicatorKind, value: f64) -> f64 {
    if kind.goal_is_percent() {
        ((value * 10.0).round() / 10.0).clamp(0.0, 100.0)
    } else {
        value.max(0.0).ceil()
    }
}

fn check_goal(key: &str, kind: IndicatorKind, value: f64) -> Result<(), RollForwardError> {
    let bad = |vi: &str, en: &str| RollForwardError::BadGoal { key: key.to_string(), vi: vi.into(), en: en.into() };
    if !value.is_finite() || value < 0.0 {
        return Err(bad("cần một số không âm.", "a number that is not negative is needed."));
    }
    if kind.goal_is_percent() && value > 100.0 {
        return Err(bad("tỉ lệ không được quá 100%.", "a percentage cannot exceed 100%."));
    }
    if !kind.goal_is_percent() && value.fract() != 0.0 {
        return Err(bad("chỉ tiêu đếm phải là số nguyên.", "a count goal must be a whole number."));
    }
    Ok(())
}

/// Reads a goal as the office types it: "1.200", "1200", "95%", "72,5%".
pub fn parse_goal(text: &str) -> Option<f64> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.strip_suffix('%').unwrap_or(&t);
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let (int_part, frac) = match t.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    if frac.is_some_and(|f| f.is_empty() || f.contains(',') || f.contains('.')) {
        return None;
    }
    let groups: Vec<&str> = int_part.split('.').collect();
    if groups.len() > 1 && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return None;
    }
    let digits: String = groups.concat();
    if digits.is_empty() {
        return None;
    }
    let number = match frac {
        Some(f) => format!("{digits}.{f}"),
        None => digits,
    };
    number.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Makes the new plan's text and its review from a stored plan's text.
pub fn roll_forward(source: &str, options: &RollForwardOptions) -> Result<RollForward, RollForwardError> {
    let source = nfc(source);
    let old_plan = parse_plan(&source).map_err(RollForwardError::Source)?;
    let source_year = old_plan.campaign.year;
    let year = options.year;
    if year <= source_year {
        return Err(RollForwardError::YearNotLater { source_year, year });
    }
    if !(1900..=9999).contains(&year) {
        return Err(RollForwardError::YearOutOfRange(year));
    }
    let code = match &options.code {
        Some(c) if !c.trim().is_empty() => c.trim().to_string(),
        _ => next_code(&old_plan.campaign.code, source_year, year),
    };
    if !valid_code(&code) || code == old_plan.campaign.code {
        return Err(RollForwardError::BadCode(code));
    }
    for key in options.goals.keys() {
        if old_plan.indicator(key).is_none() {
            return Err(RollForwardError::UnknownIndicator(key.clone()));
        }
    }
    for (key, value) in &options.goals {
        if let Some(ind) = old_plan.indicator(key) {
            check_goal(key, ind.kind, *value)?;
        }
    }
    let spans: Spans = toml::from_str(&source).map_err(|e| {
        RollForwardError::Source(PlanErrors(vec![super::load::PlanProblem {
            line: None,
            field: None,
            message: e.message().to_string(),
        }]))
    })?;
    let weeks = weeks_to(old_plan.campaign.starts_on, year).ok_or(RollForwardError::YearOutOfRange(year))?;

    let mut edits = Edits::default();
    let mut texts = Vec::new();
    // Code, year, titles.
    edits.replace(&spans.campaign.code, quoted(&code));
    texts.push(TextChange {
        field_vi: "Mã kế hoạch".into(),
        field_en: "Campaign code".into(),
        old: old_plan.campaign.code.clone(),
        new: code.clone(),
    });
    edits.replace(&spans.campaign.year, year.to_string());
    texts.push(TextChange {
        field_vi: "Năm".into(),
        field_en: "Year".into(),
        old: source_year.to_string(),
        new: year.to_string(),
    });
    // Dates.
    let mut mover = Mover { year, weeks, edits: &mut edits, changes: Vec::new() };
    if let Some(at) = &spans.campaign.issued_on {
        mover.weekly(at, "Ngày ban hành kế hoạch".into(), "Plan issued on".into());
    }
    mover.weekly(&spans.campaign.starts_on, "Ngày bắt đầu kế hoạch".into(), "Campaign starts".into());
    mover.weekly(&spans.campaign.ends_on, "Ngày kết thúc kế hoạch".into(), "Campaign ends".into());
    for e in &spans.events {
        let name = short(e.title.get_ref());
        let start = e.starts_on.as_ref().and_then(|at| {
            mover.single_day(
                at,
                format!("Hoạt động {} «{name}»: ngày bắt đầu", e.number),
                format!("Event {} «{name}»: starts", e.number),
            )
        });
        if let Some(at) = &e.ends_on {
            let (vi, en) = (
                format!("Hoạt động {} «{name}»: ngày kết thúc", e.number),
                format!("Event {} «{name}»: ends", e.number),
            );
            match start {
                Some((old, new)) if new - old != Duration::weeks(weeks) => {
                    let rule = DateRule::Anniversary {
                        name_vi: "giữ số ngày của hoạt động".into(),
                        name_en: "keeps the event's length".into(),
                    };
                    mover.by_days(at, (new - old).num_days(), vi, en, rule);
                }
                _ => {
                    mover.weekly(at, vi, en);
                }
            }
        }
    }
    for m in &spans.milestones {
        let name = short(m.title.get_ref());
        if let Some(at) = &m.on {
            mover.single_day(at, format!("«{name}»: ngày"), format!("«{name}»: on"));
        }
        if let Some(at) = &m.from {
            mover.weekly(at, format!("«{name}»: từ ngày"), format!("«{name}»: from"));
        }
        if let Some(at) = &m.to {
            mover.weekly(at, format!("«{name}»: đến ngày"), format!("«{name}»: to"));
        }
        if let Some(at) = &m.before {
            mover.weekly(at, format!("«{name}»: hạn (trước ngày)"), format!("«{name}»: due before"));
        }
    }
    mover.weekly(
        &spans.reporting.weekly.first_period_end,
        "Báo cáo tuần: ngày kết thúc (hạn nộp) của kỳ đầu tiên".into(),
        "Weekly reports: last day (due day) of the first period".into(),
    );
    mover.weekly(
        &spans.reporting.weekly.last_period_end,
        "Báo cáo tuần: ngày kết thúc (hạn nộp) của kỳ cuối cùng".into(),
        "Weekly reports: last day (due day) of the last period".into(),
    );
    let dates = mover.changes;

    // Titles: the year and the dates written in them, as the dates moved.
    let moved: HashMap<NaiveDate, NaiveDate> = dates.iter().map(|c| (c.old, c.new)).collect();
    let move_date = |d: NaiveDate| -> NaiveDate {
        moved.get(&d).copied().unwrap_or_else(|| match anniversary(d).and_then(|_| same_day_in(year, d)) {
            Some(kept) => kept,
            None => d + Duration::weeks(weeks),
        })
    };
    let mut retitle = |edits: &mut Edits, at: &Spanned<String>, field_vi: String, field_en: String| {
        let (new, _) = rewrite_mentions(at.get_ref(), source_year, year, &move_date, true);
        if &new != at.get_ref() {
            edits.replace(at, quoted(&new));
        }
        // As it will read: the founding count is raised by the pass over the whole text.
        let (shown, _) = bump_founding_counts(&new, year - source_year);
        if &shown != at.get_ref() {
            texts.push(TextChange { field_vi, field_en, old: at.get_ref().clone(), new: shown });
        }
    };
    retitle(&mut edits, &spans.campaign.title, "Tên kế hoạch".into(), "Title".into());
    if let Some(st) = &spans.campaign.short_title {
        retitle(&mut edits, st, "Tên ngắn".into(), "Short title".into());
    }
    for e in &spans.events {
        retitle(&mut edits, &e.title, format!("Hoạt động {}: tên", e.number), format!("Event {}: title", e.number));
    }
    for m in &spans.milestones {
        retitle(&mut edits, &m.title, format!("Mốc «{}»: tên", short(m.title.get_ref())), "Milestone: title".into());
    }
    for d in &spans.duties {
        retitle(&mut edits, &d.party, "Nhiệm vụ: tên đơn vị".into(), "Duty: party".into());
    }
    if let Some(number) = &spans.campaign.document_number {
        if !number.get_ref().trim().is_empty() {
            edits.replace(number, quoted(""));
            texts.push(TextChange {
                field_vi: "Số văn bản (để trống cho văn bản mới)".into(),
                field_en: "Document number (left empty for the new document)".into(),
                old: number.get_ref().clone(),
                new: String::new(),
            });
        }
    }

    // Goals.
    let mut goals = Vec::new();
    let goal_spans: HashMap<&str, &Spanned<toml::Value>> =
        spans.targets.iter().flat_map(|t| t.indicators.iter()).map(|i| (i.key.trim(), &i.goal)).collect();
    for ind in old_plan.indicators() {
        let last_result = options.results.get(&ind.key).copied().filter(|v| v.is_finite());
        let proposed = tidy_goal(ind.kind, last_result.map_or(ind.goal, |r| r.max(ind.goal)));
        let chosen = options.goals.get(&ind.key).copied();
        let goal = chosen.unwrap_or(proposed);
        if goal != ind.goal {
            if let Some(at) = goal_spans.get(ind.key.as_str()) {
                edits.replace(*at, goal_text(goal));
            }
        }
        goals.push(GoalProposal {
            key: ind.key.clone(),
            target_number: ind.target_number,
            label: ind.label.clone(),
            kind: ind.kind,
            unit_label: ind.unit_label.clone(),
            old_goal: ind.goal,
            last_result,
            goal,
            proposed,
            edited: chosen.is_some_and(|c| c != proposed),
        });
    }

    let plan_toml = edits.apply(&source);
    // The sentences: "năm 2023" and the dates written in them ("trước ngày 01/3/2023"),
    // and the founding anniversary's count ("92 năm ngày thành lập" → "93 năm"), once.
    let (plan_toml, mut mentions) = rewrite_mentions(&plan_toml, source_year, year, &move_date, false);
    let (plan_toml, counts) = bump_founding_counts(&plan_toml, year - source_year);
    mentions.extend(counts);
    let mut counted: Vec<((String, String), usize)> = Vec::new();
    for change in mentions {
        match counted.iter_mut().find(|(c, _)| *c == change) {
            Some((_, n)) => *n += 1,
            None => counted.push((change, 1)),
        }
    }
    for ((old, new), n) in counted {
        texts.push(TextChange {
            field_vi: format!("Trong các câu của kế hoạch ({n} chỗ)"),
            field_en: format!("In the plan's sentences ({n} places)"),
            old,
            new,
        });
    }
    let new_plan = parse_plan(&plan_toml).map_err(RollForwardError::Result)?;
    let mut before: HashMap<&str, usize> = HashMap::new();
    let old_findings = lint(&old_plan);
    for f in &old_findings {
        *before.entry(f.rule).or_default() += 1;
    }
    let mut new_findings = Vec::new();
    for f in lint(&new_plan) {
        match before.get_mut(f.rule) {
            Some(n) if *n > 0 => *n -= 1,
            _ => new_findings.push(f),
        }
    }
    let periods = new_plan.periods().iter().map(|p| PeriodLine { seq: p.seq, start: p.start, end: p.end }).collect();
    let old_year_mentions = count_year(&plan_toml, source_year);
    Ok(RollForward {
        source_code: old_plan.campaign.code.clone(),
        source_year,
        code,
        year,
        title: new_plan.campaign.title.clone(),
        weeks,
        targets: new_plan.targets.len(),
        indicators: new_plan.indicators().count(),
        events: new_plan.events.len(),
        dates,
        texts,
        goals,
        periods,
        new_findings,
        old_year_mentions,
        plan_toml,
    })
}

/// Splits `new_goal` among units in proportion to their old allocations, in whole
/// numbers that add up exactly (largest remainder; ties go to the larger old part,
/// then to the first key).
///
/// When the old parts added up to `old_goal` the new parts add up to `new_goal`.
/// When they covered only part of the old goal (some units were not allocated),
/// the new parts cover the same share of the new goal (rounded to the nearest
/// whole). With an old goal of 0 the new goal is split by the old parts' weights.
/// Parts that were all zero stay zero.
pub fn proportional_allocations<K: Ord + Clone>(
    old_allocations: &BTreeMap<K, i64>,
    old_goal: i64,
    new_goal: i64,
) -> BTreeMap<K, i64> {
    let weights: Vec<(K, i128)> = old_allocations.iter().map(|(k, v)| (k.clone(), i128::from((*v).max(0)))).collect();
    let sum: i128 = weights.iter().map(|(_, w)| *w).sum();
    let new_goal = i128::from(new_goal.max(0));
    if sum == 0 {
        return weights.into_iter().map(|(k, _)| (k, 0)).collect();
    }
    let total = if old_goal > 0 {
        let old_goal = i128::from(old_goal);
        // round(sum × new / old), half up
        (2 * sum * new_goal + old_goal) / (2 * old_goal)
    } else {
        new_goal
    };
    let mut parts: Vec<(usize, i128, i128)> =
        weights.iter().enumerate().map(|(i, (_, w))| (i, w * total / sum, w * total % sum)).collect();
    let given: i128 = parts.iter().map(|(_, q, _)| *q).sum();
    let mut left = total - given;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by(|a, b| parts[*b].2.cmp(&parts[*a].2).then(weights[*b].1.cmp(&weights[*a].1)).then(a.cmp(b)));
    for i in order {
        if left <= 0 {
            break;
        }
        parts[i].1 += 1;
        left -= 1;
    }
    weights.into_iter().zip(parts).map(|((k, _), (_, q, _))| (k, i64::try_from(q).unwrap_or(i64::MAX))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::PLAN_TOML;
    use chrono::Weekday;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn to_2024() -> RollForward {
        roll_forward(PLAN_TOML, &RollForwardOptions { year: 2024, ..Default::default() }).unwrap()
    }

    #[test]
    fn youth_month_2023_to_2024_keeps_targets_indicators_and_reparses() {
        let r = to_2024();
        let plan = parse_plan(&r.plan_toml).unwrap();
        assert_eq!(plan.targets.len(), 18);
        assert_eq!(plan.indicators().count(), 26);
        assert_eq!(plan.events.len(), 10);
        assert_eq!((r.targets, r.indicators), (18, 26));
        assert_eq!(plan.campaign.year, 2024);
        assert_eq!(plan.campaign.code, "kien-giang-thang-thanh-nien-2024");
        assert_ne!(r.code, r.source_code);
        assert_eq!(plan.campaign.title, "Kế hoạch Tháng Thanh niên năm 2024");
        assert_eq!(r.weeks, 52);
        assert!(r.new_findings.is_empty(), "{:?}", r.new_findings);
        // Comments and wording are kept: the text only changed where it had to.
        assert!(r.plan_toml.contains("# V. THỜI GIAN and VI. TỔ CHỨC THỰC HIỆN"));
        // The sentences follow: the year, the dates written in them, the founding count.
        assert_eq!(r.old_year_mentions, 0);
        assert!(r.plan_toml.contains("kỷ niệm 93 năm ngày thành lập Đoàn TNCS Hồ Chí Minh (26/3/1931-26/3/2024)"));
        assert!(r.plan_toml.contains("qua Ban Phong trào trước ngày 28/2/2024."), "the deadline as it moved");
        assert!(r.plan_toml.contains("Hạn 28/3/2024 như văn bản ghi"));
        assert!(r.plan_toml.contains("Chương trình công tác Đoàn và phong trào thanh thiếu nhi năm 2024"));
        assert!(plan.milestones.iter().all(|m| !m.title.contains("2023")));
        assert!(r.texts.iter().any(|t| t.old == "92 năm ngày thành lập" && t.new == "93 năm ngày thành lập"));
        let title = r.texts.iter().find(|t| t.field_vi == "Hoạt động 2: tên").unwrap();
        assert!(title.new.contains("kỷ niệm 93 năm") && title.new.ends_with("năm 2024."), "{title:?}");
        assert_eq!(plan.events[1].title, title.new, "the review says what the plan says");
    }

    #[test]
    fn mentions_in_sentences_move_as_the_dates_did() {
        let moved = |d: NaiveDate| d + Duration::weeks(52);
        let (text, changes) =
            rewrite_mentions("trước ngày 01/3/2023, năm 2023, 2023-02-24, 12023, Năm 2023", 2023, 2024, &moved, false);
        assert_eq!(text, "trước ngày 28/2/2024, năm 2024, 2023-02-24, 12023, Năm 2024");
        assert_eq!(changes.len(), 3);
        let (title, _) = rewrite_mentions("Tháng Thanh niên 2023", 2023, 2024, &moved, true);
        assert_eq!(title, "Tháng Thanh niên 2024");
        let (text, _) = bump_founding_counts("kỷ niệm 92 năm ngày thành lập Đoàn; 5 năm Ngày thành lập", 1);
        assert_eq!(text, "kỷ niệm 93 năm ngày thành lập Đoàn; 6 năm Ngày thành lập");
    }

    #[test]
    fn periods_are_saturday_to_friday_weeks_of_2024_within_the_campaign() {
        let r = to_2024();
        let plan = parse_plan(&r.plan_toml).unwrap();
        let periods = plan.periods();
        assert_eq!(periods.len(), 5);
        for p in &periods {
            assert_eq!(p.start.weekday(), Weekday::Sat, "{p:?}");
            assert_eq!(p.end.weekday(), Weekday::Fri, "{p:?}");
            assert_eq!(p.start.year(), 2024);
            assert!(p.start >= plan.campaign.starts_on && p.end <= plan.campaign.ends_on);
        }
        assert_eq!((periods[0].start, periods[0].end), (d(2024, 2, 24), d(2024, 3, 1)));
        assert_eq!(periods[4].end, d(2024, 3, 29));
        assert_eq!(r.periods.len(), 5);
        // The campaign keeps its weekdays: a Friday launch, a Monday end.
        assert_eq!(plan.campaign.starts_on, d(2024, 2, 23));
        assert_eq!(plan.campaign.ends_on, d(2024, 4, 8));
        assert_eq!(plan.campaign.starts_on.iso_week().week(), d(2023, 2, 24).iso_week().week());
    }

    #[test]
    fn every_moved_date_is_listed_with_its_weekdays() {
        let r = to_2024();
        let plan = parse_plan(&r.plan_toml).unwrap();
        let old = parse_plan(PLAN_TOML).unwrap();
        // campaign start and end, event 1, 6 milestones (one a window: 2 dates), 2 weekly dates.
        assert_eq!(r.dates.len(), 2 + 1 + 7 + 2, "{:#?}", r.dates);
        for c in &r.dates {
            assert_ne!(c.old, c.new);
            assert_eq!(c.old.weekday(), c.new.weekday(), "{c:?}");
            assert_eq!(c.weekday_before_vi, c.weekday_after_vi);
            assert!(!c.field_vi.is_empty());
        }
        let launch = r.dates.iter().find(|c| c.field_vi.starts_with("Hoạt động 1 ")).unwrap();
        assert_eq!((launch.old, launch.new, launch.weekday_after_vi), (d(2023, 2, 24), d(2024, 2, 23), "Thứ Sáu"));
        assert_eq!(plan.events[0].starts_on, Some(d(2024, 2, 23)));
        // Every milestone moved, and is in the list.
        for (a, b) in old.milestones.iter().zip(&plan.milestones) {
            assert_eq!(b.when.first_day() - a.when.first_day(), Duration::weeks(52), "{}", a.key);
            assert!(r.dates.iter().any(|c| c.old == a.when.first_day() && c.new == b.when.first_day()));
        }
    }

    #[test]
    fn the_founding_day_26_3_keeps_its_date() {
        let source = PLAN_TOML.replace(
            "[[events]]\nnumber = 2\n",
            "[[events]]\nnumber = 2\nstarts_on = 2023-03-26\nends_on = 2023-03-27\n",
        );
        assert_ne!(source, PLAN_TOML);
        let r = roll_forward(&source, &RollForwardOptions { year: 2024, ..Default::default() }).unwrap();
        let plan = parse_plan(&r.plan_toml).unwrap();
        let event = plan.events.iter().find(|e| e.number == 2).unwrap();
        assert_eq!(event.starts_on, Some(d(2024, 3, 26)));
        assert_eq!(event.ends_on, Some(d(2024, 3, 27)), "keeps its length");
        let change = r.dates.iter().find(|c| c.old == d(2023, 3, 26)).unwrap();
        assert_eq!((change.weekday_before_vi, change.weekday_after_vi), ("Chủ nhật", "Thứ Ba"));
        assert!(matches!(&change.rule, DateRule::Anniversary { name_vi, .. } if name_vi.contains("thành lập Đoàn")));
    }

    #[test]
    fn several_years_on_moves_by_the_closest_whole_weeks() {
        assert_eq!(weeks_to(d(2023, 2, 24), 2024), Some(52));
        // Three years: 1096 days is 156.57 weeks: 157 is closer.
        assert_eq!(weeks_to(d(2023, 2, 24), 2026), Some(157));
        let r = roll_forward(PLAN_TOML, &RollForwardOptions { year: 2026, ..Default::default() }).unwrap();
        let plan = parse_plan(&r.plan_toml).unwrap();
        assert_eq!(plan.campaign.starts_on, d(2026, 2, 27));
        assert!(plan.periods().iter().all(|p| p.end.weekday() == Weekday::Fri));
    }

    #[test]
    fn goals_are_the_larger_of_goal_and_result_and_editable() {
        let results = BTreeMap::from([("5".to_string(), 23456.0), ("17".to_string(), 6000.0), ("2b".into(), 82.25)]);
        let goals = BTreeMap::from([("6".to_string(), 150.0)]);
        let r = roll_forward(PLAN_TOML, &RollForwardOptions { year: 2024, code: None, results, goals }).unwrap();
        let plan = parse_plan(&r.plan_toml).unwrap();
        assert_eq!(plan.indicator("5").unwrap().goal, 23456.0, "result above the goal");
        assert_eq!(plan.indicator("17").unwrap().goal, 7000.0, "goal above the result");
        assert_eq!(plan.indicator("2b").unwrap().goal, 82.3);
        assert_eq!(plan.indicator("6").unwrap().goal, 150.0);
        let one = r.goals.iter().find(|g| g.key == "6").unwrap();
        assert!(one.edited);
        assert_eq!(r.goals.len(), 26);
        let bad =
            RollForwardOptions { year: 2024, goals: BTreeMap::from([("2b".to_string(), 120.0)]), ..Default::default() };
        assert!(matches!(roll_forward(PLAN_TOML, &bad), Err(RollForwardError::BadGoal { .. })));
        let unknown =
            RollForwardOptions { year: 2024, goals: BTreeMap::from([("99".to_string(), 1.0)]), ..Default::default() };
        assert!(matches!(roll_forward(PLAN_TOML, &unknown), Err(RollForwardError::UnknownIndicator(_))));
    }

    #[test]
    fn a_year_not_after_the_source_is_refused() {
        for year in [2023, 2022] {
            let err = roll_forward(PLAN_TOML, &RollForwardOptions { year, ..Default::default() }).unwrap_err();
            assert!(matches!(err, RollForwardError::YearNotLater { source_year: 2023, .. }));
            assert!(err.message_vi().contains("phải sau năm"));
        }
        let same_code = RollForwardOptions {
            year: 2024,
            code: Some("kien-giang-thang-thanh-nien-2023".into()),
            ..Default::default()
        };
        assert!(matches!(roll_forward(PLAN_TOML, &same_code), Err(RollForwardError::BadCode(_))));
    }

    #[test]
    fn goals_typed_the_vietnamese_way() {
        assert_eq!(parse_goal("1.200"), Some(1200.0));
        assert_eq!(parse_goal("20.000"), Some(20000.0));
        assert_eq!(parse_goal("95%"), Some(95.0));
        assert_eq!(parse_goal("72,5 %"), Some(72.5));
        assert_eq!(parse_goal("150"), Some(150.0));
        assert_eq!(parse_goal("1.2"), None);
        assert_eq!(parse_goal("abc"), None);
        assert_eq!(parse_goal(""), None);
    }

    #[test]
    fn proportional_allocation_adds_up_exactly() {
        let old = BTreeMap::from([("a", 333), ("b", 333), ("c", 334)]);
        let new = proportional_allocations(&old, 1000, 1200);
        assert_eq!(new.values().sum::<i64>(), 1200);
        assert_eq!(new, BTreeMap::from([("a", 400), ("b", 399), ("c", 401)]));
        // Largest remainder: 7 split 1:1:1 → 3, 2, 2 (ties to the first key).
        let three = BTreeMap::from([("x", 1), ("y", 1), ("z", 1)]);
        assert_eq!(proportional_allocations(&three, 3, 7), BTreeMap::from([("x", 3), ("y", 2), ("z", 2)]));
        // Many odd shares still add up.
        let many: BTreeMap<i64, i64> = (1..=15).map(|i| (i, i * 37 % 101 + 1)).collect();
        let sum: i64 = many.values().sum();
        for goal in [1, 17, 999, 20_001, sum] {
            let parts = proportional_allocations(&many, sum, goal);
            assert_eq!(parts.values().sum::<i64>(), goal);
            assert!(parts.values().all(|v| *v >= 0));
        }
        // A partial allocation keeps its share of the goal.
        let half = BTreeMap::from([("a", 250), ("b", 250)]);
        assert_eq!(proportional_allocations(&half, 1000, 2000).values().sum::<i64>(), 1000);
        // Zeros stay zeros.
        let zero = BTreeMap::from([("a", 0)]);
        assert_eq!(proportional_allocations(&zero, 10, 20), BTreeMap::from([("a", 0)]));
    }
}
