//! What users do, one file per action. Pages and the JSON API both call these, so
//! every check (validation, authorization, audit) happens once.

pub mod accounts_bulk;
pub mod allocation;
pub mod attachments;
pub mod audit_log;
pub mod calendar;
pub mod campaign_new;
pub mod campaigns;
pub mod commendations;
pub mod compare_years;
pub mod dashboard;
pub mod documents;
pub mod emulation;
pub mod events;
pub mod login;
pub mod password;
pub mod plan_amend;
pub mod plan_edit;
pub mod plan_import;
pub mod progress;
pub mod reminders;
pub mod reports;
pub mod review_queue;
pub mod submit_notices;
pub mod tokens;
pub mod unit_contacts;
pub mod unit_history;
pub mod unit_import;
pub mod unit_lookup;
pub mod unit_plan;
pub mod units;
pub mod users;
