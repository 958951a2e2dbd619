//! Notices to the officers above a unit when it submits a report ("Đơn vị X đã nộp
//! báo cáo tuần N lúc 16h05"): one per report version (first submission and each
//! resubmission; drafts never make one). The province office and the steering
//! committee see every notice; a unit's officer sees those of the units below the
//! units they are attached to (the notice keeps, as its scope, the units above the
//! submitting unit at the time it was submitted).
//!
//! Officers who chose it also get each notice by e-mail and/or the configured
//! webhook: one delivery row per notice and officer (unique), claimed atomically
//! before it is sent and tried again with backoff when it fails, as reminders are.

use chrono::{DateTime, Utc};

use crate::{in_transaction, with_pool, Db, Result};

/// The submission a notice is about.
#[derive(Debug, Clone)]
pub struct NewNotice {
    pub campaign_id: i64,
    pub report_id: i64,
    pub version: i64,
    pub unit_id: i64,
    pub kind: String,
    pub period_seq: i64,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: String,
    pub resubmission: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoticeRow {
    pub id: i64,
    pub report_id: i64,
    pub version: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub kind: String,
    pub period_seq: i64,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: String,
    pub resubmission: bool,
    /// When the reader marked it read (None: unread).
    pub read_at: Option<DateTime<Utc>>,
}

/// Who reads: the office and the steering committee see every notice (`all`),
/// others those scoped to their units.
#[derive(Debug, Clone)]
pub struct Reader {
    pub user_id: i64,
    pub all: bool,
    pub unit_ids: Vec<i64>,
}

/// Records the notice of one submitted report version, its scope (the units above
/// the submitting unit) and a pending delivery for each officer in that scope who
/// chose e-mail or the webhook, in one transaction. A second call for the same
/// version does nothing (None); otherwise the notice's id.
pub async fn record(db: &Db, notice: &NewNotice, now: DateTime<Utc>) -> Result<Option<i64>> {
    use crate::tx::ReportTx;
    let ancestors = crate::units::ancestry(db, notice.unit_id).await?;
    let above: Vec<i64> = ancestors.into_iter().filter(|id| *id != notice.unit_id).collect();
    let row = crate::tx::NoticeInsert { notice: notice.clone(), above, created_at: now };
    let ids = in_transaction!(db, tx => { (**tx).insert_notices(std::slice::from_ref(&row)).await? });
    Ok(ids.first().copied())
}

const SELECT: &str = "SELECT n.id, n.report_id, n.version, n.unit_id, u.code AS unit_code, u.name AS unit_name, n.kind,
        n.period_seq, n.submitted_at, n.submitted_by, n.resubmission, r.read_at
 FROM submit_notices n JOIN units u ON u.id = n.unit_id
 LEFT JOIN submit_notice_reads r ON r.notice_id = n.id AND r.user_id = $2
 WHERE n.campaign_id = $1";

fn scope_clause(reader: &Reader) -> Option<String> {
    if reader.all {
        return Some(String::new());
    }
    if reader.unit_ids.is_empty() {
        return None;
    }
    Some(format!(
        " AND n.id IN (SELECT s.notice_id FROM submit_notice_scopes s WHERE s.unit_id IN ({}))",
        crate::id_list(&reader.unit_ids)
    ))
}

/// The notices a reader sees, newest first.
pub async fn list(db: &Db, campaign_id: i64, reader: &Reader, unread_only: bool, limit: i64) -> Result<Vec<NoticeRow>> {
    let Some(scope) = scope_clause(reader) else { return Ok(Vec::new()) };
    let unread = if unread_only { " AND r.read_at IS NULL" } else { "" };
    let sql = format!("{SELECT}{scope}{unread} ORDER BY n.submitted_at DESC, n.id DESC LIMIT {}", limit.clamp(1, 1000));
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(reader.user_id).fetch_all(pool).await)?)
}

/// How many notices the reader has not read.
pub async fn unread_count(db: &Db, campaign_id: i64, reader: &Reader) -> Result<i64> {
    let Some(scope) = scope_clause(reader) else { return Ok(0) };
    let sql = format!(
        "SELECT COUNT(*) FROM submit_notices n
         LEFT JOIN submit_notice_reads r ON r.notice_id = n.id AND r.user_id = $2
         WHERE n.campaign_id = $1 AND r.read_at IS NULL{scope}"
    );
    let (n,): (i64,) =
        with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(reader.user_id).fetch_one(pool).await)?;
    Ok(n)
}

/// Marks notices read for the reader: the ones named, or (None) every notice the
/// reader sees. Notices the reader does not see are left alone. How many were marked.
pub async fn mark_read(
    db: &Db,
    campaign_id: i64,
    reader: &Reader,
    ids: Option<&[i64]>,
    now: DateTime<Utc>,
) -> Result<u64> {
    let Some(scope) = scope_clause(reader) else { return Ok(0) };
    let only = match ids {
        Some([]) => return Ok(0),
        Some(ids) => format!(" AND n.id IN ({})", crate::id_list(ids)),
        None => String::new(),
    };
    let sql = format!(
        "INSERT INTO submit_notice_reads (notice_id, user_id, read_at)
         SELECT n.id, $2, $3 FROM submit_notices n WHERE n.campaign_id = $1{scope}{only}
         ON CONFLICT (notice_id, user_id) DO NOTHING"
    );
    Ok(with_pool!(db, pool => sqlx::query(&sql)
        .bind(campaign_id)
        .bind(reader.user_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?)
}

/// An officer's choice of channels besides the home page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prefs {
    pub by_email: bool,
    pub by_webhook: bool,
}

pub async fn prefs(db: &Db, user_id: i64) -> Result<Prefs> {
    let row: Option<(bool, bool)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT by_email, by_webhook FROM submit_notice_prefs WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|(by_email, by_webhook)| Prefs { by_email, by_webhook }).unwrap_or_default())
}

/// Sets an officer's choice and records it in the audit log, in one transaction.
pub async fn set_prefs(
    db: &Db,
    user_id: i64,
    prefs: Prefs,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<Prefs> {
    let before = self::prefs(db, user_id).await?;
    in_transaction!(db, tx => {
        sqlx::query(
            "INSERT INTO submit_notice_prefs (user_id, by_email, by_webhook, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id) DO UPDATE SET by_email = excluded.by_email, by_webhook = excluded.by_webhook, updated_at = excluded.updated_at",
        )
        .bind(user_id)
        .bind(prefs.by_email)
        .bind(prefs.by_webhook)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        let entry = who.entry("notice.prefs", "user", Some(who.name.clone())).before(&before).after(&prefs);
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(prefs)
}

/// A delivery of a notice, as the office lists them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub notice_id: i64,
    pub user_id: i64,
    pub username: String,
    pub by_email: bool,
    pub by_webhook: bool,
    pub status: String,
    pub attempts: i64,
    pub email_to: String,
    pub email_result: Option<String>,
    pub webhook_result: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The deliveries of a campaign's notices, newest first.
pub async fn deliveries(db: &Db, campaign_id: i64, limit: i64) -> Result<Vec<DeliveryRow>> {
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT d.id, d.notice_id, d.user_id, us.username, d.by_email, d.by_webhook, d.status, d.attempts, d.email_to,
                d.email_result, d.webhook_result, d.created_at, d.finished_at
         FROM submit_notice_deliveries d JOIN submit_notices n ON n.id = d.notice_id JOIN users us ON us.id = d.user_id
         WHERE n.campaign_id = $1 ORDER BY d.id DESC LIMIT $2",
    )
    .bind(campaign_id)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// A delivery claimed for a try, with what it needs to be sent.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub notice_id: i64,
    pub user_id: i64,
    pub by_email: bool,
    pub by_webhook: bool,
    /// This try's number (1 for the first).
    pub attempts: i64,
    pub email_result: Option<String>,
    pub webhook_result: Option<String>,
}

/// Claims the deliveries whose try is due at `now` (first tries and retries), in one
/// atomic UPDATE: two instances never both claim one.
pub async fn claim_due(db: &Db, holder: &str, now: DateTime<Utc>, limit: i64) -> Result<Vec<Claimed>> {
    let now_ms = now.timestamp_millis();
    Ok(with_pool!(db, pool => sqlx::query_as(
        "UPDATE submit_notice_deliveries
         SET status = 'sending', attempts = attempts + 1, next_attempt_ms = NULL, claimed_by = $1, claimed_at = $2
         WHERE id IN (SELECT id FROM submit_notice_deliveries
                      WHERE next_attempt_ms IS NOT NULL AND next_attempt_ms <= $3 AND status IN ('pending', 'failed')
                      ORDER BY id LIMIT $4)
           AND next_attempt_ms IS NOT NULL
         RETURNING id, notice_id, user_id, by_email, by_webhook, attempts, email_result, webhook_result",
    )
    .bind(holder)
    .bind(now)
    .bind(now_ms)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// Records how a try went (`next_attempt` of the row: when a failed one is tried again).
pub async fn finish(db: &Db, row: crate::reminder_deliveries::Finished) -> Result<()> {
    crate::reminder_deliveries::finish_in(db, "submit_notice_deliveries", &[row]).await
}

/// One notice with its unit, for a delivery's message.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<NoticeRow>> {
    // No reader: the read mark of user -1 (none).
    let sql = "SELECT n.id, n.report_id, n.version, n.unit_id, u.code AS unit_code, u.name AS unit_name, n.kind,
                n.period_seq, n.submitted_at, n.submitted_by, n.resubmission, r.read_at
         FROM submit_notices n JOIN units u ON u.id = n.unit_id
         LEFT JOIN submit_notice_reads r ON r.notice_id = n.id AND r.user_id = -1
         WHERE n.id = $1";
    Ok(with_pool!(db, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)?)
}

/// A user's e-mail address, if any.
pub async fn email_of(db: &Db, user_id: i64) -> Result<Option<String>> {
    let row: Option<(Option<String>,)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT email FROM users WHERE id = $1 AND active",
    )
    .bind(user_id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.and_then(|r| r.0).filter(|e| !e.trim().is_empty()))
}
