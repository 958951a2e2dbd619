//! The text of a .docx: word/document.xml read from the zip (size-limited),
//! each paragraph (table cells included) a line, Word's automatic numbering
//! ("1.", "2.1.", "I.", bullets) written out from word/numbering.xml.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::result::ZipError;
use zip::ZipArchive;

use super::structure::to_roman;
use super::{ImportError, MAX_DOCUMENT_XML, MAX_PARAGRAPH_CHARS, MAX_TEXT_BYTES};

/// Numbering.xml is small; a bigger one is ignored (paragraph text is still read).
const MAX_NUMBERING_XML: u64 = 4 * 1024 * 1024;

fn read_part(archive: &mut ZipArchive<Cursor<&[u8]>>, name: &str, limit: u64) -> Result<Option<Vec<u8>>, ImportError> {
    let file = match archive.by_name(name) {
        Ok(f) => f,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(ImportError::NotZip(e.to_string())),
    };
    if file.size() > limit {
        return Err(ImportError::TooLarge { size: file.size(), limit });
    }
    let mut bytes = Vec::new();
    file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| ImportError::NotZip(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::TooLarge { size: bytes.len() as u64, limit });
    }
    Ok(Some(bytes))
}

pub(crate) fn text(bytes: &[u8]) -> Result<String, ImportError> {
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| ImportError::NotZip(e.to_string()))?;
    let numbering = match read_part(&mut archive, "word/numbering.xml", MAX_NUMBERING_XML) {
        Ok(Some(b)) => String::from_utf8(b).ok().map(|x| Numbering::parse(&x)).unwrap_or_default(),
        _ => Numbering::default(),
    };
    let document = read_part(&mut archive, "word/document.xml", MAX_DOCUMENT_XML)?.ok_or(ImportError::NoDocumentXml)?;
    let xml = String::from_utf8(document).map_err(|_| ImportError::BadXml("không phải UTF-8 / not UTF-8".into()))?;
    paragraphs(&xml, numbering)
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned())
}

fn local(e: &BytesStart) -> String {
    e.local_name().as_ref().to_string()
}

/// One level of a numbering definition.
#[derive(Debug, Clone, Default)]
struct Level {
    format: String,
    text: String,
    start: u32,
}

#[derive(Debug, Clone, Default)]
struct Numbering {
    /// numId → abstractNumId
    nums: HashMap<String, String>,
    /// abstractNumId → levels 0..9
    abstracts: HashMap<String, Vec<Level>>,
    /// numId → counters per level
    counters: HashMap<String, [u32; 9]>,
}

impl Numbering {
    fn parse(xml: &str) -> Numbering {
        let mut n = Numbering::default();
        let mut reader = Reader::from_str(xml);
        let (mut abstract_id, mut num_id, mut level): (Option<String>, Option<String>, Option<usize>) =
            (None, None, None);
        loop {
            let event = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(e) => e,
            };
            match event {
                Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                    "abstractNum" => abstract_id = attr(&e, "w:abstractNumId"),
                    "lvl" => level = attr(&e, "w:ilvl").and_then(|v| v.parse().ok()).filter(|l: &usize| *l < 9),
                    "num" => num_id = attr(&e, "w:numId"),
                    "abstractNumId" => {
                        if let (Some(num), Some(v)) = (&num_id, attr(&e, "w:val")) {
                            n.nums.insert(num.clone(), v);
                        }
                    }
                    name @ ("numFmt" | "lvlText" | "start") => {
                        let (Some(a), Some(l)) = (&abstract_id, level) else {
                            continue;
                        };
                        let levels = n.abstracts.entry(a.clone()).or_default();
                        if levels.len() <= l {
                            levels.resize(l + 1, Level { start: 1, ..Level::default() });
                        }
                        let v = attr(&e, "w:val").unwrap_or_default();
                        match name {
                            "numFmt" => levels[l].format = v,
                            "lvlText" => levels[l].text = v,
                            _ => levels[l].start = v.parse().unwrap_or(1),
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "abstractNum" => abstract_id = None,
                    "lvl" => level = None,
                    "num" => num_id = None,
                    _ => {}
                },
                _ => {}
            }
        }
        n
    }

    /// The label of the next paragraph numbered (numId, ilvl): "2.1.", "I.", "-".
    fn label(&mut self, num_id: &str, ilvl: usize) -> Option<String> {
        let levels = self.abstracts.get(self.nums.get(num_id)?)?;
        let level = levels.get(ilvl.min(8))?.clone();
        let counters = self.counters.entry(num_id.to_string()).or_insert([0; 9]);
        let ilvl = ilvl.min(8);
        counters[ilvl] = if counters[ilvl] == 0 { level.start.max(1) } else { counters[ilvl].saturating_add(1) };
        for c in counters.iter_mut().skip(ilvl + 1) {
            *c = 0;
        }
        if level.format == "bullet" {
            return Some("-".into());
        }
        if level.format == "none" {
            return None;
        }
        let mut text = level.text.clone();
        for (i, lvl) in levels.iter().enumerate().take(9) {
            let value = if counters[i] == 0 { lvl.start.max(1) } else { counters[i] };
            let formatted = match lvl.format.as_str() {
                "upperRoman" => to_roman(value.min(39)),
                "lowerRoman" => to_roman(value.min(39)).to_lowercase(),
                "upperLetter" => letter(value).to_uppercase(),
                "lowerLetter" => letter(value),
                _ => value.to_string(),
            };
            text = text.replace(&format!("%{}", i + 1), &formatted);
        }
        Some(text)
    }
}

fn letter(n: u32) -> String {
    char::from_u32('a' as u32 + (n.max(1) - 1) % 26).map(String::from).unwrap_or_default()
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => None,
    }
}

/// Stops reading as soon as a paragraph or the whole text is past the reader's
/// bounds (a cheap byte test first: a character is at least one byte).
fn bounded(para: &str, out: &str) -> Result<(), ImportError> {
    if para.len() > MAX_PARAGRAPH_CHARS && para.chars().count() > MAX_PARAGRAPH_CHARS {
        return Err(ImportError::ParagraphTooLong { chars: para.chars().count(), limit: MAX_PARAGRAPH_CHARS });
    }
    if out.len() + para.len() > MAX_TEXT_BYTES {
        return Err(ImportError::TextTooLong { bytes: out.len() + para.len(), limit: MAX_TEXT_BYTES });
    }
    Ok(())
}

/// The paragraphs of document.xml as lines.
fn paragraphs(xml: &str, mut numbering: Numbering) -> Result<String, ImportError> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut para = String::new();
    let (mut in_text, mut in_run, mut in_ppr) = (false, false, false);
    let (mut num_id, mut ilvl): (Option<String>, usize) = (None, 0);
    loop {
        let event = reader.read_event().map_err(|e| ImportError::BadXml(e.to_string()))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => match local(&e).as_str() {
                "p" => {
                    para.clear();
                    num_id = None;
                    ilvl = 0;
                }
                "t" => in_text = true,
                "r" => in_run = true,
                "pPr" => in_ppr = true,
                _ => {}
            },
            Event::Empty(e) => match local(&e).as_str() {
                "tab" if in_run => para.push(' '),
                "br" | "cr" if in_run => para.push('\n'),
                "noBreakHyphen" if in_run => para.push('-'),
                "numId" if in_ppr => num_id = attr(&e, "w:val").filter(|v| v != "0"),
                "ilvl" if in_ppr => ilvl = attr(&e, "w:val").and_then(|v| v.parse().ok()).unwrap_or(0),
                "p" => out.push('\n'),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "r" => in_run = false,
                "pPr" => in_ppr = false,
                "p" => {
                    let label = num_id.as_deref().and_then(|id| numbering.label(id, ilvl));
                    if let Some(label) = label.filter(|l| !l.is_empty()) {
                        out.push_str(&label);
                        out.push(' ');
                    }
                    out.push_str(&para);
                    out.push('\n');
                    para.clear();
                }
                _ => {}
            },
            Event::Text(t) if in_text => {
                para.push_str(&t.xml10_content());
                bounded(&para, &out)?;
            }
            Event::CData(t) if in_text => {
                para.push_str(&t);
                bounded(&para, &out)?;
            }
            Event::GeneralRef(r) if in_text => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    para.push(c);
                } else if let Some(c) = entity(&r) {
                    para.push(c);
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NUMBERING: &str = r#"<w:numbering xmlns:w="x">
      <w:abstractNum w:abstractNumId="0">
        <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperRoman"/><w:lvlText w:val="%1."/></w:lvl>
        <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2."/></w:lvl>
        <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%2.%3."/></w:lvl>
      </w:abstractNum>
      <w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/><w:lvlText w:val=""/></w:lvl></w:abstractNum>
      <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
      <w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>
    </w:numbering>"#;

    fn p(num: Option<(&str, usize)>, text: &str) -> String {
        let ppr = num.map_or(String::new(), |(id, l)| format!(r#"<w:pPr><w:numPr><w:ilvl w:val="{l}"/><w:numId w:val="{id}"/></w:numPr><w:tabs><w:tab w:val="left"/></w:tabs></w:pPr>"#));
        format!(r#"<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>"#)
    }

    #[test]
    fn paragraphs_numbering_tables_and_entities() {
        let body = [
            p(Some(("1", 0)), "MỤC ĐÍCH"),
            p(Some(("1", 1)), "Mục đích"),
            p(Some(("1", 2)), "Tổ chức"),
            p(Some(("1", 2)), "Tổ chức tiếp"),
            p(Some(("1", 0)), "NỘI DUNG"),
            p(Some(("2", 0)), "A &amp; B &#7871;"),
            r#"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Cây</w:t><w:tab/><w:t>xanh</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#.to_string(),
            r#"<w:p><w:r><w:delText>xoá</w:delText><w:t>giữ</w:t></w:r></w:p>"#.to_string(),
        ]
        .concat();
        let xml = format!(r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>{body}</w:body></w:document>"#);
        let text = paragraphs(&xml, Numbering::parse(NUMBERING)).unwrap();
        assert_eq!(
            text,
            "I. MỤC ĐÍCH\n1. Mục đích\n1.1. Tổ chức\n1.2. Tổ chức tiếp\nII. NỘI DUNG\n- A & B ế\n1\nCây xanh\ngiữ\n"
        );
    }

    #[test]
    fn not_a_zip_is_refused() {
        assert!(matches!(text(b"PK\x03\x04 nope"), Err(ImportError::NotZip(_))));
        assert!(matches!(text(b""), Err(ImportError::NotZip(_))));
    }
}
