//! Commendations (khen thưởng): each campaign's award forms and the nominations of
//! collectives and individuals, with every step of a nomination kept as a history
//! row. Every write is one transaction with its audit entry; the caller has checked
//! the input and the actor.

use chrono::{DateTime, Utc};
use phongtrao_domain::emulation::commendation::{AwardForm, Decision, NomineeText, Status, Target};
use phongtrao_domain::emulation::Points;
use serde::Serialize;

use crate::audit::Who;
use crate::{in_transaction, with_pool, Db, Result};

/// An award form as stored, with its id (nominations refer to it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredForm {
    pub id: i64,
    #[serde(flatten)]
    pub form: AwardForm,
}

#[derive(sqlx::FromRow)]
struct FormRow {
    id: i64,
    name: String,
    target: String,
    max_rank: Option<i64>,
    min_points: Option<i64>,
    all_on_time: i64,
    quota: Option<i64>,
}

impl FormRow {
    fn into_stored(self) -> StoredForm {
        StoredForm {
            id: self.id,
            form: AwardForm {
                name: self.name,
                target: Target::parse(&self.target).unwrap_or(Target::Collective),
                max_rank: self.max_rank.and_then(|r| u32::try_from(r).ok()),
                min_points: self.min_points.map(Points),
                all_on_time: self.all_on_time != 0,
                quota: self.quota.and_then(|q| u32::try_from(q).ok()),
            },
        }
    }
}

/// The campaign's award forms, in their order.
pub async fn forms(db: &Db, campaign_id: i64) -> Result<Vec<StoredForm>> {
    let rows: Vec<FormRow> = with_pool!(db, pool => sqlx::query_as(
        "SELECT id, name, target, max_rank, min_points, all_on_time, quota FROM award_forms WHERE campaign_id = $1 ORDER BY position, id",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(FormRow::into_stored).collect())
}

/// What saving the forms did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormsSaved {
    Saved,
    /// Nothing stored: these forms (their names) would be removed but have nominations.
    NominatedRemoved(Vec<String>),
}

/// Replaces the campaign's forms by `rows` (checked by the caller): a row with the
/// id of one of the campaign's forms updates it, a row without creates one, the
/// forms left out are removed unless they have nominations.
pub async fn save_forms(
    db: &Db,
    campaign_id: i64,
    rows: &[(Option<i64>, AwardForm)],
    who: &Who,
    now: DateTime<Utc>,
) -> Result<FormsSaved> {
    let before = forms(db, campaign_id).await?;
    let outcome = in_transaction!(db, tx => {
        let existing: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM award_forms WHERE campaign_id = $1")
            .bind(campaign_id)
            .fetch_all(&mut **tx)
            .await?;
        let kept: Vec<i64> = rows.iter().filter_map(|(id, _)| *id).filter(|id| existing.iter().any(|(e, _)| e == id)).collect();
        let removed: Vec<&(i64, String)> = existing.iter().filter(|(id, _)| !kept.contains(id)).collect();
        let mut used = Vec::new();
        for (id, name) in &removed {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM nominations WHERE award_form_id = $1")
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
            if n > 0 {
                used.push(name.clone());
            }
        }
        if !used.is_empty() {
            FormsSaved::NominatedRemoved(used)
        } else {
            for (id, _) in &removed {
                sqlx::query("DELETE FROM award_forms WHERE id = $1").bind(id).execute(&mut **tx).await?;
            }
            for (pos, (id, f)) in rows.iter().enumerate() {
                let max_rank = f.max_rank.map(i64::from);
                let min_points = f.min_points.map(|p| p.0);
                let quota = f.quota.map(i64::from);
                match id.filter(|id| kept.contains(id)) {
                    Some(id) => {
                        sqlx::query(
                            "UPDATE award_forms SET position = $1, name = $2, target = $3, max_rank = $4, min_points = $5, all_on_time = $6, quota = $7 WHERE id = $8",
                        )
                        .bind(pos as i64).bind(f.name.trim()).bind(f.target.as_str()).bind(max_rank).bind(min_points)
                        .bind(i64::from(f.all_on_time)).bind(quota).bind(id)
                        .execute(&mut **tx)
                        .await?;
                    }
                    None => {
                        sqlx::query(
                            "INSERT INTO award_forms (campaign_id, position, name, target, max_rank, min_points, all_on_time, quota)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(campaign_id).bind(pos as i64).bind(f.name.trim()).bind(f.target.as_str()).bind(max_rank)
                        .bind(min_points).bind(i64::from(f.all_on_time)).bind(quota)
                        .execute(&mut **tx)
                        .await?;
                    }
                }
            }
            let after: Vec<&AwardForm> = rows.iter().map(|(_, f)| f).collect();
            let before: Vec<&AwardForm> = before.iter().map(|f| &f.form).collect();
            let entry = who.entry("commendation.forms", "campaign", Some(campaign_id.to_string())).before(&before).after(&after);
            crate::audit_in_tx!(tx, &entry, now);
            FormsSaved::Saved
        }
    });
    Ok(outcome)
}

/// A nomination as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct NominationRow {
    pub id: i64,
    pub campaign_id: i64,
    pub award_form_id: i64,
    /// "collective" or "individual".
    pub kind: String,
    /// The collective nominated, or the individual's unit.
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// The unit whose account proposed it (None: the office).
    pub proposer_unit_id: Option<i64>,
    /// The highest unit above the proposer that endorsed it and sent it up (None: none yet).
    pub endorsed_unit_id: Option<i64>,
    pub person_name: String,
    pub birth_year: Option<i64>,
    pub person_position: String,
    pub achievements: String,
    pub evidence: String,
    pub status: String,
    pub review_comment: String,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub created_by_user: Option<i64>,
    pub updated_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
}

impl NominationRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status)
    }
    pub fn text(&self) -> NomineeText {
        NomineeText {
            person_name: self.person_name.clone(),
            birth_year: self.birth_year.and_then(|y| i32::try_from(y).ok()),
            position: self.person_position.clone(),
            achievements: self.achievements.clone(),
            evidence: self.evidence.clone(),
        }
    }
}

const NOMINATION_SELECT: &str = "SELECT n.id, n.campaign_id, n.award_form_id, n.kind, n.unit_id, u.code AS unit_code, u.name AS unit_name,
    n.proposer_unit_id, n.endorsed_unit_id, n.person_name, n.birth_year, n.person_position, n.achievements, n.evidence, n.status, n.review_comment,
    n.created_at, n.created_by, n.created_by_user, n.updated_at, n.reviewed_at, n.reviewed_by
    FROM nominations n JOIN units u ON u.id = n.unit_id";

/// The campaign's nominations, by form then in the order they were made.
pub async fn nominations(db: &Db, campaign_id: i64) -> Result<Vec<NominationRow>> {
    let sql = format!("{NOMINATION_SELECT} WHERE n.campaign_id = $1 ORDER BY n.award_form_id, n.id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).fetch_all(pool).await)?)
}

pub async fn nomination(db: &Db, campaign_id: i64, id: i64) -> Result<Option<NominationRow>> {
    let sql = format!("{NOMINATION_SELECT} WHERE n.campaign_id = $1 AND n.id = $2");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(campaign_id).bind(id).fetch_optional(pool).await)?)
}

/// A new nomination (checked by the caller).
#[derive(Debug, Clone, Serialize)]
pub struct NewNomination {
    pub award_form_id: i64,
    pub target: Target,
    pub unit_id: i64,
    pub proposer_unit_id: Option<i64>,
    pub text: NomineeText,
}

/// Stores a nomination "chờ duyệt" with its history row and audit entry; returns its id.
/// `quota`: the form's quota, checked again inside the transaction (two units
/// nominating at once never exceed it); None when it is exceeded.
pub async fn nominate(
    db: &Db,
    campaign_id: i64,
    n: &NewNomination,
    quota: Option<u32>,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<Option<i64>> {
    let id = in_transaction!(db, tx => {
        let (used,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM nominations WHERE campaign_id = $1 AND award_form_id = $2 AND status <> 'rejected'",
        )
        .bind(campaign_id)
        .bind(n.award_form_id)
        .fetch_one(&mut **tx)
        .await?;
        if quota.is_some_and(|q| used >= i64::from(q)) {
            None
        } else {
            let t = &n.text;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO nominations (campaign_id, award_form_id, kind, unit_id, proposer_unit_id, person_name, birth_year, person_position,
                   achievements, evidence, status, created_at, created_by, created_by_user, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $12, $13, $11) RETURNING id",
            )
            .bind(campaign_id).bind(n.award_form_id).bind(n.target.as_str()).bind(n.unit_id).bind(n.proposer_unit_id)
            .bind(&t.person_name).bind(t.birth_year.map(i64::from)).bind(&t.position).bind(&t.achievements).bind(&t.evidence)
            .bind(now).bind(&who.name).bind(who.user_id)
            .fetch_one(&mut **tx)
            .await?;
            sqlx::query(
                "INSERT INTO nomination_history (nomination_id, campaign_id, action, comment, at, by_name) VALUES ($1, $2, 'submit', '', $3, $4)",
            )
            .bind(id).bind(campaign_id).bind(now).bind(&who.name)
            .execute(&mut **tx)
            .await?;
            let entry = who.entry("commendation.nominate", "nomination", Some(id.to_string())).unit(Some(n.unit_id)).after(n);
            crate::audit_in_tx!(tx, &entry, now);
            Some(id)
        }
    });
    Ok(id)
}

/// Changes a nomination the unit was asked to correct (or one still waiting) and
/// sends it for review again.
pub async fn resubmit(
    db: &Db,
    campaign_id: i64,
    id: i64,
    text: &NomineeText,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<()> {
    let before = nomination(db, campaign_id, id).await?;
    in_transaction!(db, tx => {
        sqlx::query(
            "UPDATE nominations SET person_name = $1, birth_year = $2, person_position = $3, achievements = $4, evidence = $5,
               status = 'pending', endorsed_unit_id = NULL, updated_at = $6 WHERE id = $7 AND campaign_id = $8",
        )
        .bind(&text.person_name).bind(text.birth_year.map(i64::from)).bind(&text.position).bind(&text.achievements)
        .bind(&text.evidence).bind(now).bind(id).bind(campaign_id)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO nomination_history (nomination_id, campaign_id, action, comment, at, by_name) VALUES ($1, $2, 'resubmit', '', $3, $4)",
        )
        .bind(id).bind(campaign_id).bind(now).bind(&who.name)
        .execute(&mut **tx)
        .await?;
        let entry = who
            .entry("commendation.nominate", "nomination", Some(id.to_string()))
            .unit(before.as_ref().map(|b| b.unit_id))
            .before(&before)
            .after(text);
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}

/// Records a review: the decision, its comment, a history row and the audit entry.
/// Only a nomination still waiting is changed (two reviewers at once: the second
/// changes nothing); returns whether it was.
pub async fn review(
    db: &Db,
    campaign_id: i64,
    id: i64,
    decision: Decision,
    comment: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<bool> {
    let before = nomination(db, campaign_id, id).await?;
    let changed = in_transaction!(db, tx => {
        let n = sqlx::query(
            "UPDATE nominations SET status = $1, review_comment = $2, reviewed_at = $3, reviewed_by = $4, updated_at = $3
             WHERE id = $5 AND campaign_id = $6 AND status = 'pending'",
        )
        .bind(decision.status().as_str()).bind(comment).bind(now).bind(&who.name).bind(id).bind(campaign_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n > 0 {
            sqlx::query(
                "INSERT INTO nomination_history (nomination_id, campaign_id, action, comment, at, by_name) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id).bind(campaign_id).bind(decision.as_str()).bind(comment).bind(now).bind(&who.name)
            .execute(&mut **tx)
            .await?;
            let entry = who
                .entry("commendation.review", "nomination", Some(id.to_string()))
                .unit(before.as_ref().map(|b| b.unit_id))
                .before(&before.as_ref().map(|b| &b.status))
                .after(&serde_json::json!({"decision": decision.as_str(), "comment": comment}));
            crate::audit_in_tx!(tx, &entry, now);
        }
        n > 0
    });
    Ok(changed)
}

/// A unit above the proposer accepts the nomination at its level and sends it up:
/// it stays waiting, now for a unit above `unit_id` or the office. Only a nomination
/// still waiting at the level it was seen at (`seen_endorsed`) is changed; returns
/// whether it was.
#[allow(clippy::too_many_arguments)]
pub async fn endorse(
    db: &Db,
    campaign_id: i64,
    id: i64,
    unit_id: i64,
    seen_endorsed: Option<i64>,
    comment: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<bool> {
    let changed = in_transaction!(db, tx => {
        let n = sqlx::query(
            "UPDATE nominations SET endorsed_unit_id = $1, review_comment = $2, updated_at = $3
             WHERE id = $4 AND campaign_id = $5 AND status = 'pending'
               AND ((endorsed_unit_id IS NULL AND $6 IS NULL) OR endorsed_unit_id = $6)",
        )
        .bind(unit_id).bind(comment).bind(now).bind(id).bind(campaign_id).bind(seen_endorsed)
        .execute(&mut **tx)
        .await?
        .rows_affected();
        if n > 0 {
            sqlx::query(
                "INSERT INTO nomination_history (nomination_id, campaign_id, action, comment, at, by_name) VALUES ($1, $2, 'endorse', $3, $4, $5)",
            )
            .bind(id).bind(campaign_id).bind(comment).bind(now).bind(&who.name)
            .execute(&mut **tx)
            .await?;
            let entry = who
                .entry("commendation.review", "nomination", Some(id.to_string()))
                .unit(Some(unit_id))
                .after(&serde_json::json!({"decision": "endorse", "comment": comment}));
            crate::audit_in_tx!(tx, &entry, now);
        }
        n > 0
    });
    Ok(changed)
}

/// One step of a nomination: submit, resubmit, accept, return, reject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct HistoryRow {
    pub nomination_id: i64,
    pub action: String,
    pub comment: String,
    pub at: DateTime<Utc>,
    pub by_name: String,
}

/// Every step of the campaign's nominations, oldest first.
pub async fn history(db: &Db, campaign_id: i64) -> Result<Vec<HistoryRow>> {
    Ok(with_pool!(db, pool => sqlx::query_as(
        "SELECT nomination_id, action, comment, at, by_name FROM nomination_history WHERE campaign_id = $1 ORDER BY id",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await)?)
}
