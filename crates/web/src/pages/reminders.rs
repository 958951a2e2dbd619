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

pub async fn show(State(state): State<AppState>, page: Page) -> Result<RemindersPage, AppError> {
    let actor = page.require_actor()?.clone();
    let lang = page.lang;
    let rows = reminders::list(&state, &actor, &page.client, None)
        .await
        .map_err(|f| page.fail(f))?
        .into_iter()
        .map(|r| ReminderLine {
            kind: code_label(lang, "ops_kind", &r.kind, &["before", "after"]),
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
    Ok(RemindersPage { chrome: page.chrome(lang.t("ops_title"), "audit"), rows })
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
