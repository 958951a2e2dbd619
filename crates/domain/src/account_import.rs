//! Checking a list of accounts to create at once (after a reorganisation, a new term):
//! one row per person — unit, name, e-mail, phone, optionally a user name and a role.
//! Every bad row is named with its row number, column and value; nothing is created
//! unless every row is good.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::role::Role;
use crate::text::{fold, nfc};
use crate::unit_import::RowError;

/// The most accounts one list creates.
pub const MAX_ROWS: usize = 2000;

/// One good row, ready to create.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    /// 1-based row number in the file (the header is row 1).
    pub row: usize,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `unit` (a unit's reporter) or `viewer`; a list never creates administrators.
    pub role: Role,
}

/// A unit the list may name, by code or by name.
#[derive(Debug, Clone)]
pub struct UnitRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Header names accepted, Vietnamese or English, with or without accents.
fn column_key(header: &str) -> Option<&'static str> {
    let h = fold(header).replace(['_', '-', '.'], " ");
    let h = h.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(match h.as_str() {
        "don vi" | "ma don vi" | "ten don vi" | "unit" | "unit code" | "unit name" | "co so doan" => "unit",
        "ho ten" | "ho va ten" | "ten" | "nguoi bao cao" | "can bo" | "name" | "full name" | "person" => "name",
        "email" | "e mail" | "thu dien tu" | "dia chi email" | "dia chi e mail" => "email",
        "dien thoai" | "so dien thoai" | "sdt" | "phone" | "telephone" | "di dong" => "phone",
        "ten dang nhap" | "tai khoan" | "username" | "user name" | "login" => "username",
        "vai tro" | "role" => "role",
        "stt" | "tt" | "so tt" | "no" | "ghi chu" | "note" | "notes" => "ignored",
        _ => return None,
    })
}

/// A phone number as people write it ("0297 3862 123", "+84 297…"): 8–15 digits.
pub fn parse_phone(text: &str) -> Result<Option<String>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let allowed = t.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    if allowed && (8..=15).contains(&digits) {
        Ok(Some(t.split_whitespace().collect::<Vec<_>>().join(" ")))
    } else {
        Err(format!("số điện thoại \"{t}\" không hợp lệ / invalid phone number \"{t}\""))
    }
}

/// A user name made from the unit's name ("Đoàn xã Vĩnh Hòa Hiệp" → "doanxa.vinhhoahiep"):
/// the first two words joined, a dot, the rest joined, at most 40 characters.
pub fn username_for(unit_name: &str) -> String {
    let words: Vec<String> = fold(unit_name)
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let name = match words.len() {
        0 => "donvi".to_string(),
        1 | 2 => words.concat(),
        _ => format!("{}.{}", words[..2].concat(), words[2..].concat()),
    };
    let mut name: String = name.chars().take(40).collect();
    while name.ends_with('.') {
        name.pop();
    }
    if name.len() < 3 {
        name = format!("dv.{name}");
    }
    name
}

fn valid_username(u: &str) -> bool {
    (3..=40).contains(&u.len()) && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
}

/// Checks the rows (the first is the header). `taken` holds the user names already in
/// use. Returns every good row, or every error.
pub fn check_rows(
    rows: &[Vec<String>],
    units: &[UnitRef],
    taken: &HashSet<String>,
) -> Result<Vec<AccountRow>, Vec<RowError>> {
    let Some(header) = rows.first() else {
        return Err(vec![RowError::one(1, "tệp trống", "the file is empty")]);
    };
    let mut errors = Vec::new();
    let columns: Vec<Option<&str>> = header.iter().map(|h| column_key(h)).collect();
    for (i, h) in header.iter().enumerate() {
        if columns[i].is_none() && !h.trim().is_empty() {
            errors.push(RowError::one(
                1,
                format!("cột {} \"{}\" không xác định", i + 1, h.trim()),
                format!("column {} \"{}\" is unknown", i + 1, h.trim()),
            ));
        }
    }
    for required in ["unit", "name"] {
        if !columns.contains(&Some(required)) {
            let (vi, en) = if required == "unit" { ("Đơn vị", "unit") } else { ("Họ tên", "name") };
            errors.push(RowError::one(1, format!("thiếu cột \"{vi}\""), format!("the column \"{en}\" is missing")));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.len() - 1 > MAX_ROWS {
        return Err(vec![RowError::one(
            MAX_ROWS + 2,
            format!("mỗi lần tạo tối đa {MAX_ROWS} tài khoản"),
            format!("at most {MAX_ROWS} accounts at once"),
        )]);
    }
    let by_code: HashMap<&str, &UnitRef> = units.iter().map(|u| (u.code.as_str(), u)).collect();
    let mut by_name: HashMap<String, Vec<&UnitRef>> = HashMap::new();
    for u in units {
        by_name.entry(fold(&u.name)).or_default().push(u);
    }
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (index, cells) in rows.iter().enumerate().skip(1) {
        let row = index + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let get = |key: &str| -> String {
            columns
                .iter()
                .position(|c| *c == Some(key))
                .and_then(|i| cells.get(i))
                .map(|v| nfc(v.trim()))
                .unwrap_or_default()
        };
        let mut problems: Vec<(String, String)> = Vec::new();
        let unit_text = get("unit");
        let unit = if unit_text.is_empty() {
            problems.push(("cột Đơn vị trống".into(), "the unit is empty".into()));
            None
        } else if let Some(u) = by_code.get(unit_text.as_str()) {
            Some(*u)
        } else {
            match by_name.get(&fold(&unit_text)).map(Vec::as_slice) {
                Some([u]) => Some(*u),
                Some([_, _, ..]) => {
                    problems.push((
                        format!("Đơn vị \"{unit_text}\": nhiều đơn vị cùng tên, hãy ghi mã đơn vị"),
                        format!("unit \"{unit_text}\": several units have this name, give the code"),
                    ));
                    None
                }
                _ => {
                    problems.push((
                        format!("Đơn vị \"{unit_text}\" không có trong danh sách đơn vị"),
                        format!("no unit \"{unit_text}\" in the list of units"),
                    ));
                    None
                }
            }
        };
        let display_name = get("name");
        if display_name.is_empty() {
            problems.push(("cột Họ tên trống".into(), "the name is empty".into()));
        } else if display_name.chars().count() > 200 || display_name.chars().any(char::is_control) {
            problems.push((
                format!("Họ tên \"{display_name}\" không hợp lệ (tối đa 200 ký tự)"),
                format!("invalid name \"{display_name}\" (200 characters at most)"),
            ));
        }
        let email = match crate::email::parse_optional(&get("email")) {
            Ok(e) => e,
            Err(m) => {
                problems.push(crate::unit_import::split_pair(&m));
                None
            }
        };
        let phone = match parse_phone(&get("phone")) {
            Ok(p) => p,
            Err(m) => {
                problems.push(crate::unit_import::split_pair(&m));
                None
            }
        };
        let role = match fold(&get("role")).as_str() {
            "" | "unit" | "bao cao" | "don vi" | "nguoi bao cao" | "bao cao vien" => Role::Unit,
            "viewer" | "xem" | "chi xem" | "nguoi xem" => Role::Viewer,
            other => {
                problems.push((
                    format!("Vai trò \"{other}\": danh sách chỉ tạo tài khoản báo cáo hoặc chỉ xem"),
                    format!("role \"{other}\": a list creates only unit or viewer accounts"),
                ));
                Role::Unit
            }
        };
        let asked = get("username").to_lowercase();
        let username = if !asked.is_empty() {
            if !valid_username(&asked) {
                problems.push((
                    format!("Tên đăng nhập \"{asked}\" không hợp lệ (3–40 ký tự a-z, 0-9, . _ -)"),
                    format!("invalid username \"{asked}\" (3–40 characters a-z, 0-9, . _ -)"),
                ));
            } else if taken.contains(&asked) {
                problems.push((
                    format!("Tên đăng nhập \"{asked}\" đã có người dùng"),
                    format!("username \"{asked}\" is already taken"),
                ));
            } else if used.contains(&asked) {
                problems.push((
                    format!("Tên đăng nhập \"{asked}\" lặp lại trong tệp"),
                    format!("username \"{asked}\" appears twice in the file"),
                ));
            }
            asked
        } else {
            // Made from the unit's name; a number added when it is taken.
            let base = unit.map(|u| username_for(&u.name)).unwrap_or_else(|| "donvi".into());
            let mut candidate = base.clone();
            let mut n = 2;
            while taken.contains(&candidate) || used.contains(&candidate) {
                let suffix = format!(".{n}");
                candidate = format!("{}{suffix}", base.chars().take(40 - suffix.len()).collect::<String>());
                n += 1;
            }
            candidate
        };
        if !problems.is_empty() {
            errors.push(RowError::new(row, &problems));
            continue;
        }
        let Some(unit) = unit else { continue };
        used.insert(username.clone());
        out.push(AccountRow {
            row,
            unit_id: unit.id,
            unit_code: unit.code.clone(),
            unit_name: unit.name.clone(),
            username,
            display_name,
            email,
            phone,
            role,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if out.is_empty() {
        return Err(vec![RowError::one(2, "tệp không có dòng nào", "the file has no rows")]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units() -> Vec<UnitRef> {
        vec![
            UnitRef { id: 1, code: "91001".into(), name: "Đoàn xã Vĩnh Hòa Hiệp".into() },
            UnitRef { id: 2, code: "91002".into(), name: "Đoàn phường Rạch Giá".into() },
            UnitRef { id: 3, code: "91003".into(), name: "Đoàn xã Bình An".into() },
            UnitRef { id: 4, code: "91004".into(), name: "Đoàn xã Bình An".into() },
        ]
    }

    fn table(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn units_are_found_by_code_or_name_and_user_names_made_from_them() {
        let rows = table(&[
            &["STT", "Đơn vị", "Họ và tên", "E-mail", "Số điện thoại"],
            &["1", "doan xa vinh hoa hiep", "Nguyễn Văn A", "a@example.vn", "0297 3862 123"],
            &["2", "91002", "Trần Thị B", "", ""],
        ]);
        let taken: HashSet<String> = ["doanxa.vinhhoahiep".to_string()].into();
        let out = check_rows(&rows, &units(), &taken).expect("good rows");
        assert_eq!(out[0].unit_id, 1);
        assert_eq!(out[0].username, "doanxa.vinhhoahiep.2", "taken: a number is added");
        assert_eq!(out[0].phone.as_deref(), Some("0297 3862 123"));
        assert_eq!(out[1].username, "doanphuong.rachgia");
        assert_eq!(out[1].role, Role::Unit);
    }

    #[test]
    fn every_bad_row_is_named_with_its_value_and_nothing_passes() {
        let rows = table(&[
            &["Đơn vị", "Họ tên", "Email", "Điện thoại", "Vai trò"],
            &["Đoàn xã Không Có", "A", "", "", ""],
            &["Đoàn xã Bình An", "B", "", "", ""],
            &["91001", "", "sai@", "12", "admin"],
            &["91002", "D", "", "", ""],
        ]);
        let errors = check_rows(&rows, &units(), &HashSet::new()).expect_err("bad rows");
        assert_eq!(errors.iter().map(|e| e.row).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert!(errors[0].message.contains("Đoàn xã Không Có"));
        assert!(errors[1].message.contains("nhiều đơn vị cùng tên"));
        assert!(errors[2].message.contains("Họ tên trống") && errors[2].message.contains("sai@"));
        assert!(errors[2].message.contains("\"12\"") && errors[2].message.contains("Vai trò \"admin\""));
    }

    #[test]
    fn a_missing_column_or_an_empty_file_is_said() {
        let errors = check_rows(&table(&[&["Email"]]), &units(), &HashSet::new()).expect_err("no unit column");
        assert!(errors.iter().any(|e| e.message.contains("Đơn vị")));
        assert!(check_rows(&[], &units(), &HashSet::new()).is_err());
        let only_header = table(&[&["Đơn vị", "Họ tên"]]);
        assert!(check_rows(&only_header, &units(), &HashSet::new()).is_err());
    }

    #[test]
    fn phones_are_checked_as_people_write_them() {
        assert_eq!(parse_phone("+84 297 3862 123"), Ok(Some("+84 297 3862 123".into())));
        assert!(parse_phone("0297-3862-123").is_ok());
        assert!(parse_phone("goi 0912").is_err());
        assert!(parse_phone("84+123456789").is_err());
    }
}
