//! Emulation scoring (thi đua): each campaign's criteria sheet, the self-assessment
//! settings, the units' self-scores with their evidence and the office's reviews
//! (every change a history row), and the emulation clusters. Every write is one
//! transaction with its audit entry; the caller has checked the input and the actor.

use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::emulation::{Criterion, Evidence, Points, Rule};
use serde::Serialize;

use crate::audit::Who;
use crate::{id_list, in_transaction, with_pool, Db, Result};

/// A criterion as stored, with its id (self-scores refer to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCriterion {
    pub id: i64,
    #[serde(flatten)]
    pub criterion: Criterion,
}

#[derive(sqlx::FromRow)]
struct CriterionRow {
    id: i64,
    number: String,
    title: String,
    max_points: i64,
    rule_kind: String,
    indicator: String,
    all_or_nothing: i64,
    per_late: i64,
    per_missing: i64,
}

impl CriterionRow {
    fn into_stored(self) -> StoredCriterion {
        let rule = match self.rule_kind.as_str() {
            "goal_completion" => {
                Rule::GoalCompletion { indicator: self.indicator, all_or_nothing: self.all_or_nothing != 0 }
            }
            "reports_on_time" => {
                Rule::ReportsOnTime { per_late: Points(self.per_late), per_missing: Points(self.per_missing) }
            }
            _ => Rule::Assessed,
        };
        StoredCriterion {
            id: self.id,
            criterion: Criterion { number: self.number, title: self.title, max: Points(self.max_points), rule },
        }
    }
}

fn rule_columns(rule: &Rule) -> (&'static str, String, i64, i64, i64) {
    match rule {
        Rule::GoalCompletion { indicator, all_or_nothing } => {
            ("goal_completion", indicator.clone(), i64::from(*all_or_nothing), 0, 0)
        }
        Rule::ReportsOnTime { per_late, per_missing } => {
            ("reports_on_time", String::new(), 0, per_late.0, per_missing.0)
        }
        Rule::Assessed => ("assessed", String::new(), 0, 0, 0),
    }
}

const CRITERION_COLUMNS: &str =
    "id, number, title, max_points, rule_kind, indicator, all_or_nothing, per_late, per_missing";

/// The campaign's criteria sheet, in its order (empty: none set yet).
pub async fn criteria(db: &Db, campaign_id: i64) -> Result<Vec<StoredCriterion>> {
    let sql =
        format!("SELECT {CRITERION_COLUMNS} FROM emulation_criteria WHERE campaign_id = $1 ORDER BY position, id");
    let rows: Vec<CriterionRow> = with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(CriterionRow::into_stored).collect())
}

/// What saving a sheet did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetSaved {
    Saved(Vec<StoredCriterion>),
    /// Nothing stored: these criteria (their numbers) would be removed but units
    /// have self-scored them.
    ScoredRemoved(Vec<String>),
}

/// Replaces the campaign's sheet by `rows` (checked by the caller): a row with the
/// id of one of the campaign's criteria updates it (its self-scores stay), a row
/// without creates one, the criteria left out are removed unless they were scored.
pub async fn save_criteria(
    db: &Db,
    campaign_id: i64,
    rows: &[(Option<i64>, Criterion)],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<SheetSaved> {
    let before = criteria(db, campaign_id).await?;
    let outcome = in_transaction!(db, tx => {
        let existing: Vec<(i64, String)> =
            sqlx::query_as("SELECT id, number FROM emulation_criteria WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_all(&mut **tx)
                .await?;
        let kept: Vec<i64> = rows.iter().filter_map(|(id, _)| *id).filter(|id| existing.iter().any(|(e, _)| e == id)).collect();
        let removed: Vec<&(i64, String)> = existing.iter().filter(|(id, _)| !kept.contains(id)).collect();
        let removed_ids: Vec<i64> = removed.iter().map(|(id, _)| *id).collect();
        let scored: Vec<(i64,)> = if removed_ids.is_empty() {
            Vec::new()
        } else {
            let sql = format!("SELECT DISTINCT criterion_id FROM emulation_scores WHERE criterion_id IN ({})", id_list(&removed_ids));
            sqlx::query_as(&sql).fetch_all(&mut **tx).await?
        };
        if !scored.is_empty() {
            let numbers = removed.iter().filter(|(id, _)| scored.iter().any(|(s,)| s == id)).map(|(_, n)| n.clone()).collect();
            SheetSaved::ScoredRemoved(numbers)
        } else {
            if !removed_ids.is_empty() {
                let sql = format!("DELETE FROM emulation_criteria WHERE id IN ({})", id_list(&removed_ids));
                sqlx::query(&sql).execute(&mut **tx).await?;
            }
            for (pos, (id, c)) in rows.iter().enumerate() {
                let (kind, indicator, aon, late, missing) = rule_columns(&c.rule);
                match id.filter(|id| kept.contains(id)) {
                    Some(id) => {
                        sqlx::query(
                            "UPDATE emulation_criteria SET position = $1, number = $2, title = $3, max_points = $4, rule_kind = $5,
                             indicator = $6, all_or_nothing = $7, per_late = $8, per_missing = $9 WHERE id = $10",
                        )
                        .bind(pos as i64).bind(&c.number).bind(c.title.trim()).bind(c.max.0).bind(kind)
                        .bind(&indicator).bind(aon).bind(late).bind(missing).bind(id)
                        .execute(&mut **tx)
                        .await?;
                    }
                    None => {
                        sqlx::query(
                            "INSERT INTO emulation_criteria (campaign_id, position, number, title, max_points, rule_kind, indicator, all_or_nothing, per_late, per_missing)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        )
                        .bind(campaign_id).bind(pos as i64).bind(&c.number).bind(c.title.trim()).bind(c.max.0).bind(kind)
                        .bind(&indicator).bind(aon).bind(late).bind(missing)
                        .execute(&mut **tx)
                        .await?;
                    }
                }
            }
            let after: Vec<&Criterion> = rows.iter().map(|(_, c)| c).collect();
            let before: Vec<&Criterion> = before.iter().map(|c| &c.criterion).collect();
            let entry = who.entry("emulation.criteria", "campaign", Some(campaign_id.to_string())).before(&before).after(&after);
            crate::audit_in_tx!(tx, &entry, now);
            SheetSaved::Saved(Vec::new())
        }
    });
    match outcome {
        SheetSaved::Saved(_) => Ok(SheetSaved::Saved(criteria(db, campaign_id).await?)),
        blocked => Ok(blocked),
    }
}

/// The self-assessment settings of a campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// After it, units can no longer change their self-scores.
    pub self_deadline: Option<DateTime<Utc>>,
    /// The office reopened self-assessment after the deadline.
    pub reopened: bool,
}

pub async fn settings(db: &Db, campaign_id: i64) -> Result<Settings> {
    let row: Option<(Option<DateTime<Utc>>, i64)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT self_deadline, reopened FROM emulation_settings WHERE campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(|(d, r)| Settings { self_deadline: d, reopened: r != 0 }).unwrap_or_default())
}

pub async fn set_settings(db: &Db, campaign_id: i64, s: &Settings, who: &Who, now: DateTime<Utc>) -> Result<()> {
    let before = settings(db, campaign_id).await?;
    in_transaction!(db, tx => {
        sqlx::query(
            "INSERT INTO emulation_settings (campaign_id, self_deadline, reopened, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (campaign_id) DO UPDATE SET self_deadline = $2, reopened = $3, updated_at = $4, updated_by = $5",
        )
        .bind(campaign_id)
        .bind(s.self_deadline)
        .bind(i64::from(s.reopened))
        .bind(now)
        .bind(&who.name)
        .execute(&mut **tx)
        .await?;
        let entry = who.entry("emulation.settings", "campaign", Some(campaign_id.to_string())).before(&before).after(s);
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}

/// A unit's score of one assessed criterion: its self-score with the evidence, and
/// the office's review (None: not reviewed yet, "chờ duyệt").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ScoreRow {
    pub criterion_id: i64,
    pub unit_id: i64,
    pub self_points: i64,
    pub doc_number: String,
    pub doc_symbol: String,
    pub doc_date: Option<NaiveDate>,
    pub evidence: String,
    pub self_at: DateTime<Utc>,
    pub self_by: String,
    pub reviewed_points: Option<i64>,
    pub review_comment: String,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
}

impl ScoreRow {
    pub fn evidence(&self) -> Evidence {
        Evidence {
            doc_number: self.doc_number.clone(),
            doc_symbol: self.doc_symbol.clone(),
            doc_date: self.doc_date,
            text: self.evidence.clone(),
        }
    }
}

const SCORE_COLUMNS: &str = "criterion_id, unit_id, self_points, doc_number, doc_symbol, doc_date, evidence, self_at, self_by, reviewed_points, review_comment, reviewed_at, reviewed_by";

/// The scores of the given units in a campaign.
pub async fn scores(db: &Db, campaign_id: i64, unit_ids: &[i64]) -> Result<Vec<ScoreRow>> {
    if unit_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {SCORE_COLUMNS} FROM emulation_scores WHERE campaign_id = $1 AND unit_id IN ({}) ORDER BY unit_id, criterion_id",
        id_list(unit_ids)
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)?)
}

/// One self-score as the unit gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SelfScore {
    pub criterion_id: i64,
    pub points: Points,
    pub evidence: Evidence,
}

/// Stores a unit's self-scores (checked by the caller). A changed score or evidence
/// is a history row and sends the score back to "chờ duyệt" (its review is cleared);
/// unchanged rows are left alone. Returns how many changed.
pub async fn set_self_scores(
    db: &Db,
    campaign_id: i64,
    unit_id: i64,
    entries: &[SelfScore],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<usize> {
    let before = scores(db, campaign_id, &[unit_id]).await?;
    let mut changed = Vec::new();
    for e in entries {
        let old = before.iter().find(|s| s.criterion_id == e.criterion_id);
        if old.is_some_and(|o| o.self_points == e.points.0 && o.evidence() == e.evidence) {
            continue;
        }
        changed.push(e);
    }
    if changed.is_empty() {
        return Ok(0);
    }
    in_transaction!(db, tx => {
        for e in &changed {
            let ev = &e.evidence;
            sqlx::query(
                "INSERT INTO emulation_scores (criterion_id, unit_id, campaign_id, self_points, doc_number, doc_symbol, doc_date, evidence, self_at, self_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (criterion_id, unit_id) DO UPDATE SET self_points = $4, doc_number = $5, doc_symbol = $6, doc_date = $7,
                   evidence = $8, self_at = $9, self_by = $10, reviewed_points = NULL, review_comment = '', reviewed_at = NULL, reviewed_by = NULL",
            )
            .bind(e.criterion_id).bind(unit_id).bind(campaign_id).bind(e.points.0)
            .bind(&ev.doc_number).bind(&ev.doc_symbol).bind(ev.doc_date).bind(&ev.text).bind(now).bind(&who.name)
            .execute(&mut **tx)
            .await?;
            let note = [ev.reference(), ev.text.clone()].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" — ");
            sqlx::query(
                "INSERT INTO emulation_score_history (campaign_id, criterion_id, unit_id, kind, points, note, at, by_name) VALUES ($1, $2, $3, 'self', $4, $5, $6, $7)",
            )
            .bind(campaign_id).bind(e.criterion_id).bind(unit_id).bind(e.points.0).bind(&note).bind(now).bind(&who.name)
            .execute(&mut **tx)
            .await?;
        }
        let entry = who
            .entry("emulation.self_score", "unit", Some(unit_id.to_string()))
            .unit(Some(unit_id))
            .before(&before)
            .after(&changed);
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(changed.len())
}

/// One reviewed score: the points the office accepts (the self-score or another) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    pub criterion_id: i64,
    pub points: Points,
    pub comment: String,
}

/// Stores the office's review of a unit's self-scores (each criterion must have a
/// self-score: the caller checks); every changed review is a history row.
pub async fn review(
    db: &Db,
    campaign_id: i64,
    unit_id: i64,
    entries: &[Review],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<usize> {
    let before = scores(db, campaign_id, &[unit_id]).await?;
    let changed: Vec<&Review> = entries
        .iter()
        .filter(|r| {
            !before.iter().any(|s| {
                s.criterion_id == r.criterion_id
                    && s.reviewed_points == Some(r.points.0)
                    && s.review_comment == r.comment
            })
        })
        .collect();
    if changed.is_empty() {
        return Ok(0);
    }
    in_transaction!(db, tx => {
        for r in &changed {
            sqlx::query(
                "UPDATE emulation_scores SET reviewed_points = $1, review_comment = $2, reviewed_at = $3, reviewed_by = $4
                 WHERE criterion_id = $5 AND unit_id = $6 AND campaign_id = $7",
            )
            .bind(r.points.0).bind(&r.comment).bind(now).bind(&who.name).bind(r.criterion_id).bind(unit_id).bind(campaign_id)
            .execute(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO emulation_score_history (campaign_id, criterion_id, unit_id, kind, points, note, at, by_name) VALUES ($1, $2, $3, 'review', $4, $5, $6, $7)",
            )
            .bind(campaign_id).bind(r.criterion_id).bind(unit_id).bind(r.points.0).bind(&r.comment).bind(now).bind(&who.name)
            .execute(&mut **tx)
            .await?;
        }
        let entry = who
            .entry("emulation.review", "unit", Some(unit_id.to_string()))
            .unit(Some(unit_id))
            .before(&before)
            .after(&changed);
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(changed.len())
}

/// One change of a score: "self" (the unit) or "review" (the office).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub criterion_id: i64,
    pub kind: String,
    pub points: i64,
    pub note: String,
    pub at: DateTime<Utc>,
    pub by_name: String,
}

/// Every change of a unit's scores in a campaign, oldest first.
pub async fn history(db: &Db, campaign_id: i64, unit_id: i64) -> Result<Vec<HistoryRow>> {
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT criterion_id, kind, points, note, at, by_name FROM emulation_score_history WHERE campaign_id = $1 AND unit_id = $2 ORDER BY id",
    )
    .bind(campaign_id)
    .bind(unit_id)
    .fetch_all(pool)
    .await)?)
}

/// An emulation cluster (cụm/khối thi đua) and its units' ids, in their order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cluster {
    pub id: i64,
    pub name: String,
    pub unit_ids: Vec<i64>,
}

pub async fn clusters(db: &Db, campaign_id: i64) -> Result<Vec<Cluster>> {
    let heads: Vec<(i64, String)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT id, name FROM emulation_clusters WHERE campaign_id = $1 ORDER BY position, id",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await)?;
    let members: Vec<(i64, i64)> = with_pool!(db, pool => sqlx::query_as(
        "SELECT cluster_id, unit_id FROM emulation_cluster_units WHERE campaign_id = $1 ORDER BY cluster_id, position",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await)?;
    Ok(heads
        .into_iter()
        .map(|(id, name)| Cluster {
            id,
            name,
            unit_ids: members.iter().filter(|(c, _)| *c == id).map(|(_, u)| *u).collect(),
        })
        .collect())
}

/// Replaces the campaign's clusters by `wanted` (name, unit ids; checked by the
/// caller: names present, each unit in at most one cluster).
pub async fn set_clusters(
    db: &Db,
    campaign_id: i64,
    wanted: &[(String, Vec<i64>)],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Vec<Cluster>> {
    let before = clusters(db, campaign_id).await?;
    in_transaction!(db, tx => {
        sqlx::query("DELETE FROM emulation_cluster_units WHERE campaign_id = $1").bind(campaign_id).execute(&mut **tx).await?;
        sqlx::query("DELETE FROM emulation_clusters WHERE campaign_id = $1").bind(campaign_id).execute(&mut **tx).await?;
        for (pos, (name, units)) in wanted.iter().enumerate() {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO emulation_clusters (campaign_id, position, name) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(campaign_id)
            .bind(pos as i64)
            .bind(name)
            .fetch_one(&mut **tx)
            .await?;
            for (upos, unit) in units.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO emulation_cluster_units (campaign_id, unit_id, cluster_id, position) VALUES ($1, $2, $3, $4)",
                )
                .bind(campaign_id)
                .bind(unit)
                .bind(id)
                .bind(upos as i64)
                .execute(&mut **tx)
                .await?;
            }
        }
        let after: Vec<(&String, &Vec<i64>)> = wanted.iter().map(|(n, u)| (n, u)).collect();
        let entry = who.entry("emulation.clusters", "campaign", Some(campaign_id.to_string())).before(&before).after(&after);
        crate::audit_in_tx!(tx, &entry, now);
    });
    clusters(db, campaign_id).await
}
