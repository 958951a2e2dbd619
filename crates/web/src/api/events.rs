//! The campaign's events as they were run: GET /api/v1/events, PUT /api/v1/events/{number}
//! (the office) and PUT /api/v1/events/units/{code}/{kind} (the unit or the office).

use axum::extract::{Path, State};
use axum::Json;
use phongtrao_domain::event_record::EventInput;
use phongtrao_storage::event_records::{ProvinceEvent, UnitEventRow};
use serde::Deserialize;

use super::body::Object;
use crate::actions::events::{self, Events};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

pub async fn list(State(state): State<AppState>, actor: MaybeActor) -> Result<Json<Events>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(events::list(&state, &actor).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventBody {
    status: String,
    /// YYYY-MM-DD, or null when not known.
    #[serde(default)]
    held_on: Option<String>,
    #[serde(default)]
    place: String,
    #[serde(default)]
    participants: Option<i64>,
    #[serde(default)]
    reason: String,
    #[serde(default)]
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

pub async fn record_province(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(number): Path<i64>,
    Object(b): Object<EventBody>,
) -> Result<Json<ProvinceEvent>, ApiError> {
    let actor = logged_in(actor)?;
    let parts = b.parts();
    let input = b.input(&parts);
    let host = b.host_unit.clone().unwrap_or_default();
    Ok(Json(events::record_province(&state, &actor, &client, number, &input, &host).await?))
}

pub async fn record_unit(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((code, kind)): Path<(String, String)>,
    Object(b): Object<EventBody>,
) -> Result<Json<UnitEventRow>, ApiError> {
    let actor = logged_in(actor)?;
    if b.host_unit.is_some() {
        return Err(crate::error::Failure::invalid(
            "host_unit chỉ dùng cho hoạt động cấp tỉnh / host_unit is for province events only",
        )
        .into());
    }
    let parts = b.parts();
    let input = b.input(&parts);
    Ok(Json(events::record_unit(&state, &actor, &client, &code, &kind, &input).await?))
}
