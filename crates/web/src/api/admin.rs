//! The API twins of the account and administration pages.

use std::collections::BTreeMap;

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::body::Object;
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

type ApiResult = Result<(StatusCode, Json<Value>), ApiError>;

fn unit_json(u: &phongtrao_storage::units::UnitRow) -> Value {
    json!({"code": u.code, "name": u.name, "kind": u.kind, "level": u.level, "active": u.active})
}

pub async fn create_unit(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(input): Object<NewUnitInput>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let unit = unit_actions::create(&state, &actor, &client, &input).await?;
    Ok((StatusCode::CREATED, Json(unit_json(&unit))))
}

#[derive(Deserialize)]
pub struct UnitPatch {
    name: Option<String>,
    parent_code: Option<String>,
    active: Option<bool>,
}

pub async fn update_unit(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(p): Object<UnitPatch>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let input = UnitChangeInput { name: p.name, parent_code: p.parent_code, active: p.active.map(|a| a.to_string()) };
    let unit = unit_actions::update(&state, &actor, &client, &code, &input).await?;
    Ok((StatusCode::OK, Json(unit_json(&unit))))
}

/// Body: {"doan_vien": 1500, "thanh_nien": null, ...}; null clears a figure.
pub async fn set_base_figures(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(body): Object<BTreeMap<String, Option<super::whole::Whole>>>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let values: BTreeMap<String, String> =
        body.into_iter().map(|(k, v)| (k, v.map(|n| n.0.to_string()).unwrap_or_default())).collect();
    if values.values().any(|v| v.starts_with('-')) {
        return Err(
            crate::error::Failure::invalid("Số liệu nền không được âm / base figures cannot be negative").into()
        );
    }
    unit_actions::set_base_figures(&state, &actor, &client, &code, &values).await?;
    Ok((StatusCode::OK, Json(json!({"code": code, "saved": true}))))
}

#[derive(Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    confirm: bool,
}

/// Multipart field `file` (.csv or .xlsx). Without `?confirm=true` it only previews.
pub async fn import_units(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<ImportQuery>,
    multipart: Multipart,
) -> ApiResult {
    let actor = logged_in(actor)?;
    crate::authz::require(&state, &actor, &client, phongtrao_domain::policy::Action::AdministerUnits, None).await?;
    let (name, bytes) = crate::pages::admin_units::uploaded_file(multipart).await?;
    match unit_import::preview(&state, &actor, &client, &name, &bytes).await? {
        Preview::Rejected { errors } => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(
                json!({"error": {"code": "invalid_rows", "message_vi": "Tệp có dòng không hợp lệ; chưa lưu gì.", "message_en": "The file has invalid rows; nothing was stored."}, "rows": errors}),
            ),
        )),
        Preview::Ready { id, rows } if q.confirm => {
            let (created, updated) = unit_import::confirm(&state, &actor, &client, id).await?;
            Ok((
                StatusCode::OK,
                Json(json!({"import_id": id, "created": created, "updated": updated, "rows": rows.len()})),
            ))
        }
        Preview::Ready { id, rows } => Ok((StatusCode::OK, Json(json!({"import_id": id, "preview": rows})))),
    }
}

pub async fn confirm_import(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let (created, updated) = unit_import::confirm(&state, &actor, &client, id).await?;
    Ok((StatusCode::OK, Json(json!({"import_id": id, "created": created, "updated": updated}))))
}

#[derive(Deserialize)]
pub struct UserBody {
    username: String,
    #[serde(default)]
    display_name: String,
    role: String,
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

pub async fn list_users(State(state): State<AppState>, actor: MaybeActor, client: ClientIp) -> ApiResult {
    let actor = logged_in(actor)?;
    crate::authz::require(&state, &actor, &client, phongtrao_domain::policy::Action::AdministerUsers, None).await?;
    let mut out = Vec::new();
    for u in phongtrao_storage::users::list(&state.db).await? {
        let units = phongtrao_storage::users::unit_ids(&state.db, u.id).await?;
        out.push(json!({"id": u.id, "username": u.username, "display_name": u.display_name, "role": u.role, "active": u.active, "unit_ids": units}));
    }
    Ok((StatusCode::OK, Json(json!({"users": out}))))
}

pub async fn create_user(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(body): Object<UserBody>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let input: UserInput = body.into();
    let (id, secret) = user_actions::create(&state, &actor, &client, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "username": input.username.trim().to_lowercase(), "one_time_password": secret})),
    ))
}

pub async fn update_user(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
    Object(body): Object<UserBody>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    user_actions::set_access(&state, &actor, &client, id, &body.into()).await?;
    Ok((StatusCode::OK, Json(json!({"id": id, "saved": true}))))
}

pub async fn reset_password(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let secret = password::reset(&state, &actor, &client, id).await?;
    Ok((StatusCode::OK, Json(json!({"id": id, "one_time_password": secret}))))
}

#[derive(Deserialize)]
pub struct PasswordBody {
    current: String,
    new: String,
    /// Keep the API tokens (they are revoked by default).
    #[serde(default)]
    keep_tokens: bool,
}

pub async fn change_password(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    mut auth: crate::auth::AuthSession,
    Object(b): Object<PasswordBody>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let session = if actor.via_token { None } else { Some(&mut auth) };
    password::change_own(&state, &actor, &client, &b.current, &b.new, &b.new, b.keep_tokens, session).await?;
    Ok((StatusCode::OK, Json(json!({"saved": true}))))
}

#[derive(Deserialize)]
pub struct TokenBody {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Object(b): Object<TokenBody>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let (id, token) = tokens::create(&state, &actor, &client, &b.name).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id, "token": token}))))
}

#[derive(Deserialize)]
pub struct TokenListQuery {
    user_id: Option<i64>,
}

/// GET /api/v1/tokens: the actor's own tokens; an admin's `?user_id=` (or every
/// user's, without it).
pub async fn list_tokens(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<TokenListQuery>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    let now = state.now();
    let as_json = |t: &phongtrao_storage::tokens::TokenRow, username: &str| {
        json!({
            "id": t.id, "user_id": t.user_id, "username": username, "name": t.name,
            "created_at": t.created_at.to_rfc3339(), "expires_at": t.expiry().to_rfc3339(),
            "last_used_at": t.last_used_at.map(|d| d.to_rfc3339()), "revoked_at": t.revoked_at.map(|d| d.to_rfc3339()),
            "live": t.is_live(now),
        })
    };
    let listed: Vec<Value> = if actor.user.role == phongtrao_domain::role::Role::Admin {
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
    Ok((StatusCode::OK, Json(json!({"tokens": listed}))))
}

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

pub async fn audit(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<AuditQuery>,
) -> ApiResult {
    let actor = logged_in(actor)?;
    // The log lists at most 1000 entries a request (the storage's bound).
    super::limit_in_range(q.limit, 1000)?;
    let rows = audit_log::list(&state, &actor, &client, &q).await?;
    let entries: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id, "at": r.at.to_rfc3339(), "actor": r.actor_name, "actor_user_id": r.actor_user_id,
                "action": r.action, "entity": r.entity, "entity_key": r.entity_key, "unit_id": r.unit_id,
                "before": r.before_json.and_then(|b| serde_json::from_str::<Value>(&b).ok()),
                "after": r.after_json.and_then(|a| serde_json::from_str::<Value>(&a).ok()),
                "client": r.client,
            })
        })
        .collect();
    Ok((StatusCode::OK, Json(json!({"entries": entries}))))
}
