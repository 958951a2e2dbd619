//! Changing one's password; an admin resetting someone else's.

use phongtrao_storage::users;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::who;
use crate::error::Failure;
use crate::{password, AppState};

pub const MIN_LENGTH: usize = 10;

/// Checks a new password: at least 10 characters, at most 256, not the username.
pub fn check_new(username: &str, new: &str, confirm: &str) -> Result<(), Failure> {
    if new != confirm {
        return Err(Failure::invalid("Mật khẩu nhập lại không khớp / The two passwords differ"));
    }
    let len = new.chars().count();
    if !(MIN_LENGTH..=256).contains(&len) {
        return Err(Failure::invalid(format!(
            "Mật khẩu cần từ {MIN_LENGTH} đến 256 ký tự / A password needs {MIN_LENGTH} to 256 characters"
        )));
    }
    if new.eq_ignore_ascii_case(username) {
        return Err(Failure::invalid("Mật khẩu không được trùng tên đăng nhập / The password cannot be the username"));
    }
    Ok(())
}

async fn hash(secret: String) -> Result<String, Failure> {
    tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(Failure::internal)?
        .map_err(Failure::internal)
}

#[allow(clippy::too_many_arguments)]
/// Changes the actor's own password. Every other session of the user ends (their
/// auth hash no longer matches); the current one, when given, stays logged in.
pub async fn change_own(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    current: &str,
    new: &str,
    confirm: &str,
    keep_tokens: bool,
    session: Option<&mut crate::auth::AuthSession>,
) -> Result<(), Failure> {
    let row = users::by_id(&state.db, actor.user.id).await?.ok_or_else(Failure::not_found)?;
    let stored = row.password_hash.clone();
    let current = current.to_string();
    let ok = tokio::task::spawn_blocking(move || password::verify(&current, &stored)).await.unwrap_or(false);
    if !ok {
        return Err(Failure::invalid("Mật khẩu hiện tại không đúng / The current password is wrong"));
    }
    check_new(&row.username, new, confirm)?;
    let hashed = hash(new.to_string()).await?;
    // The API tokens go too, unless the user asks to keep them (never while the
    // password was a one-time one: any token made then was made by someone else).
    let keep_tokens = keep_tokens && !row.must_change_password;
    users::set_password_with(
        &state.db,
        row.id,
        &hashed,
        false,
        keep_tokens,
        &who(Some(actor), client),
        "user.password_change",
        state.now(),
    )
    .await?;
    if let Some(auth) = session {
        let fresh = users::by_id(&state.db, row.id).await?.and_then(crate::auth::User::from_row);
        if let Some(user) = fresh {
            auth.login(&user).await.map_err(Failure::internal)?;
        }
    }
    Ok(())
}

/// Gives a user a new one-time password (returned once, never stored in clear).
pub async fn reset(state: &AppState, actor: &Actor, client: &ClientIp, user_id: i64) -> Result<String, Failure> {
    crate::actions::users::require_existing(state, actor, client, user_id).await?;
    let secret = password::generate();
    let hashed = hash(secret.clone()).await?;
    users::set_password(
        &state.db,
        user_id,
        &hashed,
        true,
        &who(Some(actor), client),
        "user.password_reset",
        state.now(),
    )
    .await?;
    Ok(secret)
}
