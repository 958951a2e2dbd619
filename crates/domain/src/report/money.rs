//! Funds in VND, written the Vietnamese way: 1.500.000 (đồng).

/// Parses "1.500.000", "1500000", "1.500.000 đ", "1.500.000đ", "1 500 000" exactly.
/// Refuses decimals, negatives and anything ambiguous.
pub fn parse_vnd(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let t = t
        .trim_end_matches("VNĐ")
        .trim_end_matches("VND")
        .trim_end_matches("vnđ")
        .trim_end_matches("đồng")
        .trim_end_matches('đ')
        .trim();
    if t.is_empty() {
        return Err("chưa nhập số tiền / no amount".into());
    }
    let bad =
        || format!("\"{text}\" không phải số tiền hợp lệ (ví dụ 1.500.000) / not a valid amount (e.g. 1.500.000)");
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
            return Err(bad());
        }
    }
    let digits: String = grouped.concat();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if digits.len() > 15 {
        return Err(format!("số tiền quá lớn / amount too large: {text}"));
    }
    digits.parse::<i64>().map_err(|_| bad())
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
