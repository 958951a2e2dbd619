//! What every input goes through first: one Unicode form (NFC), one line end,
//! plain spaces, no invisible characters, and lines without Markdown markers.
//!
//! Tone-mark styles ("Hoà" / "Hòa") are left as written: every keyword is
//! matched on `crate::text::fold`, which ignores diacritics and case.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized};

pub(crate) use crate::text::fold;
use crate::text::nfc;

/// One non-empty line of the document after cleaning.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    /// 1-based line in the normalised text.
    pub no: usize,
    pub text: String,
    /// The line was wrapped in emphasis markers (`*...*`, `**...**`) in the source.
    pub emphasis: bool,
}

/// NFC, "\n" line ends, plain spaces (tabs are kept: they separate the cells of a
/// table row copied as text); invisible and control characters dropped.
pub(crate) fn normalise(input: &str) -> String {
    let input = input.strip_prefix('\u{feff}').unwrap_or(input);
    let composed = match is_nfc_quick(input.chars()) {
        IsNormalized::Yes => Cow::Borrowed(input),
        _ => Cow::Owned(nfc(input)),
    };
    let mut out = String::with_capacity(composed.len());
    let mut chars = composed.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\t' => out.push('\t'),
            '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => out.push(' '),
            '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The non-empty lines, cleaned, with their line numbers. A Markdown table
/// written without its outer pipes ("STT | Chỉ tiêu" over "--- | ---") gets them,
/// so every table row reads `| a | b |`.
pub(crate) fn lines(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = text
        .split('\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            let row;
            let raw = match tab_row(raw) {
                Some(r) => {
                    row = r;
                    row.as_str()
                }
                None => raw,
            };
            let (text, emphasis) = clean(raw);
            (!text.is_empty()).then_some(Line { no: i + 1, text, emphasis })
        })
        .collect();
    let mut in_table = false;
    for k in 0..out.len() {
        let t = &out[k].text;
        if t.starts_with('|') {
            in_table = true;
            continue;
        }
        let separator = t.contains('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '));
        if separator {
            in_table = true;
            if let Some(prev) = k.checked_sub(1).map(|p| &mut out[p]) {
                if prev.text.contains('|') && !prev.text.starts_with('|') {
                    prev.text = format!("| {} |", prev.text);
                }
            }
        } else if !(in_table && t.contains('|')) {
            in_table = false;
            continue;
        }
        out[k].text = format!("| {} |", out[k].text);
    }
    out
}

/// A table row copied from Word as text: three or more cells separated by tabs
/// ("1\tTrồng cây xanh\t1.200\tcây") → "| 1 | Trồng cây xanh | 1.200 | cây |".
fn tab_row(raw: &str) -> Option<String> {
    let cells: Vec<&str> = raw.trim_matches([' ', '\r']).split('\t').map(str::trim).collect();
    let filled = cells.iter().filter(|c| !c.is_empty()).count();
    (cells.len() >= 3 && filled >= 2 && !raw.trim_start().starts_with('|'))
        .then(|| format!("| {} |", cells.join(" | ")))
}

/// Drops Markdown heading marks, emphasis stars and backslash escapes; single spaces.
fn clean(raw: &str) -> (String, bool) {
    let mut s = raw.trim();
    let hashes = s.len() - s.trim_start_matches('#').len();
    if (1..=6).contains(&hashes) && s[hashes..].starts_with(' ') {
        s = s[hashes..].trim_start();
    }
    let (bullet, s) = match s.strip_prefix("* ") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let emphasis = !bullet && s.starts_with('*');
    let mut out = String::with_capacity(s.len() + 2);
    if bullet {
        out.push_str("- ");
    }
    let mut last_space = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        let c = match c {
            '*' => continue,
            '\\' if chars.peek().is_some_and(|p| p.is_ascii_punctuation()) => match chars.next() {
                Some(p) => p,
                None => continue,
            },
            c => c,
        };
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    (out.trim().to_string(), emphasis)
}

/// Whether the letters of a line are (nearly) all capitals: "KẾ HOẠCH", "BÍ THƯ".
pub(crate) fn upperish(text: &str) -> bool {
    let (mut upper, mut letters) = (0usize, 0usize);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        if c.is_uppercase() {
            upper += 1;
        }
    }
    letters >= 2 && upper * 10 >= letters * 9
}

/// Sentences of a paragraph: split after ".", "!", "?" or ";"-free sentence ends
/// followed by a space and a capital or a digit; short capital abbreviations
/// ("TP.", "TM.") do not end a sentence.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let Some(&(_, next)) = chars.get(k + 1) else {
            continue;
        };
        let Some(&(_, after)) = chars.get(k + 2) else {
            continue;
        };
        if !next.is_whitespace() || !(after.is_uppercase() || after.is_ascii_digit()) {
            continue;
        }
        let word = text[start..i].rsplit(' ').next().unwrap_or("");
        let abbreviation =
            !word.is_empty() && word.chars().count() <= 3 && word.chars().all(|c| c.is_uppercase() || c == '/');
        if abbreviation && c == '.' {
            continue;
        }
        let end = i + c.len_utf8();
        let piece = text[start..end].trim();
        if !piece.is_empty() {
            out.push(piece);
        }
        start = end;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// Byte range of the first occurrence of a folded phrase ("truoc ngay") in `text`,
/// matched on whole words; positions are in `text`.
pub(crate) fn find_folded(text: &str, phrase: &str) -> Option<(usize, usize)> {
    // Cheap test first: most lines do not hold the phrase at all.
    if !fold(text).contains(phrase) {
        return None;
    }
    let target: Vec<&str> = phrase.split(' ').collect();
    let words = words(text);
    (0..words.len()).find_map(|i| {
        let window = words.get(i..i + target.len())?;
        window.iter().zip(&target).all(|(w, t)| w.key == *t).then(|| (window[0].start, window[window.len() - 1].end))
    })
}

/// A word of a sentence: its byte span and its folded key without punctuation.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub start: usize,
    pub end: usize,
    pub key: String,
    /// Punctuation right after the word (",", ".", ";"...), if any.
    pub trailing: String,
}

pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    let push = |s: usize, e: usize, out: &mut Vec<Word>| {
        let raw = &text[s..e];
        let core = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '%');
        let trailing: String = raw.chars().rev().take_while(|c| !c.is_alphanumeric() && *c != '%').collect();
        out.push(Word { start: s, end: e, key: fold(core), trailing: trailing.chars().rev().collect() });
    };
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                push(s, i, &mut out);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        push(s, text.len(), &mut out);
    }
    out
}

/// The last `n` characters of `s` (all of it when shorter).
pub(crate) fn last_chars(s: &str, n: usize) -> &str {
    match s.char_indices().rev().nth(n.saturating_sub(1)) {
        Some((i, _)) if n > 0 => &s[i..],
        _ if n == 0 => "",
        _ => s,
    }
}

/// The first `n` characters of `s` (all of it when shorter).
pub(crate) fn first_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Upper-cases the first letter: "khởi động" → "Khởi động".
pub(crate) fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Lower-cases the first letter: "Cấp tỉnh" → "cấp tỉnh".
pub(crate) fn decapitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Kiên Giang" → "kien-giang".
pub(crate) fn slug(text: &str) -> String {
    fold(text).split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join("-")
}

/// The text without the list marks in front of it: "- ", "+ ", "• ", "* ",
/// "", "–" (repeated marks too: "- + Tổ chức" → "Tổ chức").
pub(crate) fn strip_bullet(text: &str) -> &str {
    let mut s = text.trim();
    loop {
        let mut chars = s.chars();
        let Some(c) = chars.next() else { return s };
        let mark = matches!(
            c,
            '-' | '–'
                | '—'
                | '•'
                | '+'
                | '*'
                | '·'
                | '\u{f0b7}'
                | '\u{f0a7}'
                | '◦'
                | '▪'
                | '●'
                | '○'
                | '❖'
                | '➢'
                | '►'
                | '✓'
                | '∙'
        );
        let rest = chars.as_str();
        // "-5 độ", "+84 …": a sign, not a mark.
        if !mark || rest.starts_with(|n: char| n.is_ascii_digit()) {
            return s;
        }
        s = rest.trim_start();
    }
}

/// Trims spaces and the punctuation that ends a clause.
pub(crate) fn trim_clause(text: &str) -> &str {
    text.trim().trim_end_matches([',', ';', ':', '.', ' ', '-', '–']).trim()
}

/// Sentence case of a capitalised heading: "KẾ HOẠCH" → "Kế hoạch".
pub(crate) fn sentence_case(text: &str) -> String {
    capitalise(&text.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn normalises_nfd_crlf_bom_and_spaces() {
        let nfd: String = "Hòa Thuận".nfd().collect();
        let text = format!("\u{feff}{nfd}\r\nx\u{a0}y\u{200b}\rz\t1");
        assert_eq!(normalise(&text), "Hòa Thuận\nx y\nz\t1");
        assert_eq!(lines("z\t1")[0].text, "z 1");
        assert_eq!(lines("1\tTrồng cây\t\tcây")[0].text, "| 1 | Trồng cây | | cây |");
    }

    #[test]
    fn cleans_markdown_markers() {
        let l = lines(
            "** Thanh niên tình nguyện*\n- **Tổ chức Lễ khởi động:** Ngày 24/2/2023\n\n## III. CHỈ TIÊU\n* mục   một",
        );
        assert_eq!(l[0].text, "Thanh niên tình nguyện");
        assert!(l[0].emphasis);
        assert_eq!(l[1].text, "- Tổ chức Lễ khởi động: Ngày 24/2/2023");
        assert_eq!((l[2].no, l[2].text.as_str()), (4, "III. CHỈ TIÊU"));
        assert_eq!(l[3].text, "- mục một");
    }

    #[test]
    fn splits_sentences_but_not_numbers_or_abbreviations() {
        let s = sentences("Điện thoại: 0297.868250. Báo cáo gửi trước ngày 30/3/2023. TM. BAN THƯỜNG VỤ");
        assert_eq!(s, vec!["Điện thoại: 0297.868250.", "Báo cáo gửi trước ngày 30/3/2023.", "TM. BAN THƯỜNG VỤ"]);
    }

    #[test]
    fn folded_phrases_match_any_tone_style() {
        let text = "Tổ chức tổng kết trước ngày 10/4/2023";
        let (s, e) = find_folded(text, "truoc ngay").unwrap();
        assert_eq!(&text[s..e], "trước ngày");
        assert!(find_folded("hiện thực hoá", "hien thuc hoa").is_some());
        assert_eq!(slug("Kiên Giang"), "kien-giang");
        assert!(upperish("TM. BAN THƯỜNG VỤ TỈNH ĐOÀN"));
        assert!(!upperish("Tháng Thanh niên"));
        assert_eq!((last_chars("Hòa Bình", 4), last_chars("ab", 5), last_chars("ab", 0)), ("Bình", "ab", ""));
        assert_eq!((first_chars("Hòa Bình", 3), first_chars("ab", 5)), ("Hòa", "ab"));
    }
}
