//! The twins of the submission notices (the box on the officer's landing page, the
//! choice of channels on the account page, the office's list of deliveries):
//! GET /api/v1/notices, POST /api/v1/notices/read, GET/PUT
//! /api/v1/account/notice-prefs and GET /api/v1/notices/deliveries.

use crate::campaign_choice::InCampaign;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use phongtrao_storage::submit_notices::Prefs;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Object;
use super::doc::{BadRequest, Forbidden, JsonBody, Unauthenticated};
use crate::actions::submit_notices::{self, NoticeLine};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::AppState;

/// The most notices one request lists.
pub const MAX_NOTICES: i64 = 500;
/// The most deliveries one request lists.
pub const MAX_DELIVERIES: i64 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NoticesQuery {
    /// The campaign's code (see `GET /campaigns`); without it the caller's chosen campaign
    #[allow(dead_code)]
    campaign: Option<String>,
    /// Only the notices not yet marked read
    #[serde(default)]
    #[param(required = false)]
    unread: bool,
    /// At most this many notices, newest first (50 by default)
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// What a report's kind is.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum SubmitNoticeKind {
    Weekly,
    UnitPlan,
}

/// One notice: a unit submitted (or resubmitted) a report version.
#[derive(Serialize, ToSchema)]
pub struct SubmitNotice {
    pub id: i64,
    /// "Huyện đoàn Hòn Đất (mã 903) đã nộp báo cáo tuần 2 lúc 16h05 ngày 10/03/2023"
    pub text_vi: String,
    /// "Huyện đoàn Hòn Đất (code 903) submitted the report of week 2 at 16h05 on 10/03/2023"
    pub text_en: String,
    /// The report's page on the site (a path)
    pub href: String,
    /// The unit's code
    pub unit: String,
    pub unit_name: String,
    #[schema(value_type = SubmitNoticeKind)]
    pub kind: String,
    /// The week's number (0 for a unit plan)
    pub period_seq: i64,
    /// The report's version submitted
    pub version: i64,
    /// A resubmission (after a return)
    pub resubmission: bool,
    #[schema(format = DateTime)]
    pub submitted_at: String,
    /// Who submitted it (a username)
    pub submitted_by: String,
    /// Not yet marked read by the caller
    pub unread: bool,
}

fn notice((vi, en): (NoticeLine, NoticeLine)) -> SubmitNotice {
    SubmitNotice {
        id: vi.id,
        text_vi: vi.text,
        text_en: en.text,
        href: vi.href,
        unit: vi.unit,
        unit_name: vi.unit_name,
        kind: vi.kind,
        period_seq: vi.period_seq,
        version: vi.version,
        resubmission: vi.resubmission,
        submitted_at: vi.submitted_at.to_rfc3339(),
        submitted_by: vi.submitted_by,
        unread: vi.unread,
    }
}

/// The caller's notices and how many are unread.
#[derive(Serialize, ToSchema)]
pub struct SubmitNotices {
    /// Newest first
    pub notices: Vec<SubmitNotice>,
    /// How many of all the caller's notices are not yet marked read
    pub unread: i64,
}

/// The notices of submissions the caller receives: the office and the steering
/// committee every unit's, a unit's officer those of the units below theirs, a
/// viewer none.
#[utoipa::path(get, path = "/notices", tag = "notices", params(NoticesQuery),
    responses((status = 200, description = "SubmitNotices, newest first, and the unread count", body = SubmitNotices),
        BadRequest, Unauthenticated))]
pub async fn list(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    Query(q): Query<NoticesQuery>,
) -> Result<Json<SubmitNotices>, ApiError> {
    let actor = logged_in(actor)?;
    let limit = super::limit_in_range(q.limit, MAX_NOTICES)?.unwrap_or(50);
    let (lines, unread) = submit_notices::list_both(&state, campaign, &actor, q.unread, limit).await?;
    Ok(Json(SubmitNotices { notices: lines.into_iter().map(notice).collect(), unread }))
}

/// SubmitNotices to mark read.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticesReadBody {
    /// The notices' ids; empty or missing: every notice the caller receives
    #[serde(default)]
    #[schema(max_items = 1000)]
    ids: Option<Vec<i64>>,
}

/// SubmitNotices marked read.
#[derive(Serialize, ToSchema)]
pub struct NoticesMarked {
    /// How many notices were marked now (those already read, or not the caller's, are not counted)
    pub marked: u64,
    /// How many remain unread
    pub unread: i64,
}

/// Marks notices read for the caller (the marks are the caller's own: other
/// officers still see them unread).
#[utoipa::path(post, path = "/notices/read", tag = "notices", params(crate::campaign_choice::CampaignQuery), request_body = NoticesReadBody,
    responses((status = 200, description = "NoticesMarked", body = NoticesMarked), JsonBody, Unauthenticated, Forbidden))]
pub async fn mark_read(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    Object(body): Object<NoticesReadBody>,
) -> Result<Json<NoticesMarked>, ApiError> {
    let actor = logged_in(actor)?;
    if body.ids.as_ref().is_some_and(|ids| ids.len() > 1000) {
        return Err(crate::error::Failure::invalid(
            "Mỗi lần đánh dấu tối đa 1000 thông báo / At most 1000 notices can be marked at once",
        )
        .into());
    }
    let ids = body.ids.filter(|ids| !ids.is_empty());
    let marked = submit_notices::mark_read(&state, campaign, &actor, ids.as_deref()).await?;
    let (_, unread) = submit_notices::list(&state, campaign, &actor, true, 1, Lang::Vi).await?;
    Ok(Json(NoticesMarked { marked, unread }))
}

/// How the caller gets submission notices besides the landing page.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoticePrefs {
    /// By e-mail (to the account's e-mail address)
    pub by_email: bool,
    /// By the configured webhook
    pub by_webhook: bool,
}

/// The caller's choice of channels for submission notices.
#[utoipa::path(get, path = "/account/notice-prefs", tag = "notices",
    responses((status = 200, description = "The choice", body = NoticePrefs), Unauthenticated))]
pub async fn prefs(State(state): State<AppState>, actor: MaybeActor) -> Result<Json<NoticePrefs>, ApiError> {
    let actor = logged_in(actor)?;
    let p = submit_notices::prefs(&state, &actor).await?;
    Ok(Json(NoticePrefs { by_email: p.by_email, by_webhook: p.by_webhook }))
}

/// Sets the caller's own choice (audit-logged); a viewer account gets no notices (403).
#[utoipa::path(put, path = "/account/notice-prefs", tag = "notices", request_body = NoticePrefs,
    responses((status = 200, description = "Saved", body = NoticePrefs), JsonBody, Unauthenticated, Forbidden))]
pub async fn set_prefs(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<NoticePrefs>,
) -> Result<Json<NoticePrefs>, ApiError> {
    let actor = logged_in(actor)?;
    let wanted = Prefs { by_email: body.by_email, by_webhook: body.by_webhook };
    let p = submit_notices::set_prefs(&state, &actor, &client, wanted).await?;
    Ok(Json(NoticePrefs { by_email: p.by_email, by_webhook: p.by_webhook }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveriesQuery {
    /// The campaign's code (see `GET /campaigns`); without it the caller's chosen campaign
    #[allow(dead_code)]
    campaign: Option<String>,
    /// At most this many deliveries, newest first (200 by default)
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// Where a delivery stands.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum NoticeDeliveryStatus {
    /// Waiting for its first try
    Pending,
    /// Being tried now
    Sending,
    Sent,
    /// The last try failed (tried again with backoff, a few times)
    Failed,
    /// The officer chose a channel that is not configured or has no address
    NoChannel,
}

/// One delivery of a notice to an officer by e-mail and/or webhook.
#[derive(Serialize, ToSchema)]
pub struct NoticeDelivery {
    pub id: i64,
    pub notice_id: i64,
    pub user_id: i64,
    pub username: String,
    pub by_email: bool,
    pub by_webhook: bool,
    #[schema(value_type = NoticeDeliveryStatus)]
    pub status: String,
    pub attempts: i64,
    /// The address written to (empty without e-mail)
    pub email_to: String,
    pub email_result: Option<String>,
    pub webhook_result: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
}

/// The deliveries of notices, newest first.
#[derive(Serialize, ToSchema)]
pub struct NoticeDeliveries {
    pub deliveries: Vec<NoticeDelivery>,
}

/// The e-mail and webhook deliveries of submission notices: the office only.
#[utoipa::path(get, path = "/notices/deliveries", tag = "notices", params(DeliveriesQuery),
    responses((status = 200, description = "NoticeDeliveries, newest first", body = NoticeDeliveries),
        BadRequest, Unauthenticated, Forbidden))]
pub async fn deliveries(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    Query(q): Query<DeliveriesQuery>,
) -> Result<(StatusCode, Json<NoticeDeliveries>), ApiError> {
    let actor = logged_in(actor)?;
    let limit = super::limit_in_range(q.limit, MAX_DELIVERIES)?.unwrap_or(200);
    let rows = submit_notices::deliveries(&state, campaign, &actor, limit).await?;
    let deliveries = rows
        .into_iter()
        .map(|d| NoticeDelivery {
            id: d.id,
            notice_id: d.notice_id,
            user_id: d.user_id,
            username: d.username,
            by_email: d.by_email,
            by_webhook: d.by_webhook,
            status: d.status,
            attempts: d.attempts,
            email_to: d.email_to,
            email_result: d.email_result,
            webhook_result: d.webhook_result,
            created_at: d.created_at.to_rfc3339(),
            finished_at: d.finished_at.map(|t| t.to_rfc3339()),
        })
        .collect();
    Ok((StatusCode::OK, Json(NoticeDeliveries { deliveries })))
}
