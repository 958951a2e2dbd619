//! GET /api/v1/audit/export.xlsx and /api/v1/audit/export.csv: the twins of the
//! audit page's export (/audit/export.xlsx?…): the same filters, the same rights
//! (the office reads everything, others their units' subtrees, a viewer nothing)
//! and the same file, written by the same action.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::doc::{BadRequest, Forbidden, Invalid, Unauthenticated};
use super::documents::FileBytes;
use crate::actions::audit_log::{self, AuditQuery, ExportFormat};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::i18n::Lang;
use crate::AppState;

/// The language of the file's columns and sentences.
#[derive(Debug, Clone, Copy, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportLang {
    /// Vietnamese (the default)
    #[default]
    Vi,
    /// English
    En,
}

/// The filters of the audit page, which combine.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    /// A unit's code or name (accents ignored): entries about it and the units below it
    unit: Option<String>,
    /// A user's login, or words of their name (accents and case ignored): entries by them
    user: Option<String>,
    /// An action code (`unit.update`) or a family of them (`report.`)
    action: Option<String>,
    /// The first day, Vietnam time (dd/mm/yyyy or yyyy-mm-dd; empty: none); a day that does not exist is refused (422)
    #[param(pattern = r"^\s*(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4})?\s*$")]
    from: Option<String>,
    /// The last day, included (dd/mm/yyyy or yyyy-mm-dd); before `from` is refused (422)
    #[param(pattern = r"^\s*(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4})?\s*$")]
    to: Option<String>,
    /// The language of the columns and of the sentences (Vietnamese by default)
    #[param(inline)]
    lang: Option<ExportLang>,
}

impl ExportQuery {
    fn split(self) -> (AuditQuery, Lang) {
        let lang = match self.lang.unwrap_or_default() {
            ExportLang::Vi => Lang::Vi,
            ExportLang::En => Lang::En,
        };
        let q = AuditQuery {
            unit: self.unit,
            user: self.user,
            action: self.action,
            from: self.from,
            to: self.to,
            page: None,
            limit: None,
        };
        (q, lang)
    }
}

async fn export(
    state: AppState,
    actor: MaybeActor,
    client: ClientIp,
    q: ExportQuery,
    format: ExportFormat,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    let (q, lang) = q.split();
    let (bytes, content_type, name) = audit_log::export(&state, &actor, &client, &q, lang, format).await?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

/// The filtered audit log as a workbook: one row an entry (time, by, the entry as a
/// sentence, unit, details, client address), newest first, as the audit page exports it.
/// At most 50,000 entries: more are refused (422) with the count, never cut.
#[utoipa::path(get, path = "/audit/export.xlsx", tag = "accounts", params(ExportQuery),
    responses(
        (status = 200, description = "The workbook, with Content-Disposition: attachment", content(
            (FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        BadRequest, Unauthenticated, Forbidden, Invalid))]
pub async fn xlsx(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    export(state, actor, client, q, ExportFormat::Xlsx).await
}

/// The filtered audit log as CSV (UTF-8), with the same columns as the workbook.
#[utoipa::path(get, path = "/audit/export.csv", tag = "accounts", params(ExportQuery),
    responses(
        (status = 200, description = "The table, with Content-Disposition: attachment", content(
            (String = "text/csv"))),
        BadRequest, Unauthenticated, Forbidden, Invalid))]
pub async fn csv(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    export(state, actor, client, q, ExportFormat::Csv).await
}
