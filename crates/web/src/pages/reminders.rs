//! /admin/reminders: the reminders sent to units that had not submitted.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::actions::reminders::{self, ReminderView};
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "reminders.html")]
pub struct RemindersPage {
    pub chrome: Chrome,
    pub rows: Vec<ReminderView>,
}

pub async fn show(State(state): State<AppState>, page: Page) -> Result<RemindersPage, AppError> {
    let actor = page.require_actor()?.clone();
    let mut rows = reminders::list(&state, &actor, &page.client, None).await.map_err(|f| page.fail(f))?;
    for r in &mut rows {
        // dd/mm/yyyy HHhMM, as everywhere in the UI.
        r.deadline = short(&r.deadline);
        r.claimed_at = short(&r.claimed_at);
    }
    Ok(RemindersPage { chrome: page.chrome(page.lang.t("ops_title"), "audit"), rows })
}

fn short(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|t| t.format("%d/%m/%Y %Hh%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_string())
}
