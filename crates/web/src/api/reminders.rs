//! Reminders: POST /api/v1/reminders (the dashboard's "Nhắc nhở" button) and
//! GET /api/v1/reminders?unit=CODE (what the unit's home page shows).

use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use phongtrao_domain::policy::Action;
use phongtrao_storage::{campaigns, reminders, units};
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::Object;
use crate::actions::dashboard::{self, Reminded};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::{logged_in, require};
use crate::error::ApiError;
use crate::AppState;

#[derive(Deserialize)]
pub struct RemindBody {
    /// The unit whose subtree's missing units are reminded (the province by default).
    unit: Option<String>,
    /// The period, by its last day.
    period_end: NaiveDate,
    /// Send even though the same units were reminded of the period within the hour.
    #[serde(default)]
    confirm: bool,
}

pub async fn send(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<RemindBody>,
) -> Result<Json<Reminded>, ApiError> {
    let actor = logged_in(actor)?;
    // A date on which no period ends: the same refusal as the exports give (422).
    let campaign = campaigns::current(&state.db).await?;
    crate::documents::period_ending(&campaign, body.period_end)?;
    Ok(Json(dashboard::remind(&state, &actor, &client, body.unit.as_deref(), body.period_end, body.confirm).await?))
}

#[derive(Deserialize)]
pub struct ListQuery {
    unit: String,
}

pub async fn list(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let actor = logged_in(actor)?;
    let unit = units::by_code(&state.db, &q.unit).await?.ok_or_else(|| ApiError::not_found("đơn vị / unit"))?;
    require(&state, &actor, &client, Action::ReadUnit, Some(unit.id)).await?;
    let campaign = campaigns::current(&state.db).await?;
    let periods = campaign.plan.periods();
    let rows = reminders::for_unit(&state.db, campaign.row.id, unit.id, 500).await?;
    let list: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "period": r.period_seq,
                "period_end": periods.iter().find(|p| i64::from(p.seq) == r.period_seq).map(|p| p.end),
                "sent_at": r.sent_at,
                "sent_by": r.sent_by,
            })
        })
        .collect();
    Ok(Json(json!({ "unit": unit.code, "reminders": list })))
}
