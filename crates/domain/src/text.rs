//! Vietnamese text: NFC normalisation and diacritic-insensitive search keys.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The NFC form of a text (the form every stored text is kept in).
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// A search key: lower case, no diacritics, đ → d, single spaces.
/// "Kiên Giang" and "kien  giang" give the same key.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last_space = true;
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
            continue;
        }
        out.extend(c.to_lowercase());
        last_space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Whether `haystack` contains every word of `query`, ignoring case and diacritics.
pub fn matches(haystack_key: &str, query: &str) -> bool {
    let query = fold(query);
    query.split(' ').filter(|w| !w.is_empty()).all(|w| haystack_key.contains(w))
}

/// Characters that reorder or hide text (bidirectional overrides and isolates,
/// zero-width marks): a name holding one can show as something it is not
/// ("Đoàn xã\u{202E}gnaiG" reads backwards).
pub fn is_bidi_or_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// Why a display name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// NUL, a line break, a tab or another control character.
    Control,
    /// A bidirectional override or an invisible character.
    Bidi,
}

impl std::fmt::Display for TextError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TextError::Control => f.write_str(
                "có ký tự điều khiển (NUL, xuống dòng, tab…) / holds a control character (NUL, line break, tab…)",
            ),
            TextError::Bidi => f.write_str(
                "có ký tự đảo chiều hoặc ký tự ẩn / holds a text-direction override or an invisible character",
            ),
        }
    }
}

/// A display name (user, unit, token) on one line: no control character at all (NUL
/// would also make PostgreSQL refuse the row) and no direction override.
pub fn check_display(name: &str) -> Result<(), TextError> {
    if name.chars().any(char::is_control) {
        return Err(TextError::Control);
    }
    if name.chars().any(is_bidi_or_invisible) {
        return Err(TextError::Bidi);
    }
    Ok(())
}

/// A free text (a note, a comment, a narrative): line breaks and tabs are kept;
/// other control characters (NUL first) and direction overrides are dropped.
pub fn clean_note(text: &str) -> String {
    text.chars().filter(|c| matches!(c, '\n' | '\t') || !(c.is_control() || is_bidi_or_invisible(*c))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_control_or_direction_characters_are_refused() {
        assert_eq!(check_display("Đoàn xã Vĩnh Hòa"), Ok(()));
        assert_eq!(check_display("a\u{0}b"), Err(TextError::Control));
        assert_eq!(check_display("a\nb"), Err(TextError::Control));
        assert_eq!(check_display("abc\u{202E}fed"), Err(TextError::Bidi));
        assert_eq!(check_display("x\u{2067}y"), Err(TextError::Bidi));
        assert_eq!(check_display("x\u{200B}y"), Err(TextError::Bidi));
    }

    #[test]
    fn notes_keep_their_lines_and_lose_the_rest() {
        assert_eq!(clean_note("Dòng 1\nDòng\t2\u{0}\u{202E}!\u{7}"), "Dòng 1\nDòng\t2!");
    }

    #[test]
    fn folding_ignores_case_diacritics_and_d_bar() {
        assert_eq!(fold("Kiên Giang"), "kien giang");
        assert_eq!(fold("ĐOÀN  xã  Phi Thông "), "doan xa phi thong");
        assert_eq!(fold("Hòn Đất"), "hon dat");
    }

    #[test]
    fn nfd_input_is_found_like_nfc() {
        let nfd: String = "Hòa Thuận".nfd().collect();
        assert_eq!(fold(&nfd), fold("Hòa Thuận"));
        assert_eq!(nfc(&nfd), "Hòa Thuận");
    }

    #[test]
    fn every_query_word_must_match() {
        let key = fold("Huyện đoàn Hòn Đất");
        assert!(matches(&key, "hon dat"));
        assert!(matches(&key, "ĐẤT"));
        assert!(!matches(&key, "hon rach"));
    }
}
