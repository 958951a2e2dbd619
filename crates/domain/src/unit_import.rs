//! Checking a table of units and base figures (from .csv or .xlsx) before anything
//! is stored: every bad row is named with its row number and reason.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::plan::Level;
use crate::text::nfc;
use crate::unit::{BaseFigure, UnitKind};

/// One good row, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// 1-based row number in the file (the header is row 1).
    pub row: usize,
    pub code: String,
    /// None: keep the existing unit's parent (or the file gives none for the province).
    pub parent_code: Option<String>,
    /// None: an existing unit keeps its kind.
    pub kind: Option<UnitKind>,
    /// None: an existing unit keeps its name.
    pub name: Option<String>,
    /// Figures given in the row; a figure not here is left as it is.
    pub figures: BTreeMap<BaseFigure, i64>,
    /// Whether the unit exists already (an update rather than a creation).
    pub exists: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: usize,
    /// Both languages, "vi / en" for each problem, as the API and the CLI give it.
    pub message: String,
    /// The same in Vietnamese only, for a Vietnamese page.
    #[serde(skip)]
    pub vi: String,
    /// The same in English only, for an English page.
    #[serde(skip)]
    pub en: String,
}

impl RowError {
    /// A row's problems, each a (Vietnamese, English) pair.
    pub fn new(row: usize, problems: &[(String, String)]) -> RowError {
        let vi = problems.iter().map(|p| p.0.as_str()).collect::<Vec<_>>().join("; ");
        let en = problems.iter().map(|p| p.1.as_str()).collect::<Vec<_>>().join("; ");
        let message = problems.iter().map(|(v, e)| format!("{v} / {e}")).collect::<Vec<_>>().join("; ");
        RowError { row, message, vi, en }
    }

    /// One problem.
    pub fn one(row: usize, vi: impl Into<String>, en: impl Into<String>) -> RowError {
        RowError::new(row, &[(vi.into(), en.into())])
    }

    /// A message already in the reader's language (the same on both sides).
    pub fn said(row: usize, text: impl Into<String>) -> RowError {
        let text = text.into();
        RowError { row, message: text.clone(), vi: text.clone(), en: text }
    }

    pub fn message_vi(&self) -> &str {
        if self.vi.is_empty() {
            &self.message
        } else {
            &self.vi
        }
    }

    pub fn message_en(&self) -> &str {
        if self.en.is_empty() {
            &self.message
        } else {
            &self.en
        }
    }
}

/// Splits a "vi / en" message made by this crate at its middle " / " (a value quoted
/// on both sides, even one holding " / ", does not cut it in the wrong place).
pub fn split_pair(message: &str) -> (String, String) {
    let cuts: Vec<usize> = message.match_indices(" / ").map(|(i, _)| i).collect();
    match cuts.get(cuts.len() / 2) {
        Some(&i) if !cuts.is_empty() => (message[..i].to_string(), message[i + 3..].to_string()),
        _ => (message.to_string(), message.to_string()),
    }
}

/// A unit already in the database, as the check needs it.
#[derive(Debug, Clone)]
pub struct KnownUnit {
    pub level: Level,
    /// Its kind (None: a kind this version does not know).
    pub kind: Option<UnitKind>,
}

pub const COLUMNS: [&str; 4] = ["code", "parent_code", "kind", "name"];

/// Header names accepted, in English or Vietnamese.
fn column_key(header: &str) -> Option<String> {
    let h = crate::text::fold(header).replace(' ', "_");
    let key = match h.as_str() {
        "code" | "ma" | "ma_don_vi" => "code",
        "parent_code" | "ma_cap_tren" | "ma_don_vi_cap_tren" | "parent" => "parent_code",
        "kind" | "loai" | "loai_don_vi" => "kind",
        "name" | "ten" | "ten_don_vi" => "name",
        // Columns of the export that the import does not change.
        "level" | "cap" | "active" | "dang_hoat_dong" => "ignored",
        // A base figure by its code or its name in either language ("Số đoàn viên").
        other => {
            let by_name = |label: &str| crate::text::fold(label).replace(' ', "_");
            return BaseFigure::parse(other)
                .or_else(|| {
                    BaseFigure::ALL
                        .into_iter()
                        .find(|f| by_name(f.label_vi()) == other || by_name(f.label_en()) == other)
                })
                .map(|f| f.as_str().to_string());
        }
    };
    Some(key.to_string())
}

fn is_valid_code(code: &str) -> bool {
    !code.is_empty() && code.len() <= 40 && code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
}

/// Checks the rows (the first is the header). Returns every good row, or every error.
pub fn check_rows(rows: &[Vec<String>], known: &HashMap<String, KnownUnit>) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let mut errors = Vec::new();
    let Some(header) = rows.first() else {
        return Err(vec![RowError::one(1, "tệp trống", "the file is empty")]);
    };
    let mut columns: Vec<Option<String>> = Vec::new();
    for (i, h) in header.iter().enumerate() {
        let key = column_key(h);
        if key.is_none() && !h.trim().is_empty() {
            errors.push(RowError::one(
                1,
                format!("cột {} \"{h}\" không xác định", i + 1),
                format!("column {} \"{h}\" is unknown", i + 1),
            ));
        }
        columns.push(key);
    }
    if !columns.iter().any(|c| c.as_deref() == Some("code")) {
        errors.push(RowError::one(1, "thiếu cột Mã (mã đơn vị)", "the column code is missing"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out: Vec<ImportRow> = Vec::new();
    let mut levels_in_file: HashMap<String, Level> = HashMap::new();
    for (index, cells) in rows.iter().enumerate().skip(1) {
        let row = index + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let mut values: HashMap<&str, String> = HashMap::new();
        for (i, cell) in cells.iter().enumerate() {
            if let Some(Some(key)) = columns.get(i) {
                values.insert(key.as_str(), nfc(cell.trim()));
            }
        }
        let get = |k: &str| values.get(k).cloned().filter(|v| !v.is_empty());
        let mut problems: Vec<(String, String)> = Vec::new();
        let code = get("code").unwrap_or_default();
        if !is_valid_code(&code) {
            problems.push((
                format!("mã \"{code}\" không hợp lệ (chữ, số, - _ .)"),
                format!("invalid code \"{code}\" (letters, digits, - _ .)"),
            ));
        }
        let existing = known.get(&code);
        if levels_in_file.contains_key(&code) {
            problems.push((format!("mã {code} lặp lại trong tệp"), format!("code {code} appears twice in the file")));
        }
        let kind = match get("kind") {
            Some(k) => match UnitKind::parse_any(&k) {
                Some(kind) => Some(kind),
                None => {
                    problems.push((format!("loại \"{k}\" không hợp lệ"), format!("unknown kind \"{k}\"")));
                    None
                }
            },
            None if existing.is_none() => {
                problems.push(("đơn vị mới cần cột Loại".into(), "a new unit needs a kind".into()));
                None
            }
            None => None,
        };
        // The import does not change the kind of a unit that exists (its level, its
        // reports and its plan depend on it): a different kind is refused, not ignored.
        if let (Some(new), Some(old)) = (kind, existing.and_then(|e| e.kind)) {
            if new != old {
                problems.push((
                    format!(
                        "đơn vị {code} đã có với loại «{}»: tệp nhập không đổi được loại đơn vị (để trống cột Loại, \
                         hoặc dùng trang Sắp xếp lại đơn vị)",
                        old.label_vi()
                    ),
                    format!(
                        "unit {code} exists as «{}»: an import cannot change a unit's kind (leave the kind empty, \
                         or use the reorganisation page)",
                        old.label_en()
                    ),
                ));
            }
        }
        let name = get("name");
        if let Some(n) = &name {
            let len = n.chars().count();
            if n.chars().any(char::is_control) {
                problems.push((
                    "tên có ký tự điều khiển (ký tự ẩn, xuống dòng…): hãy gõ lại tên".into(),
                    "the name has control characters (hidden characters, line breaks…): type it again".into(),
                ));
            } else if !(2..=200).contains(&len) {
                problems.push(("tên cần 2–200 ký tự".into(), "a name needs 2–200 characters".into()));
            }
        } else if existing.is_none() {
            problems.push(("đơn vị mới cần tên".into(), "a new unit needs a name".into()));
        }
        let parent_code = get("parent_code");
        let level = kind.map(UnitKind::level).or(existing.map(|e| e.level));
        if let Some(p) = &parent_code {
            let parent_level = known.get(p).map(|k| k.level).or_else(|| levels_in_file.get(p).copied());
            match (parent_level, level) {
                (None, _) => problems.push((
                    format!("không có đơn vị cấp trên mã {p} (trong hệ thống hoặc ở dòng trước)"),
                    format!("no parent unit {p} (in the system or in an earlier row)"),
                )),
                (Some(pl), Some(l)) if pl >= l => problems.push((
                    format!("đơn vị cấp trên {p} không ở cấp cao hơn"),
                    format!("parent {p} is not of a higher level"),
                )),
                _ => {}
            }
        } else if existing.is_none() && level.is_some_and(|l| l != Level::Province) {
            problems.push(("đơn vị mới cần Mã cấp trên".into(), "a new unit needs a parent code".into()));
        }
        let mut figures = BTreeMap::new();
        for figure in BaseFigure::ALL {
            if let Some(text) = get(figure.as_str()) {
                match crate::base_figures::parse_base_value(&text) {
                    Some(v) => {
                        figures.insert(figure, v);
                    }
                    None => problems.push((
                        format!("{}: \"{text}\" {}", figure.label_vi(), crate::base_figures::BASE_VALUE_RULE.0),
                        format!("{}: \"{text}\" {}", figure.label_en(), crate::base_figures::BASE_VALUE_RULE.1),
                    )),
                }
            }
        }
        if problems.is_empty() {
            if let Some(l) = level {
                levels_in_file.insert(code.clone(), l);
            }
            out.push(ImportRow { row, code, parent_code, kind, name, figures, exists: existing.is_some() });
        } else {
            if !code.is_empty() {
                if let Some(l) = level {
                    levels_in_file.entry(code.clone()).or_insert(l);
                }
            }
            errors.push(RowError::new(row, &problems));
        }
    }
    if out.is_empty() && errors.is_empty() {
        errors.push(RowError::one(2, "tệp không có dòng dữ liệu nào", "the file has no data rows"));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<String>> {
        text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect()
    }

    fn known() -> HashMap<String, KnownUnit> {
        let mut k = HashMap::new();
        k.insert("91".into(), KnownUnit { level: Level::Province, kind: Some(UnitKind::Province) });
        k.insert("899".into(), KnownUnit { level: Level::District, kind: Some(UnitKind::City) });
        k
    }

    #[test]
    fn an_existing_units_kind_is_not_changed_and_a_base_of_zero_or_a_hidden_character_is_named() {
        // The same kind (as the export writes it) passes; another is refused, not ignored.
        assert!(check_rows(&rows("code,kind\n899,city"), &known()).is_ok());
        let errors = check_rows(&rows("code,kind\n899,province"), &known()).unwrap_err();
        assert!(errors[0].message_vi().contains("không đổi được loại đơn vị"), "{errors:?}");
        assert!(errors[0].message_en().contains("cannot change a unit's kind"), "{errors:?}");
        // 0 is not a base figure (it would be a denominator of nothing): say what to do.
        let errors = check_rows(&rows("code,doan_vien\n899,0"), &known()).unwrap_err();
        assert!(
            errors[0].message_vi().contains("lớn hơn 0") && errors[0].message_vi().contains("để trống"),
            "{errors:?}"
        );
        // A control character in a name is named as such, not as a length.
        let errors = check_rows(&rows("code,name\n899,Thành đoàn\u{0}Rạch Giá"), &known()).unwrap_err();
        assert!(errors[0].message_vi().contains("ký tự điều khiển"), "{errors:?}");
    }

    #[test]
    fn good_rows_pass_with_parents_earlier_in_the_file() {
        let r = rows("code,parent_code,kind,name,doan_vien\nCA,91,affiliated,Đoàn Khối Cơ quan,1.200\nCA-1,CA,agency,Chi đoàn Sở Y tế,40\n899,,,,3500");
        let ok = check_rows(&r, &known()).unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[0].figures.get(&BaseFigure::DoanVien), Some(&1200));
        assert!(ok[2].exists);
    }

    #[test]
    fn three_bad_rows_are_named_and_nothing_passes() {
        let r = rows("code,parent_code,kind,name,doan_vien\nA1,91,affiliated,Đoàn A,10\nB 2,91,affiliated,Đoàn B,10\nC3,999,commune,Đoàn xã C,10\nD4,899,commune,Đoàn xã D,-4\nE5,899,commune,Đoàn xã E,5");
        let errors = check_rows(&r, &known()).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.row).collect::<Vec<_>>(), vec![3, 4, 5]);
        assert!(errors[1].message.contains("999"));
    }

    #[test]
    fn vietnamese_headers_are_understood_and_unknown_ones_refused() {
        let r = rows("Mã,Mã cấp trên,Loại,Tên\nX1,91,affiliated,Đoàn X");
        assert!(check_rows(&r, &known()).is_ok());
        let r = rows("code,colour\nX1,red");
        assert_eq!(check_rows(&r, &known()).unwrap_err()[0].row, 1);
    }

    #[test]
    fn a_unit_cannot_sit_under_a_lower_level() {
        let r = rows("code,parent_code,kind,name\nX1,899,affiliated,Đoàn X");
        assert!(check_rows(&r, &known()).is_err());
    }

    #[test]
    fn vietnamese_column_names_and_kinds_are_read() {
        let r = rows("Mã,Mã cấp trên,Loại,Tên,Số đoàn viên,Cấp\nX1,899,Đoàn xã,Đoàn xã X,120,3\nX2,91,Commune Youth Union,Đoàn xã Y,,");
        let ok = check_rows(&r, &known()).expect("read");
        assert_eq!(ok[0].kind, Some(UnitKind::Commune));
        assert_eq!(ok[0].figures.get(&BaseFigure::DoanVien), Some(&120));
        assert_eq!(ok[1].kind, Some(UnitKind::Commune));
    }

    #[test]
    fn a_bad_row_is_said_in_each_language_apart() {
        let r = rows("code,parent_code,kind,name\nX1,999,truong,Đoàn X");
        let errors = check_rows(&r, &known()).expect_err("bad row");
        let e = &errors[0];
        assert_eq!(e.row, 2);
        assert!(e.message_vi().contains("loại \"truong\" không hợp lệ"), "{}", e.message_vi());
        assert!(!e.message_vi().contains("unknown"), "{}", e.message_vi());
        assert!(e.message_en().contains("unknown kind \"truong\""), "{}", e.message_en());
        assert!(e.message_en().contains("no parent unit 999"), "{}", e.message_en());
        assert!(!e.message_en().contains("không"), "{}", e.message_en());
        // The API's form keeps both: "vi / en" for each problem.
        assert!(e.message.contains("loại \"truong\" không hợp lệ / unknown kind \"truong\""), "{}", e.message);
    }

    #[test]
    fn a_pair_is_split_at_its_middle() {
        assert_eq!(split_pair("a \"x / y\" sai / bad \"x / y\""), ("a \"x / y\" sai".into(), "bad \"x / y\"".into()));
        assert_eq!(split_pair("chỉ một"), ("chỉ một".into(), "chỉ một".into()));
    }
}
