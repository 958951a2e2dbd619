//! What a report write does inside a transaction, as one small trait implemented
//! for both backends' connections (as `rollups::RollupTx` is): the same save code
//! runs for a single save, a grouped commit and its savepoints, on SQLite and on
//! PostgreSQL. Only SQL lives here; the rules are the domain's
//! (`phongtrao_domain::report::transition`).

use std::future::Future;

use chrono::{DateTime, Utc};
use phongtrao_domain::period::Timeliness;
use phongtrao_domain::report::{CheckedActivity, CheckedReport, LockState, ReviewPlan, Status};

use sqlx::QueryBuilder;

use crate::audit::AuditEntry;
use crate::columns::Text;
use crate::reports::{ReportKey, ReportRow, COLUMNS};

/// A report row to write (insert or update) for a save.
pub(crate) struct ReportWrite<'a> {
    pub key: ReportKey,
    pub status: Status,
    pub version: i64,
    pub due_at: DateTime<Utc>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub last_submitted_at: Option<DateTime<Utc>>,
    pub timeliness: Option<Timeliness>,
    /// When "Gửi" was pressed on the phone, kept with the first submission.
    pub pressed_at: Option<DateTime<Utc>>,
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
    pub status: Status,
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
    /// The digest of the request the key answered (`reports::request_digest`).
    pub request_hash: String,
}

/// The notice of a submitted report version and the units above the submitting
/// unit (its scope: who may read it), written with the report (see `submit_notices`).
pub(crate) struct NoticeInsert {
    pub notice: crate::submit_notices::NewNotice,
    pub above: Vec<i64>,
    /// When its deliveries are created (the submission's time).
    pub created_at: DateTime<Utc>,
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
    /// Removes the submitted figures and activities of a report (before new ones).
    fn clear_content(&mut self, report_id: i64) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Inserts the submitted figures and activities of reports: one statement for
    /// the values of all of them, one for the activities (as many as the limits need).
    fn insert_content(&mut self, reports: &[(i64, CheckedReport)]) -> impl Future<Output = sqlx::Result<()>> + Send;
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
    /// The submission notices, their scopes and the pending deliveries to the officers
    /// who chose e-mail or the webhook; a notice already recorded for the same report
    /// version is left as it is. The ids of the notices recorded.
    fn insert_notices(&mut self, rows: &[NoticeInsert]) -> impl Future<Output = sqlx::Result<Vec<i64>>> + Send;
}

/// Rows per multi-row INSERT: a few hundred parameters per statement, far under
/// both backends' limits (SQLite 32,766, PostgreSQL 65,535 bind parameters).
const VALUES_PER_INSERT: usize = 200; // 3 parameters each
const ACTIVITIES_PER_INSERT: usize = 50; // 10 each
const VERSIONS_PER_INSERT: usize = 100; // 7 each
const AUDIT_PER_INSERT: usize = 80; // 10 each
const IDEMPOTENCY_PER_INSERT: usize = 150; // 6 each
const NOTICES_PER_INSERT: usize = 80; // 9 each
const SCOPES_PER_INSERT: usize = 300; // 2 each

macro_rules! impl_report_tx {
    ($conn:ty, $db:ty) => {
        impl ReportTx for $conn {
            async fn report(&mut self, key: &ReportKey) -> sqlx::Result<Option<ReportRow>> {
                let sql = format!(
                    "SELECT {COLUMNS} FROM reports WHERE campaign_id = $1 AND unit_id = $2 AND kind = $3 AND period_seq = $4"
                );
                sqlx::query_as(&sql)
                    .bind(key.campaign_id)
                    .bind(key.unit_id)
                    .bind(Text(key.kind))
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
                    "INSERT INTO reports (campaign_id, unit_id, kind, period_seq, status, version, due_at, first_submitted_at, last_submitted_at, timeliness, draft_json, created_at, updated_at, updated_by, highlights, difficulties, proposals, submitted_values, pressed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14, $15, $16, $17, $18)
                     ON CONFLICT (campaign_id, unit_id, kind, period_seq) DO NOTHING RETURNING id",
                )
                .bind(k.campaign_id)
                .bind(k.unit_id)
                .bind(Text(k.kind))
                .bind(k.period_seq)
                .bind(Text(row.status))
                .bind(row.version)
                .bind(row.due_at)
                .bind(row.first_submitted_at)
                .bind(row.last_submitted_at)
                .bind(row.timeliness.map(Text))
                .bind(row.draft_json)
                .bind(row.now)
                .bind(row.by)
                .bind(notes(|c| c.highlights.as_str()))
                .bind(notes(|c| c.difficulties.as_str()))
                .bind(notes(|c| c.proposals.as_str()))
                .bind(row.submitted_values)
                .bind(row.pressed_at)
                .fetch_optional(&mut *self)
                .await?;
                Ok(inserted.map(|(id,)| id))
            }

            async fn update_report(&mut self, id: i64, replaces: i64, row: &ReportWrite<'_>) -> sqlx::Result<bool> {
                let n = sqlx::query(
                    "UPDATE reports SET status = $1, version = $2, first_submitted_at = $3, last_submitted_at = $4, timeliness = $5, draft_json = $6, updated_at = $7, updated_by = $8,
                         submitted_values = COALESCE($11, submitted_values), highlights = COALESCE($12, highlights),
                         difficulties = COALESCE($13, difficulties), proposals = COALESCE($14, proposals), pressed_at = $15
                     WHERE id = $9 AND version = $10",
                )
                .bind(Text(row.status))
                .bind(row.version)
                .bind(row.first_submitted_at)
                .bind(row.last_submitted_at)
                .bind(row.timeliness.map(Text))
                .bind(row.draft_json)
                .bind(row.now)
                .bind(row.by)
                .bind(id)
                .bind(replaces)
                .bind(row.submitted_values)
                .bind(row.submitted.map(|c| c.highlights.as_str()))
                .bind(row.submitted.map(|c| c.difficulties.as_str()))
                .bind(row.submitted.map(|c| c.proposals.as_str()))
                .bind(row.pressed_at)
                .execute(&mut *self)
                .await?
                .rows_affected();
                Ok(n == 1)
            }

            async fn clear_content(&mut self, report_id: i64) -> sqlx::Result<()> {
                sqlx::query("DELETE FROM report_values WHERE report_id = $1").bind(report_id).execute(&mut *self).await?;
                sqlx::query("DELETE FROM report_activities WHERE report_id = $1").bind(report_id).execute(&mut *self).await?;
                Ok(())
            }

            async fn insert_content(&mut self, reports: &[(i64, CheckedReport)]) -> sqlx::Result<()> {
                let values: Vec<(i64, &String, &i64)> =
                    reports.iter().flat_map(|(id, c)| c.values.iter().map(move |(k, v)| (*id, k, v))).collect();
                for chunk in values.chunks(VALUES_PER_INSERT) {
                    let mut q = QueryBuilder::<$db>::new("INSERT INTO report_values (report_id, indicator_key, value) ");
                    q.push_values(chunk, |mut row, (report_id, key, value)| {
                        row.push_bind(*report_id).push_bind(*key).push_bind(**value);
                    });
                    q.build().execute(&mut *self).await?;
                }
                let activities: Vec<(i64, usize, &CheckedActivity)> = reports
                    .iter()
                    .flat_map(|(id, c)| c.activities.iter().enumerate().map(move |(p, a)| (*id, p, a)))
                    .collect();
                for chunk in activities.chunks(ACTIVITIES_PER_INSERT) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO report_activities (report_id, position, title, held_on, area, place, participants, funds_vnd, result, tag) ",
                    );
                    q.push_values(chunk, |mut row, (report_id, position, a)| {
                        row.push_bind(*report_id)
                            .push_bind(*position as i64)
                            .push_bind(&a.title)
                            .push_bind(a.held_on)
                            .push_bind(&a.area)
                            .push_bind(&a.place)
                            .push_bind(a.participants)
                            .push_bind(a.funds_vnd)
                            .push_bind(&a.result)
                            .push_bind(&a.tag);
                    });
                    q.build().execute(&mut *self).await?;
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
                .bind(Text(plan.status))
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
                for chunk in rows.chunks(VERSIONS_PER_INSERT) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO report_versions (report_id, version, status, action, snapshot_json, saved_at, saved_by) ",
                    );
                    q.push_values(chunk, |mut row, v| {
                        row.push_bind(v.report_id)
                            .push_bind(v.version)
                            .push_bind(Text(v.status))
                            .push_bind(v.action)
                            .push_bind(&v.snapshot)
                            .push_bind(v.at)
                            .push_bind(&v.by);
                    });
                    q.build().execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn insert_audit(&mut self, rows: &[(AuditEntry, DateTime<Utc>)]) -> sqlx::Result<()> {
                for chunk in rows.chunks(AUDIT_PER_INSERT) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO audit_log (at, actor_user_id, actor_name, action, entity, entity_key, unit_id, before_json, after_json, client) ",
                    );
                    q.push_values(chunk, |mut row, (e, at)| {
                        row.push_bind(*at)
                            .push_bind(e.actor_user_id)
                            .push_bind(&e.actor_name)
                            .push_bind(&e.action)
                            .push_bind(&e.entity)
                            .push_bind(&e.entity_key)
                            .push_bind(e.unit_id)
                            .push_bind(&e.before_json)
                            .push_bind(&e.after_json)
                            .push_bind(&e.client);
                    });
                    q.build().execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn insert_idempotency(&mut self, rows: &[IdempotencyInsert]) -> sqlx::Result<()> {
                for chunk in rows.chunks(IDEMPOTENCY_PER_INSERT) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO idempotency_keys (key, user_name, report_id, response_json, created_at, request_hash) ",
                    );
                    q.push_values(chunk, |mut row, r| {
                        row.push_bind(&r.key)
                            .push_bind(&r.user)
                            .push_bind(r.report_id)
                            .push_bind(&r.response)
                            .push_bind(r.at)
                            .push_bind(&r.request_hash);
                    });
                    q.build().execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn insert_notices(&mut self, rows: &[NoticeInsert]) -> sqlx::Result<Vec<i64>> {
                let mut recorded: Vec<(i64, &NoticeInsert)> = Vec::new();
                for chunk in rows.chunks(NOTICES_PER_INSERT) {
                    let mut q = QueryBuilder::<$db>::new(
                        "INSERT INTO submit_notices (campaign_id, report_id, version, unit_id, kind, period_seq, submitted_at, submitted_by, resubmission) ",
                    );
                    q.push_values(chunk, |mut row, r| {
                        let n = &r.notice;
                        row.push_bind(n.campaign_id)
                            .push_bind(n.report_id)
                            .push_bind(n.version)
                            .push_bind(n.unit_id)
                            .push_bind(&n.kind)
                            .push_bind(n.period_seq)
                            .push_bind(n.submitted_at)
                            .push_bind(&n.submitted_by)
                            .push_bind(n.resubmission);
                    });
                    q.push(" ON CONFLICT (report_id, version) DO NOTHING RETURNING id, report_id, version");
                    let ids: Vec<(i64, i64, i64)> = q.build_query_as().fetch_all(&mut *self).await?;
                    for (id, report_id, version) in ids {
                        if let Some(r) =
                            chunk.iter().find(|r| r.notice.report_id == report_id && r.notice.version == version)
                        {
                            recorded.push((id, r));
                        }
                    }
                }
                let scopes: Vec<(i64, i64)> =
                    recorded.iter().flat_map(|(id, r)| r.above.iter().map(move |unit| (*id, *unit))).collect();
                for chunk in scopes.chunks(SCOPES_PER_INSERT) {
                    let mut q = QueryBuilder::<$db>::new("INSERT INTO submit_notice_scopes (notice_id, unit_id) ");
                    q.push_values(chunk, |mut row, (id, unit)| {
                        row.push_bind(*id).push_bind(*unit);
                    });
                    q.push(" ON CONFLICT DO NOTHING");
                    q.build().execute(&mut *self).await?;
                }
                // Deliveries only when some officer chose to get notices elsewhere
                // (one read per batch; none during a burst where nobody did).
                let (wanted,): (bool,) = sqlx::query_as(
                    "SELECT EXISTS (SELECT 1 FROM submit_notice_prefs WHERE by_email OR by_webhook)",
                )
                .fetch_one(&mut *self)
                .await?;
                if wanted {
                    for (id, r) in &recorded {
                        let scope = if r.above.is_empty() { "-1".to_string() } else { crate::id_list(&r.above) };
                        let sql = format!(
                            "INSERT INTO submit_notice_deliveries (notice_id, user_id, by_email, by_webhook, created_at, status, attempts, next_attempt_ms)
                             SELECT $1, p.user_id, p.by_email, p.by_webhook, $2, 'pending', 0, $3
                             FROM submit_notice_prefs p JOIN users us ON us.id = p.user_id
                             WHERE us.active AND (p.by_email OR p.by_webhook)
                               AND (us.role IN ('admin', 'steering')
                                    OR (us.role = 'unit' AND EXISTS (SELECT 1 FROM user_units uu WHERE uu.user_id = us.id AND uu.unit_id IN ({scope}))))
                             ORDER BY p.user_id
                             ON CONFLICT (notice_id, user_id) DO NOTHING"
                        );
                        sqlx::query(&sql)
                            .bind(*id)
                            .bind(r.created_at)
                            .bind(r.created_at.timestamp_millis())
                            .execute(&mut *self)
                            .await?;
                    }
                }
                Ok(recorded.into_iter().map(|(id, _)| id).collect())
            }
        }
    };
}

impl_report_tx!(sqlx::SqliteConnection, sqlx::Sqlite);
impl_report_tx!(sqlx::PgConnection, sqlx::Postgres);

#[cfg(test)]
mod tests {
    /// Every multi-row insert stays far under both backends' bind-parameter limits.
    #[test]
    fn batches_stay_under_the_parameter_limits() {
        for (rows, columns) in [
            (super::VALUES_PER_INSERT, 3),
            (super::ACTIVITIES_PER_INSERT, 10),
            (super::VERSIONS_PER_INSERT, 7),
            (super::AUDIT_PER_INSERT, 10),
            (super::IDEMPOTENCY_PER_INSERT, 5),
        ] {
            assert!(rows * columns <= 32_766, "{rows} × {columns}");
        }
    }
}
