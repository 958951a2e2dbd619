//! API tokens for scripts: created by their owner, shown once, expiring after the
//! server's token lifetime; revoked by their owner or by an admin.

use phongtrao_domain::policy::Action;
use phongtrao_storage::audit;
use phongtrao_storage::tokens::{self, OwnedToken};

use crate::auth::client::ClientIp;
use crate::auth::current::token_digest;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::AppState;

/// Creates a token for the actor; the clear token is returned once.
pub async fn create(state: &AppState, actor: &Actor, client: &ClientIp, name: &str) -> Result<(i64, String), Failure> {
    if actor.user.must_change_password {
        return Err(crate::auth::gate::password_change_required());
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Failure::invalid(
            "Tên mã truy cập cần từ 1 đến 100 ký tự / A token name needs 1 to 100 characters",
        ));
    }
    phongtrao_domain::text::check_display(name)
        .map_err(|e| Failure::invalid(format!("Tên mã truy cập: {e} / Token name: {e}")))?;
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
    let token = format!("pt_{}", hex::encode(bytes));
    let now = state.now();
    let expires_at = now + chrono::Duration::days(state.security.token_days);
    let id = tokens::create_until(&state.db, actor.user.id, name, &token_digest(&token), now, expires_at).await?;
    let entry = who(Some(actor), client)
        .entry("token.create", "api_token", Some(id.to_string()))
        .after(&serde_json::json!({"name": name, "expires_at": expires_at}));
    audit::record(&state.db, &entry, now).await?;
    Ok((id, token))
}

/// Revokes one of the actor's own tokens; an admin may revoke anyone's.
pub async fn revoke(state: &AppState, actor: &Actor, client: &ClientIp, token_id: i64) -> Result<(), Failure> {
    let now = state.now();
    if tokens::revoke(&state.db, actor.user.id, token_id, now).await? {
        let entry = who(Some(actor), client).entry("token.revoke", "api_token", Some(token_id.to_string()));
        audit::record(&state.db, &entry, now).await?;
        return Ok(());
    }
    if actor.user.role == phongtrao_domain::role::Role::Admin {
        return revoke_any(state, actor, client, token_id).await;
    }
    Err(Failure::not_found())
}

/// An admin revokes any user's token.
pub async fn revoke_any(state: &AppState, actor: &Actor, client: &ClientIp, token_id: i64) -> Result<(), Failure> {
    require(state, actor, client, Action::AdministerUsers, None).await?;
    let now = state.now();
    let Some(owner) = tokens::revoke_any(&state.db, token_id, now).await? else {
        return Err(Failure::not_found());
    };
    let entry = who(Some(actor), client)
        .entry("token.revoke", "api_token", Some(token_id.to_string()))
        .after(&serde_json::json!({"owner_user_id": owner, "by_admin": true}));
    audit::record(&state.db, &entry, now).await?;
    Ok(())
}

/// Every user's tokens (or one user's), for an admin.
pub async fn list_all(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    user_id: Option<i64>,
) -> Result<Vec<OwnedToken>, Failure> {
    require(state, actor, client, Action::AdministerUsers, None).await?;
    Ok(tokens::list_all(&state.db, user_id).await?)
}
