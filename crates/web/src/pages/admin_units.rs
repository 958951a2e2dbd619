//! The office manages units: create, rename, move, deactivate; import and export.
//! A unit's own reporters may set its base figures.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::policy::Action;
use phongtrao_domain::unit::{BaseFigure, UnitKind};
use phongtrao_domain::unit_import::{ImportRow, RowError};
use phongtrao_storage::units::{self, UnitRow};

use crate::actions::unit_import::{self, Preview};
use crate::actions::units::{self as unit_actions, NewUnitInput, UnitChangeInput};
use crate::authz::require;
use crate::error::{AppError, Failure};
use crate::files::{self, Cell};
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "unit_edit.html")]
pub struct UnitEditPage {
    pub chrome: Chrome,
    pub unit: Option<UnitRow>,
    pub parent_code: String,
    pub kinds: Vec<(String, String)>,
    pub error: Option<String>,
}

fn kinds() -> Vec<(String, String)> {
    UnitKind::ALL.iter().map(|k| (k.as_str().to_string(), k.label_vi().to_string())).collect()
}

fn client_error(f: &Failure) -> bool {
    f.status.is_client_error()
        && f.status != axum::http::StatusCode::FORBIDDEN
        && f.status != axum::http::StatusCode::NOT_FOUND
}

pub async fn new_form(State(state): State<AppState>, page: Page) -> Result<UnitEditPage, AppError> {
    let actor = page.require_actor()?;
    require(&state, actor, &page.client, Action::AdministerUnits, None).await.map_err(|f| page.fail(f))?;
    Ok(UnitEditPage {
        chrome: page.chrome(page.lang.t("admin.new_unit"), "units"),
        unit: None,
        parent_code: String::new(),
        kinds: kinds(),
        error: None,
    })
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Form(input): Form<NewUnitInput>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    match unit_actions::create(&state, &actor, &page.client, &input).await {
        Ok(unit) => Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response()),
        Err(f) if client_error(&f) => {
            let status = f.status;
            let chrome = page.chrome(page.lang.t("admin.new_unit"), "units");
            Ok((
                status,
                UnitEditPage {
                    chrome,
                    unit: None,
                    parent_code: input.parent_code.unwrap_or_default(),
                    kinds: kinds(),
                    error: Some(f.message(page.lang).to_string()),
                },
            )
                .into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}

async fn edit_page(state: &AppState, page: &Page, code: &str, error: Option<String>) -> Result<UnitEditPage, AppError> {
    let unit = units::by_code(&state.db, code)
        .await
        .map_err(|e| AppError::internal(page.lang, e))?
        .ok_or_else(|| AppError::not_found(page.lang))?;
    let parent_code = match unit.parent_id {
        Some(id) => units::by_id(&state.db, id)
            .await
            .map_err(|e| AppError::internal(page.lang, e))?
            .map(|p| p.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok(UnitEditPage {
        chrome: page.chrome(unit.name.clone(), "units"),
        unit: Some(unit),
        parent_code,
        kinds: kinds(),
        error,
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
) -> Result<UnitEditPage, AppError> {
    let actor = page.require_actor()?;
    require(&state, actor, &page.client, Action::AdministerUnits, None).await.map_err(|f| page.fail(f))?;
    edit_page(&state, &page, &code, None).await
}

pub async fn update(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
    Form(input): Form<UnitChangeInput>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    // A checkbox sends nothing when unchecked: the form says so with a hidden field.
    let input = UnitChangeInput { active: Some(input.active.unwrap_or_else(|| "false".into())), ..input };
    match unit_actions::update(&state, &actor, &page.client, &code, &input).await {
        Ok(unit) => Ok(Redirect::to(&format!("/units/{}", unit.code)).into_response()),
        Err(f) if client_error(&f) => {
            let status = f.status;
            Ok((status, edit_page(&state, &page, &code, Some(f.message(page.lang).to_string())).await?).into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}

pub async fn set_figures(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
    Form(values): Form<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    match unit_actions::set_base_figures(&state, &actor, &page.client, &code, &values).await {
        Ok(()) => Ok(Redirect::to(&format!("/units/{code}?saved=1")).into_response()),
        Err(f) => Err(page.fail(f)),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "unit_import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub file_name: String,
    pub ready: Option<(i64, Vec<ImportRow>)>,
    pub errors: Vec<RowError>,
    pub done: Option<(u64, u64)>,
    pub columns: String,
}

fn import_page(page: &Page) -> ImportPage {
    let mut columns = vec!["code", "parent_code", "kind", "name"];
    columns.extend(BaseFigure::ALL.iter().map(|f| f.as_str()));
    ImportPage {
        chrome: page.chrome(page.lang.t("admin.import_units"), "units"),
        file_name: String::new(),
        ready: None,
        errors: Vec::new(),
        done: None,
        columns: columns.join(", "),
    }
}

pub async fn import_form(State(state): State<AppState>, page: Page) -> Result<ImportPage, AppError> {
    let actor = page.require_actor()?;
    require(&state, actor, &page.client, Action::AdministerUnits, None).await.map_err(|f| page.fail(f))?;
    Ok(import_page(&page))
}

/// The uploaded file of a multipart form: (name, bytes), at most the upload limit.
pub async fn uploaded_file(mut multipart: Multipart) -> Result<(String, Vec<u8>), Failure> {
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| Failure::bad_request("Không đọc được tệp tải lên.", "Cannot read the upload."))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload").to_string();
            let bytes = field.bytes().await.map_err(|_| {
                Failure::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    "Tệp quá lớn (tối đa 5 MB).",
                    "The file is too large (5 MB at most).",
                )
            })?;
            return Ok((name, bytes.to_vec()));
        }
    }
    Err(Failure::bad_request("Chưa chọn tệp.", "No file was chosen."))
}

pub async fn import_preview(
    State(state): State<AppState>,
    page: Page,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    require(&state, &actor, &page.client, Action::AdministerUnits, None).await.map_err(|f| page.fail(f))?;
    let (name, bytes) = uploaded_file(multipart).await.map_err(|f| page.fail(f))?;
    let mut view = import_page(&page);
    view.file_name = name.clone();
    match unit_import::preview(&state, &actor, &page.client, &name, &bytes).await {
        Ok(Preview::Ready { id, rows }) => view.ready = Some((id, rows)),
        Ok(Preview::Rejected { errors }) => {
            view.errors = errors;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
        }
        Err(f) if client_error(&f) => {
            view.errors = vec![RowError { row: 0, message: f.message(page.lang).to_string() }];
            return Ok((f.status, view).into_response());
        }
        Err(f) => return Err(page.fail(f)),
    }
    Ok(view.into_response())
}

pub async fn import_confirm(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let done = unit_import::confirm(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    let mut view = import_page(&page);
    view.done = Some(done);
    Ok(view.into_response())
}

const EXPORT_HEADER: [&str; 11] = [
    "code",
    "parent_code",
    "kind",
    "level",
    "name",
    "active",
    "doan_vien",
    "can_bo_doan",
    "thanh_nien",
    "thanh_thieu_nhi",
    "clb_tsnt_ttvpl",
];

/// Units and base figures as .csv or .xlsx: the same columns the import reads.
pub async fn export(
    State(state): State<AppState>,
    page: Page,
    Path(format): Path<String>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?;
    require(&state, actor, &page.client, Action::ReadEverything, None).await.map_err(|f| page.fail(f))?;
    let rows = units::export_rows(&state.db).await.map_err(|e| AppError::internal(page.lang, e))?;
    let figure = |figs: &BTreeMap<String, i64>, f: BaseFigure| figs.get(f.as_str()).copied();
    match format.as_str() {
        "units.csv" => {
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|(u, parent, figs)| {
                    let mut row = vec![
                        u.code.clone(),
                        parent.clone().unwrap_or_default(),
                        u.kind.clone(),
                        u.level.to_string(),
                        u.name.clone(),
                        u.active.to_string(),
                    ];
                    row.extend(
                        BaseFigure::ALL.iter().map(|f| figure(figs, *f).map(|v| v.to_string()).unwrap_or_default()),
                    );
                    row
                })
                .collect();
            let bytes = files::write_csv(&EXPORT_HEADER, &table).map_err(|f| page.fail(f))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"don-vi.csv\""),
                ],
                bytes,
            )
                .into_response())
        }
        "units.xlsx" => {
            let table: Vec<Vec<Cell>> = rows
                .iter()
                .map(|(u, parent, figs)| {
                    let mut row = vec![
                        Cell::Text(u.code.clone()),
                        Cell::Text(parent.clone().unwrap_or_default()),
                        Cell::Text(u.kind.clone()),
                        Cell::Integer(u.level),
                        Cell::Text(u.name.clone()),
                        Cell::Text(u.active.to_string()),
                    ];
                    row.extend(BaseFigure::ALL.iter().map(|f| figure(figs, *f).map_or(Cell::Empty, Cell::Integer)));
                    row
                })
                .collect();
            let bytes = files::write_xlsx("Đơn vị", &EXPORT_HEADER, &table).map_err(|f| page.fail(f))?;
            Ok((
                [
                    (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                    (header::CONTENT_DISPOSITION, "attachment; filename=\"don-vi.xlsx\""),
                ],
                bytes,
            )
                .into_response())
        }
        _ => Err(AppError::not_found(page.lang)),
    }
}
