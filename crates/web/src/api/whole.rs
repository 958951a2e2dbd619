//! Whole numbers in JSON bodies. JSON (and JSON Schema's `integer`) counts `1500.0`
//! as the integer 1500, and JavaScript represents integers exactly only up to
//! 2^53 − 1; so the API takes a whole number written either way, within that range,
//! and refuses anything else (a fraction, a value beyond the range) as a wrong type.

use serde::de::{self, Deserializer, Visitor};

/// The largest integer every JSON client represents exactly (2^53 − 1).
pub const MAX: i64 = 9_007_199_254_740_991;

/// A whole number in −(2^53 − 1) ..= 2^53 − 1, written `1500` or `1500.0`.
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
        // Within ±2^53 every whole f64 is exact, so the cast loses nothing.
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
        assert_eq!(parse("9007199254740991"), Ok(MAX));
        assert_eq!(parse("-9007199254740991.0"), Ok(-MAX));
        for bad in ["1.5", "9007199254740992", "1e300", "\"1\"", "null", "true", "18446744073709551615"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
