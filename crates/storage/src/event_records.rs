//! What happened at the province's events and at each unit's launch and closing.

use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::event_record::{EventRecord, EventStatus, UnitEventKind};
use serde::Serialize;

use crate::audit::Who;
use crate::columns::Text;
use crate::{in_transaction, with_pool, Db, Result, StorageError};

/// A province event of the plan with what is known of it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ProvinceEvent {
    pub number: i64,
    pub title: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub host_unit_code: Option<String>,
    #[sqlx(try_from = "Text<EventStatus>")]
    pub status: String,
    pub held_on: Option<NaiveDate>,
    pub participants: Option<i64>,
    pub status_reason: Option<String>,
    pub results: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by: Option<String>,
}

const PROVINCE_COLUMNS: &str = "number, title, starts_on, ends_on, place, host_unit_code, status, held_on, participants, status_reason, results, updated_at, updated_by";

pub async fn province(db: &Db, campaign_id: i64) -> Result<Vec<ProvinceEvent>> {
    let sql = format!("SELECT {PROVINCE_COLUMNS} FROM events WHERE campaign_id = $1 ORDER BY number");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)?)
}

/// Records what happened at a province event (and its host unit), with the values
/// before and after in the audit log.
pub async fn set_province(
    db: &Db,
    campaign_id: i64,
    number: i64,
    record: &EventRecord,
    host_unit_code: Option<&str>,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<ProvinceEvent> {
    let select = format!("SELECT {PROVINCE_COLUMNS} FROM events WHERE campaign_id = $1 AND number = $2");
    in_transaction!(db, tx => {
        let before: Option<ProvinceEvent> = sqlx::query_as(&select).bind(campaign_id).bind(number).fetch_optional(&mut **tx).await?;
        let Some(before) = before else {
            return Err(StorageError::NotFound(format!("hoạt động số {number} / event {number}")));
        };
        sqlx::query(
            "UPDATE events SET status = $3, held_on = $4, place = $5, participants = $6, status_reason = $7, results = $8, host_unit_code = $9, updated_at = $10, updated_by = $11
             WHERE campaign_id = $1 AND number = $2",
        )
        .bind(campaign_id)
        .bind(number)
        .bind(Text(record.status))
        .bind(record.held_on)
        .bind(Some(record.place.as_str()).filter(|p| !p.is_empty()))
        .bind(record.participants)
        .bind(&record.reason)
        .bind(&record.results)
        .bind(host_unit_code)
        .bind(now)
        .bind(&who.name)
        .execute(&mut **tx)
        .await?;
        let after: ProvinceEvent = sqlx::query_as(&select).bind(campaign_id).bind(number).fetch_one(&mut **tx).await?;
        let entry = who.entry("event.record", "event", Some(number.to_string())).before(&before).after(&after);
        crate::audit_in_tx!(tx, &entry, now);
        Ok(after)
    })
}

/// A unit's launch or closing as recorded.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct UnitEventRow {
    pub unit_id: i64,
    #[sqlx(try_from = "Text<UnitEventKind>")]
    pub kind: String,
    #[sqlx(try_from = "Text<EventStatus>")]
    pub status: String,
    pub held_on: Option<NaiveDate>,
    pub place: String,
    pub participants: Option<i64>,
    pub status_reason: String,
    pub results: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

const UNIT_COLUMNS: &str =
    "unit_id, kind, status, held_on, place, participants, status_reason, results, updated_at, updated_by";

/// Every unit's launch and closing recorded in the campaign.
pub async fn units(db: &Db, campaign_id: i64) -> Result<Vec<UnitEventRow>> {
    let sql = format!("SELECT {UNIT_COLUMNS} FROM unit_events WHERE campaign_id = $1 ORDER BY unit_id, kind");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)?)
}

pub async fn set_unit(
    db: &Db,
    campaign_id: i64,
    unit_id: i64,
    kind: UnitEventKind,
    record: &EventRecord,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<UnitEventRow> {
    let select =
        format!("SELECT {UNIT_COLUMNS} FROM unit_events WHERE campaign_id = $1 AND unit_id = $2 AND kind = $3");
    in_transaction!(db, tx => {
        let before: Option<UnitEventRow> =
            sqlx::query_as(&select).bind(campaign_id).bind(unit_id).bind(Text(kind)).fetch_optional(&mut **tx).await?;
        sqlx::query(
            "INSERT INTO unit_events (campaign_id, unit_id, kind, status, held_on, place, participants, status_reason, results, updated_at, updated_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (campaign_id, unit_id, kind) DO UPDATE SET status = $4, held_on = $5, place = $6, participants = $7, status_reason = $8, results = $9, updated_at = $10, updated_by = $11",
        )
        .bind(campaign_id)
        .bind(unit_id)
        .bind(Text(kind))
        .bind(Text(record.status))
        .bind(record.held_on)
        .bind(&record.place)
        .bind(record.participants)
        .bind(&record.reason)
        .bind(&record.results)
        .bind(now)
        .bind(&who.name)
        .execute(&mut **tx)
        .await?;
        let after: UnitEventRow =
            sqlx::query_as(&select).bind(campaign_id).bind(unit_id).bind(Text(kind)).fetch_one(&mut **tx).await?;
        let entry = who
            .entry(&format!("unit_event.{}", kind.as_str()), "unit", Some(unit_id.to_string()))
            .unit(Some(unit_id))
            .before(&before)
            .after(&after);
        crate::audit_in_tx!(tx, &entry, now);
        Ok(after)
    })
}
