//! The weekly report form (and the unit plan form), the list of a user's reports,
//! history and review. Works without JavaScript; app.js only autosaves drafts.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDate, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use phongtrao_domain::format;
use phongtrao_domain::policy::{allows, Action};
use phongtrao_domain::report::{ActivityInput, FieldError, FieldInput, ReportInput, ReportKind, Status, Warning};
use phongtrao_storage::reports::{self, ReportRow, SaveAction};
use phongtrao_storage::{campaigns, units};
use serde::Deserialize;

use crate::actions::reports::{self as report_actions, FormContext, ReportFailure};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

pub struct FieldView {
    /// The indicator's key as on the dashboard ("2a", "15c"): the sub-letters stay.
    pub key: String,
    pub label: String,
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub goal: String,
    pub total: String,
    pub hint: String,
    pub error: Option<String>,
}

pub struct ActivityView {
    pub index: usize,
    pub a: ActivityInput,
    pub launch: bool,
    /// (field, message): each shown under its input and linked to it.
    pub errors: Vec<(String, String)>,
    pub last: bool,
}

impl ActivityView {
    /// The error of one of the row's fields, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// ` aria-describedby="…" aria-invalid="true"` for a field with an error.
    pub fn aria(&self, field: &str) -> String {
        if self.error(field).is_some() {
            format!(" aria-describedby=\"e-a{}-{field}\" aria-invalid=\"true\"", self.index)
        } else {
            String::new()
        }
    }

    /// Errors of the row that belong to no input of the form.
    pub fn other_errors(&self) -> Vec<&str> {
        const INPUTS: [&str; 8] = ["title", "held_on", "area", "place", "participants", "funds", "result", "tag"];
        self.errors.iter().filter(|(f, _)| !INPUTS.contains(&f.as_str())).map(|(_, m)| m.as_str()).collect()
    }
}

pub struct DiffLine {
    pub label: String,
    pub mine: String,
    pub theirs: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "report.html")]
pub struct ReportPage {
    pub chrome: Chrome,
    pub unit_code: String,
    pub unit_name: String,
    pub heading: String,
    pub period_label: String,
    pub period_param: String,
    pub deadline: String,
    pub window_min: String,
    pub window_max: String,
    pub status: String,
    pub status_key: String,
    pub timeliness: Option<String>,
    pub version: i64,
    pub editable: bool,
    pub can_review: bool,
    pub review_comment: Option<String>,
    pub fields: Vec<FieldView>,
    pub activities: Vec<ActivityView>,
    pub areas: Vec<(String, String)>,
    pub highlights: String,
    pub difficulties: String,
    pub proposals: String,
    pub confirm_above_base: bool,
    /// "Không phát sinh trong tuần", as typed (the checkbox) and as stored (the badge).
    pub nothing_to_report: bool,
    pub stored_nothing_to_report: bool,
    pub nothing_error: Option<String>,
    pub errors: Vec<FieldError>,
    pub warnings: Vec<Warning>,
    pub message: Option<String>,
    pub conflict: Option<(String, Vec<DiffLine>)>,
    /// The stored version was saved by the same person (another tab or device).
    pub conflict_self: bool,
    pub guide: usize,
    pub max: usize,
    pub is_plan: bool,
}

fn period_param(ctx: &FormContext) -> String {
    ctx.period.as_ref().map(|p| p.end.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "plan".into())
}

fn status_label(status: Status, lang: Lang) -> String {
    match lang {
        Lang::Vi => status.label_vi().into(),
        Lang::En => status.label_en().into(),
    }
}

/// A report's status as shown in a list (its label and its CSS key); without a
/// report, "missing" once its deadline has passed, else "not started".
pub(crate) fn report_status(r: Option<&ReportRow>, past_due: bool, lang: Lang) -> (String, String) {
    match r {
        Some(r) => (status_label(r.status(), lang), r.status.clone()),
        None if past_due => (lang.t("report.missing"), "missing".into()),
        None => (lang.t("report.not_started"), "none".into()),
    }
}

/// "Đúng hạn" / "Trễ hạn" for a report's stored timeliness.
pub(crate) fn timeliness_label(t: &str, lang: Lang) -> String {
    match (t, lang) {
        ("on_time", Lang::Vi) => "Đúng hạn".into(),
        ("late", Lang::Vi) => "Trễ hạn".into(),
        ("on_time", Lang::En) => "On time".into(),
        ("late", Lang::En) => "Late".into(),
        (other, _) => other.into(),
    }
}

/// The goal the unit works to, as its home page says it: a count's goal allocated
/// to the unit ("chưa giao chỉ tiêu" when none), the plan's goal at the top of the
/// tree and for percentages and shares (the same for every unit).
fn unit_goal(ctx: &FormContext, i: &phongtrao_domain::plan::Indicator, lang: Lang) -> String {
    use phongtrao_domain::plan::IndicatorKind;
    if i.kind != IndicatorKind::Count || ctx.unit.parent_id.is_none() {
        return crate::pages::targets::goal_text(i, lang);
    }
    match ctx.allocated.as_ref().and_then(|goals| goals.get(&i.key)) {
        Some(goal) => {
            let label = i.unit_label.as_deref().unwrap_or("");
            format!("{} {} {label}", i.comparison.symbol(), format::integer(*goal)).trim_end().to_string()
        }
        None => lang.t("dash_no_goal"),
    }
}

/// The form as it should be shown: from what the person typed (after a failed
/// save), else the stored draft.
fn build(
    page: &Page,
    ctx: &FormContext,
    input: &ReportInput,
    errors: Vec<FieldError>,
    warnings: Vec<Warning>,
    extra_rows: usize,
) -> ReportPage {
    let lang = page.lang;
    let plan = &ctx.campaign.plan;
    let report = ctx.report.as_ref();
    let status = report.map(|r| r.status()).unwrap_or(Status::Draft);
    let error_of = |name: &str| {
        errors.iter().find(|e| e.field == name).map(|e| match lang {
            Lang::Vi => e.message_vi.clone(),
            Lang::En => e.message_en.clone(),
        })
    };
    let fields = ctx
        .fields
        .iter()
        .map(|f| {
            let indicator = plan.indicator(&f.key);
            let value = input.values.get(&f.key).cloned().unwrap_or_default();
            let before = ctx.totals_before.get(&f.key).copied().unwrap_or(0);
            let (kind, hint) = match &f.input {
                FieldInput::Count => ("count", lang.t("report.hint_count")),
                FieldInput::Reached => {
                    let base = indicator.and_then(|i| i.base).map(|b| match ctx.base.get(&b) {
                        Some(v) => format!("{}: {}", b.label_vi(), format::integer(*v)),
                        None => format!("{}: {}", b.label_vi(), lang.t("units.missing")),
                    });
                    ("reached", base.unwrap_or_default())
                }
                FieldInput::YesNo => ("yesno", lang.t("report.hint_yesno")),
                FieldInput::UnitsDone { expected } => {
                    ("units", format!("{} {}", lang.t("report.hint_units"), expected))
                }
            };
            FieldView {
                key: f.key.clone(),
                label: f.label.clone(),
                kind,
                checked: matches!(value.as_str(), "1" | "on" | "true"),
                value,
                goal: indicator.map(|i| unit_goal(ctx, i, lang)).unwrap_or_default(),
                total: format::integer(before),
                hint,
                error: error_of(&format!("values.{}", f.key)),
            }
        })
        .collect();
    let mut rows: Vec<ActivityInput> = input.activities.clone();
    let blanks = if rows.is_empty() { 2 } else { 1 } + extra_rows;
    rows.extend((0..blanks).map(|_| ActivityInput::default()));
    let row_count = rows.len();
    let activities = rows
        .into_iter()
        .enumerate()
        .map(|(index, a)| {
            let prefix = format!("activities[{index}].");
            let errors = errors
                .iter()
                .filter_map(|e| {
                    let field = e.field.strip_prefix(&prefix)?;
                    let message = match lang {
                        Lang::Vi => e.message_vi.clone(),
                        Lang::En => e.message_en.clone(),
                    };
                    Some((field.to_string(), message))
                })
                .collect();
            ActivityView { index, launch: a.tag == "launch", a, errors, last: index + 1 == row_count }
        })
        .collect();
    let (heading, period_label) = match &ctx.period {
        Some(p) => (
            format!("{} {}", lang.t("report.weekly"), p.seq),
            format!("{} – {}", format::date(p.start), format::date(p.end)),
        ),
        None => {
            (lang.t("report.unit_plan"), format!("{} – {}", format::date(ctx.window.0), format::date(ctx.window.1)))
        }
    };
    let deadline_local = ctx.due_at.with_timezone(&Ho_Chi_Minh);
    let deadline = if ctx.period.is_some() {
        format::date_time(&deadline_local)
    } else {
        format!("{} {}", lang.t("report.before_day"), format::date(deadline_local.date_naive()))
    };
    let can_review = page.actor.as_ref().is_some_and(|a| {
        a.user.role != phongtrao_domain::role::Role::Unit && a.user.role != phongtrao_domain::role::Role::Viewer
    });
    ReportPage {
        chrome: page.chrome(format!("{} · {}", heading, ctx.unit.name), "reports"),
        unit_code: ctx.unit.code.clone(),
        unit_name: ctx.unit.name.clone(),
        heading,
        period_label,
        period_param: period_param(ctx),
        deadline,
        window_min: ctx.window.0.format("%Y-%m-%d").to_string(),
        window_max: ctx.window.1.format("%Y-%m-%d").to_string(),
        status: status_label(status, lang),
        status_key: status.as_str().into(),
        timeliness: report.and_then(|r| r.timeliness.as_deref()).map(|t| timeliness_label(t, lang)),
        version: report.map(|r| r.version).unwrap_or(0),
        editable: status.editable(),
        can_review: can_review && status == Status::Submitted,
        review_comment: report.and_then(|r| r.review_comment.clone()).filter(|c| !c.is_empty()),
        fields,
        activities,
        areas: plan.areas.iter().map(|a| (a.number.clone(), format!("{}. {}", a.number, a.title))).collect(),
        highlights: input.highlights.clone(),
        difficulties: input.difficulties.clone(),
        proposals: input.proposals.clone(),
        confirm_above_base: input.confirm_above_base,
        nothing_to_report: input.nothing_to_report,
        stored_nothing_to_report: report.is_some_and(|r| r.status().counts() && r.nothing_to_report()),
        nothing_error: error_of("nothing_to_report"),
        errors,
        warnings,
        message: None,
        conflict: None,
        conflict_self: false,
        guide: phongtrao_domain::report::NARRATIVE_GUIDE,
        max: phongtrao_domain::report::NARRATIVE_MAX,
        is_plan: ctx.kind == ReportKind::UnitPlan,
    }
}

fn kind_and_end(period: &str) -> Option<(ReportKind, Option<NaiveDate>)> {
    if period == "plan" {
        Some((ReportKind::UnitPlan, None))
    } else {
        NaiveDate::parse_from_str(period, "%Y-%m-%d").ok().map(|d| (ReportKind::Weekly, Some(d)))
    }
}

async fn load(state: &AppState, page: &Page, unit: &str, period: &str) -> Result<FormContext, AppError> {
    let (kind, end) = kind_and_end(period).ok_or_else(|| AppError::not_found(page.lang))?;
    let actor = page.require_actor()?;
    let mut ctx = report_actions::load(state, unit, kind, end).await.map_err(|f| page.fail(f))?;
    report_actions::authorize_read(state, actor, &page.client, &ctx).await.map_err(|f| page.fail(f))?;
    let goals = phongtrao_storage::allocations::for_units(&state.db, ctx.campaign.row.id, &[ctx.unit.id])
        .await
        .map_err(|e| AppError::internal(page.lang, e))?;
    ctx.allocated = Some(goals.into_iter().map(|((key, _), goal)| (key, goal)).collect());
    Ok(ctx)
}

/// The stored working copy: the draft, or what was submitted.
fn stored_input(ctx: &FormContext) -> ReportInput {
    ctx.report.as_ref().map(ReportRow::draft).unwrap_or_default()
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Path((unit, period)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> Result<ReportPage, AppError> {
    let ctx = load(&state, &page, &unit, &period).await?;
    let mut view = build(&page, &ctx, &stored_input(&ctx), Vec::new(), Vec::new(), 0);
    view.message = q.saved.map(|s| match s.as_str() {
        "submit" => page.lang.t("report.submitted"),
        "review" => page.lang.t("report.reviewed"),
        _ => page.lang.t("report.draft_saved"),
    });
    Ok(view)
}

/// Reads the form's fields: v.KEY, a.N.FIELD, narratives.
pub fn input_from_form(pairs: &[(String, String)]) -> (ReportInput, i64, String) {
    let mut input = ReportInput::default();
    let mut version = 0;
    let mut action = String::from("save");
    let mut rows: BTreeMap<usize, ActivityInput> = BTreeMap::new();
    for (name, value) in pairs {
        if let Some(key) = name.strip_prefix("v.") {
            input.values.insert(key.to_string(), value.clone());
        } else if let Some(rest) = name.strip_prefix("a.") {
            let Some((index, field)) = rest.split_once('.') else {
                continue;
            };
            let Ok(index) = index.parse::<usize>() else {
                continue;
            };
            if index >= 200 {
                continue;
            }
            let row = rows.entry(index).or_default();
            let slot = match field {
                "title" => &mut row.title,
                "held_on" => &mut row.held_on,
                "area" => &mut row.area,
                "place" => &mut row.place,
                "participants" => &mut row.participants,
                "funds" => &mut row.funds,
                "result" => &mut row.result,
                "tag" => &mut row.tag,
                _ => continue,
            };
            *slot = value.replace("\r\n", "\n");
        } else {
            match name.as_str() {
                // A browser sends a textarea's line breaks as CRLF, the autosave as LF:
                // stored the same, so that the two compare equal.
                "highlights" => input.highlights = value.replace("\r\n", "\n"),
                "difficulties" => input.difficulties = value.replace("\r\n", "\n"),
                "proposals" => input.proposals = value.replace("\r\n", "\n"),
                "confirm_above_base" => input.confirm_above_base = true,
                "nothing_to_report" => input.nothing_to_report = true,
                "version" => version = value.trim().parse().unwrap_or(0),
                "action" => action = value.clone(),
                _ => {}
            }
        }
    }
    // Blank rows from the form are dropped; an activity whose area is the only thing
    // chosen counts as blank too (the select always sends a value).
    input.activities = rows
        .into_values()
        .filter(|a| {
            [&a.title, &a.held_on, &a.place, &a.participants, &a.funds, &a.result].iter().any(|s| !s.trim().is_empty())
        })
        .collect();
    (input, version, action)
}

pub async fn save(
    State(state): State<AppState>,
    page: Page,
    Path((unit, period)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let ctx = load(&state, &page, &unit, &period).await?;
    let actor = page.require_actor()?.clone();
    let (input, version, action) = input_from_form(&pairs);
    let (save_action, extra_rows) = match action.as_str() {
        "submit" => (SaveAction::Submit, 0),
        "add_row" => (SaveAction::Draft, 1),
        _ => (SaveAction::Draft, 0),
    };
    match report_actions::save(&state, &actor, &page.client, &ctx, &input, version, save_action, None, None).await {
        Ok((_, _)) if extra_rows > 0 => {
            let ctx = load(&state, &page, &unit, &period).await?;
            Ok(build(&page, &ctx, &input, Vec::new(), Vec::new(), extra_rows).into_response())
        }
        Ok((_, _)) => {
            let which = if save_action == SaveAction::Submit { "submit" } else { "draft" };
            Ok(Redirect::to(&format!("/reports/{unit}/{period}?saved={which}")).into_response())
        }
        Err(ReportFailure::Invalid(errors)) => {
            let mut view = build(&page, &ctx, &input, errors, Vec::new(), 0);
            view.version = version;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response())
        }
        Err(ReportFailure::Conflict(current)) => {
            let theirs = current.draft();
            let mut diff = Vec::new();
            for f in &ctx.fields {
                let mine = input.values.get(&f.key).cloned().unwrap_or_default();
                let other = theirs.values.get(&f.key).cloned().unwrap_or_default();
                if mine.trim() != other.trim() {
                    diff.push(DiffLine { label: format!("{} · {}", f.key, f.label), mine, theirs: other });
                }
            }
            for (label, mine, other) in [
                (page.lang.t("report.highlights"), &input.highlights, &theirs.highlights),
                (page.lang.t("report.difficulties"), &input.difficulties, &theirs.difficulties),
                (page.lang.t("report.proposals"), &input.proposals, &theirs.proposals),
            ] {
                if mine.trim() != other.trim() {
                    diff.push(DiffLine { label, mine: mine.clone(), theirs: other.clone() });
                }
            }
            if input.activities.len() != theirs.activities.len() {
                diff.push(DiffLine {
                    label: page.lang.t("report.activities"),
                    mine: input.activities.len().to_string(),
                    theirs: theirs.activities.len().to_string(),
                });
            }
            let when = current.updated_at.with_timezone(&Ho_Chi_Minh).format("%H:%M:%S %d/%m/%Y").to_string();
            let who = current.updated_by.clone();
            // Show the stored version, so that the person can redo their change on top.
            let mut fresh = ctx;
            fresh.report = Some(*current);
            let mut view = build(&page, &fresh, &theirs, Vec::new(), Vec::new(), 0);
            view.conflict_self = page.actor.as_ref().is_some_and(|a| a.user.username == who);
            view.conflict = Some((format!("{who} · {when}"), diff));
            Ok((StatusCode::CONFLICT, view).into_response())
        }
        Err(ReportFailure::Other(f)) => Err(page.fail(f)),
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    decision: String,
    #[serde(default)]
    comment: String,
    version: i64,
}

pub async fn review(
    State(state): State<AppState>,
    page: Page,
    Path((unit, period)): Path<(String, String)>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, AppError> {
    let ctx = load(&state, &page, &unit, &period).await?;
    let actor = page.require_actor()?.clone();
    let accept = f.decision == "accept";
    match report_actions::review(&state, &actor, &page.client, &ctx, accept, &f.comment, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{unit}/{period}?saved=review")).into_response()),
        Err(ReportFailure::Other(failure)) => Err(page.fail(failure)),
        Err(ReportFailure::Conflict(_)) => Err(page.fail(crate::error::Failure::new(
            StatusCode::CONFLICT,
            "conflict",
            "Báo cáo vừa thay đổi; hãy tải lại trang.",
            "The report changed meanwhile; reload the page.",
        ))),
        Err(ReportFailure::Invalid(_)) => Err(AppError::not_found(page.lang)),
    }
}

pub struct VersionLine {
    pub version: i64,
    pub action: String,
    pub status: String,
    pub at: String,
    pub by: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "report_history.html")]
pub struct HistoryPage {
    pub chrome: Chrome,
    pub unit_code: String,
    pub unit_name: String,
    pub period_param: String,
    pub lines: Vec<VersionLine>,
    pub compare: Option<(String, String, Vec<DiffLine>)>,
}

#[derive(Deserialize, Default)]
pub struct CompareQuery {
    a: Option<usize>,
    b: Option<usize>,
}

fn snapshot_values(json: &str) -> (BTreeMap<String, String>, String) {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    let draft: ReportInput = serde_json::from_value(v["draft"].clone()).unwrap_or_default();
    let mut values = draft.values.clone();
    values.insert("highlights".into(), draft.highlights);
    values.insert("difficulties".into(), draft.difficulties);
    values.insert("proposals".into(), draft.proposals);
    values.insert("activities".into(), draft.activities.len().to_string());
    (values, v["comment"].as_str().unwrap_or("").to_string())
}

pub async fn history(
    State(state): State<AppState>,
    page: Page,
    Path((unit, period)): Path<(String, String)>,
    Query(q): Query<CompareQuery>,
) -> Result<HistoryPage, AppError> {
    let ctx = load(&state, &page, &unit, &period).await?;
    let versions = match &ctx.report {
        Some(r) => reports::versions(&state.db, r.id).await.map_err(|e| AppError::internal(page.lang, e))?,
        None => Vec::new(),
    };
    let lang = page.lang;
    let lines: Vec<VersionLine> = versions
        .iter()
        .map(|v| VersionLine {
            version: v.version,
            action: lang.t(&format!("report.action_{}", v.action)),
            status: Status::parse(&v.status).map(|s| status_label(s, lang)).unwrap_or_else(|| v.status.clone()),
            at: v.saved_at.with_timezone(&Ho_Chi_Minh).format("%H:%M:%S %d/%m/%Y").to_string(),
            by: v.saved_by.clone(),
        })
        .collect();
    let compare = match (q.a, q.b) {
        (Some(a), Some(b)) if a < versions.len() && b < versions.len() => {
            let (va, _) = snapshot_values(&versions[a].snapshot_json);
            let (vb, _) = snapshot_values(&versions[b].snapshot_json);
            let mut keys: Vec<&String> = va.keys().chain(vb.keys()).collect();
            keys.sort();
            keys.dedup();
            let diff = keys
                .into_iter()
                .filter_map(|k| {
                    let (x, y) = (va.get(k).cloned().unwrap_or_default(), vb.get(k).cloned().unwrap_or_default());
                    (x.trim() != y.trim()).then(|| DiffLine { label: k.clone(), mine: x, theirs: y })
                })
                .collect();
            Some((format!("#{}", a + 1), format!("#{}", b + 1), diff))
        }
        _ => None,
    };
    Ok(HistoryPage {
        chrome: page.chrome(lang.t("report.history"), "reports"),
        unit_code: ctx.unit.code.clone(),
        unit_name: ctx.unit.name.clone(),
        period_param: period_param(&ctx),
        lines,
        compare,
    })
}

pub struct ListCell {
    pub href: String,
    pub status: String,
    pub status_key: String,
    pub timeliness: String,
    /// Sent as "không phát sinh trong tuần".
    pub nothing: bool,
}

pub struct ListRow {
    pub unit_code: String,
    pub unit_name: String,
    pub plan: ListCell,
    pub weeks: Vec<ListCell>,
}

impl ListRow {
    /// The cell of the week shown first (this week).
    pub fn week(&self, index: usize) -> Option<&ListCell> {
        self.weeks.get(index)
    }
}

/// The week a reporter works on now: the first whose deadline is still to come
/// (the last once the campaign is over).
pub struct CurrentWeek {
    pub index: usize,
    pub seq: u32,
    pub range: String,
    pub deadline: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub chrome: Chrome,
    pub periods: Vec<(u32, String, String, bool)>,
    pub rows: Vec<ListRow>,
    pub is_admin: bool,
    pub current: Option<CurrentWeek>,
}

/// The reports the user can open: units as rows, the unit plan and each week as columns.
pub async fn list(State(state): State<AppState>, page: Page) -> Result<ReportsPage, AppError> {
    let actor = page.require_actor()?.clone();
    let lang = page.lang;
    let db = &state.db;
    let campaign = campaigns::current(db).await.map_err(|e| AppError::internal(lang, e))?;
    let policy = actor.policy();
    let everything = allows(&policy, Action::ReadEverything, &[]);
    let levels = &campaign.plan.reporting.levels;
    let unit_rows: Vec<units::UnitRow> = if everything {
        units::list(db)
            .await
            .map_err(|e| AppError::internal(lang, e))?
            .into_iter()
            .filter(|u| u.active && u.level().is_some_and(|l| levels.contains(&l)))
            .collect()
    } else {
        report_actions::reporting_units_of(&state, &actor, &campaign).await.map_err(|f| page.fail(f))?
    };
    let ids: Vec<i64> = unit_rows.iter().map(|u| u.id).collect();
    let weekly = reports::list(db, campaign.row.id, ReportKind::Weekly, Some(&ids), None)
        .await
        .map_err(|e| AppError::internal(lang, e))?;
    let plans = reports::list(db, campaign.row.id, ReportKind::UnitPlan, Some(&ids), None)
        .await
        .map_err(|e| AppError::internal(lang, e))?;
    let by_key: HashMap<(i64, i64), &ReportRow> = weekly.iter().map(|r| ((r.unit_id, r.period_seq), r)).collect();
    let plan_of: HashMap<i64, &ReportRow> = plans.iter().map(|r| (r.unit_id, r)).collect();
    let periods = campaign.plan.periods();
    let now = state.now();
    let cell = |r: Option<&&ReportRow>, href: String, past_due: bool| {
        let (status, status_key) = report_status(r.copied(), past_due, lang);
        ListCell {
            href,
            status,
            status_key,
            timeliness: r.and_then(|r| r.timeliness.as_deref()).map(|t| timeliness_label(t, lang)).unwrap_or_default(),
            nothing: r.is_some_and(|r| r.status().counts() && r.nothing_to_report()),
        }
    };
    let rows = unit_rows
        .iter()
        .map(|u| ListRow {
            unit_code: u.code.clone(),
            unit_name: u.name.clone(),
            plan: cell(plan_of.get(&u.id), format!("/reports/{}/plan", u.code), true),
            weeks: periods
                .iter()
                .map(|p| {
                    cell(
                        by_key.get(&(u.id, i64::from(p.seq))),
                        report_actions::week_href(&u.code, p.end),
                        p.deadline.with_timezone(&Utc) < now,
                    )
                })
                .collect(),
        })
        .collect();
    let current_index =
        periods.iter().position(|p| p.deadline.with_timezone(&Utc) > now).or_else(|| periods.len().checked_sub(1));
    let current = current_index.and_then(|index| {
        let p = periods.get(index)?;
        Some(CurrentWeek {
            index,
            seq: p.seq,
            range: format!("{} – {}", format::date(p.start), format::date(p.end)),
            deadline: format::date_time(&p.deadline.with_timezone(&Ho_Chi_Minh)),
        })
    });
    Ok(ReportsPage {
        current,
        chrome: page.chrome(lang.t("report.list_title"), "reports"),
        periods: periods
            .iter()
            .map(|p| {
                (p.seq, format::date(p.end), p.end.format("%Y-%m-%d").to_string(), p.deadline.with_timezone(&Utc) < now)
            })
            .collect(),
        rows,
        is_admin: actor.user.role == phongtrao_domain::role::Role::Admin,
    })
}

pub async fn lock(
    State(state): State<AppState>,
    page: Page,
    Path((end, verb)): Path<(NaiveDate, String)>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    crate::authz::require(&state, &actor, &page.client, Action::AdministerCampaign, None)
        .await
        .map_err(|f| page.fail(f))?;
    let campaign = campaigns::current(&state.db).await.map_err(|e| AppError::internal(page.lang, e))?;
    let seq = campaign
        .plan
        .periods()
        .iter()
        .find(|p| p.end == end)
        .map(|p| i64::from(p.seq))
        .ok_or_else(|| AppError::not_found(page.lang))?;
    reports::set_period_lock(
        &state.db,
        campaign.row.id,
        seq,
        verb == "lock",
        &crate::authz::who(Some(&actor), &page.client),
        state.now(),
    )
    .await
    .map_err(|e| page.fail(e.into()))?;
    Ok(Redirect::to("/reports").into_response())
}
