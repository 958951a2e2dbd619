use axum::Json;
use chrono::NaiveDate;
use phongtrao_domain::plan::lint;
use serde::Serialize;
use utoipa::ToSchema;

use crate::campaign_choice::InCampaign;
use crate::error::ApiError;

/// The running campaign: the whole checked plan and the linter's findings.
#[derive(Serialize, ToSchema)]
#[schema(as = Campaign)]
pub struct CampaignBody {
    pub id: i64,
    /// The plan as checked (targets, indicators, periods, events, reporting rules)
    #[schema(value_type = Object)]
    pub plan: std::sync::Arc<phongtrao_domain::plan::Plan>,
    /// The plan's inconsistencies (rule, message_vi, message_en)
    #[schema(value_type = Vec<Object>)]
    pub findings: Vec<lint::Finding>,
}

/// The campaign's target groups and targets.
#[derive(Serialize, ToSchema)]
pub struct Targets {
    #[schema(value_type = Vec<Object>)]
    pub target_groups: Vec<phongtrao_domain::plan::TargetGroup>,
    #[schema(value_type = Vec<Object>)]
    pub targets: Vec<phongtrao_domain::plan::Target>,
    /// Target numbers the plan skips
    pub missing_target_numbers: Vec<u32>,
}

/// One weekly reporting period.
#[derive(Serialize, ToSchema)]
pub struct PeriodOut {
    pub seq: u32,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The deadline of the period's report (Vietnam time)
    #[schema(format = DateTime)]
    pub deadline: String,
}

impl PeriodOut {
    pub fn of(p: &phongtrao_domain::period::Period) -> PeriodOut {
        PeriodOut { seq: p.seq, start: p.start, end: p.end, deadline: p.deadline_rfc3339() }
    }
}

/// The campaign's weekly periods.
#[derive(Serialize, ToSchema)]
pub struct Periods {
    pub periods: Vec<PeriodOut>,
}

/// The current campaign: the whole checked plan, plus the linter's findings.
#[utoipa::path(get, path = "/campaign", tag = "campaign", params(crate::campaign_choice::CampaignQuery), security(()),
    responses((status = 200, description = "The plan", body = CampaignBody)))]
pub async fn show(InCampaign(campaign): InCampaign) -> Result<Json<CampaignBody>, ApiError> {
    let stored = campaign;
    let findings = lint::lint(&stored.plan);
    Ok(Json(CampaignBody { id: stored.row.id, plan: stored.plan, findings }))
}

/// The campaign's targets.
#[utoipa::path(get, path = "/targets", tag = "campaign", params(crate::campaign_choice::CampaignQuery), security(()),
    responses((status = 200, description = "Targets", body = Targets)))]
pub async fn targets(InCampaign(campaign): InCampaign) -> Result<Json<Targets>, ApiError> {
    let stored = campaign;
    let missing_target_numbers = stored.plan.missing_target_numbers();
    Ok(Json(Targets {
        target_groups: stored.plan.target_groups.clone(),
        targets: stored.plan.targets.clone(),
        missing_target_numbers,
    }))
}

/// The campaign's weekly periods.
#[utoipa::path(get, path = "/periods", tag = "campaign", params(crate::campaign_choice::CampaignQuery), security(()),
    responses((status = 200, description = "Periods", body = Periods)))]
pub async fn periods(InCampaign(campaign): InCampaign) -> Result<Json<Periods>, ApiError> {
    let stored = campaign;
    Ok(Json(Periods { periods: stored.plan.periods().iter().map(PeriodOut::of).collect() }))
}
