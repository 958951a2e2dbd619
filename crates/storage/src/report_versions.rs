//! Bounds on the stored versions of a report: every submitted (and reviewed)
//! version is kept for ever; of the drafts, only the latest few.

use crate::{with_pool, Db, Result};

/// How many draft versions of a report are kept.
pub const KEEP_DRAFTS: i64 = 20;

/// Deletes the draft versions of a report beyond the latest `KEEP_DRAFTS`; how many
/// were deleted. Called after a draft is saved.
pub async fn prune_drafts(db: &Db, report_id: i64) -> Result<u64> {
    let sql = "DELETE FROM report_versions WHERE report_id = $1 AND action = 'save_draft' AND id NOT IN (
                   SELECT id FROM report_versions WHERE report_id = $1 AND action = 'save_draft' ORDER BY id DESC LIMIT $2)";
    let n = with_pool!(db, pool => sqlx::query(sql).bind(report_id).bind(KEEP_DRAFTS).execute(pool).await.map(|r| r.rows_affected()))?;
    Ok(n)
}
