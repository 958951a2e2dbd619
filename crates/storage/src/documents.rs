//! What the documents (final and weekly reports, workbooks) read beyond the
//! consolidated figures: the activities and the notes of the counted weekly reports
//! of a set of units, and the texts the office writes itself (document number,
//! signer, opening, conclusions), kept in `settings` and changed through the audit log.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use crate::audit::Who;
use crate::{id_list, in_transaction, with_pool, Db, Result};

/// An activity a unit logged in a counted weekly report.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UnitActivity {
    pub unit_id: i64,
    pub period_seq: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub area: String,
    pub place: String,
    pub participants: Option<i64>,
    pub funds_vnd: Option<i64>,
    pub result: String,
}

/// The three notes of a counted weekly report (at least one not empty).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UnitNotes {
    pub unit_id: i64,
    pub period_seq: i64,
    pub highlights: String,
    pub difficulties: String,
    pub proposals: String,
}

/// Activities of the counted (submitted or accepted) weekly reports of these units in
/// periods `from_seq..=to_seq`, by date.
pub async fn activities(
    db: &Db,
    campaign_id: i64,
    unit_ids: &[i64],
    from_seq: i64,
    to_seq: i64,
) -> Result<Vec<UnitActivity>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT r.unit_id, r.period_seq, a.title, a.held_on, a.area, a.place, a.participants, a.funds_vnd, a.result
         FROM report_activities a JOIN reports r ON r.id = a.report_id
         WHERE r.campaign_id = $1 AND r.kind = 'weekly' AND r.status IN ('submitted', 'accepted')
           AND r.period_seq >= $2 AND r.period_seq <= $3 AND r.unit_id IN ({})
         ORDER BY a.held_on, r.unit_id, a.position",
        id_list(unit_ids)
    );
    Ok(
        with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(from_seq).bind(to_seq).fetch_all(pool).await)?,
    )
}

/// Notes of the counted weekly reports of these units in periods `from_seq..=to_seq`.
pub async fn notes(db: &Db, campaign_id: i64, unit_ids: &[i64], from_seq: i64, to_seq: i64) -> Result<Vec<UnitNotes>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT unit_id, period_seq, highlights, difficulties, proposals FROM reports
         WHERE campaign_id = $1 AND kind = 'weekly' AND status IN ('submitted', 'accepted')
           AND period_seq >= $2 AND period_seq <= $3 AND unit_id IN ({})
           AND (highlights <> '' OR difficulties <> '' OR proposals <> '')
         ORDER BY period_seq, unit_id",
        id_list(unit_ids)
    );
    Ok(
        with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(from_seq).bind(to_seq).fetch_all(pool).await)?,
    )
}

/// The settings key of a document's office-written texts.
pub fn texts_key(document: &str) -> String {
    format!("document.{document}")
}

/// The stored texts of a document (JSON), if the office wrote any.
pub async fn texts(db: &Db, document: &str) -> Result<Option<String>> {
    crate::settings::get(db, &texts_key(document)).await
}

/// Stores the texts of a document (JSON), with the audit entry in the same transaction.
pub async fn set_texts(db: &Db, document: &str, json: &str, who: &Who, now: DateTime<Utc>) -> Result<()> {
    let key = texts_key(document);
    in_transaction!(db, tx => {
        let before: Option<(String,)> = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(&key)
            .fetch_optional(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3",
        )
        .bind(&key)
        .bind(json)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap_or(serde_json::Value::Null);
        let mut entry = who.entry("document.texts", "document", Some(document.to_string())).after(&parse(json));
        if let Some((b,)) = before {
            entry = entry.before(&parse(&b));
        }
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}
