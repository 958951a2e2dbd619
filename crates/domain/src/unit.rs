//! Units of the Youth Union tree, their kinds and base figures.

use serde::{Deserialize, Serialize};

use crate::plan::Level;
use crate::text::nfc;

/// What kind of union a unit is. The level follows from the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Tỉnh đoàn
    Province,
    /// Thành đoàn (thành phố)
    City,
    /// Huyện đoàn
    District,
    /// Đoàn trực thuộc: district level, no territory
    Affiliated,
    /// Đoàn phường
    Ward,
    /// Đoàn thị trấn
    Township,
    /// Đoàn xã
    Commune,
    /// Đoàn đặc khu: a special zone (đặc khu), commune level since 1/7/2025
    SpecialZone,
    /// Đoàn trường
    School,
    /// Đoàn cơ quan
    Agency,
    /// Đoàn doanh nghiệp
    Enterprise,
    /// Chi đoàn
    Branch,
}

impl UnitKind {
    pub const ALL: [UnitKind; 12] = [
        UnitKind::Province,
        UnitKind::City,
        UnitKind::District,
        UnitKind::Affiliated,
        UnitKind::Ward,
        UnitKind::Township,
        UnitKind::Commune,
        UnitKind::SpecialZone,
        UnitKind::School,
        UnitKind::Agency,
        UnitKind::Enterprise,
        UnitKind::Branch,
    ];

    pub fn level(self) -> Level {
        match self {
            UnitKind::Province => Level::Province,
            UnitKind::City | UnitKind::District | UnitKind::Affiliated => Level::District,
            UnitKind::Ward
            | UnitKind::Township
            | UnitKind::Commune
            | UnitKind::SpecialZone
            | UnitKind::School
            | UnitKind::Agency
            | UnitKind::Enterprise => Level::Grassroots,
            UnitKind::Branch => Level::Branch,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::City => "city",
            UnitKind::District => "district",
            UnitKind::Affiliated => "affiliated",
            UnitKind::Ward => "ward",
            UnitKind::Township => "township",
            UnitKind::Commune => "commune",
            UnitKind::SpecialZone => "special_zone",
            UnitKind::School => "school",
            UnitKind::Agency => "agency",
            UnitKind::Enterprise => "enterprise",
            UnitKind::Branch => "branch",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The administrative kinds used by the GSO list (tinh, thanh_pho, huyen, ...).
    pub fn from_gso(text: &str) -> Option<Self> {
        match text {
            "tinh" | "thanh_pho_truc_thuoc_trung_uong" => Some(UnitKind::Province),
            "thanh_pho" | "thi_xa" => Some(UnitKind::City),
            "huyen" => Some(UnitKind::District),
            "phuong" => Some(UnitKind::Ward),
            "thi_tran" => Some(UnitKind::Township),
            "xa" => Some(UnitKind::Commune),
            "dac_khu" => Some(UnitKind::SpecialZone),
            _ => None,
        }
    }

    /// Vietnamese name of the kind, as shown in lists.
    pub fn label_vi(self) -> &'static str {
        match self {
            UnitKind::Province => "Tỉnh đoàn",
            UnitKind::City => "Thành đoàn",
            UnitKind::District => "Huyện đoàn",
            UnitKind::Affiliated => "Đoàn trực thuộc",
            UnitKind::Ward => "Đoàn phường",
            UnitKind::Township => "Đoàn thị trấn",
            UnitKind::Commune => "Đoàn xã",
            UnitKind::SpecialZone => "Đoàn đặc khu",
            UnitKind::School => "Đoàn trường",
            UnitKind::Agency => "Đoàn cơ quan",
            UnitKind::Enterprise => "Đoàn doanh nghiệp",
            UnitKind::Branch => "Chi đoàn",
        }
    }

    /// English name of the kind, for the English interface.
    pub fn label_en(self) -> &'static str {
        match self {
            UnitKind::Province => "Provincial Youth Union",
            UnitKind::City => "City Youth Union",
            UnitKind::District => "District Youth Union",
            UnitKind::Affiliated => "Directly affiliated union",
            UnitKind::Ward => "Ward Youth Union",
            UnitKind::Township => "Township Youth Union",
            UnitKind::Commune => "Commune Youth Union",
            UnitKind::SpecialZone => "Special zone Youth Union",
            UnitKind::School => "School Youth Union",
            UnitKind::Agency => "Agency Youth Union",
            UnitKind::Enterprise => "Enterprise Youth Union",
            UnitKind::Branch => "Youth Union branch",
        }
    }

    /// The kind from its code, its GSO name or its name in either language, accents
    /// and case ignored ("commune", "xa", "Đoàn xã", "doan xa").
    pub fn parse_any(text: &str) -> Option<Self> {
        let t = text.trim();
        UnitKind::parse(t).or_else(|| UnitKind::from_gso(t)).or_else(|| {
            let folded = crate::text::fold(t).replace(['_', '-'], " ");
            let folded = folded.split_whitespace().collect::<Vec<_>>().join(" ");
            UnitKind::ALL.into_iter().find(|k| {
                crate::text::fold(k.label_vi()) == folded
                    || crate::text::fold(k.label_en()) == folded
                    || k.as_str() == folded
            })
        })
    }
}

/// Base figures used as denominators (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BaseFigure {
    /// Số đoàn viên
    DoanVien,
    /// Số cán bộ đoàn
    CanBoDoan,
    /// Số thanh niên
    ThanhNien,
    /// Số thanh thiếu nhi
    ThanhThieuNhi,
    /// Số CLB "Thắp sáng niềm tin", "Tuổi trẻ với pháp luật"
    ClbTsntTtvpl,
}

impl BaseFigure {
    pub const ALL: [BaseFigure; 5] = [
        BaseFigure::DoanVien,
        BaseFigure::CanBoDoan,
        BaseFigure::ThanhNien,
        BaseFigure::ThanhThieuNhi,
        BaseFigure::ClbTsntTtvpl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            BaseFigure::DoanVien => "doan_vien",
            BaseFigure::CanBoDoan => "can_bo_doan",
            BaseFigure::ThanhNien => "thanh_nien",
            BaseFigure::ThanhThieuNhi => "thanh_thieu_nhi",
            BaseFigure::ClbTsntTtvpl => "clb_tsnt_ttvpl",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        BaseFigure::ALL.into_iter().find(|b| b.as_str() == text)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            BaseFigure::DoanVien => "Số đoàn viên",
            BaseFigure::CanBoDoan => "Số cán bộ đoàn",
            BaseFigure::ThanhNien => "Số thanh niên",
            BaseFigure::ThanhThieuNhi => "Số thanh thiếu nhi",
            BaseFigure::ClbTsntTtvpl => "Số CLB Thắp sáng niềm tin, Tuổi trẻ với pháp luật",
        }
    }

    pub fn label_en(self) -> &'static str {
        match self {
            BaseFigure::DoanVien => "Union members",
            BaseFigure::CanBoDoan => "Union officers",
            BaseFigure::ThanhNien => "Youth",
            BaseFigure::ThanhThieuNhi => "Children and youth",
            BaseFigure::ClbTsntTtvpl => "Law and faith clubs",
        }
    }
}

/// A unit as loaded from a units file: the seed of the unit tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitSeed {
    pub code: String,
    pub parent_code: Option<String>,
    pub kind: UnitKind,
    /// The union's name: "Huyện đoàn Hòn Đất", "Đoàn xã Phi Thông".
    pub name: String,
    /// The administrative unit it serves, when it has territory: "Huyện Hòn Đất".
    pub admin_name: Option<String>,
    /// GSO code of the administrative unit, when it has territory.
    pub gso_code: Option<String>,
}

impl UnitSeed {
    pub fn level(&self) -> Level {
        self.kind.level()
    }
}

/// The union's name for an administrative unit: "Thành phố Rạch Giá" → "Thành đoàn Rạch Giá",
/// "Xã Phi Thông" → "Đoàn xã Phi Thông", "Tỉnh Kiên Giang" → "Tỉnh đoàn Kiên Giang".
pub fn union_name(kind: UnitKind, admin_name: &str) -> String {
    let admin_name = nfc(admin_name.trim());
    let prefixes: &[&str] = match kind {
        UnitKind::Province => &["Tỉnh ", "Thành phố "],
        UnitKind::City => &["Thành phố ", "Thị xã "],
        UnitKind::District => &["Huyện "],
        UnitKind::Ward => &["Phường "],
        UnitKind::Township => &["Thị trấn "],
        UnitKind::Commune => &["Xã "],
        UnitKind::SpecialZone => &["Đặc khu "],
        _ => &[],
    };
    let bare = prefixes.iter().find_map(|p| admin_name.strip_prefix(p)).unwrap_or(&admin_name).to_string();
    let words = union_words(kind);
    // A Thị xã's union is a Thị đoàn (the second word of a city).
    let word =
        if kind == UnitKind::City && admin_name.starts_with("Thị xã ") { words.get(1) } else { words.first() };
    match word {
        Some(word) => format!("{word} {bare}"),
        None => admin_name,
    }
}

/// The words a union's name starts with, by its kind ("Huyện đoàn", "Đoàn xã"…);
/// none for a union without territory. `union_name` writes them, `document_place`
/// reads the place after them.
fn union_words(kind: UnitKind) -> &'static [&'static str] {
    match kind {
        UnitKind::Province => &["Tỉnh đoàn"],
        UnitKind::City => &["Thành đoàn", "Thị đoàn"],
        UnitKind::District => &["Huyện đoàn"],
        UnitKind::Ward => &["Đoàn phường"],
        UnitKind::Township => &["Đoàn thị trấn"],
        UnitKind::Commune => &["Đoàn xã"],
        UnitKind::SpecialZone => &["Đoàn đặc khu"],
        _ => &[],
    }
}

/// The union words its name starts with, and what its standing committee signs as:
/// "Huyện đoàn Tân Hiệp" signs "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN".
const UNION_WORDS: [&str; 4] = ["tỉnh đoàn ", "thành đoàn ", "thị đoàn ", "huyện đoàn "];

/// What follows `prefix` (lower case) at the start of `name`, ignoring case.
fn after_prefix<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let n = prefix.chars().count();
    let head: String = name.chars().take(n).collect();
    if head.to_lowercase() != prefix {
        return None;
    }
    let rest = name.char_indices().nth(n).map(|(i, _)| &name[i..]).unwrap_or("").trim();
    (!rest.is_empty()).then_some(rest)
}

/// The symbol after a document's number, by the issuing union's kind (the Đoàn's
/// convention): "Số: ....-BC/TĐTN" for the Tỉnh đoàn and a Thành đoàn (or Thị đoàn),
/// "…-BC/HĐTN" for a Huyện đoàn, "…-BC/ĐTN" for every other union.
pub fn document_symbol(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Province | UnitKind::City => "TĐTN",
        UnitKind::District => "HĐTN",
        _ => "ĐTN",
    }
}

/// Where a union's documents are dated: the place its name names ("Huyện đoàn Tân
/// Hiệp" → "Tân Hiệp", "Thành đoàn Rạch Giá" → "Rạch Giá", "Đoàn xã Thạnh Đông" →
/// "Thạnh Đông"). None for a union without territory (đoàn trực thuộc, schools,
/// agencies, enterprises, branches) or a name that names no place: its documents
/// are dated where the province's are.
pub fn document_place(kind: UnitKind, name: &str) -> Option<String> {
    let name = nfc(name.trim());
    union_words(kind).iter().find_map(|w| after_prefix(&name, &format!("{} ", w.to_lowercase()))).map(str::to_string)
}

/// On whose behalf a union's report is signed: "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN" for
/// "Huyện đoàn Tân Hiệp" ("TỈNH ĐOÀN", "THÀNH ĐOÀN", "THỊ ĐOÀN" alike); "TM. BAN
/// THƯỜNG VỤ" for another union.
pub fn standing_committee(name: &str) -> String {
    let name = nfc(name.trim());
    match UNION_WORDS.iter().find(|w| after_prefix(&name, w).is_some()) {
        Some(word) => format!("TM. BAN THƯỜNG VỤ {}", word.trim().to_uppercase()),
        None => "TM. BAN THƯỜNG VỤ".to_string(),
    }
}

#[derive(Debug, thiserror::Error)]
#[error("dòng {line} (line {line}): {message}")]
pub struct UnitFileError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Deserialize)]
struct GsoRow {
    code: String,
    parent_code: String,
    #[allow(dead_code)]
    level: String,
    kind: String,
    name: String,
}

/// Reads the GSO administrative units CSV (code,parent_code,level,kind,name) and
/// returns the union units that serve them, parents before children.
pub fn units_from_gso_csv(text: &str) -> Result<Vec<UnitSeed>, Vec<UnitFileError>> {
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut seeds = Vec::new();
    let mut errors = Vec::new();
    for (index, row) in reader.deserialize::<GsoRow>().enumerate() {
        let line = index + 2;
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                errors.push(UnitFileError {
                    line, message: format!("dòng không đọc được / unreadable row: {e}")
                });
                continue;
            }
        };
        let Some(kind) = UnitKind::from_gso(&row.kind) else {
            errors
                .push(UnitFileError {
                    line, message: format!("loại đơn vị không rõ / unknown kind \"{}\"", row.kind)
                });
            continue;
        };
        if row.code.is_empty() {
            errors.push(UnitFileError { line, message: "thiếu mã / missing code".into() });
            continue;
        }
        let parent_code = (!row.parent_code.is_empty()).then(|| row.parent_code.clone());
        if let Some(parent) = &parent_code {
            if !seeds.iter().any(|s: &UnitSeed| &s.code == parent) {
                errors.push(UnitFileError {
                    line,
                    message: format!("đơn vị cấp trên {parent} chưa có ở dòng trước / parent {parent} not found above"),
                });
                continue;
            }
        }
        if seeds.iter().any(|s| s.code == row.code) {
            errors.push(UnitFileError { line, message: format!("mã trùng / duplicate code {}", row.code) });
            continue;
        }
        let admin_name = nfc(&row.name);
        seeds.push(UnitSeed {
            name: union_name(kind, &admin_name),
            code: row.code.clone(),
            parent_code,
            kind,
            admin_name: Some(admin_name),
            gso_code: Some(row.code),
        });
    }
    if errors.is_empty() {
        Ok(seeds)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unions_documents_carry_its_own_symbol_place_and_committee() {
        assert_eq!(document_symbol(UnitKind::Province), "TĐTN");
        assert_eq!(document_symbol(UnitKind::City), "TĐTN");
        assert_eq!(document_symbol(UnitKind::District), "HĐTN");
        assert_eq!(document_symbol(UnitKind::Affiliated), "ĐTN");
        assert_eq!(document_symbol(UnitKind::Commune), "ĐTN");
        let place = |kind, name| document_place(kind, name);
        assert_eq!(place(UnitKind::District, "Huyện đoàn Tân Hiệp").as_deref(), Some("Tân Hiệp"));
        assert_eq!(place(UnitKind::City, "Thành đoàn Rạch Giá").as_deref(), Some("Rạch Giá"));
        assert_eq!(place(UnitKind::City, "Thị đoàn Hà Tiên").as_deref(), Some("Hà Tiên"));
        assert_eq!(place(UnitKind::Province, "Tỉnh đoàn Kiên Giang").as_deref(), Some("Kiên Giang"));
        assert_eq!(place(UnitKind::Commune, "Đoàn xã Thạnh Đông").as_deref(), Some("Thạnh Đông"));
        assert_eq!(place(UnitKind::District, "HUYỆN ĐOÀN Tân Hiệp").as_deref(), Some("Tân Hiệp"), "any case");
        let decomposed: String = unicode_normalization::UnicodeNormalization::nfd("Huyện đoàn Tân Hiệp").collect();
        assert_eq!(place(UnitKind::District, &decomposed).as_deref(), Some("Tân Hiệp"), "decomposed accents");
        assert_eq!(place(UnitKind::Affiliated, "Đoàn Khối các cơ quan tỉnh"), None, "no territory");
        assert_eq!(place(UnitKind::District, "Huyện đoàn "), None, "no place named");
        assert_eq!(standing_committee("Huyện đoàn Tân Hiệp"), "TM. BAN THƯỜNG VỤ HUYỆN ĐOÀN");
        assert_eq!(standing_committee("Thành đoàn Rạch Giá"), "TM. BAN THƯỜNG VỤ THÀNH ĐOÀN");
        assert_eq!(standing_committee("Tỉnh đoàn Kiên Giang"), "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN");
        assert_eq!(standing_committee("Đoàn Khối các cơ quan tỉnh"), "TM. BAN THƯỜNG VỤ");
    }

    #[test]
    fn union_names_follow_the_kind() {
        assert_eq!(union_name(UnitKind::Province, "Tỉnh Kiên Giang"), "Tỉnh đoàn Kiên Giang");
        assert_eq!(union_name(UnitKind::City, "Thành phố Rạch Giá"), "Thành đoàn Rạch Giá");
        assert_eq!(union_name(UnitKind::District, "Huyện Hòn Đất"), "Huyện đoàn Hòn Đất");
        assert_eq!(union_name(UnitKind::Commune, "Xã Phi Thông"), "Đoàn xã Phi Thông");
        assert_eq!(union_name(UnitKind::Township, "Thị trấn Giồng Riềng"), "Đoàn thị trấn Giồng Riềng");
        assert_eq!(union_name(UnitKind::Ward, "Phường Vĩnh Thanh Vân"), "Đoàn phường Vĩnh Thanh Vân");
    }

    #[test]
    fn gso_csv_rejects_orphans_and_unknown_kinds_with_line_numbers() {
        let text = "code,parent_code,level,kind,name\n91,,1,tinh,Tỉnh Kiên Giang\n1,99,3,xa,Xã A\n2,91,2,quan,Quận B\n";
        let errors = units_from_gso_csv(text).unwrap_err();
        assert_eq!(errors.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 4]);
    }

    #[test]
    fn levels_follow_kinds() {
        assert_eq!(UnitKind::Affiliated.level(), Level::District);
        assert_eq!(UnitKind::Township.level(), Level::Grassroots);
    }
}
