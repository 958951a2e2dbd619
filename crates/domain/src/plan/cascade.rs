//! A unit's own plan inside a campaign (issue #21): every level issues its own plan
//! for the same campaign. A district (after 2025: a commune-level union or a đoàn trực
//! thuộc; nationally: a province) takes the goals it was allocated from its parent's
//! plan, adds targets of its own and its own earlier weekly deadline, collects its
//! units' reports, and reports up what its subtree did — without retyping.
//!
//! The rules, in one place (pure: no IO):
//! - An indicator of the unit's plan whose key is a key of the parent's plan is
//!   **inherited**. Its meaning (kind, comparison, unit label, base figure) is the
//!   parent's and cannot change. Its goal may be raised, never set below what the
//!   parent allocated to the unit (for a rate: below the parent's rate), unless the
//!   parent allows lowering.
//! - Every indicator the parent allocated to the unit (a goal above 0) is in the
//!   unit's plan: a unit cannot drop a goal it was given.
//! - Every other indicator is the unit's **own**: it stays local and never appears
//!   in the parent's figures. (Its key cannot be a parent's key: that would make it
//!   inherited.)
//! - The unit's weekly deadline for its own units falls no later than the parent's
//!   deadline for the same week, so that it can consolidate in time; its campaign
//!   lies within the parent's.
//! - The report up, for each inherited indicator, is the sum of the subtree's figures
//!   in the unit's plan plus what the unit's own level did; own indicators are left out.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveTime};
use serde::Serialize;

use super::edit::{Note, PlanEdit};
use super::model::{Indicator, Plan};
use super::values::{Comparison, IndicatorKind};
use crate::progress::figures::{Figures, Key as FigureKey};

/// The office issuing the unit's plan.
#[derive(Debug, Clone)]
pub struct Office {
    /// The unit's code in the tree (kept in the plan's code, never shown).
    pub unit_code: String,
    /// The union's name: "Huyện đoàn An Biên", "Thành đoàn Rạch Giá", "Tỉnh đoàn Kiên Giang".
    pub union_name: String,
    /// Where its documents are dated: "An Biên".
    pub place: String,
}

const UNION_PREFIXES: [(&str, &str); 5] = [
    ("Tỉnh đoàn ", "Tỉnh "),
    ("Thành đoàn ", "Thành phố "),
    ("Thị đoàn ", "Thị xã "),
    ("Huyện đoàn ", "Huyện "),
    ("Đoàn ", ""),
];

impl Office {
    /// The office of a unit by its union's name; its documents are dated at the
    /// place the name names ("Huyện đoàn An Biên" → "An Biên").
    pub fn of_unit(unit_code: &str, union_name: &str) -> Office {
        let name = union_name.trim();
        let mut place =
            UNION_PREFIXES.iter().find_map(|(prefix, _)| name.strip_prefix(prefix)).unwrap_or(name).to_string();
        for admin in ["xã ", "phường ", "thị trấn "] {
            if let Some(rest) = place.strip_prefix(admin) {
                place = rest.to_string();
            }
        }
        Office { unit_code: unit_code.to_string(), union_name: name.to_string(), place }
    }

    /// The header line of its documents: "BCH ĐOÀN HUYỆN AN BIÊN".
    pub fn header(&self) -> String {
        let name = self.union_name.trim();
        let bare = UNION_PREFIXES
            .iter()
            .find_map(|(prefix, admin)| name.strip_prefix(prefix).map(|rest| format!("{admin}{rest}")))
            .unwrap_or_else(|| name.to_string());
        format!("BCH ĐOÀN {}", bare.to_uppercase())
    }

    /// Who issues its plans: "Ban Thường vụ Huyện đoàn An Biên".
    pub fn issuing_body(&self) -> String {
        format!("Ban Thường vụ {}", self.union_name.trim())
    }
}

/// The unit's weekly deadline for its own units, relative to the parent's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnDeadline {
    /// How many days before the parent's weekly deadline (0–6): 1 = Thursday for a
    /// parent due on Friday.
    pub days_earlier: i64,
    /// The hour on that day; None: the parent's.
    pub due_time: Option<NaiveTime>,
}

impl Default for OwnDeadline {
    fn default() -> Self {
        OwnDeadline { days_earlier: 1, due_time: None }
    }
}

/// What the parent gave the unit: its allocated goal per indicator key, and whether
/// the unit may set a goal below it.
#[derive(Debug, Clone, Default)]
pub struct Given {
    pub allocated: BTreeMap<String, i64>,
    pub lowering_allowed: bool,
}

/// The unit's plan as a draft for the plan editor, built from the parent's: the
/// campaign's dates and theme, the parent's targets with the inherited indicators
/// (the unit's allocated goal for counts, the parent's rate for rates), its own
/// weekly deadline, its own issuing body, no document number yet (its own sequence),
/// a basis citing the parent's plan, and the parent's events the unit hosts. The
/// office then adds its own targets, events and recipients in the editor.
pub fn derive(parent: &PlanEdit, office: &Office, given: &Given, deadline: OwnDeadline) -> PlanEdit {
    let mut plan = parent.clone();
    plan.sources.clear();
    let pc = &parent.campaign;
    let c = &mut plan.campaign;
    c.code = crate::plan::edit::slug(&format!("{} {}", pc.code.trim(), office.unit_code));
    c.superior_body = office.header();
    c.issuing_body = office.issuing_body();
    c.document_number = String::new();
    c.issued_on = String::new();
    c.place = office.place.clone();
    let cited = if pc.document_number.trim().is_empty() {
        String::new()
    } else {
        format!(" số {}", pc.document_number.trim())
    };
    c.basis = format!(
        "Căn cứ {}{} của {} về {}; {} xây dựng kế hoạch thực hiện như sau:",
        pc.document_type.trim().to_lowercase().replace("kế hoạch", "Kế hoạch").trim(),
        cited,
        pc.issuing_body.trim(),
        lower_first(pc.title.trim()),
        office.issuing_body()
    );
    c.signatory_name = String::new();
    c.contact_email = String::new();
    c.contact_phone = String::new();
    c.contact_office = String::new();

    for target in &mut plan.targets {
        for ind in &mut target.indicators {
            ind.origin = format!("inherited:{}", ind.key);
            if ind.kind == "count" {
                ind.goal = given.allocated.get(&ind.key).map(|g| g.to_string()).unwrap_or_default();
            }
        }
        target
            .indicators
            .retain(|i| !i.retired && (i.kind != "count" || given.allocated.get(&i.key).is_some_and(|g| *g > 0)));
    }
    plan.targets.retain(|t| !t.indicators.is_empty());

    // The unit's own units report to it: the level below the unit's.
    plan.reporting.levels = vec!["grassroots".into()];
    plan.reporting.send_to = format!("Văn phòng {}", office.union_name.trim());
    plan.reporting.first_period_end = shift(&parent.reporting.first_period_end, deadline.days_earlier);
    plan.reporting.last_period_end = shift(&parent.reporting.last_period_end, deadline.days_earlier);
    if let Some(t) = deadline.due_time {
        plan.reporting.due_time = t.format("%H:%M").to_string();
    }
    plan.reporting.rule_text = String::new();

    plan.events.retain(|e| e.host_unit.trim() == office.unit_code);
    plan.milestones.retain(|m| m.host_unit.trim() == office.unit_code);
    plan.duties.clear();
    plan.recipients = vec![
        format!("Ban Thường vụ {} (để báo cáo)", parent_union(pc)),
        "Các cơ sở Đoàn trực thuộc".into(),
        "Lưu Văn phòng".into(),
    ];
    plan
}

fn parent_union(pc: &super::edit::CampaignEdit) -> String {
    pc.issuing_body.trim().trim_start_matches("Ban Thường vụ").trim().to_string()
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(f) => f.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

fn shift(day: &str, days_earlier: i64) -> String {
    match super::FileDate::parse(day) {
        Ok(d) => (d.0 - Duration::days(days_earlier.clamp(0, 6))).format("%d/%m/%Y").to_string(),
        Err(_) => day.to_string(),
    }
}

/// Whether an indicator of the unit's plan is inherited from the parent's.
pub fn is_inherited(parent: &Plan, key: &str) -> bool {
    parent.indicator(key).is_some()
}

/// The checks of a unit's plan against its parent's (the plan's own checks run
/// first, in the editor). Every note is an error: the plan cannot be confirmed.
pub fn check(parent: &Plan, given: &Given, unit: &Plan) -> Vec<Note> {
    let mut notes = Vec::new();
    let mut err = |path: Option<String>, vi: String, en: String| notes.push(Note { path, error: true, vi, en });

    for (key, goal) in &given.allocated {
        if *goal <= 0 {
            continue;
        }
        let Some(p) = parent.indicator(key) else { continue };
        if p.retired {
            continue;
        }
        if unit.indicator(key).is_none_or(|i| i.retired) {
            err(
                None,
                format!("Chỉ tiêu “{}” được cấp trên giao {}: phải có trong kế hoạch của đơn vị.", p.label, goal),
                format!(
                    "The goal “{}” ({}) was allocated by the parent: it must be in the unit's plan.",
                    p.label, goal
                ),
            );
        }
    }

    for (t_index, target) in unit.targets.iter().enumerate() {
        for (i_index, ind) in target.indicators.iter().enumerate() {
            let path = Some(format!("targets[{t_index}].indicators[{i_index}]"));
            let Some(p) = parent.indicator(&ind.key) else { continue };
            if let Some(what) = changed_meaning(p, ind) {
                err(
                    path.clone(),
                    format!(
                        "Chỉ tiêu “{}” kế thừa từ kế hoạch cấp trên: không được đổi {} (cấp trên cộng dồn theo đúng cách tính này).",
                        p.label, what.0
                    ),
                    format!(
                        "“{}” is inherited from the parent's plan: its {} cannot change (the parent adds it up this way).",
                        p.label, what.1
                    ),
                );
            }
            if given.lowering_allowed || ind.retired {
                continue;
            }
            let floor = match p.kind {
                IndicatorKind::Count => given.allocated.get(&ind.key).map(|g| *g as f64),
                _ => Some(p.goal),
            };
            if let Some(floor) = floor {
                if ind.goal + 1e-9 < floor {
                    err(
                        path.map(|p| p + ".goal"),
                        format!(
                            "Chỉ tiêu “{}”: mục tiêu {} thấp hơn mức cấp trên giao ({}); chỉ được nâng, không được hạ.",
                            p.label,
                            crate::format::number(ind.goal, 0),
                            crate::format::number(floor, 0)
                        ),
                        format!(
                            "“{}”: the goal {} is below what the parent gave ({}); it may be raised, not lowered.",
                            p.label, ind.goal, floor
                        ),
                    );
                }
            }
        }
    }

    if unit.campaign.starts_on < parent.campaign.starts_on || unit.campaign.ends_on > parent.campaign.ends_on {
        err(
            Some("campaign.starts_on".into()),
            format!(
                "Thời gian của kế hoạch phải nằm trong thời gian của kế hoạch cấp trên ({} – {}).",
                parent.campaign.starts_on.format("%d/%m/%Y"),
                parent.campaign.ends_on.format("%d/%m/%Y")
            ),
            "The plan's dates must lie within the parent plan's.".into(),
        );
    }

    for (own, up) in week_pairs(parent, unit) {
        if own.deadline > up.deadline {
            err(
                Some("reporting.due_time".into()),
                format!(
                    "Hạn báo cáo tuần {} của cơ sở ({}) muộn hơn hạn báo cáo lên cấp trên ({}): đơn vị không kịp tổng hợp.",
                    own.seq,
                    own.deadline.format("%H:%M %d/%m/%Y"),
                    up.deadline.format("%H:%M %d/%m/%Y")
                ),
                format!(
                    "Week {}: the deadline for the unit's own units ({}) is after the deadline to the parent ({}).",
                    own.seq,
                    own.deadline.format("%Y-%m-%d %H:%M"),
                    up.deadline.format("%Y-%m-%d %H:%M")
                ),
            );
        }
    }
    notes
}

fn changed_meaning(parent: &Indicator, unit: &Indicator) -> Option<(&'static str, &'static str)> {
    if parent.kind != unit.kind {
        Some(("cách tính", "kind"))
    } else if parent.comparison != unit.comparison
        && !(parent.comparison == Comparison::AtLeast && unit.comparison == Comparison::MoreThan)
    {
        Some(("cách so sánh với mục tiêu", "comparison"))
    } else if parent.unit_label != unit.unit_label {
        Some(("đơn vị tính", "unit of measure"))
    } else if parent.base != unit.base {
        Some(("số liệu nền", "base figure"))
    } else {
        None
    }
}

/// The unit's weeks matched with the parent's: the unit's week N reports into the
/// parent's week N (the unit's deadline comes first). Weeks beyond the shorter plan
/// are not matched.
pub fn week_pairs(parent: &Plan, unit: &Plan) -> Vec<(crate::period::Period, crate::period::Period)> {
    unit.periods().into_iter().zip(parent.periods()).collect()
}

/// One line of the report up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UpLine {
    pub key: String,
    pub label: String,
    /// The sum over the unit's subtree, in the unit's plan.
    pub from_units: i64,
    /// What the unit's own level did (its own activities), added by the unit.
    pub own_level: i64,
    pub total: i64,
}

/// The unit's report up for one week: for each of the parent's indicators that the
/// unit's plan inherits, the subtree's sum plus the unit's own level. The unit's own
/// indicators are never in it. Lines follow the parent's order.
pub fn report_up(
    parent: &Plan,
    unit: &Plan,
    subtree: &BTreeMap<String, i64>,
    own_level: &BTreeMap<String, i64>,
) -> Vec<UpLine> {
    parent
        .active_indicators()
        .filter(|p| unit.indicator(&p.key).is_some())
        .map(|p| {
            let from_units = subtree.get(&p.key).copied().unwrap_or(0);
            let own = own_level.get(&p.key).copied().unwrap_or(0).max(0);
            UpLine {
                key: p.key.clone(),
                label: p.label.clone(),
                from_units,
                own_level: own,
                total: from_units.saturating_add(own),
            }
        })
        .collect()
}

/// What the unit's subtree did in one week of the unit's plan, per indicator key of
/// that plan, from its consolidated figures: the sum of the values for counts and
/// people reached; the units newly done for shares of units and per-unit minimums (a
/// unit above the expected level answers "how many of your units did it / reached the
/// minimum this week" with that number, `FieldInput::UnitsDone`).
pub fn subtree_week(unit: &Plan, figures: &Figures, seq: i64) -> BTreeMap<String, i64> {
    unit.indicators()
        .enumerate()
        .map(|(i, ind)| {
            let key = match ind.kind {
                IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit => FigureKey::Done(i as u16),
                _ => FigureKey::Value(i as u16),
            };
            (ind.key.clone(), figures.get(&(key, seq)).copied().unwrap_or(0))
        })
        .collect()
}

/// The values of a report up, keyed as the parent's report expects them.
pub fn up_values(lines: &[UpLine]) -> BTreeMap<String, i64> {
    lines.iter().map(|l| (l.key.clone(), l.total)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::parse_plan;

    fn province() -> (PlanEdit, Plan) {
        let text = include_str!("../../../../plans/kien-giang-2023.toml");
        let edit = PlanEdit::from_toml(text).expect("the province's plan reads");
        let plan = parse_plan(text).expect("the province's plan is valid");
        (edit, plan)
    }

    fn an_bien() -> Office {
        Office { unit_code: "908".into(), union_name: "Huyện đoàn An Biên".into(), place: "An Biên".into() }
    }

    fn first_count(plan: &Plan) -> &Indicator {
        plan.active_indicators().find(|i| i.kind == IndicatorKind::Count).expect("a count indicator")
    }

    fn given(key: &str, goal: i64) -> Given {
        Given { allocated: BTreeMap::from([(key.to_string(), goal)]), lowering_allowed: false }
    }

    fn derived(goal: i64) -> (Plan, Given, PlanEdit) {
        let (edit, plan) = province();
        let key = first_count(&plan).key.clone();
        let g = given(&key, goal);
        let mut unit = derive(&edit, &an_bien(), &g, OwnDeadline::default());
        unit.campaign.document_number = "12-KH/HĐTN".into();
        unit.campaign.signatory_name = "Nguyễn Văn A".into();
        unit.campaign.contact_office = "Văn phòng Huyện đoàn".into();
        (plan, g, unit)
    }

    fn checked(edit: &PlanEdit) -> Plan {
        let c = edit.check();
        let errors: Vec<_> = c.notes.iter().filter(|n| n.error).map(|n| n.vi.clone()).collect();
        c.plan.unwrap_or_else(|| panic!("the unit's plan does not check: {errors:?}"))
    }

    #[test]
    fn the_derived_plan_inherits_the_allocated_goal_in_the_units_own_name_and_checks() {
        let (parent, g, edit) = derived(120);
        let unit = checked(&edit);
        let key = first_count(&parent).key.clone();
        assert_eq!(unit.indicator(&key).map(|i| i.goal), Some(120.0));
        assert_eq!(unit.campaign.issuing_body, "Ban Thường vụ Huyện đoàn An Biên");
        assert_eq!(unit.campaign.superior_body.as_deref(), Some("BCH ĐOÀN HUYỆN AN BIÊN"));
        assert!(unit.campaign.basis.as_deref().unwrap_or("").contains("Ban Thường vụ Tỉnh đoàn Kiên Giang"));
        assert_ne!(unit.campaign.code, parent.campaign.code);
        // Counts not allocated to the unit are not in its plan; rates are, at the parent's rate.
        for ind in unit.indicators() {
            let p = parent.indicator(&ind.key).expect("inherited");
            if p.kind == IndicatorKind::Count {
                assert_eq!(ind.key, key);
            } else {
                assert_eq!(ind.goal, p.goal);
            }
        }
        assert!(check(&parent, &g, &unit).is_empty(), "{:?}", check(&parent, &g, &unit));
    }

    #[test]
    fn the_units_own_deadline_is_thursday_before_the_provinces_friday() {
        let (parent, _, edit) = derived(120);
        let unit = checked(&edit);
        let pairs = week_pairs(&parent, &unit);
        assert_eq!(pairs.len(), parent.periods().len());
        for (own, up) in pairs {
            assert_eq!(own.deadline + Duration::days(1), up.deadline);
            assert_eq!(own.end.format("%a").to_string(), "Thu");
        }
    }

    #[test]
    fn a_goal_may_be_raised_but_not_lowered_unless_the_parent_allows_it() {
        let (parent, g, mut edit) = derived(120);
        let key = first_count(&parent).key.clone();
        let set_goal = |edit: &mut PlanEdit, v: &str| {
            for t in &mut edit.targets {
                for i in &mut t.indicators {
                    if i.key == key {
                        i.goal = v.into();
                    }
                }
            }
        };
        set_goal(&mut edit, "150");
        assert!(check(&parent, &g, &checked(&edit)).is_empty());
        set_goal(&mut edit, "100");
        let notes = check(&parent, &g, &checked(&edit));
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].vi.contains("chỉ được nâng, không được hạ"), "{}", notes[0].vi);
        assert!(notes[0].path.as_deref().is_some_and(|p| p.ends_with(".goal")));
        let allowed = Given { lowering_allowed: true, ..g };
        assert!(check(&parent, &allowed, &checked(&edit)).is_empty());
    }

    #[test]
    fn an_allocated_goal_cannot_be_dropped_nor_its_meaning_changed() {
        let (parent, g, mut edit) = derived(120);
        let key = first_count(&parent).key.clone();
        for t in &mut edit.targets {
            for i in &mut t.indicators {
                if i.key == key {
                    i.unit_label = "lượt".into();
                }
            }
        }
        let notes = check(&parent, &g, &checked(&edit));
        assert!(notes.iter().any(|n| n.vi.contains("không được đổi đơn vị tính")), "{notes:?}");

        for t in &mut edit.targets {
            t.indicators.retain(|i| i.key != key);
        }
        edit.targets.retain(|t| !t.indicators.is_empty());
        let notes = check(&parent, &g, &checked(&edit));
        assert!(notes.iter().any(|n| n.vi.contains("phải có trong kế hoạch của đơn vị")), "{notes:?}");
    }

    #[test]
    fn a_deadline_after_the_parents_is_refused() {
        let (parent, g, mut edit) = derived(120);
        edit.reporting.first_period_end = parent.reporting.weekly.first_period_end.format("%d/%m/%Y").to_string();
        edit.reporting.last_period_end = parent.reporting.weekly.last_period_end.format("%d/%m/%Y").to_string();
        edit.reporting.due_time = "17:00".into();
        let notes = check(&parent, &g, &checked(&edit));
        assert_eq!(notes.len(), parent.periods().len(), "{notes:?}");
        assert!(notes[0].vi.contains("không kịp tổng hợp"));
    }

    #[test]
    fn the_report_up_sums_the_subtree_adds_the_units_own_level_and_leaves_own_indicators_out() {
        let (parent, _, mut edit) = derived(120);
        let key = first_count(&parent).key.clone();
        let mut own = edit.targets[0].indicators[0].clone();
        own.key = "an_bien_cay_xanh".into();
        own.label = "Cây xanh trồng tại các tuyến đường của huyện".into();
        own.kind = "count".into();
        own.goal = "500".into();
        own.unit_label = "cây".into();
        own.base = String::new();
        own.origin = String::new();
        edit.targets[0].indicators.push(own);
        let unit = checked(&edit);
        assert!(!is_inherited(&parent, "an_bien_cay_xanh"));
        assert!(is_inherited(&parent, &key));

        let subtree = BTreeMap::from([(key.clone(), 40 + 35 + 25), ("an_bien_cay_xanh".to_string(), 320)]);
        let own_level = BTreeMap::from([(key.clone(), 7)]);
        let lines = report_up(&parent, &unit, &subtree, &own_level);
        let line = lines.iter().find(|l| l.key == key).expect("the inherited line");
        assert_eq!((line.from_units, line.own_level, line.total), (100, 7, 107));
        let values = up_values(&lines);
        assert!(!values.contains_key("an_bien_cay_xanh"), "an own indicator never reaches the province");
        assert_eq!(values.get(&key), Some(&107));
    }

    #[test]
    fn a_week_of_the_subtree_reads_values_and_units_done_by_kind() {
        let (_, _, edit) = derived(120);
        let unit = checked(&edit);
        let mut figures = Figures::default();
        for i in 0..unit.indicators().count() as u16 {
            figures.insert((FigureKey::Value(i), 2), 10 + i64::from(i));
            figures.insert((FigureKey::Done(i), 2), 3);
            figures.insert((FigureKey::Value(i), 1), 1000);
        }
        let week = subtree_week(&unit, &figures, 2);
        for (i, ind) in unit.indicators().enumerate() {
            let units_done = matches!(ind.kind, IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit);
            let want = if units_done { 3 } else { 10 + i as i64 };
            assert_eq!(week.get(&ind.key), Some(&want), "{}", ind.key);
        }
    }

    #[test]
    fn headers_follow_the_unions_name() {
        let o = |n: &str| Office { unit_code: "x".into(), union_name: n.into(), place: String::new() };
        assert_eq!(o("Thành đoàn Rạch Giá").header(), "BCH ĐOÀN THÀNH PHỐ RẠCH GIÁ");
        assert_eq!(o("Đoàn xã Phi Thông").header(), "BCH ĐOÀN XÃ PHI THÔNG");
        assert_eq!(o("Tỉnh đoàn Kiên Giang").header(), "BCH ĐOÀN TỈNH KIÊN GIANG");
        assert_eq!(Office::of_unit("908", "Huyện đoàn An Biên").place, "An Biên");
        assert_eq!(Office::of_unit("1", "Đoàn xã Phi Thông").place, "Phi Thông");
        assert_eq!(Office::of_unit("1", "Đoàn xã Phi Thông").issuing_body(), "Ban Thường vụ Đoàn xã Phi Thông");
    }
}
