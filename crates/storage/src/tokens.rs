//! API tokens for scripts: only their SHA-256 is stored.

use chrono::{DateTime, Utc};

use crate::sqlite_here::{opt_time, time_text};
use crate::users::UserRow;
use crate::{with_pool, Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// None: made before tokens expired; it lives `DEFAULT_DAYS` after `created_at`.
    pub expires_at: Option<DateTime<Utc>>,
}

/// How long a token lives unless the server is told otherwise (`--token-days`).
pub const DEFAULT_DAYS: i64 = 90;

impl TokenRow {
    /// When the token stops working.
    pub fn expiry(&self) -> DateTime<Utc> {
        self.expires_at.unwrap_or(self.created_at + chrono::Duration::days(DEFAULT_DAYS))
    }

    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expiry() > now
    }
}

/// A token with its owner, for the admins' list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OwnedToken {
    #[sqlx(flatten)]
    pub token: TokenRow,
    pub username: String,
}

const COLUMNS: &str = "t.id, t.user_id, t.name, t.created_at, t.last_used_at, t.revoked_at, t.expires_at";

/// A token living `DEFAULT_DAYS`.
pub async fn create(db: &Db, user_id: i64, name: &str, token_sha256: &str, now: DateTime<Utc>) -> Result<i64> {
    create_until(db, user_id, name, token_sha256, now, now + chrono::Duration::days(DEFAULT_DAYS)).await
}

pub async fn create_until(
    db: &Db,
    user_id: i64,
    name: &str,
    token_sha256: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<i64> {
    let sql = "INSERT INTO api_tokens (user_id, name, token_sha256, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
    let (id,): (i64,) = with_pool!(db, pool => sqlx::query_as(sql).bind(user_id).bind(name).bind(token_sha256).bind(now).bind(expires_at).fetch_one(pool).await)?;
    Ok(id)
}

pub async fn list_for_user(db: &Db, user_id: i64) -> Result<Vec<TokenRow>> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens t WHERE t.user_id = $1 ORDER BY t.id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await)?)
}

/// Every token of every user (or of one user), newest first, with the owner's name.
pub async fn list_all(db: &Db, user_id: Option<i64>) -> Result<Vec<OwnedToken>> {
    let sql = format!(
        "SELECT {COLUMNS}, u.username FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE ($1 IS NULL OR t.user_id = $1) ORDER BY t.id DESC LIMIT 1000"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await)?)
}

/// Revokes a token of `user_id`; false when there is no such live token.
pub async fn revoke(db: &Db, user_id: i64, token_id: i64, now: DateTime<Utc>) -> Result<bool> {
    let sql = "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL";
    let n = with_pool!(db, pool => sqlx::query(sql).bind(now).bind(token_id).bind(user_id).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Revokes any user's token (an admin); the owner's id, or None when there is no
/// such unrevoked token.
pub async fn revoke_any(db: &Db, token_id: i64, now: DateTime<Utc>) -> Result<Option<i64>> {
    let sql = "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL RETURNING user_id";
    let row: Option<(i64,)> =
        with_pool!(db, pool => sqlx::query_as(sql).bind(now).bind(token_id).fetch_optional(pool).await)?;
    Ok(row.map(|(u,)| u))
}

/// Revokes every token of a user inside a transaction (password change, reset,
/// deactivation); `$tx` as `in_transaction!` gives it. How many were live.
#[macro_export]
macro_rules! revoke_all_tokens_in_tx {
    ($tx:expr, $user_id:expr, $now:expr) => {
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
            .bind($now)
            .bind($user_id)
            .execute(&mut **$tx)
            .await?
            .rows_affected()
    };
}

/// The user of a live token with the units given to them, in one read (every API
/// request with a token starts here). "Last used" is noted in `touches` at most once
/// an hour, and written by `flush_touches`.
pub async fn user_by_token(
    db: &Db,
    token_sha256: &str,
    now: DateTime<Utc>,
    touches: &Touches,
) -> Result<Option<(UserRow, Vec<i64>)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        last_used_at: Option<DateTime<Utc>>,
        unit_id: Option<i64>,
    }
    let sql = "SELECT u.id, u.username, u.display_name, u.password_hash, u.role, u.must_change_password, u.active, u.created_at, u.updated_at,
                      t.last_used_at, uu.unit_id
               FROM api_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN user_units uu ON uu.user_id = u.id
               WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL
                 AND (t.expires_at > $2 OR (t.expires_at IS NULL AND t.created_at > $3))
               ORDER BY uu.unit_id";
    let legacy_cutoff = now - chrono::Duration::days(DEFAULT_DAYS);
    let rows: Vec<Row> = match db {
        // On the request's thread (sqlite_here.rs): every API request reads its token.
        Db::Sqlite(s) => s.read_here(|c| {
            let mut statement = c.prepare_cached(sql)?;
            let (now, cutoff) = (time_text(now), time_text(legacy_cutoff));
            let params = rusqlite::named_params! {"$1": token_sha256, "$2": now, "$3": cutoff};
            let rows = statement.query_map(params, |r| {
                Ok(Row { user: UserRow::from_here(r, 0)?, last_used_at: opt_time(r, 9)?, unit_id: r.get(10)? })
            })?;
            rows.collect()
        })?,
        Db::Postgres(pool) => {
            sqlx::query_as(sql).bind(token_sha256).bind(now).bind(legacy_cutoff).fetch_all(pool).await?
        }
    };
    let units = rows.iter().filter_map(|r| r.unit_id).collect();
    let Some(first) = rows.into_iter().next() else {
        return Ok(None);
    };
    if first.last_used_at.is_none_or(|at| now - at > chrono::Duration::hours(1)) {
        touches.note(token_sha256, now);
    }
    Ok(Some((first.user, units)))
}

/// Tokens used since the last flush, kept by each app instance: "last used" is
/// informative only, so it is written in one transaction every few seconds
/// (`flush_touches`) rather than by the request, which would cost every API request
/// a write and a disk flush.
#[derive(Default)]
pub struct Touches {
    pending: std::sync::Mutex<std::collections::HashMap<String, DateTime<Utc>>>,
}

impl Touches {
    fn note(&self, token_sha256: &str, at: DateTime<Utc>) {
        if let Ok(mut p) = self.pending.lock() {
            p.insert(token_sha256.to_string(), at);
        }
    }
}

/// Writes the pending "last used" times (called every few seconds).
pub async fn flush_touches(db: &Db, touches: &Touches) -> Result<usize> {
    let pending: Vec<(String, DateTime<Utc>)> = match touches.pending.lock() {
        Ok(mut p) => p.drain().collect(),
        Err(_) => return Ok(0),
    };
    for chunk in pending.chunks(200) {
        crate::in_transaction!(db, tx => {
            for (digest, at) in chunk {
                sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_sha256 = $2")
                    .bind(*at)
                    .bind(digest)
                    .execute(&mut **tx)
                    .await?;
            }
        });
    }
    Ok(pending.len())
}
