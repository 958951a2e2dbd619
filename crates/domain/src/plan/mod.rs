//! The campaign plan: file format, checked model, and the linter.

pub mod amend;
pub mod cascade;
pub mod edit;
mod file;
pub mod lint;
mod load;
mod model;
pub mod roll_forward;
mod values;

pub use load::{parse_plan, parse_time, PlanErrors, PlanProblem, PLACEHOLDER};
pub use model::*;
pub use values::{Comparison, FileDate, Goal, IndicatorKind, Level};

#[cfg(test)]
mod tests;
