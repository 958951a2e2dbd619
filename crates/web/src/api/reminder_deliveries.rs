//! GET /api/v1/reminders/deliveries: the twin of /admin/reminders (reminders sent by e-mail and webhook).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::actions::reminders;
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

/// The most reminders one request lists.
pub const MAX_LIMIT: i64 = 5000;

#[derive(Deserialize)]
pub struct ListQuery {
    limit: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ListQuery>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = logged_in(actor)?;
    let limit = super::limit_in_range(q.limit, MAX_LIMIT)?;
    let rows = reminders::list(&state, &actor, &client, limit).await?;
    Ok((StatusCode::OK, Json(json!({ "reminders": rows }))))
}
