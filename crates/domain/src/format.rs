//! Vietnamese formats: 20.000, 94,5%, 03/03/2023, 16h00.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Timelike};

/// A number with "." between thousands and "," before decimals, at most
/// `decimals` decimals, trailing zeros dropped: 20000 → "20.000", 248.6 → "248,6".
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let formatted = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match formatted.split_once('.') {
        Some((i, f)) => (i.to_string(), f.trim_end_matches('0').to_string()),
        None => (formatted.clone(), String::new()),
    };
    let mut grouped = String::new();
    for (i, c) in int_part.chars().enumerate() {
        if i > 0 && (int_part.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    let negative = value < 0.0 && (grouped != "0" || !frac_part.is_empty());
    let sign = if negative { "-" } else { "" };
    if frac_part.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac_part}")
    }
}

/// A whole number: 7000 → "7.000".
pub fn integer(value: i64) -> String {
    number(value as f64, 0)
}

/// A percentage: 94.5 → "94,5%".
pub fn percent(value: f64) -> String {
    format!("{}%", number(value, 1))
}

/// dd/mm/yyyy
pub fn date(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

/// 16h00
pub fn time(t: NaiveTime) -> String {
    format!("{}h{:02}", t.hour(), t.minute())
}

/// 16h00 03/03/2023: an instant as read in its own time zone.
pub fn date_time<Z: TimeZone>(t: &DateTime<Z>) -> String {
    format!("{} {}", time(t.time()), date(t.date_naive()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_reads_in_its_own_time_zone() {
        let t = DateTime::parse_from_rfc3339("2023-03-03T09:00:00Z").expect("time");
        assert_eq!(date_time(&t.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)), "16h00 03/03/2023");
    }

    #[test]
    fn vietnamese_number_format() {
        assert_eq!(number(20000.0, 0), "20.000");
        assert_eq!(number(1234567.0, 0), "1.234.567");
        assert_eq!(number(248.6, 1), "248,6");
        assert_eq!(number(7.0, 1), "7");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(integer(7000), "7.000");
        assert_eq!(percent(94.5), "94,5%");
        assert_eq!(percent(100.0), "100%");
        assert_eq!(number(-1500.0, 0), "-1.500");
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(date(NaiveDate::from_ymd_opt(2023, 3, 3).unwrap()), "03/03/2023");
        assert_eq!(time(NaiveTime::from_hms_opt(16, 0, 0).unwrap()), "16h00");
    }
}
