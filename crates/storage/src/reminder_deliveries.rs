//! Reminders sent to units that have not submitted their weekly report: one row per
//! (campaign, unit, period, kind). The row is claimed before anything is sent
//! (INSERT … ON CONFLICT DO NOTHING RETURNING), so a reminder goes out at most once
//! whichever instance or catch-up run tries it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use phongtrao_domain::plan::Level;

use crate::{with_pool, Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub period_seq: i64,
    pub kind: String,
    pub deadline: DateTime<Utc>,
    pub claimed_at: DateTime<Utc>,
    pub claimed_by: String,
    pub status: String,
    pub email_to: String,
    pub email_result: Option<String>,
    pub webhook_result: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
    /// How many times it was tried.
    pub attempts: i64,
    /// When the next try is due (Unix ms); None: the status is final.
    pub next_attempt_ms: Option<i64>,
}

/// A unit claimed for a reminder by this run.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: i64,
    pub unit_id: i64,
}

/// Claims a reminder for every active unit of the reporting `levels` that has no
/// submitted weekly report for `period_seq` and no reminder of this kind yet.
#[allow(clippy::too_many_arguments)]
pub async fn claim_missing(
    db: &Db,
    campaign_id: i64,
    levels: &[Level],
    period_seq: i64,
    kind: &str,
    deadline: DateTime<Utc>,
    holder: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Claimed>> {
    if levels.is_empty() {
        return Ok(Vec::new());
    }
    let levels = crate::level_list(levels);
    let sql = format!(
        "INSERT INTO reminder_deliveries (campaign_id, unit_id, period_seq, kind, deadline, claimed_at, claimed_by, status)
         SELECT $1, u.id, $2, $3, $4, $5, $6, 'pending' FROM units u
         WHERE u.active AND u.level IN ({levels})
           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.campaign_id = $1 AND r.unit_id = u.id
                           AND r.kind = 'weekly' AND r.period_seq = $2 AND r.first_submitted_at IS NOT NULL)
         ORDER BY u.id
         ON CONFLICT (campaign_id, unit_id, period_seq, kind) DO NOTHING
         RETURNING id, unit_id"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql)
        .bind(campaign_id)
        .bind(period_seq)
        .bind(kind)
        .bind(deadline)
        .bind(now)
        .bind(holder)
        .fetch_all(pool)
        .await)?)
}

/// The kind of the reminders before the emulation self-assessment deadline (period 0).
pub const SELF_ASSESSMENT: &str = "self_assessment";

/// Claims a self-assessment reminder for every active unit of `unit_ids` that has
/// not self-scored all `assessed` criteria of the campaign, and has no such reminder
/// yet (the same unique key as the weekly reminders: at most one per unit).
pub async fn claim_self_assessment(
    db: &Db,
    campaign_id: i64,
    unit_ids: &[i64],
    assessed: i64,
    deadline: DateTime<Utc>,
    holder: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Claimed>> {
    if unit_ids.is_empty() || assessed <= 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "INSERT INTO reminder_deliveries (campaign_id, unit_id, period_seq, kind, deadline, claimed_at, claimed_by, status)
         SELECT $1, u.id, 0, '{SELF_ASSESSMENT}', $2, $3, $4, 'pending' FROM units u
         WHERE u.active AND u.id IN ({})
           AND (SELECT COUNT(*) FROM emulation_scores s JOIN emulation_criteria c ON c.id = s.criterion_id
                WHERE s.campaign_id = $1 AND s.unit_id = u.id AND c.rule_kind = 'assessed') < $5
         ORDER BY u.id
         ON CONFLICT (campaign_id, unit_id, period_seq, kind) DO NOTHING
         RETURNING id, unit_id",
        crate::id_list(unit_ids)
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql)
        .bind(campaign_id)
        .bind(deadline)
        .bind(now)
        .bind(holder)
        .bind(assessed)
        .fetch_all(pool)
        .await)?)
}

/// How one claimed delivery went, written for a round of reminders by
/// `Finishing` (a thousand at a time, not one commit per unit: a national
/// round is 100,000 reminders, and a commit each held the write lock from the
/// submissions of the hours before the deadline, #24).
#[derive(Debug, Clone)]
pub struct Finished {
    pub id: i64,
    pub status: String,
    pub email_to: String,
    pub email_result: Option<String>,
    pub webhook_result: Option<String>,
    pub at: DateTime<Utc>,
    /// When a failed one is tried again (None: the status is final).
    pub next_attempt: Option<DateTime<Utc>>,
}

impl Finished {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        id: i64,
        status: &str,
        email_to: &str,
        email_result: Option<&str>,
        webhook_result: Option<&str>,
        at: DateTime<Utc>,
        next_attempt: Option<DateTime<Utc>>,
    ) -> Finished {
        Finished {
            id,
            status: status.to_string(),
            email_to: email_to.to_string(),
            email_result: email_result.map(str::to_string),
            webhook_result: webhook_result.map(str::to_string),
            at,
            next_attempt,
        }
    }
}

/// How the reminders of a round went, written a thousand at a time (500 rows a
/// statement). The claims were written before anything was sent (at most once);
/// if the server stops before a thousand is written, those rows stay "pending".
pub struct Finishing<'a> {
    db: &'a Db,
    rows: Vec<Finished>,
}

impl<'a> Finishing<'a> {
    const AT_ONCE: usize = 1000;

    pub fn new(db: &'a Db) -> Finishing<'a> {
        Finishing { db, rows: Vec::new() }
    }

    pub async fn push(&mut self, row: Finished) -> Result<()> {
        self.rows.push(row);
        if self.rows.len() >= Self::AT_ONCE {
            finish_in(self.db, "reminder_deliveries", &std::mem::take(&mut self.rows)).await?;
        }
        Ok(())
    }

    /// Writes what is left.
    pub async fn done(self) -> Result<()> {
        finish_in(self.db, "reminder_deliveries", &self.rows).await
    }
}

/// How deliveries went, in a table of deliveries (reminders, submission notices): the
/// same columns and the same retry clock in both. One UPDATE per 500 rows (7
/// parameters a row: under both databases' limits).
pub(crate) async fn finish_in(db: &Db, table: &'static str, rows: &[Finished]) -> Result<()> {
    // VALUES columns are named column1… on both SQLite and PostgreSQL.
    let head = format!(
        "UPDATE {table} SET status = v.column2, email_to = v.column3, email_result = v.column4, webhook_result = v.column5,
                finished_at = v.column6, next_attempt_ms = v.column7 FROM ("
    );
    let tail = format!(") AS v WHERE {table}.id = v.column1");
    for chunk in rows.chunks(500) {
        with_pool!(db, pool => {
            let mut q = sqlx::QueryBuilder::new(&head);
            q.push_values(chunk, |mut row, r| {
                row.push_bind(r.id)
                    .push_bind(r.status.as_str())
                    .push_bind(r.email_to.as_str())
                    .push_bind(r.email_result.as_deref())
                    .push_bind(r.webhook_result.as_deref())
                    .push_bind(r.at)
                    .push_bind(r.next_attempt.map(|t| t.timestamp_millis()));
            });
            q.push(&tail);
            q.build().execute(pool).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// A failed reminder claimed for another try.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Retry {
    pub id: i64,
    pub unit_id: i64,
    pub period_seq: i64,
    pub kind: String,
    pub deadline: DateTime<Utc>,
    /// This try's number (2 for the first retry).
    pub attempts: i64,
    pub email_result: Option<String>,
    pub webhook_result: Option<String>,
}

/// Claims the failed reminders of a campaign whose next try is due at `now`, in one
/// atomic UPDATE (two instances never both claim one): they become `pending` again
/// with one more attempt. Those of units that have submitted meanwhile are not tried
/// again (their next try is cancelled).
pub async fn claim_retries(db: &Db, campaign_id: i64, holder: &str, now: DateTime<Utc>) -> Result<Vec<Retry>> {
    let now_ms = now.timestamp_millis();
    with_pool!(db, pool => sqlx::query(
        "UPDATE reminder_deliveries SET next_attempt_ms = NULL
         WHERE campaign_id = $1 AND status = 'failed' AND next_attempt_ms IS NOT NULL
           AND EXISTS (SELECT 1 FROM reports r WHERE r.campaign_id = $1 AND r.unit_id = reminder_deliveries.unit_id
                       AND r.kind = 'weekly' AND r.period_seq = reminder_deliveries.period_seq
                       AND r.first_submitted_at IS NOT NULL)",
    )
    .bind(campaign_id)
    .execute(pool)
    .await.map(|r| r.rows_affected()))?;
    Ok(with_pool!(db, pool => sqlx::query_as(
        "UPDATE reminder_deliveries
         SET status = 'pending', attempts = attempts + 1, next_attempt_ms = NULL, claimed_by = $2, claimed_at = $3
         WHERE campaign_id = $1 AND status = 'failed' AND next_attempt_ms IS NOT NULL AND next_attempt_ms <= $4
         RETURNING id, unit_id, period_seq, kind, deadline, attempts, email_result, webhook_result",
    )
    .bind(campaign_id)
    .bind(holder)
    .bind(now)
    .bind(now_ms)
    .fetch_all(pool)
    .await)?)
}

/// The reminders of a campaign, newest first.
pub async fn list(db: &Db, campaign_id: i64, limit: i64) -> Result<Vec<DeliveryRow>> {
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT d.id, d.campaign_id, d.unit_id, u.code AS unit_code, u.name AS unit_name, d.period_seq, d.kind,
                d.deadline, d.claimed_at, d.claimed_by, d.status, d.email_to, d.email_result, d.webhook_result, d.finished_at,
                d.attempts, d.next_attempt_ms
         FROM reminder_deliveries d JOIN units u ON u.id = d.unit_id
         WHERE d.campaign_id = $1 ORDER BY d.id DESC LIMIT $2",
    )
    .bind(campaign_id)
    .bind(limit)
    .fetch_all(pool)
    .await)?)
}

/// The e-mail addresses of the active users attached to each of the units (units
/// without one are left out).
pub async fn emails_of_units(db: &Db, unit_ids: &[i64]) -> Result<HashMap<i64, Vec<String>>> {
    if unit_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT uu.unit_id, us.email FROM users us JOIN user_units uu ON uu.user_id = us.id
         WHERE uu.unit_id IN ({}) AND us.active AND us.email IS NOT NULL AND us.email <> ''
         ORDER BY uu.unit_id, us.email",
        crate::id_list(unit_ids)
    );
    let rows: Vec<(i64, String)> = with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (unit, email) in rows {
        out.entry(unit).or_default().push(email);
    }
    Ok(out)
}

/// A scheduler run: opened when it starts, closed with its counts.
pub async fn start_run(db: &Db, holder: &str, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<i64> {
    let (id,): (i64,) = with_pool!(db, pool => sqlx::query_as(
        "INSERT INTO reminder_runs (holder, at, started_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(holder)
    .bind(at)
    .bind(now)
    .fetch_one(pool)
    .await)?;
    Ok(id)
}

pub async fn finish_run(db: &Db, id: i64, claimed: i64, sent: i64, failed: i64, now: DateTime<Utc>) -> Result<()> {
    with_pool!(db, pool => sqlx::query(
        "UPDATE reminder_runs SET finished_at = $2, claimed = $3, sent = $4, failed = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(claimed)
    .bind(sent)
    .bind(failed)
    .execute(pool)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}
