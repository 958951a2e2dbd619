//! A new campaign made from an earlier one ("Tạo kế hoạch từ năm trước"): the new
//! campaign, the edition it follows, its copied allocations and the audit entry are
//! stored in one transaction, or nothing is.

use chrono::{DateTime, Utc};
use phongtrao_domain::plan::Plan;

use crate::audit::AuditEntry;
use crate::campaigns::Loaded;
use crate::{with_pool, Db, Result, StorageError};

/// What is stored with the new campaign besides its plan.
#[derive(Debug, Clone)]
pub struct CopyFrom {
    /// The campaign the new one follows (`previous_campaign_id`).
    pub previous_id: i64,
    /// (indicator key, unit id, goal): the allocations of the new campaign.
    pub allocations: Vec<(String, i64, i64)>,
    /// The one audit entry (`campaign.create_from`); its entity key is the new code.
    pub audit: AuditEntry,
}

/// Stores the new campaign (running, not the default one) with what `copy` says.
/// Refuses a code that is already used.
pub async fn create_from(db: &Db, plan: &Plan, plan_toml: &str, copy: &CopyFrom, now: DateTime<Utc>) -> Result<i64> {
    if code_exists(db, &plan.campaign.code).await? {
        return Err(code_taken(&plan.campaign.code));
    }
    match crate::campaigns::load_copy(db, plan, plan_toml, now, copy).await? {
        Loaded::Created(id) => Ok(id),
        Loaded::AlreadyPresent(_) => Err(code_taken(&plan.campaign.code)),
    }
}

/// Whether a campaign (running or archived) has this code.
pub async fn code_exists(db: &Db, code: &str) -> Result<bool> {
    let found: Option<(i64,)> = with_pool!(db, pool => sqlx::query_as("SELECT id FROM campaigns WHERE code = $1")
        .bind(code)
        .fetch_optional(pool)
        .await)?;
    Ok(found.is_some())
}

fn code_taken(code: &str) -> StorageError {
    StorageError::Invalid(format!(
        "đã có kế hoạch mã \"{code}\"; hãy chọn mã khác / a campaign with the code \"{code}\" exists already"
    ))
}

/// Inside the new campaign's transaction (`$tx`, campaign `$id`): the edition it
/// follows, its allocations and the audit entry.
#[macro_export]
macro_rules! copy_in_tx {
    ($tx:expr, $id:expr, $copy:expr, $now:expr) => {{
        let copy: &$crate::campaign_copy::CopyFrom = $copy;
        sqlx::query("UPDATE campaigns SET previous_campaign_id = $1 WHERE id = $2")
            .bind(copy.previous_id)
            .bind($id)
            .execute(&mut **$tx)
            .await?;
        for (key, unit_id, goal) in &copy.allocations {
            sqlx::query(
                "INSERT INTO allocations (campaign_id, indicator_key, unit_id, goal, method, updated_at, updated_by)
                 VALUES ($1, $2, $3, $4, 'copied', $5, $6)",
            )
            .bind($id)
            .bind(key)
            .bind(*unit_id)
            .bind(*goal)
            .bind($now)
            .bind(&copy.audit.actor_name)
            .execute(&mut **$tx)
            .await?;
        }
        let mut entry = copy.audit.clone();
        if let Some(after) = entry.after_json.take() {
            // The new campaign's id, known only now.
            let mut value: serde_json::Value = serde_json::from_str(&after).unwrap_or(serde_json::Value::Null);
            if let Some(map) = value.as_object_mut() {
                map.insert("id".into(), serde_json::json!($id));
            }
            entry.after_json = Some(value.to_string());
        }
        $crate::audit_in_tx!($tx, &entry, $now);
    }};
}
