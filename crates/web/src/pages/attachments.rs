//! Evidence attachments on the pages: the box of a report's (or a self-score's)
//! files with its upload form (templates/report_attachments.html, a separate
//! multipart form that works without JavaScript and opens the phone's camera),
//! the upload, the file itself and its thumbnail, and the delete.

use axum::extract::{Multipart, Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono_tz::Asia::Ho_Chi_Minh;
use phongtrao_domain::attachment::{self as rules, OwnerKind, OwnerRef};
use phongtrao_domain::format;
use phongtrao_storage::attachments::Attachment;
use phongtrao_storage::campaigns::StoredCampaign;
use serde::Deserialize;

use crate::actions::attachments::{self as act, Upload};
use crate::auth::Actor;
use crate::error::{AppError, Failure};
use crate::i18n::Lang;
use crate::page::Page;
use crate::AppState;

/// The largest multipart request an upload may be: one file of 10 MB and the
/// form's few short fields.
pub const MAX_REQUEST_BYTES: usize = rules::MAX_FILE_BYTES + 256 * 1024;

/// Whether a request path takes an attachment upload (its larger body limit).
pub fn is_upload_path(path: &str) -> bool {
    path == "/attachments" || path == "/api/v1/attachments"
}

/// One file as listed.
pub struct FileView {
    pub id: i64,
    pub is_image: bool,
    pub caption: String,
    /// "Hoạt động 2: Ra quân …", or empty.
    pub activity: String,
    pub meta: String,
    pub location: Option<String>,
    pub can_delete: bool,
}

/// The attachments box of one owner, shown by report_attachments.html.
#[derive(Default)]
pub struct EvidenceBox {
    /// Show the box (false: the page has no owner to attach to).
    pub shown: bool,
    /// The box's heading and its HTML id ("evidence" on a report).
    pub title: String,
    pub anchor: String,
    /// The owner as the form sends it ("report:DV01:2026-03-08").
    pub owner: String,
    /// A short id for the HTML (unique on the page).
    pub dom_id: String,
    pub can_add: bool,
    pub files: Vec<FileView>,
    /// The report's activities: (position, "1. title").
    pub activities: Vec<(i64, String)>,
    /// Where the forms come back to.
    pub return_to: String,
}

fn file_view(a: &Attachment, activities: &[String], can_delete: bool, lang: Lang) -> FileView {
    let activity = a
        .activity
        .and_then(|i| activities.get(i as usize).map(|t| (i, t)))
        .map(|(i, t)| format!("{} {}: {}", lang.t("evidence.activity"), i + 1, t))
        .unwrap_or_default();
    let when = format::date_time(&a.created_at.with_timezone(&Ho_Chi_Minh));
    let size = if a.size >= 1024 * 1024 {
        format!("{:.1} MB", a.size as f64 / 1024.0 / 1024.0).replace('.', ",")
    } else {
        format!("{} KB", (a.size + 1023) / 1024)
    };
    FileView {
        id: a.id,
        is_image: a.content_type.starts_with("image/"),
        caption: a.caption.clone(),
        activity,
        meta: format!("{} · {} · {}", a.created_by, when, size),
        location: a.lat.zip(a.lon).map(|(lat, lon)| format!("{lat:.5}, {lon:.5}")),
        can_delete,
    }
}

/// An owner as an HTML id fragment.
fn dom_id(r: &OwnerRef) -> String {
    r.to_string().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect()
}

/// The HTML id of an owner's box, to come back to.
fn anchor_of(r: &OwnerRef) -> String {
    match r.kind {
        OwnerKind::Report => "evidence".into(),
        _ => format!("evidence-{}", dom_id(r)),
    }
}

/// The box of an owner for this actor (empty when the actor may not read it).
pub async fn evidence_box(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &crate::auth::client::ClientIp,
    r: &OwnerRef,
    return_to: &str,
    lang: Lang,
) -> Result<EvidenceBox, Failure> {
    let (o, files) = act::list(state, campaign, actor, client, r).await?;
    let can_change = act::may_change(actor, &o);
    let dom_id = dom_id(r);
    let (title, anchor) = match r.kind {
        OwnerKind::Report => (lang.t("evidence.title"), "evidence".to_string()),
        OwnerKind::Nomination => {
            (lang.t("evidence.title_nomination").replace("%{name}", &o.label), format!("evidence-{dom_id}"))
        }
        _ => (lang.t("evidence.title_of").replace("%{number}", &o.label), format!("evidence-{dom_id}")),
    };
    Ok(EvidenceBox {
        shown: true,
        title,
        anchor,
        owner: r.to_string(),
        dom_id,
        can_add: can_change,
        files: files.iter().map(|a| file_view(a, &o.activities, can_change, lang)).collect(),
        activities: o
            .activities
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.trim().is_empty())
            .map(|(i, t)| (i as i64, format!("{}. {}", i + 1, t)))
            .collect(),
        return_to: return_to.to_string(),
    })
}

/// The box of a report page (the report form's unit and period).
pub async fn report_box(state: &AppState, page: &Page, unit_code: &str, period: &str) -> Result<EvidenceBox, AppError> {
    let (Ok(actor), Ok(campaign)) = (page.require_actor(), page.campaign()) else {
        return Ok(EvidenceBox::default());
    };
    let r = OwnerRef { kind: OwnerKind::Report, unit: unit_code.to_string(), key: period.to_string() };
    let back = format!("/reports/{unit_code}/{period}");
    evidence_box(state, campaign, actor, &page.client, &r, &back, page.lang).await.map_err(|f| page.fail(f))
}

/// The boxes of a unit's assessed criteria (the self-assessment and review pages):
/// (criterion id, box).
pub async fn score_boxes(
    state: &AppState,
    page: &Page,
    unit_code: &str,
    criterion_ids: &[i64],
    return_to: &str,
) -> Result<Vec<EvidenceBox>, AppError> {
    let (Ok(actor), Ok(campaign)) = (page.require_actor(), page.campaign()) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for id in criterion_ids {
        let r = OwnerRef { kind: OwnerKind::EmulationScore, unit: unit_code.to_string(), key: id.to_string() };
        out.push(
            evidence_box(state, campaign, actor, &page.client, &r, return_to, page.lang)
                .await
                .map_err(|f| page.fail(f))?,
        );
    }
    Ok(out)
}

/// A text field of the upload form, bounded.
async fn short_text(field: axum::extract::multipart::Field<'_>) -> Result<String, Failure> {
    let mut field = field;
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
        out.extend_from_slice(&chunk);
        if out.len() > 8 * 1024 {
            return Err(Failure::bad_request("Dữ liệu gửi lên không hợp lệ.", "Invalid form data."));
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// A text a person typed (the caption): its first 8 KB are kept and the rest is not
/// read, so that a text far too long gets the domain's own message ("Chú thích dài
/// quá 300 ký tự") rather than a refusal of the form.
async fn typed_text(field: axum::extract::multipart::Field<'_>) -> Result<String, Failure> {
    let mut field = field;
    let mut out = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
        out.extend_from_slice(&chunk);
        if out.len() > 8 * 1024 {
            break;
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn unreadable() -> Failure {
    Failure::bad_request("Không đọc được tệp tải lên.", "Cannot read the upload.")
}

/// What an upload form sent.
#[derive(Default)]
pub struct UploadForm {
    pub owner: String,
    pub activity: Option<i64>,
    pub caption: String,
    pub keep_location: bool,
    pub file: Vec<u8>,
    pub return_to: String,
}

/// Reads the multipart upload, the file chunk by chunk: past 10 MB it stops
/// reading and refuses (nothing buffered beyond the limit, nothing stored).
pub async fn read_upload(mut multipart: Multipart) -> Result<UploadForm, Failure> {
    let mut form = UploadForm::default();
    let mut files = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(|_| unreadable())? {
        match field.name().unwrap_or("") {
            "file" => {
                files += 1;
                if files > 1 {
                    return Err(Failure::bad_request("Mỗi lần chỉ gửi một tệp.", "Send one file at a time."));
                }
                while let Some(chunk) = field.chunk().await.map_err(|_| unreadable())? {
                    if form.file.len() + chunk.len() > rules::MAX_FILE_BYTES {
                        let r = rules::too_large();
                        return Err(Failure::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE, "too_large", r.vi, r.en));
                    }
                    form.file.extend_from_slice(&chunk);
                }
            }
            "owner" => form.owner = short_text(field).await?,
            "caption" => form.caption = typed_text(field).await?,
            "activity" => form.activity = short_text(field).await?.trim().parse().ok(),
            "keep_location" => form.keep_location = !short_text(field).await?.trim().is_empty(),
            "return_to" => form.return_to = short_text(field).await?,
            _ => {
                short_text(field).await?;
            }
        }
    }
    Ok(form)
}

/// Where a form may come back to: a report or a self-assessment page of this app.
fn safe_return(to: &str) -> Option<&str> {
    let ok = (to.starts_with("/reports/") || to.starts_with("/emulation/"))
        && !to.contains("//")
        && !to.contains('\\')
        && to.chars().all(|c| c.is_ascii_graphic());
    ok.then_some(to)
}

pub fn bad_owner() -> Failure {
    Failure::bad_request(
        "Không rõ tệp đính kèm thuộc báo cáo hay điểm tự chấm nào.",
        "The report or self-score the file belongs to is not named.",
    )
}

/// POST /attachments (multipart): stores one file, back to the page it came from.
pub async fn upload(State(state): State<AppState>, page: Page, multipart: Multipart) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let form = read_upload(multipart).await.map_err(|f| page.fail(f))?;
    let owner = OwnerRef::parse(&form.owner).ok_or_else(|| page.fail(bad_owner()))?;
    let back = safe_return(&form.return_to).map(str::to_string);
    let anchor = anchor_of(&owner);
    let upload = Upload {
        owner,
        activity: form.activity,
        caption: form.caption,
        keep_location: form.keep_location,
        bytes: form.file,
    };
    let stored = act::add(&state, campaign, &actor, &page.client, upload).await.map_err(|f| page.fail(f))?;
    let to = back.unwrap_or_else(|| "/reports".into());
    let sep = if to.contains('?') { '&' } else { '?' };
    Ok(Redirect::to(&format!("{to}{sep}attached={}#{anchor}", stored.id)).into_response())
}

pub(crate) fn serve(a: &Attachment, bytes: Vec<u8>, thumb: bool) -> Response {
    let content_type = if thumb { "image/jpeg" } else { a.content_type.as_str() };
    let extension = if content_type == "application/pdf" { "pdf" } else { "jpg" };
    let disposition = if content_type == "application/pdf" && !thumb { "attachment" } else { "inline" };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{disposition}; filename=\"minh-chung-{}.{extension}\"", a.id)) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    headers.insert("content-security-policy", HeaderValue::from_static("default-src 'none'; sandbox"));
    response
}

/// GET /attachments/{id}: the file, to those who may read its unit.
pub async fn show(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let (a, bytes) = act::content(&state, &actor, &page.client, id, false).await.map_err(|f| page.fail(f))?;
    Ok(serve(&a, bytes, false))
}

/// GET /attachments/{id}/thumb: a small JPEG of a picture.
pub async fn thumb(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let (a, bytes) = act::content(&state, &actor, &page.client, id, true).await.map_err(|f| page.fail(f))?;
    Ok(serve(&a, bytes, a.thumb_sha256.is_some()))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    return_to: String,
}

/// POST /attachments/{id}/delete: the unit while its report is open, the office.
pub async fn delete(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(f): Form<DeleteForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    act::delete(&state, campaign, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    let to = safe_return(&f.return_to).unwrap_or("/reports");
    let anchor = if to.starts_with("/reports/") { "#evidence" } else { "" };
    Ok(Redirect::to(&format!("{to}{anchor}")).into_response())
}
