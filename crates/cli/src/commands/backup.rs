//! `phongtrao backup --out FILE` and `phongtrao restore FILE`.
//!
//! Backups are secrets: the file is created with mode 0600 (owner only) before
//! anything is written to it, holds no session (the sessions table's rows are left
//! out: a session id is as good as a password), and the database password never
//! appears on a command line (the PostgreSQL tools get it in their environment).
//!
//! SQLite: `VACUUM INTO` writes a consistent copy from one read transaction while the
//! server keeps writing; the sessions are deleted from the copy (with secure_delete)
//! and the copy is checked with `PRAGMA integrity_check`. PostgreSQL: `pg_dump
//! --format=custom`, without the sessions' data.
//!
//! A restore never destroys the database it replaces. It is restored into a new
//! database (PostgreSQL: a new database `NAME_restore_STAMP`; SQLite: a file beside
//! the database), checked (it opens, its migrations are known to this binary and
//! brought up to date, its campaign is there, its consolidated figures are rebuilt
//! and compared), and only then switched in: the current database is renamed
//! `NAME_before_restore_STAMP` (SQLite: `phongtrao.db.before-restore-STAMP`) and kept
//! until the office deletes it. A bad or truncated backup stops the restore before
//! the switch, with the current database untouched. It refuses while app instances
//! use the database (their `instance:` leases; on PostgreSQL also other connections)
//! unless `--force`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use phongtrao_storage::{campaigns, rollups, Db};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::config::{DatabaseArgs, Refusal, EXIT_IN_USE, EXIT_SCHEMA};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The sessions' table on PostgreSQL (tower-sessions' schema and table).
const PG_SESSIONS: &str = "tower_sessions.session";
/// The sessions' table on SQLite.
const SQLITE_SESSIONS: &str = "tower_sessions";

pub async fn backup(args: DatabaseArgs, out: PathBuf) -> Result<ExitCode> {
    if out.exists() {
        return Err(format!("tệp đã có / the file already exists: {}", out.display()).into());
    }
    let partial = partial_name(&out);
    let _ = std::fs::remove_file(&partial);
    let started = std::time::Instant::now();
    if let Some(url) = args.postgres_url() {
        let target = PgTarget::parse(url)?;
        check_pg_dump_version(&target).await?;
        create_private(&partial)?;
        let result = run_tool(
            "pg_dump",
            &target.env(None),
            &[
                "--format=custom",
                "--no-owner",
                &format!("--exclude-table-data={PG_SESSIONS}"),
                "--file",
                &partial.display().to_string(),
            ],
        );
        if let Err(e) = result {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
        std::fs::File::open(&partial)?.sync_all()?;
        std::fs::rename(&partial, &out)?;
        let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
        println!(
            "Đã sao lưu / backed up {} → {} ({size} bytes, {} ms, mode 0600, without sessions)",
            args.describe(),
            out.display(),
            started.elapsed().as_millis()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let file = args.sqlite_file()?;
    if !file.exists() {
        return Err(format!("không có cơ sở dữ liệu / no database at {}", file.display()).into());
    }
    let db = args.connect().await?;
    let copied = sqlite_copy(&db, &partial).await;
    db.close().await;
    if let Err(e) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    std::fs::rename(&partial, &out)?;
    let size = std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0);
    println!(
        "Đã sao lưu / backed up {} → {} ({} bytes, {} ms, integrity_check: ok, mode 0600, without sessions)",
        args.describe(),
        out.display(),
        size,
        started.elapsed().as_millis()
    );
    Ok(ExitCode::SUCCESS)
}

/// `FILE.partial`: where a backup is written until it is complete.
fn partial_name(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    out.with_file_name(name)
}

/// Creates an empty file readable and writable by its owner only.
fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// A consistent copy of the SQLite database `db` into `copy` (which must not exist):
/// mode 0600, sessions removed, checked with integrity_check.
pub async fn sqlite_copy(db: &Db, copy: &Path) -> Result<()> {
    let Db::Sqlite(pool) = db else { return Err("SQLite expected".into()) };
    create_private(copy)?;
    sqlx::query("VACUUM INTO $1").bind(copy.display().to_string()).execute(pool).await?;
    {
        let mut conn = SqliteConnectOptions::new().filename(copy).connect().await?;
        let has_sessions: Option<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = $1")
                .bind(SQLITE_SESSIONS)
                .fetch_optional(&mut conn)
                .await?;
        if has_sessions.is_some() {
            // secure_delete: the deleted rows are overwritten, then VACUUM rewrites the
            // file without the free pages.
            sqlx::query("PRAGMA secure_delete = ON").execute(&mut conn).await?;
            sqlx::query(&format!("DELETE FROM {SQLITE_SESSIONS}")).execute(&mut conn).await?;
            sqlx::query("VACUUM").execute(&mut conn).await?;
        }
        conn.close().await?;
    }
    let check = integrity_check(copy).await?;
    if check != "ok" {
        return Err(format!("bản sao lỗi / the copy fails its integrity check: {check}").into());
    }
    std::fs::File::open(copy)?.sync_all()?;
    Ok(())
}

pub async fn restore(args: DatabaseArgs, file: PathBuf, force: bool) -> Result<ExitCode> {
    if !file.exists() {
        return Err(format!("không có tệp / no such file: {}", file.display()).into());
    }
    if let Some(url) = args.postgres_url() {
        return restore_postgres(&args, url, &file, force).await;
    }
    restore_sqlite(&args, &file, force).await
}

fn stamp() -> String {
    phongtrao_web::Clock::system().now().format("%Y%m%dT%H%M%SZ").to_string()
}

async fn refuse_if_in_use(db: &Db, args: &DatabaseArgs, force: bool) -> Result<()> {
    let busy = super::serve::in_use(db, args).await?;
    if busy.is_empty() {
        return Ok(());
    }
    if force {
        println!("--force: bỏ qua / ignoring {} sign(s) of use:\n  {}", busy.len(), busy.join("\n  "));
        return Ok(());
    }
    Err(Box::new(Refusal {
        code: EXIT_IN_USE,
        message: format!(
            "Các phiên bản ứng dụng đang dùng cơ sở dữ liệu này: hãy dừng tất cả trước khi khôi phục (hoặc dùng \
             --force). Không có gì bị thay đổi. / App instances are using this database: stop them all before \
             restoring (or use --force). Nothing was changed.\n  {}",
            busy.join("\n  ")
        ),
    }))
}

/// What a restored database holds, checked before it is switched in.
struct Checked {
    units: i64,
    users: i64,
    reports: i64,
    submitted: i64,
    /// The consolidated figures rebuilt (None: an older schema, not migrated).
    figures: Option<u64>,
    figures_differed: bool,
    schema: i64,
    known: i64,
}

impl Checked {
    fn print(&self) {
        println!(
            "Kiểm tra bản khôi phục / restored copy checked: {} đơn vị / units, {} tài khoản / accounts, {} báo cáo / \
             reports ({} đã gửi / submitted), lược đồ / schema {:04}",
            self.units, self.users, self.reports, self.submitted, self.schema
        );
        match self.figures {
            Some(n) => println!(
                "{n} số liệu tổng hợp tính lại / consolidated figures rebuilt: {}",
                if self.figures_differed {
                    "đã sửa sai lệch / differences corrected"
                } else {
                    "khớp / all matched"
                }
            ),
            None => println!(
                "Lược đồ cũ hơn phiên bản này ({:04} < {:04}): giữ nguyên để phiên bản trước dùng; chạy `phongtrao \
                 migrate` để dùng với phiên bản này. / An older schema than this version's ({:04} < {:04}): kept as \
                 it is for the previous version; run `phongtrao migrate` to use it with this one.",
                self.schema, self.known, self.schema, self.known
            ),
        }
    }
}

/// Checks the restored copy: a phongtrao database of a schema this binary knows,
/// with units and accounts; when its schema is this version's, its consolidated
/// figures are rebuilt and compared.
async fn check_restored(db: &Db) -> Result<Checked> {
    let status = db.schema_status().await?;
    if status.applied.is_empty() {
        return Err("bản sao lưu không phải cơ sở dữ liệu phongtrao / the backup is not a phongtrao database".into());
    }
    if !status.unknown.is_empty() {
        return Err(Box::new(Refusal {
            code: EXIT_SCHEMA,
            message: format!(
                "Bản sao lưu do một phiên bản mới hơn tạo ra; hãy khôi phục bằng phiên bản đó. / The backup was made \
                 by a newer version; restore it with that version. {}",
                phongtrao_storage::newer_schema_message(&status)
            ),
        }));
    }
    // A backup of an older schema is restored as it is (a rollback to the previous
    // version needs exactly that); this version migrates it when told (`migrate`, or
    // `serve` on SQLite), and its figures are rebuilt then.
    let current = status.pending.is_empty();
    if status.applied.iter().any(|v| *v >= 8) {
        // The instances that were serving when the backup was taken are not serving
        // this copy.
        phongtrao_storage::with_pool!(db, pool => sqlx::query("DELETE FROM leases WHERE name LIKE 'instance:%'")
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
    }
    let count = |table: &'static str| {
        let db = db.clone();
        async move {
            let sql = format!("SELECT COUNT(*) FROM {table}");
            let n: i64 = phongtrao_storage::with_pool!(&db, pool => sqlx::query_scalar(&sql).fetch_one(pool).await)?;
            Ok::<i64, sqlx::Error>(n)
        }
    };
    let units = count("units").await?;
    let users = count("users").await?;
    let reports = count("reports").await?;
    let submitted: i64 = phongtrao_storage::with_pool!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM reports WHERE first_submitted_at IS NOT NULL").fetch_one(pool).await)?;
    if units == 0 || users == 0 {
        return Err(
            format!("bản sao lưu thiếu dữ liệu / the backup lacks data ({units} units, {users} accounts)").into()
        );
    }
    let (figures, figures_differed) = if current {
        let campaign = campaigns::current(db).await?;
        let (figures, kept, rebuilt) = rollups::rebuild_checked(db, &campaign.plan, campaign.row.id).await?;
        (Some(figures), kept != rebuilt)
    } else {
        (None, false)
    };
    Ok(Checked {
        units,
        users,
        reports,
        submitted,
        figures,
        figures_differed,
        schema: status.applied_latest().unwrap_or(0),
        known: status.known_latest,
    })
}

async fn restore_sqlite(args: &DatabaseArgs, file: &Path, force: bool) -> Result<ExitCode> {
    let check = integrity_check(file).await.map_err(|e| {
        format!("tệp sao lưu hỏng, không khôi phục / the backup file is damaged, nothing restored: {e}")
    })?;
    if check != "ok" {
        return Err(format!(
            "tệp sao lưu lỗi, không khôi phục / the backup fails its integrity check, nothing restored: {check}"
        )
        .into());
    }
    let target = args.sqlite_file()?;
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    if target.exists() {
        let current = args.connect().await?;
        let refused = refuse_if_in_use(&current, args, force).await;
        current.close().await;
        refused?;
    }
    // Restore beside the target, check, then rename: the database is either the old
    // one or the whole new one, never half a file.
    // A directory of its own beside the database (same file system: the final
    // rename is atomic), with the copy named as the database.
    let work = target.with_extension(format!("db.restoring-{}", stamp()));
    std::fs::create_dir_all(&work)?;
    let tmp = work.join("phongtrao.db");
    {
        let mut src = std::fs::File::open(file)?;
        let mut dst = create_private(&tmp)?;
        std::io::copy(&mut src, &mut dst)?;
        dst.flush()?;
        dst.sync_all()?;
    }
    let checked = async {
        let db = Db::open_data_dir(&work).await?;
        let checked = check_restored(&db).await;
        db.close().await;
        checked
    }
    .await;
    let checked = match checked {
        Ok(c) => c,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&work);
            return Err(format!(
                "bản sao lưu không dùng được, cơ sở dữ liệu hiện tại giữ nguyên / the backup is unusable, the current \
                 database is untouched: {e}"
            )
            .into());
        }
    };
    checked.print();
    if target.exists() {
        let kept = target.with_extension(format!("db.before-restore-{}", stamp()));
        std::fs::rename(&target, &kept)?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                std::fs::rename(&side, PathBuf::from(format!("{}{suffix}", kept.display())))?;
            }
        }
        println!(
            "Cơ sở dữ liệu cũ được giữ / previous database kept as {} (xóa khi không cần nữa / delete it when no \
             longer needed)",
            kept.display()
        );
    }
    std::fs::rename(&tmp, &target)?;
    let _ = std::fs::remove_dir_all(&work);
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
    conn.close().await?;
    if has_schema.is_none() {
        return Ok("not a phongtrao database (no reports table)".into());
    }
    Ok(rows.into_iter().map(|(r,)| r).collect::<Vec<_>>().join("; "))
}

// ------------------------------------------------------------------ PostgreSQL

/// The parts of a postgres:// URL, for the PostgreSQL tools (given in their
/// environment, never on the command line) and for a database beside it.
struct PgTarget {
    url: String,
    host: Option<String>,
    port: Option<u16>,
    user: Option<String>,
    password: Option<String>,
    database: String,
    sslmode: Option<String>,
}

impl PgTarget {
    fn parse(url: &str) -> Result<PgTarget> {
        let parsed = url::Url::parse(url).map_err(|e| format!("DATABASE_URL: {e}"))?;
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let mut host = parsed.host_str().filter(|h| !h.is_empty()).map(|h| decode(h.trim_matches(['[', ']'])));
        let mut sslmode = None;
        let mut user = Some(decode(parsed.username())).filter(|u| !u.is_empty());
        let mut password = parsed.password().map(decode);
        let mut port = parsed.port();
        for (k, v) in parsed.query_pairs() {
            match k.as_ref() {
                "host" => host = Some(v.into_owned()),
                "sslmode" => sslmode = Some(v.into_owned()),
                "user" => user = Some(v.into_owned()),
                "password" => password = Some(v.into_owned()),
                "port" => port = v.parse().ok(),
                _ => {}
            }
        }
        let database = decode(parsed.path().trim_start_matches('/'));
        let database = if database.is_empty() { user.clone().unwrap_or_else(|| "postgres".into()) } else { database };
        Ok(PgTarget { url: url.to_string(), host, port, user, password, database, sslmode })
    }

    /// libpq's environment for `database` (this one when None).
    fn env(&self, database: Option<&str>) -> Vec<(&'static str, String)> {
        let mut env = vec![("PGDATABASE", database.unwrap_or(&self.database).to_string())];
        if let Some(h) = &self.host {
            env.push(("PGHOST", h.clone()));
        }
        if let Some(p) = self.port {
            env.push(("PGPORT", p.to_string()));
        }
        if let Some(u) = &self.user {
            env.push(("PGUSER", u.clone()));
        }
        if let Some(p) = &self.password {
            env.push(("PGPASSWORD", p.clone()));
        }
        if let Some(s) = &self.sslmode {
            env.push(("PGSSLMODE", s.clone()));
        }
        env
    }

    /// The URL of another database on the same server, for this program.
    fn url_of(&self, database: &str) -> Result<String> {
        let mut parsed = url::Url::parse(&self.url)?;
        parsed.set_path(&format!("/{database}"));
        Ok(parsed.to_string())
    }
}

/// A database name as an SQL identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// pg_dump older than the server refuses to dump it (and pg_restore may not read the
/// dump): say so before starting.
async fn check_pg_dump_version(target: &PgTarget) -> Result<()> {
    let out = std::process::Command::new("pg_dump").arg("--version").output().map_err(|e| {
        format!("không chạy được / cannot run pg_dump ({e}): cài gói postgresql-client / install the PostgreSQL client tools")
    })?;
    let text = String::from_utf8_lossy(&out.stdout);
    let tool_major: Option<u32> = text
        .split_whitespace()
        .find_map(|w| w.split('.').next().and_then(|m| m.parse().ok()).filter(|_| w.contains('.')));
    let mut conn = sqlx::PgConnection::connect(&target.url).await?;
    let server: String = sqlx::query_scalar("SHOW server_version_num").fetch_one(&mut conn).await?;
    conn.close().await?;
    let server_major = server.trim().parse::<u32>().map(|n| n / 10000).unwrap_or(0);
    if let Some(tool) = tool_major {
        if tool < server_major {
            return Err(format!(
                "pg_dump {tool} cũ hơn máy chủ PostgreSQL {server_major} / pg_dump {tool} is older than the server \
                 ({server_major}): install postgresql-client-{server_major}"
            )
            .into());
        }
    }
    Ok(())
}

async fn restore_postgres(args: &DatabaseArgs, url: &str, file: &Path, force: bool) -> Result<ExitCode> {
    let target = PgTarget::parse(url)?;
    let maintenance_url = target.url_of("postgres")?;
    let mut admin = sqlx::PgConnection::connect(&maintenance_url).await.map_err(|e| {
        format!("không kết nối được cơ sở dữ liệu postgres / cannot connect to the maintenance database postgres: {e}")
    })?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(&target.database)
        .fetch_one(&mut admin)
        .await?;
    if exists {
        let current = args.connect().await?;
        let refused = refuse_if_in_use(&current, args, force).await;
        current.close().await;
        refused?;
    }
    let stamp = phongtrao_web::Clock::system().now().format("%Y%m%d%H%M%S").to_string();
    let base: String = target.database.chars().take(30).collect();
    let fresh = format!("{base}_restore_{stamp}");
    let kept = format!("{base}_before_restore_{stamp}");
    sqlx::query(&format!("CREATE DATABASE {}", ident(&fresh))).execute(&mut admin).await.map_err(|e| {
        format!(
            "không tạo được cơ sở dữ liệu mới / cannot create the new database {fresh} ({e}): the role needs \
             CREATEDB (ALTER ROLE … CREATEDB)"
        )
    })?;
    println!("Khôi phục vào cơ sở dữ liệu mới / restoring into a new database: {fresh}");
    let restored = run_tool(
        "pg_restore",
        &target.env(Some(&fresh)),
        &["--no-owner", "--exit-on-error", "--single-transaction", "--dbname", &fresh, &file.display().to_string()],
    );
    let checked = match restored {
        Ok(()) => {
            let db = Db::connect(&target.url_of(&fresh)?).await?;
            let checked = check_restored(&db).await;
            db.close().await;
            checked
        }
        Err(e) => Err(e),
    };
    let checked = match checked {
        Ok(c) => c,
        Err(e) => {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {}", ident(&fresh))).execute(&mut admin).await;
            let _ = admin.close().await;
            return Err(format!(
                "bản sao lưu không dùng được, cơ sở dữ liệu {} giữ nguyên / the backup is unusable, the database {} \
                 is untouched: {e}",
                target.database, target.database
            )
            .into());
        }
    };
    checked.print();
    if exists && force {
        // Connections left (instances told to stop with --force): end them.
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind(&target.database)
        .execute(&mut admin)
        .await?;
    }
    // The switch: both renames in one transaction.
    let mut tx = admin.begin().await?;
    if exists {
        sqlx::query(&format!("ALTER DATABASE {} RENAME TO {}", ident(&target.database), ident(&kept)))
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                format!(
                    "không đổi tên được {db} (còn kết nối?) / cannot rename {db} (connections left?): {e}; the \
                     checked copy stays in {fresh}",
                    db = target.database
                )
            })?;
    }
    sqlx::query(&format!("ALTER DATABASE {} RENAME TO {}", ident(&fresh), ident(&target.database)))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    admin.close().await?;
    if exists {
        println!(
            "Cơ sở dữ liệu cũ được giữ / previous database kept as {kept} (xóa khi không cần nữa / delete it when no \
             longer needed: DROP DATABASE {kept};)"
        );
    }
    println!("Đã khôi phục / restored {} → {}", file.display(), args.describe());
    Ok(ExitCode::SUCCESS)
}

fn run_tool(tool: &str, env: &[(&'static str, String)], args: &[&str]) -> Result<()> {
    let mut command = std::process::Command::new(tool);
    command.args(args);
    // Only what this connection needs: not a PGSERVICE or another PG* of the shell.
    for (k, v) in env {
        command.env(k, v);
    }
    let status = command.status().map_err(|e| {
        format!("không chạy được / cannot run {tool} ({e}): cài gói postgresql-client / install the PostgreSQL client tools")
    })?;
    if !status.success() {
        return Err(format!("{tool} thất bại / failed ({status})").into());
    }
    Ok(())
}
