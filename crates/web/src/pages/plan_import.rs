//! Importing a plan document from the UI: upload, then review the extraction beside
//! its source sentences, edit the plan file, check, confirm.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::policy::Action;
use serde::Deserialize;

use crate::actions::plan_import::{self, check_toml, Checked, Review};
use crate::authz::require;
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "plan_import.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub id: Option<i64>,
    pub review: Option<Review>,
    pub checked: Option<Checked>,
    pub error: Option<String>,
}

impl ImportPage {
    /// The reader's notes on the document in the page's language (stored "vi / en").
    pub fn problems_in(&self) -> Vec<String> {
        let Some(r) = &self.review else { return Vec::new() };
        r.problems
            .iter()
            .map(|p| {
                let (vi, en) = phongtrao_domain::unit_import::split_pair(p);
                self.chrome.lang.pick(&vi, &en).to_string()
            })
            .collect()
    }

    /// A value as read: a date the reader wrote in words ("ngày 24/02/2023",
    /// "từ 01/03/2023 đến 05/03/2023", "trước ngày 10/04/2023") in the page's
    /// language; any other value is the document's own text.
    pub fn value_in(&self, value: &str) -> String {
        if self.chrome.lang == crate::i18n::Lang::Vi {
            return value.to_string();
        }
        let date = |s: &str| {
            let ok = s.len() == 10
                && s.chars().enumerate().all(|(i, c)| if i == 2 || i == 5 { c == '/' } else { c.is_ascii_digit() });
            ok.then(|| s.to_string())
        };
        if let Some(d) = value.strip_prefix("trước ngày ").and_then(date) {
            return format!("before {d}");
        }
        if let Some(d) = value.strip_prefix("ngày ").and_then(date) {
            return format!("on {d}");
        }
        if let Some((from, to)) = value.strip_prefix("từ ").and_then(|r| r.split_once(" đến ")) {
            if let (Some(f), Some(t)) = (date(from), date(to)) {
                return format!("from {f} to {t}");
            }
        }
        value.to_string()
    }

    /// The sentence a value came from (the document's text) and the reader's own note
    /// on it in the page's language ("… [Tháng Thanh niên là tháng 3 / Youth Month is March]").
    pub fn source_in(&self, source: &str) -> (String, String) {
        match source.strip_suffix(']').and_then(|s| s.rsplit_once(" [")) {
            Some((sentence, note)) if note.contains(" / ") => {
                let (vi, en) = phongtrao_domain::unit_import::split_pair(note);
                (sentence.to_string(), self.chrome.lang.pick(&vi, &en).to_string())
            }
            _ => (source.to_string(), String::new()),
        }
    }
}

pub async fn form(State(state): State<AppState>, page: Page) -> Result<ImportPage, AppError> {
    let actor = page.require_actor()?;
    require(&state, actor, &page.client, Action::AdministerCampaign, None).await.map_err(|f| page.fail(f))?;
    Ok(ImportPage {
        chrome: page.chrome(page.lang.t("plan_import.title"), "overview"),
        id: None,
        review: None,
        checked: None,
        error: None,
    })
}

pub async fn upload(State(state): State<AppState>, page: Page, multipart: Multipart) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    require(&state, &actor, &page.client, Action::AdministerCampaign, None).await.map_err(|f| page.fail(f))?;
    let (name, bytes) = crate::pages::admin_units::uploaded_file(multipart).await.map_err(|f| page.fail(f))?;
    match plan_import::upload(&state, &actor, &page.client, &name, &bytes).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/admin/plan/import/{id}")).into_response()),
        Err(f) if f.status.is_client_error() && f.status != StatusCode::FORBIDDEN => {
            let status = f.status;
            let view = ImportPage {
                chrome: page.chrome(page.lang.t("plan_import.title"), "overview"),
                id: None,
                review: None,
                checked: None,
                error: Some(f.message(page.lang).to_string()),
            };
            Ok((status, view).into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}

pub async fn review(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Result<ImportPage, AppError> {
    let actor = page.require_actor()?.clone();
    let review = plan_import::load(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    let checked = check_toml(&review.toml);
    Ok(ImportPage {
        chrome: page.chrome(page.lang.t("plan_import.review"), "overview"),
        id: Some(id),
        review: Some(review),
        checked: Some(checked),
        error: None,
    })
}

#[derive(Deserialize)]
pub struct ReviewForm {
    toml: String,
    action: String,
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    if f.action == "confirm" {
        match plan_import::confirm(&state, &actor, &page.client, id, &f.toml).await {
            Ok(_) => return Ok(Redirect::to("/?activated=1").into_response()),
            Err(failure)
                if failure.status.is_client_error()
                    && failure.status != StatusCode::FORBIDDEN
                    && failure.status != StatusCode::NOT_FOUND =>
            {
                let review = plan_import::load(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
                let checked = check_toml(&review.toml);
                let view = ImportPage {
                    chrome: page.chrome(page.lang.t("plan_import.review"), "overview"),
                    id: Some(id),
                    review: Some(review),
                    checked: Some(checked),
                    error: Some(failure.message(page.lang).to_string()),
                };
                return Ok((failure.status, view).into_response());
            }
            Err(failure) => return Err(page.fail(failure)),
        }
    }
    let review = plan_import::save_edit(&state, &actor, &page.client, id, &f.toml).await.map_err(|f| page.fail(f))?;
    let checked = check_toml(&review.toml);
    Ok(ImportPage {
        chrome: page.chrome(page.lang.t("plan_import.review"), "overview"),
        id: Some(id),
        review: Some(review),
        checked: Some(checked),
        error: None,
    }
    .into_response())
}
