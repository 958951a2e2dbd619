//! The unit tree's history: reorganisations (sáp nhập, chia tách) applied as new
//! rows, never as edits. The old tree is retired (`valid_until`), keeping its parent
//! links, reports and figures, so a campaign of its time still walks it from its
//! root; the new tree is made of new rows linked to the old ones in
//! `unit_lineage` with the share of the old unit's figures each new one takes.
//! The rules (shares, splits, figures) are the domain's:
//! `phongtrao_domain::reorganisation`; see docs/units-history.md.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::reorganisation::{predecessor_sum, Checked, Lineage, OldUnit, Reorganisation};
use phongtrao_domain::text::fold;
use phongtrao_domain::unit_import::RowError;
use serde::Serialize;

use crate::columns::Text;
use crate::{in_transaction, with_pool, Db, Result, StorageError};

/// What a reorganisation will do (the preview) or did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The code of the old top unit (the tree retired).
    pub old_root: String,
    /// The code of the new top unit.
    pub new_root: String,
    /// New units created (the new top unit included).
    pub new_units: usize,
    /// Live units retired (the whole old tree).
    pub retired: usize,
    /// New units formed from two or more old units.
    pub merges: usize,
    /// Old units split among two or more new units.
    pub splits: usize,
    /// Old units with exactly one successor that is theirs alone (kept, renamed or renumbered).
    pub one_to_one: usize,
    /// Old units that go nowhere themselves, their units below having moved on (huyện đoàn).
    pub dissolved: Vec<String>,
    /// New units with no predecessor in this database.
    pub without_predecessor: Vec<String>,
    /// Old codes named in the file that this database never had.
    pub outside: Vec<String>,
    /// Account assignments moved to the successor (the old unit has exactly one).
    pub accounts_moved: usize,
    /// Account assignments left on their retired unit (dissolved or split units).
    pub accounts_left: usize,
    /// Contacts copied (one-to-one units).
    pub contacts_copied: usize,
    /// Base figures computed for the new units.
    pub base_figures: usize,
}

/// A checked reorganisation with its summary, or every problem with its row.
pub type Preview = std::result::Result<(Checked, Summary), Vec<RowError>>;

/// The live tree a reorganisation replaces: the live top unit of the new top unit's
/// code when there is one, else the first live top unit; and every live unit below.
const LIVE_TREE_SQL: &str = "WITH RECURSIVE down(id, depth) AS (
        SELECT id, 0 FROM units
        WHERE id = (SELECT id FROM units WHERE parent_id IS NULL AND valid_until IS NULL
                    ORDER BY CASE WHEN code = $1 THEN 0 ELSE 1 END, position, id LIMIT 1)
        UNION ALL
        SELECT u.id, down.depth + 1 FROM units u JOIN down ON u.parent_id = down.id
        WHERE u.valid_until IS NULL AND down.depth < 16
    )
    SELECT u.id, u.code, u.parent_id, u.name, u.active, u.valid_from
    FROM down JOIN units u ON u.id = down.id ORDER BY down.depth, u.position, u.id";

#[derive(Debug, Clone, sqlx::FromRow)]
struct TreeUnit {
    id: i64,
    code: String,
    parent_id: Option<i64>,
    name: String,
    active: bool,
    valid_from: Option<NaiveDate>,
}

fn old_units(tree: &[TreeUnit]) -> Vec<OldUnit> {
    let code_of: HashMap<i64, &str> = tree.iter().map(|u| (u.id, u.code.as_str())).collect();
    tree.iter()
        .map(|u| OldUnit {
            code: u.code.clone(),
            parent_code: u.parent_id.and_then(|p| code_of.get(&p).map(|c| c.to_string())),
            name: u.name.clone(),
            active: u.active,
        })
        .collect()
}

fn root_code(reorg: &Reorganisation) -> Option<&str> {
    reorg.new_units.iter().find(|u| u.parent_code.is_none()).map(|u| u.code.as_str())
}

/// Old units with exactly one successor.
fn single_successors(checked: &Checked) -> HashMap<&str, &str> {
    let mut out: HashMap<&str, Vec<&str>> = HashMap::new();
    for l in &checked.lineage {
        out.entry(l.old.as_str()).or_default().push(l.new.as_str());
    }
    out.into_iter().filter(|(_, v)| v.len() == 1).map(|(k, v)| (k, v[0])).collect()
}

/// Old → new pairs where each is the other's only link (contacts follow these).
fn one_to_one(checked: &Checked) -> Vec<(&str, &str)> {
    let mut preds: HashMap<&str, usize> = HashMap::new();
    for l in &checked.lineage {
        *preds.entry(l.new.as_str()).or_default() += 1;
    }
    let mut pairs: Vec<(&str, &str)> =
        single_successors(checked).into_iter().filter(|(_, new)| preds.get(new) == Some(&1)).collect();
    pairs.sort();
    pairs
}

fn effective_problem(tree: &[TreeUnit], effective_on: NaiveDate) -> Option<RowError> {
    let latest = tree.iter().filter_map(|u| u.valid_from).max()?;
    (effective_on <= latest).then(|| {
        RowError::one(
            0,
            format!(
                "ngày hiệu lực {} phải sau lần sắp xếp trước (ngày {})",
                effective_on.format("%d/%m/%Y"),
                latest.format("%d/%m/%Y")
            ),
            format!("the effective date {effective_on} must come after the last reorganisation ({latest})"),
        )
    })
}

/// Checks a reorganisation against today's tree and says what it would do; writes
/// nothing.
pub async fn preview(db: &Db, reorg: &Reorganisation, effective_on: NaiveDate) -> Result<Preview> {
    let code = root_code(reorg).unwrap_or("");
    let tree: Vec<TreeUnit> = with_pool!(db, pool => sqlx::query_as(LIVE_TREE_SQL).bind(code).fetch_all(pool).await)?;
    let checked = match reorg.check(&old_units(&tree)) {
        Ok(c) => c,
        Err(errors) => return Ok(Err(errors)),
    };
    if let Some(problem) = effective_problem(&tree, effective_on) {
        return Ok(Err(vec![problem]));
    }
    let ids: HashMap<&str, i64> = tree.iter().map(|u| (u.code.as_str(), u.id)).collect();
    let assignments: Vec<(i64, i64)> =
        with_pool!(db, pool => sqlx::query_as("SELECT user_id, unit_id FROM user_units").fetch_all(pool).await)?;
    let contacts: Vec<(i64,)> =
        with_pool!(db, pool => sqlx::query_as("SELECT unit_id FROM unit_contacts").fetch_all(pool).await)?;
    let figures: Vec<(i64, String, i64)> = with_pool!(db, pool => sqlx::query_as("SELECT unit_id, figure, value FROM unit_base_figures").fetch_all(pool).await)?;
    let summary = summarise(&checked, &tree, &ids, &assignments, &contacts, &figures);
    Ok(Ok((checked, summary)))
}

fn summarise(
    checked: &Checked,
    tree: &[TreeUnit],
    ids: &HashMap<&str, i64>,
    assignments: &[(i64, i64)],
    contacts: &[(i64,)],
    figures: &[(i64, String, i64)],
) -> Summary {
    let tree_ids: HashSet<i64> = tree.iter().map(|u| u.id).collect();
    let moving: HashSet<i64> = single_successors(checked).keys().filter_map(|code| ids.get(code).copied()).collect();
    let on_tree: Vec<&(i64, i64)> = assignments.iter().filter(|(_, unit)| tree_ids.contains(unit)).collect();
    let accounts_moved = on_tree.iter().filter(|(_, unit)| moving.contains(unit)).count();
    let with_contact: HashSet<i64> = contacts.iter().map(|(id,)| *id).collect();
    let pairs = one_to_one(checked);
    let contacts_copied =
        pairs.iter().filter(|(old, _)| ids.get(old).is_some_and(|id| with_contact.contains(id))).count();
    let new_figures = new_base_figures(checked, ids, figures);
    let root = checked.new_units.first().map(|u| u.code.clone()).unwrap_or_default();
    Summary {
        old_root: checked.old_root.clone(),
        new_root: root,
        new_units: checked.new_units.len(),
        retired: tree.len(),
        merges: checked.merges(),
        splits: checked.splits(),
        one_to_one: pairs.len(),
        dissolved: checked.dissolved.clone(),
        without_predecessor: checked.without_predecessor().iter().map(|u| u.code.clone()).collect(),
        outside: checked.outside.clone(),
        accounts_moved,
        accounts_left: on_tree.len() - accounts_moved,
        contacts_copied,
        base_figures: new_figures.values().map(BTreeMap::len).sum(),
    }
}

/// The base figures of the new units (by new code): each figure the share-weighted
/// sum of the predecessors' (`predecessor_sum`).
fn new_base_figures(
    checked: &Checked,
    ids: &HashMap<&str, i64>,
    figures: &[(i64, String, i64)],
) -> HashMap<String, BTreeMap<String, i64>> {
    // predecessor_sum works on one key type: old units by id, new units by their
    // place in the new tree.
    let place: HashMap<&str, i64> =
        checked.new_units.iter().enumerate().map(|(i, u)| (u.code.as_str(), i as i64)).collect();
    let lineage: Vec<Lineage<i64>> = checked
        .lineage
        .iter()
        .filter_map(|l| {
            Some(Lineage { old: *ids.get(l.old.as_str())?, new: *place.get(l.new.as_str())?, share: l.share })
        })
        .collect();
    let mut by_figure: BTreeMap<&str, HashMap<i64, i64>> = BTreeMap::new();
    for (unit, figure, value) in figures {
        by_figure.entry(figure.as_str()).or_default().insert(*unit, *value);
    }
    let mut out: HashMap<String, BTreeMap<String, i64>> = HashMap::new();
    for (figure, values) in by_figure {
        for (index, value) in predecessor_sum(&values, &lineage) {
            if let Some(unit) = checked.new_units.get(index as usize) {
                out.entry(unit.code.clone()).or_default().insert(figure.to_string(), value);
            }
        }
    }
    out
}

/// A reorganisation applied.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub reorganisation_id: i64,
    pub summary: Summary,
}

/// Joins the problems into one message ("dòng N / row N: …"), one per line.
pub fn problems_message(errors: &[RowError]) -> String {
    errors
        .iter()
        .map(|e| if e.row == 0 { e.message.clone() } else { format!("dòng {} / row {}: {}", e.row, e.row, e.message) })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Applies a reorganisation in one transaction: the new units are created (valid
/// from `effective_on`), the old tree is retired (valid until `effective_on`), the
/// lineage is stored, the new units' base figures are the share-weighted sums of
/// their predecessors', each account assigned to an old unit with exactly one
/// successor moves to it, contacts follow one-to-one units, and one audit entry
/// (`unit.reorganise`) records the counts. A file that does not check writes
/// nothing (`StorageError::Invalid` naming every problem with its row).
pub async fn reorganise(
    db: &Db,
    reorg: &Reorganisation,
    effective_on: NaiveDate,
    title: &str,
    source_name: &str,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let title = title.trim();
    if title.chars().count() > 300 {
        return Err(StorageError::Invalid("tiêu đề tối đa 300 ký tự / a title holds at most 300 characters".into()));
    }
    let applied = in_transaction!(db, tx => {
        let tree: Vec<TreeUnit> = sqlx::query_as(LIVE_TREE_SQL).bind(root_code(reorg).unwrap_or("")).fetch_all(&mut **tx).await?;
        let checked = match reorg.check(&old_units(&tree)) {
            Ok(c) => c,
            Err(errors) => return Err(StorageError::Invalid(problems_message(&errors))),
        };
        if let Some(problem) = effective_problem(&tree, effective_on) {
            return Err(StorageError::Invalid(problem.message));
        }
        let old_ids: HashMap<&str, i64> = tree.iter().map(|u| (u.code.as_str(), u.id)).collect();
        let assignments: Vec<(i64, i64)> = sqlx::query_as("SELECT user_id, unit_id FROM user_units").fetch_all(&mut **tx).await?;
        let contacts: Vec<(i64,)> = sqlx::query_as("SELECT unit_id FROM unit_contacts").fetch_all(&mut **tx).await?;
        let figures: Vec<(i64, String, i64)> =
            sqlx::query_as("SELECT unit_id, figure, value FROM unit_base_figures").fetch_all(&mut **tx).await?;
        let summary = summarise(&checked, &tree, &old_ids, &assignments, &contacts, &figures);

        let (reorganisation_id,): (i64,) = sqlx::query_as(
            "INSERT INTO reorganisations (effective_on, title, source_name, applied_at, applied_by)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(effective_on)
        .bind(title)
        .bind(source_name)
        .bind(now)
        .bind(&who.name)
        .fetch_one(&mut **tx)
        .await?;

        // Retire the old tree first: the new units may take its codes.
        let all_old: Vec<i64> = tree.iter().map(|u| u.id).collect();
        for chunk in all_old.chunks(500) {
            let sql = format!("UPDATE units SET valid_until = $1, updated_at = $2 WHERE id IN ({})", crate::id_list(chunk));
            sqlx::query(&sql).bind(effective_on).bind(now).execute(&mut **tx).await?;
        }

        let (mut position,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(position), 0) FROM units").fetch_one(&mut **tx).await?;
        let mut new_ids: HashMap<String, i64> = HashMap::new();
        for unit in &checked.new_units {
            position += 1;
            let parent_id = unit.parent_code.as_ref().and_then(|p| new_ids.get(p).copied());
            let search_key = fold(&format!("{} {} {}", unit.name, unit.admin_name.as_deref().unwrap_or(""), unit.code));
            let gso_code = unit.admin_name.as_ref().map(|_| unit.code.clone());
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO units (code, parent_id, kind, level, name, admin_name, gso_code, search_key, position, active, created_at, updated_at, valid_from)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $10, $11) RETURNING id",
            )
            .bind(&unit.code)
            .bind(parent_id)
            .bind(Text(unit.kind))
            .bind(i64::from(unit.kind.level().number()))
            .bind(&unit.name)
            .bind(&unit.admin_name)
            .bind(&gso_code)
            .bind(&search_key)
            .bind(position)
            .bind(now)
            .bind(effective_on)
            .fetch_one(&mut **tx)
            .await?;
            new_ids.insert(unit.code.clone(), id);
        }

        for l in &checked.lineage {
            let (Some(old), Some(new)) = (old_ids.get(l.old.as_str()), new_ids.get(&l.new)) else { continue };
            sqlx::query("INSERT INTO unit_lineage (predecessor_id, successor_id, share, reorganisation_id) VALUES ($1, $2, $3, $4)")
                .bind(old)
                .bind(new)
                .bind(l.share)
                .bind(reorganisation_id)
                .execute(&mut **tx)
                .await?;
        }

        for (code, figures) in new_base_figures(&checked, &old_ids, &figures) {
            let Some(unit_id) = new_ids.get(&code) else { continue };
            for (figure, value) in figures {
                sqlx::query("INSERT INTO unit_base_figures (unit_id, figure, value, updated_at) VALUES ($1, $2, $3, $4)")
                    .bind(unit_id)
                    .bind(&figure)
                    .bind(value)
                    .bind(now)
                    .execute(&mut **tx)
                    .await?;
            }
        }

        let mut moves: Vec<(i64, i64)> = single_successors(&checked)
            .into_iter()
            .filter_map(|(old, new)| Some((*old_ids.get(old)?, *new_ids.get(new)?)))
            .collect();
        moves.sort();
        for (old, new) in &moves {
            sqlx::query(
                "INSERT INTO user_units (user_id, unit_id) SELECT user_id, $1 FROM user_units WHERE unit_id = $2
                 ON CONFLICT (user_id, unit_id) DO NOTHING",
            )
            .bind(new)
            .bind(old)
            .execute(&mut **tx)
            .await?;
            sqlx::query("DELETE FROM user_units WHERE unit_id = $1").bind(old).execute(&mut **tx).await?;
        }

        for (old, new) in one_to_one(&checked) {
            let (Some(old), Some(new)) = (old_ids.get(old), new_ids.get(new)) else { continue };
            sqlx::query(
                "INSERT INTO unit_contacts (unit_id, secretary, phone, email, note, updated_at, updated_by)
                 SELECT $1, secretary, phone, email, note, updated_at, updated_by FROM unit_contacts WHERE unit_id = $2",
            )
            .bind(new)
            .bind(old)
            .execute(&mut **tx)
            .await?;
        }

        crate::rollups::rebuild_current_in(&mut **tx).await?;

        #[derive(Serialize)]
        struct Logged<'a> {
            reorganisation_id: i64,
            effective_on: NaiveDate,
            title: &'a str,
            source_name: &'a str,
            #[serde(flatten)]
            summary: &'a Summary,
        }
        let entry = who
            .entry("unit.reorganise", "unit", Some(summary.new_root.clone()))
            .unit(new_ids.get(&summary.new_root).copied())
            .after(&Logged { reorganisation_id, effective_on, title, source_name, summary: &summary });
        crate::audit_in_tx!(tx, &entry, now);
        Applied { reorganisation_id, summary }
    });
    Ok(applied)
}

/// For each unit of the tree under `new_root_id`, the units of the tree under
/// `old_root_id` its figures come from, with the share of each: lineage followed
/// through every reorganisation between the two trees (shares multiply along a
/// path and add up across paths). A new unit with no predecessor in the old tree
/// is absent. The same trees (`old_root_id == new_root_id`) map each unit to itself.
pub async fn lineage_between(db: &Db, old_root_id: i64, new_root_id: i64) -> Result<HashMap<i64, Vec<(i64, f64)>>> {
    let old_tree: HashSet<i64> = crate::units::subtree_ids(db, old_root_id).await?.into_iter().collect();
    let new_tree: Vec<i64> = crate::units::subtree_ids(db, new_root_id).await?;
    if old_root_id == new_root_id {
        return Ok(new_tree.into_iter().map(|id| (id, vec![(id, 1.0)])).collect());
    }
    let edges: Vec<(i64, i64, f64)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT predecessor_id, successor_id, share FROM unit_lineage"
    ).fetch_all(pool).await)?;
    let mut preds: HashMap<i64, Vec<(i64, f64)>> = HashMap::new();
    for (old, new, share) in edges {
        preds.entry(new).or_default().push((old, share));
    }
    let mut out = HashMap::new();
    for unit in new_tree {
        // Walk back (breadth first, bounded) until the old tree is reached.
        let mut found: BTreeMap<i64, f64> = BTreeMap::new();
        let mut frontier: Vec<(i64, f64)> = vec![(unit, 1.0)];
        for _ in 0..16 {
            let mut next = Vec::new();
            for (id, weight) in frontier {
                if old_tree.contains(&id) {
                    *found.entry(id).or_default() += weight;
                    continue;
                }
                for (pred, share) in preds.get(&id).map(Vec::as_slice).unwrap_or(&[]) {
                    next.push((*pred, weight * share));
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        if !found.is_empty() {
            out.insert(unit, found.into_iter().collect());
        }
    }
    Ok(out)
}

/// The reorganisations applied, newest first: (id, effective_on, title, source, applied_at, by).
pub async fn list(db: &Db) -> Result<Vec<ReorganisationRow>> {
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT id, effective_on, title, source_name, applied_at, applied_by FROM reorganisations ORDER BY effective_on DESC, id DESC"
    ).fetch_all(pool).await)?)
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReorganisationRow {
    pub id: i64,
    pub effective_on: NaiveDate,
    pub title: String,
    pub source_name: String,
    pub applied_at: DateTime<Utc>,
    pub applied_by: String,
}

/// A unit a reorganisation formed another from (one step back).
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct Predecessor {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub share: f64,
}

/// The units this unit was formed from by the reorganisation that made it, with the
/// share of each it took; empty for a unit no reorganisation made.
pub async fn predecessors(db: &Db, unit_id: i64) -> Result<Vec<Predecessor>> {
    let sql = "SELECT u.id, u.code, u.name, l.share FROM unit_lineage l JOIN units u ON u.id = l.predecessor_id
               WHERE l.successor_id = $1 ORDER BY u.position, u.id";
    Ok(with_pool!(db, pool => sqlx::query_as(sql).bind(unit_id).fetch_all(pool).await)?)
}
