//! The campaign's events and deadlines as calendar entries: the province events, the
//! plan's milestones and every weekly report deadline; for one unit, the deadlines of
//! its own reports and the milestones of its level. The calendar page and the
//! iCalendar feed (GET /calendar.ics) both show these.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use phongtrao_domain::format;
use phongtrao_domain::ical::{Entry, Span};
use phongtrao_domain::plan::When;
use phongtrao_storage::campaigns::{self, StoredCampaign};
use phongtrao_storage::units::UnitRow;

use crate::error::Failure;
use crate::i18n::Lang;
use crate::AppState;

/// What an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Event,
    Milestone,
    Deadline,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Event => "event",
            Kind::Milestone => "milestone",
            Kind::Deadline => "deadline",
        }
    }
}

#[derive(Debug, Clone)]
pub struct CalendarEntry {
    pub kind: Kind,
    /// The first day, for ordering and grouping by month.
    pub day: NaiveDate,
    /// The entry as the feed writes it.
    pub entry: Entry,
    /// "24/02/2023", "01/03 – 05/03/2023", "16h00 03/03/2023".
    pub when: String,
    /// A path inside the app (a report form), if any.
    pub path: Option<String>,
}

pub struct Calendar {
    pub campaign: StoredCampaign,
    pub unit: Option<UnitRow>,
    pub entries: Vec<CalendarEntry>,
    /// Events whose date is not known yet.
    pub undated: Vec<String>,
}

fn range_text(first: NaiveDate, last: NaiveDate) -> String {
    if first == last {
        format::date(first)
    } else {
        format!("{} – {}", format::date(first), format::date(last))
    }
}

/// The entries of the current campaign, all of them or those of one unit.
pub async fn load(
    state: &AppState,
    campaign: &StoredCampaign,
    unit_code: Option<&str>,
    lang: Lang,
) -> Result<Calendar, Failure> {
    let db = &state.db;
    let unit = match unit_code {
        Some(code) => Some(
            crate::campaign_choice::unit_by_code(db, campaign, code)
                .await?
                .filter(|u| u.active)
                .ok_or_else(Failure::not_found)?,
        ),
        None => None,
    };
    let plan = &campaign.plan;
    let code = &plan.campaign.code;
    let prefix = match &unit {
        Some(u) => format!("{code}-{}", u.code),
        None => code.clone(),
    };
    let mut entries = Vec::new();
    let mut undated = Vec::new();
    let vi = lang == Lang::Vi;
    if unit.is_none() {
        for e in campaigns::events(db, campaign.row.id).await? {
            let Some(first) = e.starts_on else {
                undated.push(e.title);
                continue;
            };
            let last = e.ends_on.unwrap_or(first).max(first);
            // What became of it, once the office has recorded it (held, postponed…).
            let summary = match phongtrao_domain::event_record::EventStatus::parse(&e.status) {
                Some(s) if s != phongtrao_domain::event_record::EventStatus::Planned => {
                    format!("{} — {}", e.title, if vi { s.label_vi() } else { s.label_en() })
                }
                _ => e.title,
            };
            entries.push(CalendarEntry {
                kind: Kind::Event,
                day: first,
                when: range_text(first, last),
                path: Some(format!("/events#e{}", e.number)),
                entry: Entry {
                    uid: format!("{prefix}-event-{}@phongtrao", e.number),
                    summary,
                    span: Span::Days { first, last },
                    location: e.place,
                    description: e.results,
                    url: None,
                    alarm_before: None,
                },
            });
        }
    }
    let unit_level = unit.as_ref().and_then(|u| u.level());
    let reporting = match &unit {
        Some(u) => u.level().is_some_and(|l| plan.reporting.levels.contains(&l)),
        None => true,
    };
    for m in &plan.milestones {
        if unit_level.is_some_and(|l| l != m.level) {
            continue;
        }
        let (first, last, when) = match m.when {
            When::On { date } => (date, date, format::date(date)),
            When::Window { from, to } => (from, to, range_text(from, to)),
            When::Before { date } => {
                let last = date.pred_opt().unwrap_or(date);
                let text = if vi {
                    format!("trước ngày {}", format::date(date))
                } else {
                    format!("before {}", format::date(date))
                };
                (last, last, text)
            }
        };
        let is_deadline = matches!(m.when, When::Before { .. });
        let path = (is_deadline && m.key == "unit-plan" && reporting)
            .then(|| unit.as_ref().map(|u| format!("/reports/{}/plan", u.code)))
            .flatten();
        entries.push(CalendarEntry {
            kind: if is_deadline { Kind::Deadline } else { Kind::Milestone },
            day: first,
            when,
            path,
            entry: Entry {
                uid: format!("{prefix}-{}@phongtrao", m.key),
                summary: if is_deadline && vi {
                    format!("Hạn: {}", m.title)
                } else if is_deadline {
                    format!("Due: {}", m.title)
                } else {
                    m.title.clone()
                },
                span: Span::Days { first, last },
                location: m.place.clone(),
                description: m.note.clone(),
                url: None,
                alarm_before: is_deadline.then(|| Duration::hours(24)),
            },
        });
    }
    if reporting {
        let due = format::time(plan.reporting.weekly.due_time);
        for p in plan.periods() {
            let deadline: DateTime<Utc> = p.deadline.with_timezone(&Utc);
            let summary = match (&unit, vi) {
                (Some(u), true) => format!("Hạn báo cáo tuần {} ({}) — {}", p.seq, u.name, due),
                (Some(u), false) => format!("Weekly report {} due ({}) — {}", p.seq, u.name, due),
                (None, true) => format!("Hạn báo cáo tuần {} — trước {due}", p.seq),
                (None, false) => format!("Weekly report {} due — before {due}", p.seq),
            };
            let description = if vi {
                format!("Kỳ báo cáo {} – {}", format::date(p.start), format::date(p.end))
            } else {
                format!("Reporting period {} – {}", format::date(p.start), format::date(p.end))
            };
            entries.push(CalendarEntry {
                kind: Kind::Deadline,
                day: p.end,
                when: format!("{due} {}", format::date(p.end)),
                path: unit.as_ref().map(|u| crate::actions::reports::week_href(&u.code, p.end)),
                entry: Entry {
                    uid: format!("{prefix}-week-{}@phongtrao", p.seq),
                    summary,
                    span: Span::Timed { start: deadline - Duration::hours(1), end: deadline },
                    location: plan.reporting.send_to.clone(),
                    description: Some(description),
                    url: None,
                    alarm_before: Some(Duration::hours(3)),
                },
            });
        }
    }
    entries.sort_by(|a, b| a.day.cmp(&b.day).then(a.entry.uid.cmp(&b.entry.uid)));
    Ok(Calendar { campaign: campaign.clone(), unit, entries, undated })
}
