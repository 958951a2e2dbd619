//! The JSON API under /api/v1: the same data as the pages.

mod accounts_bulk;
mod admin;
mod allocations;
mod body;
mod campaign;
mod documents;
mod events;
mod openapi;
mod plan_import;
mod progress;
mod reminder_deliveries;
mod reminders;
mod reports;
mod review_queue;
mod session;
mod unit_contacts;
mod units;
mod whole;

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
        .route("/units/{code}/contact", get(unit_contacts::show).put(unit_contacts::set))
        .route("/units/import", post(admin::import_units))
        .route("/units/import/{id}/confirm", post(admin::confirm_import))
        .route("/session", post(session::create).delete(session::delete))
        .route("/me", get(session::me))
        .route("/account/password", post(admin::change_password))
        .route("/tokens", get(admin::list_tokens).post(admin::create_token))
        .route("/tokens/{id}", delete(admin::revoke_token))
        .route("/users", get(admin::list_users).post(admin::create_user))
        .route("/users/import", post(accounts_bulk::import))
        .route("/users/bulk", post(accounts_bulk::bulk))
        .route("/users/{id}", axum::routing::patch(admin::update_user))
        .route("/users/{id}/password-reset", post(admin::reset_password))
        .route("/audit", get(admin::audit))
        .route("/progress", get(progress::show))
        .route("/ranking", get(progress::ranking))
        .route("/base-figures/coverage", get(progress::base_coverage))
        .route("/base-figures/{figure}/complete", put(progress::set_base_complete))
        .route("/reminders", get(reminders::list).post(reminders::send))
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
        .route("/reminders/deliveries", get(reminder_deliveries::list))
        .route("/events", get(events::list))
        .route("/events/{number}", put(events::record_province))
        .route("/events/units/{code}/{kind}", put(events::record_unit))
        .route("/review-queue", get(review_queue::list))
        .route("/review-queue/accept", post(review_queue::accept))
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(json_rejections))
}

/// A `limit` query parameter: absent, or 1 to `max`; anything else is refused (400)
/// rather than quietly capped, so a client learns the bound.
pub(crate) fn limit_in_range(limit: Option<i64>, max: i64) -> Result<Option<i64>, crate::error::ApiError> {
    match limit {
        Some(n) if !(1..=max).contains(&n) => Err(crate::error::ApiError(crate::error::Failure::bad_request(
            format!("limit phải từ 1 đến {max} (nhận {n})"),
            format!("limit must be between 1 and {max} (got {n})"),
        ))),
        _ => Ok(limit),
    }
}

async fn not_found() -> crate::error::ApiError {
    crate::error::ApiError::not_found("đường dẫn API / API route")
}

/// Axum's own rejections (a body that is not JSON, a wrong type, a bad query string,
/// a body over the limit) are plain text; the API answers every error in its JSON
/// shape with both languages, so a client always finds `error.message_vi`.
pub async fn json_rejections(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let response = next.run(request).await;
    let status = response.status();
    let is_text = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !status.is_client_error() || !is_text {
        return response;
    }
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&bytes).into_owned();
    let (code, vi) = match status.as_u16() {
        413 => ("too_large", "Dữ liệu gửi lên quá lớn"),
        415 => ("unsupported_media_type", "Cần gửi dữ liệu JSON (Content-Type: application/json)"),
        _ => ("bad_request", "Dữ liệu gửi lên không đúng định dạng"),
    };
    // The Vietnamese message never carries the parser's English: at most the name of
    // the query parameter it could not read.
    let field = detail
        .split_once("query string: ")
        .and_then(|(_, rest)| rest.split(':').next())
        .map(str::trim)
        .filter(|f| !f.is_empty() && f.len() <= 60 && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    let vi = match field {
        Some(f) => format!("Tham số \"{f}\" trên địa chỉ không đúng định dạng"),
        None => vi.to_string(),
    };
    let en =
        if detail.trim().is_empty() { status.canonical_reason().unwrap_or("Bad request").to_string() } else { detail };
    crate::error::ApiError(crate::error::Failure::new(status, code, vi, en)).into_response()
}
