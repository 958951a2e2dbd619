//! Amending a running plan (issue #20): the versions of a campaign's plan with
//! their changes, and a new version with its reason — previewed first (`dry_run`),
//! then applied.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::plan_amend::{self, AmendInput, Applied, Preview, VersionView};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::campaign_choice;
use crate::error::ApiError;
use crate::AppState;

/// The versions of a campaign's plan.
#[derive(Serialize, ToSchema)]
pub struct VersionList {
    /// The version in force
    pub current: i64,
    /// Oldest first; version 1 is the plan the campaign started with
    pub versions: Vec<VersionView>,
}

/// Every version of the campaign's plan with its reason, amending document and
/// changes (the plan is public to every logged-in user of the campaign).
#[utoipa::path(get, path = "/campaigns/{code}/plan/versions", tag = "campaign",
    params(("code" = String, Path, description = "The campaign's code")),
    responses((status = 200, description = "The versions", body = VersionList), super::doc::Unauthenticated, super::doc::NotFound))]
pub async fn list(
    State(state): State<AppState>,
    actor: MaybeActor,
    Path(code): Path<String>,
) -> Result<Json<VersionList>, ApiError> {
    let actor = logged_in(actor)?;
    let c = campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await?;
    let versions = plan_amend::versions(&state, &c).await?;
    let current = versions.last().map_or(1, |v| v.version);
    Ok(Json(VersionList { current, versions }))
}

/// One version of the campaign's plan with its plan file and its changes.
#[utoipa::path(get, path = "/campaigns/{code}/plan/versions/{version}", tag = "campaign",
    params(("code" = String, Path, description = "The campaign's code"), ("version" = i64, Path, description = "The version (1: the plan the campaign started with)")),
    responses((status = 200, description = "The version", body = VersionView), super::doc::Unauthenticated, super::doc::NotFound))]
pub async fn show(
    State(state): State<AppState>,
    actor: MaybeActor,
    Path((code, version)): Path<(String, i64)>,
) -> Result<Json<VersionView>, ApiError> {
    let actor = logged_in(actor)?;
    let c = campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await?;
    match plan_amend::version(&state, &c, version).await? {
        Some(v) => Ok(Json(v)),
        None => Err(ApiError::not_found("phiên bản kế hoạch / plan version")),
    }
}

/// A new version of the plan.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AmendmentBody {
    /// The whole amended plan file (TOML)
    pub plan_toml: String,
    /// Why the plan changes (required to apply)
    #[serde(default)]
    pub reason: String,
    /// The amending document's number ("12-KH/TĐTN-BPT")
    #[serde(default)]
    pub document_number: Option<String>,
    /// The amending document's date (YYYY-MM-DD)
    #[serde(default)]
    pub document_date: Option<NaiveDate>,
    /// The version the amendment was prepared against (refused with 409 when another
    /// amendment was applied since); the version in force when absent
    #[serde(default)]
    pub base_version: Option<i64>,
    /// true: only say what would change and whether it may apply; nothing is stored
    #[serde(default)]
    pub dry_run: bool,
}

/// The office amends the running plan: with `dry_run`, what would change and why it
/// could not apply (nothing stored); otherwise the new version applies — goals,
/// indicators (one with figures is retired, never deleted), weeks, events — the
/// progress is re-evaluated and the audit log has `plan.amend`. Refused: no reason
/// or a plan with errors or no change (422), a change that would lose reported
/// figures or weeks, or an archived campaign (409).
#[utoipa::path(post, path = "/campaigns/{code}/plan/amendments", tag = "campaign", request_body = AmendmentBody,
    params(("code" = String, Path, description = "The campaign's code")),
    responses((status = 200, description = "The preview (dry_run)", body = Preview),
        (status = 201, description = "Applied: the new version", body = Applied),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound,
        super::doc::Conflict, super::doc::Invalid))]
pub async fn amend(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(body): Object<AmendmentBody>,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    let c = campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await?;
    if body.dry_run {
        let preview = plan_amend::preview(&state, &actor, &client, &c, &body.plan_toml).await?;
        return Ok(Json(preview).into_response());
    }
    let input = AmendInput {
        new_toml: body.plan_toml,
        reason: body.reason,
        document_number: body.document_number,
        document_date: body.document_date,
        base_version: body.base_version,
    };
    let applied = plan_amend::apply(&state, &actor, &client, &c, &input).await?;
    Ok((StatusCode::CREATED, Json(applied)).into_response())
}
