//! CSRF protection for every state-changing request made with the session cookie:
//! a per-session token in a hidden form field, an `X-CSRF-Token` header or a `csrf`
//! query parameter, and a same-origin check of Origin / Referer. Requests that
//! authenticate with an API token (Authorization: Bearer) carry no cookie authority
//! and are exempt.

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

use crate::error::{ApiError, Failure};
use crate::i18n::Lang;

pub const SESSION_KEY: &str = "csrf";
/// The most a form body may be when the token has to be read from it.
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// The session's token, created on first use.
pub async fn token(session: &Session) -> String {
    if let Ok(Some(t)) = session.get::<String>(SESSION_KEY).await {
        return t;
    }
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
    let t = hex::encode(bytes);
    if let Err(e) = session.insert(SESSION_KEY, &t).await {
        tracing::warn!(error = %e, "cannot store the CSRF token");
    }
    t
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refuse(path: &str, lang: Lang, vi: &str, en: &str) -> Response {
    let failure = Failure::new(StatusCode::FORBIDDEN, "csrf", vi, en);
    if path.starts_with("/api/") {
        ApiError(failure).into_response()
    } else {
        failure.page(lang).into_response()
    }
}

fn same_origin(value: &str, host: &str) -> bool {
    let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(rest) => rest.split('/').next() == Some(host),
        None => false,
    }
}

/// The middleware. Runs inside the session layer.
pub async fn verify(session: Session, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe {
        return next.run(request).await;
    }
    let path = request.uri().path().to_string();
    let lang = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .map(|c| if c.contains("lang=en") { Lang::En } else { Lang::Vi })
        .unwrap_or(Lang::Vi);
    let bearer = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "));
    if bearer {
        return next.run(request).await;
    }
    let host = request.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    for name in [header::ORIGIN, header::REFERER] {
        if let Some(value) = request.headers().get(&name).and_then(|v| v.to_str().ok()) {
            if !same_origin(value, &host) {
                tracing::warn!(%path, origin = value, "refused a cross-site request");
                return refuse(&path, lang, "Yêu cầu từ trang web khác bị từ chối.", "Cross-site request refused.");
            }
            break;
        }
    }
    // Logging in through the API has no token yet; the same-origin check above applies.
    if path == "/api/v1/session" {
        return next.run(request).await;
    }
    let expected = match session.get::<String>(SESSION_KEY).await {
        Ok(Some(t)) => t,
        _ => {
            return refuse(
                &path,
                lang,
                "Phiên làm việc đã hết hạn. Vui lòng tải lại trang và thử lại.",
                "Your session has expired. Please reload the page and try again.",
            )
        }
    };
    let from_header = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    let from_query = request
        .uri()
        .query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let (request, from_form) = if from_header.is_none() && from_query.is_none() && is_form {
        let (parts, body) = request.into_parts();
        let bytes = match to_bytes(body, FORM_LIMIT).await {
            Ok(b) => b,
            Err(_) => {
                return Failure::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "Dữ liệu gửi lên quá lớn.",
                    "Request body too large.",
                )
                .page(lang)
                .into_response()
            }
        };
        let token = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "csrf").map(|(_, v)| v));
        (Request::from_parts(parts, Body::from(bytes)), token)
    } else {
        (request, None)
    };
    let given = from_header.or(from_query).or(from_form).unwrap_or_default();
    if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        tracing::warn!(%path, "refused a request without a valid CSRF token");
        return refuse(
            &path,
            lang,
            "Phiên làm việc đã hết hạn hoặc yêu cầu không hợp lệ. Vui lòng tải lại trang và thử lại.",
            "Your session has expired or the request is invalid. Please reload the page and try again.",
        );
    }
    next.run(request).await
}
