//! The versions of a campaign's plan (issue #20): version 1 is the plan the campaign
//! started with; each amendment adds one, with its reason, the amending document
//! and the changes it made. Written by `campaigns::load` and `campaigns::amend`.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::plan::amend::Reported;

use crate::{with_pool, Db, Result};

/// One version of a plan.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanVersion {
    pub campaign_id: i64,
    pub version: i64,
    /// The plan text of this version (empty in `list`).
    pub plan_toml: String,
    pub reason: String,
    /// The amending document's number ("12-KH/TĐTN-BPT"), when there is one.
    pub document_number: Option<String>,
    pub document_date: Option<NaiveDate>,
    /// The changes from the version before, as `[{"vi": …, "en": …}, …]`.
    pub changes_json: String,
    pub created_at: DateTime<Utc>,
    /// Who applied it (None: loaded with the campaign by the system).
    pub created_by: Option<String>,
}

impl PlanVersion {
    /// The changes' messages, (vi, en) each.
    pub fn changes(&self) -> Vec<(String, String)> {
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&self.changes_json).unwrap_or_default();
        parsed
            .iter()
            .map(|c| {
                let text = |k: &str| c.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
                (text("vi"), text("en"))
            })
            .collect()
    }
}

const COLUMNS: &str =
    "campaign_id, version, plan_toml, reason, document_number, document_date, changes_json, created_at, created_by";

/// Every version of a campaign's plan, oldest first, without their plan text.
pub async fn list(db: &Db, campaign_id: i64) -> Result<Vec<PlanVersion>> {
    let light = COLUMNS.replace("plan_toml", "'' AS plan_toml");
    let sql = format!("SELECT {light} FROM plan_versions WHERE campaign_id = $1 ORDER BY version");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)?)
}

/// One version with its plan text.
pub async fn get(db: &Db, campaign_id: i64, version: i64) -> Result<Option<PlanVersion>> {
    let sql = format!("SELECT {COLUMNS} FROM plan_versions WHERE campaign_id = $1 AND version = $2");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(version).fetch_optional(pool).await)?)
}

/// The number of the version in force (1 for a plan never amended).
pub async fn latest_number(db: &Db, campaign_id: i64) -> Result<i64> {
    let n: Option<i64> = with_pool!(db, pool => sqlx::query_scalar("SELECT MAX(version) FROM plan_versions WHERE campaign_id = $1")
        .bind(campaign_id)
        .fetch_one(pool)
        .await)?;
    Ok(n.unwrap_or(1))
}

/// The version in force, without its plan text (None: the campaign has no version row).
pub async fn latest(db: &Db, campaign_id: i64) -> Result<Option<PlanVersion>> {
    let light = COLUMNS.replace("plan_toml", "'' AS plan_toml");
    let sql = format!("SELECT {light} FROM plan_versions WHERE campaign_id = $1 ORDER BY version DESC LIMIT 1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_optional(pool).await)?)
}

pub(crate) const REPORTED_INDICATORS: &str =
    "SELECT DISTINCT v.indicator_key FROM report_values v JOIN reports r ON r.id = v.report_id
     WHERE r.campaign_id = $1 AND v.value <> 0 ORDER BY v.indicator_key";
pub(crate) const REPORTED_PERIODS: &str =
    "SELECT DISTINCT p.ends_on FROM reports r JOIN periods p ON p.campaign_id = r.campaign_id AND p.seq = r.period_seq
     WHERE r.campaign_id = $1 AND r.kind = 'weekly' ORDER BY p.ends_on";

/// What has been reported in a campaign: the indicators with any non-zero value in
/// any report (a draft included), and the weeks with any weekly report.
pub async fn reported(db: &Db, campaign_id: i64) -> Result<Reported> {
    let keys: Vec<String> =
        with_pool!(db, pool => sqlx::query_scalar(REPORTED_INDICATORS).bind(campaign_id).fetch_all(pool).await)?;
    let ends: Vec<NaiveDate> =
        with_pool!(db, pool => sqlx::query_scalar(REPORTED_PERIODS).bind(campaign_id).fetch_all(pool).await)?;
    Ok(Reported { indicators: keys.into_iter().collect::<BTreeSet<_>>(), periods: ends.into_iter().collect() })
}
