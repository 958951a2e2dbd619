//! Sections I–III: purpose (aims, requirements), activity areas (1, 2.1, groups,
//! bullets) and the targets section (target groups, numbered targets, tables
//! flattened to lines) — each target's sentence goes to `indicators`.

use super::draft::{AreaDraft, Found, GroupDraft, TargetDraft};
use super::indicators;
use super::structure::{Block, Section};
use super::text::fold;
use super::text::{slug, trim_clause};
use super::Confidence;

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
    let key = fold(&b.text);
    key.starts_with("nhom chi tieu") || (key.starts_with("chi tieu ve") && b.text.chars().count() < 120)
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

/// III. CHỈ TIÊU: target groups and targets, each with its indicators.
pub(crate) fn read(section: &Section, problems: &mut Vec<String>) -> (Vec<GroupDraft>, Vec<TargetDraft>) {
    let mut groups: Vec<GroupDraft> = Vec::new();
    let mut rows: Vec<(Found<u32>, String, String)> = Vec::new();
    let blocks = &section.blocks;
    let plain_numbers =
        blocks.iter().any(|b| b.number.as_deref().is_some_and(|n| !n.contains('.')) && !is_target_group(b));
    let mut sequence = 0u32;
    let mut renumbered = false;
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        i += 1;
        if is_target_group(b) {
            let title = trim_clause(&b.text).to_string();
            let mut key = group_key(&title);
            while groups.iter().any(|g| g.key == key) {
                key.push_str("-2");
            }
            groups.push(GroupDraft { key, title: Found::new(title, &b.text, b.line, Confidence::High) });
            continue;
        }
        if is_table_header(b) {
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
        let mut text = b.text.clone();
        let mut source = match &b.number {
            Some(n) => format!("{n}. {}", b.text),
            None => b.text.clone(),
        };
        if text.is_empty() {
            // A table row flattened to lines: the number cell, then the other cells.
            while let Some(next) = blocks.get(i).filter(|n| n.number.is_none() && !is_target_group(n)) {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&next.text);
                source.push_str(" | ");
                source.push_str(&next.text);
                i += 1;
            }
        }
        if groups.is_empty() {
            let title = trim_clause(&section.title).to_string();
            let found = Found::new(title.clone(), &section.title, section.line, Confidence::Low);
            groups.push(GroupDraft { key: group_key(&title), title: found });
        }
        let group = groups.last().map(|g| g.key.clone()).unwrap_or_default();
        rows.push((Found::new(number, source.trim(), b.line, confidence), group, text));
    }
    if renumbered {
        problems.push(
            "Chỉ tiêu không được đánh số 1., 2., ... nên đã đánh số theo thứ tự; cần kiểm tra / targets were not numbered 1., 2., ...; numbered in order, please check"
                .to_string(),
        );
    }
    let targets = rows
        .into_iter()
        .map(|(number, group, text)| {
            let indicators = indicators::read(number.value, &text, number.line, problems);
            TargetDraft { number, group, text, indicators }
        })
        .collect();
    (groups, targets)
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
