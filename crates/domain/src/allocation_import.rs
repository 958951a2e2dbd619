//! An allocation table (giao chỉ tiêu) read from a spreadsheet: one row per unit
//! directly under the allocating unit, with its code and its goal. Every bad cell is
//! named by its row, its column and the value found there; nothing is taken unless
//! every row is right.

use std::collections::HashMap;

/// A unit that may receive a goal here (a direct child of the allocating unit).
#[derive(Debug, Clone)]
pub struct Child {
    pub code: String,
    pub name: String,
}

/// One goal read from the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalRow {
    pub row: usize,
    pub code: String,
    pub goal: i64,
}

/// What is wrong with one cell (or the header), in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The spreadsheet's row number (the header is row 1).
    pub row: usize,
    /// The spreadsheet's column letter ("A", "B", …), when one cell is at fault.
    pub column: Option<String>,
    pub value: String,
    pub vi: String,
    pub en: String,
}

impl CellError {
    /// "Dòng 4, cột B (chỉ tiêu giao), giá trị "12a": …"
    pub fn sentence(&self, vi: bool) -> String {
        let place = match (&self.column, vi) {
            (Some(c), true) => format!("Dòng {}, cột {c}", self.row),
            (Some(c), false) => format!("Row {}, column {c}", self.row),
            (None, true) => format!("Dòng {}", self.row),
            (None, false) => format!("Row {}", self.row),
        };
        let value = if self.value.is_empty() {
            if vi {
                " (ô trống)".to_string()
            } else {
                " (empty cell)".to_string()
            }
        } else if vi {
            format!(", giá trị «{}»", self.value)
        } else {
            format!(", value «{}»", self.value)
        };
        format!("{place}{value}: {}", if vi { &self.vi } else { &self.en })
    }
}

/// "A" for the first column, "AA" for the 27th.
pub fn column_letter(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + r as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

fn header_key(cell: &str) -> String {
    crate::text::fold(cell.trim()).replace([' ', '-'], "_")
}

const CODE_HEADERS: [&str; 4] = ["code", "ma", "ma_don_vi", "ma_dv"];
const GOAL_HEADERS: [&str; 5] = ["goal", "chi_tieu", "chi_tieu_giao", "chi_tieu_duoc_giao", "so_giao"];

/// Checks an allocation table for the units under `parent_name`. Returns the goals,
/// or every error found (nothing is taken when there is one).
pub fn check_rows(
    table: &[Vec<String>],
    children: &[Child],
    parent_name: &str,
) -> Result<Vec<GoalRow>, Vec<CellError>> {
    let Some(header) = table.first() else {
        return Err(vec![CellError {
            row: 1,
            column: None,
            value: String::new(),
            vi: "tệp trống, không có dòng tiêu đề".into(),
            en: "the file is empty, no heading row".into(),
        }]);
    };
    let find = |names: &[&str]| header.iter().position(|h| names.contains(&header_key(h).as_str()));
    let (code_col, goal_col) = match (find(&CODE_HEADERS), find(&GOAL_HEADERS)) {
        (Some(c), Some(g)) => (c, g),
        (code, _) => {
            let (vi, en) = if code.is_none() {
                (
                    "thiếu cột mã đơn vị (tiêu đề \"code\" hoặc \"mã\")",
                    "the unit code column is missing (heading \"code\" or \"mã\")",
                )
            } else {
                (
                    "thiếu cột chỉ tiêu giao (tiêu đề \"goal\" hoặc \"chỉ tiêu giao\")",
                    "the goal column is missing (heading \"goal\" or \"chỉ tiêu giao\")",
                )
            };
            return Err(vec![CellError {
                row: 1,
                column: None,
                value: header.join(" | "),
                vi: vi.into(),
                en: en.into(),
            }]);
        }
    };
    let by_code: HashMap<String, &Child> = children.iter().map(|c| (c.code.to_uppercase(), c)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (index, cells) in table.iter().enumerate().skip(1) {
        let row = index + 1;
        let cell = |i: usize| cells.get(i).map(|c| c.trim().to_string()).unwrap_or_default();
        let (code, goal) = (cell(code_col), cell(goal_col));
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut bad = |column: usize, value: &str, vi: String, en: String| {
            errors.push(CellError { row, column: Some(column_letter(column)), value: value.to_string(), vi, en });
        };
        let child = if code.is_empty() {
            bad(code_col, &code, "thiếu mã đơn vị".into(), "the unit code is missing".into());
            None
        } else {
            match by_code.get(&code.to_uppercase()) {
                Some(c) => {
                    if let Some(first) = seen.insert(c.code.clone(), row) {
                        bad(
                            code_col,
                            &code,
                            format!("đơn vị này đã có ở dòng {first}"),
                            format!("this unit is already on row {first}"),
                        );
                    }
                    Some(*c)
                }
                None => {
                    bad(
                        code_col,
                        &code,
                        format!("không có đơn vị nào mã này trực thuộc {parent_name}"),
                        format!("no unit with this code is directly under {parent_name}"),
                    );
                    None
                }
            }
        };
        let value = if goal.is_empty() {
            bad(goal_col, &goal, "thiếu chỉ tiêu giao".into(), "the goal is missing".into());
            None
        } else {
            match crate::base_figures::parse_whole(&goal) {
                Some(n) => Some(n),
                None => {
                    bad(
                        goal_col,
                        &goal,
                        "chỉ tiêu giao phải là số nguyên không âm (ví dụ 1.200)".into(),
                        "the goal must be a whole number, not negative (e.g. 1200 or 1.200)".into(),
                    );
                    None
                }
            }
        };
        if let (Some(c), Some(goal)) = (child, value) {
            out.push(GoalRow { row, code: c.code.clone(), goal });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if out.is_empty() {
        return Err(vec![CellError {
            row: 2,
            column: None,
            value: String::new(),
            vi: "tệp không có dòng chỉ tiêu nào".into(),
            en: "the file has no goal rows".into(),
        }]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn children() -> Vec<Child> {
        vec![
            Child { code: "KG-RG".into(), name: "Thành Đoàn Rạch Giá".into() },
            Child { code: "KG-HD".into(), name: "Huyện Đoàn Hòn Đất".into() },
        ]
    }

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| (*c).to_string()).collect()).collect()
    }

    #[test]
    fn a_good_table_gives_goals_with_vietnamese_headings_and_thousands() {
        let t =
            table(&[&["Mã", "Tên", "Chỉ tiêu giao"], &["kg-rg", "x", "1.200"], &["KG-HD", "y", "800"], &["", "", ""]]);
        let rows = check_rows(&t, &children(), "Tỉnh Đoàn").unwrap();
        assert_eq!(
            rows,
            vec![
                GoalRow { row: 2, code: "KG-RG".into(), goal: 1200 },
                GoalRow { row: 3, code: "KG-HD".into(), goal: 800 }
            ]
        );
    }

    #[test]
    fn every_bad_cell_is_named_with_its_row_column_and_value() {
        let t =
            table(&[&["code", "name", "goal"], &["KG-RG", "x", "12a"], &["KG-XX", "y", "5"], &["KG-RG", "z", "-3"]]);
        let errors = check_rows(&t, &children(), "Tỉnh Đoàn").unwrap_err();
        let vi: Vec<String> = errors.iter().map(|e| e.sentence(true)).collect();
        assert_eq!(vi[0], "Dòng 2, cột C, giá trị «12a»: chỉ tiêu giao phải là số nguyên không âm (ví dụ 1.200)");
        assert_eq!(vi[1], "Dòng 3, cột A, giá trị «KG-XX»: không có đơn vị nào mã này trực thuộc Tỉnh Đoàn");
        assert_eq!(vi[2], "Dòng 4, cột A, giá trị «KG-RG»: đơn vị này đã có ở dòng 2");
        assert!(vi[3].starts_with("Dòng 4, cột C, giá trị «-3»"), "{}", vi[3]);
        assert!(errors[0].sentence(false).starts_with("Row 2, column C, value «12a»: the goal must be"));
    }

    #[test]
    fn a_missing_column_or_an_empty_table_is_said() {
        let e = check_rows(&table(&[&["code", "name"]]), &children(), "T").unwrap_err();
        assert!(e[0].vi.contains("thiếu cột chỉ tiêu giao"));
        let e = check_rows(&table(&[&["code", "goal"]]), &children(), "T").unwrap_err();
        assert!(e[0].vi.contains("không có dòng chỉ tiêu"));
        assert!(check_rows(&[], &children(), "T").is_err());
    }

    #[test]
    fn column_letters_go_past_z() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
    }
}
