//! Importing a plan document from the UI: upload, then review the extraction beside
//! its source sentences, edit the plan file, check, confirm.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use phongtrao_domain::policy::Action;

use crate::actions::plan_import;
use crate::authz::require;
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "plan_import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub error: Option<String>,
}

pub async fn form(State(state): State<AppState>, page: Page) -> Result<ImportPage, AppError> {
    let actor = page.require_actor()?;
    require(&state, actor, &page.client, Action::AdministerCampaign, None).await.map_err(|f| page.fail(f))?;
    Ok(ImportPage { chrome: page.chrome(page.lang.t("plan_import.title"), "overview"), error: None })
}

pub async fn upload(State(state): State<AppState>, page: Page, multipart: Multipart) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    require(&state, &actor, &page.client, Action::AdministerCampaign, None).await.map_err(|f| page.fail(f))?;
    let (name, bytes) = crate::pages::admin_units::uploaded_file(multipart).await.map_err(|f| page.fail(f))?;
    match plan_import::upload(&state, &actor, &page.client, &name, &bytes).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/admin/plan/drafts/{id}")).into_response()),
        Err(f) if f.status.is_client_error() && f.status != StatusCode::FORBIDDEN => {
            let status = f.status;
            let view = ImportPage {
                chrome: page.chrome(page.lang.t("plan_import.title"), "overview"),
                error: Some(f.message(page.lang).to_string()),
            };
            Ok((status, view).into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}
