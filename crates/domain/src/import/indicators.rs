//! One target sentence → its indicators (DESIGN §3).
//!
//! Each goal number starts an indicator. Between two numbers the sentence is cut
//! at the strongest joint: a sentence end (". ", "; "), "trong đó" (a part of the
//! previous indicator), " và ", or ", ". Each piece then gives the comparison
//! ("trên" → ">", otherwise ">="), the kind (a percentage of people, a share of
//! units, a minimum per unit, or a count), the base or the levels, and the unit label.

use super::draft::{Found, IndicatorDraft};
use super::lexicon::{keys, person, skip, starts, subject, unit_label};
use super::numbers::{self, Num};
use super::text::{capitalise, strip_bullet, trim_clause, words, Word};
use super::Confidence;
use crate::plan::{Comparison, IndicatorKind, Level};
use crate::unit::{BaseFigure, UnitKind};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Joint {
    First,
    Sentence,
    PartOf,
    And,
    Comma,
}

struct Piece {
    start: usize,
    end: usize,
    num: Num,
    joint: Joint,
}

/// The last whole word `key` in `text`, as a byte span.
fn last_word(text: &str, key: &str) -> Option<(usize, usize)> {
    words(text).into_iter().rev().find(|w| w.key == key).map(|w| (w.start, w.end))
}

/// Where to cut `gap` (the text between two numbers): end of the first piece,
/// start of the next, and the kind of joint.
fn cut(gap: &str) -> Option<(usize, usize, Joint)> {
    let sentence_end =
        gap.char_indices().rev().find(|(i, c)| matches!(c, '.' | ';' | '!' | '?') && gap[i + 1..].starts_with(' '));
    if let Some((i, _)) = sentence_end {
        return Some((i + 1, i + 1, Joint::Sentence));
    }
    if let Some((s, _)) = super::text::find_folded(gap, "trong do") {
        return Some((s, s, Joint::PartOf));
    }
    if let Some((s, e)) = last_word(gap, "va") {
        return Some((s, e, Joint::And));
    }
    gap.char_indices()
        .rev()
        .find(|(i, c)| *c == ',' && gap[i + 1..].starts_with(' '))
        .map(|(i, _)| (i, i + 1, Joint::Comma))
}

fn pieces(text: &str, nums: Vec<Num>, skipped: &mut Vec<Num>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    for num in nums {
        let Some(last) = out.last_mut() else {
            out.push(Piece { start: 0, end: text.len(), num, joint: Joint::First });
            continue;
        };
        let from = last.num.end;
        match cut(&text[from..num.start]) {
            Some((end, start, joint)) => {
                last.end = from + end;
                out.push(Piece { start: from + start, end: text.len(), num, joint });
            }
            None => skipped.push(num),
        }
    }
    out
}

/// "trên" → ">"; "ít nhất", "tối thiểu" or nothing → ">="; with the number of words used.
fn comparison(before: &[&str]) -> (Comparison, Confidence, usize) {
    const MORE: [&[&str]; 4] = [&["vuot", "tren"], &["nhieu", "hon"], &["tren"], &["hon"]];
    const AT_LEAST: [&[&str]; 9] = [
        &["it", "nhat", "co"],
        &["co", "it", "nhat"],
        &["it", "nhat", "la"],
        &["toi", "thieu", "la"],
        &["khong", "it", "hon"],
        &["it", "nhat"],
        &["toi", "thieu"],
        &["khong", "duoi"],
        &["dat", "toi", "thieu"],
    ];
    if let Some(p) = MORE.iter().find(|p| before.ends_with(p)) {
        return (Comparison::MoreThan, Confidence::High, p.len());
    }
    if let Some(p) = AT_LEAST.iter().find(|p| before.ends_with(p)) {
        return (Comparison::AtLeast, Confidence::High, p.len());
    }
    (Comparison::AtLeast, Confidence::High, 0)
}

struct Reading {
    kind: IndicatorKind,
    confidence: Confidence,
    base: Option<BaseFigure>,
    levels: Vec<Level>,
    unit_kinds: Vec<UnitKind>,
    per_unit_minimum: Option<f64>,
    note: Option<String>,
}

impl Reading {
    fn new(kind: IndicatorKind, confidence: Confidence) -> Self {
        Reading {
            kind,
            confidence,
            base: None,
            levels: Vec::new(),
            unit_kinds: Vec::new(),
            per_unit_minimum: None,
            note: None,
        }
    }
}

fn percent_reading(after: &[&str], rest_folded: &str, problems: &mut Vec<String>, number: u32) -> Reading {
    let after = skip(after, &["cac", "so", "tong"]);
    if let Some((levels, kinds, _)) = subject(after) {
        let mut r = Reading::new(IndicatorKind::ShareOfUnits, Confidence::High);
        r.levels = levels;
        r.unit_kinds = kinds;
        return r;
    }
    if starts(after, "clb").or_else(|| starts(after, "cau lac bo")).is_some() {
        let named = rest_folded.contains("niem tin") || rest_folded.contains("phap luat");
        let mut r =
            Reading::new(IndicatorKind::PercentOfBase, if named { Confidence::Medium } else { Confidence::Low });
        r.base = Some(BaseFigure::ClbTsntTtvpl);
        r.note = Some("Mẫu số là số CLB hiện có (clb_tsnt_ttvpl), cần xác nhận. / The base is the number of existing clubs (clb_tsnt_ttvpl); please confirm.".into());
        return r;
    }
    if let Some((base, confidence, note)) = person(after) {
        let mut r = Reading::new(IndicatorKind::PercentOfBase, confidence);
        r.base = Some(base);
        r.note = note.map(str::to_string);
        return r;
    }
    problems.push(format!(
        "Chỉ tiêu {number}: không nhận ra đối tượng của tỉ lệ, tạm lấy số đoàn viên làm mẫu số / target {number}: the people of the percentage were not recognised; the member count is used for now"
    ));
    let mut r = Reading::new(IndicatorKind::PercentOfBase, Confidence::Low);
    r.base = Some(BaseFigure::DoanVien);
    r.note = Some("⚠ Không rõ mẫu số; tạm lấy số đoàn viên. / Unknown base; member count used for now.".into());
    r
}

fn count_reading(before_words: &[Word], piece: &str, explicit_minimum: bool, value: f64, rest_folded: &str) -> Reading {
    let spoken: Vec<&Word> = before_words.iter().filter(|w| !w.key.is_empty()).collect();
    let before: Vec<&str> = spoken.iter().map(|w| w.key.as_str()).collect();
    let lead = skip(&before, &["trong", "do", "cac", "moi", "tat", "ca", "100%"]);
    let skipped = before.len() - lead.len();
    let each = before.contains(&"moi");
    match subject(lead) {
        Some((levels, kinds, n)) if each || explicit_minimum => {
            let other_level =
                ["tai xa", "tai cac xa", "tai co so", "moi xa", "cho xa"].iter().any(|p| rest_folded.contains(p));
            let mut r = Reading::new(
                IndicatorKind::MinimumPerUnit,
                if other_level { Confidence::Low } else { Confidence::Medium },
            );
            let who = match (spoken.get(skipped), spoken.get(skipped + n - 1)) {
                (Some(first), Some(last)) => trim_clause(&piece[first.start..last.end]).to_string(),
                _ => lead[..n].join(" "),
            };
            let shown = crate::format::number(value, 2);
            r.note = Some(if other_level {
                format!("Đọc là mỗi đơn vị ({who}) đạt ít nhất {shown}, không phải mỗi xã, phường, thị trấn; cần xác nhận. / Read as at least {shown} per unit ({who}), not per commune; please confirm.")
            } else {
                format!("Mỗi đơn vị ({who}) đạt ít nhất {shown}. / At least {shown} per unit ({who}).")
            });
            r.levels = levels;
            r.unit_kinds = kinds;
            r.per_unit_minimum = Some(value);
            r
        }
        _ => Reading::new(IndicatorKind::Count, Confidence::High),
    }
}

fn letter(k: usize) -> String {
    match u8::try_from(k).ok().filter(|k| *k < 26) {
        Some(k) => char::from(b'a' + k).to_string(),
        None => format!("-{}", k + 1),
    }
}

/// The indicators of target `number`, read from its sentence.
pub(crate) fn read(number: u32, text: &str, line: usize, problems: &mut Vec<String>) -> Vec<IndicatorDraft> {
    let nums = numbers::find(text);
    if nums.is_empty() {
        problems.push(format!(
            "Chỉ tiêu {number}: câu không có số liệu nào đọc được; cần nhập chỉ số bằng tay / target {number}: its sentence yielded no number; enter the indicator by hand"
        ));
        return Vec::new();
    }
    let mut skipped = Vec::new();
    let pieces = pieces(text, nums, &mut skipped);
    for s in &skipped {
        problems.push(format!(
            "Chỉ tiêu {number}: bỏ qua số \"{}\" (cùng vế câu với số trước) / target {number}: number \"{}\" ignored (same clause as the previous one)",
            &text[s.start..s.end],
            &text[s.start..s.end]
        ));
    }
    let several = pieces.len() > 1;
    let mut out: Vec<IndicatorDraft> = Vec::new();
    for (k, p) in pieces.iter().enumerate() {
        let piece = &text[p.start..p.end];
        let (rel_start, rel_end) = (p.num.start - p.start, p.num.end - p.start);
        let before_words = words(&piece[..rel_start]);
        let after_words = words(&piece[rel_end..]);
        let before = keys(&before_words);
        let after = keys(&after_words);
        let rest_folded = after.join(" ");
        let (cmp, cmp_confidence, cmp_len) = comparison(&before);
        let explicit_minimum = cmp_len > 0;
        let reading = if p.num.percent {
            percent_reading(&after, &rest_folded, problems, number)
        } else {
            count_reading(&before_words, piece, explicit_minimum, p.num.value, &rest_folded)
        };
        let unit = match reading.kind {
            IndicatorKind::Count | IndicatorKind::MinimumPerUnit => unit_label(&after_words),
            _ => None,
        };
        if reading.kind == IndicatorKind::Count && unit.as_ref().is_none_or(|u| u.1 == Confidence::Low) {
            problems.push(format!(
                "Chỉ tiêu {number}: không nhận ra đơn vị tính, cần kiểm tra / target {number}: the unit label was not recognised; please check"
            ));
        }
        let mut goal = match reading.kind {
            IndicatorKind::MinimumPerUnit => 100.0,
            _ => p.num.value,
        };
        // "1,5 tỷ đồng": money is counted in đồng.
        let mut unit = unit;
        let mut note = reading.note.clone();
        if let Some((label, _)) = unit.as_mut() {
            let factor = match label.as_str() {
                "tỷ đồng" => 1e9,
                "triệu đồng" => 1e6,
                _ => 1.0,
            };
            if factor > 1.0 && reading.kind == IndicatorKind::Count {
                note = Some(format!(
                    "{} {label} = {} đồng.",
                    crate::format::number(goal, 3),
                    crate::format::number(goal * factor, 0)
                ));
                goal = (goal * factor).round();
                *label = "đồng".to_string();
            }
        }
        if reading.kind == IndicatorKind::Count && goal.fract() != 0.0 {
            problems.push(format!(
                "Chỉ tiêu {number}: số {} không phải số nguyên nhưng là chỉ tiêu đếm; cần sửa / target {number}: {} is not a whole number but the goal is a count; please fix",
                crate::format::number(goal, 3),
                crate::format::number(goal, 3)
            ));
        }
        let key = if several { format!("{number}{}", letter(k)) } else { number.to_string() };
        let part_of = (p.joint == Joint::PartOf).then(|| out.last().map(|prev| prev.key.clone())).flatten();
        let label = match reading.kind {
            // "Huyện, thành Đoàn ... có ít nhất 01 công trình": the number is part of the rule.
            IndicatorKind::MinimumPerUnit | IndicatorKind::ShareOfUnits => {
                let text = strip_bullet(trim_clause(piece));
                capitalise(text.strip_prefix("Các ").or_else(|| text.strip_prefix("các ")).unwrap_or(text))
            }
            _ => {
                let cut_comparison = before_words.iter().filter(|w| !w.key.is_empty()).count().saturating_sub(cmp_len);
                let lead_end = before_words
                    .iter()
                    .filter(|w| !w.key.is_empty())
                    .nth(cut_comparison)
                    .map_or(rel_start, |w| w.start);
                let label = format!("{} {}", &piece[..lead_end], &piece[rel_end..]);
                capitalise(strip_bullet(trim_clause(&label.split_whitespace().collect::<Vec<_>>().join(" "))))
            }
        };
        let source = trim_clause(piece).to_string();
        out.push(IndicatorDraft {
            key,
            label,
            kind: Found::new(reading.kind, &source, line, reading.confidence),
            comparison: Found::new(cmp, &source, line, cmp_confidence),
            goal: Found::new(goal, &source, line, p.num.confidence),
            unit_label: unit.map(|(u, c)| Found::new(u, &source, line, c)),
            base: reading.base.map(|b| Found::new(b, &source, line, reading.confidence)),
            levels: reading.levels,
            unit_kinds: reading.unit_kinds,
            per_unit_minimum: reading.per_unit_minimum,
            part_of,
            note,
            goal_missing: false,
            suggested: false,
        });
    }
    out
}

/// The figure of a goal cell: "80%", "1.200", "01", "≥ 80%", "Trên 90%", "5 lớp".
pub(crate) fn quantity(cell: &str) -> Option<Num> {
    let spoken = spoken_comparisons(cell);
    let nums = numbers::find(&spoken);
    let first = nums.first()?;
    // A cell is a figure when little else is written in it.
    let letters = spoken[..first.start].chars().filter(|c| c.is_alphabetic()).count();
    (letters <= 12).then(|| first.clone())
}

/// "≥ 80%" → "ít nhất 80%", "> 90%" → "trên 90%": the words the reader knows.
fn spoken_comparisons(cell: &str) -> String {
    cell.replace(">=", "ít nhất ")
        .replace('≥', "ít nhất ")
        .replace('>', "trên ")
        .replace("=<", "")
        .replace('≤', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// "Tỷ lệ đoàn viên …" → "đoàn viên …": the wording of a percentage in a table
/// without the words that only announce it.
fn without_share_words(text: &str) -> &str {
    let mut rest = text.trim();
    for lead in ["phan dau", "ty le", "ti le", "so", "co"] {
        let ws = words(rest);
        let n = lead.split(' ').count();
        if ws.len() > n && ws[..n].iter().map(|w| w.key.as_str()).collect::<Vec<_>>().join(" ") == lead {
            rest = rest[ws[n].start..].trim_start();
        }
    }
    rest
}

/// The indicator of a table row: its wording in one cell, its figure in another
/// ("80%", "1.200", "01"), the unit of measure from an "Đơn vị tính" cell when
/// the table has one. An empty goal cell reads the figure from the wording.
pub(crate) fn from_cells(
    number: u32,
    text: &str,
    goal_cell: &str,
    unit_cell: Option<&str>,
    source: &str,
    line: usize,
    problems: &mut Vec<String>,
) -> Vec<IndicatorDraft> {
    let goal_cell = goal_cell.trim();
    if goal_cell.is_empty() {
        return read(number, text, line, problems);
    }
    let Some(q) = quantity(goal_cell) else {
        problems.push(format!(
            "Chỉ tiêu {number}: ô số lượng \"{goal_cell}\" không có con số đọc được; cần nhập bằng tay / target {number}: the quantity cell \"{goal_cell}\" has no readable figure; enter it by hand"
        ));
        return Vec::new();
    };
    let spoken = spoken_comparisons(goal_cell);
    let before_number = spoken[..q.start].trim();
    let raw = &spoken[q.start..q.end];
    let percent = q.percent || unit_cell.is_some_and(|u| u.trim() == "%");
    let digits = raw.trim_end_matches('%').trim();
    let unit = unit_cell.map(str::trim).filter(|u| !u.is_empty() && *u != "%");
    // The same reader as for a sentence, on the row said as one.
    let sentence = if percent {
        format!("{before_number} {digits}% {}", without_share_words(text))
    } else {
        let after = unit.map_or_else(|| spoken[q.end..].trim().to_string(), str::to_string);
        let wording = trim_clause(text);
        // "… chuyển đổi số" + "01": "số 01" would read as an ordinal.
        let last = words(wording).last().map(|w| w.key.clone()).unwrap_or_default();
        let joint =
            if numbers::NOT_GOAL_BEFORE.contains(&last.as_str()) && before_number.is_empty() { "đạt" } else { "" };
        format!("{wording} {joint} {before_number} {digits} {after}")
    };
    let sentence = sentence.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut own = Vec::new();
    let read_back = read(number, &sentence, line, &mut own);
    let Some(mut ind) = read_back.into_iter().find(|i| {
        (i.goal.value - q.value).abs() < 1e-9 || i.per_unit_minimum.is_some_and(|m| (m - q.value).abs() < 1e-9)
    }) else {
        problems.extend(own);
        return Vec::new();
    };
    let mut unit_found = ind.unit_label.as_ref().is_some_and(|u| u.confidence != Confidence::Low);
    if let Some(u) = unit {
        if matches!(ind.kind.value, IndicatorKind::Count | IndicatorKind::MinimumPerUnit) {
            ind.unit_label = Some(Found::new(u.to_string(), source, line, Confidence::High));
            unit_found = true;
        }
    } else if ind.kind.value == IndicatorKind::Count && !unit_found {
        if let Some(m) = super::lexicon::measure_in(&words(text)) {
            ind.unit_label = Some(Found::new(m, source, line, Confidence::Medium));
            unit_found = true;
        }
    }
    for p in own {
        let unit_problem = p.contains("unit label was not recognised");
        if !(unit_problem && unit_found) {
            problems.push(p);
        }
    }
    ind.key = number.to_string();
    ind.part_of = None;
    ind.label = capitalise(strip_bullet(trim_clause(text)));
    ind.goal = Found::new(ind.goal.value, source, line, q.confidence);
    ind.kind = Found { source: source.to_string(), ..ind.kind };
    ind.comparison = Found { source: source.to_string(), ..ind.comparison };
    if let Some(b) = ind.base.take() {
        ind.base = Some(Found { source: source.to_string(), ..b });
    }
    vec![ind]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Vec<IndicatorDraft> {
        read(1, text, 1, &mut Vec::new())
    }

    fn summary(ind: &IndicatorDraft) -> (String, &'static str, &'static str, f64, Option<String>) {
        (
            ind.key.clone(),
            ind.kind.value.as_str(),
            ind.comparison.value.as_str(),
            ind.goal.value,
            ind.unit_label.as_ref().map(|u| u.value.clone()),
        )
    }

    #[test]
    fn two_percentages_joined_by_va() {
        let inds = read_all("85% đoàn viên và ít nhất 70% TN được tiếp thu các chủ trương.");
        assert_eq!(inds.len(), 2);
        assert_eq!(inds[0].base.as_ref().unwrap().value, BaseFigure::DoanVien);
        assert_eq!(inds[1].base.as_ref().unwrap().value, BaseFigure::ThanhNien);
        assert_eq!(summary(&inds[1]), ("1b".into(), "percent_of_base", ">=", 70.0, None));
    }

    #[test]
    fn trong_do_makes_a_part() {
        let inds = read_all("Hỗ trợ kinh phí để xây dựng 02 mô hình phát triển kinh tế của thanh niên, trong đó ít nhất có 01 mô hình của thanh niên dân tộc.");
        assert_eq!(summary(&inds[0]), ("1a".into(), "count", ">=", 2.0, Some("mô hình".into())));
        assert_eq!(summary(&inds[1]), ("1b".into(), "count", ">=", 1.0, Some("mô hình".into())));
        assert_eq!(inds[1].part_of.as_deref(), Some("1a"));
    }

    #[test]
    fn tren_is_strict_and_commas_split() {
        let inds = read_all("Trong Tháng thanh niên có trên 7% thanh thiếu nhi được tiếp cận. Tối thiểu 7% thanh niên sử dụng dịch vụ công trực tuyến, 10% thanh niên sử dụng tài khoản thanh toán điện tử.");
        let cmp: Vec<&str> = inds.iter().map(|i| i.comparison.value.as_str()).collect();
        assert_eq!(cmp, vec![">", ">=", ">="]);
        assert_eq!(inds[0].base.as_ref().unwrap().value, BaseFigure::ThanhThieuNhi);
        assert_eq!(inds[2].goal.value, 10.0);
    }

    #[test]
    fn units_doing_something_and_minimum_per_unit() {
        let inds = read_all("100% đoàn xã, phường, thị trấn thành lập tổ công nghệ số cộng đồng");
        assert_eq!(inds[0].kind.value, IndicatorKind::ShareOfUnits);
        assert_eq!(inds[0].unit_kinds, vec![UnitKind::Commune, UnitKind::Ward, UnitKind::Township]);
        let inds = read_all("Các huyện, thành Đoàn và Đoàn trực thuộc có ít nhất 01 công trình thanh niên; Đoàn cấp cơ sở có ít nhất 01 công trình hoặc phần việc thanh niên tham gia xây dựng nông thôn mới.");
        assert_eq!(summary(&inds[0]), ("1a".into(), "minimum_per_unit", ">=", 100.0, Some("công trình".into())));
        assert_eq!((inds[0].levels.clone(), inds[0].unit_kinds.is_empty()), (vec![Level::District], true));
        assert_eq!(inds[1].unit_label.as_ref().unwrap().value, "công trình hoặc phần việc");
        assert_eq!(inds[1].levels, vec![Level::Grassroots]);
        assert_eq!(inds[1].per_unit_minimum, Some(1.0));
    }

    #[test]
    fn ambiguous_minimum_is_low_confidence() {
        let inds =
            read_all("Các huyện, thành Đoàn hỗ trợ ít nhất 01 thanh thiếu niên yếu thế tại xã, phường, thị trấn.");
        assert_eq!(inds[0].kind.value, IndicatorKind::MinimumPerUnit);
        assert_eq!(inds[0].kind.confidence, Confidence::Low);
        assert_eq!(inds[0].unit_kinds, vec![UnitKind::City, UnitKind::District]);
    }

    #[test]
    fn no_number_is_a_problem() {
        let mut problems = Vec::new();
        assert!(read(3, "Tổ chức các hoạt động tuyên truyền.", 1, &mut problems).is_empty());
        assert!(problems[0].contains("no number"));
    }
}
