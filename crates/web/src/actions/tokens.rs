//! API tokens for scripts: created by their owner, shown once.

use phongtrao_storage::audit;
use phongtrao_storage::tokens;

use crate::auth::client::ClientIp;
use crate::auth::current::token_digest;
use crate::auth::Actor;
use crate::authz::who;
use crate::error::Failure;
use crate::AppState;

/// Creates a token for the actor; the clear token is returned once.
pub async fn create(state: &AppState, actor: &Actor, client: &ClientIp, name: &str) -> Result<(i64, String), Failure> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Failure::invalid(
            "Tên mã truy cập cần từ 1 đến 100 ký tự / A token name needs 1 to 100 characters",
        ));
    }
    let mut bytes = [0u8; 32];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
    let token = format!("pt_{}", hex::encode(bytes));
    let now = state.now();
    let id = tokens::create(&state.db, actor.user.id, name, &token_digest(&token), now).await?;
    let entry = who(Some(actor), client)
        .entry("token.create", "api_token", Some(id.to_string()))
        .after(&serde_json::json!({"name": name}));
    audit::record(&state.db, &entry, now).await?;
    Ok((id, token))
}

pub async fn revoke(state: &AppState, actor: &Actor, client: &ClientIp, token_id: i64) -> Result<(), Failure> {
    let now = state.now();
    if !tokens::revoke(&state.db, actor.user.id, token_id, now).await? {
        return Err(Failure::not_found());
    }
    let entry = who(Some(actor), client).entry("token.revoke", "api_token", Some(token_id.to_string()));
    audit::record(&state.db, &entry, now).await?;
    Ok(())
}
