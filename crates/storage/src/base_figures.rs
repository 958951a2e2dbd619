//! Base figures per unit (denominators of percentage indicators).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use phongtrao_domain::base_figures::UnitBaseFigures;
use phongtrao_domain::unit::BaseFigure;

use crate::columns::Text;
use crate::{in_transaction, with_pool, Db, Result};

/// Stores the given figures for units that exist, leaving figures already stored
/// untouched. Returns how many figures were inserted.
pub async fn insert_missing(db: &Db, rows: &[UnitBaseFigures], now: DateTime<Utc>) -> Result<u64> {
    let mut inserted = 0;
    in_transaction!(db, tx => {
        for row in rows {
            // The first unit of the code: these are the built-in (or national) tree's
            // figures, not those of a unit a reorganisation later gave the code.
            let unit: Option<(i64,)> = sqlx::query_as("SELECT id FROM units WHERE code = $1 ORDER BY id LIMIT 1")
                .bind(&row.code)
                .fetch_optional(&mut **tx)
                .await?;
            let Some((unit_id,)) = unit else { continue };
            for (figure, value) in &row.figures {
                let r = sqlx::query(
                    "INSERT INTO unit_base_figures (unit_id, figure, value, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (unit_id, figure) DO NOTHING",
                )
                .bind(unit_id)
                .bind(Text(*figure))
                .bind(*value)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                inserted += r.rows_affected();
            }
        }
        if inserted > 0 {
            crate::rollups::rebuild_current_in(&mut **tx).await?;
        }
    });
    Ok(inserted)
}

/// The figures known for one unit; a figure not in the map is missing.
pub async fn for_unit(db: &Db, unit_id: i64) -> Result<BTreeMap<BaseFigure, i64>> {
    let sql = "SELECT figure, value FROM unit_base_figures WHERE unit_id = $1";
    let rows: Vec<(Text<BaseFigure>, i64)> =
        with_pool!(db, pool => sqlx::query_as(sql).bind(unit_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(Text(f), v)| (f, v)).collect())
}

/// The figures of every unit, by unit id (the simulations' bounds, in one read).
pub async fn all(db: &Db) -> Result<std::collections::HashMap<i64, BTreeMap<BaseFigure, i64>>> {
    let sql = "SELECT unit_id, figure, value FROM unit_base_figures";
    let rows: Vec<(i64, Text<BaseFigure>, i64)> = with_pool!(db, pool => sqlx::query_as(sql).fetch_all(pool).await)?;
    let mut out: std::collections::HashMap<i64, BTreeMap<BaseFigure, i64>> = std::collections::HashMap::new();
    for (unit_id, Text(figure), value) in rows {
        out.entry(unit_id).or_default().insert(figure, value);
    }
    Ok(out)
}

/// Sets (Some) or clears (None) figures of one unit, recording before and after in
/// the audit log in the same transaction.
pub async fn set(
    db: &Db,
    unit_id: i64,
    values: &BTreeMap<BaseFigure, Option<i64>>,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<()> {
    in_transaction!(db, tx => {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT figure, value FROM unit_base_figures WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_all(&mut **tx)
            .await?;
        let before: BTreeMap<String, i64> = rows.into_iter().collect();
        let figures = crate::rollups::UnitChangeGuard::before(&mut **tx, unit_id).await?;
        for (figure, value) in values {
            if value.is_some_and(|v| v <= 0) {
                let (vi, en) = phongtrao_domain::base_figures::BASE_VALUE_RULE;
                return Err(crate::StorageError::Invalid(format!("Số liệu nền {vi} / A base figure {en}")));
            }
            match value {
                Some(v) => {
                    sqlx::query(
                        "INSERT INTO unit_base_figures (unit_id, figure, value, updated_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (unit_id, figure) DO UPDATE SET value = $3, updated_at = $4",
                    )
                    .bind(unit_id)
                    .bind(Text(*figure))
                    .bind(*v)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM unit_base_figures WHERE unit_id = $1 AND figure = $2")
                        .bind(unit_id)
                        .bind(Text(*figure))
                        .execute(&mut **tx)
                        .await?;
                }
            }
        }
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT figure, value FROM unit_base_figures WHERE unit_id = $1")
            .bind(unit_id)
            .fetch_all(&mut **tx)
            .await?;
        let after: BTreeMap<String, i64> = rows.into_iter().collect();
        if let Some(figures) = figures {
            figures.after(&mut **tx).await?;
        }
        if before != after {
            let entry = who.entry("unit.base_figures", "unit", None).unit(Some(unit_id)).before(&before).after(&after);
            crate::audit_in_tx!(tx, &entry, now);
        }
    });
    Ok(())
}

/// The base figures the office marked complete for a campaign: units without such a
/// figure are taken to have none, and its percentages are judged over the units
/// that have it.
pub async fn marked_complete(db: &Db, campaign_id: i64) -> Result<std::collections::BTreeSet<BaseFigure>> {
    let sql = "SELECT figure FROM base_figure_complete WHERE campaign_id = $1";
    let rows: Vec<(Text<BaseFigure>,)> =
        with_pool!(db, pool => sqlx::query_as(sql).bind(campaign_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(Text(f),)| f).collect())
}

/// Marks a base figure complete (or not) for a campaign, in the audit log with the
/// value before and after; returns whether anything changed.
pub async fn set_complete(
    db: &Db,
    campaign_id: i64,
    figure: BaseFigure,
    complete: bool,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<bool> {
    let changed = in_transaction!(db, tx => {
        let before: Option<(String,)> =
            sqlx::query_as("SELECT figure FROM base_figure_complete WHERE campaign_id = $1 AND figure = $2")
                .bind(campaign_id)
                .bind(Text(figure))
                .fetch_optional(&mut **tx)
                .await?;
        let was = before.is_some();
        if was != complete {
            if complete {
                sqlx::query(
                    "INSERT INTO base_figure_complete (campaign_id, figure, marked_by, marked_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(campaign_id)
                .bind(Text(figure))
                .bind(&who.name)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            } else {
                sqlx::query("DELETE FROM base_figure_complete WHERE campaign_id = $1 AND figure = $2")
                    .bind(campaign_id)
                    .bind(Text(figure))
                    .execute(&mut **tx)
                    .await?;
            }
            let entry = who
                .entry("base_figures.complete", "base_figure", Some(figure.as_str().to_string()))
                .before(&serde_json::json!({ "complete": was }))
                .after(&serde_json::json!({ "complete": complete }));
            crate::audit_in_tx!(tx, &entry, now);
        }
        was != complete
    });
    Ok(changed)
}
