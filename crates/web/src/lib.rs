//! phongtrao's web layer: server-rendered pages (Vietnamese first) and the JSON API.
//! Handlers read through `phongtrao_storage`, build view models, and render them.
#![deny(clippy::unwrap_used)]

rust_i18n::i18n!("locales", fallback = "vi");

pub mod actions;
mod api;
/// The OpenAPI document of /api/v1 (generated from the API's handlers and types).
pub use api::openapi;
mod assets;
pub mod auth;
mod authz;
pub mod campaign_choice;
pub mod clock;
mod connections;
pub mod demo;
pub mod demo_national;
pub mod documents;
pub mod docx;
pub mod error;
pub mod files;
mod health;
pub mod i18n;
pub mod metrics;
mod page;
mod pages;
pub mod password;
pub mod prepare;
pub mod redirect;
pub mod reminders;
pub mod request_id;
pub mod security;
pub mod startup;
mod state;

pub use clock::Clock;
pub use startup::{Application, Settings};
pub use state::AppState;
