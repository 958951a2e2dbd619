//! The campaign's events as they were run: GET /api/v1/events, PUT /api/v1/events/{number}
//! (the office) and PUT /api/v1/events/units/{code}/{kind} (the unit or the office).

use crate::campaign_choice::InCampaign;
use axum::extract::{Path, State};
use axum::Json;
use phongtrao_domain::event_record::EventInput;
use phongtrao_storage::event_records::{ProvinceEvent, UnitEventRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::events::{self, Events};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

/// A province event of the plan with what is known of it.
#[derive(Serialize, ToSchema)]
pub struct ProvinceEventOut {
    pub number: i64,
    pub title: String,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
    pub place: Option<String>,
    pub host_unit_code: Option<String>,
    /// planned, held, postponed or cancelled
    pub status: String,
    pub held_on: Option<chrono::NaiveDate>,
    pub participants: Option<i64>,
    pub status_reason: Option<String>,
    pub results: Option<String>,
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_by: Option<String>,
}

impl From<ProvinceEvent> for ProvinceEventOut {
    fn from(e: ProvinceEvent) -> ProvinceEventOut {
        ProvinceEventOut {
            number: e.number,
            title: e.title,
            starts_on: e.starts_on,
            ends_on: e.ends_on,
            place: e.place,
            host_unit_code: e.host_unit_code,
            status: e.status,
            held_on: e.held_on,
            participants: e.participants,
            status_reason: e.status_reason,
            results: e.results,
            updated_at: e.updated_at,
            updated_by: e.updated_by,
        }
    }
}

/// A unit's launch or closing as recorded.
#[derive(Serialize, ToSchema)]
pub struct UnitEventOut {
    pub unit_id: i64,
    /// launch or closing
    pub kind: String,
    /// planned, held, postponed or cancelled
    pub status: String,
    pub held_on: Option<chrono::NaiveDate>,
    pub place: String,
    pub participants: Option<i64>,
    pub status_reason: String,
    pub results: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: String,
}

impl From<UnitEventRow> for UnitEventOut {
    fn from(e: UnitEventRow) -> UnitEventOut {
        UnitEventOut {
            unit_id: e.unit_id,
            kind: e.kind,
            status: e.status,
            held_on: e.held_on,
            place: e.place,
            participants: e.participants,
            status_reason: e.status_reason,
            results: e.results,
            updated_at: e.updated_at,
            updated_by: e.updated_by,
        }
    }
}

/// A reporting unit with its launch and closing as recorded (null: nothing yet).
#[derive(Serialize, ToSchema)]
pub struct UnitEventsOut {
    pub unit: String,
    pub unit_name: String,
    pub launch: Option<UnitEventOut>,
    pub closing: Option<UnitEventOut>,
}

/// The campaign's events as they were run.
#[derive(Serialize, ToSchema)]
#[schema(as = Events)]
pub struct EventsOut {
    pub province: Vec<ProvinceEventOut>,
    pub units: Vec<UnitEventsOut>,
}

impl From<Events> for EventsOut {
    fn from(e: Events) -> EventsOut {
        EventsOut {
            province: e.province.into_iter().map(Into::into).collect(),
            units: e
                .units
                .into_iter()
                .map(|u| UnitEventsOut {
                    unit: u.unit,
                    unit_name: u.unit_name,
                    launch: u.launch.map(Into::into),
                    closing: u.closing.map(Into::into),
                })
                .collect(),
        }
    }
}

/// Every event of the running campaign.
#[utoipa::path(get, path = "/events", tag = "events", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "The events", body = EventsOut), super::doc::Unauthenticated))]
pub async fn list(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
) -> Result<Json<EventsOut>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(events::list(&state, campaign, &actor).await?.into()))
}

/// How an event went.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum EventStatus {
    Planned,
    Held,
    Postponed,
    Cancelled,
}

/// A unit's own event.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum UnitEventKind {
    Launch,
    Closing,
}

/// An event as it was run.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    #[schema(value_type = EventStatus)]
    status: String,
    /// YYYY-MM-DD, or null when not known.
    #[serde(default)]
    #[schema(value_type = Option<chrono::NaiveDate>)]
    held_on: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    place: String,
    #[serde(default)]
    #[schema(minimum = 0)]
    participants: Option<i64>,
    /// Required when postponed or cancelled
    #[serde(default)]
    #[schema(max_length = 1000)]
    reason: String,
    #[serde(default)]
    #[schema(max_length = 4000)]
    results: String,
    /// The host unit's code (province events only).
    #[serde(default)]
    host_unit: Option<String>,
}

impl EventBody {
    /// The date and the count as the domain's rule reads typed text.
    fn parts(&self) -> (String, String) {
        (self.held_on.clone().unwrap_or_default(), self.participants.map(|p| p.to_string()).unwrap_or_default())
    }

    fn input<'a>(&'a self, parts: &'a (String, String)) -> EventInput<'a> {
        EventInput {
            status: &self.status,
            held_on: &parts.0,
            place: &self.place,
            participants: &parts.1,
            reason: &self.reason,
            results: &self.results,
        }
    }
}

/// The office records how a province event of the plan went.
#[utoipa::path(put, path = "/events/{number}", tag = "events",
    params(crate::campaign_choice::CampaignQuery, ("number" = i64, Path, description = "The event's number in the plan")), request_body = EventBody,
    responses((status = 200, description = "The event as recorded", body = ProvinceEventOut),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn record_province(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(number): Path<i64>,
    Object(b): Object<EventBody>,
) -> Result<Json<ProvinceEventOut>, ApiError> {
    let actor = logged_in(actor)?;
    let parts = b.parts();
    let input = b.input(&parts);
    let host = b.host_unit.clone().unwrap_or_default();
    Ok(Json(events::record_province(&state, campaign, &actor, &client, number, &input, &host).await?.into()))
}

/// A unit (or the office) records the unit's launch or closing (`host_unit` is refused here).
#[utoipa::path(put, path = "/events/units/{code}/{kind}", tag = "events",
    params(crate::campaign_choice::CampaignQuery, ("code" = String, Path, description = "A unit code"), ("kind" = inline(UnitEventKind), Path)),
    request_body = EventBody,
    responses((status = 200, description = "The record", body = UnitEventOut),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn record_unit(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path((code, kind)): Path<(String, String)>,
    Object(b): Object<EventBody>,
) -> Result<Json<UnitEventOut>, ApiError> {
    let actor = logged_in(actor)?;
    if b.host_unit.is_some() {
        return Err(crate::error::Failure::invalid(
            "host_unit chỉ dùng cho hoạt động cấp tỉnh / host_unit is for province events only",
        )
        .into());
    }
    let parts = b.parts();
    let input = b.input(&parts);
    Ok(Json(events::record_unit(&state, campaign, &actor, &client, &code, &kind, &input).await?.into()))
}
