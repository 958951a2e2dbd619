//! Logging in through the API (cookie session + CSRF token), and who am I.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::login;
use crate::auth::client::ClientIp;
use crate::auth::{csrf, AuthSession, Credentials, MaybeActor};
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// Trimmed
    #[schema(pattern = r"[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")]
    username: String,
    #[schema(min_length = 1, max_length = 256)]
    password: String,
}

/// The logged-in user.
#[derive(Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = super::doc::RoleName)]
    pub role: &'static str,
    pub must_change_password: bool,
    pub unit_ids: Vec<i64>,
}

fn user_json(user: &crate::auth::User, unit_ids: &[i64]) -> User {
    User {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role.as_str(),
        must_change_password: user.must_change_password,
        unit_ids: unit_ids.to_vec(),
    }
}

/// Logged in: the user and the CSRF token that writes from this session send.
#[derive(Serialize, ToSchema)]
pub struct LoggedIn {
    pub user: User,
    pub csrf_token: String,
}

/// Who is logged in; the CSRF token of a cookie session (null with a token).
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub user: User,
    pub csrf_token: Option<String>,
}

/// Logs in (a cookie session); too many failed attempts are held off (429).
#[utoipa::path(post, path = "/session", tag = "session", security(()), request_body = LoginBody,
    responses((status = 200, description = "Logged in", body = LoggedIn), super::doc::JsonBody,
        super::doc::Unauthenticated, super::doc::TooManyRequests))]
pub async fn create(
    State(state): State<AppState>,
    client: ClientIp,
    mut auth: AuthSession,
    Object(body): Object<LoginBody>,
) -> Result<Json<LoggedIn>, ApiError> {
    let user =
        login::login(&state, &mut auth, Credentials { username: body.username, password: body.password }, &client)
            .await?;
    let token = csrf::token(&auth.session).await;
    let units = phongtrao_storage::users::unit_ids(&state.db, user.id).await?;
    Ok(Json(LoggedIn { user: user_json(&user, &units), csrf_token: token }))
}

/// Logs out.
#[utoipa::path(delete, path = "/session", tag = "session", security(()),
    responses((status = 204, description = "Logged out (also when there was no session: logging out is idempotent)")))]
pub async fn delete(
    State(state): State<AppState>,
    client: ClientIp,
    mut auth: AuthSession,
) -> Result<StatusCode, ApiError> {
    login::logout(&state, &mut auth, &client).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is logged in.
#[utoipa::path(get, path = "/me", tag = "session",
    responses((status = 200, description = "The user", body = Me), super::doc::Unauthenticated))]
pub async fn me(actor: MaybeActor, session: Session) -> Result<Json<Me>, ApiError> {
    let actor = logged_in(actor)?;
    let token = if actor.via_token { None } else { Some(csrf::token(&session).await) };
    Ok(Json(Me { user: user_json(&actor.user, &actor.unit_ids), csrf_token: token }))
}
