//! Small validated value types shared by the plan file and the domain model.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

/// A calendar date written either as a TOML date (`2023-02-24`) or as a string
/// in the Vietnamese style (`"24/2/2023"`) or ISO style (`"2023-02-24"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileDate(pub NaiveDate);

impl FileDate {
    /// Parses `dd/mm/yyyy` (one or two digits for day and month) or `yyyy-mm-dd`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let parsed = if text.contains('/') {
            NaiveDate::parse_from_str(text, "%d/%m/%Y")
        } else {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
        };
        parsed
            .map(FileDate)
            .map_err(|_| format!("ngày không hợp lệ / invalid date: \"{text}\" (dd/mm/yyyy hoặc/or yyyy-mm-dd)"))
    }
}

impl<'de> Deserialize<'de> for FileDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        match value {
            toml::Value::String(s) => FileDate::parse(&s).map_err(serde::de::Error::custom),
            toml::Value::Datetime(dt) => match (dt.date, dt.time) {
                (Some(d), None) => NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .map(FileDate)
                    .ok_or_else(|| serde::de::Error::custom(format!("ngày không hợp lệ / invalid date: {dt}"))),
                _ => Err(serde::de::Error::custom(format!(
                    "cần một ngày, không kèm giờ / expected a date without a time: {dt}"
                ))),
            },
            other => {
                Err(serde::de::Error::custom(format!("cần một ngày / expected a date, found {}", other.type_str())))
            }
        }
    }
}

/// A goal: a finite, non-negative number.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize)]
pub struct Goal(f64);

impl Goal {
    pub fn new(value: f64) -> Result<Self, String> {
        if !value.is_finite() {
            return Err("chỉ tiêu phải là một số / the goal must be a number".into());
        }
        if value < 0.0 {
            return Err(format!("chỉ tiêu không được âm / the goal must not be negative: {value}"));
        }
        Ok(Goal(value))
    }

    pub fn value(self) -> f64 {
        self.0
    }

    pub fn is_whole(self) -> bool {
        self.0.fract() == 0.0
    }
}

impl<'de> Deserialize<'de> for Goal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = toml::Value::deserialize(deserializer)?;
        let number = match value {
            toml::Value::Integer(i) => i as f64,
            toml::Value::Float(f) => f,
            other => {
                return Err(serde::de::Error::custom(format!(
                    "chỉ tiêu phải là một số / the goal must be a number, found {}",
                    other.type_str()
                )))
            }
        };
        Goal::new(number).map_err(serde::de::Error::custom)
    }
}

/// How the achieved value is compared with the goal: the plan's own words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparison {
    /// "ít nhất", "tối thiểu", or a plain goal: met when achieved ≥ goal.
    #[serde(rename = ">=")]
    AtLeast,
    /// "trên": met only when achieved > goal.
    #[serde(rename = ">")]
    MoreThan,
}

impl Comparison {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::AtLeast => "≥",
            Comparison::MoreThan => ">",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Comparison::AtLeast => ">=",
            Comparison::MoreThan => ">",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            ">=" => Some(Comparison::AtLeast),
            ">" => Some(Comparison::MoreThan),
            _ => None,
        }
    }

    /// A count goal as every page and document writes it: "20.000 cây", "> 5 lớp".
    pub fn count_goal_text(self, goal: f64, unit_label: Option<&str>) -> String {
        let sign = if self == Comparison::MoreThan { "> " } else { "" };
        let unit = unit_label.map(|u| format!(" {u}")).unwrap_or_default();
        format!("{sign}{}{unit}", crate::format::number(goal, 2))
    }

    /// A percentage goal as every page and document writes it: "≥ 70%", "> 7%", and
    /// "100%" (nothing can reach more than all).
    pub fn percent_goal_text(self, goal: f64) -> String {
        let sign = match self {
            Comparison::MoreThan => "> ",
            Comparison::AtLeast if goal >= 100.0 => "",
            Comparison::AtLeast => "≥ ",
        };
        format!("{sign}{}", crate::format::percent(goal))
    }

    /// Whether `achieved` meets `goal` under this comparison.
    pub fn is_met(self, achieved: f64, goal: f64) -> bool {
        match self {
            Comparison::AtLeast => achieved >= goal,
            Comparison::MoreThan => achieved > goal,
        }
    }
}

/// The four kinds of indicator (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// A summed quantity with a unit label.
    Count,
    /// People reached as a share of a base figure.
    PercentOfBase,
    /// Units of a level that did a yes/no thing.
    ShareOfUnits,
    /// Every unit of a level has at least N of something.
    MinimumPerUnit,
}

impl IndicatorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            IndicatorKind::Count => "count",
            IndicatorKind::PercentOfBase => "percent_of_base",
            IndicatorKind::ShareOfUnits => "share_of_units",
            IndicatorKind::MinimumPerUnit => "minimum_per_unit",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "count" => Some(IndicatorKind::Count),
            "percent_of_base" => Some(IndicatorKind::PercentOfBase),
            "share_of_units" => Some(IndicatorKind::ShareOfUnits),
            "minimum_per_unit" => Some(IndicatorKind::MinimumPerUnit),
            _ => None,
        }
    }

    /// Goals of these kinds are percentages (0–100).
    pub fn goal_is_percent(self) -> bool {
        !matches!(self, IndicatorKind::Count)
    }
}

/// Levels of the unit tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Tỉnh đoàn.
    Province,
    /// Huyện/Thành đoàn and đoàn trực thuộc.
    District,
    /// Đoàn cơ sở: xã, phường, thị trấn, schools, agencies, enterprises.
    Grassroots,
    /// Chi đoàn.
    Branch,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Province, Level::District, Level::Grassroots, Level::Branch];

    pub fn number(self) -> i32 {
        match self {
            Level::Province => 1,
            Level::District => 2,
            Level::Grassroots => 3,
            Level::Branch => 4,
        }
    }

    pub fn from_number(n: i64) -> Option<Self> {
        match n {
            1 => Some(Level::Province),
            2 => Some(Level::District),
            3 => Some(Level::Grassroots),
            4 => Some(Level::Branch),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Province => "province",
            Level::District => "district",
            Level::Grassroots => "grassroots",
            Level::Branch => "branch",
        }
    }

    /// Vietnamese name of the level.
    pub fn label_vi(self) -> &'static str {
        match self {
            Level::Province => "Cấp tỉnh",
            Level::District => "Cấp huyện và tương đương",
            Level::Grassroots => "Cấp cơ sở",
            Level::Branch => "Chi đoàn",
        }
    }

    /// English name of the level.
    pub fn label_en(self) -> &'static str {
        match self {
            Level::Province => "Province level",
            Level::District => "District level and equivalent",
            Level::Grassroots => "Grassroots level",
            Level::Branch => "Branch",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_in_both_styles() {
        let d = NaiveDate::from_ymd_opt(2023, 2, 24).unwrap();
        assert_eq!(FileDate::parse("24/2/2023").unwrap().0, d);
        assert_eq!(FileDate::parse("2023-02-24").unwrap().0, d);
        assert!(FileDate::parse("31/02/2023").is_err());
        assert!(FileDate::parse("2023-13-01").is_err());
    }

    #[test]
    fn goals_reject_negative_and_non_finite() {
        assert!(Goal::new(-1.0).is_err());
        assert!(Goal::new(f64::NAN).is_err());
        assert_eq!(Goal::new(20000.0).unwrap().value(), 20000.0);
    }

    #[test]
    fn more_than_is_strict() {
        assert!(Comparison::AtLeast.is_met(7.0, 7.0));
        assert!(!Comparison::MoreThan.is_met(7.0, 7.0));
        assert!(Comparison::MoreThan.is_met(7.1, 7.0));
    }
}
