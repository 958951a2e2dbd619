//! The national deadline burst, over HTTP, on SQLite with durable commits.
//!
//! `phongtrao-bench burst --data-dir DIR [--prefill N] [--concurrency C] [--units U]
//!  [--external URL --server-pid PID] [--anchor-reports N] [--anchor-batched N]`
//! `phongtrao-bench anchor --data-dir DIR` (the anchor alone, see `anchor.rs`)
//! `phongtrao-bench prepare --data-dir DIR` (the database, accounts and tokens for a
//! burst against a separately started `phongtrao serve`; prints its command)
//! `phongtrao-bench children --data-dir DIR` (the top unit's children judged the way
//! before round 3 of #24 and the lean way, in the same run: see `children.rs`)
//!
//! 0. Unless `--anchor-reports 0`: the raw SQLite anchor (`anchor.rs`) on a copy of
//!    the same database, for the same units and week, right before the burst; the
//!    burst's rate is reported as a ratio to it.
//!
//! 1. Builds the national simulation in DIR (about 100,000 units, `--prefill` weeks
//!    of simulated reports written through grouped commits).
//! 2. Gives every unit an account and an API token.
//! 3. Starts the real server in this process on a free loopback port, with its clock
//!    set two hours before the deadline of the burst week — or, with `--external URL`,
//!    drives a `phongtrao serve` already running in another process (started on the
//!    same data directory with the `--now` that `prepare` prints), so that the
//!    server's CPU is not shared with the load generator's in one process.
//! 4. Every unit submits its weekly report at once (C clients in parallel, each with
//!    an Idempotency-Key), while a prober reads the province dashboard's figures
//!    (GET /api/v1/progress for the top unit) every 250 ms, and the same sums by a
//!    full scan (SQL GROUP BY over the raw report values) every `--scan-every` seconds
//!    (0: every probe).
//! 5. Checks that every acknowledged report is stored, that the kept figures equal a
//!    rebuild from the raw rows, times a full rebuild, and exports the raw values for
//!    DuckDB (bench/duckdb_scan.py).
//!
//! Results are printed and written to DIR/results.json.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The load generator's accounts `(username "bench-…", role)`, each unit account
/// linked to the unit of its code and each with the token "tok-" + its username, in
/// one transaction on either backend (once: nothing if bench accounts exist).
#[macro_export]
macro_rules! tokens_on {
    ($pool:expr, $accounts:expr) => {{
        let now = phongtrao_web::Clock::system().now();
        let mut tx = $pool.begin().await?;
        let existing: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE username LIKE 'bench-%'").fetch_one(&mut *tx).await?;
        if existing.0 == 0 {
            let accounts: &[(String, &str)] = $accounts;
            for chunk in accounts.chunks(500) {
                let mut sql = String::from(
                    "INSERT INTO users (username, display_name, password_hash, role, must_change_password, active, created_at, updated_at) VALUES ",
                );
                for i in 0..chunk.len() {
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("(${}, ${}, '!', ${}, FALSE, TRUE, $1, $1)", 3 * i + 2, 3 * i + 3, 3 * i + 4));
                }
                let mut q = sqlx::query(&sql).bind(now);
                for (name, role) in chunk {
                    q = q.bind(name).bind(format!("Tài khoản thử tải {name}")).bind(*role);
                }
                q.execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO user_units (user_id, unit_id) SELECT us.id, un.id FROM users us JOIN units un ON us.username = 'bench-' || un.code",
            )
            .execute(&mut *tx)
            .await?;
            for chunk in accounts.chunks(500) {
                let mut sql = String::from(
                    "INSERT INTO api_tokens (user_id, name, token_sha256, created_at) SELECT id, 'bench', CASE username ",
                );
                for i in 0..chunk.len() {
                    sql.push_str(&format!("WHEN ${} THEN ${} ", 2 * i + 2, 2 * i + 3));
                }
                sql.push_str("END, $1 FROM users WHERE username IN (");
                for i in 0..chunk.len() {
                    if i > 0 {
                        sql.push(',');
                    }
                    sql.push_str(&format!("${}", 2 * i + 2));
                }
                sql.push(')');
                let mut q = sqlx::query(&sql).bind(now);
                for (name, _) in chunk {
                    q = q.bind(name).bind(token_digest(&format!("tok-{name}")));
                }
                q.execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
    }};
}

mod anchor;
mod cascade;
mod children;

use chrono::Utc;
use phongtrao_domain::plan::IndicatorKind;
use phongtrao_storage::{campaigns, rollups, units, Db};
use phongtrao_web::auth::current::token_digest;
use phongtrao_web::{Application, Settings};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

struct Args {
    data_dir: PathBuf,
    prefill: u32,
    concurrency: usize,
    units: Option<usize>,
    seed: u64,
    /// Seconds between two full scans during the burst.
    scan_every: u64,
    /// Campaigns in the database (#19): the burst's own, one more running, the rest
    /// archived.
    campaigns: u32,
    command: Command,
    /// A server already running (another process): its base URL.
    external: Option<String>,
    /// That server's process id, to read its peak memory.
    server_pid: Option<u32>,
    /// Reports the anchor writes at one per commit (0: no anchor), then at 50 per commit.
    anchor_reports: usize,
    anchor_batched: usize,
    /// The size of the simulated tree (`simulate::Shape::about`; None: national, 100,254 units).
    tree_units: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Command {
    Burst,
    Anchor,
    Prepare,
    Children,
}

fn args() -> Result<Args> {
    let mut a = Args {
        data_dir: PathBuf::from("bench-data"),
        prefill: 0,
        concurrency: 64,
        units: None,
        seed: 2023,
        scan_every: 10,
        campaigns: 1,
        command: Command::Burst,
        external: None,
        server_pid: None,
        anchor_reports: 2000,
        anchor_batched: 10000,
        tree_units: None,
    };
    let mut it = std::env::args().skip(1);
    a.command = match it.next().as_deref() {
        Some("burst") => Command::Burst,
        Some("anchor") => Command::Anchor,
        Some("prepare") => Command::Prepare,
        Some("children") => Command::Children,
        _ => {
            return Err("usage: phongtrao-bench burst|anchor|prepare|children --data-dir DIR [--prefill N] [--concurrency C] [--units U] [--scan-every SECS] [--campaigns N] [--anchor-reports N] [--anchor-batched N] [--tree-units N] [--external URL] [--server-pid PID]".into())
        }
    };
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--data-dir" => a.data_dir = PathBuf::from(value),
            "--prefill" => a.prefill = value.parse()?,
            "--concurrency" => a.concurrency = value.parse()?,
            "--units" => a.units = Some(value.parse()?),
            "--seed" => a.seed = value.parse()?,
            "--scan-every" => a.scan_every = value.parse()?,
            "--campaigns" => a.campaigns = value.parse()?,
            "--external" => a.external = Some(value.trim_end_matches('/').to_string()),
            "--server-pid" => a.server_pid = Some(value.parse()?),
            "--anchor-reports" => a.anchor_reports = value.parse()?,
            "--anchor-batched" => a.anchor_batched = value.parse()?,
            "--tree-units" => a.tree_units = Some(value.parse()?),
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    Ok(a)
}

/// The pool settings `phongtrao serve` would take from the same variables
/// (PHONGTRAO_SQLITE_CONNECTIONS, PHONGTRAO_DB_ACQUIRE_TIMEOUT).
fn db_options() -> phongtrao_storage::DbOptions {
    let var = |name: &str| std::env::var(name).ok().map(|v| v.trim().to_string());
    let mut options = phongtrao_storage::DbOptions::default();
    if let Some(n) = var("PHONGTRAO_SQLITE_CONNECTIONS").and_then(|v| v.parse().ok()) {
        options.sqlite_connections = n;
    }
    options.acquire_timeout = var("PHONGTRAO_DB_ACQUIRE_TIMEOUT")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64);
    options
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)] as f64 / 1000.0
}

fn p95_ms(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[((v.len() as f64 - 1.0) * 0.95).round() as usize]
}

/// What a refused submission is counted as: its status and the start of its answer,
/// or the transport's error.
pub(crate) async fn refusal(response: reqwest::Result<reqwest::Response>) -> String {
    match response {
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            format!("{status} {}", text.chars().take(160).collect::<String>())
        }
        Err(e) => format!("transport: {e}"),
    }
}

/// Adds one client's counts of refusals to the total.
pub(crate) fn add_errors(total: &mut HashMap<String, usize>, more: HashMap<String, usize>) {
    for (k, v) in more {
        *total.entry(k).or_default() += v;
    }
}

fn median_ms(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Other campaigns beside the burst's (earlier editions of the same plan, each with
/// its own code, targets, indicators, periods and consolidated figures): the first
/// runs, the others are archived. The burst's campaign stays the default.
async fn other_campaigns(db: &Db, count: u32) -> Result<u32> {
    let toml = phongtrao_domain::simulate::plan_toml(phongtrao_domain::builtin::PLAN_TOML);
    let current = campaigns::current(db).await?;
    let who = phongtrao_storage::audit::Who::system();
    let mut added = 0;
    for k in 1..=count {
        let code = format!("{}-truoc-{k}", current.row.code);
        if campaigns::by_code(db, &code).await?.is_some() {
            continue;
        }
        let text = toml.replace(&current.row.code, &code);
        let plan = phongtrao_domain::plan::parse_plan(&text)?;
        let id = campaigns::load_plan(db, &plan, &text, current.row.created_at).await?.id();
        if k > 1 {
            campaigns::set_status(db, id, true, &who, current.row.created_at).await?;
        }
        added += 1;
    }
    Ok(added)
}

/// Accounts and tokens for every unit, plus an office token, in one transaction.
async fn tokens(db: &Db, unit_rows: &[units::UnitRow]) -> Result<String> {
    let Db::Sqlite(pool) = db else { return Err("the burst runs on SQLite".into()) };
    let mut accounts: Vec<(String, &str)> = unit_rows.iter().map(|u| (format!("bench-{}", u.code), "unit")).collect();
    accounts.push(("bench-office".into(), "admin"));
    tokens_on!(pool, &accounts);
    Ok("tok-bench-office".into())
}

/// The dashboard's sums by a full scan of the raw values (what the rollups replace).
async fn full_scan(db: &Db, campaign_id: i64) -> Result<HashMap<String, i64>> {
    let Db::Sqlite(pool) = db else { return Err("SQLite only".into()) };
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT v.indicator_key, CAST(SUM(v.value) AS BIGINT) FROM report_values v JOIN reports r ON r.id = v.report_id
         WHERE r.campaign_id = $1 AND r.kind = 'weekly' AND r.status IN ('submitted', 'accepted')
         GROUP BY v.indicator_key",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    let _: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT period_seq, timeliness, COUNT(*) FROM reports WHERE campaign_id = $1 AND kind = 'weekly' GROUP BY period_seq, timeliness",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}

#[derive(Default)]
struct Outcome {
    latencies_us: Vec<u64>,
    ok_units: Vec<i64>,
    errors: HashMap<String, usize>,
    replayed: usize,
}

/// The same allocator as the `phongtrao` binary (the server runs in this process).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<()> {
    if let Some(result) = cascade::main_if_cascade() {
        return result;
    }
    if std::env::var("RUST_LOG").is_ok() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(run(args()?))
}

async fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let db = Db::open_data_dir_with(&args.data_dir, &db_options()).await?;
    if args.command == Command::Children {
        let out = children::run(&db, 10).await?;
        std::fs::write(args.data_dir.join("children.json"), serde_json::to_string_pretty(&out)?)?;
        return Ok(());
    }
    let (unit_count, campaign_id) = if args.external.is_some() {
        // The running server owns the database: read it, change nothing of its setup.
        (units::list(&db).await?.len(), campaigns::current(&db).await?.row.id)
    } else {
        let shape = match args.tree_units {
            Some(n) => phongtrao_domain::simulate::Shape::about(n),
            None => phongtrao_domain::simulate::NATIONAL,
        };
        let set = phongtrao_web::demo_national::setup_shaped(&db, args.seed, shape).await?;
        phongtrao_web::prepare::prepare(&db).await?;
        set
    };
    let already: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reports")
        .fetch_one(match &db {
            Db::Sqlite(p) => p,
            Db::Postgres(_) => return Err("SQLite only".into()),
        })
        .await?;
    if already.0 == 0 && args.prefill > 0 {
        let s = phongtrao_web::demo_national::fill(&db, args.seed, args.prefill).await?;
        println!(
            "prefilled {} reports of {} weeks in {:.1} s",
            s.reports,
            args.prefill,
            started.elapsed().as_secs_f64()
        );
    }
    if args.campaigns > 1 {
        let t = Instant::now();
        let added = other_campaigns(&db, args.campaigns - 1).await?;
        println!("{added} other campaigns (1 running, the rest archived) in {:.1} s", t.elapsed().as_secs_f64());
    }
    let campaign = campaigns::current(&db).await?;
    let plan = campaign.plan.clone();
    let period = plan.periods().into_iter().find(|p| p.seq == args.prefill + 1).ok_or("no week left for the burst")?;
    let mut all: Vec<units::UnitRow> = units::list(&db).await?.into_iter().filter(|u| u.active).collect();
    if let Some(n) = args.units {
        all.truncate(n);
    }
    let office = tokens(&db, &all).await?;
    println!(
        "{unit_count} units, {} submitting week {} (due {}), setup {:.1} s",
        all.len(),
        period.seq,
        period.deadline,
        started.elapsed().as_secs_f64()
    );

    let now = period.deadline.with_timezone(&Utc) - chrono::Duration::hours(2);
    let count_keys: Vec<String> =
        plan.indicators().filter(|i| i.kind == IndicatorKind::Count).map(|i| i.key.clone()).collect();
    if args.command == Command::Prepare {
        println!(
            "prepared; start the server with\n  phongtrao serve --data-dir {} --bind 127.0.0.1:8097 --now {}\nthen\n  phongtrao-bench burst --data-dir {} --external http://127.0.0.1:8097 --server-pid PID",
            args.data_dir.display(),
            now.to_rfc3339(),
            args.data_dir.display()
        );
        return Ok(());
    }

    // The anchor: the same rows straight into SQLite, on a copy, minutes before the burst.
    let anchor = if args.anchor_reports > 0 {
        let t = Instant::now();
        let ids: Vec<i64> = all.iter().map(|u| u.id).collect();
        let rates = anchor::run(
            &args.data_dir,
            &db_options(),
            campaign_id,
            i64::from(period.seq),
            &count_keys,
            &ids,
            args.anchor_reports,
            args.anchor_batched,
        )
        .await?;
        println!(
            "anchor: {:.0} reports/s at 1 per commit ({} reports), {:.0}/s at 50 per commit ({} reports); {:.1} s with the copy",
            rates.one_per_commit,
            rates.reports_one,
            rates.fifty_per_commit,
            rates.reports_fifty,
            t.elapsed().as_secs_f64()
        );
        Some(rates)
    } else {
        None
    };
    if args.command == Command::Anchor {
        if let Some(a) = anchor {
            std::fs::write(args.data_dir.join("anchor.json"), serde_json::to_string_pretty(&a.json())?)?;
            println!("{}", serde_json::to_string_pretty(&a.json())?);
        }
        return Ok(());
    }

    // The real server, in this process, on a free loopback port; or the one running
    // in another process.
    let base = match &args.external {
        Some(url) => url.clone(),
        None => {
            let bind: SocketAddr = "127.0.0.1:0".parse()?;
            let settings = Settings { now: Some(now), ..Settings::local(bind) };
            let app = Application::build(&settings, db.clone()).await?;
            let base = format!("http://127.0.0.1:{}", app.port());
            tokio::spawn(app.run_forever());
            base
        }
    };

    let client = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?;
    let end = period.end.format("%Y-%m-%d").to_string();

    // The prober: dashboard figures every 250 ms during the burst, the full scan less often.
    let running = Arc::new(AtomicBool::new(true));
    let prober = {
        let (client, base, office, db, running, scan_every) =
            (client.clone(), base.clone(), office.clone(), db.clone(), running.clone(), args.scan_every);
        tokio::spawn(async move {
            let (mut dash, mut scan) = (Vec::new(), Vec::new());
            let mut tick = 0u64;
            while running.load(Ordering::Relaxed) {
                tick += 1;
                let t = Instant::now();
                let r = client.get(format!("{base}/api/v1/progress")).bearer_auth(&office).send().await;
                if let Ok(r) = r {
                    if r.status().is_success() {
                        let _ = r.bytes().await;
                        dash.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                }
                // The full scan is costly (it takes most of a core for ~0.5 s): every
                // `scan_every` seconds only, so as not to slow the burst much.
                if (tick - 1).is_multiple_of((scan_every * 4).max(1)) {
                    let t = Instant::now();
                    if full_scan(&db, campaign_id).await.is_ok() {
                        scan.push(t.elapsed().as_secs_f64() * 1000.0);
                    }
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
            (dash, scan)
        })
    };

    // The burst.
    let next = Arc::new(AtomicUsize::new(0));
    let units_arc: Arc<Vec<(String, i64)>> = Arc::new(all.iter().map(|u| (u.code.clone(), u.id)).collect());
    // CPU time of the server's process (this one, or the external server) and of this
    // process, over the burst: CPU per submission holds better than a rate on a
    // machine shared with other work.
    let server_pid = match &args.external {
        Some(_) => args.server_pid,
        None => Some(std::process::id()),
    };
    let cpu_before = (cpu_seconds(server_pid), cpu_seconds(Some(std::process::id())));
    let burst_started = Instant::now();
    let mut workers = Vec::new();
    for w in 0..args.concurrency {
        let (client, base, end, next, units_arc, keys) =
            (client.clone(), base.clone(), end.clone(), next.clone(), units_arc.clone(), count_keys.clone());
        workers.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            let mut n = w as u64;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((code, id)) = units_arc.get(i) else { break };
                n = n.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                // At least one value above 0: a week of zeros is refused unless sent as
                // "nothing to report" (one refused unit left a unit missing, and the
                // dashboard then listed missing units: a different code path).
                let values: serde_json::Map<String, serde_json::Value> = keys
                    .iter()
                    .enumerate()
                    .map(|(k, key)| (key.clone(), ((n >> (k % 48)) % 13 + u64::from(k == 0)).to_string().into()))
                    .collect();
                let body = serde_json::json!({"version": 0, "input": {"values": values}});
                let t = Instant::now();
                let response = client
                    .post(format!("{base}/api/v1/reports/{code}/{end}/submit"))
                    .bearer_auth(format!("tok-bench-{code}"))
                    .header("Idempotency-Key", format!("burst-{code}-{end}"))
                    .json(&body)
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status().is_success() => {
                        let replayed = r.text().await.map(|t| t.contains("\"replayed\":true")).unwrap_or(false);
                        out.latencies_us.push(t.elapsed().as_micros() as u64);
                        out.ok_units.push(*id);
                        out.replayed += usize::from(replayed);
                    }
                    refused => *out.errors.entry(crate::refusal(refused).await).or_default() += 1,
                }
            }
            out
        }));
    }
    let mut total = Outcome::default();
    for w in workers {
        let o = w.await?;
        total.latencies_us.extend(o.latencies_us);
        total.ok_units.extend(o.ok_units);
        total.replayed += o.replayed;
        crate::add_errors(&mut total.errors, o.errors);
    }
    let burst_secs = burst_started.elapsed().as_secs_f64();
    let cpu_after = (cpu_seconds(server_pid), cpu_seconds(Some(std::process::id())));
    // Peak memory of the server: this process (server and load generator together), or
    // the external server's.
    let peak_rss_kib = peak_rss_kib(match &args.external {
        Some(_) => args.server_pid,
        None => Some(std::process::id()),
    });
    running.store(false, Ordering::Relaxed);
    let (dash_during, scan_during) = prober.await?;
    total.latencies_us.sort_unstable();
    let acknowledged = total.ok_units.len();
    let errors: usize = total.errors.values().sum();

    // Every acknowledged report is there, once.
    let Db::Sqlite(pool) = &db else { return Err("SQLite only".into()) };
    let stored: Vec<(i64, String)> = sqlx::query_as(
        "SELECT unit_id, status FROM reports WHERE campaign_id = $1 AND kind = 'weekly' AND period_seq = $2",
    )
    .bind(campaign_id)
    .bind(i64::from(period.seq))
    .fetch_all(pool)
    .await?;
    let stored_units: HashSet<i64> = stored.iter().filter(|(_, s)| s == "submitted").map(|(u, _)| *u).collect();
    let missing_acknowledged = total.ok_units.iter().filter(|u| !stored_units.contains(u)).count();

    // Kept figures equal a rebuild from the raw rows; a full rebuild's time.
    let t = Instant::now();
    let kept = rollups::stored_all(&db, &plan, campaign_id).await?;
    let recomputed = rollups::compute_all(&db, &plan, campaign_id).await?;
    let compare_secs = t.elapsed().as_secs_f64();
    let consistent = kept == recomputed;
    // Each unit's kept row (`child_summaries`, what the dashboard reads) holds the same
    // figures as its rows of `rollups`.
    let summary_rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT unit_id, figures FROM child_summaries WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_all(pool)
            .await?;
    let names = phongtrao_domain::progress::figures::KeyNames::new(&plan);
    let mut summaries: HashMap<i64, phongtrao_domain::progress::figures::Figures> = HashMap::new();
    for (unit, json) in &summary_rows {
        // As `stored_all` reads `rollups`: zeros and names the plan does not know left out.
        rollups::each_value(json, |name, value| {
            let key = name.rsplit_once('@').and_then(|(k, seq)| Some((names.parse(k)?, seq.parse::<i64>().ok()?)));
            if let (Some(key), true) = (key, value != 0) {
                summaries.entry(*unit).or_default().insert(key, value);
            }
        })?;
    }
    let kept_rows_equal_rollups = summaries == kept;
    let t = Instant::now();
    let (rebuilt_rows, _) = rollups::rebuild(&db, &plan, campaign_id).await?;
    let rebuild_secs = t.elapsed().as_secs_f64();

    // Quiet comparison: the dashboard's figures (server code, no HTTP) vs the full scan.
    let state = phongtrao_web::AppState::new(db.clone(), false, phongtrao_web::Clock::starting_at(now).offset());
    let campaign = &phongtrao_storage::campaigns::current(&db).await.map_err(|e| format!("{e:?}"))?;
    let (mut dash_quiet, mut scan_quiet) = (Vec::new(), Vec::new());
    let mut same_figures = true;
    for _ in 0..10 {
        let t = Instant::now();
        let p = phongtrao_web::actions::progress::compute(&state, campaign, None, None)
            .await
            .map_err(|e| format!("{e:?}"))?;
        dash_quiet.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let sums = full_scan(&db, campaign_id).await?;
        scan_quiet.push(t.elapsed().as_secs_f64() * 1000.0);
        for i in &p.indicators {
            if i.sum != sums.get(&i.indicator).copied().unwrap_or(0) {
                same_figures = false;
            }
        }
    }

    // The top unit's children (700 at national scale), quiet, median of 10 (#24): the
    // ranking over HTTP (`/api/v1/ranking`, as a client waits for it), every child's
    // figures in server code (the dashboard's table and ranking), and the read of the
    // children's kept figures as one row each (`child_summaries`) against the grouping
    // of their rows of `rollups` that the same read was before.
    let root = units::by_code(&db, phongtrao_domain::simulate::ROOT_CODE).await?.ok_or("no top unit")?;
    let child_ids: Vec<i64> = units::children(&db, root.id).await?.into_iter().map(|u| u.id).collect();
    let list = child_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    let (mut ranking_http, mut children_ms, mut summaries_read, mut grouped_read) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut lean_ms = Vec::new();
    let mut ranking_bytes = 0;
    for _ in 0..10 {
        let t = Instant::now();
        let r = client.get(format!("{base}/api/v1/ranking")).bearer_auth(&office).send().await?;
        let ok = r.status().is_success();
        ranking_bytes = r.bytes().await?.len();
        if ok {
            ranking_http.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let t = Instant::now();
        let (_, children) = phongtrao_web::actions::progress::compute_children(&state, campaign, None, None)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let _ = phongtrao_web::actions::progress::rank_reports(
            root.code.as_str(),
            now.date_naive(),
            children.iter().map(|(_, p)| p),
        );
        children_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        // The same children judged the lean way (round 3: what the dashboard and the
        // ranking do now).
        let t = Instant::now();
        let lean = phongtrao_web::actions::progress::judge_children(&state, campaign, None, None)
            .await
            .map_err(|e| format!("{e:?}"))?;
        let _ = phongtrao_web::actions::progress::rank_judged(&campaign.plan, &root.code, lean.at, &lean.children);
        lean_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let rows: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT unit_id, figures FROM child_summaries WHERE campaign_id = $1 AND unit_id IN ({list})"
        ))
        .bind(campaign_id)
        .fetch_all(pool)
        .await?;
        summaries_read.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let old: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT unit_id, json_group_object(key || '@' || period_seq, value) FROM rollups WHERE campaign_id = $1 AND unit_id IN ({list}) GROUP BY unit_id"
        ))
        .bind(campaign_id)
        .fetch_all(pool)
        .await?;
        grouped_read.push(t.elapsed().as_secs_f64() * 1000.0);
        if rows.len() != old.len() {
            return Err(format!("{} kept rows for {} units with figures", rows.len(), old.len()).into());
        }
    }

    // The raw values for DuckDB (bench/duckdb_scan.py reads this file).
    let csv_path = args.data_dir.join("values.csv");
    let rows: Vec<(i64, i64, String, String, i64)> = sqlx::query_as(
        "SELECT r.unit_id, r.period_seq, r.status, v.indicator_key, v.value FROM report_values v JOIN reports r ON r.id = v.report_id WHERE r.campaign_id = $1 AND r.kind = 'weekly'",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await?;
    let mut csv = String::from("unit_id,period_seq,status,indicator_key,value\n");
    for (u, p, s, k, v) in &rows {
        csv.push_str(&format!("{u},{p},{s},{k},{v}\n"));
    }
    std::fs::write(&csv_path, csv)?;

    let reports_total: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM reports").fetch_one(pool).await?;
    let rate = acknowledged as f64 / burst_secs;
    let values_total = rows.len();
    let results = serde_json::json!({
        "units": unit_count,
        "submitting_units": all.len(),
        "burst_week": period.seq,
        "concurrency": args.concurrency,
        "acknowledged": acknowledged,
        "errors": errors,
        "error_kinds": total.errors,
        "replayed": total.replayed,
        "burst_seconds": burst_secs,
        "submissions_per_second": rate,
        "mode": if args.external.is_some() { "external server (another process)" } else { "server in the load generator's process" },
        "anchor": anchor.map(|a| a.json()),
        "ratio_to_anchor_one_per_commit": anchor.map(|a| rate / a.one_per_commit),
        "ratio_to_anchor_fifty_per_commit": anchor.map(|a| rate / a.fifty_per_commit),
        "peak_rss_mib": peak_rss_kib.map(|k| k as f64 / 1024.0),
        "cpu_ms_per_submission": match (cpu_before.0, cpu_after.0) {
            (Some(a), Some(b)) if acknowledged > 0 => Some((b - a) * 1000.0 / acknowledged as f64),
            _ => None,
        },
        "load_generator_cpu_ms_per_submission": match (args.external.is_some(), cpu_before.1, cpu_after.1) {
            (true, Some(a), Some(b)) if acknowledged > 0 => Some((b - a) * 1000.0 / acknowledged as f64),
            _ => None,
        },
        "cpu_note": if args.external.is_some() { "cpu_ms_per_submission: the server process only" } else { "cpu_ms_per_submission: server and load generator (one process)" },
        "latency_ms": {
            "p50": percentile(&total.latencies_us, 0.50),
            "p95": percentile(&total.latencies_us, 0.95),
            "p99": percentile(&total.latencies_us, 0.99),
            "max": percentile(&total.latencies_us, 1.0),
        },
        "acknowledged_missing": missing_acknowledged,
        "dashboard_during_burst_ms": {"median": median_ms(dash_during.clone()), "p95": p95_ms(dash_during.clone()), "max": dash_during.iter().cloned().fold(0.0, f64::max), "samples": dash_during.len()},
        "full_scan_during_burst_ms": {"median": median_ms(scan_during.clone()), "max": scan_during.iter().cloned().fold(0.0, f64::max), "samples": scan_during.len()},
        "dashboard_quiet_ms": median_ms(dash_quiet.clone()),
        "top_children": child_ids.len(),
        "ranking_http_quiet_ms": median_ms(ranking_http.clone()),
        "ranking_bytes": ranking_bytes,
        "children_figures_and_ranking_quiet_ms": median_ms(children_ms.clone()),
        "children_lean_judgement_and_ranking_quiet_ms": median_ms(lean_ms.clone()),
        "children_kept_rows_read_ms": median_ms(summaries_read.clone()),
        "children_rollups_grouped_read_ms (the read before #24)": median_ms(grouped_read.clone()),
        "full_scan_quiet_ms": median_ms(scan_quiet.clone()),
        "same_figures": same_figures,
        "kept_equal_rebuild": consistent,
        "kept_rows_equal_rollups": kept_rows_equal_rollups,
        "compare_seconds": compare_secs,
        "rebuild_seconds": rebuild_secs,
        "rebuild_rows": rebuilt_rows,
        "reports_in_database": reports_total.0,
        "values_in_database": values_total,
        "values_csv": csv_path.display().to_string(),
    });
    std::fs::write(args.data_dir.join("results.json"), serde_json::to_string_pretty(&results)?)?;
    println!("{}", serde_json::to_string_pretty(&results)?);
    Ok(())
}

/// VmHWM (peak resident memory) of a process, in KiB.
fn peak_rss_kib(pid: Option<u32>) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU time (user + system) a process has used so far, in seconds.
fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid?)).ok()?;
    // Fields after the command name (which may hold spaces) are space separated:
    // utime and stime are the 14th and 15th fields of the line.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}
