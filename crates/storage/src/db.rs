//! The database handle: a concrete SQLite or PostgreSQL pool behind one enum.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, PgPool};

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("lỗi cơ sở dữ liệu / database error: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("lỗi cập nhật lược đồ / migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Something the caller named does not exist (404).
    #[error("không tìm thấy / not found: {0}")]
    NotFound(String),
    /// The caller's input is wrong; the message ("vi / en") is for them (422).
    #[error("{0}")]
    Invalid(String),
    /// The data changed under the caller (409); the message is for them.
    #[error("{0}")]
    Conflict(String),
    /// The database cannot be reached now (pool timeout, connection refused, the
    /// writer stopped): try again shortly (503). The text is for the log only.
    #[error("cơ sở dữ liệu tạm thời không truy cập được / database unavailable: {0}")]
    Unavailable(String),
    /// A failure of the server itself (500). The text is for the log only.
    #[error("lỗi hệ thống / internal error: {0}")]
    Internal(String),
}

/// What kind of failure a storage error is, for the one place that maps it to HTTP
/// (crates/web/src/error.rs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Invalid,
    NotFound,
    Conflict,
    Unavailable,
    Internal,
}

impl StorageError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            StorageError::Invalid(_) => ErrorKind::Invalid,
            StorageError::NotFound(_) => ErrorKind::NotFound,
            StorageError::Conflict(_) => ErrorKind::Conflict,
            StorageError::Unavailable(_) => ErrorKind::Unavailable,
            StorageError::Internal(_) | StorageError::Migrate(_) => ErrorKind::Internal,
            StorageError::Sqlx(e) => sqlx_kind(e),
        }
    }
}

fn sqlx_kind(e: &sqlx::Error) -> ErrorKind {
    use sqlx::Error as E;
    match e {
        E::RowNotFound => ErrorKind::NotFound,
        E::PoolTimedOut | E::PoolClosed | E::Io(_) | E::Tls(_) | E::WorkerCrashed | E::Protocol(_) => {
            ErrorKind::Unavailable
        }
        E::Database(d) => {
            if d.is_unique_violation() {
                return ErrorKind::Conflict;
            }
            let code = d.code().map(|c| c.into_owned()).unwrap_or_default();
            // SQLite: busy / locked (5, 6 and their extended codes), cannot open (14),
            // disk full (13), I/O error (10). PostgreSQL: connection exceptions (08…),
            // too many connections (53300), shutting down (57P01-57P03), serialization
            // failures and deadlocks (40001, 40P01) which a retry resolves.
            let sqlite_busy = code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 13 | 14));
            let postgres_unavailable = code.starts_with("08")
                || matches!(code.as_str(), "53300" | "57P01" | "57P02" | "57P03" | "40001" | "40P01");
            if sqlite_busy || postgres_unavailable {
                ErrorKind::Unavailable
            } else {
                ErrorKind::Internal
            }
        }
        _ => ErrorKind::Internal,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to one of the two supported databases.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(crate::SqliteDb),
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

/// How the pools are sized and how long they wait: settings the caller reads (the
/// CLI: flags, environment, configuration file; `phongtrao config` prints them).
/// Storage itself reads no environment variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbOptions {
    /// How long a request waits for a database connection before it gives up (and
    /// the client gets 503 instead of a hang). None: the backend's default
    /// (`default_acquire_timeout`).
    pub acquire_timeout: Option<Duration>,
    /// How many connections the SQLite pool may open for transactions, as many again
    /// for single statements, and at most as many kept for the reads a request makes
    /// on its own thread (readers run in parallel with the one writer, WAL; see
    /// sqlite_db.rs and sqlite_here.rs). All are opened when first needed.
    /// PostgreSQL's pool has 16.
    pub sqlite_connections: u32,
}

/// The SQLite pool's size when none is set.
pub const DEFAULT_SQLITE_CONNECTIONS: u32 = 16;

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions { acquire_timeout: None, sqlite_connections: DEFAULT_SQLITE_CONNECTIONS }
    }
}

impl DbOptions {
    /// The acquire timeout in effect on `backend`.
    pub fn acquire_timeout(&self, backend: Backend) -> Duration {
        match self.acquire_timeout {
            Some(t) if !t.is_zero() => t,
            _ => default_acquire_timeout(backend),
        }
    }
}

/// PostgreSQL's default is short (3 s): a database that is down or overloaded must
/// show as such at once. SQLite's connections are local files: 10 s.
pub fn default_acquire_timeout(backend: Backend) -> Duration {
    match backend {
        Backend::Postgres => Duration::from_secs(3),
        Backend::Sqlite => Duration::from_secs(10),
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

/// Migrations after which the kept figures are rebuilt (0011: the people counted
/// against a base figure, `c:KEY`).
const REBUILD_AFTER: &[i64] = &[11];

impl Db {
    /// Connects to `url`: `postgres://...` for PostgreSQL, `sqlite://FILE` for SQLite.
    pub async fn connect(url: &str) -> crate::Result<Db> {
        Self::connect_with(url, &DbOptions::default()).await
    }

    /// `connect` with the pools sized and timed by `options`.
    pub async fn connect_with(url: &str, options: &DbOptions) -> crate::Result<Db> {
        let settings = *options;
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = PgConnectOptions::from_str(url)?
                .application_name(&application_name())
                .log_statements(tracing::log::LevelFilter::Trace);
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(settings.acquire_timeout(Backend::Postgres))
                .connect_with(connect)
                .await?;
            Ok(Db::Postgres(pool))
        } else {
            Self::open_sqlite(SqliteConnectOptions::from_str(url)?, &settings).await
        }
    }

    /// Opens (creating if needed) the SQLite file `phongtrao.db` in `dir`.
    pub async fn open_data_dir(dir: &Path) -> crate::Result<Db> {
        Self::open_data_dir_with(dir, &DbOptions::default()).await
    }

    /// `open_data_dir` with the pool sized and timed by `options`.
    pub async fn open_data_dir_with(dir: &Path, options: &DbOptions) -> crate::Result<Db> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StorageError::Invalid(format!(
                "không tạo được thư mục dữ liệu / cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        Self::open_sqlite(SqliteConnectOptions::new().filename(dir.join("phongtrao.db")), options).await
    }

    async fn open_sqlite(options: SqliteConnectOptions, settings: &DbOptions) -> crate::Result<Db> {
        // WAL with synchronous=FULL: a committed transaction is on disk before the
        // commit returns, so an acknowledged write survives kill -9 and power loss.
        let options = options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            // Fewer, larger checkpoints (the WAL is flushed at every commit anyway).
            .pragma("wal_autocheckpoint", "8000")
            .foreign_keys(true)
            .busy_timeout(crate::sqlite_db::BUSY_TIMEOUT)
            // A statement's rows reach the request through a bounded channel from the
            // connection's thread; at sqlx's 50 a 700-row read (the national
            // dashboard's children) stopped and woke that thread 14 times (#24).
            .row_buffer_size(1024)
            .log_statements(tracing::log::LevelFilter::Trace);
        // Readers run in parallel with the one writer (WAL).
        let pool = SqlitePoolOptions::new()
            .max_connections(settings.sqlite_connections.max(1))
            // A file's connection does not go stale as a server's socket does; the
            // test cost every statement a round trip to the connection's thread (#24).
            // A connection is still checked when it goes back to the pool.
            .test_before_acquire(false)
            .acquire_timeout(settings.acquire_timeout(Backend::Sqlite))
            .connect_with(options.clone())
            .await?;
        // Single statements (reads above all) on connections given back without a
        // round trip to their thread (#24, see sqlite_db.rs).
        let single =
            crate::SqliteDb::new(pool, options, settings.sqlite_connections, settings.acquire_timeout(Backend::Sqlite));
        Ok(Db::Sqlite(single))
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
            Db::Sqlite(pool) => self.migrator().run(pool.pool()).await?,
            Db::Postgres(pool) => {
                let mut guard = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITE_LOCK).execute(&mut *guard).await?;
                let result = self.migrator().run(pool).await;
                guard.rollback().await?;
                result?
            }
        }
        // A migration that adds a kind of consolidated figure: the figures kept so
        // far lack it, so they are computed again once, from the raw reports.
        if status.pending.iter().any(|v| REBUILD_AFTER.contains(v)) {
            if let Ok(campaign) = crate::campaigns::current(self).await {
                let (rows, _) = crate::rollups::rebuild(self, &campaign.plan, campaign.row.id).await?;
                tracing::info!(rows, "consolidated figures rebuilt after the migration");
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
        match self {
            Db::Sqlite(db) => db.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_are_sorted_by_kind() {
        assert_eq!(StorageError::Sqlx(sqlx::Error::PoolTimedOut).kind(), ErrorKind::Unavailable);
        assert_eq!(StorageError::Sqlx(sqlx::Error::PoolClosed).kind(), ErrorKind::Unavailable);
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        assert_eq!(StorageError::Sqlx(sqlx::Error::Io(refused)).kind(), ErrorKind::Unavailable);
        assert_eq!(StorageError::Sqlx(sqlx::Error::RowNotFound).kind(), ErrorKind::NotFound);
        assert_eq!(StorageError::Sqlx(sqlx::Error::ColumnNotFound("x".into())).kind(), ErrorKind::Internal);
        assert_eq!(StorageError::Invalid("x".into()).kind(), ErrorKind::Invalid);
        assert_eq!(StorageError::Unavailable("writer stopped".into()).kind(), ErrorKind::Unavailable);
    }
}
