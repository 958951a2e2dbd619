use axum::extract::State;
use axum::Json;
use phongtrao_domain::plan::lint;
use phongtrao_storage::campaigns;
use serde_json::{json, Value};

use crate::error::ApiError;
use crate::AppState;

/// The current campaign: the whole checked plan, plus the linter's findings.
pub async fn show(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let stored = campaigns::current(&state.db).await.map_err(ApiError::internal)?;
    let findings = lint::lint(&stored.plan);
    Ok(Json(json!({
        "id": stored.row.id,
        "plan": stored.plan,
        "findings": findings,
    })))
}

pub async fn targets(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let stored = campaigns::current(&state.db).await.map_err(ApiError::internal)?;
    Ok(Json(json!({
        "target_groups": stored.plan.target_groups,
        "targets": stored.plan.targets,
        "missing_target_numbers": stored.plan.missing_target_numbers(),
    })))
}

pub async fn periods(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let stored = campaigns::current(&state.db).await.map_err(ApiError::internal)?;
    let periods: Vec<Value> = stored
        .plan
        .periods()
        .iter()
        .map(|p| json!({"seq": p.seq, "start": p.start, "end": p.end, "deadline": p.deadline_rfc3339()}))
        .collect();
    Ok(Json(json!({ "periods": periods })))
}
