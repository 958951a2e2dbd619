//! The API of plan import: upload a document, get the draft; confirm it.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::Object;
use crate::actions::plan_import::{self, check_toml};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

pub async fn upload(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = logged_in(actor)?;
    crate::authz::require(&state, &actor, &client, phongtrao_domain::policy::Action::AdministerCampaign, None).await?;
    let (name, bytes) = crate::pages::admin_units::uploaded_file(multipart).await?;
    let (id, review) = plan_import::upload(&state, &actor, &client, &name, &bytes).await?;
    let checked = check_toml(&review.toml);
    Ok((StatusCode::CREATED, Json(json!({"id": id, "checked": checked, "review": review}))))
}

#[derive(Deserialize)]
pub struct ConfirmBody {
    toml: Option<String>,
}

pub async fn confirm(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
    Object(body): Object<ConfirmBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = logged_in(actor)?;
    let toml = match body.toml {
        Some(t) => t,
        None => plan_import::load(&state, &actor, &client, id).await?.toml,
    };
    let campaign_id = plan_import::confirm(&state, &actor, &client, id, &toml).await?;
    Ok(Json(json!({"campaign_id": campaign_id, "running": true})))
}
