//! Checking a report as typed: every problem named by field, in Vietnamese and
//! English; nothing is stored unless everything is right.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fields::{Field, FieldInput};
use super::money::parse_vnd;
use super::{ReportKind, MAX_ACTIVITIES, NARRATIVE_GUIDE, NARRATIVE_MAX};
use crate::base_figures::parse_whole;
use crate::format;
use crate::plan::{FileDate, Plan};
use crate::text::nfc;
use crate::unit::BaseFigure;

/// The largest number accepted in a count field.
const MAX_COUNT: i64 = 1_000_000_000;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub area: String,
    #[serde(default)]
    pub place: String,
    #[serde(default, deserialize_with = "super::json::text")]
    pub participants: String,
    #[serde(default, deserialize_with = "super::json::text")]
    pub funds: String,
    #[serde(default)]
    pub result: String,
    /// "launch" for the district's launch ceremony.
    #[serde(default)]
    pub tag: String,
}

impl ActivityInput {
    fn is_blank(&self) -> bool {
        [&self.title, &self.held_on, &self.area, &self.place, &self.participants, &self.funds, &self.result]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// What the form or the API sent. Numbers arrive as text, as people type them
/// ("1.200"), or as JSON numbers (1200) from a script; a field this struct does not
/// know is refused, never ignored (a misplaced `values` would store an empty report).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    #[serde(default, deserialize_with = "super::json::values")]
    pub values: BTreeMap<String, String>,
    #[serde(default)]
    pub activities: Vec<ActivityInput>,
    #[serde(default)]
    pub highlights: String,
    #[serde(default)]
    pub difficulties: String,
    #[serde(default)]
    pub proposals: String,
    /// The reporter confirms figures above the unit's base figure.
    #[serde(default)]
    pub confirm_above_base: bool,
    /// "Không phát sinh trong tuần": the unit says on purpose that it has nothing to
    /// report this week. Without it, a weekly report with no figure, no activity and
    /// no note is refused (it would count the unit as having reported).
    #[serde(default)]
    pub nothing_to_report: bool,
}

impl ReportInput {
    /// Nothing typed anywhere: no figure other than 0, no activity, no note.
    pub fn is_empty(&self) -> bool {
        self.values.values().all(|v| matches!(v.trim(), "" | "0" | "false" | "off" | "no" | "khong" | "không"))
            && self.activities.iter().all(ActivityInput::is_blank)
            && [&self.highlights, &self.difficulties, &self.proposals].iter().all(|s| s.trim().is_empty())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedActivity {
    pub title: String,
    pub held_on: NaiveDate,
    pub area: String,
    pub place: String,
    pub participants: Option<i64>,
    pub funds_vnd: Option<i64>,
    pub result: String,
    pub tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedReport {
    /// Every field of the form, 0 where nothing was typed.
    pub values: BTreeMap<String, i64>,
    pub activities: Vec<CheckedActivity>,
    pub highlights: String,
    pub difficulties: String,
    pub proposals: String,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// "values.5", "activities[2].held_on", "highlights".
    pub field: String,
    pub message_vi: String,
    pub message_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub field: String,
    pub message_vi: String,
    pub message_en: String,
}

/// What the check needs to know besides the input.
pub struct ReportContext<'a> {
    pub plan: &'a Plan,
    pub fields: &'a [Field],
    pub kind: ReportKind,
    /// Activities must fall in this window: the period (weekly) or the campaign (plan).
    pub window: (NaiveDate, NaiveDate),
    /// The unit's base figures (a missing figure is not in the map).
    pub base: &'a BTreeMap<BaseFigure, i64>,
    /// The unit's totals so far, from its other counted reports.
    pub cumulative_before: &'a HashMap<String, i64>,
}

fn error(errors: &mut Vec<FieldError>, field: impl Into<String>, vi: impl Into<String>, en: impl Into<String>) {
    errors.push(FieldError { field: field.into(), message_vi: vi.into(), message_en: en.into() });
}

impl ReportInput {
    /// The same input without control characters (but line breaks and tabs) and
    /// without direction overrides or invisible characters, as stored in a draft.
    pub fn neutralised(&self) -> ReportInput {
        let c = |t: &String| crate::text::clean_note(t);
        let mut out = self.clone();
        out.values = self.values.iter().map(|(k, v)| (c(k), c(v))).collect();
        out.highlights = c(&self.highlights);
        out.difficulties = c(&self.difficulties);
        out.proposals = c(&self.proposals);
        for a in &mut out.activities {
            for field in [
                &mut a.title,
                &mut a.held_on,
                &mut a.area,
                &mut a.place,
                &mut a.participants,
                &mut a.funds,
                &mut a.result,
            ] {
                *field = c(field);
            }
        }
        out
    }
}

fn clean_text(text: &str) -> String {
    nfc(crate::text::clean_note(text).trim())
}

fn has_bad_control(text: &str) -> bool {
    text.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
}

/// Checks the input against the form of this unit and period.
pub fn check(ctx: &ReportContext, input: &ReportInput) -> Result<CheckedReport, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut values = BTreeMap::new();
    for (key, text) in &input.values {
        if !ctx.fields.iter().any(|f| &f.key == key) {
            if let Some(retired) = ctx.plan.indicator(key).filter(|i| i.retired) {
                // A form opened before the amendment may still hold the field: an
                // empty or zero value is no figure; a new figure is refused.
                let t = text.trim();
                if t.is_empty() || t.chars().all(|c| c == '0') || t.eq_ignore_ascii_case("false") {
                    continue;
                }
                error(
                    &mut errors,
                    format!("values.{key}"),
                    format!(
                        "Chỉ tiêu {key} ({}) đã ngừng theo dõi theo kế hoạch điều chỉnh: không nhận số liệu mới",
                        retired.label
                    ),
                    format!(
                        "Indicator {key} ({}) was retired by an amendment of the plan: it takes no new figures",
                        retired.label
                    ),
                );
                continue;
            }
            error(
                &mut errors,
                format!("values.{key}"),
                format!("Chỉ số \"{key}\" không có trong mẫu báo cáo của đơn vị"),
                format!("Indicator \"{key}\" is not in this unit's form"),
            );
        }
    }
    for field in ctx.fields {
        let name = format!("values.{}", field.key);
        let text = input.values.get(&field.key).map(|s| s.trim()).unwrap_or("");
        let before = ctx.cumulative_before.get(&field.key).copied().unwrap_or(0);
        let value = match &field.input {
            FieldInput::YesNo => match text.to_lowercase().as_str() {
                "" | "0" | "false" | "off" | "no" | "khong" | "không" => 0,
                "1" | "true" | "on" | "yes" | "co" | "có" => 1,
                _ => {
                    error(
                        &mut errors,
                        &name,
                        format!("{}: chọn Có hoặc Không", field.label),
                        format!("{}: answer yes or no", field.label),
                    );
                    continue;
                }
            },
            _ if text.is_empty() => 0,
            _ => match parse_whole(text) {
                Some(v) if v <= MAX_COUNT => v,
                Some(_) => {
                    error(
                        &mut errors,
                        &name,
                        format!("{}: số quá lớn", field.label),
                        format!("{}: number too large", field.label),
                    );
                    continue;
                }
                None => {
                    error(
                        &mut errors,
                        &name,
                        format!("{}: \"{text}\" phải là số nguyên không âm (ví dụ 1.500)", field.label),
                        format!("{}: \"{text}\" must be a whole non-negative number (e.g. 1.500)", field.label),
                    );
                    continue;
                }
            },
        };
        match &field.input {
            FieldInput::YesNo if value == 1 && before >= 1 && ctx.kind == ReportKind::Weekly => {
                error(
                    &mut errors,
                    &name,
                    format!("{}: đơn vị đã báo cáo hoàn thành ở kỳ trước", field.label),
                    format!("{}: already reported as done in an earlier period", field.label),
                );
            }
            FieldInput::UnitsDone { expected } if before + value > *expected && ctx.kind == ReportKind::Weekly => {
                error(
                    &mut errors,
                    &name,
                    format!("{}: lũy kế {} vượt quá số đơn vị ({})", field.label, before + value, expected),
                    format!("{}: the total {} exceeds the number of units ({})", field.label, before + value, expected),
                );
            }
            FieldInput::Reached => {
                let indicator = ctx.plan.indicator(&field.key);
                if let Some(base_figure) = indicator.and_then(|i| i.base) {
                    if let Some(base) = ctx.base.get(&base_figure) {
                        let total = before + value;
                        if total > *base && ctx.kind == ReportKind::Weekly {
                            let vi = format!(
                                "{}: lũy kế {} vượt {} của đơn vị ({})",
                                field.label,
                                format::integer(total),
                                base_figure.label_vi().to_lowercase(),
                                format::integer(*base)
                            );
                            let en = format!(
                                "{}: the total {} is above the unit's {} ({})",
                                field.label,
                                total,
                                base_figure.label_en().to_lowercase(),
                                base
                            );
                            if input.confirm_above_base {
                                warnings.push(Warning { field: name.clone(), message_vi: vi, message_en: en });
                            } else {
                                error(
                                    &mut errors,
                                    &name,
                                    format!("{vi}. Kiểm tra lại hoặc đánh dấu xác nhận."),
                                    format!("{en}. Check it or tick the confirmation."),
                                );
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        values.insert(field.key.clone(), value);
    }

    let mut activities = Vec::new();
    if input.activities.len() > MAX_ACTIVITIES {
        error(
            &mut errors,
            "activities",
            format!("Tối đa {MAX_ACTIVITIES} hoạt động mỗi báo cáo"),
            format!("At most {MAX_ACTIVITIES} activities per report"),
        );
    }
    let launch = ctx.plan.milestone("district-launch").map(|m| (m.when.first_day(), m.when.last_day()));
    for (i, a) in input.activities.iter().enumerate().take(MAX_ACTIVITIES) {
        if a.is_blank() {
            continue;
        }
        let at = |f: &str| format!("activities[{i}].{f}");
        let n = i + 1;
        let title = clean_text(&a.title);
        if title.chars().count() < 3 || title.chars().count() > 300 || has_bad_control(&title) {
            error(
                &mut errors,
                at("title"),
                format!("Hoạt động {n}: tên cần từ 3 đến 300 ký tự"),
                format!("Activity {n}: the title needs 3 to 300 characters"),
            );
        }
        let held_on = match FileDate::parse(&a.held_on) {
            Ok(d) => {
                let (from, to) = ctx.window;
                if d.0 < from || d.0 > to {
                    error(
                        &mut errors,
                        at("held_on"),
                        format!(
                            "Hoạt động {n}: ngày {} nằm ngoài kỳ báo cáo ({} – {})",
                            format::date(d.0),
                            format::date(from),
                            format::date(to)
                        ),
                        format!(
                            "Activity {n}: {} is outside the period ({} – {})",
                            format::date(d.0),
                            format::date(from),
                            format::date(to)
                        ),
                    );
                }
                Some(d.0)
            }
            Err(_) if a.held_on.trim().is_empty() => {
                error(
                    &mut errors,
                    at("held_on"),
                    format!("Hoạt động {n}: chưa nhập ngày tổ chức"),
                    format!("Activity {n}: the date it was held is missing"),
                );
                None
            }
            Err(_) => {
                error(
                    &mut errors,
                    at("held_on"),
                    format!("Hoạt động {n}: ngày \"{}\" không hợp lệ (dd/mm/yyyy)", a.held_on.trim()),
                    format!("Activity {n}: invalid date \"{}\" (dd/mm/yyyy)", a.held_on.trim()),
                );
                None
            }
        };
        let area = a.area.trim().to_string();
        // A plan without activity areas (a short campaign plan) takes activities
        // without one; a plan with areas needs one of them.
        let no_areas = ctx.plan.areas.is_empty() && area.is_empty();
        if !no_areas && !ctx.plan.areas.iter().any(|x| x.number == area) {
            error(
                &mut errors,
                at("area"),
                format!("Hoạt động {n}: chọn một nội dung hoạt động của kế hoạch"),
                format!("Activity {n}: choose an activity area of the plan"),
            );
        }
        let place = clean_text(&a.place);
        if place.chars().count() > 300 || has_bad_control(&place) {
            error(
                &mut errors,
                at("place"),
                format!("Hoạt động {n}: địa điểm tối đa 300 ký tự"),
                format!("Activity {n}: the place has at most 300 characters"),
            );
        }
        let participants = match a.participants.trim() {
            "" => None,
            t => match parse_whole(t) {
                Some(v) if v <= MAX_COUNT => Some(v),
                _ => {
                    error(
                        &mut errors,
                        at("participants"),
                        format!("Hoạt động {n}: số người tham gia \"{t}\" không hợp lệ"),
                        format!("Activity {n}: invalid number of participants \"{t}\""),
                    );
                    None
                }
            },
        };
        let funds_vnd = match a.funds.trim() {
            "" => None,
            t => match parse_vnd(t) {
                Ok(v) => Some(v),
                Err(e) => {
                    let (vi, en) = e.split_once(" / ").unwrap_or((&e, &e));
                    error(
                        &mut errors,
                        at("funds"),
                        format!("Hoạt động {n}: kinh phí {vi}"),
                        format!("Activity {n}: funds {en}"),
                    );
                    None
                }
            },
        };
        let result = clean_text(&a.result);
        if result.chars().count() > 1000 || has_bad_control(&result) {
            error(
                &mut errors,
                at("result"),
                format!("Hoạt động {n}: kết quả tối đa 1000 ký tự"),
                format!("Activity {n}: the result has at most 1000 characters"),
            );
        }
        let tag = match a.tag.trim() {
            "" => None,
            "launch" => Some("launch".to_string()),
            other => {
                error(
                    &mut errors,
                    at("tag"),
                    format!("Hoạt động {n}: nhãn \"{other}\" không hợp lệ"),
                    format!("Activity {n}: unknown tag \"{other}\""),
                );
                None
            }
        };
        if let (Some("launch"), Some(day), Some((from, to))) = (tag.as_deref(), held_on, launch) {
            if day < from || day > to {
                warnings.push(Warning {
                    field: at("held_on"),
                    message_vi: format!(
                        "Lễ khởi động ngày {} nằm ngoài thời gian kế hoạch quy định ({} – {})",
                        format::date(day),
                        format::date(from),
                        format::date(to)
                    ),
                    message_en: format!(
                        "The launch on {} is outside the plan's window ({} – {})",
                        format::date(day),
                        format::date(from),
                        format::date(to)
                    ),
                });
            }
        }
        if let Some(held_on) = held_on {
            activities.push(CheckedActivity { title, held_on, area, place, participants, funds_vnd, result, tag });
        }
    }

    let mut narrative = |name: &str, label_vi: &str, label_en: &str, text: &str| {
        let t = clean_text(text);
        let len = t.chars().count();
        if len > NARRATIVE_MAX || has_bad_control(&t) {
            error(
                &mut errors,
                name,
                format!("{label_vi}: tối đa {NARRATIVE_MAX} ký tự"),
                format!("{label_en}: at most {NARRATIVE_MAX} characters"),
            );
        } else if len > NARRATIVE_GUIDE {
            warnings.push(Warning {
                field: name.into(),
                message_vi: format!("{label_vi}: {len} ký tự, dài hơn mức gợi ý {NARRATIVE_GUIDE} — nên viết ngắn gọn"),
                message_en: format!("{label_en}: {len} characters, longer than the suggested {NARRATIVE_GUIDE}"),
            });
        }
        t
    };
    let highlights = narrative("highlights", "Điểm nổi bật", "Highlights", &input.highlights);
    let difficulties = narrative("difficulties", "Khó khăn", "Difficulties", &input.difficulties);
    let proposals = narrative("proposals", "Đề xuất", "Proposals", &input.proposals);

    let empty = values.values().all(|v| *v == 0)
        && activities.is_empty()
        && input.activities.iter().all(ActivityInput::is_blank)
        && highlights.is_empty()
        && difficulties.is_empty()
        && proposals.is_empty();
    if ctx.kind == ReportKind::UnitPlan {
        // A unit plan says what the unit commits to: an empty one is no plan, and
        // "nothing to report this week" belongs to weekly reports.
        if input.nothing_to_report {
            error(
                &mut errors,
                "nothing_to_report",
                "\"Không phát sinh trong tuần\" chỉ dùng cho báo cáo tuần",
                "\"Nothing to report this week\" is for weekly reports only",
            );
        } else if empty && errors.is_empty() {
            error(
                &mut errors,
                "values",
                "Kế hoạch của đơn vị đang trống: hãy đăng ký ít nhất một chỉ tiêu, một hoạt động hoặc một ghi chú.",
                "The unit plan is empty: commit to at least one figure, activity or note.",
            );
        }
    }
    if ctx.kind == ReportKind::Weekly {
        if empty && !input.nothing_to_report && errors.is_empty() {
            error(
                &mut errors,
                "nothing_to_report",
                "Báo cáo đang trống: hãy nhập ít nhất một số liệu, một hoạt động hoặc một ghi chú. Nếu tuần này đơn vị không có gì để báo cáo, hãy chọn \"Không phát sinh trong tuần\".",
                "The report is empty: enter at least one figure, activity or note. If the unit has nothing to report this week, tick \"Nothing to report this week\".",
            );
        } else if !empty && input.nothing_to_report {
            error(
                &mut errors,
                "nothing_to_report",
                "Đã chọn \"Không phát sinh trong tuần\" nhưng báo cáo có số liệu, hoạt động hoặc ghi chú: bỏ chọn ô này hoặc xóa nội dung.",
                "\"Nothing to report this week\" is ticked but the report has figures, activities or notes: untick it or clear them.",
            );
        }
    }

    if errors.is_empty() {
        Ok(CheckedReport { values, activities, highlights, difficulties, proposals, warnings })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::PLAN_TOML;
    use crate::plan::{parse_plan, Level};
    use crate::report::fields_for;
    use crate::unit::UnitKind;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2023, m, day).unwrap()
    }

    struct Setup {
        plan: Plan,
        fields: Vec<Field>,
        base: BTreeMap<BaseFigure, i64>,
        before: HashMap<String, i64>,
    }

    fn setup() -> Setup {
        let plan = parse_plan(PLAN_TOML).unwrap();
        let fields = fields_for(&plan, Level::District, UnitKind::District, &|_| 12);
        let mut base = BTreeMap::new();
        base.insert(BaseFigure::DoanVien, 1000);
        Setup { plan, fields, base, before: HashMap::new() }
    }

    fn ctx(s: &Setup) -> ReportContext<'_> {
        ReportContext {
            plan: &s.plan,
            fields: &s.fields,
            kind: ReportKind::Weekly,
            window: (d(3, 4), d(3, 10)),
            base: &s.base,
            cumulative_before: &s.before,
        }
    }

    fn input(values: &[(&str, &str)]) -> ReportInput {
        ReportInput {
            values: values.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_district_form_has_every_indicator_it_can_answer() {
        let s = setup();
        let keys: Vec<&str> = s.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys.len(), 26, "{keys:?}");
        let f16 = s.fields.iter().find(|f| f.key == "16").unwrap();
        assert_eq!(
            f16.input,
            FieldInput::UnitsDone { expected: 12 },
            "communes' tech teams are counted by the district"
        );
        let f14a = s.fields.iter().find(|f| f.key == "14a").unwrap();
        assert_eq!(f14a.input, FieldInput::Count);
    }

    #[test]
    fn counts_accept_vietnamese_thousands_and_refuse_negatives() {
        let s = setup();
        let ok = check(&ctx(&s), &input(&[("5", "1.500"), ("17", "40")])).unwrap();
        assert_eq!(ok.values["5"], 1500);
        assert_eq!(ok.values["6"], 0, "empty is zero");
        let errors = check(&ctx(&s), &input(&[("5", "-3"), ("7", "2,5")])).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].message_vi.contains("số nguyên không âm"));
    }

    #[test]
    fn people_above_the_base_figure_need_a_confirmation() {
        let mut s = setup();
        s.before.insert("1".into(), 900);
        let errors = check(&ctx(&s), &input(&[("1", "200")])).unwrap_err();
        assert!(errors[0].message_vi.contains("vượt số đoàn viên"), "{}", errors[0].message_vi);
        let mut confirmed = input(&[("1", "200")]);
        confirmed.confirm_above_base = true;
        let ok = check(&ctx(&s), &confirmed).unwrap();
        assert_eq!(ok.warnings.len(), 1);
    }

    #[test]
    fn units_done_cannot_exceed_the_units_expected() {
        let mut s = setup();
        s.before.insert("16".into(), 10);
        assert!(check(&ctx(&s), &input(&[("16", "2")])).is_ok());
        assert!(check(&ctx(&s), &input(&[("16", "3")])).is_err());
    }

    #[test]
    fn activities_must_fall_inside_the_period_with_exact_funds() {
        let s = setup();
        let mut i = input(&[]);
        i.activities = vec![
            ActivityInput {
                title: "Ra quân trồng cây xanh".into(),
                held_on: "05/03/2023".into(),
                area: "2.1".into(),
                place: "Xã Phi Thông".into(),
                participants: "120".into(),
                funds: "1.500.000".into(),
                result: "Trồng 500 cây".into(),
                tag: String::new(),
            },
            ActivityInput::default(),
        ];
        let ok = check(&ctx(&s), &i).unwrap();
        assert_eq!(ok.activities.len(), 1, "blank rows are skipped");
        assert_eq!(ok.activities[0].funds_vnd, Some(1_500_000));
        i.activities[0].held_on = "11/03/2023".into();
        i.activities[0].funds = "1,5 triệu".into();
        i.activities[0].area = "9".into();
        let errors = check(&ctx(&s), &i).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["activities[0].held_on", "activities[0].area", "activities[0].funds"]);
    }

    #[test]
    fn a_plan_without_activity_areas_takes_activities_without_one() {
        let mut s = setup();
        let activity = ActivityInput {
            title: "Ra quân tình nguyện hè".into(),
            held_on: "05/03/2023".into(),
            area: String::new(),
            place: "Xã Phi Thông".into(),
            participants: "120".into(),
            funds: String::new(),
            result: String::new(),
            tag: String::new(),
        };
        let mut i = input(&[]);
        i.activities = vec![activity];
        // The built-in plan has areas: one must be chosen.
        let errors = check(&ctx(&s), &i).unwrap_err();
        assert_eq!(errors[0].field, "activities[0].area");
        // A plan with none: the activity stands without one, and a made-up one is refused.
        s.plan.areas.clear();
        assert_eq!(check(&ctx(&s), &i).unwrap().activities.len(), 1);
        i.activities[0].area = "2.1".into();
        assert_eq!(check(&ctx(&s), &i).unwrap_err()[0].field, "activities[0].area");
    }

    #[test]
    fn a_launch_outside_the_window_is_flagged() {
        let s = setup();
        let mut c = ctx(&s);
        c.window = (d(2, 25), d(3, 10));
        let mut i = input(&[]);
        i.activities = vec![ActivityInput {
            title: "Lễ khởi động Tháng Thanh niên".into(),
            held_on: "08/03/2023".into(),
            area: "1".into(),
            tag: "launch".into(),
            ..Default::default()
        }];
        let ok = check(&c, &i).unwrap();
        assert!(ok.warnings[0].message_vi.contains("01/03/2023 – 05/03/2023"), "{:?}", ok.warnings);
    }

    #[test]
    fn an_empty_week_needs_nothing_to_report_and_nothing_to_report_needs_an_empty_week() {
        let s = setup();
        let errors = check(&ctx(&s), &input(&[("5", "0"), ("6", "")])).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["nothing_to_report"]);
        let mut nothing = input(&[]);
        nothing.nothing_to_report = true;
        assert!(check(&ctx(&s), &nothing).is_ok());
        nothing.values.insert("5".into(), "3".into());
        assert!(check(&ctx(&s), &nothing).is_err(), "figures and 'nothing to report' contradict");
        let mut plan = ctx(&s);
        plan.kind = ReportKind::UnitPlan;
        assert!(check(&plan, &input(&[])).is_err(), "an empty unit plan is no plan");
    }

    #[test]
    fn json_numbers_are_read_as_typed_text_and_unknown_fields_are_refused() {
        let ok: ReportInput =
            serde_json::from_str(r#"{"values": {"5": 1200, "6": "1.500", "7": 40.0, "8": true, "9": null}}"#).unwrap();
        assert_eq!(ok.values["5"], "1200");
        assert_eq!(ok.values["6"], "1.500");
        assert_eq!(ok.values["7"], "40");
        assert_eq!(ok.values["8"], "1");
        assert_eq!(ok.values["9"], "");
        let half: ReportInput = serde_json::from_str(r#"{"values": {"5": 12.5}}"#).unwrap();
        assert!(check(&ctx(&setup()), &half).is_err(), "a fraction is refused by the check");
        let e = serde_json::from_str::<ReportInput>(r#"{"value": {"5": 1}}"#).unwrap_err().to_string();
        assert!(e.contains("unknown field `value`"), "{e}");
        let e = serde_json::from_str::<ReportInput>(r#"{"values": {"5": [1]}}"#).unwrap_err().to_string();
        let (vi, en) = crate::report::json::split_bilingual(&e).unwrap();
        assert!(vi.starts_with("values.5: phải là một số") && en.starts_with("values.5: must be"), "{e}");
        let e = serde_json::from_str::<ReportInput>(r#"{"activities": [{"titel": "x"}]}"#).unwrap_err().to_string();
        assert!(e.contains("unknown field `titel`"), "{e}");
    }

    #[test]
    fn unknown_indicators_and_long_narratives_are_reported() {
        let s = setup();
        let mut i = input(&[("3", "5")]);
        i.highlights = "x".repeat(NARRATIVE_MAX + 1);
        let errors = check(&ctx(&s), &i).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), vec!["values.3", "highlights"]);
        let mut i = input(&[]);
        i.difficulties = "y".repeat(NARRATIVE_GUIDE + 10);
        assert_eq!(check(&ctx(&s), &i).unwrap().warnings.len(), 1);
    }
}
