//! Failed-login counters per key (account + client, client), in the database so
//! every app instance sees the same counts.

use chrono::{DateTime, Duration, Utc};
use phongtrao_domain::throttle::{delay_after, WINDOW_MINUTES};

use crate::{in_transaction, with_pool, Db, Result};

/// When the key may try again, if it must wait.
pub async fn locked_until(db: &Db, key: &str) -> Result<Option<DateTime<Utc>>> {
    let row: Option<(Option<DateTime<Utc>>,)> = with_pool!(db, pool =>
        sqlx::query_as("SELECT locked_until FROM login_throttle WHERE key = $1").bind(key).fetch_optional(pool).await)?;
    Ok(row.and_then(|(t,)| t))
}

/// Whether this wait of `key` (ending at `until`) is new to the audit log: true
/// once per wait, however many attempts are refused during it.
pub async fn note_wait(db: &Db, key: &str, until: DateTime<Utc>) -> Result<bool> {
    let n = with_pool!(db, pool => sqlx::query(
        "UPDATE login_throttle SET noted_until = $2 WHERE key = $1 AND (noted_until IS NULL OR noted_until <> $2)",
    )
    .bind(key)
    .bind(until)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Counts one more failure and returns the new count; past `free` failures the key
/// must wait before its next attempt.
pub async fn record_failure(db: &Db, key: &str, free: i64, now: DateTime<Utc>) -> Result<i64> {
    let failures = in_transaction!(db, tx => {
        let row: Option<(i64, DateTime<Utc>)> = sqlx::query_as("SELECT failures, first_failure_at FROM login_throttle WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut **tx)
            .await?;
        let (failures, first) = match row {
            Some((n, first)) if now - first < Duration::minutes(WINDOW_MINUTES) => (n + 1, first),
            _ => (1, now),
        };
        let delay = delay_after(failures, free);
        let locked = (delay > Duration::zero()).then(|| now + delay);
        sqlx::query(
            "INSERT INTO login_throttle (key, failures, first_failure_at, locked_until) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key) DO UPDATE SET failures = $2, first_failure_at = $3, locked_until = $4",
        )
        .bind(key)
        .bind(failures)
        .bind(first)
        .bind(locked)
        .execute(&mut **tx)
        .await?;
        failures
    });
    Ok(failures)
}

pub async fn reset(db: &Db, key: &str) -> Result<()> {
    with_pool!(db, pool => sqlx::query("DELETE FROM login_throttle WHERE key = $1").bind(key).execute(pool).await.map(|_| ()))?;
    Ok(())
}
