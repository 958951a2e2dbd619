//! The header of a plan: superior body, "Số: ...", "Kiên Giang, ngày ... tháng ...
//! năm ...", the document type and title ("KẾ HOẠCH" / "Tháng Thanh niên năm
//! 2023"), the "Căn cứ" basis and the theme ("với chủ đề “...”").

use chrono::{Datelike, NaiveDate};

use super::dates;
use super::draft::Found;
use super::structure::Document;
use super::text::fold;
use super::text::{sentence_case, upperish, words};
use super::Confidence;
use crate::plan::When;

#[derive(Debug, Clone, Default)]
pub(crate) struct Header {
    pub superior_body: Option<Found<String>>,
    pub document_type: Option<Found<String>>,
    /// "Kế hoạch Tháng Thanh niên năm 2023"
    pub title: Option<Found<String>>,
    /// The title without the document type: "Tháng Thanh niên năm 2023".
    pub subject: Option<String>,
    pub document_number: Option<Found<String>>,
    pub place: Option<Found<String>>,
    pub issued_on: Option<Found<NaiveDate>>,
    pub basis: Option<Found<String>>,
    pub theme: Option<Found<String>>,
    pub year: Option<Found<i32>>,
}

const TYPES: [&str; 12] = [
    "ke hoach",
    "huong dan",
    "chuong trinh",
    "thong bao",
    "bao cao",
    "de an",
    "quyet dinh",
    "cong van",
    "phuong an",
    "the le",
    "chi thi",
    "nghi quyet",
];

/// "KẾ HOẠCH" or "KẾ HOẠCH Tháng Thanh niên năm 2023": the type and the rest.
fn document_type(text: &str) -> Option<(String, String)> {
    let ws = words(text);
    for t in TYPES {
        let n = t.split(' ').count();
        let matches = ws.len() >= n && ws[..n].iter().map(|w| w.key.as_str()).collect::<Vec<_>>().join(" ") == t;
        if matches && upperish(&text[..ws[n - 1].end]) {
            let rest = text[ws[n - 1].end..].trim().to_string();
            return Some((sentence_case(&text[..ws[n - 1].end]), rest));
        }
    }
    None
}

fn is_decoration(text: &str) -> bool {
    !text.chars().any(char::is_alphanumeric) || fold(text).contains("o0o")
}

/// Capitalised words just before a position: the place of "Kiên Giang, ngày ...".
fn place_before(text: &str) -> Option<String> {
    let before = text.trim_end().trim_end_matches(',').trim_end();
    let mut taken: Vec<&str> = Vec::new();
    for w in before.split(' ').rev() {
        let capital = w.chars().next().is_some_and(char::is_uppercase);
        if !capital || w.chars().any(|c| c.is_ascii_digit() || c == '/') || taken.len() >= 5 {
            break;
        }
        taken.push(w);
    }
    taken.reverse();
    (!taken.is_empty()).then(|| taken.join(" "))
}

/// Capitalised words right after a word in `text` ("Tỉnh đoàn Kiên Giang" → "Kiên Giang").
pub(crate) fn name_after(text: &str, phrase: &str) -> Option<String> {
    let (_, end) = super::text::find_folded(text, phrase)?;
    let mut taken = Vec::new();
    for w in text[end..].split(' ').filter(|w| !w.is_empty()) {
        let core = w.trim_end_matches([',', '.', ';', ':', ')', '”']);
        if !core.chars().next().is_some_and(char::is_uppercase)
            || core.chars().any(|c| c.is_ascii_digit())
            || taken.len() >= 4
        {
            break;
        }
        taken.push(core);
        if core.len() != w.len() {
            break;
        }
    }
    (!taken.is_empty()).then(|| taken.join(" "))
}

/// The number and symbol after "Số:", its spaces closed up: "  07 -KH/ĐTN" and
/// "07- KH/HĐTN" → "07-KH/ĐTN"; the place and date after it are not part of it.
fn document_number(after: &str) -> Option<String> {
    let after = after.trim_start().trim_start_matches(':').trim_start();
    let mut taken: Vec<&str> = Vec::new();
    for token in after.split_whitespace() {
        let core = token.trim_end_matches([',', ';']);
        let joins = taken.last().is_some_and(|t| t.ends_with(['-', '/'])) || core.starts_with(['-', '/']);
        let symbol_like = core.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '.'))
            && core.chars().any(|c| c.is_alphanumeric() || matches!(c, '-' | '/'));
        let first_number = taken.is_empty() && core.chars().all(|c| c.is_ascii_digit() || c == '.');
        if !symbol_like || !(joins || first_number || (taken.is_empty() && core.contains(['/', '-']))) {
            break;
        }
        taken.push(core);
        if core.len() != token.len() {
            break;
        }
    }
    let raw = taken.concat();
    let raw = raw.trim_end_matches(['.', ',', ';']);
    raw.contains(['/', '-']).then(|| raw.to_string())
}

/// The quoted text after "chủ đề": “...” or "...".
fn theme_in(text: &str) -> Option<String> {
    let (_, end) = super::text::find_folded(text, "chu de")?;
    let rest = &text[end..];
    let open = rest.find(['“', '"', '«'])?;
    if rest[..open].chars().filter(|c| c.is_alphabetic()).count() > 3 {
        return None;
    }
    let inner = &rest[open + rest[open..].chars().next()?.len_utf8()..];
    let close = inner.find(['”', '"', '»'])?;
    let theme = inner[..close].trim();
    (!theme.is_empty()).then(|| theme.to_string())
}

pub(crate) fn read(doc: &Document) -> Header {
    let mut h = Header::default();
    let head = &doc.head;
    let mut title_from: Option<usize> = None;
    for (i, line) in head.iter().enumerate() {
        let key = fold(&line.text);
        if h.superior_body.is_none()
            && upperish(&line.text)
            && (key.starts_with("bch ") || key.starts_with("ban chap hanh"))
        {
            let body = match super::text::find_folded(&line.text, "doan tncs") {
                Some((s, _)) if s > 0 => line.text[..s].trim(),
                _ => line.text.as_str(),
            };
            h.superior_body = Some(Found::new(body.to_string(), &line.text, line.no, Confidence::High));
        }
        let basis_line = key.starts_with("can cu");
        if h.document_number.is_none() && !basis_line {
            let ws = words(&line.text);
            if let Some(k) = ws.iter().position(|w| w.key == "so" && line.text[w.start..].starts_with('S')) {
                if let Some(raw) = document_number(&line.text[ws[k].end..]) {
                    let confidence =
                        if raw.chars().any(|c| c.is_ascii_digit()) { Confidence::High } else { Confidence::Low };
                    h.document_number = Some(Found::new(format!("Số: {raw}"), &line.text, line.no, confidence));
                }
            }
        }
        if h.issued_on.is_none() && !basis_line {
            for p in dates::find(&line.text, None) {
                let When::On { date } = p.when else { continue };
                let after_comma = line.text[..p.start].trim_end().ends_with(',');
                if !after_comma || !fold(&line.text[p.start..]).starts_with("ngay") {
                    continue;
                }
                if let Some(place) = place_before(&line.text[..p.start]) {
                    h.place = Some(Found::new(place, &line.text, line.no, Confidence::High));
                }
                h.issued_on = Some(Found::new(date, &line.text, line.no, Confidence::High));
            }
        }
        if h.document_type.is_none() {
            if let Some((kind, rest)) = document_type(&line.text) {
                h.document_type = Some(Found::new(kind, &line.text, line.no, Confidence::High));
                title_from = Some(i);
                if !rest.is_empty() {
                    h.subject = Some(rest);
                }
            }
        }
        if basis_line {
            let basis = match &h.basis {
                Some(b) => format!("{} {}", b.value, line.text),
                None => line.text.clone(),
            };
            h.basis = Some(Found::new(basis, &line.text, line.no, Confidence::High));
        }
    }
    if let Some(i) = title_from {
        if h.subject.is_none() {
            let mut parts = Vec::new();
            for line in head.iter().skip(i + 1).take(3) {
                let key = fold(&line.text);
                let stop = key.starts_with("can cu")
                    || is_decoration(&line.text)
                    || key.starts_with("so ")
                    || key.starts_with("so:");
                if stop || key.contains(", ngay ") {
                    break;
                }
                parts.push(line.text.as_str());
            }
            if !parts.is_empty() {
                h.subject = Some(parts.join(" "));
            }
        }
    }
    if let (Some(kind), Some(subject)) = (&h.document_type, &h.subject) {
        let confidence = if upperish(subject) { Confidence::Medium } else { Confidence::High };
        let title = format!("{} {}", kind.value, subject);
        h.title = Some(Found::new(title, &format!("{} / {}", kind.source, subject), kind.line, confidence));
    }
    h.theme = theme(doc, title_from);
    h.year = year(&h);
    if h.place.is_none() {
        h.place = place_from_text(doc, h.superior_body.as_ref());
    }
    h
}

/// The subject without a leading verb: "Tổ chức Tháng Thanh niên năm 2024" →
/// "Tháng Thanh niên năm 2024" (for the short title, the code, milestone titles).
pub(crate) fn subject_core(subject: &str) -> &str {
    for verb in ["to chuc", "trien khai", "thuc hien", "v/v", "ve viec"] {
        let n = verb.split(' ').count();
        let head: Vec<&str> = subject.splitn(n + 1, ' ').collect();
        if head.len() == n + 1 && fold(&head[..n].join(" ")) == verb {
            return subject[head[..n].iter().map(|w| w.len() + 1).sum::<usize>()..].trim_start();
        }
    }
    subject
}

/// The theme: from the title block (the lines under "KẾ HOẠCH"), the "Căn cứ …"
/// sentence, or a sentence that presents the plan or the campaign ("… Tháng Thanh
/// niên … với chủ đề “…”") — never from an activity of the plan ("Tổ chức hội thi
/// với chủ đề …", a numbered or bulleted item).
fn theme(doc: &Document, title_from: Option<usize>) -> Option<Found<String>> {
    let presents_plan = |key: &str| {
        ["ke hoach", "thang thanh nien", "chuong trinh", "phong trao", "chien dich", "nam nay"]
            .iter()
            .any(|p| key.contains(p))
    };
    let head = &doc.head;
    // The title block: from the document type to the first "Căn cứ" or decoration.
    let title_block = |i: usize| {
        title_from.is_some_and(|t| {
            i >= t
                && i <= t + 3
                && !head[t..i].iter().any(|l| fold(&l.text).starts_with("can cu") || is_decoration(&l.text))
        })
    };
    for (i, line) in head.iter().enumerate() {
        let key = fold(&line.text);
        let trusted = title_block(i) || key.starts_with("can cu") || presents_plan(&key);
        if super::structure::shape(&line.text) != super::structure::Shape::Plain || !trusted {
            continue;
        }
        if let Some(theme) = theme_in(&line.text) {
            // Without a document type (a news article), a theme is less sure.
            let confidence = if title_from.is_some() { Confidence::High } else { Confidence::Medium };
            return Some(Found::new(theme, &line.text, line.no, confidence));
        }
    }
    // A quoted line on its own under the title.
    for (i, line) in head.iter().enumerate() {
        let t = line.text.trim();
        if title_block(i) && t.starts_with(['“', '"']) && t.ends_with(['”', '"']) && t.chars().count() > 4 {
            let inner = t.trim_matches(['“', '”', '"']).trim();
            return Some(Found::new(inner.to_string(), &line.text, line.no, Confidence::Medium));
        }
    }
    // A paragraph of the purpose that presents the campaign and its theme.
    let purpose = doc.sections.iter().filter(|s| s.part() == super::structure::Part::Purpose);
    purpose.flat_map(|s| s.blocks.iter()).filter(|b| !b.bullet && b.number.is_none()).find_map(|b| {
        let key = fold(&b.text);
        presents_plan(&key)
            .then(|| theme_in(&b.text))
            .flatten()
            .map(|t| Found::new(t, &b.text, b.line, Confidence::Low))
    })
}

fn year(h: &Header) -> Option<Found<i32>> {
    if let Some(subject) = &h.subject {
        let ws: Vec<&str> = subject.split(' ').collect();
        for pair in ws.windows(2) {
            if fold(pair[0]) == "nam" {
                if let Ok(y) = pair[1].trim_end_matches(['.', ',']).parse::<i32>() {
                    if (1900..=2200).contains(&y) {
                        return Some(Found::new(y, subject, h.title.as_ref().map_or(0, |t| t.line), Confidence::High));
                    }
                }
            }
        }
    }
    h.issued_on.as_ref().map(|d| Found::new(d.value.year(), &d.source, d.line, Confidence::Medium))
}

/// The place when the header has no "Kiên Giang, ngày …" line: the province or
/// district of the superior body line ("BCH ĐOÀN TỈNH KIÊN GIANG"), else the body
/// named in a "Căn cứ" line ("… Tỉnh đoàn Kiên Giang"), with a low confidence.
/// Never a name from running text: a news article names many places.
fn place_from_text(doc: &Document, superior: Option<&Found<String>>) -> Option<Found<String>> {
    if let Some(body) = superior {
        for level in ["tinh", "huyen", "thanh pho", "thi xa", "quan", "thanh"] {
            let words: Vec<&str> = body.value.split_whitespace().collect();
            let folded: Vec<String> = words.iter().map(|w| fold(w)).collect();
            let n = level.split(' ').count();
            let at = (0..folded.len().saturating_sub(n)).find(|&i| folded[i..i + n].join(" ") == level);
            if let Some(at) = at {
                let name: Vec<String> =
                    words[at + n..].iter().map(|w| super::text::capitalise(&w.to_lowercase())).collect();
                if !name.is_empty() && name.len() <= 4 {
                    return Some(Found::new(name.join(" "), &body.source, body.line, Confidence::Medium));
                }
            }
        }
    }
    for line in doc.head.iter().filter(|l| fold(&l.text).starts_with("can cu")) {
        for phrase in ["tinh doan", "thanh doan", "huyen doan"] {
            if let Some(place) = name_after(&line.text, phrase) {
                return Some(Found::new(place, &line.text, line.no, Confidence::Low));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::structure::read as structure;
    use crate::import::text::lines;

    #[test]
    fn header_of_a_typical_plan() {
        let text = "BCH ĐOÀN TỈNH KIÊN GIANG ĐOÀN TNCS HỒ CHÍ MINH\n***\nSố: 45-KH/TĐTN-BPT Kiên Giang, ngày 10 tháng 02 năm 2023\n\n\
                    KẾ HOẠCH\nTháng Thanh niên năm 2023\n-----\nCăn cứ ..., ban hành Kế hoạch với chủ đề “*Tuổi trẻ Kiên Giang tiên phong*” như sau:\nI. MỤC ĐÍCH";
        let h = read(&structure(lines(text)));
        assert_eq!(h.superior_body.unwrap().value, "BCH ĐOÀN TỈNH KIÊN GIANG");
        assert_eq!(h.document_number.unwrap().value, "Số: 45-KH/TĐTN-BPT");
        assert_eq!(h.place.unwrap().value, "Kiên Giang");
        assert_eq!(h.issued_on.unwrap().value, NaiveDate::from_ymd_opt(2023, 2, 10).unwrap());
        assert_eq!(h.title.unwrap().value, "Kế hoạch Tháng Thanh niên năm 2023");
        assert_eq!(h.theme.unwrap().value, "Tuổi trẻ Kiên Giang tiên phong");
        assert_eq!(h.year.unwrap().value, 2023);
    }

    #[test]
    fn subject_without_its_verb() {
        assert_eq!(subject_core("Tổ chức Tháng Thanh niên năm 2024"), "Tháng Thanh niên năm 2024");
        assert_eq!(subject_core("V/v tổ chức Tháng Thanh niên"), "tổ chức Tháng Thanh niên");
        assert_eq!(subject_core("Tháng Thanh niên năm 2023"), "Tháng Thanh niên năm 2023");
        assert_eq!(subject_core("Tổ chức"), "Tổ chức");
    }

    #[test]
    fn place_from_the_basis_when_the_header_has_none() {
        let text = "KẾ HOẠCH\nTháng Thanh niên năm 2023\nCăn cứ Chương trình của Ban Chấp hành Tỉnh đoàn Kiên Giang, Ban Thường vụ ban hành\nI. MỤC ĐÍCH";
        let h = read(&structure(lines(text)));
        let place = h.place.unwrap();
        assert_eq!((place.value.as_str(), place.confidence), ("Kiên Giang", Confidence::Low));
        assert!(h.document_number.is_none() && h.issued_on.is_none());
    }
}
