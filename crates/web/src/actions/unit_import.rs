//! Importing units and base figures: a preview first (every bad row named, nothing
//! stored), then the person confirms and the whole file is stored at once.

use std::collections::HashMap;

use phongtrao_domain::policy::Action;
use phongtrao_domain::unit_import::{check_rows, ImportRow, KnownUnit, RowError};
use phongtrao_storage::{pending_imports, units};

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::{files, AppState};

pub const KIND: &str = "units";

pub enum Preview {
    /// Every row is good; confirm with this id.
    Ready { id: i64, rows: Vec<ImportRow> },
    /// Nothing will be stored; these rows need fixing.
    Rejected { errors: Vec<RowError> },
}

async fn known_units(state: &AppState) -> Result<HashMap<String, KnownUnit>, Failure> {
    Ok(units::list_live(&state.db)
        .await?
        .into_iter()
        .filter_map(|u| {
            let kind = u.kind();
            u.level().map(|level| (u.code, KnownUnit { level, kind }))
        })
        .collect())
}

pub async fn preview(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    file_name: &str,
    bytes: &[u8],
) -> Result<Preview, Failure> {
    require(state, actor, client, Action::AdministerUnits, None).await?;
    let table = files::read_table_off_thread(file_name, bytes.to_vec()).await?;
    match check_rows(&table, &known_units(state).await?) {
        Ok(rows) => {
            let payload = serde_json::to_string(&rows).map_err(Failure::internal)?;
            let id = pending_imports::create(&state.db, actor.user.id, KIND, file_name, &payload, state.now()).await?;
            Ok(Preview::Ready { id, rows })
        }
        Err(errors) => Ok(Preview::Rejected { errors }),
    }
}

/// Stores a previewed file; checks it again against the units as they are now.
pub async fn confirm(state: &AppState, actor: &Actor, client: &ClientIp, id: i64) -> Result<(u64, u64), Failure> {
    require(state, actor, client, Action::AdministerUnits, None).await?;
    let pending = pending_imports::get(&state.db, id, actor.user.id).await?.ok_or_else(Failure::not_found)?;
    let rows: Vec<ImportRow> = serde_json::from_str(&pending.payload_json).map_err(Failure::internal)?;
    let result = units::apply_import(&state.db, &rows, &who(Some(actor), client), state.now()).await?;
    pending_imports::mark_confirmed(&state.db, id, state.now()).await?;
    Ok(result)
}
