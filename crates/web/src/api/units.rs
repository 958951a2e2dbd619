use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::Json;
use phongtrao_storage::base_figures;
use phongtrao_storage::units::{self, UnitRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc::NotFound;
use crate::error::ApiError;
use crate::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words of the unit's name or its code (case and diacritics ignored)
    q: Option<String>,
}

/// A unit of the tree.
#[derive(Serialize, ToSchema)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub level: i64,
    pub parent_code: Option<String>,
    pub admin_name: Option<String>,
    pub gso_code: Option<String>,
    pub active: bool,
}

impl Unit {
    fn of(u: &UnitRow, parent_code: Option<&str>) -> Unit {
        Unit {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.clone(),
            level: u.level,
            parent_code: parent_code.map(str::to_string),
            admin_name: u.admin_name.clone(),
            gso_code: u.gso_code.clone(),
            active: u.active,
        }
    }
}

/// Units, in tree order.
#[derive(Serialize, ToSchema)]
pub struct UnitList {
    pub count: usize,
    pub units: Vec<Unit>,
}

/// A unit named by its code.
#[derive(Serialize, ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

/// A unit with its children and, for a caller who may read it, its base figures.
#[derive(Serialize, ToSchema)]
pub struct UnitDetail {
    #[serde(flatten)]
    pub unit: Unit,
    /// The unit's base figures (each null when missing); null as a whole unless the
    /// caller may read this unit (base figures are not public)
    pub base_figures: Option<BTreeMap<String, Option<i64>>>,
    pub children: Vec<UnitRef>,
}

/// Every unit of today's tree, or those matching `q` (case and diacritics ignored).
#[utoipa::path(get, path = "/units", tag = "units", security(()), params(ListQuery),
    responses((status = 200, description = "Units", body = UnitList), super::doc::BadRequest))]
pub async fn list(State(state): State<AppState>, Query(q): Query<ListQuery>) -> Result<Json<UnitList>, ApiError> {
    let all = units::list(&state.db).await.map_err(ApiError::internal)?;
    let code_of: std::collections::HashMap<i64, &str> = all.iter().map(|u| (u.id, u.code.as_str())).collect();
    let rows = match q.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(query) => units::search(&state.db, query, 500).await.map_err(ApiError::internal)?,
        None => all.iter().filter(|u| u.is_live()).cloned().collect(),
    };
    let units: Vec<Unit> =
        rows.iter().map(|u| Unit::of(u, u.parent_id.and_then(|p| code_of.get(&p).copied()))).collect();
    Ok(Json(UnitList { count: units.len(), units }))
}

/// One unit. Its base figures (members, population…) are not public: they are given
/// only to a user allowed to read that unit (ReadUnit, the dashboard's rule), and
/// are null for anyone else; the rest (names, codes, the tree) is the public
/// directory of units.
#[utoipa::path(get, path = "/units/{code}", tag = "units", security(()),
    params(("code" = String, Path, description = "A unit code")),
    responses((status = 200, description = "The unit", body = UnitDetail), NotFound))]
pub async fn show(
    State(state): State<AppState>,
    actor: crate::auth::MaybeActor,
    Path(code): Path<String>,
) -> Result<Json<UnitDetail>, ApiError> {
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
    let base_figures = if may_read {
        let figures = base_figures::for_unit(db, unit.id).await?;
        Some(
            phongtrao_domain::unit::BaseFigure::ALL
                .iter()
                .map(|f| (f.as_str().to_string(), figures.get(f).copied()))
                .collect(),
        )
    } else {
        None
    };
    Ok(Json(UnitDetail {
        unit: Unit::of(&unit, parent.as_ref().map(|p| p.code.as_str())),
        base_figures,
        children: children.iter().map(|c| UnitRef { code: c.code.clone(), name: c.name.clone() }).collect(),
    }))
}
