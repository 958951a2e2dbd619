//! Each level runs its part (issue #21): a unit's own plan inside a campaign and its
//! report up. Shared by the pages, the API and the command line; the rules are the
//! domain's (`phongtrao_domain::plan::cascade`).
//!
//! - `overview`: what the parent gave the unit and whether its own plan exists.
//! - `start`: the unit's own plan as a draft in the plan editor, derived from the
//!   parent's; confirming the draft (`plan_edit::confirm`) checks it against the
//!   parent's and stores it as a campaign rooted at the unit.
//! - `report_up` / `submit_up`: the unit's weekly report to its parent, computed from
//!   its subtree's reports in its own plan plus its own level's figures.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use chrono::NaiveDate;
use phongtrao_domain::plan::cascade::{self, Given, Office, OwnDeadline, UpLine};
use phongtrao_domain::plan::edit::PlanEdit;
use phongtrao_domain::policy::Action;
use phongtrao_domain::report::{ReportInput, ReportKind};
use phongtrao_storage::campaigns::{self, StoredCampaign};
use phongtrao_storage::reports::SaveAction;
use phongtrao_storage::units::{self, UnitRow};
use phongtrao_storage::{allocations, pending_imports, rollups};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::plan_import::{Review, KIND, MODE_NEW};
use super::reports::{self as report_actions, ReportFailure};
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::require;
use crate::campaign_choice;
use crate::error::Failure;
use crate::AppState;

/// What a draft of a unit's own plan is beneath (kept with the draft).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OwnPlanDraft {
    /// The code of the parent's campaign.
    pub parent_campaign: String,
    /// The unit's code in that campaign's tree.
    pub unit: String,
}

/// One goal the parent gave the unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GivenGoal {
    pub key: String,
    pub label: String,
    pub goal: i64,
    pub unit_label: Option<String>,
}

/// A unit's part of a campaign, as its office sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Overview {
    pub parent_campaign: String,
    pub parent_title: String,
    pub unit_code: String,
    pub unit_name: String,
    /// The goals the parent allocated to the unit, in the plan's order.
    pub given: Vec<GivenGoal>,
    /// The unit's own plan (its campaign's code and title), once confirmed.
    pub own_campaign: Option<String>,
    pub own_title: Option<String>,
    /// The parent lets its units set a goal below the allocated one.
    pub lowering_allowed: bool,
}

/// The unit, found in the parent campaign's tree, and the permission to run its plan.
async fn unit_office(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    parent: &StoredCampaign,
    unit_code: &str,
) -> Result<UnitRow, Failure> {
    let unit = campaign_choice::unit_by_code(&state.db, parent, unit_code).await?.ok_or_else(Failure::not_found)?;
    require(state, actor, client, Action::AdministerCampaign, Some(unit.id)).await?;
    if parent.row.root_unit_id == Some(unit.id) || unit.parent_id.is_none() {
        return Err(Failure::invalid(
            "Đơn vị này là đơn vị ban hành kế hoạch chung: kế hoạch của đơn vị là chính kế hoạch này / this unit issues the campaign's plan itself",
        ));
    }
    Ok(unit)
}

async fn given_goals(state: &AppState, parent: &StoredCampaign, unit: &UnitRow) -> Result<Given, Failure> {
    let allocated = allocations::for_units(&state.db, parent.row.id, &[unit.id]).await?;
    let allocated: BTreeMap<String, i64> =
        allocated.into_iter().filter(|((_, id), _)| *id == unit.id).map(|((key, _), goal)| (key, goal)).collect();
    Ok(Given { allocated, lowering_allowed: parent.row.lowering_allowed })
}

/// What the parent gave the unit and its own plan, if any.
pub async fn overview(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    parent: &StoredCampaign,
    unit_code: &str,
) -> Result<Overview, Failure> {
    let unit = unit_office(state, actor, client, parent, unit_code).await?;
    let given = given_goals(state, parent, &unit).await?;
    let own = campaigns::own_plan_of(&state.db, parent.row.id, unit.id).await?;
    Ok(Overview {
        parent_campaign: parent.row.code.clone(),
        parent_title: parent.row.title.clone(),
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        given: parent
            .plan
            .active_indicators()
            .filter_map(|i| {
                given.allocated.get(&i.key).filter(|g| **g > 0).map(|g| GivenGoal {
                    key: i.key.clone(),
                    label: i.label.clone(),
                    goal: *g,
                    unit_label: i.unit_label.clone(),
                })
            })
            .collect(),
        own_campaign: own.as_ref().map(|c| c.row.code.clone()),
        own_title: own.as_ref().map(|c| format!("{} — {}", c.row.title, c.plan.campaign.issuing_body)),
        lowering_allowed: given.lowering_allowed,
    })
}

/// The unit's own plan as a draft in the plan editor, derived from the parent's;
/// returns the draft's id. Refused while the unit has a plan beneath this campaign.
pub async fn start(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    parent: &StoredCampaign,
    unit_code: &str,
) -> Result<i64, Failure> {
    let unit = unit_office(state, actor, client, parent, unit_code).await?;
    campaign_choice::ensure_running(parent)?;
    if let Some(own) = campaigns::own_plan_of(&state.db, parent.row.id, unit.id).await? {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "own_plan_exists",
            format!("{} đã có kế hoạch riêng: \"{}\"; hãy điều chỉnh kế hoạch đó.", unit.name, own.row.title),
            format!("{} has its own plan already (\"{}\"): amend it instead.", unit.name, own.row.code),
        ));
    }
    let given = given_goals(state, parent, &unit).await?;
    let parent_edit = PlanEdit::from_toml(&parent.row.plan_toml).map_err(Failure::invalid)?;
    let office = Office::of_unit(&unit.code, &unit.name);
    let edit = cascade::derive(&parent_edit, &office, &given, OwnDeadline::default());
    let own = OwnPlanDraft { parent_campaign: parent.row.code.clone(), unit: unit.code.clone() };
    let review = Review::written(edit.clone(), edit.to_toml(), MODE_NEW, None, Some(own));
    let payload = serde_json::to_string(&review).map_err(Failure::internal)?;
    Ok(pending_imports::create(&state.db, actor.user.id, KIND, &unit.name, &payload, state.now()).await?)
}

/// The parent's campaign and the unit of a draft of a unit's own plan, with the
/// permission to run it (every action on such a draft asks this).
pub async fn draft_scope(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    own: &OwnPlanDraft,
) -> Result<(StoredCampaign, UnitRow), Failure> {
    let parent = campaigns::by_code(&state.db, &own.parent_campaign).await?.ok_or_else(Failure::not_found)?;
    let unit = unit_office(state, actor, client, &parent, &own.unit).await?;
    Ok((parent, unit))
}

/// Refuses (422, every reason named) a unit's plan, new or amended, that does not
/// keep to what its parent gave it (`cascade::check`).
pub async fn ensure_within_parent(
    state: &AppState,
    parent: &StoredCampaign,
    unit: &UnitRow,
    plan: &phongtrao_domain::plan::Plan,
) -> Result<(), Failure> {
    let given = given_goals(state, parent, unit).await?;
    let notes = cascade::check(&parent.plan, &given, plan);
    if notes.is_empty() {
        return Ok(());
    }
    let vi: Vec<&str> = notes.iter().map(|n| n.vi.as_str()).collect();
    let en: Vec<&str> = notes.iter().map(|n| n.en.as_str()).collect();
    Err(Failure::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "own_plan_refused",
        format!("Kế hoạch của đơn vị chưa khớp với kế hoạch cấp trên: {}", vi.join(" ")),
        format!("The unit's plan does not match its parent's: {}", en.join(" ")),
    ))
}

/// The unit's report up for one week of the parent's plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportUp {
    pub parent_campaign: String,
    pub own_campaign: String,
    pub unit_code: String,
    pub unit_name: String,
    /// The parent's week (1, 2 …) and its last day.
    pub week: u32,
    pub period_end: NaiveDate,
    /// The unit's own week that feeds it (its last day).
    pub own_period_end: Option<NaiveDate>,
    #[schema(value_type = Vec<Object>)]
    pub lines: Vec<UpLine>,
    /// The report's state in the parent's campaign ("draft", "submitted" …; None: not begun).
    pub status: Option<String>,
    /// Its version (for the next save).
    pub version: i64,
}

async fn up_context(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    parent: &StoredCampaign,
    unit_code: &str,
    period_end: NaiveDate,
) -> Result<(report_actions::FormContext, StoredCampaign), Failure> {
    let ctx = report_actions::load(state, parent, unit_code, ReportKind::Weekly, Some(period_end)).await?;
    report_actions::authorize_read(state, actor, client, &ctx).await?;
    let own = campaigns::own_plan_of(&state.db, parent.row.id, ctx.unit.id).await?.ok_or_else(|| {
        Failure::new(
            StatusCode::NOT_FOUND,
            "no_own_plan",
            format!("{} chưa có kế hoạch riêng trong chiến dịch này.", ctx.unit.name),
            format!("{} has no plan of its own in this campaign.", ctx.unit.name),
        )
    })?;
    Ok((ctx, own))
}

fn lines_for(
    parent: &StoredCampaign,
    own: &StoredCampaign,
    figures: &HashMap<i64, phongtrao_domain::progress::figures::Figures>,
    unit_id: i64,
    seq: i64,
    own_level: &BTreeMap<String, i64>,
) -> Vec<UpLine> {
    let empty = phongtrao_domain::progress::figures::Figures::default();
    let subtree = cascade::subtree_week(&own.plan, figures.get(&unit_id).unwrap_or(&empty), seq);
    cascade::report_up(&parent.plan, &own.plan, &subtree, own_level)
}

/// The unit's own level's figures kept in its report up (what it typed last).
fn own_level_of(ctx: &report_actions::FormContext) -> BTreeMap<String, i64> {
    ctx.report.as_ref().map(|r| r.draft().own_level).unwrap_or_default()
}

/// The report up as it stands: the subtree's figures this week in the unit's own plan,
/// the unit's own level's figures it typed, their totals.
pub async fn report_up(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    parent: &StoredCampaign,
    unit_code: &str,
    period_end: NaiveDate,
) -> Result<ReportUp, Failure> {
    let (ctx, own) = up_context(state, actor, client, parent, unit_code, period_end).await?;
    let seq = ctx.key().period_seq;
    let figures = rollups::subtree_figures(&state.db, &own.plan, own.row.id, &[ctx.unit.id]).await?;
    let lines = lines_for(parent, &own, &figures, ctx.unit.id, seq, &own_level_of(&ctx));
    let own_period_end = own.plan.periods().into_iter().find(|p| i64::from(p.seq) == seq).map(|p| p.end);
    Ok(ReportUp {
        parent_campaign: parent.row.code.clone(),
        own_campaign: own.row.code.clone(),
        unit_code: ctx.unit.code.clone(),
        unit_name: ctx.unit.name.clone(),
        week: ctx.period.as_ref().map(|p| p.seq).unwrap_or(0),
        period_end,
        own_period_end,
        lines,
        status: ctx.report.as_ref().map(|r| r.status.clone()),
        version: ctx.report.as_ref().map(|r| r.version).unwrap_or(0),
    })
}

/// What the unit adds to its report up: its own level's figures (by the parent's
/// indicator key, as typed: "1.200" reads 1200) and its notes.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct UpInput {
    pub own_level: BTreeMap<String, String>,
    pub highlights: String,
    pub difficulties: String,
    pub proposals: String,
    /// The version the unit saw (0: none yet).
    pub version: i64,
}

/// Submits the unit's report up: the subtree's figures (computed now, never typed)
/// plus its own level's, through the same checks and storage as every report.
pub async fn submit_up(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    parent: &StoredCampaign,
    unit_code: &str,
    period_end: NaiveDate,
    input: &UpInput,
) -> Result<ReportUp, ReportFailure> {
    let (ctx, own) = up_context(state, actor, client, parent, unit_code, period_end).await?;
    let mut own_level = BTreeMap::new();
    for (key, text) in &input.own_level {
        let Some(ind) = parent.plan.indicator(key) else { continue };
        if text.trim().is_empty() {
            continue;
        }
        match phongtrao_domain::plan::edit::parse_number(text).filter(|v| *v >= 0.0 && v.fract() == 0.0) {
            Some(v) => {
                own_level.insert(key.clone(), v as i64);
            }
            None => {
                return Err(ReportFailure::Other(Failure::invalid(format!(
                "\"{text}\" ở chỉ tiêu “{}” không phải một số nguyên không âm / \"{text}\" is not a whole number ≥ 0",
                ind.label
            ))))
            }
        }
    }
    let seq = ctx.key().period_seq;
    let figures = rollups::subtree_figures(&state.db, &own.plan, own.row.id, &[ctx.unit.id]).await?;
    let lines = lines_for(parent, &own, &figures, ctx.unit.id, seq, &own_level);
    let values = cascade::up_values(&lines);
    let report = ReportInput {
        values: values.iter().map(|(k, v)| (k.clone(), v.to_string())).collect(),
        activities: Vec::new(),
        highlights: input.highlights.clone(),
        difficulties: input.difficulties.clone(),
        proposals: input.proposals.clone(),
        confirm_above_base: true,
        nothing_to_report: values.values().all(|v| *v == 0),
        own_level: own_level.clone(),
    };
    let version = if input.version > 0 { input.version } else { ctx.report.as_ref().map(|r| r.version).unwrap_or(0) };
    // The own level's figures are kept in the report's draft by the same write.
    report_actions::save(state, actor, client, &ctx, &report, version, SaveAction::Submit, None, None, None).await?;
    Ok(report_up(state, actor, client, parent, unit_code, period_end).await?)
}

/// The unit a unit office acts for by default: its first unit.
pub async fn first_unit(state: &AppState, actor: &Actor) -> Result<Option<UnitRow>, Failure> {
    match actor.unit_ids.first() {
        Some(id) => Ok(units::by_id(&state.db, *id).await?),
        None => Ok(None),
    }
}
