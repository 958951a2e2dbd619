//! What a report write does inside a transaction, as one small trait implemented
//! for both backends' connections (as `rollups::RollupTx` is): the same save code
//! runs for a single save, a grouped commit and its savepoints, on SQLite and on
//! PostgreSQL. Only SQL lives here; the rules are the domain's
//! (`phongtrao_domain::report::transition`).

use std::future::Future;

use chrono::{DateTime, Utc};
use phongtrao_domain::report::{CheckedActivity, CheckedReport, LockState, ReviewPlan};

use crate::audit::AuditEntry;
use crate::reports::{ReportKey, ReportRow, COLUMNS};

/// A report row to write (insert or update) for a save.
pub(crate) struct ReportWrite<'a> {
    pub key: ReportKey,
    pub status: &'static str,
    pub version: i64,
    pub due_at: DateTime<Utc>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub last_submitted_at: Option<DateTime<Utc>>,
    pub timeliness: Option<&'static str>,
    pub draft_json: &'a str,
    pub now: DateTime<Utc>,
    pub by: &'a str,
    /// The submitted content (a submission); None keeps what is stored.
    pub submitted: Option<&'a CheckedReport>,
    /// The submitted values as one JSON object (what a rebuild reads).
    pub submitted_values: Option<&'a str>,
}

/// A version row of a report's history.
pub(crate) struct VersionInsert {
    pub report_id: i64,
    pub version: i64,
    pub status: String,
    pub action: &'static str,
    pub snapshot: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// The answer kept for an idempotency key.
pub(crate) struct IdempotencyInsert {
    pub key: String,
    pub user: String,
    pub report_id: i64,
    pub response: String,
    pub at: DateTime<Utc>,
}

/// The writes of reports inside an open transaction (or savepoint).
pub(crate) trait ReportTx {
    fn report(&mut self, key: &ReportKey) -> impl Future<Output = sqlx::Result<Option<ReportRow>>> + Send;
    fn report_by_id(&mut self, id: i64) -> impl Future<Output = sqlx::Result<Option<ReportRow>>> + Send;
    /// The lock of a weekly period (None: no such period, as for a unit plan's 0).
    fn period_lock(
        &mut self,
        campaign_id: i64,
        seq: i64,
    ) -> impl Future<Output = sqlx::Result<Option<LockState>>> + Send;
    /// Inserts a new report unless one appeared meanwhile (then None).
    fn insert_report(&mut self, row: &ReportWrite<'_>) -> impl Future<Output = sqlx::Result<Option<i64>>> + Send;
    /// Updates the report if it is still at version `replaces` (else false).
    fn update_report(
        &mut self,
        id: i64,
        replaces: i64,
        row: &ReportWrite<'_>,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;
    /// Replaces the submitted figures and activities of a report.
    fn replace_content(
        &mut self,
        report_id: i64,
        checked: &CheckedReport,
        had_content: bool,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Writes a review if the report is still at version `replaces` (else false).
    fn set_review(
        &mut self,
        id: i64,
        replaces: i64,
        plan: &ReviewPlan,
        comment: &str,
        by: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = sqlx::Result<bool>> + Send;
    /// History, audit and idempotency rows, many per statement.
    fn insert_versions(&mut self, rows: &[VersionInsert]) -> impl Future<Output = sqlx::Result<()>> + Send;
    fn insert_audit(&mut self, rows: &[(AuditEntry, DateTime<Utc>)]) -> impl Future<Output = sqlx::Result<()>> + Send;
    fn insert_idempotency(&mut self, rows: &[IdempotencyInsert]) -> impl Future<Output = sqlx::Result<()>> + Send;
}

/// "($1, $2, …), (…)" for `rows` rows of `cols` columns, numbered from `first`.
fn placeholders(rows: usize, cols: usize, first: usize) -> String {
    (0..rows)
        .map(|r| {
            format!("({})", (0..cols).map(|c| format!("${}", first + r * cols + c)).collect::<Vec<_>>().join(", "))
        })
        .collect::<Vec<_>>()
        .join(",")
}

macro_rules! impl_report_tx {
    ($conn:ty) => {
        impl ReportTx for $conn {
            async fn report(&mut self, key: &ReportKey) -> sqlx::Result<Option<ReportRow>> {
                let sql = format!(
                    "SELECT {COLUMNS} FROM reports WHERE campaign_id = $1 AND unit_id = $2 AND kind = $3 AND period_seq = $4"
                );
                sqlx::query_as(&sql)
                    .bind(key.campaign_id)
                    .bind(key.unit_id)
                    .bind(key.kind.as_str())
                    .bind(key.period_seq)
                    .fetch_optional(&mut *self)
                    .await
            }

            async fn report_by_id(&mut self, id: i64) -> sqlx::Result<Option<ReportRow>> {
                let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
                sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self).await
            }

            async fn period_lock(&mut self, campaign_id: i64, seq: i64) -> sqlx::Result<Option<LockState>> {
                let row: Option<(bool, bool, DateTime<Utc>)> = sqlx::query_as(
                    "SELECT locked_at IS NOT NULL, reopened, due_at FROM periods WHERE campaign_id = $1 AND seq = $2",
                )
                .bind(campaign_id)
                .bind(seq)
                .fetch_optional(&mut *self)
                .await?;
                Ok(row.map(|(locked_by_hand, reopened, due_at)| LockState { locked_by_hand, reopened, due_at }))
            }

            async fn insert_report(&mut self, row: &ReportWrite<'_>) -> sqlx::Result<Option<i64>> {
                let k = row.key;
                let notes = |f: fn(&CheckedReport) -> &str| row.submitted.map(f).unwrap_or("");
                let inserted: Option<(i64,)> = sqlx::query_as(
                    "INSERT INTO reports (campaign_id, unit_id, kind, period_seq, status, version, due_at, first_submitted_at, last_submitted_at, timeliness, draft_json, created_at, updated_at, updated_by, highlights, difficulties, proposals, submitted_values)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $17)
                     ON CONFLICT (campaign_id, unit_id, kind, period_seq) DO NOTHING RETURNING id",
                )
                .bind(k.campaign_id)
                .bind(k.unit_id)
                .bind(k.kind.as_str())
                .bind(k.period_seq)
                .bind(row.status)
                .bind(row.version)
                .bind(row.due_at)
                .bind(row.first_submitted_at)
                .bind(row.last_submitted_at)
                .bind(row.timeliness)
                .bind(row.draft_json)
                .bind(row.now)
                .bind(row.by)
                .bind(notes(|c| c.highlights.as_str()))
                .bind(notes(|c| c.difficulties.as_str()))
                .bind(notes(|c| c.proposals.as_str()))
                .bind(row.submitted_values)
                .fetch_optional(&mut *self)
                .await?;
                Ok(inserted.map(|(id,)| id))
            }

            async fn update_report(&mut self, id: i64, replaces: i64, row: &ReportWrite<'_>) -> sqlx::Result<bool> {
                let n = sqlx::query(
                    "UPDATE reports SET status = $1, version = $2, first_submitted_at = $3, last_submitted_at = $4, timeliness = $5, draft_json = $6, updated_at = $7, updated_by = $8,
                         submitted_values = COALESCE($11, submitted_values), highlights = COALESCE($12, highlights),
                         difficulties = COALESCE($13, difficulties), proposals = COALESCE($14, proposals)
                     WHERE id = $9 AND version = $10",
                )
                .bind(row.status)
                .bind(row.version)
                .bind(row.first_submitted_at)
                .bind(row.last_submitted_at)
                .bind(row.timeliness)
                .bind(row.draft_json)
                .bind(row.now)
                .bind(row.by)
                .bind(id)
                .bind(replaces)
                .bind(row.submitted_values)
                .bind(row.submitted.map(|c| c.highlights.as_str()))
                .bind(row.submitted.map(|c| c.difficulties.as_str()))
                .bind(row.submitted.map(|c| c.proposals.as_str()))
                .execute(&mut *self)
                .await?
                .rows_affected();
                Ok(n == 1)
            }

            async fn replace_content(
                &mut self,
                report_id: i64,
                checked: &CheckedReport,
                had_content: bool,
            ) -> sqlx::Result<()> {
                if had_content {
                    sqlx::query("DELETE FROM report_values WHERE report_id = $1").bind(report_id).execute(&mut *self).await?;
                    sqlx::query("DELETE FROM report_activities WHERE report_id = $1").bind(report_id).execute(&mut *self).await?;
                }
                // One statement for all the values, one for all the activities.
                let values: Vec<(&String, &i64)> = checked.values.iter().collect();
                for chunk in values.chunks(200) {
                    let sql = format!(
                        "INSERT INTO report_values (report_id, indicator_key, value) VALUES {}",
                        (0..chunk.len()).map(|i| format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3)).collect::<Vec<_>>().join(",")
                    );
                    let mut q = sqlx::query(&sql).bind(report_id);
                    for (key, value) in chunk {
                        q = q.bind(*key).bind(**value);
                    }
                    q.execute(&mut *self).await?;
                }
                let activities: Vec<(usize, &CheckedActivity)> = checked.activities.iter().enumerate().collect();
                for chunk in activities.chunks(50) {
                    let rows: Vec<String> = (0..chunk.len())
                        .map(|i| {
                            let marks: Vec<String> = (0..9).map(|c| format!("${}", 9 * i + 2 + c)).collect();
                            format!("($1, {})", marks.join(", "))
                        })
                        .collect();
                    let sql = format!(
                        "INSERT INTO report_activities (report_id, position, title, held_on, area, place, participants, funds_vnd, result, tag) VALUES {}",
                        rows.join(",")
                    );
                    let mut q = sqlx::query(&sql).bind(report_id);
                    for (position, a) in chunk {
                        q = q
                            .bind(*position as i64)
                            .bind(&a.title)
                            .bind(a.held_on)
                            .bind(&a.area)
                            .bind(&a.place)
                            .bind(a.participants)
                            .bind(a.funds_vnd)
                            .bind(&a.result)
                            .bind(&a.tag);
                    }
                    q.execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn set_review(
                &mut self,
                id: i64,
                replaces: i64,
                plan: &ReviewPlan,
                comment: &str,
                by: &str,
                now: DateTime<Utc>,
            ) -> sqlx::Result<bool> {
                let n = sqlx::query(
                    "UPDATE reports SET status = $1, version = $2, review_comment = $3, reviewed_at = $4, reviewed_by = $5, updated_at = $4, updated_by = $5
                     WHERE id = $6 AND version = $7",
                )
                .bind(plan.status.as_str())
                .bind(plan.version)
                .bind(comment)
                .bind(now)
                .bind(by)
                .bind(id)
                .bind(replaces)
                .execute(&mut *self)
                .await?
                .rows_affected();
                Ok(n == 1)
            }

            async fn insert_versions(&mut self, rows: &[VersionInsert]) -> sqlx::Result<()> {
                for chunk in rows.chunks(100) {
                    let sql = format!(
                        "INSERT INTO report_versions (report_id, version, status, action, snapshot_json, saved_at, saved_by) VALUES {}",
                        placeholders(chunk.len(), 7, 1)
                    );
                    let mut q = sqlx::query(&sql);
                    for v in chunk {
                        q = q.bind(v.report_id).bind(v.version).bind(&v.status).bind(v.action).bind(&v.snapshot).bind(v.at).bind(&v.by);
                    }
                    q.execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn insert_audit(&mut self, rows: &[(AuditEntry, DateTime<Utc>)]) -> sqlx::Result<()> {
                for chunk in rows.chunks(80) {
                    let sql = format!(
                        "INSERT INTO audit_log (at, actor_user_id, actor_name, action, entity, entity_key, unit_id, before_json, after_json, client) VALUES {}",
                        placeholders(chunk.len(), 10, 1)
                    );
                    let mut q = sqlx::query(&sql);
                    for (e, at) in chunk {
                        q = q
                            .bind(*at)
                            .bind(e.actor_user_id)
                            .bind(&e.actor_name)
                            .bind(&e.action)
                            .bind(&e.entity)
                            .bind(&e.entity_key)
                            .bind(e.unit_id)
                            .bind(&e.before_json)
                            .bind(&e.after_json)
                            .bind(&e.client);
                    }
                    q.execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn insert_idempotency(&mut self, rows: &[IdempotencyInsert]) -> sqlx::Result<()> {
                for chunk in rows.chunks(150) {
                    let sql = format!(
                        "INSERT INTO idempotency_keys (key, user_name, report_id, response_json, created_at) VALUES {}",
                        placeholders(chunk.len(), 5, 1)
                    );
                    let mut q = sqlx::query(&sql);
                    for r in chunk {
                        q = q.bind(&r.key).bind(&r.user).bind(r.report_id).bind(&r.response).bind(r.at);
                    }
                    q.execute(&mut *self).await?;
                }
                Ok(())
            }
        }
    };
}

impl_report_tx!(sqlx::SqliteConnection);
impl_report_tx!(sqlx::PgConnection);

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_number_rows_and_columns() {
        assert_eq!(super::placeholders(2, 3, 1), "($1, $2, $3),($4, $5, $6)");
        assert_eq!(super::placeholders(1, 2, 5), "($5, $6)");
    }
}
