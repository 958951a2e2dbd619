//! Reading the reminders sent: the office and the steering committee.

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use phongtrao_domain::policy::Action;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::reminder_deliveries;
use serde::Serialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::require;
use crate::error::Failure;
use crate::AppState;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReminderView {
    pub id: i64,
    pub unit: String,
    pub unit_name: String,
    pub period_seq: i64,
    pub kind: String,
    /// In Vietnam time (RFC 3339 in JSON).
    pub deadline: DateTime<FixedOffset>,
    pub claimed_at: DateTime<FixedOffset>,
    pub finished_at: Option<DateTime<FixedOffset>>,
    pub status: String,
    pub email_to: String,
    pub email_result: Option<String>,
    pub webhook_result: Option<String>,
    /// How many times it was tried (failed reminders are tried again within their window).
    pub attempts: i64,
    /// When a failed reminder is tried next; absent: its status is final.
    pub next_attempt_at: Option<DateTime<FixedOffset>>,
}

pub async fn list(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    limit: Option<i64>,
) -> Result<Vec<ReminderView>, Failure> {
    require(state, actor, client, Action::ReadEverything, None).await?;
    let limit = limit.unwrap_or(500).clamp(1, 5000);
    let rows = reminder_deliveries::list(&state.db, campaign.row.id, limit).await?;
    let vn = |t: DateTime<Utc>| t.with_timezone(&Ho_Chi_Minh).fixed_offset();
    Ok(rows
        .into_iter()
        .map(|r| ReminderView {
            id: r.id,
            unit: r.unit_code,
            unit_name: r.unit_name,
            period_seq: r.period_seq,
            kind: r.kind,
            deadline: vn(r.deadline),
            claimed_at: vn(r.claimed_at),
            finished_at: r.finished_at.map(vn),
            status: r.status,
            email_to: r.email_to,
            email_result: r.email_result,
            webhook_result: r.webhook_result,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_ms.and_then(DateTime::from_timestamp_millis).map(vn),
        })
        .collect())
}

/// A reminder a person sent (from the dashboard, the reminders page or the API).
#[derive(Debug, Clone, Serialize)]
pub struct SentView {
    pub unit: String,
    pub unit_name: String,
    pub period_seq: i64,
    pub period_end: Option<chrono::NaiveDate>,
    pub sent_at: DateTime<FixedOffset>,
    pub sent_by: String,
}

/// The reminders people sent, newest first (the office and the steering committee).
pub async fn sent_by_people(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    limit: i64,
) -> Result<Vec<SentView>, Failure> {
    require(state, actor, client, Action::ReadEverything, None).await?;
    let periods = campaign.plan.periods();
    Ok(phongtrao_storage::reminders::recent(&state.db, campaign.row.id, limit)
        .await?
        .into_iter()
        .map(|r| SentView {
            period_end: periods.iter().find(|p| i64::from(p.seq) == r.period_seq).map(|p| p.end),
            unit: r.unit_code,
            unit_name: r.unit_name,
            period_seq: r.period_seq,
            sent_at: r.sent_at.with_timezone(&Ho_Chi_Minh).fixed_offset(),
            sent_by: r.sent_by,
        })
        .collect())
}
