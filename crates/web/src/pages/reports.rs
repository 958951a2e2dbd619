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
use phongtrao_domain::report::{
    ActivityInput, Decision, FieldError, FieldInput, LockVerb, ReportInput, ReportKind, Status, Warning,
};
use phongtrao_storage::period_locks::{self, PeriodLock};
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
    /// The target this field starts ("Mục tiêu 2: …"), when it is the first of it.
    pub group: Option<String>,
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
    /// "Gửi muộn do mất kết nối: bấm Gửi lúc …, máy chủ nhận lúc …" (empty when not so).
    pub offline_note: String,
    pub version: i64,
    pub editable: bool,
    pub can_review: bool,
    pub review_comment: Option<String>,
    /// A refused review (a return without a comment): the comment as typed, shown
    /// again in its box, and the reason said next to it.
    pub review_typed: String,
    pub review_error: Option<String>,
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
    /// The period is locked: why, since when, by whom and whom to contact. The form
    /// is then read-only, before anyone types.
    pub locked: Option<String>,
    /// A save refused because the period got locked meanwhile: what the person typed,
    /// as text they can copy (the form shows it too).
    pub typed: Option<String>,
    /// The report's evidence (photos, files): report_attachments.html.
    pub evidence: crate::pages::attachments::EvidenceBox,
    /// The form's rule set (domain `report::rules`) as JSON, for `static/rules.js`:
    /// the same checks in the page, offline too, as the server's.
    pub rules_json: String,
    /// The fields with nothing this week for this unit (no goal given to it, nothing
    /// reported so far, nothing typed): behind "không phát sinh trong tuần".
    pub quiet_fields: Vec<FieldView>,
    /// "Lặp lại hoạt động tuần trước" is offered (a weekly report after the first
    /// week, no activity typed yet).
    pub can_repeat: bool,
    /// Texts of the 60-second form, in the page's language.
    pub quiet_label: String,
    pub repeat_label: String,
}

impl ReportPage {
    /// The rule set, safe inside a `<script type="application/json">`.
    pub fn rules_script(&self) -> String {
        self.rules_json.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
    }
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

/// The mark of a report counted on time by the time "Gửi" was pressed although it
/// reached the server after the deadline (empty when not so).
pub(crate) fn offline_mark(marked: bool, lang: Lang) -> String {
    use phongtrao_domain::report::deadline::{MARK_EN, MARK_VI};
    match (marked, lang) {
        (false, _) => String::new(),
        (true, Lang::Vi) => MARK_VI.into(),
        (true, Lang::En) => MARK_EN.into(),
    }
}

/// The timeliness of a listed report, with its mark when it counts on time by the
/// time "Gửi" was pressed ("Đúng hạn · gửi muộn do mất kết nối").
pub(crate) fn timeliness_with_mark(r: &ReportRow, lang: Lang) -> String {
    let label = r.timeliness.as_deref().map(|t| timeliness_label(t, lang)).unwrap_or_default();
    match offline_mark(r.sent_late_for_connection(), lang) {
        mark if mark.is_empty() => label,
        mark => format!("{label} · {mark}"),
    }
}

/// On the report's page: the mark, when and when received.
fn offline_note(r: &ReportRow, lang: Lang) -> String {
    let (Some(pressed), Some(received), true) = (r.pressed_at, r.first_submitted_at, r.sent_late_for_connection())
    else {
        return String::new();
    };
    let tz = chrono_tz::Asia::Ho_Chi_Minh;
    let (p, g) = (format::date_time(&pressed.with_timezone(&tz)), format::date_time(&received.with_timezone(&tz)));
    match lang {
        Lang::Vi => format!("Gửi muộn do mất kết nối: bấm “Gửi” lúc {p} (trước hạn), máy chủ nhận lúc {g}; tính đúng hạn theo cách tính hạn của chiến dịch."),
        Lang::En => format!("Sent late for lack of connection: “Send” pressed at {p} (before the deadline), received at {g}; counted on time under the campaign's deadline rule."),
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
        Some(goal) => i.comparison.count_goal_text(*goal as f64, i.unit_label.as_deref()),
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
    let is_plan = ctx.kind == ReportKind::UnitPlan;
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
                        Some(v) => format!("{}: {}", lang.pick(b.label_vi(), b.label_en()), format::integer(*v)),
                        None => format!("{}: {}", lang.pick(b.label_vi(), b.label_en()), lang.t("units.missing")),
                    });
                    ("reached", base.unwrap_or_default())
                }
                FieldInput::YesNo => ("yesno", lang.t("report.hint_yesno")),
                FieldInput::UnitsDone { expected } => {
                    ("units", format!("{} {}", lang.t("report.hint_units"), expected))
                }
            };
            let typed = !matches!(value.trim(), "" | "0");
            let error = error_of(&format!("values.{}", f.key));
            let given = ctx.allocated.as_ref().and_then(|g| g.get(&f.key)).is_some_and(|g| *g > 0);
            // What this unit reports: a goal given to it, something reported before,
            // something typed now (or a problem to fix); a unit plan shows everything.
            let active = is_plan || given || before > 0 || typed || error.is_some();
            (
                active,
                FieldView {
                    key: f.key.clone(),
                    label: f.label.clone(),
                    kind,
                    checked: matches!(value.as_str(), "1" | "on" | "true"),
                    value,
                    goal: indicator.map(|i| unit_goal(ctx, i, lang)).unwrap_or_default(),
                    total: format::integer(before),
                    hint,
                    error,
                    group: None,
                },
            )
        })
        .collect::<Vec<_>>();
    let (active, quiet): (Vec<_>, Vec<_>) = fields.into_iter().partition(|(a, _)| *a);
    let mut fields: Vec<FieldView> = active.into_iter().map(|(_, f)| f).collect();
    let quiet_fields: Vec<FieldView> = quiet.into_iter().map(|(_, f)| f).collect();
    let mut last_target = None;
    for f in &mut fields {
        let target = plan.indicator(&f.key).map(|i| i.target_number);
        if target != last_target {
            f.group = target
                .and_then(|n| plan.target(n))
                .map(|t| format!("{} {}: {}", lang.pick("Mục tiêu", "Target"), t.number, t.text));
            last_target = target;
        }
    }
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
        use phongtrao_domain::role::Role;
        match a.user.role {
            Role::Unit | Role::Viewer => false,
            // A unit's office reviews its units' reports, never its own report up.
            Role::UnitOffice => !a.unit_ids.contains(&ctx.unit.id),
            Role::Admin | Role::Steering => true,
        }
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
        offline_note: report.map(|r| offline_note(r, lang)).unwrap_or_default(),
        version: report.map(|r| r.version).unwrap_or(0),
        editable: status.editable(),
        can_review: can_review && status == Status::Submitted,
        review_comment: report.and_then(|r| r.review_comment.clone()).filter(|c| !c.is_empty()),
        review_typed: String::new(),
        review_error: None,
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
        locked: None,
        typed: None,
        evidence: Default::default(),
        rules_json: serde_json::to_string(&phongtrao_domain::report::RuleSet::build(&ctx.domain_context()))
            .unwrap_or_else(|_| "null".into()),
        can_repeat: ctx.period.as_ref().is_some_and(|p| p.seq > 1)
            && input.activities.iter().all(|a| a.title.trim().is_empty()),
        quiet_label: format!(
            "{} ({} {})",
            lang.pick("Không phát sinh trong tuần", "Nothing new this week"),
            quiet_fields.len(),
            lang.pick("chỉ tiêu", "indicators")
        ),
        repeat_label: lang.pick("Lặp lại hoạt động tuần trước", "Repeat last week's activities").to_string(),
        quiet_fields,
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
    let campaign = page.campaign()?;
    let mut ctx = report_actions::load(state, campaign, unit, kind, end).await.map_err(|f| page.fail(f))?;
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

/// How a locked period is told, the same on the grid, the form and the home page:
/// since when, by whom, and whom to contact.
pub(crate) fn lock_text(lang: Lang, seq: u32, lock: &PeriodLock, lock_after_days: Option<u32>) -> String {
    let by = lock.locked_by.as_deref().map(str::trim).filter(|b| !b.is_empty());
    match (lock.locked_at, lang) {
        (Some(at), Lang::Vi) => format!(
            "Kỳ báo cáo tuần {seq} đã được khóa lúc {}{}. Không nhập, sửa hay gửi được báo cáo của tuần này; nếu cần bổ sung, hãy liên hệ Ban Phong trào (Tỉnh đoàn) để mở lại kỳ.",
            format::date_time(&at.with_timezone(&Ho_Chi_Minh)),
            by.map(|b| format!(" (người khóa: {b})")).unwrap_or_default()
        ),
        (Some(at), Lang::En) => format!(
            "Reporting period week {seq} was locked at {}{}. This week's report can no longer be entered, changed or submitted; to add something, ask the campaign office (province Youth Union) to reopen the period.",
            format::date_time(&at.with_timezone(&Ho_Chi_Minh)),
            by.map(|b| format!(" by {b}")).unwrap_or_default()
        ),
        (None, Lang::Vi) => format!(
            "Kỳ báo cáo tuần {seq} đã tự khóa {} ngày sau thời hạn. Không nhập, sửa hay gửi được báo cáo của tuần này; nếu cần bổ sung, hãy liên hệ Ban Phong trào (Tỉnh đoàn) để mở lại kỳ.",
            lock_after_days.unwrap_or(0)
        ),
        (None, Lang::En) => format!(
            "Reporting period week {seq} locked itself {} days after its deadline. This week's report can no longer be entered, changed or submitted; to add something, ask the campaign office (province Youth Union) to reopen the period.",
            lock_after_days.unwrap_or(0)
        ),
    }
}

/// Every period's lock, by sequence number, and whether it is locked now.
pub(crate) async fn locks_now(
    state: &AppState,
    campaign: &campaigns::StoredCampaign,
) -> Result<HashMap<i64, (bool, PeriodLock)>, phongtrao_storage::StorageError> {
    let now = state.now();
    let after = campaign.plan.reporting.lock_after_days;
    Ok(period_locks::all(&state.db, campaign.row.id)
        .await?
        .into_iter()
        .map(|l| (l.seq, (l.locked(after, now), l)))
        .collect())
}

/// Marks the form locked (read-only, with the notice) when its weekly period is
/// locked now.
async fn apply_lock(state: &AppState, page: &Page, ctx: &FormContext, view: &mut ReportPage) -> Result<(), AppError> {
    let Some(period) = &ctx.period else {
        return Ok(());
    };
    let after = ctx.campaign.plan.reporting.lock_after_days;
    if !reports::locked_at(ctx.lock, after, state.now()) {
        return Ok(());
    }
    let locks = locks_now(state, &ctx.campaign).await.map_err(|e| AppError::internal(page.lang, e))?;
    let text = match locks.get(&i64::from(period.seq)) {
        Some((_, lock)) => lock_text(page.lang, period.seq, lock, after),
        None => page.lang.t("office_week.locked_title"),
    };
    view.locked = Some(text);
    view.editable = false;
    Ok(())
}

/// What was typed, as plain text to copy back later.
fn typed_text(ctx: &FormContext, input: &ReportInput, lang: Lang) -> String {
    let mut out = Vec::new();
    for f in &ctx.fields {
        if let Some(v) = input.values.get(&f.key).filter(|v| !v.trim().is_empty()) {
            out.push(format!("{} {}: {}", f.key, f.label, v.trim()));
        }
    }
    if input.nothing_to_report {
        out.push(lang.t("reporter.nothing_to_report"));
    }
    for (i, a) in input.activities.iter().enumerate() {
        let parts: Vec<&str> = [&a.title, &a.held_on, &a.place, &a.participants, &a.funds, &a.result]
            .into_iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        out.push(format!("{} {}: {}", lang.t("report.activity"), i + 1, parts.join(" · ")));
    }
    for (label, text) in [
        (lang.t("report.highlights"), &input.highlights),
        (lang.t("report.difficulties"), &input.difficulties),
        (lang.t("report.proposals"), &input.proposals),
    ] {
        if !text.trim().is_empty() {
            out.push(format!("{label}:\n{}", text.trim()));
        }
    }
    out.join("\n")
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
    apply_lock(&state, &page, &ctx, &mut view).await?;
    view.evidence = crate::pages::attachments::report_box(&state, &page, &ctx.unit.code, &period).await?;
    view.message = q.saved.map(|s| match (s.as_str(), page.lang) {
        ("submit", _) => page.lang.t("report.submitted"),
        ("accept", Lang::Vi) => format!("Đã duyệt báo cáo của {}.", ctx.unit.name),
        ("accept", Lang::En) => format!("The report of {} was accepted.", ctx.unit.name),
        ("return", Lang::Vi) => format!("Đã trả lại báo cáo cho {} kèm nhận xét.", ctx.unit.name),
        ("return", Lang::En) => format!("The report was returned to {} with the comment.", ctx.unit.name),
        ("review", _) => page.lang.t("report.reviewed"),
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
    let (mut input, version, action) = input_from_form(&pairs);
    // The time "Gửi" was pressed on the phone (the outbox's plain post, or a page
    // that filled it): RFC 3339; anything else is not a time and is ignored.
    let pressed_at = pairs
        .iter()
        .find(|(k, _)| k == "pressed_at")
        .and_then(|(_, v)| chrono::DateTime::parse_from_rfc3339(v.trim()).ok())
        .map(|t| t.with_timezone(&chrono::Utc));
    let (save_action, extra_rows) = match action.as_str() {
        "submit" => (SaveAction::Submit, 0),
        "add_row" => (SaveAction::Draft, 1),
        _ => (SaveAction::Draft, 0),
    };
    // "Lặp lại hoạt động tuần trước": last week's activities, a week later, saved in
    // the draft and shown to check (one tap instead of typing them again).
    let mut repeat_note = None;
    if action == "repeat_last" {
        let previous = report_actions::last_weeks_activities(&state, &ctx).await.map_err(|f| page.fail(f))?;
        if previous.is_empty() {
            repeat_note = Some(
                page.lang.pick("Tuần trước không có hoạt động nào để lặp lại.", "Last week had no activity to repeat."),
            );
        }
        input.activities.retain(|a| !a.title.trim().is_empty());
        input.activities.extend(previous);
    }
    match report_actions::save(&state, &actor, &page.client, &ctx, &input, version, save_action, None, None, pressed_at)
        .await
    {
        Ok((_, _)) if extra_rows > 0 || action == "repeat_last" => {
            let ctx = load(&state, &page, &unit, &period).await?;
            let mut view = build(&page, &ctx, &input, Vec::new(), Vec::new(), extra_rows);
            apply_lock(&state, &page, &ctx, &mut view).await?;
            if action == "repeat_last" {
                view.message = Some(repeat_note.map(str::to_string).unwrap_or_else(|| {
                    page.lang
                        .pick(
                            "Đã chép các hoạt động của tuần trước (ngày lùi 7 ngày): kiểm tra lại rồi gửi.",
                            "Last week's activities were copied (a week later): check them, then send.",
                        )
                        .to_string()
                }));
            }
            Ok(view.into_response())
        }
        Ok((_, _)) => {
            let which = if save_action == SaveAction::Submit { "submit" } else { "draft" };
            Ok(Redirect::to(&format!("/reports/{unit}/{period}?saved={which}")).into_response())
        }
        Err(ReportFailure::Invalid(errors)) => {
            let mut view = build(&page, &ctx, &input, errors, Vec::new(), 0);
            view.version = version;
            apply_lock(&state, &page, &ctx, &mut view).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, view).into_response())
        }
        // The period got locked between opening the form and saving: the form comes
        // back read-only with what was typed, and the typed text to copy. Nothing lost.
        Err(ReportFailure::Other(f)) if f.code == report_actions::PERIOD_LOCKED => {
            let mut view = build(&page, &ctx, &input, Vec::new(), Vec::new(), 0);
            view.version = version;
            apply_lock(&state, &page, &ctx, &mut view).await?;
            if view.locked.is_none() {
                view.locked = Some(match page.lang {
                    Lang::Vi => f.vi.clone(),
                    Lang::En => f.en.clone(),
                });
                view.editable = false;
            }
            view.typed = Some(typed_text(&ctx, &input, page.lang));
            Ok((StatusCode::LOCKED, view).into_response())
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
            apply_lock(&state, &page, &fresh, &mut view).await?;
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
    // Only the two decisions: any other value is refused, never taken as a return.
    let decision = Decision::parse(&f.decision).ok_or_else(|| {
        page.fail(crate::error::Failure::bad_request(
            "Quyết định duyệt phải là \"duyệt\" (accept) hoặc \"trả lại\" (return); chưa lưu gì.",
            "The review decision must be \"accept\" or \"return\"; nothing was stored.",
        ))
    })?;
    match report_actions::review(&state, &actor, &page.client, &ctx, decision.accepts(), &f.comment, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{unit}/{period}?saved={}", decision.as_str())).into_response()),
        // A wrong input (a return without a comment): the same report page again, the
        // reason next to the comment box and the comment as typed, nothing stored.
        Err(ReportFailure::Other(failure)) if failure.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let mut view = build(&page, &ctx, &stored_input(&ctx), Vec::new(), Vec::new(), 0);
            apply_lock(&state, &page, &ctx, &mut view).await?;
            view.evidence = crate::pages::attachments::report_box(&state, &page, &ctx.unit.code, &period).await?;
            view.review_typed = f.comment.replace("\r\n", "\n");
            view.review_error = Some(failure.message(page.lang).to_string());
            Ok((failure.status, view).into_response())
        }
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
                    if x.trim() == y.trim() {
                        return None;
                    }
                    // Each line named as the form names it: the report's notes, the number
                    // of activities, an indicator by its number and name.
                    let label = match k.as_str() {
                        "highlights" | "difficulties" | "proposals" => lang.t(&format!("report.{k}")),
                        "activities" => lang.t("report.activities"),
                        key => match ctx.campaign.plan.indicator(key) {
                            Some(i) => format!("{key} · {}", i.label),
                            None => key.to_string(),
                        },
                    };
                    Some(DiffLine { label, mine: x, theirs: y })
                })
                .collect();
            Some((
                format!("{} {}", lang.t("report.version"), versions[a].version),
                format!("{} {}", lang.t("report.version"), versions[b].version),
                diff,
            ))
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
    /// The week's period is locked now.
    pub locked: bool,
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
    pub locked: Option<String>,
}

/// A week's column of the grid.
pub struct PeriodColumn {
    pub seq: u32,
    pub end_label: String,
    /// "2026-03-13", as in the URLs.
    pub end: String,
    pub locked: bool,
    /// Since when and by whom (the column header's tooltip and the notice).
    pub lock_note: String,
}

/// The office asked to lock or reopen a week: the second step, with a checkbox.
pub struct LockConfirm {
    pub end: String,
    pub verb: &'static str,
    pub week: String,
    pub title: String,
    pub text: String,
    pub button: String,
    /// The form was sent without ticking the box.
    pub needed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports.html")]
pub struct ReportsPage {
    pub chrome: Chrome,
    pub periods: Vec<PeriodColumn>,
    pub rows: Vec<ListRow>,
    pub is_admin: bool,
    pub current: Option<CurrentWeek>,
    pub confirm: Option<LockConfirm>,
    pub message: Option<String>,
    /// The unit filter as typed (by name, with or without accents, or by code).
    pub q: String,
    /// The names of every unit of the grid, offered while typing.
    pub unit_names: Vec<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    /// The week (its last day) to lock or reopen, with `verb`: shows the confirmation.
    confirm: Option<String>,
    verb: Option<String>,
    need: Option<String>,
    /// The lock or reopen just done, with `period`.
    done: Option<String>,
    period: Option<String>,
    /// Only the units whose name (without accents) or code matches.
    q: Option<String>,
}

fn week_text(lang: Lang, seq: u32, start: NaiveDate, end: NaiveDate) -> String {
    format!("{} {seq} ({} – {})", lang.t("report.week"), format::date(start), format::date(end))
}

/// The reports the user can open: units as rows, the unit plan and each week as columns.
pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<ListQuery>,
) -> Result<ReportsPage, AppError> {
    let actor = page.require_actor()?.clone();
    let lang = page.lang;
    let db = &state.db;
    let campaign = page.campaign()?;
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
        report_actions::reporting_units_of(&state, &actor, campaign).await.map_err(|f| page.fail(f))?
    };
    let unit_names: Vec<String> = unit_rows.iter().map(|u| u.name.clone()).collect();
    let typed = q_text(&q);
    let unit_rows = filter_units(unit_rows, &typed);
    let ids: Vec<i64> = unit_rows.iter().map(|u| u.id).collect();
    let weekly = reports::list(db, campaign.row.id, ReportKind::Weekly, Some(&ids), None)
        .await
        .map_err(|e| AppError::internal(lang, e))?;
    let plans = reports::list(db, campaign.row.id, ReportKind::UnitPlan, Some(&ids), None)
        .await
        .map_err(|e| AppError::internal(lang, e))?;
    let locks = locks_now(&state, campaign).await.map_err(|e| AppError::internal(lang, e))?;
    let after = campaign.plan.reporting.lock_after_days;
    let by_key: HashMap<(i64, i64), &ReportRow> = weekly.iter().map(|r| ((r.unit_id, r.period_seq), r)).collect();
    let plan_of: HashMap<i64, &ReportRow> = plans.iter().map(|r| (r.unit_id, r)).collect();
    let periods = campaign.plan.periods();
    let now = state.now();
    let is_locked = |seq: u32| locks.get(&i64::from(seq)).is_some_and(|(locked, _)| *locked);
    let note_of = |seq: u32| match locks.get(&i64::from(seq)) {
        Some((true, l)) => lock_text(lang, seq, l, after),
        _ => String::new(),
    };
    let cell = |r: Option<&&ReportRow>, href: String, past_due: bool, locked: bool| {
        let (status, status_key) = report_status(r.copied(), past_due, lang);
        ListCell {
            href,
            status,
            status_key,
            timeliness: r.map(|r| timeliness_with_mark(r, lang)).unwrap_or_default(),
            nothing: r.is_some_and(|r| r.status().counts() && r.nothing_to_report()),
            locked,
        }
    };
    let rows = unit_rows
        .iter()
        .map(|u| ListRow {
            unit_code: u.code.clone(),
            unit_name: u.name.clone(),
            plan: cell(plan_of.get(&u.id), format!("/reports/{}/plan", u.code), true, false),
            weeks: periods
                .iter()
                .map(|p| {
                    cell(
                        by_key.get(&(u.id, i64::from(p.seq))),
                        report_actions::week_href(&u.code, p.end),
                        p.deadline.with_timezone(&Utc) < now,
                        is_locked(p.seq),
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
            locked: is_locked(p.seq).then(|| note_of(p.seq)),
        })
    });
    let is_admin = actor.user.role == phongtrao_domain::role::Role::Admin;
    let find = |end: &Option<String>| {
        let end = NaiveDate::parse_from_str(end.as_deref()?.trim(), "%Y-%m-%d").ok()?;
        periods.iter().find(|p| p.end == end)
    };
    // The second step of lock/reopen (a page of its own without JavaScript).
    let confirm = match (find(&q.confirm), q.verb.as_deref().and_then(LockVerb::parse)) {
        (Some(p), Some(verb)) if is_admin => {
            let week = week_text(lang, p.seq, p.start, p.end);
            let (title, text, button) = match verb {
                LockVerb::Lock => (
                    lang.t("office_week.confirm_lock_title"),
                    lang.t("office_week.confirm_lock_text"),
                    lang.t("office_week.lock_button"),
                ),
                LockVerb::Reopen => (
                    lang.t("office_week.confirm_reopen_title"),
                    lang.t("office_week.confirm_reopen_text"),
                    lang.t("office_week.reopen_button"),
                ),
            };
            Some(LockConfirm {
                end: p.end.format("%Y-%m-%d").to_string(),
                verb: verb.as_str(),
                week,
                title,
                text,
                button,
                needed: q.need.is_some(),
            })
        }
        _ => None,
    };
    let message = match (find(&q.period), q.done.as_deref().and_then(LockVerb::parse)) {
        (Some(p), Some(verb)) => {
            let week = week_text(lang, p.seq, p.start, p.end);
            Some(match (verb, lang) {
                (LockVerb::Lock, Lang::Vi) => {
                    format!("Đã khóa kỳ báo cáo {week}: các đơn vị không còn nhập, sửa hay gửi được báo cáo tuần này.")
                }
                (LockVerb::Lock, Lang::En) => {
                    format!("Reporting period {week} locked: units can no longer enter, change or submit this week's report.")
                }
                (LockVerb::Reopen, Lang::Vi) => {
                    format!("Đã mở lại kỳ báo cáo {week}: các đơn vị lại nhập, sửa và gửi được báo cáo tuần này.")
                }
                (LockVerb::Reopen, Lang::En) => {
                    format!("Reporting period {week} reopened: units can enter, change and submit this week's report again.")
                }
            })
        }
        _ => None,
    };
    Ok(ReportsPage {
        current,
        chrome: page.chrome(lang.t("report.list_title"), "reports"),
        periods: periods
            .iter()
            .map(|p| PeriodColumn {
                seq: p.seq,
                end_label: format::date(p.end),
                end: p.end.format("%Y-%m-%d").to_string(),
                locked: is_locked(p.seq),
                lock_note: note_of(p.seq),
            })
            .collect(),
        rows,
        is_admin,
        confirm,
        message,
        q: typed,
        unit_names,
    })
}

fn q_text(q: &ListQuery) -> String {
    q.q.as_deref().map(str::trim).unwrap_or("").chars().take(200).collect()
}

/// The units whose name contains the typed words, accents or not ("hon dat" finds
/// "Huyện đoàn Hòn Đất"), or whose code is the text typed.
fn filter_units(rows: Vec<units::UnitRow>, q: &str) -> Vec<units::UnitRow> {
    let key = phongtrao_domain::text::fold(q);
    if key.is_empty() {
        return rows;
    }
    rows.into_iter().filter(|u| u.code == q || phongtrao_domain::text::fold(&u.name).contains(&key)).collect()
}

#[derive(Deserialize, Default)]
pub struct LockForm {
    #[serde(default)]
    confirm: Option<String>,
}

/// POST /periods/{end}/{lock|reopen}: any other word is not found (as in the API).
/// Without the confirmation box ticked, back to the confirmation step; nothing done.
pub async fn lock(
    State(state): State<AppState>,
    page: Page,
    Path((end, verb)): Path<(String, String)>,
    Form(f): Form<LockForm>,
) -> Result<Response, AppError> {
    let verb = LockVerb::parse(&verb).ok_or_else(|| AppError::not_found(page.lang))?;
    let end = NaiveDate::parse_from_str(&end, "%Y-%m-%d").map_err(|_| AppError::not_found(page.lang))?;
    let actor = page.require_actor()?.clone();
    crate::authz::require(&state, &actor, &page.client, Action::AdministerCampaign, None)
        .await
        .map_err(|f| page.fail(f))?;
    let campaign = page.campaign()?;
    crate::campaign_choice::ensure_running(campaign).map_err(|f| page.fail(f))?;
    let seq =
        campaign.plan.period_ending(end).map(|p| i64::from(p.seq)).ok_or_else(|| AppError::not_found(page.lang))?;
    let end = end.format("%Y-%m-%d");
    if f.confirm.as_deref().is_none_or(|c| c.is_empty()) {
        return Ok(
            Redirect::to(&format!("/reports?confirm={end}&verb={}&need=1#confirm-lock", verb.as_str())).into_response()
        );
    }
    reports::set_period_lock(
        &state.db,
        campaign.row.id,
        seq,
        verb.locks(),
        &crate::authz::who(Some(&actor), &page.client),
        state.now(),
    )
    .await
    .map_err(|e| page.fail(e.into()))?;
    Ok(Redirect::to(&format!("/reports?done={}&period={end}#lock-message", verb.as_str())).into_response())
}
