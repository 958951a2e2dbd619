//! The plan linter run on import: what the draft itself shows (a target whose
//! sentence gave no number, a percentage above 100, gaps in the numbering), then
//! `crate::plan::lint` on the checked plan when the draft is a valid plan.

use super::ImportDraft;
use crate::plan::lint::{lint, Finding};
use crate::plan::IndicatorKind;

fn gaps(mut numbers: Vec<u32>) -> Vec<u32> {
    numbers.sort_unstable();
    numbers.dedup();
    let mut out = Vec::new();
    for pair in numbers.windows(2) {
        out.extend((pair[0] + 1..pair[1]).take(100));
    }
    if let Some(&first) = numbers.first() {
        out.splice(0..0, (1..first).take(100));
    }
    out
}

/// Findings for a draft: draft-level rules first, then the plan linter.
pub fn lint_draft(draft: &ImportDraft) -> Vec<Finding> {
    let plan = draft.draft();
    let mut findings = Vec::new();
    for t in plan.targets.iter().filter(|t| t.indicators.iter().all(|i| i.goal_missing)) {
        let n = t.number.value;
        findings.push(Finding {
            rule: "target-without-number",
            message_vi: format!("Chỉ tiêu {n}: câu chỉ tiêu không có số liệu nào đọc được (\"{}\").", t.text),
            message_en: format!("Target {n}: its sentence yielded no number (\"{}\").", t.text),
        });
    }
    for t in &plan.targets {
        for ind in t.indicators.iter().filter(|i| i.kind.value != IndicatorKind::Count && i.goal.value > 100.0) {
            findings.push(Finding {
                rule: "percent-above-100",
                message_vi: format!(
                    "Chỉ số {}: tỉ lệ {}% lớn hơn 100%.",
                    ind.key,
                    crate::format::number(ind.goal.value, 2)
                ),
                message_en: format!(
                    "Indicator {}: the percentage {}% is above 100%.",
                    ind.key,
                    crate::format::number(ind.goal.value, 2)
                ),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    for t in &plan.targets {
        if !seen.insert(t.number.value) {
            findings.push(Finding {
                rule: "duplicate-target-number",
                message_vi: format!("Chỉ tiêu số {} xuất hiện hai lần.", t.number.value),
                message_en: format!("Target number {} appears twice.", t.number.value),
            });
        }
    }
    for n in gaps(plan.section_numbers.clone()) {
        let roman = super::structure::to_roman(n);
        findings.push(Finding {
            rule: "section-numbering-gap",
            message_vi: format!("Không có mục {roman}: số thứ tự các phần bị bỏ qua."),
            message_en: format!("There is no section {roman}: the section numbering skips it."),
        });
    }
    match draft.to_plan() {
        Ok(checked) => findings.extend(lint(&checked)),
        Err(errors) => {
            for n in gaps(plan.targets.iter().map(|t| t.number.value).collect()) {
                findings.push(Finding {
                    rule: "missing-target-number",
                    message_vi: format!(
                        "Không có chỉ tiêu số {n}: số thứ tự chỉ tiêu bị bỏ qua (giữ nguyên theo văn bản)."
                    ),
                    message_en: format!("There is no target {n}: the numbering skips it (kept as in the document)."),
                });
            }
            findings.push(Finding {
                rule: "draft-not-a-valid-plan",
                message_vi: format!(
                    "Bản nháp chưa thành kế hoạch hợp lệ ({} lỗi), cần sửa trước khi xác nhận.",
                    errors.0.len()
                ),
                message_en: format!(
                    "The draft is not yet a valid plan ({} problems); fix them before confirming.",
                    errors.0.len()
                ),
            });
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_gaps() {
        assert_eq!(gaps(vec![1, 2, 4, 5, 19]), (3..=3).chain(6..=18).collect::<Vec<_>>());
        assert_eq!(gaps(vec![2, 3]), vec![1]);
        assert!(gaps(vec![]).is_empty());
    }
}
