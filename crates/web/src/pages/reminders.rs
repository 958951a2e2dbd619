//! /admin/reminders: the reminders sent to units that had not submitted.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use phongtrao_domain::format;

use crate::actions::reminders::{self, ReminderView};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "reminders.html")]
pub struct RemindersPage {
    pub chrome: Chrome,
    pub rows: Vec<ReminderLine>,
    /// Reminders people sent: (unit name, unit code, week, sent at, by).
    pub sent: Vec<(String, String, String, String, String)>,
    /// The weeks that can be reminded (up to today): (period end, label, selected).
    pub periods: Vec<(String, String, bool)>,
    pub unit: String,
    /// The same units were reminded within the hour: the question, with a confirm box.
    pub ask_again: Option<String>,
    pub done: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RemindQuery {
    #[serde(default)]
    period: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    again: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct SendForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    confirm: Option<String>,
}

/// A reminder as the page shows it: times, kind, status and results in words.
pub struct ReminderLine {
    pub r: ReminderView,
    pub kind: String,
    pub deadline: String,
    pub claimed_at: String,
    pub status: String,
    pub email: String,
    pub webhook: String,
    /// "2 lần thử, thử lại lúc …" / "2 tries, next at …" (empty for a first try that is final).
    pub tries: String,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    axum::extract::Query(q): axum::extract::Query<RemindQuery>,
) -> Result<RemindersPage, AppError> {
    let mut view = build(&state, &page, &q.period, &q.unit).await?;
    if q.again.is_some() {
        view.ask_again = Some(page.lang.t("ops_again"));
    }
    Ok(view)
}

/// POST /admin/reminders/send: remind every unit (of a unit's subtree) still missing a
/// week, any week up to today; asks first when they were reminded within the hour.
pub async fn send(
    State(state): State<AppState>,
    page: Page,
    axum::Form(f): axum::Form<SendForm>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let lang = page.lang;
    let Ok(end) = chrono::NaiveDate::parse_from_str(f.period.trim(), "%Y-%m-%d") else {
        let mut view = build(&state, &page, &f.period, &f.unit).await?;
        view.error = Some(lang.t("ops_choose_week"));
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, view).into_response());
    };
    let unit = Some(f.unit.trim()).filter(|u| !u.is_empty());
    let confirm = f.confirm.as_deref() == Some("on");
    match crate::actions::dashboard::remind(&state, campaign, &actor, &page.client, unit, end, confirm).await {
        Ok(done) => {
            let mut view = build(&state, &page, &f.period, &f.unit).await?;
            view.done = Some(format!("{}: {}", lang.t("dash_reminded_done"), done.reminded.len()));
            Ok(view.into_response())
        }
        Err(e) if e.code == "recently_reminded" => {
            let mut view = build(&state, &page, &f.period, &f.unit).await?;
            view.ask_again = Some(e.message(lang).to_string());
            Ok((axum::http::StatusCode::CONFLICT, view).into_response())
        }
        Err(e) if e.status.is_client_error() && e.status != axum::http::StatusCode::FORBIDDEN => {
            let mut view = build(&state, &page, &f.period, &f.unit).await?;
            view.error = Some(e.message(lang).to_string());
            Ok((e.status, view).into_response())
        }
        Err(e) => Err(page.fail(e)),
    }
}

async fn build(state: &AppState, page: &Page, period: &str, unit: &str) -> Result<RemindersPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let lang = page.lang;
    let rows = reminders::list(state, campaign, &actor, &page.client, None)
        .await
        .map_err(|f| page.fail(f))?
        .into_iter()
        .map(|r| ReminderLine {
            kind: code_label(lang, "ops_kind", &r.kind, &["before", "after", "self_assessment"]),
            deadline: format::date_time(&r.deadline),
            claimed_at: format::date_time(&r.claimed_at),
            status: code_label(lang, "ops_status", &r.status, &["pending", "sent", "failed", "no_channel"]),
            email: r.email_result.as_deref().map(|e| result_label(e, lang)).unwrap_or_default(),
            webhook: r.webhook_result.as_deref().map(|w| result_label(w, lang)).unwrap_or_default(),
            tries: match (&r.next_attempt_at, r.attempts) {
                (Some(next), n) => format!(
                    "{}: {n}; {}: {}",
                    lang.t("ops_attempts"),
                    lang.t("ops_next_attempt"),
                    format::date_time(next)
                ),
                (None, n) if n > 1 => format!("{}: {n}", lang.t("ops_attempts")),
                (None, _) => String::new(),
            },
            r,
        })
        .collect();
    let sent = reminders::sent_by_people(state, campaign, &actor, &page.client, 500)
        .await
        .map_err(|f| page.fail(f))?
        .into_iter()
        .map(|r| {
            let week = match r.period_end {
                Some(end) => format!("{} {} ({})", lang.t("review_week"), r.period_seq, format::date(end)),
                None => format!("{} {}", lang.t("review_week"), r.period_seq),
            };
            (r.unit_name, r.unit, week, format::date_time(&r.sent_at), r.sent_by)
        })
        .collect();
    let campaign = page.campaign()?;
    let today = state.now().with_timezone(&campaign.plan.campaign.timezone).date_naive();
    let mut weeks: Vec<_> = campaign.plan.periods().into_iter().filter(|p| p.start <= today).collect();
    if weeks.is_empty() {
        weeks = campaign.plan.periods().into_iter().take(1).collect();
    }
    let chosen = if period.trim().is_empty() {
        weeks.last().map(|p| p.end.format("%Y-%m-%d").to_string()).unwrap_or_default()
    } else {
        period.trim().to_string()
    };
    let periods = weeks
        .iter()
        .map(|p| {
            let value = p.end.format("%Y-%m-%d").to_string();
            let label =
                format!("{} {} ({}–{})", lang.t("review_week"), p.seq, format::date(p.start), format::date(p.end));
            let selected = value == chosen;
            (value, label, selected)
        })
        .collect();
    Ok(RemindersPage {
        chrome: page.chrome(lang.t("ops_title"), "reminders"),
        rows,
        sent,
        periods,
        unit: unit.trim().to_string(),
        ask_again: None,
        done: None,
        error: None,
    })
}

/// A stored code in words (`{prefix}_{code}` in the locale files), or as it is when
/// it is not one of the `known` codes.
fn code_label(lang: Lang, prefix: &str, code: &str, known: &[&str]) -> String {
    if known.contains(&code) {
        lang.t(&format!("{prefix}_{code}"))
    } else {
        code.to_string()
    }
}

/// A channel's result in words: "sent", "not_configured", "no_address", the webhook's
/// HTTP status when it answered, or "error: …" with the error as the server got it.
fn result_label(result: &str, lang: Lang) -> String {
    if let Some(error) = result.strip_prefix("error: ") {
        format!("{}: {error}", lang.t("ops_result_error"))
    } else if result.parse::<u16>().is_ok() {
        format!("{} (HTTP {result})", lang.t("ops_result_sent"))
    } else {
        code_label(lang, "ops_result", result, &["sent", "not_configured", "no_address"])
    }
}
