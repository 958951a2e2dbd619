//! Things in a valid plan that the office should look at: the product shows them
//! rather than hiding or "fixing" them.

use serde::Serialize;

use super::model::{Plan, When};
use crate::format;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable key of the rule ("missing-target-number", "deadline-order", ...).
    pub rule: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

/// Findings in document order.
pub fn lint(plan: &Plan) -> Vec<Finding> {
    let mut findings = Vec::new();
    for n in plan.missing_target_numbers() {
        findings.push(Finding {
            rule: "missing-target-number",
            message_vi: format!("Không có chỉ tiêu số {n}: số thứ tự chỉ tiêu bị bỏ qua (giữ nguyên theo văn bản)."),
            message_en: format!("There is no target {n}: the numbering skips it (kept as in the document)."),
        });
    }
    let periods = plan.periods();
    if let (Some(first), Some(last)) = (periods.first(), periods.last()) {
        // A deadline that falls while weekly reports are still running (after the first
        // weekly report, before the last) cannot cover the whole campaign.
        for m in &plan.milestones {
            if let When::Before { date } = m.when {
                if date > first.end && date <= last.end {
                    findings.push(Finding {
                        rule: "deadline-before-last-weekly-report",
                        message_vi: format!(
                            "\"{}\" hạn trước ngày {}, sớm hơn hạn báo cáo tuần cuối cùng ({} {}).",
                            m.title,
                            format::date(date),
                            format::time(plan.reporting.weekly.due_time),
                            format::date(last.end)
                        ),
                        message_en: format!(
                            "\"{}\" is due before {}, earlier than the last weekly report ({} {}).",
                            m.title,
                            format::date(date),
                            format::time(plan.reporting.weekly.due_time),
                            format::date(last.end)
                        ),
                    });
                }
            }
        }
    }
    if let Some(report) = plan.milestone("final-report") {
        for closing in plan.milestones.iter().filter(|m| m.key.ends_with("closing")) {
            if report.when.last_day() < closing.when.first_day() {
                findings.push(Finding {
                    rule: "final-report-before-closing",
                    message_vi: format!(
                        "Báo cáo tổng kết hạn {} nhưng \"{}\" diễn ra {}.",
                        describe(report.when),
                        closing.title,
                        describe(closing.when)
                    ),
                    message_en: format!(
                        "The final report is due {} but \"{}\" takes place {}.",
                        describe_en(report.when),
                        closing.title,
                        describe_en(closing.when)
                    ),
                });
            }
        }
    }
    let (start, end) = (plan.campaign.starts_on, plan.campaign.ends_on);
    for m in &plan.milestones {
        if m.when.first_day() < start || m.when.last_day() > end {
            findings.push(Finding {
                rule: "date-outside-campaign",
                message_vi: format!(
                    "\"{}\" ({}) nằm ngoài thời gian của kế hoạch ({} – {}).",
                    m.title,
                    describe(m.when),
                    format::date(start),
                    format::date(end)
                ),
                message_en: format!(
                    "\"{}\" ({}) falls outside the campaign ({} – {}).",
                    m.title,
                    describe_en(m.when),
                    format::date(start),
                    format::date(end)
                ),
            });
        }
    }
    for e in &plan.events {
        if let Some(d) = e.starts_on {
            if d < start || d > end {
                findings.push(Finding {
                    rule: "date-outside-campaign",
                    message_vi: format!(
                        "Hoạt động {} \"{}\" ({}) nằm ngoài thời gian của kế hoạch.",
                        e.number,
                        e.title,
                        format::date(d)
                    ),
                    message_en: format!(
                        "Event {} \"{}\" ({}) falls outside the campaign.",
                        e.number,
                        e.title,
                        format::date(d)
                    ),
                });
            }
        }
    }
    let undated = plan.events.iter().filter(|e| e.starts_on.is_none()).count();
    if undated > 0 {
        findings.push(Finding {
            rule: "event-without-date",
            message_vi: format!("{undated} hoạt động cấp tỉnh chưa có ngày tổ chức trong kế hoạch."),
            message_en: format!("{undated} province events have no date in the plan."),
        });
    }
    findings
}

/// "ngày 24/02/2023", "từ 01/03/2023 đến 05/03/2023", "trước ngày 10/04/2023".
pub fn describe(when: When) -> String {
    match when {
        When::On { date } => format!("ngày {}", format::date(date)),
        When::Window { from, to } => format!("từ {} đến {}", format::date(from), format::date(to)),
        When::Before { date } => format!("trước ngày {}", format::date(date)),
    }
}

pub fn describe_en(when: When) -> String {
    match when {
        When::On { date } => format!("on {}", format::date(date)),
        When::Window { from, to } => format!("from {} to {}", format::date(from), format::date(to)),
        When::Before { date } => format!("before {}", format::date(date)),
    }
}
