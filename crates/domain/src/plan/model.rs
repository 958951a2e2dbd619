//! The checked plan: what the rest of the product works with.

use chrono::{NaiveDate, NaiveTime};
use chrono_tz::Tz;
use serde::Serialize;

pub use super::file::{
    AreaGroupFile as AreaGroup, ContactFile as Contact, DutyFile as Duty, PurposeFile as Purpose,
    SignatoryFile as Signatory,
};
use super::values::{Comparison, IndicatorKind, Level};
use crate::period::{weekly_periods, Period};
use crate::unit::{BaseFigure, UnitKind};

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub campaign: Campaign,
    pub purpose: Purpose,
    pub areas: Vec<Area>,
    pub target_groups: Vec<TargetGroup>,
    pub targets: Vec<Target>,
    pub events: Vec<Event>,
    pub milestones: Vec<Milestone>,
    pub reporting: Reporting,
    pub duties: Vec<Duty>,
    pub recipients: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Campaign {
    pub code: String,
    pub title: String,
    pub short_title: Option<String>,
    pub year: i32,
    pub theme: String,
    pub superior_body: Option<String>,
    pub issuing_body: String,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    pub place: String,
    pub issued_on: Option<NaiveDate>,
    pub basis: Option<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[serde(serialize_with = "serialize_tz")]
    pub timezone: Tz,
    pub signatory: Signatory,
    pub contact: Contact,
}

fn serialize_tz<S: serde::Serializer>(tz: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(tz.name())
}

#[derive(Debug, Clone, Serialize)]
pub struct Area {
    pub number: String,
    /// "2" for "2.1"; None for top-level areas.
    pub parent: Option<String>,
    pub title: String,
    pub items: Vec<String>,
    pub groups: Vec<AreaGroup>,
}

impl Area {
    pub fn depth(&self) -> usize {
        self.number.matches('.').count()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TargetGroup {
    pub key: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub number: u32,
    pub group: String,
    pub text: String,
    pub area: Option<String>,
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub key: String,
    pub target_number: u32,
    pub label: String,
    pub kind: IndicatorKind,
    pub comparison: Comparison,
    pub goal: f64,
    pub unit_label: Option<String>,
    pub base: Option<BaseFigure>,
    pub levels: Vec<Level>,
    pub unit_kinds: Vec<UnitKind>,
    pub per_unit_minimum: Option<f64>,
    pub part_of: Option<String>,
    pub note: Option<String>,
    /// Retired by an amendment ("ngừng theo dõi"): kept with its figures, no longer
    /// asked for nor counted in completion.
    pub retired: bool,
}

impl Indicator {
    /// Whether a unit of this level and kind is expected to answer this indicator
    /// (share and minimum kinds); counts and percentages apply to every reporting unit.
    pub fn expects(&self, level: Level, kind: UnitKind) -> bool {
        match self.kind {
            IndicatorKind::Count | IndicatorKind::PercentOfBase => true,
            IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit => {
                self.levels.contains(&level) && (self.unit_kinds.is_empty() || self.unit_kinds.contains(&kind))
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub number: u32,
    pub title: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub host_unit: Option<String>,
    pub note: Option<String>,
}

/// When a milestone happens, in the plan's own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum When {
    /// "ngày 24/2/2023"
    On { date: NaiveDate },
    /// "từ ngày 01/3 đến 05/3/2023", both days included
    Window { from: NaiveDate, to: NaiveDate },
    /// "trước ngày 10/4/2023": due before this day begins
    Before { date: NaiveDate },
}

impl When {
    /// The first day it concerns, for ordering a timeline.
    pub fn first_day(self) -> NaiveDate {
        match self {
            When::On { date } | When::Before { date } => date,
            When::Window { from, .. } => from,
        }
    }

    /// The last instant it allows, as a local day: the day itself, the window's end,
    /// or the day before a "before" date.
    pub fn last_day(self) -> NaiveDate {
        match self {
            When::On { date } => date,
            When::Window { to, .. } => to,
            When::Before { date } => date.pred_opt().unwrap_or(date),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Milestone {
    pub key: String,
    pub title: String,
    pub level: Level,
    pub when: When,
    pub place: Option<String>,
    pub host_unit: Option<String>,
    pub source: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Reporting {
    pub levels: Vec<Level>,
    pub send_to: Option<String>,
    pub lock_after_days: Option<u32>,
    pub weekly: WeeklyRule,
}

#[derive(Debug, Clone, Serialize)]
pub struct WeeklyRule {
    pub first_period_end: NaiveDate,
    pub last_period_end: NaiveDate,
    pub due_time: NaiveTime,
    pub rule_text: Option<String>,
}

impl Plan {
    pub fn indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.targets.iter().flat_map(|t| t.indicators.iter())
    }

    /// The indicators still followed (not retired), in document order.
    pub fn active_indicators(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators().filter(|i| !i.retired)
    }

    pub fn indicator(&self, key: &str) -> Option<&Indicator> {
        self.indicators().find(|i| i.key == key)
    }

    pub fn target(&self, number: u32) -> Option<&Target> {
        self.targets.iter().find(|t| t.number == number)
    }

    /// The weekly reporting periods, in order, with their deadlines.
    pub fn periods(&self) -> Vec<Period> {
        weekly_periods(&self.reporting.weekly, self.campaign.timezone)
    }

    /// The weekly reporting period that ends on `end` (its last day), if the plan has one.
    /// Every page, API call and command that names a week by its last day finds it here.
    pub fn period_ending(&self, end: chrono::NaiveDate) -> Option<Period> {
        self.periods().into_iter().find(|p| p.end == end)
    }

    pub fn milestone(&self, key: &str) -> Option<&Milestone> {
        self.milestones.iter().find(|m| m.key == key)
    }

    /// Targets of one group, in document order.
    pub fn targets_in_group<'a>(&'a self, group: &'a str) -> impl Iterator<Item = &'a Target> + 'a {
        self.targets.iter().filter(move |t| t.group == group)
    }

    /// Document numbers missing between the first and the last target (3 in 2023).
    pub fn missing_target_numbers(&self) -> Vec<u32> {
        let mut numbers: Vec<u32> = self.targets.iter().map(|t| t.number).collect();
        numbers.sort_unstable();
        let (Some(&first), Some(&last)) = (numbers.first(), numbers.last()) else {
            return Vec::new();
        };
        (first.min(1)..=last).filter(|n| *n > 0 && !numbers.contains(n)).collect()
    }
}
