//! Reminders (nhắc nhở): a notice the office sends to the units that have not
//! reported a period yet; the unit's home page shows it.

use chrono::{DateTime, Utc};

use crate::audit::Who;
use crate::{in_transaction, with_pool, Db, Result};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ReminderRow {
    pub id: i64,
    pub unit_id: i64,
    pub period_seq: i64,
    pub sent_at: DateTime<Utc>,
    pub sent_by: String,
}

const COLUMNS: &str = "id, unit_id, period_seq, sent_at, sent_by";

/// Records one reminder per unit for the period, with one audit entry, in one
/// transaction. Returns how many were recorded.
pub async fn record(
    db: &Db,
    campaign_id: i64,
    period_seq: i64,
    unit_ids: &[i64],
    unit_codes: &[String],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<usize> {
    if unit_ids.is_empty() {
        return Ok(0);
    }
    in_transaction!(db, tx => {
        for unit_id in unit_ids {
            sqlx::query(
                "INSERT INTO reminders (campaign_id, unit_id, period_seq, sent_at, sent_by) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(campaign_id)
            .bind(unit_id)
            .bind(period_seq)
            .bind(now)
            .bind(&who.name)
            .execute(&mut **tx)
            .await?;
        }
        let entry = who
            .entry("reminder.send", "period", Some(period_seq.to_string()))
            .after(&serde_json::json!({"period": period_seq, "units": unit_codes}));
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(unit_ids.len())
}

/// A unit's reminders, newest first.
pub async fn for_unit(db: &Db, campaign_id: i64, unit_id: i64, limit: i64) -> Result<Vec<ReminderRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reminders WHERE campaign_id = $1 AND unit_id = $2 ORDER BY id DESC LIMIT {}",
        limit.clamp(1, 500)
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(unit_id).fetch_all(pool).await)?)
}

/// The reminders of a period, oldest first.
pub async fn for_period(db: &Db, campaign_id: i64, period_seq: i64) -> Result<Vec<ReminderRow>> {
    let sql = format!("SELECT {COLUMNS} FROM reminders WHERE campaign_id = $1 AND period_seq = $2 ORDER BY id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(period_seq).fetch_all(pool).await)?)
}

/// When any of these units was last reminded of the period (None: never).
pub async fn last_sent(db: &Db, campaign_id: i64, period_seq: i64, unit_ids: &[i64]) -> Result<Option<DateTime<Utc>>> {
    if unit_ids.is_empty() {
        return Ok(None);
    }
    let sql = format!(
        "SELECT MAX(sent_at) FROM reminders WHERE campaign_id = $1 AND period_seq = $2 AND unit_id IN ({})",
        crate::id_list(unit_ids)
    );
    let (at,): (Option<DateTime<Utc>>,) =
        with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(period_seq).fetch_one(pool).await)?;
    Ok(at)
}

/// A reminder sent by a person (dashboard, reminders page or API), with its unit.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SentRow {
    pub unit_code: String,
    pub unit_name: String,
    pub period_seq: i64,
    pub sent_at: DateTime<Utc>,
    pub sent_by: String,
}

/// The reminders people sent in the campaign, newest first.
pub async fn recent(db: &Db, campaign_id: i64, limit: i64) -> Result<Vec<SentRow>> {
    let sql = format!(
        "SELECT u.code AS unit_code, u.name AS unit_name, r.period_seq, r.sent_at, r.sent_by
         FROM reminders r JOIN units u ON u.id = r.unit_id
         WHERE r.campaign_id = $1 ORDER BY r.sent_at DESC, r.id DESC LIMIT {}",
        limit.clamp(1, 5000)
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)?)
}
