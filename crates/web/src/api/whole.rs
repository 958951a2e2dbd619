//! Whole numbers in JSON bodies. JSON (and JSON Schema's `integer`) counts `1500.0`
//! as the integer 1500, so the API takes a whole number written either way. It takes
//! at most 15 digits (±999 999 999 999 999, far above any count of a campaign): below
//! 2^50, a number written with a decimal point is read exactly (serde_json's reading
//! of such a number may be off by one unit in the last place, less than 1/4 there, so
//! a whole result is the number written), and the same bound holds for both ways of
//! writing it. A fraction or a larger value is refused as a wrong type (422).

use serde::de::{self, Deserializer, Visitor};

/// The largest whole number taken: 15 digits.
pub const MAX: i64 = 999_999_999_999_999;

/// A whole number in −MAX ..= MAX, written `1500` or `1500.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Whole(pub i64);

struct WholeVisitor;

impl Visitor<'_> for WholeVisitor {
    type Value = Whole;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "a whole number between -{MAX} and {MAX}")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Whole, E> {
        if (-MAX..=MAX).contains(&v) {
            Ok(Whole(v))
        } else {
            Err(E::invalid_value(de::Unexpected::Signed(v), &self))
        }
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Whole, E> {
        match i64::try_from(v) {
            Ok(n) => self.visit_i64(n),
            Err(_) => Err(E::invalid_value(de::Unexpected::Unsigned(v), &self)),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Whole, E> {
        // Within ±MAX (< 2^50) the value read is within 1/4 of the one written, so a
        // whole value read is the one written, and the cast is exact.
        if v.is_finite() && v.fract() == 0.0 && v.abs() <= MAX as f64 {
            Ok(Whole(v as i64))
        } else {
            Err(E::invalid_value(de::Unexpected::Float(v), &self))
        }
    }
}

impl<'de> de::Deserialize<'de> for Whole {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Whole, D::Error> {
        d.deserialize_any(WholeVisitor)
    }
}

/// For `#[serde(deserialize_with = "whole::int")]` on an `i64` field.
pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    <Whole as de::Deserialize>::deserialize(d).map(|w| w.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<i64, String> {
        serde_json::from_str::<Whole>(text).map(|w| w.0).map_err(|e| e.to_string())
    }

    #[test]
    fn whole_numbers_written_either_way_within_the_exact_range() {
        assert_eq!(parse("1500"), Ok(1500));
        assert_eq!(parse("1500.0"), Ok(1500));
        assert_eq!(parse("-3"), Ok(-3));
        assert_eq!(parse("999999999999999"), Ok(MAX));
        assert_eq!(parse("-999999999999999.0"), Ok(-MAX));
        assert_eq!(parse("123456789012345.0"), Ok(123_456_789_012_345));
        assert_eq!(parse("1e14"), Ok(100_000_000_000_000));
        for bad in ["1.5", "1000000000000000", "1e15", "-1000000000000000.0", "1e300", "\"1\"", "null", "true"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
