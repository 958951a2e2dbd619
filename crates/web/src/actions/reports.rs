//! Weekly reports and unit plans: loading the form of a unit and period, saving
//! drafts, submitting, reviewing. Pages and the API both come here.

use std::collections::{BTreeMap, HashMap};

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::period::{before_day_deadline, Period};
use phongtrao_domain::plan::{Indicator, When};
use phongtrao_domain::policy::Action;
use phongtrao_domain::progress::figures::{Key as FigureKey, KeyNames};
use phongtrao_domain::report::deadline::PressedRule;
use phongtrao_domain::report::{
    check, fields_for, ActivityInput, CheckedReport, Field, FieldError, ReportContext, ReportInput, ReportKind,
    ReportRuleError,
};
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::group_commit::OwnedSave;
use phongtrao_storage::reports::{self, Pressed, ReportKey, ReportRow, SaveAction, SaveError, Saved};
use phongtrao_storage::units::{self, UnitRow};
use phongtrao_storage::StorageError;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, require_in, who};
use crate::error::Failure;
use crate::AppState;

/// Everything about one report form.
pub struct FormContext {
    pub campaign: StoredCampaign,
    pub unit: UnitRow,
    /// The unit's id, then its parent's … up to the root (for authorization).
    pub ancestry: Vec<i64>,
    pub kind: ReportKind,
    pub period: Option<Period>,
    pub due_at: DateTime<Utc>,
    pub window: (NaiveDate, NaiveDate),
    pub fields: Vec<Field>,
    pub base: BTreeMap<BaseFigure, i64>,
    pub totals_before: HashMap<String, i64>,
    pub report: Option<ReportRow>,
    /// The weekly period's (locked by hand, reopened, due), as read with the form.
    pub lock: Option<(bool, bool, DateTime<Utc>)>,
    /// The goals allocated to the unit (indicator key → goal), read by the pages
    /// only (None: not read).
    pub allocated: Option<HashMap<String, i64>>,
}

impl FormContext {
    pub fn key(&self) -> ReportKey {
        ReportKey {
            campaign_id: self.campaign.row.id,
            unit_id: self.unit.id,
            kind: self.kind,
            period_seq: self.period.as_ref().map(|p| i64::from(p.seq)).unwrap_or(0),
        }
    }

    pub fn domain_context(&self) -> ReportContext<'_> {
        ReportContext {
            plan: &self.campaign.plan,
            fields: &self.fields,
            kind: self.kind,
            window: self.window,
            base: &self.base,
            cumulative_before: &self.totals_before,
        }
    }
}

/// Whether a stored figure of a retired indicator is carried into a report sent again.
fn value_is_kept(plan: &phongtrao_domain::plan::Plan, key: &str, value: i64) -> bool {
    value != 0 && plan.indicator(key).is_some_and(|i| i.retired)
}

/// Why a save did not happen.
pub enum ReportFailure {
    Invalid(Vec<FieldError>),
    Conflict(Box<ReportRow>),
    Other(Failure),
}

impl From<Failure> for ReportFailure {
    fn from(f: Failure) -> Self {
        ReportFailure::Other(f)
    }
}

impl From<StorageError> for ReportFailure {
    fn from(e: StorageError) -> Self {
        ReportFailure::Other(e.into())
    }
}

fn not_reporting() -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "not_reporting",
        "Đơn vị này không thuộc diện báo cáo của kế hoạch",
        "This unit does not report in this campaign",
    )
}

/// The page of a unit's weekly report, by the period's last day.
pub fn week_href(unit: &str, period_end: chrono::NaiveDate) -> String {
    format!("/reports/{unit}/{}", period_end.format("%Y-%m-%d"))
}

/// When a unit's plan is due: before the day of the plan's "unit-plan" milestone (the
/// day after it when the milestone is a day or a span), else before the campaign starts.
pub fn unit_plan_due(plan: &phongtrao_domain::plan::Plan) -> DateTime<Utc> {
    let tz = plan.campaign.timezone;
    let day = match plan.milestone("unit-plan").map(|m| m.when) {
        Some(When::Before { date }) => date,
        Some(w) => w.last_day().succ_opt().unwrap_or(w.last_day()),
        None => plan.campaign.starts_on,
    };
    before_day_deadline(tz, day).with_timezone(&Utc)
}

/// Loads the form of `unit_code` for the weekly period ending `period_end`, or its
/// unit plan when `period_end` is None.
pub async fn load(
    state: &AppState,
    campaign: &StoredCampaign,
    unit_code: &str,
    kind: ReportKind,
    period_end: Option<NaiveDate>,
) -> Result<FormContext, Failure> {
    let db = &state.db;
    // The unit of the campaign's tree and its ancestry in one read when the campaign
    // names its root (#24: fewer reads per submission).
    let (unit, ancestry) = match campaign.row.root_unit_id {
        Some(root) => units::by_code_under_with_ancestry(db, unit_code, root).await?.ok_or_else(Failure::not_found)?,
        None => {
            let unit =
                crate::campaign_choice::unit_by_code(db, campaign, unit_code).await?.ok_or_else(Failure::not_found)?;
            let ancestry = units::ancestry(db, unit.id).await?;
            (unit, ancestry)
        }
    };
    let (Some(level), Some(unit_kind)) = (unit.level(), unit.kind()) else {
        return Err(not_reporting());
    };
    if !unit.active || !campaign.plan.reporting.levels.contains(&level) {
        return Err(not_reporting());
    }
    let plan = &campaign.plan;
    let (period, due_at, window) = match kind {
        ReportKind::Weekly => {
            let end = period_end.ok_or_else(Failure::not_found)?;
            let period = plan.period_ending(end).ok_or_else(|| {
                Failure::new(
                    StatusCode::NOT_FOUND,
                    "no_period",
                    format!("Không có kỳ báo cáo kết thúc ngày {}", end.format("%d/%m/%Y")),
                    format!("No reporting period ends on {end}"),
                )
            })?;
            let due = period.deadline.with_timezone(&Utc);
            let window = (period.start, period.end);
            (Some(period), due, window)
        }
        ReportKind::UnitPlan => (None, unit_plan_due(plan), (plan.campaign.starts_on, plan.campaign.ends_on)),
    };
    // Units below this one that each indicator expects (for "how many of your units").
    let seq = period.as_ref().map(|p| i64::from(p.seq)).unwrap_or(0);
    // One read for the base figures, the other weeks' totals, the units below (from
    // the consolidated figures, whatever the size of the subtree) and the lock.
    let key = ReportKey { campaign_id: campaign.row.id, unit_id: unit.id, kind, period_seq: seq };
    let facts = reports::form_facts(db, &key).await?;
    let names = KeyNames::new(plan);
    let below: std::collections::HashMap<u16, i64> = facts
        .below
        .iter()
        .filter_map(|(name, value)| match names.parse(name) {
            Some(FigureKey::Expect(idx)) => Some((idx, *value)),
            _ => None,
        })
        .collect();
    let expected_below =
        |i: &Indicator| -> i64 { names.index_of(&i.key).and_then(|idx| below.get(&idx).copied()).unwrap_or(0) };
    let fields = fields_for(plan, level, unit_kind, &expected_below);
    let base = facts.base;
    let totals_before = match kind {
        ReportKind::Weekly => facts.totals_before,
        ReportKind::UnitPlan => HashMap::new(),
    };
    let lock = facts.lock;
    let report = if facts.report_exists { reports::get(db, &key).await? } else { None };
    Ok(FormContext {
        campaign: campaign.clone(),
        unit,
        ancestry,
        kind,
        period,
        due_at,
        window,
        fields,
        base,
        totals_before,
        report,
        lock,
        allocated: None,
    })
}

/// The activities of the unit's report of the week before (for "lặp lại hoạt động
/// tuần trước"), each moved a week later; none for the first week.
pub async fn last_weeks_activities(state: &AppState, ctx: &FormContext) -> Result<Vec<ActivityInput>, Failure> {
    let Some(period) = ctx.period.as_ref().filter(|p| p.seq > 1) else {
        return Ok(Vec::new());
    };
    let key = ReportKey { period_seq: i64::from(period.seq) - 1, ..ctx.key() };
    let previous = reports::get(&state.db, &key).await?;
    Ok(previous.map(|r| phongtrao_domain::report::repeated(&r.draft().activities, ctx.window)).unwrap_or_default())
}

/// The actor may read this unit's reports.
pub async fn authorize_read(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    ctx: &FormContext,
) -> Result<(), Failure> {
    require_in(state, actor, client, Action::ReadUnit, Some(ctx.unit.id), &ctx.ancestry).await
}

/// The code of the refusal when a save lands on a locked period (the page shows the
/// typed input back with it).
pub const PERIOD_LOCKED: &str = "period_locked";

fn locked() -> Failure {
    rule_failure(ReportRuleError::PeriodLocked)
}

/// The answer to a report rule the request breaks (the domain's
/// `ReportRuleError`, returned unchanged by storage): one match for pages and API.
pub fn rule_failure(rule: ReportRuleError) -> Failure {
    let status = match rule {
        ReportRuleError::PeriodLocked => StatusCode::LOCKED,
        ReportRuleError::AwaitingReview
        | ReportRuleError::AlreadyAccepted
        | ReportRuleError::NoSuchVersion
        | ReportRuleError::NotSubmitted(_) => StatusCode::CONFLICT,
        ReportRuleError::NotYourUnit | ReportRuleError::RoleMayNot => StatusCode::FORBIDDEN,
    };
    Failure::new(status, rule.code(), rule.message_vi(), rule.message_en())
}

/// Saves a draft or submits. Drafts are kept as typed; a submission is checked
/// whole and stores nothing unless everything is right.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    ctx: &FormContext,
    input: &ReportInput,
    expected_version: i64,
    action: SaveAction,
    idempotency_key: Option<&str>,
    at: Option<DateTime<Utc>>,
    pressed_at: Option<DateTime<Utc>>,
) -> Result<(Saved, Option<CheckedReport>), ReportFailure> {
    require_in(state, actor, client, Action::WriteUnit, Some(ctx.unit.id), &ctx.ancestry).await?;
    save_as(state, &who(Some(actor), client), ctx, input, expected_version, action, idempotency_key, at, pressed_at)
        .await
}

/// The same, for a caller already authorized (the CLI, acting for the office).
#[allow(clippy::too_many_arguments)]
pub async fn save_as(
    state: &AppState,
    who: &phongtrao_storage::audit::Who,
    ctx: &FormContext,
    input: &ReportInput,
    expected_version: i64,
    action: SaveAction,
    idempotency_key: Option<&str>,
    at: Option<DateTime<Utc>>,
    pressed_at: Option<DateTime<Utc>>,
) -> Result<(Saved, Option<CheckedReport>), ReportFailure> {
    let now = at.unwrap_or_else(|| state.now());
    crate::campaign_choice::ensure_running(&ctx.campaign)?;
    // The time "Gửi" was pressed on the phone (the outbox says it) and the campaign's
    // rule for it: the domain judges (`report::deadline`), storage keeps both.
    let mut opens_at = None;
    if let Some(period) = &ctx.period {
        if reports::locked_at(ctx.lock, ctx.campaign.plan.reporting.lock_after_days, now) {
            return Err(locked().into());
        }
        let starts = before_day_deadline(ctx.campaign.plan.campaign.timezone, period.start).with_timezone(&Utc);
        opens_at = Some(starts);
        if now < starts {
            return Err(Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "period_not_started",
                format!("Kỳ báo cáo này bắt đầu ngày {}", period.start.format("%d/%m/%Y")),
                format!("This period starts on {}", period.start),
            )
            .into());
        }
    }
    let draft_size = serde_json::to_string(input).map(|s| s.len()).unwrap_or(usize::MAX);
    if draft_size > 256 * 1024 {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Báo cáo quá dài",
            "The report is too long",
        )
        .into());
    }
    let mut checked = match action {
        SaveAction::Submit => Some(check(&ctx.domain_context(), input).map_err(ReportFailure::Invalid)?),
        SaveAction::Draft => None,
    };
    // A report sent again after an indicator was retired ("ngừng theo dõi") keeps
    // the figure it had for it: the form no longer asks for it, the figure stays.
    if let (Some(c), Some(report)) = (checked.as_mut(), ctx.report.as_ref()) {
        if ctx.campaign.plan.indicators().any(|i| i.retired) {
            let stored = reports::values(&state.db, report.id).await.map_err(Failure::from)?;
            for (key, value) in stored {
                if value_is_kept(&ctx.campaign.plan, &key, value) {
                    c.values.entry(key).or_insert(value);
                }
            }
        }
    }
    let request = OwnedSave {
        key: ctx.key(),
        due_at: ctx.due_at,
        expected_version,
        draft: input.neutralised(),
        checked: checked.clone(),
        action,
        who: who.clone(),
        now,
        idempotency_key: idempotency_key.map(str::to_string),
        plan: ctx.campaign.plan.clone(),
        pressed: Pressed {
            at: pressed_at,
            rule: PressedRule { by_pressed_at: ctx.campaign.row.deadline_by_pressed_at, opens_at },
        },
    };
    let submitting = checked.is_some();
    match state.writer.save(request).await {
        Ok(saved) => {
            if submitting {
                // The officers above the unit learn of it (once per report version): the
                // notice was written with the report, in its transaction.
                crate::metrics::Metrics::add(&state.metrics.report_submissions, 1);
            } else if let Err(e) = phongtrao_storage::report_versions::prune_drafts(&state.db, saved.report_id).await {
                tracing::warn!(error = %e, "cannot prune old drafts");
            }
            Ok((saved, checked))
        }
        Err(SaveError::Conflict { current }) => Err(ReportFailure::Conflict(current)),
        Err(SaveError::Rule(rule)) => Err(rule_failure(rule).into()),
        Err(SaveError::Storage(e)) => Err(e.into()),
    }
}

/// Accepts or returns a submitted report.
pub async fn review(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    ctx: &FormContext,
    accept: bool,
    comment: &str,
    expected_version: i64,
) -> Result<Saved, ReportFailure> {
    require(state, actor, client, Action::ReviewUnit, Some(ctx.unit.id)).await?;
    crate::campaign_choice::ensure_running(&ctx.campaign)?;
    let comment = phongtrao_domain::text::nfc(phongtrao_domain::text::clean_note(comment).trim());
    if !accept && comment.chars().count() < 3 {
        return Err(Failure::invalid("Khi trả lại báo cáo cần ghi rõ lý do / A returned report needs a comment").into());
    }
    if comment.chars().count() > 2000 {
        return Err(Failure::invalid("Nhận xét tối đa 2000 ký tự / A comment has at most 2000 characters").into());
    }
    let report = ctx.report.as_ref().ok_or_else(Failure::not_found)?;
    match reports::review(
        &state.db,
        &ctx.campaign.plan,
        report.id,
        expected_version,
        accept,
        &comment,
        &who(Some(actor), client),
        state.now(),
    )
    .await
    {
        Ok(saved) => Ok(saved),
        Err(SaveError::Conflict { current }) => Err(ReportFailure::Conflict(current)),
        Err(SaveError::Rule(rule)) => Err(rule_failure(rule).into()),
        Err(SaveError::Storage(e)) => Err(e.into()),
    }
}

/// Units the actor reports for: active reporting units in the subtrees of their units.
pub async fn reporting_units_of(
    state: &AppState,
    actor: &Actor,
    campaign: &StoredCampaign,
) -> Result<Vec<UnitRow>, Failure> {
    let db = &state.db;
    let mut ids = Vec::new();
    for id in &actor.unit_ids {
        ids.extend(units::subtree_ids(db, *id).await?);
    }
    let levels = &campaign.plan.reporting.levels;
    Ok(units::list(db)
        .await?
        .into_iter()
        .filter(|u| u.active && ids.contains(&u.id) && u.level().is_some_and(|l| levels.contains(&l)))
        .collect())
}

/// serde's message, said in Vietnamese and English (never its English inside the
/// Vietnamese): the field it names, what was wrong.
pub fn explain_json_error(message: &str) -> (String, String) {
    // serde_json adds " at line L column C" when reading text.
    let message = match message.rfind(" at line ") {
        Some(i) if message[i..].contains(" column ") => &message[..i],
        _ => message,
    };
    if let Some((vi, en)) = phongtrao_domain::report::json::split_bilingual(message) {
        return (format!("Dữ liệu gửi lên không hợp lệ: {vi}"), format!("The request is not valid: {en}"));
    }
    let quoted = |prefix: &str| -> Option<String> {
        let rest = message.strip_prefix(prefix)?;
        let rest = rest.strip_prefix('`')?;
        rest.split('`').next().map(str::to_string)
    };
    if let Some(name) = quoted("unknown field ") {
        let known = message.split_once(", expected ").map(|(_, k)| k.replace('`', "\"")).unwrap_or_default();
        let (vi_known, en_known) = if known.is_empty() {
            (String::new(), String::new())
        } else {
            (
                format!(" (các trường hợp lệ: {})", known.replace("one of ", "").replace(" or ", " hoặc ")),
                format!(" (expected {known})"),
            )
        };
        return (
            format!("Trường \"{name}\" không có trong mẫu dữ liệu; chưa lưu gì{vi_known}"),
            format!("Unknown field \"{name}\"; nothing was stored{en_known}"),
        );
    }
    if let Some(name) = quoted("missing field ") {
        return (
            format!("Thiếu trường \"{name}\"; chưa lưu gì"),
            format!("Missing field \"{name}\"; nothing was stored"),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!("Sai kiểu dữ liệu: nhận {}, cần {}; chưa lưu gì", kind_vi(got), kind_vi(expected)),
            format!("Wrong type: got {}, expected {}; nothing was stored", kind_en(got), kind_en(expected)),
        );
    }
    if let Some(rest) = message.strip_prefix("invalid value: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return (
            format!("Giá trị không hợp lệ: {}, cần {}; chưa lưu gì", kind_vi(got), kind_vi(expected)),
            format!("Invalid value: {}, expected {}; nothing was stored", kind_en(got), kind_en(expected)),
        );
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let name = rest.split('`').nth(1).unwrap_or(rest);
        return (
            format!("Giá trị \"{name}\" không hợp lệ; chưa lưu gì"),
            format!("Unknown value \"{name}\"; nothing was stored"),
        );
    }
    (
        "Dữ liệu gửi lên không đúng định dạng; chưa lưu gì".to_string(),
        format!("The request body does not have the expected shape ({message}); nothing was stored"),
    )
}

/// serde's names of JSON kinds in English words (never a Rust type: "f64" is "a
/// number").
fn kind_en(text: &str) -> String {
    let t = text.trim();
    let word = |w: &str| t.starts_with(w);
    if word("integer") || word("i64") || word("u64") || word("i32") || word("u32") {
        "a whole number".to_string()
    } else if word("floating point") || word("f64") || word("f32") {
        "a number".to_string()
    } else if word("map") || word("struct") {
        "an object {…}".to_string()
    } else if word("sequence") {
        "a list […]".to_string()
    } else {
        t.to_string()
    }
}

/// serde's names of JSON kinds, in Vietnamese.
fn kind_vi(text: &str) -> String {
    let t = text.trim();
    let word = |w: &str| t.starts_with(w);
    if word("string") || word("a string") {
        format!("chuỗi chữ{}", t.split_once(' ').map(|(_, v)| format!(" {v}")).unwrap_or_default())
    } else if word("integer") || word("i64") || word("u64") || word("i32") || word("u32") || word("a whole number") {
        "số nguyên".to_string()
    } else if word("floating point") || word("f64") {
        "số thập phân".to_string()
    } else if word("boolean") || word("a boolean") {
        "đúng/sai (true/false)".to_string()
    } else if word("map") || word("struct") || word("a map") {
        "đối tượng {…}".to_string()
    } else if word("sequence") || word("a sequence") {
        "danh sách […]".to_string()
    } else if word("null") || word("unit") {
        "null".to_string()
    } else {
        "giá trị khác".to_string()
    }
}

/// A report written as JSON (the CLI's `--file`): a JSON object with the fields of
/// [`ReportInput`] and, for past data, `submitted_at`. Anything else (another shape,
/// an unknown field) is refused with a message in both languages.
pub fn input_from_json(text: &str) -> Result<(ReportInput, Option<serde_json::Value>), (String, String)> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        (format!("Tệp không phải JSON hợp lệ (dòng {}, cột {})", e.line(), e.column()), format!("Not valid JSON: {e}"))
    })?;
    let serde_json::Value::Object(mut fields) = value else {
        return Err((
            "Tệp báo cáo phải là một đối tượng JSON ({…})".to_string(),
            "The report file must be a JSON object ({…})".to_string(),
        ));
    };
    let submitted_at = fields.remove("submitted_at");
    if let Some(serde_json::Value::Array(items)) = fields.get("activities") {
        if !items.iter().all(serde_json::Value::is_object) {
            return Err((
                "Mỗi hoạt động phải là một đối tượng JSON ({…})".to_string(),
                "Every activity must be a JSON object ({…})".to_string(),
            ));
        }
    }
    let input: ReportInput =
        serde_json::from_value(serde_json::Value::Object(fields)).map_err(|e| explain_json_error(&e.to_string()))?;
    Ok((input, submitted_at))
}
