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

/// Who acts: the user (none for the system or the CLI) and the client address.
#[derive(Debug, Clone, Default)]
pub struct Who {
    pub user_id: Option<i64>,
    pub name: String,
    pub client: Option<String>,
}

impl Who {
    pub fn system() -> Who {
        Who { user_id: None, name: "system".into(), client: None }
    }

    pub fn cli() -> Who {
        Who { user_id: None, name: "cli".into(), client: None }
    }

    /// An entry by this actor.
    pub fn entry(&self, action: &str, entity: &str, entity_key: Option<String>) -> AuditEntry {
        AuditEntry {
            actor_user_id: self.user_id,
            actor_name: self.name.clone(),
            action: action.into(),
            entity: entity.into(),
            entity_key,
            client: self.client.clone(),
            ..AuditEntry::default()
        }
    }
}

impl AuditEntry {
    pub fn unit(mut self, unit_id: Option<i64>) -> Self {
        self.unit_id = unit_id;
        self
    }

    pub fn before(mut self, value: &impl serde::Serialize) -> Self {
        self.before_json = serde_json::to_string(value).ok();
        self
    }

    pub fn after(mut self, value: &impl serde::Serialize) -> Self {
        self.after_json = serde_json::to_string(value).ok();
        self
    }
}

pub const INSERT_SQL: &str = "INSERT INTO audit_log (at, actor_user_id, actor_name, action, entity, entity_key, unit_id, before_json, after_json, client)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

/// Records an audit entry inside the transaction `$tx` of `in_transaction!`, so the
/// change and its record commit together.
#[macro_export]
macro_rules! audit_in_tx {
    ($tx:expr, $entry:expr, $at:expr) => {{
        let entry: &$crate::audit::AuditEntry = $entry;
        sqlx::query($crate::audit::INSERT_SQL)
            .bind($at)
            .bind(entry.actor_user_id)
            .bind(&entry.actor_name)
            .bind(&entry.action)
            .bind(&entry.entity)
            .bind(&entry.entity_key)
            .bind(entry.unit_id)
            .bind(&entry.before_json)
            .bind(&entry.after_json)
            .bind(&entry.client)
            .execute(&mut **$tx)
            .await?;
    }};
}

pub async fn record(db: &Db, entry: &AuditEntry, at: DateTime<Utc>) -> Result<()> {
    let sql = INSERT_SQL;
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

/// Which entries to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries about these units only (a unit and its subtree, say); None: all.
    pub unit_ids: Option<Vec<i64>>,
    pub actor_user_id: Option<i64>,
    /// Entries by any of these users (a name typed that matches several); None: anyone.
    pub actor_user_ids: Option<Vec<i64>>,
    pub action_prefix: Option<String>,
    /// Entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Entries strictly before this instant.
    pub until: Option<DateTime<Utc>>,
    /// At most 100 000 (an export); the pages and the API ask for less.
    pub limit: i64,
    /// Entries skipped first (paging).
    pub offset: i64,
}

/// The WHERE clause of a filter (after `WHERE 1 = 1`), or None when it can match nothing.
fn where_clause(filter: &AuditFilter) -> Option<String> {
    let mut sql = String::new();
    let mut n = 0;
    if let Some(units) = &filter.unit_ids {
        if units.is_empty() {
            return None;
        }
        // Unit ids are integers from the database, never user text.
        sql.push_str(&format!(" AND unit_id IN ({})", crate::id_list(units)));
    }
    if let Some(users) = &filter.actor_user_ids {
        if users.is_empty() {
            return None;
        }
        sql.push_str(&format!(" AND actor_user_id IN ({})", crate::id_list(users)));
    }
    if filter.actor_user_id.is_some() {
        n += 1;
        sql.push_str(&format!(" AND actor_user_id = ${n}"));
    }
    if filter.action_prefix.is_some() {
        n += 1;
        sql.push_str(&format!(" AND action LIKE ${n}"));
    }
    if filter.from.is_some() {
        n += 1;
        sql.push_str(&format!(" AND at >= ${n}"));
    }
    if filter.until.is_some() {
        n += 1;
        sql.push_str(&format!(" AND at < ${n}"));
    }
    Some(sql)
}

macro_rules! bind_filter {
    ($q:expr, $filter:expr, $prefix:expr) => {{
        let mut q = $q;
        if let Some(actor) = $filter.actor_user_id {
            q = q.bind(actor);
        }
        if let Some(p) = $prefix {
            q = q.bind(p);
        }
        if let Some(from) = $filter.from {
            q = q.bind(from);
        }
        if let Some(until) = $filter.until {
            q = q.bind(until);
        }
        q
    }};
}

/// The newest entries first.
pub async fn query(db: &Db, filter: &AuditFilter) -> Result<Vec<AuditRow>> {
    let Some(clause) = where_clause(filter) else { return Ok(Vec::new()) };
    let sql = format!(
        "SELECT id, at, actor_user_id, actor_name, action, entity, entity_key, unit_id, before_json, after_json, client
         FROM audit_log WHERE 1 = 1{clause} ORDER BY id DESC LIMIT {} OFFSET {}",
        filter.limit.clamp(1, 100_000),
        filter.offset.max(0)
    );
    let prefix = filter.action_prefix.as_ref().map(|p| format!("{p}%"));
    Ok(with_pool!(db, pool => {
        let q = bind_filter!(sqlx::query_as(&sql), filter, &prefix);
        q.fetch_all(pool).await
    })?)
}

/// How many entries the filter matches (its limit and offset aside).
pub async fn count(db: &Db, filter: &AuditFilter) -> Result<i64> {
    let Some(clause) = where_clause(filter) else { return Ok(0) };
    let sql = format!("SELECT COUNT(*) FROM audit_log WHERE 1 = 1{clause}");
    let prefix = filter.action_prefix.as_ref().map(|p| format!("{p}%"));
    let (n,): (i64,) = with_pool!(db, pool => {
        let q = bind_filter!(sqlx::query_as(&sql), filter, &prefix);
        q.fetch_one(pool).await
    })?;
    Ok(n)
}

/// Reports named by id in audit entries (a review's key): (id, kind, unit_id, period_seq).
pub async fn report_keys(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String, i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT id, kind, unit_id, period_seq FROM reports WHERE id IN ({})", crate::id_list(ids));
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
}
