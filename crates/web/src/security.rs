//! Security headers on every response, the settings that harden the server, and the
//! dressing of errors made by layers (413, 408, 503, a failed session load) in the
//! app's own shape: the security headers, and the JSON error under /api.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::{ApiError, Failure};
use crate::i18n::Lang;

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/// HSTS when the site is served over HTTPS (`--secure-cookies`): one year.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// How the server defends itself; every value has a safe default.
#[derive(Debug, Clone)]
pub struct SecuritySettings {
    /// Days an API token lives (`--token-days`).
    pub token_days: i64,
    /// GET /metrics needs `Authorization: Bearer <this>`; None: /metrics is only
    /// served on `metrics_bind` (or not at all).
    pub metrics_token: Option<String>,
    /// A separate address serving only /metrics (e.g. 127.0.0.1:9187).
    pub metrics_bind: Option<std::net::SocketAddr>,
    /// Connections served at once; beyond, a new connection gets a 503 and is closed.
    pub max_connections: usize,
    /// A connection must send a request's headers within this time, and an idle
    /// keep-alive connection is closed after it.
    pub header_timeout: Duration,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            token_days: phongtrao_storage::tokens::DEFAULT_DAYS,
            metrics_token: None,
            metrics_bind: None,
            // Below the common 1024 open-file limit, leaving room for the database,
            // the log and the refusals themselves.
            max_connections: 768,
            header_timeout: Duration::from_secs(10),
        }
    }
}

pub fn add_headers(router: Router, secure: bool) -> Router {
    let router = router
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ));
    if secure {
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        ))
    } else {
        router
    }
}

/// Errors that a layer answered before any handler (a body over the limit, a
/// timeout, an overload, a session that could not be loaded) come out bare, with no
/// body or plain text: they get the app's shape (JSON under /api, a page elsewhere),
/// so that the headers layered outside this one apply and a client always finds
/// `error.message_vi`. A bare 500 from the session layer means the session store
/// (the database) could not be read: that is a 503, not a crash.
pub async fn dress_layer_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let attachment = crate::pages::attachments::is_upload_path(request.uri().path());
    let lang = lang_of(&request);
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let bare = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !bare {
        return response;
    }
    let failure = match status {
        StatusCode::PAYLOAD_TOO_LARGE if attachment => Failure::new(
            status,
            "too_large",
            "Tệp quá lớn: mỗi tệp tối đa 10 MB. Chưa lưu gì.",
            "The file is too large: 10 MB at most per file. Nothing was stored.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => Failure::new(
            status,
            "too_large",
            "Dữ liệu gửi lên quá lớn (tối đa 5 MB).",
            "The request body is too large (5 MB at most).",
        ),
        StatusCode::REQUEST_TIMEOUT => Failure::new(
            status,
            "timeout",
            "Yêu cầu gửi lên quá chậm và đã bị ngắt. Vui lòng thử lại.",
            "The request was too slow and was cut off. Please try again.",
        ),
        StatusCode::SERVICE_UNAVAILABLE | StatusCode::INTERNAL_SERVER_ERROR => {
            Failure::unavailable(format!("a layer answered {status} before any handler"))
        }
        _ => return response,
    };
    if api {
        ApiError(failure).into_response()
    } else {
        failure.page(lang).into_response()
    }
}

/// `Cache-Control: no-store` on what must not stay in a shared or browser cache:
/// report pages, exports and downloads, the account page (a new token or a one-time
/// password is shown there), the API's reads of reports, and every page of a
/// logged-in user's admin area.
pub async fn no_store(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let sensitive = [
        "/reports",
        "/api/v1/reports",
        "/account",
        "/admin/",
        "/api/v1/exports/",
        "/api/v1/users",
        "/api/v1/tokens",
        "/documents",
        "/allocations/export",
        "/calendar.ics",
        "/api/v1/session",
        "/api/v1/me",
    ]
    .iter()
    .any(|p| path.starts_with(p));
    let download = response
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("attachment"));
    if sensitive || download {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// GET /metrics: only with the metrics token (`--metrics-token`); without one set,
/// /metrics is served only on the separate `--metrics-bind` address.
pub async fn metrics(State(state): State<crate::AppState>, request: Request) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let allowed = match (&state.security.metrics_token, given) {
        (Some(expected), Some(given)) => {
            expected.len() == given.len()
                && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
        }
        _ => false,
    };
    if !allowed {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Không tìm thấy / Not found (metrics need the metrics token, or the metrics address)\n",
        )
            .into_response();
    }
    crate::metrics::show(State(state)).await
}

/// The language of a request from its `lang` cookie, outside the handlers.
pub fn lang_of(request: &Request) -> Lang {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("lang="))
        .find_map(Lang::parse)
        .unwrap_or(Lang::Vi)
}
