//! Each level runs its part (issue #21): a unit's own plan beneath a campaign and its
//! weekly report up, the JSON twins of `/campaigns/{code}/units/{unit}/plan` and
//! `/reports/{unit}/{period}/up`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::unit_plan::{self, Overview, ReportUp, UpInput};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::campaign_choice::{self, InCampaign};
use crate::error::ApiError;
use crate::AppState;

/// What the parent gave the unit and the unit's own plan, if any (the unit's office,
/// or the office above).
#[utoipa::path(get, path = "/campaigns/{code}/units/{unit}/plan", tag = "campaign",
    params(("code" = String, Path, description = "The parent's campaign"), ("unit" = String, Path, description = "The unit's code")),
    responses((status = 200, description = "The unit's part", body = Overview), super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn overview(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((code, unit)): Path<(String, String)>,
) -> Result<Json<Overview>, ApiError> {
    let actor = logged_in(actor)?;
    let parent = campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await?;
    Ok(Json(unit_plan::overview(&state, &actor, &client, &parent, &unit).await?))
}

/// A draft of the unit's own plan, started.
#[derive(Serialize, ToSchema)]
pub struct DraftStarted {
    /// Edit it with `/plan/drafts/{id}` and confirm it with `/plan/drafts/{id}/confirm`
    pub draft_id: i64,
}

/// Starts the unit's own plan from the parent's: the goals it was given, its own
/// header and an earlier weekly deadline, as a draft of the plan editor. Confirming
/// the draft checks it against the parent's plan (a goal below the allocation, a
/// dropped goal, a changed unit of measure or a later deadline: 422) and stores it
/// as a campaign rooted at the unit (audit `campaign.own_plan`). 409 when the unit
/// has its own plan already.
#[utoipa::path(post, path = "/campaigns/{code}/units/{unit}/plan", tag = "campaign",
    params(("code" = String, Path, description = "The parent's campaign"), ("unit" = String, Path, description = "The unit's code")),
    responses((status = 201, description = "The draft", body = DraftStarted), super::doc::Unauthenticated, super::doc::Forbidden,
        super::doc::NotFound, super::doc::Conflict))]
pub async fn start(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((code, unit)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    let parent = campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await?;
    let draft_id = unit_plan::start(&state, &actor, &client, &parent, &unit).await?;
    Ok((StatusCode::CREATED, Json(DraftStarted { draft_id })).into_response())
}

fn day(period: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(period, "%Y-%m-%d").map_err(|_| ApiError::not_found("kỳ báo cáo / period"))
}

/// The unit's report up for the parent's week ending `period`: per inherited
/// indicator, the sum of its units' reports in its own plan, its own level's figures
/// and the total; the unit's own indicators are never in it.
#[utoipa::path(get, path = "/reports/{unit}/{period}/up", tag = "reports",
    params(("unit" = String, Path, description = "The unit's code"), ("period" = String, Path, description = "The parent's week's last day (YYYY-MM-DD)"),
        ("campaign" = Option<String>, Query, description = "The parent's campaign (default: the caller's)")),
    responses((status = 200, description = "The report up", body = ReportUp), super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn show_up(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    InCampaign(parent): InCampaign,
    Path((unit, period)): Path<(String, String)>,
) -> Result<Json<ReportUp>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(unit_plan::report_up(&state, &actor, &client, &parent, &unit, day(&period)?).await?))
}

/// Submits the unit's report up: the subtree's figures computed now (never typed),
/// plus its own level's (`own_level`: indicator key → number as typed, "1.200"),
/// through the checks of every report; the parent reviews it as any report.
#[utoipa::path(post, path = "/reports/{unit}/{period}/up", tag = "reports", request_body = UpInput,
    params(("unit" = String, Path, description = "The unit's code"), ("period" = String, Path, description = "The parent's week's last day (YYYY-MM-DD)"),
        ("campaign" = Option<String>, Query, description = "The parent's campaign (default: the caller's)")),
    responses((status = 200, description = "Submitted: the report up as stored", body = ReportUp), super::doc::JsonBody, super::doc::Unauthenticated,
        super::doc::Forbidden, super::doc::NotFound, super::doc::Conflict, super::doc::Invalid))]
pub async fn submit_up(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    InCampaign(parent): InCampaign,
    Path((unit, period)): Path<(String, String)>,
    Object(body): Object<UpInput>,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    match unit_plan::submit_up(&state, &actor, &client, &parent, &unit, day(&period)?, &body).await {
        Ok(up) => Ok(Json(up).into_response()),
        Err(f) => Ok(super::reports::failure_response(f)),
    }
}
