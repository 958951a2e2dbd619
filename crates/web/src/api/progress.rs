//! GET /api/v1/progress?unit=CODE&at=YYYY-MM-DD: the same figures as `phongtrao progress --json`.

use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use phongtrao_domain::policy::Action;
use serde::Deserialize;

use crate::actions::progress::{self, ProgressReport};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::{logged_in, require};
use crate::error::ApiError;
use crate::AppState;

#[derive(Deserialize)]
pub struct ProgressQuery {
    unit: Option<String>,
    at: Option<NaiveDate>,
}

pub async fn show(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ProgressQuery>,
) -> Result<Json<ProgressReport>, ApiError> {
    let actor = logged_in(actor)?;
    let report = progress::compute(&state, q.unit.as_deref(), q.at).await?;
    let unit = phongtrao_storage::units::by_code(&state.db, &report.unit)
        .await?
        .ok_or_else(|| ApiError::not_found("đơn vị / unit"))?;
    require(&state, &actor, &client, Action::ReadUnit, Some(unit.id)).await?;
    Ok(Json(report))
}

/// GET /api/v1/ranking?unit=CODE&at=YYYY-MM-DD: the ranking of the unit's children.
pub async fn ranking(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ProgressQuery>,
) -> Result<Json<progress::Ranking>, ApiError> {
    let actor = logged_in(actor)?;
    require(&state, &actor, &client, Action::ReadEverything, None).await?;
    Ok(Json(progress::ranking(&state, q.unit.as_deref(), q.at).await?))
}
