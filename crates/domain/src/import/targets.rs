//! Sections I–III: purpose (aims, requirements), activity areas (1, 2.1, groups,
//! bullets) and the targets section (target groups, numbered targets, tables
//! flattened to lines) — each target's sentence goes to `indicators`.

use super::draft::{AreaDraft, Found, GroupDraft, IndicatorDraft, TargetDraft};
use super::indicators;
use super::numbers;
use super::structure::{cell_text, Block, Document, Section};
use super::text::fold;
use super::text::{capitalise, sentences, slug, strip_bullet, trim_clause};
use super::Confidence;
use crate::plan::IndicatorKind;

/// I. MỤC ĐÍCH, YÊU CẦU: paragraphs under "1. Mục đích" and "2. Yêu cầu".
pub(crate) fn purpose(section: &Section) -> (Vec<String>, Vec<String>) {
    let (mut aims, mut requirements) = (Vec::new(), Vec::new());
    let mut into_requirements = false;
    for b in &section.blocks {
        let key = fold(&b.text);
        if b.number.is_some() && key.chars().count() < 40 {
            if key.starts_with("yeu cau") {
                into_requirements = true;
                continue;
            }
            if key.starts_with("muc dich") {
                into_requirements = false;
                continue;
            }
        }
        if into_requirements { &mut requirements } else { &mut aims }.push(b.text.clone());
    }
    (aims, requirements)
}

/// A sub-heading in italics inside an area ("Thanh niên tình nguyện tham gia ...:").
fn is_area_group(b: &Block, next: Option<&Block>) -> bool {
    if b.number.is_some() || b.bullet {
        return false;
    }
    let short = b.text.chars().count() < 150;
    let open = b.text.ends_with(':') || !b.text.ends_with(['.', ';', '!', '?', '…']);
    short && (b.emphasis || (open && next.is_some_and(|n| n.bullet)))
}

/// II. NỘI DUNG HOẠT ĐỘNG: the numbered tree of activity areas.
pub(crate) fn areas(section: &Section) -> Vec<AreaDraft> {
    let mut areas: Vec<AreaDraft> = Vec::new();
    for (i, b) in section.blocks.iter().enumerate() {
        if let Some(number) = &b.number {
            let title = Found::new(b.text.clone(), &b.text, b.line, Confidence::High);
            areas.push(AreaDraft { number: number.clone(), title, items: Vec::new(), groups: Vec::new() });
            continue;
        }
        let Some(area) = areas.last_mut() else {
            continue;
        };
        if is_area_group(b, section.blocks.get(i + 1)) {
            area.groups.push((b.text.clone(), Vec::new()));
        } else if let Some((_, items)) = area.groups.last_mut() {
            items.push(b.text.clone());
        } else {
            area.items.push(b.text.clone());
        }
    }
    areas
}

fn is_target_group(b: &Block) -> bool {
    is_group_text(&b.text)
}

/// "Nhóm chỉ tiêu về công tác tuyên truyền, giáo dục" → "tuyen-truyen".
pub(crate) fn group_key(title: &str) -> String {
    let key = fold(title);
    let mut rest = key.as_str();
    for prefix in ["nhom chi tieu", "chi tieu", " ve", " cong tac", " hoat dong", " linh vuc"] {
        rest = rest.strip_prefix(prefix).unwrap_or(rest);
    }
    let rest = rest.split([',', ':', ';']).next().unwrap_or("");
    let words: Vec<&str> = rest.split_whitespace().take(3).collect();
    let key = slug(&words.join(" "));
    if key.is_empty() {
        "chi-tieu".to_string()
    } else {
        key
    }
}

fn is_table_header(b: &Block) -> bool {
    matches!(
        fold(&b.text).as_str(),
        "stt" | "tt" | "chi tieu" | "noi dung" | "noi dung chi tieu" | "so luong" | "ghi chu" | "don vi tinh" | "dvt"
    )
}

/// What a column of a targets table holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Number,
    Text,
    Goal,
    Unit,
    Other,
}

/// The columns of a targets table, read from its header row.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Columns {
    number: Option<usize>,
    text: Option<usize>,
    goal: Option<usize>,
    unit: Option<usize>,
}

fn cell_key(cell: &str) -> String {
    let key = fold(&cell_text(cell));
    key.trim_matches(|c: char| !c.is_alphanumeric()).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn column_of(key: &str) -> Option<Column> {
    let starts = |p: &[&str]| p.iter().any(|p| key == *p || key.starts_with(&format!("{p} ")));
    if starts(&["stt", "tt", "so tt", "so thu tu"]) {
        Some(Column::Number)
    } else if starts(&["don vi tinh", "dvt", "dv tinh"]) {
        Some(Column::Unit)
    } else if starts(&[
        "so luong",
        "chi tieu giao",
        "chi tieu phan dau",
        "chi tieu dat",
        "muc tieu",
        "muc phan dau",
        "ke hoach",
        "ty le",
        "ti le",
        "so lieu",
        "gia tri",
    ]) {
        Some(Column::Goal)
    } else if starts(&["noi dung", "ten chi tieu", "chi tieu", "cac chi tieu", "nhiem vu"]) {
        Some(Column::Text)
    } else if starts(&["ghi chu", "don vi", "thoi gian", "phan cong", "chu tri", "phoi hop", "ket qua"]) {
        Some(Column::Other)
    } else {
        None
    }
}

/// The header row of a targets table ("STT | Chỉ tiêu | Số lượng | Ghi chú"), in
/// any case and with or without diacritics.
pub(crate) fn header_columns(cells: &[String]) -> Option<Columns> {
    let roles: Vec<Option<Column>> = cells.iter().map(|c| column_of(&cell_key(c))).collect();
    let known = roles.iter().filter(|r| r.is_some()).count();
    if known < 2 || roles.iter().filter(|r| r.is_none()).count() > known {
        return None;
    }
    let mut cols = Columns::default();
    let texts: Vec<usize> = (0..roles.len()).filter(|i| roles[*i] == Some(Column::Text)).collect();
    for (i, role) in roles.iter().enumerate() {
        match role {
            Some(Column::Number) if cols.number.is_none() => cols.number = Some(i),
            Some(Column::Goal) if cols.goal.is_none() => cols.goal = Some(i),
            Some(Column::Unit) if cols.unit.is_none() => cols.unit = Some(i),
            _ => {}
        }
    }
    // "Nội dung | Chỉ tiêu": the wording, then the figure.
    match texts.as_slice() {
        [] => return None,
        [only] => cols.text = Some(*only),
        [first, second, ..] => {
            cols.text = Some(*first);
            if cols.goal.is_none() && cell_key(&cells[*second]).starts_with("chi tieu") {
                cols.goal = Some(*second);
            }
        }
    }
    Some(cols)
}

/// "(1) | (2) | (3)": the row that numbers a table's columns.
fn is_column_numbers(cells: &[String]) -> bool {
    let filled: Vec<String> = cells.iter().map(|c| cell_key(c)).filter(|c| !c.is_empty()).collect();
    filled.len() >= 2 && filled.iter().enumerate().all(|(i, c)| c.parse::<usize>().ok() == Some(i + 1))
}

/// Columns guessed for a table without a header: the number first, the longest
/// wording, and a cell that is only a figure.
fn guessed_columns(cells: &[String]) -> Columns {
    let texts: Vec<String> = cells.iter().map(|c| cell_text(c)).collect();
    let number = texts.first().filter(|t| row_number(t).is_some() || is_group_mark(t)).map(|_| 0);
    let letters = |t: &str| t.chars().filter(|c| c.is_alphabetic()).count();
    let text = (0..texts.len()).filter(|i| Some(*i) != number).max_by_key(|i| letters(&texts[*i]));
    let goal = (0..texts.len())
        .filter(|i| Some(*i) != number && Some(*i) != text)
        .find(|i| indicators::quantity(&texts[*i]).is_some());
    Columns { number, text, goal, unit: None }
}

/// "1", "01", "1.", "2)": a target's number in the STT column.
fn row_number(cell: &str) -> Option<u32> {
    let core = cell.trim().trim_end_matches(['.', ')']).trim();
    (!core.is_empty() && core.len() <= 3 && core.bytes().all(|b| b.is_ascii_digit())).then(|| core.parse().ok())?
}

/// "I", "II", "A", "B": a group of targets in the STT column.
fn is_group_mark(cell: &str) -> bool {
    let core = cell.trim().trim_end_matches(['.', ')', '/']).trim();
    let roman = !core.is_empty() && core.chars().all(|c| matches!(c, 'I' | 'V' | 'X')) && core.len() <= 5;
    let letter = core.len() == 1 && core.chars().all(|c| c.is_ascii_uppercase());
    roman || letter
}

/// A table pasted as text one cell per line ("STT", "Chỉ tiêu", "Số lượng", "Đơn vị
/// tính", then "1", "Trồng cây xanh", "20", "cây", …) put back into rows, so a goal
/// of one or two digits is not taken for the next row's number. Empty cells leave
/// no line, so each row is read by what its cells look like: the number, the
/// wording, a figure, a short unit, then anything (a note) until the next number.
/// Needs a header of three or more cells with a goal column; otherwise the blocks
/// are kept as they are.
fn regroup_flattened_table(blocks: &[Block]) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let header_len = blocks[i..]
            .iter()
            .take_while(|b| b.cells.is_none() && b.number.is_none() && column_of(&cell_key(&b.text)).is_some())
            .count();
        let header: Vec<String> = blocks[i..i + header_len].iter().map(|b| b.text.clone()).collect();
        let columns = (header_len >= 3).then(|| header_columns(&header)).flatten().filter(|c| c.goal.is_some());
        let Some(columns) = columns else {
            out.push(blocks[i].clone());
            i += 1;
            continue;
        };
        let has_unit = columns.unit.is_some();
        out.push(Block {
            cells: Some(vec!["STT".into(), "Chỉ tiêu".into(), "Số lượng".into(), "Đơn vị tính".into()]),
            ..blocks[i].clone()
        });
        i += header_len;
        let mut expected = 1u32;
        while let Some(b) = blocks.get(i) {
            // A row starts with its number alone on a line.
            let starts_row = b.cells.is_none()
                && b.text.is_empty()
                && b.number.as_deref().and_then(|n| n.parse::<u32>().ok()).is_some_and(|n| n == expected || n == 1);
            if !starts_row {
                if is_group_text(&b.text) {
                    out.push(b.clone());
                    i += 1;
                    continue;
                }
                // "I" / "Nhóm chỉ tiêu …": a group row.
                let title = blocks.get(i + 1).filter(|t| t.number.is_none() && t.cells.is_none());
                if let (true, Some(title)) = (b.number.is_none() && is_group_mark(&b.text), title) {
                    let cells = vec![b.text.clone(), title.text.clone(), String::new(), String::new()];
                    out.push(Block { cells: Some(cells), text: title.text.clone(), ..b.clone() });
                    i += 2;
                    continue;
                }
                break;
            }
            let number = b.number.clone().unwrap_or_default();
            expected = number.parse::<u32>().map_or(expected, |n| n + 1);
            let mut cells = vec![number, String::new(), String::new(), String::new()];
            let line = b.line;
            i += 1;
            let mut stage = 1;
            while let Some(c) = blocks.get(i) {
                let text = match &c.number {
                    Some(n) if c.text.is_empty() => n.clone(),
                    Some(n) => format!("{n}. {}", c.text),
                    None => c.text.clone(),
                };
                // The next row's number: after the figure, or before a wording (this
                // row's figure cell was empty).
                let wording_follows = blocks
                    .get(i + 1)
                    .is_some_and(|n| n.number.is_none() && n.cells.is_none() && n.text.split_whitespace().count() > 3);
                let next_row = c.text.is_empty()
                    && c.number.as_deref().and_then(|n| n.parse::<u32>().ok()) == Some(expected)
                    && (stage >= 3 || (stage == 2 && wording_follows));
                let group_row = c.number.is_none() && is_group_mark(&c.text);
                if next_row || group_row || is_group_text(&c.text) || c.cells.is_some() {
                    break;
                }
                match stage {
                    1 => {
                        cells[1] = text;
                        stage = 2;
                    }
                    2 if indicators::quantity(&text).is_some() => {
                        cells[2] = text;
                        stage = if has_unit { 3 } else { 4 };
                    }
                    2 => {
                        // The wording went on over two lines.
                        cells[1].push(' ');
                        cells[1].push_str(&text);
                    }
                    3 if text.split_whitespace().count() <= 3 && !text.chars().any(|c| c.is_ascii_digit()) => {
                        cells[3] = text;
                        stage = 4;
                    }
                    _ => stage = 4, // a note: not read
                }
                i += 1;
            }
            out.push(Block {
                line,
                number: None,
                bullet: false,
                emphasis: false,
                text: cells.join(" | "),
                cells: Some(cells),
            });
        }
    }
    out
}

/// One row of the targets section before its indicators are read.
struct Row {
    number: Found<u32>,
    group: String,
    /// The target's wording as the plan shows it.
    text: String,
    /// What the indicators are read from.
    reading: Reading,
}

enum Reading {
    /// The sentence (and the bullets under it).
    Sentence(String),
    /// A table row: the wording and the goal cell, with the unit of measure cell.
    Cells { text: String, goal: String, unit: Option<String> },
}

/// III. CHỈ TIÊU: target groups and targets, each with its indicators. Targets
/// are numbered paragraphs (with the bullets under them), a table (Markdown or
/// Word, read by its header row), or a table flattened to one cell per line.
pub(crate) fn read(section: &Section, problems: &mut Vec<String>) -> (Vec<GroupDraft>, Vec<TargetDraft>) {
    let mut groups: Vec<GroupDraft> = Vec::new();
    let mut rows: Vec<Row> = Vec::new();
    let regrouped = regroup_flattened_table(&section.blocks);
    let blocks = &regrouped;
    let plain_numbers =
        blocks.iter().any(|b| b.number.as_deref().is_some_and(|n| !n.contains('.')) && !is_target_group(b));
    let mut sequence = 0u32;
    let mut renumbered = false;
    let mut columns: Option<Columns> = None;
    let mut i = 0;
    let push_group = |groups: &mut Vec<GroupDraft>, title: &str, source: &str, line: usize| {
        let title = trim_clause(title).to_string();
        let mut key = group_key(&title);
        while groups.iter().any(|g| g.key == key) {
            key.push_str("-2");
        }
        groups.push(GroupDraft { key, title: Found::new(title, source, line, Confidence::High) });
    };
    let default_group = |groups: &mut Vec<GroupDraft>| {
        if groups.is_empty() {
            let title = trim_clause(&section.title).to_string();
            let found = Found::new(title.clone(), &section.title, section.line, Confidence::Low);
            groups.push(GroupDraft { key: group_key(&title), title: found });
        }
        groups.last().map(|g| g.key.clone()).unwrap_or_default()
    };
    while i < blocks.len() {
        let b = &blocks[i];
        i += 1;
        if let Some(cells) = &b.cells {
            if let Some(found) = header_columns(cells) {
                columns = Some(found);
                continue;
            }
            if is_column_numbers(cells) {
                continue;
            }
            let cols = columns.clone().unwrap_or_else(|| guessed_columns(cells));
            let cell = |k: Option<usize>| k.and_then(|k| cells.get(k)).map(|c| strip_bullet(&cell_text(c)).to_string());
            let number_cell = cell(cols.number).unwrap_or_default();
            let text = cell(cols.text).unwrap_or_default();
            let goal = cell(cols.goal).unwrap_or_default();
            let unit = cell(cols.unit).filter(|u| !u.is_empty());
            if text.is_empty() && goal.is_empty() {
                continue;
            }
            let group_row = goal.is_empty()
                && !text.is_empty()
                && (is_group_mark(&number_cell) || (number_cell.is_empty() && (b.emphasis || is_group_text(&text))));
            if group_row || is_group_text(&text) && goal.is_empty() {
                push_group(&mut groups, &text, &b.text, b.line);
                continue;
            }
            let (number, confidence) = match row_number(&number_cell) {
                Some(n) => (n, Confidence::High),
                None => {
                    renumbered = true;
                    (sequence + 1, Confidence::Medium)
                }
            };
            sequence = number;
            let group = default_group(&mut groups);
            let shown = match (&goal, &unit) {
                (g, _) if g.is_empty() => text.clone(),
                (g, Some(u)) if u != "%" => format!("{}: {g} {u}", trim_clause(&text)),
                (g, _) => format!("{}: {g}", trim_clause(&text)),
            };
            rows.push(Row {
                number: Found::new(number, &b.text, b.line, confidence),
                group,
                text: shown,
                reading: Reading::Cells { text, goal, unit },
            });
            continue;
        }
        if is_target_group(b) {
            push_group(&mut groups, &b.text, &b.text, b.line);
            continue;
        }
        if is_table_header(b) {
            continue;
        }
        // "- 85% đoàn viên …" under "1. Về công tác tuyên truyền:": part of target 1.
        let same_group = |rows: &[Row]| rows.last().is_some_and(|r| groups.last().is_none_or(|g| g.key == r.group));
        if b.bullet && plain_numbers && same_group(&rows) {
            if let Some(Row { text, reading: Reading::Sentence(sentence), .. }) = rows.last_mut() {
                let item = strip_bullet(&b.text);
                let joint = if text.ends_with(['.', ';', ':']) { " " } else { "; " };
                text.push_str(joint);
                text.push_str(item);
                let heading_only = numbers::find(sentence).is_empty();
                if heading_only {
                    *sentence = item.to_string();
                } else {
                    let joint = if sentence.ends_with(['.', ';']) { " " } else { "; " };
                    sentence.push_str(joint);
                    sentence.push_str(item);
                }
            }
            continue;
        }
        let (number, confidence) = match b.number.as_deref() {
            Some(n) if !n.contains('.') && plain_numbers => (n.parse::<u32>().ok(), Confidence::High),
            Some(_) => (None, Confidence::Medium),
            None if !plain_numbers && !b.text.is_empty() && b.text.chars().any(|c| c.is_ascii_digit()) => {
                (None, Confidence::Medium)
            }
            None => continue,
        };
        let number = number.unwrap_or_else(|| {
            renumbered = true;
            sequence + 1
        });
        sequence = number;
        let mut text = strip_bullet(&b.text).to_string();
        let mut source = match &b.number {
            Some(n) => format!("{n}. {}", b.text),
            None => b.text.clone(),
        };
        if text.is_empty() {
            // A table row flattened to lines: the number cell, then the other cells.
            while let Some(next) =
                blocks.get(i).filter(|n| n.number.is_none() && n.cells.is_none() && !is_target_group(n))
            {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(strip_bullet(&next.text));
                source.push_str(" | ");
                source.push_str(&next.text);
                i += 1;
            }
        }
        let group = default_group(&mut groups);
        rows.push(Row {
            number: Found::new(number, source.trim(), b.line, confidence),
            group,
            text: text.clone(),
            reading: Reading::Sentence(text),
        });
    }
    if renumbered {
        problems.push(
            "Chỉ tiêu không được đánh số 1., 2., ... nên đã đánh số theo thứ tự; cần kiểm tra / targets were not numbered 1., 2., ...; numbered in order, please check"
                .to_string(),
        );
    }
    let targets = rows
        .into_iter()
        .map(|row| {
            let Row { number, group, text, reading } = row;
            let mut indicators = match &reading {
                Reading::Sentence(sentence) => indicators::read(number.value, sentence, number.line, problems),
                Reading::Cells { text: wording, goal, unit } => indicators::from_cells(
                    number.value,
                    wording,
                    goal,
                    unit.as_deref(),
                    &number.source,
                    number.line,
                    problems,
                ),
            };
            if indicators.is_empty() {
                indicators.push(IndicatorDraft::missing(number.value, &text, &number.source, number.line));
            }
            TargetDraft { number, group, text, indicators }
        })
        .collect();
    (groups, targets)
}

/// The key of the group of targets suggested from running text.
pub(crate) const SUGGESTED_GROUP: &str = "goi-y-tu-van-ban";

/// Words that make a sentence with a figure a goal rather than a report of what
/// was done ("phấn đấu trồng 5.000 cây xanh", "dự kiến tổ chức 20 lớp").
const GOAL_CUES: [&str; 9] =
    ["phan dau", "chi tieu", "muc tieu", "du kien", "ke hoach", "it nhat", "toi thieu", "no luc", "dat ra"];

/// Targets written in running text, for a document with no targets section (a
/// news article, a letter): every sentence with a goal word and a figure whose
/// unit or people are recognised becomes a suggested target — low confidence,
/// in a group that says so, listed in `problems`, and refused by the plan file
/// until a reviewer confirms each goal.
pub(crate) fn suggestions(doc: &Document, problems: &mut Vec<String>) -> (Option<GroupDraft>, Vec<TargetDraft>) {
    const MOST: usize = 30;
    let mut targets: Vec<TargetDraft> = Vec::new();
    let mut first_line = 0;
    for (line, text) in doc.all_text() {
        for sentence in sentences(text) {
            if targets.len() >= MOST {
                break;
            }
            let key = fold(sentence);
            let cue = GOAL_CUES.iter().any(|c| super::text::find_folded(sentence, c).is_some() || key.starts_with(c));
            if !cue || numbers::find(sentence).is_empty() {
                continue;
            }
            let number = targets.len() as u32 + 1;
            let mut scratch = Vec::new();
            let mut inds: Vec<IndicatorDraft> = indicators::read(number, sentence, line, &mut scratch)
                .into_iter()
                .filter(|i| match i.kind.value {
                    IndicatorKind::Count | IndicatorKind::MinimumPerUnit => {
                        i.unit_label.as_ref().is_some_and(|u| u.confidence != Confidence::Low)
                    }
                    IndicatorKind::PercentOfBase => i.base.as_ref().is_some_and(|b| b.confidence != Confidence::Low),
                    IndicatorKind::ShareOfUnits => true,
                })
                .collect();
            if inds.is_empty() {
                continue;
            }
            let several = inds.len() > 1;
            for (k, ind) in inds.iter_mut().enumerate() {
                ind.key =
                    if several { format!("{number}{}", (b'a' + k.min(25) as u8) as char) } else { number.to_string() };
                ind.part_of = ind.part_of.take().filter(|_| several);
                ind.label = label_after_cue(&ind.label);
                ind.suggested = true;
                ind.goal.confidence = Confidence::Low;
                ind.kind.confidence = Confidence::Low;
                ind.comparison.confidence = Confidence::Low;
                if let Some(u) = ind.unit_label.as_mut() {
                    u.confidence = Confidence::Low;
                }
                if let Some(b) = ind.base.as_mut() {
                    b.confidence = Confidence::Low;
                }
                ind.note = Some(
                    "Gợi ý từ câu văn ngoài mục chỉ tiêu: người duyệt xác nhận số và cách tính. / Suggested from running text outside a targets section: a reviewer confirms the figure and how it is counted."
                        .to_string(),
                );
            }
            if first_line == 0 {
                first_line = line;
            }
            problems.push(format!(
                "Gợi ý chỉ tiêu {number} từ câu văn (không nằm trong mục CHỈ TIÊU), cần xem lại: \"{sentence}\" / target {number} suggested from running text (not in a targets section), please review: \"{sentence}\""
            ));
            targets.push(TargetDraft {
                number: Found::new(number, sentence, line, Confidence::Low),
                group: SUGGESTED_GROUP.to_string(),
                text: trim_clause(sentence).to_string(),
                indicators: inds,
            });
        }
    }
    if targets.is_empty() {
        return (None, targets);
    }
    problems.push(format!(
        "Văn bản không có mục CHỈ TIÊU: đã gợi ý {n} chỉ tiêu từ câu văn với độ tin cậy thấp; kế hoạch chỉ xác nhận được khi người duyệt xem lại từng chỉ tiêu / the document has no targets section: {n} targets were suggested from running text with a low confidence; the plan can be confirmed only once a reviewer has checked each",
        n = targets.len()
    ));
    let title = "Chỉ tiêu gợi ý từ nội dung văn bản (cần xem lại)".to_string();
    let group =
        GroupDraft { key: SUGGESTED_GROUP.to_string(), title: Found::new(title, "", first_line, Confidence::Low) };
    (Some(group), targets)
}

/// "Năm 2024, Tỉnh đoàn phấn đấu trồng cây xanh" → "Trồng cây xanh": a label
/// starts after the goal word.
fn label_after_cue(label: &str) -> String {
    for cue in ["phan dau", "du kien", "no luc", "dat ra muc tieu", "muc tieu"] {
        if let Some((_, end)) = super::text::find_folded(label, cue) {
            let rest = label[end..].trim_start_matches([' ', ':', ',']);
            if rest.chars().filter(|c| c.is_alphabetic()).count() >= 6 {
                return capitalise(rest);
            }
        }
    }
    label.to_string()
}

/// "Nhóm chỉ tiêu về …", "Chỉ tiêu về …" as a row or a paragraph of its own.
fn is_group_text(text: &str) -> bool {
    let key = fold(text);
    key.starts_with("nhom chi tieu") || (key.starts_with("chi tieu ve") && text.chars().count() < 120)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::structure::read as structure;
    use crate::import::text::lines;

    #[test]
    fn group_keys() {
        assert_eq!(group_key("Nhóm chỉ tiêu về công tác tuyên truyền, giáo dục"), "tuyen-truyen");
        assert_eq!(group_key("Nhóm chỉ tiêu về hoạt động phong trào"), "phong-trao");
        assert_eq!(group_key("Nhóm chỉ tiêu về công tác tổ chức, xây dựng Đoàn"), "to-chuc");
    }

    #[test]
    fn targets_from_a_flattened_table() {
        let text = "III. CHỈ TIÊU\nSTT\nChỉ tiêu\n1\nTrồng mới\n20.000 cây xanh\n2\nKết nạp 7.000 đoàn viên";
        let doc = structure(lines(text));
        let mut problems = Vec::new();
        let (groups, targets) = read(&doc.sections[0], &mut problems);
        assert_eq!(groups.len(), 1);
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].text, "Trồng mới 20.000 cây xanh");
        assert_eq!(targets[0].indicators[0].goal.value, 20000.0);
        assert_eq!(targets[1].indicators[0].goal.value, 7000.0);
        assert!(problems.is_empty(), "{problems:?}");
    }
}
