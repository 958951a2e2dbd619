//! Integration tests: the real server on a free port, on SQLite, or on PostgreSQL
//! when PHONGTRAO_TEST_DATABASE_URL names a server (CI runs both).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)] // test code: a failed expectation is a failed test

mod accounts;
mod accounts_bulk;
mod across_years;
mod api_twins;
mod audit_log;
mod backup;
mod browser;
mod campaign_new;
mod campaigns;
mod cli;
mod compare_years;
mod consolidation;
mod dashboard;
mod demo;
mod documents;
mod emulation;
mod error_pages;
mod events;
mod figures;
mod languages;
mod office_accounts;
mod office_week;
mod openapi;
mod operations;
mod pages;
mod plan_edit;
mod plan_import;
mod progress;
mod reminders;
mod reminders_sent;
mod report_rules;
mod reports;
mod review_queue;
mod role_controls;
mod security;
mod storage;
mod storage_types;
mod submissions;
mod submit_notices;
mod support;
mod unit_contacts;
mod unit_history;
mod unit_lifecycle;
mod upgrade;
