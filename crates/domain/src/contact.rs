//! A unit's contact (secretary, phone, e-mail, a free note): checked once, here.

use crate::text::nfc;

/// A contact as the office or the unit typed it, checked and trimmed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    pub secretary: String,
    pub phone: String,
    pub email: String,
    pub note: String,
}

fn plain(field_vi: &str, field_en: &str, text: &str, max: usize, lines: bool) -> Result<String, String> {
    let t = nfc(text.trim());
    if t.chars().count() > max {
        return Err(format!("{field_vi} tối đa {max} ký tự / {field_en}: at most {max} characters"));
    }
    // Line breaks only where the field is free text; no other control or direction characters.
    let bad = |c: char| {
        (c.is_control() && !(lines && (c == '\n' || c == '\r' || c == '\t')))
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if t.chars().any(bad) {
        return Err(format!("{field_vi} có ký tự không hợp lệ / {field_en} holds a character that is not allowed"));
    }
    Ok(t)
}

/// Checks every field; the problems of all fields in one message, (Vietnamese, English).
pub fn parse(secretary: &str, phone: &str, email: &str, note: &str) -> Result<Contact, (String, String)> {
    let mut problems = Vec::new();
    let secretary = plain("Họ tên bí thư", "Secretary", secretary, 200, false).unwrap_or_else(|e| {
        problems.push(e);
        String::new()
    });
    let phone = crate::account_import::parse_phone(phone).map(Option::unwrap_or_default).unwrap_or_else(|e| {
        problems.push(e);
        String::new()
    });
    let email = crate::email::parse_optional(email).map(Option::unwrap_or_default).unwrap_or_else(|e| {
        problems.push(e);
        String::new()
    });
    let note = plain("Ghi chú", "Note", note, 1000, true).unwrap_or_else(|e| {
        problems.push(e);
        String::new()
    });
    if problems.is_empty() {
        return Ok(Contact { secretary, phone, email, note });
    }
    let (vi, en): (Vec<&str>, Vec<&str>) =
        problems.iter().map(|p| p.split_once(" / ").unwrap_or((p.as_str(), p.as_str()))).unzip();
    Err((vi.join("; "), en.join("; ")))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_contact_is_trimmed_and_every_bad_field_named() {
        let c = parse(" Nguyễn Văn A ", "0297 3862 123", "bt@example.vn", "Gọi sau 17h\nhoặc nhắn Zalo").expect("good");
        assert_eq!(c.secretary, "Nguyễn Văn A");
        assert_eq!(c.phone, "0297 3862 123");
        let (e, en) = parse("A\u{0}", "12", "x", "").expect_err("bad");
        assert!(en.contains("Secretary") && !en.contains("Họ tên"), "{en}");
        assert!(e.contains("Họ tên bí thư") && e.contains("\"12\"") && e.contains("\"x\""), "{e}");
        assert!(parse("A\u{202E}B", "", "", "").is_err(), "direction overrides are refused");
        assert_eq!(parse("", "", "", "").expect("empty is allowed"), Default::default());
    }
}
