//! The plan itself as .docx in the same format: purposes, activity areas, targets
//! with their indicators and goals, province events, the timeline and deadlines,
//! duties, recipients and signature.

use phongtrao_domain::format;
use phongtrao_domain::plan::{IndicatorKind, Plan, When};
use phongtrao_storage::campaigns::StoredCampaign;

use super::report::{
    body, header_block, heading, item, signature_block, simulated_banner, subheading, title_block, BODY, TABLE,
};
use super::{campaign_name, place_and_date};
use crate::docx::{Align, Cell, Document, Para, Run, Table};
use crate::error::Failure;

fn head_cell(text: &str) -> Cell {
    Cell::text(text, Align::Center, TABLE).bold().fill("E7E6E6")
}

fn cell(text: impl Into<String>, align: Align) -> Cell {
    Cell::text(text, align, TABLE)
}

/// "20.000 cây", "≥ 70%", "> 7%", "100%".
pub fn plan_goal(i: &phongtrao_domain::plan::Indicator) -> String {
    match i.kind {
        IndicatorKind::Count => i.comparison.count_goal_text(i.goal, i.unit_label.as_deref()),
        _ => {
            let per_unit =
                i.per_unit_minimum.map(|m| format!(" (tối thiểu {}/đơn vị)", format::number(m, 1))).unwrap_or_default();
            format!("{}{per_unit}", i.comparison.percent_goal_text(i.goal))
        }
    }
}

fn when_text(w: When) -> String {
    match w {
        When::On { date } => format!("Ngày {}", format::date(date)),
        When::Window { from, to } => format!("Từ ngày {} đến ngày {}", format::date(from), format::date(to)),
        When::Before { date } => format!("Trước ngày {}", format::date(date)),
    }
}

fn targets(doc: &mut Document, plan: &Plan) {
    let mut t = Table::proportional(&[8, 64, 28], true);
    t.header_row(vec![head_cell("STT"), head_cell("Chỉ tiêu"), head_cell("Mục tiêu")]);
    for group in &plan.target_groups {
        t.row(vec![Cell::text(group.title.clone(), Align::Left, TABLE).bold().span(3).fill("F2F2F2")]);
        for target in plan.targets_in_group(&group.key) {
            if target.indicators.len() == 1 {
                let i = &target.indicators[0];
                t.row(vec![
                    cell(target.number.to_string(), Align::Center),
                    cell(target.text.clone(), Align::Left),
                    cell(plan_goal(i), Align::Center),
                ]);
            } else {
                t.row(vec![
                    cell(target.number.to_string(), Align::Center).bold(),
                    cell(target.text.clone(), Align::Left).span(2),
                ]);
                for i in &target.indicators {
                    t.row(vec![
                        cell(i.key.clone(), Align::Center),
                        cell(format!("- {}", i.label), Align::Left),
                        cell(plan_goal(i), Align::Center),
                    ]);
                }
            }
        }
    }
    doc.table(t);
    let missing = plan.missing_target_numbers();
    if !missing.is_empty() {
        let list: Vec<String> = missing.iter().map(u32::to_string).collect();
        doc.para(
            Para::new().spacing(3.0, 6.0).run(
                Run::new(format!(
                    "Ghi chú: văn bản gốc không có chỉ tiêu số {} (giữ nguyên cách đánh số).",
                    list.join(", ")
                ))
                .italic()
                .size(12.0),
            ),
        );
    }
}

fn events(doc: &mut Document, plan: &Plan) {
    let mut t = Table::proportional(&[7, 51, 20, 22], true);
    t.header_row(vec![
        head_cell("STT"),
        head_cell("Hoạt động"),
        head_cell("Thời gian"),
        head_cell("Địa điểm / chủ trì"),
    ]);
    for e in &plan.events {
        let when = match (e.starts_on, e.ends_on) {
            (Some(a), Some(b)) if a != b => format!("{} – {}", format::date(a), format::date(b)),
            (Some(a), _) => format::date(a),
            _ => "Thông báo sau".to_string(),
        };
        let place = [e.place.clone(), e.host_unit.clone()].into_iter().flatten().collect::<Vec<_>>().join("; ");
        t.row(vec![
            cell(e.number.to_string(), Align::Center),
            cell(e.title.clone(), Align::Left),
            cell(when, Align::Center),
            cell(place, Align::Left),
        ]);
    }
    doc.table(t);
}

fn timeline(doc: &mut Document, plan: &Plan) {
    let mut t = Table::proportional(&[58, 17, 25], true);
    t.header_row(vec![head_cell("Nội dung"), head_cell("Cấp"), head_cell("Thời gian")]);
    let mut milestones: Vec<_> = plan.milestones.iter().collect();
    milestones.sort_by_key(|m| m.when.first_day());
    for m in milestones {
        let mut what = m.title.clone();
        if let Some(p) = &m.place {
            what.push_str(&format!(" ({p})"));
        }
        t.row(vec![
            cell(what, Align::Left),
            cell(m.level.label_vi(), Align::Center),
            cell(when_text(m.when), Align::Center),
        ]);
    }
    doc.table(t);
    let w = &plan.reporting.weekly;
    subheading(doc, "Báo cáo tuần:");
    if let Some(rule) = &w.rule_text {
        body(doc, rule.clone());
    }
    for p in plan.periods() {
        item(
            doc,
            format!(
                "Tuần {}: từ ngày {} đến ngày {}, gửi trước {} ngày {}.",
                p.seq,
                format::date(p.start),
                format::date(p.end),
                format::time(w.due_time),
                format::date(p.end)
            ),
        );
    }
    let c = &plan.campaign.contact;
    let mut contact = format!("Đầu mối: {}", c.office);
    if let Some(e) = &c.email {
        contact.push_str(&format!(", email {e}"));
    }
    if let Some(p) = &c.phone {
        contact.push_str(&format!(", điện thoại {p}"));
    }
    body(doc, format!("{contact}."));
}

/// The plan in force as a document; `amended`: which amendment it is, said under
/// its title ("(điều chỉnh lần 1 theo văn bản số …, ngày …)").
pub fn build(campaign: &StoredCampaign, simulated: bool, amended: Option<&str>) -> Result<Vec<u8>, Failure> {
    document(campaign, simulated, amended).to_bytes()
}

pub fn document(campaign: &StoredCampaign, simulated: bool, amended: Option<&str>) -> Document {
    let plan = &campaign.plan;
    let c = &plan.campaign;
    let name = campaign_name(campaign);
    let mut doc = Document::new(c.title.clone(), BODY);
    if simulated {
        simulated_banner(&mut doc);
    }
    let number = c.document_number.clone().unwrap_or_else(|| "....-KH/TĐTN".into());
    let number = number.strip_prefix("Số:").map(|n| n.trim().to_string()).unwrap_or(number);
    let day = c.issued_on.unwrap_or(c.starts_on);
    header_block(
        &mut doc,
        c.superior_body.as_deref().unwrap_or(&c.issuing_body),
        &number,
        &place_and_date(&c.place, day),
    );
    let kind = c.document_type.clone().unwrap_or_else(|| "Kế hoạch".into()).to_uppercase();
    let mut subject = vec![name, format!("Chủ đề “{}”", c.theme)];
    if let Some(a) = amended {
        subject.push(a.to_string());
    }
    title_block(&mut doc, &kind, &subject);
    if let Some(b) = &c.basis {
        body(&mut doc, b.clone());
    }
    heading(&mut doc, "I. MỤC ĐÍCH, YÊU CẦU");
    subheading(&mut doc, "1. Mục đích");
    for a in &plan.purpose.aims {
        item(&mut doc, a.clone());
    }
    subheading(&mut doc, "2. Yêu cầu");
    for r in &plan.purpose.requirements {
        item(&mut doc, r.clone());
    }
    heading(&mut doc, "II. NỘI DUNG HOẠT ĐỘNG");
    for area in &plan.areas {
        let text = format!("{}. {}", area.number, area.title);
        if area.depth() == 0 {
            subheading(&mut doc, &text);
        } else {
            doc.para(
                Para::new()
                    .first_line(10.0)
                    .spacing(3.0, 3.0)
                    .keep_next()
                    .run(Run::new(text).italic().bold().size(BODY)),
            );
        }
        for i in &area.items {
            item(&mut doc, i.clone());
        }
        for g in &area.groups {
            doc.para(
                Para::new()
                    .first_line(10.0)
                    .spacing(3.0, 3.0)
                    .keep_next()
                    .run(Run::new(format!("* {}", g.heading)).italic().size(BODY)),
            );
            for i in &g.items {
                item(&mut doc, i.clone());
            }
        }
    }
    heading(&mut doc, "III. CHỈ TIÊU CƠ BẢN");
    targets(&mut doc, plan);
    heading(&mut doc, "IV. HOẠT ĐỘNG CẤP TỈNH");
    events(&mut doc, plan);
    heading(&mut doc, "V. THỜI GIAN THỰC HIỆN");
    timeline(&mut doc, plan);
    if !plan.duties.is_empty() {
        heading(&mut doc, "VI. TỔ CHỨC THỰC HIỆN");
        for (n, d) in plan.duties.iter().enumerate() {
            subheading(&mut doc, &format!("{}. {}", n + 1, d.party));
            for i in &d.items {
                item(&mut doc, i.clone());
            }
        }
    }
    signature_block(&mut doc, &plan.recipients, &c.signatory.on_behalf_of, &c.signatory.title, &c.signatory.name);
    doc
}
