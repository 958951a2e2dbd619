//! Tài liệu / Documents: one click for the final report, the weekly report of any
//! period, the workbook, CSV tables and the plan; the office edits its own texts
//! (number, signer, opening, conclusions) here before exporting.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::format;
use phongtrao_domain::role::Role;
use phongtrao_storage::units;

use crate::actions::documents::{self as action, Export, ExportQuery};
use crate::documents::{DocumentTexts, ReportDoc};
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

/// One report's texts on the form: what is stored, and the defaults shown as placeholders.
pub struct TextsForm {
    pub doc: &'static str,
    pub heading: String,
    pub texts: DocumentTexts,
    pub defaults: DocumentTexts,
    /// The weekly report's week whose texts these are (its last day); empty: the final report.
    pub week: String,
    /// That week as the week chooser names it.
    pub week_label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "documents.html")]
pub struct DocumentsPage {
    pub chrome: Chrome,
    /// (code, name) of the province and its children.
    pub units: Vec<(String, String)>,
    pub unit: String,
    /// (YYYY-MM-DD, "Tuần 1: 25/02 – 03/03/2023")
    pub periods: Vec<(String, String)>,
    pub last_period: String,
    pub tables: Vec<(&'static str, String)>,
    pub is_admin: bool,
    pub forms: Vec<TextsForm>,
    /// The document whose texts were just saved (its form opens with "Đã lưu").
    pub saved: String,
}

#[derive(serde::Deserialize, Default)]
pub struct ShowQuery {
    saved: Option<String>,
    /// The week whose weekly-report texts the form shows (its last day).
    texts_week: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ShowQuery>,
) -> Result<DocumentsPage, AppError> {
    let actor = page.require_actor()?.clone();
    let lang = page.lang;
    let internal = |e: phongtrao_storage::StorageError| AppError::internal(lang, e);
    let campaign = page.campaign()?;
    let all = units::list(&state.db).await.map_err(internal)?;
    let root = all.iter().find(|u| u.parent_id.is_none());
    let mut choices: Vec<(String, String)> = Vec::new();
    let office = matches!(actor.user.role, Role::Admin | Role::Steering);
    if !office {
        // A unit's reporter or viewer gets its own units' documents, never others'.
        choices.extend(all.iter().filter(|u| actor.unit_ids.contains(&u.id)).map(|u| (u.code.clone(), u.name.clone())));
    } else if let Some(r) = root {
        choices.push((r.code.clone(), r.name.clone()));
        choices.extend(
            all.iter().filter(|u| u.parent_id == Some(r.id) && u.active).map(|u| (u.code.clone(), u.name.clone())),
        );
    }
    // A unit's reporter starts from its own unit; the office and steering from the province.
    let unit = match actor.user.role {
        Role::Admin | Role::Steering => root.map(|r| r.code.clone()),
        _ => all.iter().find(|u| actor.unit_ids.contains(&u.id)).map(|u| u.code.clone()),
    }
    .unwrap_or_default();
    if !choices.iter().any(|(c, _)| *c == unit) {
        if let Some(u) = all.iter().find(|u| u.code == unit) {
            choices.insert(0, (u.code.clone(), u.name.clone()));
        }
    }
    let periods: Vec<(String, String)> = campaign
        .plan
        .periods()
        .iter()
        .map(|p| {
            (
                p.end.format("%Y-%m-%d").to_string(),
                format!("{} {}: {} – {}", lang.t("doc_week"), p.seq, p.start.format("%d/%m"), format::date(p.end)),
            )
        })
        .collect();
    let today = state.now().with_timezone(&campaign.plan.campaign.timezone).date_naive();
    let last_period = campaign
        .plan
        .periods()
        .iter()
        .rfind(|p| p.end <= today)
        .or(campaign.plan.periods().first())
        .map(|p| p.end.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let is_admin = actor.user.role == Role::Admin;
    let mut forms = Vec::new();
    if is_admin {
        let c = &campaign.plan.campaign;
        for (doc, key) in [(ReportDoc::Final, "doc_final"), (ReportDoc::Weekly, "doc_weekly")] {
            let week = match doc {
                ReportDoc::Weekly => {
                    q.texts_week.clone().filter(|w| !w.is_empty()).unwrap_or_else(|| last_period.clone())
                }
                ReportDoc::Final => String::new(),
            };
            let period_end = chrono::NaiveDate::parse_from_str(&week, "%Y-%m-%d").ok();
            let texts = action::texts(&state, campaign, doc, period_end).await.map_err(|f| page.fail(f))?;
            let defaults = DocumentTexts {
                issuing_body: c.superior_body.clone().unwrap_or_else(|| c.issuing_body.to_uppercase()),
                number: "....-BC/TĐTN".into(),
                issued_on: String::new(),
                on_behalf_of: c.signatory.on_behalf_of.clone(),
                signer_title: c.signatory.title.clone(),
                signer_name: c.signatory.name.clone(),
                opening: lang.t("doc_opening_default"),
                conclusions: String::new(),
                recipients: campaign.plan.recipients.join("\n"),
            };
            let week_label = periods.iter().find(|p| p.0 == week).map(|p| p.1.clone()).unwrap_or_default();
            forms.push(TextsForm { doc: doc.as_str(), heading: lang.t(key), texts, defaults, week, week_label });
        }
    }
    let tables = crate::documents::tables::TABLES.iter().map(|t| (*t, lang.t(&format!("doc_table_{t}")))).collect();
    Ok(DocumentsPage {
        chrome: page.chrome(lang.t("doc_title"), "documents"),
        units: choices,
        unit,
        periods,
        last_period,
        tables,
        is_admin,
        forms,
        saved: q.saved.clone().unwrap_or_default(),
    })
}

/// GET /documents/{file}?unit=&period_end=&at=: the download.
pub async fn download(
    State(state): State<AppState>,
    page: Page,
    Path(file): Path<String>,
    Query(q): Query<ExportQuery>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let what = Export::parse(&file).ok_or_else(|| AppError::not_found(page.lang))?;
    let q = ExportQuery { unit: q.unit.filter(|u| !u.trim().is_empty()), ..q };
    let f = action::export(&state, campaign, &actor, &page.client, what, &q).await.map_err(|f| page.fail(f))?;
    Ok(file_response(f))
}

pub fn file_response(f: action::ExportFile) -> Response {
    let disposition = f.disposition();
    (
        [
            (axum::http::header::CONTENT_TYPE, f.content_type.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        f.bytes,
    )
        .into_response()
}

/// POST /documents/texts/{doc}: the office saves its texts of a report.
pub async fn save_texts(
    State(state): State<AppState>,
    page: Page,
    Path(doc): Path<String>,
    Query(q): Query<ShowQuery>,
    Form(texts): Form<DocumentTexts>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let doc = ReportDoc::parse(&doc).ok_or_else(|| AppError::not_found(page.lang))?;
    let week = q.texts_week.clone().unwrap_or_default();
    let period_end = chrono::NaiveDate::parse_from_str(&week, "%Y-%m-%d").ok();
    action::save_texts(&state, campaign, &actor, &page.client, doc, period_end, texts)
        .await
        .map_err(|f| page.fail(f))?;
    let week_param = if week.is_empty() { String::new() } else { format!("&texts_week={week}") };
    Ok(Redirect::to(&format!("/documents?saved={}{week_param}#texts-{}", doc.as_str(), doc.as_str())).into_response())
}
