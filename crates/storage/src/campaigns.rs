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
    /// The plan's text, shared: every request's campaign carries it (36 KB for
    /// Kiên Giang), and copying it per request was 4 % of a submission's CPU (#24).
    #[sqlx(try_from = "String")]
    pub plan_toml: Arc<str>,
    pub is_current: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// "running" or "archived" (read-only: kept with its reports and documents).
    pub status: String,
    pub archived_at: Option<DateTime<Utc>>,
    /// The campaign this one follows (last year's edition), for "so với cùng kỳ".
    pub previous_campaign_id: Option<i64>,
    /// The root of the unit tree this campaign runs on (None: today's root).
    pub root_unit_id: Option<i64>,
    /// A unit's own plan: the campaign of its parent's plan (issue #21).
    pub parent_campaign_id: Option<i64>,
    /// The parent lets its units set a goal below the one it allocated.
    pub lowering_allowed: bool,
    /// The time "Gửi" was pressed on a phone without a connection may decide the
    /// deadline (issue #23; default off: the server's receipt time decides).
    pub deadline_by_pressed_at: bool,
}

impl CampaignRow {
    /// The row from the columns of `CAMPAIGN_COLUMNS` read on the request's thread
    /// (`sqlite_here.rs`).
    fn from_here(row: &rusqlite::Row<'_>) -> rusqlite::Result<CampaignRow> {
        use crate::sqlite_here::{date, opt_time, time};
        Ok(CampaignRow {
            id: row.get(0)?,
            code: row.get(1)?,
            title: row.get(2)?,
            year: row.get(3)?,
            theme: row.get(4)?,
            starts_on: date(row, 5)?,
            ends_on: date(row, 6)?,
            timezone: row.get(7)?,
            plan_toml: Arc::from(row.get::<_, String>(8)?),
            is_current: row.get(9)?,
            created_at: time(row, 10)?,
            updated_at: time(row, 11)?,
            status: row.get(12)?,
            archived_at: opt_time(row, 13)?,
            previous_campaign_id: row.get(14)?,
            root_unit_id: row.get(15)?,
            parent_campaign_id: row.get(16)?,
            lowering_allowed: row.get(17)?,
            deadline_by_pressed_at: row.get(18)?,
        })
    }

    pub fn is_archived(&self) -> bool {
        self.status == STATUS_ARCHIVED
    }
}

pub const STATUS_RUNNING: &str = "running";
pub const STATUS_ARCHIVED: &str = "archived";

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

/// Writes one indicator of a plan (a new one, or the same key's new version).
const INDICATOR_UPSERT: &str = "INSERT INTO indicators (campaign_id, key, target_number, position, label, kind, comparison, goal, unit_label, base_figure, levels, unit_kinds, per_unit_minimum, part_of, retired)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                 ON CONFLICT (campaign_id, key) DO UPDATE SET target_number = excluded.target_number, position = excluded.position,
                   label = excluded.label, kind = excluded.kind, comparison = excluded.comparison, goal = excluded.goal,
                   unit_label = excluded.unit_label, base_figure = excluded.base_figure, levels = excluded.levels,
                   unit_kinds = excluded.unit_kinds, per_unit_minimum = excluded.per_unit_minimum, part_of = excluded.part_of,
                   retired = excluded.retired";

macro_rules! upsert_indicator {
    ($tx:expr, $campaign_id:expr, $position:expr, $i:expr) => {{
        let levels: Vec<&str> = $i.levels.iter().map(|l| l.as_str()).collect();
        let kinds: Vec<&str> = $i.unit_kinds.iter().map(|k| k.as_str()).collect();
        sqlx::query(INDICATOR_UPSERT)
            .bind($campaign_id)
            .bind(&$i.key)
            .bind(i64::from($i.target_number))
            .bind($position as i64)
            .bind(&$i.label)
            .bind($i.kind.as_str())
            .bind($i.comparison.as_str())
            .bind($i.goal)
            .bind(&$i.unit_label)
            .bind($i.base.map(|b| b.as_str()))
            .bind(levels.join(","))
            .bind(kinds.join(","))
            .bind($i.per_unit_minimum)
            .bind(&$i.part_of)
            .bind($i.retired)
            .execute(&mut **$tx)
            .await?;
    }};
}

/// Stores a campaign from its plan text, unless one with the same code exists
/// (loading twice changes nothing). The first campaign stored becomes current.
pub async fn load_plan(db: &Db, plan: &Plan, plan_toml: &str, now: DateTime<Utc>) -> Result<Loaded> {
    load(db, plan, plan_toml, now, None, None, None).await
}

/// `load_plan` with the copy of an earlier campaign (see `campaign_copy`), in the
/// same transaction.
pub(crate) async fn load_copy(
    db: &Db,
    plan: &Plan,
    plan_toml: &str,
    now: DateTime<Utc>,
    copy: &crate::campaign_copy::CopyFrom,
) -> Result<Loaded> {
    load(db, plan, plan_toml, now, None, Some(copy), None).await
}

async fn load(
    db: &Db,
    plan: &Plan,
    plan_toml: &str,
    now: DateTime<Utc>,
    activate: Option<&crate::audit::Who>,
    copy: Option<&crate::campaign_copy::CopyFrom>,
    own: Option<&OwnPlan>,
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
                "INSERT INTO campaigns (code, title, year, theme, starts_on, ends_on, timezone, plan_toml, is_current, created_at, updated_at, status, root_unit_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, 'running',
                         (SELECT id FROM units WHERE parent_id IS NULL AND active = TRUE AND valid_until IS NULL ORDER BY id LIMIT 1)) RETURNING id",
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
                upsert_indicator!(tx, id, position, i);
            }
            // Version 1 of the plan: the one the campaign starts with.
            sqlx::query(
                "INSERT INTO plan_versions (campaign_id, version, plan_toml, reason, changes_json, created_at, created_by, created_by_user_id)
                 VALUES ($1, 1, $2, $3, '[]', $4, $5, $6)",
            )
            .bind(id)
            .bind(plan_toml)
            .bind(FIRST_VERSION_REASON)
            .bind(now)
            .bind(activate.map(|w| w.name.clone()))
            .bind(activate.and_then(|w| w.user_id))
            .execute(&mut **tx)
            .await?;
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
            if let Some(copy) = copy {
                crate::copy_in_tx!(tx, id, copy, now);
            }
            if let Some(own) = own {
                sqlx::query("UPDATE campaigns SET parent_campaign_id = $1, root_unit_id = $2 WHERE id = $3")
                    .bind(own.parent_campaign_id)
                    .bind(own.unit_id)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                let entry = own.who.entry("campaign.own_plan", "campaign", Some(c.code.clone())).unit(Some(own.unit_id)).after(&serde_json::json!({
                    "id": id, "parent_campaign_id": own.parent_campaign_id, "title": c.title,
                    "indicators": plan.indicators().count(),
                }));
                crate::audit_in_tx!(tx, &entry, now);
            }
            crate::rollups::rebuild_in(&mut **tx, plan, id).await?;
            Loaded::Created(id)
        }
    });
    Ok(loaded)
}

/// The reason of version 1 of every plan.
pub const FIRST_VERSION_REASON: &str = "Kế hoạch ban đầu";

const CAMPAIGN_COLUMNS: &str = "id, code, title, year, theme, starts_on, ends_on, timezone, plan_toml, is_current, created_at, updated_at, status, archived_at, previous_campaign_id, root_unit_id, parent_campaign_id, lowering_allowed, deadline_by_pressed_at";

/// The default campaign (the one a user who has chosen none sees) with its plan parsed.
pub async fn current(db: &Db) -> Result<StoredCampaign> {
    match find(db, "is_current = TRUE", None).await? {
        Some(c) => Ok(c),
        None => Err(StorageError::NotFound("chưa có kế hoạch nào / no campaign loaded".into())),
    }
}

/// The campaign with this code (running or archived), with its plan parsed.
pub async fn by_code(db: &Db, code: &str) -> Result<Option<StoredCampaign>> {
    find(db, "code = $1", Some(Key::Text(code))).await
}

/// The campaign with this id, with its plan parsed.
pub async fn by_id(db: &Db, id: i64) -> Result<Option<StoredCampaign>> {
    find(db, "id = $1", Some(Key::Id(id))).await
}

enum Key<'a> {
    Text(&'a str),
    Id(i64),
}

/// The campaign a user chose last (if it is still there), else the default one, in
/// one read: what a request of a user who is not a steering member is about, unless
/// it names one (#24: one read fewer per request, a submission's first).
pub async fn chosen_or_current(db: &Db, user_id: i64) -> Result<StoredCampaign> {
    let chosen = "(SELECT campaign_id FROM user_campaign_choices WHERE user_id = $1)";
    let condition = format!("(id = {chosen} OR is_current = TRUE)");
    let order = format!("CASE WHEN id = {chosen} THEN 0 ELSE 1 END, id");
    match find_ordered(db, &condition, &order, Some(Key::Id(user_id))).await? {
        Some(c) => Ok(c),
        None => Err(StorageError::NotFound("chưa có kế hoạch nào / no campaign loaded".into())),
    }
}

async fn find(db: &Db, condition: &str, key: Option<Key<'_>>) -> Result<Option<StoredCampaign>> {
    find_ordered(db, condition, "id", key).await
}

async fn find_ordered(db: &Db, condition: &str, order: &str, key: Option<Key<'_>>) -> Result<Option<StoredCampaign>> {
    // A campaign's plan text changes only by an amendment (`amend`), which moves
    // `updated_at` forward, so the text is read only when this process has not
    // parsed that campaign's plan as it stands now. The light row carries the
    // text's length in place of the text: with the id, code, creation and update
    // times it names one plan text (tests open many databases in one process). The
    // cache holds nothing another instance needs: it only saves parsing what the
    // database holds.
    // The length in bytes (OCTET_LENGTH), not in characters: SQLite then reads it
    // from the record's header without loading the 36 KB text (LENGTH counted its
    // characters on every request: 2% of the CPU of a submission, #24).
    let light = CAMPAIGN_COLUMNS.replace("plan_toml", "CAST(OCTET_LENGTH(plan_toml) AS TEXT) AS plan_toml");
    let sql = format!("SELECT {light} FROM campaigns WHERE {condition} ORDER BY {order} LIMIT 1");
    let row: Option<CampaignRow> = match db {
        // On the request's thread (sqlite_here.rs): every request reads its campaign.
        Db::Sqlite(s) => s.read_here(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let mut rows = match &key {
                Some(Key::Text(t)) => statement.query(rusqlite::named_params! {"$1": t})?,
                Some(Key::Id(id)) => statement.query(rusqlite::named_params! {"$1": id})?,
                None => statement.query([])?,
            };
            rows.next()?.map(CampaignRow::from_here).transpose()
        })?,
        Db::Postgres(pool) => {
            let q = sqlx::query_as(&sql);
            let q = match &key {
                Some(Key::Text(t)) => q.bind(*t),
                Some(Key::Id(id)) => q.bind(*id),
                None => q,
            };
            q.fetch_optional(pool).await?
        }
    };
    let Some(mut row) = row else { return Ok(None) };
    let key = format!(
        "{}|{}|{}|{}|{}",
        row.id,
        row.code,
        row.created_at.timestamp_micros(),
        row.updated_at.timestamp_micros(),
        row.plan_toml
    );
    let plan = match cached(&key) {
        Some((text, plan)) => {
            row.plan_toml = text;
            plan
        }
        None => {
            let (text,): (String,) = with_pool!(db, pool => sqlx::query_as("SELECT plan_toml FROM campaigns WHERE id = $1").bind(row.id).fetch_one(pool).await)?;
            let plan = Arc::new(parse_plan(&text).map_err(|e| StorageError::Invalid(e.to_string()))?);
            let text: Arc<str> = Arc::from(text);
            remember(key, text.clone(), plan.clone());
            row.plan_toml = text;
            plan
        }
    };
    Ok(Some(StoredCampaign { row, plan }))
}

/// The running campaigns (not archived), oldest first.
pub async fn running(db: &Db) -> Result<Vec<CampaignRow>> {
    let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE status = 'running' ORDER BY starts_on, id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
}

/// The campaign a user chose last (None: no choice, or the campaign is gone).
pub async fn chosen_by(db: &Db, user_id: i64) -> Result<Option<i64>> {
    let row: Option<(i64,)> = with_pool!(db, pool => sqlx::query_as("SELECT campaign_id FROM user_campaign_choices WHERE user_id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    Ok(row.map(|(id,)| id))
}

/// Keeps a user's choice of campaign (kept in the database so that it follows the
/// user to every instance and device).
pub async fn choose(db: &Db, user_id: i64, campaign_id: i64, now: DateTime<Utc>) -> Result<()> {
    with_pool!(db, pool => sqlx::query(
        "INSERT INTO user_campaign_choices (user_id, campaign_id, chosen_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET campaign_id = excluded.campaign_id, chosen_at = excluded.chosen_at",
    )
    .bind(user_id)
    .bind(campaign_id)
    .bind(now)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Records which campaign this one follows (last year's edition).
pub async fn set_previous(db: &Db, campaign_id: i64, previous: Option<i64>, now: DateTime<Utc>) -> Result<()> {
    with_pool!(db, pool => sqlx::query("UPDATE campaigns SET previous_campaign_id = $1, updated_at = $2 WHERE id = $3")
        .bind(previous)
        .bind(now)
        .bind(campaign_id)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Archives a campaign (read-only from now on) or brings it back to running, with
/// its audit entry, in one transaction. The default campaign moves to the most
/// recent running one when the default is archived.
pub async fn set_status(
    db: &Db,
    campaign_id: i64,
    archived: bool,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<()> {
    let status = if archived { STATUS_ARCHIVED } else { STATUS_RUNNING };
    in_transaction!(db, tx => {
        let row: Option<(String,)> = sqlx::query_as("SELECT code FROM campaigns WHERE id = $1").bind(campaign_id).fetch_optional(&mut **tx).await?;
        let Some((code,)) = row else {
            return Err(StorageError::NotFound(format!("không có chiến dịch số {campaign_id} / no campaign {campaign_id}")));
        };
        sqlx::query("UPDATE campaigns SET status = $1, archived_at = $2, updated_at = $3 WHERE id = $4")
            .bind(status)
            .bind(if archived { Some(now) } else { None })
            .bind(now)
            .bind(campaign_id)
            .execute(&mut **tx)
            .await?;
        if archived {
            // The default campaign should be one that runs, when one does.
            sqlx::query(
                "UPDATE campaigns SET is_current = (id = (SELECT id FROM campaigns WHERE status = 'running' ORDER BY starts_on DESC, id DESC LIMIT 1))
                 WHERE EXISTS (SELECT 1 FROM campaigns WHERE status = 'running')
                   AND EXISTS (SELECT 1 FROM campaigns WHERE id = $1 AND is_current = TRUE)",
            )
            .bind(campaign_id)
            .execute(&mut **tx)
            .await?;
        }
        let action = if archived { "campaign.archive" } else { "campaign.unarchive" };
        let entry = who.entry(action, "campaign", Some(code)).after(&serde_json::json!({ "status": status }));
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}

/// Sets whether the time "Gửi" was pressed on the phone decides the deadline of the
/// campaign's reports (from the next first submission on), with its audit entry.
pub async fn set_deadline_by_pressed_at(
    db: &Db,
    campaign_id: i64,
    on: bool,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<()> {
    in_transaction!(db, tx => {
        let row: Option<(String, bool)> = sqlx::query_as("SELECT code, deadline_by_pressed_at FROM campaigns WHERE id = $1")
            .bind(campaign_id)
            .fetch_optional(&mut **tx)
            .await?;
        let Some((code, before)) = row else {
            return Err(StorageError::NotFound(format!("không có chiến dịch số {campaign_id} / no campaign {campaign_id}")));
        };
        sqlx::query("UPDATE campaigns SET deadline_by_pressed_at = $1, updated_at = $2 WHERE id = $3")
            .bind(on)
            .bind(now)
            .bind(campaign_id)
            .execute(&mut **tx)
            .await?;
        let entry = who
            .entry("campaign.deadline_rule", "campaign", Some(code))
            .before(&serde_json::json!({ "deadline_by_pressed_at": before }))
            .after(&serde_json::json!({ "deadline_by_pressed_at": on }));
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}

/// The campaigns a steering committee member is assigned to (empty: all of them).
pub async fn member_of(db: &Db, user_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = with_pool!(db, pool => sqlx::query_as("SELECT campaign_id FROM campaign_members WHERE user_id = $1 ORDER BY campaign_id")
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

type PlanCache = std::collections::HashMap<String, (Arc<str>, Arc<Plan>)>;

fn plan_cache() -> &'static Mutex<PlanCache> {
    static CACHE: OnceLock<Mutex<PlanCache>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(PlanCache::new()))
}

fn cached(key: &str) -> Option<(Arc<str>, Arc<Plan>)> {
    plan_cache().lock().ok().and_then(|c| c.get(key).cloned())
}

fn remember(key: String, text: Arc<str>, plan: Arc<Plan>) {
    if let Ok(mut c) = plan_cache().lock() {
        // The same campaign's earlier texts (before an amendment, or before its
        // `updated_at` moved) are not needed any more.
        let campaign: String = key.split('|').take(3).collect::<Vec<_>>().join("|") + "|";
        c.retain(|k, _| !k.starts_with(&campaign));
        c.insert(key, (text, plan));
    }
}

/// Every campaign, oldest first, without its plan text (`plan_toml` is empty: read
/// one campaign with `by_id` for its plan).
pub async fn list(db: &Db) -> Result<Vec<CampaignRow>> {
    let light = CAMPAIGN_COLUMNS.replace("plan_toml", "'' AS plan_toml");
    let sql = format!("SELECT {light} FROM campaigns ORDER BY id");
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
    Ok(load(db, plan, plan_toml, now, Some(who), None, None).await?.id())
}

/// A unit's own plan inside a campaign (issue #21): who issues it and beneath which
/// campaign.
#[derive(Debug, Clone)]
pub struct OwnPlan {
    pub parent_campaign_id: i64,
    pub unit_id: i64,
    pub who: crate::audit::Who,
}

/// Stores a unit's confirmed own plan as a campaign rooted at the unit, beneath its
/// parent's campaign, in one transaction with its audit entry; it does not become
/// anyone's default campaign. Refuses a code that is already used.
pub async fn load_own_plan(db: &Db, plan: &Plan, plan_toml: &str, own: &OwnPlan, now: DateTime<Utc>) -> Result<i64> {
    match load(db, plan, plan_toml, now, None, None, Some(own)).await? {
        Loaded::Created(id) => Ok(id),
        Loaded::AlreadyPresent(id) => Err(StorageError::Invalid(format!(
            "đã có kế hoạch mã \"{}\" (số {id}) / a campaign with this code exists already",
            plan.campaign.code
        ))),
    }
}

/// The own plan of a unit beneath a campaign, if it has one (the newest).
pub async fn own_plan_of(db: &Db, parent_campaign_id: i64, unit_id: i64) -> Result<Option<StoredCampaign>> {
    let row: Option<(i64,)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT id FROM campaigns WHERE parent_campaign_id = $1 AND root_unit_id = $2 ORDER BY id DESC LIMIT 1")
        .bind(parent_campaign_id)
        .bind(unit_id)
        .fetch_optional(pool)
        .await)?;
    match row {
        Some((id,)) => by_id(db, id).await,
        None => Ok(None),
    }
}

/// The units' own plans beneath a campaign: (campaign id, unit id), by unit.
pub async fn own_plans_beneath(db: &Db, parent_campaign_id: i64) -> Result<Vec<(i64, i64)>> {
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT id, root_unit_id FROM campaigns WHERE parent_campaign_id = $1 AND root_unit_id IS NOT NULL ORDER BY root_unit_id, id")
        .bind(parent_campaign_id)
        .fetch_all(pool)
        .await)?)
}

/// The steering committee members assigned to a campaign (user ids).
pub async fn members(db: &Db, campaign_id: i64) -> Result<Vec<i64>> {
    let rows: Vec<(i64,)> = with_pool!(db, pool => sqlx::query_as("SELECT user_id FROM campaign_members WHERE campaign_id = $1 ORDER BY user_id")
        .bind(campaign_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Sets the steering committee members assigned to a campaign (a member assigned to
/// no campaign sees them all), with the audit entry, in one transaction.
pub async fn set_members(
    db: &Db,
    campaign_id: i64,
    user_ids: &[i64],
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<()> {
    in_transaction!(db, tx => {
        let row: Option<(String,)> = sqlx::query_as("SELECT code FROM campaigns WHERE id = $1").bind(campaign_id).fetch_optional(&mut **tx).await?;
        let Some((code,)) = row else {
            return Err(StorageError::NotFound(format!("không có chiến dịch số {campaign_id} / no campaign {campaign_id}")));
        };
        let before: Vec<(i64,)> = sqlx::query_as("SELECT user_id FROM campaign_members WHERE campaign_id = $1 ORDER BY user_id")
            .bind(campaign_id)
            .fetch_all(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM campaign_members WHERE campaign_id = $1").bind(campaign_id).execute(&mut **tx).await?;
        for id in user_ids {
            sqlx::query("INSERT INTO campaign_members (campaign_id, user_id, added_at) VALUES ($1, $2, $3)")
                .bind(campaign_id)
                .bind(id)
                .bind(now)
                .execute(&mut **tx)
                .await?;
        }
        let before: Vec<i64> = before.into_iter().map(|(id,)| id).collect();
        let entry = who
            .entry("campaign.members", "campaign", Some(code))
            .before(&serde_json::json!({ "members": before }))
            .after(&serde_json::json!({ "members": user_ids }));
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}

/// An amendment of a running plan: why, and by which document.
#[derive(Debug, Clone)]
pub struct Amendment {
    /// Why the plan changes (required).
    pub reason: String,
    /// The amending document's number ("12-KH/TĐTN-BPT").
    pub document_number: Option<String>,
    pub document_date: Option<NaiveDate>,
    /// The changes as the office was shown them: `[{"vi": …, "en": …}, …]`.
    pub changes_json: String,
    /// The version the amendment was prepared against: refused when another
    /// amendment was applied meanwhile.
    pub base_version: i64,
}

/// Runs the body in one transaction that no other write interleaves with: on
/// PostgreSQL it takes the write lock alone (as `rollups::rebuild_checked` does),
/// so the figures rebuilt from the reports miss no report committed meanwhile; on
/// SQLite `BEGIN IMMEDIATE` is the one write lock already.
macro_rules! exclusive_transaction {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite(pool) => {
                let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
                let $tx = &mut transaction;
                let out = $body;
                transaction.commit().await?;
                out
            }
            $crate::Db::Postgres(pool) => {
                let mut transaction = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind($crate::WRITE_LOCK)
                    .execute(&mut *transaction)
                    .await?;
                let $tx = &mut transaction;
                let out = $body;
                transaction.commit().await?;
                out
            }
        }
    };
}

/// Amends a running campaign's plan to `new_plan` (parsed from `new_toml`), in ONE
/// transaction: re-checks against what has been reported (an indicator with figures
/// or a week with reports is never removed; nothing is written then), updates the
/// campaign and its targets, indicators (retired ones kept), periods and events,
/// stores the new version, writes the audit entry `plan.amend` and rebuilds the
/// campaign's consolidated figures with the new goals. Returns the new version.
pub async fn amend(
    db: &Db,
    campaign_id: i64,
    new_plan: &Plan,
    new_toml: &str,
    amendment: &Amendment,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<i64> {
    use phongtrao_domain::plan::amend::{check, diff, Reported};
    let c = &new_plan.campaign;
    let new_periods = new_plan.periods();
    let version = exclusive_transaction!(db, tx => {
        let row: Option<(String, String, String, DateTime<Utc>)> =
            sqlx::query_as("SELECT code, status, plan_toml, updated_at FROM campaigns WHERE id = $1")
                .bind(campaign_id)
                .fetch_optional(&mut **tx)
                .await?;
        let Some((code, status, old_toml, old_updated)) = row else {
            return Err(StorageError::NotFound(format!("chiến dịch số {campaign_id} / campaign {campaign_id}")));
        };
        if status == STATUS_ARCHIVED {
            return Err(StorageError::Conflict(format!(
                "Chiến dịch \"{code}\" đã lưu trữ: không thể điều chỉnh kế hoạch / The campaign \"{code}\" is archived: its plan cannot be amended"
            )));
        }
        let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM plan_versions WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_one(&mut **tx)
            .await?;
        let latest = latest.unwrap_or(1);
        if latest != amendment.base_version {
            return Err(StorageError::Conflict(format!(
                "Kế hoạch vừa được điều chỉnh (lần {}) trong khi bạn soạn: hãy xem lại các thay đổi trên bản mới nhất / The plan was amended meanwhile (version {}): review the changes against the latest version",
                latest, latest
            )));
        }
        let old_plan = parse_plan(&old_toml).map_err(|e| StorageError::Invalid(e.to_string()))?;
        // What has been reported, read in this transaction: nothing reported can be lost.
        let keys: Vec<String> = sqlx::query_scalar(crate::plan_versions::REPORTED_INDICATORS).bind(campaign_id).fetch_all(&mut **tx).await?;
        let ends: Vec<NaiveDate> = sqlx::query_scalar(crate::plan_versions::REPORTED_PERIODS).bind(campaign_id).fetch_all(&mut **tx).await?;
        let reported = Reported { indicators: keys.into_iter().collect(), periods: ends.into_iter().collect() };
        let problems = check(&old_plan, new_plan, &reported);
        if !problems.is_empty() {
            let vi: Vec<&str> = problems.iter().map(|p| p.vi.as_str()).collect();
            let en: Vec<&str> = problems.iter().map(|p| p.en.as_str()).collect();
            return Err(StorageError::Conflict(format!("{} / {}", vi.join("; "), en.join("; "))));
        }
        // A removed event that has been run (held, postponed, its results) stays.
        for e in &old_plan.events {
            if new_plan.events.iter().any(|n| n.number == e.number) {
                continue;
            }
            let recorded: Option<(String, Option<String>)> = sqlx::query_as("SELECT status, results FROM events WHERE campaign_id = $1 AND number = $2")
                .bind(campaign_id)
                .bind(i64::from(e.number))
                .fetch_optional(&mut **tx)
                .await?;
            if recorded.is_some_and(|(s, r)| s != "planned" || r.is_some_and(|r| !r.trim().is_empty())) {
                return Err(StorageError::Conflict(format!(
                    "Hoạt động {} ({}) đã được ghi nhận kết quả nên không thể bỏ khỏi kế hoạch / Event {} ({}) has been recorded and cannot be removed from the plan",
                    e.number, e.title, e.number, e.title
                )));
            }
        }
        let changes: Vec<String> = diff(&old_plan, new_plan).iter().map(|ch| ch.message_vi()).collect();
        // `updated_at` names the plan text in every instance's parse cache: it moves
        // forward even when the clock does not.
        let updated = if now > old_updated { now } else { old_updated + chrono::Duration::microseconds(1) };
        sqlx::query(
            "UPDATE campaigns SET plan_toml = $1, title = $2, year = $3, theme = $4, starts_on = $5, ends_on = $6, timezone = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(new_toml)
        .bind(&c.title)
        .bind(i64::from(c.year))
        .bind(&c.theme)
        .bind(c.starts_on)
        .bind(c.ends_on)
        .bind(c.timezone.name())
        .bind(updated)
        .bind(campaign_id)
        .execute(&mut **tx)
        .await?;
        // Targets: nothing refers to their rows; written again in document order.
        sqlx::query("DELETE FROM targets WHERE campaign_id = $1").bind(campaign_id).execute(&mut **tx).await?;
        for t in &new_plan.targets {
            sqlx::query("INSERT INTO targets (campaign_id, number, group_key, text, area) VALUES ($1, $2, $3, $4, $5)")
                .bind(campaign_id)
                .bind(i64::from(t.number))
                .bind(&t.group)
                .bind(&t.text)
                .bind(&t.area)
                .execute(&mut **tx)
                .await?;
        }
        // Indicators: updated by key (their rows keep their ids), new ones added,
        // removed ones (never one with figures: checked above) deleted.
        for o in old_plan.indicators() {
            if new_plan.indicator(&o.key).is_none() {
                sqlx::query("DELETE FROM indicators WHERE campaign_id = $1 AND key = $2").bind(campaign_id).bind(&o.key).execute(&mut **tx).await?;
            }
        }
        for (position, i) in new_plan.indicators().enumerate() {
            upsert_indicator!(tx, campaign_id, position, i);
        }
        // Periods by their number: a week keeps its lock unless it became another
        // week (possible only while no week has reports: checked above); weeks
        // past the new last one go (none has reports: checked above).
        for p in &new_periods {
            sqlx::query(
                "INSERT INTO periods (campaign_id, seq, starts_on, ends_on, due_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (campaign_id, seq) DO UPDATE SET
                   locked_at = CASE WHEN periods.ends_on = excluded.ends_on THEN periods.locked_at ELSE NULL END,
                   starts_on = excluded.starts_on, ends_on = excluded.ends_on, due_at = excluded.due_at",
            )
            .bind(campaign_id)
            .bind(i64::from(p.seq))
            .bind(p.start)
            .bind(p.end)
            .bind(p.deadline.with_timezone(&Utc))
            .execute(&mut **tx)
            .await?;
            // A report not sent yet is due at the new deadline; one sent keeps
            // the deadline it was judged against.
            sqlx::query(
                "UPDATE reports SET due_at = $1 WHERE campaign_id = $2 AND kind = 'weekly' AND period_seq = $3 AND first_submitted_at IS NULL",
            )
            .bind(p.deadline.with_timezone(&Utc))
            .bind(campaign_id)
            .bind(i64::from(p.seq))
            .execute(&mut **tx)
            .await?;
        }
        sqlx::query("DELETE FROM periods WHERE campaign_id = $1 AND seq > $2")
            .bind(campaign_id)
            .bind(new_periods.len() as i64)
            .execute(&mut **tx)
            .await?;
        // Events by number: the plan's fields change, what was recorded stays.
        for e in &old_plan.events {
            if !new_plan.events.iter().any(|n| n.number == e.number) {
                sqlx::query("DELETE FROM events WHERE campaign_id = $1 AND number = $2")
                    .bind(campaign_id)
                    .bind(i64::from(e.number))
                    .execute(&mut **tx)
                    .await?;
            }
        }
        for e in &new_plan.events {
            sqlx::query(
                "INSERT INTO events (campaign_id, number, title, starts_on, ends_on, place, host_unit_code, status)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'planned')
                 ON CONFLICT (campaign_id, number) DO UPDATE SET title = excluded.title, starts_on = excluded.starts_on,
                   ends_on = excluded.ends_on, place = excluded.place, host_unit_code = excluded.host_unit_code",
            )
            .bind(campaign_id)
            .bind(i64::from(e.number))
            .bind(&e.title)
            .bind(e.starts_on)
            .bind(e.ends_on)
            .bind(&e.place)
            .bind(&e.host_unit)
            .execute(&mut **tx)
            .await?;
        }
        let version = latest + 1;
        sqlx::query(
            "INSERT INTO plan_versions (campaign_id, version, plan_toml, reason, document_number, document_date, changes_json, created_at, created_by, created_by_user_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(campaign_id)
        .bind(version)
        .bind(new_toml)
        .bind(&amendment.reason)
        .bind(&amendment.document_number)
        .bind(amendment.document_date)
        .bind(&amendment.changes_json)
        .bind(now)
        .bind(&who.name)
        .bind(who.user_id)
        .execute(&mut **tx)
        .await?;
        let entry = who
            .entry("plan.amend", "campaign", Some(code))
            .before(&serde_json::json!({ "version": latest }))
            .after(&serde_json::json!({
                "version": version,
                "reason": amendment.reason,
                "document_number": amendment.document_number,
                "document_date": amendment.document_date,
                "changes": changes,
            }));
        crate::audit_in_tx!(tx, &entry, now);
        crate::rollups::rebuild_in(&mut **tx, new_plan, campaign_id).await?;
        version
    });
    Ok(version)
}
