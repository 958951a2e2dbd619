//! Creating users and giving them a role and units: the office any account; a unit's
//! office (cascade of plans) the accounts of the units below it, with the roles of
//! their people (`policy::manages_account`).

use phongtrao_domain::policy::Action;
use phongtrao_domain::role::Role;
use phongtrao_domain::text::nfc;
use phongtrao_storage::units;
use phongtrao_storage::users::{self, NewUser};
use serde::Deserialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, require_in, who};
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

/// Refuses (403, in the audit log as every refusal) unless `actor` manages an account
/// with this role over these units: the office always; a unit's office when every
/// unit is below its own and the role is one it may grant.
pub async fn require_account(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    role: Role,
    unit_ids: &[i64],
) -> Result<(), Failure> {
    if actor.user.role == Role::Admin || unit_ids.is_empty() {
        return require(state, actor, client, Action::AdministerUsers, None).await;
    }
    let mut ancestries = Vec::with_capacity(unit_ids.len());
    for id in unit_ids {
        let ancestry = units::ancestry(&state.db, *id).await?;
        // A unit outside its reach: the usual refusal (with that unit in the audit
        // entry), saying which unit.
        if let Err(refused) = require_in(state, actor, client, Action::AdministerUsers, Some(*id), &ancestry).await {
            let Some(unit) = units::by_id(&state.db, *id).await? else { return Err(refused) };
            return Err(Failure::new(
                axum::http::StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "{} không trực thuộc đơn vị của bạn: chỉ tạo và sửa tài khoản của các đơn vị trực thuộc",
                    unit.name
                ),
                format!("{} is not below your unit: you manage only the accounts of the units below it", unit.name),
            ));
        }
        ancestries.push(ancestry);
    }
    if phongtrao_domain::policy::manages_account(&actor.policy(), role, &ancestries) {
        return Ok(());
    }
    let entry =
        who(Some(actor), client).entry("access.denied", "permission", Some(format!("grant_role:{}", role.as_str())));
    if let Err(e) = phongtrao_storage::audit::record(&state.db, &entry, state.now()).await {
        tracing::error!(error = %e, "cannot record a refusal in the audit log");
    }
    Err(Failure::new(
        axum::http::StatusCode::FORBIDDEN,
        "forbidden",
        format!("Văn phòng đơn vị không cấp được vai trò “{}”: chỉ tài khoản báo cáo, xem hoặc văn phòng của đơn vị trực thuộc", role.label_vi()),
        format!("A unit's office cannot give the role \"{}\": only reporter, viewer or office of a unit below it", role.as_str()),
    ))
}

/// Whether the actor may open the accounts page at all (the office, a unit's office).
pub fn manages_some_accounts(actor: &Actor) -> bool {
    matches!(actor.user.role, Role::Admin | Role::UnitOffice)
}

/// Refuses a role or units the actor may not give, before anything is written.
async fn require_grant(state: &AppState, actor: &Actor, client: &ClientIp, input: &UserInput) -> Result<(), Failure> {
    if actor.user.role == Role::Admin {
        return require(state, actor, client, Action::AdministerUsers, None).await;
    }
    if !manages_some_accounts(actor) {
        return require(state, actor, client, Action::AdministerUsers, None).await;
    }
    let role = parse_role(&input.role)?;
    let ids = unit_ids(state, &input.units).await?;
    if ids.is_empty() {
        return Err(Failure::invalid(
            "Hãy ghi đơn vị của tài khoản (một đơn vị trực thuộc) / Give the account's unit (a unit below yours)",
        ));
    }
    require_account(state, actor, client, role, &ids).await
}

/// Creates a user with a one-time password, returned once.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    input: &UserInput,
) -> Result<(i64, String), Failure> {
    require_grant(state, actor, client, input).await?;
    create_as(state, &who(Some(actor), client), input).await
}

/// Refuses unless the actor manages the account as it stands now (its role and units).
pub async fn require_existing(state: &AppState, actor: &Actor, client: &ClientIp, user_id: i64) -> Result<(), Failure> {
    if actor.user.role == Role::Admin {
        return require(state, actor, client, Action::AdministerUsers, None).await;
    }
    let Some(row) = users::by_id(&state.db, user_id).await? else {
        // Unknown to a unit's office: the same answer as an account of another district.
        return require(state, actor, client, Action::AdministerUsers, None).await;
    };
    let role = Role::parse(&row.role).unwrap_or(Role::Admin);
    let ids = users::unit_ids(&state.db, user_id).await?;
    require_account(state, actor, client, role, &ids).await
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
    if role.needs_units() && ids.is_empty() {
        return Err(Failure::invalid(role.no_unit_message()));
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
    require_existing(state, actor, client, user_id).await?;
    require_grant(state, actor, client, input).await?;
    let role = parse_role(&input.role)?;
    let ids = unit_ids(state, &input.units).await?;
    let active = input.active.as_deref().is_none_or(|v| v == "on" || v == "true" || v == "1");
    if role.needs_units() && ids.is_empty() {
        return Err(Failure::invalid(role.no_unit_message()));
    }
    if user_id == actor.user.id && (role != Role::Admin || !active) {
        return Err(Failure::invalid(
            "Không thể tự bỏ quyền quản trị của chính mình / You cannot remove your own admin access",
        ));
    }
    users::set_access(&state.db, user_id, role, active, &ids, &who(Some(actor), client), state.now()).await?;
    Ok(())
}

/// The accounts the actor manages, each with its units: every account for the office,
/// those of the units below it for a unit's office; refused to anyone else. One list
/// for the page and the API.
pub async fn manageable(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
) -> Result<Vec<(users::UserRow, Vec<i64>)>, Failure> {
    if !manages_some_accounts(actor) {
        require(state, actor, client, Action::AdministerUsers, None).await?;
    }
    let all_units = units::list(&state.db).await?;
    let parent_of: std::collections::HashMap<i64, Option<i64>> =
        all_units.iter().map(|u| (u.id, u.parent_id)).collect();
    let ancestry = |id: i64| {
        let mut out = vec![id];
        let mut at = id;
        while let Some(Some(p)) = parent_of.get(&at) {
            if out.contains(p) {
                break;
            }
            out.push(*p);
            at = *p;
        }
        out
    };
    let policy = actor.policy();
    let mut out = Vec::new();
    for u in users::list(&state.db).await? {
        let ids = users::unit_ids(&state.db, u.id).await?;
        let role = Role::parse(&u.role).unwrap_or(Role::Admin);
        let ancestries: Vec<Vec<i64>> = ids.iter().map(|id| ancestry(*id)).collect();
        if phongtrao_domain::policy::manages_account(&policy, role, &ancestries) {
            out.push((u, ids));
        }
    }
    Ok(out)
}
