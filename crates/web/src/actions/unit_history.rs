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
