//! The review queue (chờ duyệt): submitted reports nobody has accepted or returned
//! yet, oldest submission first.

use chrono::{DateTime, Utc};

use phongtrao_domain::period::Timeliness;
use phongtrao_domain::report::ReportKind;

use crate::columns::{NullableText, Text, TextColumn};
use crate::{with_pool, Db, Result};

/// One submitted report waiting for review, with what the queue shows of it.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct QueueRow {
    pub report_id: i64,
    pub version: i64,
    #[sqlx(try_from = "Text<ReportKind>")]
    pub kind: String,
    pub period_seq: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub last_submitted_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "NullableText<Timeliness>")]
    pub timeliness: Option<String>,
    pub due_at: DateTime<Utc>,
    pub highlights: String,
    pub difficulties: String,
    pub proposals: String,
}

impl QueueRow {
    /// Counted on time although received after its deadline ("gửi muộn do mất kết nối").
    pub fn sent_late_for_connection(&self) -> bool {
        phongtrao_domain::report::deadline::sent_late_for_connection(
            self.timeliness.as_deref().and_then(Timeliness::from_text),
            self.first_submitted_at,
            self.due_at,
        )
    }
}

/// Which submitted reports to read.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    /// One period's weekly reports (by sequence number), or every report.
    pub period_seq: Option<i64>,
    /// Only reports whose first submission was late.
    pub late_only: bool,
    /// Only these units (`None`: every unit).
    pub unit_ids: Option<Vec<i64>>,
}

/// Every submitted report of the campaign that matches, oldest submission first
/// (ties by report id, so the order is stable).
pub async fn submitted(db: &Db, campaign_id: i64, query: &QueueQuery) -> Result<Vec<QueueRow>> {
    let mut sql = String::from(
        "SELECT r.id AS report_id, r.version, r.kind, r.period_seq, r.unit_id, u.code AS unit_code, u.name AS unit_name, \
         r.first_submitted_at, r.last_submitted_at, r.timeliness, r.due_at, r.highlights, r.difficulties, r.proposals \
         FROM reports r JOIN units u ON u.id = r.unit_id \
         WHERE r.campaign_id = $1 AND r.status = 'submitted'",
    );
    if let Some(ids) = &query.unit_ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(" AND r.unit_id IN ({})", crate::id_list(ids)));
    }
    if query.late_only {
        sql.push_str(" AND r.timeliness = 'late'");
    }
    if query.period_seq.is_some() {
        sql.push_str(" AND r.kind = 'weekly' AND r.period_seq = $2");
    }
    sql.push_str(" ORDER BY r.last_submitted_at, r.id");
    Ok(with_pool!(db, pool => {
        let mut q = sqlx::query_as(&sql).bind(campaign_id);
        if let Some(seq) = query.period_seq {
            q = q.bind(seq);
        }
        q.fetch_all(pool).await
    })?)
}
