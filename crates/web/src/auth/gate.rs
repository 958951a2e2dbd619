//! The gate every request passes after the session layer: who is acting is resolved
//! once (handlers reuse it), a database that cannot be read answers 503 (never
//! "please log in"), and an account with a one-time password can do nothing but
//! change it (or log out) until it does.

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::current::{resolve, Resolved};
use crate::error::{ApiError, Failure};
use crate::AppState;

/// Paths that need nobody: not resolved (no database read for them).
fn needs_nobody(path: &str) -> bool {
    path.starts_with("/static/") || path == "/healthz" || path == "/metrics" || path.starts_with("/lang/")
}

/// What an account with a one-time password may still do.
fn allowed_before_change(method: &Method, path: &str) -> bool {
    matches!(
        (method.as_str(), path),
        ("GET", "/account")
            | ("POST", "/account/password")
            | ("POST", "/api/v1/account/password")
            | ("POST", "/logout")
            | ("DELETE", "/api/v1/session")
            | ("GET", "/api/v1/me")
            | ("GET", "/login")
            | ("POST", "/login")
            | ("POST", "/api/v1/session")
            | ("GET", "/api/v1/openapi.json")
    )
}

pub fn password_change_required() -> Failure {
    Failure::new(
        StatusCode::FORBIDDEN,
        "password_change_required",
        "Bạn đang dùng mật khẩu một lần: hãy đổi mật khẩu trước (trang Tài khoản, hoặc POST /api/v1/account/password). Chưa đổi thì chỉ được đổi mật khẩu hoặc đăng xuất.",
        "You are using a one-time password: change it first (the Account page, or POST /api/v1/account/password). Until then you can only change it or log out.",
    )
}

pub async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    if needs_nobody(&path) {
        return next.run(request).await;
    }
    let api = path.starts_with("/api/");
    let lang = crate::security::lang_of(&request);
    let (mut parts, body) = request.into_parts();
    let actor = match resolve(&mut parts, &state).await {
        Ok(actor) => actor,
        Err(e) => {
            let failure = Failure::from(e);
            let failure =
                if failure.status.is_server_error() { failure } else { Failure::unavailable("who is acting") };
            return if api { ApiError(failure).into_response() } else { failure.page(lang).into_response() };
        }
    };
    if let Some(a) = &actor {
        if a.user.must_change_password && !allowed_before_change(&parts.method, &path) {
            if api {
                return ApiError(password_change_required()).into_response();
            }
            if matches!(parts.method, Method::GET | Method::HEAD) {
                return Redirect::to("/account?first=1").into_response();
            }
            return password_change_required().page(lang).into_response();
        }
    }
    parts.extensions.insert(Resolved(actor));
    next.run(Request::from_parts(parts, body)).await
}
