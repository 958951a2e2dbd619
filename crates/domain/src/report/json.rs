//! Reading a report's numbers from JSON: a script may send `1200` where the form
//! sends the text "1.200"; both mean the same. Errors are written in both languages,
//! joined by [`SEP`], so that the API and the CLI never show serde's English inside
//! a Vietnamese message.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

/// Joins the Vietnamese and the English text of a deserialization error.
pub const SEP: char = '\u{1f}';

/// A bilingual error message for serde's `custom`.
pub fn bilingual(vi: &str, en: &str) -> String {
    format!("{vi}{SEP}{en}")
}

/// Splits a message made by [`bilingual`]; None for any other text.
pub fn split_bilingual(message: &str) -> Option<(&str, &str)> {
    message.split_once(SEP)
}

/// The longest whole number written with a decimal point that is read exactly.
const EXACT: f64 = 999_999_999_999_999.0;

/// A text or a number, kept as text.
struct Text(String);

impl<'de> de::Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        d.deserialize_any(AnyText).map(Text)
    }
}

struct AnyText;

impl<'de> Visitor<'de> for AnyText {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a text")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        // 1200.0 is the whole number 1200; a fraction stays as written, so that the
        // check names it ("12.5 phải là số nguyên không âm").
        if v.is_finite() && v.fract() == 0.0 && v.abs() <= EXACT {
            Ok(format!("{}", v as i64))
        } else {
            Ok(format!("{v}"))
        }
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
        Ok(if v { "1" } else { "0" }.to_string())
    }
    fn visit_unit<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<String, E> {
        Ok(String::new())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_any(AnyText)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _seq: A) -> Result<String, A::Error> {
        Err(de::Error::custom(bilingual(
            "phải là một số hoặc một đoạn chữ, không phải danh sách",
            "must be a number or a text, not a list",
        )))
    }
    fn visit_map<A: MapAccess<'de>>(self, _map: A) -> Result<String, A::Error> {
        Err(de::Error::custom(bilingual(
            "phải là một số hoặc một đoạn chữ, không phải đối tượng",
            "must be a number or a text, not an object",
        )))
    }
}

/// For `#[serde(deserialize_with = "…")]` on a text field that may come as a number.
pub fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    d.deserialize_any(AnyText)
}

struct ValuesVisitor;

impl<'de> Visitor<'de> for ValuesVisitor {
    type Value = BTreeMap<String, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object of indicator keys to numbers")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let Text(value) = map.next_value::<Text>().map_err(|e| {
                let message = e.to_string();
                let (vi, en) = split_bilingual(&message)
                    .unwrap_or(("phải là một số hoặc một đoạn chữ", "must be a number or a text"));
                de::Error::custom(bilingual(&format!("values.{key}: {vi}"), &format!("values.{key}: {en}")))
            })?;
            out.insert(key, value);
        }
        Ok(out)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(BTreeMap::new())
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, _seq: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(bilingual(
            "values phải là một đối tượng {\"mã chỉ tiêu\": số}, không phải danh sách",
            "values must be an object {\"indicator key\": number}, not a list",
        )))
    }
}

/// For `#[serde(deserialize_with = "…")]` on a report's `values`.
pub fn values<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    d.deserialize_any(ValuesVisitor).map_err(|e| {
        let message = e.to_string();
        if split_bilingual(&message).is_some() {
            e
        } else {
            de::Error::custom(bilingual(
                "values phải là một đối tượng {\"mã chỉ tiêu\": số}",
                "values must be an object {\"indicator key\": number}",
            ))
        }
    })
}
