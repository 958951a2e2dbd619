//! The campaign overview: theme, purposes, every date, the province events, and the
//! points of the plan the office should look at.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use chrono::{NaiveDate, Utc};
use phongtrao_domain::format;
use phongtrao_domain::plan::lint::{self, describe, describe_en};
use phongtrao_domain::plan::{Area, Duty, Plan, When};
use phongtrao_storage::campaigns::{self, EventRow};

use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

pub struct TimelineRow {
    pub sort: NaiveDate,
    pub when: String,
    pub title: String,
    pub level: String,
    pub place: String,
    pub past: bool,
}

pub struct EventView {
    pub number: i64,
    pub title: String,
    pub when: Option<String>,
    pub place: Option<String>,
    pub status: String,
}

pub struct PeriodView {
    pub seq: u32,
    pub range: String,
    pub deadline: String,
    pub past: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "overview.html")]
pub struct OverviewPage {
    pub chrome: Chrome,
    pub plan: Plan,
    pub document_number: Option<String>,
    pub next_deadline: Option<String>,
    pub ended_on: String,
    pub timeline: Vec<TimelineRow>,
    pub periods: Vec<PeriodView>,
    pub events: Vec<EventView>,
    pub notices: Vec<String>,
    pub areas: Vec<Area>,
    pub duties: Vec<Duty>,
    pub reporting_levels: String,
    pub activated: bool,
}

fn level_label(level: phongtrao_domain::plan::Level, lang: Lang) -> String {
    match lang {
        Lang::Vi => level.label_vi().to_string(),
        Lang::En => match level {
            phongtrao_domain::plan::Level::Province => "Province".into(),
            phongtrao_domain::plan::Level::District => "District level".into(),
            phongtrao_domain::plan::Level::Grassroots => "Grassroots".into(),
            phongtrao_domain::plan::Level::Branch => "Branch".into(),
        },
    }
}

pub async fn show(State(state): State<AppState>, page: Page) -> Result<OverviewPage, AppError> {
    let lang = page.lang;
    let stored = page.campaign()?;
    let events = campaigns::events(&state.db, stored.row.id).await.map_err(|e| AppError::internal(lang, e))?;
    Ok(build((*stored.plan).clone(), events, &page, state.now()))
}

fn build(plan: Plan, events: Vec<EventRow>, page: &Page, now: chrono::DateTime<Utc>) -> OverviewPage {
    let lang = page.lang;
    let tz = plan.campaign.timezone;
    let today = now.with_timezone(&tz).date_naive();
    let when_text = |w: When| match lang {
        Lang::Vi => describe(w),
        Lang::En => describe_en(w),
    };
    let mut timeline: Vec<TimelineRow> = plan
        .milestones
        .iter()
        .map(|m| TimelineRow {
            sort: match m.when {
                When::Before { .. } => m.when.last_day(),
                _ => m.when.first_day(),
            },
            when: when_text(m.when),
            title: m.title.clone(),
            level: level_label(m.level, lang),
            place: m.place.clone().unwrap_or_default(),
            past: m.when.last_day() < today,
        })
        .collect();
    let periods = plan.periods();
    let due = format::time(plan.reporting.weekly.due_time);
    for p in &periods {
        let levels: Vec<String> = plan.reporting.levels.iter().map(|l| level_label(*l, lang)).collect();
        timeline.push(TimelineRow {
            sort: p.end,
            when: match lang {
                Lang::Vi => format!("trước {due} ngày {}", format::date(p.end)),
                Lang::En => format!("before {due} on {}", format::date(p.end)),
            },
            title: match lang {
                Lang::Vi => format!("Báo cáo tuần {} ({} – {})", p.seq, format::date(p.start), format::date(p.end)),
                Lang::En => format!("Weekly report {} ({} – {})", p.seq, format::date(p.start), format::date(p.end)),
            },
            level: levels.join(", "),
            place: plan.reporting.send_to.clone().unwrap_or_default(),
            past: p.deadline.with_timezone(&Utc) < now,
        });
    }
    timeline.sort_by_key(|r| r.sort);

    let mut upcoming: Vec<(chrono::DateTime<Utc>, String)> = periods
        .iter()
        .map(|p| {
            (
                p.deadline.with_timezone(&Utc),
                format!("{} {} — {} {}", lang.t("overview.weekly_deadline"), p.seq, due, format::date(p.end)),
            )
        })
        .collect();
    for m in &plan.milestones {
        if let When::Before { date } = m.when {
            let at = phongtrao_domain::period::before_day_deadline(tz, date).with_timezone(&Utc);
            upcoming.push((at, format!("{} — {}", m.title, when_text(m.when))));
        }
    }
    upcoming.sort_by_key(|(at, _)| *at);
    let next_deadline = upcoming.into_iter().find(|(at, _)| *at > now).map(|(_, text)| text);

    let events = events
        .into_iter()
        .map(|e| EventView {
            number: e.number,
            when: e.starts_on.map(|s| match e.ends_on {
                Some(end) if end != s => format!("{} – {}", format::date(s), format::date(end)),
                _ => format::date(s),
            }),
            title: e.title,
            place: e.place,
            status: match phongtrao_domain::event_record::EventStatus::parse(&e.status) {
                Some(phongtrao_domain::event_record::EventStatus::Planned) => lang.t("overview.event_status_planned"),
                Some(s) => lang.pick(s.label_vi(), s.label_en()).to_string(),
                None => e.status,
            },
        })
        .collect();
    let notices = lint::lint(&plan)
        .into_iter()
        .map(|f| match lang {
            Lang::Vi => f.message_vi,
            Lang::En => f.message_en,
        })
        .collect();
    let periods = periods
        .iter()
        .map(|p| PeriodView {
            seq: p.seq,
            range: format!("{} – {}", format::date(p.start), format::date(p.end)),
            deadline: format!("{due} {}", format::date(p.end)),
            past: p.deadline.with_timezone(&Utc) < now,
        })
        .collect();
    let reporting_levels = plan.reporting.levels.iter().map(|l| level_label(*l, lang)).collect::<Vec<_>>().join(", ");
    OverviewPage {
        chrome: page.chrome(plan.campaign.title.clone(), "overview"),
        document_number: plan.campaign.document_number.clone(),
        next_deadline,
        ended_on: format::date(plan.campaign.ends_on),
        timeline,
        periods,
        events,
        notices,
        areas: plan.areas.clone(),
        duties: plan.duties.clone(),
        reporting_levels,
        activated: page.path.contains("activated=1"),
        plan,
    }
}
