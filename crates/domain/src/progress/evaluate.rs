//! The status of one indicator over a unit's subtree: achieved vs goal, and the
//! verdict a summary writes ("đạt", "vượt", "chưa đạt").

use serde::Serialize;

use crate::plan::{Comparison, Indicator, IndicatorKind};

/// Met, exceeded or not met, as Đoàn summaries say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// "đạt": the goal is met (exactly, or above a "trên" goal).
    Met,
    /// "vượt": above an "ít nhất"/plain goal.
    Exceeded,
    /// "chưa đạt".
    NotMet,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Exceeded => "exceeded",
            Verdict::NotMet => "not_met",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Verdict::Met => "đạt",
            Verdict::Exceeded => "vượt",
            Verdict::NotMet => "chưa đạt",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Verdict::Met => "met",
            Verdict::Exceeded => "exceeded",
            Verdict::NotMet => "not met",
        }
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
    /// A share or minimum indicator that expects no unit in this subtree.
    NoExpectedUnits,
}

impl Missing {
    pub fn label_vi(self) -> &'static str {
        match self {
            Missing::ZeroGoal => "không có chỉ tiêu được giao",
            Missing::NoBaseFigure => "chưa có số liệu nền",
            Missing::NoExpectedUnits => "không có đơn vị phải thực hiện",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Missing::ZeroGoal => "no goal allocated",
            Missing::NoBaseFigure => "no base figure",
            Missing::NoExpectedUnits => "no unit is expected to do it",
        }
    }
}

/// Achieved vs goal for one indicator over one subtree.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Progress {
    /// The goal it is judged against: a count, or a percentage (0–100).
    pub goal: f64,
    /// What was achieved, in the same unit as the goal.
    pub achieved: f64,
    /// achieved ÷ goal (1.0 = 100%); `None` when it cannot be computed (see `missing`).
    pub ratio: Option<f64>,
    pub verdict: Verdict,
    /// Whether `goal` and `achieved` are percentages (every kind but count).
    pub percent: bool,
    /// Why `ratio` is `None`, if it is.
    pub missing: Option<Missing>,
}

/// The progress of `indicator` given the subtree's `totals`, judged against `goal`
/// (a unit's allocation for a count, or the plan's goal at the top; for the other
/// kinds the plan's percentage, which applies to every unit as it is).
///
/// - count: achieved = Σ reported; ratio = achieved ÷ goal.
/// - percent of base: achieved = 100 × Σ reached ÷ Σ base (as a percentage);
///   ratio = achieved ÷ goal. When no unit of the subtree has the base figure
///   (or the base adds up to 0), nothing can be measured: achieved is 0, ratio is
///   `None`, the verdict is "chưa đạt" and `missing` says why.
/// - share of units and minimum per unit: achieved = 100 × units done ÷ units
///   expected; with no expected unit, achieved is 0, ratio is `None` and `missing`
///   says so (such a subtree has nothing to show for this indicator).
///
/// The verdict follows the plan's comparison: "chưa đạt" unless the goal is met;
/// for "ít nhất"/plain goals (≥) above the goal is "vượt" and exactly the goal
/// "đạt"; for "trên" (>) a met goal is "đạt". A goal of 0 gives no ratio.
pub fn evaluate(indicator: &Indicator, goal: f64, totals: &Totals) -> Progress {
    let percent = indicator.kind.goal_is_percent();
    let (achieved, unmeasurable) = match indicator.kind {
        IndicatorKind::Count => (totals.sum as f64, None),
        IndicatorKind::PercentOfBase => match totals.base_sum {
            Some(base) if base > 0 => (share(totals.sum, base), None),
            _ => (0.0, Some(Missing::NoBaseFigure)),
        },
        IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit => {
            if totals.expected_units > 0 {
                (share(totals.units_done, totals.expected_units), None)
            } else {
                (0.0, Some(Missing::NoExpectedUnits))
            }
        }
    };
    let missing = unmeasurable.or(if goal == 0.0 { Some(Missing::ZeroGoal) } else { None });
    let ratio = match missing {
        None => Some(achieved / goal),
        Some(_) => None,
    };
    let verdict =
        if unmeasurable.is_some() { Verdict::NotMet } else { verdict_of(indicator.comparison, achieved, goal) };
    Progress { goal, achieved, ratio, verdict, percent, missing }
}

/// 100 × part ÷ whole with a single rounding, so that 85 of 100 is exactly 85.
fn share(part: i64, whole: i64) -> f64 {
    (100.0 * part as f64) / whole as f64
}

fn verdict_of(comparison: Comparison, achieved: f64, goal: f64) -> Verdict {
    if !comparison.is_met(achieved, goal) {
        return Verdict::NotMet;
    }
    match comparison {
        Comparison::AtLeast if achieved > goal => Verdict::Exceeded,
        _ => Verdict::Met,
    }
}

/// The percentage a summary shows after the verdict, and the threshold it must not
/// appear to cross: for counts the completion (achieved ÷ goal, "đạt 248,6%"); for
/// the percentage kinds the share achieved itself ("đạt 90%" of đoàn viên).
fn shown_percent(progress: &Progress) -> Option<(f64, f64)> {
    if progress.percent {
        match progress.missing {
            Some(Missing::NoBaseFigure) | Some(Missing::NoExpectedUnits) => None,
            _ => Some((progress.achieved, progress.goal)),
        }
    } else if progress.goal > 0.0 {
        Some((100.0 * progress.achieved / progress.goal, 100.0))
    } else {
        None
    }
}

/// Rounds to one decimal as the Vietnamese format does, except that a goal not met
/// is never shown as reaching it: 19.999 of 20.000 is "chưa đạt, đạt 99,9%", not 100%.
fn displayed(progress: &Progress) -> Option<f64> {
    let (value, threshold) = shown_percent(progress)?;
    let rounded: f64 = format!("{value:.1}").parse().unwrap_or(value);
    if progress.verdict == Verdict::NotMet && value < threshold && rounded >= threshold {
        // The largest tenth below the threshold.
        return Some(((threshold * 10.0).ceil() - 1.0) / 10.0);
    }
    Some(rounded)
}

/// The verdict in Vietnamese as real summaries write it: "đạt 100%",
/// "vượt, đạt 248,6%", "chưa đạt, đạt 94,5%". For counts the percentage is the
/// completion of the goal; for percentage indicators it is the share achieved.
/// When nothing can be measured the reason follows: "chưa đạt (chưa có số liệu nền)".
pub fn verdict_text(progress: &Progress) -> String {
    let label = progress.verdict.label_vi();
    match (displayed(progress), progress.missing) {
        (Some(p), _) => match progress.verdict {
            Verdict::Met => format!("đạt {}", crate::format::percent(p)),
            _ => format!("{label}, đạt {}", crate::format::percent(p)),
        },
        (None, Some(m)) => format!("{label} ({})", m.label_vi()),
        (None, None) => label.to_string(),
    }
}

/// The same in English: "met, 100%", "exceeded, 248.6%", "not met, 94.5%".
pub fn verdict_text_en(progress: &Progress) -> String {
    let label = progress.verdict.label_en();
    match (displayed(progress), progress.missing) {
        (Some(p), _) => {
            let number = format!("{p:.1}");
            let number = number.strip_suffix(".0").unwrap_or(&number);
            format!("{label}, {number}%")
        }
        (None, Some(m)) => format!("{label} ({})", m.label_en()),
        (None, None) => label.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Level;

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
        assert_eq!(verdict_text(&p), "vượt, đạt 248,6%");
        assert_eq!(verdict_text_en(&p), "exceeded, 248.6%");
    }

    #[test]
    fn a_count_exactly_at_goal_is_met_and_below_is_not() {
        let ind = indicator(IndicatorKind::Count, Comparison::AtLeast, 7_000.0);
        let met = evaluate(&ind, 7_000.0, &count_totals(7_000));
        assert_eq!(met.verdict, Verdict::Met);
        assert_eq!(met.ratio, Some(1.0));
        assert_eq!(verdict_text(&met), "đạt 100%");
        assert_eq!(verdict_text_en(&met), "met, 100%");

        let short = evaluate(&ind, 7_000.0, &count_totals(6_615));
        assert_eq!(short.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&short), "chưa đạt, đạt 94,5%");
        assert_eq!(verdict_text_en(&short), "not met, 94.5%");
    }

    #[test]
    fn one_short_is_never_shown_as_100_percent() {
        let ind = indicator(IndicatorKind::Count, Comparison::AtLeast, 20_000.0);
        let p = evaluate(&ind, 20_000.0, &count_totals(19_999));
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "chưa đạt, đạt 99,9%");
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
        let totals = Totals { sum: 1_020, base_sum: Some(1_200), ..Totals::default() };
        let p = evaluate(&ind, 85.0, &totals);
        assert!(p.percent);
        assert_eq!(p.achieved, 85.0);
        assert_eq!(p.ratio, Some(1.0));
        assert_eq!(p.verdict, Verdict::Met);
        assert_eq!(verdict_text(&p), "đạt 85%");

        let more = Totals { sum: 1_080, ..totals };
        let p = evaluate(&ind, 85.0, &more);
        assert_eq!(p.achieved, 90.0);
        assert_eq!(p.verdict, Verdict::Exceeded);
        assert_eq!(verdict_text(&p), "vượt, đạt 90%");
    }

    #[test]
    fn more_than_seven_percent_is_not_met_at_exactly_seven() {
        // Target 15: trên 7% thanh thiếu nhi.
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::MoreThan, 7.0);
        let at = Totals { sum: 21, base_sum: Some(300), ..Totals::default() };
        let p = evaluate(&ind, 7.0, &at);
        assert_eq!(p.achieved, 7.0);
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "chưa đạt, đạt 7%");

        let above = Totals { sum: 30, ..at };
        let p = evaluate(&ind, 7.0, &above);
        assert_eq!(p.verdict, Verdict::Met, "a met 'trên' goal is 'đạt'");
        assert_eq!(verdict_text(&p), "đạt 10%");

        // The same figures under "ít nhất 7%" are met at 7% and exceeded at 10%.
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::AtLeast, 7.0);
        assert_eq!(evaluate(&ind, 7.0, &at).verdict, Verdict::Met);
        assert_eq!(evaluate(&ind, 7.0, &above).verdict, Verdict::Exceeded);
    }

    #[test]
    fn without_a_base_figure_nothing_is_measured() {
        let ind = indicator(IndicatorKind::PercentOfBase, Comparison::AtLeast, 70.0);
        for base_sum in [None, Some(0)] {
            let p = evaluate(&ind, 70.0, &Totals { sum: 500, base_sum, ..Totals::default() });
            assert_eq!(p.achieved, 0.0);
            assert_eq!(p.ratio, None);
            assert_eq!(p.verdict, Verdict::NotMet);
            assert_eq!(p.missing, Some(Missing::NoBaseFigure));
            assert_eq!(verdict_text(&p), "chưa đạt (chưa có số liệu nền)");
            assert_eq!(verdict_text_en(&p), "not met (no base figure)");
        }
    }

    #[test]
    fn share_of_units_counts_units_done() {
        // Target 16: 100% đoàn xã, phường, thị trấn have a digital-tech team.
        let ind = indicator(IndicatorKind::ShareOfUnits, Comparison::AtLeast, 100.0);
        let p = evaluate(&ind, 100.0, &Totals { expected_units: 144, units_done: 136, ..Totals::default() });
        assert!(p.percent);
        assert!((p.achieved - 94.444_444).abs() < 1e-5);
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "chưa đạt, đạt 94,4%");

        let all = evaluate(&ind, 100.0, &Totals { expected_units: 144, units_done: 144, ..Totals::default() });
        assert_eq!(all.verdict, Verdict::Met);
        assert_eq!(verdict_text(&all), "đạt 100%");

        // 143 of 144 rounds to 99,3%; 999 of 1.000 to 99,9% — never "100%".
        let nearly = evaluate(&ind, 100.0, &Totals { expected_units: 2_000, units_done: 1_999, ..Totals::default() });
        assert_eq!(verdict_text(&nearly), "chưa đạt, đạt 99,9%");
    }

    #[test]
    fn minimum_per_unit_counts_units_meeting_it_and_ignores_the_summed_count() {
        // Target 14: each cơ sở ≥ 01 công trình; 30 works were built but by 20 of 24 units.
        let ind = indicator(IndicatorKind::MinimumPerUnit, Comparison::AtLeast, 100.0);
        let p = evaluate(&ind, 100.0, &Totals { sum: 30, base_sum: None, expected_units: 24, units_done: 20 });
        assert!((p.achieved - 83.333_333).abs() < 1e-5);
        assert_eq!(p.verdict, Verdict::NotMet);
        assert_eq!(verdict_text(&p), "chưa đạt, đạt 83,3%");
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
    }
}
