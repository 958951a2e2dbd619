//! The final summary report (báo cáo tổng kết) and the weekly consolidated report
//! (báo cáo tuần) as .docx in the Youth Union document format.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use phongtrao_domain::{format, unit};

use super::{
    campaign_name, goal_text, place_and_date, ratio_text, result_text, status_label, tally, Gathered, SIMULATED_LABEL,
};
use crate::docx::{Align, Cell, Document, Para, Run, Table};
use crate::error::Failure;

/// The body's font size (points).
pub const BODY: f64 = 14.0;
/// Tables' font size.
pub const TABLE: f64 = 12.0;
const HEADER_FILL: &str = "E7E6E6";

/// The header block: issuing body, *** and the number on the left; the Union's name
/// and the place-and-date line on the right.
pub fn header_block(doc: &mut Document, issuing_body: &str, number: &str, place_date: &str) {
    let mut t = Table::proportional(&[48, 52], false);
    let left = Cell::new(vec![
        Para::new().center().run(Run::new(issuing_body.to_uppercase()).bold().size(14.0)),
        Para::new().center().run(Run::new("***").size(14.0)),
        Para::new().center().run(Run::new(format!("Số: {number}")).size(14.0)),
    ]);
    let right = Cell::new(vec![
        Para::new().center().run(Run::new("ĐOÀN TNCS HỒ CHÍ MINH").bold().underline().size(15.0)),
        Para::new().center().run(Run::new("").size(14.0)),
        Para::new().center().run(Run::new(place_date).italic().size(14.0)),
    ]);
    t.row(vec![left, right]);
    doc.table(t);
}

/// The red line that marks simulated figures, at the top of the document.
pub fn simulated_banner(doc: &mut Document) {
    doc.para(
        Para::new().center().spacing(0.0, 6.0).run(Run::new(SIMULATED_LABEL).bold().size(13.0).color("C00000")).run(
            Run::new(" — số liệu do máy tạo ra để trình diễn, không phải số liệu thật")
                .italic()
                .size(12.0)
                .color("C00000"),
        ),
    );
}

/// The document's title: the type in capitals, its subject, a short rule.
pub fn title_block(doc: &mut Document, kind: &str, subject: &[String]) {
    doc.para(Para::new().center().spacing(18.0, 0.0).run(Run::new(kind).bold().size(15.0)));
    for line in subject {
        doc.para(Para::new().center().run(Run::new(line.clone()).bold().size(14.0)));
    }
    doc.para(Para::new().center().spacing(0.0, 12.0).run(Run::new("-----").size(14.0)));
}

/// A heading of the body: "I. KẾT QUẢ ...".
pub fn heading(doc: &mut Document, text: &str) {
    doc.para(Para::new().first_line(10.0).spacing(6.0, 6.0).keep_next().run(Run::new(text).bold().size(BODY)));
}

/// A sub-heading: "1. ..." in bold italic.
pub fn subheading(doc: &mut Document, text: &str) {
    doc.para(Para::new().first_line(10.0).spacing(3.0, 3.0).keep_next().run(Run::new(text).bold().italic().size(BODY)));
}

/// A body paragraph.
pub fn body(doc: &mut Document, text: impl Into<String>) {
    doc.para(Para::body(text).size(BODY));
}

/// A dash item: "- text".
pub fn item(doc: &mut Document, text: impl Into<String>) {
    doc.para(Para::body(format!("- {}", text.into())).size(BODY));
}

/// Several paragraphs from a text with line breaks (the office's own texts).
pub fn paragraphs(doc: &mut Document, text: &str) {
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        body(doc, line);
    }
}

/// Nơi nhận on the left, the signature on the right.
pub fn signature_block(doc: &mut Document, recipients: &[String], on_behalf_of: &str, title: &str, name: &str) {
    let mut t = Table::proportional(&[40, 60], false);
    let mut left =
        vec![Para::new().align(Align::Left).spacing(12.0, 0.0).run(Run::new("Nơi nhận:").bold().italic().size(12.0))];
    let n = recipients.len();
    for (i, r) in recipients.iter().enumerate() {
        let r = r.trim().trim_start_matches('-').trim().trim_end_matches([';', '.']);
        let end = if i + 1 == n { "." } else { ";" };
        left.push(Para::new().align(Align::Left).run(Run::new(format!("- {r}{end}")).size(11.0)));
    }
    let right = vec![
        Para::new().center().spacing(12.0, 0.0).run(Run::new(on_behalf_of.to_uppercase()).bold().size(14.0)),
        Para::new().center().run(Run::new(title.to_uppercase()).bold().size(14.0)),
        Para::new().center().spacing(60.0, 0.0).run(Run::new("").size(14.0)),
        Para::new().center().run(Run::new(name).bold().size(14.0)),
    ];
    t.row(vec![Cell::new(left), Cell::new(right)]);
    doc.table(t);
}

fn head_cell(text: &str) -> Cell {
    Cell::text(text, Align::Center, TABLE).bold().fill(HEADER_FILL)
}

fn cell(text: impl Into<String>, align: Align) -> Cell {
    Cell::text(text, align, TABLE)
}

/// The results table: by target group, target and indicator. The weekly report has a
/// column for the week's increase of the counts.
fn results_table(doc: &mut Document, g: &Gathered) {
    let weekly = g.period.is_some();
    // The verdict column is wide enough for "Chưa đủ số liệu nền" on two lines.
    let weights: &[u32] = if weekly { &[7, 26, 13, 11, 15, 11, 17] } else { &[7, 34, 14, 17, 11, 17] };
    let mut t = Table::proportional(weights, true);
    let mut header = vec![head_cell("STT"), head_cell("Chỉ tiêu"), head_cell("Kế hoạch")];
    if weekly {
        header.push(head_cell("Trong tuần"));
        header.push(head_cell("Lũy kế"));
    } else {
        header.push(head_cell("Kết quả"));
    }
    header.push(head_cell(&capitalized(phongtrao_domain::progress::COMPLETION_VI)));
    header.push(head_cell("Đánh giá"));
    t.header_row(header);
    let columns = weights.len() as u32;
    let plan = &g.campaign.plan;
    let by_key: HashMap<&str, &crate::actions::progress::IndicatorProgress> =
        g.progress.indicators.iter().map(|i| (i.indicator.as_str(), i)).collect();
    for group in &plan.target_groups {
        t.row(vec![Cell::text(group.title.clone(), Align::Left, TABLE).bold().span(columns).fill("F2F2F2")]);
        for target in plan.targets_in_group(&group.key) {
            let several = target.indicators.len() > 1;
            if several {
                t.row(vec![
                    cell(target.number.to_string(), Align::Center).bold(),
                    Cell::text(target.text.clone(), Align::Left, TABLE).span(columns - 1),
                ]);
            }
            for ind in &target.indicators {
                let Some(p) = by_key.get(ind.key.as_str()) else { continue };
                let stt = if several { ind.key.clone() } else { target.number.to_string() };
                let label = if several { format!("- {}", p.label) } else { p.label.clone() };
                let mut row =
                    vec![cell(stt, Align::Center), cell(label, Align::Left), cell(goal_text(p), Align::Center)];
                if weekly {
                    let n = p.series.len();
                    let week = match (p.kind, n) {
                        ("count", n) if n > 0 => {
                            format::integer(p.series[n - 1] - if n > 1 { p.series[n - 2] } else { 0 })
                        }
                        _ => "—".to_string(),
                    };
                    row.push(cell(week, Align::Right));
                }
                row.push(cell(result_text(p), Align::Right));
                row.push(cell(ratio_text(p), Align::Right));
                row.push(cell(status_label(p.status), Align::Center));
                t.row(row);
            }
        }
    }
    doc.table(t);
}

/// "Tính đến ngày …, có 12/18 chỉ tiêu đạt và vượt (trong đó 5 chỉ tiêu vượt), …;
/// theo chỉ số: 20/26 chỉ số đạt và vượt, …": targets as the plan numbers them (a
/// target is met when all its indicators are), then indicators. A target or
/// indicator without (enough) base figures is neither met nor "chưa đạt".
pub fn summary_sentence(g: &Gathered) -> String {
    let t = tally(&g.progress.indicators);
    let mut s = format!(
        "Tính đến ngày {}, có {}/{} chỉ tiêu đạt và vượt (trong đó {} chỉ tiêu vượt), {} chỉ tiêu chưa đạt",
        format::date(g.progress.at),
        t.targets_met,
        t.targets,
        t.targets_exceeded,
        t.targets_not_met
    );
    if t.targets_without_base > 0 {
        s.push_str(&format!(", {} chỉ tiêu chưa đủ số liệu nền để đánh giá", t.targets_without_base));
    }
    if t.targets_no_goal > 0 {
        s.push_str(&format!("; {} chỉ tiêu chưa được giao cho đơn vị", t.targets_no_goal));
    }
    let judged = t.indicators - t.indicators_no_goal;
    s.push_str(&format!(
        ". Theo chỉ số: {}/{} chỉ số đạt và vượt (trong đó {} chỉ số vượt), {} chỉ số chưa đạt",
        t.indicators_met + t.indicators_exceeded,
        judged,
        t.indicators_exceeded,
        t.indicators_not_met
    ));
    if t.indicators_without_base > 0 {
        s.push_str(&format!(", {} chỉ số chưa có hoặc chưa đủ số liệu nền", t.indicators_without_base));
    }
    s.push('.');
    s
}

fn area_title(g: &Gathered, number: &str) -> String {
    g.campaign
        .plan
        .areas
        .iter()
        .find(|a| a.number == number)
        .map(|a| format!("{number}. {}", a.title.trim_end_matches(['.', ':'])))
        .unwrap_or_else(|| number.to_string())
}

fn highlights(doc: &mut Document, g: &Gathered) {
    let acts = &g.activities;
    if acts.is_empty() {
        body(doc, "Chưa có đơn vị nào báo cáo hoạt động trong thời gian này.");
    } else {
        let people: i64 = acts.iter().filter_map(|a| a.participants).sum();
        let funds: i64 = acts.iter().filter_map(|a| a.funds_vnd).sum();
        let units: std::collections::BTreeSet<i64> = acts.iter().map(|a| a.unit_id).collect();
        // No "tổng kinh phí 0 đồng" when nobody reported funds.
        let funds_text = if funds > 0 {
            format!(", tổng kinh phí {} đồng", format::integer(funds))
        } else {
            " (chưa có báo cáo kinh phí)".to_string()
        };
        body(
            doc,
            format!(
                "{} đơn vị đã tổ chức {} hoạt động, thu hút {} lượt người tham gia{funds_text}. Cụ thể theo nội dung hoạt động của kế hoạch:",
                units.len(),
                format::integer(acts.len() as i64),
                format::integer(people),
            ),
        );
        let mut by_area: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
        for a in acts {
            let e = by_area.entry(a.area.as_str()).or_default();
            e.0 += 1;
            e.1 += a.participants.unwrap_or(0);
        }
        for (area, (n, p)) in by_area {
            item(
                doc,
                format!(
                    "{}: {} hoạt động, {} lượt người tham gia.",
                    area_title(g, area),
                    format::integer(n),
                    format::integer(p)
                ),
            );
        }
        let mut top: Vec<_> = acts.iter().collect();
        top.sort_by_key(|a| std::cmp::Reverse(a.participants.unwrap_or(0)));
        subheading(doc, "Một số hoạt động tiêu biểu:");
        for a in top.into_iter().take(8) {
            let unit = g.names.get(&a.unit_id).cloned().unwrap_or_default();
            let mut line = format!("{} ({unit}, ngày {}", a.title, format::date(a.held_on));
            if !a.place.trim().is_empty() {
                line.push_str(&format!(", tại {}", a.place.trim()));
            }
            line.push(')');
            if let Some(p) = a.participants {
                line.push_str(&format!(": {} người tham gia", format::integer(p)));
            }
            if let Some(f) = a.funds_vnd.filter(|f| *f > 0) {
                line.push_str(&format!(", kinh phí {} đồng", format::integer(f)));
            }
            if !a.result.trim().is_empty() {
                line.push_str(&format!("; {}", a.result.trim().trim_end_matches('.')));
            }
            line.push('.');
            item(doc, line);
        }
    }
    let latest = compile_notes(g, |n| &n.highlights, true);
    if !latest.is_empty() {
        subheading(doc, "Điểm nổi bật do các đơn vị báo cáo:");
        for (unit, text) in latest {
            item(doc, format!("{unit}: {text}"));
        }
    }
}

/// Per unit (in tree order of their names), its distinct notes of one kind joined;
/// only the latest with `latest_only`.
fn compile_notes(
    g: &Gathered,
    field: impl Fn(&phongtrao_storage::documents::UnitNotes) -> &String,
    latest_only: bool,
) -> Vec<(String, String)> {
    let mut per_unit: BTreeMap<i64, Vec<String>> = BTreeMap::new();
    for n in &g.notes {
        let text = field(n).trim().to_string();
        if text.is_empty() {
            continue;
        }
        let list = per_unit.entry(n.unit_id).or_default();
        if latest_only {
            list.clear();
        }
        if !list.contains(&text) {
            list.push(text);
        }
    }
    per_unit
        .into_iter()
        .map(|(id, texts)| {
            let joined =
                texts.iter().map(|t| t.trim_end_matches(['.', ';']).to_string()).collect::<Vec<_>>().join("; ");
            (g.names.get(&id).cloned().unwrap_or_default(), format!("{joined}."))
        })
        .collect()
}

fn timeliness(doc: &mut Document, g: &Gathered) {
    let periods = g.campaign.plan.periods();
    let mut t = Table::proportional(&[8, 26, 13, 13, 13, 13, 14], true);
    t.header_row(vec![
        head_cell("Tuần"),
        head_cell("Thời gian"),
        head_cell("Phải báo cáo"),
        head_cell("Đúng hạn"),
        head_cell("Trễ hạn"),
        head_cell("Chưa báo cáo"),
        head_cell("Tỉ lệ đã báo cáo"),
    ]);
    for tl in &g.progress.timeliness {
        let start = periods.iter().find(|p| p.seq == tl.period).map(|p| p.start).unwrap_or(tl.period_end);
        t.row(vec![
            cell(tl.period.to_string(), Align::Center),
            cell(format!("{} – {}", start.format("%d/%m"), format::date(tl.period_end)), Align::Center),
            cell(format::integer(tl.expected as i64), Align::Right),
            cell(format::integer(tl.on_time as i64), Align::Right),
            cell(format::integer(tl.late as i64), Align::Right),
            cell(format::integer(tl.missing as i64), Align::Right),
            cell(rate_text(tl.on_time + tl.late, tl.expected), Align::Right),
        ]);
    }
    doc.table(t);
    let shown: Vec<_> = match &g.period {
        Some(p) => g.progress.timeliness.iter().filter(|t| t.period == p.seq).collect(),
        None => g.progress.timeliness.iter().collect(),
    };
    let (s_on, s_late, s_exp) =
        shown.iter().fold((0, 0, 0), |(a, b, c), t| (a + t.on_time, b + t.late, c + t.expected));
    if s_exp > 0 {
        body(
            doc,
            format!(
                "{} {}/{} báo cáo được gửi đúng hạn ({}), {} báo cáo trễ hạn, {} báo cáo chưa gửi.",
                if g.period.is_some() { "Trong tuần, có" } else { "Trong cả đợt, có" },
                format::integer(s_on as i64),
                format::integer(s_exp as i64),
                rate_text(s_on, s_exp),
                format::integer(s_late as i64),
                format::integer((s_exp - s_on - s_late) as i64)
            ),
        );
    }
    units_by_week(doc, g, &shown);
}

/// The units that reported late and those that have not reported, by name, week by
/// week (a weekly report: that week only). Long lists stay one paragraph per week.
fn units_by_week(doc: &mut Document, g: &Gathered, shown: &[&crate::actions::progress::Timeliness]) {
    let weekly = g.period.is_some();
    let name_of_id = |id: &i64| g.names.get(id).cloned().unwrap_or_else(|| id.to_string());
    let name_of_code = |code: &String| g.names_by_code.get(code).cloned().unwrap_or_else(|| code.clone());
    let mut lines: Vec<(String, String)> = Vec::new();
    for t in shown {
        let week =
            if weekly { String::new() } else { format!("Tuần {} ({}): ", t.period, format::date(t.period_end)) };
        if let Some(late) = g.late.get(&t.period).filter(|l| !l.is_empty()) {
            let names: Vec<String> = late.iter().map(name_of_id).collect();
            lines.push((format!("{week}gửi trễ hạn ({}): ", names.len()), format!("{}.", names.join(", "))));
        }
        if let Some(offline) = g.offline_late.get(&t.period).filter(|l| !l.is_empty()) {
            let names: Vec<String> = offline.iter().map(name_of_id).collect();
            lines.push((
                format!("{week}gửi muộn do mất kết nối, tính đúng hạn ({}): ", names.len()),
                format!("{}.", names.join(", ")),
            ));
        }
        if t.missing > 0 && t.missing == t.expected && t.expected > 1 {
            lines.push((
                format!("{week}chưa gửi báo cáo: "),
                format!("cả {} đơn vị.", format::integer(t.expected as i64)),
            ));
        } else if t.missing > 0 {
            let names: Vec<String> = t.missing_units.iter().map(name_of_code).collect();
            let more = t.missing.saturating_sub(names.len());
            let mut list = names.join(", ");
            if more > 0 {
                if !list.is_empty() {
                    list.push_str(", ");
                }
                list.push_str(&format!("và {} đơn vị khác", format::integer(more as i64)));
            }
            lines.push((format!("{week}chưa gửi báo cáo ({}): ", t.missing), format!("{list}.")));
        }
    }
    if lines.is_empty() {
        return;
    }
    subheading(
        doc,
        if weekly {
            "Đơn vị gửi trễ hạn, chưa gửi báo cáo trong tuần:"
        } else {
            "Đơn vị gửi trễ hạn, chưa gửi báo cáo theo tuần:"
        },
    );
    for (lead, list) in lines {
        let mut lead = lead;
        if weekly {
            let mut chars = lead.chars();
            lead = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
        }
        doc.para(Para::body("- ").size(BODY).run(Run::new(lead).italic().size(BODY)).run(Run::new(list).size(BODY)));
    }
}

/// "So với chỉ tiêu": the first letter in capitals.
/// "So với cùng kỳ": the headline (over the indicators that apply to the unit, as on
/// the dashboard), then one sentence per indicator compared ("Chỉ số 5 (…): 1.125
/// cây, tăng 12,5% so với cùng kỳ năm 2023.").
fn year_over_year(doc: &mut Document, g: &Gathered) {
    let Some(c) = &g.progress.compared_with else { return };
    body(doc, c.headline_vi.clone());
    for i in &g.progress.indicators {
        let Some(prev) = &i.previous else { continue };
        let now = if i.kind == "count" {
            format!("{} {}", format::integer(i.sum), i.unit_label.as_deref().unwrap_or("")).trim_end().to_string()
        } else if matches!(i.status, "no_base" | "insufficient_base") {
            i.status_vi.to_string()
        } else {
            i.achieved_percent.map(|p| p.vi()).unwrap_or_else(|| "—".into())
        };
        item(doc, format!("Chỉ số {} ({}): {now}, {}.", i.indicator, i.label, prev.text_vi));
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// part of whole as an exact percentage ("93,3%"), "—" of nothing.
fn rate_text(part: usize, whole: usize) -> String {
    format::Percent::of(part as i64, whole as i64).map(|p| p.vi()).unwrap_or_else(|| "—".into())
}

fn notes_section(doc: &mut Document, g: &Gathered, field: fn(&phongtrao_storage::documents::UnitNotes) -> &String) {
    let compiled = compile_notes(g, field, false);
    if compiled.is_empty() {
        body(doc, "Các đơn vị không nêu nội dung này trong báo cáo.");
    }
    for (unit, text) in compiled {
        item(doc, format!("{unit}: {text}"));
    }
}

/// The final summary report (period None) or the weekly report of `g.period`.
pub fn build(g: &Gathered) -> Result<Vec<u8>, Failure> {
    document(g).to_bytes()
}

/// The report as a document (before it becomes bytes).
pub fn document(g: &Gathered) -> Document {
    let plan = &g.campaign.plan;
    let c = &plan.campaign;
    let texts = &g.texts;
    let pick = |stored: &str, default: String| if stored.trim().is_empty() { default } else { stored.to_string() };
    let issuing_body = pick(
        &texts.issuing_body,
        if g.is_province {
            c.superior_body.clone().unwrap_or_else(|| c.issuing_body.to_uppercase())
        } else {
            format!("BCH {}", g.root.name.to_uppercase())
        },
    );
    // A unit's own report is numbered and dated as its own union's: "Số: ....-BC/HĐTN",
    // "Tân Hiệp, ngày …" for Huyện đoàn Tân Hiệp (the province's place when its name
    // names none, as a đoàn trực thuộc's).
    let kind = g.root.kind();
    let symbol = if g.is_province { "TĐTN" } else { kind.map(unit::document_symbol).unwrap_or("ĐTN") };
    let number = pick(&texts.number, format!("....-BC/{symbol}"));
    let place = match kind {
        Some(kind) if !g.is_province => unit::document_place(kind, &g.root.name).unwrap_or_else(|| c.place.clone()),
        _ => c.place.clone(),
    };
    let day = NaiveDate::parse_from_str(&texts.issued_on, "%Y-%m-%d").unwrap_or(g.progress.at);
    let name = campaign_name(&g.campaign);
    let mut doc = Document::new(
        match &g.period {
            Some(p) => format!("Báo cáo tuần {} – {name}", p.seq),
            None => format!("Báo cáo tổng kết {name}"),
        },
        BODY,
    );
    if g.progress.simulated {
        simulated_banner(&mut doc);
    }
    header_block(&mut doc, &issuing_body, &number, &place_and_date(&place, day));
    let unit_line = if g.is_province { None } else { Some(format!("của {}", g.root.name)) };
    let mut subject = match &g.period {
        Some(p) => vec![
            format!("kết quả thực hiện {name} tuần {}", p.seq),
            format!("(từ ngày {} đến ngày {})", format::date(p.start), format::date(p.end)),
        ],
        None => vec![format!("tổng kết {name}")],
    };
    if let Some(u) = unit_line {
        subject.insert(1, u);
    }
    title_block(&mut doc, "BÁO CÁO", &subject);
    let who = if g.is_province { c.issuing_body.clone() } else { format!("Ban Thường vụ {}", g.root.name) };
    // The plan as cited: its number when it has one, and the amendment in force.
    let cited = {
        let number = c.document_number.as_ref().map(|n| format!(" số {n}")).unwrap_or_default();
        let amended = g.plan_citation.as_ref().map(|a| format!(" {a}")).unwrap_or_default();
        format!("{}{number}{amended}", c.title)
    };
    let opening = pick(
        &texts.opening,
        match &g.period {
            Some(p) => format!(
                "Thực hiện {} với chủ đề “{}”, {who} báo cáo kết quả thực hiện tuần {} (lũy kế đến ngày {}) như sau:",
                cited,
                c.theme,
                p.seq,
                format::date(p.end)
            ),
            None => format!(
                "Thực hiện {} với chủ đề “{}”, {who} báo cáo tổng kết kết quả thực hiện (số liệu lũy kế đến ngày {}) như sau:",
                cited,
                c.theme,
                format::date(g.progress.at)
            ),
        },
    );
    paragraphs(&mut doc, &opening);

    heading(&mut doc, "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU");
    results_table(&mut doc, g);
    doc.para(Para::new().spacing(6.0, 0.0));
    body(&mut doc, summary_sentence(g));
    year_over_year(&mut doc, g);
    let not_met: Vec<String> = g
        .progress
        .indicators
        .iter()
        .filter(|i| i.status == "not_met")
        .map(|i| {
            let shown = i.text_vi.strip_suffix(" · chưa đạt").unwrap_or(&i.text_vi);
            format!("{} (đạt {shown})", i.indicator)
        })
        .collect();
    if !not_met.is_empty() {
        body(&mut doc, format!("Các chỉ số chưa đạt: {}.", not_met.join("; ")));
    }
    let without_base: Vec<String> = g
        .progress
        .indicators
        .iter()
        .filter(|i| matches!(i.status, "no_base" | "insufficient_base"))
        .map(|i| match &i.coverage_vi {
            Some(c) if i.status == "insufficient_base" => format!("{} ({c})", i.indicator),
            _ => format!("{} ({})", i.indicator, i.status_vi),
        })
        .collect();
    if !without_base.is_empty() {
        body(
            &mut doc,
            format!("Các chỉ số chưa đánh giá được vì chưa có hoặc chưa đủ số liệu nền: {}.", without_base.join("; ")),
        );
    }

    heading(
        &mut doc,
        if g.period.is_some() {
            "II. HOẠT ĐỘNG NỔI BẬT TRONG TUẦN"
        } else {
            "II. CÁC HOẠT ĐỘNG NỔI BẬT"
        },
    );
    highlights(&mut doc, g);
    if g.period.is_none() {
        events_section(&mut doc, g);
    }

    heading(&mut doc, "III. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ");
    timeliness(&mut doc, g);

    heading(&mut doc, "IV. KHÓ KHĂN, HẠN CHẾ");
    notes_section(&mut doc, g, |n| &n.difficulties);

    heading(&mut doc, "V. ĐỀ XUẤT, KIẾN NGHỊ");
    notes_section(&mut doc, g, |n| &n.proposals);

    if !texts.conclusions.trim().is_empty() {
        heading(
            &mut doc,
            if g.period.is_some() {
                "VI. NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI"
            } else {
                "VI. ĐÁNH GIÁ CHUNG"
            },
        );
        paragraphs(&mut doc, &texts.conclusions);
    }
    let recipients: Vec<String> = if texts.recipients.trim().is_empty() {
        if g.is_province {
            plan.recipients.clone()
        } else {
            vec!["Ban Thường vụ Tỉnh đoàn (b/c)".into(), "Lưu VP".into()]
        }
    } else {
        texts.recipients.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
    };
    let (default_behalf, default_title, default_name) = if g.is_province {
        (c.signatory.on_behalf_of.clone(), c.signatory.title.clone(), c.signatory.name.clone())
    } else {
        // The unit's own standing committee, never the province's signer.
        (unit::standing_committee(&g.root.name), "BÍ THƯ".to_string(), String::new())
    };
    signature_block(
        &mut doc,
        &recipients,
        &pick(&texts.on_behalf_of, default_behalf),
        &pick(&texts.signer_title, default_title),
        &pick(&texts.signer_name, default_name),
    );
    photo_appendix(&mut doc, g);
    doc
}

/// "PHỤ LỤC HÌNH ẢNH": the photos attached to the counted weekly reports, each
/// with "Hình N. caption (unit, date)" under it.
fn photo_appendix(doc: &mut Document, g: &Gathered) {
    if g.photos.is_empty() {
        return;
    }
    doc.para(
        Para::new()
            .center()
            .spacing(24.0, 6.0)
            .keep_next()
            .page_break_before()
            .run(Run::new("PHỤ LỤC HÌNH ẢNH").bold().size(14.0)),
    );
    for (i, p) in g.photos.iter().enumerate() {
        doc.image(p.jpeg.clone(), p.width, p.height, 110.0);
        let caption = if p.caption.trim().is_empty() {
            "Hình ảnh hoạt động".to_string()
        } else {
            p.caption.trim().to_string()
        };
        let line = format!("Hình {}. {} ({}, {})", i + 1, caption, p.unit, format::date(p.date));
        doc.para(Para::new().center().spacing(0.0, 9.0).run(Run::new(line).italic().size(BODY - 1.0)));
    }
}

/// One event's outcome in a sentence: "Đã tổ chức ngày 24/02/2023 tại Huyện An Minh,
/// 1.200 người tham gia. Ra quân …", "Hoãn (lý do: …)", "Chưa tổ chức".
fn event_outcome(
    status: &str,
    held_on: Option<NaiveDate>,
    place: &str,
    participants: Option<i64>,
    reason: &str,
    results: &str,
) -> String {
    use phongtrao_domain::event_record::EventStatus;
    let status = EventStatus::parse(status).unwrap_or(EventStatus::Planned);
    let mut text = status.label_vi().to_string();
    if status == EventStatus::Held {
        if let Some(d) = held_on {
            text.push_str(&format!(" ngày {}", format::date(d)));
        }
        if !place.trim().is_empty() {
            text.push_str(&format!(" tại {}", place.trim()));
        }
        if let Some(n) = participants {
            text.push_str(&format!(", {} người tham gia", format::integer(n)));
        }
    } else if !reason.trim().is_empty() {
        text.push_str(&format!(" (lý do: {})", reason.trim()));
    }
    text.push('.');
    if !results.trim().is_empty() {
        text.push(' ');
        text.push_str(results.trim());
        if !results.trim().ends_with('.') {
            text.push('.');
        }
    }
    text
}

/// "Kết quả tổ chức các hoạt động": the province events as they were run (province
/// only) and how many units held their launch and closing, naming those not recorded.
fn events_section(doc: &mut Document, g: &Gathered) {
    use phongtrao_domain::event_record::UnitEventKind;
    if !g.events.is_empty() {
        subheading(doc, "Kết quả tổ chức các hoạt động cấp tỉnh:");
        for e in &g.events {
            let outcome = event_outcome(
                &e.status,
                e.held_on,
                e.place.as_deref().unwrap_or(""),
                e.participants,
                e.status_reason.as_deref().unwrap_or(""),
                e.results.as_deref().unwrap_or(""),
            );
            item(doc, format!("{}. {}: {outcome}", e.number, e.title.trim().trim_end_matches(['.', ':', ';'])));
        }
    }
    if g.event_units == 0 {
        return;
    }
    let recorded_any = !g.unit_events.is_empty();
    if !recorded_any && g.events.is_empty() {
        return;
    }
    subheading(doc, "Lễ ra quân và tổng kết của các đơn vị:");
    for kind in UnitEventKind::ALL {
        let held: Vec<_> = g.unit_events.iter().filter(|r| r.kind == kind.as_str() && r.status == "held").collect();
        let people: i64 = held.iter().filter_map(|r| r.participants).sum();
        let mut text = format!("{}: {}/{} đơn vị đã tổ chức", kind.label_vi(), held.len(), g.event_units);
        if people > 0 {
            text.push_str(&format!(", {} người tham gia", format::integer(people)));
        }
        let not_held: Vec<String> = g
            .unit_events
            .iter()
            .filter(|r| r.kind == kind.as_str() && matches!(r.status.as_str(), "postponed" | "cancelled"))
            .map(|r| {
                let name = g.names.get(&r.unit_id).cloned().unwrap_or_default();
                if r.status_reason.trim().is_empty() {
                    name
                } else {
                    format!("{name} ({})", r.status_reason.trim())
                }
            })
            .collect();
        if !not_held.is_empty() {
            text.push_str(&format!("; hoãn hoặc không tổ chức: {}", not_held.join(", ")));
        }
        text.push('.');
        item(doc, text);
    }
}
