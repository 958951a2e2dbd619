//! Numbers as Vietnamese plans write them: "20.000" (thousands), "1,5" (decimal),
//! "02" (leading zero), "7%"; and which numbers of a sentence are goals (not
//! dates, times, years, anniversaries or names in quotes).

use super::text::fold;
use super::text::{first_chars, last_chars};
use super::Confidence;

/// A goal-like number in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Num {
    /// Byte span in the sentence, "%" included.
    pub start: usize,
    pub end: usize,
    pub value: f64,
    pub percent: bool,
    pub confidence: Confidence,
}

/// Reads one number token: "20.000" → 20000, "1,5" → 1.5, "02" → 2.
/// Ambiguous forms ("1.5", "20,000") are read the Vietnamese way with low confidence.
pub(crate) fn parse_number(raw: &str) -> Option<(f64, Confidence)> {
    let digits = raw.chars().filter(char::is_ascii_digit).count();
    if digits == 0 || digits > 15 || !raw.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let groups = |s: &str, sep: char| s.split(sep).map(str::to_string).collect::<Vec<_>>();
    let thousands =
        |parts: &[String]| parts.len() > 1 && parts[0].len() <= 3 && parts[1..].iter().all(|p| p.len() == 3);
    let whole = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>().parse::<f64>().ok();
    match (raw.contains('.'), raw.contains(',')) {
        (false, false) => Some((raw.parse::<f64>().ok()?, Confidence::High)),
        (true, false) => {
            let parts = groups(raw, '.');
            if thousands(&parts) {
                Some((whole(raw)?, Confidence::High))
            } else if parts.len() == 2 && parts[0].len() <= 3 && parts[1].len() <= 2 {
                Some((raw.parse::<f64>().ok()?, Confidence::Low))
            } else {
                None
            }
        }
        (false, true) => {
            let parts = groups(raw, ',');
            match parts.len() {
                2 => {
                    let value = raw.replace(',', ".").parse::<f64>().ok()?;
                    let confidence = if parts[1].len() == 3 { Confidence::Low } else { Confidence::High };
                    Some((value, confidence))
                }
                _ if thousands(&parts) => Some((whole(raw)?, Confidence::Low)),
                _ => None,
            }
        }
        (true, true) => {
            let (int_part, frac) = raw.rsplit_once(',')?;
            let parts = groups(int_part, '.');
            if !frac.contains('.') && (parts.len() == 1 || thousands(&parts)) {
                let value = format!("{}.{frac}", int_part.replace('.', "")).parse::<f64>().ok()?;
                Some((value, Confidence::High))
            } else {
                // "1,234.5": the English way round.
                Some((raw.replace(',', "").parse::<f64>().ok()?, Confidence::Low))
            }
        }
    }
}

/// Words before a number that make it a date, a time or an ordinal, not a goal.
pub(crate) const NOT_GOAL_BEFORE: [&str; 10] =
    ["nam", "ngay", "thang", "so", "khoa", "ky", "thu", "lan", "tuan", "quy"];

/// The goal-like numbers of a sentence, in order.
pub(crate) fn find(text: &str) -> Vec<Num> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let (start, c) = chars[k];
        if !c.is_ascii_digit() || (k > 0 && chars[k - 1].1.is_alphanumeric()) {
            k += 1;
            continue;
        }
        // The run: digits, with "." or "," only between digits.
        let mut j = k;
        while j < chars.len() {
            let c = chars[j].1;
            let inner_sep = matches!(c, '.' | ',') && chars.get(j + 1).is_some_and(|n| n.1.is_ascii_digit());
            if c.is_ascii_digit() || inner_sep {
                j += 1;
            } else {
                break;
            }
        }
        let end = chars.get(j).map_or(text.len(), |c| c.0);
        let next = chars.get(j).map(|c| c.1);
        let after_next = chars.get(j + 1).map(|c| c.1);
        let prev = if k > 0 { Some(chars[k - 1].1) } else { None };
        let mut m = j;
        while chars.get(m).is_some_and(|c| c.1 == ' ') {
            m += 1;
        }
        let percent = chars.get(m).is_some_and(|c| c.1 == '%');
        let token_end = if percent { chars[m].0 + 1 } else { end };
        k = j.max(k + 1);

        let in_date = matches!(next, Some('/' | '-')) && after_next.is_some_and(|c| c.is_ascii_digit())
            || matches!(prev, Some('/' | '-' | '.' | ','));
        let is_time =
            matches!(next, Some('h' | 'H' | 'g' | ':')) && !after_next.is_some_and(|c| c.is_alphabetic() && c != 'h');
        let quoted = matches!(prev, Some('“' | '"' | '\'' | '‘' | '('));
        let raw = &text[start..end];
        let phone = raw.starts_with('0') && raw.chars().filter(char::is_ascii_digit).count() >= 8;
        if in_date || is_time || phone || (quoted && !percent) {
            continue;
        }
        let before = fold(last_chars(&text[..start], 30));
        let mut words_before =
            before.split(' ').map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())).filter(|w| !w.is_empty()).rev();
        let word_before = words_before.next().unwrap_or("");
        let total = word_before == "so" && words_before.next() == Some("tong");
        if NOT_GOAL_BEFORE.contains(&word_before) && !percent && !total {
            continue;
        }
        let after = fold(first_chars(&text[end..], 30));
        let word_after = after
            .split(' ')
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
            .find(|w| !w.is_empty())
            .unwrap_or("");
        if !percent && matches!(word_after, "nam" | "gio" | "phut" | "thang") {
            continue;
        }
        if let Some((value, confidence)) = parse_number(raw) {
            out.push(Num { start, end: token_end, value, percent, confidence });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_number_formats() {
        assert_eq!(parse_number("20.000"), Some((20000.0, Confidence::High)));
        assert_eq!(parse_number("1.234.567"), Some((1234567.0, Confidence::High)));
        assert_eq!(parse_number("02"), Some((2.0, Confidence::High)));
        assert_eq!(parse_number("1,5"), Some((1.5, Confidence::High)));
        assert_eq!(parse_number("1.234,5"), Some((1234.5, Confidence::High)));
        assert_eq!(parse_number("1.5"), Some((1.5, Confidence::Low)));
        assert_eq!(parse_number("20,000"), Some((20.0, Confidence::Low)));
        assert_eq!(parse_number("1,234.5"), Some((1234.5, Confidence::Low)));
        assert_eq!(parse_number("1..2"), None);
        assert_eq!(parse_number("99999999999999999999"), None);
    }

    fn values(text: &str) -> Vec<(f64, bool)> {
        find(text).into_iter().map(|n| (n.value, n.percent)).collect()
    }

    #[test]
    fn goals_not_dates_times_years_or_names() {
        assert_eq!(values("Tổ chức trồng mới và chăm sóc 20.000 cây xanh."), vec![(20000.0, false)]);
        assert_eq!(values("85% đoàn viên và ít nhất 70% TN"), vec![(85.0, true), (70.0, true)]);
        assert_eq!(values("có trên 7 % thanh thiếu nhi, 1,5% khác"), vec![(7.0, true), (1.5, true)]);
        assert_eq!(values("trước 16h00, thứ 6 hàng tuần, trước ngày 30/3/2023"), vec![]);
        assert_eq!(values("kỷ niệm 92 năm ngày thành lập (26/3/1931-26/3/2023) năm 2023"), vec![]);
        assert_eq!(values("phong trào “3 trách nhiệm” và 02 mô hình"), vec![(2.0, false)]);
        assert_eq!(values("điện thoại: 0297.868250"), vec![]);
        assert_eq!(values("nhiệm kỳ 2022-2027, VP TW Đoàn (1,2)"), vec![]);
    }
}
