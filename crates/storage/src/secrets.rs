//! Server-wide secrets shared by every app instance, made on first use.

use crate::{with_pool, Db, Result};

/// The secret `name` (hex), creating it from `fresh` when there is none yet; when
/// two instances race, both end up with the one stored first.
pub async fn get_or_create(db: &Db, name: &str, fresh: &str) -> Result<String> {
    with_pool!(db, pool => sqlx::query("INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(fresh)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    let (value,): (String,) = with_pool!(db, pool => sqlx::query_as("SELECT value FROM app_secrets WHERE name = $1")
        .bind(name)
        .fetch_one(pool)
        .await)?;
    Ok(value)
}
