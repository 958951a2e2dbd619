//! Reminders: POST /api/v1/reminders (the dashboard's "Nhắc nhở" button) and
//! GET /api/v1/reminders?unit=CODE (what the unit's home page shows).

use crate::campaign_choice::InCampaign;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use phongtrao_domain::policy::Action;
use phongtrao_storage::{reminders, units};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Object;
use crate::actions::dashboard::{self, Reminded};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::{logged_in, require};
use crate::error::ApiError;
use crate::AppState;

/// A reminder of a period to the units of a subtree that have not reported it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemindBody {
    /// The unit whose subtree's missing units are reminded (the province by default).
    unit: Option<String>,
    /// The period, by its last day.
    period_end: NaiveDate,
    /// Send even though the same units were reminded of the period within the hour.
    #[serde(default)]
    confirm: bool,
}

/// Reminds the units of a subtree that have not reported a period.
#[utoipa::path(post, path = "/reminders", tag = "reminders", params(crate::campaign_choice::CampaignQuery), request_body = RemindBody,
    responses((status = 200, description = "The units reminded", body = Reminded),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound,
        super::doc::Conflict))]
pub async fn send(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<RemindBody>,
) -> Result<Json<Reminded>, ApiError> {
    let actor = logged_in(actor)?;
    // A date on which no period ends: the same refusal as the exports give (422).
    crate::documents::period_ending(campaign, body.period_end)?;
    Ok(Json(
        dashboard::remind(&state, campaign, &actor, &client, body.unit.as_deref(), body.period_end, body.confirm)
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A unit code
    unit: String,
}

/// A reminder notice a unit received.
#[derive(Serialize, ToSchema)]
pub struct Notice {
    /// The period's number
    pub period: i64,
    /// The period's last day
    pub period_end: Option<NaiveDate>,
    pub sent_at: chrono::DateTime<chrono::Utc>,
    pub sent_by: String,
}

/// The reminder notices of a unit, newest first.
#[derive(Serialize, ToSchema)]
pub struct Notices {
    pub unit: String,
    pub reminders: Vec<Notice>,
}

/// The reminders a unit received (what its home page shows).
#[utoipa::path(get, path = "/reminders", tag = "reminders", params(crate::campaign_choice::CampaignQuery, ListQuery),
    responses((status = 200, description = "The unit's reminder notices", body = Notices),
        super::doc::BadRequest, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn list(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ListQuery>,
) -> Result<Json<Notices>, ApiError> {
    let actor = logged_in(actor)?;
    let unit = units::by_code(&state.db, &q.unit).await?.ok_or_else(|| ApiError::not_found("đơn vị / unit"))?;
    require(&state, &actor, &client, Action::ReadUnit, Some(unit.id)).await?;
    let periods = campaign.plan.periods();
    let rows = reminders::for_unit(&state.db, campaign.row.id, unit.id, 500).await?;
    let reminders = rows
        .iter()
        .map(|r| Notice {
            period: r.period_seq,
            period_end: periods.iter().find(|p| i64::from(p.seq) == r.period_seq).map(|p| p.end),
            sent_at: r.sent_at,
            sent_by: r.sent_by.clone(),
        })
        .collect();
    Ok(Json(Notices { unit: unit.code, reminders }))
}
