//! GET /api/v1/progress?unit=CODE&at=YYYY-MM-DD: the same figures as `phongtrao progress --json`.

use crate::campaign_choice::InCampaign;
use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use phongtrao_domain::policy::Action;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::doc::{BadRequest, Forbidden, Invalid, JsonBody, NotFound, Unauthenticated};
use crate::actions::compare_years::{self, YearOverYear};
use crate::actions::progress::{self, ProgressReport};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::{logged_in, require};
use crate::error::ApiError;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// A unit code (the province by default)
    unit: Option<String>,
    /// The day the figures are taken at (today by default)
    at: Option<NaiveDate>,
}

/// A unit's progress: each indicator's figure against its goal, with the forecast,
/// and the timeliness of its reports (the same figures as `phongtrao progress --json`).
#[derive(ToSchema)]
#[schema(as = Progress, value_type = Object)]
#[allow(dead_code)]
pub struct ProgressSchema(ProgressReport);

/// The emulation ranking of a unit's children, each score with its breakdown.
#[derive(ToSchema)]
#[schema(as = Ranking, value_type = Object)]
#[allow(dead_code)]
pub struct RankingSchema(progress::Ranking);

#[utoipa::path(get, path = "/progress", tag = "progress", params(crate::campaign_choice::CampaignQuery, ProgressQuery),
    responses((status = 200, description = "Progress", body = ProgressSchema), BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn show(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ProgressQuery>,
) -> Result<Json<ProgressReport>, ApiError> {
    let actor = logged_in(actor)?;
    let report = progress::compute(&state, campaign, q.unit.as_deref(), q.at).await?;
    let unit = crate::campaign_choice::unit_by_code(&state.db, campaign, &report.unit)
        .await?
        .ok_or_else(|| ApiError::not_found("đơn vị / unit"))?;
    require(&state, &actor, &client, Action::ReadUnit, Some(unit.id)).await?;
    Ok(Json(report))
}

/// GET /api/v1/progress/year-over-year?unit=CODE&at=YYYY-MM-DD: the unit's figures
/// against the same week of the campaign this one follows ("so với cùng kỳ"): last
/// year's figure and the change per indicator; null when the campaign follows none.
#[utoipa::path(get, path = "/progress/year-over-year", tag = "progress", params(crate::campaign_choice::CampaignQuery, ProgressQuery),
    responses((status = 200, description = "The comparison, or null when the campaign follows no other", body = Option<YearOverYear>),
        BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn year_over_year(
    State(state): State<AppState>,
    InCampaign(campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ProgressQuery>,
) -> Result<Json<Option<YearOverYear>>, ApiError> {
    let actor = logged_in(actor)?;
    let unit = match q.unit.as_deref() {
        Some(code) => crate::campaign_choice::unit_by_code(&state.db, &campaign, code).await?,
        None => crate::campaign_choice::root(&state.db, &campaign).await?,
    }
    .filter(|u| u.active)
    .ok_or_else(|| ApiError::not_found("đơn vị / unit"))?;
    let lineage = compare_years::lineage_for(&state, &campaign).await?;
    Ok(Json(compare_years::year_over_year(&state, &actor, &client, &campaign, &unit, q.at, &lineage).await?))
}

/// PUT /api/v1/progress/year-over-year/links/{key} `{"previous_key": "15a"}`: the
/// office matches this campaign's indicator with last year's (null: the same key
/// again); admin only, audited.
#[utoipa::path(put, path = "/progress/year-over-year/links/{key}", tag = "progress",
    params(crate::campaign_choice::CampaignQuery, ("key" = String, Path, description = "This campaign's indicator key")),
    request_body = compare_years::IndicatorLink,
    responses((status = 200, description = "Stored", body = compare_years::IndicatorLink), JsonBody, Invalid, Unauthenticated, Forbidden))]
pub async fn link_indicator(
    State(state): State<AppState>,
    InCampaign(campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    axum::extract::Path(key): axum::extract::Path<String>,
    super::body::Object(input): super::body::Object<compare_years::IndicatorLink>,
) -> Result<Json<compare_years::IndicatorLink>, ApiError> {
    let actor = logged_in(actor)?;
    crate::campaign_choice::ensure_running(&campaign)?;
    let link =
        compare_years::link_indicator(&state, &actor, &client, &campaign, &key, input.previous_key.as_deref()).await?;
    Ok(Json(link))
}

/// GET /api/v1/ranking?unit=CODE&at=YYYY-MM-DD: the ranking of the unit's children.
#[utoipa::path(get, path = "/ranking", tag = "progress", params(crate::campaign_choice::CampaignQuery, ProgressQuery),
    responses((status = 200, description = "Ranking", body = RankingSchema), BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn ranking(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ProgressQuery>,
) -> Result<Json<progress::Ranking>, ApiError> {
    let actor = logged_in(actor)?;
    require(&state, &actor, &client, Action::ReadEverything, None).await?;
    Ok(Json(progress::ranking(&state, campaign, q.unit.as_deref(), q.at).await?))
}

/// GET /api/v1/base-figures/coverage: each base figure the plan's percentages are
/// measured against, how many reporting units have it, and whether the office
/// marked it complete.
#[utoipa::path(get, path = "/base-figures/coverage", tag = "progress", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "One entry per base figure", body = Vec<progress::BaseCoverage>), Unauthenticated))]
pub async fn base_coverage(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
) -> Result<Json<Vec<progress::BaseCoverage>>, ApiError> {
    logged_in(actor)?;
    Ok(Json(progress::base_coverage(&state, campaign).await?))
}

/// PUT /api/v1/base-figures/{figure}/complete `{"complete": true}`: the office marks
/// a base figure complete (units without it have none), or not; audited.
#[utoipa::path(put, path = "/base-figures/{figure}/complete", tag = "progress",
    params(crate::campaign_choice::CampaignQuery, ("figure" = super::doc::BaseFigureName, Path)),
    request_body = progress::BaseCompleteness,
    responses((status = 200, description = "Stored", body = progress::BaseCompleteness), JsonBody, Unauthenticated, Forbidden))]
pub async fn set_base_complete(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    axum::extract::Path(figure): axum::extract::Path<String>,
    super::body::Object(input): super::body::Object<progress::BaseCompleteness>,
) -> Result<Json<progress::BaseCompleteness>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(progress::set_base_complete(&state, campaign, &actor, &client, &figure, input.complete).await?))
}
