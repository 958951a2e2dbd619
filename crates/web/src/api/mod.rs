//! The JSON API under /api/v1: the same data as the pages.

mod campaign;
mod openapi;
mod units;

use axum::routing::get;
use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/campaign", get(campaign::show))
        .route("/targets", get(campaign::targets))
        .route("/periods", get(campaign::periods))
        .route("/units", get(units::list))
        .route("/units/{code}", get(units::show))
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("đường dẫn API / API route")
}
