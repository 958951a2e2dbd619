use axum::extract::{Path, Query, State};
use axum::Json;
use phongtrao_storage::base_figures;
use phongtrao_storage::units::{self, UnitRow};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::AppState;

#[derive(Deserialize)]
pub struct ListQuery {
    q: Option<String>,
}

fn unit_json(u: &UnitRow, parent_code: Option<&str>) -> Value {
    json!({
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "level": u.level,
        "parent_code": parent_code,
        "admin_name": u.admin_name,
        "gso_code": u.gso_code,
        "active": u.active,
    })
}

/// Every unit, or those matching `q` (case and diacritics ignored).
pub async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Result<Json<Value>, ApiError> {
    let all = units::list(&state.db).await.map_err(ApiError::internal)?;
    let code_of: std::collections::HashMap<i64, &str> = all.iter().map(|u| (u.id, u.code.as_str())).collect();
    let rows = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(query) => units::search(&state.db, query, 500).await.map_err(ApiError::internal)?,
        None => all.clone(),
    };
    let units: Vec<Value> =
        rows.iter().map(|u| unit_json(u, u.parent_id.and_then(|p| code_of.get(&p).copied()))).collect();
    Ok(Json(json!({ "count": units.len(), "units": units })))
}

/// One unit. Its base figures (members, population…) are not public: they are given
/// only to a user allowed to read that unit (ReadUnit, the dashboard's rule), and
/// are null for anyone else; the rest (names, codes, the tree) is the public
/// directory of units.
pub async fn show(
    State(state): State<AppState>,
    actor: crate::auth::MaybeActor,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let db = &state.db;
    let unit = units::by_code(db, &code)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(&format!("đơn vị / unit {code}")))?;
    let parent = match unit.parent_id {
        Some(id) => units::by_id(db, id).await.map_err(ApiError::internal)?,
        None => None,
    };
    let children = units::children(db, unit.id).await.map_err(ApiError::internal)?;
    let may_read = match &actor.0 {
        Some(a) => {
            let ancestry = units::ancestry(db, unit.id).await?;
            phongtrao_domain::policy::allows(&a.policy(), phongtrao_domain::policy::Action::ReadUnit, &ancestry)
        }
        None => false,
    };
    let mut body = unit_json(&unit, parent.as_ref().map(|p| p.code.as_str()));
    body["base_figures"] = if may_read {
        let figures = base_figures::for_unit(db, unit.id).await?;
        Value::Object(
            phongtrao_domain::unit::BaseFigure::ALL
                .iter()
                .map(|f| (f.as_str().to_string(), figures.get(f).map_or(Value::Null, |v| json!(v))))
                .collect(),
        )
    } else {
        Value::Null
    };
    body["children"] = children.iter().map(|c| json!({"code": c.code, "name": c.name})).collect();
    Ok(Json(body))
}
