//! /admin/users/import: accounts from a list (.xlsx or .csv) — a preview naming every
//! bad row, then one-time passwords as printable slips; /admin/users/bulk: deactivate
//! or reset the ticked accounts at the end of a term.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use phongtrao_domain::account_import::AccountRow;
use phongtrao_domain::unit_import::RowError;

use crate::actions::accounts_bulk::{self, BulkAction, Preview, Slip};
use crate::error::{AppError, Failure};
use crate::files::{self, Cell};
use crate::i18n::Chrome;
use crate::page::Page;
use crate::pages::admin_units::uploaded_file;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "accounts_import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub file_name: String,
    pub ready: Option<(i64, Vec<AccountRow>)>,
    pub errors: Vec<RowError>,
}

/// One-time passwords, one slip per account, to print and hand out (shown once).
#[derive(Template, WebTemplate)]
#[template(path = "account_slips.html")]
pub struct SlipsPage {
    pub chrome: Chrome,
    pub slips: Vec<Slip>,
    /// Where people log in (this server's address as the officer reached it).
    pub login_url: String,
    pub created: bool,
}

fn import_page(page: &Page) -> ImportPage {
    ImportPage {
        chrome: page.chrome(page.lang.t("bulk_title"), "admin"),
        file_name: String::new(),
        ready: None,
        errors: Vec::new(),
    }
}

/// Slips are secrets: never kept by a browser or a proxy.
fn no_store(page: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], page).into_response()
}

fn login_url(headers: &axum::http::HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let https = headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) == Some("https");
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '<' || c == '>' || c == '"') {
        "/login".to_string()
    } else {
        format!("{}://{host}/login", if https { "https" } else { "http" })
    }
}

pub async fn form(State(state): State<AppState>, page: Page) -> Result<ImportPage, AppError> {
    let actor = page.require_actor()?;
    crate::authz::require(&state, actor, &page.client, phongtrao_domain::policy::Action::AdministerUsers, None)
        .await
        .map_err(|f| page.fail(f))?;
    Ok(import_page(&page))
}

pub async fn preview(State(state): State<AppState>, page: Page, multipart: Multipart) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    // Who may create accounts is checked before the upload is read.
    crate::authz::require(&state, &actor, &page.client, phongtrao_domain::policy::Action::AdministerUsers, None)
        .await
        .map_err(|f| page.fail(f))?;
    let (name, bytes) = uploaded_file(multipart).await.map_err(|f| page.fail(f))?;
    let mut view = import_page(&page);
    view.file_name = name.clone();
    match accounts_bulk::preview(&state, &actor, &page.client, &name, &bytes).await {
        Ok(Preview::Ready { id, rows }) => view.ready = Some((id, rows)),
        Ok(Preview::Rejected { errors }) => {
            view.errors = errors;
            return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
        }
        Err(f) if f.status.is_client_error() && f.status != axum::http::StatusCode::FORBIDDEN => {
            view.errors = vec![RowError::said(0, f.message(page.lang))];
            return Ok((f.status, view).into_response());
        }
        Err(f) => return Err(page.fail(f)),
    }
    Ok(view.into_response())
}

pub async fn confirm(
    State(state): State<AppState>,
    page: Page,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let slips = accounts_bulk::confirm(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    Ok(no_store(SlipsPage {
        chrome: page.chrome(page.lang.t("bulk_slips_title"), "admin"),
        slips,
        login_url: login_url(&headers),
        created: true,
    }))
}

/// The list's template: the columns the import reads, with one example row.
pub async fn template(State(state): State<AppState>, page: Page) -> Result<Response, AppError> {
    let actor = page.require_actor()?;
    crate::authz::require(&state, actor, &page.client, phongtrao_domain::policy::Action::AdministerUsers, None)
        .await
        .map_err(|f| page.fail(f))?;
    let header = ["STT", "Đơn vị", "Họ và tên", "E-mail", "Điện thoại", "Tên đăng nhập", "Vai trò"];
    let rows = vec![vec![
        Cell::Integer(1),
        Cell::Text("Huyện đoàn Hòn Đất".into()),
        Cell::Text("Nguyễn Văn A".into()),
        Cell::Text("vana@example.vn".into()),
        Cell::Text("0297 3862 123".into()),
        Cell::Text(String::new()),
        Cell::Text("unit".into()),
    ]];
    let bytes = files::write_xlsx("Tài khoản", &header, &rows).map_err(|f| page.fail(f))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"mau-danh-sach-tai-khoan.xlsx\""),
        ],
        bytes,
    )
        .into_response())
}

/// POST /admin/users/bulk: `action=deactivate|reset` and the ticked accounts (`u=ID`).
pub async fn bulk(
    State(state): State<AppState>,
    page: Page,
    headers: axum::http::HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let bad = || page.fail(Failure::bad_request("Biểu mẫu không hợp lệ", "Malformed form"));
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&body).map_err(|_| bad())?;
    let action = match fields.iter().find(|(k, _)| k == "action").map(|(_, v)| v.as_str()) {
        Some("deactivate") => BulkAction::Deactivate,
        Some("reset") => BulkAction::Reset,
        _ => return Err(bad()),
    };
    let mut ids = Vec::new();
    for (_, v) in fields.iter().filter(|(k, _)| k == "u") {
        ids.push(v.parse::<i64>().map_err(|_| bad())?);
    }
    match accounts_bulk::apply(&state, &actor, &page.client, action, &ids).await {
        Ok(slips) if action == BulkAction::Reset => Ok(no_store(SlipsPage {
            chrome: page.chrome(page.lang.t("bulk_slips_title"), "admin"),
            slips,
            login_url: login_url(&headers),
            created: false,
        })),
        Ok(_) => Ok(Redirect::to(&format!("/admin/users?deactivated={}", ids.len())).into_response()),
        Err(f) => Err(page.fail(f)),
    }
}
