//! The campaigns of the database: the list (running ones first, each with its
//! dates and its next reporting deadline), the user's choice, and archiving (an
//! archived campaign is read-only; it keeps every report, figure and document).

use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::period::next_due;
use phongtrao_domain::policy::Action;
use phongtrao_storage::campaigns::{self, CampaignRow, StoredCampaign};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::campaign_choice;
use crate::error::Failure;
use crate::AppState;

/// A campaign as the list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignSummary {
    pub code: String,
    pub title: String,
    pub year: i64,
    pub theme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// "running" or "archived" (read-only)
    pub status: String,
    /// The default campaign (shown to a user who has chosen none)
    pub is_default: bool,
    /// The campaign the caller is looking at (their choice)
    pub is_chosen: bool,
    /// The code of the campaign this one follows (last year's edition)
    pub previous: Option<String>,
    /// The next reporting deadline still ahead, when the campaign runs
    pub next_deadline: Option<DateTime<Utc>>,
    /// The end of the period that deadline closes
    pub next_period_end: Option<NaiveDate>,
    /// The time "Gửi" was pressed on a phone without a connection decides the
    /// deadline (when believable); off: the server's receipt time decides
    pub deadline_by_pressed_at: bool,
}

/// Every campaign the actor may see, running first (newest first), then archived.
pub async fn list(
    state: &AppState,
    actor: Option<&Actor>,
    chosen: Option<&StoredCampaign>,
) -> Result<Vec<CampaignSummary>, Failure> {
    let rows = campaign_choice::choices(&state.db, actor).await?;
    let now = state.now();
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let next = if row.is_archived() { None } else { next_deadline(state, row, now).await? };
        out.push(CampaignSummary {
            code: row.code.clone(),
            title: row.title.clone(),
            year: row.year,
            theme: row.theme.clone(),
            starts_on: row.starts_on,
            ends_on: row.ends_on,
            status: row.status.clone(),
            is_default: row.is_current,
            is_chosen: chosen.is_some_and(|c| c.row.id == row.id),
            previous: row.previous_campaign_id.and_then(|id| rows.iter().find(|r| r.id == id)).map(|r| r.code.clone()),
            next_deadline: next.map(|(d, _)| d),
            next_period_end: next.map(|(_, e)| e),
            deadline_by_pressed_at: row.deadline_by_pressed_at,
        });
    }
    Ok(out)
}

async fn next_deadline(
    state: &AppState,
    row: &CampaignRow,
    now: DateTime<Utc>,
) -> Result<Option<(DateTime<Utc>, NaiveDate)>, Failure> {
    let Some(c) = campaigns::by_id(&state.db, row.id).await? else { return Ok(None) };
    let periods = c.plan.periods();
    Ok(next_due(&periods, now).map(|p| (p.deadline.with_timezone(&Utc), p.end)))
}

/// Keeps the user's choice of campaign (it follows them to every device).
pub async fn choose(state: &AppState, actor: &Actor, code: &str) -> Result<StoredCampaign, Failure> {
    let c = campaign_choice::resolve(&state.db, Some(actor), Some(code)).await?;
    campaigns::choose(&state.db, actor.user.id, c.row.id, state.now()).await?;
    Ok(c)
}

/// Archives a campaign (read-only from now on) or brings it back; the office only.
pub async fn set_archived(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    archived: bool,
) -> Result<StoredCampaign, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    let c = campaign_choice::resolve(&state.db, Some(actor), Some(code)).await?;
    if c.row.is_archived() != archived {
        campaigns::set_status(&state.db, c.row.id, archived, &who(Some(actor), client), state.now()).await?;
    }
    campaigns::by_id(&state.db, c.row.id).await?.ok_or_else(|| campaign_choice::unknown(code))
}

/// Sets whether the time "Gửi" was pressed on a phone without a connection decides
/// the deadline of the campaign's reports (issue #23; default off). The office only;
/// audited (`campaign.deadline_rule`). It applies to the reports first submitted
/// from then on: a report already judged keeps its judgement.
pub async fn set_deadline_by_pressed_at(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    on: bool,
) -> Result<StoredCampaign, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    let c = campaign_choice::resolve(&state.db, Some(actor), Some(code)).await?;
    campaign_choice::ensure_running(&c)?;
    if c.row.deadline_by_pressed_at != on {
        campaigns::set_deadline_by_pressed_at(&state.db, c.row.id, on, &who(Some(actor), client), state.now()).await?;
    }
    campaigns::by_id(&state.db, c.row.id).await?.ok_or_else(|| campaign_choice::unknown(code))
}

/// A steering committee member and whether they are assigned to a campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    pub username: String,
    pub display_name: String,
    pub assigned: bool,
}

/// The steering committee members and which of them a campaign is assigned to (a
/// member assigned to no campaign sees every campaign). The office only.
pub async fn members(state: &AppState, actor: &Actor, client: &ClientIp, code: &str) -> Result<Vec<Member>, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    let c = campaign_choice::resolve(&state.db, Some(actor), Some(code)).await?;
    let assigned = campaigns::members(&state.db, c.row.id).await?;
    let users = phongtrao_storage::users::active_with_role(&state.db, phongtrao_domain::role::Role::Steering).await?;
    Ok(users
        .into_iter()
        .map(|u| Member { assigned: assigned.contains(&u.id), username: u.username, display_name: u.display_name })
        .collect())
}

/// Assigns a campaign's steering committee members by user name (an unknown name or
/// an account that is not a steering member is refused, nothing changed).
pub async fn set_members(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    usernames: &[String],
) -> Result<Vec<Member>, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    let c = campaign_choice::resolve(&state.db, Some(actor), Some(code)).await?;
    let mut ids = Vec::new();
    for typed in usernames.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        // Named back as typed, but never a page of it.
        let name: String = typed.chars().filter(|c| !c.is_control()).take(60).collect();
        let name = name.as_str();
        match phongtrao_storage::users::by_username(&state.db, typed).await? {
            Some(u) if u.role() == Some(phongtrao_domain::role::Role::Steering) => ids.push(u.id),
            Some(_) => {
                return Err(Failure::invalid(format!(
                    "Tài khoản \"{name}\" không thuộc Ban Chỉ đạo / The account \"{name}\" is not a steering committee member"
                )))
            }
            None => {
                return Err(Failure::invalid(format!("Không có tài khoản \"{name}\" / No account \"{name}\"")));
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    campaigns::set_members(&state.db, c.row.id, &ids, &who(Some(actor), client), state.now()).await?;
    members(state, actor, client, code).await
}
