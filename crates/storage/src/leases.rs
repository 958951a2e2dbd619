//! Leases: one row per periodic job; the app instance that holds an unexpired lease
//! runs the job, the others skip it. Taken with one atomic UPDATE, so two instances
//! never both hold it (on SQLite and on PostgreSQL alike).

use chrono::{DateTime, Utc};

use crate::{with_pool, Db, Result};

/// Takes (or renews) the lease `name` for `holder` until `now + ttl`; true when this
/// holder has it now. Another holder's lease is taken only once it has expired.
pub async fn try_take(db: &Db, name: &str, holder: &str, now: DateTime<Utc>, ttl: chrono::Duration) -> Result<bool> {
    let now_ms = now.timestamp_millis();
    let until_ms = (now + ttl).timestamp_millis();
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO leases (name, holder, expires_at_ms) VALUES ($1, '', 0) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .execute(pool)
    .await.map(|r| r.rows_affected()))?;
    let taken = with_pool!(db, pool => sqlx::query(
        "UPDATE leases SET holder = $2, expires_at_ms = $3 WHERE name = $1 AND (expires_at_ms < $4 OR holder = $2)",
    )
    .bind(name)
    .bind(holder)
    .bind(until_ms)
    .bind(now_ms)
    .execute(pool)
    .await.map(|r| r.rows_affected()))?;
    Ok(taken == 1)
}

/// Gives the lease back (only if this holder has it), so another instance may run
/// the job at once.
pub async fn release(db: &Db, name: &str, holder: &str) -> Result<()> {
    with_pool!(db, pool => sqlx::query("UPDATE leases SET expires_at_ms = 0 WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The prefix of the leases app instances renew while they serve (`instance:HOLDER`):
/// `restore` and `migrate` look for them before they touch the database.
pub const INSTANCE_PREFIX: &str = "instance:";

/// The leases whose name starts with `prefix` and that have not expired at `now`:
/// (name, holder, expiry in Unix milliseconds).
pub async fn live(db: &Db, prefix: &str, now: DateTime<Utc>) -> Result<Vec<(String, String, i64)>> {
    let pattern = format!("{}%", prefix.replace('%', "").replace('_', "\\_"));
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT name, holder, expires_at_ms FROM leases WHERE name LIKE $1 ESCAPE '\\' AND expires_at_ms >= $2 ORDER BY name",
    )
    .bind(pattern)
    .bind(now.timestamp_millis())
    .fetch_all(pool)
    .await)?)
}

/// Removes the lease row (an instance that stops cleanly).
pub async fn remove(db: &Db, name: &str, holder: &str) -> Result<()> {
    with_pool!(db, pool => sqlx::query("DELETE FROM leases WHERE name = $1 AND holder = $2")
        .bind(name)
        .bind(holder)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}
