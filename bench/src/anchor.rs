//! The raw SQLite anchor: the rows of a submission written straight into SQLite from
//! Rust, without HTTP, checks, history, audit, idempotency or notices — the rate the
//! disk and SQLite allow, against which the HTTP burst is judged.
//!
//! It runs on a copy of the burst's database (`VACUUM INTO DIR/anchor/phongtrao.db`,
//! deleted afterwards), opened exactly as the server opens it (WAL,
//! `synchronous=FULL`, foreign keys, the same pool), and writes for the burst's own
//! units and week, per report:
//!
//! - the report row (the columns a submission writes, its draft and its submitted
//!   values as JSON),
//! - its 26 values (one multi-row INSERT),
//! - the consolidated figures of the unit and its ancestors: 26 upserts for each of
//!   the (up to) 4 units of its chain, 104 for a branch (one multi-row upsert),
//!
//! first one report per commit, then 50 reports per commit (other units).

use std::path::Path;
use std::time::Instant;

use phongtrao_storage::Db;

use crate::Result;

/// Rates measured by one anchor run.
#[derive(Debug, Clone, Copy)]
pub struct AnchorRates {
    pub one_per_commit: f64,
    pub fifty_per_commit: f64,
    pub reports_one: usize,
    pub reports_fifty: usize,
    /// Rollup upserts per report, on average over the reports written.
    pub rollup_rows_per_report: f64,
    pub values_per_report: usize,
}

/// One unit's report to write: its id, its chain (itself and its ancestors).
struct Target {
    unit_id: i64,
    chain: Vec<i64>,
}

/// Runs the anchor on a copy of `data_dir`'s database for `units` (the burst's units,
/// in order): the first `one` at one report per commit, the next `fifty` at 50.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    data_dir: &Path,
    options: &phongtrao_storage::DbOptions,
    campaign_id: i64,
    period_seq: i64,
    keys: &[String],
    units: &[i64],
    one: usize,
    fifty: usize,
) -> Result<AnchorRates> {
    let source = Db::open_data_dir_with(data_dir, options).await?;
    let Db::Sqlite(pool) = &source else { return Err("the anchor runs on SQLite".into()) };
    let dir = data_dir.join("anchor");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let copy = dir.join("phongtrao.db");
    sqlx::query("VACUUM INTO $1").bind(copy.display().to_string()).execute(pool).await?;
    source.close().await;
    let outcome = write_all(&dir, options, campaign_id, period_seq, keys, units, one, fifty).await;
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn write_all(
    dir: &Path,
    options: &phongtrao_storage::DbOptions,
    campaign_id: i64,
    period_seq: i64,
    keys: &[String],
    units: &[i64],
    one: usize,
    fifty: usize,
) -> Result<AnchorRates> {
    let db = Db::open_data_dir_with(dir, options).await?;
    let Db::Sqlite(pool) = &db else { return Err("the anchor runs on SQLite".into()) };
    let wanted: Vec<i64> = units.iter().copied().take(one + fifty).collect();
    let mut targets: Vec<Target> = Vec::with_capacity(wanted.len());
    for chunk in wanted.chunks(500) {
        let list: Vec<String> = chunk.iter().map(|id| id.to_string()).collect();
        let sql = format!(
            "WITH RECURSIVE up(start, id, parent_id, depth) AS (
                 SELECT id, id, parent_id, 0 FROM units WHERE id IN ({})
                 UNION ALL
                 SELECT up.start, u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 16
             ) SELECT start, id FROM up ORDER BY start, depth",
            list.join(",")
        );
        let rows: Vec<(i64, i64)> = sqlx::query_as(&sql).fetch_all(pool).await?;
        let mut chains: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for (start, id) in rows {
            chains.entry(start).or_default().push(id);
        }
        for id in chunk {
            targets.push(Target { unit_id: *id, chain: chains.remove(id).unwrap_or_default() });
        }
    }
    let (first, rest) = targets.split_at(one.min(targets.len()));
    let mut conn = pool.acquire().await?;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let started = Instant::now();
    for t in first {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        write_report(&mut tx, campaign_id, period_seq, keys, t, &mut seed).await?;
        tx.commit().await?;
    }
    let one_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    for batch in rest.chunks(50) {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        for t in batch {
            write_report(&mut tx, campaign_id, period_seq, keys, t, &mut seed).await?;
        }
        tx.commit().await?;
    }
    let fifty_secs = started.elapsed().as_secs_f64();
    drop(conn);
    db.close().await;
    let rollup_rows: usize = targets.iter().map(|t| t.chain.len() * keys.len()).sum();
    Ok(AnchorRates {
        one_per_commit: first.len() as f64 / one_secs.max(1e-9),
        fifty_per_commit: rest.len() as f64 / fifty_secs.max(1e-9),
        reports_one: first.len(),
        reports_fifty: rest.len(),
        rollup_rows_per_report: rollup_rows as f64 / targets.len().max(1) as f64,
        values_per_report: keys.len(),
    })
}

impl AnchorRates {
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "one_report_per_commit_per_second": self.one_per_commit,
            "fifty_reports_per_commit_per_second": self.fifty_per_commit,
            "reports_one_per_commit": self.reports_one,
            "reports_fifty_per_commit": self.reports_fifty,
            "values_per_report": self.values_per_report,
            "rollup_upserts_per_report": self.rollup_rows_per_report,
        })
    }
}

async fn write_report(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    campaign_id: i64,
    period_seq: i64,
    keys: &[String],
    t: &Target,
    seed: &mut u64,
) -> Result<()> {
    *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let values: Vec<(&str, i64)> =
        keys.iter().enumerate().map(|(k, key)| (key.as_str(), ((*seed >> (k % 48)) % 13) as i64)).collect();
    let submitted: serde_json::Map<String, serde_json::Value> =
        values.iter().map(|(k, v)| (k.to_string(), (*v).into())).collect();
    let submitted = serde_json::Value::Object(submitted).to_string();
    let draft = serde_json::json!({"values": values.iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(v.to_string()))).collect::<serde_json::Map<String, serde_json::Value>>()}).to_string();
    let now = chrono::DateTime::<chrono::Utc>::from_timestamp(1_677_826_800, 0).unwrap_or_default();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO reports (campaign_id, unit_id, kind, period_seq, status, version, due_at, first_submitted_at, last_submitted_at, timeliness, draft_json, created_at, updated_at, updated_by, highlights, difficulties, proposals, submitted_values)
         VALUES ($1, $2, 'weekly', $3, 'submitted', 1, $4, $4, $4, 'on_time', $5, $4, $4, 'anchor', '', '', '', $6) RETURNING id",
    )
    .bind(campaign_id)
    .bind(t.unit_id)
    .bind(period_seq)
    .bind(now)
    .bind(&draft)
    .bind(&submitted)
    .fetch_one(&mut **tx)
    .await?;
    let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new("INSERT INTO report_values (report_id, indicator_key, value) ");
    q.push_values(&values, |mut row, (key, value)| {
        row.push_bind(id).push_bind(*key).push_bind(*value);
    });
    q.build().execute(&mut **tx).await?;
    let rows: Vec<(i64, &str, i64)> =
        t.chain.iter().flat_map(|unit| values.iter().map(move |(key, value)| (*unit, *key, *value))).collect();
    if !rows.is_empty() {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO rollups (campaign_id, unit_id, key, period_seq, value) ",
        );
        q.push_values(&rows, |mut row, (unit, key, value)| {
            row.push_bind(campaign_id)
                .push_bind(*unit)
                .push_bind(format!("v:{key}"))
                .push_bind(period_seq)
                .push_bind(*value);
        });
        q.push(
            " ON CONFLICT (campaign_id, unit_id, key, period_seq) DO UPDATE SET value = rollups.value + excluded.value",
        );
        q.build().execute(&mut **tx).await?;
    }
    Ok(())
}
