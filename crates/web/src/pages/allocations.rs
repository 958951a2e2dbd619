//! Giao chỉ tiêu: a count goal split among a unit's children, by hand or
//! proportionally to a base figure; the mismatch with the whole is shown.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::format;
use phongtrao_domain::plan::IndicatorKind;
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::{campaigns, units};
use serde::Deserialize;

use crate::actions::allocation::{self, AllocationView};
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "allocations.html")]
pub struct AllocationsPage {
    pub chrome: Chrome,
    pub indicators: Vec<(String, String)>,
    pub indicator: String,
    pub parent: String,
    pub view: Option<AllocationView>,
    pub whole_text: String,
    pub sum_text: String,
    pub figures: Vec<(String, String)>,
    pub error: Option<String>,
    /// Whether this user may change these goals (the office at the top; a unit's
    /// own office or reporters for the goals of the units below it).
    pub can_edit: bool,
}

#[derive(Deserialize, Default)]
pub struct AllocationQuery {
    indicator: Option<String>,
    parent: Option<String>,
}

async fn build(
    state: &AppState,
    page: &Page,
    indicator: Option<String>,
    parent: Option<String>,
    error: Option<String>,
) -> Result<AllocationsPage, AppError> {
    let lang = page.lang;
    let campaign = campaigns::current(&state.db).await.map_err(|e| AppError::internal(lang, e))?;
    let indicators: Vec<(String, String)> = campaign
        .plan
        .indicators()
        .filter(|i| i.kind == IndicatorKind::Count)
        .map(|i| (i.key.clone(), format!("{} · {}", i.key, i.label)))
        .collect();
    let indicator = indicator
        .filter(|k| indicators.iter().any(|(i, _)| i == k))
        .or_else(|| indicators.first().map(|(k, _)| k.clone()))
        .unwrap_or_default();
    let actor = page.require_actor()?;
    let all = units::list(&state.db).await.map_err(|e| AppError::internal(lang, e))?;
    let parent = match parent.filter(|p| !p.trim().is_empty()) {
        Some(p) => p,
        // The whole campaign for the office; one's own unit for the others.
        None => match actor.user.role {
            phongtrao_domain::role::Role::Admin | phongtrao_domain::role::Role::Steering => {
                all.iter().find(|u| u.parent_id.is_none()).map(|u| u.code.clone()).unwrap_or_default()
            }
            _ => all.iter().find(|u| actor.unit_ids.contains(&u.id)).map(|u| u.code.clone()).unwrap_or_default(),
        },
    };
    let view = match allocation::view_for(state, actor, &page.client, &indicator, &parent).await {
        Ok(v) => Some(v),
        Err(f) if f.status == StatusCode::FORBIDDEN => return Err(page.fail(f)),
        Err(_) => None,
    };
    let whole_text =
        view.as_ref().and_then(|v| v.whole).map(format::integer).unwrap_or_else(|| lang.t("allocation.no_goal"));
    let sum_text = view.as_ref().map(|v| format::integer(v.sum)).unwrap_or_default();
    let figures = BaseFigure::ALL
        .iter()
        .map(|f| (f.as_str().to_string(), lang.pick(f.label_vi(), f.label_en()).to_string()))
        .collect();
    let can_edit = match all.iter().find(|u| u.code == parent) {
        Some(p) if p.parent_id.is_none() => actor.user.role == phongtrao_domain::role::Role::Admin,
        Some(p) => {
            let ancestry = units::ancestry(&state.db, p.id).await.map_err(|e| AppError::internal(lang, e))?;
            phongtrao_domain::policy::allows(&actor.policy(), phongtrao_domain::policy::Action::WriteUnit, &ancestry)
        }
        None => false,
    };
    Ok(AllocationsPage {
        can_edit,
        chrome: page.chrome(lang.t("allocation.title"), "allocations"),
        indicators,
        indicator,
        parent,
        view,
        whole_text,
        sum_text,
        figures,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AllocationQuery>,
) -> Result<AllocationsPage, AppError> {
    page.require_actor()?;
    build(&state, &page, q.indicator, q.parent, None).await
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (indicator, parent, by) = (get("indicator"), get("parent"), get("by"));
    let result = if get("action") == "proportional" {
        match BaseFigure::parse(&by) {
            Some(figure) => allocation::proportional(&state, &actor, &page.client, &indicator, &parent, figure).await,
            None => Err(crate::error::Failure::invalid("Chọn số liệu nền / choose a base figure")),
        }
    } else {
        let mut goals = HashMap::new();
        let mut bad = None;
        for (name, value) in &pairs {
            if let Some(code) = name.strip_prefix("g.") {
                if value.trim().is_empty() {
                    continue;
                }
                match phongtrao_domain::base_figures::parse_whole(value) {
                    Some(n) => {
                        goals.insert(code.to_string(), n);
                    }
                    None => {
                        bad = Some((
                            format!("Chỉ tiêu giao cho {code} là \"{value}\": không phải số nguyên không âm"),
                            format!("The goal given to {code}, \"{value}\", is not a whole non-negative number"),
                        ))
                    }
                }
            }
        }
        match bad {
            Some((vi, en)) => Err(crate::error::Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", vi, en)),
            None => allocation::by_hand(&state, &actor, &page.client, &indicator, &parent, &goals).await,
        }
    };
    respond(&state, &page, indicator, parent, result.map(|_| ())).await
}

/// GET /allocations/export.xlsx?indicator=&parent=
pub async fn export(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AllocationQuery>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let (indicator, parent) = (q.indicator.unwrap_or_default(), q.parent.unwrap_or_default());
    let view =
        allocation::view_for(&state, &actor, &page.client, &indicator, &parent).await.map_err(|f| page.fail(f))?;
    let bytes = allocation::to_xlsx(&view, page.lang).map_err(|f| page.fail(f))?;
    let disposition = format!("attachment; filename=\"giao-chi-tieu-{}-{}.xlsx\"", view.indicator, view.parent);
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, crate::actions::documents::XLSX.to_string()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// POST /allocations/import?indicator=&parent=&csrf= (multipart field `file`).
pub async fn import(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AllocationQuery>,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let (indicator, parent) = (q.indicator.unwrap_or_default(), q.parent.unwrap_or_default());
    // The right first: a file is read only for someone allowed to store what it holds.
    if let Err(f) = allocation::may_write(&state, &actor, &page.client, &indicator, &parent).await {
        return respond(&state, &page, indicator, parent, Err(f)).await;
    }
    let (name, bytes) = crate::pages::admin_units::uploaded_file(multipart).await.map_err(|f| page.fail(f))?;
    let result = allocation::import(&state, &actor, &page.client, &indicator, &parent, &name, bytes).await;
    respond(&state, &page, indicator, parent, result.map(|_| ())).await
}

/// After a save or an import: back to the allocation, or the page again with the
/// refusal when the input was wrong.
async fn respond(
    state: &AppState,
    page: &Page,
    indicator: String,
    parent: String,
    result: Result<(), crate::error::Failure>,
) -> Result<Response, AppError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!(
            "/allocations?indicator={}&parent={}",
            crate::error::urlencode(&indicator),
            crate::error::urlencode(&parent)
        ))
        .into_response()),
        Err(f) if f.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let message = f.message(page.lang).to_string();
            Ok((f.status, build(state, page, Some(indicator), Some(parent), Some(message)).await?).into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}
