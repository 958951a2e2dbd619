//! The words of the plans: units that act ("đoàn xã, phường, thị trấn"), people
//! whose share is counted (the base of a percentage), and unit labels ("cây",
//! "lớp", "công trình hoặc phần việc"). Matched on folded words, so tone-mark
//! styles and case do not matter.

use std::sync::OnceLock;

use super::text::Word;
use super::Confidence;
use crate::plan::Level;
use crate::unit::{BaseFigure, UnitKind};

pub(crate) fn keys(ws: &[Word]) -> Vec<&str> {
    ws.iter().map(|w| w.key.as_str()).filter(|k| !k.is_empty()).collect()
}

/// Length in words of `phrase` if the keys start with it.
pub(crate) fn starts(keys: &[&str], phrase: &str) -> Option<usize> {
    let p: Vec<&str> = phrase.split(' ').collect();
    keys.starts_with(&p).then_some(p.len())
}

pub(crate) fn skip<'a>(mut keys: &'a [&'a str], words: &[&str]) -> &'a [&'a str] {
    while let Some(first) = keys.first() {
        if words.contains(first) {
            keys = &keys[1..];
        } else {
            break;
        }
    }
    keys
}

/// Units that do something: "đoàn xã, phường, thị trấn", "cơ sở đoàn", "huyện, thành Đoàn".
const SUBJECTS: [(&str, &[Level], &[UnitKind]); 23] = [
    ("huyen thanh doan va doan truc thuoc", &[Level::District], &[]),
    ("huyen doan thanh doan va doan truc thuoc", &[Level::District], &[]),
    ("huyen thi thanh doan va doan truc thuoc", &[Level::District], &[]),
    ("huyen thanh doan doan truc thuoc", &[Level::District], &[]),
    ("don vi cap huyen", &[Level::District], &[]),
    ("huyen thi thanh doan", &[Level::District], &[UnitKind::City, UnitKind::District]),
    ("huyen doan thanh doan", &[Level::District], &[UnitKind::City, UnitKind::District]),
    ("huyen thanh doan", &[Level::District], &[UnitKind::City, UnitKind::District]),
    ("huyen doan", &[Level::District], &[UnitKind::District]),
    ("thanh doan", &[Level::District], &[UnitKind::City]),
    ("doan truc thuoc", &[Level::District], &[UnitKind::Affiliated]),
    ("doan xa phuong thi tran", &[Level::Grassroots], &[UnitKind::Commune, UnitKind::Ward, UnitKind::Township]),
    ("xa phuong thi tran", &[Level::Grassroots], &[UnitKind::Commune, UnitKind::Ward, UnitKind::Township]),
    ("doan xa", &[Level::Grassroots], &[UnitKind::Commune]),
    ("doan phuong", &[Level::Grassroots], &[UnitKind::Ward]),
    ("doan thi tran", &[Level::Grassroots], &[UnitKind::Township]),
    ("to chuc co so doan", &[Level::Grassroots], &[]),
    ("co so doan", &[Level::Grassroots], &[]),
    ("doan co so", &[Level::Grassroots], &[]),
    ("doan cap co so", &[Level::Grassroots], &[]),
    ("doan truong", &[Level::Grassroots], &[UnitKind::School]),
    ("chi doan", &[Level::Branch], &[UnitKind::Branch]),
    ("cac chi doan", &[Level::Branch], &[UnitKind::Branch]),
];

pub(crate) fn subject(keys: &[&str]) -> Option<(Vec<Level>, Vec<UnitKind>, usize)> {
    let listed = commune_kinds(keys).map(|(kinds, n)| (vec![Level::Grassroots], kinds, n));
    SUBJECTS
        .iter()
        .filter_map(|(p, levels, kinds)| starts(keys, p).map(|n| (levels.to_vec(), kinds.to_vec(), n)))
        .chain(listed)
        .max_by_key(|s| s.2)
}

/// Commune-level units named in a list, the way district plans write them:
/// "đoàn xã, thị trấn", "xã, thị trấn đoàn", "xã đoàn", "thị trấn đoàn",
/// "đoàn phường", "đoàn xã, phường, thị trấn, đặc khu" — with the number of words used.
/// A bare "xã" is a place, not a unit: "đoàn" before or after, or two kinds, are needed.
fn commune_kinds(keys: &[&str]) -> Option<(Vec<UnitKind>, usize)> {
    let mut at = 0;
    let doan_before = keys.first() == Some(&"doan");
    if doan_before {
        at += 1;
    }
    let mut kinds: Vec<UnitKind> = Vec::new();
    let mut end = at;
    let mut doan_after = false;
    loop {
        let rest = &keys[at.min(keys.len())..];
        let (kind, n) = match rest {
            ["xa", ..] => (UnitKind::Commune, 1),
            ["phuong", ..] => (UnitKind::Ward, 1),
            ["thi", "tran", ..] => (UnitKind::Township, 2),
            ["dac", "khu", ..] => (UnitKind::SpecialZone, 2),
            _ => break,
        };
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
        at += n;
        end = at;
        // "xã đoàn, thị trấn đoàn"
        if keys.get(at) == Some(&"doan") {
            doan_after = true;
            at += 1;
            end = at;
        }
        // "xã, thị trấn", "xã và thị trấn", "xã hoặc phường"
        let next_is_kind = keys.get(at + 1).is_some_and(|k| ["xa", "phuong", "thi", "dac"].contains(k));
        if matches!(keys.get(at), Some(&"va") | Some(&"hoac")) && next_is_kind {
            at += 1;
        }
    }
    if kinds.is_empty() {
        return None;
    }
    (doan_before || doan_after || kinds.len() >= 2).then_some((kinds, end))
}

/// People as the base of a percentage, with how sure the reading is and a note.
const PEOPLE: [(&str, BaseFigure, Confidence, Option<&str>); 16] = [
    ("can bo doan doan vien thanh nien", BaseFigure::ThanhNien, Confidence::Low, Some(NOTE_CB_DV_TN)),
    ("can bo doan vien thanh nien", BaseFigure::ThanhNien, Confidence::Low, Some(NOTE_CB_DV_TN)),
    ("can bo doan doan vien", BaseFigure::DoanVien, Confidence::Medium, Some(NOTE_CB_DV)),
    ("can bo doan vien", BaseFigure::DoanVien, Confidence::Medium, Some(NOTE_CB_DV)),
    ("doan vien thanh nien", BaseFigure::ThanhNien, Confidence::Medium, Some(NOTE_DV_TN)),
    ("doan vien", BaseFigure::DoanVien, Confidence::High, None),
    ("can bo doan", BaseFigure::CanBoDoan, Confidence::High, None),
    ("thanh thieu nhi", BaseFigure::ThanhThieuNhi, Confidence::High, None),
    ("thanh thieu nien", BaseFigure::ThanhThieuNhi, Confidence::Medium, Some(NOTE_TTN)),
    ("thanh nien", BaseFigure::ThanhNien, Confidence::High, None),
    (
        "tn",
        BaseFigure::ThanhNien,
        Confidence::Medium,
        Some("“TN” đọc là thanh niên. / “TN” read as thanh niên (youth)."),
    ),
    ("thieu nhi", BaseFigure::ThanhThieuNhi, Confidence::Low, Some(NOTE_TN_CHILD)),
    ("doi vien", BaseFigure::ThanhThieuNhi, Confidence::Low, Some(NOTE_TN_CHILD)),
    ("tre em", BaseFigure::ThanhThieuNhi, Confidence::Low, Some(NOTE_TN_CHILD)),
    ("hoc sinh", BaseFigure::ThanhThieuNhi, Confidence::Low, Some(NOTE_TN_CHILD)),
    (
        "hoi vien",
        BaseFigure::ThanhNien,
        Confidence::Low,
        Some(
            "Hội viên: tạm lấy số thanh niên làm mẫu số. / Association members: youth count used as the base for now.",
        ),
    ),
];

/// The base figure of a percentage of these people, how sure, and a reading note.
pub(crate) fn person(keys: &[&str]) -> Option<(BaseFigure, Confidence, Option<&'static str>)> {
    PEOPLE
        .iter()
        .filter_map(|p| starts(keys, p.0).map(|n| (p, n)))
        .max_by_key(|(_, n)| *n)
        .map(|((_, base, confidence, note), _)| (*base, *confidence, *note))
}

const NOTE_CB_DV: &str = "Cán bộ Đoàn cũng là đoàn viên, nên lấy số đoàn viên làm mẫu số (cần xác nhận). / Union officers are members too: the member count is the base (please confirm).";
const NOTE_CB_DV_TN: &str = "Cán bộ, đoàn viên, thanh niên: lấy số thanh niên làm mẫu số (cần xác nhận). / Officers, members and youth: the youth count is the base (please confirm).";
const NOTE_DV_TN: &str = "Đoàn viên, thanh niên: lấy số thanh niên làm mẫu số (cần xác nhận). / Members and youth: the youth count is the base (please confirm).";
const NOTE_TTN: &str = "Thanh thiếu niên: lấy số thanh thiếu nhi làm mẫu số (cần xác nhận). / Adolescents and youth: the children-and-youth count is the base (please confirm).";
const NOTE_TN_CHILD: &str =
    "Lấy số thanh thiếu nhi làm mẫu số (cần xác nhận). / The children-and-youth count is the base (please confirm).";

/// Measure words used as unit labels.
const MEASURES: [&str; 48] = [
    "sàn giao dịch",
    "ngày hội",
    "mô hình",
    "tổ hợp tác",
    "hợp tác xã",
    "công trình",
    "phần việc",
    "lớp",
    "cây",
    "lượt",
    "ý tưởng",
    "sáng kiến",
    "tổ chức Đoàn",
    "câu lạc bộ",
    "CLB",
    "đội",
    "nhóm",
    "dự án",
    "phần quà",
    "suất học bổng",
    "học bổng",
    "suất",
    "căn nhà",
    "nhà",
    "tuyến đường",
    "km",
    "mét",
    "cuộc thi",
    "cuộc",
    "buổi",
    "hoạt động",
    "chương trình",
    "sản phẩm",
    "ngày công",
    "đơn vị máu",
    "giải",
    "tin bài",
    "bài",
    "sự kiện",
    "điểm",
    "cây cầu",
    "cầu",
    "con đường",
    "tấn",
    "triệu đồng",
    "tỷ đồng",
    "chi đoàn",
    "tài khoản",
];

/// The people counted, also used as unit labels ("7.000 đoàn viên").
const PEOPLE_UNITS: [&str; 13] = [
    "đoàn viên",
    "thanh niên",
    "thanh thiếu nhi",
    "thanh thiếu niên",
    "thiếu nhi",
    "học sinh",
    "sinh viên",
    "cán bộ đoàn",
    "cán bộ",
    "hội viên",
    "đội viên",
    "người",
    "trẻ em",
];

/// The unit labels with their folded keys, people last.
fn unit_keys() -> &'static [(&'static str, String)] {
    static KEYS: OnceLock<Vec<(&'static str, String)>> = OnceLock::new();
    KEYS.get_or_init(|| MEASURES.iter().chain(PEOPLE_UNITS.iter()).map(|u| (*u, super::text::fold(u))).collect())
}

fn unit_at(keys: &[&str], people_only: bool) -> Option<(&'static str, usize)> {
    let all = unit_keys();
    let from = if people_only { MEASURES.len() } else { 0 };
    all[from..].iter().filter_map(|(u, key)| starts(keys, key).map(|n| (*u, n))).max_by_key(|u| u.1)
}

/// A measure word anywhere in a wording ("Trồng mới cây xanh" → "cây"), for a
/// table row whose figure stands in a cell of its own; people are not measures here.
pub(crate) fn measure_in(ws: &[Word]) -> Option<String> {
    let ks: Vec<&str> = ws.iter().map(|w| w.key.as_str()).collect();
    let all = unit_keys();
    (0..ks.len()).find_map(|i| {
        all[..MEASURES.len()]
            .iter()
            .filter_map(|(u, key)| starts(&ks[i..], key).map(|n| (*u, n)))
            .max_by_key(|u| u.1)
            .map(|u| u.0.to_string())
    })
}

/// "cây" in "20.000 cây xanh"; "công trình hoặc phần việc"; "ý tưởng, sáng kiến"; "lượt thiếu nhi".
pub(crate) fn unit_label(after: &[Word]) -> Option<(String, Confidence)> {
    let ks: Vec<&str> = after.iter().map(|w| w.key.as_str()).collect();
    let Some((first, mut used)) = unit_at(&ks, false) else {
        let stop = ["cho", "cua", "tai", "trong", "duoc", "co", "de", "va", "o", "ve", "tu"];
        let label: Vec<&str> = ks.iter().take_while(|k| !k.is_empty() && !stop.contains(k)).take(2).copied().collect();
        return (!label.is_empty()).then(|| (label.join(" "), Confidence::Low));
    };
    let mut label = first.to_string();
    if first == "lượt" {
        if let Some((who, n)) = unit_at(&ks[used..], true) {
            label = format!("lượt {who}");
            used += n;
        }
    }
    if after.get(used - 1).is_some_and(|w| w.trailing.starts_with(',')) {
        if let Some((other, n)) = unit_at(&ks[used..], false) {
            label = format!("{label}, {other}");
            used += n;
        }
    }
    for j in used..(used + 4).min(ks.len()) {
        if ks[j] == "hoac" {
            if let Some((other, _)) = unit_at(&ks[j + 1..], false) {
                label = format!("{label} hoặc {other}");
            }
            break;
        }
        if !after[j].trailing.is_empty() {
            break;
        }
    }
    Some((label, Confidence::High))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::text::words;

    fn label(text: &str) -> Option<String> {
        unit_label(&words(text)).map(|l| l.0)
    }

    #[test]
    fn unit_labels_of_the_2023_plan() {
        assert_eq!(label("cây xanh.").as_deref(), Some("cây"));
        assert_eq!(
            label("sàn giao dịch việc làm hoặc ngày Hội việc làm").as_deref(),
            Some("sàn giao dịch hoặc ngày hội")
        );
        assert_eq!(label("ý tưởng, sáng kiến của đoàn viên").as_deref(), Some("ý tưởng, sáng kiến"));
        assert_eq!(label("lượt thiếu nhi có hoàn cảnh khó khăn").as_deref(), Some("lượt thiếu nhi"));
        assert_eq!(label("tổ chức Đoàn trong doanh nghiệp").as_deref(), Some("tổ chức Đoàn"));
        assert_eq!(label("tổ hợp tác thanh niên").as_deref(), Some("tổ hợp tác"));
        assert_eq!(unit_label(&words("xe đạp cho học sinh")).map(|l| l.1), Some(Confidence::Low));
    }

    #[test]
    fn subjects_and_people() {
        let k = |t: &'static str| t.split(' ').collect::<Vec<_>>();
        assert_eq!(subject(&k("huyen thanh doan va doan truc thuoc co")).map(|s| s.2), Some(7));
        assert_eq!(
            subject(&k("doan xa phuong thi tran thanh lap")).map(|s| s.1),
            Some(vec![UnitKind::Commune, UnitKind::Ward, UnitKind::Township])
        );
        assert_eq!(
            person(&k("can bo doan doan vien duoc")).map(|p| (p.0, p.1)),
            Some((BaseFigure::DoanVien, Confidence::Medium))
        );
        assert_eq!(person(&k("thanh thieu nhi duoc")).map(|p| p.0), Some(BaseFigure::ThanhThieuNhi));
        assert!(person(&k("cay xanh")).is_none());
    }
}
