//! Dates and deadlines as plans write them: "ngày 24/2/2023", "từ ngày 01/3 đến
//! 05/3/2023", "trước ngày 10/4/2023", "ngày 10 tháng 02 năm 2023", and the
//! weekly rule "trước 16h00, thứ 6 hàng tuần".

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};

use super::text::fold;
use super::text::{first_chars, last_chars, words, Word};
use super::Confidence;
use crate::plan::When;

/// A date phrase found in a sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DatePhrase {
    pub when: When,
    /// Byte span in the sentence, the leading "từ ngày" / "trước ngày" included.
    pub start: usize,
    pub end: usize,
    pub confidence: Confidence,
}

/// A day and month, with the year when written.
#[derive(Debug, Clone, Copy)]
struct Tok {
    day: u32,
    month: u32,
    year: Option<i32>,
    start: usize,
    end: usize,
}

fn digits_at(chars: &[(usize, char)], k: usize, max: usize) -> (usize, u32) {
    let mut j = k;
    let mut value: u32 = 0;
    while j < chars.len() && j - k < max && chars[j].1.is_ascii_digit() {
        value = value * 10 + chars[j].1.to_digit(10).unwrap_or(0);
        j += 1;
    }
    (j - k, value)
}

/// "24/2/2023", "01/3", "24-02-2023", "24.2.2023" (a year is needed with "." and "-").
fn short_dates(text: &str) -> Vec<Tok> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut k = 0;
    while k < chars.len() {
        let starts_token = chars[k].1.is_ascii_digit() && (k == 0 || !chars[k - 1].1.is_alphanumeric());
        if !starts_token {
            k += 1;
            continue;
        }
        let (n1, day) = digits_at(&chars, k, 3);
        let sep_at = k + n1;
        let sep = chars.get(sep_at).map(|c| c.1);
        if n1 > 2 || !matches!(sep, Some('/' | '-' | '.')) {
            k = sep_at.max(k + 1);
            continue;
        }
        let (n2, month) = digits_at(&chars, sep_at + 1, 3);
        if n2 == 0 || n2 > 2 {
            k = sep_at + 1;
            continue;
        }
        let mut j = sep_at + 1 + n2;
        let mut year = None;
        if chars.get(j).map(|c| c.1) == sep {
            let (n3, y) = digits_at(&chars, j + 1, 5);
            if n3 == 4 || n3 == 2 {
                year = Some(if n3 == 2 { 2000 + y as i32 } else { y as i32 });
                j += 1 + n3;
            }
        }
        let followed_by_digit = chars.get(j).is_some_and(|c| c.1.is_ascii_digit());
        let needs_year = sep != Some('/');
        if !followed_by_digit && (year.is_some() || !needs_year) && (1..=31).contains(&day) && (1..=12).contains(&month)
        {
            let end = chars.get(j).map_or(text.len(), |c| c.0);
            out.push(Tok { day, month, year, start: chars[k].0, end });
        }
        k = j.max(k + 1);
    }
    out
}

fn number_word(w: &Word) -> Option<u32> {
    (!w.key.is_empty() && w.key.len() <= 4 && w.key.bytes().all(|b| b.is_ascii_digit())).then(|| w.key.parse().ok())?
}

/// "ngày 10 tháng 02 năm 2023", "ngày 5 tháng 3".
fn long_dates(text: &str) -> Vec<Tok> {
    let ws = words(text);
    let mut out = Vec::new();
    for i in 0..ws.len() {
        let key = |k: usize| ws.get(k).map(|w| w.key.as_str());
        if key(i) != Some("ngay") || key(i + 2) != Some("thang") {
            continue;
        }
        let (Some(day), Some(month)) = (ws.get(i + 1).and_then(number_word), ws.get(i + 3).and_then(number_word))
        else {
            continue;
        };
        let year = (key(i + 4) == Some("nam")).then(|| ws.get(i + 5).and_then(number_word)).flatten();
        let last = if year.is_some() { i + 5 } else { i + 3 };
        let raw = &text[ws[last].start..ws[last].end];
        let end = ws[last].start + raw.trim_end_matches(|c: char| !c.is_alphanumeric()).len();
        if (1..=31).contains(&day) && (1..=12).contains(&month) {
            out.push(Tok { day, month, year: year.map(|y| y as i32), start: ws[i].start, end });
        }
    }
    out
}

fn date_of(t: Tok, default_year: Option<i32>) -> Option<(NaiveDate, bool)> {
    let (year, guessed) = match (t.year, default_year) {
        (Some(y), _) => (y, false),
        (None, Some(y)) => (y, true),
        (None, None) => return None,
    };
    if !(1900..=2200).contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, t.month, t.day).map(|d| (d, guessed))
}

/// Folded keys of the words of `text`, punctuation-only words kept as themselves ("-").
fn keys(text: &str) -> Vec<(String, usize)> {
    words(text)
        .into_iter()
        .map(|w| {
            let raw = text[w.start..w.end].trim();
            let key = if w.key.is_empty() { raw.to_string() } else { w.key };
            (key, w.start)
        })
        .collect()
}

/// The start of a trailing phrase ("truoc ngay") in `before`, if it ends with it.
fn ends_with(before: &[(String, usize)], phrase: &str) -> Option<usize> {
    let target: Vec<&str> = phrase.split(' ').collect();
    let n = target.len();
    if before.len() < n {
        return None;
    }
    let tail = &before[before.len() - n..];
    tail.iter().zip(&target).all(|(k, t)| k.0 == *t).then(|| tail[0].1)
}

const RANGE_WORDS: [&str; 7] = ["den", "den ngay", "-", "–", "toi", "toi ngay", "den het ngay"];

/// Every date phrase of a sentence, in order. Days without a year take `default_year`
/// (with medium confidence); without one they are skipped.
pub(crate) fn find(text: &str, default_year: Option<i32>) -> Vec<DatePhrase> {
    let mut toks = short_dates(text);
    toks.extend(long_dates(text));
    toks.sort_by_key(|t| t.start);
    toks.dedup_by_key(|t| t.start);
    let mut out = Vec::new();
    let mut prev_end = 0;
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        if t.start < prev_end {
            i += 1;
            continue;
        }
        // Only the last words before a date say what it is.
        let window = last_chars(&text[prev_end..t.start], 60);
        let window_start = t.start - window.len();
        let before = keys(window);
        let abs = |rel: usize| window_start + rel;
        let lead = |phrases: &[&str]| phrases.iter().find_map(|p| ends_with(&before, p)).map(abs);

        // A window: "từ ngày 01/3 đến 05/3/2023", "01/3 - 05/3/2023".
        if let Some(&n) = toks.get(i + 1).filter(|n| n.start >= t.end) {
            let between = fold(&text[t.end..n.start]);
            if RANGE_WORDS.contains(&between.trim()) {
                let year = t.year.or(n.year).or(default_year);
                let mut from_tok = t;
                from_tok.year = year;
                if t.year.is_none() && n.year.is_some() && t.month > n.month {
                    from_tok.year = year.map(|y| y - 1);
                }
                if let (Some((from, _)), Some((to, guessed))) = (date_of(from_tok, default_year), date_of(n, year)) {
                    let start = lead(&["tu ngay", "tu"]).unwrap_or(t.start);
                    let confidence = if guessed { Confidence::Medium } else { Confidence::High };
                    out.push(DatePhrase { when: When::Window { from, to }, start, end: n.end, confidence });
                    prev_end = n.end;
                    i += 2;
                    continue;
                }
            }
        }
        let Some((date, guessed)) = date_of(t, default_year) else {
            i += 1;
            continue;
        };
        let confidence = if guessed { Confidence::Medium } else { Confidence::High };
        // "từ ngày 01 đến 05/3/2023": the first day alone.
        if let Some(phrase) = bare_day_window(&before, date) {
            out.push(DatePhrase { when: phrase.0, start: abs(phrase.1), end: t.end, confidence });
        } else if let Some(start) = lead(&["truoc ngay", "truoc", "truoc han", "han chot ngay", "han chot"]) {
            out.push(DatePhrase { when: When::Before { date }, start, end: t.end, confidence });
        } else if let Some(start) =
            lead(&["cham nhat ngay", "cham nhat la ngay", "cham nhat", "han cuoi ngay", "han cuoi"])
        {
            // "chậm nhất ngày D": D itself is still allowed.
            if let Some(next_day) = date.succ_opt() {
                out.push(DatePhrase {
                    when: When::Before { date: next_day },
                    start,
                    end: t.end,
                    confidence: Confidence::Medium,
                });
            }
        } else if let Some(start) = deadline_with_time(&before).map(abs) {
            out.push(DatePhrase { when: When::Before { date }, start, end: t.end, confidence: Confidence::Medium });
        } else {
            let start = lead(&["vao ngay", "ngay"]).unwrap_or(t.start);
            out.push(DatePhrase { when: When::On { date }, start, end: t.end, confidence });
        }
        prev_end = t.end;
        i += 1;
    }
    out
}

/// "... từ ngày 01 đến" before "05/3/2023".
fn bare_day_window(before: &[(String, usize)], to: NaiveDate) -> Option<(When, usize)> {
    let n = before.len();
    let joiner = before.get(n.checked_sub(1)?)?;
    if !matches!(joiner.0.as_str(), "den" | "-" | "–" | "toi") {
        return None;
    }
    let day_word = before.get(n.checked_sub(2)?)?;
    let day: u32 = day_word.0.parse().ok()?;
    let mut k = n - 2;
    if k > 0 && before[k - 1].0 == "ngay" {
        k -= 1;
    }
    let start = if k > 0 && before[k - 1].0 == "tu" {
        before[k - 1].1
    } else {
        return None;
    };
    let from = NaiveDate::from_ymd_opt(to.year(), to.month(), day)?;
    (from <= to).then_some((When::Window { from, to }, start))
}

/// "trước 16h00 ngày" before a date: a deadline at a time of that day.
fn deadline_with_time(before: &[(String, usize)]) -> Option<usize> {
    let n = before.len();
    let mut k = n;
    if k > 0 && before[k - 1].0 == "ngay" {
        k -= 1;
    }
    if k < 2 || find_time(&before[k - 1].0).is_none() || before[k - 2].0 != "truoc" {
        return None;
    }
    Some(before[k - 2].1)
}

/// The first clock time: "16h00", "16h", "16:00", "16 giờ", "16g30".
pub(crate) fn find_time(text: &str) -> Option<NaiveTime> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        if !chars[k].1.is_ascii_digit() || (k > 0 && chars[k - 1].1.is_alphanumeric()) {
            k += 1;
            continue;
        }
        let (n, hour) = digits_at(&chars, k, 3);
        let j = k + n;
        let sep = chars.get(j).map(|c| c.1);
        let minute = match sep {
            Some('h' | 'H' | 'g' | ':') => {
                let (m, minute) = digits_at(&chars, j + 1, 3);
                let letter_after = chars.get(j + 1 + m).is_some_and(|c| c.1.is_alphabetic());
                let well_formed = m == 2 || (m == 0 && sep != Some(':'));
                (well_formed && !letter_after && n <= 2 && hour < 24 && minute < 60).then_some(minute)
            }
            Some(' ') => {
                let rest = fold(first_chars(&text[chars[j].0..], 8));
                let hour_word = rest
                    .trim_start()
                    .strip_prefix("gio")
                    .is_some_and(|after| !after.starts_with(char::is_alphanumeric));
                (n <= 2 && hour < 24 && hour_word).then_some(0)
            }
            _ => None,
        };
        if let Some(minute) = minute {
            // "2 giờ chiều", "7 giờ tối": the afternoon and evening hours.
            let after = fold(first_chars(&text[chars.get(j).map_or(text.len(), |c| c.0)..], 16));
            let later = after.split_whitespace().take(3).any(|w| matches!(w, "chieu" | "toi"));
            let hour = if later && hour < 12 { hour + 12 } else { hour };
            return NaiveTime::from_hms_opt(hour, minute, 0);
        }
        k = j.max(k + 1);
    }
    None
}

/// The weekly reporting rule: "trước 16h00, thứ 6 hàng tuần".
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct WeeklyPhrase {
    pub weekday: Weekday,
    pub due: Option<NaiveTime>,
}

fn weekday_of(words: &[&str]) -> Option<Weekday> {
    match words {
        ["chu", "nhat", ..] | ["cn", ..] => Some(Weekday::Sun),
        ["thu", w, ..] => match *w {
            "2" | "hai" => Some(Weekday::Mon),
            "3" | "ba" => Some(Weekday::Tue),
            "4" | "tu" => Some(Weekday::Wed),
            "5" | "nam" => Some(Weekday::Thu),
            "6" | "sau" => Some(Weekday::Fri),
            "7" | "bay" => Some(Weekday::Sat),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn weekly(text: &str) -> Option<WeeklyPhrase> {
    let folded = fold(text);
    let ws: Vec<&str> =
        folded.split(' ').map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())).filter(|w| !w.is_empty()).collect();
    let at = (0..ws.len().saturating_sub(1)).find(|&i| ws[i] == "hang" && ws[i + 1] == "tuan")?;
    let before = at.checked_sub(2).and_then(|s| weekday_of(&ws[s..at]));
    let after = || {
        let rest = &ws[at + 2..];
        let rest = rest.strip_prefix(&["vao"]).unwrap_or(rest);
        let rest = rest.strip_prefix(&["ngay"]).unwrap_or(rest);
        weekday_of(rest)
    };
    let weekday = before.or_else(after)?;
    Some(WeeklyPhrase { weekday, due: find_time(text) })
}

/// The days of a stated weekly period: "từ thứ 5 tuần trước đến thứ 4 tuần này",
/// "tính từ thứ Bảy đến hết thứ Sáu": (first day, last day).
pub(crate) fn weekly_period(text: &str) -> Option<(Weekday, Weekday)> {
    let folded = fold(text);
    let ws: Vec<&str> =
        folded.split(' ').map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())).filter(|w| !w.is_empty()).collect();
    for i in 0..ws.len() {
        if ws[i] != "tu" {
            continue;
        }
        let Some((first, n)) = weekday_len(&ws[i + 1..]) else { continue };
        let mut k = i + 1 + n;
        // "tuần trước", "tuần trước đó"
        if ws.get(k) == Some(&"tuan") {
            k += 2;
            if ws.get(k) == Some(&"do") {
                k += 1;
            }
        }
        if ws.get(k) != Some(&"den") {
            continue;
        }
        k += 1;
        if ws.get(k) == Some(&"het") {
            k += 1;
        }
        if let Some((last, _)) = weekday_len(&ws[k.min(ws.len())..]) {
            return Some((first, last));
        }
    }
    None
}

fn weekday_len(words: &[&str]) -> Option<(Weekday, usize)> {
    let day = weekday_of(words)?;
    Some((day, if words.first() == Some(&"cn") { 1 } else { 2 }))
}

/// The weekday a report is due on when the sentence names one after "trước",
/// "vào" or "hạn" ("gửi trước 10 giờ sáng thứ 2"), outside the period phrase.
pub(crate) fn due_weekday(text: &str) -> Option<Weekday> {
    let folded = fold(text);
    let ws: Vec<&str> =
        folded.split(' ').map(|w| w.trim_matches(|c: char| !c.is_alphanumeric())).filter(|w| !w.is_empty()).collect();
    let start = ws.iter().position(|w| *w == "den").map_or(0, |d| d + 3);
    (start..ws.len()).find_map(|i| {
        let announced = ws[..i].iter().rev().take(6).any(|w| matches!(*w, "truoc" | "vao" | "han" | "cham"));
        if announced {
            weekday_of(&ws[i..])
        } else {
            None
        }
    })
}

/// The first and the last `weekday` between two days (both included).
pub(crate) fn weekdays_between(from: NaiveDate, to: NaiveDate, weekday: Weekday) -> Option<(NaiveDate, NaiveDate)> {
    let offset = (7 + weekday.num_days_from_monday() as i64 - from.weekday().num_days_from_monday() as i64) % 7;
    let first = from.checked_add_signed(chrono::Duration::days(offset))?;
    let back = (7 + to.weekday().num_days_from_monday() as i64 - weekday.num_days_from_monday() as i64) % 7;
    let last = to.checked_sub_signed(chrono::Duration::days(back))?;
    (first <= last).then_some((first, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn whens(text: &str) -> Vec<When> {
        find(text, Some(2023)).into_iter().map(|p| p.when).collect()
    }

    #[test]
    fn single_days_windows_and_deadlines() {
        assert_eq!(whens("Ngày 24/2/2023, tại huyện An Minh."), vec![When::On { date: d(2023, 2, 24) }]);
        assert_eq!(
            whens("Tổ chức khởi động từ ngày 01/3 đến 05/3/2023."),
            vec![When::Window { from: d(2023, 3, 1), to: d(2023, 3, 5) }]
        );
        assert_eq!(whens("từ ngày 01 đến 05/3/2023"), vec![When::Window { from: d(2023, 3, 1), to: d(2023, 3, 5) }]);
        assert_eq!(whens("Tổ chức tổng kết trước ngày 10/4/2023."), vec![When::Before { date: d(2023, 4, 10) }]);
        assert_eq!(whens("chậm nhất ngày 09/4/2023"), vec![When::Before { date: d(2023, 4, 10) }]);
        assert_eq!(whens("gửi trước 16h00 ngày 31/3/2023"), vec![When::Before { date: d(2023, 3, 31) }]);
        assert_eq!(whens("Kiên Giang, ngày 10 tháng 02 năm 2023"), vec![When::On { date: d(2023, 2, 10) }]);
        assert_eq!(whens("từ 28/12 - 05/1/2024"), vec![When::Window { from: d(2023, 12, 28), to: d(2024, 1, 5) }]);
    }

    #[test]
    fn phrase_spans_cover_the_leading_words() {
        let text = "Tổ chức tổng kết trước ngày 10/4/2023.";
        let p = find(text, None)[0];
        assert_eq!(&text[p.start..p.end], "trước ngày 10/4/2023");
        let text = "Tổ chức khởi động từ ngày 01/3 đến 05/3/2023.";
        let p = find(text, None)[0];
        assert_eq!(&text[p.start..p.end], "từ ngày 01/3 đến 05/3/2023");
    }

    #[test]
    fn days_without_year_use_the_default_with_medium_confidence() {
        let p = find("trước ngày 01/3", Some(2023));
        assert_eq!(p[0].when, When::Before { date: d(2023, 3, 1) });
        assert_eq!(p[0].confidence, Confidence::Medium);
        assert!(find("trước ngày 01/3", None).is_empty());
        assert!(find("31/02/2023 và 0297.868250 và 2022-2027", None).is_empty());
    }

    #[test]
    fn weekly_rule_and_times() {
        let w = weekly("Thời gian báo cáo: trước 16h00, thứ 6 hàng tuần trong Tháng Thanh niên").unwrap();
        assert_eq!(w.weekday, Weekday::Fri);
        assert_eq!(w.due, NaiveTime::from_hms_opt(16, 0, 0));
        let w = weekly("báo cáo hằng tuần vào thứ Năm, trước 10 giờ, gửi về").unwrap();
        assert_eq!((w.weekday, w.due), (Weekday::Thu, NaiveTime::from_hms_opt(10, 0, 0)));
        assert!(weekly("thứ 6 tuần báo cáo").is_none());
        assert_eq!(find_time("16g30"), NaiveTime::from_hms_opt(16, 30, 0));
        assert_eq!(find_time("5 học sinh"), None);
        assert_eq!(
            weekdays_between(d(2023, 3, 1), d(2023, 3, 31), Weekday::Fri),
            Some((d(2023, 3, 3), d(2023, 3, 31)))
        );
    }
}
