//! Allocation (giao chỉ tiêu): splitting a whole count goal among child units.
//!
//! The province splits a count goal among its district-level units (and a district
//! among its grassroots units) in proportion to a base figure, with largest-remainder
//! (Hamilton) rounding so that the parts add up exactly to the whole. A hand-made
//! split is checked with [`check_parts`]: a mismatch is shown, never accepted silently.

use serde::Serialize;

/// Why a goal cannot be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("chỉ tiêu cần phân bổ không được âm / the goal to allocate must not be negative: {total}")]
    NegativeTotal { total: i64 },
    #[error(
        "số liệu nền không được âm (dòng {position}: {weight}) / a base figure must not be negative (row {position}: {weight})"
    )]
    NegativeWeight {
        /// 1-based position in the input, as an office reads a table.
        position: usize,
        weight: i64,
    },
    #[error("không có đơn vị nào để phân bổ / there are no units to allocate to")]
    NoUnits,
    #[error(
        "số liệu nền của mọi đơn vị đều bằng 0, không thể phân bổ theo tỷ lệ / every unit's base figure is 0: there is nothing to split in proportion to"
    )]
    AllZeroWeights,
}

/// Splits `total` among the units of `weights` in proportion to their weight
/// (a base figure such as số đoàn viên), by the largest-remainder method.
///
/// Each unit first gets the whole part of its exact quota `total × weight ÷ Σweight`;
/// the units left over go one each to the units with the largest remainders.
/// Ties are broken by the larger weight, then by input order, so the same input
/// always gives the same split. The parts add up exactly to `total`, each part is
/// its quota rounded down or up, and a unit with weight 0 gets 0.
///
/// The arithmetic is exact (integers, no floating point).
pub fn largest_remainder<K: Clone>(total: i64, weights: &[(K, i64)]) -> Result<Vec<(K, i64)>, AllocationError> {
    if total < 0 {
        return Err(AllocationError::NegativeTotal { total });
    }
    if weights.is_empty() {
        return Err(AllocationError::NoUnits);
    }
    if let Some((i, (_, w))) = weights.iter().enumerate().find(|(_, (_, w))| *w < 0) {
        return Err(AllocationError::NegativeWeight { position: i + 1, weight: *w });
    }
    let weight_sum: i128 = weights.iter().map(|(_, w)| i128::from(*w)).sum();
    if weight_sum == 0 {
        return Err(AllocationError::AllZeroWeights);
    }

    let total_wide = i128::from(total);
    let mut parts: Vec<i64> = Vec::with_capacity(weights.len());
    // (remainder numerator over weight_sum, weight, input index)
    let mut remainders: Vec<(i128, i64, usize)> = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (i, (_, w)) in weights.iter().enumerate() {
        let exact = total_wide * i128::from(*w);
        let floor = exact / weight_sum;
        given += floor;
        // floor ≤ total, so it fits in i64.
        parts.push(floor as i64);
        remainders.push((exact % weight_sum, *w, i));
    }
    let left_over = (total_wide - given) as usize; // < number of units
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    for &(_, _, i) in remainders.iter().take(left_over) {
        parts[i] += 1;
    }
    Ok(weights.iter().zip(parts).map(|((k, _), part)| (k.clone(), part)).collect())
}

/// How a set of parts compares with the whole it should add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AllocationCheck {
    pub whole: i64,
    pub sum: i64,
    /// `sum − whole`: positive when the parts give out more than the whole,
    /// negative when some of the whole is not given out.
    pub difference: i64,
}

impl AllocationCheck {
    /// Whether the parts add up exactly to the whole.
    pub fn is_exact(&self) -> bool {
        self.difference == 0
    }

    /// The mismatch as the office reads it, in Vietnamese and English joined
    /// ("vi / en", as the API gives it); `None` when the parts add up exactly.
    pub fn message(&self) -> Option<String> {
        Some(format!("{} / {}", self.message_vi()?, self.message_en()?))
    }

    /// The mismatch in Vietnamese (numbers written the Vietnamese way: 20.000).
    pub fn message_vi(&self) -> Option<String> {
        use crate::format::integer;
        match self.difference {
            0 => None,
            d if d > 0 => Some(format!(
                "Tổng các phần là {} vượt {} so với chỉ tiêu {}",
                integer(self.sum),
                integer(d),
                integer(self.whole)
            )),
            d => Some(format!(
                "Tổng các phần là {} thiếu {} so với chỉ tiêu {}",
                integer(self.sum),
                integer(d.unsigned_abs() as i64),
                integer(self.whole)
            )),
        }
    }

    /// The mismatch in English.
    pub fn message_en(&self) -> Option<String> {
        match self.difference {
            0 => None,
            d if d > 0 => Some(format!("the parts add up to {}, {} more than the goal of {}", self.sum, d, self.whole)),
            d => Some(format!(
                "the parts add up to {}, {} short of the goal of {}",
                self.sum,
                d.unsigned_abs(),
                self.whole
            )),
        }
    }
}

/// Compares hand-entered parts with the whole they should add up to.
/// Sums beyond the range of `i64` are clamped (no real goal comes near).
pub fn check_parts(whole: i64, parts: &[i64]) -> AllocationCheck {
    let sum: i128 = parts.iter().map(|p| i128::from(*p)).sum();
    let clamp = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
    AllocationCheck { whole, sum: clamp(sum), difference: clamp(sum - i128::from(whole)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parts(result: &[(usize, i64)]) -> Vec<i64> {
        result.iter().map(|(_, p)| *p).collect()
    }

    fn weighted(ws: &[i64]) -> Vec<(usize, i64)> {
        ws.iter().copied().enumerate().collect()
    }

    #[test]
    fn ten_among_three_equal_units_is_4_3_3() {
        let result = largest_remainder(10, &[("A", 1), ("B", 1), ("C", 1)]).unwrap();
        assert_eq!(result, vec![("A", 4), ("B", 3), ("C", 3)]);
    }

    #[test]
    fn seven_thousand_members_among_fifteen_districts_add_up_exactly() {
        // Target 17: 7.000 new đoàn viên, split by each district's số thanh niên.
        let youth = [
            41_250, 38_900, 27_310, 19_875, 33_402, 12_007, 8_760, 25_113, 30_001, 17_777, 9_999, 22_450, 14_320,
            6_055, 28_640,
        ];
        let result = largest_remainder(7000, &weighted(&youth)).unwrap();
        assert_eq!(result.len(), 15);
        assert_eq!(parts(&result).iter().sum::<i64>(), 7000);
        // Each part is its quota rounded down or up.
        let w_sum: i64 = youth.iter().sum();
        for ((_, part), w) in result.iter().zip(youth) {
            let quota = 7000.0 * w as f64 / w_sum as f64;
            assert!((*part as f64 - quota).abs() < 1.0, "{part} vs {quota}");
        }
        // The biggest district gets the biggest share.
        assert_eq!(result[0].1, *parts(&result).iter().max().unwrap());
        assert!(check_parts(7000, &parts(&result)).is_exact());
    }

    #[test]
    fn known_hamilton_example() {
        // Quotas 4.2857.., 2.1428.., 0.5714..: floors 4, 2, 0 (6); the one left goes to
        // the largest remainder (0.5714), the smallest unit.
        let result = largest_remainder(7, &weighted(&[30, 15, 4])).unwrap();
        assert_eq!(parts(&result), vec![4, 2, 1]);
    }

    #[test]
    fn ties_go_to_the_larger_weight_then_input_order() {
        // 3 among weights 1, 2, 1, 2 (sum 6): quotas 0.5, 1, 0.5, 1 → floors 0, 1, 0, 1;
        // one left, remainders tie at 0.5 between units 0 and 2 (equal weight): first wins.
        assert_eq!(parts(&largest_remainder(3, &weighted(&[1, 2, 1, 2])).unwrap()), vec![1, 1, 0, 1]);
        // Remainders tie at 0.5 (quotas 1.5 and 0.5): weight 3 beats weight 1
        // although it comes second.
        assert_eq!(parts(&largest_remainder(2, &weighted(&[1, 3])).unwrap()), vec![0, 2]);
        // Same input, same answer.
        let a = largest_remainder(101, &weighted(&[5, 5, 5, 5, 5, 5, 5])).unwrap();
        let b = largest_remainder(101, &weighted(&[5, 5, 5, 5, 5, 5, 5])).unwrap();
        assert_eq!(a, b);
        assert_eq!(parts(&a), vec![15, 15, 15, 14, 14, 14, 14]);
    }

    #[test]
    fn a_unit_without_base_gets_nothing() {
        let result = largest_remainder(5, &weighted(&[0, 1, 1, 0])).unwrap();
        assert_eq!(parts(&result), vec![0, 3, 2, 0]);
    }

    #[test]
    fn zero_goal_gives_zero_parts() {
        let result = largest_remainder(0, &weighted(&[3, 4])).unwrap();
        assert_eq!(parts(&result), vec![0, 0]);
    }

    #[test]
    fn bad_input_is_refused_with_a_bilingual_message() {
        let e = largest_remainder(10, &weighted(&[0, 0, 0])).unwrap_err();
        assert_eq!(e, AllocationError::AllZeroWeights);
        assert!(e.to_string().contains(" / "));
        assert!(e.to_string().contains("bằng 0"));

        let e = largest_remainder(10, &weighted(&[3, -2])).unwrap_err();
        assert_eq!(e, AllocationError::NegativeWeight { position: 2, weight: -2 });
        assert!(e.to_string().contains("dòng 2"));
        assert!(e.to_string().contains("row 2"));

        let e = largest_remainder(-1, &weighted(&[3])).unwrap_err();
        assert_eq!(e, AllocationError::NegativeTotal { total: -1 });
        assert!(e.to_string().contains("không được âm / "));

        let empty: Vec<(usize, i64)> = Vec::new();
        assert_eq!(largest_remainder(10, &empty).unwrap_err(), AllocationError::NoUnits);
    }

    #[test]
    fn huge_numbers_do_not_overflow() {
        let result = largest_remainder(i64::MAX, &weighted(&[i64::MAX, i64::MAX, 1])).unwrap();
        let sum: i128 = result.iter().map(|(_, p)| i128::from(*p)).sum();
        assert_eq!(sum, i128::from(i64::MAX));
    }

    #[test]
    fn a_hand_split_that_does_not_add_up_is_shown() {
        let short = check_parts(20_000, &[5_000, 5_000, 9_900]);
        assert_eq!(short, AllocationCheck { whole: 20_000, sum: 19_900, difference: -100 });
        assert!(!short.is_exact());
        let msg = short.message().unwrap();
        assert!(msg.contains("19.900"), "{msg}");
        assert!(msg.contains("thiếu 100"), "{msg}");
        assert!(msg.contains("20.000"), "{msg}");
        assert!(msg.contains("100 short"), "{msg}");

        let over = check_parts(7_000, &[4_000, 3_500]);
        assert_eq!(over.difference, 500);
        assert!(over.message().unwrap().contains("vượt 500"));

        let exact = check_parts(7_000, &[4_000, 3_000]);
        assert!(exact.is_exact());
        assert_eq!(exact.message(), None);

        assert_eq!(check_parts(0, &[]).difference, 0);
    }

    proptest! {
        #[test]
        fn parts_add_up_and_stay_within_one_of_the_quota(
            total in 0i64..2_000_000,
            ws in proptest::collection::vec(0i64..100_000, 1..60),
        ) {
            prop_assume!(ws.iter().any(|w| *w > 0));
            let result = largest_remainder(total, &weighted(&ws)).unwrap();
            prop_assert_eq!(result.len(), ws.len());
            prop_assert_eq!(parts(&result).iter().sum::<i64>(), total);
            let w_sum: i128 = ws.iter().map(|w| i128::from(*w)).sum();
            for ((k, part), (i, w)) in result.iter().zip(weighted(&ws)) {
                prop_assert_eq!(*k, i);
                // |part − total·w/W| < 1, in exact integers.
                let diff = i128::from(*part) * w_sum - i128::from(total) * i128::from(w);
                prop_assert!(diff.abs() < w_sum, "part {} weight {} total {}", part, w, total);
                if w == 0 {
                    prop_assert_eq!(*part, 0);
                }
            }
        }

        #[test]
        fn a_larger_base_never_gets_less(
            total in 0i64..100_000,
            ws in proptest::collection::vec(0i64..1_000, 2..30),
        ) {
            prop_assume!(ws.iter().any(|w| *w > 0));
            let result = parts(&largest_remainder(total, &weighted(&ws)).unwrap());
            for i in 0..ws.len() {
                for j in 0..ws.len() {
                    if ws[i] > ws[j] {
                        prop_assert!(result[i] >= result[j]);
                    }
                }
            }
        }
    }
}
