//! The API of weekly reports and unit plans: /api/v1/reports/{unit}/{period}
//! where {period} is the period's last day (YYYY-MM-DD) or `plan`.

use crate::campaign_choice::InCampaign;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::policy::{allows, Action};
use phongtrao_domain::report::{ReportInput, ReportKind};
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::reports::{self, ReportRow, SaveAction, Saved};
use phongtrao_storage::units;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Object;
use super::campaign::PeriodOut;
use super::doc::{BadRequest, ErrorDetail, FieldProblem, Forbidden, JsonBody, NotFound, Unauthenticated};
use super::units::UnitRef;
use crate::actions::reports::{self as report_actions, FormContext, ReportFailure};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::{ApiError, Failure};
use crate::AppState;

/// The `{period}` of a report's path: a weekly period's last day, or `plan` (the unit plan).
pub struct PeriodParam;

impl utoipa::PartialSchema for PeriodParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
        AnyOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date))),
            )
            .item(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["plan"])))
            .description(Some("A weekly period's last day (YYYY-MM-DD), or `plan` for the unit plan"))
            .into()
    }
}

impl ToSchema for PeriodParam {}

/// A report's state.
#[derive(Serialize, ToSchema)]
#[schema(as = Report)]
pub struct ReportState {
    pub id: i64,
    /// draft, submitted, accepted or returned
    pub status: String,
    pub version: i64,
    #[schema(format = DateTime)]
    pub due_at: String,
    #[schema(format = DateTime)]
    pub first_submitted_at: Option<String>,
    #[schema(format = DateTime)]
    pub last_submitted_at: Option<String>,
    /// on_time or late (judged on the first submission)
    pub timeliness: Option<String>,
    /// When "Gửi" was pressed on the phone, as it said with the first submission
    #[schema(format = DateTime)]
    pub pressed_at: Option<String>,
    /// On time by the time "Gửi" was pressed although received after the deadline
    /// ("gửi muộn do mất kết nối"; the campaign lets the pressed time decide)
    pub sent_late_for_connection: bool,
    pub review_comment: Option<String>,
    pub updated_by: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The unit said on purpose it had nothing to report this week
    pub nothing_to_report: bool,
    /// The report as last saved (the same shape as a save's `input`)
    #[schema(value_type = Object)]
    pub draft: ReportInput,
}

/// A report in a list (without its draft).
#[derive(Serialize, ToSchema)]
pub struct ReportSummary {
    pub id: i64,
    pub status: String,
    pub version: i64,
    #[schema(format = DateTime)]
    pub due_at: String,
    #[schema(format = DateTime)]
    pub first_submitted_at: Option<String>,
    #[schema(format = DateTime)]
    pub last_submitted_at: Option<String>,
    pub timeliness: Option<String>,
    /// On time by the time "Gửi" was pressed although received after the deadline
    /// ("gửi muộn do mất kết nối")
    pub sent_late_for_connection: bool,
    pub review_comment: Option<String>,
    pub updated_by: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    pub nothing_to_report: bool,
    /// The unit's code
    pub unit: Option<String>,
    /// weekly or unit_plan
    pub kind: String,
    /// The weekly period's last day (null for a unit plan)
    pub period_end: Option<NaiveDate>,
}

/// Reports the caller may read.
#[derive(Serialize, ToSchema)]
pub struct ReportList {
    pub count: usize,
    pub reports: Vec<ReportSummary>,
}

/// What the report's figures and activities stored at its last submission are.
#[derive(Serialize, ToSchema)]
pub struct Submitted {
    /// Indicator key → number
    pub values: std::collections::BTreeMap<String, i64>,
    #[schema(value_type = Vec<Object>)]
    pub activities: Vec<phongtrao_storage::reports::ActivityRow>,
}

/// A unit's report of a period (or its unit plan), with its form.
#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub unit: UnitRef,
    /// weekly or unit_plan
    pub kind: &'static str,
    pub period: Option<PeriodOut>,
    #[schema(format = DateTime)]
    pub due_at: String,
    /// The form's fields (indicators) for this unit
    #[schema(value_type = Vec<Object>)]
    pub fields: Vec<phongtrao_domain::report::Field>,
    /// Indicator key → the unit's total before this period
    pub totals_before: std::collections::HashMap<String, i64>,
    pub report: Option<ReportState>,
    pub submitted: Submitted,
    /// The form's checks as data (the same the server evaluates on submit; the page
    /// evaluates them offline with /static/rules.js)
    #[schema(value_type = Object)]
    pub rules: phongtrao_domain::report::RuleSet,
}

/// The outcome of a save or a review.
#[derive(Serialize, ToSchema)]
#[schema(as = Saved)]
pub struct SavedReport {
    pub report_id: i64,
    pub version: i64,
    /// draft, submitted, accepted or returned
    pub status: String,
    /// on_time or late
    pub timeliness: Option<String>,
    pub first_submitted_at: Option<chrono::DateTime<chrono::Utc>>,
    /// True when this answer replays an earlier request with the same Idempotency-Key
    pub replayed: bool,
    /// A save's warnings (figures to check; none stop the save)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub warnings: Option<Vec<phongtrao_domain::report::Warning>>,
}

impl SavedReport {
    fn of(s: Saved, warnings: Option<Vec<phongtrao_domain::report::Warning>>) -> SavedReport {
        SavedReport {
            report_id: s.report_id,
            version: s.version,
            status: s.status,
            timeliness: s.timeliness,
            first_submitted_at: s.first_submitted_at,
            replayed: s.replayed,
            warnings,
        }
    }
}

/// The report is not valid; nothing was stored: each field's problem.
#[derive(Serialize, ToSchema)]
pub struct ReportInvalid {
    pub error: ErrorDetail,
    /// Each field's problem (a body refused as a whole has none)
    #[schema(value_type = Vec<FieldProblem>, required = false)]
    pub fields: Vec<phongtrao_domain::report::FieldError>,
}

/// Someone (or the same person elsewhere) saved the report first: it as it is now.
#[derive(Serialize, ToSchema)]
pub struct ReportConflict {
    pub error: ErrorDetail,
    /// The report as it is now (a conflicting save only)
    #[schema(required = false)]
    pub current: ReportState,
}

/// The refusals of a report's save: the JSON error, or the report's own.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code, clippy::large_enum_variant)]
pub enum SaveRefusals {
    /// Someone saved first (`current`); or the same Idempotency-Key with another body
    #[response(status = 409)]
    Conflict(ReportConflict),
    /// The report is not valid (each field named in `fields`), or the body is refused
    #[response(status = 422)]
    Invalid(ReportInvalid),
    /// The period is locked (by the office, or some days after its deadline)
    #[response(status = 423)]
    Locked(super::doc::Error),
}

fn parse_period(text: &str) -> Result<(ReportKind, Option<NaiveDate>), ApiError> {
    if text == "plan" {
        return Ok((ReportKind::UnitPlan, None));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map(|d| (ReportKind::Weekly, Some(d))).map_err(|_| {
        ApiError(Failure::bad_request(
            format!("Kỳ \"{text}\" phải là ngày YYYY-MM-DD hoặc plan"),
            format!("Period \"{text}\" must be YYYY-MM-DD or plan"),
        ))
    })
}

fn detail(code: &str, vi: String, en: String) -> ErrorDetail {
    ErrorDetail { code: code.to_string(), message_vi: vi, message_en: en, retry_after_seconds: None }
}

pub(crate) fn failure_response(f: ReportFailure) -> Response {
    failure_response_for(f, None)
}

/// The same; `me`: the person saving, so that a conflict with their own other save
/// (another tab or device) does not read as someone else's.
fn failure_response_for(f: ReportFailure, me: Option<&str>) -> Response {
    match f {
        ReportFailure::Invalid(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(ReportInvalid {
                error: detail(
                    "invalid",
                    "Báo cáo chưa hợp lệ; chưa lưu gì.".to_string(),
                    "The report is not valid; nothing was stored.".to_string(),
                ),
                fields,
            }),
        )
            .into_response(),
        ReportFailure::Conflict(current) if me == Some(current.updated_by.as_str()) => (
            StatusCode::CONFLICT,
            Json(ReportConflict {
                error: detail(
                    "conflict",
                    format!("Báo cáo vừa được chính bạn lưu từ một trang hoặc thiết bị khác (phiên bản {}) với nội dung khác. Thay đổi này chưa được lưu; đã giữ trong lịch sử.", current.version),
                    format!("You saved this report from another page or device (version {}) with other content. This change was not applied; it is kept in the history.", current.version),
                ),
                current: report_json(&current),
            }),
        )
            .into_response(),
        ReportFailure::Conflict(current) => (
            StatusCode::CONFLICT,
            Json(ReportConflict {
                error: detail(
                    "conflict",
                    format!("Báo cáo vừa được {} lưu (phiên bản {}). Thay đổi của bạn chưa được lưu; đã giữ trong lịch sử.", current.updated_by, current.version),
                    format!("{} saved this report first (version {}). Your change was not applied; it is kept in the history.", current.updated_by, current.version),
                ),
                current: report_json(&current),
            }),
        )
            .into_response(),
        ReportFailure::Other(f) => ApiError(f).into_response(),
    }
}

fn report_json(r: &ReportRow) -> ReportState {
    ReportState {
        id: r.id,
        status: r.status.clone(),
        version: r.version,
        due_at: r.due_at.to_rfc3339(),
        first_submitted_at: r.first_submitted_at.map(|t| t.to_rfc3339()),
        last_submitted_at: r.last_submitted_at.map(|t| t.to_rfc3339()),
        timeliness: r.timeliness.clone(),
        pressed_at: phongtrao_domain::report::deadline::shown_pressed_at(r.pressed_at, r.first_submitted_at)
            .map(|t| t.to_rfc3339()),
        sent_late_for_connection: r.sent_late_for_connection(),
        review_comment: r.review_comment.clone(),
        updated_by: r.updated_by.clone(),
        updated_at: r.updated_at.to_rfc3339(),
        nothing_to_report: r.nothing_to_report(),
        draft: r.draft(),
    }
}

async fn context(
    state: &AppState,
    campaign: &StoredCampaign,
    unit: &str,
    period: &str,
) -> Result<FormContext, ApiError> {
    let (kind, end) = parse_period(period)?;
    Ok(report_actions::load(state, campaign, unit, kind, end).await?)
}

/// A unit's report of a period (or its unit plan), with its form.
#[utoipa::path(get, path = "/reports/{unit}/{period}", tag = "reports",
    params(crate::campaign_choice::CampaignQuery, ("unit" = String, Path, description = "A unit code"), ("period" = inline(PeriodParam), Path)),
    responses((status = 200, description = "The report", body = ReportView), BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn show(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
) -> Result<Json<ReportView>, ApiError> {
    let actor = logged_in(actor)?;
    let ctx = context(&state, campaign, &unit, &period).await?;
    report_actions::authorize_read(&state, &actor, &client, &ctx).await?;
    let (values, activities) = match &ctx.report {
        Some(r) => (reports::values(&state.db, r.id).await?, reports::activities(&state.db, r.id).await?),
        None => Default::default(),
    };
    Ok(Json(ReportView {
        unit: UnitRef { code: ctx.unit.code.clone(), name: ctx.unit.name.clone() },
        kind: ctx.kind.as_str(),
        period: ctx.period.as_ref().map(PeriodOut::of),
        due_at: ctx.due_at.to_rfc3339(),
        report: ctx.report.as_ref().map(report_json),
        rules: phongtrao_domain::report::RuleSet::build(&ctx.domain_context()),
        fields: ctx.fields,
        totals_before: ctx.totals_before,
        submitted: Submitted { values, activities },
    }))
}

/// What a unit typed in its report (`ReportInput` as a body): every field may be left out.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ReportInputSchema {
    /// Indicator key → this week's number as typed ("1.500" is 1500; a JSON number
    /// is taken too); yes/no as "1"/"0"
    #[serde(default)]
    #[schema(value_type = HashMap<String, Value>)]
    values: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    activities: Vec<ActivitySchema>,
    #[serde(default)]
    highlights: String,
    #[serde(default)]
    difficulties: String,
    #[serde(default)]
    proposals: String,
    /// The reporter confirms figures above the unit's base figure
    #[serde(default)]
    confirm_above_base: bool,
    /// "Không phát sinh trong tuần": nothing to report this week, on purpose
    #[serde(default)]
    nothing_to_report: bool,
}

/// An activity held (`ActivityInput`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct ActivitySchema {
    #[serde(default)]
    title: String,
    /// YYYY-MM-DD, within the period
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    place: String,
    /// A count as typed (or a JSON number)
    #[serde(default)]
    #[schema(value_type = Value)]
    participants: String,
    /// VND as typed (or a JSON number)
    #[serde(default)]
    #[schema(value_type = Value)]
    funds: String,
    #[serde(default)]
    result: String,
    /// `launch` for the district's launch ceremony
    #[serde(default)]
    tag: String,
}

/// A save of a report: the version the edit started from and what was typed.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    /// The version the edit started from (0 for a new report)
    #[serde(default, deserialize_with = "super::whole::int")]
    #[schema(minimum = -999_999_999_999_999_i64, maximum = 999_999_999_999_999_i64)]
    version: i64,
    /// What was typed
    #[serde(default, deserialize_with = "super::body::report_input")]
    #[schema(value_type = ReportInputSchema)]
    input: ReportInput,
    /// When "Gửi" was pressed on the phone (a report written without a connection and
    /// sent later from the phone's outbox). Kept with the first submission; it decides
    /// the deadline only where the campaign allows it, and only when believable (not
    /// in the future, not before the period opened or the draft was first saved).
    #[serde(default)]
    #[schema(format = DateTime)]
    pressed_at: Option<DateTime<Utc>>,
}

#[allow(clippy::too_many_arguments)]
async fn save(
    state: AppState,
    campaign: StoredCampaign,
    actor: MaybeActor,
    client: ClientIp,
    unit: String,
    period: String,
    headers: &HeaderMap,
    body: SaveBody,
    action: SaveAction,
) -> Response {
    let actor = match logged_in(actor) {
        Ok(a) => a,
        Err(f) => return ApiError(f).into_response(),
    };
    let ctx = match context(&state, &campaign, &unit, &period).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.len() > 200) {
        return ApiError(Failure::bad_request("Idempotency-Key quá dài", "Idempotency-Key too long")).into_response();
    }
    match report_actions::save(
        &state,
        &actor,
        &client,
        &ctx,
        &body.input,
        body.version,
        action,
        key,
        None,
        body.pressed_at,
    )
    .await
    {
        Ok((saved, checked)) => {
            let status = if saved.replayed || saved.version > 1 { StatusCode::OK } else { StatusCode::CREATED };
            let warnings = checked.map(|c| c.warnings).unwrap_or_default();
            (status, Json(SavedReport::of(saved, Some(warnings)))).into_response()
        }
        Err(f) => failure_response_for(f, Some(&actor.user.username)),
    }
}

/// Saves a draft (never late, never checked in full).
#[utoipa::path(put, path = "/reports/{unit}/{period}/draft", tag = "reports",
    params(crate::campaign_choice::CampaignQuery, ("unit" = String, Path, description = "A unit code"), ("period" = inline(PeriodParam), Path),
        ("Idempotency-Key" = Option<String>, Header, max_length = 200,
            description = "A retried request with the same key never stores a second report")),
    request_body = SaveBody,
    responses(
        (status = 200, description = "Saved (a later version, or a replay of the same Idempotency-Key)", body = SavedReport),
        (status = 201, description = "Created", body = SavedReport),
        BadRequest, super::doc::TooLarge, super::doc::UnsupportedMediaType, Unauthenticated, Forbidden, NotFound, SaveRefusals))]
pub async fn save_draft(
    State(state): State<AppState>,
    InCampaign(campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
    headers: HeaderMap,
    Object(body): Object<SaveBody>,
) -> Response {
    save(state, campaign, actor, client, unit, period, &headers, body, SaveAction::Draft).await
}

/// Submits the report: checked in full, stored only when all is right.
#[utoipa::path(post, path = "/reports/{unit}/{period}/submit", tag = "reports",
    params(crate::campaign_choice::CampaignQuery, ("unit" = String, Path, description = "A unit code"), ("period" = inline(PeriodParam), Path),
        ("Idempotency-Key" = Option<String>, Header, max_length = 200,
            description = "A retried request with the same key never stores a second report")),
    request_body = SaveBody,
    responses(
        (status = 200, description = "Saved (a later version, or a replay of the same Idempotency-Key)", body = SavedReport),
        (status = 201, description = "Created", body = SavedReport),
        BadRequest, super::doc::TooLarge, super::doc::UnsupportedMediaType, Unauthenticated, Forbidden, NotFound, SaveRefusals))]
pub async fn submit(
    State(state): State<AppState>,
    InCampaign(campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
    headers: HeaderMap,
    Object(body): Object<SaveBody>,
) -> Response {
    save(state, campaign, actor, client, unit, period, &headers, body, SaveAction::Submit).await
}

/// Accept or return: the decision on a submitted report.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ReviewAction {
    Accept,
    Return,
}

/// A review of a submitted report.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    #[schema(value_type = ReviewAction)]
    action: String,
    /// At most 2000 characters once trimmed; required (3 characters at least) to return a report
    #[serde(default)]
    #[schema(max_length = 2000)]
    comment: String,
    /// The version reviewed (the one read)
    #[serde(deserialize_with = "super::whole::int")]
    #[schema(minimum = -999_999_999_999_999_i64, maximum = 999_999_999_999_999_i64)]
    version: i64,
}

/// Accepts or returns a submitted report (returning needs a comment).
#[utoipa::path(post, path = "/reports/{unit}/{period}/review", tag = "reports",
    params(crate::campaign_choice::CampaignQuery, ("unit" = String, Path, description = "A unit code"), ("period" = inline(PeriodParam), Path)),
    request_body = ReviewBody,
    responses((status = 200, description = "Reviewed", body = SavedReport),
        JsonBody, Unauthenticated, Forbidden, NotFound, super::doc::Conflict))]
pub async fn review(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
    Object(body): Object<ReviewBody>,
) -> Response {
    let actor = match logged_in(actor) {
        Ok(a) => a,
        Err(f) => return ApiError(f).into_response(),
    };
    let ctx = match context(&state, campaign, &unit, &period).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let accept = match phongtrao_domain::report::Decision::parse(body.action.as_str()) {
        Some(d) => d.accepts(),
        None => {
            return ApiError(Failure::bad_request(
                "action phải là accept hoặc return",
                "action must be accept or return",
            ))
            .into_response()
        }
    };
    match report_actions::review(&state, &actor, &client, &ctx, accept, &body.comment, body.version).await {
        Ok(saved) => Json(SavedReport::of(saved, None)).into_response(),
        Err(f) => failure_response(f),
    }
}

/// One saved version of a report.
#[derive(Serialize, ToSchema)]
pub struct VersionOut {
    pub version: i64,
    pub status: String,
    /// What made this version (draft, submit, accept, return, …)
    pub action: String,
    #[schema(format = DateTime)]
    pub saved_at: String,
    pub saved_by: String,
    /// The report as it was then
    #[schema(value_type = Object)]
    pub snapshot: serde_json::Value,
}

/// Every version of a report, oldest first.
#[derive(Serialize, ToSchema)]
pub struct Versions {
    pub versions: Vec<VersionOut>,
}

/// Every version of a report, oldest first (to compare them).
#[utoipa::path(get, path = "/reports/{unit}/{period}/versions", tag = "reports",
    params(crate::campaign_choice::CampaignQuery, ("unit" = String, Path, description = "A unit code"), ("period" = inline(PeriodParam), Path)),
    responses((status = 200, description = "Versions", body = Versions), BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn versions(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
) -> Result<Json<Versions>, ApiError> {
    let actor = logged_in(actor)?;
    let ctx = context(&state, campaign, &unit, &period).await?;
    report_actions::authorize_read(&state, &actor, &client, &ctx).await?;
    let versions = match &ctx.report {
        Some(r) => reports::versions(&state.db, r.id).await?,
        None => Vec::new(),
    };
    let versions = versions
        .iter()
        .map(|v| VersionOut {
            version: v.version,
            status: v.status.clone(),
            action: v.action.clone(),
            saved_at: v.saved_at.to_rfc3339(),
            saved_by: v.saved_by.clone(),
            snapshot: serde_json::from_str(&v.snapshot_json).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(Json(Versions { versions }))
}

/// The kind of report listed.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ListKind {
    Weekly,
    UnitPlan,
    Plan,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// A unit code: only its reports
    unit: Option<String>,
    /// Only this weekly period (its last day)
    period_end: Option<NaiveDate>,
    /// weekly (default), or unit_plan (also `plan`)
    #[serde(default)]
    #[param(value_type = Option<ListKind>, inline)]
    kind: Option<String>,
}

/// Reports the actor may read, newest period first.
#[utoipa::path(get, path = "/reports", tag = "reports", params(crate::campaign_choice::CampaignQuery, ListQuery),
    responses((status = 200, description = "Reports", body = ReportList), BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn list(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ListQuery>,
) -> Result<Json<ReportList>, ApiError> {
    let actor = logged_in(actor)?;
    let db = &state.db;
    let kind = match q.kind.as_deref() {
        None | Some("weekly") => ReportKind::Weekly,
        Some("unit_plan" | "plan") => ReportKind::UnitPlan,
        Some(other) => {
            return Err(ApiError(Failure::bad_request(
                format!("kind \"{other}\" không hợp lệ"),
                format!("unknown kind \"{other}\""),
            )))
        }
    };
    let seq = match q.period_end {
        Some(end) => Some(
            campaign
                .plan
                .periods()
                .iter()
                .find(|p| p.end == end)
                .map(|p| i64::from(p.seq))
                .ok_or_else(|| ApiError::not_found("kỳ báo cáo / period"))?,
        ),
        None => None,
    };
    let policy = actor.policy();
    let scope: Option<Vec<i64>> = match q.unit.as_deref() {
        Some(code) => {
            let unit = units::by_code(db, code).await?.ok_or_else(|| ApiError::not_found("đơn vị / unit"))?;
            crate::authz::require(&state, &actor, &client, Action::ReadUnit, Some(unit.id)).await?;
            Some(vec![unit.id])
        }
        None if allows(&policy, Action::ReadEverything, &[]) => None,
        None => {
            let mut ids = Vec::new();
            for id in &actor.unit_ids {
                ids.extend(units::subtree_ids(db, *id).await?);
            }
            Some(ids)
        }
    };
    let rows = reports::list(db, campaign.row.id, kind, scope.as_deref(), seq).await?;
    let all_units = units::list(db).await?;
    let code_of: std::collections::HashMap<i64, &str> = all_units.iter().map(|u| (u.id, u.code.as_str())).collect();
    let periods = campaign.plan.periods();
    let reports: Vec<ReportSummary> = rows
        .iter()
        .map(|r| ReportSummary {
            id: r.id,
            status: r.status.clone(),
            version: r.version,
            due_at: r.due_at.to_rfc3339(),
            first_submitted_at: r.first_submitted_at.map(|t| t.to_rfc3339()),
            last_submitted_at: r.last_submitted_at.map(|t| t.to_rfc3339()),
            timeliness: r.timeliness.clone(),
            sent_late_for_connection: r.sent_late_for_connection(),
            review_comment: r.review_comment.clone(),
            updated_by: r.updated_by.clone(),
            updated_at: r.updated_at.to_rfc3339(),
            nothing_to_report: r.nothing_to_report(),
            unit: code_of.get(&r.unit_id).map(|c| (*c).to_string()),
            kind: r.kind.clone(),
            period_end: periods.iter().find(|p| i64::from(p.seq) == r.period_seq).map(|p| p.end),
        })
        .collect();
    Ok(Json(ReportList { count: reports.len(), reports }))
}

/// Lock or reopen.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum LockVerbName {
    Lock,
    Reopen,
}

/// A period locked or reopened.
#[derive(Serialize, ToSchema)]
pub struct PeriodLock {
    pub period_end: NaiveDate,
    pub locked: bool,
}

/// The office locks a weekly period (no report of it changes) or reopens it.
#[utoipa::path(post, path = "/periods/{end}/{verb}", tag = "reports",
    params(crate::campaign_choice::CampaignQuery, ("end" = NaiveDate, Path, description = "The period's last day"), ("verb" = inline(LockVerbName), Path)),
    responses((status = 200, description = "Done", body = PeriodLock), BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn lock(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path((end, verb)): Path<(NaiveDate, String)>,
) -> Result<Json<PeriodLock>, ApiError> {
    let actor = logged_in(actor)?;
    crate::authz::require(&state, &actor, &client, Action::AdministerCampaign, None).await?;
    let seq = campaign
        .plan
        .periods()
        .iter()
        .find(|p| p.end == end)
        .map(|p| i64::from(p.seq))
        .ok_or_else(|| ApiError::not_found("kỳ báo cáo / period"))?;
    let lock = match phongtrao_domain::report::LockVerb::parse(verb.as_str()) {
        Some(v) => v.locks(),
        None => return Err(ApiError::not_found("thao tác / action")),
    };
    crate::campaign_choice::ensure_running(campaign)?;
    reports::set_period_lock(
        &state.db,
        campaign.row.id,
        seq,
        lock,
        &crate::authz::who(Some(&actor), &client),
        state.now(),
    )
    .await?;
    Ok(Json(PeriodLock { period_end: end, locked: lock }))
}
