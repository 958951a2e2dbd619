//! A new campaign from an earlier one: POST /api/v1/campaigns/from-previous
//! (`dry_run` only shows the review: every moved date, the proposed goals, the
//! copied allocations).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use phongtrao_storage::campaigns;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::campaign_new::{self, Overrides, RollForwardPreview};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::{ApiError, Failure};
use crate::AppState;

/// What the office asks for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FromPreviousBody {
    /// The code of the campaign to start from (the default campaign when absent)
    #[serde(default)]
    source: Option<String>,
    /// The new campaign's year: after the source's
    year: i32,
    /// The new campaign's code (the source's with the year replaced when absent)
    #[serde(default)]
    code: Option<String>,
    /// Goals chosen by the office, by indicator key, in place of the proposals
    /// (the larger of last year's goal and result)
    #[serde(default)]
    goals: BTreeMap<String, f64>,
    /// Only show the review; store nothing
    #[serde(default)]
    dry_run: bool,
}

/// The review of the new campaign (`dry_run`): nothing stored.
#[derive(Serialize, ToSchema)]
pub struct FromPreviousPreview {
    /// The new plan's text (`plan_toml`), code, year, weeks moved, every changed date
    /// (`dates`: field_vi/field_en, old, new, weekdays, rule), rewritten texts,
    /// proposed goals, weekly periods, allocations copied, `code_available`
    #[schema(value_type = Object)]
    pub preview: RollForwardPreview,
}

/// The new campaign, stored and running.
#[derive(Serialize, ToSchema)]
pub struct FromPreviousCreated {
    pub campaign_id: i64,
    pub code: String,
    pub previous_campaign_id: i64,
    /// Allocations copied
    pub allocations: usize,
    #[schema(value_type = Object)]
    pub preview: RollForwardPreview,
}

/// Makes a new campaign from an earlier one (office only): the plan is copied with
/// its dates moved to the new year, goals proposed from last year's goal and result,
/// allocations copied proportionally. `dry_run` shows the review and stores nothing.
#[utoipa::path(post, path = "/campaigns/from-previous", tag = "campaign", request_body = FromPreviousBody,
    responses(
        (status = 200, description = "dry_run: the review, nothing stored", body = FromPreviousPreview),
        (status = 201, description = "The new campaign, running", body = FromPreviousCreated),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound,
        super::doc::Conflict, super::doc::Invalid))]
pub async fn from_previous(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<FromPreviousBody>,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    // The role first: a refused caller learns nothing about the campaigns.
    crate::authz::require(&state, &actor, &client, phongtrao_domain::policy::Action::AdministerCampaign, None).await?;
    let source = match &body.source {
        Some(code) => campaigns::by_code(&state.db, code).await?.ok_or_else(|| {
            Failure::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("Không có kế hoạch mã \"{code}\"."),
                format!("There is no campaign \"{code}\"."),
            )
        })?,
        // The campaign the caller works in (their choice, else the default).
        None => crate::campaign_choice::resolve(&state.db, Some(&actor), None).await?,
    };
    let overrides = Overrides { code: body.code.clone(), goals: body.goals.clone() };
    if body.dry_run {
        let preview = campaign_new::preview(&state, &actor, &client, &source, body.year, &overrides).await?;
        return Ok((StatusCode::OK, Json(FromPreviousPreview { preview })).into_response());
    }
    let created = campaign_new::confirm(&state, &actor, &client, &source, body.year, &overrides).await?;
    Ok((
        StatusCode::CREATED,
        Json(FromPreviousCreated {
            campaign_id: created.id,
            code: created.code,
            previous_campaign_id: created.previous_campaign_id,
            allocations: created.allocations,
            preview: created.preview,
        }),
    )
        .into_response())
}
