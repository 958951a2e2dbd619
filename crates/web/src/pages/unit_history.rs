//! The office reorganises the unit tree (sáp nhập, chia tách): uploads the new units
//! and, optionally, the mapping of old units to new ones, with the effective date;
//! sees what will happen; confirms. Nothing is written before the confirmation, and
//! nothing at all when a row is wrong. The CLI twin: `phongtrao units reorganise`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use phongtrao_domain::policy::Action;
use phongtrao_domain::unit_import::RowError;
use phongtrao_storage::unit_history::{ReorganisationRow, Summary};

use crate::actions::unit_history::{self, PagePreview, Upload};
use crate::authz::require;
use crate::error::{AppError, Failure};
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "units_reorganise.html")]
pub struct ReorganisePage {
    pub chrome: Chrome,
    pub file_name: String,
    pub effective: String,
    pub title: String,
    pub ready: Option<(i64, Summary)>,
    pub errors: Vec<RowError>,
    pub done: Option<(i64, Summary)>,
    pub history: Vec<ReorganisationRow>,
}

fn view(page: &Page) -> ReorganisePage {
    ReorganisePage {
        chrome: page.chrome(page.lang.t("reorg.title"), "units"),
        file_name: String::new(),
        effective: String::new(),
        title: String::new(),
        ready: None,
        errors: Vec::new(),
        done: None,
        history: Vec::new(),
    }
}

async fn with_history(state: &AppState, page: &Page, mut view: ReorganisePage) -> Result<ReorganisePage, AppError> {
    view.history =
        phongtrao_storage::unit_history::list(&state.db).await.map_err(|e| AppError::internal(page.lang, e))?;
    Ok(view)
}

pub async fn form(State(state): State<AppState>, page: Page) -> Result<ReorganisePage, AppError> {
    let actor = page.require_actor()?;
    require(&state, actor, &page.client, Action::AdministerUnits, None).await.map_err(|f| page.fail(f))?;
    with_history(&state, &page, view(&page)).await
}

/// The fields of the upload form.
#[derive(Default)]
struct Fields {
    file: Option<(String, Vec<u8>)>,
    mapping: Option<(String, Vec<u8>)>,
    effective: String,
    title: String,
}

async fn read_fields(mut multipart: Multipart) -> Result<Fields, Failure> {
    let unreadable = || Failure::bad_request("Không đọc được tệp tải lên.", "Cannot read the upload.");
    let mut fields = Fields::default();
    while let Some(field) = multipart.next_field().await.map_err(|_| unreadable())? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().unwrap_or("").to_string();
        match name.as_str() {
            "file" | "mapping" => {
                let bytes = field.bytes().await.map_err(|_| unreadable())?;
                if !bytes.is_empty() {
                    let slot = if name == "file" { &mut fields.file } else { &mut fields.mapping };
                    *slot = Some((file_name, bytes.to_vec()));
                }
            }
            "effective" => fields.effective = field.text().await.map_err(|_| unreadable())?.trim().to_string(),
            "title" => fields.title = field.text().await.map_err(|_| unreadable())?.chars().take(400).collect(),
            _ => {}
        }
    }
    Ok(fields)
}

fn client_error(f: &Failure) -> bool {
    f.status.is_client_error()
        && f.status != axum::http::StatusCode::FORBIDDEN
        && f.status != axum::http::StatusCode::NOT_FOUND
}

pub async fn preview(State(state): State<AppState>, page: Page, multipart: Multipart) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    require(&state, &actor, &page.client, Action::AdministerUnits, None).await.map_err(|f| page.fail(f))?;
    let fields = read_fields(multipart).await.map_err(|f| page.fail(f))?;
    let mut out = view(&page);
    out.effective = fields.effective.clone();
    out.title = fields.title.clone();
    let refuse = |mut out: ReorganisePage, f: Failure| {
        out.errors = vec![RowError::said(0, f.message(page.lang))];
        (f.status, out).into_response()
    };
    let Some((name, bytes)) = &fields.file else {
        return Ok(refuse(out, Failure::bad_request("Chưa chọn tệp đơn vị mới.", "No new units file was chosen.")));
    };
    out.file_name = match &fields.mapping {
        Some((m, _)) => format!("{name} + {m}"),
        None => name.clone(),
    };
    let Ok(effective) = NaiveDate::parse_from_str(&fields.effective, "%Y-%m-%d") else {
        return Ok(refuse(
            out,
            Failure::bad_request("Ngày hiệu lực không hợp lệ.", "The effective date is not valid."),
        ));
    };
    let upload = Upload { name, bytes };
    let mapping = fields.mapping.as_ref().map(|(n, b)| Upload { name: n, bytes: b });
    let result =
        unit_history::preview_upload(&state, &actor, &page.client, &upload, mapping.as_ref(), effective, &fields.title)
            .await;
    match result {
        Ok(PagePreview::Ready { id, summary }) => out.ready = Some((id, summary)),
        Ok(PagePreview::Rejected { errors }) => {
            out.errors = errors;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, out).into_response());
        }
        Err(f) if client_error(&f) => return Ok(refuse(out, f)),
        Err(f) => return Err(page.fail(f)),
    }
    Ok(with_history(&state, &page, out).await?.into_response())
}

pub async fn confirm(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let applied = unit_history::confirm(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    let mut out = view(&page);
    out.done = Some((applied.reorganisation_id, applied.summary));
    Ok(with_history(&state, &page, out).await?.into_response())
}
