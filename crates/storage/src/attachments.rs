//! Evidence attachments (minh chứng): the files' bytes, once per content (keyed by
//! their SHA-256), and the attachments that name their owner (a report of a unit,
//! a self-score, later a nomination). Every add and delete is one transaction with
//! its audit entry; the caller has checked the file, the caption and the actor.

use chrono::{DateTime, Utc};
use phongtrao_domain::attachment::{check_owner_limits, Refusal};
use serde::Serialize;

use crate::audit::Who;
use crate::{in_transaction, with_pool, Db, Result};

/// An attachment as stored (without its bytes).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
pub struct Attachment {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    pub owner_kind: String,
    pub owner_key: String,
    /// The position (from 0) of the report's activity the file shows, if any.
    pub activity: Option<i64>,
    pub caption: String,
    pub content_type: String,
    #[serde(skip)]
    pub sha256: String,
    #[serde(skip)]
    pub thumb_sha256: Option<String>,
    pub size: i64,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// A checked file to store.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub campaign_id: i64,
    pub unit_id: i64,
    pub owner_kind: String,
    pub owner_key: String,
    pub activity: Option<i64>,
    pub caption: String,
    pub content_type: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    /// A small JPEG to show in lists (images only).
    pub thumb: Option<(String, Vec<u8>)>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

const COLUMNS: &str = "id, campaign_id, unit_id, owner_kind, owner_key, activity, caption, content_type, sha256, \
     thumb_sha256, size, width, height, lat, lon, created_at, created_by";

/// The attachments of one owner, oldest first.
pub async fn for_owner(
    db: &Db,
    campaign_id: i64,
    unit_id: i64,
    owner_kind: &str,
    owner_key: &str,
) -> Result<Vec<Attachment>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM attachments WHERE campaign_id = $1 AND unit_id = $2 AND owner_kind = $3 AND owner_key = $4 ORDER BY id"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql)
        .bind(campaign_id).bind(unit_id).bind(owner_kind).bind(owner_key)
        .fetch_all(pool).await)?)
}

/// The attachments of several owners of one kind (the report documents' appendix),
/// by unit then id. `keys` are (unit id, owner key).
pub async fn for_owners(
    db: &Db,
    campaign_id: i64,
    owner_kind: &str,
    keys: &[(i64, String)],
) -> Result<Vec<Attachment>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let sql =
        format!("SELECT {COLUMNS} FROM attachments WHERE campaign_id = $1 AND owner_kind = $2 ORDER BY created_at, id");
    let rows: Vec<Attachment> =
        with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(owner_kind).fetch_all(pool).await)?;
    Ok(rows.into_iter().filter(|a| keys.iter().any(|(u, k)| *u == a.unit_id && *k == a.owner_key)).collect())
}

pub async fn get(db: &Db, id: i64) -> Result<Option<Attachment>> {
    let sql = format!("SELECT {COLUMNS} FROM attachments WHERE id = $1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?)
}

/// The stored bytes of a content hash.
pub async fn bytes(db: &Db, sha256: &str) -> Result<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> = with_pool!(db, pool => sqlx::query_as("SELECT bytes FROM attachment_blobs WHERE sha256 = $1")
        .bind(sha256).fetch_optional(pool).await)?;
    Ok(row.map(|(b,)| b))
}

/// Stores the file and its attachment row, unless the owner's limits (number of
/// files, bytes in all) would be passed: then nothing is stored.
pub async fn add(
    db: &Db,
    new: &NewAttachment,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<std::result::Result<Attachment, Refusal>> {
    let outcome = in_transaction!(db, tx => {
        let (count, bytes): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(CAST(SUM(size) AS BIGINT), 0) FROM attachments WHERE campaign_id = $1 AND unit_id = $2 AND owner_kind = $3 AND owner_key = $4",
        )
        .bind(new.campaign_id).bind(new.unit_id).bind(&new.owner_kind).bind(&new.owner_key)
        .fetch_one(&mut **tx)
        .await?;
        let size = new.bytes.len() as i64;
        match check_owner_limits(count.max(0) as usize, bytes.max(0) as u64, size as u64) {
            Err(refusal) => Err(refusal),
            Ok(()) => {
                let mut blobs = vec![(&new.sha256, &new.bytes)];
                if let Some((sha, thumb)) = &new.thumb {
                    blobs.push((sha, thumb));
                }
                for (sha, data) in blobs {
                    sqlx::query("INSERT INTO attachment_blobs (sha256, bytes, size) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING")
                        .bind(sha).bind(data).bind(data.len() as i64)
                        .execute(&mut **tx)
                        .await?;
                }
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO attachments (campaign_id, unit_id, owner_kind, owner_key, activity, caption, content_type, sha256,
                       thumb_sha256, size, width, height, lat, lon, created_at, created_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
                )
                .bind(new.campaign_id).bind(new.unit_id).bind(&new.owner_kind).bind(&new.owner_key).bind(new.activity)
                .bind(&new.caption).bind(&new.content_type).bind(&new.sha256).bind(new.thumb.as_ref().map(|(s, _)| s))
                .bind(size).bind(new.width).bind(new.height).bind(new.lat).bind(new.lon).bind(now).bind(&who.name)
                .fetch_one(&mut **tx)
                .await?;
                let summary = serde_json::json!({
                    "id": id, "owner": format!("{}:{}", new.owner_kind, new.owner_key), "activity": new.activity,
                    "caption": new.caption, "content_type": new.content_type, "size": size, "sha256": new.sha256,
                    "location_kept": new.lat.is_some(),
                });
                let entry = who.entry("attachment.add", "attachment", Some(id.to_string())).unit(Some(new.unit_id)).after(&summary);
                crate::audit_in_tx!(tx, &entry, now);
                Ok(id)
            }
        }
    });
    match outcome {
        Ok(id) => {
            let stored = get(db, id).await?.ok_or_else(|| crate::StorageError::NotFound(format!("attachment {id}")))?;
            Ok(Ok(stored))
        }
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// Deletes an attachment (and its bytes when nothing else uses them).
pub async fn delete(db: &Db, attachment: &Attachment, who: &Who, now: DateTime<Utc>) -> Result<()> {
    in_transaction!(db, tx => {
        sqlx::query("DELETE FROM attachments WHERE id = $1").bind(attachment.id).execute(&mut **tx).await?;
        for sha in std::iter::once(&attachment.sha256).chain(attachment.thumb_sha256.as_ref()) {
            sqlx::query(
                "DELETE FROM attachment_blobs WHERE sha256 = $1
                   AND NOT EXISTS (SELECT 1 FROM attachments WHERE sha256 = $1 OR thumb_sha256 = $1)",
            )
            .bind(sha)
            .execute(&mut **tx)
            .await?;
        }
        let entry = who
            .entry("attachment.delete", "attachment", Some(attachment.id.to_string()))
            .unit(Some(attachment.unit_id))
            .before(attachment);
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}

/// How many attachments and bytes are stored in all (tests, metrics).
pub async fn totals(db: &Db) -> Result<(i64, i64)> {
    let (n, b): (i64, i64) = with_pool!(db, pool => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM attachments), (SELECT COALESCE(CAST(SUM(size) AS BIGINT), 0) FROM attachment_blobs)",
    )
    .fetch_one(pool)
    .await)?;
    Ok((n, b))
}

/// The pictures of the counted (submitted or accepted) weekly reports of these
/// units in periods `from_seq..=to_seq`, with their bytes, oldest first, at most
/// `limit`. `period_key` turns a period's number into its owner key (its last day).
pub async fn report_photos(
    db: &Db,
    campaign_id: i64,
    unit_ids: &[i64],
    from_seq: i64,
    to_seq: i64,
    period_key: impl Fn(i64) -> Option<String>,
    limit: usize,
) -> Result<Vec<(Attachment, Vec<u8>)>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT unit_id, period_seq FROM reports WHERE campaign_id = $1 AND kind = 'weekly' AND status IN ('submitted', 'accepted')
           AND period_seq >= $2 AND period_seq <= $3 AND unit_id IN ({})",
        crate::id_list(unit_ids)
    );
    let counted: Vec<(i64, i64)> = with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(from_seq).bind(to_seq).fetch_all(pool).await)?;
    let keys: Vec<(i64, String)> =
        counted.into_iter().filter_map(|(unit, seq)| period_key(seq).map(|k| (unit, k))).collect();
    let mut out = Vec::new();
    for a in for_owners(db, campaign_id, "report", &keys).await? {
        if out.len() >= limit {
            break;
        }
        if a.content_type != "image/jpeg" {
            continue;
        }
        if let Some(b) = bytes(db, &a.sha256).await? {
            out.push((a, b));
        }
    }
    Ok(out)
}
