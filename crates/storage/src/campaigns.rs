//! Campaigns: the plan text and the tables derived from it (targets, indicators,
//! periods, events).

use std::sync::{Arc, Mutex, OnceLock};

use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::plan::{parse_plan, Plan};

use crate::{in_transaction, with_pool, Db, Result, StorageError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CampaignRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub year: i64,
    pub theme: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub timezone: String,
    pub plan_toml: String,
    pub is_current: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A stored campaign with its parsed plan.
#[derive(Debug, Clone)]
pub struct StoredCampaign {
    pub row: CampaignRow,
    /// Parsed once per plan text and shared (see `current`).
    pub plan: Arc<Plan>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub number: i64,
    pub title: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub place: Option<String>,
    pub host_unit_code: Option<String>,
    pub status: String,
    pub results: Option<String>,
}

/// What loading a plan did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    /// A new campaign was created with this id.
    Created(i64),
    /// A campaign with the same code was there already; nothing changed.
    AlreadyPresent(i64),
}

impl Loaded {
    pub fn id(self) -> i64 {
        match self {
            Loaded::Created(id) | Loaded::AlreadyPresent(id) => id,
        }
    }
}

/// Stores a campaign from its plan text, unless one with the same code exists
/// (loading twice changes nothing). The first campaign stored becomes current.
pub async fn load_plan(db: &Db, plan: &Plan, plan_toml: &str, now: DateTime<Utc>) -> Result<Loaded> {
    load(db, plan, plan_toml, now, None).await
}

async fn load(
    db: &Db,
    plan: &Plan,
    plan_toml: &str,
    now: DateTime<Utc>,
    activate: Option<&crate::audit::Who>,
) -> Result<Loaded> {
    let c = &plan.campaign;
    let periods = plan.periods();
    let loaded = in_transaction!(db, tx => {
        let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM campaigns WHERE code = $1")
            .bind(&c.code)
            .fetch_optional(&mut **tx)
            .await?;
        if let Some((id,)) = existing {
            Loaded::AlreadyPresent(id)
        } else {
            let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM campaigns WHERE is_current = TRUE")
                .fetch_one(&mut **tx)
                .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO campaigns (code, title, year, theme, starts_on, ends_on, timezone, plan_toml, is_current, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            )
            .bind(&c.code)
            .bind(&c.title)
            .bind(i64::from(c.year))
            .bind(&c.theme)
            .bind(c.starts_on)
            .bind(c.ends_on)
            .bind(c.timezone.name())
            .bind(plan_toml)
            .bind(count == 0)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?;
            for t in &plan.targets {
                sqlx::query("INSERT INTO targets (campaign_id, number, group_key, text, area) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id)
                    .bind(i64::from(t.number))
                    .bind(&t.group)
                    .bind(&t.text)
                    .bind(&t.area)
                    .execute(&mut **tx)
                    .await?;
            }
            for (position, i) in plan.indicators().enumerate() {
                let levels: Vec<&str> = i.levels.iter().map(|l| l.as_str()).collect();
                let kinds: Vec<&str> = i.unit_kinds.iter().map(|k| k.as_str()).collect();
                sqlx::query(
                    "INSERT INTO indicators (campaign_id, key, target_number, position, label, kind, comparison, goal, unit_label, base_figure, levels, unit_kinds, per_unit_minimum, part_of)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                )
                .bind(id)
                .bind(&i.key)
                .bind(i64::from(i.target_number))
                .bind(position as i64)
                .bind(&i.label)
                .bind(i.kind.as_str())
                .bind(i.comparison.as_str())
                .bind(i.goal)
                .bind(&i.unit_label)
                .bind(i.base.map(|b| b.as_str()))
                .bind(levels.join(","))
                .bind(kinds.join(","))
                .bind(i.per_unit_minimum)
                .bind(&i.part_of)
                .execute(&mut **tx)
                .await?;
            }
            for p in &periods {
                sqlx::query("INSERT INTO periods (campaign_id, seq, starts_on, ends_on, due_at) VALUES ($1, $2, $3, $4, $5)")
                    .bind(id)
                    .bind(i64::from(p.seq))
                    .bind(p.start)
                    .bind(p.end)
                    .bind(p.deadline.with_timezone(&Utc))
                    .execute(&mut **tx)
                    .await?;
            }
            for e in &plan.events {
                sqlx::query(
                    "INSERT INTO events (campaign_id, number, title, starts_on, ends_on, place, host_unit_code, status)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned')",
                )
                .bind(id)
                .bind(i64::from(e.number))
                .bind(&e.title)
                .bind(e.starts_on)
                .bind(e.ends_on)
                .bind(&e.place)
                .bind(&e.host_unit)
                .execute(&mut **tx)
                .await?;
            }
            if let Some(who) = activate {
                sqlx::query("UPDATE campaigns SET is_current = (id = $1), updated_at = $2").bind(id).bind(now).execute(&mut **tx).await?;
                let entry = who.entry("campaign.activate", "campaign", Some(c.code.clone())).after(&serde_json::json!({
                    "id": id, "title": c.title, "targets": plan.targets.len(), "indicators": plan.indicators().count(),
                }));
                crate::audit_in_tx!(tx, &entry, now);
            }
            crate::rollups::rebuild_in(&mut **tx, plan, id).await?;
            Loaded::Created(id)
        }
    });
    Ok(loaded)
}

const CAMPAIGN_COLUMNS: &str =
    "id, code, title, year, theme, starts_on, ends_on, timezone, plan_toml, is_current, created_at, updated_at";

/// The current campaign with its plan parsed.
pub async fn current(db: &Db) -> Result<StoredCampaign> {
    // A campaign's plan text never changes (a new plan is a new campaign), so the
    // text is read only when this process has not parsed that campaign's plan yet.
    // The light row carries the text's length in place of the text: with the id,
    // code and creation time it names one plan text (tests open many databases in
    // one process).
    let light = CAMPAIGN_COLUMNS.replace("plan_toml", "CAST(LENGTH(plan_toml) AS TEXT) AS plan_toml");
    let sql = format!("SELECT {light} FROM campaigns WHERE is_current = TRUE ORDER BY id LIMIT 1");
    let row: Option<CampaignRow> = with_pool!(db, pool => sqlx::query_as(&sql).fetch_optional(pool).await)?;
    let mut row = row.ok_or_else(|| StorageError::NotFound("chưa có kế hoạch nào / no campaign loaded".into()))?;
    let key = format!("{}|{}|{}|{}", row.id, row.code, row.created_at.timestamp_micros(), row.plan_toml);
    let plan = match cached(&key) {
        Some((text, plan)) => {
            row.plan_toml = text;
            plan
        }
        None => {
            let (text,): (String,) = with_pool!(db, pool => sqlx::query_as("SELECT plan_toml FROM campaigns WHERE id = $1").bind(row.id).fetch_one(pool).await)?;
            let plan = Arc::new(parse_plan(&text).map_err(|e| StorageError::Invalid(e.to_string()))?);
            remember(key, &text, plan.clone());
            row.plan_toml = text;
            plan
        }
    };
    Ok(StoredCampaign { row, plan })
}

type PlanCache = std::collections::HashMap<String, (String, Arc<Plan>)>;

fn plan_cache() -> &'static Mutex<PlanCache> {
    static CACHE: OnceLock<Mutex<PlanCache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(PlanCache::new()))
}

fn cached(key: &str) -> Option<(String, Arc<Plan>)> {
    plan_cache().lock().ok().and_then(|c| c.get(key).cloned())
}

fn remember(key: String, text: &str, plan: Arc<Plan>) {
    if let Ok(mut c) = plan_cache().lock() {
        c.insert(key, (text.to_string(), plan));
    }
}

pub async fn list(db: &Db) -> Result<Vec<CampaignRow>> {
    let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
}

/// The province events of a campaign with their current status.
pub async fn events(db: &Db, campaign_id: i64) -> Result<Vec<EventRow>> {
    let sql = "SELECT number, title, starts_on, ends_on, place, host_unit_code, status, results
               FROM events WHERE campaign_id = $1 ORDER BY number";
    Ok(with_pool!(db, pool => sqlx::query_as(sql).bind(campaign_id).fetch_all(pool).await)?)
}

/// Row counts of the plan's tables, for checks that loading is idempotent.
pub async fn table_counts(db: &Db) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::new();
    for table in ["campaigns", "targets", "indicators", "periods", "events", "units", "unit_base_figures", "users"] {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let (n,): (i64,) = with_pool!(db, pool => sqlx::query_as(&sql).fetch_one(pool).await)?;
        out.push((table.to_string(), n));
    }
    Ok(out)
}

/// Stores a confirmed plan as a new campaign and makes it the running one, in one
/// transaction with its audit entry. Refuses a code that is already used.
pub async fn load_and_activate(
    db: &Db,
    plan: &Plan,
    plan_toml: &str,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<i64> {
    if let Some((id,)) = with_pool!(db, pool => sqlx::query_as::<_, (i64,)>("SELECT id FROM campaigns WHERE code = $1")
        .bind(&plan.campaign.code)
        .fetch_optional(pool)
        .await)?
    {
        return Err(StorageError::Invalid(format!(
            "đã có kế hoạch mã \"{}\" (số {id}); hãy đổi mã chiến dịch / a campaign with this code exists already",
            plan.campaign.code
        )));
    }
    // The campaign, its tables and the switch to it commit together, or not at all.
    Ok(load(db, plan, plan_toml, now, Some(who)).await?.id())
}
