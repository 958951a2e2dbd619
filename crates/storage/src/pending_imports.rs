//! Uploaded files awaiting confirmation.

use chrono::{DateTime, Utc};

use crate::{with_pool, Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingImport {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub file_name: String,
    pub payload_json: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

pub async fn create(
    db: &Db,
    user_id: i64,
    kind: &str,
    file_name: &str,
    payload_json: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    let sql = "INSERT INTO pending_imports (user_id, kind, file_name, payload_json, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let (id,): (i64,) = with_pool!(db, pool => sqlx::query_as(sql).bind(user_id).bind(kind).bind(file_name).bind(payload_json).bind(now).fetch_one(pool).await)?;
    Ok(id)
}

/// A pending import of this user, not yet confirmed.
pub async fn get(db: &Db, id: i64, user_id: i64) -> Result<Option<PendingImport>> {
    let sql = "SELECT id, user_id, kind, file_name, payload_json, created_at, confirmed_at FROM pending_imports
               WHERE id = $1 AND user_id = $2 AND confirmed_at IS NULL";
    Ok(with_pool!(db, pool => sqlx::query_as(sql).bind(id).bind(user_id).fetch_optional(pool).await)?)
}

pub async fn mark_confirmed(db: &Db, id: i64, now: DateTime<Utc>) -> Result<()> {
    with_pool!(db, pool => sqlx::query("UPDATE pending_imports SET confirmed_at = $1 WHERE id = $2").bind(now).bind(id).execute(pool).await.map(|_| ()))?;
    Ok(())
}

/// Replaces the payload of a pending import (a reviewer's edits).
pub async fn update_payload(db: &Db, id: i64, user_id: i64, payload_json: &str) -> Result<()> {
    with_pool!(db, pool => sqlx::query("UPDATE pending_imports SET payload_json = $1 WHERE id = $2 AND user_id = $3 AND confirmed_at IS NULL")
        .bind(payload_json)
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}
