//! The review queue (chờ duyệt): every submitted report that nobody has accepted or
//! returned yet, oldest first, across units and weeks; and accepting several at once.

use chrono::{DateTime, FixedOffset, NaiveDate};
use chrono_tz::Asia::Ho_Chi_Minh;
use phongtrao_domain::policy::Action;
use phongtrao_domain::report::ReportKind;
use phongtrao_domain::text::fold;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::reports::{self, SaveError};
use phongtrao_storage::review_queue::{self, QueueQuery, QueueRow};
use phongtrao_storage::units;
use serde::Serialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::AppState;

/// The most reports one bulk acceptance takes.
pub const BULK_LIMIT: usize = 500;

/// What the officer filters the queue by (all optional).
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    /// One week, by the last day of its period.
    pub period_end: Option<NaiveDate>,
    /// Only reports first submitted after their deadline.
    pub late_only: bool,
    /// Words to find in the unit's name or the report's texts (case and accents ignored).
    pub text: String,
    /// Only this unit and the units below it (its code or its name).
    pub unit: Option<String>,
}

/// One report waiting, as pages, API and CLI show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QueueItem {
    pub report_id: i64,
    pub version: i64,
    pub unit: String,
    pub unit_name: String,
    /// "weekly" or "unit_plan".
    pub kind: String,
    /// The weekly period's last day (none for a unit plan).
    pub period_end: Option<NaiveDate>,
    pub first_submitted_at: Option<DateTime<FixedOffset>>,
    pub last_submitted_at: Option<DateTime<FixedOffset>>,
    /// "on_time" or "late" (judged on the first submission).
    pub timeliness: Option<String>,
    /// Counted on time by the time "Gửi" was pressed, received after the deadline
    /// ("gửi muộn do mất kết nối").
    pub sent_late_for_connection: bool,
    pub highlights: String,
    pub difficulties: String,
    pub proposals: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Queue {
    pub items: Vec<QueueItem>,
}

/// The queue as the actor may see it: the office and the steering committee only.
pub async fn list(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    filter: &QueueFilter,
) -> Result<Queue, Failure> {
    require(state, actor, client, Action::ReviewUnit, None).await?;
    let periods = campaign.plan.periods();
    let period_seq = match filter.period_end {
        None => None,
        Some(end) => Some(i64::from(crate::documents::period_ending(campaign, end)?.seq)),
    };
    let unit_ids = match filter.unit.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        None => None,
        Some(code) => {
            let unit = crate::actions::unit_lookup::require(&state.db, code).await?;
            Some(units::subtree_ids(&state.db, unit.id).await?)
        }
    };
    let rows = review_queue::submitted(
        &state.db,
        campaign.row.id,
        &QueueQuery { period_seq, late_only: filter.late_only, unit_ids },
    )
    .await?;
    let needle = fold(filter.text.trim());
    let end_of = |seq: i64| periods.iter().find(|p| i64::from(p.seq) == seq).map(|p| p.end);
    let items = rows
        .into_iter()
        .filter(|r| needle.is_empty() || matches_text(r, &needle))
        .map(|r| QueueItem {
            sent_late_for_connection: r.sent_late_for_connection(),
            period_end: if r.kind == ReportKind::Weekly.as_str() { end_of(r.period_seq) } else { None },
            report_id: r.report_id,
            version: r.version,
            unit: r.unit_code,
            unit_name: r.unit_name,
            kind: r.kind,
            first_submitted_at: r.first_submitted_at.map(|t| t.with_timezone(&Ho_Chi_Minh).fixed_offset()),
            last_submitted_at: r.last_submitted_at.map(|t| t.with_timezone(&Ho_Chi_Minh).fixed_offset()),
            timeliness: r.timeliness,
            highlights: r.highlights,
            difficulties: r.difficulties,
            proposals: r.proposals,
        })
        .collect();
    Ok(Queue { items })
}

fn matches_text(r: &QueueRow, needle: &str) -> bool {
    [&r.unit_name, &r.unit_code, &r.highlights, &r.difficulties, &r.proposals].iter().any(|t| fold(t).contains(needle))
}

/// A report the officer ticked, with the version they saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pick {
    pub report_id: i64,
    pub version: i64,
}

/// Why one ticked report was not accepted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Skipped {
    pub report_id: i64,
    pub unit: String,
    pub vi: String,
    pub en: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct BulkOutcome {
    pub accepted: Vec<i64>,
    pub skipped: Vec<Skipped>,
}

/// Accepts each ticked report that is still as the officer saw it; one that changed
/// meanwhile (resubmitted, returned or accepted by someone else) is skipped and named,
/// never accepted blind. Each acceptance is its own audited write.
pub async fn accept_many(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    picks: &[Pick],
) -> Result<BulkOutcome, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    require(state, actor, client, Action::ReviewUnit, None).await?;
    if picks.is_empty() {
        return Err(Failure::invalid("Chưa chọn báo cáo nào để duyệt / No report was chosen"));
    }
    if picks.len() > BULK_LIMIT {
        return Err(Failure::invalid(format!(
            "Mỗi lần duyệt tối đa {BULK_LIMIT} báo cáo / At most {BULK_LIMIT} reports at once"
        )));
    }
    let mut out = BulkOutcome::default();
    let mut seen = std::collections::HashSet::new();
    for pick in picks.iter().filter(|p| seen.insert(p.report_id)) {
        let Some(report) = reports::by_id(&state.db, pick.report_id).await? else {
            out.skipped.push(Skipped {
                report_id: pick.report_id,
                unit: String::new(),
                vi: "không tìm thấy báo cáo".into(),
                en: "no such report".into(),
            });
            continue;
        };
        let unit = units::by_id(&state.db, report.unit_id).await?.map(|u| u.code).unwrap_or_default();
        if report.campaign_id != campaign.row.id {
            out.skipped.push(Skipped {
                report_id: pick.report_id,
                unit,
                vi: "báo cáo thuộc kế hoạch khác".into(),
                en: "the report belongs to another campaign".into(),
            });
            continue;
        }
        let ancestry = units::ancestry(&state.db, report.unit_id).await?;
        crate::authz::require_in(state, actor, client, Action::ReviewUnit, Some(report.unit_id), &ancestry).await?;
        match reports::review(
            &state.db,
            &campaign.plan,
            report.id,
            pick.version,
            true,
            "",
            &who(Some(actor), client),
            state.now(),
        )
        .await
        {
            Ok(_) => out.accepted.push(report.id),
            Err(SaveError::Conflict { .. }) => out.skipped.push(Skipped {
                report_id: report.id,
                unit,
                vi: "báo cáo vừa thay đổi sau khi anh/chị mở danh sách; hãy xem lại".into(),
                en: "the report changed after you opened the list; look at it again".into(),
            }),
            Err(SaveError::Rule(rule)) => out.skipped.push(Skipped {
                report_id: report.id,
                unit,
                vi: match rule.status() {
                    Some(status) => format!("báo cáo đang ở trạng thái \"{}\"", status.label_vi()),
                    None => rule.message_vi(),
                },
                en: match rule.status() {
                    Some(status) => format!("the report is {}", status.label_en().to_lowercase()),
                    None => rule.message_en(),
                },
            }),
            Err(SaveError::Storage(e)) => return Err(e.into()),
        }
    }
    Ok(out)
}
