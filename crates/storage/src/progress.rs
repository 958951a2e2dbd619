//! The raw figures consolidation starts from: each unit's own totals from its counted
//! reports (submitted or accepted), and every base figure.

use std::collections::HashMap;

use phongtrao_domain::plan::Level;

use crate::{with_pool, Db, Result};

/// unit id → indicator key → the unit's own total over weekly periods 1..=up_to_seq.
pub async fn own_totals(db: &Db, campaign_id: i64, up_to_seq: i64) -> Result<HashMap<i64, HashMap<String, i64>>> {
    let sql = "SELECT r.unit_id, v.indicator_key, CAST(SUM(v.value) AS BIGINT)
               FROM report_values v JOIN reports r ON r.id = v.report_id
               WHERE r.campaign_id = $1 AND r.kind = 'weekly' AND r.period_seq <= $2 AND r.status IN ('submitted', 'accepted')
               GROUP BY r.unit_id, v.indicator_key";
    let rows: Vec<(i64, String, i64)> =
        with_pool!(db, pool => sqlx::query_as(sql).bind(campaign_id).bind(up_to_seq).fetch_all(pool).await)?;
    let mut out: HashMap<i64, HashMap<String, i64>> = HashMap::new();
    for (unit, key, sum) in rows {
        out.entry(unit).or_default().insert(key, sum);
    }
    Ok(out)
}

/// unit id → figure → value.
pub async fn base_figures(db: &Db) -> Result<HashMap<i64, HashMap<String, i64>>> {
    let rows: Vec<(i64, String, i64)> = with_pool!(db, pool => sqlx::query_as("SELECT unit_id, figure, value FROM unit_base_figures").fetch_all(pool).await)?;
    let mut out: HashMap<i64, HashMap<String, i64>> = HashMap::new();
    for (unit, figure, value) in rows {
        out.entry(unit).or_default().insert(figure, value);
    }
    Ok(out)
}

/// Reporting units of a subtree (id and code) without a first submission in a weekly
/// period, in tree order, at most `limit`.
pub async fn missing_units(
    db: &Db,
    campaign_id: i64,
    root_id: i64,
    seq: i64,
    levels: &[Level],
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    if levels.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        // The subtree carries the columns it needs: joining it back to `units` made
        // SQLite 3.46 scan every unit of the tree (100 ms at national scale).
        "WITH RECURSIVE down(id, code, level, position, active, depth) AS (
             SELECT id, code, level, position, active, 0 FROM units WHERE id = $1
             UNION ALL
             SELECT u.id, u.code, u.level, u.position, u.active, down.depth + 1
             FROM units u JOIN down ON u.parent_id = down.id WHERE down.depth < 16
         )
         SELECT id, code FROM down
         WHERE active AND level IN ({})
           AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.campaign_id = $2 AND r.unit_id = down.id AND r.kind = 'weekly'
                           AND r.period_seq = $3 AND r.timeliness IS NOT NULL)
         ORDER BY level, position, id LIMIT $4",
        crate::level_list(levels)
    );
    Ok(
        with_pool!(db, pool => sqlx::query_as(&sql).bind(root_id).bind(campaign_id).bind(seq).bind(limit).fetch_all(pool).await)?,
    )
}

/// The units among `unit_ids` whose first submission of a weekly period in
/// `from_seq..=to_seq` was late: (period, unit id), by period then tree order.
pub async fn late_units(
    db: &Db,
    campaign_id: i64,
    unit_ids: &[i64],
    from_seq: i64,
    to_seq: i64,
) -> Result<Vec<(i64, i64)>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT r.period_seq, r.unit_id FROM reports r JOIN units u ON u.id = r.unit_id
         WHERE r.campaign_id = $1 AND r.kind = 'weekly' AND r.timeliness = 'late'
           AND r.period_seq >= $2 AND r.period_seq <= $3 AND r.unit_id IN ({})
         ORDER BY r.period_seq, u.level, u.position, u.id",
        crate::id_list(unit_ids)
    );
    Ok(
        with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(from_seq).bind(to_seq).fetch_all(pool).await)?,
    )
}

/// The active reporting units of a subtree (ids), in tree order, at most `limit`.
pub async fn reporting_units(db: &Db, root_id: i64, levels: &[Level], limit: i64) -> Result<Vec<i64>> {
    if levels.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "WITH RECURSIVE down(id, level, position, active, depth) AS (
             SELECT id, level, position, active, 0 FROM units WHERE id = $1
             UNION ALL
             SELECT u.id, u.level, u.position, u.active, down.depth + 1
             FROM units u JOIN down ON u.parent_id = down.id WHERE down.depth < 16
         )
         SELECT id FROM down WHERE active AND level IN ({}) ORDER BY level, position, id LIMIT $2",
        crate::level_list(levels)
    );
    let rows: Vec<(i64,)> =
        with_pool!(db, pool => sqlx::query_as(&sql).bind(root_id).bind(limit).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}
