//! The JSON API under /api/v1: the same data as the pages.

mod admin;
mod allocations;
mod campaign;
mod documents;
mod openapi;
mod plan_import;
mod progress;
mod reminders;
mod reports;
mod session;
mod units;

use axum::routing::{delete, get, post, put};
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaign", get(campaign::show))
        .route("/targets", get(campaign::targets))
        .route("/periods", get(campaign::periods))
        .route("/units", get(units::list).post(admin::create_unit))
        .route("/units/{code}", get(units::show).patch(admin::update_unit))
        .route("/units/{code}/base-figures", put(admin::set_base_figures))
        .route("/units/import", post(admin::import_units))
        .route("/units/import/{id}/confirm", post(admin::confirm_import))
        .route("/session", post(session::create).delete(session::delete))
        .route("/me", get(session::me))
        .route("/account/password", post(admin::change_password))
        .route("/tokens", post(admin::create_token))
        .route("/tokens/{id}", delete(admin::revoke_token))
        .route("/users", get(admin::list_users).post(admin::create_user))
        .route("/users/{id}", axum::routing::patch(admin::update_user))
        .route("/users/{id}/password-reset", post(admin::reset_password))
        .route("/audit", get(admin::audit))
        .route("/progress", get(progress::show))
        .route("/ranking", get(progress::ranking))
        .route("/allocations/{key}", get(allocations::show).post(allocations::set))
        .route("/plan/import", post(plan_import::upload))
        .route("/plan/import/{id}/confirm", post(plan_import::confirm))
        .route("/reports", get(reports::list))
        .route("/reports/{unit}/{period}", get(reports::show))
        .route("/reports/{unit}/{period}/draft", put(reports::save_draft))
        .route("/reports/{unit}/{period}/submit", post(reports::submit))
        .route("/reports/{unit}/{period}/review", post(reports::review))
        .route("/reports/{unit}/{period}/versions", get(reports::versions))
        .route("/periods/{end}/{verb}", post(reports::lock))
        .route("/exports/{file}", get(documents::export))
        .route("/document-texts/{doc}", get(documents::texts).put(documents::save_texts))
        .route("/reminders", get(reminders::list))
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("đường dẫn API / API route")
}
