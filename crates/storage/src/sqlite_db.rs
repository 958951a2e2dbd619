//! The SQLite handle: sqlx's pool for transactions, and connections of its own for
//! the single statements (reads above all) that `with_pool!` runs.
//!
//! Why (#24): a statement on sqlx's SQLite pool costs two round trips to the
//! connection's thread, not one. When the pooled connection goes back to the pool,
//! sqlx spawns a task that `ping`s the connection's thread and waits for the answer
//! (a channel send and two thread wake-ups), to learn whether the connection is
//! still usable after a statement dropped half-way. A SQLite connection is always
//! usable then: its thread runs one command after another, so a command sent after
//! a dropped one simply runs after it (a connection whose thread is gone is not
//! kept: `keep_unless_broken`). A submission makes four reads before its grouped
//! write; each was a statement, a spawned task and a ping.
//!
//! So single statements on SQLite run on connections kept here, taken and given back
//! without a round trip. Transactions (`begin`, the grouped writer, migrations) use
//! sqlx's pool as before, through `Deref`. Both open the same file with the same
//! options (WAL, synchronous=FULL, foreign keys, busy timeout).

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_core::future::BoxFuture;
use futures_core::stream::BoxStream;
use futures_util::{FutureExt, StreamExt};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection, Describe, Either, Execute, Executor, Sqlite, SqlitePool};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// sqlx's SQLite pool and the connections for single statements.
#[derive(Clone)]
pub struct SqliteDb {
    pool: SqlitePool,
    single: Arc<Connections>,
    /// The hot path's reads on the request's own thread (`sqlite_here.rs`).
    here: Arc<crate::sqlite_here::Here>,
}

impl fmt::Debug for SqliteDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteDb").field("pool", &self.pool).finish_non_exhaustive()
    }
}

struct Connections {
    options: SqliteConnectOptions,
    idle: Mutex<Vec<SqliteConnection>>,
    permits: Arc<Semaphore>,
    acquire_timeout: Duration,
}

/// A connection taken from `Connections`; goes back to it when dropped (no ping).
struct Taken {
    conn: Option<SqliteConnection>,
    from: Arc<Connections>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Taken {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Closed (`SqliteDb::close`): the connection is dropped, not kept.
            if !self.from.permits.is_closed() {
                self.from.idle().push(conn);
            }
        }
    }
}

impl Connections {
    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<SqliteConnection>> {
        // A panic while holding the lock leaves a plain Vec: still usable.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn take(self: Arc<Self>) -> Result<Taken, sqlx::Error> {
        let permit = match tokio::time::timeout(self.acquire_timeout, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => permit,
            Ok(Err(_)) => return Err(sqlx::Error::PoolClosed),
            Err(_) => return Err(sqlx::Error::PoolTimedOut),
        };
        let idle = self.idle().pop();
        let conn = match idle {
            Some(conn) => conn,
            None => self.options.connect().await?,
        };
        Ok(Taken { conn: Some(conn), from: self, _permit: permit })
    }
}

impl Taken {
    fn conn(&mut self) -> Result<&mut SqliteConnection, sqlx::Error> {
        self.conn.as_mut().ok_or(sqlx::Error::PoolClosed)
    }

    /// A connection whose thread is gone (or whose file failed under it) is not
    /// kept: the next statement opens a fresh one (what sqlx's ping on release was
    /// for).
    fn keep_unless_broken<T>(&mut self, result: &Result<T, sqlx::Error>) {
        if let Err(e) = result {
            if broken(e) {
                self.conn = None;
            }
        }
    }
}

fn broken(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::WorkerCrashed | sqlx::Error::Io(_) | sqlx::Error::Protocol(_))
}

/// How long a statement waits for a lock (the same as the pool's, `db.rs`).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

impl SqliteDb {
    /// `max` connections for single statements, opened when first needed, besides the pool's.
    pub fn new(pool: SqlitePool, options: SqliteConnectOptions, max: u32, acquire_timeout: Duration) -> SqliteDb {
        let max = usize::try_from(max.max(1)).unwrap_or(1);
        let here = crate::sqlite_here::Here::new(options.get_filename().to_path_buf(), max, BUSY_TIMEOUT);
        SqliteDb {
            pool,
            here: Arc::new(here),
            single: Arc::new(Connections {
                options,
                idle: Mutex::new(Vec::new()),
                permits: Arc::new(Semaphore::new(max)),
                acquire_timeout,
            }),
        }
    }

    /// Runs `read` on this thread (`sqlite_here.rs`): the reads of every submission.
    pub(crate) fn read_here<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> crate::Result<T> {
        self.here.read(read)
    }

    /// sqlx's pool (transactions, migrations, the session store).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes the pool and every connection for single statements; statements after
    /// this fail with `PoolClosed` (a restore replaces the file under a closed handle).
    pub async fn close(&self) {
        self.here.close();
        self.single.permits.close();
        let idle: Vec<SqliteConnection> = std::mem::take(&mut *self.single.idle());
        for conn in idle {
            let _ = conn.close().await;
        }
        self.pool.close().await;
    }
}

impl Deref for SqliteDb {
    type Target = SqlitePool;
    fn deref(&self) -> &SqlitePool {
        &self.pool
    }
}

impl<'p> Executor<'p> for &'_ SqliteDb {
    type Database = Sqlite;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, Result<Either<sqlx::sqlite::SqliteQueryResult, sqlx::sqlite::SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let single = self.single.clone();
        // The rows are gathered before the connection goes back (no statement of this
        // code base streams: every read is fetch_all, fetch_one or fetch_optional).
        futures_util::stream::once(async move {
            let mut taken = single.take().await?;
            let items: Vec<_> = taken.conn()?.fetch_many(query).collect().await;
            if let Some(failed) = items.iter().find(|item| item.is_err()) {
                taken.keep_unless_broken(failed);
            }
            Ok::<_, sqlx::Error>(items)
        })
        .flat_map(|gathered| match gathered {
            Ok(items) => futures_util::stream::iter(items),
            Err(e) => futures_util::stream::iter(vec![Err(e)]),
        })
        .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxFuture<'e, Result<Option<sqlx::sqlite::SqliteRow>, sqlx::Error>>
    where
        E: 'q + Execute<'q, Sqlite>,
    {
        let single = self.single.clone();
        async move {
            let mut taken = single.take().await?;
            let result = taken.conn()?.fetch_optional(query).await;
            taken.keep_unless_broken(&result);
            result
        }
        .boxed()
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [sqlx::sqlite::SqliteTypeInfo],
    ) -> BoxFuture<'e, Result<sqlx::sqlite::SqliteStatement<'q>, sqlx::Error>> {
        let single = self.single.clone();
        async move {
            let mut taken = single.take().await?;
            taken.conn()?.prepare_with(sql, parameters).await
        }
        .boxed()
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Sqlite>, sqlx::Error>> {
        let single = self.single.clone();
        async move {
            let mut taken = single.take().await?;
            taken.conn()?.describe(sql).await
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Db, DbOptions};

    fn data_dir(name: &str) -> std::path::PathBuf {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        std::env::temp_dir().join(format!("phongtrao-sqlite-db-{name}-{}-{nanos}", std::process::id()))
    }

    async fn open(name: &str, connections: u32) -> (Db, std::path::PathBuf) {
        let dir = data_dir(name);
        let options =
            DbOptions { acquire_timeout: Some(std::time::Duration::from_secs(5)), sqlite_connections: connections };
        (Db::open_data_dir_with(&dir, &options).await.expect("open"), dir)
    }

    fn single(db: &Db) -> &super::SqliteDb {
        match db {
            Db::Sqlite(s) => s,
            Db::Postgres(_) => panic!("sqlite expected"),
        }
    }

    /// Statements reuse the connections kept: 40 reads, 8 at a time, on at most 2.
    #[tokio::test]
    async fn statements_reuse_the_kept_connections() {
        let (db, dir) = open("reuse", 2).await;
        let s = single(&db);
        for round in 0..5_i64 {
            let reads = (0..8_i64).map(|i| async move {
                let (n,): (i64,) =
                    sqlx::query_as("SELECT $1 + 1").bind(round * 8 + i).fetch_one(s).await.expect("read");
                n
            });
            let got = futures_util::future::join_all(reads).await;
            assert_eq!(got, (1..=8).map(|i| round * 8 + i).collect::<Vec<_>>());
        }
        assert!((1..=2).contains(&s.single.idle().len()), "{} connections kept", s.single.idle().len());
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A read dropped half-way (a client gone) leaves its connection usable: the
    /// next statement on it answers, and answers its own question.
    #[tokio::test]
    async fn a_dropped_read_leaves_its_connection_usable() {
        let (db, dir) = open("dropped", 1).await;
        let s = single(&db);
        let slow =
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) SELECT count(*) FROM c";
        let dropped =
            tokio::time::timeout(std::time::Duration::from_millis(5), sqlx::query_as::<_, (i64,)>(slow).fetch_one(s))
                .await;
        assert!(dropped.is_err(), "the slow read should not have finished in 5 ms");
        let (n,): (i64,) = sqlx::query_as("SELECT 41 + 1").fetch_one(s).await.expect("next read");
        assert_eq!(n, 42);
        let rows: Vec<(i64,)> =
            sqlx::query_as("SELECT value FROM json_each('[1,2,3]')").fetch_all(s).await.expect("rows");
        assert_eq!(rows, vec![(1,), (2,), (3,)]);
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A read on the request's thread sees what the pool committed just before, on
    /// connections it keeps; closed, it refuses (503) and keeps none.
    #[tokio::test]
    async fn reads_on_the_request_thread_see_every_commit_and_stop_when_closed() {
        let (db, dir) = open("here", 2).await;
        let s = single(&db);
        sqlx::query("CREATE TABLE t (n INTEGER)").execute(&**s).await.expect("create");
        for n in 1..=3_i64 {
            sqlx::query("INSERT INTO t (n) VALUES ($1)").bind(n).execute(&**s).await.expect("insert");
            let sum: i64 = s
                .read_here(|c| {
                    c.query_row("SELECT SUM(n) FROM t WHERE n <= $1", rusqlite::named_params! {"$1": n}, |r| r.get(0))
                })
                .expect("read here");
            assert_eq!(sum, n * (n + 1) / 2);
        }
        assert_eq!(s.here.kept(), 1);
        let write = s.read_here(|c| c.execute("INSERT INTO t (n) VALUES (9)", []));
        assert_eq!(write.expect_err("these connections only read").kind(), crate::ErrorKind::Internal);
        db.close().await;
        let e = s.read_here(|c| c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))).expect_err("closed");
        assert_eq!(e.kind(), crate::ErrorKind::Unavailable, "{e}");
        assert_eq!(s.here.kept(), 0);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Closed means closed for single statements too (a restore replaces the file).
    #[tokio::test]
    async fn a_closed_handle_refuses_statements() {
        let (db, dir) = open("closed", 2).await;
        db.ping().await.expect("ping while open");
        db.close().await;
        let e = db.ping().await.expect_err("a closed handle must refuse");
        assert_eq!(e.kind(), crate::ErrorKind::Unavailable, "{e}");
        assert!(single(&db).single.idle().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }
}
