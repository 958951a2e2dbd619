//! The workbook (.xlsx) and its tables as CSV: targets and results, the chosen unit's
//! children × indicators, reporting timeliness per period, activities and the units'
//! notes. Text cells are always strings (never formulas); CSV text that a
//! spreadsheet could take for a formula is prefixed (`files::csv_safe`).

use chrono::NaiveDate;
use phongtrao_domain::format;
use phongtrao_storage::campaigns::StoredCampaign;

use super::{status_label, Gathered, ReportDoc, SIMULATED_LABEL};
use crate::actions::progress;
use crate::error::Failure;
use crate::files::{self, Cell, Sheet};
use crate::AppState;

/// The tables, by their CSV names.
pub const TABLES: [&str; 5] = ["targets", "units", "timeliness", "activities", "notes"];

pub struct DataTable {
    pub key: &'static str,
    pub sheet: &'static str,
    pub title: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn kind_vi(kind: &str) -> &'static str {
    match kind {
        "count" => "Số lượng",
        "percent_of_base" => "Tỉ lệ trên số liệu nền",
        "share_of_units" => "Tỉ lệ đơn vị",
        "minimum_per_unit" => "Tối thiểu mỗi đơn vị",
        _ => "Khác",
    }
}

/// A goal in its own unit: counts as numbers, the rest as percentages.
fn measure(kind: &str, value: f64) -> Cell {
    if kind == "count" {
        Cell::Integer(value.round() as i64)
    } else {
        format::Percent::from_value(value).map_or(Cell::Empty, |p| Cell::Percent(p.value()))
    }
}

/// What was achieved, as every surface says it: the count, the share rounded once
/// (the same digits as the documents and pages), or the words for a missing base.
fn achieved_cell(i: &progress::IndicatorProgress) -> Cell {
    if i.kind == "count" {
        return Cell::Integer(i.sum);
    }
    match (i.status, i.achieved_percent) {
        ("no_base" | "insufficient_base", _) => text(i.status_vi),
        (_, Some(p)) => Cell::Percent(p.value()),
        (_, None) => Cell::Empty,
    }
}

fn h(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// Every table of the unit (the province when None) at `at`.
pub async fn tables(
    state: &AppState,
    campaign: &StoredCampaign,
    unit_code: Option<&str>,
    at: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
) -> Result<(Gathered, Vec<DataTable>), Failure> {
    let g = super::gather(state, campaign, unit_code, at, period_end, ReportDoc::Final).await?;
    let p = &g.progress;
    let suffix = format!("{} — lũy kế đến {}", p.unit_name, format::date(p.at));
    let mut out = Vec::new();

    let rows = p
        .indicators
        .iter()
        .map(|i| {
            vec![
                Cell::Integer(i64::from(i.target)),
                text(i.indicator.clone()),
                text(i.label.clone()),
                text(kind_vi(i.kind)),
                text(
                    i.unit_label.clone().unwrap_or_else(|| if i.kind == "count" { String::new() } else { "%".into() }),
                ),
                i.goal.map_or(Cell::Empty, |g| measure(i.kind, g)),
                achieved_cell(i),
                Cell::Integer(i.sum),
                i.completion.map_or(Cell::Empty, |p| Cell::Percent(p.value())),
                text(status_label(i.status)),
                text(i.text_vi.clone()),
            ]
        })
        .collect();
    let mut header = h(&[
        "Chỉ tiêu số",
        "Mã",
        "Nội dung",
        "Loại",
        "Đơn vị tính",
        "Kế hoạch",
        "Kết quả (số lượng; tỉ lệ thực hiện)",
        "Số lượng (lũy kế)",
        "So với chỉ tiêu",
        "Đánh giá",
        "Diễn giải",
    ]);
    let mut rows: Vec<Vec<Cell>> = rows;
    // "So với cùng kỳ": last year's figure at the same week and the change.
    if let Some(c) = &p.compared_with {
        header.push(format!("Cùng kỳ năm {}", c.year));
        header.push("Tăng/giảm".to_string());
        for (row, i) in rows.iter_mut().zip(&p.indicators) {
            let Some(prev) = &i.previous else { continue };
            row.push(prev.value.map_or(Cell::Empty, |v| measure(i.kind, v)));
            row.push(match (prev.change_percent, prev.change_points) {
                (Some(pct), _) => Cell::Percent(pct),
                // In words, not "+2,7": a sign first makes a spreadsheet take the cell for
                // a formula (and the CSV escapes it with a visible apostrophe).
                (None, Some(points)) if points > 0.0 => text(format!("tăng {} điểm %", format::number(points, 1))),
                (None, Some(points)) if points < 0.0 => text(format!("giảm {} điểm %", format::number(-points, 1))),
                (None, Some(_)) => text("bằng cùng kỳ"),
                _ => text(prev.text_vi.clone()),
            });
        }
    }
    out.push(DataTable {
        key: "targets",
        sheet: "Chỉ tiêu",
        title: match &g.plan_citation {
            Some(amended) => format!("Kết quả thực hiện chỉ tiêu — {suffix} — theo kế hoạch {amended}"),
            None => format!("Kết quả thực hiện chỉ tiêu — {suffix}"),
        },
        header,
        rows,
    });

    // The children of the unit, one row each, one column per indicator (their figures
    // from one read).
    let (_, children) = progress::compute_children(state, campaign, Some(&g.root.code), Some(p.at)).await?;
    let mut header = h(&["Mã đơn vị", "Đơn vị"]);
    for i in &p.indicators {
        let unit = if i.kind == "count" { i.unit_label.clone().unwrap_or_default() } else { "%".into() };
        header.push(format!("{} ({unit})", i.indicator));
    }
    header.extend(h(&["Báo cáo đúng hạn", "Báo cáo trễ hạn", "Chưa báo cáo"]));
    let mut rows = Vec::new();
    for (child, cp) in &children {
        let mut row = vec![text(child.code.clone()), text(child.name.clone())];
        for i in &cp.indicators {
            row.push(achieved_cell(i));
        }
        let sum = |f: fn(&progress::Timeliness) -> usize| cp.timeliness.iter().map(f).sum::<usize>() as i64;
        row.push(Cell::Integer(sum(|t| t.on_time)));
        row.push(Cell::Integer(sum(|t| t.late)));
        row.push(Cell::Integer(sum(|t| t.missing)));
        rows.push(row);
    }
    out.push(DataTable {
        key: "units",
        sheet: "Đơn vị × chỉ tiêu",
        title: format!("Kết quả theo đơn vị trực thuộc — {suffix} (số lượng: lũy kế; tỉ lệ: % đạt được)"),
        header,
        rows,
    });

    let periods = g.campaign.plan.periods();
    let rows = p
        .timeliness
        .iter()
        .map(|t| {
            let period = periods.iter().find(|x| x.seq == t.period);
            let missing: Vec<String> =
                t.missing_units.iter().map(|c| g.names_by_code.get(c).cloned().unwrap_or_else(|| c.clone())).collect();
            vec![
                Cell::Integer(i64::from(t.period)),
                period.map_or(Cell::Empty, |x| Cell::Date(x.start)),
                Cell::Date(t.period_end),
                text(period.map(|x| x.deadline.format("%d/%m/%Y %Hh%M").to_string()).unwrap_or_default()),
                Cell::Integer(t.expected as i64),
                Cell::Integer(t.on_time as i64),
                Cell::Integer(t.late as i64),
                Cell::Integer(t.missing as i64),
                format::Percent::of((t.on_time + t.late) as i64, t.expected as i64)
                    .map_or(Cell::Empty, |p| Cell::Percent(p.value())),
                text(missing.join("; ")),
            ]
        })
        .collect();
    out.push(DataTable {
        key: "timeliness",
        sheet: "Báo cáo đúng hạn",
        title: format!("Tình hình báo cáo theo tuần — {suffix}"),
        header: h(&[
            "Tuần",
            "Từ ngày",
            "Đến ngày",
            "Hạn gửi",
            "Phải báo cáo",
            "Đúng hạn",
            "Trễ hạn",
            "Chưa báo cáo",
            "Tỉ lệ đã báo cáo",
            "Đơn vị chưa báo cáo",
        ]),
        rows,
    });

    let rows = g
        .activities
        .iter()
        .map(|a| {
            vec![
                text(g.names.get(&a.unit_id).cloned().unwrap_or_default()),
                Cell::Integer(a.period_seq),
                Cell::Date(a.held_on),
                text(a.area.clone()),
                text(a.title.clone()),
                text(a.place.clone()),
                a.participants.map_or(Cell::Empty, Cell::Integer),
                a.funds_vnd.map_or(Cell::Empty, Cell::Integer),
                text(a.result.clone()),
            ]
        })
        .collect();
    out.push(DataTable {
        key: "activities",
        sheet: "Hoạt động",
        title: format!("Hoạt động các đơn vị đã báo cáo — {suffix}"),
        header: h(&[
            "Đơn vị",
            "Tuần",
            "Ngày",
            "Nội dung (mục kế hoạch)",
            "Tên hoạt động",
            "Địa điểm",
            "Số người tham gia",
            "Kinh phí (đồng)",
            "Kết quả",
        ]),
        rows,
    });

    let rows = g
        .notes
        .iter()
        .map(|n| {
            vec![
                text(g.names.get(&n.unit_id).cloned().unwrap_or_default()),
                Cell::Integer(n.period_seq),
                text(n.highlights.clone()),
                text(n.difficulties.clone()),
                text(n.proposals.clone()),
            ]
        })
        .collect();
    out.push(DataTable {
        key: "notes",
        sheet: "Ý kiến đơn vị",
        title: format!("Điểm nổi bật, khó khăn, đề xuất của các đơn vị — {suffix}"),
        header: h(&["Đơn vị", "Tuần", "Điểm nổi bật", "Khó khăn", "Đề xuất"]),
        rows,
    });
    Ok((g, out))
}

/// The workbook: one sheet per table, a title row (red, labelled, for simulated
/// data), the frozen header.
pub fn workbook(g: &Gathered, tables: Vec<DataTable>) -> Result<Vec<u8>, Failure> {
    let simulated = g.progress.simulated;
    let sheets: Vec<Sheet> = tables
        .into_iter()
        .map(|t| Sheet {
            name: t.sheet.to_string(),
            title: Some(if simulated { format!("{SIMULATED_LABEL} — {}", t.title) } else { t.title }),
            title_warns: simulated,
            header: t.header,
            rows: t.rows,
        })
        .collect();
    files::write_workbook(&sheets)
}

fn csv_value(cell: &Cell) -> String {
    match cell {
        Cell::Text(t) => t.clone(),
        Cell::Integer(i) => i.to_string(),
        Cell::Percent(p) => {
            let s = format!("{p:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        Cell::Empty => String::new(),
    }
}

/// One table as CSV (RFC 4180, UTF-8 with BOM): plain numbers (1500, 94.5) and ISO
/// dates for other programs; simulated data get a first column saying so.
pub fn csv(g: &Gathered, table: &DataTable) -> Result<Vec<u8>, Failure> {
    let simulated = g.progress.simulated;
    let mut header: Vec<&str> = Vec::new();
    if simulated {
        header.push(SIMULATED_LABEL);
    }
    header.extend(table.header.iter().map(String::as_str));
    let rows: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| {
            let mut row = Vec::with_capacity(r.len() + 1);
            if simulated {
                row.push("MÔ PHỎNG / SIMULATED".to_string());
            }
            row.extend(r.iter().map(csv_value));
            row
        })
        .collect();
    files::write_csv(&header, &rows)
}
