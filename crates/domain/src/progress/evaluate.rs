//! The status of one indicator over a unit's subtree: achieved vs goal, and the
//! verdict a summary writes ("đạt", "vượt", "chưa đạt"), or why there is none
//! ("chưa có số liệu nền", "chưa đủ số liệu nền").
//!
//! Every figure is computed from whole numbers with exact ratios; the one rounding
//! is [`crate::format::Percent`]'s.

use serde::Serialize;

use crate::format::{Percent, Ratio};
use crate::plan::{Comparison, Indicator, IndicatorKind};

/// Met, exceeded or not met, as Đoàn summaries say it; or no verdict because the
/// base figures the indicator is measured against are missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// "đạt": the goal is met (exactly, or above a "trên" goal).
    Met,
    /// "vượt": above an "ít nhất"/plain goal.
    Exceeded,
    /// "chưa đạt".
    NotMet,
    /// "chưa có số liệu nền": no unit of the subtree has the base figure.
    NoBase,
    /// "chưa đủ số liệu nền": some units of the subtree have the base figure, not all,
    /// and the office has not marked the base complete.
    InsufficientBase,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Exceeded => "exceeded",
            Verdict::NotMet => "not_met",
            Verdict::NoBase => "no_base",
            Verdict::InsufficientBase => "insufficient_base",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Verdict::Met => "đạt",
            Verdict::Exceeded => "vượt",
            Verdict::NotMet => "chưa đạt",
            Verdict::NoBase => "chưa có số liệu nền",
            Verdict::InsufficientBase => "chưa đủ số liệu nền",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Exceeded => "exceeded",
            Verdict::NotMet => "not met",
            Verdict::NoBase => "no base figure",
            Verdict::InsufficientBase => "insufficient base",
        }
    }

    /// A verdict on the goal (đạt, vượt, chưa đạt), not a lack of data.
    pub fn is_judged(self) -> bool {
        matches!(self, Verdict::Met | Verdict::Exceeded | Verdict::NotMet)
    }
}

/// One vocabulary for "đạt X%", defined once: a percentage indicator's result is its
/// "tỉ lệ thực hiện" (the share of its base, or of its units, reached); "so với chỉ
/// tiêu" is the result divided by the goal (for counts, the completion).
pub const SHARE_VI: &str = "tỉ lệ thực hiện";
pub const SHARE_EN: &str = "share reached";
pub const COMPLETION_VI: &str = "so với chỉ tiêu";
pub const COMPLETION_EN: &str = "of the goal";

/// The words a status string ("met", "insufficient_base", "no_goal", …) reads as.
pub fn status_label_vi(status: &str) -> &'static str {
    match status {
        "met" => "đạt",
        "exceeded" => "vượt",
        "not_met" => "chưa đạt",
        "no_base" => "chưa có số liệu nền",
        "insufficient_base" => "chưa đủ số liệu nền",
        _ => "chưa giao chỉ tiêu",
    }
}

/// The same in English.
pub fn status_label_en(status: &str) -> &'static str {
    match status {
        "met" => "met",
        "exceeded" => "exceeded",
        "not_met" => "not met",
        "no_base" => "no base figure",
        "insufficient_base" => "insufficient base",
        _ => "no allocated goal",
    }
}

/// The status as a table cell or badge reads it, capitalised ("Chưa đủ số liệu nền",
/// "Insufficient base"): the one wording of the dashboard, the API's labels and the
/// documents.
pub fn status_title(status: &str, vi: bool) -> String {
    let words = if vi { status_label_vi(status) } else { status_label_en(status) };
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What was reported over a unit's subtree for one indicator, summed by hand or
/// by [`super::Tree`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Σ reported values (counts, people reached) over the subtree.
    pub sum: i64,
    /// Σ of the indicator's base figure over the units of the subtree that have it;
    /// `None` when no unit has it.
    pub base_sum: Option<i64>,
    /// Units of the subtree the indicator expects (share and minimum kinds).
    pub expected_units: i64,
    /// Expected units that did the yes/no thing, or met the minimum.
    pub units_done: i64,
    /// Percent of base: Σ reported values of the reporting units that have the base
    /// figure (the numerator; the others' people have nothing to be divided by).
    pub covered: i64,
    /// Percent of base: reporting units of the subtree that have the base figure.
    pub base_units: i64,
    /// Reporting units of the subtree (those a base figure is expected from).
    pub reporting_units: i64,
    /// The office marked this base figure complete: units without it have none.
    pub base_marked_complete: bool,
    /// Share and minimum kinds, when the reporting units' own subtrees were read:
    /// (reporting units, those that reported more units done than their subtree has
    /// expected units — units missing from the tree —, the units done they reported).
    pub tree_gaps: Option<(i64, i64, i64)>,
}

/// How much of a subtree's base figure is known (percent-of-base indicators).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Reporting units that have the base figure.
    pub units_with_base: i64,
    /// Reporting units of the subtree.
    pub units_expected: i64,
    /// People counted by units without the base figure (left out of the ratio).
    pub people_without_base: i64,
    /// Every expected unit has the base figure.
    pub complete: bool,
    /// The office marked the base figure complete.
    pub marked_complete: bool,
    /// Share and minimum kinds: the "base" is the unit tree itself (reporting units
    /// whose units the tree holds; units done reported beyond them).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub of_units: bool,
}

impl Coverage {
    /// The ratio may be judged: every unit has its base, or the office said so.
    pub fn sufficient(&self) -> bool {
        self.complete || self.marked_complete
    }

    /// "1/15 đơn vị có số liệu nền; 12.300 người ở đơn vị chưa có số liệu nền không được tính".
    pub fn text_vi(&self) -> String {
        if self.of_units {
            return format!(
                "{}/{} đơn vị có đủ đơn vị trực thuộc trong cây đơn vị; {} đơn vị đã thực hiện do đơn vị khác báo cáo không có trong cây, không được tính",
                self.units_with_base,
                self.units_expected,
                crate::format::integer(self.people_without_base)
            );
        }
        let mut out = format!("{}/{} đơn vị có số liệu nền", self.units_with_base, self.units_expected);
        if self.people_without_base > 0 {
            out.push_str(&format!(
                "; {} người ở đơn vị chưa có số liệu nền không được tính",
                crate::format::integer(self.people_without_base)
            ));
        }
        if self.marked_complete && !self.complete {
            out.push_str("; văn phòng đã xác nhận số liệu nền đủ");
        }
        out
    }

    pub fn text_en(&self) -> String {
        if self.of_units {
            return format!(
                "{}/{} units have all their units in the unit tree; {} units done reported by the others are not in the tree and not counted",
                self.units_with_base, self.units_expected, self.people_without_base
            );
        }
        let mut out = format!("{}/{} units have the base figure", self.units_with_base, self.units_expected);
        if self.people_without_base > 0 {
            out.push_str(&format!("; {} people in units without it not counted", self.people_without_base));
        }
        if self.marked_complete && !self.complete {
            out.push_str("; the office marked the base complete");
        }
        out
    }
}

/// Why no completion ratio can be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// The goal is 0 (e.g. a unit that was allocated nothing).
    ZeroGoal,
    /// A percent-of-base indicator, and no unit of the subtree has the base figure
    /// (or it adds up to 0).
    NoBaseFigure,
    /// A percent-of-base indicator whose base figure only some units of the subtree have.
    PartialBase,
    /// A share or minimum indicator that expects no unit in this subtree.
    NoExpectedUnits,
}

impl Missing {
    pub fn label_vi(self) -> &'static str {
        match self {
            Missing::ZeroGoal => "không có chỉ tiêu được giao",
            Missing::NoBaseFigure => "chưa có số liệu nền",
            Missing::PartialBase => "chưa đủ số liệu nền",
            Missing::NoExpectedUnits => "không có đơn vị phải thực hiện",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Missing::ZeroGoal => "no goal allocated",
            Missing::NoBaseFigure => "no base figure",
            Missing::PartialBase => "insufficient base",
            Missing::NoExpectedUnits => "no unit is expected to do it",
        }
    }
}

/// Achieved vs goal for one indicator over one subtree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    /// The goal it is judged against: a count, or a percentage (0–100).
    pub goal: f64,
    /// What was achieved, in the same unit as the goal (for percent of base: over
    /// the units that have the base figure).
    pub achieved: f64,
    /// achieved ÷ goal (1.0 = 100%); `None` when it cannot be computed (see `missing`).
    pub ratio: Option<f64>,
    pub verdict: Verdict,
    /// Whether `goal` and `achieved` are percentages (every kind but count).
    pub percent: bool,
    /// Why `ratio` is `None`, if it is.
    pub missing: Option<Missing>,
    /// The share achieved, rounded (percentage kinds with something to divide by).
    pub achieved_percent: Option<Percent>,
    /// achieved ÷ goal in percent, rounded ("so với chỉ tiêu"); None with `ratio`.
    pub completion: Option<Percent>,
    /// The percentage a summary shows beside the verdict: the completion for counts,
    /// the share achieved for the percentage kinds; never shown as reaching a goal
    /// that is not met. None when there is no verdict to show it with.
    pub shown: Option<Percent>,
    /// Percent of base: how much of the base figure is known.
    pub coverage: Option<Coverage>,
}

/// The progress of `indicator` given the subtree's `totals`, judged against `goal`
/// (a unit's allocation for a count, or the plan's goal at the top; for the other
/// kinds the plan's percentage, which applies to every unit as it is).
///
/// - count: achieved = Σ reported; ratio = achieved ÷ goal.
/// - percent of base: achieved = 100 × Σ reached ÷ Σ base, both over the reporting
///   units that have the base figure only. With no such unit: "chưa có số liệu
///   nền", no ratio. With some but not all of them (and the office has not marked
///   the base complete): "chưa đủ số liệu nền", no ratio; the coverage says how many.
/// - share of units and minimum per unit: achieved = 100 × units done ÷ units
///   expected; with no expected unit, achieved is 0, ratio is `None` and `missing`
///   says so (such a subtree has nothing to show for this indicator).
///
/// The verdict follows the plan's comparison, on exact ratios: "chưa đạt" unless the
/// goal is met; for "ít nhất"/plain goals (≥) above the goal is "vượt" and exactly
/// the goal "đạt"; for "trên" (>) a met goal is "đạt". A goal of 0 gives no ratio.
pub fn evaluate(indicator: &Indicator, goal: f64, totals: &Totals) -> Progress {
    evaluate_exact(indicator, goal, exact_goal(goal), totals)
}

/// The exact decimal a goal is judged against ([`evaluate`] reads it from the f64
/// each time; a caller judging many subtrees against the same goals reads it once).
pub fn exact_goal(goal: f64) -> Ratio {
    Ratio::decimal(goal).unwrap_or(Ratio::whole(0))
}

/// [`evaluate`] with the goal's exact decimal already read (`exact_goal(goal)`): the
/// same computation, without reading the goal's decimal again — the path of the
/// dashboard's children and the ranking, which judge 700 subtrees × 26 indicators.
pub fn evaluate_exact(indicator: &Indicator, goal: f64, exact_goal: Ratio, totals: &Totals) -> Progress {
    let percent = indicator.kind.goal_is_percent();
    let mut coverage = None;
    let (achieved, unmeasurable): (Option<Ratio>, Option<Missing>) = match indicator.kind {
        IndicatorKind::Count => (Some(Ratio::whole(totals.sum)), None),
        IndicatorKind::PercentOfBase => match totals.base_sum {
            Some(base) if base > 0 && totals.base_units > 0 => {
                let c = Coverage {
                    units_with_base: totals.base_units,
                    units_expected: totals.reporting_units.max(totals.base_units),
                    people_without_base: (totals.sum - totals.covered).max(0),
                    complete: totals.base_units >= totals.reporting_units,
                    marked_complete: totals.base_marked_complete,
                    of_units: false,
                };
                coverage = Some(c);
                let share = Ratio::new(100 * i128::from(totals.covered), i128::from(base));
                (share, if c.sufficient() { None } else { Some(Missing::PartialBase) })
            }
            _ => {
                coverage = Some(Coverage {
                    units_with_base: 0,
                    units_expected: totals.reporting_units,
                    people_without_base: totals.sum.max(0),
                    complete: false,
                    marked_complete: totals.base_marked_complete,
                    of_units: false,
                });
                (None, Some(Missing::NoBaseFigure))
            }
        },
        IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit => {
            let gaps = totals.tree_gaps.filter(|(_, with_gaps, _)| *with_gaps > 0);
            if let Some((reporting, with_gaps, done_outside)) = gaps {
                // Units reported done that the tree does not hold: the same rule as a
                // partial base, with the reporting units whose units the tree holds.
                coverage = Some(Coverage {
                    units_with_base: reporting - with_gaps,
                    units_expected: reporting,
                    people_without_base: done_outside,
                    complete: false,
                    marked_complete: false,
                    of_units: true,
                });
            }
            match Ratio::new(100 * i128::from(totals.units_done), i128::from(totals.expected_units)) {
                Some(share) if totals.expected_units > 0 => {
                    (Some(share), if gaps.is_some() { Some(Missing::PartialBase) } else { None })
                }
                _ if gaps.is_some() => (None, Some(Missing::PartialBase)),
                _ => (None, Some(Missing::NoExpectedUnits)),
            }
        }
    };
    let zero_goal = exact_goal.is_zero();
    let missing = unmeasurable.or(if zero_goal { Some(Missing::ZeroGoal) } else { None });
    let completion_exact = match (missing, achieved) {
        (None, Some(a)) => a.divided_by(exact_goal),
        _ => None,
    };
    let verdict = match unmeasurable {
        Some(Missing::NoBaseFigure) => Verdict::NoBase,
        Some(Missing::PartialBase) => Verdict::InsufficientBase,
        Some(_) => Verdict::NotMet,
        None => verdict_of(indicator.comparison, achieved.unwrap_or(Ratio::whole(0)), exact_goal),
    };
    let achieved_percent = if percent {
        achieved.map(|a| a.divided_by(Ratio::whole(100))).and_then(|a| a.map(Ratio::percent))
    } else {
        None
    };
    let completion = completion_exact.map(Ratio::percent);
    // What a summary shows beside the verdict, and the threshold it must not appear
    // to reach when the goal is not met.
    let shown = if !verdict.is_judged() {
        None
    } else if percent {
        achieved.map(|a| (a, exact_goal))
    } else if !zero_goal {
        completion_exact.map(|c| (c.times(100), Ratio::whole(100)))
    } else {
        None
    }
    .map(|(value, threshold)| {
        let rounded = value.divided_by(Ratio::whole(100)).map(Ratio::percent).unwrap_or_default();
        // Compare tenths: the threshold in tenths, rounded up.
        let threshold_tenths = ceil_tenths(threshold);
        if verdict == Verdict::NotMet && value < threshold && rounded.tenths() >= threshold_tenths {
            Percent::from_tenths(threshold_tenths - 1)
        } else {
            rounded
        }
    });
    Progress {
        goal,
        achieved: achieved.map(Ratio::as_f64).unwrap_or(0.0),
        ratio: completion_exact.map(Ratio::as_f64),
        verdict,
        percent,
        missing,
        achieved_percent,
        completion,
        shown,
        coverage,
    }
}

/// The smallest whole number of tenths at or above `value` (a percentage).
fn ceil_tenths(value: Ratio) -> i64 {
    let n = value.num().saturating_mul(10);
    let d = value.den();
    let q = n.div_euclid(d);
    (if n.rem_euclid(d) == 0 { q } else { q + 1 }) as i64
}

fn verdict_of(comparison: Comparison, achieved: Ratio, goal: Ratio) -> Verdict {
    let met = match comparison {
        Comparison::AtLeast => achieved >= goal,
        Comparison::MoreThan => achieved > goal,
    };
    if !met {
        return Verdict::NotMet;
    }
    match comparison {
        Comparison::AtLeast if achieved > goal => Verdict::Exceeded,
        _ => Verdict::Met,
    }
}

/// The verdict in Vietnamese, the same words on every surface: the percentage
/// first, then the verdict ("100% · đạt", "248,6% · vượt", "94,5% · chưa đạt").
/// For counts the percentage is the completion of the goal; for percentage
/// indicators it is the share achieved. Without base figures: "chưa có số liệu
/// nền", or "chưa đủ số liệu nền (1/15 đơn vị có số liệu nền)".
pub fn verdict_text(progress: &Progress) -> String {
    VerdictText { progress, english: false }.to_string()
}

/// The same in English: "100% · met", "248.6% · exceeded", "94.5% · not met".
pub fn verdict_text_en(progress: &Progress) -> String {
    VerdictText { progress, english: true }.to_string()
}

/// [`verdict_text`] (or [`verdict_text_en`]) written straight where it is shown,
/// without a string of its own (a table of 18,200 cells writes one per cell).
#[derive(Debug, Clone, Copy)]
pub struct VerdictText<'a> {
    pub progress: &'a Progress,
    pub english: bool,
}

impl std::fmt::Display for VerdictText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let progress = self.progress;
        let english = self.english;
        let label = if english { progress.verdict.label_en() } else { progress.verdict.label_vi() };
        match progress.verdict {
            Verdict::NoBase => return f.write_str(label),
            Verdict::InsufficientBase => {
                return match progress.coverage {
                    Some(c) if c.of_units => {
                        if english {
                            write!(
                                f,
                                "{label} ({}/{} units have all their units in the tree)",
                                c.units_with_base, c.units_expected
                            )
                        } else {
                            write!(
                                f,
                                "{label} ({}/{} đơn vị có đủ đơn vị trực thuộc trong cây)",
                                c.units_with_base, c.units_expected
                            )
                        }
                    }
                    Some(c) if english => {
                        write!(f, "{label} ({}/{} units have the base figure)", c.units_with_base, c.units_expected)
                    }
                    Some(c) => write!(f, "{label} ({}/{} đơn vị có số liệu nền)", c.units_with_base, c.units_expected),
                    None => f.write_str(label),
                }
            }
            _ => {}
        }
        match (progress.shown, progress.missing) {
            (Some(p), _) => {
                write_percent(f, p, english)?;
                write!(f, " · {label}")
            }
            (None, Some(m)) => write!(f, "{label} ({})", if english { m.label_en() } else { m.label_vi() }),
            (None, None) => f.write_str(label),
        }
    }
}

/// A rounded percentage as [`Percent::vi`] ("1.248,6%") or [`Percent::en`]
/// ("1248.6%") write it, without a string of its own.
pub fn write_percent(f: &mut impl std::fmt::Write, p: Percent, english: bool) -> std::fmt::Result {
    let tenths = p.tenths();
    if tenths < 0 {
        f.write_char('-')?;
    }
    let whole = tenths.unsigned_abs() / 10;
    let tenth = tenths.unsigned_abs() % 10;
    if english {
        write!(f, "{whole}")?;
    } else {
        // Thousands separated by "." as `format::integer` writes them.
        let mut digits = [0u8; 20];
        let mut n = whole;
        let mut len = 0;
        loop {
            digits[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for i in (0..len).rev() {
            f.write_char(char::from(digits[i]))?;
            if i > 0 && i % 3 == 0 {
                f.write_char('.')?;
            }
        }
    }
    if tenth != 0 {
        f.write_char(if english { '.' } else { ',' })?;
        write!(f, "{tenth}")?;
    }
    f.write_char('%')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Level;

    #[test]
    fn percentages_are_written_as_percent_writes_them() {
        for tenths in [0, 5, 10, 999, 1000, 1005, 9999, 10_000, 12_345, 1_000_000, 123_456_789, -5, -12_345] {
            let p = Percent::from_tenths(tenths);
            let (mut vi, mut en) = (String::new(), String::new());
            write_percent(&mut vi, p, false).unwrap();
            write_percent(&mut en, p, true).unwrap();
            assert_eq!((vi, en), (p.vi(), p.en()), "{tenths}");
        }
    }

    #[test]
    fn one_wording_of_each_status_in_both_languages() {
        assert_eq!(status_title("insufficient_base", true), "Chưa đủ số liệu nền");
        assert_eq!(status_title("no_goal", true), "Chưa giao chỉ tiêu");
        assert_eq!(status_title("not_met", false), "Not met");
        assert_eq!(status_title("no_goal", false), "No allocated goal");
        for s in ["met", "exceeded", "not_met", "no_base", "insufficient_base", "no_goal"] {
            assert_eq!(status_title(s, true).to_lowercase(), status_label_vi(s).to_lowercase(), "{s}");
        }
    }

    fn indicator(kind: IndicatorKind, comparison: Comparison, goal: f64) -> Indicator {
        Indicator {
            key: "t".into(),
            target_number: 1,
            label: "test".into(),
            kind,
            comparison,
            goal,
            unit_label: None,
            base: None,
            levels: vec![Level::Grassroots],
            unit_kinds: Vec::new(),
            per_unit_minimum: None,
            part_of: None,
            note: None,
            retired: false,
        }
    }

    fn count_totals(sum: i64) -> Totals {
        Totals { sum, ..Totals::default() }
    }

    #[test]
    fn trees_planted_beyond_the_goal_are_exceeded() {
        // Target 5: 20.000 cây xanh; 49.720 planted.
        let ind = indicator(IndicatorKind::Count, Comparison::AtLeast, 20_000.0);
        let p = evaluate(&ind, 20_000.0, &count_totals(49_720));
        assert_eq!(p.verdict, Verdict::Exceeded);
        assert_eq!(p.achieved, 49_720.0);
        assert!((p.ratio.unwrap() - 2.486).abs() < 1e-12);
        assert!(!p.percent);
        assert_eq!(verdict_text(&p), "248,6% · vượt");
        assert_eq!(verdict_text_en(&p), "248.6% · exceeded");
    }

    #[test]
    fn a_count_exactly_at_goal_is_met_and_below_is_not() {
        let ind = indicator(IndicatorKind::Count, Comparison::AtLeast, 7_000.0);
        let met = evaluate(&ind, 7_000.0, &count_totals(7_000));
        assert_eq!(met.verdict, Verdict::Met);
        assert_eq!(met.ratio, Some(1.0));
        assert_eq!(verdict_text(&met), "100% · đạt");
        assert_eq!(verdict_text_en(&met), "100% · met");

        let short = evaluate(&ind, 7_000.0, &count_totals(6_615));
        assert_eq!(short.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&short), "94,5% · chưa đạt");
        assert_eq!(verdict_text_en(&short), "94.5% · not met");
    }

    #[test]
    fn one_short_is_never_shown_as_100_percent() {
        let ind = indicator(IndicatorKind::Count, Comparison::AtLeast, 20_000.0);
        let p = evaluate(&ind, 20_000.0, &count_totals(19_999));
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "99,9% · chưa đạt");
    }

    #[test]
    fn a_unit_allocation_is_the_goal_it_is_judged_against() {
        // The plan says 7.000 but this district was given 420.
        let ind = indicator(IndicatorKind::Count, Comparison::AtLeast, 7_000.0);
        let p = evaluate(&ind, 420.0, &count_totals(420));
        assert_eq!(p.goal, 420.0);
        assert_eq!(p.verdict, Verdict::Met);
    }

    #[test]
    fn zero_goal_has_no_ratio() {
        let ind = indicator(IndicatorKind::Count, Comparison::AtLeast, 2.0);
        let p = evaluate(&ind, 0.0, &count_totals(3));
        assert_eq!(p.ratio, None);
        assert_eq!(p.missing, Some(Missing::ZeroGoal));
        assert_eq!(p.verdict, Verdict::Exceeded);
        assert_eq!(verdict_text(&p), "vượt (không có chỉ tiêu được giao)");
        let nothing = evaluate(&ind, 0.0, &count_totals(0));
        assert_eq!(nothing.verdict, Verdict::Met);
        assert_eq!(nothing.ratio, None);
    }

    #[test]
    fn percent_of_base_divides_reached_by_base() {
        // Target 2: 85% đoàn viên; 1.020 of 1.200 = 85%.
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::AtLeast, 85.0);
        let totals = Totals {
            sum: 1_020,
            covered: 1_020,
            base_sum: Some(1_200),
            base_units: 1,
            reporting_units: 1,
            ..Totals::default()
        };
        let p = evaluate(&ind, 85.0, &totals);
        assert!(p.percent);
        assert_eq!(p.achieved, 85.0);
        assert_eq!(p.ratio, Some(1.0));
        assert_eq!(p.verdict, Verdict::Met);
        assert_eq!(verdict_text(&p), "85% · đạt");

        let more = Totals { sum: 1_080, covered: 1_080, ..totals };
        let p = evaluate(&ind, 85.0, &more);
        assert_eq!(p.achieved, 90.0);
        assert_eq!(p.verdict, Verdict::Exceeded);
        assert_eq!(verdict_text(&p), "90% · vượt");
    }

    #[test]
    fn more_than_seven_percent_is_not_met_at_exactly_seven() {
        // Target 15: trên 7% thanh thiếu nhi.
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::MoreThan, 7.0);
        let at = Totals {
            sum: 21,
            covered: 21,
            base_sum: Some(300),
            base_units: 1,
            reporting_units: 1,
            ..Totals::default()
        };
        let p = evaluate(&ind, 7.0, &at);
        assert_eq!(p.achieved, 7.0);
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "7% · chưa đạt");

        let above = Totals { sum: 30, covered: 30, ..at };
        let p = evaluate(&ind, 7.0, &above);
        assert_eq!(p.verdict, Verdict::Met, "a met 'trên' goal is 'đạt'");
        assert_eq!(verdict_text(&p), "10% · đạt");

        // The same figures under "ít nhất 7%" are met at 7% and exceeded at 10%.
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::AtLeast, 7.0);
        assert_eq!(evaluate(&ind, 7.0, &at).verdict, Verdict::Met);
        assert_eq!(evaluate(&ind, 7.0, &above).verdict, Verdict::Exceeded);
    }

    #[test]
    fn without_a_base_figure_nothing_is_measured() {
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::AtLeast, 70.0);
        for base_sum in [None, Some(0)] {
            let totals = Totals { sum: 500, base_sum, base_units: 1, reporting_units: 15, ..Totals::default() };
            let p = evaluate(&ind, 70.0, &totals);
            assert_eq!(p.achieved, 0.0);
            assert_eq!(p.ratio, None);
            assert_eq!(p.verdict, Verdict::NoBase);
            assert_eq!(p.verdict.as_str(), "no_base");
            assert_eq!(p.missing, Some(Missing::NoBaseFigure));
            assert_eq!(p.shown, None);
            assert_eq!(verdict_text(&p), "chưa có số liệu nền");
            assert_eq!(verdict_text_en(&p), "no base figure");
        }
    }

    #[test]
    fn a_partial_base_never_invents_a_result() {
        // Indicator 1: 100% đoàn viên. One district of 15 entered 1.000 members and
        // reached 900; the 14 others reached 500 more people with no base entered.
        // Dividing 1.400 by 1.000 would say "vượt, 140%".
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::AtLeast, 100.0);
        let totals = Totals {
            sum: 1_400,
            covered: 900,
            base_sum: Some(1_000),
            base_units: 1,
            reporting_units: 15,
            ..Totals::default()
        };
        let p = evaluate(&ind, 100.0, &totals);
        assert_eq!(p.verdict, Verdict::InsufficientBase);
        assert_eq!(p.verdict.as_str(), "insufficient_base");
        assert_eq!(p.ratio, None);
        assert_eq!(p.completion, None);
        assert_eq!(p.achieved_percent.map(Percent::tenths), Some(900), "the share over the units with a base");
        let c = p.coverage.expect("coverage");
        assert_eq!((c.units_with_base, c.units_expected, c.people_without_base), (1, 15, 500));
        assert!(!c.complete);
        assert_eq!(verdict_text(&p), "chưa đủ số liệu nền (1/15 đơn vị có số liệu nền)");
        assert_eq!(verdict_text_en(&p), "insufficient base (1/15 units have the base figure)");

        // The office marks the base complete: judged over the units that have it.
        let marked = Totals { base_marked_complete: true, ..totals };
        let p = evaluate(&ind, 100.0, &marked);
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "90% · chưa đạt");

        // Every unit has its base: a verdict, over the covered people only.
        let full =
            Totals { sum: 1_400, covered: 1_400, base_sum: Some(1_500), base_units: 15, reporting_units: 15, ..totals };
        let p = evaluate(&ind, 100.0, &full);
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(p.coverage.map(|c| c.complete), Some(true));
        assert_eq!(verdict_text(&p), "93,3% · chưa đạt");
    }

    #[test]
    fn percentages_are_rounded_half_away_from_zero_exactly() {
        // 16.450 of 20.000 = 82,25% → 82,3%; 1.647 of 2.000 = 82,35% → 82,4%.
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::AtLeast, 85.0);
        let t = |reached: i64, base: i64| Totals {
            sum: reached,
            covered: reached,
            base_sum: Some(base),
            base_units: 1,
            reporting_units: 1,
            ..Totals::default()
        };
        assert_eq!(verdict_text(&evaluate(&ind, 85.0, &t(16_450, 20_000))), "82,3% · chưa đạt");
        assert_eq!(verdict_text(&evaluate(&ind, 85.0, &t(1_647, 2_000))), "82,4% · chưa đạt");
        let count = indicator(IndicatorKind::Count, Comparison::AtLeast, 2_000.0);
        let p = evaluate(&count, 2_000.0, &count_totals(1_647));
        assert_eq!(p.completion.map(Percent::vi).as_deref(), Some("82,4%"));
        assert_eq!(verdict_text(&p), "82,4% · chưa đạt");
    }

    #[test]
    fn share_of_units_counts_units_done() {
        // Target 16: 100% đoàn xã, phường, thị trấn have a digital-tech team.
        let ind = indicator(IndicatorKind::ShareOfUnits, Comparison::AtLeast, 100.0);
        let p = evaluate(&ind, 100.0, &Totals { expected_units: 144, units_done: 136, ..Totals::default() });
        assert!(p.percent);
        assert!((p.achieved - 94.444_444).abs() < 1e-5);
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "94,4% · chưa đạt");

        let all = evaluate(&ind, 100.0, &Totals { expected_units: 144, units_done: 144, ..Totals::default() });
        assert_eq!(all.verdict, Verdict::Met);
        assert_eq!(verdict_text(&all), "100% · đạt");

        // 143 of 144 rounds to 99,3%; 999 of 1.000 to 99,9% — never "100%".
        let nearly = evaluate(&ind, 100.0, &Totals { expected_units: 2_000, units_done: 1_999, ..Totals::default() });
        assert_eq!(verdict_text(&nearly), "99,9% · chưa đạt");
    }

    #[test]
    fn minimum_per_unit_counts_units_meeting_it_and_ignores_the_summed_count() {
        // Target 14: each cơ sở ≥ 01 công trình; 30 works were built but by 20 of 24 units.
        let ind = indicator(IndicatorKind::MinimumPerUnit, Comparison::AtLeast, 100.0);
        let p = evaluate(
            &ind,
            100.0,
            &Totals { sum: 30, base_sum: None, expected_units: 24, units_done: 20, ..Totals::default() },
        );
        assert!((p.achieved - 83.333_333).abs() < 1e-5);
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "83,3% · chưa đạt");
    }

    #[test]
    fn units_missing_from_the_tree_are_not_a_share() {
        // Target 16: 144 communes expected; one district of 15 reported 12 communes
        // done but the tree holds none of its communes.
        let ind = indicator(IndicatorKind::ShareOfUnits, Comparison::AtLeast, 100.0);
        let totals = Totals { expected_units: 132, units_done: 120, tree_gaps: Some((15, 1, 12)), ..Totals::default() };
        let p = evaluate(&ind, 100.0, &totals);
        assert_eq!(p.verdict, Verdict::InsufficientBase);
        assert_eq!(p.ratio, None);
        assert_eq!(verdict_text(&p), "chưa đủ số liệu nền (14/15 đơn vị có đủ đơn vị trực thuộc trong cây)");
        // No gap: the share as before.
        let whole = Totals { tree_gaps: Some((15, 0, 0)), ..totals };
        assert_eq!(evaluate(&ind, 100.0, &whole).verdict, Verdict::NotMet);
    }

    #[test]
    fn no_expected_unit_gives_no_ratio() {
        let ind = indicator(IndicatorKind::ShareOfUnits, Comparison::AtLeast, 100.0);
        let p = evaluate(&ind, 100.0, &Totals::default());
        assert_eq!(p.ratio, None);
        assert_eq!(p.missing, Some(Missing::NoExpectedUnits));
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "chưa đạt (không có đơn vị phải thực hiện)");
    }

    #[test]
    fn labels() {
        assert_eq!(Verdict::Met.label_vi(), "đạt");
        assert_eq!(Verdict::Exceeded.label_vi(), "vượt");
        assert_eq!(Verdict::NotMet.label_vi(), "chưa đạt");
        assert_eq!(Verdict::Met.label_en(), "met");
        assert_eq!(Verdict::Exceeded.label_en(), "exceeded");
        assert_eq!(Verdict::NotMet.label_en(), "not met");
        assert_eq!(Verdict::InsufficientBase.label_vi(), "chưa đủ số liệu nền");
        assert_eq!(status_label_vi("no_base"), "chưa có số liệu nền");
    }
}
