//! A reorganisation of the unit tree (sáp nhập, chia tách): the new tree and where
//! each old unit went, read from the files the state publishes, checked against the
//! live tree before anything is stored. Pure: the storage applies what it returns.
//!
//! # The files
//! - **New units** (`code,parent_code,level,kind,name[,formed_from]`, as
//!   `an-giang-units-2025.csv`): the whole new tree, parents by code, the kind as the
//!   GSO writes it (`tinh`, `phuong`, `xa`, `dac_khu` …) or as phongtrao does;
//!   `level` is the administrative level and is not used (the union level follows
//!   from the kind). `formed_from` lists the old units, separated by `;` or `+`,
//!   each as `CODE Name`, followed by `(một phần)` / `(part)` when only part of it
//!   went there, or by a share in parentheses: `(40%)`, `(0,4)`, `(một phần 40%)`.
//! - **Mapping** (`old_code,old_name,new_code,new_name,share`, as
//!   `kien-giang-2023-to-2025.csv`): one row per (old unit, new unit); `share` is
//!   `full` (or empty, `toàn bộ`), `part` (`một phần`), or a number (`0.4`, `0,4`,
//!   `40%`). When a mapping is given it decides for every old unit it names;
//!   `formed_from` is then read only for old units the mapping does not name (the
//!   province, typically).
//!
//! # The rules
//! - An old unit's **shares** are the fractions of its figures its successors take.
//!   `full` is 1. A number is taken as stated. A `part` without a number takes an
//!   equal part of what the numbered edges of the same old unit leave (with no
//!   number at all: the old unit's figures are split equally among its successors).
//!   The shares of an old unit must add up to 1 (within 0.000001), else the file is
//!   refused naming the unit and its rows.
//! - Every **live unit** of the old tree must go somewhere: it has a successor, or
//!   every one of its live units below goes somewhere (it is then *dissolved*, as
//!   the huyện đoàn in 2025: their communes moved straight under the province).
//!   A unit left without a successor is named; the file is refused.
//!   A unit the office deactivated is retired with the tree and needs none.
//! - An old code the **mapping** names must be a live unit of the tree; a code in
//!   `formed_from` that this database never had (the old An Giang's communes in the
//!   2025 file) is listed as *outside this database* and ignored.
//! - When nothing names the old top unit and the new top unit has its code, the new
//!   top unit succeeds it whole.
//! - **Figures across a reorganisation** (`predecessor_sum`): a new unit's count is
//!   the sum over its predecessors of share × the predecessor's value, rounded half
//!   up once, at the end (a merge adds up; a split by 0.4/0.6 gives 40 % and 60 %).
//!   A unit none of whose predecessors has the figure has none (not 0). The same
//!   rule gives the base figures of the new units and last year's figures of a unit
//!   for "so với cùng kỳ" (see docs/units-history.md).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::Hash;

use serde::Serialize;

use crate::text::{fold, nfc};
use crate::unit::{union_name, UnitKind};
use crate::unit_import::RowError;

/// How much of an old unit a new unit takes, as the file says it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Share {
    /// All of it.
    Full,
    /// Part of it, no number: an equal part of what the numbered shares leave.
    Part,
    /// This fraction (0 < f ≤ 1).
    Fraction(f64),
}

/// Where an edge was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum EdgeSource {
    /// The mapping file (`old_code,…,new_code,…,share`).
    Mapping,
    /// The `formed_from` column of the new units file.
    FormedFrom,
}

/// One unit of the new tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewUnit {
    /// 1-based row of the new units file (the header is row 1).
    pub row: usize,
    pub code: String,
    pub parent_code: Option<String>,
    pub kind: UnitKind,
    /// The union's name ("Đoàn phường Rạch Giá").
    pub name: String,
    /// The administrative unit's name ("Phường Rạch Giá").
    pub admin_name: Option<String>,
}

/// One (old unit → new unit) edge as read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edge {
    pub source: EdgeSource,
    pub row: usize,
    pub old_code: String,
    pub new_code: String,
    pub share: Share,
}

/// A reorganisation as read from its files, not yet checked against a tree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reorganisation {
    pub new_units: Vec<NewUnit>,
    pub edges: Vec<Edge>,
}

/// A live unit of the tree being reorganised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OldUnit {
    pub code: String,
    pub parent_code: Option<String>,
    pub name: String,
    /// Whether it still operates: a unit the office deactivated is retired with
    /// the tree but needs no successor.
    pub active: bool,
}

/// An old unit's figures going (in part) to a new unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lineage<K> {
    pub old: K,
    pub new: K,
    pub share: f64,
}

/// A reorganisation checked against the live tree: what to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    /// The new units, parents before children.
    pub new_units: Vec<NewUnit>,
    /// Every edge with its share resolved, by code.
    pub lineage: Vec<Lineage<String>>,
    /// The code of the old top unit (the tree that is retired).
    pub old_root: String,
    /// Old units with no successor whose units below all have one.
    pub dissolved: Vec<String>,
    /// Old codes named in `formed_from` that this database never had.
    pub outside: Vec<String>,
}

impl Checked {
    /// New units formed from two or more old units.
    pub fn merges(&self) -> usize {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for l in &self.lineage {
            *count.entry(l.new.as_str()).or_default() += 1;
        }
        count.values().filter(|n| **n >= 2).count()
    }

    /// Old units split among two or more new units.
    pub fn splits(&self) -> usize {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for l in &self.lineage {
            *count.entry(l.old.as_str()).or_default() += 1;
        }
        count.values().filter(|n| **n >= 2).count()
    }

    /// New units with no predecessor in this database.
    pub fn without_predecessor(&self) -> Vec<&NewUnit> {
        let with: HashSet<&str> = self.lineage.iter().map(|l| l.new.as_str()).collect();
        self.new_units.iter().filter(|u| !with.contains(u.code.as_str())).collect()
    }
}

const NEW_FILE_VI: &str = "tệp đơn vị mới";
const NEW_FILE_EN: &str = "new units file";
const MAP_FILE_VI: &str = "tệp ánh xạ";
const MAP_FILE_EN: &str = "mapping file";

fn file_names(source: EdgeSource) -> (&'static str, &'static str) {
    match source {
        EdgeSource::Mapping => (MAP_FILE_VI, MAP_FILE_EN),
        EdgeSource::FormedFrom => (NEW_FILE_VI, NEW_FILE_EN),
    }
}

/// Reads a share: `full`, `part`, `một phần`, `0.4`, `0,4`, `40%`, `một phần 40%`.
pub fn parse_share(text: &str) -> Option<Share> {
    let folded = fold(text);
    let folded = folded.trim();
    if folded.is_empty() || folded == "full" || folded == "toan bo" || folded == "whole" || folded == "1" {
        return Some(Share::Full);
    }
    let rest = ["mot phan", "part"].iter().find_map(|w| folded.strip_prefix(w)).map(str::trim).unwrap_or(folded).trim();
    if rest.is_empty() {
        return Some(Share::Part);
    }
    let (number, percent) = match rest.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (rest, false),
    };
    let value: f64 = number.replace(',', ".").parse().ok()?;
    let value = if percent { value / 100.0 } else { value };
    (value > 0.0 && value <= 1.0 && value.is_finite()).then_some(Share::Fraction(value))
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes())
}

fn header_index(headers: &csv::StringRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| fold(h).replace(' ', "_") == name)
}

/// The union's name for a name given in a file: an administrative name
/// ("Phường Rạch Giá") becomes the union's ("Đoàn phường Rạch Giá"); a name that is
/// already a union's ("Đoàn …", "… đoàn …") is kept.
fn names_for(kind: UnitKind, given: &str) -> (String, Option<String>) {
    let given = nfc(given.trim());
    let folded = fold(&given);
    let is_union = folded.starts_with("doan ") || folded.split(' ').nth(1) == Some("doan");
    if is_union {
        (given, None)
    } else {
        (union_name(kind, &given), Some(given))
    }
}

/// Reads `formed_from`: "30730 Phường Vĩnh Thanh Vân; 30334 Xã Vĩnh Châu (một phần)".
fn parse_formed_from(text: &str) -> Result<Vec<(String, Share)>, (String, String)> {
    let mut out = Vec::new();
    for item in text.split([';', '+']).map(str::trim).filter(|s| !s.is_empty()) {
        let code: String = item.chars().take_while(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c)).collect();
        if code.is_empty() {
            return Err((
                format!("\"{item}\" trong formed_from không bắt đầu bằng mã đơn vị"),
                format!("\"{item}\" in formed_from does not start with a unit code"),
            ));
        }
        let share = match (item.rfind('('), item.ends_with(')')) {
            (Some(open), true) => {
                let inside = &item[open + 1..item.len() - 1];
                parse_share(inside).ok_or_else(|| {
                    (
                        format!("phần \"{inside}\" của {code} không đọc được"),
                        format!("share \"{inside}\" of {code} is unreadable"),
                    )
                })?
            }
            _ => Share::Full,
        };
        out.push((code, share));
    }
    Ok(out)
}

/// Reads the new units file (`code,parent_code,level,kind,name[,formed_from]`).
/// Every bad row is named; nothing is returned unless every row reads.
pub fn parse_new_units_csv(text: &str) -> Result<(Vec<NewUnit>, Vec<Edge>), Vec<RowError>> {
    let mut rdr = reader(text);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![RowError::one(1, format!("không đọc được tệp: {e}"), format!("unreadable file: {e}"))])
        }
    };
    let col = |name: &str| header_index(&headers, name);
    let (Some(code_i), Some(parent_i), Some(kind_i), Some(name_i)) =
        (col("code"), col("parent_code"), col("kind"), col("name"))
    else {
        return Err(vec![RowError::one(
            1,
            format!("{NEW_FILE_VI}: cần các cột code, parent_code, kind, name (formed_from tùy chọn)"),
            format!("{NEW_FILE_EN}: needs the columns code, parent_code, kind, name (formed_from optional)"),
        )]);
    };
    let formed_i = col("formed_from");
    let mut units = Vec::new();
    let mut edges = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in rdr.records().enumerate() {
        let row = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::one(row, format!("dòng không đọc được: {e}"), format!("unreadable row: {e}")));
                continue;
            }
        };
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let mut problems: Vec<(String, String)> = Vec::new();
        let code = field(code_i);
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) || code.len() > 40 {
            problems.push((format!("mã \"{code}\" không hợp lệ"), format!("invalid code \"{code}\"")));
        }
        let kind_text = field(kind_i);
        let kind = UnitKind::parse_any(&kind_text);
        if kind.is_none() {
            problems.push((format!("loại đơn vị \"{kind_text}\" không rõ"), format!("unknown kind \"{kind_text}\"")));
        }
        let name = field(name_i);
        if name.chars().count() < 2 || name.chars().count() > 200 {
            problems.push(("tên phải có từ 2 đến 200 ký tự".into(), "a name needs 2 to 200 characters".into()));
        }
        let formed = match formed_i.map(field) {
            Some(text) => match parse_formed_from(&text) {
                Ok(items) => items,
                Err(p) => {
                    problems.push(p);
                    Vec::new()
                }
            },
            None => Vec::new(),
        };
        let Some(kind) = kind.filter(|_| problems.is_empty()) else {
            errors.push(RowError::new(row, &problems));
            continue;
        };
        let parent = field(parent_i);
        let (name, admin_name) = names_for(kind, &name);
        for (old_code, share) in formed {
            edges.push(Edge { source: EdgeSource::FormedFrom, row, old_code, new_code: code.clone(), share });
        }
        units.push(NewUnit { row, code, parent_code: (!parent.is_empty()).then_some(parent), kind, name, admin_name });
    }
    if errors.is_empty() {
        Ok((units, edges))
    } else {
        Err(errors)
    }
}

/// Reads the mapping file (`old_code,old_name,new_code,new_name,share`).
pub fn parse_mapping_csv(text: &str) -> Result<Vec<Edge>, Vec<RowError>> {
    let mut rdr = reader(text);
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            return Err(vec![RowError::one(1, format!("không đọc được tệp: {e}"), format!("unreadable file: {e}"))])
        }
    };
    let (Some(old_i), Some(new_i)) = (header_index(&headers, "old_code"), header_index(&headers, "new_code")) else {
        return Err(vec![RowError::one(
            1,
            format!("{MAP_FILE_VI}: cần các cột old_code, new_code (share tùy chọn)"),
            format!("{MAP_FILE_EN}: needs the columns old_code, new_code (share optional)"),
        )]);
    };
    let share_i = header_index(&headers, "share");
    let mut edges = Vec::new();
    let mut errors = Vec::new();
    for (index, record) in rdr.records().enumerate() {
        let row = index + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(RowError::one(
                    row,
                    format!("{MAP_FILE_VI}: dòng không đọc được: {e}"),
                    format!("{MAP_FILE_EN}: unreadable row: {e}"),
                ));
                continue;
            }
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let (old_code, new_code) = (field(old_i), field(new_i));
        let share_text = share_i.map(field).unwrap_or_default();
        let mut problems = Vec::new();
        if old_code.is_empty() || new_code.is_empty() {
            problems.push((
                format!("{MAP_FILE_VI}: thiếu mã cũ hoặc mã mới"),
                format!("{MAP_FILE_EN}: missing old or new code"),
            ));
        }
        let share = parse_share(&share_text);
        if share.is_none() {
            problems.push((
                format!("{MAP_FILE_VI}: phần \"{share_text}\" không đọc được (full, part, 0,4 hoặc 40%)"),
                format!("{MAP_FILE_EN}: share \"{share_text}\" is unreadable (full, part, 0.4 or 40%)"),
            ));
        }
        match share.filter(|_| problems.is_empty()) {
            Some(share) => edges.push(Edge { source: EdgeSource::Mapping, row, old_code, new_code, share }),
            None => errors.push(RowError::new(row, &problems)),
        }
    }
    if errors.is_empty() {
        Ok(edges)
    } else {
        Err(errors)
    }
}

/// A table read from a spreadsheet (.xlsx) or a CSV of any delimiter, written back
/// as the CSV text the parsers read (the first row is the header).
pub fn table_to_csv(rows: &[Vec<String>]) -> String {
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    for row in rows {
        // Writing to memory cannot fail.
        let _ = writer.write_record(row);
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

impl Reorganisation {
    /// Reads the new units file and, when given, the mapping (which then decides
    /// for every old unit it names).
    pub fn from_csv(new_units: &str, mapping: Option<&str>) -> Result<Reorganisation, Vec<RowError>> {
        let parsed_units = parse_new_units_csv(new_units);
        let parsed_mapping = mapping.map(parse_mapping_csv).transpose();
        let ((new_units, formed), mapped) = match (parsed_units, parsed_mapping) {
            (Ok(u), Ok(m)) => (u, m),
            (u, m) => {
                let mut errors = u.err().unwrap_or_default();
                errors.extend(m.err().unwrap_or_default());
                return Err(errors);
            }
        };
        let edges = match mapped {
            Some(mapped) => {
                let named: HashSet<String> = mapped.iter().map(|e| e.old_code.clone()).collect();
                let mut edges = mapped;
                edges.extend(formed.into_iter().filter(|e| !named.contains(&e.old_code)));
                edges
            }
            None => formed,
        };
        Ok(Reorganisation { new_units, edges })
    }

    /// Checks the reorganisation against the live tree (`old`: the top unit and
    /// every live unit below it). Every problem is named, with its row.
    pub fn check(&self, old: &[OldUnit]) -> Result<Checked, Vec<RowError>> {
        let mut errors: Vec<RowError> = Vec::new();
        let old_by_code: HashMap<&str, &OldUnit> = old.iter().map(|u| (u.code.as_str(), u)).collect();
        let Some(old_root) = old
            .iter()
            .find(|u| u.parent_code.is_none() || !old_by_code.contains_key(u.parent_code.as_deref().unwrap_or("")))
        else {
            return Err(vec![RowError::one(0, "không có cây đơn vị hiện hành", "there is no live unit tree")]);
        };

        // The new tree: unique codes, one top unit, parents in the file and higher.
        let mut by_code: HashMap<&str, &NewUnit> = HashMap::new();
        for unit in &self.new_units {
            if let Some(first) = by_code.get(unit.code.as_str()) {
                errors.push(RowError::one(
                    unit.row,
                    format!("{NEW_FILE_VI}: mã {} trùng với dòng {}", unit.code, first.row),
                    format!("{NEW_FILE_EN}: code {} repeats row {}", unit.code, first.row),
                ));
            } else {
                by_code.insert(unit.code.as_str(), unit);
            }
        }
        let roots: Vec<&NewUnit> = self.new_units.iter().filter(|u| u.parent_code.is_none()).collect();
        if roots.len() != 1 {
            let rows = roots.iter().map(|u| u.row.to_string()).collect::<Vec<_>>().join(", ");
            errors.push(RowError::one(
                roots.first().map(|u| u.row).unwrap_or(1),
                format!(
                    "{NEW_FILE_VI}: cần đúng một đơn vị cấp cao nhất (không có cấp trên), có {} (dòng {rows})",
                    roots.len()
                ),
                format!("{NEW_FILE_EN}: needs exactly one top unit (no parent), found {} (rows {rows})", roots.len()),
            ));
        }
        for unit in &self.new_units {
            match &unit.parent_code {
                Some(parent) => match by_code.get(parent.as_str()) {
                    None => errors.push(RowError::one(
                        unit.row,
                        format!("{NEW_FILE_VI}: đơn vị cấp trên {parent} của {} không có trong tệp", unit.code),
                        format!("{NEW_FILE_EN}: parent {parent} of {} is not in the file", unit.code),
                    )),
                    Some(p) if p.kind.level().number() >= unit.kind.level().number() => errors.push(RowError::one(
                        unit.row,
                        format!(
                            "{NEW_FILE_VI}: {} ({}) không thể thuộc {} ({})",
                            unit.code,
                            unit.kind.label_vi(),
                            p.code,
                            p.kind.label_vi()
                        ),
                        format!(
                            "{NEW_FILE_EN}: {} ({}) cannot sit under {} ({})",
                            unit.code,
                            unit.kind.label_en(),
                            p.code,
                            p.kind.label_en()
                        ),
                    )),
                    Some(_) => {}
                },
                None if unit.kind != UnitKind::Province => errors.push(RowError::one(
                    unit.row,
                    format!("{NEW_FILE_VI}: chỉ tỉnh đoàn mới không có cấp trên ({})", unit.code),
                    format!("{NEW_FILE_EN}: only a province unit has no parent ({})", unit.code),
                )),
                None => {}
            }
        }
        // Parents before children; a unit whose chain never reaches the top is in a cycle.
        let mut ordered: Vec<NewUnit> = Vec::new();
        let mut placed: HashSet<&str> = HashSet::new();
        let mut pending: Vec<&NewUnit> = self.new_units.iter().collect();
        while !pending.is_empty() {
            let before = pending.len();
            pending.retain(|u| {
                let ready = u.parent_code.as_deref().is_none_or(|p| placed.contains(p));
                if ready && placed.insert(u.code.as_str()) {
                    ordered.push((*u).clone());
                }
                !ready
            });
            if pending.len() == before {
                break;
            }
        }
        for unit in pending.iter().filter(|u| u.parent_code.as_deref().is_some_and(|p| by_code.contains_key(p))) {
            errors.push(RowError::one(
                unit.row,
                format!("{NEW_FILE_VI}: {} nằm trong một vòng lặp cấp trên", unit.code),
                format!("{NEW_FILE_EN}: {} is in a cycle of parents", unit.code),
            ));
        }

        // The edges: new codes in the file, old codes live (or outside, for formed_from).
        let mut outside: BTreeSet<String> = BTreeSet::new();
        let mut per_old: BTreeMap<&str, Vec<&Edge>> = BTreeMap::new();
        let mut seen: HashMap<(&str, &str), usize> = HashMap::new();
        for edge in &self.edges {
            let (file_vi, file_en) = file_names(edge.source);
            if !by_code.contains_key(edge.new_code.as_str()) {
                errors.push(RowError::one(
                    edge.row,
                    format!("{file_vi}: mã mới {} không có trong tệp đơn vị mới", edge.new_code),
                    format!("{file_en}: new code {} is not in the new units file", edge.new_code),
                ));
                continue;
            }
            if !old_by_code.contains_key(edge.old_code.as_str()) {
                match edge.source {
                    EdgeSource::Mapping => errors.push(RowError::one(
                        edge.row,
                        format!("{MAP_FILE_VI}: mã cũ {} không phải một đơn vị đang hoạt động của cây", edge.old_code),
                        format!("{MAP_FILE_EN}: old code {} is not a live unit of the tree", edge.old_code),
                    )),
                    EdgeSource::FormedFrom => {
                        outside.insert(edge.old_code.clone());
                    }
                }
                continue;
            }
            if let Some(first) = seen.insert((edge.old_code.as_str(), edge.new_code.as_str()), edge.row) {
                errors.push(RowError::one(
                    edge.row,
                    format!("{file_vi}: {} → {} đã có ở dòng {first}", edge.old_code, edge.new_code),
                    format!("{file_en}: {} → {} already given on row {first}", edge.old_code, edge.new_code),
                ));
                continue;
            }
            per_old.entry(edge.old_code.as_str()).or_default().push(edge);
        }
        // The old top unit goes to a new top unit of its code when nothing names it.
        let implicit_root;
        if !per_old.contains_key(old_root.code.as_str()) {
            if let Some(root) = roots.first().filter(|r| r.code == old_root.code) {
                implicit_root = Edge {
                    source: EdgeSource::FormedFrom,
                    row: root.row,
                    old_code: old_root.code.clone(),
                    new_code: root.code.clone(),
                    share: Share::Full,
                };
                per_old.entry(old_root.code.as_str()).or_default().push(&implicit_root);
            }
        }

        // Shares: numbers as stated, parts share the rest equally, the sum is 1.
        let mut lineage = Vec::new();
        for (old_code, edges) in &per_old {
            let stated: f64 = edges
                .iter()
                .map(|e| match e.share {
                    Share::Full => 1.0,
                    Share::Fraction(f) => f,
                    Share::Part => 0.0,
                })
                .sum();
            let parts = edges.iter().filter(|e| e.share == Share::Part).count();
            let rest = 1.0 - stated;
            let rows = edges.iter().map(|e| e.row.to_string()).collect::<Vec<_>>().join(", ");
            let (file_vi, file_en) = file_names(edges[0].source);
            let bad = if parts > 0 { rest <= 1e-6 } else { (stated - 1.0).abs() > 1e-6 };
            if bad {
                let sum = crate::format::number(stated, 4);
                errors.push(RowError::one(
                    edges[0].row,
                    format!("{file_vi}: phần của đơn vị cũ {old_code} cộng lại bằng {sum}, phải bằng 1 (dòng {rows})"),
                    format!(
                        "{file_en}: the shares of old unit {old_code} add up to {}, not 1 (rows {rows})",
                        plain(stated)
                    ),
                ));
                continue;
            }
            for edge in edges {
                let share = match edge.share {
                    Share::Full => 1.0,
                    Share::Fraction(f) => f,
                    Share::Part => rest / parts as f64,
                };
                lineage.push(Lineage { old: (*old_code).to_string(), new: edge.new_code.clone(), share });
            }
        }

        // Every live unit goes somewhere, itself or through all its units below.
        let mut children: HashMap<&str, Vec<&str>> = HashMap::new();
        for unit in old {
            if let Some(p) = unit.parent_code.as_deref().filter(|p| old_by_code.contains_key(p)) {
                children.entry(p).or_default().push(unit.code.as_str());
            }
        }
        let mut covered: HashMap<&str, bool> = HashMap::new();
        let inactive: HashSet<&str> = old.iter().filter(|u| !u.active).map(|u| u.code.as_str()).collect();
        fn is_covered<'a>(
            code: &'a str,
            children: &HashMap<&'a str, Vec<&'a str>>,
            per_old: &BTreeMap<&str, Vec<&Edge>>,
            inactive: &HashSet<&str>,
            memo: &mut HashMap<&'a str, bool>,
            depth: usize,
        ) -> bool {
            if let Some(v) = memo.get(code) {
                return *v;
            }
            let below = children.get(code).map(Vec::as_slice).unwrap_or(&[]);
            let v = per_old.contains_key(code)
                || (!below.is_empty()
                    && depth < 32
                    && below.iter().all(|c| is_covered(c, children, per_old, inactive, memo, depth + 1)))
                || (inactive.contains(code)
                    && below.iter().all(|c| is_covered(c, children, per_old, inactive, memo, depth + 1)));
            memo.insert(code, v);
            v
        }
        let mut dissolved = Vec::new();
        let mut left: Vec<&OldUnit> = Vec::new();
        for unit in old {
            let ok = is_covered(unit.code.as_str(), &children, &per_old, &inactive, &mut covered, 0);
            if !ok {
                left.push(unit);
            } else if !per_old.contains_key(unit.code.as_str()) && !inactive.contains(unit.code.as_str()) {
                dissolved.push(unit.code.clone());
            }
        }
        // Name the units that need a successor themselves: those left out whose units
        // below (if any) all go somewhere (a district left out for one commune is
        // named through that commune).
        let named: Vec<&&OldUnit> = left
            .iter()
            .filter(|u| {
                children
                    .get(u.code.as_str())
                    .is_none_or(|below| below.iter().all(|c| covered.get(c).copied().unwrap_or(false)))
            })
            .collect();
        if !named.is_empty() {
            let list = named.iter().map(|u| format!("{} {}", u.code, u.name)).collect::<Vec<_>>().join("; ");
            errors.push(RowError::one(
                0,
                format!("{} đơn vị đang hoạt động chưa có đơn vị kế thừa: {list}", named.len()),
                format!("{} live units have no successor: {list}", named.len()),
            ));
        }

        if errors.is_empty() {
            Ok(Checked {
                new_units: ordered,
                lineage,
                old_root: old_root.code.clone(),
                dissolved,
                outside: outside.into_iter().collect(),
            })
        } else {
            errors.sort_by_key(|e| e.row);
            Err(errors)
        }
    }
}

/// A figure of the new units from their predecessors': for each new unit, the sum
/// of share × value over its predecessors that have the figure, rounded half up
/// once at the end. A new unit none of whose predecessors has the figure is absent.
pub fn predecessor_sum<K: Eq + Hash + Clone>(
    figures_by_old: &HashMap<K, i64>,
    lineage: &[Lineage<K>],
) -> HashMap<K, i64> {
    let mut sums: HashMap<K, f64> = HashMap::new();
    for edge in lineage {
        if let Some(value) = figures_by_old.get(&edge.old) {
            *sums.entry(edge.new.clone()).or_default() += edge.share * (*value as f64);
        }
    }
    sums.into_iter().map(|(k, v)| (k, round_half_up(v))).collect()
}

/// A share as the English text writes it: 1.3, 0.25 (at most 4 decimals).
fn plain(value: f64) -> String {
    let text = format!("{value:.4}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Rounds half up (2.5 → 3), for the non-negative counts the figures are.
pub fn round_half_up(value: f64) -> i64 {
    // A tiny allowance so that 0.1 + 0.2 + … landing at 2.4999999 still reads 2.5.
    (value + 0.5 + 1e-9).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: &str = "code,parent_code,level,kind,name,formed_from
91,,1,tinh,Tỉnh An Giang,89 Tỉnh An Giang + 91 Tỉnh Kiên Giang
30742,91,2,phuong,Phường Rạch Giá,30730 Phường Vĩnh Thanh Vân; 30733 Phường Vĩnh Thanh; 30742 Phường Vĩnh Bảo
31105,91,2,dac_khu,Đặc khu Thổ Châu,31105 Xã Thổ Châu
30325,91,2,phuong,Phường Vĩnh Tế,30325 Phường Núi Sam; 30334 Xã Vĩnh Châu (một phần)
";

    fn old_tree() -> Vec<OldUnit> {
        let u = |code: &str, parent: Option<&str>, name: &str| OldUnit {
            code: code.into(),
            parent_code: parent.map(Into::into),
            name: name.into(),
            active: true,
        };
        vec![
            u("91", None, "Tỉnh đoàn Kiên Giang"),
            u("899", Some("91"), "Thành đoàn Rạch Giá"),
            u("30730", Some("899"), "Đoàn phường Vĩnh Thanh Vân"),
            u("30733", Some("899"), "Đoàn phường Vĩnh Thanh"),
            u("30742", Some("899"), "Đoàn phường Vĩnh Bảo"),
            u("911", Some("91"), "Huyện đoàn Phú Quốc"),
            u("31105", Some("911"), "Đoàn xã Thổ Châu"),
        ]
    }

    #[test]
    fn reads_shares_in_every_spelling() {
        assert_eq!(parse_share("full"), Some(Share::Full));
        assert_eq!(parse_share(""), Some(Share::Full));
        assert_eq!(parse_share("part"), Some(Share::Part));
        assert_eq!(parse_share("một phần"), Some(Share::Part));
        assert_eq!(parse_share("0.4"), Some(Share::Fraction(0.4)));
        assert_eq!(parse_share("0,4"), Some(Share::Fraction(0.4)));
        assert_eq!(parse_share("40%"), Some(Share::Fraction(0.4)));
        assert_eq!(parse_share("một phần 40%"), Some(Share::Fraction(0.4)));
        assert_eq!(parse_share("1.3"), None);
        assert_eq!(parse_share("nhiều"), None);
    }

    #[test]
    fn reads_the_new_units_file_with_its_kinds_and_union_names() {
        let (units, edges) = parse_new_units_csv(NEW).unwrap();
        assert_eq!(units.len(), 4);
        assert_eq!(units[1].name, "Đoàn phường Rạch Giá");
        assert_eq!(units[1].admin_name.as_deref(), Some("Phường Rạch Giá"));
        assert_eq!(units[2].kind, UnitKind::SpecialZone);
        assert_eq!(units[2].name, "Đoàn đặc khu Thổ Châu");
        assert_eq!(units[0].name, "Tỉnh đoàn An Giang");
        let rach_gia: Vec<&str> = edges.iter().filter(|e| e.new_code == "30742").map(|e| e.old_code.as_str()).collect();
        assert_eq!(rach_gia, ["30730", "30733", "30742"]);
        assert!(edges.iter().any(|e| e.old_code == "30334" && e.share == Share::Part));
        assert!(edges.iter().any(|e| e.old_code == "89" && e.new_code == "91"));
    }

    #[test]
    fn a_bad_row_is_named() {
        let text = "code,parent_code,level,kind,name\n91,,1,tinh,Tỉnh An Giang\n30742,91,2,lang,Phường Rạch Giá\n";
        let errors = parse_new_units_csv(text).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].row, 3);
        assert!(errors[0].message.contains("lang"), "{}", errors[0].message);
    }

    #[test]
    fn checks_against_the_live_tree_dissolving_districts() {
        let reorg = Reorganisation::from_csv(NEW, None).unwrap();
        let checked = reorg.check(&old_tree()).unwrap();
        assert_eq!(checked.new_units.len(), 4);
        assert_eq!(checked.new_units[0].code, "91");
        assert_eq!(checked.old_root, "91");
        assert_eq!(checked.dissolved, ["899", "911"]);
        assert_eq!(checked.outside, ["30325", "30334", "89"]);
        assert_eq!(checked.merges(), 1);
        assert_eq!(checked.splits(), 0);
        assert_eq!(checked.without_predecessor().iter().map(|u| u.code.as_str()).collect::<Vec<_>>(), ["30325"]);
    }

    #[test]
    fn a_live_unit_left_without_successor_is_listed() {
        let text = "code,parent_code,level,kind,name,formed_from\n91,,1,tinh,Tỉnh An Giang,91\n30742,91,2,phuong,Phường Rạch Giá,30730; 30742\n";
        let errors = Reorganisation::from_csv(text, None).unwrap().check(&old_tree()).unwrap_err();
        let all: String = errors.iter().map(|e| e.message.clone()).collect();
        assert!(all.contains("30733 Đoàn phường Vĩnh Thanh"), "{all}");
        assert!(all.contains("31105") || all.contains("911 Huyện đoàn Phú Quốc"), "{all}");
        assert!(!all.contains("30742 Đoàn"), "{all}");
    }

    #[test]
    fn a_deactivated_unit_needs_no_successor() {
        let text = "code,parent_code,level,kind,name,formed_from\n91,,1,tinh,Tỉnh An Giang,91\n30742,91,2,phuong,Phường Rạch Giá,30730; 30742\n";
        let mut old = old_tree();
        for unit in &mut old {
            if ["30733", "911", "31105"].contains(&unit.code.as_str()) {
                unit.active = false;
            }
        }
        let checked = Reorganisation::from_csv(text, None).unwrap().check(&old).unwrap();
        assert_eq!(checked.dissolved, ["899"], "a deactivated unit is retired, not dissolved");
    }

    #[test]
    fn the_mapping_decides_and_unknown_codes_and_bad_sums_are_named() {
        let mapping = "old_code,old_name,new_code,new_name,share
30730,,30742,,full
30733,,30742,,0.7
30733,,31105,,0.6
99999,,30742,,full
30742,,30742,,full
31105,,31105,,full
";
        let errors = Reorganisation::from_csv(NEW, Some(mapping)).unwrap().check(&old_tree()).unwrap_err();
        let rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
        assert!(rows.contains(&5), "{errors:?}");
        assert!(errors.iter().any(|e| e.message.contains("99999") && e.row == 5));
        let sum = errors.iter().find(|e| e.message.contains("30733")).unwrap();
        assert_eq!(sum.row, 3);
        assert!(sum.vi.contains("1,3") && sum.en.contains("1.3") && sum.en.contains("rows 3, 4"), "{sum:?}");
    }

    #[test]
    fn parts_without_a_number_split_equally_what_is_left() {
        let text = "code,parent_code,level,kind,name,formed_from
91,,1,tinh,Tỉnh An Giang,91
A,91,2,xa,Xã A,30730; 30733 (một phần); 30742 (part)
B,91,2,xa,Xã B,30733 (30%); 31105; 30742 (một phần)
C,91,2,xa,Xã C,30742 (part)
";
        let checked = Reorganisation::from_csv(text, None).unwrap().check(&old_tree()).unwrap();
        let share = |old: &str, new: &str| {
            checked.lineage.iter().find(|l| l.old == old && l.new == new).map(|l| l.share).unwrap()
        };
        assert!((share("30733", "A") - 0.7).abs() < 1e-9);
        assert!((share("30733", "B") - 0.3).abs() < 1e-9);
        assert!((share("30742", "C") - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(checked.splits(), 2);
    }

    #[test]
    fn new_tree_problems_are_named() {
        let text = "code,parent_code,level,kind,name
91,,1,tinh,Tỉnh An Giang
30742,91,2,phuong,Phường Rạch Giá
30742,91,2,xa,Xã Trùng
X1,X2,2,xa,Xã Vòng Một
X2,X1,2,xa,Xã Vòng Hai
H,30742,2,huyen,Huyện Ngược
Z,NOPE,2,xa,Xã Mồ Côi
";
        let errors = Reorganisation::from_csv(text, None).unwrap().check(&old_tree()).unwrap_err();
        let text_of =
            |row: usize| errors.iter().filter(|e| e.row == row).map(|e| e.message.clone()).collect::<String>();
        assert!(text_of(4).contains("repeats row 3"), "{errors:?}");
        assert!(text_of(5).contains("cycle") || text_of(5).contains("cannot sit"), "{errors:?}");
        assert!(text_of(7).contains("cannot sit under"), "{errors:?}");
        assert!(text_of(8).contains("NOPE"), "{errors:?}");
    }

    #[test]
    fn a_merged_unit_is_the_sum_of_its_predecessors() {
        let figures: HashMap<&str, i64> = [("a", 120), ("b", 75), ("c", 4)].into();
        let lineage = vec![
            Lineage { old: "a", new: "m", share: 1.0 },
            Lineage { old: "b", new: "m", share: 1.0 },
            Lineage { old: "c", new: "n", share: 1.0 },
        ];
        let sums = predecessor_sum(&figures, &lineage);
        assert_eq!(sums["m"], 195);
        assert_eq!(sums["n"], 4);
    }

    #[test]
    fn a_split_follows_its_shares_rounded_half_up_at_the_end() {
        let figures: HashMap<&str, i64> = [("a", 101), ("b", 3)].into();
        let lineage = vec![
            Lineage { old: "a", new: "x", share: 0.4 },
            Lineage { old: "a", new: "y", share: 0.6 },
            Lineage { old: "b", new: "x", share: 0.5 },
            Lineage { old: "b", new: "y", share: 0.5 },
            Lineage { old: "z", new: "w", share: 1.0 },
        ];
        let sums = predecessor_sum(&figures, &lineage);
        // x: 40.4 + 1.5 = 41.9 → 42; y: 60.6 + 1.5 = 62.1 → 62 (rounded once, not per part).
        assert_eq!(sums["x"], 42);
        assert_eq!(sums["y"], 62);
        assert!(!sums.contains_key("w"), "no figure stays no figure, not 0");
        assert_eq!(round_half_up(2.5), 3);
        assert_eq!(round_half_up(2.4999), 2);
    }

    #[test]
    fn the_shipped_2025_files_check_against_the_2023_tree() {
        let new_units = include_str!("../../../data/reorganisations/an-giang-units-2025.csv");
        let mapping = include_str!("../../../data/reorganisations/kien-giang-2023-to-2025.csv");
        let seeds = crate::unit::units_from_gso_csv(crate::builtin::UNITS_CSV).unwrap();
        let old: Vec<OldUnit> = seeds
            .iter()
            .map(|s| OldUnit {
                code: s.code.clone(),
                parent_code: s.parent_code.clone(),
                name: s.name.clone(),
                active: true,
            })
            .collect();
        let checked = Reorganisation::from_csv(new_units, Some(mapping)).unwrap().check(&old).unwrap();
        assert_eq!(checked.new_units.len(), 103);
        assert_eq!(checked.dissolved.len(), 15);
        // Phường Rạch Giá (30742) was formed from ten phường of 2023 (30730 … 30757).
        assert_eq!(checked.lineage.iter().filter(|l| l.new == "30742").count(), 10);
        assert!(checked.lineage.iter().any(|l| l.old == "91" && l.new == "91" && l.share == 1.0));
        assert_eq!(checked.splits(), 0);
        assert_eq!(checked.merges(), 42);
        // The old An Giang (89) and its communes were never in this database.
        assert!(checked.outside.contains(&"89".to_string()));
        assert_eq!(checked.outside.len(), 155);
    }
}
