//! Year over year ("so với cùng kỳ"): last year's figures of a unit at a given week,
//! read from the consolidated figures of the campaign this one follows (the same
//! rollups every progress page reads; nothing is summed again here), through the
//! lineage of units that changed since; and the office's matches of indicators
//! whose key changed (table `indicator_links`, migration 0019).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use phongtrao_domain::plan::IndicatorKind;
use phongtrao_domain::progress::compare_years::{predecessor_sum, predecessors, Lineage, Measure};
use phongtrao_domain::progress::figures::{self, Figures};
use phongtrao_domain::progress::{evaluate, Missing};

use crate::campaigns::StoredCampaign;
use crate::{in_transaction, with_pool, Db, Result, StorageError};

/// The office's matches for a campaign: this campaign's indicator key → the key it
/// had in the campaign this one follows.
pub async fn links(db: &Db, campaign_id: i64) -> Result<HashMap<String, String>> {
    let rows: Vec<(String, String)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT indicator_key, previous_key FROM indicator_links WHERE campaign_id = $1"
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().collect())
}

/// Matches this campaign's indicator `indicator_key` with last year's `previous_key`
/// (None: removes the match, the same key matches again), with its audit entry, in
/// one transaction. The keys must exist in their plans.
pub async fn set_link(
    db: &Db,
    campaign: &StoredCampaign,
    previous: &StoredCampaign,
    indicator_key: &str,
    previous_key: Option<&str>,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<()> {
    if !campaign.plan.indicators().any(|i| i.key == indicator_key) {
        return Err(StorageError::Invalid(format!(
            "kế hoạch không có chỉ tiêu \"{indicator_key}\" / the plan has no indicator \"{indicator_key}\""
        )));
    }
    if let Some(k) = previous_key {
        if !previous.plan.indicators().any(|i| i.key == k) {
            return Err(StorageError::Invalid(format!(
                "kế hoạch năm trước không có chỉ tiêu \"{k}\" / last year's plan has no indicator \"{k}\""
            )));
        }
    }
    let campaign_id = campaign.row.id;
    in_transaction!(db, tx => {
        let before: Option<(String,)> = sqlx::query_as("SELECT previous_key FROM indicator_links WHERE campaign_id = $1 AND indicator_key = $2")
            .bind(campaign_id)
            .bind(indicator_key)
            .fetch_optional(&mut **tx)
            .await?;
        match previous_key {
            Some(k) => {
                sqlx::query(
                    "INSERT INTO indicator_links (campaign_id, indicator_key, previous_key, linked_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (campaign_id, indicator_key) DO UPDATE SET previous_key = excluded.previous_key, linked_at = excluded.linked_at",
                )
                .bind(campaign_id)
                .bind(indicator_key)
                .bind(k)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM indicator_links WHERE campaign_id = $1 AND indicator_key = $2")
                    .bind(campaign_id)
                    .bind(indicator_key)
                    .execute(&mut **tx)
                    .await?;
            }
        }
        let entry = who
            .entry("indicator.link", "indicator", Some(format!("{}/{indicator_key}", campaign.row.code)))
            .before(&serde_json::json!({ "previous_key": before.map(|(k,)| k) }))
            .after(&serde_json::json!({ "previous_key": previous_key, "previous_campaign": previous.row.code }));
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}

/// Each of `unit_ids`' consolidated figures in the `previous` campaign: the sum of
/// its predecessors' (under `lineage`; empty: the same units), each times its share,
/// rounded half up at the end.
pub async fn previous_figures(
    db: &Db,
    previous: &StoredCampaign,
    unit_ids: &[i64],
    lineage: &Lineage,
) -> Result<HashMap<i64, Figures>> {
    let wanted: Vec<(i64, Vec<(i64, f64)>)> = unit_ids.iter().map(|id| (*id, predecessors(lineage, *id))).collect();
    let mut old_ids: Vec<i64> = wanted.iter().flat_map(|(_, p)| p.iter().map(|(old, _)| *old)).collect();
    old_ids.sort_unstable();
    old_ids.dedup();
    let old = crate::rollups::subtree_figures(db, &previous.plan, previous.row.id, &old_ids).await?;
    Ok(wanted.into_iter().map(|(id, preds)| (id, predecessor_sum(&preds, &old))).collect())
}

/// Last year's figure of every indicator of the `previous` campaign for `unit_id`
/// at the end of its weekly period `seq` (counts: the sum; the other kinds: the
/// rounded percentage, as its own progress page showed it), by last year's key.
pub async fn previous_values(
    db: &Db,
    previous: &StoredCampaign,
    unit_id: i64,
    lineage: &Lineage,
    seq: u32,
) -> Result<HashMap<String, Measure>> {
    let figs = previous_figures(db, previous, &[unit_id], lineage).await?;
    let figs = figs.get(&unit_id).cloned().unwrap_or_default();
    let marked = crate::base_figures::marked_complete(db, previous.row.id).await?;
    Ok(measures(previous, &figs, &marked, seq))
}

/// Last year's figure of every indicator for `unit_id` at the end of each of its
/// weekly periods (index 0: period 1), by last year's key: the curve a dashboard
/// lays under this year's. Empty when neither the unit nor its predecessors have
/// any figure in that campaign (it did not exist then).
pub async fn previous_weeks(
    db: &Db,
    previous: &StoredCampaign,
    unit_id: i64,
    lineage: &Lineage,
) -> Result<HashMap<String, Vec<Measure>>> {
    let figs = previous_figures(db, previous, &[unit_id], lineage).await?;
    let figs = figs.get(&unit_id).cloned().unwrap_or_default();
    let mut out: HashMap<String, Vec<Measure>> = HashMap::new();
    // No figure at all: the unit (or its predecessors) did not exist in last year's
    // campaign, which is not "0 last year".
    if figs.is_empty() {
        return Ok(out);
    }
    let marked = crate::base_figures::marked_complete(db, previous.row.id).await?;
    for p in previous.plan.periods() {
        for (key, m) in measures(previous, &figs, &marked, p.seq) {
            out.entry(key).or_default().push(m);
        }
    }
    Ok(out)
}

/// The figures of one subtree as measures at the end of period `seq` (no database).
pub fn measures(
    previous: &StoredCampaign,
    figs: &Figures,
    marked_complete: &std::collections::BTreeSet<phongtrao_domain::unit::BaseFigure>,
    seq: u32,
) -> HashMap<String, Measure> {
    let plan = &previous.plan;
    let mut out = HashMap::new();
    for (idx, ind) in plan.indicators().enumerate() {
        let mut totals = figures::totals(plan, idx, figs, i64::from(seq));
        totals.base_marked_complete = ind.base.is_some_and(|b| marked_complete.contains(&b));
        let measure = match ind.kind {
            IndicatorKind::Count => Measure::Count(totals.sum),
            // As the progress page shows it: no percentage without (enough of) a base.
            _ => {
                let p = evaluate(ind, ind.goal, &totals);
                match p.missing {
                    Some(Missing::NoBaseFigure | Missing::PartialBase | Missing::NoExpectedUnits) => {
                        Measure::Percent(None)
                    }
                    _ => Measure::Percent(p.achieved_percent),
                }
            }
        };
        out.insert(ind.key.clone(), measure);
    }
    out
}
