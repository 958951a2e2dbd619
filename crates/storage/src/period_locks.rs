//! The lock state of every weekly period of a campaign, read at once for the
//! reports grid and a unit's home page (a read helper: locking and reopening stay in
//! `reports::set_period_lock`).

use chrono::{DateTime, Utc};
use phongtrao_domain::report::LockState;

use crate::{with_pool, Db, Result};

/// One period's lock as stored, and who locked it by hand (from the audit log).
#[derive(Debug, Clone)]
pub struct PeriodLock {
    pub seq: i64,
    pub locked_at: Option<DateTime<Utc>>,
    pub reopened: bool,
    pub due_at: DateTime<Utc>,
    pub locked_by: Option<String>,
}

impl PeriodLock {
    /// (locked by hand, reopened, due), as `reports::locked_at` takes it.
    pub fn state(&self) -> (bool, bool, DateTime<Utc>) {
        (self.locked_at.is_some(), self.reopened, self.due_at)
    }

    /// The lock as the domain's rule takes it.
    pub fn lock_state(&self) -> LockState {
        LockState { locked_by_hand: self.locked_at.is_some(), reopened: self.reopened, due_at: self.due_at }
    }

    /// Whether the period is locked at `now` (by hand, or on its own
    /// `lock_after_days` after the deadline unless reopened): the domain's rule.
    pub fn locked(&self, lock_after_days: Option<u32>, now: DateTime<Utc>) -> bool {
        self.lock_state().is_locked(lock_after_days, now)
    }
}

/// Every period of the campaign, in order. The locker's name is found by the audit
/// entry written in the same transaction (same instant, on the indexed `at`).
pub async fn all(db: &Db, campaign_id: i64) -> Result<Vec<PeriodLock>> {
    let sql = "SELECT CAST(p.seq AS BIGINT), p.locked_at, p.reopened, p.due_at,
                      (SELECT a.actor_name FROM audit_log a
                        WHERE p.locked_at IS NOT NULL AND a.at = p.locked_at AND a.action = 'period.lock'
                        ORDER BY a.id DESC LIMIT 1)
               FROM periods p WHERE p.campaign_id = $1 ORDER BY p.seq";
    type Row = (i64, Option<DateTime<Utc>>, bool, DateTime<Utc>, Option<String>);
    let rows: Vec<Row> = with_pool!(db, pool => sqlx::query_as(sql).bind(campaign_id).fetch_all(pool).await)?;
    Ok(rows
        .into_iter()
        .map(|(seq, locked_at, reopened, due_at, locked_by)| PeriodLock { seq, locked_at, reopened, due_at, locked_by })
        .collect())
}
