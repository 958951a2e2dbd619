//! Emulation scoring (thi đua): the criteria sheet of a campaign, how each criterion
//! is scored (automatically from the figures, or self-assessed by the unit and
//! reviewed by the office), and the ranking within a cluster. Pure types and rules:
//! the figures a score is computed from are given by the caller.

pub mod commendation;
mod rule_text;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::plan::Plan;

pub use rule_text::parse_rule;

/// A message in Vietnamese and English.
pub type Message = (String, String);

fn msg(vi: impl Into<String>, en: impl Into<String>) -> Message {
    (vi.into(), en.into())
}

/// Points in hundredths (16,5 điểm = 1650): sums and ties are exact. Written in
/// JSON as a number of points (16.5).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(pub i64);

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Points, D::Error> {
        let v = f64::deserialize(d)?;
        Ok(Points((v * 100.0).round() as i64))
    }
}

/// The most points one criterion may carry.
pub const MAX_CRITERION_POINTS: Points = Points(100_000);
/// The most criteria a sheet may hold.
pub const MAX_CRITERIA: usize = 200;

impl Points {
    pub const ZERO: Points = Points(0);

    pub fn whole(n: i64) -> Points {
        Points(n * 100)
    }

    /// "16", "16,5", "16.5", "16,25": at most two decimals, never negative.
    pub fn parse(text: &str) -> Result<Points, Message> {
        let t = text.trim();
        let bad = || {
            msg(
                format!("\"{t}\" không phải số điểm hợp lệ (ví dụ 8 hoặc 16,5)."),
                format!("\"{t}\" is not a valid number of points (e.g. 8 or 16.5)."),
            )
        };
        if t.is_empty() {
            return Err(msg("Chưa nhập số điểm.", "The points are missing."));
        }
        if t.starts_with('-') {
            return Err(msg(format!("Số điểm không được âm: {t}."), format!("Points cannot be negative: {t}.")));
        }
        let t2 = t.replace(',', ".");
        let (whole, frac) = match t2.split_once('.') {
            Some((w, f)) => (w, f),
            None => (t2.as_str(), ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 {
            return Err(msg(
                format!("Số điểm chỉ lấy tối đa 2 chữ số thập phân: {t}."),
                format!("Points take at most 2 decimals: {t}."),
            ));
        }
        if whole.len() > 7 {
            return Err(bad());
        }
        let w: i64 = if whole.is_empty() { 0 } else { whole.parse().map_err(|_| bad())? };
        let f: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
            _ => frac.parse().map_err(|_| bad())?,
        };
        Ok(Points(w * 100 + f))
    }

    /// Vietnamese writing: "16,5", "8", "1.250".
    pub fn vi(self) -> String {
        crate::format::number(
            self.as_f64(),
            if self.0 % 100 == 0 {
                0
            } else if self.0 % 10 == 0 {
                1
            } else {
                2
            },
        )
    }

    /// English writing: "16.5", "8".
    pub fn en(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.abs();
        match a % 100 {
            0 => format!("{sign}{}", a / 100),
            f if f % 10 == 0 => format!("{sign}{}.{}", a / 100, f / 10),
            f => format!("{sign}{}.{f:02}", a / 100),
        }
    }

    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

/// How a criterion is scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// Completion of one indicator's goal allocated to the unit: max × min(1,
    /// achieved ÷ goal), or the whole max only when the goal is met (all or nothing).
    GoalCompletion { indicator: String, all_or_nothing: bool },
    /// Reporting discipline: max minus `per_late` for each late report and
    /// `per_missing` for each weekly report missing after its deadline, never below 0.
    ReportsOnTime { per_late: Points, per_missing: Points },
    /// Self-scored by the unit with its evidence, then accepted or adjusted by the office.
    Assessed,
}

impl Rule {
    pub fn is_assessed(&self) -> bool {
        matches!(self, Rule::Assessed)
    }

    /// The rule in words, as the sheet shows it and as the import reads it back.
    pub fn text_vi(&self) -> String {
        match self {
            Rule::GoalCompletion { indicator, all_or_nothing: false } => {
                format!("tự động: hoàn thành chỉ tiêu {indicator} (theo tỷ lệ)")
            }
            Rule::GoalCompletion { indicator, all_or_nothing: true } => {
                format!("tự động: hoàn thành chỉ tiêu {indicator} (đạt mới có điểm)")
            }
            Rule::ReportsOnTime { per_late, per_missing } => format!(
                "tự động: báo cáo đúng hạn, trừ {} mỗi báo cáo trễ, {} mỗi báo cáo thiếu",
                per_late.vi(),
                per_missing.vi()
            ),
            Rule::Assessed => "tự chấm, Ban Thường vụ duyệt".to_string(),
        }
    }

    pub fn text_en(&self) -> String {
        match self {
            Rule::GoalCompletion { indicator, all_or_nothing: false } => {
                format!("automatic: completion of goal {indicator} (proportional)")
            }
            Rule::GoalCompletion { indicator, all_or_nothing: true } => {
                format!("automatic: completion of goal {indicator} (all or nothing)")
            }
            Rule::ReportsOnTime { per_late, per_missing } => format!(
                "automatic: reports on time, minus {} per late report, {} per missing report",
                per_late.en(),
                per_missing.en()
            ),
            Rule::Assessed => "self-assessed, reviewed by the office".to_string(),
        }
    }
}

/// One row of the criteria sheet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    /// "1", "1.1", "2.3".
    pub number: String,
    pub title: String,
    pub max: Points,
    pub rule: Rule,
}

/// The sum of the sheet's maximum points.
pub fn total_max(criteria: &[Criterion]) -> Points {
    Points(criteria.iter().map(|c| c.max.0).sum())
}

/// One problem of a sheet, on its row (1-based, as the user sees the rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetProblem {
    pub row: usize,
    pub vi: String,
    pub en: String,
}

fn valid_number(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 20
        && n.split('.').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// Every problem of a sheet (empty: the sheet may be stored): numbers present and
/// unique, titles present, maximum points above 0, goal indicators of the plan,
/// deductions not above the criterion's maximum.
pub fn check_sheet(criteria: &[Criterion], plan: &Plan) -> Vec<SheetProblem> {
    let mut out = Vec::new();
    let mut push = |row: usize, (vi, en): Message| out.push(SheetProblem { row, vi, en });
    if criteria.len() > MAX_CRITERIA {
        push(
            0,
            msg(
                format!("Bảng tiêu chí có quá nhiều dòng (tối đa {MAX_CRITERIA})."),
                format!("The sheet has too many rows ({MAX_CRITERIA} at most)."),
            ),
        );
        return out;
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, c) in criteria.iter().enumerate() {
        let row = i + 1;
        if !valid_number(&c.number) {
            push(
                row,
                msg(
                    format!("Số thứ tự \"{}\" không hợp lệ (ví dụ 1, 1.1, 2.3).", c.number),
                    format!("The number \"{}\" is not valid (e.g. 1, 1.1, 2.3).", c.number),
                ),
            );
        } else if seen.contains(&c.number.as_str()) {
            push(
                row,
                msg(format!("Số thứ tự {} bị trùng.", c.number), format!("The number {} is used twice.", c.number)),
            );
        }
        seen.push(c.number.as_str());
        let title = c.title.trim();
        if title.is_empty() {
            push(row, msg("Chưa nhập tên tiêu chí.", "The criterion's title is missing."));
        } else if title.chars().count() > 500 {
            push(
                row,
                msg("Tên tiêu chí quá dài (tối đa 500 ký tự).", "The title is too long (500 characters at most)."),
            );
        }
        if c.max.0 <= 0 {
            push(row, msg("Điểm tối đa phải lớn hơn 0.", "The maximum points must be above 0."));
        } else if c.max > MAX_CRITERION_POINTS {
            push(
                row,
                msg(
                    format!("Điểm tối đa quá lớn (tối đa {}).", MAX_CRITERION_POINTS.vi()),
                    format!("The maximum points are too large ({} at most).", MAX_CRITERION_POINTS.en()),
                ),
            );
        }
        match &c.rule {
            Rule::GoalCompletion { indicator, .. } => {
                if plan.indicator(indicator).is_none() {
                    push(
                        row,
                        msg(
                            format!("Kế hoạch không có chỉ tiêu \"{indicator}\"."),
                            format!("The plan has no indicator \"{indicator}\"."),
                        ),
                    );
                }
            }
            Rule::ReportsOnTime { per_late, per_missing } => {
                if per_late.0 < 0 || per_missing.0 < 0 || *per_late > c.max || *per_missing > c.max {
                    push(
                        row,
                        msg(
                            "Điểm trừ mỗi báo cáo trễ/thiếu phải từ 0 đến điểm tối đa của tiêu chí.",
                            "The deduction per late/missing report must be between 0 and the criterion's maximum.",
                        ),
                    );
                }
            }
            Rule::Assessed => {}
        }
    }
    out
}

/// The default sheet built from the plan: one goal-completion criterion per
/// indicator sharing 70 points (hundredths shared out so that they add up exactly),
/// reporting discipline (8 points, −1 per late report, −2 per missing one) and one
/// assessed criterion (22 points): 100 in all.
pub fn default_sheet(plan: &Plan) -> Vec<Criterion> {
    let indicators: Vec<_> = plan.indicators().collect();
    let mut out = Vec::new();
    let n = indicators.len() as i64;
    if n > 0 {
        let total = Points::whole(70).0;
        let (share, rest) = (total / n, total % n);
        for (i, ind) in indicators.iter().enumerate() {
            let extra = if (i as i64) < rest { 1 } else { 0 };
            out.push(Criterion {
                number: format!("1.{}", i + 1),
                title: format!("Hoàn thành chỉ tiêu {}: {}", ind.key, ind.label),
                max: Points(share + extra),
                rule: Rule::GoalCompletion { indicator: ind.key.clone(), all_or_nothing: false },
            });
        }
    }
    out.push(Criterion {
        number: "2".into(),
        title: "Chế độ thông tin báo cáo".into(),
        max: Points::whole(8),
        rule: Rule::ReportsOnTime { per_late: Points::whole(1), per_missing: Points::whole(2) },
    });
    out.push(Criterion {
        number: "3".into(),
        title: "Tổ chức các hoạt động hưởng ứng".into(),
        max: Points::whole(22),
        rule: Rule::Assessed,
    });
    out
}

/// Points of a goal-completion criterion from the unit's completion ratio (achieved
/// ÷ allocated goal, as the progress figures compute it; None: no goal, 0 points).
pub fn goal_points(max: Points, all_or_nothing: bool, ratio: Option<f64>) -> Points {
    let Some(r) = ratio.filter(|r| r.is_finite()) else { return Points::ZERO };
    if all_or_nothing {
        return if r >= 1.0 { max } else { Points::ZERO };
    }
    let share = r.clamp(0.0, 1.0);
    Points((max.0 as f64 * share).round() as i64)
}

/// Points of the reporting-discipline criterion: max minus the deductions, never below 0.
pub fn reporting_points(max: Points, per_late: Points, per_missing: Points, late: u64, missing: u64) -> Points {
    let deduction = per_late.0.saturating_mul(late as i64).saturating_add(per_missing.0.saturating_mul(missing as i64));
    Points((max.0 - deduction).max(0))
}

/// Checks a self-score or a reviewed score against its criterion: only assessed
/// criteria take one, between 0 and the maximum.
pub fn check_score(c: &Criterion, points: Points) -> Result<(), Message> {
    if !c.rule.is_assessed() {
        return Err(msg(
            format!("Tiêu chí {} được tính tự động, không tự chấm.", c.number),
            format!("Criterion {} is computed automatically, not self-assessed.", c.number),
        ));
    }
    if points.0 < 0 || points > c.max {
        return Err(msg(
            format!("Điểm tiêu chí {} phải từ 0 đến {} (đã nhập {}).", c.number, c.max.vi(), points.vi()),
            format!(
                "The points of criterion {} must be between 0 and {} (given {}).",
                c.number,
                c.max.en(),
                points.en()
            ),
        ));
    }
    Ok(())
}

/// The evidence behind a self-score: a document (số, ký hiệu, ngày) and/or a free
/// text. Attachments are a later addition.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// Số văn bản ("125").
    pub doc_number: String,
    /// Ký hiệu ("KH-ĐTN").
    pub doc_symbol: String,
    pub doc_date: Option<NaiveDate>,
    pub text: String,
}

impl Evidence {
    /// The document reference as written in Đoàn documents: "Số 125-KH/ĐTN ngày 03/03/2023".
    pub fn reference(&self) -> String {
        let mut out = String::new();
        if !self.doc_number.is_empty() || !self.doc_symbol.is_empty() {
            out.push_str("Số ");
            out.push_str(&self.doc_number);
            if !self.doc_symbol.is_empty() {
                if !self.doc_number.is_empty() {
                    out.push('-');
                }
                out.push_str(&self.doc_symbol);
            }
        }
        if let Some(d) = self.doc_date {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str("ngày ");
            out.push_str(&crate::format::date(d));
        }
        out
    }

    /// Trims the fields and checks their lengths.
    pub fn checked(self) -> Result<Evidence, Message> {
        let e = Evidence {
            doc_number: self.doc_number.trim().to_string(),
            doc_symbol: self.doc_symbol.trim().to_string(),
            doc_date: self.doc_date,
            text: crate::text::clean_note(self.text.trim()),
        };
        if e.doc_number.chars().count() > 50 || e.doc_symbol.chars().count() > 100 {
            return Err(msg(
                "Số hoặc ký hiệu văn bản quá dài (tối đa 50 và 100 ký tự).",
                "The document number or symbol is too long (50 and 100 characters at most).",
            ));
        }
        if e.text.chars().count() > 4000 {
            return Err(msg(
                "Phần minh chứng quá dài (tối đa 4.000 ký tự).",
                "The evidence text is too long (4,000 characters at most).",
            ));
        }
        Ok(e)
    }
}

/// Whether units may still change their self-scores: before the deadline (none
/// set: always), or after it when the office has reopened self-assessment.
pub fn self_assessment_open(deadline: Option<DateTime<Utc>>, reopened: bool, now: DateTime<Utc>) -> bool {
    reopened || deadline.is_none_or(|d| now < d)
}

/// One unit to rank: its total and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked<'a> {
    pub name: &'a str,
    pub total: Points,
}

/// The ranking rule: the highest total first; equal totals share the rank (1, 1,
/// 3 …) and are listed by unit name (Vietnamese letters folded). Returns, in ranking
/// order, each entry's index and rank.
pub fn rank(entries: &[Ranked<'_>]) -> Vec<(usize, u32)> {
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&a, &b| {
        entries[b]
            .total
            .cmp(&entries[a].total)
            .then_with(|| crate::text::fold(entries[a].name).cmp(&crate::text::fold(entries[b].name)))
            .then_with(|| entries[a].name.cmp(entries[b].name))
    });
    let mut out = Vec::with_capacity(order.len());
    let mut last: Option<(Points, u32)> = None;
    for (pos, idx) in order.into_iter().enumerate() {
        let total = entries[idx].total;
        let r = match last {
            Some((t, r)) if t == total => r,
            _ => pos as u32 + 1,
        };
        last = Some((total, r));
        out.push((idx, r));
    }
    out
}

/// A cluster's name: present, at most 200 characters.
pub fn check_cluster_name(name: &str) -> Result<String, Message> {
    let n = name.trim();
    if n.is_empty() {
        return Err(msg("Chưa nhập tên cụm thi đua.", "The cluster's name is missing."));
    }
    if n.chars().count() > 200 {
        return Err(msg(
            "Tên cụm quá dài (tối đa 200 ký tự).",
            "The cluster's name is too long (200 characters at most).",
        ));
    }
    Ok(n.to_string())
}

/// Unit codes as typed in a cluster form: separated by commas, semicolons, spaces or
/// new lines; duplicates dropped, order kept.
pub fn split_codes(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).map(str::trim) {
        if !code.is_empty() && !out.iter().any(|c| c == code) {
            out.push(code.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests;
