//! GET /api/v1/exports/{file}: the documents as files (the same as the Documents
//! page); GET/PUT /api/v1/document-texts/{doc}: the texts the office writes itself.

use crate::campaign_choice::InCampaign;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::Json;

use utoipa::ToSchema;

use super::body::Object;
use crate::actions::documents::{self as action, Export, ExportQuery};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::documents::{DocumentTexts, ReportDoc};
use crate::error::ApiError;
use crate::AppState;

/// An export: a document or a table.
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum ExportFile {
    #[schema(rename = "final-report.docx")]
    FinalReportDocx,
    #[schema(rename = "final-report")]
    FinalReport,
    #[schema(rename = "weekly-report.docx")]
    WeeklyReportDocx,
    #[schema(rename = "weekly-report")]
    WeeklyReport,
    #[schema(rename = "workbook.xlsx")]
    WorkbookXlsx,
    #[schema(rename = "workbook")]
    Workbook,
    #[schema(rename = "plan.docx")]
    PlanDocx,
    #[schema(rename = "plan")]
    Plan,
    #[schema(rename = "targets.csv")]
    Targets,
    #[schema(rename = "units.csv")]
    Units,
    #[schema(rename = "timeliness.csv")]
    Timeliness,
    #[schema(rename = "activities.csv")]
    Activities,
    #[schema(rename = "notes.csv")]
    Notes,
}

/// The file itself.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)]
pub struct FileBytes(Vec<u8>);

/// A document (.docx), the workbook (.xlsx) or a table (.csv), as the Documents page gives it.
#[utoipa::path(get, path = "/exports/{file}", tag = "documents",
    params(crate::campaign_choice::CampaignQuery,
        ("file" = inline(ExportFile), Path),
        ("unit" = Option<String>, Query, description = "A unit code: its subtree (the province by default)"),
        ("period_end" = Option<chrono::NaiveDate>, Query,
            description = "The weekly report's period (its last day; the weekly report needs it); for the other exports, the figures up to that period's end"),
        ("at" = Option<chrono::NaiveDate>, Query, description = "Cumulative figures up to this day"),
    ),
    responses(
        (status = 200, description = "The file, with Content-Disposition: attachment", content(
            (FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"))),
        super::doc::BadRequest, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound, super::doc::Invalid))]
pub async fn export(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(file): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    let what = Export::parse(&file).ok_or_else(|| ApiError::not_found("tài liệu / document"))?;
    let f = action::export(&state, campaign, &actor, &client, what, &q).await?;
    Ok(crate::pages::documents::file_response(f))
}

fn doc_of(name: &str) -> Result<ReportDoc, ApiError> {
    ReportDoc::parse(name).ok_or_else(|| ApiError::not_found("tài liệu / document"))
}

/// `?period_end=YYYY-MM-DD`: the week of a weekly report's texts.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WeekQuery {
    /// The campaign's code (see `GET /campaigns`); without it the caller's chosen campaign
    #[allow(dead_code)]
    campaign: Option<String>,
    /// weekly_report: the week whose texts these are (its last day). GET defaults to
    /// the last week that has ended; PUT needs it. A week without texts of its own
    /// starts from the nearest earlier week's, its week number updated, without that
    /// document's number and date
    period_end: Option<chrono::NaiveDate>,
}

/// A document whose texts the office writes.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum TextsDoc {
    FinalReport,
    WeeklyReport,
}

/// The texts the office writes itself for a document (an empty one takes its default).
#[utoipa::path(get, path = "/document-texts/{doc}", tag = "documents",
    params(("doc" = inline(TextsDoc), Path), WeekQuery),
    responses((status = 200, description = "Texts", body = DocumentTexts),
        super::doc::BadRequest, super::doc::Unauthenticated, super::doc::NotFound, super::doc::Invalid))]
pub async fn texts(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    Path(doc): Path<String>,
    Query(q): Query<WeekQuery>,
) -> Result<Json<DocumentTexts>, ApiError> {
    logged_in(actor)?;
    Ok(Json(action::texts(&state, campaign, doc_of(&doc)?, q.period_end).await?))
}

/// The texts the office writes (`DocumentTexts` as a body): every field may be left
/// out; an empty one takes its default from the plan or the data.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DocumentTextsInput {
    /// "BCH ĐOÀN TỈNH KIÊN GIANG"
    #[serde(default)]
    #[schema(max_length = 200)]
    issuing_body: String,
    /// "45-BC/TĐTN-BPT" (shown after "Số: ")
    #[serde(default)]
    #[schema(max_length = 200)]
    number: String,
    /// The date of the place-and-date line, YYYY-MM-DD; empty: the figures' date
    #[serde(default)]
    #[schema(max_length = 200)]
    issued_on: String,
    /// "TM. BAN THƯỜNG VỤ TỈNH ĐOÀN"
    #[serde(default)]
    #[schema(max_length = 200)]
    on_behalf_of: String,
    /// "PHÓ BÍ THƯ"
    #[serde(default)]
    #[schema(max_length = 200)]
    signer_title: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    signer_name: String,
    /// The opening paragraph
    #[serde(default)]
    #[schema(max_length = 5000)]
    opening: String,
    /// Conclusions (final report) or next week's focus (weekly report)
    #[serde(default)]
    #[schema(max_length = 5000)]
    conclusions: String,
    /// Nơi nhận, one per line
    #[serde(default)]
    #[schema(max_length = 5000)]
    recipients: String,
}

/// The office saves a document's texts (a weekly report's: of its week).
#[utoipa::path(put, path = "/document-texts/{doc}", tag = "documents",
    params(("doc" = inline(TextsDoc), Path), WeekQuery), request_body = DocumentTextsInput,
    responses((status = 200, description = "Stored texts", body = DocumentTexts),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn save_texts(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(doc): Path<String>,
    Query(q): Query<WeekQuery>,
    Object(input): Object<DocumentTexts>,
) -> Result<Json<DocumentTexts>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(action::save_texts(&state, campaign, &actor, &client, doc_of(&doc)?, q.period_end, input).await?))
}
