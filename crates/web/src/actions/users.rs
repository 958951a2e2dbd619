//! Creating users and giving them a role and units (admin only).

use phongtrao_domain::policy::Action;
use phongtrao_domain::role::Role;
use phongtrao_domain::text::nfc;
use phongtrao_storage::units;
use phongtrao_storage::users::{self, NewUser};
use serde::Deserialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::{password, AppState};

#[derive(Debug, Clone, Deserialize)]
pub struct UserInput {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub role: String,
    /// Unit codes, separated by commas or spaces in forms.
    #[serde(default)]
    pub units: String,
    #[serde(default)]
    pub active: Option<String>,
    /// Where reminders and notices go (optional).
    #[serde(default)]
    pub email: Option<String>,
    /// The page's confirmation that the officer means to create an administrator.
    #[serde(default)]
    pub confirm_admin: Option<String>,
}

impl UserInput {
    /// The role field as entered, for keeping it selected when the form comes back.
    pub fn role_key(&self) -> &str {
        self.role.trim()
    }

    pub fn email_text(&self) -> &str {
        self.email.as_deref().unwrap_or("")
    }
}

fn parse_role(text: &str) -> Result<Role, Failure> {
    if text.trim().is_empty() {
        return Err(Failure::invalid("Hãy chọn vai trò của tài khoản / Choose the account's role"));
    }
    Role::parse(text.trim()).ok_or_else(|| {
        Failure::invalid(format!(
            "Vai trò \"{text}\" không hợp lệ (admin, steering, unit_office, unit, viewer) / Unknown role"
        ))
    })
}

/// Units as the office types them, separated by commas, semicolons or lines: codes
/// ("899, 903") or names with or without accents ("hon dat; Tân Hiệp"); codes may
/// also be separated by spaces ("899 903"). Every one must be found.
pub async fn unit_ids(state: &AppState, text: &str) -> Result<Vec<i64>, Failure> {
    let mut ids = Vec::new();
    for part in text.split([',', ';', '\n']).map(str::trim).filter(|c| !c.is_empty()) {
        match crate::actions::unit_lookup::find(&state.db, part).await? {
            Some(u) => ids.push(u.id),
            None => {
                // "899 903": codes separated by spaces.
                for code in part.split_whitespace() {
                    match units::by_code(&state.db, code).await? {
                        Some(u) => ids.push(u.id),
                        None => return Err(crate::actions::unit_lookup::unknown(code)),
                    }
                }
            }
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Creates a user with a one-time password, returned once.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    input: &UserInput,
) -> Result<(i64, String), Failure> {
    require(state, actor, client, Action::AdministerUsers, None).await?;
    create_as(state, &who(Some(actor), client), input).await
}

/// The same checks and write for a caller already authorized (the CLI, acting for the
/// office): one way to create an account for the page, the API and `phongtrao user add`.
pub async fn create_as(
    state: &AppState,
    who: &phongtrao_storage::audit::Who,
    input: &UserInput,
) -> Result<(i64, String), Failure> {
    let username = input.username.trim().to_lowercase();
    users::check_username(&username)?;
    let role = parse_role(&input.role)?;
    let ids = unit_ids(state, &input.units).await?;
    let email =
        phongtrao_domain::email::parse_optional(input.email.as_deref().unwrap_or("")).map_err(Failure::invalid)?;
    if matches!(role, Role::Unit | Role::UnitOffice) && ids.is_empty() {
        return Err(Failure::invalid(
            "Tài khoản đơn vị cần ít nhất một đơn vị / A unit account needs at least one unit",
        ));
    }
    let display_name = nfc(input.display_name.trim());
    let display_name = if display_name.is_empty() { username.clone() } else { display_name };
    if display_name.chars().count() > 200 {
        return Err(Failure::invalid("Tên hiển thị tối đa 200 ký tự / A display name has at most 200 characters"));
    }
    let secret = password::generate();
    let hashed = tokio::task::spawn_blocking({
        let s = secret.clone();
        move || password::hash(&s)
    })
    .await
    .map_err(Failure::internal)?
    .map_err(Failure::internal)?;
    let id = users::create(
        &state.db,
        &NewUser {
            username: &username,
            display_name: &display_name,
            password_hash: &hashed,
            role,
            must_change_password: true,
            unit_ids: &ids,
            email: email.as_deref(),
        },
        who,
        state.now(),
    )
    .await?;
    Ok((id, secret))
}

/// Sets a user's role, units and whether the account is active.
pub async fn set_access(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    user_id: i64,
    input: &UserInput,
) -> Result<(), Failure> {
    require(state, actor, client, Action::AdministerUsers, None).await?;
    let role = parse_role(&input.role)?;
    let ids = unit_ids(state, &input.units).await?;
    let active = input.active.as_deref().is_none_or(|v| v == "on" || v == "true" || v == "1");
    if user_id == actor.user.id && (role != Role::Admin || !active) {
        return Err(Failure::invalid(
            "Không thể tự bỏ quyền quản trị của chính mình / You cannot remove your own admin access",
        ));
    }
    users::set_access(&state.db, user_id, role, active, &ids, &who(Some(actor), client), state.now()).await?;
    Ok(())
}
