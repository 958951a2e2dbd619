//! The audit log: who did what, when, with the value before and after.
//! Times are stored in UTC and shown in the campaign's time zone.

use chrono::{DateTime, Utc};

use crate::{with_pool, Db, Result};

#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub actor_user_id: Option<i64>,
    /// The username, or "system" / "cli" for actions without a logged-in user.
    pub actor_name: String,
    /// "login.success", "unit.create", "plan.load", ...
    pub action: String,
    pub entity: String,
    pub entity_key: Option<String>,
    pub unit_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub client: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_key: Option<String>,
    pub unit_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub client: Option<String>,
}

pub async fn record(db: &Db, entry: &AuditEntry, at: DateTime<Utc>) -> Result<()> {
    let sql = "INSERT INTO audit_log (at, actor_user_id, actor_name, action, entity, entity_key, unit_id, before_json, after_json, client)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
    with_pool!(db, pool => sqlx::query(sql)
        .bind(at)
        .bind(entry.actor_user_id)
        .bind(&entry.actor_name)
        .bind(&entry.action)
        .bind(&entry.entity)
        .bind(&entry.entity_key)
        .bind(entry.unit_id)
        .bind(&entry.before_json)
        .bind(&entry.after_json)
        .bind(&entry.client)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

pub async fn recent(db: &Db, limit: i64) -> Result<Vec<AuditRow>> {
    let sql = "SELECT id, at, actor_user_id, actor_name, action, entity, entity_key, unit_id, before_json, after_json, client
               FROM audit_log ORDER BY id DESC LIMIT $1";
    Ok(with_pool!(db, pool => sqlx::query_as(sql).bind(limit).fetch_all(pool).await)?)
}
