//! The API of the plan editor: a draft (imported, new, or an amendment) as the
//! editor's model — every field a text as typed — with the checks on each field.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use phongtrao_domain::plan::edit::{Checked, PlanEdit};
use serde::Serialize;
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::plan_edit;
use crate::actions::plan_import::{self, Review};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::campaign_choice::InCampaign;
use crate::error::ApiError;
use crate::AppState;

/// One note of the checks.
#[derive(Serialize, ToSchema)]
pub struct EditNote {
    /// The field's path ("targets[2].indicators[0].goal"); absent for the whole plan
    pub path: Option<String>,
    /// The field in words ("Chỉ tiêu 4 · chỉ số 4a · mục tiêu")
    pub field_vi: Option<String>,
    pub field_en: Option<String>,
    /// An error refuses the plan; otherwise a note to look at
    pub error: bool,
    pub vi: String,
    pub en: String,
}

/// A value read from the document that the reviewer should check.
#[derive(Serialize, ToSchema)]
pub struct ToCheck {
    pub path: String,
    pub field_vi: String,
    pub confidence: String,
    pub sentence: String,
    pub line: usize,
}

/// A draft in the editor.
#[derive(Serialize, ToSchema)]
pub struct EditorDraft {
    pub id: i64,
    /// "import", "new" or "amend"
    pub mode: String,
    /// The campaign an amendment changes
    pub campaign: Option<String>,
    /// The plan as typed (every field a text; lists as lists)
    #[schema(value_type = Object)]
    pub edit: PlanEdit,
    pub valid: bool,
    pub notes: Vec<EditNote>,
    /// Values read with low or medium confidence, low first
    pub to_check: Vec<ToCheck>,
}

fn view(id: i64, review: Review, checked: &Checked) -> EditorDraft {
    let edit = review.edit.clone().unwrap_or_default();
    let notes = checked
        .notes
        .iter()
        .map(|n| EditNote {
            path: n.path.clone(),
            field_vi: n.path.as_deref().map(|p| edit.describe(p, false)),
            field_en: n.path.as_deref().map(|p| edit.describe(p, true)),
            error: n.error,
            vi: n.vi.clone(),
            en: n.en.clone(),
        })
        .collect();
    let to_check = edit
        .sourced_fields()
        .into_iter()
        .filter(|(_, s)| s.confidence != "high")
        .map(|(path, s)| ToCheck {
            field_vi: edit.describe(&path, false),
            path,
            confidence: s.confidence.clone(),
            sentence: s.sentence.clone(),
            line: s.line,
        })
        .collect();
    EditorDraft {
        id,
        mode: review.mode.clone(),
        campaign: review.campaign_code.clone(),
        valid: checked.is_valid(),
        notes,
        to_check,
        edit,
    }
}

/// Starts a new plan in the editor (its header taken from the chosen campaign's plan).
#[utoipa::path(post, path = "/plan/drafts", tag = "campaign", params(crate::campaign_choice::CampaignQuery),
    responses((status = 201, description = "The new draft", body = EditorDraft),
        super::doc::Unauthenticated, super::doc::Forbidden))]
pub async fn start(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    InCampaign(ref campaign): InCampaign,
) -> Result<(StatusCode, Json<EditorDraft>), ApiError> {
    let actor = logged_in(actor)?;
    let id = plan_edit::start_new(&state, &actor, &client, Some(campaign)).await?;
    let review = plan_import::load(&state, &actor, &client, id).await?;
    let checked = review.edit()?.check();
    Ok((StatusCode::CREATED, Json(view(id, review, &checked))))
}

/// A draft in the editor with its checks.
#[utoipa::path(get, path = "/plan/drafts/{id}", tag = "campaign",
    params(("id" = i64, Path, description = "The draft's id")),
    responses((status = 200, description = "The draft", body = EditorDraft),
        super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn show(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> Result<Json<EditorDraft>, ApiError> {
    let actor = logged_in(actor)?;
    let mut review = plan_import::load(&state, &actor, &client, id).await?;
    let edit = review.edit()?;
    let checked = edit.check();
    review.edit = Some(edit);
    Ok(Json(view(id, review, &checked)))
}

/// Saves the draft as edited (the editor's model) and checks it.
#[utoipa::path(put, path = "/plan/drafts/{id}", tag = "campaign",
    params(("id" = i64, Path, description = "The draft's id")), request_body(content = Object, description = "The plan as typed (the `edit` of a draft)"),
    responses((status = 200, description = "Saved, with its checks", body = EditorDraft),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn save(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
    Object(edit): Object<PlanEdit>,
) -> Result<Json<EditorDraft>, ApiError> {
    let actor = logged_in(actor)?;
    let (review, checked) = plan_edit::save_model(&state, &actor, &client, id, edit).await?;
    Ok(Json(view(id, review, &checked)))
}

/// The campaign started from a confirmed draft.
#[derive(Serialize, ToSchema)]
pub struct Started {
    pub campaign_id: i64,
    pub code: String,
}

/// Confirms an imported or new draft: it becomes a running campaign (refused while
/// any field is missing, a placeholder or wrong).
#[utoipa::path(post, path = "/plan/drafts/{id}/confirm", tag = "campaign",
    params(("id" = i64, Path, description = "The draft's id")),
    responses((status = 201, description = "Running", body = Started),
        super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound, super::doc::Invalid))]
pub async fn confirm(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<Started>), ApiError> {
    let actor = logged_in(actor)?;
    let campaign = plan_edit::confirm(&state, &actor, &client, id).await?;
    Ok((StatusCode::CREATED, Json(Started { campaign_id: campaign.row.id, code: campaign.row.code })))
}
