//! The database handle: a concrete SQLite or PostgreSQL pool behind one enum.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool, SqlitePool};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("lỗi cập nhật lược đồ / migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("không tìm thấy / not found: {0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the two supported databases.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same body against whichever pool `db` holds; the body is compiled once
/// per backend, so the same SQL text serves both (`$1` placeholders work on both).
#[macro_export]
macro_rules! with_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite($pool) => $body,
            $crate::Db::Postgres($pool) => $body,
        }
    };
}

/// Runs the body inside one transaction on whichever pool `db` holds; `$tx` is a
/// `&mut Transaction`. The transaction commits when the body returns Ok.
#[macro_export]
macro_rules! in_transaction {
    ($db:expr, $tx:ident => $body:expr) => {
        match $db {
            $crate::Db::Sqlite(pool) => {
                // IMMEDIATE: take the write lock at the start, so that two writers queue
                // (busy timeout) instead of failing when both try to upgrade a read lock.
                let mut transaction = pool.begin_with("BEGIN IMMEDIATE").await?;
                let $tx = &mut transaction;
                let out = $body;
                transaction.commit().await?;
                out
            }
            $crate::Db::Postgres(pool) => {
                let mut transaction = pool.begin().await?;
                // Writers share the write lock, `rebuild` takes it alone: a rebuild
                // never interleaves with a write (see `WRITE_LOCK`).
                sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
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

/// The PostgreSQL advisory lock (transaction-scoped) that keeps `rebuild` apart from
/// the writes: every write transaction (`in_transaction!`) takes it shared as its
/// first statement, the rebuild and `migrate` take it exclusive. A rebuild then
/// waits for the writes in flight and the writes that arrive meanwhile wait for it
/// (no figure is lost between its read and its write, and no two transactions take
/// row locks in opposite orders). On SQLite every write transaction is
/// `BEGIN IMMEDIATE`: one writer at a time already.
pub const WRITE_LOCK: i64 = 0x7068_745f_7772_6974; // "pht_writ"

/// How long a request waits for a database connection before it gives up (and the
/// client gets 503 instead of a hang). PHONGTRAO_DB_ACQUIRE_TIMEOUT (seconds)
/// changes it; PostgreSQL's default is short (3 s): a database that is down or
/// overloaded must show as such at once. SQLite's connections are local files: 10 s.
pub fn acquire_timeout(backend: Backend) -> Duration {
    let configured = std::env::var("PHONGTRAO_DB_ACQUIRE_TIMEOUT").ok().and_then(|v| v.trim().parse::<f64>().ok());
    match configured {
        Some(seconds) if seconds > 0.0 => Duration::from_secs_f64(seconds),
        _ => match backend {
            Backend::Postgres => Duration::from_secs(3),
            Backend::Sqlite => Duration::from_secs(10),
        },
    }
}

/// The application_name of this process's PostgreSQL connections ("phongtrao PID"):
/// administrators see the app instances in pg_stat_activity, and `migrate` and
/// `restore` tell their own connections from the others.
pub fn application_name() -> String {
    format!("phongtrao {}", std::process::id())
}

/// Where the schema of a database stands against the migrations this binary knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The migrations applied (versions), oldest first.
    pub applied: Vec<i64>,
    /// Migrations this binary has that the database lacks.
    pub pending: Vec<i64>,
    /// Migrations applied that this binary does not know: a newer version ran here.
    pub unknown: Vec<i64>,
    /// The newest migration this binary knows.
    pub known_latest: i64,
}

impl SchemaStatus {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty() && self.unknown.is_empty()
    }

    pub fn applied_latest(&self) -> Option<i64> {
        self.applied.last().copied()
    }
}

impl Db {
    /// Connects to `url`: `postgres://...` for PostgreSQL, `sqlite://FILE` for SQLite.
    pub async fn connect(url: &str) -> crate::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?
                .application_name(&application_name())
                .log_statements(tracing::log::LevelFilter::Trace);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(acquire_timeout(Backend::Postgres))
                .connect_with(options)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            let options = SqliteConnectOptions::from_str(url)?;
            Self::open_sqlite(options).await
        }
    }

    /// Opens (creating if needed) the SQLite file `phongtrao.db` in `dir`.
    pub async fn open_data_dir(dir: &Path) -> crate::Result<Db> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StorageError::Invalid(format!(
                "không tạo được thư mục dữ liệu / cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        Self::open_sqlite(SqliteConnectOptions::new().filename(dir.join("phongtrao.db"))).await
    }

    async fn open_sqlite(options: SqliteConnectOptions) -> crate::Result<Db> {
        // WAL with synchronous=FULL: a committed transaction is on disk before the
        // commit returns, so an acknowledged write survives kill -9 and power loss.
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            // Fewer, larger checkpoints (the WAL is flushed at every commit anyway).
            .pragma("wal_autocheckpoint", "8000")
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .log_statements(tracing::log::LevelFilter::Trace);
        // Readers run in parallel with the one writer (WAL); PHONGTRAO_SQLITE_CONNECTIONS
        // sets how many connections the pool may open.
        let connections = std::env::var("PHONGTRAO_SQLITE_CONNECTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(16);
        let pool = SqlitePoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(acquire_timeout(Backend::Sqlite))
            .connect_with(options)
            .await?;
        Ok(Db::Sqlite(pool))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    fn migrator(&self) -> sqlx::migrate::Migrator {
        match self {
            Db::Sqlite(_) => sqlx::migrate!("./migrations/sqlite"),
            Db::Postgres(_) => sqlx::migrate!("./migrations/postgres"),
        }
    }

    /// Applies the embedded migrations of this backend. Refuses a database that a
    /// newer version has migrated (see `schema_status`). On PostgreSQL the write lock
    /// is held meanwhile on a connection of its own (writes of this version wait; a
    /// migration that back-fills a column cannot miss a row written during it), and
    /// sqlx's own advisory lock keeps two `migrate` runs apart. On SQLite each
    /// migration is one write transaction: no write interleaves with it.
    pub async fn migrate(&self) -> crate::Result<()> {
        let status = self.schema_status().await?;
        if !status.unknown.is_empty() {
            return Err(StorageError::Invalid(newer_schema_message(&status)));
        }
        if status.pending.is_empty() {
            return Ok(());
        }
        match self {
            Db::Sqlite(pool) => self.migrator().run(pool).await?,
            Db::Postgres(pool) => {
                let mut guard = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITE_LOCK).execute(&mut *guard).await?;
                let result = self.migrator().run(pool).await;
                guard.rollback().await?;
                result?
            }
        }
        Ok(())
    }

    /// The migrations applied to this database against those this binary knows.
    pub async fn schema_status(&self) -> crate::Result<SchemaStatus> {
        let known: Vec<i64> =
            self.migrator().iter().filter(|m| !m.migration_type.is_down_migration()).map(|m| m.version).collect();
        let table_exists = match self {
            Db::Sqlite(pool) => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(pool)
                .await?
                    > 0
            }
            Db::Postgres(pool) => {
                sqlx::query_scalar::<_, bool>("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
                    .fetch_one(pool)
                    .await?
            }
        };
        let applied: Vec<i64> = if table_exists {
            with_pool!(self, pool => sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version").fetch_all(pool).await)?
        } else {
            Vec::new()
        };
        Ok(SchemaStatus {
            pending: known.iter().copied().filter(|v| !applied.contains(v)).collect(),
            unknown: applied.iter().copied().filter(|v| !known.contains(v)).collect(),
            known_latest: known.last().copied().unwrap_or(0),
            applied,
        })
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> crate::Result<()> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

/// The message of a database migrated by a newer version than this binary.
pub fn newer_schema_message(status: &SchemaStatus) -> String {
    let unknown: Vec<String> = status.unknown.iter().map(|v| format!("{v:04}")).collect();
    format!(
        "Cơ sở dữ liệu đã được một phiên bản mới hơn cập nhật (lần cập nhật {}; phiên bản này chỉ biết đến {:04}): \
         hãy chạy phiên bản mới, hoặc khôi phục bản sao lưu lấy trước khi nâng cấp. / \
         The database was migrated by a newer version (migration {}; this binary knows up to {:04}): \
         run the newer version, or restore the backup taken before the upgrade.",
        unknown.join(", "),
        status.known_latest,
        unknown.join(", "),
        status.known_latest
    )
}

/// Creates a new, empty PostgreSQL database next to the one `base_url` names and
/// returns its URL. For tests: each gets a database of its own.
pub async fn create_postgres_database(base_url: &str, name: &str) -> crate::Result<String> {
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(StorageError::Invalid(format!("bad database name {name}")));
    }
    let pool = PgPoolOptions::new().max_connections(1).connect(base_url).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await?;
    pool.close().await;
    let options = PgConnectOptions::from_str(base_url)?.database(name);
    Ok(options.to_url_lossy().to_string())
}
