//! The campaigns of the database: the list (running first), the caller's choice,
//! and archiving a finished campaign (read-only from then on). Every
//! campaign-scoped route takes `?campaign=CODE`.

use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::campaigns::{self, CampaignSummary};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::campaign_choice::InCampaign;
use crate::error::ApiError;
use crate::AppState;

/// The campaigns the caller may see.
#[derive(Serialize, ToSchema)]
pub struct CampaignList {
    pub campaigns: Vec<CampaignSummary>,
}

/// Every campaign the caller may see: running ones first (newest first), then the
/// archived ones; each running one with its next reporting deadline.
#[utoipa::path(get, path = "/campaigns", tag = "campaign",
    responses((status = 200, description = "The campaigns", body = CampaignList), super::doc::Unauthenticated))]
pub async fn list(State(state): State<AppState>, actor: MaybeActor) -> Result<Json<CampaignList>, ApiError> {
    let actor = logged_in(actor)?;
    let chosen = crate::campaign_choice::resolve(&state.db, Some(&actor), None).await.ok();
    Ok(Json(CampaignList { campaigns: campaigns::list(&state, Some(&actor), chosen.as_ref()).await? }))
}

/// The caller's choice of campaign.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChoiceBody {
    /// The campaign's code
    pub campaign: String,
}

/// The campaign the caller works in now.
#[derive(Serialize, ToSchema)]
pub struct Chosen {
    pub code: String,
    pub title: String,
    pub status: String,
}

/// The campaign the caller works in (their last choice, else the default).
#[utoipa::path(get, path = "/me/campaign", tag = "campaign", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "The chosen campaign", body = Chosen), super::doc::Unauthenticated))]
pub async fn chosen(InCampaign(c): InCampaign, actor: MaybeActor) -> Result<Json<Chosen>, ApiError> {
    logged_in(actor)?;
    Ok(Json(Chosen { code: c.row.code.clone(), title: c.row.title.clone(), status: c.row.status.clone() }))
}

/// Keeps the caller's choice of campaign (used when a request names none).
#[utoipa::path(put, path = "/me/campaign", tag = "campaign", request_body = ChoiceBody,
    responses((status = 200, description = "Chosen", body = Chosen), super::doc::JsonBody, super::doc::Unauthenticated, super::doc::NotFound))]
pub async fn choose(
    State(state): State<AppState>,
    actor: MaybeActor,
    Object(body): Object<ChoiceBody>,
) -> Result<Json<Chosen>, ApiError> {
    let actor = logged_in(actor)?;
    let c = campaigns::choose(&state, &actor, &body.campaign).await?;
    Ok(Json(Chosen { code: c.row.code.clone(), title: c.row.title.clone(), status: c.row.status.clone() }))
}

/// Archive a campaign (true) or bring it back (false).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    pub archived: bool,
}

/// The office archives a finished campaign (read-only: every write to it is refused
/// with 409 `campaign_archived`) or brings it back.
#[utoipa::path(put, path = "/campaigns/{code}/status", tag = "campaign", request_body = StatusBody,
    params(("code" = String, Path, description = "The campaign's code")),
    responses((status = 200, description = "The campaign", body = Chosen), super::doc::JsonBody, super::doc::Unauthenticated,
        super::doc::Forbidden, super::doc::NotFound))]
pub async fn set_status(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(body): Object<StatusBody>,
) -> Result<Json<Chosen>, ApiError> {
    let actor = logged_in(actor)?;
    let c = campaigns::set_archived(&state, &actor, &client, &code, body.archived).await?;
    Ok(Json(Chosen { code: c.row.code.clone(), title: c.row.title.clone(), status: c.row.status.clone() }))
}

/// How the deadline of the campaign's reports is judged.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineRule {
    /// true: the time "Gửi" was pressed on a phone without a connection decides
    /// the deadline when it is believable (not in the future, not before the period
    /// opened or the draft's first save), and a report pressed on time but received
    /// late counts on time, marked "gửi muộn do mất kết nối"; false (the default):
    /// the server's receipt time decides
    pub deadline_by_pressed_at: bool,
}

/// The office sets how the deadline of a campaign's reports is judged (audited as
/// `campaign.deadline_rule`; applies to reports first submitted from then on).
#[utoipa::path(put, path = "/campaigns/{code}/deadline-rule", tag = "campaign", request_body = DeadlineRule,
    params(("code" = String, Path, description = "The campaign's code")),
    responses((status = 200, description = "The rule now", body = DeadlineRule), super::doc::JsonBody, super::doc::Unauthenticated,
        super::doc::Forbidden, super::doc::NotFound))]
pub async fn set_deadline_rule(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(body): Object<DeadlineRule>,
) -> Result<Json<DeadlineRule>, ApiError> {
    let actor = logged_in(actor)?;
    let c = campaigns::set_deadline_by_pressed_at(&state, &actor, &client, &code, body.deadline_by_pressed_at).await?;
    Ok(Json(DeadlineRule { deadline_by_pressed_at: c.row.deadline_by_pressed_at }))
}

/// The steering committee members of a campaign.
#[derive(Serialize, ToSchema)]
pub struct Members {
    pub members: Vec<crate::actions::campaigns::Member>,
}

/// The steering committee members and which are assigned to the campaign (a member
/// assigned to no campaign sees every campaign).
#[utoipa::path(get, path = "/campaigns/{code}/members", tag = "campaign",
    params(("code" = String, Path, description = "The campaign's code")),
    responses((status = 200, description = "The members", body = Members), super::doc::Unauthenticated,
        super::doc::Forbidden, super::doc::NotFound))]
pub async fn members(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
) -> Result<Json<Members>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(Members { members: campaigns::members(&state, &actor, &client, &code).await? }))
}

/// The steering committee members to assign to a campaign.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MembersBody {
    /// Their user names (an empty list: no one assigned, every member sees it)
    pub usernames: Vec<String>,
}

/// The office assigns a campaign's steering committee members.
#[utoipa::path(put, path = "/campaigns/{code}/members", tag = "campaign", request_body = MembersBody,
    params(("code" = String, Path, description = "The campaign's code")),
    responses((status = 200, description = "The members", body = Members), super::doc::JsonBody, super::doc::Unauthenticated,
        super::doc::Forbidden, super::doc::NotFound))]
pub async fn set_members(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(body): Object<MembersBody>,
) -> Result<Json<Members>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(Members { members: campaigns::set_members(&state, &actor, &client, &code, &body.usernames).await? }))
}
