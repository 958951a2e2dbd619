//! The campaigns page (`/campaigns`): every campaign of the database, running ones
//! first, each with its dates and next deadline; the switcher's target
//! (`/campaigns/choose`); the office archives a finished campaign or brings it back.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::format;
use serde::Deserialize;

use crate::actions::campaigns::{self, CampaignSummary};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

pub struct CampaignLine {
    pub code: String,
    pub title: String,
    pub dates: String,
    pub archived: bool,
    pub is_default: bool,
    pub is_chosen: bool,
    pub previous: String,
    pub next_deadline: String,
    /// The steering committee members and whether each is assigned (office only).
    pub members: Vec<campaigns::Member>,
    /// The time "Gửi" was pressed on the phone decides the deadline.
    pub deadline_by_pressed_at: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "campaigns.html")]
pub struct CampaignsPage {
    pub chrome: Chrome,
    pub lines: Vec<CampaignLine>,
    pub can_manage: bool,
    pub saved: String,
}

fn line(lang: Lang, c: &CampaignSummary) -> CampaignLine {
    let tz = chrono_tz::Asia::Ho_Chi_Minh;
    let next_deadline = match (c.next_deadline, c.next_period_end) {
        (Some(d), Some(end)) => match lang {
            Lang::Vi => {
                format!("hạn báo cáo tuần đến {}: {}", format::date(end), format::date_time(&d.with_timezone(&tz)))
            }
            Lang::En => {
                format!("report for the week to {} due {}", format::date(end), format::date_time(&d.with_timezone(&tz)))
            }
        },
        _ => String::new(),
    };
    CampaignLine {
        code: c.code.clone(),
        title: crate::page::with_year(&c.title, c.year),
        dates: format!("{} – {}", format::date(c.starts_on), format::date(c.ends_on)),
        archived: c.status == "archived",
        is_default: c.is_default,
        is_chosen: c.is_chosen,
        previous: c.previous.clone().unwrap_or_default(),
        next_deadline,
        members: Vec::new(),
        deadline_by_pressed_at: c.deadline_by_pressed_at,
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
}

/// GET /campaigns
pub async fn list(State(state): State<AppState>, page: Page, Query(q): Query<ListQuery>) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let chosen = page.campaign().ok();
    let all = campaigns::list(&state, Some(&actor), chosen).await.map_err(|f| page.fail(f))?;
    let can_manage = actor.user.role == phongtrao_domain::role::Role::Admin;
    let mut lines: Vec<CampaignLine> = all.iter().map(|c| line(page.lang, c)).collect();
    // "Tiếp nối chiến dịch …": the earlier campaign by its name, never its code.
    let titles: std::collections::HashMap<String, String> =
        lines.iter().map(|l| (l.code.clone(), l.title.clone())).collect();
    for l in &mut lines {
        if let Some(title) = titles.get(&l.previous) {
            l.previous = title.clone();
        }
    }
    if can_manage {
        for l in &mut lines {
            l.members = campaigns::members(&state, &actor, &page.client, &l.code).await.map_err(|f| page.fail(f))?;
        }
    }
    Ok(CampaignsPage {
        chrome: page.chrome(page.lang.t("campaigns.title"), "campaigns"),
        lines,
        can_manage,
        saved: q.saved.unwrap_or_default(),
    }
    .into_response())
}

#[derive(Deserialize)]
pub struct ChooseQuery {
    campaign: String,
    next: Option<String>,
}

/// GET /campaigns/choose?campaign=CODE&next=/path (from this site's own pages): keeps the choice, back to the
/// page (a page about one report or one week goes to its list instead: that week
/// is another campaign's).
pub async fn choose(
    State(state): State<AppState>,
    page: Page,
    headers: axum::http::HeaderMap,
    Query(q): Query<ChooseQuery>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    // The choice follows the person to every device: a link on another site must not
    // make it (data typed into the wrong campaign). Such a link opens the list of
    // campaigns, where the person chooses.
    if !crate::auth::csrf::from_this_site(&headers) {
        return Ok(Redirect::to("/campaigns").into_response());
    }
    campaigns::choose(&state, &actor, &q.campaign).await.map_err(|f| page.fail(f))?;
    let next = crate::redirect::local_path(q.next.as_deref());
    let path = next.split('?').next().unwrap_or("/");
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    let deep = path.trim_start_matches('/').contains('/') && first != "units" && first != "admin";
    let target = if deep { format!("/{first}") } else { path.to_string() };
    Ok(Redirect::to(&target).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    archived: String,
}

/// POST /campaigns/{code}/status: the office archives a campaign or brings it back.
pub async fn set_status(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let archived = form.archived == "true";
    let c = campaigns::set_archived(&state, &actor, &page.client, &code, archived).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/campaigns?saved={}", c.row.code)).into_response())
}

/// POST /campaigns/{code}/members: the office assigns the campaign's steering
/// committee members (ticked boxes named `m.USERNAME`).
pub async fn set_members(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let names: Vec<String> = form.keys().filter_map(|k| k.strip_prefix("m.")).map(str::to_string).collect();
    campaigns::set_members(&state, &actor, &page.client, &code, &names).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/campaigns?saved={code}#campaign-{code}")).into_response())
}

#[derive(Deserialize)]
pub struct DeadlineForm {
    /// Present (a ticked box) when on.
    by_pressed_at: Option<String>,
}

/// POST /campaigns/{code}/deadline: the office lets the time "Gửi" was pressed on a
/// phone without a connection decide the deadline (a ticked box), or not.
pub async fn set_deadline_rule(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
    Form(form): Form<DeadlineForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let on = form.by_pressed_at.is_some();
    campaigns::set_deadline_by_pressed_at(&state, &actor, &page.client, &code, on).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/campaigns?saved={code}#campaign-{code}")).into_response())
}
