//! Files people upload and download: .csv and .xlsx tables, read with limits so
//! that an oversized file, a fake workbook or a zip bomb is refused, and written so
//! that Excel opens Vietnamese text correctly and never runs a cell as a formula.

use std::io::{Cursor, Read};

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

use rust_xlsxwriter::{Format, Workbook};

use crate::error::Failure;

/// The largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 5 * 1024 * 1024;
/// The most a workbook may unpack to, in all.
const MAX_UNPACKED_BYTES: u64 = 50 * 1024 * 1024;
const MAX_ENTRIES: usize = 2_000;
const MAX_ROWS: usize = 200_000;

fn refused(vi: &str, en: &str) -> Failure {
    Failure::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "bad_file", vi, en)
}

/// Rows of strings from a .csv or .xlsx upload, judged by its name and content.
pub fn read_table(file_name: &str, bytes: &[u8]) -> Result<Vec<Vec<String>>, Failure> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(refused("Tệp quá lớn (tối đa 5 MB).", "The file is too large (5 MB at most)."));
    }
    let lower = file_name.to_lowercase();
    if lower.ends_with(".xlsx") {
        read_xlsx(bytes)
    } else if lower.ends_with(".csv") {
        read_csv(bytes)
    } else {
        Err(refused("Chỉ nhận tệp .xlsx hoặc .csv.", "Only .xlsx or .csv files are accepted."))
    }
}

/// The same on a blocking thread, so that a large table never holds up the
/// request workers.
pub async fn read_table_off_thread(file_name: &str, bytes: Vec<u8>) -> Result<Vec<Vec<String>>, Failure> {
    let name = file_name.to_string();
    tokio::task::spawn_blocking(move || read_table(&name, &bytes)).await.map_err(Failure::internal)?
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, Failure> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| refused("Tệp CSV phải là văn bản UTF-8.", "A CSV file must be UTF-8 text."))?;
    let delimiter =
        if text.lines().next().is_some_and(|l| l.matches(';').count() > l.matches(',').count()) { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| refused(&format!("Tệp CSV lỗi: {e}"), &format!("Bad CSV: {e}")))?;
        rows.push(record.iter().map(str::to_string).collect());
        if rows.len() > MAX_ROWS {
            return Err(refused("Tệp có quá nhiều dòng.", "The file has too many rows."));
        }
    }
    Ok(rows)
}

/// Checks the zip container entry by entry, reading at most the allowed bytes, before
/// handing it to the workbook reader.
fn check_zip(bytes: &[u8]) -> Result<(), Failure> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(refused("Tệp không phải bảng tính .xlsx hợp lệ.", "This is not a valid .xlsx workbook."));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| refused("Tệp không phải bảng tính .xlsx hợp lệ.", "This is not a valid .xlsx workbook."))?;
    if archive.len() > MAX_ENTRIES {
        return Err(refused("Bảng tính có quá nhiều thành phần.", "The workbook has too many parts."));
    }
    let mut total: u64 = 0;
    let mut sink = [0u8; 64 * 1024];
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).map_err(|_| refused("Bảng tính bị hỏng.", "The workbook is damaged."))?;
        let budget = MAX_UNPACKED_BYTES - total;
        let mut limited = (&mut entry).take(budget + 1);
        loop {
            let n = limited.read(&mut sink).map_err(|_| refused("Bảng tính bị hỏng.", "The workbook is damaged."))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_UNPACKED_BYTES {
                return Err(refused(
                    "Bảng tính giải nén quá lớn (nghi là tệp nén độc hại).",
                    "The workbook unpacks to too much data (a zip bomb?).",
                ));
            }
        }
    }
    Ok(())
}

/// The most rows, columns and cells a sheet may span (from its first filled cell to
/// its last): far more than any table of units or allocations, far less than what a
/// hostile sheet with one cell at A1 and one at XFD1048576 would make a reader
/// allocate (17 billion cells).
pub const MAX_SHEET_ROWS: u32 = 20_000;
pub const MAX_SHEET_COLS: u32 = 200;
pub const MAX_SHEET_CELLS: u64 = 100_000;

fn too_big_sheet() -> Failure {
    refused(
        &format!(
            "Trang tính quá lớn: tối đa {MAX_SHEET_ROWS} dòng, {MAX_SHEET_COLS} cột và {MAX_SHEET_CELLS} ô (tính từ ô đầu đến ô cuối có dữ liệu)."
        ),
        &format!(
            "The sheet is too large: at most {MAX_SHEET_ROWS} rows, {MAX_SHEET_COLS} columns and {MAX_SHEET_CELLS} cells (from the first to the last filled cell)."
        ),
    )
}

/// The first sheet, read cell by cell: the cells' own references are checked against
/// the bounds BEFORE any table is built, so the table can never be larger than the
/// caps whatever the sheet's `<dimension>` or cell references claim.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, Failure> {
    check_zip(bytes)?;
    let not_a_workbook = || refused("Tệp không phải bảng tính .xlsx hợp lệ.", "This is not a valid .xlsx workbook.");
    let unreadable = || refused("Không đọc được trang đầu của bảng tính.", "Cannot read the first sheet.");
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| not_a_workbook())?;
    let first = workbook
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| refused("Bảng tính không có trang nào.", "The workbook has no sheet."))?;
    let mut reader = workbook.worksheet_cells_reader(&first).map_err(|_| unreadable())?;
    let mut cells: Vec<((u32, u32), String)> = Vec::new();
    let (mut min_row, mut min_col, mut max_row, mut max_col) = (u32::MAX, u32::MAX, 0u32, 0u32);
    while let Some(cell) = reader.next_cell().map_err(|_| unreadable())? {
        let value = Data::from(cell.get_value().clone());
        if matches!(value, Data::Empty) {
            continue;
        }
        let (row, col) = cell.get_position();
        if row >= MAX_SHEET_ROWS || col >= MAX_SHEET_COLS {
            return Err(too_big_sheet());
        }
        (min_row, min_col) = (min_row.min(row), min_col.min(col));
        (max_row, max_col) = (max_row.max(row), max_col.max(col));
        let span = u64::from(max_row - min_row + 1) * u64::from(max_col - min_col + 1);
        if span > MAX_SHEET_CELLS {
            return Err(too_big_sheet());
        }
        cells.push(((row, col), cell_text(value)));
    }
    if cells.is_empty() {
        return Ok(Vec::new());
    }
    let width = (max_col - min_col + 1) as usize;
    let mut rows = vec![vec![String::new(); width]; (max_row - min_row + 1) as usize];
    for ((row, col), text) in cells {
        if let Some(slot) = rows.get_mut((row - min_row) as usize).and_then(|r| r.get_mut((col - min_col) as usize)) {
            *slot = text;
        }
    }
    Ok(rows)
}

fn cell_text(cell: Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s,
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            format!("{}", f as i64)
        }
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// A text cell that a spreadsheet could take for a formula gets a leading apostrophe;
/// a plain number ("-3.9") stays a number.
pub fn csv_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_plain_number(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// "-3.9", "-12", "0.5": an optional minus, digits and at most one decimal point.
fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// RFC 4180 CSV, UTF-8 with a BOM so that Excel shows Vietnamese correctly.
pub fn write_csv(header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, Failure> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        writer.write_record(header).map_err(Failure::internal)?;
        for row in rows {
            writer.write_record(row.iter().map(|c| csv_safe(c))).map_err(Failure::internal)?;
        }
        writer.flush().map_err(Failure::internal)?;
    }
    Ok(out)
}

/// One cell of a sheet.
pub enum Cell {
    /// Always a string cell, never a formula, whatever it starts with.
    Text(String),
    Integer(i64),
    /// A percentage given in percent (94.5 for 94,5%), shown with one decimal.
    Percent(f64),
    Date(chrono::NaiveDate),
    Empty,
}

/// One sheet of a workbook: an optional title row (red when it warns, e.g. simulated
/// data), then the bold, frozen header and the rows.
pub struct Sheet {
    pub name: String,
    pub title: Option<String>,
    pub title_warns: bool,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// An .xlsx with one sheet: bold frozen header, fitted widths, text always as text.
pub fn write_xlsx(sheet_name: &str, header: &[&str], rows: &[Vec<Cell>]) -> Result<Vec<u8>, Failure> {
    let mut workbook = Workbook::new();
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    add_sheet(&mut workbook, sheet_name, None, false, &header, rows)?;
    workbook.save_to_buffer().map_err(Failure::internal)
}

/// An .xlsx with several sheets, each as `write_xlsx` makes one.
pub fn write_workbook(sheets: &[Sheet]) -> Result<Vec<u8>, Failure> {
    let mut workbook = Workbook::new();
    for s in sheets {
        add_sheet(&mut workbook, &s.name, s.title.as_deref(), s.title_warns, &s.header, &s.rows)?;
    }
    workbook.save_to_buffer().map_err(Failure::internal)
}

fn add_sheet(
    workbook: &mut Workbook,
    sheet_name: &str,
    title: Option<&str>,
    title_warns: bool,
    header: &[String],
    rows: &[Vec<Cell>],
) -> Result<(), Failure> {
    let bold = Format::new().set_bold();
    let header_format =
        Format::new().set_bold().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::VerticalCenter);
    let integer = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.0%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name).map_err(Failure::internal)?;
    let mut first = 0u32;
    if let Some(t) = title {
        let format = if title_warns { Format::new().set_bold().set_font_color(0xC00000) } else { bold.clone() };
        sheet.write_string_with_format(0, 0, t, &format).map_err(Failure::internal)?;
        first = 1;
    }
    // A long header wraps rather than widening its column past 24 characters.
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count().min(24)).collect();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string_with_format(first, c as u16, h, &header_format).map_err(Failure::internal)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + first + 1;
        for (c, cell) in row.iter().enumerate() {
            let col = c as u16;
            let len = match cell {
                Cell::Text(t) => {
                    sheet.write_string(r, col, t).map_err(Failure::internal)?;
                    t.chars().count()
                }
                Cell::Integer(i) => {
                    sheet.write_number_with_format(r, col, *i as f64, &integer).map_err(Failure::internal)?;
                    i.to_string().len() + 2
                }
                Cell::Percent(p) => {
                    sheet.write_number_with_format(r, col, *p / 100.0, &percent).map_err(Failure::internal)?;
                    format!("{p:.1}").len() + 2
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let value =
                        rust_xlsxwriter::ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(Failure::internal)?;
                    sheet.write_datetime_with_format(r, col, &value, &date).map_err(Failure::internal)?;
                    10
                }
                Cell::Empty => 0,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(len);
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, (*w as f64 + 3.0).clamp(8.0, 60.0)).map_err(Failure::internal)?;
    }
    sheet.set_freeze_panes(first + 1, 0).map_err(Failure::internal)?;
    // Printed on A4 landscape, one page wide, the header repeated on every page.
    sheet.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(first, first).map_err(Failure::internal)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_in_csv() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        // A plain number stays a number (a decrease is -3.9, not the text '-3.9) …
        assert_eq!(csv_safe("-1"), "-1");
        assert_eq!(csv_safe("-3.9"), "-3.9");
        // … anything more after a sign is escaped.
        assert_eq!(csv_safe("-1+1"), "'-1+1");
        assert_eq!(csv_safe("-"), "'-");
        assert_eq!(csv_safe("-3."), "'-3.");
        assert_eq!(csv_safe("+5"), "'+5");
        assert_eq!(csv_safe("Đoàn xã"), "Đoàn xã");
        let bytes = write_csv(&["a"], &[vec!["=1+1".into()]]).unwrap_or_default();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        assert!(String::from_utf8_lossy(&bytes).contains("'=1+1"));
    }

    #[test]
    fn a_fake_workbook_is_refused() {
        assert!(read_table("units.xlsx", b"not a zip at all").is_err());
        assert!(read_table("units.pdf", b"%PDF").is_err());
    }

    #[test]
    fn a_zip_bomb_is_refused() {
        let mut buffer = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            zip.start_file("xl/worksheets/sheet1.xml", options).unwrap_or(());
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..60 {
                std::io::Write::write_all(&mut zip, &zeros).unwrap_or(());
            }
            zip.finish().map(|_| ()).unwrap_or(());
        }
        let bytes = buffer.into_inner();
        assert!(bytes.len() < MAX_UPLOAD_BYTES, "the bomb itself is small: {}", bytes.len());
        let err = read_table("bomb.xlsx", &bytes).err().map(|f| f.en).unwrap_or_default();
        assert!(err.contains("zip bomb"), "{err}");
    }

    #[test]
    fn a_sheet_spanning_the_whole_grid_is_refused_without_building_it() {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "A1").map(|_| ()).unwrap_or(());
        sheet.write_string(1_048_575, 16_383, "XFD1048576").map(|_| ()).unwrap_or(());
        let bytes = workbook.save_to_buffer().unwrap_or_default();
        assert!(bytes.len() < 10_000, "a small file: {}", bytes.len());
        let started = std::time::Instant::now();
        let err = read_table("two-cells.xlsx", &bytes).err().map(|f| f.en).unwrap_or_default();
        assert!(err.contains("too large"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Wide but short, and long but narrow, are refused too.
        for (row, col) in [(0u32, 2_000u16), (50_000, 0), (999, 150)] {
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.write_string(0, 0, "A1").map(|_| ()).unwrap_or(());
            sheet.write_string(row, col, "far").map(|_| ()).unwrap_or(());
            let bytes = workbook.save_to_buffer().unwrap_or_default();
            assert!(read_table("far.xlsx", &bytes).is_err(), "{row},{col}");
        }
    }

    #[test]
    fn a_sheet_starting_further_down_keeps_its_shape() {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(2, 1, "code").map(|_| ()).unwrap_or(());
        sheet.write_number(3, 2, 7.0).map(|_| ()).unwrap_or(());
        let bytes = workbook.save_to_buffer().unwrap_or_default();
        let rows = read_table("x.xlsx", &bytes).unwrap_or_default();
        assert_eq!(rows, vec![vec!["code".to_string(), String::new()], vec![String::new(), "7".to_string()]]);
    }

    #[test]
    fn xlsx_round_trip_keeps_text_and_numbers() {
        let bytes = write_xlsx(
            "Đơn vị",
            &["code", "name", "doan_vien"],
            &[vec![Cell::Text("899".into()), Cell::Text("=cmd".into()), Cell::Integer(1500)]],
        )
        .unwrap_or_default();
        let rows = read_table("x.xlsx", &bytes).unwrap_or_default();
        assert_eq!(rows[1], vec!["899".to_string(), "=cmd".to_string(), "1500".to_string()]);
    }
}
