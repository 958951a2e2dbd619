//! Accounts in bulk: after a reorganisation or at the start of a term the office gives
//! a hundred unions their reporters at once (a list previewed, every bad row named,
//! nothing created unless all are good, one-time passwords handed out as printable
//! slips), and deactivates or resets many accounts at the end of a term.

use std::collections::HashSet;

use phongtrao_domain::account_import::{check_rows, AccountRow, UnitRef};
use phongtrao_domain::policy::Action;
use phongtrao_domain::unit_import::RowError;
use phongtrao_storage::audit::Who;
use phongtrao_storage::users::{self, NewUser};
use phongtrao_storage::{pending_imports, units, Db};
use serde::Serialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::{files, password, AppState};

pub const KIND: &str = "accounts";

/// One account created (or reset) and its one-time password, shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Slip {
    pub username: String,
    pub display_name: String,
    pub unit_code: String,
    pub unit_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub one_time_password: String,
}

pub enum Preview {
    /// Every row is good; confirm with this id.
    Ready { id: i64, rows: Vec<AccountRow> },
    /// Nothing will be created; these rows need fixing.
    Rejected { errors: Vec<RowError> },
}

/// Checks a table of accounts against the active units and the user names in use.
pub async fn check_table(db: &Db, table: &[Vec<String>]) -> Result<Result<Vec<AccountRow>, Vec<RowError>>, Failure> {
    let refs: Vec<UnitRef> = units::list_live(db)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| UnitRef { id: u.id, code: u.code, name: u.name })
        .collect();
    let taken: HashSet<String> = users::list(db).await?.into_iter().map(|u| u.username).collect();
    Ok(check_rows(table, &refs, &taken))
}

/// The office uploads a list: checked (after the permission, before anything else is
/// read) and kept for confirmation; nothing is created yet.
pub async fn preview(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    file_name: &str,
    bytes: &[u8],
) -> Result<Preview, Failure> {
    require(state, actor, client, Action::AdministerUsers, None).await?;
    let table = files::read_table(file_name, bytes)?;
    match check_table(&state.db, &table).await? {
        Ok(rows) => {
            let payload = serde_json::to_string(&rows).map_err(Failure::internal)?;
            let id = pending_imports::create(&state.db, actor.user.id, KIND, file_name, &payload, state.now()).await?;
            Ok(Preview::Ready { id, rows })
        }
        Err(errors) => Ok(Preview::Rejected { errors }),
    }
}

/// Creates the previewed accounts, all or none, and returns their slips.
pub async fn confirm(state: &AppState, actor: &Actor, client: &ClientIp, id: i64) -> Result<Vec<Slip>, Failure> {
    require(state, actor, client, Action::AdministerUsers, None).await?;
    let pending = pending_imports::get(&state.db, id, actor.user.id).await?.ok_or_else(Failure::not_found)?;
    if pending.kind != KIND {
        return Err(Failure::not_found());
    }
    let rows: Vec<AccountRow> = serde_json::from_str(&pending.payload_json).map_err(Failure::internal)?;
    let slips = create_checked(&state.db, &rows, &who(Some(actor), client), state.now()).await?;
    pending_imports::mark_confirmed(&state.db, id, state.now()).await?;
    Ok(slips)
}

/// Creates checked rows in one transaction, each with a new one-time password (the
/// person must change it at first login). Shared by the page, the API and the CLI.
pub async fn create_checked(
    db: &Db,
    rows: &[AccountRow],
    who: &Who,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<Slip>, Failure> {
    let secrets: Vec<String> = rows.iter().map(|_| password::generate()).collect();
    let hashes = tokio::task::spawn_blocking({
        let secrets = secrets.clone();
        move || secrets.iter().map(|s| password::hash(s)).collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(Failure::internal)?
    .map_err(Failure::internal)?;
    let unit_ids: Vec<[i64; 1]> = rows.iter().map(|r| [r.unit_id]).collect();
    let new_users: Vec<NewUser<'_>> = rows
        .iter()
        .zip(&hashes)
        .zip(&unit_ids)
        .map(|((r, hash), units)| NewUser {
            username: &r.username,
            display_name: &r.display_name,
            password_hash: hash,
            role: r.role,
            must_change_password: true,
            unit_ids: units,
            email: r.email.as_deref(),
        })
        .collect();
    let with_phones: Vec<(&NewUser<'_>, Option<&str>)> =
        new_users.iter().zip(rows).map(|(u, r)| (u, r.phone.as_deref())).collect();
    users::create_many(db, &with_phones, who, now).await?;
    Ok(rows
        .iter()
        .zip(secrets)
        .map(|(r, secret)| Slip {
            username: r.username.clone(),
            display_name: r.display_name.clone(),
            unit_code: r.unit_code.clone(),
            unit_name: r.unit_name.clone(),
            email: r.email.clone(),
            phone: r.phone.clone(),
            one_time_password: secret,
        })
        .collect())
}

/// What to do to many accounts at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// End of term: the accounts can no longer log in (kept, with their history).
    Deactivate,
    /// New one-time passwords (printed as slips).
    Reset,
}

/// Deactivates or resets each account; every change is audited as its own action.
/// The officer's own account is refused (as on the single-account form).
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    action: BulkAction,
    user_ids: &[i64],
) -> Result<Vec<Slip>, Failure> {
    require(state, actor, client, Action::AdministerUsers, None).await?;
    if user_ids.is_empty() {
        return Err(Failure::invalid("Chưa chọn tài khoản nào / No account was chosen"));
    }
    if user_ids.len() > phongtrao_domain::account_import::MAX_ROWS {
        return Err(Failure::invalid("Quá nhiều tài khoản trong một lần / Too many accounts at once"));
    }
    if user_ids.contains(&actor.user.id) {
        return Err(Failure::invalid(
            "Không thể khóa hoặc cấp lại mật khẩu cho chính tài khoản của mình ở đây / You cannot deactivate or reset your own account here",
        ));
    }
    // Check every id first: an unknown one stops everything before any change.
    let mut accounts = Vec::new();
    for id in user_ids {
        let row = users::by_id(&state.db, *id)
            .await?
            .ok_or_else(|| Failure::invalid(format!("Không có tài khoản số {id} / No account {id}")))?;
        accounts.push(row);
    }
    let all_units = units::list(&state.db).await?;
    let mut slips = Vec::new();
    for account in accounts {
        let unit_ids = users::unit_ids(&state.db, account.id).await?;
        let unit = unit_ids.first().and_then(|id| all_units.iter().find(|u| u.id == *id));
        match action {
            BulkAction::Deactivate => {
                let input = crate::actions::users::UserInput {
                    username: account.username.clone(),
                    display_name: account.display_name.clone(),
                    role: account.role.clone(),
                    units: unit_ids
                        .iter()
                        .filter_map(|id| all_units.iter().find(|u| u.id == *id).map(|u| u.code.clone()))
                        .collect::<Vec<_>>()
                        .join(","),
                    active: Some("false".into()),
                    email: None,
                    confirm_admin: None,
                };
                crate::actions::users::set_access(state, actor, client, account.id, &input).await?;
            }
            BulkAction::Reset => {
                let secret = crate::actions::password::reset(state, actor, client, account.id).await?;
                slips.push(Slip {
                    username: account.username.clone(),
                    display_name: account.display_name.clone(),
                    unit_code: unit.map(|u| u.code.clone()).unwrap_or_default(),
                    unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
                    email: None,
                    phone: None,
                    one_time_password: secret,
                });
            }
        }
    }
    Ok(slips)
}
