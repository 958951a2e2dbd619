//! `phongtrao serve` and `phongtrao migrate`.
//!
//! Upgrades: a shared PostgreSQL database is migrated only when told (`phongtrao
//! migrate`, or `serve --migrate`), with every instance stopped: `serve` refuses a
//! database with migrations it has not applied yet, and every command refuses a
//! database migrated by a newer version (exit status 3, which systemd's
//! `RestartPreventExitStatus=3` keeps from restarting in a loop). A SQLite database
//! has one server on one machine: `serve` migrates it at start (after a copy of the
//! file is kept beside it).

use std::process::ExitCode;

use phongtrao_storage::campaigns::Loaded;
use phongtrao_storage::{leases, Backend, Db};
use phongtrao_web::prepare::{prepare, FIRST_ADMIN};
use phongtrao_web::{Application, Settings};

use crate::config::{DatabaseArgs, Refusal, EXIT_IN_USE, EXIT_SCHEMA};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// How often a serving instance renews its `instance:` lease, and how long it lasts.
const HEARTBEAT_SECONDS: i64 = 15;
const HEARTBEAT_TTL_SECONDS: i64 = 45;

pub async fn migrate(args: DatabaseArgs, force: bool) -> Result<ExitCode> {
    let db = args.connect().await?;
    let status = db.schema_status().await?;
    if !status.unknown.is_empty() {
        return Err(Box::new(Refusal { code: EXIT_SCHEMA, message: phongtrao_storage::newer_schema_message(&status) }));
    }
    if !status.pending.is_empty() && !force {
        let busy = in_use(&db, &args).await?;
        if !busy.is_empty() {
            return Err(Box::new(Refusal {
                code: EXIT_IN_USE,
                message: format!(
                    "Các phiên bản ứng dụng đang chạy trên cơ sở dữ liệu này; hãy dừng tất cả trước khi cập nhật lược đồ \
                     (hoặc dùng --force). / App instances are using this database; stop them all before migrating \
                     (or use --force):\n  {}",
                    busy.join("\n  ")
                ),
            }));
        }
    }
    let prepared = prepare(&db).await?;
    match status.pending.as_slice() {
        [] => println!("Lược đồ đã mới nhất / schema already current ({:04})", status.known_latest),
        pending => println!(
            "Đã cập nhật lược đồ / migrated: {} → {:04}",
            status.applied_latest().map(|v| format!("{v:04}")).unwrap_or_else(|| "—".into()),
            pending.last().copied().unwrap_or(status.known_latest)
        ),
    }
    println!("Cơ sở dữ liệu đã sẵn sàng / database ready: {}", args.describe());
    print_first_start(&prepared);
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// What shows that app instances use the database: live `instance:` leases (every
/// instance of this version renews one), and on PostgreSQL other client
/// connections to the database (instances of older versions, psql sessions).
pub async fn in_use(db: &Db, args: &DatabaseArgs) -> Result<Vec<String>> {
    let mut found: Vec<String> = Vec::new();
    let has_leases = match db.schema_status().await {
        Ok(s) => s.applied.iter().any(|v| *v >= 8),
        Err(_) => false,
    };
    if has_leases {
        for (name, _, until) in leases::live(db, leases::INSTANCE_PREFIX, phongtrao_web::Clock::system().now()).await? {
            let until = chrono::DateTime::from_timestamp_millis(until).map(|t| t.to_rfc3339()).unwrap_or_default();
            found.push(format!("{name} (đang chạy / serving, lease until {until})"));
        }
    }
    if let Some(url) = args.postgres_url() {
        found.extend(other_connections(url).await?);
    }
    Ok(found)
}

/// The other client connections to the PostgreSQL database `url` names, read on a
/// connection of its own (so that this command's pool is not counted). A connection
/// closed a moment ago can still be listed while its server process exits: only
/// those still there after a short wait count.
pub async fn other_connections(url: &str) -> Result<Vec<String>> {
    let mut found = other_connections_now(url).await?;
    for _ in 0..4 {
        if found.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        let again = other_connections_now(url).await?;
        found.retain(|c| again.contains(c));
    }
    Ok(found)
}

async fn other_connections_now(url: &str) -> Result<Vec<String>> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    type Row = (i32, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT pid, NULLIF(application_name, ''), host(client_addr), to_char(backend_start, 'YYYY-MM-DD HH24:MI:SS')
         FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
           AND application_name <> $1
         ORDER BY pid",
    )
    .bind(phongtrao_storage::application_name())
    .fetch_all(&mut conn)
    .await?;
    conn.close().await?;
    Ok(rows
        .into_iter()
        .map(|(pid, app, addr, since)| {
            format!(
                "kết nối / connection pid {pid} {} from {} since {}",
                app.unwrap_or_default(),
                addr.unwrap_or_else(|| "local".into()),
                since.unwrap_or_default()
            )
        })
        .collect())
}

/// For the commands that read and write the data (not serve/migrate): the schema must
/// be the one this binary knows. SQLite is brought up to date; PostgreSQL is not
/// migrated behind the administrator's back.
pub async fn ensure_schema_current(db: &Db, args: &DatabaseArgs) -> Result<()> {
    let status = db.schema_status().await?;
    if !status.unknown.is_empty() {
        return Err(Box::new(Refusal { code: EXIT_SCHEMA, message: phongtrao_storage::newer_schema_message(&status) }));
    }
    if !status.pending.is_empty() {
        match db.backend() {
            Backend::Sqlite => db.migrate().await?,
            Backend::Postgres => return Err(Box::new(not_migrated(&status, args))),
        }
    }
    Ok(())
}

fn not_migrated(status: &phongtrao_storage::SchemaStatus, args: &DatabaseArgs) -> Refusal {
    let pending: Vec<String> = status.pending.iter().map(|v| format!("{v:04}")).collect();
    Refusal {
        code: EXIT_SCHEMA,
        message: format!(
            "Cơ sở dữ liệu {} chưa được cập nhật lược đồ cho phiên bản này (còn {}): sao lưu, dừng mọi phiên bản, \
             chạy `phongtrao migrate`, rồi khởi động lại (hoặc `serve --migrate` khi chỉ có một phiên bản). / \
             The database has not been migrated for this version (pending {}): back up, stop every instance, run \
             `phongtrao migrate`, then start (or `serve --migrate` with a single instance).",
            args.describe(),
            pending.join(", "),
            pending.join(", ")
        ),
    }
}

fn print_first_start(prepared: &phongtrao_web::prepare::Prepared) {
    if let Loaded::Created(_) = prepared.seed.campaign {
        println!(
            "Đã nạp kế hoạch có sẵn và {} đơn vị / loaded the built-in plan and {} units.",
            prepared.seed.units_inserted, prepared.seed.units_inserted
        );
    }
    if let Some(password) = &prepared.admin_password {
        println!();
        println!("  Tài khoản quản trị / admin account: {FIRST_ADMIN}");
        println!("  Mật khẩu dùng một lần / one-time password: {password}");
        println!("  (Hãy đổi mật khẩu khi đăng nhập lần đầu / change it at first login; it is not shown again.)");
        println!();
    }
}

pub async fn run(args: DatabaseArgs, settings: Settings, demo: bool, migrate: bool) -> Result<ExitCode> {
    let now = settings.now;
    let db = args.connect().await?;
    let status = db.schema_status().await?;
    if !status.unknown.is_empty() {
        return Err(Box::new(Refusal { code: EXIT_SCHEMA, message: phongtrao_storage::newer_schema_message(&status) }));
    }
    if !status.pending.is_empty() && !status.applied.is_empty() {
        match db.backend() {
            Backend::Postgres if !migrate => return Err(Box::new(not_migrated(&status, &args))),
            Backend::Postgres => println!("Cập nhật lược đồ / migrating (--migrate)…"),
            Backend::Sqlite => keep_copy_before_migrating(&db, &args, &status).await?,
        }
    }
    let prepared = prepare(&db).await?;
    print_first_start(&prepared);
    if demo && !phongtrao_web::demo::is_simulated(&db).await {
        let s = super::demo::fill(&db, 2023, now).await?;
        println!("Chế độ trình diễn / demo mode: {} báo cáo mô phỏng / simulated reports ({} trễ hạn / late, {} không nộp / missing).", s.reports, s.late, s.missing);
    }
    let app = Application::build(&settings, db.clone()).await?;
    let address = app.address();
    let heartbeat = Heartbeat::start(&db, address.port());
    let host = if address.ip().is_unspecified() { "localhost".to_string() } else { address.ip().to_string() };
    println!(
        "phongtrao {} đang chạy / is running: http://{host}:{}/  ({})",
        crate::version::LONG,
        address.port(),
        args.describe()
    );
    if let Some(now) = now {
        println!("Đồng hồ mô phỏng / simulated clock: {}", now.with_timezone(&vietnam()).format("%d/%m/%Y %H:%M"));
    }
    let served = app.run_until_stopped().await;
    heartbeat.stop().await;
    db.close().await;
    served?;
    Ok(ExitCode::SUCCESS)
}

/// Before `serve` migrates a SQLite database, a copy of it is kept beside it
/// (`phongtrao.db.before-migrate-NNNN-STAMP`): the way back if the new version
/// disappoints (stop it, `phongtrao restore` that file with the older binary).
async fn keep_copy_before_migrating(
    db: &Db,
    args: &DatabaseArgs,
    status: &phongtrao_storage::SchemaStatus,
) -> Result<()> {
    let file = args.sqlite_file()?;
    let from = status.applied_latest().unwrap_or(0);
    let copy = file.with_extension(format!(
        "db.before-migrate-{from:04}-{}",
        phongtrao_web::Clock::system().now().format("%Y%m%dT%H%M%SZ")
    ));
    super::backup::sqlite_copy(db, &copy).await?;
    println!("Đã giữ bản sao trước khi cập nhật lược đồ / copy kept before migrating: {}", copy.display());
    Ok(())
}

/// The `instance:` lease this server renews while it serves.
struct Heartbeat {
    db: Db,
    name: String,
    holder: String,
    task: tokio::task::JoinHandle<()>,
}

impl Heartbeat {
    fn start(db: &Db, port: u16) -> Heartbeat {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "host".into());
        let holder = format!("{host}:{port}:{}", std::process::id());
        let name = format!("{}{holder}", leases::INSTANCE_PREFIX);
        let (db2, name2, holder2) = (db.clone(), name.clone(), holder.clone());
        let task = tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(HEARTBEAT_SECONDS as u64));
            loop {
                every.tick().await;
                let ttl = chrono::Duration::seconds(HEARTBEAT_TTL_SECONDS);
                if let Err(e) =
                    leases::try_take(&db2, &name2, &holder2, phongtrao_web::Clock::system().now(), ttl).await
                {
                    tracing::warn!(error = %e, "cannot renew this instance's lease");
                }
            }
        });
        Heartbeat { db: db.clone(), name, holder, task }
    }

    async fn stop(self) {
        self.task.abort();
        if let Err(e) = leases::remove(&self.db, &self.name, &self.holder).await {
            tracing::warn!(error = %e, "cannot remove this instance's lease");
        }
    }
}

/// Vietnam time (UTC+7), for messages.
fn vietnam() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

use chrono::Offset;
