//! Emulation ranking (xếp hạng thi đua) of the units of one level, with a score
//! every unit can recompute by hand.
//!
//! Công thức / formula:
//!
//! - vi: "Điểm = 70 × mức hoàn thành bình quân + 30 × tỷ lệ báo cáo đúng hạn, làm tròn
//!   1 chữ số thập phân. Mức hoàn thành của mỗi chỉ tiêu là kết quả ÷ chỉ tiêu, tối đa
//!   100%; chỉ tiêu không được giao thì không tính. Tỷ lệ đúng hạn = số báo cáo đúng
//!   hạn ÷ số báo cáo phải nộp (chưa đến hạn báo cáo nào thì tính đủ). Đơn vị cùng điểm
//!   cùng hạng; đơn vị không được giao chỉ tiêu nào thì không xếp hạng."
//! - en: "Score = 70 × mean completion + 30 × on-time rate, rounded to 1 decimal. Each
//!   indicator's completion is achieved ÷ goal, capped at 100%; indicators with no
//!   allocated goal are left out. On-time rate = reports on time ÷ reports due (full
//!   marks while none is due yet). Equal scores share a rank; a unit with no allocated
//!   goal at all is not ranked."
//!
//! The cap keeps one huge over-achievement from hiding goals not met: a unit scores
//! by meeting all of its goals, not by exceeding one. Timeliness weighs 30 points
//! because on-time reporting is itself a duty of the plan.

use std::cmp::Ordering;

use serde::Serialize;

use crate::text::fold;

/// Points for mean completion (at most).
pub const COMPLETION_POINTS: f64 = 70.0;
/// Points for the on-time rate (at most).
pub const ON_TIME_POINTS: f64 = 30.0;
/// Completion above this ratio counts as this ratio (1.0 = 100%).
pub const COMPLETION_CAP: f64 = 1.0;

/// The formula in Vietnamese, as the UI shows it.
pub const FORMULA_VI: &str = "Điểm = 70 × mức hoàn thành bình quân + 30 × tỷ lệ báo cáo đúng hạn, làm tròn 1 chữ số thập phân. Mức hoàn thành của mỗi chỉ tiêu là kết quả ÷ chỉ tiêu, tối đa 100%; chỉ tiêu không được giao thì không tính. Tỷ lệ đúng hạn = số báo cáo đúng hạn ÷ số báo cáo phải nộp (chưa đến hạn báo cáo nào thì tính đủ). Đơn vị cùng điểm cùng hạng; đơn vị không được giao chỉ tiêu nào thì không xếp hạng.";

/// The formula in English, as the UI shows it.
pub const FORMULA_EN: &str = "Score = 70 × mean completion + 30 × on-time rate, rounded to 1 decimal. Each indicator's completion is achieved ÷ goal, capped at 100%; indicators with no allocated goal are left out. On-time rate = reports on time ÷ reports due (full marks while none is due yet). Equal scores share a rank; a unit with no allocated goal at all is not ranked.";

/// One unit's figures for the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankingEntry {
    pub name: String,
    /// Completion ratio per indicator (achieved ÷ goal, 1.0 = 100%); `None` when
    /// the unit has no allocated goal for it (left out).
    pub ratios: Vec<Option<f64>>,
    /// Reports whose first submission was on time.
    pub on_time: i64,
    /// Reports due so far.
    pub expected_reports: i64,
}

/// One indicator's part of a unit's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct IndicatorPoints {
    /// Position in [`RankingEntry::ratios`].
    pub index: usize,
    /// The ratio as given.
    pub ratio: Option<f64>,
    /// The ratio that counts (capped at 100%, at least 0); `None` when left out.
    pub counted: Option<f64>,
    /// Whether the ratio was above the cap.
    pub capped: bool,
    /// Its points: 70 × counted ÷ number of indicators counted.
    pub points: f64,
}

/// Why a unit scores what it does. `completion_points + on_time_points` is the
/// score before rounding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    /// Mean of the counted ratios (0–1); `None` when no indicator has a goal.
    pub completion: Option<f64>,
    pub completion_points: f64,
    pub on_time: i64,
    pub expected_reports: i64,
    /// on_time ÷ expected_reports (0–1); 1 when no report is due yet.
    pub on_time_rate: f64,
    pub on_time_points: f64,
    pub indicators_counted: usize,
    /// Indicators without an allocated goal.
    pub indicators_left_out: usize,
    /// Indicators above 100%, counted as 100%.
    pub indicators_capped: usize,
    pub indicators: Vec<IndicatorPoints>,
}

/// A unit's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedRow {
    /// 1 for the best; equal scores share a rank (1, 2, 2, 4). `None`: not ranked
    /// (no allocated goal).
    pub rank: Option<usize>,
    pub name: String,
    /// Position in the input.
    pub input_index: usize,
    /// The score out of 100, rounded to 1 decimal; `None` when not ranked.
    pub score: Option<f64>,
    pub breakdown: Breakdown,
}

fn breakdown(entry: &RankingEntry) -> Breakdown {
    let counted: Vec<Option<f64>> =
        entry.ratios.iter().map(|r| r.filter(|r| r.is_finite()).map(|r| r.clamp(0.0, COMPLETION_CAP))).collect();
    let n_counted = counted.iter().flatten().count();
    let completion = if n_counted == 0 { None } else { Some(counted.iter().flatten().sum::<f64>() / n_counted as f64) };
    let indicators: Vec<IndicatorPoints> = entry
        .ratios
        .iter()
        .zip(&counted)
        .enumerate()
        .map(|(index, (ratio, counted))| IndicatorPoints {
            index,
            ratio: *ratio,
            counted: *counted,
            capped: matches!((ratio, counted), (Some(r), Some(_)) if *r > COMPLETION_CAP),
            points: counted.map_or(0.0, |c| COMPLETION_POINTS * c / n_counted as f64),
        })
        .collect();
    let on_time_rate = if entry.expected_reports <= 0 {
        1.0
    } else {
        (entry.on_time.max(0) as f64 / entry.expected_reports as f64).min(1.0)
    };
    Breakdown {
        completion,
        completion_points: completion.map_or(0.0, |c| COMPLETION_POINTS * c),
        on_time: entry.on_time,
        expected_reports: entry.expected_reports,
        on_time_rate,
        on_time_points: ON_TIME_POINTS * on_time_rate,
        indicators_counted: n_counted,
        indicators_left_out: entry.ratios.len() - n_counted,
        indicators_capped: indicators.iter().filter(|i| i.capped).count(),
        indicators,
    }
}

/// Ranks the units of one level: best score first; equal scores (after rounding to
/// one decimal) share a rank and are listed by name, ignoring case and diacritics;
/// units with no allocated goal come last, unranked, by name.
pub fn rank(entries: &[RankingEntry]) -> Vec<RankedRow> {
    struct Scored {
        tenths: Option<i64>,
        key: String,
        index: usize,
        breakdown: Breakdown,
    }
    let mut scored: Vec<Scored> = entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let breakdown = breakdown(entry);
            let tenths = breakdown
                .completion
                .map(|_| ((breakdown.completion_points + breakdown.on_time_points) * 10.0).round() as i64);
            Scored { tenths, key: fold(&entry.name), index, breakdown }
        })
        .collect();
    scored.sort_by(|a, b| {
        let by_score = match (a.tenths, b.tenths) {
            (Some(x), Some(y)) => y.cmp(&x),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        by_score
            .then_with(|| a.key.cmp(&b.key))
            .then_with(|| entries[a.index].name.cmp(&entries[b.index].name))
            .then(a.index.cmp(&b.index))
    });
    let mut rows = Vec::with_capacity(scored.len());
    let mut current: Option<(i64, usize)> = None;
    for (position, s) in scored.into_iter().enumerate() {
        let rank = s.tenths.map(|t| match current {
            Some((prev, r)) if prev == t => r,
            _ => {
                current = Some((t, position + 1));
                position + 1
            }
        });
        rows.push(RankedRow {
            rank,
            name: entries[s.index].name.clone(),
            input_index: s.index,
            score: s.tenths.map(|t| t as f64 / 10.0),
            breakdown: s.breakdown,
        });
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, ratios: &[Option<f64>], on_time: i64, expected: i64) -> RankingEntry {
        RankingEntry { name: name.into(), ratios: ratios.to_vec(), on_time, expected_reports: expected }
    }

    fn row<'a>(rows: &'a [RankedRow], name: &str) -> &'a RankedRow {
        rows.iter().find(|r| r.name == name).unwrap()
    }

    #[test]
    fn the_score_is_70_for_completion_and_30_for_timeliness() {
        // 2 goals at 80% and 100%, 4 of 5 weekly reports on time:
        // 70 × 0,9 + 30 × 0,8 = 63 + 24 = 87.
        let rows = rank(&[entry("Huyện đoàn An Minh", &[Some(0.8), Some(1.0)], 4, 5)]);
        let r = &rows[0];
        assert_eq!(r.rank, Some(1));
        assert_eq!(r.score, Some(87.0));
        let b = &r.breakdown;
        assert!((b.completion.unwrap() - 0.9).abs() < 1e-12);
        assert!((b.completion_points - 63.0).abs() < 1e-9);
        assert!((b.on_time_rate - 0.8).abs() < 1e-12);
        assert!((b.on_time_points - 24.0).abs() < 1e-9);
        assert!((b.indicators[0].points - 28.0).abs() < 1e-9);
        assert!((b.indicators[1].points - 35.0).abs() < 1e-9);
        let parts: f64 = b.indicators.iter().map(|i| i.points).sum();
        assert!((parts - b.completion_points).abs() < 1e-9);
    }

    #[test]
    fn one_huge_overachievement_does_not_hide_an_unmet_goal() {
        // Rạch Giá planted 248,6% of its trees but recruited only 50% of its members;
        // Hà Tiên met both goals exactly. Both always on time.
        let rows = rank(&[
            entry("Thành đoàn Rạch Giá", &[Some(2.486), Some(0.5)], 5, 5),
            entry("Thành đoàn Hà Tiên", &[Some(1.0), Some(1.0)], 5, 5),
        ]);
        assert_eq!(rows[0].name, "Thành đoàn Hà Tiên");
        assert_eq!(rows[0].score, Some(100.0));
        let rg = row(&rows, "Thành đoàn Rạch Giá");
        assert_eq!(rg.rank, Some(2));
        // 70 × (1 + 0,5) ÷ 2 + 30 = 82,5.
        assert_eq!(rg.score, Some(82.5));
        assert_eq!(rg.breakdown.indicators_capped, 1);
        assert!(rg.breakdown.indicators[0].capped);
        assert_eq!(rg.breakdown.indicators[0].counted, Some(1.0));
        assert_eq!(rg.breakdown.indicators[0].ratio, Some(2.486));
    }

    #[test]
    fn equal_scores_share_a_rank_and_are_listed_by_folded_name() {
        let rows = rank(&[
            entry("Huyện đoàn Vĩnh Thuận", &[Some(0.5)], 5, 5),
            entry("Huyện đoàn Hòn Đất", &[Some(1.0)], 4, 5),
            entry("huyện đoàn An Biên", &[Some(1.0)], 4, 5),
            entry("Huyện đoàn U Minh Thượng", &[Some(1.0)], 5, 5),
            entry("Huyện đoàn Châu Thành", &[Some(1.0)], 4, 5),
            entry("Đoàn Khối Cơ quan", &[Some(1.0)], 4, 5),
        ]);
        let names: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        // "Đoàn" sorts as "doan" (before "huyen"), lower case "huyện" as "huyen":
        // not by raw code points, which would put "Đ" last and "h" after "H".
        assert_eq!(
            names,
            vec![
                "Huyện đoàn U Minh Thượng",
                "Đoàn Khối Cơ quan",
                "huyện đoàn An Biên",
                "Huyện đoàn Châu Thành",
                "Huyện đoàn Hòn Đất",
                "Huyện đoàn Vĩnh Thuận",
            ]
        );
        let ranks: Vec<Option<usize>> = rows.iter().map(|r| r.rank).collect();
        assert_eq!(ranks, vec![Some(1), Some(2), Some(2), Some(2), Some(2), Some(6)]);
        assert_eq!(rows[0].score, Some(100.0));
        assert_eq!(rows[1].score, Some(94.0));
        assert_eq!(rows[5].score, Some(65.0));
    }

    #[test]
    fn scores_equal_after_rounding_tie() {
        // 70 × 0,9999 + 30 = 99,993 → 100 ties with a perfect unit.
        let rows = rank(&[
            entry("B", &[Some(0.9999)], 5, 5),
            entry("A", &[Some(1.0)], 5, 5),
            entry("C", &[Some(0.998)], 5, 5),
        ]);
        assert_eq!(rows[0].name, "A");
        assert_eq!(rows[1].name, "B");
        assert_eq!(rows[0].rank, Some(1));
        assert_eq!(rows[1].rank, Some(1));
        assert_eq!(rows[1].score, Some(100.0));
        // 70 × 0,998 + 30 = 99,86 → 99,9: rank 3.
        assert_eq!(rows[2].score, Some(99.9));
        assert_eq!(rows[2].rank, Some(3));
    }

    #[test]
    fn indicators_without_a_goal_are_left_out_and_units_without_any_are_not_ranked() {
        let rows = rank(&[
            entry("Đoàn Khối Doanh nghiệp", &[None, None], 5, 5),
            entry("Huyện đoàn Giang Thành", &[None, Some(0.6)], 5, 5),
            entry("Đoàn Khối Cơ quan", &[], 3, 5),
        ]);
        let gt = &rows[0];
        assert_eq!(gt.name, "Huyện đoàn Giang Thành");
        assert_eq!(gt.rank, Some(1));
        // Only the one goal counts: 70 × 0,6 + 30 = 72, not 70 × 0,3 + 30.
        assert_eq!(gt.score, Some(72.0));
        assert_eq!(gt.breakdown.indicators_counted, 1);
        assert_eq!(gt.breakdown.indicators_left_out, 1);
        assert_eq!(gt.breakdown.indicators[0].points, 0.0);

        // Units with no goal come last, unranked, by name; their timeliness still shows.
        assert_eq!(rows[1].name, "Đoàn Khối Cơ quan");
        assert_eq!(rows[2].name, "Đoàn Khối Doanh nghiệp");
        for r in &rows[1..] {
            assert_eq!(r.rank, None);
            assert_eq!(r.score, None);
            assert_eq!(r.breakdown.completion, None);
        }
        assert!((rows[1].breakdown.on_time_rate - 0.6).abs() < 1e-12);
    }

    #[test]
    fn timeliness_edge_cases() {
        let rows = rank(&[
            entry("A", &[Some(1.0)], 0, 0),
            entry("B", &[Some(1.0)], 7, 5),
            entry("C", &[Some(-0.2), Some(f64::NAN)], 0, 5),
        ]);
        // Nothing due yet: full marks. More on time than due: capped at 100%.
        assert_eq!(row(&rows, "A").score, Some(100.0));
        assert_eq!(row(&rows, "B").score, Some(100.0));
        assert_eq!(row(&rows, "A").rank, Some(1));
        assert_eq!(row(&rows, "B").rank, Some(1));
        // A negative ratio counts as 0; a non-number is left out.
        let c = row(&rows, "C");
        assert_eq!(c.score, Some(0.0));
        assert_eq!(c.rank, Some(3));
        assert_eq!(c.breakdown.indicators_counted, 1);
    }

    #[test]
    fn empty_input_gives_no_rows() {
        assert!(rank(&[]).is_empty());
    }

    #[test]
    fn the_formula_text_matches_the_weights() {
        assert!(FORMULA_VI.starts_with("Điểm = 70 × mức hoàn thành bình quân + 30 × tỷ lệ"));
        assert!(FORMULA_EN.starts_with("Score = 70 × mean completion + 30 × on-time rate"));
        assert_eq!(COMPLETION_POINTS + ON_TIME_POINTS, 100.0);
    }
}
