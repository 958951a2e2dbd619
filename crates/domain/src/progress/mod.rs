//! Consolidation and progress, pure: allocation of goals (giao chỉ tiêu), subtree
//! sums up the unit tree, the verdict of each indicator (đạt / vượt / chưa đạt),
//! a pace projection, and the emulation ranking (thi đua). The caller brings the
//! figures; nothing here reads a clock, a file or a database.

mod allocation;
pub mod compare_years;
mod evaluate;
pub mod figures;
mod forecast;
mod ranking;
mod rollup;

pub use allocation::{check_parts, largest_remainder, AllocationCheck, AllocationError};
pub use evaluate::{
    evaluate, evaluate_exact, exact_goal, status_label_en, status_label_vi, status_title, verdict_text,
    verdict_text_en, write_percent, Coverage, Missing, Progress, Totals, Verdict, VerdictText, COMPLETION_EN,
    COMPLETION_VI, SHARE_EN, SHARE_VI,
};
pub use forecast::{at_risk, project, RULE_EN, RULE_VI};
pub use ranking::{
    rank, Breakdown, IndicatorPoints, RankedRow, RankingEntry, COMPLETION_CAP, COMPLETION_POINTS, FORMULA_EN,
    FORMULA_VI, ON_TIME_POINTS,
};
pub use rollup::{Tree, TreeError};
