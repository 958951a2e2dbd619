//! The forms of submission notices: "đánh dấu đã xem" on the landing page, and the
//! officer's choice of e-mail / webhook on the account page.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_storage::submit_notices::Prefs;
use serde::Deserialize;

use crate::actions::submit_notices;
use crate::error::AppError;
use crate::page::Page;
use crate::redirect::local_path;
use crate::AppState;

#[derive(Deserialize)]
pub struct ReadForm {
    /// One notice; none: all the reader sees.
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    back: Option<String>,
}

/// POST /notices/read: marks one notice, or all, read for the logged-in officer.
pub async fn mark_read(
    State(state): State<AppState>,
    page: Page,
    Form(f): Form<ReadForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let id = match f.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => Some(text.parse::<i64>().map_err(|_| AppError::not_found(page.lang))?),
        None => None,
    };
    let ids = id.map(|i| vec![i]);
    submit_notices::mark_read(&state, campaign, &actor, ids.as_deref()).await.map_err(|f| page.fail(f))?;
    let back = local_path(f.back.as_deref());
    Ok(Redirect::to(&back).into_response())
}

#[derive(Deserialize)]
pub struct PrefsForm {
    #[serde(default)]
    by_email: Option<String>,
    #[serde(default)]
    by_webhook: Option<String>,
}

/// POST /account/notices: the officer's own choice of channels (audited).
pub async fn set_prefs(
    State(state): State<AppState>,
    page: Page,
    Form(f): Form<PrefsForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let prefs = Prefs { by_email: f.by_email.is_some(), by_webhook: f.by_webhook.is_some() };
    submit_notices::set_prefs(&state, &actor, &page.client, prefs).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to("/account?notices=1#notice-prefs").into_response())
}
