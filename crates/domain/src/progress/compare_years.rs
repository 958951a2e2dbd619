//! Year over year, "so với cùng kỳ": this campaign's figures beside those of the
//! campaign it follows (last year's edition) at the same point, and the change in
//! words. Pure: the caller brings both years' figures.
//!
//! The rules (docs/year-over-year.md says them for users):
//! - **Cùng kỳ** is the same week of the campaign: weekly period k of this campaign
//!   is compared with period k of last year's, clamped to last year's last period.
//!   Before this campaign's first period there is nothing to compare.
//! - **Which indicator**: the one with the same key last year, unless the office
//!   matched this indicator to another key (an explicit link wins).
//! - **Counts** compare in percent of last year's figure: (this − last) ÷ last,
//!   rounded once to one decimal, half away from zero. Last year 0: the change in
//!   percent has no meaning, the text gives last year's figure ("cùng kỳ năm
//!   2023: 0"); 0 in both years is level.
//! - **Percentages** (percent of base, share of units, minimum per unit) compare in
//!   percentage points, between the rounded percentages the pages show: 82,3%
//!   against 78,1% is "tăng 4,2 điểm %". A change in percent of a percentage
//!   (+5,4%) reads as a rise of the share itself and misleads, so it is not given.
//! - A change that rounds to 0,0 reads "bằng cùng kỳ".
//! - **Units that changed** (merged or split since last year): a unit's figure last
//!   year is the sum of its predecessors' figures, each multiplied by its share (a
//!   merged unit: share 1 from each; a split: the part of the old unit that went to
//!   this one), rounded half up once at the end ([`predecessor_sum`]).

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

use crate::format::{integer, Percent};

/// This campaign's units → last year's: new unit id → (old unit id, share). An
/// empty map means the same tree (every unit is its own predecessor); a unit absent
/// from a non-empty map is taken to be unchanged too.
pub type Lineage = HashMap<i64, Vec<(i64, f64)>>;

/// Last year's period to compare this year's period `this_seq` with: the same week,
/// at most last year's last period; None before the first period (0) or when last
/// year had no period.
pub fn same_point(this_seq: u32, previous_periods: u32) -> Option<u32> {
    if this_seq == 0 || previous_periods == 0 {
        None
    } else {
        Some(this_seq.min(previous_periods))
    }
}

/// Last year's key for this year's indicator `key`: the office's explicit match
/// when there is one (and last year has that key), else the same key when last year
/// has it; None when last year has no such indicator.
pub fn previous_key<'a>(key: &str, links: &HashMap<String, String>, previous_keys: &[&'a str]) -> Option<&'a str> {
    match links.get(key) {
        Some(linked) => previous_keys.iter().find(|k| **k == linked.as_str()).copied(),
        None => previous_keys.iter().find(|k| **k == key).copied(),
    }
}

/// The predecessors of `unit` under `lineage`: the unit itself (share 1) when the
/// lineage says nothing about it.
pub fn predecessors(lineage: &Lineage, unit: i64) -> Vec<(i64, f64)> {
    match lineage.get(&unit) {
        Some(p) if !p.is_empty() => p.clone(),
        _ => vec![(unit, 1.0)],
    }
}

/// The figures of a unit made of `predecessors` (old unit id, share): for every
/// figure, Σ share × the predecessor's figure, rounded half up once at the end (a
/// unit split in two halves of 5 gets 3 and 3: each part is rounded on its own). A
/// predecessor without figures counts as 0.
pub fn predecessor_sum<K: Eq + Hash + Clone, S: std::hash::BuildHasher + Default>(
    predecessors: &[(i64, f64)],
    figures: &HashMap<i64, HashMap<K, i64, S>>,
) -> HashMap<K, i64, S> {
    let mut sums: HashMap<K, f64> = HashMap::new();
    for (unit, share) in predecessors {
        let Some(f) = figures.get(unit) else { continue };
        for (k, v) in f {
            *sums.entry(k.clone()).or_default() += share * (*v as f64);
        }
    }
    sums.into_iter().map(|(k, v)| (k, round_half_up(v))).collect()
}

/// Half up (toward +∞) on the value cleaned of binary noise (0.1 + 0.2 ≠ 0.3 in
/// f64: 2.4999999999 from shares that add up to 2.5 must round to 3).
fn round_half_up(v: f64) -> i64 {
    let cleaned = (v * 1e6).round() / 1e6;
    (cleaned + 0.5).floor() as i64
}

/// An indicator's figure in one year: a count, or a rounded percentage (None when
/// there was nothing to divide by: no base figure, no expected unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Count(i64),
    Percent(Option<Percent>),
}

impl Measure {
    /// The figure as a number for JSON (a count, or the percentage 82.3).
    pub fn value(self) -> Option<f64> {
        match self {
            Measure::Count(n) => Some(n as f64),
            Measure::Percent(p) => p.map(Percent::value),
        }
    }

    /// "20.000", "82,3%", "—".
    pub fn text_vi(self) -> String {
        match self {
            Measure::Count(n) => integer(n),
            Measure::Percent(Some(p)) => p.vi(),
            Measure::Percent(None) => "—".into(),
        }
    }

    /// "20,000", "82.3%", "—".
    pub fn text_en(self) -> String {
        match self {
            Measure::Count(n) => integer(n).replace('.', ","),
            Measure::Percent(Some(p)) => p.en(),
            Measure::Percent(None) => "—".into(),
        }
    }
}

/// How this year stands against the same point last year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Up,
    Down,
    Level,
    /// Last year's count was 0: no change in percent.
    FromZero,
    /// Nothing to compare with (no figure last year, or none this year).
    NoData,
}

impl Trend {
    pub fn as_str(self) -> &'static str {
        match self {
            Trend::Up => "up",
            Trend::Down => "down",
            Trend::Level => "level",
            Trend::FromZero => "from_zero",
            Trend::NoData => "no_data",
        }
    }
}

/// The comparison of one indicator with the same point last year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Last year's edition's year ("năm 2023").
    pub year: i32,
    /// Last year's figure (None: no figure).
    pub previous: Option<Measure>,
    /// Counts: (this − last) ÷ last in percent, rounded to one decimal.
    pub change_percent: Option<Percent>,
    /// Percentages: this − last in percentage points (of the rounded percentages).
    pub change_points: Option<Percent>,
    pub trend: Trend,
    /// "tăng 12,5% so với cùng kỳ năm 2023"
    pub text_vi: String,
    /// "up 12.5% on the same point of 2023"
    pub text_en: String,
}

/// Compares this year's figure with last year's at the same point (`previous`
/// None: last year has no figure for it). The one place the wording is made.
pub fn compare(this: Measure, previous: Option<Measure>, year: i32) -> Change {
    let no_data = |previous| Change {
        year,
        previous,
        change_percent: None,
        change_points: None,
        trend: Trend::NoData,
        text_vi: "chưa có số liệu cùng kỳ".into(),
        text_en: "no figure for the same point last year".into(),
    };
    match (this, previous) {
        (Measure::Count(now), Some(Measure::Count(last))) => {
            if last == 0 && now != 0 {
                return Change {
                    year,
                    previous,
                    change_percent: None,
                    change_points: None,
                    trend: Trend::FromZero,
                    text_vi: format!("cùng kỳ năm {year}: 0"),
                    text_en: format!("same point of {year}: 0"),
                };
            }
            // 0 against 0 is level (Percent::of gives nothing for a 0 denominator).
            let change = Percent::of(now - last, last).unwrap_or_default();
            let (trend, text_vi, text_en) = worded(change, year, false);
            Change { year, previous, change_percent: Some(change), change_points: None, trend, text_vi, text_en }
        }
        (Measure::Percent(Some(now)), Some(Measure::Percent(Some(last)))) => {
            let points = Percent::from_tenths(now.tenths() - last.tenths());
            let (trend, text_vi, text_en) = worded(points, year, true);
            Change { year, previous, change_percent: None, change_points: Some(points), trend, text_vi, text_en }
        }
        // Different kinds in the two years (the office matched a count with a
        // percentage), or a percentage without anything to divide by.
        _ => no_data(previous),
    }
}

fn worded(change: Percent, year: i32, points: bool) -> (Trend, String, String) {
    let size = Percent::from_tenths(change.tenths().abs());
    let (amount_vi, amount_en) = if points {
        (format!("{} điểm %", size.number_vi()), format!("{} percentage points", size.number_plain()))
    } else {
        (size.vi(), size.en())
    };
    match change.tenths().signum() {
        1 => (
            Trend::Up,
            format!("tăng {amount_vi} so với cùng kỳ năm {year}"),
            format!("up {amount_en} on the same point of {year}"),
        ),
        -1 => (
            Trend::Down,
            format!("giảm {amount_vi} so với cùng kỳ năm {year}"),
            format!("down {amount_en} on the same point of {year}"),
        ),
        _ => (Trend::Level, format!("bằng cùng kỳ năm {year}"), format!("level with the same point of {year}")),
    }
}

/// The headline's sentence over the indicators compared: "So với cùng kỳ năm 2023
/// (tuần 2): 5 chỉ số tăng, 2 giảm, 1 bằng; 3 chưa so được." It counts indicators
/// (chỉ số), not targets (chỉ tiêu): the caller passes only those that apply to the
/// unit (the ones its progress judges), so that the numbers add up to its "x/y chỉ số".
pub fn headline(changes: &[&Change], year: i32, previous_seq: Option<u32>) -> (String, String) {
    let Some(seq) = previous_seq else {
        return (
            format!("Chưa đến tuần đầu tiên: chưa có gì để so với cùng kỳ năm {year}."),
            format!("Before the first week: nothing to compare with the same point of {year} yet."),
        );
    };
    let count = |t: Trend| changes.iter().filter(|c| c.trend == t).count();
    let (up, down, level) = (count(Trend::Up), count(Trend::Down), count(Trend::Level));
    let none = count(Trend::NoData) + count(Trend::FromZero);
    let mut vi = format!("So với cùng kỳ năm {year} (tuần {seq}): {up} chỉ số tăng, {down} giảm, {level} bằng");
    let mut en = format!(
        "Against the same point of {year} (week {seq}): {up} indicator{} up, {down} down, {level} level",
        if up == 1 { "" } else { "s" }
    );
    if none > 0 {
        vi.push_str(&format!("; {none} chưa so được"));
        en.push_str(&format!("; {none} without a comparison"));
    }
    vi.push('.');
    en.push('.');
    (vi, en)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(tenths: i64) -> Measure {
        Measure::Percent(Some(Percent::from_tenths(tenths)))
    }

    #[test]
    fn the_same_week_clamped_to_last_years_last_period() {
        assert_eq!(same_point(0, 6), None, "before the first period: nothing to compare");
        assert_eq!(same_point(1, 6), Some(1));
        assert_eq!(same_point(2, 6), Some(2));
        assert_eq!(same_point(7, 6), Some(6), "last year was shorter: its last week");
        assert_eq!(same_point(3, 0), None);
    }

    #[test]
    fn a_rise_in_both_languages() {
        let c = compare(Measure::Count(1125), Some(Measure::Count(1000)), 2023);
        assert_eq!(c.text_vi, "tăng 12,5% so với cùng kỳ năm 2023");
        assert_eq!(c.text_en, "up 12.5% on the same point of 2023");
        assert_eq!(c.change_percent, Some(Percent::from_tenths(125)));
        assert_eq!(c.trend, Trend::Up);
        assert_eq!(c.previous, Some(Measure::Count(1000)));
    }

    #[test]
    fn a_fall_in_both_languages() {
        let c = compare(Measure::Count(900), Some(Measure::Count(1000)), 2023);
        assert_eq!(c.text_vi, "giảm 10% so với cùng kỳ năm 2023");
        assert_eq!(c.text_en, "down 10% on the same point of 2023");
        assert_eq!(c.change_percent, Some(Percent::from_tenths(-100)));
        assert_eq!(c.trend, Trend::Down);
    }

    #[test]
    fn the_change_is_rounded_once_half_away_from_zero() {
        // 10956 / 10000 = +9,56% → 9,6%; 1 / 8 down = −12,5% exactly.
        assert_eq!(
            compare(Measure::Count(10956), Some(Measure::Count(10000)), 2023).text_vi,
            "tăng 9,6% so với cùng kỳ năm 2023"
        );
        // +0,05% rounds up to 0,1%; −0,05% rounds to −0,1%.
        assert_eq!(
            compare(Measure::Count(2001), Some(Measure::Count(2000)), 2023).text_vi,
            "tăng 0,1% so với cùng kỳ năm 2023"
        );
        assert_eq!(
            compare(Measure::Count(1999), Some(Measure::Count(2000)), 2023).text_vi,
            "giảm 0,1% so với cùng kỳ năm 2023"
        );
        // Thousands are grouped the Vietnamese way: ×13 is +1.200%.
        assert_eq!(
            compare(Measure::Count(1300), Some(Measure::Count(100)), 2024).text_vi,
            "tăng 1.200% so với cùng kỳ năm 2024"
        );
        assert_eq!(
            compare(Measure::Count(1300), Some(Measure::Count(100)), 2024).text_en,
            "up 1200% on the same point of 2024"
        );
    }

    #[test]
    fn level_when_equal_or_when_the_change_rounds_to_zero() {
        let c = compare(Measure::Count(500), Some(Measure::Count(500)), 2023);
        assert_eq!(c.text_vi, "bằng cùng kỳ năm 2023");
        assert_eq!(c.text_en, "level with the same point of 2023");
        assert_eq!(c.trend, Trend::Level);
        // +0,01%: rounds to 0,0.
        assert_eq!(compare(Measure::Count(100_001), Some(Measure::Count(100_000)), 2023).trend, Trend::Level);
    }

    #[test]
    fn last_year_zero_gives_the_figure_not_a_percent() {
        let c = compare(Measure::Count(40), Some(Measure::Count(0)), 2023);
        assert_eq!(c.text_vi, "cùng kỳ năm 2023: 0");
        assert_eq!(c.text_en, "same point of 2023: 0");
        assert_eq!(c.change_percent, None);
        assert_eq!(c.trend, Trend::FromZero);
        // 0 in both years: level, no percent.
        let c = compare(Measure::Count(0), Some(Measure::Count(0)), 2023);
        assert_eq!(c.text_vi, "bằng cùng kỳ năm 2023");
        assert_eq!(c.trend, Trend::Level);
        assert_eq!(c.change_percent, Some(Percent::from_tenths(0)));
    }

    #[test]
    fn no_figure_last_year() {
        let c = compare(Measure::Count(40), None, 2023);
        assert_eq!(c.text_vi, "chưa có số liệu cùng kỳ");
        assert_eq!(c.text_en, "no figure for the same point last year");
        assert_eq!(c.trend, Trend::NoData);
        // A percentage with no base last year, or none this year.
        assert_eq!(compare(pct(500), Some(Measure::Percent(None)), 2023).trend, Trend::NoData);
        assert_eq!(compare(Measure::Percent(None), Some(pct(500)), 2023).trend, Trend::NoData);
        // A count matched with a percentage cannot be compared.
        assert_eq!(compare(Measure::Count(5), Some(pct(500)), 2023).trend, Trend::NoData);
    }

    #[test]
    fn percentages_compare_in_points_of_the_shown_percentages() {
        let c = compare(pct(823), Some(pct(781)), 2023);
        assert_eq!(c.text_vi, "tăng 4,2 điểm % so với cùng kỳ năm 2023");
        assert_eq!(c.text_en, "up 4.2 percentage points on the same point of 2023");
        assert_eq!(c.change_points, Some(Percent::from_tenths(42)));
        assert_eq!(c.change_percent, None);
        let c = compare(pct(700), Some(pct(750)), 2023);
        assert_eq!(c.text_vi, "giảm 5 điểm % so với cùng kỳ năm 2023");
        assert_eq!(c.text_en, "down 5 percentage points on the same point of 2023");
        // Last year's share 0%: points still mean something.
        assert_eq!(compare(pct(125), Some(pct(0)), 2023).text_vi, "tăng 12,5 điểm % so với cùng kỳ năm 2023");
        assert_eq!(compare(pct(125), Some(pct(125)), 2023).text_vi, "bằng cùng kỳ năm 2023");
    }

    #[test]
    fn an_explicit_match_wins_over_the_same_key() {
        let previous = ["1", "2a", "5", "15a"];
        let mut links = HashMap::new();
        assert_eq!(previous_key("5", &links, &previous), Some("5"));
        assert_eq!(previous_key("7", &links, &previous), None);
        links.insert("7".to_string(), "15a".to_string());
        links.insert("5".to_string(), "2a".to_string());
        assert_eq!(previous_key("7", &links, &previous), Some("15a"));
        assert_eq!(previous_key("5", &links, &previous), Some("2a"));
        links.insert("1".to_string(), "gone".to_string());
        assert_eq!(previous_key("1", &links, &previous), None, "a link to a key last year lacks matches nothing");
    }

    #[test]
    fn a_merged_unit_is_the_sum_of_its_predecessors() {
        let mut figures: HashMap<i64, HashMap<&str, i64>> = HashMap::new();
        figures.insert(10, HashMap::from([("trees", 120), ("people", 7)]));
        figures.insert(11, HashMap::from([("trees", 80)]));
        figures.insert(12, HashMap::from([("trees", 1000)]));
        let merged = predecessor_sum(&[(10, 1.0), (11, 1.0)], &figures);
        assert_eq!(merged.get("trees"), Some(&200));
        assert_eq!(merged.get("people"), Some(&7));
        // A predecessor without figures adds nothing.
        assert_eq!(predecessor_sum(&[(10, 1.0), (99, 1.0)], &figures).get("trees"), Some(&120));
    }

    #[test]
    fn a_share_multiplies_and_rounds_half_up_at_the_end() {
        let mut figures: HashMap<i64, HashMap<&str, i64>> = HashMap::new();
        figures.insert(1, HashMap::from([("x", 5)]));
        figures.insert(2, HashMap::from([("x", 3)]));
        // Half of 5 = 2,5 → 3 (half up).
        assert_eq!(predecessor_sum(&[(1, 0.5)], &figures).get("x"), Some(&3));
        // 0,3 × 5 + 0,5 × 3 = 1,5 + 1,5 = 3,0: rounded once at the end, not 2 + 2.
        assert_eq!(predecessor_sum(&[(1, 0.3), (2, 0.5)], &figures).get("x"), Some(&3));
        // 0,1 × 5 + 0,2 × 5 + 0,2 × 5 = 2,5 in exact terms (binary noise aside) → 3.
        assert_eq!(predecessor_sum(&[(1, 0.1), (1, 0.2), (1, 0.2)], &figures).get("x"), Some(&3));
        // 0,49 × 3 = 1,47 → 1.
        assert_eq!(predecessor_sum(&[(2, 0.49)], &figures).get("x"), Some(&1));
    }

    #[test]
    fn an_empty_lineage_is_the_same_tree() {
        let lineage = Lineage::new();
        assert_eq!(predecessors(&lineage, 7), vec![(7, 1.0)]);
        let mut lineage = Lineage::new();
        lineage.insert(100, vec![(7, 1.0), (8, 0.5)]);
        assert_eq!(predecessors(&lineage, 100), vec![(7, 1.0), (8, 0.5)]);
        assert_eq!(predecessors(&lineage, 9), vec![(9, 1.0)], "a unit the lineage does not name is unchanged");
    }

    #[test]
    fn the_headline_counts_each_trend() {
        let up = compare(Measure::Count(2), Some(Measure::Count(1)), 2023);
        let down = compare(Measure::Count(1), Some(Measure::Count(2)), 2023);
        let none = compare(Measure::Count(1), None, 2023);
        let (vi, en) = headline(&[&up, &up, &down, &none], 2023, Some(2));
        assert_eq!(vi, "So với cùng kỳ năm 2023 (tuần 2): 2 chỉ số tăng, 1 giảm, 0 bằng; 1 chưa so được.");
        assert_eq!(
            en,
            "Against the same point of 2023 (week 2): 2 indicators up, 1 down, 0 level; 1 without a comparison."
        );
        let (vi, _) = headline(&[], 2023, None);
        assert!(vi.starts_with("Chưa đến tuần đầu tiên"), "{vi}");
    }

    #[test]
    fn measures_read_as_the_pages_show_them() {
        assert_eq!(Measure::Count(20000).text_vi(), "20.000");
        assert_eq!(Measure::Count(20000).text_en(), "20,000");
        assert_eq!(pct(823).text_vi(), "82,3%");
        assert_eq!(pct(823).text_en(), "82.3%");
        assert_eq!(Measure::Percent(None).text_vi(), "—");
        assert_eq!(pct(823).value(), Some(82.3));
    }
}
