//! Weekly reports (and unit plans): which fields a unit fills in, and checking
//! what it typed. Pure: the caller brings the plan, the unit, the period and the
//! figures it needs.

mod fields;
pub mod json;
mod money;
mod validate;

pub use fields::{fields_for, Field, FieldInput};
pub use money::{format_vnd, parse_vnd};
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

    /// Whether the unit may still change the report.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
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

/// Length guides of the narrative fields: a short report, not ten pages.
pub const NARRATIVE_GUIDE: usize = 500;
pub const NARRATIVE_MAX: usize = 3000;
pub const MAX_ACTIVITIES: usize = 100;
