//! Reorganising the unit tree (sáp nhập, chia tách) from the state's files: read
//! them (.csv or .xlsx), check them against today's tree, preview, apply. The CLI
//! (`phongtrao units reorganise`) and a page use these. Not campaign-scoped: the
//! tree is shared; a campaign names the root of the tree it runs on.

use chrono::NaiveDate;
use phongtrao_domain::reorganisation::{table_to_csv, Reorganisation};
use phongtrao_domain::unit_import::RowError;
use phongtrao_storage::audit::Who;
use phongtrao_storage::unit_history::{self, Applied, Preview};
use phongtrao_storage::Db;

use crate::error::Failure;

/// A file as uploaded or read from disk: its name (for the format) and bytes.
pub struct Upload<'a> {
    pub name: &'a str,
    pub bytes: &'a [u8],
}

/// Reads the new units file and the optional mapping (each .csv or .xlsx).
/// Err(Ok(failure)): a file cannot be read at all; Err(Err(rows)): bad rows.
pub fn read(
    new_units: &Upload<'_>,
    mapping: Option<&Upload<'_>>,
) -> Result<Result<Reorganisation, Vec<RowError>>, Failure> {
    let units_csv = table_to_csv(&crate::files::read_table(new_units.name, new_units.bytes)?);
    let mapping_csv = match mapping {
        Some(m) => Some(table_to_csv(&crate::files::read_table(m.name, m.bytes)?)),
        None => None,
    };
    Ok(Reorganisation::from_csv(&units_csv, mapping_csv.as_deref()))
}

/// Checks against today's tree and says what would happen; writes nothing.
pub async fn preview(db: &Db, reorg: &Reorganisation, effective_on: NaiveDate) -> Result<Preview, Failure> {
    Ok(unit_history::preview(db, reorg, effective_on).await?)
}

/// Applies it, for an office account (admin) or the CLI.
pub async fn apply(
    db: &Db,
    reorg: &Reorganisation,
    effective_on: NaiveDate,
    title: &str,
    source_name: &str,
    who: &Who,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Applied, Failure> {
    Ok(unit_history::reorganise(db, reorg, effective_on, title, source_name, who, now).await?)
}

/// What the office's page keeps between the preview and the confirmation: the files
/// as CSV text (checked again, against the tree as it is then, when confirmed).
#[derive(serde::Serialize, serde::Deserialize)]
struct Pending {
    units_name: String,
    units_csv: String,
    mapping_name: Option<String>,
    mapping_csv: Option<String>,
    effective_on: NaiveDate,
    title: String,
}

const KIND: &str = "units_reorganise";

/// A preview for the office's page.
pub enum PagePreview {
    /// Checked: what it will do; `id` confirms it.
    Ready { id: i64, summary: phongtrao_storage::unit_history::Summary },
    /// Nothing will be stored; these problems need fixing.
    Rejected { errors: Vec<RowError> },
}

fn source_of(units_name: &str, mapping_name: Option<&str>) -> String {
    match mapping_name {
        Some(m) => format!("{units_name} + {m}"),
        None => units_name.to_string(),
    }
}

/// Checks the uploaded files for an office account and keeps them for confirmation.
pub async fn preview_upload(
    state: &crate::AppState,
    actor: &crate::auth::Actor,
    client: &crate::auth::client::ClientIp,
    new_units: &Upload<'_>,
    mapping: Option<&Upload<'_>>,
    effective_on: NaiveDate,
    title: &str,
) -> Result<PagePreview, Failure> {
    crate::authz::require(state, actor, client, phongtrao_domain::policy::Action::AdministerUnits, None).await?;
    let title = title.trim();
    if title.chars().count() > 300 {
        return Err(Failure::invalid("Tiêu đề tối đa 300 ký tự / A title holds at most 300 characters"));
    }
    let units_csv = table_to_csv(&crate::files::read_table(new_units.name, new_units.bytes)?);
    let mapping_csv = match mapping {
        Some(m) => Some(table_to_csv(&crate::files::read_table(m.name, m.bytes)?)),
        None => None,
    };
    let reorg = match Reorganisation::from_csv(&units_csv, mapping_csv.as_deref()) {
        Ok(r) => r,
        Err(errors) => return Ok(PagePreview::Rejected { errors }),
    };
    let summary = match unit_history::preview(&state.db, &reorg, effective_on).await? {
        Ok((_, summary)) => summary,
        Err(errors) => return Ok(PagePreview::Rejected { errors }),
    };
    let pending = Pending {
        units_name: new_units.name.to_string(),
        units_csv,
        mapping_name: mapping.map(|m| m.name.to_string()),
        mapping_csv,
        effective_on,
        title: title.to_string(),
    };
    let payload = serde_json::to_string(&pending).map_err(Failure::internal)?;
    let source = source_of(new_units.name, mapping.map(|m| m.name));
    let id = phongtrao_storage::pending_imports::create(&state.db, actor.user.id, KIND, &source, &payload, state.now())
        .await?;
    Ok(PagePreview::Ready { id, summary })
}

/// Applies a previewed reorganisation (checked again against today's tree).
pub async fn confirm(
    state: &crate::AppState,
    actor: &crate::auth::Actor,
    client: &crate::auth::client::ClientIp,
    id: i64,
) -> Result<Applied, Failure> {
    crate::authz::require(state, actor, client, phongtrao_domain::policy::Action::AdministerUnits, None).await?;
    let pending = phongtrao_storage::pending_imports::get(&state.db, id, actor.user.id)
        .await?
        .filter(|p| p.kind == KIND)
        .ok_or_else(Failure::not_found)?;
    let kept: Pending = serde_json::from_str(&pending.payload_json).map_err(Failure::internal)?;
    let reorg = Reorganisation::from_csv(&kept.units_csv, kept.mapping_csv.as_deref())
        .map_err(|errors| Failure::invalid(phongtrao_storage::unit_history::problems_message(&errors)))?;
    let title = if kept.title.is_empty() {
        format!("Sắp xếp đơn vị từ ngày {}", kept.effective_on.format("%d/%m/%Y"))
    } else {
        kept.title.clone()
    };
    let who = crate::authz::who(Some(actor), client);
    let applied = apply(
        &state.db,
        &reorg,
        kept.effective_on,
        &title,
        &source_of(&kept.units_name, kept.mapping_name.as_deref()),
        &who,
        state.now(),
    )
    .await?;
    phongtrao_storage::pending_imports::mark_confirmed(&state.db, id, state.now()).await?;
    Ok(applied)
}
