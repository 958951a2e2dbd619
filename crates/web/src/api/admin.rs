//! The API twins of the account and administration pages.

use std::collections::BTreeMap;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Object;
use super::doc::{BadRequest, Forbidden, JsonBody, NotFound, Unauthenticated};
use crate::actions::audit_log::{self, AuditQuery};
use crate::actions::unit_import::{self, Preview};
use crate::actions::units::{self as unit_actions, NewUnitInput, UnitChangeInput};
use crate::actions::users::{self as user_actions, UserInput};
use crate::actions::{password, tokens};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

type ApiResult<T> = Result<(StatusCode, Json<T>), ApiError>;

/// A unit as stored by a change.
#[derive(Serialize, ToSchema)]
pub struct UnitSaved {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: i64,
    pub active: bool,
}

fn unit_json(u: &phongtrao_storage::units::UnitRow) -> UnitSaved {
    UnitSaved { code: u.code.clone(), name: u.name.clone(), kind: u.kind.clone(), level: u.level, active: u.active }
}

/// A new unit.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    /// A unit code: letters, digits, `-`, `_`, `.`; 1 to 40 characters (GSO codes for territorial units)
    #[schema(
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9._-]{1,40}[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    code: String,
    #[schema(value_type = super::doc::UnitName)]
    name: String,
    #[schema(value_type = super::doc::UnitKindName)]
    kind: String,
    /// The parent unit's code; required except for a province unit
    #[serde(default)]
    parent_code: Option<String>,
}

impl From<NewUnit> for NewUnitInput {
    fn from(b: NewUnit) -> NewUnitInput {
        NewUnitInput { code: b.code, name: b.name, kind: b.kind, parent_code: b.parent_code }
    }
}

/// A plain acknowledgement: `{"saved": true}`.
#[derive(Serialize, ToSchema)]
pub struct SavedFlag {
    pub saved: bool,
}

/// Something named by its code, saved.
#[derive(Serialize, ToSchema)]
pub struct CodeSaved {
    pub code: String,
    pub saved: bool,
}

/// An account, saved.
#[derive(Serialize, ToSchema)]
pub struct IdSaved {
    pub id: i64,
    pub saved: bool,
}

/// The office adds a unit (đoàn trực thuộc, …) under its parent.
#[utoipa::path(post, path = "/units", tag = "units", request_body = NewUnit,
    responses((status = 201, description = "Created", body = UnitSaved), JsonBody, Unauthenticated, Forbidden))]
pub async fn create_unit(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(input): Object<NewUnit>,
) -> ApiResult<UnitSaved> {
    let actor = logged_in(actor)?;
    let unit = unit_actions::create(&state, &actor, &client, &input.into()).await?;
    Ok((StatusCode::CREATED, Json(unit_json(&unit))))
}

/// A change of a unit: its name, its parent (a move) or whether it still operates.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatch {
    /// The new name (2 to 200 characters once trimmed); empty or null keeps the name
    #[schema(value_type = Option<String>, max_length = 200)]
    name: Option<String>,
    /// The new parent's code; empty or null keeps the parent
    parent_code: Option<String>,
    active: Option<bool>,
}

/// The office renames, moves or deactivates a unit (history is kept).
#[utoipa::path(patch, path = "/units/{code}", tag = "units",
    params(("code" = String, Path, description = "A unit code")), request_body = UnitPatch,
    responses((status = 200, description = "Saved", body = UnitSaved), JsonBody, Unauthenticated, Forbidden, NotFound))]
pub async fn update_unit(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(p): Object<UnitPatch>,
) -> ApiResult<UnitSaved> {
    let actor = logged_in(actor)?;
    let input = UnitChangeInput { name: p.name, parent_code: p.parent_code, active: p.active.map(|a| a.to_string()) };
    let unit = unit_actions::update(&state, &actor, &client, &code, &input).await?;
    Ok((StatusCode::OK, Json(unit_json(&unit))))
}

/// A unit's base figures (whole numbers above 0): only the figures given change;
/// null clears one (a unit without the thing has no base figure, never 0).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct BaseFiguresInput {
    #[schema(minimum = 1, maximum = 999_999_999_999_999_i64)]
    doan_vien: Option<i64>,
    #[schema(minimum = 1, maximum = 999_999_999_999_999_i64)]
    can_bo_doan: Option<i64>,
    #[schema(minimum = 1, maximum = 999_999_999_999_999_i64)]
    thanh_nien: Option<i64>,
    #[schema(minimum = 1, maximum = 999_999_999_999_999_i64)]
    thanh_thieu_nhi: Option<i64>,
    #[schema(minimum = 1, maximum = 999_999_999_999_999_i64)]
    clb_tsnt_ttvpl: Option<i64>,
}

/// Body: {"doan_vien": 1500, "thanh_nien": null, ...}; null clears a figure.
#[utoipa::path(put, path = "/units/{code}/base-figures", tag = "units",
    params(("code" = String, Path, description = "A unit code")), request_body = BaseFiguresInput,
    responses((status = 200, description = "Saved", body = CodeSaved), JsonBody, Unauthenticated, Forbidden, NotFound))]
pub async fn set_base_figures(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(body): Object<BTreeMap<String, Option<super::whole::Whole>>>,
) -> ApiResult<CodeSaved> {
    let actor = logged_in(actor)?;
    let values: BTreeMap<String, String> =
        body.into_iter().map(|(k, v)| (k, v.map(|n| n.0.to_string()).unwrap_or_default())).collect();
    if values.values().any(|v| v.starts_with('-')) {
        return Err(
            crate::error::Failure::invalid("Số liệu nền không được âm / base figures cannot be negative").into()
        );
    }
    unit_actions::set_base_figures(&state, &actor, &client, &code, &values).await?;
    Ok((StatusCode::OK, Json(CodeSaved { code, saved: true })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Store at once (without it, only a preview)
    #[serde(default)]
    #[param(required = false)]
    confirm: bool,
}

/// An uploaded file.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Upload {
    /// The file (named so: .csv or .xlsx for units; .docx, .txt or .md for a plan)
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// An import of units: its preview, or what was stored.
#[derive(Serialize, ToSchema)]
pub struct UnitImport {
    pub import_id: i64,
    /// The rows read (a preview)
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub preview: Option<Vec<phongtrao_domain::unit_import::ImportRow>>,
    /// Units created (confirmed)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<u64>,
    /// Units updated (confirmed)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<u64>,
    /// Rows stored (confirmed at upload)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
}

/// The file has invalid rows; nothing was stored: each row's problem.
#[derive(Serialize, ToSchema)]
pub struct InvalidRows {
    pub error: super::doc::ErrorDetail,
    /// Each invalid row's problem (a file refused as a whole has none)
    #[schema(required = false)]
    pub rows: Vec<RowProblem>,
}

/// A row of a file that cannot be imported, and why, in both languages.
#[derive(Serialize, ToSchema)]
pub struct RowProblem {
    /// The row's number in the file (the header is row 1)
    pub row: usize,
    /// Every problem of the row, in Vietnamese
    pub message_vi: String,
    /// Every problem of the row, in English
    pub message_en: String,
    /// Both languages joined ("vi / en"), as before `message_vi` and `message_en`
    #[schema(deprecated)]
    pub message: String,
}

impl From<phongtrao_domain::unit_import::RowError> for RowProblem {
    fn from(e: phongtrao_domain::unit_import::RowError) -> RowProblem {
        RowProblem {
            row: e.row,
            message_vi: e.message_vi().to_string(),
            message_en: e.message_en().to_string(),
            message: e.message,
        }
    }
}

/// The refusals of an upload of units.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ImportRefusals {
    /// The file has invalid rows (`rows`), or is not a .csv or .xlsx file
    #[response(status = 422)]
    Invalid(InvalidRows),
}

/// Multipart field `file` (.csv or .xlsx). Without `?confirm=true` it only previews.
#[utoipa::path(post, path = "/units/import", tag = "units", params(ImportQuery),
    request_body(content = inline(Upload), content_type = "multipart/form-data"),
    responses((status = 200, description = "Preview (with `import_id`) or, with confirm=true, what was stored", body = UnitImport),
        BadRequest, Unauthenticated, Forbidden, super::doc::TooLarge, ImportRefusals))]
pub async fn import_units(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ImportQuery>,
    multipart: Multipart,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    let actor = logged_in(actor)?;
    crate::authz::require(&state, &actor, &client, phongtrao_domain::policy::Action::AdministerUnits, None).await?;
    let (name, bytes) = crate::pages::admin_units::uploaded_file(multipart).await?;
    let none = UnitImport { import_id: 0, preview: None, created: None, updated: None, rows: None };
    match unit_import::preview(&state, &actor, &client, &name, &bytes).await? {
        Preview::Rejected { errors } => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(InvalidRows {
                error: super::doc::ErrorDetail {
                    code: "invalid_rows".to_string(),
                    message_vi: "Tệp có dòng không hợp lệ; chưa lưu gì.".to_string(),
                    message_en: "The file has invalid rows; nothing was stored.".to_string(),
                    retry_after_seconds: None,
                },
                rows: errors.into_iter().map(RowProblem::from).collect(),
            }),
        )
            .into_response()),
        Preview::Ready { id, rows } if q.confirm => {
            let (created, updated) = unit_import::confirm(&state, &actor, &client, id).await?;
            let stored = UnitImport {
                import_id: id,
                created: Some(created),
                updated: Some(updated),
                rows: Some(rows.len() as u64),
                ..none
            };
            Ok((StatusCode::OK, Json(stored)).into_response())
        }
        Preview::Ready { id, rows } => {
            Ok((StatusCode::OK, Json(UnitImport { import_id: id, preview: Some(rows), ..none })).into_response())
        }
    }
}

/// Stores a previewed import of units (the rows are checked again).
#[utoipa::path(post, path = "/units/import/{id}/confirm", tag = "units",
    params(("id" = i64, Path, description = "The import's id (from its preview)")),
    responses((status = 200, description = "Stored", body = UnitImport),
        BadRequest, Unauthenticated, Forbidden, NotFound, super::doc::Invalid))]
pub async fn confirm_import(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> ApiResult<UnitImport> {
    let actor = logged_in(actor)?;
    let (created, updated) = unit_import::confirm(&state, &actor, &client, id).await?;
    let stored =
        UnitImport { import_id: id, preview: None, created: Some(created), updated: Some(updated), rows: None };
    Ok((StatusCode::OK, Json(stored)))
}

/// An account: its name, role and units.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserBody {
    /// 3 to 40 of a-z, 0-9, `.`, `_`, `-` (stored in lower case); a change keeps the account's own
    #[schema(
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[A-Za-z0-9._-]{3,40}[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    username: String,
    /// At most 200 characters once trimmed; empty: the username
    #[serde(default)]
    #[schema(
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*(?:[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,198}[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?)?[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    display_name: String,
    #[schema(value_type = super::doc::RoleName)]
    role: String,
    /// Codes of the account's units (a unit account needs at least one)
    #[serde(default)]
    units: Vec<String>,
    #[serde(default)]
    active: Option<bool>,
}

impl From<UserBody> for UserInput {
    fn from(b: UserBody) -> UserInput {
        UserInput {
            username: b.username,
            display_name: b.display_name,
            role: b.role,
            units: b.units.join(","),
            active: b.active.map(|a| a.to_string()),
            email: None,
            confirm_admin: None,
        }
    }
}

/// An account as the office lists it.
#[derive(Serialize, ToSchema)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub unit_ids: Vec<i64>,
}

/// Every account.
#[derive(Serialize, ToSchema)]
pub struct Accounts {
    pub users: Vec<Account>,
}

/// An account created, with its one-time password (shown once).
#[derive(Serialize, ToSchema)]
pub struct AccountCreated {
    pub id: i64,
    pub username: String,
    pub one_time_password: String,
}

/// A new one-time password (shown once).
#[derive(Serialize, ToSchema)]
pub struct PasswordReset {
    pub id: i64,
    pub one_time_password: String,
}

/// The accounts one manages: every account (the office); the accounts of the units below it (a unit's office).
#[utoipa::path(get, path = "/users", tag = "accounts",
    responses((status = 200, description = "Accounts", body = Accounts), Unauthenticated, Forbidden))]
pub async fn list_users(State(state): State<AppState>, actor: MaybeActor, client: ClientIp) -> ApiResult<Accounts> {
    let actor = logged_in(actor)?;
    let mut users = Vec::new();
    for (u, unit_ids) in user_actions::manageable(&state, &actor, &client).await? {
        users.push(Account {
            id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            active: u.active,
            unit_ids,
        });
    }
    Ok((StatusCode::OK, Json(Accounts { users })))
}

/// Creates an account; its one-time password is shown once.
#[utoipa::path(post, path = "/users", tag = "accounts", request_body = UserBody,
    responses((status = 201, description = "Created", body = AccountCreated), JsonBody, Unauthenticated, Forbidden))]
pub async fn create_user(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<UserBody>,
) -> ApiResult<AccountCreated> {
    let actor = logged_in(actor)?;
    let input: UserInput = body.into();
    let (id, secret) = user_actions::create(&state, &actor, &client, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(AccountCreated { id, username: input.username.trim().to_lowercase(), one_time_password: secret }),
    ))
}

/// Changes an account's role, units or whether it is active (the username stays).
#[utoipa::path(patch, path = "/users/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The account's id")), request_body = UserBody,
    responses((status = 200, description = "Saved", body = IdSaved), JsonBody, Unauthenticated, Forbidden, NotFound))]
pub async fn update_user(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
    Object(body): Object<UserBody>,
) -> ApiResult<IdSaved> {
    let actor = logged_in(actor)?;
    user_actions::set_access(&state, &actor, &client, id, &body.into()).await?;
    Ok((StatusCode::OK, Json(IdSaved { id, saved: true })))
}

/// A new one-time password for an account (its tokens are revoked).
#[utoipa::path(post, path = "/users/{id}/password-reset", tag = "accounts",
    params(("id" = i64, Path, description = "The account's id")),
    responses((status = 200, description = "New password", body = PasswordReset), BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn reset_password(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> ApiResult<PasswordReset> {
    let actor = logged_in(actor)?;
    let secret = password::reset(&state, &actor, &client, id).await?;
    Ok((StatusCode::OK, Json(PasswordReset { id, one_time_password: secret })))
}

/// A change of one's own password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordBody {
    current: String,
    /// 10 to 256 characters, not the username
    #[schema(min_length = 10, max_length = 256)]
    new: String,
    /// Keep the API tokens (they are revoked by default).
    #[serde(default)]
    keep_tokens: bool,
}

/// Changes one's own password (API tokens are revoked unless `keep_tokens`).
#[utoipa::path(post, path = "/account/password", tag = "accounts", request_body = PasswordBody,
    responses((status = 200, description = "Changed", body = SavedFlag), JsonBody, Unauthenticated, Forbidden))]
pub async fn change_password(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    mut auth: crate::auth::AuthSession,
    Object(b): Object<PasswordBody>,
) -> ApiResult<SavedFlag> {
    let actor = logged_in(actor)?;
    let session = if actor.via_token { None } else { Some(&mut auth) };
    password::change_own(&state, &actor, &client, &b.current, &b.new, &b.new, b.keep_tokens, session).await?;
    Ok((StatusCode::OK, Json(SavedFlag { saved: true })))
}

/// A new API token.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenBody {
    /// 1 to 100 characters once trimmed
    #[schema(
        pattern = r"^[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000](?:[\s\S]{0,98}[^\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000])?[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$"
    )]
    name: String,
}

/// An API token created: the secret is shown once.
#[derive(Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    pub token: String,
}

/// An API token (never its secret).
#[derive(Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
    /// Neither expired nor revoked
    pub live: bool,
}

/// API tokens.
#[derive(Serialize, ToSchema)]
pub struct Tokens {
    pub tokens: Vec<Token>,
}

/// Creates an API token for oneself; the secret is shown once.
#[utoipa::path(post, path = "/tokens", tag = "accounts", request_body = TokenBody,
    responses((status = 201, description = "Created", body = TokenCreated), JsonBody, Unauthenticated, Forbidden))]
pub async fn create_token(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(b): Object<TokenBody>,
) -> ApiResult<TokenCreated> {
    let actor = logged_in(actor)?;
    let (id, token) = tokens::create(&state, &actor, &client, &b.name).await?;
    Ok((StatusCode::CREATED, Json(TokenCreated { id, token })))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenListQuery {
    /// An account's id (the office only)
    user_id: Option<i64>,
}

/// GET /api/v1/tokens: the actor's own tokens; an admin's `?user_id=` (or every
/// user's, without it).
#[utoipa::path(get, path = "/tokens", tag = "accounts", params(TokenListQuery),
    responses((status = 200, description = "Tokens, newest first for an admin", body = Tokens), BadRequest, Unauthenticated, Forbidden))]
pub async fn list_tokens(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<TokenListQuery>,
) -> ApiResult<Tokens> {
    let actor = logged_in(actor)?;
    let now = state.now();
    let as_json = |t: &phongtrao_storage::tokens::TokenRow, username: &str| Token {
        id: t.id,
        user_id: t.user_id,
        username: username.to_string(),
        name: t.name.clone(),
        created_at: t.created_at.to_rfc3339(),
        expires_at: t.expiry().to_rfc3339(),
        last_used_at: t.last_used_at.map(|d| d.to_rfc3339()),
        revoked_at: t.revoked_at.map(|d| d.to_rfc3339()),
        live: t.is_live(now),
    };
    let listed: Vec<Token> = if actor.user.role == phongtrao_domain::role::Role::Admin {
        tokens::list_all(&state, &actor, &client, q.user_id)
            .await?
            .iter()
            .map(|o| as_json(&o.token, &o.username))
            .collect()
    } else if q.user_id.is_some_and(|u| u != actor.user.id) {
        crate::authz::require(&state, &actor, &client, phongtrao_domain::policy::Action::AdministerUsers, None).await?;
        Vec::new()
    } else {
        phongtrao_storage::tokens::list_for_user(&state.db, actor.user.id)
            .await?
            .iter()
            .map(|t| as_json(t, &actor.user.username))
            .collect()
    };
    Ok((StatusCode::OK, Json(Tokens { tokens: listed })))
}

/// Revokes an API token (one's own; the office: anyone's).
#[utoipa::path(delete, path = "/tokens/{id}", tag = "accounts",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"), BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn revoke_token(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let actor = logged_in(actor)?;
    tokens::revoke(&state, &actor, &client, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One entry of the audit log.
#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    /// Who (a username, or what acted)
    pub actor: String,
    pub actor_user_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_key: Option<String>,
    pub unit_id: Option<i64>,
    /// The values before
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The values after
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub client: Option<String>,
}

/// Entries of the audit log, newest first.
#[derive(Serialize, ToSchema)]
pub struct AuditEntries {
    pub entries: Vec<AuditEntry>,
}

/// The audit log: every login, refused access and change.
#[utoipa::path(get, path = "/audit", tag = "accounts",
    params(
        ("unit" = Option<String>, Query, description = "A unit's code or name (accents ignored): entries about it and the units below it"),
        ("user" = Option<String>, Query, description = "A user's login, or words of their name (accents and case ignored): entries by them"),
        ("action" = Option<String>, Query, description = "An action code (`unit.update`) or a family of them (`report.`)"),
        ("from" = Option<String>, Query, pattern = r"^\s*(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4})?\s*$",
            description = "The first day, Vietnam time (dd/mm/yyyy or yyyy-mm-dd; empty: none); a day that does not exist is refused (422)"),
        ("to" = Option<String>, Query, pattern = r"^\s*(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{4})?\s*$",
            description = "The last day, included (dd/mm/yyyy or yyyy-mm-dd); before `from` is refused (422)"),
        ("page" = Option<i64>, Query, minimum = 1, description = "The page of `limit` entries, from 1 (1 by default)"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000, description = "At most this many entries (200 by default)"),
    ),
    responses((status = 200, description = "Entries", body = AuditEntries), BadRequest, Unauthenticated, Forbidden, super::doc::Invalid))]
pub async fn audit(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<AuditQuery>,
) -> ApiResult<AuditEntries> {
    let actor = logged_in(actor)?;
    // The log lists at most 1000 entries a request (the storage's bound).
    super::limit_in_range(q.limit, 1000)?;
    if let Some(page) = q.page.filter(|p| *p < 1) {
        return Err(ApiError(crate::error::Failure::bad_request(
            format!("page phải từ 1 trở lên (nhận {page})"),
            format!("page must be 1 or more (got {page})"),
        )));
    }
    let rows = audit_log::list(&state, &actor, &client, &q).await?;
    let entries = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            at: r.at.to_rfc3339(),
            actor: r.actor_name,
            actor_user_id: r.actor_user_id,
            action: r.action,
            entity: r.entity,
            entity_key: r.entity_key,
            unit_id: r.unit_id,
            before: r.before_json.and_then(|b| serde_json::from_str(&b).ok()),
            after: r.after_json.and_then(|a| serde_json::from_str(&a).ok()),
            client: r.client,
        })
        .collect();
    Ok((StatusCode::OK, Json(AuditEntries { entries })))
}
