//! The review queue: GET /api/v1/review-queue (submitted reports not yet accepted or
//! returned, oldest first) and POST /api/v1/review-queue/accept (several at once).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::NaiveDate;
use serde::Deserialize;

use super::body::Object;
use crate::actions::review_queue::{self, BulkOutcome, Pick, Queue, QueueFilter};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    period_end: Option<NaiveDate>,
    #[serde(default)]
    late: bool,
    #[serde(default)]
    q: String,
    unit: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(query): Query<QueueQuery>,
) -> Result<Json<Queue>, ApiError> {
    let actor = logged_in(actor)?;
    let filter = QueueFilter { period_end: query.period_end, late_only: query.late, text: query.q, unit: query.unit };
    Ok(Json(review_queue::list(&state, &actor, &client, &filter).await?))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AcceptBody {
    reports: Vec<Pick>,
}

pub async fn accept(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<AcceptBody>,
) -> Result<(StatusCode, Json<BulkOutcome>), ApiError> {
    let actor = logged_in(actor)?;
    Ok((StatusCode::OK, Json(review_queue::accept_many(&state, &actor, &client, &body.reports).await?)))
}
