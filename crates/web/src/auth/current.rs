//! Who is acting: from the session cookie, or from an API token.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use phongtrao_domain::policy;
use phongtrao_storage::{tokens, users, StorageError};
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

/// The actor as the gate (`auth::gate`) resolved it for this request, so that
/// handlers do not look it up again.
#[derive(Clone)]
pub struct Resolved(pub Option<Actor>);

impl FromRequestParts<AppState> for MaybeActor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(Resolved(actor)) = parts.extensions.get::<Resolved>() {
            return Ok(MaybeActor(actor.clone()));
        }
        // Outside the gate (it answers 503 itself when the database is down).
        Ok(MaybeActor(resolve(parts, state).await.ok().flatten()))
    }
}

/// The bearer token of the request, if it carries one.
pub fn bearer(parts: &Parts) -> Option<String> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
}

/// Who is acting: from the API token, else from the session. A failure to read the
/// database is an error (the caller answers 503), never "nobody is logged in".
pub async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Option<Actor>, StorageError> {
    let db = &state.db;
    if let Some(token) = bearer(parts) {
        // A token request never falls back to the cookie.
        // One read: the token's user and their units.
        let found = tokens::user_by_token(db, &token_digest(&token), state.now(), &state.touches).await?;
        let actor = found
            .filter(|(row, _)| row.active)
            .and_then(|(row, unit_ids)| User::from_row(row).map(|user| Actor { user, unit_ids, via_token: true }));
        return Ok(actor);
    }
    let Ok(mut auth) = AuthSession::from_request_parts(parts, state).await else {
        return Ok(None);
    };
    let Some(user) = auth.user.clone() else {
        return Ok(None);
    };
    let login_at = auth.session.get::<i64>(LOGIN_AT_KEY).await.ok().flatten().unwrap_or(0);
    if state.now().timestamp() - login_at > ABSOLUTE_HOURS * 3600 {
        let _ = auth.logout().await;
        return Ok(None);
    }
    let unit_ids = users::unit_ids(&state.db, user.id).await?;
    Ok(Some(Actor { user, unit_ids, via_token: false }))
}
