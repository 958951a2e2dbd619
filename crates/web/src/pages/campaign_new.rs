//! /campaigns/new: "Tạo kế hoạch từ năm trước". The office chooses an earlier
//! campaign and the new year, reviews every moved date and the proposed goals
//! (editable, typed the Vietnamese way: "1.200", "95%"), then confirms. Without
//! JavaScript: the review is a form posted again to see the edits, and confirmed
//! with its other button.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::format;
use phongtrao_domain::plan::roll_forward::{parse_goal, DateRule};
use phongtrao_domain::policy::Action;
use phongtrao_storage::campaigns;
use serde::Deserialize;

use crate::actions::campaign_new::{self, Overrides, RollForwardPreview};
use crate::error::{urlencode, AppError, Failure};
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

/// A campaign to start from: (code, "title (year)").
pub struct SourceOption {
    pub code: String,
    pub label: String,
}

/// One moved date, in the reader's language.
pub struct DateLine {
    pub field: String,
    pub old: String,
    pub new: String,
    pub weekday_before: String,
    pub weekday_after: String,
    /// Why it moved so ("giữ ngày: Ngày thành lập Đoàn"), empty for the weekly rule.
    pub why: String,
}

/// One indicator's goal, with the office's text when it was typed.
pub struct GoalLine {
    pub key: String,
    pub label: String,
    pub old_goal: String,
    pub last_result: String,
    pub proposed: String,
    /// What the input holds.
    pub value: String,
    pub error: Option<String>,
    pub edited: bool,
}

pub struct AllocationLine {
    pub indicator: String,
    pub units: usize,
    pub old_total: String,
    pub new_total: String,
    pub inactive_units: usize,
}

pub struct Review {
    pub code: String,
    pub title: String,
    pub weeks: i64,
    pub targets: usize,
    pub indicators: usize,
    pub events: usize,
    pub code_available: bool,
    pub dates: Vec<DateLine>,
    /// Words rewritten: (where, old, new).
    pub texts: Vec<(String, String, String)>,
    pub periods: Vec<String>,
    pub goals: Vec<GoalLine>,
    pub allocations: Vec<AllocationLine>,
    pub findings: Vec<String>,
    pub old_year_mentions: usize,
    pub source_year: i32,
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign_new.html")]
pub struct CampaignNewPage {
    pub chrome: Chrome,
    pub sources: Vec<SourceOption>,
    pub source: String,
    pub year: String,
    pub code: String,
    pub error: Option<String>,
    pub review: Option<Review>,
    /// The code of the campaign just created.
    pub created: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct NewQuery {
    source: Option<String>,
    year: Option<String>,
    created: Option<String>,
}

async fn sources(state: &AppState) -> Result<Vec<SourceOption>, Failure> {
    let mut list = campaigns::list(&state.db).await?;
    list.sort_by(|a, b| b.year.cmp(&a.year).then(b.id.cmp(&a.id)));
    Ok(list
        .into_iter()
        .map(|c| SourceOption { label: format!("{} ({}) — {}", c.title, c.year, c.code), code: c.code })
        .collect())
}

fn goal_text(percent: bool, value: f64) -> String {
    if percent {
        format::percent(value)
    } else {
        format::number(value, 2)
    }
}

fn review_of(lang: Lang, p: &RollForwardPreview, typed: &BTreeMap<String, (String, Option<String>)>) -> Review {
    let vi = lang == Lang::Vi;
    let r = &p.plan;
    let dates = r
        .dates
        .iter()
        .map(|c| DateLine {
            field: if vi { c.field_vi.clone() } else { c.field_en.clone() },
            old: format::date(c.old),
            new: format::date(c.new),
            weekday_before: (if vi { c.weekday_before_vi } else { c.weekday_before_en }).to_string(),
            weekday_after: (if vi { c.weekday_after_vi } else { c.weekday_after_en }).to_string(),
            why: match &c.rule {
                DateRule::Weeks { .. } => String::new(),
                DateRule::Anniversary { name_vi, name_en } => {
                    format!("{} {}", lang.t("campaign_new.kept"), if vi { name_vi } else { name_en })
                }
            },
        })
        .collect();
    let goals = r
        .goals
        .iter()
        .map(|g| {
            let pct = g.kind.goal_is_percent();
            let (value, error) = match typed.get(&g.key) {
                Some((text, error)) => (text.clone(), error.clone()),
                None => (goal_text(pct, g.goal), None),
            };
            GoalLine {
                key: g.key.clone(),
                label: g.label.clone(),
                old_goal: goal_text(pct, g.old_goal),
                last_result: g.last_result.map_or_else(|| "—".to_string(), |v| goal_text(pct, v)),
                proposed: goal_text(pct, g.proposed),
                value,
                error,
                edited: g.edited,
            }
        })
        .collect();
    Review {
        code: r.code.clone(),
        title: r.title.clone(),
        weeks: r.weeks,
        targets: r.targets,
        indicators: r.indicators,
        events: r.events,
        code_available: p.code_available,
        dates,
        texts: r
            .texts
            .iter()
            .map(|t| (if vi { t.field_vi.clone() } else { t.field_en.clone() }, t.old.clone(), t.new.clone()))
            .collect(),
        periods: r
            .periods
            .iter()
            .map(|x| {
                format!(
                    "{} {}: {} – {}",
                    lang.t("campaign_new.week"),
                    x.seq,
                    format::date(x.start),
                    format::date(x.end)
                )
            })
            .collect(),
        goals,
        allocations: p
            .allocations
            .iter()
            .map(|a| AllocationLine {
                indicator: a.indicator.clone(),
                units: a.units,
                old_total: format::integer(a.old_total),
                new_total: format::integer(a.new_total),
                inactive_units: a.inactive_units,
            })
            .collect(),
        findings: r.new_findings.iter().map(|f| if vi { f.message_vi.clone() } else { f.message_en.clone() }).collect(),
        old_year_mentions: r.old_year_mentions,
        source_year: r.source_year,
    }
}

async fn require_office(state: &AppState, page: &Page) -> Result<crate::auth::Actor, AppError> {
    let actor = page.require_actor()?.clone();
    crate::authz::require(state, &actor, &page.client, Action::AdministerCampaign, None)
        .await
        .map_err(|f| page.fail(f))?;
    Ok(actor)
}

fn empty_page(page: &Page, sources: Vec<SourceOption>) -> CampaignNewPage {
    CampaignNewPage {
        chrome: page.chrome(page.lang.t("campaign_new.title"), "campaign_new"),
        sources,
        source: String::new(),
        year: String::new(),
        code: String::new(),
        error: None,
        review: None,
        created: None,
    }
}

/// GET: the form (source campaign, year).
pub async fn form(State(state): State<AppState>, page: Page, Query(q): Query<NewQuery>) -> Result<Response, AppError> {
    require_office(&state, &page).await?;
    let list = sources(&state).await.map_err(|f| page.fail(f))?;
    let mut view = empty_page(&page, list);
    let default = match &q.source {
        Some(code) => campaigns::by_code(&state.db, code).await.map_err(|e| page.fail(e.into()))?,
        // The campaign the office is looking at.
        None => Some(page.campaign()?.clone()),
    };
    if let Some(c) = default {
        view.source = c.row.code.clone();
        view.year = (c.row.year + 1).to_string();
    }
    if let Some(y) = q.year {
        view.year = y;
    }
    view.created = q.created.filter(|c| !c.is_empty());
    Ok(view.into_response())
}

/// Reads the posted form: the source, the year, the code and the goals typed.
struct Posted {
    source: String,
    year_text: String,
    code: String,
    typed: BTreeMap<String, (String, Option<String>)>,
    goals: BTreeMap<String, f64>,
}

fn read_form(lang: Lang, pairs: &[(String, String)]) -> Posted {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let mut typed = BTreeMap::new();
    let mut goals = BTreeMap::new();
    for (name, value) in pairs {
        let Some(key) = name.strip_prefix("g.") else { continue };
        let text = value.trim().to_string();
        if text.is_empty() {
            continue;
        }
        match parse_goal(&text) {
            Some(v) => {
                goals.insert(key.to_string(), v);
                typed.insert(key.to_string(), (text, None));
            }
            None => {
                typed.insert(key.to_string(), (text, Some(lang.t("campaign_new.bad_number"))));
            }
        }
    }
    Posted { source: get("source"), year_text: get("year"), code: get("code"), typed, goals }
}

async fn review_or_error(
    state: &AppState,
    page: &Page,
    actor: &crate::auth::Actor,
    posted: &Posted,
    confirm: bool,
) -> Result<Response, AppError> {
    let list = sources(state).await.map_err(|f| page.fail(f))?;
    let mut view = empty_page(page, list);
    view.source = posted.source.clone();
    view.year = posted.year_text.clone();
    view.code = posted.code.clone();
    let refuse = |mut view: CampaignNewPage, status: StatusCode, message: String| {
        view.error = Some(message);
        Ok((status, view).into_response())
    };
    let Some(source) = campaigns::by_code(&state.db, &posted.source).await.map_err(|e| page.fail(e.into()))? else {
        return refuse(view, StatusCode::UNPROCESSABLE_ENTITY, page.lang.t("campaign_new.choose_source"));
    };
    let Ok(year) = posted.year_text.parse::<i32>() else {
        return refuse(view, StatusCode::UNPROCESSABLE_ENTITY, page.lang.t("campaign_new.bad_year"));
    };
    let overrides =
        Overrides { code: Some(posted.code.clone()).filter(|c| !c.is_empty()), goals: posted.goals.clone() };
    let bad_goals = posted.typed.values().any(|(_, e)| e.is_some());
    if confirm && !bad_goals {
        return match campaign_new::confirm(state, actor, &page.client, &source, year, &overrides).await {
            Ok(created) => {
                Ok(Redirect::to(&format!("/campaigns/new?created={}", urlencode(&created.code))).into_response())
            }
            Err(f) if f.status.is_client_error() && f.status != StatusCode::FORBIDDEN => {
                let message = f.message(page.lang).to_string();
                match campaign_new::preview(state, actor, &page.client, &source, year, &overrides).await {
                    Ok(p) => {
                        view.review = Some(review_of(page.lang, &p, &posted.typed));
                        refuse(view, f.status, message)
                    }
                    Err(_) => refuse(view, f.status, message),
                }
            }
            Err(f) => Err(page.fail(f)),
        };
    }
    match campaign_new::preview(state, actor, &page.client, &source, year, &overrides).await {
        Ok(p) => {
            view.review = Some(review_of(page.lang, &p, &posted.typed));
            if bad_goals {
                return refuse(view, StatusCode::UNPROCESSABLE_ENTITY, page.lang.t("campaign_new.fix_goals"));
            }
            Ok(view.into_response())
        }
        Err(f) if f.status.is_client_error() && f.status != StatusCode::FORBIDDEN => {
            let message = f.message(page.lang).to_string();
            refuse(view, f.status, message)
        }
        Err(f) => Err(page.fail(f)),
    }
}

/// POST /campaigns/new: the review (nothing stored).
pub async fn preview(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = require_office(&state, &page).await?;
    let posted = read_form(page.lang, &pairs);
    review_or_error(&state, &page, &actor, &posted, false).await
}

/// POST /campaigns/new/confirm: stores the new campaign.
pub async fn confirm(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = require_office(&state, &page).await?;
    let posted = read_form(page.lang, &pairs);
    review_or_error(&state, &page, &actor, &posted, true).await
}
