//! Who is acting: from the session cookie, or from an API token.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use phongtrao_domain::policy;
use phongtrao_storage::{tokens, users};
use sha2::{Digest, Sha256};

use super::{AuthSession, User, ABSOLUTE_HOURS};
use crate::AppState;

pub const LOGIN_AT_KEY: &str = "login_at";

/// A logged-in user with their units.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: User,
    pub unit_ids: Vec<i64>,
    /// Authenticated by an API token rather than a session.
    pub via_token: bool,
}

impl Actor {
    pub fn policy(&self) -> policy::Actor {
        policy::Actor {
            user_id: self.user.id,
            username: self.user.username.clone(),
            role: self.user.role,
            unit_ids: self.unit_ids.clone(),
        }
    }
}

/// The actor, if anyone is logged in.
pub struct MaybeActor(pub Option<Actor>);

/// SHA-256 of an API token, as stored.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let db = &state.db;
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(|t| t.trim().to_string());
        if let Some(token) = bearer {
            // A token request never falls back to the cookie.
            // One read: the token's user and their units.
            let found =
                tokens::user_by_token(db, &token_digest(&token), state.now(), &state.touches).await.ok().flatten();
            let actor = found
                .filter(|(row, _)| row.active)
                .and_then(|(row, unit_ids)| User::from_row(row).map(|user| Actor { user, unit_ids, via_token: true }));
            return Ok(MaybeActor(actor));
        }
        let Ok(mut auth) = AuthSession::from_request_parts(parts, state).await else {
            return Ok(MaybeActor(None));
        };
        let Some(user) = auth.user.clone() else {
            return Ok(MaybeActor(None));
        };
        let login_at = auth.session.get::<i64>(LOGIN_AT_KEY).await.ok().flatten().unwrap_or(0);
        if state.now().timestamp() - login_at > ABSOLUTE_HOURS * 3600 {
            let _ = auth.logout().await;
            return Ok(MaybeActor(None));
        }
        Ok(MaybeActor(actor(state, user, false).await))
    }
}

async fn actor(state: &AppState, user: User, via_token: bool) -> Option<Actor> {
    let unit_ids = users::unit_ids(&state.db, user.id).await.ok()?;
    Some(Actor { user, unit_ids, via_token })
}
