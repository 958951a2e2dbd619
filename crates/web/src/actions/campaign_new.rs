//! "Tạo kế hoạch từ năm trước": the office makes next year's campaign from an
//! earlier one. `preview` shows the new plan (every moved date, the proposed goals,
//! the copied allocations) and writes nothing; `confirm` stores it, running, with
//! the edition it follows, its allocations and one audit entry, all at once.

use std::collections::{BTreeMap, HashMap};

use phongtrao_domain::plan::roll_forward::{
    proportional_allocations, roll_forward, RollForward, RollForwardError, RollForwardOptions,
};
use phongtrao_domain::plan::{parse_plan, Plan};
use phongtrao_domain::policy::Action;
use phongtrao_storage::audit::Who;
use phongtrao_storage::campaign_copy::{self, CopyFrom};
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::units::{self, UnitRow};
use phongtrao_storage::{allocations, base_figures, rollups};
use serde::Serialize;

use crate::actions::progress::{from_figures, BaseChecks};
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::AppState;

/// What the office may change before confirming.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// The new campaign's code (None: the old one with the year replaced).
    pub code: Option<String>,
    /// Goals chosen by the office per indicator key.
    pub goals: BTreeMap<String, f64>,
}

/// The allocations of one indicator, copied proportionally.
#[derive(Debug, Clone, Serialize)]
pub struct AllocationCopy {
    pub indicator: String,
    pub units: usize,
    /// The parts of the plan's goal (units allocated from the top), last year and new.
    pub old_total: i64,
    pub new_total: i64,
    /// Units allocated last year that no longer operate, or under one that no longer
    /// does (their parts are not copied).
    pub inactive_units: usize,
}

/// The review of the new campaign: nothing is stored yet.
#[derive(Debug, Clone, Serialize)]
pub struct RollForwardPreview {
    pub source_id: i64,
    #[serde(flatten)]
    pub plan: RollForward,
    pub allocations: Vec<AllocationCopy>,
    /// The code is free (false: confirming would be refused).
    pub code_available: bool,
    /// The new plan's text is in `plan_toml`; no campaign was stored.
    pub stored: bool,
}

/// What `confirm` stored.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    pub id: i64,
    pub code: String,
    pub previous_campaign_id: i64,
    pub allocations: usize,
    pub preview: RollForwardPreview,
}

fn refusal(e: RollForwardError) -> Failure {
    Failure::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.message_vi(), e.message_en())
}

/// Office only: the review of the campaign `source` would make for `year`.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    source: &StoredCampaign,
    year: i32,
    overrides: &Overrides,
) -> Result<RollForwardPreview, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    preview_unchecked(state, source, year, overrides).await
}

/// Office only: stores the new campaign.
pub async fn confirm(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    source: &StoredCampaign,
    year: i32,
    overrides: &Overrides,
) -> Result<Created, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    confirm_as(state, &who(Some(actor), client), source, year, overrides).await
}

/// The root unit the campaign ran on.
async fn root_of(state: &AppState, source: &StoredCampaign) -> Result<UnitRow, Failure> {
    let root = match source.row.root_unit_id {
        Some(id) => units::by_id(&state.db, id).await?,
        None => None,
    };
    match root {
        Some(r) => Ok(r),
        None => units::root(&state.db).await?.ok_or_else(Failure::not_found),
    }
}

/// Last year's result per indicator at the campaign's root over all its weeks
/// (count: the total; percentage kinds: the share reached). Indicators without a
/// measurable result (no base figure) are left out.
pub async fn last_results(state: &AppState, source: &StoredCampaign) -> Result<BTreeMap<String, f64>, Failure> {
    let plan: &Plan = &source.plan;
    let root = root_of(state, source).await?;
    let mut figures = rollups::subtree_figures(&state.db, plan, source.row.id, &[root.id]).await?;
    let figures = figures.remove(&root.id).unwrap_or_default();
    let goals = allocations::for_units(&state.db, source.row.id, &[root.id]).await?;
    let marked = base_figures::marked_complete(&state.db, source.row.id).await?;
    let checks = BaseChecks { marked_complete: marked, tree: HashMap::new() };
    let upto = u32::try_from(plan.periods().len()).unwrap_or(u32::MAX);
    let report = from_figures(plan, &root, &figures, &goals, &checks, plan.campaign.ends_on, upto);
    Ok(report
        .indicators
        .into_iter()
        .filter(|i| !matches!(i.status, "no_base" | "insufficient_base"))
        .map(|i| (i.indicator, i.achieved))
        .collect())
}

/// The review, without the role check (the CLI runs as the operator).
pub async fn preview_unchecked(
    state: &AppState,
    source: &StoredCampaign,
    year: i32,
    overrides: &Overrides,
) -> Result<RollForwardPreview, Failure> {
    Ok(review(state, source, year, overrides).await?.0)
}

/// The review and the allocations the new campaign would get.
async fn review(
    state: &AppState,
    source: &StoredCampaign,
    year: i32,
    overrides: &Overrides,
) -> Result<(RollForwardPreview, Vec<(String, i64, i64)>), Failure> {
    let results = last_results(state, source).await?;
    let options = RollForwardOptions { year, code: overrides.code.clone(), results, goals: overrides.goals.clone() };
    let plan = roll_forward(&source.row.plan_toml, &options).map_err(refusal)?;
    let (copies, rows) = copy_allocations(state, source, &plan).await?;
    let code_available = !campaign_copy::code_exists(&state.db, &plan.code).await?;
    let preview =
        RollForwardPreview { source_id: source.row.id, plan, allocations: copies, code_available, stored: false };
    Ok((preview, rows))
}

/// The allocations of the new campaign: each group of units allocated under one
/// parent gets the parent's new part (or, at the top, the new plan goal) split in
/// proportion to last year's parts, adding up exactly (largest remainder).
async fn copy_allocations(
    state: &AppState,
    source: &StoredCampaign,
    plan: &RollForward,
) -> Result<(Vec<AllocationCopy>, Vec<(String, i64, i64)>), Failure> {
    let old = allocations::all(&state.db, source.row.id).await?;
    if old.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let mut ids: Vec<i64> = old.keys().map(|(_, u)| *u).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: HashMap<i64, UnitRow> = units::by_ids(&state.db, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let mut by_key: BTreeMap<&str, BTreeMap<i64, i64>> = BTreeMap::new();
    for ((key, unit), goal) in &old {
        by_key.entry(key.as_str()).or_default().insert(*unit, *goal);
    }
    let mut summary = Vec::new();
    let mut out = Vec::new();
    for (key, parts) in by_key {
        let Some(proposal) = plan.goals.iter().find(|g| g.key == key) else { continue };
        let (old_goal, new_goal) = (proposal.old_goal.round() as i64, proposal.goal.round() as i64);
        // Groups by parent, parents' levels first.
        let mut groups: BTreeMap<(i64, Option<i64>), BTreeMap<i64, i64>> = BTreeMap::new();
        let mut inactive = 0;
        for (unit, goal) in &parts {
            match rows.get(unit) {
                Some(u) if u.active => {
                    groups.entry((u.level, u.parent_id)).or_default().insert(*unit, *goal);
                }
                _ => inactive += 1,
            }
        }
        let mut new_parts: BTreeMap<i64, i64> = BTreeMap::new();
        let (mut old_top, mut new_top) = (0, 0);
        for ((_, parent), group) in groups {
            match parent.filter(|p| parts.contains_key(p)) {
                // A part of a unit's own allocated part: the unit's new part is split.
                Some(p) => match new_parts.get(&p).copied() {
                    Some(to) => new_parts.extend(proportional_allocations(&group, parts[&p], to)),
                    // The unit was not copied (no longer operates): neither are its parts.
                    None => inactive += group.len(),
                },
                // A part of the plan's goal: the same share of the new goal.
                None => {
                    let split = proportional_allocations(&group, old_goal, new_goal);
                    old_top += group.values().sum::<i64>();
                    new_top += split.values().sum::<i64>();
                    new_parts.extend(split);
                }
            }
        }
        summary.push(AllocationCopy {
            indicator: key.to_string(),
            units: new_parts.len(),
            old_total: old_top,
            new_total: new_top,
            inactive_units: inactive,
        });
        out.extend(new_parts.into_iter().map(|(unit, goal)| (key.to_string(), unit, goal)));
    }
    Ok((summary, out))
}

/// Stores the new campaign as `who` (the role is the caller's to check).
pub async fn confirm_as(
    state: &AppState,
    who: &Who,
    source: &StoredCampaign,
    year: i32,
    overrides: &Overrides,
) -> Result<Created, Failure> {
    let (preview, copied) = review(state, source, year, overrides).await?;
    if !preview.code_available {
        return Err(Failure::new(
            axum::http::StatusCode::CONFLICT,
            "conflict",
            format!("Đã có kế hoạch mã \"{}\": hãy chọn mã khác.", preview.plan.code),
            format!("A campaign with the code \"{}\" exists already: choose another code.", preview.plan.code),
        ));
    }
    let plan = parse_plan(&preview.plan.plan_toml).map_err(Failure::internal)?;
    let edited: Vec<&str> = preview.plan.goals.iter().filter(|g| g.edited).map(|g| g.key.as_str()).collect();
    let audit = who
        .entry("campaign.create_from", "campaign", Some(preview.plan.code.clone()))
        .before(&serde_json::json!({ "source": source.row.code, "source_id": source.row.id, "year": source.row.year }))
        .after(&serde_json::json!({
            "code": preview.plan.code,
            "year": preview.plan.year,
            "weeks": preview.plan.weeks,
            "dates_moved": preview.plan.dates.len(),
            "goals_edited": edited,
            "allocations": copied.len(),
        }));
    let copy = CopyFrom { previous_id: source.row.id, allocations: copied, audit };
    let id = campaign_copy::create_from(&state.db, &plan, &preview.plan.plan_toml, &copy, state.now()).await?;
    let mut preview = preview;
    preview.stored = true;
    Ok(Created {
        id,
        code: preview.plan.code.clone(),
        previous_campaign_id: source.row.id,
        allocations: copy.allocations.len(),
        preview,
    })
}
