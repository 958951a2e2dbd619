//! GET /api/v1/reminders/deliveries: the twin of /admin/reminders (reminders sent by e-mail and webhook).

use crate::campaign_choice::InCampaign;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::actions::reminders;
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

/// The most reminders one request lists.
pub const MAX_LIMIT: i64 = 5000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// At most this many reminders, newest first (500 by default)
    #[param(minimum = 1, maximum = 5000)]
    limit: Option<i64>,
}

/// Reminders sent by e-mail and webhook, newest first.
#[derive(Serialize, ToSchema)]
pub struct Deliveries {
    pub reminders: Vec<reminders::ReminderView>,
}

/// The reminders sent by e-mail and webhook to units that had not reported.
#[utoipa::path(get, path = "/reminders/deliveries", tag = "reminders", params(crate::campaign_choice::CampaignQuery, ListQuery),
    responses((status = 200, description = "Reminders, newest first", body = Deliveries),
        super::doc::BadRequest, super::doc::Unauthenticated, super::doc::Forbidden))]
pub async fn list(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ListQuery>,
) -> Result<(StatusCode, Json<Deliveries>), ApiError> {
    let actor = logged_in(actor)?;
    let limit = super::limit_in_range(q.limit, MAX_LIMIT)?;
    let rows = reminders::list(&state, campaign, &actor, &client, limit).await?;
    Ok((StatusCode::OK, Json(Deliveries { reminders: rows })))
}
