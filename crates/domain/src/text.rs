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

#[cfg(test)]
mod tests {
    use super::*;

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
