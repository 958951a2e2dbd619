//! Allocation (giao chỉ tiêu) of a count goal from a unit to its children: by hand,
//! or proportionally to a base figure (largest remainder, so the parts add up
//! exactly). A mismatch between the parts and the whole is shown, never hidden.

use std::collections::HashMap;

use phongtrao_domain::plan::IndicatorKind;
use phongtrao_domain::policy::Action;
use phongtrao_domain::progress::{check_parts, largest_remainder, AllocationCheck};
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::allocations;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::units::{self, UnitRow};
use serde::Serialize;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::AppState;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Part {
    pub code: String,
    pub name: String,
    pub goal: Option<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AllocationView {
    pub indicator: String,
    pub parent: String,
    /// The parent's goal: its own allocation, or the plan's goal at the top.
    pub whole: Option<i64>,
    pub parts: Vec<Part>,
    pub sum: i64,
    /// Parts minus whole; 0 when they add up.
    pub difference: Option<i64>,
    /// The mismatch, "vi / en" (the API's form).
    pub message: Option<String>,
    /// The same, one language each, for the pages.
    #[serde(skip)]
    pub message_vi: Option<String>,
    #[serde(skip)]
    pub message_en: Option<String>,
}

impl AllocationView {
    /// The mismatch in the page's language.
    pub fn message_in(&self, lang: crate::i18n::Lang) -> Option<&str> {
        lang.pick_opt(self.message_vi.as_deref(), self.message_en.as_deref())
    }
}

struct Scope {
    campaign: StoredCampaign,
    parent: UnitRow,
    children: Vec<UnitRow>,
    whole: Option<i64>,
}

async fn scope(state: &AppState, campaign: &StoredCampaign, key: &str, parent_code: &str) -> Result<Scope, Failure> {
    let db = &state.db;
    let indicator = campaign.plan.indicator(key).ok_or_else(Failure::not_found)?;
    if indicator.kind != IndicatorKind::Count {
        return Err(invalid(
            "Chỉ giao chỉ tiêu số lượng; chỉ tiêu tỉ lệ áp dụng nguyên cho mọi đơn vị",
            "Only count goals are allocated; percentages apply to every unit as they are",
        ));
    }
    let parent =
        crate::campaign_choice::unit_by_code(db, campaign, parent_code).await?.ok_or_else(Failure::not_found)?;
    let children: Vec<UnitRow> = units::children(db, parent.id).await?.into_iter().filter(|u| u.active).collect();
    let whole = match parent.parent_id {
        None => Some(indicator.goal.round() as i64),
        Some(_) => allocations::for_indicator(db, campaign.row.id, key).await?.get(&parent.id).copied(),
    };
    Ok(Scope { campaign: campaign.clone(), parent, children, whole })
}

pub async fn view(
    state: &AppState,
    campaign: &StoredCampaign,
    key: &str,
    parent_code: &str,
) -> Result<AllocationView, Failure> {
    let s = scope(state, campaign, key, parent_code).await?;
    view_of(state, &s, key).await
}

/// The view for an actor: the split of a unit's goal among its children is read
/// under the same rule as that unit's dashboard (ReadUnit on the parent), else 403.
pub async fn view_for(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    key: &str,
    parent_code: &str,
) -> Result<AllocationView, Failure> {
    let s = scope(state, campaign, key, parent_code).await?;
    require(state, actor, client, Action::ReadUnit, Some(s.parent.id)).await?;
    view_of(state, &s, key).await
}

/// Whether the actor may change the split under `parent_code`: asked BEFORE an
/// uploaded file is read, so that nobody gets a file parsed without the right.
pub async fn may_write(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    key: &str,
    parent_code: &str,
) -> Result<(), Failure> {
    let s = scope(state, campaign, key, parent_code).await?;
    authorize(state, actor, client, &s.parent).await
}

/// The view of a scope already loaded.
async fn view_of(state: &AppState, s: &Scope, key: &str) -> Result<AllocationView, Failure> {
    let goals = allocations::for_indicator(&state.db, s.campaign.row.id, key).await?;
    let parts: Vec<Part> = s
        .children
        .iter()
        .map(|c| Part { code: c.code.clone(), name: c.name.clone(), goal: goals.get(&c.id).copied() })
        .collect();
    let sum: i64 = parts.iter().filter_map(|p| p.goal).sum();
    let any = parts.iter().any(|p| p.goal.is_some());
    let check: Option<AllocationCheck> = match (s.whole, any) {
        (Some(w), true) => Some(check_parts(w, &parts.iter().filter_map(|p| p.goal).collect::<Vec<_>>())),
        _ => None,
    };
    Ok(AllocationView {
        indicator: key.to_string(),
        parent: s.parent.code.clone(),
        whole: s.whole,
        sum,
        difference: check.as_ref().map(|c| c.difference),
        message: check.as_ref().and_then(|c| c.message()),
        message_vi: check.as_ref().and_then(|c| c.message_vi()),
        message_en: check.as_ref().and_then(|c| c.message_en()),
        parts,
    })
}

async fn authorize(state: &AppState, actor: &Actor, client: &ClientIp, parent: &UnitRow) -> Result<(), Failure> {
    match parent.parent_id {
        None => require(state, actor, client, Action::AdministerCampaign, None).await,
        // A district splits its own goal among its units.
        Some(_) => require(state, actor, client, Action::WriteUnit, Some(parent.id)).await,
    }
}

/// Splits the parent's goal among its children proportionally to a base figure.
pub async fn proportional(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    key: &str,
    parent_code: &str,
    by: BaseFigure,
) -> Result<AllocationView, Failure> {
    let s = scope(state, campaign, key, parent_code).await?;
    authorize(state, actor, client, &s.parent).await?;
    split_proportionally(state, &who(Some(actor), client), &s, key, by).await
}

/// The same for a caller already authorized (the CLI, acting for the office).
pub async fn proportional_as(
    state: &AppState,
    campaign: &StoredCampaign,
    who: &phongtrao_storage::audit::Who,
    key: &str,
    parent_code: &str,
    by: BaseFigure,
) -> Result<AllocationView, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    let s = scope(state, campaign, key, parent_code).await?;
    split_proportionally(state, who, &s, key, by).await
}

async fn split_proportionally(
    state: &AppState,
    who: &phongtrao_storage::audit::Who,
    s: &Scope,
    key: &str,
    by: BaseFigure,
) -> Result<AllocationView, Failure> {
    let whole = s.whole.ok_or_else(|| {
        invalid(
            format!("{} chưa được giao chỉ tiêu này", s.parent.name),
            format!("{} has no goal for this indicator yet", s.parent.name),
        )
    })?;
    let figures = phongtrao_storage::progress::base_figures(&state.db).await?;
    let mut weights = Vec::new();
    let mut missing = Vec::new();
    for c in &s.children {
        match figures.get(&c.id).and_then(|m| m.get(by.as_str())) {
            Some(v) => weights.push((c.id, *v)),
            None => missing.push(c.name.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(invalid(
            format!("Chưa có {} của: {}", by.label_vi().to_lowercase(), missing.join(", ")),
            format!("Missing {} for: {}", by.label_en().to_lowercase(), missing.join(", ")),
        ));
    }
    let parts = largest_remainder(whole, &weights).map_err(|e| Failure::invalid(e.to_string()))?;
    allocations::set(
        &state.db,
        s.campaign.row.id,
        key,
        &parts,
        &format!("proportional:{}", by.as_str()),
        who,
        state.now(),
    )
    .await?;
    view_of(state, s, key).await
}

/// Sets goals by hand (unit code → goal); the mismatch with the whole is reported.
pub async fn by_hand(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    key: &str,
    parent_code: &str,
    goals: &HashMap<String, i64>,
) -> Result<AllocationView, Failure> {
    let s = scope(state, campaign, key, parent_code).await?;
    authorize(state, actor, client, &s.parent).await?;
    set_by_hand(state, &who(Some(actor), client), &s, key, goals).await
}

/// The same for a caller already authorized (the CLI, acting for the office).
pub async fn by_hand_as(
    state: &AppState,
    campaign: &StoredCampaign,
    who: &phongtrao_storage::audit::Who,
    key: &str,
    parent_code: &str,
    goals: &HashMap<String, i64>,
) -> Result<AllocationView, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    let s = scope(state, campaign, key, parent_code).await?;
    set_by_hand(state, who, &s, key, goals).await
}

async fn set_by_hand(
    state: &AppState,
    who: &phongtrao_storage::audit::Who,
    s: &Scope,
    key: &str,
    goals: &HashMap<String, i64>,
) -> Result<AllocationView, Failure> {
    let mut parts = Vec::new();
    for (code, goal) in goals {
        let child = s.children.iter().find(|c| &c.code == code).ok_or_else(|| {
            invalid(
                format!("Đơn vị mã {code} không trực thuộc {}", s.parent.name),
                format!("The unit with code {code} is not under {}", s.parent.name),
            )
        })?;
        if *goal < 0 {
            return Err(invalid("Chỉ tiêu giao không được âm", "An allocated goal cannot be negative"));
        }
        parts.push((child.id, *goal));
    }
    allocations::set(&state.db, s.campaign.row.id, key, &parts, "manual", who, state.now()).await?;
    view_of(state, s, key).await
}

fn invalid(vi: impl Into<String>, en: impl Into<String>) -> Failure {
    Failure::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid", vi, en)
}

/// The kind of pending import an allocation table is kept under until confirmed.
pub const IMPORT_KIND: &str = "allocation";

/// What an allocation table would change, shown before anything is stored.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ImportRow {
    /// The spreadsheet row it came from.
    pub row: usize,
    pub code: String,
    pub name: String,
    /// The goal stored now, if any.
    pub current: Option<i64>,
    pub goal: i64,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ImportPayload {
    pub indicator: String,
    pub parent: String,
    pub rows: Vec<ImportRow>,
}

pub enum ImportPreview {
    /// Every row is good: shown with what changes, confirmed with this id.
    Ready {
        id: i64,
        payload: ImportPayload,
        /// The parent's goal and the sum after the import.
        whole: Option<i64>,
        sum_after: i64,
        /// Children the file does not mention (their goals stay as they are).
        untouched: Vec<Part>,
    },
    /// Nothing is stored; every bad cell is named.
    Rejected { errors: Vec<phongtrao_domain::allocation_import::CellError> },
}

/// Reads an allocation table (.xlsx or .csv: columns code/mã and goal/chỉ tiêu giao;
/// other columns are ignored), checks every row against the units directly under
/// the parent and keeps it for confirmation. Nothing is stored here. The right is
/// checked before the file is read.
#[allow(clippy::too_many_arguments)]
pub async fn import_preview(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    key: &str,
    parent_code: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<ImportPreview, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    let s = scope(state, campaign, key, parent_code).await?;
    authorize(state, actor, client, &s.parent).await?;
    let table = crate::files::read_table_off_thread(file_name, bytes).await?;
    let children: Vec<phongtrao_domain::allocation_import::Child> = s
        .children
        .iter()
        .map(|c| phongtrao_domain::allocation_import::Child { code: c.code.clone(), name: c.name.clone() })
        .collect();
    let goals = match phongtrao_domain::allocation_import::check_rows(&table, &children, &s.parent.name) {
        Ok(g) => g,
        Err(errors) => return Ok(ImportPreview::Rejected { errors }),
    };
    let view = view_of(state, &s, key).await?;
    let current: HashMap<&str, Option<i64>> = view.parts.iter().map(|p| (p.code.as_str(), p.goal)).collect();
    let rows: Vec<ImportRow> = goals
        .iter()
        .map(|g| ImportRow {
            row: g.row,
            code: g.code.clone(),
            name: s.children.iter().find(|c| c.code == g.code).map(|c| c.name.clone()).unwrap_or_default(),
            current: current.get(g.code.as_str()).copied().flatten(),
            goal: g.goal,
        })
        .collect();
    let untouched: Vec<Part> = view.parts.iter().filter(|p| !rows.iter().any(|r| r.code == p.code)).cloned().collect();
    let sum_after = rows.iter().map(|r| r.goal).sum::<i64>() + untouched.iter().filter_map(|p| p.goal).sum::<i64>();
    let payload = ImportPayload { indicator: key.to_string(), parent: s.parent.code.clone(), rows };
    let json = serde_json::to_string(&payload).map_err(Failure::internal)?;
    let id = phongtrao_storage::pending_imports::create(
        &state.db,
        actor.user.id,
        IMPORT_KIND,
        file_name,
        &json,
        state.now(),
    )
    .await?;
    Ok(ImportPreview::Ready { id, payload, whole: s.whole, sum_after, untouched })
}

/// Stores a previewed allocation table (all its rows in one write), once.
pub async fn import_confirm(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
) -> Result<(ImportPayload, AllocationView), Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    let pending = phongtrao_storage::pending_imports::get(&state.db, id, actor.user.id).await?.ok_or_else(|| {
        Failure::new(
            axum::http::StatusCode::NOT_FOUND,
            "not_found",
            "Không tìm thấy tệp chờ xác nhận (có thể đã được lưu rồi). Hãy tải tệp lên lại.",
            "No file is awaiting confirmation (it may have been saved already). Please upload the file again.",
        )
    })?;
    if pending.kind != IMPORT_KIND {
        return Err(Failure::not_found());
    }
    let payload: ImportPayload = serde_json::from_str(&pending.payload_json).map_err(Failure::internal)?;
    let goals: HashMap<String, i64> = payload.rows.iter().map(|r| (r.code.clone(), r.goal)).collect();
    let view = by_hand(state, campaign, actor, client, &payload.indicator, &payload.parent, &goals).await?;
    phongtrao_storage::pending_imports::mark_confirmed(&state.db, id, state.now()).await?;
    Ok((payload, view))
}

/// The allocation as an .xlsx table (the columns the import reads).
pub fn to_xlsx(view: &AllocationView, lang: crate::i18n::Lang) -> Result<Vec<u8>, Failure> {
    let rows: Vec<Vec<crate::files::Cell>> = view
        .parts
        .iter()
        .map(|p| {
            vec![
                crate::files::Cell::Text(p.code.clone()),
                crate::files::Cell::Text(p.name.clone()),
                p.goal.map_or(crate::files::Cell::Empty, crate::files::Cell::Integer),
            ]
        })
        .collect();
    // Headers in the reader's language; the import reads both.
    match lang {
        crate::i18n::Lang::Vi => crate::files::write_xlsx("Giao chỉ tiêu", &["Mã", "Tên đơn vị", "Chỉ tiêu"], &rows),
        crate::i18n::Lang::En => crate::files::write_xlsx("Goals", &["code", "name", "goal"], &rows),
    }
}
