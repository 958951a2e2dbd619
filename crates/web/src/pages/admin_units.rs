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
    /// Deactivating or moving a unit: what it will do, asked before it is done.
    pub confirm: Option<String>,
    /// The values the officer typed, kept while the confirmation is asked.
    pub typed_name: Option<String>,
    pub typed_active: bool,
}

/// The edit form: the change, and the officer's confirmation of a deactivation or move.
#[derive(Debug, serde::Deserialize)]
pub struct UnitEditForm {
    #[serde(flatten)]
    change: UnitChangeInput,
    #[serde(default)]
    confirm: Option<String>,
}

fn kinds(lang: crate::i18n::Lang) -> Vec<(String, String)> {
    UnitKind::ALL.iter().map(|k| (k.as_str().to_string(), lang.pick(k.label_vi(), k.label_en()).to_string())).collect()
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
        kinds: kinds(page.lang),
        error: None,
        confirm: None,
        typed_name: None,
        typed_active: true,
    })
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Form(input): Form<NewUnitInput>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    match unit_actions::create(&state, &actor, &page.client, &input).await {
        Ok(unit) => Ok(Redirect::to(&format!("/units/{}?saved=created", unit.code)).into_response()),
        Err(f) if client_error(&f) => {
            let status = f.status;
            let chrome = page.chrome(page.lang.t("admin.new_unit"), "units");
            Ok((
                status,
                UnitEditPage {
                    chrome,
                    unit: None,
                    parent_code: input.parent_code.unwrap_or_default(),
                    kinds: kinds(page.lang),
                    error: Some(f.message(page.lang).to_string()),
                    confirm: None,
                    typed_name: None,
                    typed_active: true,
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
        typed_active: unit.active,
        unit: Some(unit),
        parent_code,
        kinds: kinds(page.lang),
        error,
        confirm: None,
        typed_name: None,
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
    Form(form): Form<UnitEditForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    // A checkbox sends nothing when unchecked.
    let input = UnitChangeInput { active: Some(form.change.active.unwrap_or_else(|| "false".into())), ..form.change };
    if form.confirm.as_deref() != Some("on") {
        if let Some(mut view) = confirmation(&state, &page, &code, &input).await? {
            require(&state, &actor, &page.client, Action::AdministerUnits, None).await.map_err(|f| page.fail(f))?;
            view.typed_name = input.name.clone();
            return Ok(view.into_response());
        }
    }
    match unit_actions::update(&state, &actor, &page.client, &code, &input).await {
        Ok(unit) => Ok(Redirect::to(&format!("/units/{}?saved=unit", unit.code)).into_response()),
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
    // The column names in the reader's language (the import reads either).
    let mut columns: Vec<&str> = match page.lang {
        crate::i18n::Lang::Vi => vec!["Mã", "Mã cấp trên", "Loại", "Tên"],
        crate::i18n::Lang::En => vec!["code", "parent_code", "kind", "name"],
    };
    columns.extend(BaseFigure::ALL.iter().map(|f| page.lang.pick(f.label_vi(), f.label_en())));
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
            view.errors = vec![RowError::said(0, f.message(page.lang))];
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

/// Units and base figures as .csv or .xlsx: the same columns the import reads. The
/// .csv is for other programs (codes, English column names); the .xlsx is for people
/// (column names, kinds and states in the reader's language).
pub async fn export(
    State(state): State<AppState>,
    page: Page,
    Path(format): Path<String>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?;
    require(&state, actor, &page.client, Action::ReadEverything, None).await.map_err(|f| page.fail(f))?;
    let lang = page.lang;
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
                    // A sheet for people: kinds and states in the reader's language
                    // (the import reads these names as well as the codes).
                    let kind = u.kind().map(|k| lang.pick(k.label_vi(), k.label_en()).to_string());
                    let active = if u.active { lang.pick("có", "yes") } else { lang.pick("không", "no") };
                    let mut row = vec![
                        Cell::Text(u.code.clone()),
                        Cell::Text(parent.clone().unwrap_or_default()),
                        Cell::Text(kind.unwrap_or_else(|| u.kind.clone())),
                        Cell::Integer(u.level),
                        Cell::Text(u.name.clone()),
                        Cell::Text(active.to_string()),
                    ];
                    row.extend(BaseFigure::ALL.iter().map(|f| figure(figs, *f).map_or(Cell::Empty, Cell::Integer)));
                    row
                })
                .collect();
            let header: Vec<&str> = match lang {
                crate::i18n::Lang::Vi => ["Mã", "Mã cấp trên", "Loại", "Cấp", "Tên", "Đang hoạt động"]
                    .into_iter()
                    .chain(BaseFigure::ALL.iter().map(|f| f.label_vi()))
                    .collect(),
                crate::i18n::Lang::En => {
                    EXPORT_HEADER[..6].iter().copied().chain(BaseFigure::ALL.iter().map(|f| f.label_en())).collect()
                }
            };
            let sheet = lang.pick("Đơn vị", "Units");
            let bytes = files::write_xlsx(sheet, &header, &table).map_err(|f| page.fail(f))?;
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

/// When the change deactivates the unit or moves it, the edit page again with what
/// that will do, for the officer to confirm; `None` when nothing needs confirming.
async fn confirmation(
    state: &AppState,
    page: &Page,
    code: &str,
    input: &UnitChangeInput,
) -> Result<Option<UnitEditPage>, AppError> {
    let lang = page.lang;
    let internal = |e| AppError::internal(lang, e);
    let Some(unit) = units::by_code(&state.db, code).await.map_err(internal)? else {
        return Ok(None);
    };
    let below = units::subtree_ids(&state.db, unit.id).await.map_err(internal)?.len().saturating_sub(1);
    let deactivating = unit.active && matches!(input.active.as_deref(), Some("false" | "off" | "0"));
    let current_parent = match unit.parent_id {
        Some(id) => units::by_id(&state.db, id).await.map_err(internal)?,
        None => None,
    };
    let new_parent_code = input.parent_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let moving = new_parent_code.is_some_and(|c| Some(c) != current_parent.as_ref().map(|p| p.code.as_str()));
    if !deactivating && !moving {
        return Ok(None);
    }
    let mut parts = Vec::new();
    if deactivating {
        parts.push(match lang {
            crate::i18n::Lang::Vi => format!(
                "Ngừng hoạt động {}: đơn vị này{} không còn phải báo cáo và không còn được tính vào số liệu tổng hợp; lịch sử báo cáo vẫn được giữ.",
                unit.name,
                if below > 0 { format!(" và {below} đơn vị trực thuộc") } else { String::new() }
            ),
            crate::i18n::Lang::En => format!(
                "Deactivate {}: this unit{} will no longer report nor count in the consolidated figures; its report history is kept.",
                unit.name,
                if below > 0 { format!(" and the {below} units below it") } else { String::new() }
            ),
        });
    }
    if moving {
        let target = match new_parent_code {
            Some(c) => {
                units::by_code(&state.db, c).await.map_err(internal)?.map(|p| p.name).unwrap_or_else(|| c.to_string())
            }
            None => String::new(),
        };
        let from = current_parent.map(|p| p.name).unwrap_or_default();
        parts.push(match lang {
            crate::i18n::Lang::Vi => format!(
                "Chuyển {} từ {from} sang {target}: số liệu của đơn vị{} sẽ được tính cho {target} từ nay.",
                unit.name,
                if below > 0 { format!(" và {below} đơn vị trực thuộc") } else { String::new() }
            ),
            crate::i18n::Lang::En => format!(
                "Move {} from {from} to {target}: the unit's figures{} will count for {target} from now on.",
                unit.name,
                if below > 0 { format!(" (and its {below} units below)") } else { String::new() }
            ),
        });
    }
    let mut view = edit_page(state, page, code, None).await?;
    view.parent_code = new_parent_code.unwrap_or_default().to_string();
    view.typed_active = !deactivating && unit.active;
    view.confirm = Some(parts.join(" "));
    Ok(Some(view))
}
