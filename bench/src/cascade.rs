//! The national cascade's benchmarks (issue #21), on a database made by
//! `phongtrao demo --scale national` (SQLite data directory or PostgreSQL URL):
//!
//! `phongtrao-bench report-up (--data-dir DIR | --database-url URL) [--province QG-T01]
//!  [--office vanphong-t01] [--week 1] [--repetitions 300]`
//!   times a province's report up as its page computes it (`unit_plan::report_up`:
//!   the permission, the report's context, the province's kept figures in its own
//!   plan, the lines), and the read of the kept figures alone
//!   (`rollups::subtree_figures` for the province), many times: min, median, p99.
//!
//! `phongtrao-bench cascade-burst (--data-dir DIR | --database-url URL) --prepare`
//!   gives every commune and branch of the provinces' own plans an account and an API
//!   token and prints the `--now` for the servers (two hours before the earliest
//!   deadline of the burst's week in the provinces' plans).
//! `phongtrao-bench cascade-burst (--data-dir DIR | --database-url URL) --urls U1,U2
//!  [--week 2] [--concurrency 64] [--units N] [--out FILE]`
//!   every one of those units submits its report of that week in its province's plan
//!   at once, the requests spread round-robin over the servers' URLs (two `phongtrao
//!   serve` on one PostgreSQL database, say), from this separate process; then checks
//!   that every acknowledged report is stored as submitted.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use phongtrao_domain::plan::{Level, Plan};
use phongtrao_domain::simulate;
use phongtrao_domain::unit::UnitKind;
use phongtrao_storage::{campaigns, reports, rollups, units, Db};
use phongtrao_web::auth::current::token_digest;
use phongtrao_web::demo_national;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Runs a cascade benchmark when the first argument names one.
pub fn main_if_cascade() -> Option<Result<()>> {
    let command = std::env::args().nth(1)?;
    if command != "report-up" && command != "cascade-burst" {
        return None;
    }
    let run = || -> Result<()> {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        let args = Flags::parse()?;
        runtime.block_on(async {
            match command.as_str() {
                "report-up" => report_up(&args).await,
                _ => burst(&args).await,
            }
        })
    };
    Some(run())
}

#[derive(Default)]
struct Flags {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    province: Option<String>,
    office: Option<String>,
    week: Option<u32>,
    repetitions: usize,
    urls: Vec<String>,
    concurrency: usize,
    units: Option<usize>,
    prepare: bool,
    out: Option<PathBuf>,
}

impl Flags {
    fn parse() -> Result<Flags> {
        let mut f = Flags { repetitions: 300, concurrency: 64, ..Flags::default() };
        let mut it = std::env::args().skip(2);
        while let Some(flag) = it.next() {
            if flag == "--prepare" {
                f.prepare = true;
                continue;
            }
            let value = it.next().ok_or(format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--data-dir" => f.data_dir = Some(PathBuf::from(value)),
                "--database-url" => f.database_url = Some(value),
                "--province" => f.province = Some(value),
                "--office" => f.office = Some(value),
                "--week" => f.week = Some(value.parse()?),
                "--repetitions" => f.repetitions = value.parse()?,
                "--urls" => {
                    f.urls = value.split(',').map(|u| u.trim().trim_end_matches('/').to_string()).collect();
                }
                "--concurrency" => f.concurrency = value.parse()?,
                "--units" => f.units = Some(value.parse()?),
                "--out" => f.out = Some(PathBuf::from(value)),
                other => return Err(format!("unknown flag {other}").into()),
            }
        }
        Ok(f)
    }

    async fn db(&self) -> Result<Db> {
        Ok(match (&self.database_url, &self.data_dir) {
            (Some(url), _) => Db::connect(url).await?,
            (None, Some(dir)) => Db::open_data_dir(dir).await?,
            (None, None) => return Err("--data-dir DIR or --database-url URL".into()),
        })
    }
}

/// Milliseconds at a quantile of sorted samples.
fn at(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(((sorted.len() - 1) as f64) * q).round() as usize]
}

fn summary(mut samples: Vec<f64>) -> serde_json::Value {
    samples.sort_by(|a, b| a.total_cmp(b));
    serde_json::json!({
        "samples": samples.len(),
        "min_ms": at(&samples, 0.0),
        "median_ms": at(&samples, 0.5),
        "p99_ms": at(&samples, 0.99),
        "max_ms": at(&samples, 1.0),
    })
}

async fn report_up(f: &Flags) -> Result<()> {
    let db = f.db().await?;
    let national = campaigns::current(&db).await?;
    let province = f.province.clone().unwrap_or_else(|| phongtrao_domain::simulate::province_code(1));
    let office = f.office.clone().unwrap_or_else(|| demo_national::office_username(1));
    let unit = units::by_code(&db, &province).await?.ok_or("no such province")?;
    let own = campaigns::own_plan_of(&db, national.row.id, unit.id).await?.ok_or("the province has no own plan")?;
    let week = f.week.unwrap_or(1);
    let period = national.plan.periods().into_iter().find(|p| p.seq == week).ok_or("no such week")?;
    let prefix = format!("{province}-");
    let subtree = units::list(&db).await?.iter().filter(|u| u.code.starts_with(&prefix)).count() + 1;
    let reports: (i64,) = match &db {
        Db::Sqlite(p) => {
            sqlx::query_as("SELECT COUNT(*) FROM reports WHERE campaign_id = $1").bind(own.row.id).fetch_one(p).await?
        }
        Db::Postgres(p) => {
            sqlx::query_as("SELECT COUNT(*) FROM reports WHERE campaign_id = $1").bind(own.row.id).fetch_one(p).await?
        }
    };
    let state = phongtrao_web::AppState::new(
        db.clone(),
        false,
        phongtrao_web::Clock::starting_at(period.deadline.with_timezone(&Utc)).offset(),
    );
    let actor = demo_national::actor_of(&db, &office).await?;
    let client = demo_national::CLIENT;
    // Warm the pool and the caches once.
    let first = phongtrao_web::actions::unit_plan::report_up(&state, &actor, &client, &national, &province, period.end)
        .await
        .map_err(|e| format!("{} / {}", e.vi, e.en))?;
    let (mut whole, mut read) = (Vec::new(), Vec::new());
    for _ in 0..f.repetitions {
        let t = Instant::now();
        let up =
            phongtrao_web::actions::unit_plan::report_up(&state, &actor, &client, &national, &province, period.end)
                .await
                .map_err(|e| format!("{} / {}", e.vi, e.en))?;
        whole.push(t.elapsed().as_secs_f64() * 1000.0);
        if up.lines.len() != first.lines.len() {
            return Err("the report up changed while measured".into());
        }
        let t = Instant::now();
        let figures = rollups::subtree_figures(&db, &own.plan, own.row.id, &[unit.id]).await?;
        read.push(t.elapsed().as_secs_f64() * 1000.0);
        if figures.is_empty() {
            return Err("no figures for the province".into());
        }
    }
    let results = serde_json::json!({
        "backend": match &db { Db::Sqlite(_) => "sqlite", Db::Postgres(_) => "postgresql" },
        "province": province,
        "own_campaign": own.row.code,
        "units_in_subtree": subtree,
        "reports_in_its_plan": reports.0,
        "week": week,
        "lines": first.lines.len(),
        "report_up_action": summary(whole),
        "kept_figures_read": summary(read),
    });
    println!("{}", serde_json::to_string_pretty(&results)?);
    Ok(())
}

/// One unit of the burst: its code, id, its province's campaign (code, id, plan),
/// the burst's week (number, last day) in that plan.
struct Job {
    code: String,
    id: i64,
    level: Option<(Level, UnitKind)>,
    campaign: String,
    campaign_id: i64,
    plan: Arc<Plan>,
    seq: u32,
    end: NaiveDate,
}

/// The values each job's unit sends: what its form accepts for every indicator of
/// its plan (`simulate::week_values`, bounded by the unit's base figures and its
/// totals of the other weeks, read as its form reads them), the same on every run.
async fn values_of(db: &Db, jobs: &[Job]) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        let Some((level, kind)) = job.level else {
            out.push(serde_json::Map::new());
            continue;
        };
        let key = reports::ReportKey {
            campaign_id: job.campaign_id,
            unit_id: job.id,
            kind: phongtrao_domain::report::ReportKind::Weekly,
            period_seq: i64::from(job.seq),
        };
        let facts = reports::form_facts(db, &key).await?;
        let before = |key: &str| facts.totals_before.get(key).copied().unwrap_or(0);
        let mut rng = simulate::Rng::new(job.id as u64 ^ 0x0b0b);
        let values = simulate::week_values(&job.plan, level, kind, &facts.base, &before, &mut rng);
        out.push(values.into_iter().map(|(k, v)| (k, v.to_string().into())).collect());
    }
    Ok(out)
}

async fn jobs(db: &Db, week: u32) -> Result<(Vec<Job>, chrono::DateTime<Utc>)> {
    let national = campaigns::current(db).await?;
    let all = units::list(db).await?;
    let mut per_province: Vec<Vec<Job>> = Vec::new();
    let mut earliest: Option<chrono::DateTime<Utc>> = None;
    for (campaign_id, root) in campaigns::own_plans_beneath(db, national.row.id).await? {
        let Some(own) = campaigns::by_id(db, campaign_id).await? else { continue };
        let Some(root) = all.iter().find(|u| u.id == root) else { continue };
        let Some(period) = own.plan.periods().into_iter().find(|p| p.seq == week) else { continue };
        let due = period.deadline.with_timezone(&Utc);
        earliest = Some(earliest.map_or(due, |e| e.min(due)));
        let plan = own.plan.clone();
        let prefix = format!("{}-", root.code);
        per_province.push(
            all.iter()
                .filter(|u| u.active && u.code.starts_with(&prefix))
                .filter(|u| u.level().is_some_and(|l| own.plan.reporting.levels.contains(&l)))
                .map(|u| Job {
                    code: u.code.clone(),
                    id: u.id,
                    level: u.level().zip(u.kind()),
                    campaign: own.row.code.clone(),
                    campaign_id,
                    plan: plan.clone(),
                    seq: week,
                    end: period.end,
                })
                .collect(),
        );
    }
    // Interleaved: the provinces' units arrive together, as at a national deadline.
    let mut out = Vec::new();
    let longest = per_province.iter().map(Vec::len).max().unwrap_or(0);
    let mut iters: Vec<_> = per_province.into_iter().map(Vec::into_iter).collect();
    for _ in 0..longest {
        for it in &mut iters {
            if let Some(j) = it.next() {
                out.push(j);
            }
        }
    }
    Ok((out, earliest.ok_or("no province has its own plan")? - chrono::Duration::hours(2)))
}

#[derive(Default)]
struct Outcome {
    latencies_us: Vec<u64>,
    ok: Vec<(i64, i64)>,
    errors: std::collections::HashMap<String, usize>,
}

async fn burst(f: &Flags) -> Result<()> {
    let db = f.db().await?;
    let week = f.week.unwrap_or(2);
    let (mut all, now) = jobs(&db, week).await?;
    if let Some(n) = f.units {
        all.truncate(n);
    }
    if f.prepare {
        let t = Instant::now();
        let accounts: Vec<(String, &str)> = all.iter().map(|j| (format!("bench-{}", j.code), "unit")).collect();
        match &db {
            Db::Sqlite(pool) => crate::tokens_on!(pool, &accounts),
            Db::Postgres(pool) => crate::tokens_on!(pool, &accounts),
        }
        println!(
            "{} accounts and tokens in {:.1} s; start the servers with --now {}",
            accounts.len(),
            t.elapsed().as_secs_f64(),
            now.to_rfc3339()
        );
        return Ok(());
    }
    if f.urls.is_empty() {
        return Err("--urls URL1[,URL2…]".into());
    }
    let client =
        reqwest::Client::builder().pool_max_idle_per_host(f.concurrency).timeout(Duration::from_secs(60)).build()?;
    let t = Instant::now();
    let values = Arc::new(values_of(&db, &all).await?);
    println!("{} units' values read and drawn in {:.1} s", all.len(), t.elapsed().as_secs_f64());
    let jobs = Arc::new(all);
    let urls = Arc::new(f.urls.clone());
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..f.concurrency {
        let (client, jobs, urls, next, values) =
            (client.clone(), jobs.clone(), urls.clone(), next.clone(), values.clone());
        workers.push(tokio::spawn(async move {
            let mut out = Outcome::default();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let base = &urls[i % urls.len()];
                let body = serde_json::json!({"version": 0, "input": {"values": values.get(i)}});
                let t = Instant::now();
                let response = client
                    .post(format!("{base}/api/v1/reports/{}/{}/submit?campaign={}", job.code, job.end, job.campaign))
                    .bearer_auth(format!("tok-bench-{}", job.code))
                    .header("Idempotency-Key", format!("cascade-{}-{}", job.code, job.end))
                    .json(&body)
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        out.latencies_us.push(t.elapsed().as_micros() as u64);
                        out.ok.push((job.campaign_id, job.id));
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
        total.ok.extend(o.ok);
        crate::add_errors(&mut total.errors, o.errors);
    }
    let secs = started.elapsed().as_secs_f64();
    total.latencies_us.sort_unstable();
    let ms: Vec<f64> = total.latencies_us.iter().map(|u| *u as f64 / 1000.0).collect();

    // Every acknowledged report is stored, as submitted.
    let sql =
        "SELECT campaign_id, unit_id FROM reports WHERE kind = 'weekly' AND period_seq = $1 AND status = 'submitted'";
    let stored: Vec<(i64, i64)> = match &db {
        Db::Sqlite(p) => sqlx::query_as(sql).bind(i64::from(week)).fetch_all(p).await?,
        Db::Postgres(p) => sqlx::query_as(sql).bind(i64::from(week)).fetch_all(p).await?,
    };
    let stored: HashSet<(i64, i64)> = stored.into_iter().collect();
    let lost = total.ok.iter().filter(|k| !stored.contains(k)).count();
    let errors: usize = total.errors.values().sum();
    let results = serde_json::json!({
        "backend": match &db { Db::Sqlite(_) => "sqlite", Db::Postgres(_) => "postgresql" },
        "servers": *urls,
        "week": week,
        "submitting_units": jobs.len(),
        "concurrency": f.concurrency,
        "acknowledged": total.ok.len(),
        "errors": errors,
        "error_kinds": total.errors,
        "seconds": secs,
        "submissions_per_second": total.ok.len() as f64 / secs,
        "latency_ms": {"p50": at(&ms, 0.5), "p95": at(&ms, 0.95), "p99": at(&ms, 0.99), "max": at(&ms, 1.0)},
        "acknowledged_missing": lost,
    });
    let text = serde_json::to_string_pretty(&results)?;
    if let Some(out) = &f.out {
        std::fs::write(out, &text)?;
    }
    println!("{text}");
    Ok(())
}
