//! Which database errors mean "the database is unavailable" (down, unreachable,
//! overloaded, shutting down) rather than "this request is wrong": the web layer
//! answers those with 503 and Retry-After instead of a 500 or a misleading 401.

/// True when `e` says the database could not be reached or is not taking work now:
/// the pool timed out or is closed, the connection failed (I/O, TLS, protocol), the
/// server refuses connections (PostgreSQL class 08, 53300 too many connections,
/// 57P01-57P03 shutting down / starting up), or SQLite stayed busy or locked past its
/// busy timeout.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(db) => {
            let code = db.code();
            let code = code.as_deref().unwrap_or("");
            // PostgreSQL SQLSTATEs.
            code.starts_with("08")
                || matches!(code, "53300" | "57P01" | "57P02" | "57P03")
                // SQLite primary result codes (extended codes keep them in the low byte):
                // 5 SQLITE_BUSY, 6 SQLITE_LOCKED.
                || code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
        }
        _ => false,
    }
}

/// The same for a storage error (only its database errors can be "unavailable").
pub fn storage_is_unavailable(e: &crate::StorageError) -> bool {
    match e {
        crate::StorageError::Sqlx(e) => is_unavailable(e),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn pool_and_connection_failures_are_unavailable_and_others_are_not() {
        assert!(super::is_unavailable(&sqlx::Error::PoolTimedOut));
        assert!(super::is_unavailable(&sqlx::Error::PoolClosed));
        assert!(super::is_unavailable(&sqlx::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused))));
        assert!(!super::is_unavailable(&sqlx::Error::RowNotFound));
    }

    /// A PostgreSQL server nobody listens on: the connection fails at once.
    #[tokio::test]
    async fn a_closed_port_is_unavailable() {
        let e = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_secs(1))
            .connect("postgres://u:p@127.0.0.1:9/x")
            .await
            .expect_err("nobody listens on port 9");
        assert!(super::is_unavailable(&e), "{e:?}");
    }
}
