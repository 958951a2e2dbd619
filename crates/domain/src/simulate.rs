//! A national-scale campaign for demos and benchmarks: a unit tree of about 100,000
//! units in four levels (one top unit, 700 district unions, 10,500 grassroots unions,
//! about 89,000 branches) and the Kiên Giang plan's 26 indicators over 10 weekly
//! periods, reported by every unit. Everything here is simulated and says so in its
//! names; it is deterministic for a seed.

use std::collections::BTreeMap;

use crate::base_figures::UnitBaseFigures;
use crate::plan::{IndicatorKind, Level, Plan};
use crate::unit::{BaseFigure, UnitKind, UnitSeed};

/// How big the simulated tree is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub districts: usize,
    pub grassroots_per_district: usize,
    /// Branches per grassroots union vary from `min` to `max` (inclusive).
    pub branches_min: usize,
    pub branches_max: usize,
}

/// About 100,000 units.
pub const NATIONAL: Shape = Shape { districts: 700, grassroots_per_district: 15, branches_min: 5, branches_max: 12 };

impl Shape {
    /// The national shape scaled to about `units` units in all: 7 districts per
    /// 1,000 units (`NATIONAL`'s 700 districts make 100,254), at least one. Each
    /// district is built as in `NATIONAL` and the first districts are the same for a
    /// seed whatever the size, so cost grows with the number of districts only:
    /// 1,000 → 7 districts, 10,000 → 70,
    /// 100,000 → 700 (`NATIONAL` itself), 1,000,000 → 7,000.
    pub fn about(units: usize) -> Shape {
        let districts = ((units as f64) * NATIONAL.districts as f64 / 100_000.0).round().max(1.0) as usize;
        Shape { districts, ..NATIONAL }
    }
}

/// The code of the top unit of the simulated tree.
pub const ROOT_CODE: &str = "QG";

/// A small deterministic generator (xorshift64*), so that a seed gives one tree.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// In `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1).max(1)
    }

    /// In `0.0..1.0`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The mean of a simulated weekly count (`week_values` draws 0 to 12).
pub const COUNT_WEEKLY_MEAN: f64 = 6.0;

/// A unit's simulated weekly values, ones its form accepts (the same checks as the
/// server's, `report::rules`), for the demo's reports and the benchmarks' requests:
/// - a count: 0 to 12 (mean `COUNT_WEEKLY_MEAN`); one that is part of another
///   ("trong đó", drawn after it): 0 to the other's value (mean half of it);
/// - a percentage of a base figure: people reached this week, up to a fifth of the
///   unit's figure, never taking the unit's total (`before` + this week) above it;
///   0 to 2 for a unit without the figure;
/// - a share of units the unit is expected to answer (yes/no): yes for about 3 units
///   in 10, once over the campaign (`before` > 0: already done, 0);
/// - a per-unit minimum the unit is expected to meet: 0 to 2;
/// - an indicator the unit answers only for its units below ("how many of your
///   units"), or not at all: left out (nothing to say is 0).
///
/// `base` is the unit's base figures, `before(key)` its total of the other weeks.
pub fn week_values(
    plan: &Plan,
    level: Level,
    kind: UnitKind,
    base: &BTreeMap<BaseFigure, i64>,
    before: &dyn Fn(&str) -> i64,
    rng: &mut Rng,
) -> BTreeMap<String, i64> {
    let mut values = BTreeMap::new();
    for ind in plan.active_indicators() {
        let v = match ind.kind {
            IndicatorKind::Count => match ind.part_of.as_ref().and_then(|p| values.get(p)) {
                // "Trong đó": part of the figure just drawn, never more.
                Some(&of) => rng.between(0, of as u64) as i64,
                None => rng.between(0, 12) as i64,
            },
            IndicatorKind::PercentOfBase => match ind.base.and_then(|f| base.get(&f)) {
                Some(&figure) => {
                    let room = (figure - before(&ind.key)).max(0);
                    (rng.between(0, (figure / 5).max(1) as u64) as i64).min(room)
                }
                None => rng.between(0, 2) as i64,
            },
            IndicatorKind::ShareOfUnits if ind.expects(level, kind) => {
                i64::from(rng.unit() < 0.3 && before(&ind.key) == 0)
            }
            IndicatorKind::MinimumPerUnit if ind.expects(level, kind) => rng.between(0, 2) as i64,
            IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit => continue,
        };
        values.insert(ind.key.clone(), v);
    }
    values
}

/// The simulated tree, parents before children, and each branch's base figures.
pub fn tree(shape: Shape, seed: u64) -> (Vec<UnitSeed>, Vec<UnitBaseFigures>) {
    let mut rng = Rng::new(seed);
    let mut units = vec![UnitSeed {
        code: ROOT_CODE.into(),
        parent_code: None,
        kind: UnitKind::Province,
        name: "Đoàn Thanh niên toàn quốc (MÔ PHỎNG)".into(),
        admin_name: None,
        gso_code: None,
    }];
    let mut figures = Vec::new();
    for d in 1..=shape.districts {
        let district = format!("QG-{d:03}");
        units.push(UnitSeed {
            code: district.clone(),
            parent_code: Some(ROOT_CODE.into()),
            kind: if d % 9 == 0 { UnitKind::City } else { UnitKind::District },
            name: format!("Huyện đoàn mô phỏng {d:03}"),
            admin_name: None,
            gso_code: None,
        });
        for g in 1..=shape.grassroots_per_district {
            let grassroots = format!("{district}-{g:02}");
            let name = format!("{d:03}-{g:02}");
            push_grassroots(&mut units, &mut figures, &mut rng, &shape, &grassroots, &district, g, &name);
        }
    }
    (units, figures)
}

/// The plan of the simulated national campaign: the Kiên Giang plan's targets and
/// indicators, reported weekly by every level for 10 weeks.
pub fn plan_toml(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 256);
    for line in source.lines() {
        let replaced = match line.trim_start() {
            l if l.starts_with("code = \"kien-giang-thang-thanh-nien-2023\"") => {
                "code = \"mo-phong-toan-quoc-2023\"".to_string()
            }
            l if l.starts_with("title = \"Kế hoạch Tháng Thanh niên năm 2023\"") => {
                "title = \"Kế hoạch Tháng Thanh niên năm 2023 (MÔ PHỎNG quy mô toàn quốc)\"".to_string()
            }
            l if l.starts_with("ends_on = 2023-04-10") => "ends_on = 2023-05-10".to_string(),
            l if l.starts_with("last_period_end = 2023-03-31") => "last_period_end = 2023-05-05".to_string(),
            l if l.starts_with("levels = [\"district\"]") && out.ends_with("[reporting]\n") => {
                "levels = [\"province\", \"district\", \"grassroots\", \"branch\"]".to_string()
            }
            _ => line.to_string(),
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    out
}

/// The provinces of the national cascade (issue #21): the 63 provinces and
/// centrally-run cities before the 2025 reorganisation.
pub const PROVINCES: usize = 63;

/// The tree of the national cascade: the top unit (Trung ương Đoàn), `provinces`
/// provinces directly beneath it, and the grassroots unions and branches of `shape`
/// shared out among the provinces (a province of the national shape has about 1,600
/// units). The product has four levels: Trung ương Đoàn sits at the top one and the
/// provinces at the one below (the level of districts, the level a province's office
/// sees its communes from since the 2025 reorganisation), their communes and branches
/// below them. Branches carry their members; each province carries the sums of its
/// branches (the base of the national rates, which the provinces report on).
pub fn cascade_tree(shape: Shape, provinces: usize, seed: u64) -> (Vec<UnitSeed>, Vec<UnitBaseFigures>) {
    let mut rng = Rng::new(seed);
    let provinces = provinces.max(1);
    let mut units = vec![UnitSeed {
        code: ROOT_CODE.into(),
        parent_code: None,
        kind: UnitKind::Province,
        name: "Trung ương Đoàn TNCS Hồ Chí Minh (MÔ PHỎNG)".into(),
        admin_name: None,
        gso_code: None,
    }];
    let mut figures = Vec::new();
    let grassroots_total = (shape.districts * shape.grassroots_per_district).max(provinces);
    for p in 1..=provinces {
        let province = province_code(p);
        units.push(UnitSeed {
            code: province.clone(),
            parent_code: Some(ROOT_CODE.into()),
            kind: if p % 12 == 1 { UnitKind::City } else { UnitKind::District },
            name: format!("Tỉnh đoàn mô phỏng {p:02}"),
            admin_name: None,
            gso_code: None,
        });
        let (from, to) = ((p - 1) * grassroots_total / provinces, p * grassroots_total / provinces);
        let (mut doan_vien, mut thanh_nien) = (0i64, 0i64);
        for g in 1..=(to - from) {
            let grassroots = format!("{province}-{g:03}");
            let name = format!("T{p:02}-{g:03}");
            let (dv, tn) =
                push_grassroots(&mut units, &mut figures, &mut rng, &shape, &grassroots, &province, g, &name);
            doan_vien += dv;
            thanh_nien += tn;
        }
        figures.push(UnitBaseFigures {
            code: province,
            figures: [(BaseFigure::DoanVien, doan_vien), (BaseFigure::ThanhNien, thanh_nien)].into_iter().collect(),
        });
    }
    (units, figures)
}

/// A simulated grassroots union (the `g`th under its parent: commune, ward or school)
/// and its branches with their members; returns the members' sums (đoàn viên, thanh
/// niên). `name` is its number in the names ("001-02").
#[allow(clippy::too_many_arguments)]
fn push_grassroots(
    units: &mut Vec<UnitSeed>,
    figures: &mut Vec<UnitBaseFigures>,
    rng: &mut Rng,
    shape: &Shape,
    grassroots: &str,
    parent: &str,
    g: usize,
    name: &str,
) -> (i64, i64) {
    units.push(UnitSeed {
        code: grassroots.to_string(),
        parent_code: Some(parent.to_string()),
        kind: match g % 5 {
            0 => UnitKind::Ward,
            4 => UnitKind::School,
            _ => UnitKind::Commune,
        },
        name: format!("Đoàn cơ sở mô phỏng {name}"),
        admin_name: None,
        gso_code: None,
    });
    let (mut doan_vien, mut thanh_nien) = (0i64, 0i64);
    let branches = rng.between(shape.branches_min as u64, shape.branches_max as u64);
    for b in 1..=branches {
        let code = format!("{grassroots}-{b:02}");
        let members = rng.between(8, 60) as i64;
        doan_vien += members;
        thanh_nien += members * 2;
        figures.push(UnitBaseFigures {
            code: code.clone(),
            figures: [(BaseFigure::DoanVien, members), (BaseFigure::ThanhNien, members * 2)].into_iter().collect(),
        });
        units.push(UnitSeed {
            code,
            parent_code: Some(grassroots.to_string()),
            kind: UnitKind::Branch,
            name: format!("Chi đoàn mô phỏng {name}-{b:02}"),
            admin_name: None,
            gso_code: None,
        });
    }
    (doan_vien, thanh_nien)
}

/// The code of the `n`th province of the cascade (1-based): "QG-T01".
pub fn province_code(n: usize) -> String {
    format!("{ROOT_CODE}-T{n:02}")
}

/// Where each count indicator's simulated total lands at the campaign's end, as a
/// share of its goal (`count_goals_for`), in turn: 40–130 %, as a real campaign's.
const END_SHARES: [f64; 7] = [0.95, 0.8, 1.1, 0.65, 1.2, 0.9, 0.75];

/// The plan (TOML) with every count goal set for a simulated tree of
/// `reporting_units` units reporting every week (`week_values`, 3 in 100 missing a
/// week): the expected total at the campaign's end divided by a share of 40–130 %
/// (`END_SHARES`), so that the simulated figures read like a campaign's, not
/// 52,900 % of a province's goal of 2. Percentages, shares and minimums keep their
/// goals (rates, whatever the size). A plan that does not parse is returned as is.
pub fn count_goals_for(toml: &str, reporting_units: usize) -> String {
    let Ok(plan) = crate::plan::parse_plan(toml) else { return toml.to_string() };
    let weeks = plan.periods().len() as f64;
    let expected = reporting_units as f64 * weeks * COUNT_WEEKLY_MEAN * 0.97;
    let goals: BTreeMap<String, i64> = plan
        .indicators()
        .filter(|i| i.kind == IndicatorKind::Count)
        .enumerate()
        .map(|(n, i)| {
            let part = if i.part_of.is_some() { 0.5 } else { 1.0 };
            (i.key.clone(), (expected * part / END_SHARES[n % END_SHARES.len()]).round().max(1.0) as i64)
        })
        .collect();
    let mut out = String::with_capacity(toml.len());
    let mut goal_of: Option<i64> = None;
    for line in toml.lines() {
        let l = line.trim_start();
        if l.starts_with("[[") {
            goal_of = None;
        } else if let Some(key) = l.strip_prefix("key = \"").and_then(|k| k.strip_suffix('"')) {
            goal_of = goals.get(key).copied();
        }
        match goal_of {
            Some(goal) if l.starts_with("goal = ") => out.push_str(&format!("goal = {goal}")),
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

/// The national plan of the cascade: the Kiên Giang plan's targets and indicators
/// over 10 weeks, issued by Ban Bí thư Trung ương Đoàn (simulated, and titled so),
/// reported by the provinces (the level below the top one), its count goals set for
/// the `reporting_units` communes and branches of the simulated nation
/// (`count_goals_for`).
pub fn national_plan_toml(source: &str, reporting_units: usize) -> String {
    count_goals_for(&national_plan_toml_as_issued(source), reporting_units)
}

/// The national plan's text before its count goals are set.
fn national_plan_toml_as_issued(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 512);
    let mut in_recipients = false;
    for line in source.lines() {
        let l = line.trim_start();
        if in_recipients {
            in_recipients = !l.starts_with(']');
            continue;
        }
        let replaced = match l {
            l if l.starts_with("recipients = [") => {
                in_recipients = true;
                "recipients = [\"Các Tỉnh đoàn, Thành đoàn (MÔ PHỎNG)\", \"Các ban, đơn vị thuộc Trung ương Đoàn\", \"Lưu Văn phòng Trung ương Đoàn\"]".to_string()
            }
            l if l.starts_with("code = \"kien-giang-thang-thanh-nien-2023\"") => {
                "code = \"mo-phong-toan-quoc-2023\"".to_string()
            }
            l if l.starts_with("title = \"Kế hoạch Tháng Thanh niên năm 2023\"") => {
                "title = \"Kế hoạch Tháng Thanh niên năm 2023 (MÔ PHỎNG quy mô toàn quốc)\"".to_string()
            }
            l if l.starts_with("theme = ") => "theme = \"Tuổi trẻ Việt Nam tiên phong chuyển đổi số\"".to_string(),
            l if l.starts_with("superior_body = ") => {
                "superior_body = \"BCH TRUNG ƯƠNG ĐOÀN TNCS HỒ CHÍ MINH\"".to_string()
            }
            l if l.starts_with("issuing_body = ") => "issuing_body = \"Ban Bí thư Trung ương Đoàn\"".to_string(),
            l if l.starts_with("place = \"Kiên Giang\"") => "place = \"Hà Nội\"".to_string(),
            l if l.starts_with("basis = ") => "basis = \"Căn cứ Chương trình công tác Đoàn và phong trào thanh thiếu nhi năm 2023 của Ban Chấp hành Trung ương Đoàn, Ban Bí thư Trung ương Đoàn ban hành Kế hoạch Tháng Thanh niên năm 2023 (MÔ PHỎNG) như sau:\"".to_string(),
            l if l.starts_with("on_behalf_of = ") => "on_behalf_of = \"TM. BAN BÍ THƯ TRUNG ƯƠNG ĐOÀN\"".to_string(),
            l if l.starts_with("name = \"Phan Đình Nhân\"") => "name = \"Người ký mô phỏng\"".to_string(),
            l if l.starts_with("office = \"Ban Phong trào Tỉnh Đoàn\"") => {
                "office = \"Ban Phong trào Trung ương Đoàn\"".to_string()
            }
            l if l.starts_with("send_to = ") => "send_to = \"Ban Phong trào Trung ương Đoàn\"".to_string(),
            l if l.starts_with("rule_text = \"Thời gian báo cáo") => "rule_text = \"Thời gian báo cáo: trước 16h00, thứ 6 hàng tuần; các Tỉnh đoàn, Thành đoàn báo cáo về Ban Phong trào Trung ương Đoàn (MÔ PHỎNG).\"".to_string(),
            l if l.starts_with("ends_on = 2023-04-10") => "ends_on = 2023-05-10".to_string(),
            l if l.starts_with("last_period_end = 2023-03-31") => "last_period_end = 2023-05-05".to_string(),
            _ => line.to_string(),
        };
        out.push_str(&replaced);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod cascade_tests {
    use super::*;
    use crate::plan::{parse_plan, Level};

    #[test]
    fn the_cascade_tree_puts_63_provinces_of_about_1600_units_under_the_top_unit() {
        let (units, figures) = cascade_tree(NATIONAL, PROVINCES, 7);
        assert!((95_000..=110_000).contains(&units.len()), "{} units", units.len());
        let provinces: Vec<&UnitSeed> = units.iter().filter(|u| u.parent_code.as_deref() == Some(ROOT_CODE)).collect();
        assert_eq!(provinces.len(), 63);
        assert!(provinces.iter().all(|p| p.kind.level() == Level::District && p.name.starts_with("Tỉnh đoàn")));
        let first = units.iter().filter(|u| u.code.starts_with(&format!("{}-", province_code(1)))).count();
        assert!((1_300..=1_900).contains(&first), "{first} units in a province");
        let codes: std::collections::HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), units.len(), "codes are unique");
        // A province's members are the sum of its branches'.
        let of = |code: &str| {
            figures.iter().find(|f| f.code == code).and_then(|f| f.figures.get(&BaseFigure::DoanVien)).copied()
        };
        let branches: i64 = figures
            .iter()
            .filter(|f| f.code.starts_with(&format!("{}-", province_code(2))))
            .filter_map(|f| f.figures.get(&BaseFigure::DoanVien))
            .sum();
        assert_eq!(of(&province_code(2)), Some(branches));
    }

    #[test]
    fn the_national_plan_is_issued_by_ban_bi_thu_and_reported_by_the_provinces() {
        let plan = parse_plan(&national_plan_toml(crate::builtin::PLAN_TOML, 98_000)).expect("valid plan");
        assert_eq!(plan.campaign.issuing_body, "Ban Bí thư Trung ương Đoàn");
        assert_eq!(plan.reporting.levels, vec![Level::District]);
        assert_eq!(plan.indicators().count(), 26);
        assert_eq!(plan.periods().len(), 10);
        assert!(plan.campaign.title.contains("MÔ PHỎNG"));
        assert!(plan.recipients.iter().all(|r| !r.contains("Tỉnh ủy")), "{:?}", plan.recipients);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{parse_plan, Level};

    #[test]
    fn the_national_tree_has_about_100000_units_in_four_levels() {
        let (units, figures) = tree(NATIONAL, 7);
        assert!((95_000..=110_000).contains(&units.len()), "{} units", units.len());
        let levels: std::collections::BTreeSet<Level> = units.iter().map(|u| u.kind.level()).collect();
        assert_eq!(levels.len(), 4);
        let branches = units.iter().filter(|u| u.kind == UnitKind::Branch).count();
        assert_eq!(figures.len(), branches);
        assert_eq!(tree(NATIONAL, 7).0.len(), units.len(), "same seed, same tree");
        let codes: std::collections::HashSet<&str> = units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(codes.len(), units.len(), "codes are unique");
    }

    #[test]
    fn the_national_plan_has_26_indicators_10_weeks_and_every_level_reports() {
        let plan = parse_plan(&plan_toml(crate::builtin::PLAN_TOML)).expect("valid plan");
        assert_eq!(plan.indicators().count(), 26);
        assert_eq!(plan.periods().len(), 10);
        assert_eq!(plan.reporting.levels.len(), 4);
        assert!(plan.campaign.title.contains("MÔ PHỎNG"));
    }
}

#[cfg(test)]
mod goal_tests {
    use std::collections::HashMap;

    use super::*;
    use crate::plan::parse_plan;

    /// The simulated nation over its 10 weeks (every commune and branch reporting
    /// `week_values` each week, 3 in 100 missing a week), against the national plan's
    /// goals: every count indicator ends between 40 % and 130 % of its goal (Kiên
    /// Giang's goal of 2 models for the whole country read 52,900 %), no indicator
    /// above 300 %, and every value is one the unit's form accepts (a percentage never
    /// above the unit's base figure, a yes once).
    #[test]
    fn the_simulated_nation_ends_the_campaign_within_a_believable_range_of_its_goals() {
        let (units, figures) = cascade_tree(Shape::about(5_000), PROVINCES, 7);
        let reporting: Vec<&UnitSeed> =
            units.iter().filter(|u| matches!(u.kind.level(), Level::Grassroots | Level::Branch)).collect();
        let plan = parse_plan(&national_plan_toml(crate::builtin::PLAN_TOML, reporting.len())).expect("valid plan");
        let base: HashMap<&str, BTreeMap<BaseFigure, i64>> =
            figures.iter().map(|f| (f.code.as_str(), f.figures.clone())).collect();
        let none = BTreeMap::new();
        let mut rng = Rng::new(11);
        let mut totals: HashMap<(&str, String), i64> = HashMap::new();
        let mut national: BTreeMap<String, i64> = BTreeMap::new();
        for _week in plan.periods() {
            for u in &reporting {
                if rng.unit() < 0.03 {
                    continue;
                }
                let unit_base = base.get(u.code.as_str()).unwrap_or(&none);
                let values = {
                    let before = |key: &str| totals.get(&(u.code.as_str(), key.to_string())).copied().unwrap_or(0);
                    week_values(&plan, u.kind.level(), u.kind, unit_base, &before, &mut rng)
                };
                for (key, v) in values {
                    let ind = plan.indicator(&key).expect("an indicator of the plan");
                    let total = totals.get(&(u.code.as_str(), key.clone())).copied().unwrap_or(0) + v;
                    if let Some(figure) = ind.base.and_then(|f| unit_base.get(&f)) {
                        assert!(total <= *figure, "{key} of {}: {total} above {figure}", u.code);
                    }
                    if ind.kind == IndicatorKind::ShareOfUnits {
                        assert!(total <= 1, "{key} of {}: done twice", u.code);
                    }
                    totals.insert((u.code.as_str(), key.clone()), total);
                    *national.entry(key).or_insert(0) += v;
                }
            }
        }
        let members: i64 = figures
            .iter()
            .filter(|f| f.code.matches('-').count() == 3)
            .filter_map(|f| f.figures.get(&BaseFigure::DoanVien))
            .sum();
        for ind in plan.active_indicators() {
            let sum = national.get(&ind.key).copied().unwrap_or(0) as f64;
            match ind.kind {
                IndicatorKind::Count => {
                    let share = sum / ind.goal;
                    assert!(
                        (0.4..=1.3).contains(&share),
                        "{}: {sum} of {} = {:.0} %",
                        ind.key,
                        ind.goal,
                        share * 100.0
                    );
                }
                IndicatorKind::PercentOfBase if ind.base == Some(BaseFigure::DoanVien) => {
                    let share = sum / members as f64;
                    assert!(share <= 3.0, "{}: {:.0} % of the members", ind.key, share * 100.0);
                }
                _ => {}
            }
        }
        // Kiên Giang's goal of 2 models is now the nation's, its "trong đó" below it.
        let goal = |key: &str| plan.indicator(key).map(|i| i.goal).unwrap_or_default();
        assert!(goal("4a") > 1_000.0 && goal("4b") < goal("4a"), "{} {}", goal("4a"), goal("4b"));
        assert!(national.get("4b") <= national.get("4a"));
        // Rates keep their goals.
        assert_eq!(plan.indicator("2a").map(|i| i.goal), Some(85.0));
    }
}

#[cfg(test)]
mod size_tests {
    use super::*;

    #[test]
    fn a_size_gives_a_tree_of_about_that_many_units_and_the_default_is_unchanged() {
        assert_eq!(Shape::about(100_000), NATIONAL);
        assert_eq!(Shape::about(1_000).districts, 7);
        assert_eq!(Shape::about(10_000).districts, 70);
        assert_eq!(Shape::about(1).districts, 1);
        let (units, _) = tree(Shape::about(10_000), 7);
        assert!((9_000..11_000).contains(&units.len()), "{}", units.len());
        // The same seed gives the same first districts whatever the size.
        let (small, _) = tree(Shape::about(1_000), 7);
        assert_eq!(small[..small.len()], units[..small.len()]);
    }
}
