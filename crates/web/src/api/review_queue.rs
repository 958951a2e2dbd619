//! The review queue: GET /api/v1/review-queue (submitted reports not yet accepted or
//! returned, oldest first) and POST /api/v1/review-queue/accept (several at once).

use crate::campaign_choice::InCampaign;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::Object;
use super::doc::{BadRequest, Forbidden, Invalid, JsonBody, Unauthenticated};
use crate::actions::review_queue::{self, BulkOutcome, Pick, Queue, QueueFilter};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// The campaign's code (see `GET /campaigns`); without it the caller's chosen campaign
    #[allow(dead_code)]
    campaign: Option<String>,
    /// Only this weekly period (its last day)
    period_end: Option<NaiveDate>,
    /// Only reports first submitted late
    #[serde(default)]
    #[param(required = false)]
    late: bool,
    /// Words to find in the unit's name or the report's texts (case and accents ignored)
    #[serde(default)]
    #[param(required = false)]
    q: String,
    /// Only this unit and the units below it (its code)
    unit: Option<String>,
}

/// The reports the office or the steering committee waits on.
#[utoipa::path(get, path = "/review-queue", tag = "reports", params(QueueQuery),
    responses((status = 200, description = "The reports waiting", body = Queue), BadRequest, Unauthenticated, Forbidden, Invalid))]
pub async fn list(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Queue>, ApiError> {
    let actor = logged_in(actor)?;
    let filter = QueueFilter { period_end: query.period_end, late_only: query.late, text: query.q, unit: query.unit };
    Ok(Json(review_queue::list(&state, campaign, &actor, &client, &filter).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    /// The reports ticked, each with the version the officer saw
    #[schema(min_items = 1, max_items = 500)]
    reports: Vec<Pick>,
}

/// Accepts several reports at once; one that changed since it was read is skipped and named.
#[utoipa::path(post, path = "/review-queue/accept", tag = "reports", params(crate::campaign_choice::CampaignQuery), request_body = AcceptBody,
    responses((status = 200, description = "What was accepted and what was skipped", body = BulkOutcome), JsonBody, Unauthenticated, Forbidden))]
pub async fn accept(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<AcceptBody>,
) -> Result<(StatusCode, Json<BulkOutcome>), ApiError> {
    let actor = logged_in(actor)?;
    Ok((StatusCode::OK, Json(review_queue::accept_many(&state, campaign, &actor, &client, &body.reports).await?)))
}
