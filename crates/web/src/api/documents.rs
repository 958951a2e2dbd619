//! GET /api/v1/exports/{file}: the documents as files (the same as the Documents
//! page); GET/PUT /api/v1/document-texts/{doc}: the texts the office writes itself.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;

use super::body::Object;
use crate::actions::documents::{self as action, Export, ExportQuery};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::documents::{DocumentTexts, ReportDoc};
use crate::error::ApiError;
use crate::AppState;

pub async fn export(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(file): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    let what = Export::parse(&file).ok_or_else(|| ApiError::not_found("tài liệu / document"))?;
    let f = action::export(&state, &actor, &client, what, &q).await?;
    Ok(crate::pages::documents::file_response(f))
}

fn doc_of(name: &str) -> Result<ReportDoc, ApiError> {
    ReportDoc::parse(name).ok_or_else(|| ApiError::not_found("tài liệu / document"))
}

/// `?period_end=YYYY-MM-DD`: the week of a weekly report's texts.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeekQuery {
    period_end: Option<chrono::NaiveDate>,
}

pub async fn texts(
    State(state): State<AppState>,
    actor: MaybeActor,
    Path(doc): Path<String>,
    Query(q): Query<WeekQuery>,
) -> Result<Json<DocumentTexts>, ApiError> {
    logged_in(actor)?;
    Ok(Json(action::texts(&state, doc_of(&doc)?, q.period_end).await?))
}

pub async fn save_texts(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(doc): Path<String>,
    Query(q): Query<WeekQuery>,
    Object(input): Object<DocumentTexts>,
) -> Result<Json<DocumentTexts>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(action::save_texts(&state, &actor, &client, doc_of(&doc)?, q.period_end, input).await?))
}
