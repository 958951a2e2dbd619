//! A unit's part of a campaign (issue #21): its own plan ("Kế hoạch của đơn vị") and
//! its report up ("Báo cáo lên cấp trên"). The work is in `actions::unit_plan`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use phongtrao_domain::format;
use serde::Deserialize;

use crate::actions::reports::ReportFailure;
use crate::actions::unit_plan::{self, UpInput};
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct ShowQuery {
    /// Just confirmed: the new plan's code.
    #[serde(default)]
    pub confirmed: Option<String>,
}

pub struct GoalLine {
    pub label: String,
    pub goal: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "unit_plan.html")]
pub struct UnitPlanPage {
    pub chrome: Chrome,
    pub parent_code: String,
    pub parent_title: String,
    pub unit_code: String,
    pub unit_name: String,
    pub given: Vec<GoalLine>,
    pub own_code: Option<String>,
    pub own_title: Option<String>,
    pub lowering_allowed: bool,
    pub can_start: bool,
    /// The parent's weeks, each with the page of the unit's report up.
    pub weeks: Vec<WeekLink>,
    pub confirmed: bool,
}

pub struct WeekLink {
    pub label: String,
    pub href: String,
}

/// `/campaigns/{code}/units/{unit}/plan`: what the parent gave the unit, its own plan.
pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((code, unit)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<ShowQuery>,
) -> Result<UnitPlanPage, AppError> {
    let actor = page.require_actor()?.clone();
    let parent =
        crate::campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await.map_err(|f| page.fail(f))?;
    let o = unit_plan::overview(&state, &actor, &page.client, &parent, &unit).await.map_err(|f| page.fail(f))?;
    Ok(UnitPlanPage {
        chrome: page.chrome(
            format!("{} · {}", page.lang.pick("Kế hoạch của đơn vị", "The unit's plan"), o.unit_name),
            "unit_plan",
        ),
        parent_code: o.parent_campaign.clone(),
        parent_title: o.parent_title.clone(),
        unit_code: o.unit_code.clone(),
        unit_name: o.unit_name.clone(),
        given: o
            .given
            .iter()
            .map(|g| GoalLine {
                label: g.label.clone(),
                goal: format!("{} {}", format::number(g.goal as f64, 0), g.unit_label.clone().unwrap_or_default())
                    .trim()
                    .to_string(),
            })
            .collect(),
        can_start: o.own_campaign.is_none() && !parent.row.is_archived(),
        confirmed: q.confirmed.is_some(),
        weeks: if o.own_campaign.is_some() {
            parent
                .plan
                .periods()
                .iter()
                .map(|p| WeekLink {
                    label: format!(
                        "{} {} ({} {} – {}; {} {})",
                        page.lang.pick("Tuần", "Week"),
                        p.seq,
                        page.lang.pick("từ", "from"),
                        format::date(p.start),
                        format::date(p.end),
                        page.lang.pick("hạn", "due"),
                        format::date_time(&p.deadline)
                    ),
                    href: format!(
                        "/reports/{}/{}/up?campaign={}",
                        o.unit_code,
                        p.end.format("%Y-%m-%d"),
                        o.parent_campaign
                    ),
                })
                .collect()
        } else {
            Vec::new()
        },
        own_code: o.own_campaign,
        own_title: o.own_title,
        lowering_allowed: o.lowering_allowed,
    })
}

/// "Lập kế hoạch của đơn vị": the unit's plan, derived from the parent's, in the editor.
pub async fn start(
    State(state): State<AppState>,
    page: Page,
    Path((code, unit)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let parent =
        crate::campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await.map_err(|f| page.fail(f))?;
    let id = unit_plan::start(&state, &actor, &page.client, &parent, &unit).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/admin/plan/drafts/{id}")).into_response())
}

/// `/unit-plan`: the office of a unit goes to its unit's part of the campaign shown.
pub async fn mine(State(state): State<AppState>, page: Page) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    // In a unit's own plan, its part is in the parent's campaign.
    let parent = match campaign.row.parent_campaign_id {
        Some(id) => phongtrao_storage::campaigns::by_id(&state.db, id)
            .await
            .map_err(|e| page.fail(e.into()))?
            .unwrap_or_else(|| campaign.clone()),
        None => campaign.clone(),
    };
    let unit = unit_plan::first_unit(&state, &actor).await.map_err(|f| page.fail(f))?;
    match unit {
        Some(u) => Ok(Redirect::to(&format!("/campaigns/{}/units/{}/plan", parent.row.code, u.code)).into_response()),
        None => Err(AppError::not_found(page.lang)),
    }
}

pub struct UpRow {
    pub key: String,
    pub label: String,
    pub from_units: String,
    pub own_level: String,
    pub total: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "report_up.html")]
pub struct ReportUpPage {
    pub chrome: Chrome,
    pub unit_code: String,
    pub unit_name: String,
    pub parent_code: String,
    pub own_code: String,
    pub week: u32,
    pub period: String,
    pub period_end: String,
    pub own_period: String,
    pub rows: Vec<UpRow>,
    pub status: String,
    pub version: i64,
    pub error: Option<String>,
    pub sent: bool,
    /// Not yet sent, or returned: the unit may (re)send it.
    pub editable: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct UpQuery {
    #[serde(default)]
    pub sent: Option<u8>,
}

async fn render(
    state: &AppState,
    page: &Page,
    unit: &str,
    period: NaiveDate,
    error: Option<String>,
    sent: bool,
) -> Result<ReportUpPage, AppError> {
    let actor = page.require_actor()?.clone();
    let parent = page.campaign()?;
    let up = unit_plan::report_up(state, &actor, &page.client, parent, unit, period).await.map_err(|f| page.fail(f))?;
    let lang = page.lang;
    let status = match up.status.as_deref() {
        None => lang.pick("chưa gửi", "not sent"),
        Some("draft") => lang.pick("bản nháp", "draft"),
        Some("submitted") => lang.pick("đã gửi, chờ duyệt", "sent, awaiting review"),
        Some("accepted") => lang.pick("đã được duyệt", "accepted"),
        Some("returned") => lang.pick("bị trả lại", "returned"),
        Some(other) => other,
    }
    .to_string();
    let editable = matches!(up.status.as_deref(), None | Some("draft") | Some("returned"));
    Ok(ReportUpPage {
        editable,
        chrome: page
            .chrome(format!("{} · {}", lang.pick("Báo cáo lên cấp trên", "Report up"), up.unit_name), "reports"),
        unit_code: up.unit_code.clone(),
        unit_name: up.unit_name.clone(),
        parent_code: up.parent_campaign.clone(),
        own_code: up.own_campaign.clone(),
        week: up.week,
        period: format::date(up.period_end),
        period_end: up.period_end.format("%Y-%m-%d").to_string(),
        own_period: up.own_period_end.map(format::date).unwrap_or_default(),
        rows: up
            .lines
            .iter()
            .map(|l| UpRow {
                key: l.key.clone(),
                label: l.label.clone(),
                from_units: format::number(l.from_units as f64, 0),
                own_level: if l.own_level == 0 { String::new() } else { format::number(l.own_level as f64, 0) },
                total: format::number(l.total as f64, 0),
            })
            .collect(),
        status,
        version: up.version,
        error,
        sent,
    })
}

fn period_of(page: &Page, period: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(period, "%Y-%m-%d").map_err(|_| AppError::not_found(page.lang))
}

/// `/reports/{unit}/{period}/up`: the unit's week to its parent, computed from its
/// units' reports in its own plan.
pub async fn show_up(
    State(state): State<AppState>,
    page: Page,
    Path((unit, period)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<UpQuery>,
) -> Result<ReportUpPage, AppError> {
    let end = period_of(&page, &period)?;
    render(&state, &page, &unit, end, None, q.sent.is_some()).await
}

/// "Gửi báo cáo lên cấp trên".
pub async fn submit_up(
    State(state): State<AppState>,
    page: Page,
    Path((unit, period)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let end = period_of(&page, &period)?;
    let parent = page.campaign()?.clone();
    let mut input = UpInput::default();
    for (name, value) in form {
        if let Some(key) = name.strip_prefix("own.") {
            input.own_level.insert(key.to_string(), value);
        } else {
            match name.as_str() {
                "highlights" => input.highlights = value,
                "difficulties" => input.difficulties = value,
                "proposals" => input.proposals = value,
                "version" => input.version = value.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
    }
    match unit_plan::submit_up(&state, &actor, &page.client, &parent, &unit, end, &input).await {
        Ok(up) => Ok(Redirect::to(&format!(
            "/reports/{}/{}/up?campaign={}&sent=1",
            up.unit_code,
            up.period_end.format("%Y-%m-%d"),
            up.parent_campaign
        ))
        .into_response()),
        Err(ReportFailure::Other(f)) if f.status.is_client_error() && f.status != axum::http::StatusCode::FORBIDDEN => {
            let status = f.status;
            let message = f.message(page.lang).to_string();
            Ok((status, render(&state, &page, &unit, end, Some(message), false).await?).into_response())
        }
        Err(ReportFailure::Other(f)) => Err(page.fail(f)),
        Err(ReportFailure::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|e| page.lang.pick(&e.message_vi, &e.message_en).to_string())
                .collect::<Vec<_>>()
                .join(" ");
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&state, &page, &unit, end, Some(message), false).await?,
            )
                .into_response())
        }
        Err(ReportFailure::Conflict(_)) => {
            let message = page
                .lang
                .pick(
                    "Báo cáo vừa được thay đổi ở nơi khác: số liệu dưới đây là bản mới nhất, hãy xem lại rồi gửi.",
                    "The report changed meanwhile: the figures below are the latest; check them and send again.",
                )
                .to_string();
            Ok((axum::http::StatusCode::CONFLICT, render(&state, &page, &unit, end, Some(message), false).await?)
                .into_response())
        }
    }
}
