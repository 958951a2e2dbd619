//! Checking a report as typed: every problem named by field, in Vietnamese and
//! English; nothing is stored unless everything is right.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::fields::Field;
use super::ReportKind;
use crate::plan::Plan;
use crate::unit::BaseFigure;

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
    /// A unit's report up to its parent (a cascade of plans): the part of each figure
    /// in `values` that the unit's own level did itself (the rest is its units' sum),
    /// kept with the report in the same write. Empty (and not stored) otherwise; the
    /// API refuses it on a unit's own report.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub own_level: BTreeMap<String, i64>,
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
    /// What is wrong, as a word ("number_invalid", "date_outside"...: the rule set's).
    #[serde(default)]
    pub code: String,
    pub message_vi: String,
    pub message_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub field: String,
    #[serde(default)]
    pub code: String,
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

/// Checks the input against the form of this unit and period: the rule set of the
/// form (`rules::RuleSet`, the same the page evaluates offline), evaluated.
pub fn check(ctx: &ReportContext, input: &ReportInput) -> Result<CheckedReport, Vec<FieldError>> {
    super::rules::RuleSet::build(ctx).evaluate(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::PLAN_TOML;
    use crate::plan::{parse_plan, Level};
    use crate::report::{fields_for, FieldInput, NARRATIVE_GUIDE, NARRATIVE_MAX};
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
        // Twenty digits are a number too large, not a mistyped one.
        let errors = check(&ctx(&s), &input(&[("5", "12345678901234567890")])).unwrap_err();
        assert_eq!(errors[0].code, "number_too_large", "{errors:?}");
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
        // Once the running total is above the base (confirmed in an earlier week), a
        // week that adds nothing to it is not refused for a field nobody touched.
        s.before.insert("1".into(), 1_100);
        assert!(check(&ctx(&s), &input(&[("5", "40")])).is_ok());
        assert!(check(&ctx(&s), &input(&[("1", "0"), ("5", "40")])).is_ok());
        assert!(check(&ctx(&s), &input(&[("1", "1")])).is_err(), "adding to it still asks");
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
