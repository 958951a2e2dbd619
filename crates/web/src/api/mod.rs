//! The JSON API under /api/v1: the same data as the pages.

mod accounts_bulk;
mod admin;
mod allocations;
mod attachments;
mod audit_export;
mod body;
mod campaign;
mod campaign_new;
mod campaigns;
mod commendations;
mod doc;
mod documents;
mod emulation;
mod events;
mod notices;
mod plan_edit;
mod plan_import;
mod plan_versions;
mod progress;
mod reminder_deliveries;
mod reminders;
mod reports;
mod review_queue;
mod session;
mod unit_contacts;
mod unit_plan;
mod units;
mod whole;

use axum::Router;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The API's operations, each registered with its OpenAPI description (a handler
/// is served at the path its `#[utoipa::path]` names, so nothing is served that the
/// document does not describe). Paths are relative to /api/v1.
pub(crate) fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(doc::ApiDoc::openapi())
        .routes(routes!(campaigns::list))
        .routes(routes!(campaigns::chosen, campaigns::choose))
        .routes(routes!(campaigns::set_status))
        .routes(routes!(campaigns::set_deadline_rule))
        .routes(routes!(campaigns::members, campaigns::set_members))
        .routes(routes!(campaign::show))
        .routes(routes!(campaign::targets))
        .routes(routes!(campaign::periods))
        .routes(routes!(units::list, admin::create_unit))
        .routes(routes!(units::show, admin::update_unit))
        .routes(routes!(admin::set_base_figures))
        .routes(routes!(unit_contacts::show, unit_contacts::set))
        .routes(routes!(emulation::sheet, emulation::save))
        .routes(routes!(emulation::default_sheet))
        .routes(routes!(emulation::import))
        .routes(routes!(emulation::settings))
        .routes(routes!(emulation::show_self, emulation::save_self))
        .routes(routes!(emulation::review))
        .routes(routes!(emulation::clusters, emulation::set_clusters))
        .routes(routes!(emulation::ranking))
        .routes(routes!(commendations::forms, commendations::save_forms))
        .routes(routes!(commendations::default_forms))
        .routes(routes!(commendations::list, commendations::nominate))
        .routes(routes!(commendations::resubmit))
        .routes(routes!(commendations::review))
        .routes(routes!(commendations::document))
        .routes(routes!(admin::import_units))
        .routes(routes!(admin::confirm_import))
        .routes(routes!(session::create, session::delete))
        .routes(routes!(session::me))
        .routes(routes!(admin::change_password))
        .routes(routes!(admin::list_tokens, admin::create_token))
        .routes(routes!(admin::revoke_token))
        .routes(routes!(admin::list_users, admin::create_user))
        .routes(routes!(accounts_bulk::import))
        .routes(routes!(accounts_bulk::bulk))
        .routes(routes!(admin::update_user))
        .routes(routes!(admin::reset_password))
        .routes(routes!(admin::audit))
        .routes(routes!(audit_export::xlsx))
        .routes(routes!(audit_export::csv))
        .routes(routes!(progress::show))
        .routes(routes!(progress::ranking))
        .routes(routes!(progress::year_over_year))
        .routes(routes!(progress::link_indicator))
        .routes(routes!(progress::base_coverage))
        .routes(routes!(progress::set_base_complete))
        .routes(routes!(reminders::list, reminders::send))
        .routes(routes!(allocations::show, allocations::set))
        .routes(routes!(plan_import::upload))
        .routes(routes!(plan_import::confirm))
        .routes(routes!(plan_edit::start))
        .routes(routes!(plan_edit::show, plan_edit::save))
        .routes(routes!(plan_edit::confirm))
        .routes(routes!(plan_versions::list))
        .routes(routes!(plan_versions::show))
        .routes(routes!(plan_versions::amend))
        .routes(routes!(unit_plan::overview, unit_plan::start))
        .routes(routes!(unit_plan::show_up, unit_plan::submit_up))
        .routes(routes!(campaign_new::from_previous))
        .routes(routes!(reports::list))
        .routes(routes!(reports::show))
        .routes(routes!(reports::save_draft))
        .routes(routes!(reports::submit))
        .routes(routes!(reports::review))
        .routes(routes!(reports::versions))
        .routes(routes!(reports::lock))
        .routes(routes!(documents::export))
        .routes(routes!(documents::texts, documents::save_texts))
        .routes(routes!(reminder_deliveries::list))
        .routes(routes!(events::list))
        .routes(routes!(events::record_province))
        .routes(routes!(events::record_unit))
        .routes(routes!(review_queue::list))
        .routes(routes!(review_queue::accept))
        .routes(routes!(notices::list))
        .routes(routes!(notices::mark_read))
        .routes(routes!(notices::prefs, notices::set_prefs))
        .routes(routes!(notices::deliveries))
        .routes(routes!(doc::document))
        .merge(
            // An attachment upload takes one file of up to 10 MB.
            OpenApiRouter::new()
                .routes(routes!(attachments::upload, attachments::list))
                .routes(routes!(attachments::show, attachments::delete))
                .layer(axum::extract::DefaultBodyLimit::max(crate::pages::attachments::MAX_REQUEST_BYTES)),
        )
}

/// The OpenAPI document of the API, its paths under /api/v1 (as served at
/// /api/v1/openapi.json).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, document) = api_router().split_for_parts();
    under_api_v1(document)
}

fn under_api_v1(mut document: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    document.paths.paths = std::mem::take(&mut document.paths.paths)
        .into_iter()
        .map(|(path, item)| (format!("/api/v1{path}"), item))
        .collect();
    document
}

/// The API router, to be nested at /api/v1.
pub fn router() -> Router<AppState> {
    let (router, document) = api_router().split_for_parts();
    doc::publish(&under_api_v1(document));
    router.fallback(not_found).layer(axum::middleware::from_fn(json_rejections))
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
    crate::error::ApiError(crate::error::Failure::new(
        axum::http::StatusCode::NOT_FOUND,
        "not_found",
        "Không tìm thấy đường dẫn API này",
        "No such API route",
    ))
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
    let allow = response.headers().get(axum::http::header::ALLOW).cloned();
    let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&bytes).into_owned();
    if status == axum::http::StatusCode::METHOD_NOT_ALLOWED {
        let mut out = crate::error::ApiError(crate::error::Failure::new(
            status,
            "method_not_allowed",
            "Đường dẫn này không nhận phương thức HTTP đã dùng (xem tài liệu API)",
            "This path does not take the HTTP method used (see the API document)",
        ))
        .into_response();
        if let Some(allow) = allow {
            out.headers_mut().insert(axum::http::header::ALLOW, allow);
        }
        return out;
    }
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
    let (vi, en) = match field {
        Some(f) => (
            format!("Tham số \"{f}\" trên địa chỉ không đúng định dạng"),
            format!("The query parameter \"{f}\" is not in the right form"),
        ),
        None if detail.trim().is_empty() => {
            (vi.to_string(), status.canonical_reason().unwrap_or("Bad request").to_string())
        }
        None => (vi.to_string(), detail),
    };
    crate::error::ApiError(crate::error::Failure::new(status, code, vi, en)).into_response()
}

#[cfg(test)]
mod tests {
    /// The router's operations are registered only with `routes!` (each handler with
    /// its `#[utoipa::path]`, served at the path it documents): a plain axum
    /// registration here would serve an operation the document does not describe.
    #[test]
    fn the_api_router_registers_only_documented_operations() {
        let source = include_str!("mod.rs");
        let router = source.split("pub(crate) fn api_router()").nth(1).and_then(|s| s.split("\n}\n").next());
        let router = router.unwrap_or_default();
        assert!(router.contains(".routes(routes!("), "api_router not found");
        for plain in [".route(", ".route_service(", ".nest(", ".nest_service(", "axum::routing"] {
            assert!(!router.contains(plain), "api_router registers with {plain}: document the operation instead");
        }
        // A merged router is one of documented operations too (with its own layer).
        for merged in router.split(".merge(").skip(1) {
            let merged = merged.lines().find(|l| !l.trim().is_empty() && !l.trim().starts_with("//")).unwrap_or("");
            assert!(merged.trim().starts_with("OpenApiRouter::new()"), "api_router merges a plain router: {merged}");
        }
        let document = super::openapi();
        assert!(document.paths.paths.keys().all(|p| p.starts_with("/api/v1/")));
    }

    /// Every refusal the API answers has the one documented error shape.
    #[tokio::test]
    async fn an_api_error_is_the_documented_error() {
        use axum::response::IntoResponse;
        let mut failure = crate::error::Failure::bad_request("Sai", "Wrong");
        failure.retry_after = Some(30);
        for failure in [failure, crate::error::Failure::not_found()] {
            let response = crate::error::ApiError(failure).into_response();
            let bytes = axum::body::to_bytes(response.into_body(), 4096).await.unwrap_or_default();
            let parsed = serde_json::from_slice::<super::doc::Error>(&bytes);
            assert!(parsed.is_ok(), "{}: {parsed:?}", String::from_utf8_lossy(&bytes));
        }
    }
}
