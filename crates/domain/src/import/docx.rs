//! The text of a .docx: word/document.xml read from the zip (size-limited),
//! each paragraph a line, each table row a line `| cell | cell |` (a cell's
//! paragraphs joined by "<br>"), Word's automatic numbering ("1.", "2.1.", "I.",
//! bullets) written out from word/numbering.xml — set on the paragraph itself or
//! by its style (word/styles.xml: "List Number", "List Bullet", a heading style).

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
/// Styles.xml likewise.
const MAX_STYLES_XML: u64 = 8 * 1024 * 1024;

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
    let styles = match read_part(&mut archive, "word/styles.xml", MAX_STYLES_XML) {
        Ok(Some(b)) => String::from_utf8(b).ok().map(|x| Styles::parse(&x)).unwrap_or_default(),
        _ => Styles::default(),
    };
    let document = read_part(&mut archive, "word/document.xml", MAX_DOCUMENT_XML)?.ok_or(ImportError::NoDocumentXml)?;
    let xml = String::from_utf8(document).map_err(|_| ImportError::BadXml("không phải UTF-8 / not UTF-8".into()))?;
    paragraphs(&xml, numbering, &styles)
}

/// A paragraph style's numbering (w:pPr/w:numPr) and the style it is based on.
#[derive(Debug, Clone, Default)]
struct Style {
    name: String,
    num_id: Option<String>,
    ilvl: Option<usize>,
    based_on: Option<String>,
}

#[derive(Debug, Clone, Default)]
struct Styles(HashMap<String, Style>);

impl Styles {
    fn parse(xml: &str) -> Styles {
        let mut styles = HashMap::new();
        let mut reader = Reader::from_str(xml);
        let mut current: Option<(String, Style)> = None;
        let mut in_ppr = false;
        loop {
            let event = match reader.read_event() {
                Ok(Event::Eof) | Err(_) => break,
                Ok(e) => e,
            };
            match event {
                Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                    "style" => {
                        let paragraph = attr(&e, "w:type").is_none_or(|t| t == "paragraph");
                        current = attr(&e, "w:styleId").filter(|_| paragraph).map(|id| (id, Style::default()));
                    }
                    "pPr" => in_ppr = true,
                    "name" => {
                        if let (Some((_, st)), Some(v)) = (current.as_mut(), attr(&e, "w:val")) {
                            st.name = v;
                        }
                    }
                    "basedOn" => {
                        if let Some((_, st)) = current.as_mut() {
                            st.based_on = attr(&e, "w:val");
                        }
                    }
                    "numId" if in_ppr => {
                        if let Some((_, st)) = current.as_mut() {
                            st.num_id = attr(&e, "w:val");
                        }
                    }
                    "ilvl" if in_ppr => {
                        if let Some((_, st)) = current.as_mut() {
                            st.ilvl = attr(&e, "w:val").and_then(|v| v.parse().ok());
                        }
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    "style" => {
                        if let Some((id, st)) = current.take() {
                            styles.insert(id, st);
                        }
                    }
                    "pPr" => in_ppr = false,
                    _ => {}
                },
                _ => {}
            }
        }
        Styles(styles)
    }

    /// The numbering of a style, following "based on" (at most 10 deep):
    /// (numId, ilvl); a numId of "0" turns numbering off.
    fn numbering(&self, style: &str) -> Option<(String, Option<usize>)> {
        let mut id = style;
        let mut ilvl = None;
        for _ in 0..10 {
            let st = self.0.get(id)?;
            ilvl = ilvl.or(st.ilvl);
            if let Some(num) = &st.num_id {
                return (num != "0").then(|| (num.clone(), ilvl));
            }
            id = st.based_on.as_deref()?;
        }
        None
    }

    /// "List Bullet 2", "List Number": a list style by its name, for a style with no
    /// numbering of its own (some editors rely on the name).
    fn list_kind(&self, style: &str) -> Option<ListKind> {
        let name = self.0.get(style).map_or(style, |s| s.name.as_str()).to_lowercase().replace(' ', "");
        if name.starts_with("listbullet") {
            Some(ListKind::Bullet)
        } else if name.starts_with("listnumber") {
            Some(ListKind::Number)
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Bullet,
    Number,
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

/// A table being read: the cells of its current row, the paragraphs of its current cell.
#[derive(Debug, Default)]
struct Table {
    row: Vec<String>,
    cell: Vec<String>,
}

/// A cell's text on one line of a row: no pipe (it separates cells), no line break.
fn cell_piece(text: &str) -> String {
    text.replace('|', "/").split('\n').map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join("<br>")
}

/// The paragraphs of document.xml as lines; table rows as `| a | b |` lines.
fn paragraphs(xml: &str, mut numbering: Numbering, styles: &Styles) -> Result<String, ImportError> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    let mut para = String::new();
    let (mut in_text, mut in_run, mut in_ppr) = (false, false, false);
    // The paragraph's own numbering: None = not set, Some(None) = turned off.
    let (mut num_id, mut ilvl): (Option<Option<String>>, Option<usize>) = (None, None);
    let mut style: Option<String> = None;
    let mut tables: Vec<Table> = Vec::new();
    // A "List Number" style without numbering counts its paragraphs in a row.
    let mut list_count = 0u32;
    loop {
        let event = reader.read_event().map_err(|e| ImportError::BadXml(e.to_string()))?;
        match event {
            Event::Eof => break,
            Event::Start(e) => match local(&e).as_str() {
                "p" => {
                    para.clear();
                    num_id = None;
                    ilvl = None;
                    style = None;
                }
                "t" => in_text = true,
                "r" => in_run = true,
                "pPr" => in_ppr = true,
                "tbl" => tables.push(Table::default()),
                "tc" => {
                    if let Some(t) = tables.last_mut() {
                        t.cell.clear();
                    }
                }
                "tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.row.clear();
                    }
                }
                _ => {}
            },
            Event::Empty(e) => match local(&e).as_str() {
                "tab" if in_run => para.push(' '),
                "br" | "cr" if in_run => para.push('\n'),
                "noBreakHyphen" if in_run => para.push('-'),
                "numId" if in_ppr => num_id = Some(attr(&e, "w:val").filter(|v| v != "0")),
                "ilvl" if in_ppr => ilvl = attr(&e, "w:val").and_then(|v| v.parse().ok()),
                "pStyle" if in_ppr => style = attr(&e, "w:val"),
                "p" if tables.is_empty() => out.push('\n'),
                "tc" => {
                    if let Some(t) = tables.last_mut() {
                        t.row.push(String::new());
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "r" => in_run = false,
                "pPr" => in_ppr = false,
                "p" => {
                    let set_on_paragraph = num_id.is_some();
                    let own = match num_id.take() {
                        Some(Some(id)) => Some((id, ilvl)),
                        Some(None) => None,
                        None => style.as_deref().and_then(|s| styles.numbering(s)).map(|(id, l)| (id, ilvl.or(l))),
                    };
                    let mut label = own.and_then(|(id, l)| numbering.label(&id, l.unwrap_or(0)));
                    if label.is_none() && !set_on_paragraph {
                        match style.as_deref().and_then(|s| styles.list_kind(s)) {
                            Some(ListKind::Bullet) => label = Some("-".into()),
                            Some(ListKind::Number) => {
                                list_count += 1;
                                label = Some(format!("{list_count}."));
                            }
                            None => list_count = 0,
                        }
                    }
                    let mut line = String::new();
                    if let Some(label) = label.filter(|l| !l.is_empty()) {
                        line.push_str(&label);
                        line.push(' ');
                    }
                    line.push_str(&para);
                    match tables.last_mut() {
                        Some(t) => t.cell.push(line),
                        None => {
                            out.push_str(&line);
                            out.push('\n');
                        }
                    }
                    para.clear();
                }
                "tc" => {
                    if let Some(t) = tables.last_mut() {
                        let text = t.cell.iter().map(|p| cell_piece(p)).filter(|p| !p.is_empty()).collect::<Vec<_>>();
                        t.row.push(text.join("<br>"));
                        t.cell.clear();
                    }
                }
                "tr" => {
                    let Some(t) = tables.last_mut() else { continue };
                    let row = std::mem::take(&mut t.row);
                    if tables.len() > 1 {
                        // A table inside a cell: its row is a paragraph of that cell.
                        let text = row.iter().filter(|c| !c.is_empty()).cloned().collect::<Vec<_>>().join(" ");
                        let outer_at = tables.len() - 2;
                        if let Some(outer) = tables.get_mut(outer_at) {
                            outer.cell.push(text);
                        }
                    } else if row.iter().any(|c| !c.is_empty()) {
                        out.push_str("| ");
                        out.push_str(&row.join(" | "));
                        out.push_str(" |\n");
                        bounded("", &out)?;
                    }
                }
                "tbl" => {
                    tables.pop();
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
        let text = paragraphs(&xml, Numbering::parse(NUMBERING), &Styles::default()).unwrap();
        assert_eq!(
            text,
            "I. MỤC ĐÍCH\n1. Mục đích\n1.1. Tổ chức\n1.2. Tổ chức tiếp\nII. NỘI DUNG\n- A & B ế\n| 1 | Cây xanh |\ngiữ\n"
        );
    }

    #[test]
    fn not_a_zip_is_refused() {
        assert!(matches!(text(b"PK\x03\x04 nope"), Err(ImportError::NotZip(_))));
        assert!(matches!(text(b""), Err(ImportError::NotZip(_))));
    }
}
