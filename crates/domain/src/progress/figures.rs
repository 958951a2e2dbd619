//! Consolidated figures as sums. Every figure a progress page shows for a subtree
//! (people reached, units that did a thing, base figures, expected units, reports on
//! time) is a sum over the units of the subtree of what each unit contributes. So a
//! unit's contribution is computed from its own facts and reports alone, and the
//! subtree's figures are kept up to date by adding the difference of one unit's
//! contribution (before and after a change) to its ancestors.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::plan::{IndicatorKind, Level, Plan};
use crate::progress::Totals;
use crate::unit::{BaseFigure, UnitKind};

/// What a figure counts. `Value`, `Done`, `OnTime`, `Late` are kept per weekly
/// period; the others belong to period 0 (they do not change with time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// Reporting units.
    Reporting,
    /// Units the indicator (by index in the plan) expects.
    Expect(u16),
    /// Σ of a base figure over the reporting units that have it.
    Base(BaseFigure),
    /// Reporting units that have the base figure.
    BaseKnown(BaseFigure),
    /// Σ of the counted values of an indicator in a period.
    Value(u16),
    /// Units done (share and minimum kinds) added in a period.
    Done(u16),
    /// Percent of base: Σ of the counted values of an indicator in a period from the
    /// reporting units that have its base figure (the ratio's numerator).
    Covered(u16),
    /// First submissions on time in a period.
    OnTime,
    /// First submissions after the deadline in a period.
    Late,
}

/// A figure: what it counts, and the weekly period (0 for the timeless ones).
pub type FigureKey = (Key, i64);
/// A set of figures; absent means 0. Hashed with FxHash: a dashboard's children and
/// every submission's sums go through these maps, and SipHash was a tenth of the
/// national ranking's time (#24); the keys are small numbers of the plan's figures.
pub type Figures = HashMap<FigureKey, i64, rustc_hash::FxBuildHasher>;

/// What a unit is, as far as figures go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitFacts {
    pub level: Option<Level>,
    pub kind: Option<UnitKind>,
    pub active: bool,
}

/// A unit's own weekly reports: the counted values (submitted or accepted) by
/// period and indicator key, and the timeliness of each first submission.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OwnReports {
    pub values: BTreeMap<(i64, String), i64>,
    /// period → first submission on time.
    pub first_on_time: BTreeMap<i64, bool>,
}

/// The indicator keys of a plan in order, for naming figures.
#[derive(Debug, Clone)]
pub struct KeyNames {
    names: Vec<String>,
    index: HashMap<String, u16, rustc_hash::FxBuildHasher>,
}

impl KeyNames {
    pub fn new(plan: &Plan) -> Self {
        let names: Vec<String> = plan.indicators().map(|i| i.key.clone()).collect();
        let index = names.iter().enumerate().map(|(i, k)| (k.clone(), i as u16)).collect();
        KeyNames { names, index }
    }

    pub fn index_of(&self, indicator_key: &str) -> Option<u16> {
        self.index.get(indicator_key).copied()
    }

    /// The stored name of a figure ("v:15a", "base:doan_vien", "reporting").
    pub fn name(&self, key: Key) -> String {
        let ind = |i: u16| self.names.get(usize::from(i)).map(String::as_str).unwrap_or("?");
        match key {
            Key::Reporting => "reporting".into(),
            Key::Expect(i) => format!("e:{}", ind(i)),
            Key::Base(f) => format!("base:{}", f.as_str()),
            Key::BaseKnown(f) => format!("known:{}", f.as_str()),
            Key::Value(i) => format!("v:{}", ind(i)),
            Key::Done(i) => format!("d:{}", ind(i)),
            Key::Covered(i) => format!("c:{}", ind(i)),
            Key::OnTime => "on_time".into(),
            Key::Late => "late".into(),
        }
    }

    /// The figure a stored name means; None for a name this plan does not know.
    pub fn parse(&self, name: &str) -> Option<Key> {
        match name {
            "reporting" => return Some(Key::Reporting),
            "on_time" => return Some(Key::OnTime),
            "late" => return Some(Key::Late),
            _ => {}
        }
        let (prefix, rest) = name.split_once(':')?;
        match prefix {
            "e" => self.index_of(rest).map(Key::Expect),
            "v" => self.index_of(rest).map(Key::Value),
            "d" => self.index_of(rest).map(Key::Done),
            "c" => self.index_of(rest).map(Key::Covered),
            "base" => BaseFigure::parse(rest).map(Key::Base),
            "known" => BaseFigure::parse(rest).map(Key::BaseKnown),
            _ => None,
        }
    }
}

fn is_reporting(plan: &Plan, facts: &UnitFacts) -> bool {
    facts.active && facts.level.is_some_and(|l| plan.reporting.levels.contains(&l))
}

/// What a unit contributes that does not depend on reports: whether it reports,
/// which indicators expect it, its base figures.
pub fn structure_figures(plan: &Plan, facts: &UnitFacts, bases: &BTreeMap<BaseFigure, i64>) -> Figures {
    let mut out = Figures::default();
    if !facts.active {
        return out;
    }
    let (Some(level), Some(kind)) = (facts.level, facts.kind) else {
        return out;
    };
    for (i, ind) in plan.indicators().enumerate() {
        if ind.expects(level, kind) {
            out.insert((Key::Expect(i as u16), 0), 1);
        }
    }
    if is_reporting(plan, facts) {
        out.insert((Key::Reporting, 0), 1);
        for (figure, value) in bases {
            out.insert((Key::Base(*figure), 0), *value);
            out.insert((Key::BaseKnown(*figure), 0), 1);
        }
    }
    out
}

/// Whether a unit's contribution depends on the running total of its reports (a
/// per-unit minimum it must reach), not on each report alone.
pub fn depends_on_history(plan: &Plan, facts: &UnitFacts) -> bool {
    let (Some(level), Some(kind)) = (facts.level, facts.kind) else {
        return false;
    };
    is_reporting(plan, facts)
        && plan.indicators().any(|i| i.kind == IndicatorKind::MinimumPerUnit && i.expects(level, kind))
}

/// What a unit's own weekly reports contribute.
pub fn report_figures(plan: &Plan, facts: &UnitFacts, own: &OwnReports) -> Figures {
    let mut out = Figures::default();
    if !facts.active {
        return out;
    }
    let names = plan.indicators().map(|i| i.key.as_str());
    let index: HashMap<&str, u16> = names.enumerate().map(|(i, k)| (k, i as u16)).collect();
    for ((seq, key), value) in &own.values {
        if let Some(&i) = index.get(key.as_str()) {
            *out.entry((Key::Value(i), *seq)).or_default() += *value;
        }
    }
    let reporting = is_reporting(plan, facts);
    if reporting {
        for (seq, on_time) in &own.first_on_time {
            out.insert((if *on_time { Key::OnTime } else { Key::Late }, *seq), 1);
        }
    }
    let (Some(level), Some(kind)) = (facts.level, facts.kind) else {
        return out;
    };
    let last_seq = own.values.keys().map(|(s, _)| *s).max().unwrap_or(0);
    for (i, ind) in plan.indicators().enumerate() {
        let i = i as u16;
        let per_period = |seq: i64| out.get(&(Key::Value(i), seq)).copied().unwrap_or(0);
        let mut done = Vec::new();
        match ind.kind {
            IndicatorKind::MinimumPerUnit if reporting && ind.expects(level, kind) => {
                // Done from the period the running total reaches the minimum; written
                // as differences so that the sum over periods 0..=p tells whether it
                // is reached at p.
                let minimum = ind.per_unit_minimum.unwrap_or(1.0);
                let mut running = 0i64;
                let mut reached_before = (running as f64) >= minimum;
                if reached_before {
                    done.push((0, 1));
                }
                for seq in 1..=last_seq {
                    running += per_period(seq);
                    let reached = (running as f64) >= minimum;
                    if reached != reached_before {
                        done.push((seq, if reached { 1 } else { -1 }));
                    }
                    reached_before = reached;
                }
            }
            kind if counts_units_done(kind) => {
                for seq in 0..=last_seq {
                    let v = per_period(seq);
                    if v != 0 {
                        done.push((seq, v));
                    }
                }
            }
            _ => {}
        }
        for (seq, d) in done {
            out.insert((Key::Done(i), seq), d);
        }
    }
    out
}

/// Whether an indicator counts units done (shares of units, per-unit minimums). For a
/// unit whose figures do not depend on its history, its units done in a period are
/// its value.
pub fn counts_units_done(kind: IndicatorKind) -> bool {
    matches!(kind, IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit)
}

/// What a unit's own weekly reports contribute to the numerators of the
/// percent-of-base indicators whose base figure the unit has (`known`): a reporting
/// unit's people count against a base only when the unit has that base.
pub fn covered_figures(plan: &Plan, facts: &UnitFacts, known: &BTreeSet<BaseFigure>, own: &OwnReports) -> Figures {
    let mut out = Figures::default();
    if !facts.active || !is_reporting(plan, facts) || known.is_empty() {
        return out;
    }
    let index: HashMap<&str, u16> = plan
        .indicators()
        .enumerate()
        .filter(|(_, ind)| ind.kind == IndicatorKind::PercentOfBase && ind.base.is_some_and(|b| known.contains(&b)))
        .map(|(i, ind)| (ind.key.as_str(), i as u16))
        .collect();
    for ((seq, key), value) in &own.values {
        if let Some(&i) = index.get(key.as_str()) {
            *out.entry((Key::Covered(i), *seq)).or_default() += *value;
        }
    }
    out.retain(|_, v| *v != 0);
    out
}

/// The indicator indexes whose numerator a unit with these base figures covers,
/// per base figure (for summing many units' reports at once).
pub fn covered_indicators(plan: &Plan, figure: BaseFigure) -> Vec<u16> {
    plan.indicators()
        .enumerate()
        .filter(|(_, ind)| ind.kind == IndicatorKind::PercentOfBase && ind.base == Some(figure))
        .map(|(i, _)| i as u16)
        .collect()
}

/// A unit's report figures together with their covered part (see [`covered_figures`]).
pub fn report_and_covered_figures(
    plan: &Plan,
    facts: &UnitFacts,
    known: &BTreeSet<BaseFigure>,
    own: &OwnReports,
) -> Figures {
    let mut out = report_figures(plan, facts, own);
    add(&mut out, &covered_figures(plan, facts, known, own), 1);
    out
}

/// A unit's whole contribution.
pub fn unit_figures(plan: &Plan, facts: &UnitFacts, bases: &BTreeMap<BaseFigure, i64>, own: &OwnReports) -> Figures {
    let mut out = structure_figures(plan, facts, bases);
    let known: BTreeSet<BaseFigure> = bases.keys().copied().collect();
    add(&mut out, &report_and_covered_figures(plan, facts, &known, own), 1);
    out
}

/// `into += sign × from`, dropping figures that become 0.
pub fn add(into: &mut Figures, from: &Figures, sign: i64) {
    for (key, value) in from {
        let entry = into.entry(*key).or_default();
        *entry += sign * value;
        if *entry == 0 {
            into.remove(key);
        }
    }
}

/// `after − before`, without zeros.
pub fn difference(after: &Figures, before: &Figures) -> Figures {
    let mut out = after.clone();
    add(&mut out, before, -1);
    out
}

fn sum_upto(figures: &Figures, key: Key, upto: i64) -> i64 {
    (0..=upto).map(|seq| figures.get(&(key, seq)).copied().unwrap_or(0)).sum()
}

/// The totals an indicator is judged on, over weekly periods 1..=upto.
pub fn totals(plan: &Plan, indicator: usize, figures: &Figures, upto: i64) -> Totals {
    match plan.indicators().nth(indicator) {
        Some(ind) => totals_of(ind, indicator, figures, upto),
        None => Totals::default(),
    }
}

/// [`totals`] of the plan's indicator `ind`, at position `indicator` in the plan.
pub fn totals_of(ind: &crate::plan::Indicator, indicator: usize, figures: &Figures, upto: i64) -> Totals {
    let i = indicator as u16;
    let expected_units = figures.get(&(Key::Expect(i), 0)).copied().unwrap_or(0);
    let base_sum = match (ind.kind, ind.base) {
        (IndicatorKind::PercentOfBase, Some(b)) if figures.get(&(Key::BaseKnown(b), 0)).copied().unwrap_or(0) > 0 => {
            Some(figures.get(&(Key::Base(b), 0)).copied().unwrap_or(0))
        }
        _ => None,
    };
    let units_done = match ind.kind {
        IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit => {
            sum_upto(figures, Key::Done(i), upto).min(expected_units.max(0))
        }
        _ => 0,
    };
    let (covered, base_units) = match (ind.kind, ind.base) {
        (IndicatorKind::PercentOfBase, Some(b)) => {
            (sum_upto(figures, Key::Covered(i), upto), figures.get(&(Key::BaseKnown(b), 0)).copied().unwrap_or(0))
        }
        _ => (0, 0),
    };
    Totals {
        sum: sum_upto(figures, Key::Value(i), upto),
        base_sum,
        expected_units,
        units_done,
        covered,
        base_units,
        reporting_units: figures.get(&(Key::Reporting, 0)).copied().unwrap_or(0),
        base_marked_complete: false,
        tree_gaps: None,
    }
}

/// Units done of a share or minimum indicator as reported over periods 1..=upto,
/// before capping at the units the tree expects.
pub fn units_done_reported(indicator: usize, figures: &Figures, upto: i64) -> i64 {
    sum_upto(figures, Key::Done(indicator as u16), upto)
}

/// The running total of an indicator at the end of each period 1..=upto.
pub fn series(indicator: usize, figures: &Figures, upto: i64) -> Vec<i64> {
    let i = indicator as u16;
    let mut running = figures.get(&(Key::Value(i), 0)).copied().unwrap_or(0);
    (1..=upto)
        .map(|seq| {
            running += figures.get(&(Key::Value(i), seq)).copied().unwrap_or(0);
            running
        })
        .collect()
}

/// Reporting units, and first submissions on time and late, in one period.
pub fn timeliness(figures: &Figures, seq: i64) -> (i64, i64, i64) {
    let get = |k: Key, s: i64| figures.get(&(k, s)).copied().unwrap_or(0);
    (get(Key::Reporting, 0), get(Key::OnTime, seq), get(Key::Late, seq))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;

    fn plan() -> Plan {
        crate::plan::parse_plan(builtin::PLAN_TOML).expect("built-in plan")
    }

    fn district() -> UnitFacts {
        UnitFacts { level: Some(Level::District), kind: Some(UnitKind::District), active: true }
    }

    #[test]
    fn names_round_trip() {
        let plan = plan();
        let names = KeyNames::new(&plan);
        for key in [
            Key::Reporting,
            Key::Expect(3),
            Key::Base(BaseFigure::DoanVien),
            Key::Value(0),
            Key::Done(25),
            Key::Covered(0),
        ] {
            assert_eq!(names.parse(&names.name(key)), Some(key), "{key:?}");
        }
        assert_eq!(names.parse("v:no-such-indicator"), None);
    }

    #[test]
    fn an_inactive_unit_contributes_nothing() {
        let plan = plan();
        let mut own = OwnReports::default();
        own.values.insert((1, plan.indicators().next().expect("one").key.clone()), 5);
        own.first_on_time.insert(1, true);
        let facts = UnitFacts { active: false, ..district() };
        let bases = BTreeMap::from([(BaseFigure::DoanVien, 100)]);
        assert!(unit_figures(&plan, &facts, &bases, &own).is_empty());
        assert!(!unit_figures(&plan, &district(), &bases, &own).is_empty());
    }

    #[test]
    fn a_minimum_counts_from_the_period_it_is_reached() {
        let plan = plan();
        let Some((idx, ind)) = plan
            .indicators()
            .enumerate()
            .find(|(_, i)| i.kind == IndicatorKind::MinimumPerUnit && i.levels.contains(&Level::District))
        else {
            return; // the built-in plan has none at district level: nothing to check
        };
        let minimum = ind.per_unit_minimum.unwrap_or(1.0).ceil() as i64;
        let mut own = OwnReports::default();
        own.values.insert((1, ind.key.clone()), minimum - 1);
        own.values.insert((3, ind.key.clone()), 1);
        let f = report_figures(&plan, &district(), &own);
        let facts = structure_figures(&plan, &district(), &BTreeMap::new());
        let mut all = facts.clone();
        add(&mut all, &f, 1);
        assert_eq!(totals(&plan, idx, &all, 2).units_done, 0);
        assert_eq!(totals(&plan, idx, &all, 3).units_done, 1);
    }

    #[test]
    fn people_count_against_a_base_only_where_the_unit_has_it() {
        // Indicator 1 is measured against đoàn viên, 2b against thanh niên.
        let plan = plan();
        let names = KeyNames::new(&plan);
        let (one, young) = (names.index_of("1").expect("1"), names.index_of("2b").expect("2b"));
        let mut own = OwnReports::default();
        own.values.insert((1, "1".into()), 900);
        own.values.insert((1, "2b".into()), 40);
        own.values.insert((2, "1".into()), 50);
        let with_members = BTreeMap::from([(BaseFigure::DoanVien, 1000)]);
        let f = unit_figures(&plan, &district(), &with_members, &own);
        assert_eq!(f.get(&(Key::Covered(one), 1)), Some(&900));
        assert_eq!(f.get(&(Key::Covered(one), 2)), Some(&50));
        assert_eq!(f.get(&(Key::Covered(young), 1)), None, "no thanh niên figure: not covered");
        assert_eq!(f.get(&(Key::Value(young), 1)), Some(&40), "still counted as reached");
        // Without the base figure nothing is covered; a non-reporting unit covers nothing.
        assert!(!unit_figures(&plan, &district(), &BTreeMap::new(), &own)
            .keys()
            .any(|(k, _)| matches!(k, Key::Covered(_))));
        let commune = UnitFacts { level: Some(Level::Grassroots), kind: Some(UnitKind::Commune), active: true };
        assert!(covered_figures(&plan, &commune, &BTreeSet::from([BaseFigure::DoanVien]), &own).is_empty());
        // The totals: numerator over the covered people, coverage over reporting units.
        let mut province = f.clone();
        add(&mut province, &structure_figures(&plan, &district(), &BTreeMap::new()), 1);
        add(&mut province, &report_figures(&plan, &district(), &own), 1);
        let t = totals(&plan, usize::from(one), &province, 5);
        assert_eq!((t.sum, t.covered, t.base_sum, t.base_units, t.reporting_units), (1_900, 950, Some(1_000), 1, 2));
    }

    #[test]
    fn difference_then_add_gives_the_new_figures() {
        let plan = plan();
        let key = plan.indicators().next().expect("one").key.clone();
        let mut before = OwnReports::default();
        before.values.insert((1, key.clone()), 10);
        let mut after = before.clone();
        after.values.insert((2, key), 7);
        after.first_on_time.insert(2, false);
        let b = report_figures(&plan, &district(), &before);
        let a = report_figures(&plan, &district(), &after);
        let mut kept = b.clone();
        add(&mut kept, &difference(&a, &b), 1);
        assert_eq!(kept, a);
        assert_eq!(series(0, &a, 3), vec![10, 17, 17]);
        assert_eq!(timeliness(&a, 2), (0, 0, 1));
    }
}
