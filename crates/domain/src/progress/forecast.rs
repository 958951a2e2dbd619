//! Pace projection to the closing date: on track or at risk.
//!
//! Quy tắc / rule (shown in the UI):
//!
//! - vi: "Dự báo = lũy kế ÷ số tuần đã qua × tổng số tuần; có nguy cơ không đạt khi
//!   dự báo chưa đạt chỉ tiêu."
//! - en: "Projection = cumulative ÷ weeks elapsed × total weeks; at risk when the
//!   projection does not meet the goal."

use crate::plan::Comparison;

/// The rule in Vietnamese, as the UI shows it.
pub const RULE_VI: &str =
    "Dự báo = lũy kế ÷ số tuần đã qua × tổng số tuần; có nguy cơ không đạt khi dự báo chưa đạt chỉ tiêu.";

/// The rule in English, as the UI shows it.
pub const RULE_EN: &str =
    "Projection = cumulative ÷ weeks elapsed × total weeks; at risk when the projection does not meet the goal.";

/// Projects the value at the close of the campaign at the pace so far.
///
/// Dự báo = lũy kế ÷ số tuần đã qua × tổng số tuần. /
/// Projection = cumulative ÷ weeks elapsed × total weeks.
///
/// `cumulative_by_period` holds the cumulative value at the end of each period
/// elapsed so far (its length is the number of periods elapsed, its last entry the
/// cumulative value now); `periods_total` is the number of periods in the campaign.
/// With no elapsed period the projection is 0; once every period has elapsed (or
/// more are given than the campaign has) the projection is the cumulative value itself.
pub fn project(cumulative_by_period: &[i64], periods_total: usize) -> f64 {
    let Some(&cumulative) = cumulative_by_period.last() else {
        return 0.0;
    };
    let elapsed = cumulative_by_period.len();
    if elapsed >= periods_total {
        return cumulative as f64;
    }
    cumulative as f64 * periods_total as f64 / elapsed as f64
}

/// Có nguy cơ không đạt khi dự báo chưa đạt chỉ tiêu. /
/// At risk when the projection does not meet the goal (under the plan's comparison:
/// "trên 7%" needs a projection above 7%).
pub fn at_risk(comparison: Comparison, goal: f64, projected: f64) -> bool {
    !comparison.is_met(projected, goal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_planted_slowly_are_at_risk() {
        // 20.000 cây xanh over the five weeks of March 2023; three weeks gone.
        let weeks = [3_000, 7_500, 11_000];
        let projected = project(&weeks, 5);
        assert!((projected - 18_333.333_333).abs() < 1e-3);
        assert!(at_risk(Comparison::AtLeast, 20_000.0, projected));
    }

    #[test]
    fn members_recruited_fast_are_on_track() {
        // 7.000 new đoàn viên; 4.200 after two of five weeks → 10.500 projected.
        let projected = project(&[2_000, 4_200], 5);
        assert_eq!(projected, 10_500.0);
        assert!(!at_risk(Comparison::AtLeast, 7_000.0, projected));
    }

    #[test]
    fn only_the_latest_cumulative_counts() {
        // A slow start and a fast finish project the same as a steady pace.
        assert_eq!(project(&[0, 0, 0, 6_000], 5), project(&[1_500, 3_000, 4_500, 6_000], 5));
        assert_eq!(project(&[0, 0, 0, 6_000], 5), 7_500.0);
    }

    #[test]
    fn exactly_on_pace_is_on_track_except_for_a_more_than_goal() {
        let projected = project(&[1_400], 5);
        assert_eq!(projected, 7_000.0);
        assert!(!at_risk(Comparison::AtLeast, 7_000.0, projected));
        assert!(at_risk(Comparison::MoreThan, 7_000.0, projected));
    }

    #[test]
    fn no_data_projects_nothing_and_the_end_projects_the_total() {
        assert_eq!(project(&[], 5), 0.0);
        assert!(at_risk(Comparison::AtLeast, 1.0, project(&[], 5)));
        assert_eq!(project(&[100, 200, 300, 400, 480], 5), 480.0);
        assert_eq!(project(&[100, 200, 300], 2), 300.0);
        assert_eq!(project(&[100], 0), 100.0);
    }

    #[test]
    fn the_rule_text_is_bilingual() {
        assert!(RULE_VI.contains("lũy kế ÷ số tuần đã qua × tổng số tuần"));
        assert!(RULE_EN.contains("cumulative ÷ weeks elapsed × total weeks"));
    }
}
