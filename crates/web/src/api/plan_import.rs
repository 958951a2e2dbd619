//! The API of plan import: upload a document, get the draft; confirm it.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::plan_import::{self, check_toml, Checked, Review};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

/// A plan read from a document: the draft to review before it runs.
#[derive(Serialize, ToSchema)]
pub struct PlanDraft {
    pub id: i64,
    /// The draft plan file checked
    pub checked: Checked,
    /// Every value read beside the sentence it came from, the plan file, its problems
    #[schema(value_type = Object)]
    pub review: Review,
}

/// The plan confirmed: the new campaign runs.
#[derive(Serialize, ToSchema)]
pub struct PlanRunning {
    pub campaign_id: i64,
    pub running: bool,
}

/// Reads a plan from a document (multipart field `file`: .docx, .txt or .md).
#[utoipa::path(post, path = "/plan/import", tag = "campaign",
    request_body(content = inline(super::admin::Upload), content_type = "multipart/form-data"),
    responses((status = 201, description = "The draft", body = PlanDraft),
        super::doc::BadRequest, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::TooLarge, super::doc::Invalid))]
pub async fn upload(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    multipart: Multipart,
) -> Result<(StatusCode, Json<PlanDraft>), ApiError> {
    let actor = logged_in(actor)?;
    crate::authz::require(&state, &actor, &client, phongtrao_domain::policy::Action::AdministerCampaign, None).await?;
    let (name, bytes) = crate::pages::admin_units::uploaded_file(multipart).await?;
    let (id, review) = plan_import::upload(&state, &actor, &client, &name, &bytes).await?;
    let checked = check_toml(&review.toml);
    Ok((StatusCode::CREATED, Json(PlanDraft { id, checked, review })))
}

/// The confirmation of a plan's draft.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmBody {
    /// The plan file as edited (the draft's own when absent)
    toml: Option<String>,
}

/// Confirms a plan's draft: the new campaign runs.
#[utoipa::path(post, path = "/plan/import/{id}/confirm", tag = "campaign",
    params(("id" = i64, Path, description = "The draft's id")), request_body = ConfirmBody,
    responses((status = 200, description = "Running", body = PlanRunning),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn confirm(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
    Object(body): Object<ConfirmBody>,
) -> Result<Json<PlanRunning>, ApiError> {
    let actor = logged_in(actor)?;
    let toml = match body.toml {
        Some(t) => t,
        None => plan_import::load(&state, &actor, &client, id).await?.toml,
    };
    let campaign_id = plan_import::confirm(&state, &actor, &client, id, &toml).await?;
    Ok(Json(PlanRunning { campaign_id, running: true }))
}
