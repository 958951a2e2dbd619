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
/// period, in tree order (level, position, id), at most `limit`.
///
/// The walk goes down only where units are missing: the kept figures of a unit say
/// how many reporting units below it have not reported the period (reporting − on
/// time − late), so a national subtree with a handful of missing branches reads those
/// branches' ancestors and their siblings, not the 100,000 units of the tree (a walk
/// of the whole subtree took 200 ms at national scale whenever 1 to 500 units were
/// missing).
pub async fn missing_units(
    db: &Db,
    campaign_id: i64,
    root_id: i64,
    seq: i64,
    levels: &[Level],
    limit: i64,
) -> Result<Vec<(i64, String)>> {
    if levels.is_empty() || limit <= 0 {
        return Ok(Vec::new());
    }
    let reporting: Vec<i64> = levels.iter().map(|l| i64::from(l.number())).collect();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut out: Vec<(i64, String)> = Vec::new();
    // The units of one level of the walk: (id, code, level, position, active).
    let root_sql = "SELECT id, code, level, position, active FROM units WHERE id = $1";
    let mut layer: Vec<UnitAt> = with_pool!(db, pool => sqlx::query_as(root_sql).bind(root_id).fetch_all(pool).await)?;
    for _depth in 0..=16 {
        if layer.is_empty() {
            break;
        }
        // This layer's reporting units without a first submission.
        let candidates: Vec<i64> = layer.iter().filter(|u| u.4 && reporting.contains(&u.2)).map(|u| u.0).collect();
        if !candidates.is_empty() {
            let sql = format!(
                "SELECT unit_id FROM reports WHERE campaign_id = $1 AND kind = 'weekly' AND period_seq = $2
                   AND timeliness IS NOT NULL AND unit_id IN ({})",
                crate::id_list(&candidates)
            );
            let done: Vec<(i64,)> =
                with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(seq).fetch_all(pool).await)?;
            let done: std::collections::HashSet<i64> = done.into_iter().map(|(id,)| id).collect();
            // Tree order inside a level: position, then id (levels come one after another).
            let mut found: Vec<&UnitAt> =
                layer.iter().filter(|u| u.4 && reporting.contains(&u.2) && !done.contains(&u.0)).collect();
            found.sort_by_key(|u| (u.2, u.3, u.0));
            out.extend(found.into_iter().map(|u| (u.0, u.1.clone())));
            if out.len() >= limit {
                out.truncate(limit);
                return Ok(out);
            }
        }
        // Go down only below the units whose kept figures say someone is missing.
        let ids: Vec<i64> = layer.iter().map(|u| u.0).collect();
        let sql = format!(
            "SELECT unit_id, key, value FROM rollups WHERE campaign_id = $1 AND unit_id IN ({})
               AND ((key = 'reporting' AND period_seq = 0) OR (key IN ('on_time', 'late') AND period_seq = $2))",
            crate::id_list(&ids)
        );
        let rows: Vec<(i64, String, i64)> =
            with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(seq).fetch_all(pool).await)?;
        let mut below: HashMap<i64, i64> = HashMap::new();
        for (unit, key, value) in rows {
            *below.entry(unit).or_default() += if key == "reporting" { value } else { -value };
        }
        let parents: Vec<i64> = ids.into_iter().filter(|id| below.get(id).is_some_and(|m| *m > 0)).collect();
        if parents.is_empty() {
            break;
        }
        let sql = format!(
            "SELECT id, code, level, position, active FROM units WHERE parent_id IN ({})",
            crate::id_list(&parents)
        );
        layer = with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
    }
    // Levels deeper down come after: keep the whole list in tree order.
    Ok(out)
}

/// A unit as the walk of missing units reads it: id, code, level, position, active.
type UnitAt = (i64, String, i64, i64, bool);

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
