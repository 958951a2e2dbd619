//! Integration tests: the real server on a free port, on SQLite, or on PostgreSQL
//! when PHONGTRAO_TEST_DATABASE_URL names a server (CI runs both).

mod accounts;
mod backup;
mod browser;
mod cli;
mod consolidation;
mod dashboard;
mod demo;
mod documents;
mod openapi;
mod operations;
mod pages;
mod plan_import;
mod progress;
mod reminders;
mod reports;
mod storage;
mod support;
