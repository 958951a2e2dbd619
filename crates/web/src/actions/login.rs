//! Logging in and out, with throttling of failed attempts.

use axum::http::StatusCode;
use phongtrao_domain::throttle::{wait_seconds, FREE_FAILURES, FREE_FAILURES_PER_CLIENT};
use phongtrao_storage::audit;
use phongtrao_storage::throttle;

use crate::auth::client::ClientIp;
use crate::auth::current::LOGIN_AT_KEY;
use crate::auth::{AuthSession, Credentials, User};
use crate::authz::who;
use crate::error::Failure;
use crate::AppState;

fn throttled(seconds: i64) -> Failure {
    let mut f = Failure::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây."),
        format!("Too many failed logins. Please try again in {seconds} seconds."),
    );
    f.retry_after = Some(seconds);
    f
}

fn keys(username: &str, client: &ClientIp) -> (String, String) {
    let user = username.trim().to_lowercase();
    (format!("account:{user}|{}", client.key()), format!("client:{}", client.key()))
}

pub async fn login(
    state: &AppState,
    auth: &mut AuthSession,
    creds: Credentials,
    client: &ClientIp,
) -> Result<User, Failure> {
    let db = &state.db;
    let now = state.now();
    let username = creds.username.trim().to_string();
    let (pair_key, client_key) = keys(&username, client);
    let anonymous = who(None, client);
    for key in [&pair_key, &client_key] {
        let until = throttle::locked_until(db, key).await?;
        if let Some(seconds) = wait_seconds(until, now) {
            // One audit row per wait, not one per refused attempt.
            if let Some(until) = until {
                if throttle::note_wait(db, key, until).await? {
                    let entry = anonymous
                        .entry("login.throttled", "user", Some(username.clone()))
                        .after(&serde_json::json!({"wait_seconds": seconds}));
                    audit::record(db, &entry, now).await?;
                }
            }
            return Err(throttled(seconds));
        }
    }
    if username.is_empty() || creds.password.is_empty() || creds.password.len() > 1024 {
        return Err(Failure::bad_request(
            "Vui lòng nhập tên đăng nhập và mật khẩu.",
            "Please enter your username and password.",
        ));
    }
    let user = auth
        .authenticate(Credentials { username: username.clone(), password: creds.password })
        .await
        .map_err(Failure::internal)?;
    let Some(user) = user else {
        let failures = throttle::record_failure(db, &pair_key, FREE_FAILURES, now).await?;
        throttle::record_failure(db, &client_key, FREE_FAILURES_PER_CLIENT, now).await?;
        let entry =
            anonymous.entry("login.failure", "user", Some(username)).after(&serde_json::json!({"failures": failures}));
        audit::record(db, &entry, now).await?;
        return Err(Failure::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            "Wrong username or password.",
        ));
    };
    throttle::reset(db, &pair_key).await?;
    auth.login(&user).await.map_err(Failure::internal)?;
    auth.session.insert(LOGIN_AT_KEY, now.timestamp()).await.map_err(Failure::internal)?;
    crate::auth::csrf::rotate(&auth.session).await;
    let entry = crate::authz::who(None, client);
    let entry =
        phongtrao_storage::audit::Who { user_id: Some(user.id), name: user.username.clone(), client: entry.client }
            .entry("login.success", "user", Some(user.username.clone()));
    audit::record(db, &entry, now).await?;
    Ok(user)
}

/// Where a person goes after logging in. Asked for no page in particular (`next`
/// is the default "/"), a unit reporter goes to their unit's home page (the next
/// deadline, "Báo cáo tuần này"), not the long plan overview.
pub fn destination(user: &User, next: &str) -> String {
    if next == "/" && user.role == phongtrao_domain::role::Role::Unit {
        "/home".to_string()
    } else {
        next.to_string()
    }
}

/// Ends the session: its id is deleted from the store, so a stolen copy stops working.
pub async fn logout(state: &AppState, auth: &mut AuthSession, client: &ClientIp) -> Result<(), Failure> {
    let user = auth.logout().await.map_err(Failure::internal)?;
    if let Some(user) = user {
        let entry = phongtrao_storage::audit::Who {
            user_id: Some(user.id),
            name: user.username.clone(),
            client: Some(client.0.to_string()),
        }
        .entry("logout", "user", Some(user.username));
        audit::record(&state.db, &entry, state.now()).await?;
    }
    Ok(())
}
