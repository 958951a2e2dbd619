//! phongtrao's storage: one schema on SQLite (default, embedded) or PostgreSQL
//! (several app instances), chosen by URL. One file per entity.

pub mod allocations;
pub mod attachments;
pub mod audit;
pub mod base_figures;
pub mod campaign_copy;
pub mod campaigns;
pub mod columns;
pub mod comparisons;
mod db;
pub mod event_records;
pub mod group_commit;
pub use db::create_postgres_database;
pub mod commendations;
pub mod documents;
pub mod emulation;
pub mod leases;
pub mod pending_imports;
pub mod period_locks;
pub mod plan_versions;
pub mod progress;
pub mod reminder_deliveries;
pub mod reminders;
pub mod report_versions;
pub mod reports;
pub mod review_queue;
pub mod rollups;
pub mod secrets;
pub mod seed;
mod sqlite_db;
mod sqlite_here;
pub use sqlite_db::SqliteDb;
pub mod settings;
pub mod submit_notices;
pub mod throttle;
pub mod tokens;
mod tx;
pub mod unit_contacts;
pub mod unit_history;
pub mod units;
pub mod users;

pub use db::{
    application_name, default_acquire_timeout, newer_schema_message, Backend, Db, DbOptions, ErrorKind, SchemaStatus,
    StorageError, DEFAULT_SQLITE_CONNECTIONS, WRITE_LOCK,
};
pub mod unavailable;

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// Ids as an SQL list ("1,2,3") to put inside `IN (…)`: ids are integers from the
/// database, never user text.
pub(crate) fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Levels as a SQL list of their numbers (numbers from the plan, never user text).
pub(crate) fn level_list(levels: &[phongtrao_domain::plan::Level]) -> String {
    levels.iter().map(|l| l.number().to_string()).collect::<Vec<_>>().join(",")
}
