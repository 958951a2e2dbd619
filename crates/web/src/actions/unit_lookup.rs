//! A unit as an officer names it in a filter or a form: its code, or its name typed
//! with or without accents ("hon dat" finds Huyện đoàn Hòn Đất; the highest unit
//! whose name matches comes first).

use phongtrao_storage::units::{self, UnitRow};
use phongtrao_storage::Db;

use crate::error::Failure;

/// The unit with this code, else the first whose name matches; `None` when none does.
pub async fn find(db: &Db, text: &str) -> Result<Option<UnitRow>, Failure> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if let Some(unit) = units::by_code(db, text).await? {
        return Ok(Some(unit));
    }
    // A mistyped code ("89") must not find another unit whose code contains it (899).
    if looks_like_code(text) {
        return Ok(None);
    }
    Ok(units::search(db, text, 1).await?.into_iter().next())
}

/// One word of digits (and letters, dots, dashes): a code, not a name.
fn looks_like_code(text: &str) -> bool {
    !text.contains(char::is_whitespace)
        && text.chars().any(|c| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The same, with a clear refusal (422) naming what was typed when nothing matches.
pub async fn require(db: &Db, text: &str) -> Result<UnitRow, Failure> {
    find(db, text).await?.ok_or_else(|| unknown(text))
}

/// "Không tìm thấy đơn vị «…» (mã hoặc tên)".
pub fn unknown(text: &str) -> Failure {
    let text = text.trim();
    Failure::new(
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "invalid",
        format!("Không tìm thấy đơn vị «{text}». Gõ mã hoặc tên đơn vị (có dấu hay không dấu đều được)."),
        format!("No unit «{text}» was found. Type a unit's code or name (accents optional)."),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_and_names_are_told_apart() {
        assert!(super::looks_like_code("89"));
        assert!(super::looks_like_code("KG-903"));
        assert!(!super::looks_like_code("hon dat"));
        assert!(!super::looks_like_code("Phường 5"));
        assert!(!super::looks_like_code("Tân Hiệp"));
    }
}
