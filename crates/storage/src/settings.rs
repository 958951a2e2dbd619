//! Settings stored with the data (not in a process): every app instance sees them.

use chrono::{DateTime, Utc};

use crate::{with_pool, Db, Result};

/// Set when the database holds simulated reports (`phongtrao demo`): every page says so.
pub const SIMULATED: &str = "simulated";

pub async fn get(db: &Db, key: &str) -> Result<Option<String>> {
    let row: Option<(String,)> = with_pool!(db, pool => sqlx::query_as("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await)?;
    Ok(row.map(|(v,)| v))
}

pub async fn set(db: &Db, key: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
    with_pool!(db, pool => sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3")
        .bind(key)
        .bind(value)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}
