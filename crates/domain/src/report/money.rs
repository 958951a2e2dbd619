//! Funds in VND, written the Vietnamese way: 1.500.000 (đồng).

/// Why an amount was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VndError {
    Missing,
    Invalid,
    TooLarge,
}

/// Parses "1.500.000", "1500000", "1.500.000 đ", "1.500.000đ", "1 500 000" exactly.
/// Refuses decimals, negatives and anything ambiguous.
pub fn parse_vnd(text: &str) -> Result<i64, String> {
    parse_vnd_code(text, 15).map_err(|e| match e {
        VndError::Missing => "chưa nhập số tiền / no amount".into(),
        VndError::Invalid => {
            format!("\"{text}\" không phải số tiền hợp lệ (ví dụ 1.500.000) / not a valid amount (e.g. 1.500.000)")
        }
        VndError::TooLarge => format!("số tiền quá lớn / amount too large: {text}"),
    })
}

/// The same, with the reason as a code (the report rules, also evaluated in the
/// page by `rules.js`: keep them in step).
pub fn parse_vnd_code(text: &str, max_digits: usize) -> Result<i64, VndError> {
    let mut t = text.trim();
    for suffix in ["VNĐ", "VND", "vnđ", "đồng", "đ"] {
        t = t.trim_end_matches(suffix);
    }
    let t = t.trim();
    if t.is_empty() {
        return Err(VndError::Missing);
    }
    let grouped: Vec<&str> = if t.contains('.') {
        t.split('.').collect()
    } else if t.contains(' ') {
        t.split(' ').collect()
    } else {
        vec![t]
    };
    if grouped.len() > 1 {
        let first_ok = (1..=3).contains(&grouped[0].len());
        if !first_ok || grouped[1..].iter().any(|g| g.len() != 3) {
            return Err(VndError::Invalid);
        }
    }
    let digits: String = grouped.concat();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VndError::Invalid);
    }
    if digits.len() > max_digits {
        return Err(VndError::TooLarge);
    }
    digits.parse::<i64>().map_err(|_| VndError::Invalid)
}

/// 1500000 → "1.500.000"
pub fn format_vnd(amount: i64) -> String {
    crate::format::integer(amount)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_amounts_parse_exactly() {
        assert_eq!(parse_vnd("1.500.000"), Ok(1_500_000));
        assert_eq!(parse_vnd("1500000"), Ok(1_500_000));
        assert_eq!(parse_vnd("1.500.000 đ"), Ok(1_500_000));
        assert_eq!(parse_vnd("25.000.000VNĐ"), Ok(25_000_000));
        assert_eq!(parse_vnd("0"), Ok(0));
        assert_eq!(format_vnd(1_500_000), "1.500.000");
    }

    #[test]
    fn ambiguous_amounts_are_refused() {
        for bad in ["1,5", "1.50.000", "-200.000", "1.500,50", "abc", "", "15.00", "9999999999999999"] {
            assert!(parse_vnd(bad).is_err(), "{bad}");
        }
    }
}
