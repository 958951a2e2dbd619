//! Base figures per unit (số đoàn viên, số thanh niên, ...), read from a CSV with one
//! column per figure. An empty cell is a missing figure, never a zero.

use std::collections::BTreeMap;

use crate::unit::{BaseFigure, UnitFileError};

/// The figures given for one unit; absent keys are missing figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitBaseFigures {
    pub code: String,
    pub figures: BTreeMap<BaseFigure, i64>,
}

/// Parses `code,name?,<figure>...` rows. Lines starting with `#` are comments.
/// Every bad cell is reported with its line; nothing is returned unless all are good.
pub fn parse_base_figures_csv(text: &str) -> Result<Vec<UnitBaseFigures>, Vec<UnitFileError>> {
    let mut reader =
        csv::ReaderBuilder::new().trim(csv::Trim::All).comment(Some(b'#')).flexible(false).from_reader(text.as_bytes());
    let mut errors = Vec::new();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![UnitFileError {
                line: 1,
                message: format!("không đọc được tiêu đề / unreadable header: {e}"),
            }])
        }
    };
    let mut columns = Vec::new();
    let mut code_column = None;
    for (i, h) in headers.iter().enumerate() {
        match h {
            "code" => code_column = Some(i),
            "name" => {}
            other => match BaseFigure::parse(other) {
                Some(fig) => columns.push((i, fig)),
                None => errors.push(UnitFileError {
                    line: 1,
                    message: format!("cột không xác định / unknown column \"{other}\""),
                }),
            },
        }
    }
    let Some(code_column) = code_column else {
        errors.push(UnitFileError { line: 1, message: "thiếu cột code / missing column code".into() });
        return Err(errors);
    };
    let mut out = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                errors.push(UnitFileError {
                    line, message: format!("dòng không đọc được / unreadable row: {e}")
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line() as usize).unwrap_or(0);
        let code = record.get(code_column).unwrap_or("").to_string();
        if code.is_empty() {
            errors.push(UnitFileError { line, message: "thiếu mã đơn vị / missing unit code".into() });
            continue;
        }
        let mut figures = BTreeMap::new();
        for (i, fig) in &columns {
            let cell = record.get(*i).unwrap_or("");
            if cell.is_empty() {
                continue;
            }
            match parse_base_value(cell) {
                Some(v) => {
                    figures.insert(*fig, v);
                }
                None => errors.push(UnitFileError {
                    line,
                    message: format!("{}: \"{cell}\" {} / {}", fig.as_str(), BASE_VALUE_RULE.0, BASE_VALUE_RULE.1),
                }),
            }
        }
        out.push(UnitBaseFigures { code, figures });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A base figure typed or imported: a whole number above 0, with or without
/// Vietnamese thousands dots ("1.500"). A base figure is the denominator of a
/// percentage: a 0 would count the unit's people against nothing at the levels above
/// while the unit itself shows no percentage, so a unit without the thing leaves the
/// figure empty (no base figure) and the office can mark the figure complete.
pub fn parse_base_value(text: &str) -> Option<i64> {
    parse_whole(text).filter(|v| *v > 0)
}

/// What [`parse_base_value`] accepts, for error messages (Vietnamese, English).
pub const BASE_VALUE_RULE: (&str, &str) = (
    "phải là số nguyên lớn hơn 0, ví dụ 1.500 (đơn vị không có thì để trống)",
    "must be a whole number above 0, e.g. 1500 (leave it empty if the unit has none)",
);

/// A whole non-negative number, with or without Vietnamese thousands dots ("1.500").
pub fn parse_whole(text: &str) -> Option<i64> {
    let t = text.trim();
    let digits = if t.contains('.') {
        let groups: Vec<&str> = t.split('.').collect();
        let ok = groups[0].len() <= 3 && !groups[0].is_empty() && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
        groups.concat()
    } else {
        t.to_string()
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_cells_are_missing_not_zero() {
        let rows = parse_base_figures_csv("code,name,doan_vien,thanh_nien\n899,Rạch Giá,1.500,\n").unwrap();
        assert_eq!(rows[0].figures.get(&BaseFigure::DoanVien), Some(&1500));
        assert_eq!(rows[0].figures.get(&BaseFigure::ThanhNien), None);
    }

    #[test]
    fn bad_cells_are_reported_with_their_line() {
        let errors = parse_base_figures_csv("code,doan_vien\n1,-5\n2,abc\n3,12\n").unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 3]);
    }

    #[test]
    fn whole_numbers_accept_thousand_dots_only_in_groups_of_three() {
        assert_eq!(parse_whole("20.000"), Some(20000));
        assert_eq!(parse_whole("20000"), Some(20000));
        assert_eq!(parse_whole("2.00"), None);
        assert_eq!(parse_whole("1,5"), None);
    }
}
