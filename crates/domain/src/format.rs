//! Vietnamese formats: 20.000, 94,5%, 03/03/2023, 16h00; and exact percentages.
//!
//! Every percentage a user reads (pages, API, CLI, .docx, .xlsx, .csv) is rounded
//! once, here, to one decimal, half away from zero, on the exact decimal value:
//! 16 450 / 20 000 = 82,25% shows 82,3%; 1 647 / 2 000 = 82,35% shows 82,4%.
//! Whole numbers never pass through f64.

use std::cmp::Ordering;
use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Timelike};
use serde::{Serialize, Serializer};

/// An exact ratio of two whole numbers (the denominator is positive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    /// `num ÷ den`; None when `den` is 0.
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        match den.cmp(&0) {
            Ordering::Equal => None,
            Ordering::Greater => Some(Ratio { num, den }),
            Ordering::Less => Some(Ratio { num: -num, den: -den }),
        }
    }

    pub fn whole(value: i64) -> Ratio {
        Ratio { num: i128::from(value), den: 1 }
    }

    /// The exact decimal a plan's number is written as (85, 7.5, 20000): the
    /// shortest decimal that reads back as the same f64, never its binary expansion.
    pub fn decimal(value: f64) -> Option<Ratio> {
        if !value.is_finite() {
            return None;
        }
        let text = format!("{value}");
        let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
        // Plans use a few decimals; more would only be noise of the binary form.
        let frac_part = &frac_part[..frac_part.len().min(9)];
        let negative = int_part.starts_with('-');
        let digits: String = format!("{}{frac_part}", int_part.trim_start_matches('-'));
        if digits.len() > 30 {
            return None;
        }
        let magnitude: i128 = digits.parse().ok()?;
        let den = 10i128.pow(frac_part.len() as u32);
        Ratio::new(if negative { -magnitude } else { magnitude }, den)
    }

    pub fn num(self) -> i128 {
        self.num
    }

    pub fn den(self) -> i128 {
        self.den
    }

    pub fn is_zero(self) -> bool {
        self.num == 0
    }

    /// `self ÷ other`; None when `other` is 0.
    pub fn divided_by(self, other: Ratio) -> Option<Ratio> {
        Ratio::new(self.num.checked_mul(other.den)?, self.den.checked_mul(other.num)?)
    }

    /// `self × k`.
    pub fn times(self, k: i128) -> Ratio {
        Ratio { num: self.num.saturating_mul(k), den: self.den }
    }

    /// As a percentage (× 100), rounded to one decimal half away from zero.
    pub fn percent(self) -> Percent {
        Percent { tenths: div_round_half_away(self.num.saturating_mul(1000), self.den) as i64 }
    }

    /// The nearest f64, for the API's machine-readable numbers only.
    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num.saturating_mul(other.den)).cmp(&other.num.saturating_mul(self.den))
    }
}

/// `n ÷ d` rounded to the nearest whole number, halves away from zero (`d` > 0).
fn div_round_half_away(n: i128, d: i128) -> i128 {
    let q = n / d;
    let r = n % d;
    if 2 * r.abs() >= d {
        q + n.signum()
    } else {
        q
    }
}

/// A percentage rounded once to one decimal, half away from zero, from exact
/// whole numbers: what every surface shows ("82,3%"), and the number a workbook
/// cell holds (0.823 with the format 0.0%).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Percent {
    tenths: i64,
}

impl Percent {
    /// 100 × part ÷ whole; None when whole is 0.
    pub fn of(part: i64, whole: i64) -> Option<Percent> {
        Ratio::new(i128::from(part), i128::from(whole)).map(Ratio::percent)
    }

    pub fn from_tenths(tenths: i64) -> Percent {
        Percent { tenths }
    }

    /// A percentage already computed as a decimal (94.5), rounded as its shortest
    /// decimal reads: for figures that are not ratios of whole numbers.
    pub fn from_value(value: f64) -> Option<Percent> {
        Ratio::decimal(value).map(|r| Percent { tenths: div_round_half_away(r.num.saturating_mul(10), r.den) as i64 })
    }

    pub fn tenths(self) -> i64 {
        self.tenths
    }

    /// The rounded value in percent (82.3), for JSON and CSV.
    pub fn value(self) -> f64 {
        self.tenths as f64 / 10.0
    }

    /// The rounded value as a fraction (0.823), for a workbook cell formatted 0.0%.
    pub fn fraction(self) -> f64 {
        self.tenths as f64 / 1000.0
    }

    fn parts(self) -> (String, i64, bool) {
        let whole = (self.tenths.abs() / 10).to_string();
        (whole, self.tenths.abs() % 10, self.tenths < 0)
    }

    /// "82,3" (Vietnamese), without the sign %.
    pub fn number_vi(self) -> String {
        let (whole, tenth, negative) = self.parts();
        let sign = if negative { "-" } else { "" };
        let grouped = group_thousands(&whole);
        if tenth == 0 {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped},{tenth}")
        }
    }

    /// "82.3" (plain, as CSV and English write it), without the sign %.
    pub fn number_plain(self) -> String {
        let (whole, tenth, negative) = self.parts();
        let sign = if negative { "-" } else { "" };
        if tenth == 0 {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole}.{tenth}")
        }
    }

    /// "82,3%"
    pub fn vi(self) -> String {
        format!("{}%", self.number_vi())
    }

    /// "82.3%"
    pub fn en(self) -> String {
        format!("{}%", self.number_plain())
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vi())
    }
}

/// In JSON a percentage is its rounded number (82.3).
impl Serialize for Percent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.value())
    }
}

fn group_thousands(digits: &str) -> String {
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(c);
    }
    grouped
}

/// A number with "." between thousands and "," before decimals, at most
/// `decimals` decimals, trailing zeros dropped: 20000 → "20.000", 248.6 → "248,6".
/// Rounded half away from zero on the number's shortest decimal form (82.25 → 82,3).
pub fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let Some(exact) = Ratio::decimal(value.abs()) else {
        return "—".into();
    };
    let scale = 10i128.pow(decimals.min(9) as u32);
    let scaled = div_round_half_away(exact.num.saturating_mul(scale), exact.den);
    let int_part = (scaled / scale).to_string();
    let frac = (scaled % scale).to_string();
    let frac_part = format!("{frac:0>width$}", width = decimals.min(9));
    let frac_part = frac_part.trim_end_matches('0').to_string();
    let grouped = group_thousands(&int_part);
    let negative = value < 0.0 && scaled != 0;
    let sign = if negative { "-" } else { "" };
    if frac_part.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac_part}")
    }
}

/// A whole number: 7000 → "7.000" (never through f64).
pub fn integer(value: i64) -> String {
    let grouped = group_thousands(&value.unsigned_abs().to_string());
    if value < 0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

/// A percentage: 94.5 → "94,5%" (rounded as [`number`] does).
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
        assert_eq!(integer(-1500), "-1.500");
        assert_eq!(integer(i64::MAX), "9.223.372.036.854.775.807");
    }

    #[test]
    fn percentages_round_half_away_from_zero_on_exact_decimals() {
        // The figures: 82,25% and 82,35% both round up.
        assert_eq!(Percent::of(16_450, 20_000).map(Percent::vi).as_deref(), Some("82,3%"));
        assert_eq!(Percent::of(1_647, 2_000).map(Percent::vi).as_deref(), Some("82,4%"));
        assert_eq!(percent(82.25), "82,3%");
        assert_eq!(percent(82.35), "82,4%");
        assert_eq!(percent(100.0 * 1_647.0 / 2_000.0), "82,4%");
        assert_eq!(Percent::of(-1_647, 2_000).map(Percent::vi).as_deref(), Some("-82,4%"));
        assert_eq!(Percent::of(1, 3).map(Percent::en).as_deref(), Some("33.3%"));
        assert_eq!(Percent::of(2, 3).map(Percent::vi).as_deref(), Some("66,7%"));
        assert_eq!(Percent::of(123_456, 100).map(Percent::vi).as_deref(), Some("123.456%"));
        assert_eq!(Percent::of(1, 0), None);
        assert_eq!(Percent::from_value(82.35).map(Percent::tenths), Some(824));
        let p = Percent::of(1_647, 2_000).unwrap_or_default();
        assert_eq!(p.fraction(), 0.824);
        assert_eq!(serde_json::to_string(&p).unwrap_or_default(), "82.4");
        assert_eq!(number(0.05, 1), "0,1");
        assert_eq!(number(-0.04, 1), "0");
    }

    #[test]
    fn ratios_compare_exactly() {
        let seven = Ratio::decimal(7.0).unwrap();
        let at = Ratio::new(2_100, 300).unwrap();
        assert_eq!(at.cmp(&seven), Ordering::Equal);
        assert_eq!(Ratio::decimal(7.5).map(|r| (r.num(), r.den())), Some((75, 10)));
        assert!(Ratio::new(1, 3).unwrap() < Ratio::new(34, 100).unwrap());
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(date(NaiveDate::from_ymd_opt(2023, 3, 3).unwrap()), "03/03/2023");
        assert_eq!(time(NaiveTime::from_hms_opt(16, 0, 0).unwrap()), "16h00");
    }
}
