//! Weekly reports (and unit plans): which fields a unit fills in, and checking
//! what it typed. Pure: the caller brings the plan, the unit, the period and the
//! figures it needs.

pub mod deadline;
mod fields;
pub mod json;
mod money;
pub mod rules;
pub mod transition;
mod validate;

pub use fields::{fields_for, Field, FieldInput};
pub use money::{format_vnd, parse_vnd, parse_vnd_code, VndError};
pub use rules::RuleSet;
pub use transition::{
    plan_review, plan_save, LockState, Operation, ReportRuleError, ReviewPlan, SavePlan, SaveRefusal,
};
pub use validate::{
    check, ActivityInput, CheckedActivity, CheckedReport, FieldError, ReportContext, ReportInput, Warning,
};

use serde::{Deserialize, Serialize};

/// Where a report is in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    Accepted,
    Returned,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Accepted => "accepted",
            Status::Returned => "returned",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "draft" => Some(Status::Draft),
            "submitted" => Some(Status::Submitted),
            "accepted" => Some(Status::Accepted),
            "returned" => Some(Status::Returned),
            _ => None,
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            Status::Draft => "Bản nháp",
            Status::Submitted => "Đã gửi",
            Status::Accepted => "Đã duyệt",
            Status::Returned => "Bị trả lại",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            Status::Draft => "Draft",
            Status::Submitted => "Submitted",
            Status::Accepted => "Accepted",
            Status::Returned => "Returned",
        }
    }

    /// Whether the unit may still change the report (the workflow's rule,
    /// `transition::state_allows`, for an open period).
    pub fn editable(self) -> bool {
        transition::state_allows(transition::Operation::SaveDraft, Some(self), false).is_ok()
    }

    /// Whether it counts in consolidated figures.
    pub fn counts(self) -> bool {
        matches!(self, Status::Submitted | Status::Accepted)
    }
}

/// What kind of document: the weekly report, or the unit's own plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Weekly,
    UnitPlan,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Weekly => "weekly",
            ReportKind::UnitPlan => "unit_plan",
        }
    }

    pub fn parse(text: &str) -> Option<ReportKind> {
        match text {
            "weekly" => Some(ReportKind::Weekly),
            "unit_plan" => Some(ReportKind::UnitPlan),
            _ => None,
        }
    }
}

/// Last week's activities for "lặp lại hoạt động tuần trước": the same activities,
/// each a week later (blank when that falls outside `window`, to be chosen again).
pub fn repeated(previous: &[ActivityInput], window: (chrono::NaiveDate, chrono::NaiveDate)) -> Vec<ActivityInput> {
    previous
        .iter()
        .filter(|a| !a.title.trim().is_empty())
        .map(|a| {
            let mut copy = a.clone();
            copy.held_on = rules::parse_day(&a.held_on)
                .and_then(|d| d.checked_add_days(chrono::Days::new(7)))
                .filter(|d| *d >= window.0 && *d <= window.1)
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            // A launch happens once.
            copy.tag = String::new();
            copy
        })
        .collect()
}

/// Length guides of the narrative fields: a short report, not ten pages.
pub const NARRATIVE_GUIDE: usize = 500;
pub const NARRATIVE_MAX: usize = 3000;
pub const MAX_ACTIVITIES: usize = 100;

/// What the office does to a weekly period by hand: lock it (no report of the week
/// can be saved) or reopen it. One parse for the page and the API: any other word
/// is not an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockVerb {
    Lock,
    Reopen,
}

impl LockVerb {
    pub fn parse(text: &str) -> Option<LockVerb> {
        match text {
            "lock" => Some(LockVerb::Lock),
            "reopen" => Some(LockVerb::Reopen),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LockVerb::Lock => "lock",
            LockVerb::Reopen => "reopen",
        }
    }

    /// Whether the period ends up locked.
    pub fn locks(self) -> bool {
        self == LockVerb::Lock
    }
}

/// A reviewer's decision on a submitted report. One parse for the page and the
/// API: anything but "accept" or "return" is refused (never taken as a return).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Accept,
    Return,
}

impl Decision {
    pub fn parse(text: &str) -> Option<Decision> {
        match text {
            "accept" => Some(Decision::Accept),
            "return" => Some(Decision::Return),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Return => "return",
        }
    }

    pub fn accepts(self) -> bool {
        self == Decision::Accept
    }
}

#[cfg(test)]
mod verb_tests {
    use super::*;

    #[test]
    fn only_the_two_words_parse() {
        assert_eq!(LockVerb::parse("lock"), Some(LockVerb::Lock));
        assert_eq!(LockVerb::parse("reopen"), Some(LockVerb::Reopen));
        for bad in ["anything", "", "Lock", "unlock", "lock "] {
            assert_eq!(LockVerb::parse(bad), None, "{bad}");
        }
        assert_eq!(Decision::parse("accept"), Some(Decision::Accept));
        assert_eq!(Decision::parse("return"), Some(Decision::Return));
        for bad in ["acept", "", "Accept", "reject"] {
            assert_eq!(Decision::parse(bad), None, "{bad}");
        }
        for v in [LockVerb::Lock, LockVerb::Reopen] {
            assert_eq!(LockVerb::parse(v.as_str()), Some(v));
        }
        for d in [Decision::Accept, Decision::Return] {
            assert_eq!(Decision::parse(d.as_str()), Some(d));
        }
    }
}
