//! E-mail addresses of accounts and unit contacts: checked once, here.

/// A trimmed address, or `None` for an empty field; an error in Vietnamese / English.
pub fn parse_optional(text: &str) -> Result<Option<String>, String> {
    let e = text.trim();
    if e.is_empty() {
        return Ok(None);
    }
    let valid = e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(e.split_once('@'), Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') && !domain.ends_with('.') && !domain.contains('@'));
    if valid {
        Ok(Some(e.to_string()))
    } else {
        Err(format!("Địa chỉ e-mail \"{e}\" không hợp lệ / Invalid e-mail address \"{e}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::parse_optional;

    #[test]
    fn an_empty_field_is_no_address_and_a_bad_one_is_refused() {
        assert_eq!(parse_optional("  "), Ok(None));
        assert_eq!(parse_optional(" bt.rachgia@example.vn "), Ok(Some("bt.rachgia@example.vn".into())));
        for bad in ["khong hop le", "a@b", "@x.vn", "a@@x.vn", "a b@x.vn", "a@x.vn.", "a@.vn"] {
            assert!(parse_optional(bad).is_err(), "{bad} accepted");
        }
    }
}
