//! The user's own account: password change and API tokens.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_storage::tokens::{self, TokenRow};
use phongtrao_storage::units;
use serde::Deserialize;

use crate::actions::{password, tokens as token_actions};
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub first: bool,
    pub units: Vec<(String, String)>,
    pub tokens: Vec<TokenRow>,
    pub new_token: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
    pub now: chrono::DateTime<chrono::Utc>,
    /// Submission notices by e-mail / webhook (officers only).
    pub notice_prefs: crate::actions::submit_notices::PrefsBox,
}

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    first: Option<String>,
    done: Option<String>,
    /// The notice choices were just saved.
    notices: Option<String>,
}

async fn build(
    state: &AppState,
    page: &Page,
    first: bool,
    new_token: Option<String>,
    message: Option<String>,
    error: Option<String>,
) -> Result<AccountPage, AppError> {
    let actor = page.actor.as_ref().ok_or_else(|| AppError::login(page.lang, "/account"))?;
    let mut unit_names = Vec::new();
    for id in &actor.unit_ids {
        if let Some(u) = units::by_id(&state.db, *id).await.map_err(|e| AppError::internal(page.lang, e))? {
            unit_names.push((u.code, u.name));
        }
    }
    let tokens = tokens::list_for_user(&state.db, actor.user.id).await.map_err(|e| AppError::internal(page.lang, e))?;
    let notice_prefs = crate::actions::submit_notices::prefs_box(state, actor).await.map_err(|f| page.fail(f))?;
    Ok(AccountPage {
        chrome: page.chrome(page.lang.t("account.title"), "account"),
        first,
        units: unit_names,
        tokens,
        new_token,
        message,
        error,
        now: state.now(),
        notice_prefs,
    })
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AccountQuery>,
) -> Result<AccountPage, AppError> {
    page.require_actor()?;
    let message = q.done.map(|_| page.lang.t("account.password_changed"));
    let first = q.first.is_some() || page.actor.as_ref().is_some_and(|a| a.user.must_change_password);
    let mut shown = build(&state, &page, first, None, message, None).await?;
    shown.notice_prefs.saved = q.notices.is_some();
    Ok(shown)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
    /// The "keep my API tokens" box.
    #[serde(default)]
    keep_tokens: Option<String>,
}

pub async fn change_password(
    State(state): State<AppState>,
    page: Page,
    mut auth: crate::auth::AuthSession,
    Form(f): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    match password::change_own(
        &state,
        &actor,
        &page.client,
        &f.current,
        &f.new,
        &f.confirm,
        f.keep_tokens.is_some(),
        Some(&mut auth),
    )
    .await
    {
        Ok(()) => Ok(Redirect::to("/account?done=1").into_response()),
        Err(failure) if failure.status.is_client_error() => {
            let status = failure.status;
            let error = Some(failure.message(page.lang).to_string());
            Ok((status, build(&state, &page, actor.user.must_change_password, None, None, error).await?)
                .into_response())
        }
        Err(failure) => Err(page.fail(failure)),
    }
}

#[derive(Deserialize)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    page: Page,
    Form(f): Form<TokenForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    match token_actions::create(&state, &actor, &page.client, &f.name).await {
        Ok((_, token)) => Ok(build(&state, &page, false, Some(token), None, None).await?.into_response()),
        Err(failure) if failure.status.is_client_error() => {
            let status = failure.status;
            let error = Some(failure.message(page.lang).to_string());
            Ok((status, build(&state, &page, false, None, None, error).await?).into_response())
        }
        Err(failure) => Err(page.fail(failure)),
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    token_actions::revoke(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to("/account").into_response())
}

/// One line of the admins' list of tokens.
pub struct TokenLine {
    pub id: i64,
    pub owner: String,
    pub name: String,
    pub created: String,
    pub last_used: String,
    pub expires: String,
    pub live: bool,
    pub revoked: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_tokens.html")]
pub struct AdminTokensPage {
    pub chrome: Chrome,
    pub lines: Vec<TokenLine>,
}

/// GET /admin/tokens: every account's API tokens, for an admin.
pub async fn admin_tokens(State(state): State<AppState>, page: Page) -> Result<AdminTokensPage, AppError> {
    let actor = page.require_actor()?.clone();
    let listed = token_actions::list_all(&state, &actor, &page.client, None).await.map_err(|f| page.fail(f))?;
    let now = state.now();
    let day = |d: chrono::DateTime<chrono::Utc>| {
        d.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%d/%m/%Y").to_string()
    };
    let lines = listed
        .into_iter()
        .map(|o| TokenLine {
            id: o.token.id,
            owner: o.username,
            name: o.token.name.clone(),
            created: day(o.token.created_at),
            last_used: o.token.last_used_at.map(day).unwrap_or_else(|| "—".into()),
            expires: day(o.token.expiry()),
            live: o.token.is_live(now),
            revoked: o.token.revoked_at.is_some(),
        })
        .collect();
    Ok(AdminTokensPage { chrome: page.chrome(page.lang.t("sec_all_tokens"), "admin"), lines })
}

/// POST /admin/tokens/{id}/revoke: an admin revokes any account's token.
pub async fn admin_revoke_token(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    token_actions::revoke_any(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to("/admin/tokens").into_response())
}
