//! Evidence attachments (minh chứng, issue #22 item 5): photos and PDF files
//! attached to a unit's report (and one of its activities) or to a self-score. One
//! function per use case, shared by the pages and the API.
//!
//! A file is judged by its content (`domain::attachment::sniff`); a picture is
//! decoded with bounded limits, scaled down to at most 1600 px a side and encoded
//! again as JPEG, which drops every metadata block (EXIF with its GPS position,
//! XMP, comments). When the unit asks to keep the location, the position is read
//! from EXIF first and kept in the attachment's lat/lon columns, never in the file.

use std::io::Cursor;

use axum::http::StatusCode;
use chrono::NaiveDate;
use phongtrao_domain::attachment::{self as rules, Kind, OwnerKind, OwnerRef, Refusal};
use phongtrao_domain::policy::{allows, Action};
use phongtrao_domain::report::ReportKind;
use phongtrao_domain::role::Role;
use phongtrao_storage::attachments::{self as store, Attachment, NewAttachment};
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::units::{self, UnitRow};
use sha2::{Digest, Sha256};

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require_in, who};
use crate::error::Failure;
use crate::AppState;

/// The owner an upload names, found in the campaign.
pub struct Owner {
    pub unit: UnitRow,
    pub ancestry: Vec<i64>,
    pub kind: OwnerKind,
    /// As stored: the period ("2026-03-08", "plan") or "criterion_id:unit_id".
    pub key: String,
    /// Units may add and delete files now (the report is a draft or returned and
    /// its period not locked; self-assessment is open).
    pub open: bool,
    /// For a report: its activities' titles, by position.
    pub activities: Vec<String>,
    /// Words naming the owner ("Báo cáo tuần 3"; a criterion: its number, "2").
    pub label: String,
}

pub fn refused(r: Refusal) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "attachment_refused", r.vi, r.en)
}

fn too_large(r: Refusal) -> Failure {
    Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", r.vi, r.en)
}

/// Finds the owner (404 when the unit, the period or the criterion is unknown).
pub async fn owner(state: &AppState, campaign: &StoredCampaign, r: &OwnerRef) -> Result<Owner, Failure> {
    let db = &state.db;
    match r.kind {
        OwnerKind::Report => {
            let (kind, end) = if r.key == "plan" {
                (ReportKind::UnitPlan, None)
            } else {
                (ReportKind::Weekly, NaiveDate::parse_from_str(&r.key, "%Y-%m-%d").ok())
            };
            let ctx = crate::actions::reports::load(state, campaign, &r.unit, kind, end).await?;
            let locked =
                phongtrao_storage::reports::locked_at(ctx.lock, campaign.plan.reporting.lock_after_days, state.now());
            let status_open = ctx.report.as_ref().is_none_or(|rep| rep.status().editable());
            let activities = ctx.report.as_ref().map(|rep| rep.draft().activities).unwrap_or_default();
            let label = match &ctx.period {
                Some(p) => format!("Báo cáo tuần {}", p.seq),
                None => "Kế hoạch của đơn vị".to_string(),
            };
            Ok(Owner {
                unit: ctx.unit,
                ancestry: ctx.ancestry,
                kind: r.kind,
                key: r.key.clone(),
                open: status_open && !locked,
                activities: activities.into_iter().map(|a| a.title).collect(),
                label,
            })
        }
        OwnerKind::EmulationScore => {
            let unit = crate::campaign_choice::unit_by_code(db, campaign, &r.unit)
                .await?
                .filter(|u| u.active)
                .ok_or_else(Failure::not_found)?;
            let ancestry = units::ancestry(db, unit.id).await?;
            let criterion_id: i64 = r.key.parse().map_err(|_| Failure::not_found())?;
            let criteria = phongtrao_storage::emulation::criteria(db, campaign.row.id).await?;
            let c = criteria
                .iter()
                .find(|c| c.id == criterion_id && c.criterion.rule.is_assessed())
                .ok_or_else(Failure::not_found)?;
            let settings = phongtrao_storage::emulation::settings(db, campaign.row.id).await?;
            let open = phongtrao_domain::emulation::self_assessment_open(
                settings.self_deadline,
                settings.reopened,
                state.now(),
            );
            let key = rules::score_key(criterion_id, unit.id);
            let label = c.criterion.number.clone();
            Ok(Owner { unit, ancestry, kind: r.kind, key, open, activities: Vec::new(), label })
        }
        OwnerKind::Nomination => {
            use phongtrao_domain::emulation::commendation::Status;
            let id: i64 = r.key.parse().map_err(|_| Failure::not_found())?;
            let n = phongtrao_storage::commendations::nomination(db, campaign.row.id, id)
                .await?
                .filter(|n| n.unit_code == r.unit)
                .ok_or_else(Failure::not_found)?;
            let unit = units::by_id(db, n.unit_id).await?.ok_or_else(Failure::not_found)?;
            let ancestry = units::ancestry(db, unit.id).await?;
            // Files may be added while the nomination waits for its review or was returned.
            let open = matches!(n.status(), Status::Pending | Status::Returned);
            let label = if n.person_name.trim().is_empty() { n.unit_name.clone() } else { n.person_name.clone() };
            Ok(Owner { unit, ancestry, kind: r.kind, key: r.key.clone(), open, activities: Vec::new(), label })
        }
    }
}

/// The actor may add or delete this owner's files now: a unit account while the
/// owner is open, the office always.
pub fn may_change(actor: &Actor, o: &Owner) -> bool {
    allows(&actor.policy(), Action::WriteUnit, &o.ancestry) && (o.open || actor.user.role == Role::Admin)
}

fn closed() -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "attachment_closed",
        "Báo cáo (hoặc điểm tự chấm) này không còn sửa được (đã gửi, đã duyệt hoặc kỳ đã khóa): không thêm hay xóa tệp đính kèm được nữa.",
        "This report (or self-score) can no longer be changed (submitted, accepted or its period locked): attachments cannot be added or deleted.",
    )
}

/// A file ready to store: its bytes as stored and what was read from it.
#[derive(Debug)]
pub struct Prepared {
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub thumb: Option<Vec<u8>>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub position: Option<rules::Position>,
}

const THUMB_SIDE: u32 = 320;

fn jpeg(img: &image::DynamicImage, quality: u8) -> Result<Vec<u8>, Refusal> {
    let mut out = Vec::new();
    let rgb = img.to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .map_err(|_| rules::unreadable_image())?;
    Ok(out)
}

/// Checks a file by its content and makes the bytes to store: a picture decoded
/// (bounded), turned upright, scaled to at most 1600 px a side and encoded as JPEG
/// without any metadata; a PDF kept as it is.
pub fn prepare(bytes: &[u8], keep_location: bool) -> Result<Prepared, Refusal> {
    use image::ImageDecoder;
    if bytes.len() > rules::MAX_FILE_BYTES {
        return Err(rules::too_large());
    }
    let kind = rules::sniff(bytes).ok_or_else(rules::not_accepted)?;
    let format = match kind {
        Kind::Pdf => {
            return Ok(Prepared {
                content_type: kind.stored_content_type(),
                bytes: bytes.to_vec(),
                thumb: None,
                width: None,
                height: None,
                position: None,
            })
        }
        Kind::Jpeg => image::ImageFormat::Jpeg,
        Kind::Png => image::ImageFormat::Png,
        Kind::Webp => image::ImageFormat::WebP,
    };
    let position = if keep_location && kind == Kind::Jpeg { rules::jpeg_gps(bytes) } else { None };
    let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(rules::MAX_DECODE_SIDE);
    limits.max_image_height = Some(rules::MAX_DECODE_SIDE);
    limits.max_alloc = Some(rules::MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| rules::unreadable_image())?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder).map_err(|_| rules::unreadable_image())?;
    img.apply_orientation(orientation);
    let (w, h) = rules::bounded(img.width(), img.height(), rules::MAX_SIDE);
    if (w, h) != (img.width(), img.height()) {
        img = img.resize_exact(w, h, image::imageops::FilterType::Triangle);
    }
    let stored = jpeg(&img, 82)?;
    let (tw, th) = rules::bounded(w, h, THUMB_SIDE);
    let thumb = jpeg(&img.thumbnail_exact(tw, th), 75)?;
    Ok(Prepared {
        content_type: kind.stored_content_type(),
        bytes: stored,
        thumb: Some(thumb),
        width: Some(w),
        height: Some(h),
        position,
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// An upload as received.
pub struct Upload {
    pub owner: OwnerRef,
    /// The report's activity (position from 0) the file shows.
    pub activity: Option<i64>,
    pub caption: String,
    pub keep_location: bool,
    pub bytes: Vec<u8>,
}

/// Stores an upload after every check; nothing is stored when one fails.
pub async fn add(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    upload: Upload,
) -> Result<Attachment, Failure> {
    let o = owner(state, campaign, &upload.owner).await?;
    require_in(state, actor, client, Action::WriteUnit, Some(o.unit.id), &o.ancestry).await?;
    if !may_change(actor, &o) {
        return Err(closed());
    }
    if upload.bytes.is_empty() {
        return Err(refused(rules::no_file()));
    }
    if upload.bytes.len() > rules::MAX_FILE_BYTES {
        return Err(too_large(rules::too_large()));
    }
    let caption = rules::caption(&upload.caption).map_err(refused)?;
    let activity = match (o.kind, upload.activity) {
        (OwnerKind::Report, Some(a)) if a >= 0 && (a as usize) < o.activities.len() => Some(a),
        (_, Some(_)) => {
            return Err(refused(Refusal {
                vi: "Hoạt động được chọn không có trong báo cáo. Chưa lưu gì.".into(),
                en: "The chosen activity is not in the report. Nothing was stored.".into(),
            }))
        }
        (_, None) => None,
    };
    let keep = upload.keep_location;
    let bytes = upload.bytes;
    let prepared = tokio::task::spawn_blocking(move || prepare(&bytes, keep))
        .await
        .map_err(Failure::internal)?
        .map_err(refused)?;
    let new = NewAttachment {
        campaign_id: campaign.row.id,
        unit_id: o.unit.id,
        owner_kind: o.kind.as_str().to_string(),
        owner_key: o.key.clone(),
        activity,
        caption,
        content_type: prepared.content_type.to_string(),
        sha256: sha256_hex(&prepared.bytes),
        thumb: prepared.thumb.map(|t| (sha256_hex(&t), t)),
        width: prepared.width.map(i64::from),
        height: prepared.height.map(i64::from),
        lat: prepared.position.map(|p| p.lat),
        lon: prepared.position.map(|p| p.lon),
        bytes: prepared.bytes,
    };
    match store::add(&state.db, &new, &who(Some(actor), client), state.now()).await? {
        Ok(stored) => Ok(stored),
        Err(refusal) => Err(refused(refusal)),
    }
}

/// The files of an owner, for those who may read its unit.
pub async fn list(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    r: &OwnerRef,
) -> Result<(Owner, Vec<Attachment>), Failure> {
    let o = owner(state, campaign, r).await?;
    require_in(state, actor, client, Action::ReadUnit, Some(o.unit.id), &o.ancestry).await?;
    let files = store::for_owner(&state.db, campaign.row.id, o.unit.id, o.kind.as_str(), &o.key).await?;
    Ok((o, files))
}

/// One attachment, for those who may read its unit (404 for an unknown id, 403
/// for someone else's, recorded).
pub async fn get(state: &AppState, actor: &Actor, client: &ClientIp, id: i64) -> Result<Attachment, Failure> {
    let a = store::get(&state.db, id).await?.ok_or_else(Failure::not_found)?;
    let ancestry = units::ancestry(&state.db, a.unit_id).await?;
    require_in(state, actor, client, Action::ReadUnit, Some(a.unit_id), &ancestry).await?;
    Ok(a)
}

/// The bytes of an attachment (or of its thumbnail, when it has one).
pub async fn content(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
    thumb: bool,
) -> Result<(Attachment, Vec<u8>), Failure> {
    let a = get(state, actor, client, id).await?;
    let sha = if thumb { a.thumb_sha256.clone().unwrap_or_else(|| a.sha256.clone()) } else { a.sha256.clone() };
    let bytes = store::bytes(&state.db, &sha).await?.ok_or_else(Failure::not_found)?;
    Ok((a, bytes))
}

/// The owner of a stored attachment, as a reference (to check it is still open).
fn owner_ref(a: &Attachment, unit_code: &str) -> Option<OwnerRef> {
    match OwnerKind::parse(&a.owner_kind)? {
        OwnerKind::Report => {
            Some(OwnerRef { kind: OwnerKind::Report, unit: unit_code.into(), key: a.owner_key.clone() })
        }
        OwnerKind::EmulationScore => {
            let (criterion, _) = a.owner_key.split_once(':')?;
            Some(OwnerRef { kind: OwnerKind::EmulationScore, unit: unit_code.into(), key: criterion.into() })
        }
        OwnerKind::Nomination => {
            Some(OwnerRef { kind: OwnerKind::Nomination, unit: unit_code.into(), key: a.owner_key.clone() })
        }
    }
}

/// Deletes an attachment: its unit while the owner is open, the office always.
pub async fn delete(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
) -> Result<Attachment, Failure> {
    let a = get(state, actor, client, id).await?;
    let ancestry = units::ancestry(&state.db, a.unit_id).await?;
    require_in(state, actor, client, Action::WriteUnit, Some(a.unit_id), &ancestry).await?;
    if actor.user.role != Role::Admin {
        let unit = units::by_id(&state.db, a.unit_id).await?.ok_or_else(Failure::not_found)?;
        let open = match owner_ref(&a, &unit.code) {
            Some(r) if a.campaign_id == campaign.row.id => {
                owner(state, campaign, &r).await.map(|o| o.open).unwrap_or(false)
            }
            _ => false,
        };
        if !open {
            return Err(closed());
        }
    }
    store::delete(&state.db, &a, &who(Some(actor), client), state.now()).await?;
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(w: u32, h: u32) -> Vec<u8> {
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        jpeg(&img, 90).expect("jpeg")
    }

    #[test]
    fn a_photo_is_scaled_down_and_loses_its_exif_and_gps() {
        let p = rules::Position { lat: 10.7769, lon: 106.7009 };
        let with_gps = rules::jpeg_with_exif(&photo(2000, 1000), &rules::exif_with_gps(p));
        assert!(rules::jpeg_gps(&with_gps).is_some());
        let out = prepare(&with_gps, false).expect("prepared");
        assert_eq!((out.width, out.height), (Some(1600), Some(800)));
        assert!(rules::jpeg_exif(&out.bytes).is_none() && out.position.is_none());
        assert!(!out.bytes.windows(4).any(|w| w == b"Exif"));
        let kept = prepare(&with_gps, true).expect("prepared");
        let pos = kept.position.expect("kept");
        assert!((pos.lat - p.lat).abs() < 1e-5);
        assert!(rules::jpeg_exif(&kept.bytes).is_none());
    }

    #[test]
    fn a_script_named_jpg_and_a_bomb_are_refused() {
        assert_eq!(prepare(b"#!/bin/sh\necho hi\n", false).err(), Some(rules::not_accepted()));
        // A PNG header claiming 100000 × 100000 pixels.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&100_000u32.to_be_bytes());
        png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(prepare(&png, false).err(), Some(rules::unreadable_image()));
    }
}
