//! The API of weekly reports and unit plans: /api/v1/reports/{unit}/{period}
//! where {period} is the period's last day (YYYY-MM-DD) or `plan`.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use phongtrao_domain::policy::{allows, Action};
use phongtrao_domain::report::{ReportInput, ReportKind};
use phongtrao_storage::reports::{self, ReportRow, SaveAction, Saved};
use phongtrao_storage::{campaigns, units};
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::Object;
use crate::actions::reports::{self as report_actions, FormContext, ReportFailure};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::{ApiError, Failure};
use crate::AppState;

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

fn failure_response(f: ReportFailure) -> Response {
    failure_response_for(f, None)
}

/// The same; `me`: the person saving, so that a conflict with their own other save
/// (another tab or device) does not read as someone else's.
fn failure_response_for(f: ReportFailure, me: Option<&str>) -> Response {
    match f {
        ReportFailure::Invalid(fields) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({
                "error": {"code": "invalid", "message_vi": "Báo cáo chưa hợp lệ; chưa lưu gì.", "message_en": "The report is not valid; nothing was stored."},
                "fields": fields,
            })),
        )
            .into_response(),
        ReportFailure::Conflict(current) if me == Some(current.updated_by.as_str()) => (
            StatusCode::CONFLICT,
            Json(json!({
                "error": {
                    "code": "conflict",
                    "message_vi": format!("Báo cáo vừa được chính bạn lưu từ một trang hoặc thiết bị khác (phiên bản {}) với nội dung khác. Thay đổi này chưa được lưu; đã giữ trong lịch sử.", current.version),
                    "message_en": format!("You saved this report from another page or device (version {}) with other content. This change was not applied; it is kept in the history.", current.version),
                },
                "current": report_json(&current),
            })),
        )
            .into_response(),
        ReportFailure::Conflict(current) => (
            StatusCode::CONFLICT,
            Json(json!({
                "error": {
                    "code": "conflict",
                    "message_vi": format!("Báo cáo vừa được {} lưu (phiên bản {}). Thay đổi của bạn chưa được lưu; đã giữ trong lịch sử.", current.updated_by, current.version),
                    "message_en": format!("{} saved this report first (version {}). Your change was not applied; it is kept in the history.", current.updated_by, current.version),
                },
                "current": report_json(&current),
            })),
        )
            .into_response(),
        ReportFailure::Other(f) => ApiError(f).into_response(),
    }
}

fn report_json(r: &ReportRow) -> Value {
    json!({
        "id": r.id, "status": r.status, "version": r.version, "due_at": r.due_at.to_rfc3339(),
        "first_submitted_at": r.first_submitted_at.map(|t| t.to_rfc3339()), "last_submitted_at": r.last_submitted_at.map(|t| t.to_rfc3339()),
        "timeliness": r.timeliness, "review_comment": r.review_comment, "updated_by": r.updated_by, "updated_at": r.updated_at.to_rfc3339(),
        "nothing_to_report": r.nothing_to_report(),
        "draft": r.draft(),
    })
}

fn saved_json(s: &Saved) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

async fn context(state: &AppState, unit: &str, period: &str) -> Result<FormContext, ApiError> {
    let (kind, end) = parse_period(period)?;
    Ok(report_actions::load(state, unit, kind, end).await?)
}

pub async fn show(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let actor = logged_in(actor)?;
    let ctx = context(&state, &unit, &period).await?;
    report_actions::authorize_read(&state, &actor, &client, &ctx).await?;
    let (values, activities) = match &ctx.report {
        Some(r) => (reports::values(&state.db, r.id).await?, reports::activities(&state.db, r.id).await?),
        None => Default::default(),
    };
    Ok(Json(json!({
        "unit": {"code": ctx.unit.code, "name": ctx.unit.name},
        "kind": ctx.kind.as_str(),
        "period": ctx.period.as_ref().map(|p| json!({"seq": p.seq, "start": p.start, "end": p.end, "deadline": p.deadline_rfc3339()})),
        "due_at": ctx.due_at.to_rfc3339(),
        "fields": ctx.fields,
        "totals_before": ctx.totals_before,
        "report": ctx.report.as_ref().map(report_json),
        "submitted": {"values": values, "activities": activities},
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SaveBody {
    #[serde(default, deserialize_with = "super::whole::int")]
    version: i64,
    #[serde(default, deserialize_with = "super::body::report_input")]
    input: ReportInput,
}

#[allow(clippy::too_many_arguments)]
async fn save(
    state: AppState,
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
    let ctx = match context(&state, &unit, &period).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::trim).filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.len() > 200) {
        return ApiError(Failure::bad_request("Idempotency-Key quá dài", "Idempotency-Key too long")).into_response();
    }
    match report_actions::save(&state, &actor, &client, &ctx, &body.input, body.version, action, key, None).await {
        Ok((saved, checked)) => {
            let status = if saved.replayed || saved.version > 1 { StatusCode::OK } else { StatusCode::CREATED };
            let mut out = saved_json(&saved);
            out["warnings"] =
                checked.map(|c| serde_json::to_value(c.warnings).unwrap_or_default()).unwrap_or(json!([]));
            (status, Json(out)).into_response()
        }
        Err(f) => failure_response_for(f, Some(&actor.user.username)),
    }
}

pub async fn save_draft(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
    headers: HeaderMap,
    Object(body): Object<SaveBody>,
) -> Response {
    save(state, actor, client, unit, period, &headers, body, SaveAction::Draft).await
}

pub async fn submit(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
    headers: HeaderMap,
    Object(body): Object<SaveBody>,
) -> Response {
    save(state, actor, client, unit, period, &headers, body, SaveAction::Submit).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    action: String,
    #[serde(default)]
    comment: String,
    #[serde(deserialize_with = "super::whole::int")]
    version: i64,
}

pub async fn review(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
    Object(body): Object<ReviewBody>,
) -> Response {
    let actor = match logged_in(actor) {
        Ok(a) => a,
        Err(f) => return ApiError(f).into_response(),
    };
    let ctx = match context(&state, &unit, &period).await {
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
        Ok(saved) => Json(saved_json(&saved)).into_response(),
        Err(f) => failure_response(f),
    }
}

pub async fn versions(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((unit, period)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let actor = logged_in(actor)?;
    let ctx = context(&state, &unit, &period).await?;
    report_actions::authorize_read(&state, &actor, &client, &ctx).await?;
    let versions = match &ctx.report {
        Some(r) => reports::versions(&state.db, r.id).await?,
        None => Vec::new(),
    };
    let out: Vec<Value> = versions
        .iter()
        .map(|v| json!({"version": v.version, "status": v.status, "action": v.action, "saved_at": v.saved_at.to_rfc3339(), "saved_by": v.saved_by, "snapshot": serde_json::from_str::<Value>(&v.snapshot_json).unwrap_or(Value::Null)}))
        .collect();
    Ok(Json(json!({"versions": out})))
}

#[derive(Deserialize)]
pub struct ListQuery {
    unit: Option<String>,
    period_end: Option<NaiveDate>,
    #[serde(default)]
    kind: Option<String>,
}

/// Reports the actor may read, newest period first.
pub async fn list(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let actor = logged_in(actor)?;
    let db = &state.db;
    let campaign = campaigns::current(db).await?;
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
    let out: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut v = report_json(r);
            v["unit"] = json!(code_of.get(&r.unit_id));
            v["kind"] = json!(r.kind);
            v["period_end"] = json!(periods.iter().find(|p| i64::from(p.seq) == r.period_seq).map(|p| p.end));
            v.as_object_mut().map(|o| o.remove("draft"));
            v
        })
        .collect();
    Ok(Json(json!({"count": out.len(), "reports": out})))
}

pub async fn lock(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path((end, verb)): Path<(NaiveDate, String)>,
) -> Result<Json<Value>, ApiError> {
    let actor = logged_in(actor)?;
    crate::authz::require(&state, &actor, &client, Action::AdministerCampaign, None).await?;
    let campaign = campaigns::current(&state.db).await?;
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
    reports::set_period_lock(
        &state.db,
        campaign.row.id,
        seq,
        lock,
        &crate::authz::who(Some(&actor), &client),
        state.now(),
    )
    .await?;
    Ok(Json(json!({"period_end": end, "locked": lock})))
}
