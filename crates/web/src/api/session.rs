//! Logging in through the API (cookie session + CSRF token), and who am I.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use tower_sessions::Session;

use super::body::Object;
use crate::actions::login;
use crate::auth::client::ClientIp;
use crate::auth::{csrf, AuthSession, Credentials, MaybeActor};
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

#[derive(Deserialize)]
pub struct LoginBody {
    username: String,
    password: String,
}

fn user_json(user: &crate::auth::User, unit_ids: &[i64]) -> Value {
    json!({
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.as_str(),
        "must_change_password": user.must_change_password,
        "unit_ids": unit_ids,
    })
}

pub async fn create(
    State(state): State<AppState>,
    client: ClientIp,
    mut auth: AuthSession,
    Object(body): Object<LoginBody>,
) -> Result<Json<Value>, ApiError> {
    let user =
        login::login(&state, &mut auth, Credentials { username: body.username, password: body.password }, &client)
            .await?;
    let token = csrf::token(&auth.session).await;
    let units = phongtrao_storage::users::unit_ids(&state.db, user.id).await?;
    Ok(Json(json!({ "user": user_json(&user, &units), "csrf_token": token })))
}

pub async fn delete(
    State(state): State<AppState>,
    client: ClientIp,
    mut auth: AuthSession,
) -> Result<StatusCode, ApiError> {
    login::logout(&state, &mut auth, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn me(actor: MaybeActor, session: Session) -> Result<Json<Value>, ApiError> {
    let actor = logged_in(actor)?;
    let token = if actor.via_token { None } else { Some(csrf::token(&session).await) };
    Ok(Json(json!({ "user": user_json(&actor.user, &actor.unit_ids), "csrf_token": token })))
}
