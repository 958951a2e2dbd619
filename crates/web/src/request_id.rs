//! A request id on every log line and in the `X-Request-Id` response header: the id
//! the proxy sent (nginx `$request_id`) when it looks like one, else a new one. Every
//! event logged while the request is handled is inside the `request` span that
//! carries it; a request answered with an error status is logged with its method,
//! path, status and duration (5xx as errors, 4xx as warnings).

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

/// The id of the request being handled (an extension of the request).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn acceptable(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn generate() -> String {
    format!("{:016x}{:08x}", rand::random::<u64>(), rand::random::<u32>())
}

pub async fn tag(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_string)
        .unwrap_or_else(generate);
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    request.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
    let started = std::time::Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_millis() as u64;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, elapsed_ms, "request failed: {method} {path} → {status}");
        } else if status >= 400 && status != 404 {
            tracing::warn!(status, elapsed_ms, "request refused: {method} {path} → {status}");
        }
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}
