//! The report's checks as DATA: a declarative rule set built from the plan, the
//! unit's form and its figures, with every message in Vietnamese and English.
//! The server evaluates it (`RuleSet::evaluate`, what `check` does) and the page
//! gets the same JSON and evaluates it with `static/rules.js` (offline too): one
//! source, two small evaluators, compared on a corpus by a test
//! (`crates/domain/tests/report_rules_corpus.rs`).
//!
//! The evaluators share these definitions (keep `rules.js` in step):
//! - numbers: whole, non-negative, digits or groups of three after a dot ("1.200");
//! - funds: the same in VND ("1.500.000", "1 500 000", a trailing "đ", "VNĐ"...);
//! - dates: d/m/yyyy or yyyy-m-d, a real calendar day;
//! - texts: control and invisible characters dropped, trimmed, NFC, counted in
//!   code points;
//! - messages: `{name}` placeholders filled in one pass.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fields::FieldInput;
use super::money::{parse_vnd_code, VndError};
use super::validate::{ActivityInput, CheckedActivity, CheckedReport, FieldError, ReportContext, ReportInput, Warning};
use super::{ReportKind, MAX_ACTIVITIES, NARRATIVE_GUIDE, NARRATIVE_MAX};
use crate::format;
use crate::text::nfc;

/// The largest number accepted in a count field.
pub const MAX_COUNT: i64 = 1_000_000_000;
/// A weekly figure above this is accepted with a warning ("giá trị lớn bất thường").
pub const UNUSUAL_WEEKLY: i64 = 100_000;

/// One form's rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    /// "weekly" or "unit_plan".
    pub kind: ReportKind,
    pub fields: Vec<FieldRule>,
    /// Indicators retired by an amendment: a zero or empty value is ignored, a figure refused.
    pub retired: Vec<RetiredRule>,
    /// Activities must fall inside it (ISO dates).
    pub window: DateWindow,
    /// The district launch's window: a "launch" activity outside it gets a warning.
    pub launch: Option<DateWindow>,
    /// The plan's activity areas ("2.1"); empty: an activity may go without one.
    pub areas: Vec<String>,
    pub limits: Limits,
    pub narratives: Vec<NarrativeRule>,
    /// code → message, with `{placeholders}`.
    pub messages: BTreeMap<String, Message>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldRule {
    pub key: String,
    pub label: String,
    /// true: a yes/no box ("1"/"0"); false: a whole number.
    pub yes_no: bool,
    /// The unit's total from its other counted reports.
    pub before: i64,
    /// Weekly only: already done in an earlier period, may not be done again.
    pub once: bool,
    /// Weekly only: the total may not exceed this many units.
    pub units_max: Option<i64>,
    /// Weekly only: the total above the unit's base figure needs a confirmation.
    pub base: Option<BaseCap>,
    /// Weekly only: a figure above this gets a warning.
    pub unusual_above: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseCap {
    pub max: i64,
    pub name_vi: String,
    pub name_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetiredRule {
    /// The indicator's key.
    pub indicator: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub max_count: i64,
    pub max_activities: usize,
    pub title_min: usize,
    pub title_max: usize,
    pub place_max: usize,
    pub result_max: usize,
    pub narrative_max: usize,
    pub narrative_guide: usize,
    /// Digits of an amount in VND.
    pub funds_digits: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NarrativeRule {
    pub name: String,
    pub label_vi: String,
    pub label_en: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub vi: String,
    pub en: String,
}

fn messages() -> BTreeMap<String, Message> {
    let list: &[(&str, &str, &str)] = &[
        ("value_unknown", "Chỉ số \"{key}\" không có trong mẫu báo cáo của đơn vị", "Indicator \"{key}\" is not in this unit's form"),
        (
            "value_retired",
            "Chỉ tiêu {key} ({label}) đã ngừng theo dõi theo kế hoạch điều chỉnh: không nhận số liệu mới",
            "Indicator {key} ({label}) was retired by an amendment of the plan: it takes no new figures",
        ),
        ("yes_no_invalid", "{label}: chọn Có hoặc Không", "{label}: answer yes or no"),
        ("number_too_large", "{label}: số quá lớn", "{label}: number too large"),
        (
            "number_invalid",
            "{label}: \"{text}\" phải là số nguyên không âm (ví dụ 1.500)",
            "{label}: \"{text}\" must be a whole non-negative number (e.g. 1.500)",
        ),
        ("done_already", "{label}: đơn vị đã báo cáo hoàn thành ở kỳ trước", "{label}: already reported as done in an earlier period"),
        (
            "units_exceeded",
            "{label}: lũy kế {total} vượt quá số đơn vị ({max})",
            "{label}: the total {total_raw} exceeds the number of units ({max_raw})",
        ),
        (
            "base_exceeded",
            "{label}: lũy kế {total} vượt {base_vi} của đơn vị ({max}). Kiểm tra lại hoặc đánh dấu xác nhận.",
            "{label}: the total {total_raw} is above the unit's {base_en} ({max_raw}). Check it or tick the confirmation.",
        ),
        (
            "base_exceeded_confirmed",
            "{label}: lũy kế {total} vượt {base_vi} của đơn vị ({max})",
            "{label}: the total {total_raw} is above the unit's {base_en} ({max_raw})",
        ),
        (
            "value_unusual",
            "{label}: {value} trong một tuần là giá trị lớn bất thường — kiểm tra lại",
            "{label}: {value_raw} in one week is unusually large — please check",
        ),
        ("activities_too_many", "Tối đa {max} hoạt động mỗi báo cáo", "At most {max} activities per report"),
        ("title_length", "Hoạt động {n}: tên cần từ {min} đến {max} ký tự", "Activity {n}: the title needs {min} to {max} characters"),
        (
            "date_outside",
            "Hoạt động {n}: ngày {date} nằm ngoài kỳ báo cáo ({from} – {to})",
            "Activity {n}: {date} is outside the period ({from} – {to})",
        ),
        ("date_missing", "Hoạt động {n}: chưa nhập ngày tổ chức", "Activity {n}: the date it was held is missing"),
        (
            "date_invalid",
            "Hoạt động {n}: ngày \"{text}\" không hợp lệ (dd/mm/yyyy)",
            "Activity {n}: invalid date \"{text}\" (dd/mm/yyyy)",
        ),
        ("area_invalid", "Hoạt động {n}: chọn một nội dung hoạt động của kế hoạch", "Activity {n}: choose an activity area of the plan"),
        ("place_length", "Hoạt động {n}: địa điểm tối đa {max} ký tự", "Activity {n}: the place has at most {max} characters"),
        (
            "participants_invalid",
            "Hoạt động {n}: số người tham gia \"{text}\" không hợp lệ",
            "Activity {n}: invalid number of participants \"{text}\"",
        ),
        ("funds_missing", "Hoạt động {n}: kinh phí chưa nhập số tiền", "Activity {n}: funds no amount"),
        (
            "funds_invalid",
            "Hoạt động {n}: kinh phí \"{text}\" không phải số tiền hợp lệ (ví dụ 1.500.000)",
            "Activity {n}: funds \"{text}\" not a valid amount (e.g. 1.500.000)",
        ),
        ("funds_too_large", "Hoạt động {n}: kinh phí số tiền quá lớn: {text}", "Activity {n}: funds amount too large: {text}"),
        ("result_length", "Hoạt động {n}: kết quả tối đa {max} ký tự", "Activity {n}: the result has at most {max} characters"),
        ("tag_invalid", "Hoạt động {n}: nhãn \"{tag}\" không hợp lệ", "Activity {n}: unknown tag \"{tag}\""),
        (
            "launch_outside",
            "Lễ khởi động ngày {date} nằm ngoài thời gian kế hoạch quy định ({from} – {to})",
            "The launch on {date} is outside the plan's window ({from} – {to})",
        ),
        ("narrative_too_long", "{label_vi}: tối đa {max} ký tự", "{label_en}: at most {max} characters"),
        (
            "narrative_long",
            "{label_vi}: {len} ký tự, dài hơn mức gợi ý {guide} — nên viết ngắn gọn",
            "{label_en}: {len} characters, longer than the suggested {guide}",
        ),
        (
            "nothing_not_weekly",
            "\"Không phát sinh trong tuần\" chỉ dùng cho báo cáo tuần",
            "\"Nothing to report this week\" is for weekly reports only",
        ),
        (
            "plan_empty",
            "Kế hoạch của đơn vị đang trống: hãy đăng ký ít nhất một chỉ tiêu, một hoạt động hoặc một ghi chú.",
            "The unit plan is empty: commit to at least one figure, activity or note.",
        ),
        (
            "report_empty",
            "Báo cáo đang trống: hãy nhập ít nhất một số liệu, một hoạt động hoặc một ghi chú. Nếu tuần này đơn vị không có gì để báo cáo, hãy chọn \"Không phát sinh trong tuần\".",
            "The report is empty: enter at least one figure, activity or note. If the unit has nothing to report this week, tick \"Nothing to report this week\".",
        ),
        (
            "nothing_contradicts",
            "Đã chọn \"Không phát sinh trong tuần\" nhưng báo cáo có số liệu, hoạt động hoặc ghi chú: bỏ chọn ô này hoặc xóa nội dung.",
            "\"Nothing to report this week\" is ticked but the report has figures, activities or notes: untick it or clear them.",
        ),
    ];
    list.iter().map(|(code, vi, en)| (code.to_string(), Message { vi: vi.to_string(), en: en.to_string() })).collect()
}

/// Fills `{name}` placeholders in one pass (a value holding braces stays as it is).
pub fn fill(template: &str, params: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close)
                if !after[..close].is_empty()
                    && after[..close].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') =>
            {
                let name = &after[..close];
                match params.iter().find(|(k, _)| *k == name) {
                    Some((_, v)) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A whole non-negative number: digits, or groups of three after a dot ("1.200").
pub fn parse_whole(text: &str) -> Option<i64> {
    crate::base_figures::parse_whole(text)
}

/// d/m/yyyy or yyyy-m-d (one or two digits for day and month), a real day.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let digits =
        |s: &str, min: usize, max: usize| (min..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    let (y, m, d) = if t.contains('/') {
        let p: Vec<&str> = t.split('/').collect();
        if p.len() != 3 || !digits(p[0], 1, 2) || !digits(p[1], 1, 2) || !digits(p[2], 4, 4) {
            return None;
        }
        (p[2], p[1], p[0])
    } else {
        let p: Vec<&str> = t.split('-').collect();
        if p.len() != 3 || !digits(p[0], 4, 4) || !digits(p[1], 1, 2) || !digits(p[2], 1, 2) {
            return None;
        }
        (p[0], p[1], p[2])
    };
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

fn clean_text(text: &str) -> String {
    nfc(crate::text::clean_note(text).trim())
}

fn is_blank(a: &ActivityInput) -> bool {
    [&a.title, &a.held_on, &a.area, &a.place, &a.participants, &a.funds, &a.result].iter().all(|s| s.trim().is_empty())
}

impl RuleSet {
    /// The rules of this form, from the same data the server's check uses.
    pub fn build(ctx: &ReportContext) -> RuleSet {
        let weekly = ctx.kind == ReportKind::Weekly;
        let fields = ctx
            .fields
            .iter()
            .map(|field| {
                let before = ctx.cumulative_before.get(&field.key).copied().unwrap_or(0);
                let mut rule = FieldRule {
                    key: field.key.clone(),
                    label: field.label.clone(),
                    yes_no: field.input == FieldInput::YesNo,
                    before,
                    once: false,
                    units_max: None,
                    base: None,
                    unusual_above: None,
                };
                if weekly {
                    match &field.input {
                        FieldInput::YesNo => rule.once = before >= 1,
                        FieldInput::UnitsDone { expected } => rule.units_max = Some(*expected),
                        FieldInput::Reached => {
                            let figure = ctx.plan.indicator(&field.key).and_then(|i| i.base);
                            if let Some((figure, max)) = figure.and_then(|f| ctx.base.get(&f).map(|m| (f, *m))) {
                                rule.base = Some(BaseCap {
                                    max,
                                    name_vi: figure.label_vi().to_lowercase(),
                                    name_en: figure.label_en().to_lowercase(),
                                });
                            }
                            rule.unusual_above = Some(UNUSUAL_WEEKLY);
                        }
                        FieldInput::Count => rule.unusual_above = Some(UNUSUAL_WEEKLY),
                    }
                }
                rule
            })
            .collect();
        let retired = ctx
            .plan
            .indicators()
            .filter(|i| i.retired && !ctx.fields.iter().any(|f| f.key == i.key))
            .map(|i| RetiredRule { indicator: i.key.clone(), label: i.label.clone() })
            .collect();
        let launch = ctx
            .plan
            .milestone("district-launch")
            .map(|m| DateWindow { from: m.when.first_day(), to: m.when.last_day() });
        RuleSet {
            kind: ctx.kind,
            fields,
            retired,
            window: DateWindow { from: ctx.window.0, to: ctx.window.1 },
            launch,
            areas: ctx.plan.areas.iter().map(|a| a.number.clone()).collect(),
            limits: Limits {
                max_count: MAX_COUNT,
                max_activities: MAX_ACTIVITIES,
                title_min: 3,
                title_max: 300,
                place_max: 300,
                result_max: 1000,
                narrative_max: NARRATIVE_MAX,
                narrative_guide: NARRATIVE_GUIDE,
                funds_digits: 15,
            },
            narratives: [
                ("highlights", "Điểm nổi bật", "Highlights"),
                ("difficulties", "Khó khăn", "Difficulties"),
                ("proposals", "Đề xuất", "Proposals"),
            ]
            .iter()
            .map(|(n, vi, en)| NarrativeRule {
                name: n.to_string(),
                label_vi: vi.to_string(),
                label_en: en.to_string(),
            })
            .collect(),
            messages: messages(),
        }
    }

    fn say(&self, code: &str, field: String, params: &[(&str, String)]) -> FieldError {
        let (vi, en) = match self.messages.get(code) {
            Some(m) => (fill(&m.vi, params), fill(&m.en, params)),
            None => (code.to_string(), code.to_string()),
        };
        FieldError { field, code: code.to_string(), message_vi: vi, message_en: en }
    }

    fn warn(&self, code: &str, field: String, params: &[(&str, String)]) -> Warning {
        let e = self.say(code, field, params);
        Warning { field: e.field, code: e.code, message_vi: e.message_vi, message_en: e.message_en }
    }

    /// Checks the input: what `check` returns.
    pub fn evaluate(&self, input: &ReportInput) -> Result<CheckedReport, Vec<FieldError>> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut warnings: Vec<Warning> = Vec::new();
        let mut values = BTreeMap::new();
        let limits = &self.limits;
        let int = |v: i64| format::integer(v);
        for (key, text) in &input.values {
            if self.fields.iter().any(|f| &f.key == key) {
                continue;
            }
            let field = format!("values.{key}");
            if let Some(retired) = self.retired.iter().find(|r| &r.indicator == key) {
                let t = text.trim();
                if t.is_empty() || t.chars().all(|c| c == '0') || t.eq_ignore_ascii_case("false") {
                    continue;
                }
                errors.push(self.say(
                    "value_retired",
                    field,
                    &[("key", key.clone()), ("label", retired.label.clone())],
                ));
                continue;
            }
            errors.push(self.say("value_unknown", field, &[("key", key.clone())]));
        }
        for rule in &self.fields {
            let name = format!("values.{}", rule.key);
            let text = input.values.get(&rule.key).map(|s| s.trim()).unwrap_or("");
            let label = || ("label", rule.label.clone());
            let value = if rule.yes_no {
                match text.to_lowercase().as_str() {
                    "" | "0" | "false" | "off" | "no" | "khong" | "không" => 0,
                    "1" | "true" | "on" | "yes" | "co" | "có" => 1,
                    _ => {
                        errors.push(self.say("yes_no_invalid", name, &[label()]));
                        continue;
                    }
                }
            } else if text.is_empty() {
                0
            } else {
                // A run of digits too long for a number is too large, not mistyped.
                let only_digits = text.trim().bytes().all(|b| b.is_ascii_digit() || b == b'.');
                match parse_whole(text) {
                    Some(v) if v <= limits.max_count => v,
                    None if only_digits && text.bytes().filter(u8::is_ascii_digit).count() > 15 => {
                        errors.push(self.say("number_too_large", name, &[label()]));
                        continue;
                    }
                    Some(_) => {
                        errors.push(self.say("number_too_large", name, &[label()]));
                        continue;
                    }
                    None => {
                        errors.push(self.say("number_invalid", name, &[label(), ("text", text.to_string())]));
                        continue;
                    }
                }
            };
            let total = rule.before + value;
            if rule.once && value == 1 {
                errors.push(self.say("done_already", name.clone(), &[label()]));
            }
            // The limits bound what this report adds: a week that adds nothing is not
            // refused for a running total that earlier weeks (confirmed) already made.
            if let Some(max) = rule.units_max.filter(|m| value > 0 && total > *m) {
                errors.push(self.say(
                    "units_exceeded",
                    name.clone(),
                    &[
                        label(),
                        ("total", int(total)),
                        ("total_raw", total.to_string()),
                        ("max", int(max)),
                        ("max_raw", max.to_string()),
                    ],
                ));
            }
            if let Some(cap) = rule.base.as_ref().filter(|c| value > 0 && total > c.max) {
                let params = [
                    label(),
                    ("total", int(total)),
                    ("total_raw", total.to_string()),
                    ("max", int(cap.max)),
                    ("max_raw", cap.max.to_string()),
                    ("base_vi", cap.name_vi.clone()),
                    ("base_en", cap.name_en.clone()),
                ];
                if input.confirm_above_base {
                    warnings.push(self.warn("base_exceeded_confirmed", name.clone(), &params));
                } else {
                    errors.push(self.say("base_exceeded", name.clone(), &params));
                }
            }
            if let Some(_limit) = rule.unusual_above.filter(|l| value > *l) {
                warnings.push(self.warn(
                    "value_unusual",
                    name.clone(),
                    &[label(), ("value", int(value)), ("value_raw", value.to_string())],
                ));
            }
            values.insert(rule.key.clone(), value);
        }

        let mut activities = Vec::new();
        if input.activities.len() > limits.max_activities {
            errors.push(self.say(
                "activities_too_many",
                "activities".into(),
                &[("max", limits.max_activities.to_string())],
            ));
        }
        for (i, a) in input.activities.iter().enumerate().take(limits.max_activities) {
            if is_blank(a) {
                continue;
            }
            let at = |f: &str| format!("activities[{i}].{f}");
            let n = ("n", (i + 1).to_string());
            let title = clean_text(&a.title);
            let len = title.chars().count();
            if len < limits.title_min || len > limits.title_max {
                errors.push(self.say(
                    "title_length",
                    at("title"),
                    &[n.clone(), ("min", limits.title_min.to_string()), ("max", limits.title_max.to_string())],
                ));
            }
            let held_on = match parse_day(&a.held_on) {
                Some(d) => {
                    if d < self.window.from || d > self.window.to {
                        errors.push(self.say(
                            "date_outside",
                            at("held_on"),
                            &[
                                n.clone(),
                                ("date", format::date(d)),
                                ("from", format::date(self.window.from)),
                                ("to", format::date(self.window.to)),
                            ],
                        ));
                    }
                    Some(d)
                }
                None if a.held_on.trim().is_empty() => {
                    errors.push(self.say("date_missing", at("held_on"), std::slice::from_ref(&n)));
                    None
                }
                None => {
                    errors.push(self.say(
                        "date_invalid",
                        at("held_on"),
                        &[n.clone(), ("text", a.held_on.trim().to_string())],
                    ));
                    None
                }
            };
            let area = a.area.trim().to_string();
            // A plan without activity areas takes activities without one; a plan
            // with areas needs one of them.
            let no_areas = self.areas.is_empty() && area.is_empty();
            if !no_areas && !self.areas.contains(&area) {
                errors.push(self.say("area_invalid", at("area"), std::slice::from_ref(&n)));
            }
            let place = clean_text(&a.place);
            if place.chars().count() > limits.place_max {
                errors.push(self.say("place_length", at("place"), &[n.clone(), ("max", limits.place_max.to_string())]));
            }
            let participants = match a.participants.trim() {
                "" => None,
                t => match parse_whole(t) {
                    Some(v) if v <= limits.max_count => Some(v),
                    _ => {
                        errors.push(self.say(
                            "participants_invalid",
                            at("participants"),
                            &[n.clone(), ("text", t.to_string())],
                        ));
                        None
                    }
                },
            };
            let funds_vnd = match a.funds.trim() {
                "" => None,
                t => match parse_vnd_code(t, limits.funds_digits) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        let code = match e {
                            VndError::Missing => "funds_missing",
                            VndError::Invalid => "funds_invalid",
                            VndError::TooLarge => "funds_too_large",
                        };
                        errors.push(self.say(code, at("funds"), &[n.clone(), ("text", t.to_string())]));
                        None
                    }
                },
            };
            let result = clean_text(&a.result);
            if result.chars().count() > limits.result_max {
                errors.push(self.say(
                    "result_length",
                    at("result"),
                    &[n.clone(), ("max", limits.result_max.to_string())],
                ));
            }
            let tag = match a.tag.trim() {
                "" => None,
                "launch" => Some("launch".to_string()),
                other => {
                    errors.push(self.say("tag_invalid", at("tag"), &[n.clone(), ("tag", other.to_string())]));
                    None
                }
            };
            if let (Some("launch"), Some(day), Some(w)) = (tag.as_deref(), held_on, self.launch.as_ref()) {
                if day < w.from || day > w.to {
                    warnings.push(self.warn(
                        "launch_outside",
                        at("held_on"),
                        &[("date", format::date(day)), ("from", format::date(w.from)), ("to", format::date(w.to))],
                    ));
                }
            }
            if let Some(held_on) = held_on {
                activities.push(CheckedActivity { title, held_on, area, place, participants, funds_vnd, result, tag });
            }
        }

        let mut texts = Vec::new();
        for rule in &self.narratives {
            let raw = match rule.name.as_str() {
                "highlights" => &input.highlights,
                "difficulties" => &input.difficulties,
                _ => &input.proposals,
            };
            let t = clean_text(raw);
            let len = t.chars().count();
            let labels = [("label_vi", rule.label_vi.clone()), ("label_en", rule.label_en.clone())];
            if len > limits.narrative_max {
                let mut p = labels.to_vec();
                p.push(("max", limits.narrative_max.to_string()));
                errors.push(self.say("narrative_too_long", rule.name.clone(), &p));
            } else if len > limits.narrative_guide {
                let mut p = labels.to_vec();
                p.push(("len", len.to_string()));
                p.push(("guide", limits.narrative_guide.to_string()));
                warnings.push(self.warn("narrative_long", rule.name.clone(), &p));
            }
            texts.push(t);
        }
        let mut texts = texts.into_iter();
        let highlights = texts.next().unwrap_or_default();
        let difficulties = texts.next().unwrap_or_default();
        let proposals = texts.next().unwrap_or_default();

        let empty = values.values().all(|v| *v == 0)
            && activities.is_empty()
            && input.activities.iter().all(is_blank)
            && highlights.is_empty()
            && difficulties.is_empty()
            && proposals.is_empty();
        match self.kind {
            ReportKind::UnitPlan => {
                // A unit plan says what the unit commits to: an empty one is no plan,
                // and "nothing to report this week" belongs to weekly reports.
                if input.nothing_to_report {
                    errors.push(self.say("nothing_not_weekly", "nothing_to_report".into(), &[]));
                } else if empty && errors.is_empty() {
                    errors.push(self.say("plan_empty", "values".into(), &[]));
                }
            }
            ReportKind::Weekly => {
                if empty && !input.nothing_to_report && errors.is_empty() {
                    errors.push(self.say("report_empty", "nothing_to_report".into(), &[]));
                } else if !empty && input.nothing_to_report {
                    errors.push(self.say("nothing_contradicts", "nothing_to_report".into(), &[]));
                }
            }
        }
        if errors.is_empty() {
            Ok(CheckedReport { values, activities, highlights, difficulties, proposals, warnings })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_once() {
        let p = [("label", "Cây {n}".to_string()), ("n", "2".to_string())];
        assert_eq!(fill("{label}: {n} {x} {", &p), "Cây {n}: 2 {x} {");
    }

    #[test]
    fn days_are_read_in_both_styles_and_must_exist() {
        assert_eq!(parse_day("5/3/2023"), NaiveDate::from_ymd_opt(2023, 3, 5));
        assert_eq!(parse_day("2023-03-05"), NaiveDate::from_ymd_opt(2023, 3, 5));
        for bad in ["31/02/2023", "2023/03/05", "5-3-2023", "", "05/03/23", "+2023-03-05"] {
            assert_eq!(parse_day(bad), None, "{bad}");
        }
    }
}
