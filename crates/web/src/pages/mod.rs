//! Server-rendered pages, one file per page.

pub mod account;
pub mod accounts_bulk;
pub mod admin_units;
pub mod admin_users;
pub mod allocations;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod campaign_new;
pub mod campaigns;
pub mod commendations;
pub mod dashboard;
pub mod documents;
pub mod emulation;
pub mod events;
pub mod home;
pub mod lang;
pub mod login;
pub mod overview;
pub mod plan_amend_edit;
pub mod plan_edit;
pub mod plan_import;
pub mod reminders;
pub mod reports;
pub mod review;
pub mod submit_notices;
pub mod targets;
pub mod typed;
pub mod unit_history;
pub mod unit_plan;
pub mod units;

use crate::error::AppError;
use crate::i18n::Lang;

pub async fn not_found(lang: Lang) -> AppError {
    AppError::not_found(lang)
}
