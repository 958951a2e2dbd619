//! Reads that run on the request's own thread: the four reads every submission makes
//! before its grouped write (its token, its campaign, its unit with the ancestry, the
//! form's facts), and the user and units of a page's session, on SQLite.
//!
//! Why (#24): sqlx's SQLite driver runs every statement on the connection's own
//! thread; the request sends the statement there and waits for the rows to come
//! back. Each read is two thread wake-ups, and during a deadline burst the server
//! made about 16 context switches per submission (`perf stat`); the kernel's
//! scheduling was 36 % of the server's CPU. A read of an indexed row costs SQLite a
//! few microseconds, less than the hand-over, so these reads call SQLite directly
//! (rusqlite, over the same SQLite library as sqlx: libsqlite3-sys, bundled) on
//! connections kept here. A WAL reader never waits for the writer, so the request's
//! thread is not held up: it only runs the statement.
//!
//! Only the reads of the hot path use this; everything else (and every write) goes
//! through sqlx. The SQL text is the same constant for both backends (PostgreSQL
//! runs it through sqlx); parameters are bound by their names (`$1`, `$2`, …), which
//! SQLite accepts as they are, and times are bound as the same text sqlx writes.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};

use crate::columns::{TextColumn, UnknownValue};
use crate::StorageError;

/// Connections for reads on the calling thread, opened when first needed.
pub(crate) struct Here {
    path: PathBuf,
    in_memory: bool,
    busy_timeout: std::time::Duration,
    idle: Mutex<Vec<Connection>>,
    keep: usize,
    closed: AtomicBool,
}

impl Here {
    pub(crate) fn new(path: PathBuf, keep: usize, busy_timeout: std::time::Duration) -> Here {
        // sqlx names an in-memory database `file:sqlx-in-memory-N` (shared cache).
        let in_memory = path.to_string_lossy().starts_with("file:sqlx-in-memory-");
        Here {
            path,
            in_memory,
            busy_timeout,
            idle: Mutex::new(Vec::new()),
            keep: keep.max(1),
            closed: AtomicBool::new(false),
        }
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<Connection>> {
        // A panic while holding the lock leaves a plain Vec: still usable.
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let mut flags =
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        if self.in_memory {
            flags |= OpenFlags::SQLITE_OPEN_MEMORY | OpenFlags::SQLITE_OPEN_SHARED_CACHE;
        }
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.busy_timeout(self.busy_timeout)?;
        // These connections only read: a write through one would be a bug, refused.
        conn.pragma_update(None, "query_only", true)?;
        conn.set_prepared_statement_cache_capacity(32);
        Ok(conn)
    }

    /// Runs `read` on a kept connection (or a new one) on this thread.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> crate::Result<T> {
        if self.closed.load(Ordering::Acquire) {
            return Err(StorageError::Unavailable("cơ sở dữ liệu đã đóng / database closed".into()));
        }
        let idle = self.idle().pop();
        let conn = match idle {
            Some(c) => c,
            None => self.open().map_err(error)?,
        };
        let out = read(&conn).map_err(error);
        // Kept unless closed meanwhile (a restore replaces the file) or enough are kept.
        if !self.closed.load(Ordering::Acquire) {
            let mut idle = self.idle();
            if idle.len() < self.keep {
                idle.push(conn);
            }
        }
        out
    }

    /// Drops every kept connection; reads after this fail (503).
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.idle().clear();
    }

    #[cfg(test)]
    pub(crate) fn kept(&self) -> usize {
        self.idle().len()
    }
}

/// A rusqlite error as a storage error: busy, locked, cannot open, full disk and
/// I/O errors are "try again shortly" (503), as on sqlx's side (`db.rs`).
fn error(e: rusqlite::Error) -> StorageError {
    let unavailable = match &e {
        rusqlite::Error::SqliteFailure(f, _) => matches!(f.extended_code & 0xff, 5 | 6 | 10 | 13 | 14),
        _ => false,
    };
    if unavailable {
        StorageError::Unavailable(e.to_string())
    } else {
        StorageError::Internal(format!("sqlite: {e}"))
    }
}

/// A time as sqlx writes it to SQLite (RFC 3339, `T`, `+00:00`): stored times are
/// compared as text, so a bound time must be the same text.
pub(crate) fn time_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

fn conversion(idx: usize, what: &'static str, text: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        Box::new(UnknownValue { what, value: text }),
    )
}

/// A stored time (text as sqlx writes it, or SQLite's `YYYY-MM-DD HH:MM:SS`).
pub(crate) fn parse_time(idx: usize, text: &str) -> rusqlite::Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%F %T%.f%#z", "%FT%T%.f%#z"] {
        if let Ok(t) = DateTime::parse_from_str(text, format) {
            return Ok(t.with_timezone(&Utc));
        }
    }
    for format in ["%F %T%.f", "%FT%T%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc());
        }
    }
    Err(conversion(idx, "time", text.chars().take(40).collect()))
}

/// Column `idx` as a time.
pub(crate) fn time(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let text: String = row.get(idx)?;
    parse_time(idx, &text)
}

/// Column `idx` as a time, or none.
pub(crate) fn opt_time(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| parse_time(idx, &t)).transpose()
}

/// Column `idx` as a day, or none.
pub(crate) fn opt_date(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| NaiveDate::parse_from_str(&t, "%F").map_err(|_| conversion(idx, "date", t.clone()))).transpose()
}

/// Column `idx` as a day.
pub(crate) fn date(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<NaiveDate> {
    opt_date(row, idx)?.ok_or(rusqlite::Error::InvalidColumnType(idx, "date".into(), rusqlite::types::Type::Null))
}

/// Column `idx` as the text of a domain enum (a role, a unit's kind), checked as
/// sqlx's `try_from = "Text<T>"` checks it: an unknown value is an error, not a default.
pub(crate) fn checked<T: TextColumn>(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<String> {
    let text: String = row.get(idx)?;
    match T::from_text(&text) {
        Some(_) => Ok(text),
        None => Err(conversion(idx, T::WHAT, text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back_as_sqlx_writes_them_and_as_sqlite_writes_them() {
        let t = DateTime::parse_from_rfc3339("2023-03-03T07:00:00.25+00:00").map(|t| t.with_timezone(&Utc));
        let t = t.expect("a time");
        assert_eq!(time_text(t), "2023-03-03T07:00:00.250+00:00");
        assert_eq!(parse_time(0, &time_text(t)).expect("sqlx's text"), t);
        let whole = t - chrono::Duration::milliseconds(250);
        assert_eq!(parse_time(0, "2023-03-03 07:00:00").expect("CURRENT_TIMESTAMP"), whole);
        assert_eq!(parse_time(0, "2023-03-03 14:00:00+07:00").expect("with an offset"), whole);
        assert!(parse_time(0, "hôm qua").is_err());
    }
}
