//! The office manages accounts: list, create (one-time password), role and units,
//! password reset.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use phongtrao_domain::policy::Action;
use phongtrao_domain::role::Role;
use phongtrao_storage::{units, users};

use crate::actions::password;
use crate::actions::users::{self as user_actions, UserInput};
use crate::authz::require;
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

pub struct UserLine {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role_key: String,
    pub units: String,
    /// The units' names (the field holds their codes).
    pub unit_names: String,
    pub active: bool,
    pub must_change: bool,
    /// The officer's own account (not ticked for bulk changes).
    pub is_me: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_users.html")]
pub struct UsersPage {
    pub chrome: Chrome,
    pub users: Vec<UserLine>,
    pub roles: Vec<(String, String)>,
    /// Shown once after creating a user or resetting a password.
    pub secret: Option<(String, String)>,
    pub error: Option<String>,
    pub form: Option<UserInput>,
    /// What the last bulk change did.
    pub notice: Option<String>,
    /// The officer chose the administrator role: ask before creating it.
    pub confirm_admin: bool,
    /// The province office (bulk changes and imports); a unit's office sees only the
    /// accounts of its units and the single-account forms.
    pub whole_tree: bool,
}

fn roles(lang: crate::i18n::Lang, actor: Option<&phongtrao_domain::policy::Actor>) -> Vec<(String, String)> {
    Role::ALL
        .iter()
        .filter(|r| actor.is_some_and(|a| phongtrao_domain::policy::may_grant(a, **r)))
        .map(|r| {
            let label = match lang {
                crate::i18n::Lang::Vi => r.label_vi().to_string(),
                crate::i18n::Lang::En => r.as_str().to_string(),
            };
            (r.as_str().to_string(), label)
        })
        .collect()
}

async fn build(
    state: &AppState,
    page: &Page,
    secret: Option<(String, String)>,
    error: Option<String>,
    form: Option<UserInput>,
) -> Result<UsersPage, AppError> {
    let db = &state.db;
    let all_units = units::list(db).await.map_err(|e| AppError::internal(page.lang, e))?;
    let code_of: std::collections::HashMap<i64, String> = all_units.iter().map(|u| (u.id, u.code.clone())).collect();
    let name_of: std::collections::HashMap<i64, String> = all_units.iter().map(|u| (u.id, u.name.clone())).collect();
    let policy = page.actor.as_ref().map(|a| a.policy());
    let accounts = match page.actor.as_ref() {
        Some(actor) => user_actions::manageable(state, actor, &page.client).await.map_err(|f| page.fail(f))?,
        None => Vec::new(),
    };
    let mut lines = Vec::new();
    for (u, ids) in accounts {
        lines.push(UserLine {
            id: u.id,
            units: ids.iter().filter_map(|id| code_of.get(id).cloned()).collect::<Vec<_>>().join(", "),
            unit_names: ids.iter().filter_map(|id| name_of.get(id).cloned()).collect::<Vec<_>>().join(", "),
            username: u.username,
            display_name: u.display_name,
            role_key: u.role,
            active: u.active,
            must_change: u.must_change_password,
            is_me: page.actor.as_ref().is_some_and(|a| a.user.id == u.id),
        });
    }
    Ok(UsersPage {
        chrome: page.chrome(page.lang.t("admin.users"), "admin"),
        users: lines,
        roles: roles(page.lang, policy.as_ref()),
        secret,
        error,
        form,
        notice: None,
        confirm_admin: false,
        whole_tree: policy.as_ref().is_some_and(|p| p.role == Role::Admin),
    })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    /// How many accounts the last bulk change deactivated.
    deactivated: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    axum::extract::Query(q): axum::extract::Query<ListQuery>,
) -> Result<UsersPage, AppError> {
    let actor = page.require_actor()?;
    if !user_actions::manages_some_accounts(actor) {
        require(&state, actor, &page.client, Action::AdministerUsers, None).await.map_err(|f| page.fail(f))?;
    }
    let mut view = build(&state, &page, None, None, None).await?;
    view.notice = q.deactivated.map(|n| format!("{}: {n}", page.lang.t("bulk_deactivated")));
    Ok(view)
}

pub async fn create(
    State(state): State<AppState>,
    page: Page,
    Form(input): Form<UserInput>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let wants_admin = Role::parse(input.role.trim()) == Some(Role::Admin);
    if wants_admin && input.confirm_admin.as_deref() != Some("on") {
        // An administrator can do everything: the officer confirms before it exists.
        require(&state, &actor, &page.client, Action::AdministerUsers, None).await.map_err(|f| page.fail(f))?;
        let mut again = build(&state, &page, None, None, Some(input)).await?;
        again.confirm_admin = true;
        return Ok(again.into_response());
    }
    match user_actions::create(&state, &actor, &page.client, &input).await {
        Ok((_, secret)) => Ok(build(&state, &page, Some((input.username.trim().to_lowercase(), secret)), None, None)
            .await?
            .into_response()),
        Err(f)
            if f.status.is_client_error()
                && (f.status != axum::http::StatusCode::FORBIDDEN || !actor_is_admin(&actor)) =>
        {
            let status = f.status;
            let error = Some(f.message(page.lang).to_string());
            Ok((status, build(&state, &page, None, error, Some(input)).await?).into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}

pub async fn update(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(input): Form<UserInput>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    match user_actions::set_access(&state, &actor, &page.client, id, &input).await {
        Ok(()) => Ok(axum::response::Redirect::to("/admin/users").into_response()),
        Err(f)
            if f.status.is_client_error()
                && (f.status != axum::http::StatusCode::FORBIDDEN || !actor_is_admin(&actor)) =>
        {
            let status = f.status;
            let error = Some(f.message(page.lang).to_string());
            Ok((status, build(&state, &page, None, error, None).await?).into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}

pub async fn reset(State(state): State<AppState>, page: Page, Path(id): Path<i64>) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let secret = password::reset(&state, &actor, &page.client, id).await.map_err(|f| page.fail(f))?;
    let username = users::by_id(&state.db, id)
        .await
        .map_err(|e| AppError::internal(page.lang, e))?
        .map(|u| u.username)
        .unwrap_or_default();
    Ok(build(&state, &page, Some((username, secret)), None, None).await?.into_response())
}

/// A unit's office is told on the form why an account was refused (a unit outside its
/// own, a role it cannot give); the office's refusals stay the error page.
fn actor_is_admin(actor: &crate::auth::Actor) -> bool {
    actor.user.role == Role::Admin
}
