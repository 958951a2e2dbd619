//! The campaign's events as they were run: the province events of the plan (the
//! office records each), and each reporting unit's own launch and closing (the unit
//! records its own). Read by every logged-in user.

use chrono::NaiveDate;
use phongtrao_domain::event_record::{self, EventInput, EventStatus, UnitEventKind};
use phongtrao_domain::policy::Action;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::event_records::{self, ProvinceEvent, UnitEventRow};
use phongtrao_storage::units;
use serde::Serialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require_in, who};
use crate::error::Failure;
use crate::AppState;

/// A reporting unit with its launch and closing as recorded (None: nothing yet).
#[derive(Debug, Clone, Serialize)]
pub struct UnitEvents {
    pub unit: String,
    pub unit_name: String,
    pub launch: Option<UnitEventRow>,
    pub closing: Option<UnitEventRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Events {
    pub province: Vec<ProvinceEvent>,
    pub units: Vec<UnitEvents>,
}

fn invalid((vi, en): (String, String)) -> Failure {
    Failure::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid", vi, en)
}

/// Every event of the running campaign, for any logged-in user.
pub async fn list(state: &AppState, campaign: &StoredCampaign, _actor: &Actor) -> Result<Events, Failure> {
    let province = event_records::province(&state.db, campaign.row.id).await?;
    let recorded = event_records::units(&state.db, campaign.row.id).await?;
    let levels = &campaign.plan.reporting.levels;
    let units = units::list(&state.db)
        .await?
        .into_iter()
        .filter(|u| u.active && u.level().is_some_and(|l| levels.contains(&l)))
        .map(|u| {
            let find =
                |kind: UnitEventKind| recorded.iter().find(|r| r.unit_id == u.id && r.kind == kind.as_str()).cloned();
            UnitEvents {
                launch: find(UnitEventKind::Launch),
                closing: find(UnitEventKind::Closing),
                unit: u.code,
                unit_name: u.name,
            }
        })
        .collect();
    Ok(Events { province, units })
}

/// The office records what happened at a province event (and who hosted it).
pub async fn record_province(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    number: i64,
    input: &EventInput<'_>,
    host_unit_code: &str,
) -> Result<ProvinceEvent, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    crate::authz::require_campaign(state, actor, client, Action::AdministerCampaign, campaign).await?;
    let record = event_record::parse(input).map_err(invalid)?;
    let host = match host_unit_code.trim() {
        "" => None,
        text => Some(crate::actions::unit_lookup::require(&state.db, text).await?.code),
    };
    Ok(event_records::set_province(
        &state.db,
        campaign.row.id,
        number,
        &record,
        host.as_deref(),
        &who(Some(actor), client),
        state.now(),
    )
    .await?)
}

/// A unit (or the office) records the unit's launch or closing.
pub async fn record_unit(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    kind: &str,
    input: &EventInput<'_>,
) -> Result<UnitEventRow, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    let kind = UnitEventKind::parse(kind).ok_or_else(Failure::not_found)?;
    let (unit, ancestry) = units::by_code_with_ancestry(&state.db, code).await?.ok_or_else(Failure::not_found)?;
    require_in(state, actor, client, Action::WriteUnit, Some(unit.id), &ancestry).await?;
    let record = event_record::parse(input).map_err(invalid)?;
    Ok(event_records::set_unit(
        &state.db,
        campaign.row.id,
        unit.id,
        kind,
        &record,
        &who(Some(actor), client),
        state.now(),
    )
    .await?)
}

/// A status in the page's words.
pub fn status_label(status: &str, vi: bool) -> String {
    match EventStatus::parse(status) {
        Some(s) if vi => s.label_vi().to_string(),
        Some(s) => s.label_en().to_string(),
        None => status.to_string(),
    }
}

/// When the event was held, or is planned, as dd/mm/yyyy.
pub fn when(held_on: Option<NaiveDate>, starts_on: Option<NaiveDate>) -> String {
    held_on.or(starts_on).map(phongtrao_domain::format::date).unwrap_or_default()
}
