//! The events and deadlines calendar (GET /calendar) and its iCalendar feed
//! (GET /calendar.ics, ?unit=CODE for one unit's deadlines) that phones subscribe to.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::actions::calendar;
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

pub struct Line {
    pub kind: &'static str,
    pub kind_label: String,
    pub when: String,
    pub title: String,
    pub place: String,
    pub path: Option<String>,
    pub past: bool,
    /// Today falls within the entry.
    pub today: bool,
    /// The first entry not yet past: the "today" mark goes just before it.
    pub marker: bool,
}

pub struct Month {
    pub label: String,
    pub lines: Vec<Line>,
}

#[derive(Template, WebTemplate)]
#[template(path = "calendar.html")]
pub struct CalendarPage {
    pub chrome: Chrome,
    pub title: String,
    pub unit: Option<(String, String)>,
    pub months: Vec<Month>,
    pub undated: Vec<String>,
    pub feed: String,
    /// The logged-in user's units, for their own feeds.
    pub own_units: Vec<(String, String)>,
    /// "04/12/2026", by the server's clock in the campaign's time zone.
    pub today: String,
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    unit: Option<String>,
    /// One campaign only; without it the feed covers every running campaign.
    campaign: Option<String>,
}

fn unit_of(q: &CalendarQuery) -> Option<&str> {
    q.unit.as_deref().map(str::trim).filter(|u| !u.is_empty())
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<CalendarQuery>,
) -> Result<CalendarPage, AppError> {
    let campaign = page.campaign()?;
    let lang = page.lang;
    let cal = calendar::load(&state, campaign, unit_of(&q), lang).await.map_err(|f| page.fail(f))?;
    let today = state.now().with_timezone(&cal.campaign.plan.campaign.timezone).date_naive();
    let mut months: Vec<Month> = Vec::new();
    let mut marked = false;
    for e in &cal.entries {
        let label = match lang {
            Lang::Vi => format!("Tháng {}/{}", e.day.format("%m"), e.day.format("%Y")),
            Lang::En => e.day.format("%B %Y").to_string(),
        };
        if months.last().map(|m| &m.label) != Some(&label) {
            months.push(Month { label, lines: Vec::new() });
        }
        let last_day = match &e.entry.span {
            phongtrao_domain::ical::Span::Days { last, .. } => *last,
            phongtrao_domain::ical::Span::Timed { end, .. } => {
                end.with_timezone(&cal.campaign.plan.campaign.timezone).date_naive()
            }
        };
        let first_day = match &e.entry.span {
            phongtrao_domain::ical::Span::Days { first, .. } => *first,
            phongtrao_domain::ical::Span::Timed { start, .. } => {
                start.with_timezone(&cal.campaign.plan.campaign.timezone).date_naive()
            }
        };
        let past = last_day < today;
        let marker = !past && !marked;
        marked |= marker;
        if let Some(m) = months.last_mut() {
            m.lines.push(Line {
                kind: e.kind.as_str(),
                kind_label: lang.t(&format!("dash_cal_{}", e.kind.as_str())),
                when: e.when.clone(),
                title: e.entry.summary.clone(),
                place: e.entry.location.clone().unwrap_or_default(),
                path: e.path.clone(),
                past,
                today: first_day <= today && today <= last_day,
                marker,
            });
        }
    }
    let own_units = match &page.actor {
        Some(a) => {
            let mut mine = phongtrao_storage::units::by_ids(&state.db, &a.unit_ids)
                .await
                .map_err(|e| AppError::internal(lang, e))?;
            mine.sort_by_key(|u| (u.level, u.position, u.id));
            mine.into_iter().map(|u| (u.code, u.name)).collect()
        }
        None => Vec::new(),
    };
    let feed = match &cal.unit {
        Some(u) => format!("/calendar.ics?unit={}", crate::error::urlencode(&u.code)),
        None => "/calendar.ics".into(),
    };
    Ok(CalendarPage {
        chrome: page.chrome(lang.t("dash_calendar"), "calendar"),
        title: cal.campaign.plan.campaign.title.clone(),
        unit: cal.unit.as_ref().map(|u| (u.code.clone(), u.name.clone())),
        months,
        undated: cal.undated,
        feed,
        own_units,
        today: phongtrao_domain::format::date(today),
    })
}

/// GET /calendar.ics: text/calendar, CRLF lines folded at 75 octets.
pub async fn ics(State(state): State<AppState>, lang: Lang, Query(q): Query<CalendarQuery>) -> Response {
    // A calendar app subscribes once: the feed covers every running campaign (or
    // the one named), so a new campaign's deadlines appear without a new address.
    let chosen = match q.campaign.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => match crate::campaign_choice::resolve(&state.db, None, Some(code)).await {
            Ok(c) => vec![c],
            Err(f) => return f.page(lang).into_response(),
        },
        None => match running_campaigns(&state).await {
            Ok(all) => all,
            Err(f) => return f.page(lang).into_response(),
        },
    };
    let mut cals = Vec::new();
    for campaign in &chosen {
        match calendar::load(&state, campaign, unit_of(&q), lang).await {
            Ok(c) => cals.push(c),
            Err(f) => return f.page(lang).into_response(),
        }
    }
    let Some(first) = cals.first() else { return crate::error::Failure::not_found().page(lang).into_response() };
    let title = if cals.len() == 1 {
        first.campaign.plan.campaign.title.clone()
    } else {
        match lang {
            Lang::Vi => "Các chiến dịch đang chạy".to_string(),
            Lang::En => "Running campaigns".to_string(),
        }
    };
    let name = match &first.unit {
        Some(u) => format!("{title} — {}", u.name),
        None => title,
    };
    let updated = cals.iter().map(|c| c.campaign.row.updated_at).max().unwrap_or(first.campaign.row.updated_at);
    let unit = first.unit.clone();
    let mut all: Vec<calendar::CalendarEntry> = cals.into_iter().flat_map(|c| c.entries).collect();
    all.sort_by(|a, b| a.day.cmp(&b.day).then(a.entry.uid.cmp(&b.entry.uid)));
    let entries: Vec<_> = all.into_iter().map(|e| e.entry).collect();
    let body = phongtrao_domain::ical::calendar(&name, &entries, updated);
    let file = match &unit {
        Some(u) => format!("phongtrao-{}.ics", u.code),
        None => "phongtrao.ics".into(),
    };
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{file}\"")),
            (header::CACHE_CONTROL, "public, max-age=900".to_string()),
        ],
        body,
    )
        .into_response()
}

/// Every running campaign, with its plan.
async fn running_campaigns(
    state: &AppState,
) -> Result<Vec<phongtrao_storage::campaigns::StoredCampaign>, crate::error::Failure> {
    let mut out = Vec::new();
    for row in phongtrao_storage::campaigns::running(&state.db).await? {
        if let Some(c) = phongtrao_storage::campaigns::by_id(&state.db, row.id).await? {
            out.push(c);
        }
    }
    Ok(out)
}
