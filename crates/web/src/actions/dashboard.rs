//! The campaign dashboard of a unit and the reminders sent from it: the unit's
//! consolidated progress, each child's (for the unit × indicator table and the
//! ranking), the reporting timeliness and who was reminded. Every figure comes from
//! `actions::progress`; nothing here sums reports.

use std::collections::HashMap;

use chrono::NaiveDate;
use phongtrao_domain::period::Period;
use phongtrao_domain::policy::Action;
use phongtrao_domain::role::Role;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::reminders::{self, ReminderRow};
use phongtrao_storage::units::{self, UnitRow};
use serde::Serialize;

use crate::actions::progress::{self, ChildJudged, ProgressReport, Ranking};
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, require_in, who};
use crate::error::Failure;
use crate::AppState;

/// One child unit of the dashboard's unit with its own subtree's indicators judged.
pub struct ChildProgress {
    /// One of the steering member's assigned units, or an ancestor of one.
    pub assigned: bool,
    pub child: ChildJudged,
}

pub struct Dashboard {
    pub campaign: StoredCampaign,
    pub unit: UnitRow,
    pub parent: Option<UnitRow>,
    pub report: ProgressReport,
    /// Children, the actor's assigned ones first, then in tree order.
    pub children: Vec<ChildProgress>,
    /// The ranking of the children (None without children).
    pub ranking: Option<Ranking>,
    /// The units assigned to the actor (a steering member's units).
    pub assigned: Vec<UnitRow>,
    /// The latest reminder sent for the current period, by unit id.
    pub reminded: HashMap<i64, ReminderRow>,
    /// The actor may send reminders.
    pub can_remind: bool,
    /// The units the lists name (missing reports), by code: id and name.
    pub names: HashMap<String, (i64, String)>,
}

impl Dashboard {
    /// The period whose timeliness the dashboard shows: the last counted one.
    pub fn current_period(&self) -> Option<Period> {
        let seq = self.report.periods_counted;
        self.campaign.plan.periods().into_iter().find(|p| p.seq == seq)
    }
}

/// The unit a dashboard shows when none is asked for: a unit user's (or viewer's)
/// first unit, else the root of the tree.
pub fn default_unit(actor: &Actor) -> Option<i64> {
    match actor.user.role {
        Role::Unit | Role::UnitOffice | Role::Viewer => actor.unit_ids.first().copied(),
        _ => None,
    }
}

pub async fn load(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    unit_code: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<Dashboard, Failure> {
    let db = &state.db;
    // Only the units the page shows are read (at national scale the tree has
    // 100,000 of them): the unit, its parent and children, the actor's units and
    // their ancestors, and the units named in the lists.
    let unit = match (unit_code, default_unit(actor)) {
        (Some(code), _) => crate::campaign_choice::unit_by_code(db, campaign, code).await?,
        (None, Some(id)) => units::by_id(db, id).await?,
        (None, None) => crate::campaign_choice::root(db, campaign).await?,
    }
    .filter(|u| u.active)
    .ok_or_else(Failure::not_found)?;
    let ancestry = units::ancestry(db, unit.id).await?;
    require_in(state, actor, client, Action::ReadUnit, Some(unit.id), &ancestry).await?;
    // The date every figure is taken at: the one asked for, else today (at most the
    // campaign's last day), as `progress::compute` decides.
    let plan = &campaign.plan;
    let at = at
        .unwrap_or_else(|| state.now().with_timezone(&plan.campaign.timezone).date_naive().min(plan.campaign.ends_on));
    let parent = match unit.parent_id {
        Some(id) => units::by_id(db, id).await?,
        None => None,
    };
    // A steering member's units and, for each, its ancestry: a child is "assigned"
    // when it is one of them or above one of them.
    let mut assigned_or_above: Vec<i64> = Vec::new();
    if actor.user.role == Role::Steering {
        for id in &actor.unit_ids {
            assigned_or_above.extend(units::ancestry(db, *id).await?);
        }
    }
    let by_id: HashMap<i64, UnitRow> =
        units::by_ids(db, &actor.unit_ids).await?.into_iter().map(|u| (u.id, u)).collect();
    let assigned: Vec<UnitRow> = actor.unit_ids.iter().filter_map(|id| by_id.get(id)).cloned().collect();
    // The unit's figures, then every child's from one read of their consolidated figures.
    let report =
        progress::compute_listing(state, campaign, Some(&unit.code), Some(at), progress::MissingLists::Last).await?;
    // The children judged without texts (700 of them at the top of a national tree);
    // the ranking from the same judgement.
    let judged = progress::judge_children(state, campaign, Some(&unit.code), Some(at)).await?;
    let ranking =
        (!judged.children.is_empty()).then(|| progress::rank_judged(&campaign.plan, &unit.code, at, &judged.children));
    let mut children: Vec<ChildProgress> = judged
        .children
        .into_iter()
        .map(|child| ChildProgress { assigned: assigned_or_above.contains(&child.unit.id), child })
        .collect();
    // Assigned first; the sort is stable, so tree order stays within each group.
    children.sort_by_key(|c| !c.assigned);
    let reminded = match report.periods_counted {
        0 => HashMap::new(),
        seq => reminders::for_period(db, campaign.row.id, i64::from(seq))
            .await?
            .into_iter()
            .map(|r| (r.unit_id, r))
            .collect(),
    };
    let can_remind = phongtrao_domain::policy::allows(&actor.policy(), Action::ReviewUnit, &ancestry);
    // Names for the list the page shows: the current period's missing units.
    let missing = match report.timeliness.iter().find(|t| t.period == report.periods_counted) {
        Some(t) => t.missing_units.as_slice(),
        None => &[],
    };
    let names = units::by_codes(db, missing).await?.into_iter().map(|u| (u.code, (u.id, u.name))).collect();
    Ok(Dashboard {
        campaign: campaign.clone(),
        unit,
        parent,
        report,
        children,
        ranking,
        assigned,
        reminded,
        can_remind,
        names,
    })
}

/// What a reminder did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Reminded {
    pub unit: String,
    pub period: u32,
    pub period_end: NaiveDate,
    /// Codes of the units reminded: those of the unit's subtree still missing the period.
    pub reminded: Vec<String>,
}

/// Records a reminder notice for every unit of `unit_code`'s subtree that has not
/// reported the period ending `period_end` (the office and the steering committee).
pub async fn remind(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    unit_code: Option<&str>,
    period_end: NaiveDate,
    confirm: bool,
) -> Result<Reminded, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    let db = &state.db;
    let period = crate::documents::period_ending(campaign, period_end)?;
    let unit = match unit_code {
        // A code or a name as the officer types it.
        Some(text) => Some(crate::actions::unit_lookup::require(db, text).await?),
        None => crate::campaign_choice::root(db, campaign).await?,
    }
    .filter(|u| u.active)
    .ok_or_else(Failure::not_found)?;
    require(state, actor, client, Action::ReviewUnit, Some(unit.id)).await?;
    // Every unit of the subtree still missing the period, however many: not the
    // dashboard's list, which stops at `progress::MISSING_LIST_LIMIT`.
    let (ids, missing): (Vec<i64>, Vec<String>) = phongtrao_storage::progress::missing_units(
        db,
        campaign.row.id,
        unit.id,
        i64::from(period.seq),
        &campaign.plan.reporting.levels,
        i64::MAX,
    )
    .await?
    .into_iter()
    .unzip();
    // The same units reminded of the same week less than an hour ago: asked first,
    // so that a second click never sends a duplicate unawares.
    if !confirm {
        if let Some(last) = reminders::last_sent(db, campaign.row.id, i64::from(period.seq), &ids).await? {
            if state.now() - last < chrono::Duration::hours(1) {
                let at = phongtrao_domain::format::date_time(&last.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh));
                return Err(Failure::new(
                    axum::http::StatusCode::CONFLICT,
                    "recently_reminded",
                    format!("Các đơn vị này đã được nhắc báo cáo tuần {} lúc {at}. Gửi lại lần nữa?", period.seq),
                    format!("These units were reminded of week {} at {at}. Send again?", period.seq),
                ));
            }
        }
    }
    reminders::record(
        db,
        campaign.row.id,
        i64::from(period.seq),
        &ids,
        &missing,
        &who(Some(actor), client),
        state.now(),
    )
    .await?;
    Ok(Reminded { unit: unit.code, period: period.seq, period_end: period.end, reminded: missing })
}
