//! Allocations: each unit's share of a count goal, set by hand or proportionally.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::audit::Who;
use crate::{in_transaction, with_pool, Db, Result};

/// unit id → goal, for one indicator.
pub async fn for_indicator(db: &Db, campaign_id: i64, key: &str) -> Result<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = with_pool!(db, pool => sqlx::query_as("SELECT unit_id, goal FROM allocations WHERE campaign_id = $1 AND indicator_key = $2")
        .bind(campaign_id)
        .bind(key)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().collect())
}

/// (indicator, unit id) → goal, for some units.
pub async fn for_units(db: &Db, campaign_id: i64, unit_ids: &[i64]) -> Result<HashMap<(String, i64), i64>> {
    if unit_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list: Vec<String> = unit_ids.iter().map(|u| u.to_string()).collect();
    let sql = format!(
        "SELECT indicator_key, unit_id, goal FROM allocations WHERE campaign_id = $1 AND unit_id IN ({})",
        list.join(",")
    );
    let rows: Vec<(String, i64, i64)> =
        with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(k, u, g)| ((k, u), g)).collect())
}

/// (indicator, unit id) → goal, for the whole campaign.
pub async fn all(db: &Db, campaign_id: i64) -> Result<HashMap<(String, i64), i64>> {
    let rows: Vec<(String, i64, i64)> = with_pool!(db, pool => sqlx::query_as("SELECT indicator_key, unit_id, goal FROM allocations WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(|(k, u, g)| ((k, u), g)).collect())
}

/// Stores the goals of several units for one indicator in one transaction.
pub async fn set(
    db: &Db,
    campaign_id: i64,
    key: &str,
    goals: &[(i64, i64)],
    method: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<()> {
    in_transaction!(db, tx => {
        let before: Vec<(i64, i64)> = sqlx::query_as("SELECT unit_id, goal FROM allocations WHERE campaign_id = $1 AND indicator_key = $2")
            .bind(campaign_id)
            .bind(key)
            .fetch_all(&mut **tx)
            .await?;
        for (unit_id, goal) in goals {
            sqlx::query(
                "INSERT INTO allocations (campaign_id, indicator_key, unit_id, goal, method, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (campaign_id, indicator_key, unit_id) DO UPDATE SET goal = $4, method = $5, updated_at = $6, updated_by = $7",
            )
            .bind(campaign_id)
            .bind(key)
            .bind(unit_id)
            .bind(goal)
            .bind(method)
            .bind(now)
            .bind(&who.name)
            .execute(&mut **tx)
            .await?;
        }
        let entry = who
            .entry("allocation.set", "indicator", Some(key.to_string()))
            .before(&before)
            .after(&serde_json::json!({"method": method, "goals": goals}));
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}
