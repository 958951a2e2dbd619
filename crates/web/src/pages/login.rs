//! The login form, logging in and out.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;

use crate::actions::login;
use crate::auth::{AuthSession, Credentials};
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub next: String,
    pub username: String,
    pub error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path of this site, never another site (see `crate::redirect`).
pub fn safe_next(next: Option<&str>) -> String {
    crate::redirect::after_login(next)
}

async fn form(page: &Page, next: String, username: String, error: Option<String>) -> LoginPage {
    let chrome = page.chrome(page.lang.t("login.title"), "login");
    LoginPage { chrome, next, username, error }
}

pub async fn show(page: Page, Query(q): Query<NextQuery>) -> LoginPage {
    form(&page, safe_next(q.next.as_deref()), String::new(), None).await
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    mut auth: AuthSession,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = safe_next(f.next.as_deref());
    let creds = Credentials { username: f.username.clone(), password: f.password };
    match login::login(&state, &mut auth, creds, &page.client).await {
        Ok(user) if user.must_change_password => Redirect::to("/account?first=1").into_response(),
        Ok(user) => Redirect::to(&login::destination(&user, &next)).into_response(),
        Err(failure) if failure.status.is_server_error() => failure.page(page.lang).into_response(),
        Err(failure) => {
            let status = failure.status;
            let message = failure.message(page.lang).to_string();
            let mut response = (status, form(&page, next, f.username, Some(message)).await).into_response();
            if let Some(secs) = failure.retry_after {
                if let Ok(v) = secs.to_string().parse() {
                    response.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
                }
            }
            response
        }
    }
}

pub async fn logout(State(state): State<AppState>, page: Page, mut auth: AuthSession) -> Result<Response, AppError> {
    login::logout(&state, &mut auth, &page.client).await.map_err(|f| page.fail(f))?;
    Ok((StatusCode::SEE_OTHER, [(axum::http::header::LOCATION, "/")]).into_response())
}
