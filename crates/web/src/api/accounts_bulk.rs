//! Accounts in bulk: POST /api/v1/users/import (a list of people; `dry_run` only checks)
//! and POST /api/v1/users/bulk (deactivate or reset many accounts).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use phongtrao_domain::policy::Action;
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::Object;
use crate::actions::accounts_bulk::{self, BulkAction};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::{logged_in, require, who};
use crate::error::{ApiError, Failure};
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// A unit's code or name.
    unit: String,
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    accounts: Vec<Person>,
    #[serde(default)]
    dry_run: bool,
}

pub async fn import(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<ImportBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let actor = logged_in(actor)?;
    require(&state, &actor, &client, Action::AdministerUsers, None).await?;
    let mut table =
        vec![["Đơn vị", "Họ tên", "E-mail", "Điện thoại", "Tên đăng nhập", "Vai trò"].map(String::from).to_vec()];
    table.extend(body.accounts.into_iter().map(|p| vec![p.unit, p.name, p.email, p.phone, p.username, p.role]));
    let rows = match accounts_bulk::check_table(&state.db, &table).await? {
        Ok(rows) => rows,
        Err(errors) => {
            // Rows as the caller numbers them: the first account is 1.
            let list = |sep: &str| {
                errors
                    .iter()
                    .map(|e| format!("{} {}: {}", sep, e.row.saturating_sub(1), e.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return Err(Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("Chưa tạo tài khoản nào. {}", list("tài khoản")),
                format!("No account was created. {}", list("account")),
            )
            .into());
        }
    };
    if body.dry_run {
        return Ok((StatusCode::OK, Json(json!({ "preview": rows }))));
    }
    let slips = accounts_bulk::create_checked(&state.db, &rows, &who(Some(&actor), &client), state.now()).await?;
    Ok((StatusCode::CREATED, Json(json!({ "created": slips }))))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    action: BulkAction,
    users: Vec<i64>,
}

pub async fn bulk(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<BulkBody>,
) -> Result<Json<Value>, ApiError> {
    let actor = logged_in(actor)?;
    let slips = accounts_bulk::apply(&state, &actor, &client, body.action, &body.users).await?;
    Ok(Json(json!({ "action": body.action, "users": body.users.len(), "reset": slips })))
}
