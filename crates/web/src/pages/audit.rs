//! The audit log page, filterable by unit and user; times in Vietnam time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use chrono_tz::Asia::Ho_Chi_Minh;

use crate::actions::audit_log::{self, AuditQuery};
use crate::error::AppError;
use crate::i18n::Chrome;
use crate::page::Page;
use crate::AppState;

pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub before: String,
    pub after: String,
    pub client: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub unit: String,
    pub user: String,
    pub lines: Vec<AuditLine>,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AuditQuery>,
) -> Result<AuditPage, AppError> {
    let actor = page.require_actor()?.clone();
    let rows = audit_log::list(&state, &actor, &page.client, &q).await.map_err(|f| page.fail(f))?;
    let lines = rows
        .into_iter()
        .map(|r| AuditLine {
            at: r.at.with_timezone(&Ho_Chi_Minh).format("%d/%m/%Y %H:%M:%S").to_string(),
            actor: r.actor_name,
            action: r.action,
            entity: format!("{}{}", r.entity, r.entity_key.map(|k| format!(" {k}")).unwrap_or_default()),
            before: r.before_json.unwrap_or_default(),
            after: r.after_json.unwrap_or_default(),
            client: r.client.unwrap_or_default(),
        })
        .collect();
    Ok(AuditPage {
        chrome: page.chrome(page.lang.t("audit.title"), "audit"),
        unit: q.unit.unwrap_or_default(),
        user: q.user.unwrap_or_default(),
        lines,
    })
}
