//! Creating, renaming, moving, deactivating units; their base figures.

use std::collections::BTreeMap;

use phongtrao_domain::base_figures::{parse_base_value, BASE_VALUE_RULE};
use phongtrao_domain::policy::Action;
use phongtrao_domain::unit::{BaseFigure, UnitKind};
use phongtrao_storage::base_figures;
use phongtrao_storage::units::{self, NewUnit, UnitChange, UnitRow};
use serde::Deserialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::AppState;

#[derive(Debug, Clone, Deserialize)]
pub struct NewUnitInput {
    pub code: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub parent_code: Option<String>,
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    input: &NewUnitInput,
) -> Result<UnitRow, Failure> {
    require(state, actor, client, Action::AdministerUnits, None).await?;
    let kind = UnitKind::parse(input.kind.trim())
        .ok_or_else(|| Failure::invalid(format!("Loại đơn vị \"{}\" không hợp lệ / Unknown unit kind", input.kind)))?;
    let unit = NewUnit {
        code: input.code.trim().to_string(),
        name: input.name.clone(),
        kind,
        parent_code: input.parent_code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string),
        admin_name: None,
    };
    units::create(&state.db, &unit, &who(Some(actor), client), state.now()).await?;
    units::by_code(&state.db, &unit.code).await?.ok_or_else(Failure::not_found)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UnitChangeInput {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub parent_code: Option<String>,
    /// "true"/"false" (API) or "on" (checkbox).
    #[serde(default)]
    pub active: Option<String>,
}

pub async fn update(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    input: &UnitChangeInput,
) -> Result<UnitRow, Failure> {
    let unit = units::by_code(&state.db, code).await?.ok_or_else(Failure::not_found)?;
    require(state, actor, client, Action::AdministerUnits, Some(unit.id)).await?;
    let active = match input.active.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("true" | "on" | "1") => Some(true),
        Some("false" | "off" | "0") => Some(false),
        Some(other) => {
            return Err(Failure::invalid(format!(
                "Giá trị \"{other}\" không hợp lệ cho trạng thái / Invalid active flag"
            )))
        }
    };
    let parent_code = input.parent_code.as_deref().map(str::trim).filter(|c| !c.is_empty()).map(str::to_string);
    if parent_code.as_deref() == Some(code) {
        return Err(Failure::invalid("Đơn vị không thể trực thuộc chính nó / A unit cannot be its own parent"));
    }
    let change = UnitChange {
        name: input.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_string),
        parent_code,
        active,
    };
    Ok(units::update(&state.db, code, &change, &who(Some(actor), client), state.now()).await?)
}

/// Parses a figure typed by a person: empty clears it; "1.500" and "1500" are 1500.
pub fn parse_figure(figure: BaseFigure, text: &str) -> Result<Option<i64>, Failure> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    parse_base_value(text).map(Some).ok_or_else(|| {
        let (vi, en) = BASE_VALUE_RULE;
        Failure::invalid(format!("{}: \"{text}\" {vi} / {}: \"{text}\" {en}", figure.label_vi(), figure.label_en()))
    })
}

/// Sets base figures of a unit: the office, or the unit itself (its own subtree).
pub async fn set_base_figures(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    values: &BTreeMap<String, String>,
) -> Result<(), Failure> {
    let unit = units::by_code(&state.db, code).await?.ok_or_else(Failure::not_found)?;
    require(state, actor, client, Action::WriteUnit, Some(unit.id)).await?;
    let mut parsed = BTreeMap::new();
    for (key, text) in values {
        if key == "csrf" {
            continue;
        }
        let figure = BaseFigure::parse(key)
            .ok_or_else(|| Failure::invalid(format!("Số liệu \"{key}\" không xác định / Unknown figure")))?;
        parsed.insert(figure, parse_figure(figure, text)?);
    }
    base_figures::set(&state.db, unit.id, &parsed, &who(Some(actor), client), state.now()).await?;
    Ok(())
}
