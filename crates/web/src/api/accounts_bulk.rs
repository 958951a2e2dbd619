//! Accounts in bulk: POST /api/v1/users/import (a list of people; `dry_run` only checks)
//! and POST /api/v1/users/bulk (deactivate or reset many accounts).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use phongtrao_domain::policy::Action;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::accounts_bulk::{self, BulkAction, Slip};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::{logged_in, require, who};
use crate::error::{ApiError, Failure};
use crate::AppState;

/// A person to give an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// A unit's code or exact name
    unit: String,
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    /// Empty: made from the unit's name
    #[serde(default)]
    username: String,
    /// unit (default) or viewer
    #[serde(default)]
    role: String,
}

/// A list of people to give accounts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportBody {
    #[schema(min_items = 1, max_items = 2000)]
    accounts: Vec<Person>,
    /// Only check the list and show what would be created
    #[serde(default)]
    dry_run: bool,
}

/// The accounts a list would create (`dry_run`).
#[derive(Serialize, ToSchema)]
pub struct AccountsPreview {
    #[schema(value_type = Vec<Object>)]
    pub preview: Vec<phongtrao_domain::account_import::AccountRow>,
}

/// The accounts created, each with its one-time password.
#[derive(Serialize, ToSchema)]
pub struct AccountsCreated {
    pub created: Vec<Slip>,
}

/// A bulk change done.
#[derive(Serialize, ToSchema)]
pub struct BulkDone {
    pub action: BulkAction,
    /// How many accounts were changed
    pub users: usize,
    /// The new one-time passwords (a reset)
    pub reset: Vec<Slip>,
}

/// Creates many accounts at once from a list (all or none); `dry_run` only checks it.
#[utoipa::path(post, path = "/users/import", tag = "accounts", request_body = ImportBody,
    responses(
        (status = 200, description = "dry_run: the accounts that would be created", body = AccountsPreview),
        (status = 201, description = "The accounts created, each with its one-time password", body = AccountsCreated),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden))]
pub async fn import(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<ImportBody>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let actor = logged_in(actor)?;
    require(&state, &actor, &client, Action::AdministerUsers, None).await?;
    let mut table =
        vec![["Đơn vị", "Họ tên", "E-mail", "Điện thoại", "Tên đăng nhập", "Vai trò"].map(String::from).to_vec()];
    table.extend(body.accounts.into_iter().map(|p| vec![p.unit, p.name, p.email, p.phone, p.username, p.role]));
    let rows = match accounts_bulk::check_table(&state.db, &table).await? {
        Ok(rows) => rows,
        Err(errors) => {
            // Rows as the caller numbers them: the first account is 1.
            // Each language says only its own words.
            let list = |sep: &str, vi: bool| {
                errors
                    .iter()
                    .map(|e| {
                        let said = if vi { e.message_vi() } else { e.message_en() };
                        format!("{} {}: {}", sep, e.row.saturating_sub(1), said)
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return Err(Failure::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("Chưa tạo tài khoản nào. {}", list("tài khoản", true)),
                format!("No account was created. {}", list("account", false)),
            )
            .into());
        }
    };
    if body.dry_run {
        return Ok((StatusCode::OK, Json(AccountsPreview { preview: rows })).into_response());
    }
    let slips = accounts_bulk::create_checked(&state.db, &rows, &who(Some(&actor), &client), state.now()).await?;
    Ok((StatusCode::CREATED, Json(AccountsCreated { created: slips })).into_response())
}

/// A change of many accounts at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkBody {
    action: BulkAction,
    /// Account ids
    #[schema(min_items = 1, max_items = 2000)]
    users: Vec<i64>,
}

/// Deactivates or resets many accounts at once (each change audited).
#[utoipa::path(post, path = "/users/bulk", tag = "accounts", request_body = BulkBody,
    responses((status = 200, description = "Done", body = BulkDone),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden))]
pub async fn bulk(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<BulkBody>,
) -> Result<Json<BulkDone>, ApiError> {
    let actor = logged_in(actor)?;
    let slips = accounts_bulk::apply(&state, &actor, &client, body.action, &body.users).await?;
    Ok(Json(BulkDone { action: body.action, users: body.users.len(), reset: slips }))
}
