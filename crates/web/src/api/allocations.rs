//! /api/v1/allocations/{indicator}?parent=CODE: the split of a count goal among a
//! unit's children; POST sets it proportionally (`by`) or by hand (`goals`).

use crate::campaign_choice::InCampaign;
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::Json;
use phongtrao_domain::unit::BaseFigure;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::body::Object;
use super::doc::{BadRequest, Forbidden, Invalid, JsonBody, NotFound, Unauthenticated};
use crate::actions::allocation::{self, AllocationView};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::{ApiError, Failure};
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ParentQuery {
    /// A unit code: the unit whose goal is split (the province by default)
    parent: Option<String>,
}

async fn root_code(state: &AppState) -> Result<String, ApiError> {
    let all = phongtrao_storage::units::list(&state.db).await?;
    all.into_iter()
        .find(|u| u.parent_id.is_none())
        .map(|u| u.code)
        .ok_or_else(|| ApiError::not_found("đơn vị gốc / root unit"))
}

/// The split of an indicator's goal among a unit's children.
#[utoipa::path(get, path = "/allocations/{key}", tag = "allocations",
    params(crate::campaign_choice::CampaignQuery, ("key" = String, Path, description = "An indicator's key"), ParentQuery),
    responses((status = 200, description = "Allocation", body = AllocationView), BadRequest, Unauthenticated, NotFound, Invalid))]
pub async fn show(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(key): Path<String>,
    Query(q): Query<ParentQuery>,
) -> Result<Json<AllocationView>, ApiError> {
    let actor = logged_in(actor)?;
    let parent = match q.parent {
        Some(p) => p,
        None => root_code(&state).await?,
    };
    Ok(Json(allocation::view_for(&state, campaign, &actor, &client, &key, &parent).await?))
}

#[derive(Deserialize)]
pub struct AllocateBody {
    parent: Option<String>,
    /// A base figure: split proportionally to it.
    by: Option<String>,
    /// Unit code → goal: set by hand.
    goals: Option<HashMap<String, super::whole::Whole>>,
}

/// The body of an allocation (`AllocateBody` as the document states it): exactly
/// one of `by` (proportionally to a base figure) and `goals` (by hand).
#[derive(ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum AllocateInput {
    /// Proportionally to a base figure of the children
    Proportional(Proportional),
    /// By hand
    ByHand(ByHand),
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct Proportional {
    /// The unit whose goal is split (the province by default)
    parent: Option<String>,
    by: super::doc::BaseFigureName,
}

#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ByHand {
    /// The unit whose goal is split (the province by default)
    parent: Option<String>,
    /// Unit code → goal
    goals: HashMap<String, super::doc::Goal>,
}

/// Sets the split proportionally (`by`) or by hand (`goals`).
#[utoipa::path(post, path = "/allocations/{key}", tag = "allocations",
    params(crate::campaign_choice::CampaignQuery, ("key" = String, Path, description = "An indicator's key")),
    request_body = AllocateInput,
    responses((status = 200, description = "Allocation", body = AllocationView), JsonBody, Unauthenticated, Forbidden, NotFound))]
pub async fn set(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(key): Path<String>,
    Object(body): Object<AllocateBody>,
) -> Result<Json<AllocationView>, ApiError> {
    let actor = logged_in(actor)?;
    let parent = match body.parent {
        Some(p) => p,
        None => root_code(&state).await?,
    };
    let view = match (body.by, body.goals) {
        (Some(by), None) => {
            let figure = BaseFigure::parse(&by).ok_or_else(|| {
                ApiError(Failure::invalid(format!("Số liệu nền \"{by}\" không xác định / unknown base figure")))
            })?;
            allocation::proportional(&state, campaign, &actor, &client, &key, &parent, figure).await?
        }
        (None, Some(goals)) => {
            let goals: HashMap<String, i64> = goals.into_iter().map(|(code, goal)| (code, goal.0)).collect();
            allocation::by_hand(&state, campaign, &actor, &client, &key, &parent, &goals).await?
        }
        _ => {
            return Err(ApiError(Failure::bad_request(
                "Cần đúng một trong by hoặc goals",
                "Give exactly one of by or goals",
            )))
        }
    };
    Ok(Json(view))
}
