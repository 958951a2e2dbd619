//! /api/v1/attachments: evidence files (photos, PDF) of a report or a self-score:
//! upload (multipart), list by owner, fetch, delete. The same actions as the pages.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use chrono::{DateTime, Utc};
use phongtrao_domain::attachment::OwnerRef;
use phongtrao_storage::attachments::Attachment;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::{BadRequest, Conflict, Forbidden, Invalid, NotFound, TooLarge, Unauthenticated};
use super::documents::FileBytes;
use crate::actions::attachments::{self as act, Upload};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::campaign_choice::InCampaign;
use crate::error::ApiError;
use crate::AppState;

/// An attachment as stored (its bytes at `GET /attachments/{id}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    pub id: i64,
    /// "report" or "emulation_score"
    pub owner_kind: String,
    /// The period ("2026-03-08", "plan") or "criterion_id:unit_id"
    pub owner_key: String,
    /// The report's activity (position from 0) the file shows
    pub activity: Option<i64>,
    pub caption: String,
    /// image/jpeg (every picture is stored re-encoded) or application/pdf
    pub content_type: String,
    /// Bytes as stored
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    /// The position the unit chose to keep (never inside the file)
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl From<Attachment> for AttachmentOut {
    fn from(a: Attachment) -> Self {
        AttachmentOut {
            id: a.id,
            owner_kind: a.owner_kind,
            owner_key: a.owner_key,
            activity: a.activity,
            caption: a.caption,
            content_type: a.content_type,
            size: a.size,
            width: a.width,
            height: a.height,
            lat: a.lat,
            lon: a.lon,
            created_at: a.created_at,
            created_by: a.created_by,
        }
    }
}

/// The upload's fields.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadIn {
    /// "report:UNIT:YYYY-MM-DD" (a weekly report: its period's last day),
    /// "report:UNIT:plan" or "emulation_score:CRITERION_ID:UNIT"
    owner: String,
    /// A JPEG, PNG, WebP picture or a PDF, 10 MB at most (judged by its content)
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    caption: Option<String>,
    /// The report's activity (position from 0)
    activity: Option<i64>,
    /// "1": keep the photo's GPS position (in the attachment's lat/lon, never in the file)
    keep_location: Option<String>,
}

/// Attaches a file (multipart): pictures are scaled to 1600 px at most and stored
/// as JPEG without metadata; per report (or self-score) 20 files and 50 MB at most.
#[utoipa::path(post, path = "/attachments", tag = "attachments", params(crate::campaign_choice::CampaignQuery),
    request_body(content = inline(UploadIn), content_type = "multipart/form-data"),
    responses((status = 201, description = "Stored", body = AttachmentOut), BadRequest, Unauthenticated, Forbidden,
        NotFound, Conflict, TooLarge, Invalid))]
pub async fn upload(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    multipart: Multipart,
) -> Result<(StatusCode, Json<AttachmentOut>), ApiError> {
    let actor = logged_in(actor)?;
    let form = crate::pages::attachments::read_upload(multipart).await?;
    let owner = OwnerRef::parse(&form.owner).ok_or_else(crate::pages::attachments::bad_owner)?;
    let upload = Upload {
        owner,
        activity: form.activity,
        caption: form.caption,
        keep_location: form.keep_location,
        bytes: form.file,
    };
    let stored = act::add(&state, campaign, &actor, &client, upload).await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OwnerQuery {
    /// "report:UNIT:YYYY-MM-DD", "report:UNIT:plan" or "emulation_score:CRITERION_ID:UNIT"
    owner: String,
    /// The campaign's code; without it the caller's chosen campaign
    #[allow(dead_code)]
    campaign: Option<String>,
}

/// The files of a report or a self-score, oldest first.
#[utoipa::path(get, path = "/attachments", tag = "attachments", params(OwnerQuery),
    responses((status = 200, description = "The files", body = Vec<AttachmentOut>), BadRequest, Unauthenticated,
        Forbidden, NotFound))]
pub async fn list(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<OwnerQuery>,
) -> Result<Json<Vec<AttachmentOut>>, ApiError> {
    let actor = logged_in(actor)?;
    let owner = OwnerRef::parse(&q.owner).ok_or_else(crate::pages::attachments::bad_owner)?;
    let (_, files) = act::list(&state, campaign, &actor, &client, &owner).await?;
    Ok(Json(files.into_iter().map(AttachmentOut::from).collect()))
}

/// The file itself, to those who may read its unit's reports.
#[utoipa::path(get, path = "/attachments/{id}", tag = "attachments",
    params(("id" = i64, Path, description = "The attachment's id")),
    responses((status = 200, description = "The file (X-Content-Type-Options: nosniff)", content(
            (FileBytes = "image/jpeg"), (FileBytes = "application/pdf"))),
        Unauthenticated, Forbidden, NotFound))]
pub async fn show(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    let (a, bytes) = act::content(&state, &actor, &client, id, false).await?;
    Ok(crate::pages::attachments::serve(&a, bytes, false))
}

/// Deletes a file: its unit while the report (self-score) can still be changed,
/// the office always. Audited.
#[utoipa::path(delete, path = "/attachments/{id}", tag = "attachments",
    params(("id" = i64, Path, description = "The attachment's id"), crate::campaign_choice::CampaignQuery),
    responses((status = 204, description = "Deleted"), Unauthenticated, Forbidden, NotFound, Conflict))]
pub async fn delete(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let actor = logged_in(actor)?;
    act::delete(&state, campaign, &actor, &client, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
