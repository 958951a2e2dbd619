//! Amending a running plan (issue #20): the office previews what a new version of
//! the plan changes, then applies it with a reason and the amending document;
//! every version is listed with its changes. Shared by the plan editor's page, the
//! API and the command line: parse, policy, checks and storage happen here once.

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::plan::amend::{check, diff, AmendProblem, Change};
use phongtrao_domain::plan::{parse_plan, Plan};
use phongtrao_domain::policy::Action;
use phongtrao_storage::campaigns::{self, Amendment, StoredCampaign};
use phongtrao_storage::plan_versions::{self, PlanVersion};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::who;
use crate::campaign_choice;
use crate::error::Failure;
use crate::AppState;

/// Longest reason and document number kept.
const REASON_MAX: usize = 1000;
const DOCUMENT_NUMBER_MAX: usize = 100;

/// One change, as the office reads it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChangeView {
    /// What kind of change: "goal", "indicator_retired", "period_added", "campaign" …
    pub kind: String,
    pub vi: String,
    pub en: String,
}

impl ChangeView {
    fn of(change: &Change) -> ChangeView {
        let kind = serde_json::to_value(change)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
            .unwrap_or_default();
        ChangeView { kind, vi: change.message_vi(), en: change.message_en() }
    }
}

/// Why an amendment cannot apply.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemView {
    /// "indicator_reported", "period_reported", "periods_renumbered", "code_changed",
    /// "kind_changed", "no_change"
    pub code: String,
    pub vi: String,
    pub en: String,
}

impl ProblemView {
    fn of(p: &AmendProblem) -> ProblemView {
        ProblemView { code: p.code.to_string(), vi: p.vi.clone(), en: p.en.clone() }
    }
}

/// What an amendment would do, before it applies.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preview {
    /// The version in force now.
    pub version_current: i64,
    /// The version the amendment would make.
    pub version_next: i64,
    /// The changes, in the order of the document.
    pub changes: Vec<ChangeView>,
    /// Why it cannot apply (empty: it can).
    pub problems: Vec<ProblemView>,
    pub can_apply: bool,
}

/// An applied amendment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Applied {
    pub version: i64,
    pub changes: Vec<ChangeView>,
}

/// One version of a campaign's plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub reason: String,
    pub document_number: Option<String>,
    pub document_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    /// The account that applied it (none: the plan the campaign was loaded with).
    pub created_by: Option<String>,
    /// The changes from the version before.
    pub changes: Vec<ChangeView>,
    /// The plan text of this version (only when one version is asked for).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_toml: Option<String>,
}

impl VersionView {
    fn of(v: PlanVersion, with_text: bool) -> VersionView {
        let changes = v.changes().into_iter().map(|(vi, en)| ChangeView { kind: String::new(), vi, en }).collect();
        VersionView {
            version: v.version,
            reason: v.reason,
            document_number: v.document_number,
            document_date: v.document_date,
            created_at: v.created_at,
            created_by: v.created_by,
            changes,
            plan_toml: with_text.then_some(v.plan_toml),
        }
    }
}

/// The amended plan read from its text, or 422 naming every problem of the file.
fn parse(new_toml: &str) -> Result<Plan, Failure> {
    parse_plan(new_toml).map_err(|e| {
        let vi: Vec<String> = e.0.iter().map(|p| p.in_language(false)).collect();
        let en: Vec<String> = e.0.iter().map(|p| p.in_language(true)).collect();
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_plan",
            format!("Kế hoạch điều chỉnh còn lỗi: {}", vi.join("; ")),
            format!("The amended plan has errors: {}", en.join("; ")),
        )
    })
}

/// What applying `new_toml` to the campaign would change, and whether it may.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    campaign: &StoredCampaign,
    new_toml: &str,
) -> Result<Preview, Failure> {
    crate::authz::require_campaign(state, actor, client, Action::AdministerCampaign, campaign).await?;
    campaign_choice::ensure_running(campaign)?;
    let new_plan = parse(new_toml)?;
    let reported = plan_versions::reported(&state.db, campaign.row.id).await?;
    let changes = diff(&campaign.plan, &new_plan);
    let problems = check(&campaign.plan, &new_plan, &reported);
    let current = plan_versions::latest_number(&state.db, campaign.row.id).await?;
    Ok(Preview {
        version_current: current,
        version_next: current + 1,
        changes: changes.iter().map(ChangeView::of).collect(),
        can_apply: problems.is_empty(),
        problems: problems.iter().map(ProblemView::of).collect(),
    })
}

/// What the office gives with an amendment.
#[derive(Debug, Clone, Default)]
pub struct AmendInput {
    pub new_toml: String,
    /// Why the plan changes (required).
    pub reason: String,
    pub document_number: Option<String>,
    pub document_date: Option<NaiveDate>,
    /// The version the office previewed against (None: the one in force now).
    pub base_version: Option<i64>,
}

/// Applies an amendment: refused (nothing stored) without a reason, when the plan
/// has errors (422), changes nothing (422), or would lose what units reported (409).
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    campaign: &StoredCampaign,
    input: &AmendInput,
) -> Result<Applied, Failure> {
    crate::authz::require_campaign(state, actor, client, Action::AdministerCampaign, campaign).await?;
    campaign_choice::ensure_running(campaign)?;
    let reason = input.reason.trim();
    if reason.is_empty() {
        return Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason_required",
            "Hãy ghi lý do điều chỉnh kế hoạch (ví dụ: theo văn bản số …)",
            "Give the reason for the amendment (for example: the document that decides it)",
        ));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "reason_too_long",
            format!("Lý do điều chỉnh dài quá {REASON_MAX} ký tự"),
            format!("The reason is longer than {REASON_MAX} characters"),
        ));
    }
    let document_number = input.document_number.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if document_number.is_some_and(|n| n.chars().count() > DOCUMENT_NUMBER_MAX || n.chars().any(char::is_control)) {
        return Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_document_number",
            format!("Số văn bản điều chỉnh không hợp lệ (tối đa {DOCUMENT_NUMBER_MAX} ký tự, một dòng)"),
            format!("The amending document's number is not valid (at most {DOCUMENT_NUMBER_MAX} characters, one line)"),
        ));
    }
    let new_plan = parse(&input.new_toml)?;
    // A unit's own plan stays within what its parent gave it (issue #21).
    if let (Some(parent_id), Some(root)) = (campaign.row.parent_campaign_id, campaign.row.root_unit_id) {
        let parent = campaigns::by_id(&state.db, parent_id).await?.ok_or_else(Failure::not_found)?;
        let unit = phongtrao_storage::units::by_id(&state.db, root).await?.ok_or_else(Failure::not_found)?;
        super::unit_plan::ensure_within_parent(state, &parent, &unit, &new_plan).await?;
    }
    let reported = plan_versions::reported(&state.db, campaign.row.id).await?;
    let problems = check(&campaign.plan, &new_plan, &reported);
    if !problems.is_empty() {
        let status = if problems.iter().all(|p| p.code == "no_change" || p.code == "code_changed") {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::CONFLICT
        };
        return Err(Failure::new(
            status,
            "amendment_refused",
            format!(
                "Không thể điều chỉnh kế hoạch: {}",
                problems.iter().map(|p| p.vi.as_str()).collect::<Vec<_>>().join("; ")
            ),
            format!(
                "The plan cannot be amended: {}",
                problems.iter().map(|p| p.en.as_str()).collect::<Vec<_>>().join("; ")
            ),
        ));
    }
    let changes: Vec<ChangeView> = diff(&campaign.plan, &new_plan).iter().map(ChangeView::of).collect();
    let changes_json = serde_json::to_string(
        &changes.iter().map(|c| serde_json::json!({ "vi": c.vi, "en": c.en })).collect::<Vec<_>>(),
    )
    .map_err(Failure::internal)?;
    let base_version = match input.base_version {
        Some(v) => v,
        None => plan_versions::latest_number(&state.db, campaign.row.id).await?,
    };
    let amendment = Amendment {
        reason: reason.to_string(),
        document_number: document_number.map(str::to_string),
        document_date: input.document_date,
        changes_json,
        base_version,
    };
    let version = campaigns::amend(
        &state.db,
        campaign.row.id,
        &new_plan,
        &input.new_toml,
        &amendment,
        &who(Some(actor), client),
        state.now(),
    )
    .await?;
    Ok(Applied { version, changes })
}

/// Every version of the campaign's plan, oldest first, with its changes. The plan
/// is public to every logged-in user of the campaign.
pub async fn versions(state: &AppState, campaign: &StoredCampaign) -> Result<Vec<VersionView>, Failure> {
    let rows = plan_versions::list(&state.db, campaign.row.id).await?;
    Ok(rows.into_iter().map(|v| VersionView::of(v, false)).collect())
}

/// One version with its plan text (None: no such version).
pub async fn version(state: &AppState, campaign: &StoredCampaign, number: i64) -> Result<Option<VersionView>, Failure> {
    Ok(plan_versions::get(&state.db, campaign.row.id, number).await?.map(|v| VersionView::of(v, true)))
}

/// How the documents cite the plan in force after amendments: "(điều chỉnh lần 2
/// theo văn bản số 12-KH/TĐTN, ngày 15/03/2023)"; None for a plan never amended.
pub async fn citation(state: &AppState, campaign_id: i64) -> Result<Option<(String, String)>, Failure> {
    let Some(latest) = plan_versions::latest(&state.db, campaign_id).await? else { return Ok(None) };
    Ok(citation_of(&latest))
}

/// The citation of one version (None for version 1).
pub fn citation_of(v: &PlanVersion) -> Option<(String, String)> {
    if v.version <= 1 {
        return None;
    }
    let n = v.version - 1;
    let number_vi = v.document_number.as_ref().map(|d| format!(" theo văn bản số {d}")).unwrap_or_default();
    let number_en = v.document_number.as_ref().map(|d| format!(" by document No. {d}")).unwrap_or_default();
    let date_vi = v.document_date.map(|d| format!(", ngày {}", phongtrao_domain::format::date(d))).unwrap_or_default();
    let date_en = v.document_date.map(|d| format!(" of {}", phongtrao_domain::format::date(d))).unwrap_or_default();
    Some((format!("(điều chỉnh lần {n}{number_vi}{date_vi})"), format!("(amendment {n}{number_en}{date_en})")))
}
