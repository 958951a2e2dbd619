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
use phongtrao_storage::units;
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
    /// What the last write did ("Đã lưu …"), from `?saved=`.
    pub notice: Option<String>,
    /// Whether this user may change these goals (the office at the top; a unit's
    /// own office or reporters for the goals of the units below it).
    pub can_edit: bool,
    /// What was typed in the goal boxes of a refused save (unit code → text), shown
    /// again instead of the stored goals so nothing typed is lost.
    pub typed: HashMap<String, String>,
    /// The boxes that were refused (unit code → the message said next to the box).
    pub invalid: HashMap<String, String>,
}

impl AllocationsPage {
    /// The text of a unit's goal box: what was typed in a refused save, else the stored goal.
    pub fn goal_value(&self, code: &str, goal: &Option<i64>) -> String {
        match self.typed.get(code) {
            Some(t) => t.clone(),
            None => goal.map(|g| g.to_string()).unwrap_or_default(),
        }
    }

    /// The message for a refused box, if this one was refused.
    pub fn invalid_of(&self, code: &str) -> Option<&str> {
        self.invalid.get(code).map(String::as_str)
    }
}

/// What a refused save carried back to the form: the typed boxes and the bad ones.
#[derive(Default)]
struct Entered {
    typed: HashMap<String, String>,
    invalid: HashMap<String, String>,
}

#[derive(Deserialize, Default)]
pub struct AllocationQuery {
    indicator: Option<String>,
    parent: Option<String>,
    /// What was just saved: manual, proportional or import:N.
    saved: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "allocation_import.html")]
pub struct ImportPreviewPage {
    pub chrome: Chrome,
    pub back: String,
    pub indicator_label: String,
    pub parent_name: String,
    pub file_name: String,
    /// Every bad cell, as a sentence in the user's language.
    pub errors: Vec<String>,
    pub id: Option<i64>,
    pub rows: Vec<PreviewLine>,
    pub untouched: Vec<String>,
    pub whole_text: String,
    pub sum_after_text: String,
    pub mismatch: Option<String>,
}

pub struct PreviewLine {
    pub row: usize,
    pub name: String,
    pub current: String,
    pub goal: String,
    pub change: String,
}

async fn build(
    state: &AppState,
    page: &Page,
    indicator: Option<String>,
    parent: Option<String>,
    mut error: Option<String>,
    saved: Option<String>,
    entered: Entered,
) -> Result<AllocationsPage, AppError> {
    let lang = page.lang;
    let campaign = page.campaign()?;
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
        // A code or a name as typed ("hon dat"); an unknown one stays as typed and is said below.
        Some(p) => match crate::actions::unit_lookup::find(&state.db, &p).await {
            Ok(Some(u)) => u.code,
            _ => p,
        },
        // The whole campaign for the office; one's own unit for the others.
        None => match actor.user.role {
            phongtrao_domain::role::Role::Admin | phongtrao_domain::role::Role::Steering => {
                all.iter().find(|u| u.parent_id.is_none()).map(|u| u.code.clone()).unwrap_or_default()
            }
            _ => all.iter().find(|u| actor.unit_ids.contains(&u.id)).map(|u| u.code.clone()).unwrap_or_default(),
        },
    };
    let view = match allocation::view_for(state, campaign, actor, &page.client, &indicator, &parent).await {
        Ok(v) => Some(v),
        Err(f) if f.status == StatusCode::FORBIDDEN => return Err(page.fail(f)),
        Err(f) => {
            // An unknown unit or indicator is said, not shown as an empty page.
            if error.is_none() {
                error = Some(if f.status == StatusCode::NOT_FOUND {
                    crate::actions::unit_lookup::unknown(&parent).message(lang).to_string()
                } else {
                    f.message(lang).to_string()
                });
            }
            None
        }
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
    let notice = saved.and_then(|s| match s.split_once(':') {
        Some(("import", n)) => Some(lang.t("alloc_import.saved_import").replace("%{n}", n)),
        _ if s == "manual" => Some(lang.t("alloc_import.saved_manual")),
        _ if s == "proportional" => Some(lang.t("alloc_import.saved_proportional")),
        _ => None,
    });
    Ok(AllocationsPage {
        notice,
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
        typed: entered.typed,
        invalid: entered.invalid,
    })
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AllocationQuery>,
) -> Result<AllocationsPage, AppError> {
    page.require_actor()?;
    build(&state, &page, q.indicator, q.parent, None, q.saved, Entered::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let (indicator, parent, by) = (get("indicator"), get("parent"), get("by"));
    let mut entered = Entered::default();
    let result = if get("action") == "proportional" {
        match BaseFigure::parse(&by) {
            Some(figure) => {
                allocation::proportional(&state, campaign, &actor, &page.client, &indicator, &parent, figure).await
            }
            None => Err(crate::error::Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                "Chọn số liệu nền để chia chỉ tiêu.",
                "Choose the base figure to split by.",
            )),
        }
    } else {
        // Every box is checked, and every bad one is said next to its box; what was
        // typed comes back in all of them, and nothing is saved while one is wrong.
        let mut goals = HashMap::new();
        let mut bad: Vec<(String, String)> = Vec::new();
        for (name, value) in &pairs {
            if let Some(code) = name.strip_prefix("g.") {
                entered.typed.insert(code.to_string(), value.clone());
                if value.trim().is_empty() {
                    continue;
                }
                match phongtrao_domain::base_figures::parse_whole(value) {
                    Some(n) => {
                        goals.insert(code.to_string(), n);
                    }
                    None => {
                        let name = units::by_code(&state.db, code)
                            .await
                            .ok()
                            .flatten()
                            .map_or_else(|| code.to_string(), |u| u.name);
                        let vi = format!("{name}: «{value}» không phải số nguyên không âm (ví dụ 1.200).");
                        let en = format!("{name}: «{value}» is not a whole number of 0 or more (e.g. 1200).");
                        entered.invalid.insert(code.to_string(), page.lang.pick(&vi, &en).to_string());
                        bad.push((vi, en));
                    }
                }
            }
        }
        if bad.is_empty() {
            allocation::by_hand(&state, campaign, &actor, &page.client, &indicator, &parent, &goals).await
        } else {
            let join =
                |pick: fn(&(String, String)) -> &String| bad.iter().map(pick).cloned().collect::<Vec<_>>().join(" ");
            Err(crate::error::Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("{} Chưa lưu gì.", join(|b| &b.0)),
                format!("{} Nothing was saved.", join(|b| &b.1)),
            ))
        }
    };
    let saved = if get("action") == "proportional" { "proportional" } else { "manual" };
    respond(&state, &page, indicator, parent, result.map(|_| saved.to_string()), entered).await
}

/// GET /allocations/export.xlsx?indicator=&parent=
pub async fn export(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AllocationQuery>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let (indicator, parent) = (q.indicator.unwrap_or_default(), q.parent.unwrap_or_default());
    let view = allocation::view_for(&state, campaign, &actor, &page.client, &indicator, &parent)
        .await
        .map_err(|f| page.fail(f))?;
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

/// POST /allocations/import?indicator=&parent= (multipart fields `csrf`, `file`):
/// the file is checked and shown as a preview; nothing is stored yet.
pub async fn import(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AllocationQuery>,
    multipart: axum::extract::Multipart,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let (indicator, parent) = (q.indicator.unwrap_or_default(), q.parent.unwrap_or_default());
    // The right first: a file is read only for someone allowed to store what it holds.
    if let Err(f) = allocation::may_write(&state, campaign, &actor, &page.client, &indicator, &parent).await {
        return respond(&state, &page, indicator, parent, Err(f), Entered::default()).await;
    }
    let (name, bytes) = match crate::pages::admin_units::uploaded_file(multipart).await {
        Ok(file) => file,
        Err(f) => return respond(&state, &page, indicator, parent, Err(f), Entered::default()).await,
    };
    let preview =
        match allocation::import_preview(&state, campaign, &actor, &page.client, &indicator, &parent, &name, bytes)
            .await
        {
            Ok(p) => p,
            Err(f) if f.status == StatusCode::UNPROCESSABLE_ENTITY => {
                // An unreadable file: said on the preview page, nothing stored.
                return Ok((
                    f.status,
                    preview_page(
                        &state,
                        &page,
                        &indicator,
                        &parent,
                        &name,
                        vec![f.message(page.lang).to_string()],
                        None,
                    )
                    .await?,
                )
                    .into_response());
            }
            Err(f) => return Err(page.fail(f)),
        };
    match preview {
        allocation::ImportPreview::Rejected { errors } => {
            let vi = page.lang == crate::i18n::Lang::Vi;
            let lines = errors.iter().map(|e| e.sentence(vi)).collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                preview_page(&state, &page, &indicator, &parent, &name, lines, None).await?,
            )
                .into_response())
        }
        ready @ allocation::ImportPreview::Ready { .. } => {
            Ok(preview_page(&state, &page, &indicator, &parent, &name, Vec::new(), Some(ready)).await?.into_response())
        }
    }
}

async fn preview_page(
    state: &AppState,
    page: &Page,
    indicator: &str,
    parent: &str,
    file_name: &str,
    errors: Vec<String>,
    ready: Option<allocation::ImportPreview>,
) -> Result<ImportPreviewPage, AppError> {
    let lang = page.lang;
    let campaign = page.campaign()?;
    let indicator_label =
        campaign.plan.indicator(indicator).map(|i| format!("{} · {}", i.key, i.label)).unwrap_or_default();
    let parent_name = units::by_code(&state.db, parent)
        .await
        .map_err(|e| AppError::internal(lang, e))?
        .map_or_else(|| parent.to_string(), |u| u.name);
    let back = format!(
        "/allocations?indicator={}&parent={}",
        crate::error::urlencode(indicator),
        crate::error::urlencode(parent)
    );
    let mut out = ImportPreviewPage {
        chrome: page.chrome(lang.t("alloc_import.title"), "allocations"),
        back,
        indicator_label,
        parent_name,
        file_name: file_name.to_string(),
        errors,
        id: None,
        rows: Vec::new(),
        untouched: Vec::new(),
        whole_text: String::new(),
        sum_after_text: String::new(),
        mismatch: None,
    };
    if let Some(allocation::ImportPreview::Ready { id, payload, whole, sum_after, untouched }) = ready {
        let dash = || "—".to_string();
        out.id = Some(id);
        out.rows = payload
            .rows
            .iter()
            .map(|r| PreviewLine {
                row: r.row,
                name: r.name.clone(),
                current: r.current.map_or_else(dash, format::integer),
                goal: format::integer(r.goal),
                change: match r.current {
                    Some(c) if c == r.goal => lang.t("alloc_import.unchanged"),
                    Some(c) if r.goal > c => format!("+{}", format::integer(r.goal - c)),
                    Some(c) => format!("−{}", format::integer(c - r.goal)),
                    None => format!("+{}", format::integer(r.goal)),
                },
            })
            .collect();
        out.untouched = untouched.iter().map(|p| p.name.clone()).collect();
        out.whole_text = whole.map_or_else(|| lang.t("allocation.no_goal"), format::integer);
        out.sum_after_text = format::integer(sum_after);
        out.mismatch =
            whole.and_then(|w| phongtrao_domain::progress::check_parts(w, &[sum_after]).message()).map(|m| {
                match (m.split_once(" / "), lang) {
                    (Some((vi, _)), crate::i18n::Lang::Vi) => vi.to_string(),
                    (Some((_, en)), crate::i18n::Lang::En) => en.to_string(),
                    (None, _) => m,
                }
            });
    }
    Ok(out)
}

/// POST /allocations/import/{id}/confirm: stores the previewed table, once.
pub async fn import_confirm(
    State(state): State<AppState>,
    page: Page,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    match allocation::import_confirm(&state, campaign, &actor, &page.client, id).await {
        Ok((payload, _)) => {
            let n = payload.rows.len();
            respond(&state, &page, payload.indicator, payload.parent, Ok(format!("import:{n}")), Entered::default())
                .await
        }
        Err(f) => Err(page.fail(f)),
    }
}

/// After a save or an import: back to the allocation with what was saved, or the
/// page again with the refusal when the input was wrong.
async fn respond(
    state: &AppState,
    page: &Page,
    indicator: String,
    parent: String,
    result: Result<String, crate::error::Failure>,
    entered: Entered,
) -> Result<Response, AppError> {
    match result {
        Ok(saved) => Ok(Redirect::to(&format!(
            "/allocations?indicator={}&parent={}&saved={}",
            crate::error::urlencode(&indicator),
            crate::error::urlencode(&parent),
            crate::error::urlencode(&saved)
        ))
        .into_response()),
        Err(f) if f.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let message = f.message(page.lang).to_string();
            Ok((f.status, build(state, page, Some(indicator), Some(parent), Some(message), None, entered).await?)
                .into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}
