//! iCalendar (RFC 5545) for the events and deadlines feed: CRLF line ends, lines
//! folded at 75 octets (never inside a UTF-8 character), text values escaped.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// When an entry happens: whole days (the end day included) or an instant range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Span {
    Days { first: NaiveDate, last: NaiveDate },
    Timed { start: DateTime<Utc>, end: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Globally unique and stable across downloads ("kg-2023-week-1@phongtrao").
    pub uid: String,
    pub summary: String,
    pub span: Span,
    pub location: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    /// A reminder this long before the start (phones show it).
    pub alarm_before: Option<Duration>,
}

/// Escapes a TEXT value: backslash, semicolon, comma and line breaks.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line: at most 75 octets per physical line, continuation lines
/// starting with a space; each physical line ends with CRLF.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// A whole VCALENDAR. `dtstamp` is when the information was last changed.
pub fn calendar(name: &str, entries: &[Entry], dtstamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    let mut line = |l: String| out.push_str(&fold(&l));
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//phongtrao//phongtrao calendar//VI".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    line("X-WR-TIMEZONE:Asia/Ho_Chi_Minh".into());
    for e in entries {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", escape(&e.uid)));
        line(format!("DTSTAMP:{}", stamp(dtstamp)));
        match &e.span {
            Span::Days { first, last } => {
                line(format!("DTSTART;VALUE=DATE:{}", day(*first)));
                let after = last.succ_opt().unwrap_or(*last);
                line(format!("DTEND;VALUE=DATE:{}", day(after.max(first.succ_opt().unwrap_or(*first)))));
                line("TRANSP:TRANSPARENT".into());
            }
            Span::Timed { start, end } => {
                line(format!("DTSTART:{}", stamp(*start)));
                line(format!("DTEND:{}", stamp(*end)));
            }
        }
        line(format!("SUMMARY:{}", escape(&e.summary)));
        if let Some(l) = &e.location {
            line(format!("LOCATION:{}", escape(l)));
        }
        if let Some(d) = &e.description {
            line(format!("DESCRIPTION:{}", escape(d)));
        }
        if let Some(u) = &e.url {
            line(format!("URL:{u}"));
        }
        if let Some(before) = e.alarm_before {
            line("BEGIN:VALARM".into());
            line("ACTION:DISPLAY".into());
            line(format!("DESCRIPTION:{}", escape(&e.summary)));
            line(format!("TRIGGER:-PT{}M", before.num_minutes().max(0)));
            line("END:VALARM".into());
        }
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_commas_semicolons_backslashes_and_newlines() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }

    #[test]
    fn folds_at_75_octets_without_splitting_a_character() {
        let long = format!("SUMMARY:{}", "Lễ khởi động Tháng Thanh niên năm 2023 tại huyện An Minh ".repeat(4));
        let folded = fold(&long);
        assert!(folded.ends_with("\r\n"));
        for physical in folded.trim_end_matches("\r\n").split("\r\n") {
            assert!(physical.len() <= 75, "{} octets: {physical}", physical.len());
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, long);
    }

    #[test]
    fn a_calendar_has_crlf_lines_and_balanced_blocks() {
        let e = Entry {
            uid: "x-1@phongtrao".into(),
            summary: "Báo cáo tuần 1, trước 16h00".into(),
            span: Span::Days {
                first: NaiveDate::from_ymd_opt(2023, 3, 1).expect("day"),
                last: NaiveDate::from_ymd_opt(2023, 3, 5).expect("day"),
            },
            location: None,
            description: None,
            url: None,
            alarm_before: Some(Duration::hours(2)),
        };
        let text = calendar("Lịch", &[e], DateTime::from_timestamp(1_677_628_800, 0).expect("t"));
        assert!(!text.replace("\r\n", "").contains('\n'));
        assert!(text.contains("DTSTART;VALUE=DATE:20230301\r\nDTEND;VALUE=DATE:20230306\r\n"));
        assert!(text.contains("SUMMARY:Báo cáo tuần 1\\, trước 16h00\r\n"));
        assert!(text.contains("TRIGGER:-PT120M\r\n"));
        let lines: Vec<&str> = text.split("\r\n").collect();
        let begins = lines.iter().filter(|l| l.starts_with("BEGIN:")).count();
        assert_eq!(begins, 3);
        assert_eq!(begins, lines.iter().filter(|l| l.starts_with("END:")).count());
    }
}
