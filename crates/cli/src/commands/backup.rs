//! `phongtrao backup --out FILE` and `phongtrao restore FILE`.
//!
//! SQLite: `VACUUM INTO` writes a consistent copy from one read transaction, while
//! the server keeps running and writing (WAL: writers are not blocked); the copy is
//! checked with `PRAGMA integrity_check`. Restore checks the file the same way, then
//! puts it in place of the data directory's database (the previous one is kept
//! beside it); the server must be stopped while it runs.
//! PostgreSQL: `pg_dump --format=custom` and `pg_restore --clean`, when installed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use phongtrao_storage::Db;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;

use crate::config::DatabaseArgs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub async fn backup(args: DatabaseArgs, out: PathBuf) -> Result<ExitCode> {
    if out.exists() {
        return Err(format!("tệp đã có / the file already exists: {}", out.display()).into());
    }
    if let Some(url) = args.postgres_url() {
        run_tool("pg_dump", &["--format=custom", "--no-owner", "--file", &out.display().to_string(), url])?;
        println!("Đã sao lưu / backed up {} → {}", args.describe(), out.display());
        return Ok(ExitCode::SUCCESS);
    }
    let file = args.sqlite_file()?;
    if !file.exists() {
        return Err(format!("không có cơ sở dữ liệu / no database at {}", file.display()).into());
    }
    let db = args.connect().await?;
    let Db::Sqlite(pool) = &db else { return Err("SQLite expected".into()) };
    let started = std::time::Instant::now();
    sqlx::query("VACUUM INTO $1").bind(out.display().to_string()).execute(pool).await?;
    db.close().await;
    let check = integrity_check(&out).await?;
    if check != "ok" {
        return Err(format!("bản sao lỗi / the copy fails its integrity check: {check}").into());
    }
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "Đã sao lưu / backed up {} → {} ({} bytes, {} ms, integrity_check: ok)",
        args.describe(),
        out.display(),
        size,
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(args: DatabaseArgs, file: PathBuf) -> Result<ExitCode> {
    if !file.exists() {
        return Err(format!("không có tệp / no such file: {}", file.display()).into());
    }
    if let Some(url) = args.postgres_url() {
        run_tool(
            "pg_restore",
            &["--clean", "--if-exists", "--no-owner", "--dbname", url, &file.display().to_string()],
        )?;
        println!("Đã khôi phục / restored {} → {}", file.display(), args.describe());
        return Ok(ExitCode::SUCCESS);
    }
    let check = integrity_check(&file).await?;
    if check != "ok" {
        return Err(format!("tệp sao lưu lỗi / the backup fails its integrity check: {check}").into());
    }
    let target = args.sqlite_file()?;
    if let Some(dir) = target.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Copy next to the target first, then rename: the database is either the old
    // one or the whole new one, never half a file.
    let tmp = target.with_extension("db.restoring");
    std::fs::copy(&file, &tmp)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let kept = target.with_extension(format!("db.before-restore-{stamp}"));
        std::fs::rename(&target, &kept)?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                std::fs::rename(&side, PathBuf::from(format!("{}{suffix}", kept.display())))?;
            }
        }
        println!("Cơ sở dữ liệu cũ / previous database kept as {}", kept.display());
    }
    std::fs::rename(&tmp, &target)?;
    // Bring the schema up to date (a backup from an older version).
    let db = args.connect().await?;
    db.migrate().await?;
    db.close().await;
    println!("Đã khôi phục / restored {} → {} (integrity_check: ok)", file.display(), target.display());
    Ok(ExitCode::SUCCESS)
}

/// `PRAGMA integrity_check` of a SQLite file, opened read-only.
pub async fn integrity_check(file: &Path) -> Result<String> {
    let mut conn = SqliteConnectOptions::new().filename(file).read_only(true).connect().await?;
    let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check").fetch_all(&mut conn).await?;
    let has_schema: Option<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'reports'")
            .fetch_optional(&mut conn)
            .await?;
    if has_schema.is_none() {
        return Ok("not a phongtrao database (no reports table)".into());
    }
    Ok(rows.into_iter().map(|(r,)| r).collect::<Vec<_>>().join("; "))
}

fn run_tool(tool: &str, args: &[&str]) -> Result<()> {
    let status = std::process::Command::new(tool).args(args).status().map_err(|e| {
        format!("không chạy được / cannot run {tool} ({e}): cài gói postgresql-client / install the PostgreSQL client tools")
    })?;
    if !status.success() {
        return Err(format!("{tool} thất bại / failed ({status})").into());
    }
    Ok(())
}
