//! /events: the province events as they were run and every reporting unit's launch and
//! closing; the office records the province's, each unit its own. No JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::event_record::{EventInput, EventStatus};
use phongtrao_domain::format;
use phongtrao_domain::policy::{allows, Action};
use phongtrao_domain::role::Role;
use serde::Deserialize;

use crate::actions::events::{self, status_label, when};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

/// An event as the page shows it (a province event or a unit's launch or closing).
pub struct EventLine {
    pub key: String,
    pub title: String,
    pub planned: String,
    pub status_key: String,
    pub status: String,
    pub held_on: String,
    pub held_on_value: String,
    pub place: String,
    /// The host unit's code (for the form's box) and its name (for the page).
    pub host: String,
    pub host_name: String,
    pub participants: String,
    pub participants_value: String,
    pub reason: String,
    pub results: String,
    pub action: String,
    pub can_edit: bool,
}

pub struct UnitLine {
    pub code: String,
    pub name: String,
    /// The launch, then the closing.
    pub events: Vec<EventLine>,
}

#[derive(Template, WebTemplate)]
#[template(path = "events.html")]
pub struct EventsPage {
    pub chrome: Chrome,
    pub province: Vec<EventLine>,
    pub units: Vec<UnitLine>,
    pub statuses: Vec<(String, String)>,
    pub held: usize,
    pub saved: bool,
}

#[allow(clippy::too_many_arguments)]
fn line(
    lang: Lang,
    key: String,
    title: String,
    planned: String,
    status: &str,
    held_on: Option<chrono::NaiveDate>,
    place: &str,
    host: String,
    participants: Option<i64>,
    reason: &str,
    results: &str,
    action: String,
    can_edit: bool,
) -> EventLine {
    EventLine {
        key,
        title,
        planned,
        status_key: status.to_string(),
        status: status_label(status, lang == Lang::Vi),
        held_on: held_on.map(format::date).unwrap_or_default(),
        held_on_value: held_on.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        place: place.to_string(),
        host_name: host.clone(),
        host,
        participants: participants.map(format::integer).unwrap_or_default(),
        participants_value: participants.map(|p| p.to_string()).unwrap_or_default(),
        reason: reason.to_string(),
        results: results.to_string(),
        action,
        can_edit,
    }
}

pub async fn show(State(state): State<AppState>, page: Page) -> Result<EventsPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let lang = page.lang;
    let all = events::list(&state, campaign, &actor).await.map_err(|f| page.fail(f))?;
    let is_admin = actor.user.role == Role::Admin;
    let policy = actor.policy();
    let mut units = Vec::new();
    for u in all.units {
        let can_edit = is_admin || {
            // A unit's own reporters record its launch and closing.
            actor.user.role == Role::Unit && {
                let ancestry = match phongtrao_storage::units::by_code_with_ancestry(&state.db, &u.unit).await {
                    Ok(Some((_, a))) => a,
                    _ => Vec::new(),
                };
                allows(&policy, Action::WriteUnit, &ancestry)
            }
        };
        let unit_line = |kind: &str, r: Option<&phongtrao_storage::event_records::UnitEventRow>| {
            let title = match (kind, lang) {
                ("launch", Lang::Vi) => "Lễ ra quân",
                ("launch", Lang::En) => "Launch",
                (_, Lang::Vi) => "Tổng kết",
                (_, Lang::En) => "Closing",
            };
            line(
                lang,
                format!("{}-{kind}", u.unit),
                title.to_string(),
                String::new(),
                r.map(|r| r.status.as_str()).unwrap_or("planned"),
                r.and_then(|r| r.held_on),
                r.map(|r| r.place.as_str()).unwrap_or(""),
                String::new(),
                r.and_then(|r| r.participants),
                r.map(|r| r.status_reason.as_str()).unwrap_or(""),
                r.map(|r| r.results.as_str()).unwrap_or(""),
                format!("/events/units/{}/{kind}", u.unit),
                can_edit,
            )
        };
        units.push(UnitLine {
            events: vec![unit_line("launch", u.launch.as_ref()), unit_line("closing", u.closing.as_ref())],
            code: u.unit,
            name: u.unit_name,
        });
    }
    let mut province: Vec<EventLine> = all
        .province
        .iter()
        .map(|e| {
            line(
                lang,
                format!("e{}", e.number),
                format!("{}. {}", e.number, e.title),
                when(None, e.starts_on),
                &e.status,
                e.held_on,
                e.place.as_deref().unwrap_or(""),
                e.host_unit_code.clone().unwrap_or_default(),
                e.participants,
                e.status_reason.as_deref().unwrap_or(""),
                e.results.as_deref().unwrap_or(""),
                format!("/events/{}", e.number),
                is_admin,
            )
        })
        .collect();
    // The host by its name ("Huyện đoàn An Minh"); its code stays in the form's box only.
    for e in province.iter_mut().filter(|e| !e.host.is_empty()) {
        if let Ok(Some(u)) = phongtrao_storage::units::by_code(&state.db, &e.host).await {
            e.host_name = u.name;
        }
    }
    Ok(EventsPage {
        chrome: page.chrome(lang.t("events_title"), "events"),
        held: province.iter().filter(|e| e.status_key == "held").count(),
        province,
        units,
        statuses: EventStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_string(), if lang == Lang::Vi { s.label_vi() } else { s.label_en() }.to_string()))
            .collect(),
        saved: page.path.contains("saved=1"),
    })
}

#[derive(Debug, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    results: String,
    #[serde(default)]
    host: String,
}

impl EventForm {
    fn input(&self) -> EventInput<'_> {
        EventInput {
            status: &self.status,
            held_on: &self.held_on,
            place: &self.place,
            participants: &self.participants,
            reason: &self.reason,
            results: &self.results,
        }
    }
}

pub async fn record_province(
    State(state): State<AppState>,
    page: Page,
    Path(number): Path<i64>,
    Form(f): Form<EventForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    match events::record_province(&state, campaign, &actor, &page.client, number, &f.input(), &f.host).await {
        Ok(_) => Ok(Redirect::to(&format!("/events?saved=1#e{number}")).into_response()),
        Err(failure) => Err(page.fail(failure)),
    }
}

pub async fn record_unit(
    State(state): State<AppState>,
    page: Page,
    Path((code, kind)): Path<(String, String)>,
    Form(f): Form<EventForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    match events::record_unit(&state, campaign, &actor, &page.client, &code, &kind, &f.input()).await {
        Ok(_) => Ok(Redirect::to(&format!("/events?saved=1#{code}-{kind}")).into_response()),
        Err(failure) => Err(page.fail(failure)),
    }
}
