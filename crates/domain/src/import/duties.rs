//! VI. TỔ CHỨC THỰC HIỆN: who does what. Subsections become duties; "Giao X
//! làm ..." paragraphs, named units ("Huyện đoàn An Minh ...") and the closing
//! request ("Ban Thường vụ ... đề nghị ...") become duties of their own.

use super::draft::DutyDraft;
use super::schedule::level_of;
use super::structure::{Document, Part};
use super::text::fold;
use super::text::trim_clause;
use crate::plan::Level;

/// First words of the verb that ends a party's name ("làm", "xây dựng", "phối hợp").
const VERBS: [&str; 20] = [
    "lam", "xay", "chu", "phoi", "tham", "trien", "theo", "to", "huong", "kiem", "thuc", "dam", "phat", "tuyen", "chi",
    "chuan", "cung", "giup", "quan", "can",
];

/// The name at the start of `text`: its words up to the first lower-case verb.
fn party(text: &str) -> Option<String> {
    let mut taken = Vec::new();
    for w in text.split(' ').filter(|w| !w.is_empty()) {
        let lower = w.chars().next().is_some_and(char::is_lowercase);
        if lower && VERBS.contains(&fold(w).as_str()) {
            break;
        }
        taken.push(w);
        if taken.len() > 10 {
            return None;
        }
    }
    let name = trim_clause(&taken.join(" ")).to_string();
    (!name.is_empty() && name.len() < text.len()).then_some(name)
}

fn named_unit(text: &str) -> Option<String> {
    let key = fold(text);
    let kind =
        ["huyen doan ", "thanh doan ", "doan truong ", "doan xa ", "doan phuong "].iter().any(|p| key.starts_with(p));
    let third = text.split(' ').nth(2)?;
    (kind && third.chars().next().is_some_and(char::is_uppercase)).then(|| party(text)).flatten()
}

pub(crate) fn read(doc: &Document) -> Vec<DutyDraft> {
    let Some(section) = doc.section(Part::Organisation) else {
        return Vec::new();
    };
    let mut duties: Vec<DutyDraft> = Vec::new();
    let mut current: Option<usize> = None;
    for b in &section.blocks {
        if b.number.is_some() {
            let heading = trim_clause(&b.text).to_string();
            let role = (level_of(&heading) == Some(Level::District)).then_some("district_units");
            duties.push(DutyDraft { party: heading, role, items: Vec::new(), line: b.line });
            current = Some(duties.len() - 1);
            continue;
        }
        let key = fold(&b.text);
        if let Some(rest) = b.text.strip_prefix("Giao ").filter(|_| !b.bullet) {
            if let Some(who) = party(rest) {
                let role = if key.contains("co quan thuong truc") {
                    Some("standing_agency")
                } else if fold(&who).contains("ban chi dao") {
                    Some("steering")
                } else {
                    None
                };
                duties.push(DutyDraft { party: who, role, items: vec![b.text.clone()], line: b.line });
                continue;
            }
        }
        if let Some(unit) = named_unit(&b.text) {
            let role = (key.contains("khoi dong") || key.contains("dia diem")).then_some("host");
            duties.push(DutyDraft { party: unit, role, items: vec![b.text.clone()], line: b.line });
            continue;
        }
        if !b.bullet && key.contains(" de nghi ") {
            if let Some((who, _)) = b.text.split_once(" đề nghị ") {
                duties.push(DutyDraft {
                    party: who.trim().to_string(),
                    role: Some("issuer"),
                    items: vec![b.text.clone()],
                    line: b.line,
                });
                continue;
            }
        }
        match current {
            Some(i) => duties[i].items.push(b.text.clone()),
            None => duties.push(DutyDraft {
                party: trim_clause(&section.title).to_string(),
                role: None,
                items: vec![b.text.clone()],
                line: b.line,
            }),
        }
    }
    duties.retain(|d| !d.items.is_empty());
    duties
}

/// Which levels send weekly reports: the district-level units the plan addresses.
pub(crate) fn reporting_levels(duties: &[DutyDraft]) -> Vec<Level> {
    let grassroots_only = !duties.iter().any(|d| d.role == Some("district_units"))
        && duties.iter().any(|d| level_of(&d.party) == Some(Level::Grassroots));
    vec![if grassroots_only { Level::Grassroots } else { Level::District }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::structure::read as structure;
    use crate::import::text::lines;

    #[test]
    fn duties_of_the_2023_plan_shape() {
        let text = "VI/ TỔ CHỨC THỰC HIỆN\n1. Ban Thường vụ Tỉnh đoàn\nGiao Ban Phong trào làm cơ quan Thường trực tham mưu.\n\
                    Giao Ban Chỉ đạo Tháng thanh niên năm 2023 xây dựng thông báo phân công.\n2. Các Huyện, Thành đoàn và Đoàn trực thuộc\n\
                    - Căn cứ kế hoạch của tỉnh, các đơn vị chủ động xây dựng kế hoạch.\n- Huyện đoàn An Minh phối hợp chuẩn bị địa điểm phục vụ Lễ Khởi động.\n\
                    Ban Thường vụ Tỉnh đoàn đề nghị các Huyện, Thành đoàn triển khai thực hiện tốt./.";
        let d = read(&structure(lines(text)));
        let summary: Vec<(&str, Option<&str>, usize)> =
            d.iter().map(|d| (d.party.as_str(), d.role, d.items.len())).collect();
        assert_eq!(
            summary,
            vec![
                ("Ban Phong trào", Some("standing_agency"), 1),
                ("Ban Chỉ đạo Tháng thanh niên năm 2023", Some("steering"), 1),
                ("Các Huyện, Thành đoàn và Đoàn trực thuộc", Some("district_units"), 1),
                ("Huyện đoàn An Minh", Some("host"), 1),
                ("Ban Thường vụ Tỉnh đoàn", Some("issuer"), 1),
            ]
        );
    }
}
