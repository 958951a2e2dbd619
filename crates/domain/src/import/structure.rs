//! The numbered structure of a plan: the head (before "I."), sections I–VI,
//! numbered items ("1.", "2.1."), bullets, plain paragraphs, and the tail
//! ("Nơi nhận", signature). Lines cut by a page break are joined back.

use super::text::fold;
use super::text::{first_chars, strip_bullet, upperish, Line};

/// What a line looks like.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Shape {
    /// "III. CHỈ TIÊU CƠ BẢN", "VI/ TỔ CHỨC THỰC HIỆN"
    Roman {
        value: u32,
        roman: String,
        title: String,
    },
    /// "2.1. Tổ chức ...", "13. Các huyện ...", or a number alone (a table cell).
    Numbered {
        number: String,
        rest: String,
    },
    /// "- ...", "• ...", "+ ...", "a) ..."
    Bullet {
        rest: String,
    },
    Plain,
}

/// Canonical Roman numerals from I to XXX ("IIII", "VV" are not numerals).
fn roman_value(s: &str) -> Option<u32> {
    (1..=30).find(|v| to_roman(*v) == s)
}

pub(crate) fn to_roman(mut v: u32) -> String {
    let mut out = String::new();
    for (sym, n) in [("X", 10), ("IX", 9), ("V", 5), ("IV", 4), ("I", 1)] {
        while v >= n {
            out.push_str(sym);
            v -= n;
        }
    }
    out
}

fn roman(text: &str) -> Option<Shape> {
    let letters = text.len() - text.trim_start_matches(['I', 'V', 'X']).len();
    let value = roman_value(&text[..letters])?;
    let rest = &text[letters..];
    let sep = rest.chars().next()?;
    if !matches!(sep, '.' | '/' | ')' | '-' | ':' | '–') {
        return None;
    }
    let title = rest[sep.len_utf8()..].trim();
    let first = title.chars().next()?;
    first.is_uppercase().then(|| Shape::Roman { value, roman: text[..letters].to_string(), title: title.to_string() })
}

fn numbered(text: &str) -> Option<Shape> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    let mut groups = 0;
    loop {
        let start = k;
        while k < chars.len() && chars[k].1.is_ascii_digit() {
            k += 1;
        }
        if k == start || k - start > 2 {
            return None;
        }
        groups += 1;
        let dot_digit =
            chars.get(k).is_some_and(|c| c.1 == '.') && chars.get(k + 1).is_some_and(|c| c.1.is_ascii_digit());
        if !dot_digit {
            break;
        }
        k += 1;
    }
    let number_end = chars.get(k).map_or(text.len(), |c| c.0);
    let number = text[..number_end].to_string();
    let terminated = chars.get(k).is_some_and(|c| matches!(c.1, '.' | ')' | '/'));
    if terminated {
        k += 1;
    }
    let rest_start = chars.get(k).map_or(text.len(), |c| c.0);
    let rest = &text[rest_start..];
    if rest.is_empty() {
        return Some(Shape::Numbered { number, rest: String::new() });
    }
    if !rest.starts_with(' ') {
        return None;
    }
    let rest = rest.trim();
    let first = rest.chars().next()?;
    if !terminated && groups == 1 && !(first.is_uppercase() || first.is_ascii_digit()) {
        return None;
    }
    Some(Shape::Numbered { number, rest: rest.to_string() })
}

fn bullet(text: &str) -> Option<Shape> {
    let mut chars = text.chars();
    let c = chars.next()?;
    let rest = chars.as_str();
    let is_mark = matches!(
        c,
        '-' | '–'
            | '—'
            | '•'
            | '+'
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
    if is_mark {
        // "-5 độ", "+84": a sign; "- 90% đoàn viên": a bullet.
        if matches!(c, '-' | '+') && rest.starts_with(|n: char| n.is_ascii_digit()) {
            return None;
        }
        let rest = rest.trim_start();
        rest.chars().next()?;
        return Some(Shape::Bullet { rest: rest.to_string() });
    }
    // "a) ...", "b/ ..."
    let second = chars.next()?;
    if c.is_ascii_lowercase() && matches!(second, ')' | '/') && chars.as_str().starts_with(' ') {
        return Some(Shape::Bullet { rest: chars.as_str().trim().to_string() });
    }
    None
}

pub(crate) fn shape(text: &str) -> Shape {
    roman(text).or_else(|| numbered(text)).or_else(|| bullet(text)).unwrap_or(Shape::Plain)
}

/// A paragraph of a section.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Block {
    pub line: usize,
    /// "2.1" for numbered items.
    pub number: Option<String>,
    pub bullet: bool,
    pub emphasis: bool,
    /// The text without its number or bullet mark.
    pub text: String,
    /// The cells of a table row ("| 1 | Trồng cây | 20.000 |"), when the line is one.
    pub cells: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Section {
    /// 0 for a heading written without a numeral.
    pub value: u32,
    pub roman: String,
    pub title: String,
    pub line: usize,
    pub blocks: Vec<Block>,
}

/// Which section of a plan a heading opens, by its words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Purpose,
    Content,
    Targets,
    Events,
    Time,
    Organisation,
    Other,
}

impl Section {
    pub fn part(&self) -> Part {
        part_of_title(&self.title)
    }

    /// "V.1" for an item numbered "1" in section V.
    pub fn source(&self, number: Option<&str>) -> String {
        match number {
            Some(n) => format!("{}.{n}", self.roman),
            None => self.roman.clone(),
        }
    }
}

fn part_of_title(title: &str) -> Part {
    let key = fold(title);
    if key.contains("chi tieu") {
        Part::Targets
    } else if key.contains("muc dich") || key.contains("yeu cau") {
        Part::Purpose
    } else if key.contains("noi dung") || key.contains("nhiem vu") {
        Part::Content
    } else if key.contains("to chuc thuc hien") || key.contains("phan cong") {
        Part::Organisation
    } else if key.contains("thoi gian") || key.contains("tien do") || key.contains("lich trinh") {
        Part::Time
    } else if key.contains("hoat dong") {
        Part::Events
    } else {
        Part::Other
    }
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Document {
    /// Lines before the first section: header, title, "Căn cứ".
    pub head: Vec<Line>,
    pub sections: Vec<Section>,
    /// "Nơi nhận" and the signature block.
    pub tail: Vec<Line>,
}

impl Document {
    pub fn section(&self, part: Part) -> Option<&Section> {
        self.sections.iter().find(|s| s.part() == part)
    }

    /// Every line the reader kept, in order (for searches over the whole text).
    pub fn all_text(&self) -> impl Iterator<Item = (usize, &str)> {
        let head = self.head.iter().map(|l| (l.no, l.text.as_str()));
        let body = self.sections.iter().flat_map(|s| {
            std::iter::once((s.line, s.title.as_str())).chain(s.blocks.iter().map(|b| (b.line, b.text.as_str())))
        });
        head.chain(body).chain(self.tail.iter().map(|l| (l.no, l.text.as_str())))
    }
}

/// A signature line: "TM. BAN THƯỜNG VỤ", "KT. BÍ THƯ", "T/M ...".
pub(crate) fn is_signature_start(text: &str) -> bool {
    if !text.starts_with(['T', 'K', 'Q']) {
        return false;
    }
    let key = fold(first_chars(text, 8));
    ["tm. ", "t/m ", "t/m. ", "kt. ", "tl. ", "q. ", "tuq. "].iter().any(|p| key.starts_with(p)) && upperish(text)
}

fn is_tail_start(text: &str) -> bool {
    (text.starts_with(['N', 'n']) && fold(first_chars(text, 10)).starts_with("noi nhan")) || is_signature_start(text)
}

/// A heading written without a numeral: "CHỈ TIÊU CƠ BẢN", "THỜI GIAN".
fn bare_heading(line: &Line) -> Option<Shape> {
    let words = line.text.split(' ').count();
    let known = part_of_title(&line.text) != Part::Other;
    (upperish(&line.text) && known && (2..=12).contains(&words) && !is_signature_start(&line.text))
        .then(|| Shape::Roman { value: 0, roman: String::new(), title: line.text.clone() })
}

fn ends_sentence(text: &str) -> bool {
    text.ends_with(['.', ':', ';', '!', '?', '…'])
}

/// Where the lines come from: a text file (lines may be hard-wrapped) or Word
/// paragraphs (each paragraph is a line of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    Text,
    Paragraphs,
}

/// The cells of a table row written `| a | b | c |` (Markdown, or a Word table
/// row as `docx` writes it); `None` for any other line.
pub(crate) fn row_cells(text: &str) -> Option<Vec<String>> {
    let inner = text.strip_prefix('|')?;
    if !inner.contains('|') && !inner.trim().is_empty() {
        // "| a" alone is not a row.
        return None;
    }
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    Some(inner.split('|').map(|c| c.trim().to_string()).collect())
}

/// "|---|:---:|": the line under a Markdown table's header.
pub(crate) fn is_separator_row(cells: &[String]) -> bool {
    cells.iter().any(|c| c.contains('-'))
        && cells.iter().all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ' | '–' | '—')))
}

/// The lines of a cell: paragraphs of a Word cell are joined with "<br>".
pub(crate) fn cell_lines(cell: &str) -> impl Iterator<Item = &str> {
    cell.split("<br>").map(str::trim).filter(|s| !s.is_empty())
}

/// A cell's text on one line, without list marks: its paragraphs joined by "; "
/// unless they end a sentence.
pub(crate) fn cell_text(cell: &str) -> String {
    let mut out = String::new();
    for line in cell_lines(cell).map(strip_bullet).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str(if out.ends_with(['.', ';', ':', ',']) { " " } else { "; " });
        }
        out.push_str(line);
    }
    out
}

/// Whether `next` continues the paragraph `prev` (a page break or a hard wrap).
/// Across a blank line, or between two Word paragraphs, only a line that starts
/// in lower case continues (a sentence cut by a page break); a hard-wrapped text
/// line continues a paragraph that has not ended.
fn continues(prev: &Block, next: &Line, separate: bool) -> bool {
    if prev.cells.is_some() {
        return false;
    }
    if separate {
        if ends_sentence(&prev.text) || prev.text.is_empty() || next.emphasis || upperish(&prev.text) {
            return false;
        }
        // "… thành lập Đoàn TNCS" / "Hồ Chí Minh.": the short end of a long sentence.
        let tail_of_sentence = prev.text.chars().count() >= 80
            && prev.text.ends_with(char::is_alphanumeric)
            && next.text.ends_with('.')
            && next.text.chars().count() < 60;
        return tail_of_sentence || next.text.chars().next().is_some_and(char::is_lowercase);
    }
    if ends_sentence(&prev.text)
        || prev.text.is_empty()
        || next.emphasis
        || upperish(&next.text)
        || upperish(&prev.text)
    {
        return false;
    }
    let lower = next.text.chars().next().is_some_and(char::is_lowercase);
    if lower {
        return true;
    }
    let key = fold(&next.text);
    let opens = ["nhom ", "can cu", "noi nhan", "giao "].iter().any(|p| key.starts_with(p));
    prev.number.is_none() && !prev.emphasis && !opens
}

#[cfg(test)]
pub(crate) fn read(lines: Vec<Line>) -> Document {
    read_from(lines, Origin::Text)
}

/// A header cell of a targets table on a line of its own ("STT", "Số lượng").
fn is_header_cell(text: &str) -> bool {
    matches!(
        fold(text).trim_end_matches([':', '.']),
        "stt"
            | "tt"
            | "noi dung"
            | "noi dung chi tieu"
            | "so luong"
            | "chi tieu giao"
            | "ghi chu"
            | "don vi tinh"
            | "dvt"
    )
}

/// Whether table rows stay rows here: in the targets section (the table reader
/// reads them); elsewhere a table is a layout (the header block, the signature)
/// and its cells are read as lines.
fn keeps_rows(doc: &Document) -> bool {
    doc.sections.last().is_some_and(|s| s.part() == Part::Targets)
}

pub(crate) fn read_from(lines: Vec<Line>, origin: Origin) -> Document {
    let mut doc = Document::default();
    let mut in_tail = false;
    let mut seen_basis = false;
    let mut queue: std::collections::VecDeque<Line> = lines.into();
    let mut previous_no = 0usize;
    // Lines still to come that were the cells of a row: each is a paragraph.
    let mut cells_pending = 0usize;
    // A table pasted one cell per line (its header seen in the targets section):
    // every line is a cell, none continues another.
    let mut one_cell_per_line = false;
    while let Some(line) = queue.pop_front() {
        if keeps_rows(&doc) && is_header_cell(&line.text) {
            one_cell_per_line = true;
        }
        let separate =
            origin == Origin::Paragraphs || line.no > previous_no + 1 || cells_pending > 0 || one_cell_per_line;
        cells_pending = cells_pending.saturating_sub(1);
        previous_no = line.no;
        if let Some(cells) = row_cells(&line.text) {
            if is_separator_row(&cells) || cells.iter().all(|c| cell_text(c).is_empty()) {
                continue;
            }
            if in_tail || !keeps_rows(&doc) {
                // Cells become lines, in order, with the row's line number.
                let expanded: Vec<Line> = cells
                    .iter()
                    .flat_map(|c| cell_lines(c).map(str::to_string).collect::<Vec<_>>())
                    .map(|text| Line { no: line.no, text, emphasis: line.emphasis })
                    .collect();
                cells_pending = expanded.len();
                for l in expanded.into_iter().rev() {
                    queue.push_front(l);
                }
                continue;
            }
            let text = cells.iter().map(|c| cell_text(c)).collect::<Vec<_>>().join(" | ");
            if let Some(section) = doc.sections.last_mut() {
                section.blocks.push(Block {
                    line: line.no,
                    number: None,
                    bullet: false,
                    emphasis: line.emphasis,
                    text,
                    cells: Some(cells),
                });
            }
            continue;
        }
        if in_tail {
            doc.tail.push(line);
            continue;
        }
        let shape = shape(&line.text);
        let shape = match shape {
            Shape::Plain if seen_basis || !doc.sections.is_empty() => bare_heading(&line).unwrap_or(Shape::Plain),
            s => s,
        };
        if let Shape::Roman { value, roman, title } = shape {
            one_cell_per_line = false;
            doc.sections.push(Section { value, roman, title, line: line.no, blocks: Vec::new() });
            continue;
        }
        let started = !doc.sections.is_empty() || seen_basis;
        if started && is_tail_start(&line.text) {
            in_tail = true;
            doc.tail.push(line);
            continue;
        }
        let Some(section) = doc.sections.last_mut() else {
            seen_basis |= fold(&line.text).starts_with("can cu");
            doc.head.push(line);
            continue;
        };
        if matches!(shape, Shape::Plain) && !one_cell_per_line {
            if let Some(prev) = section.blocks.last_mut() {
                if continues(prev, &line, separate) {
                    prev.text.push(' ');
                    prev.text.push_str(&line.text);
                    continue;
                }
            }
        }
        let (number, bullet, text) = match shape {
            Shape::Numbered { number, rest } => (Some(number), false, strip_bullet(&rest).to_string()),
            Shape::Bullet { rest } => (None, true, strip_bullet(&rest).to_string()),
            _ => (None, false, line.text),
        };
        section.blocks.push(Block { line: line.no, number, bullet, emphasis: line.emphasis, text, cells: None });
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::text::lines;

    #[test]
    fn shapes_of_lines() {
        assert_eq!(
            shape("VI/ TỔ CHỨC THỰC HIỆN"),
            Shape::Roman { value: 6, roman: "VI".into(), title: "TỔ CHỨC THỰC HIỆN".into() }
        );
        assert_eq!(shape("III. CHỈ TIÊU"), Shape::Roman { value: 3, roman: "III".into(), title: "CHỈ TIÊU".into() });
        assert_eq!(shape("V/v tổ chức"), Shape::Plain);
        assert_eq!(shape("2.1. Tổ chức"), Shape::Numbered { number: "2.1".into(), rest: "Tổ chức".into() });
        assert_eq!(shape("2.1 Tổ chức"), Shape::Numbered { number: "2.1".into(), rest: "Tổ chức".into() });
        assert_eq!(shape("13. Các huyện"), Shape::Numbered { number: "13".into(), rest: "Các huyện".into() });
        assert_eq!(shape("1"), Shape::Numbered { number: "1".into(), rest: String::new() });
        assert_eq!(shape("20.000 cây xanh"), Shape::Plain);
        assert_eq!(shape("5 sàn giao dịch"), Shape::Plain);
        assert_eq!(shape("- Ban Bí thư;"), Shape::Bullet { rest: "Ban Bí thư;".into() });
        assert_eq!(shape("a) Cấp tỉnh"), Shape::Bullet { rest: "Cấp tỉnh".into() });
        assert_eq!(shape("-5 độ"), Shape::Plain);
    }

    #[test]
    fn sections_blocks_page_breaks_and_tail() {
        let text = "KẾ HOẠCH\nTháng Thanh niên\n\nI. MỤC ĐÍCH\n\n- Tập trung tuyên truyền, Chương trình hành\n\nđộng của Đoàn.\n\
                    3.2. Hoạt động hội nhập\nTổ chức giao lưu.\n- Tổ chức Ngày hội Đoàn TNCS\nHồ Chí Minh.\nNơi nhận:\n- Lưu VP.\nTM. BAN THƯỜNG VỤ\nBÍ THƯ";
        let doc = read(lines(text));
        assert_eq!(doc.head.len(), 2);
        assert_eq!(doc.sections.len(), 1);
        let texts: Vec<&str> = doc.sections[0].blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Tập trung tuyên truyền, Chương trình hành động của Đoàn.",
                "Hoạt động hội nhập",
                "Tổ chức giao lưu.",
                "Tổ chức Ngày hội Đoàn TNCS Hồ Chí Minh."
            ]
        );
        assert_eq!(doc.tail.len(), 4);
    }
}
