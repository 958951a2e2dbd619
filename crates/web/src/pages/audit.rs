//! The audit log page: filters by unit, user, action and dates that combine, paging
//! that keeps them, every entry a sentence with names and codes; the filtered rows
//! exported as .xlsx or .csv. Times in Vietnam time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::actions::audit_log::{self, parse_day, AuditLine, AuditQuery, ExportFormat, ACTIONS};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

/// One choice of the action filter: its code (the value) and its words.
pub struct ActionChoice {
    /// The code with '-' for '.' ("report-submit"): no action code shows, even in the source.
    pub code: String,
    pub words: &'static str,
    pub selected: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub unit: String,
    pub user: String,
    pub actions: Vec<ActionChoice>,
    /// The dates as a date input takes them (yyyy-mm-dd), empty when not set.
    pub from: String,
    pub to: String,
    /// The filters in words ("từ 01/03/2023 đến 10/03/2023"), empty when none.
    pub summary: String,
    pub lines: Vec<AuditLine>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    /// The filters as a query string (no page), for paging and export links.
    pub query: String,
}

impl AuditPage {
    pub fn page_href(&self, page: i64) -> String {
        if self.query.is_empty() {
            format!("/audit?page={page}")
        } else {
            format!("/audit?{}&page={page}", self.query)
        }
    }

    pub fn export_href(&self, ext: &str) -> String {
        if self.query.is_empty() {
            format!("/audit/export.{ext}")
        } else {
            format!("/audit/export.{ext}?{}", self.query)
        }
    }
}

fn iso(text: &Option<String>) -> String {
    text.as_deref().and_then(parse_day).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AuditQuery>,
) -> Result<AuditPage, AppError> {
    let actor = page.require_actor()?.clone();
    let lang = page.lang;
    let data = audit_log::page(&state, &actor, &page.client, &q, lang).await.map_err(|f| page.fail(f))?;
    let wanted = q.action.as_deref().map(str::trim).unwrap_or_default().replace('-', ".");
    let actions = ACTIONS
        .iter()
        .map(|(code, vi, en)| ActionChoice {
            code: code.replace('.', "-"),
            words: if lang == Lang::Vi { vi } else { en },
            selected: *code == wanted,
        })
        .collect();
    let day = |t: &Option<String>| t.as_deref().and_then(parse_day).map(|d| d.format("%d/%m/%Y").to_string());
    let summary = match (day(&q.from), day(&q.to), lang) {
        (Some(f), Some(t), Lang::Vi) => format!("từ {f} đến {t}"),
        (Some(f), Some(t), Lang::En) => format!("from {f} to {t}"),
        (Some(f), None, Lang::Vi) => format!("từ {f}"),
        (Some(f), None, Lang::En) => format!("from {f}"),
        (None, Some(t), Lang::Vi) => format!("đến hết {t}"),
        (None, Some(t), Lang::En) => format!("up to {t}"),
        (None, None, _) => String::new(),
    };
    Ok(AuditPage {
        chrome: page.chrome(lang.t("audit.title"), "audit"),
        unit: q.unit.clone().unwrap_or_default(),
        user: q.user.clone().unwrap_or_default(),
        actions,
        from: iso(&q.from),
        to: iso(&q.to),
        summary,
        lines: data.lines,
        total: data.total,
        page: data.page,
        pages: data.pages,
        query: q.filter_query(),
    })
}

/// GET /audit/export.xlsx and /audit/export.csv: the filtered entries as a file.
pub async fn export(
    State(state): State<AppState>,
    page: Page,
    Path(file): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let format = match file.as_str() {
        "export.xlsx" => ExportFormat::Xlsx,
        "export.csv" => ExportFormat::Csv,
        _ => return Err(AppError::not_found(page.lang)),
    };
    let (bytes, content_type, name) =
        audit_log::export(&state, &actor, &page.client, &q, page.lang, format).await.map_err(|f| page.fail(f))?;
    let disposition = format!("attachment; filename=\"{name}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}
