//! Reports (weekly reports and unit plans): the working draft, the submitted
//! figures, every version, and idempotent submission. Concurrent edits are detected
//! by a version number: a save against an old version is refused and kept in the
//! history, never silently applied.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::period::{timeliness, Timeliness};
use phongtrao_domain::plan::Plan;
use phongtrao_domain::progress::figures::KeyNames;
use phongtrao_domain::report::{CheckedReport, ReportInput, ReportKind, Status};
use serde::Serialize;

use crate::audit::Who;
use crate::{in_transaction, with_pool, Db, Result, StorageError};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub period_seq: i64,
    pub status: String,
    pub version: i64,
    pub due_at: DateTime<Utc>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub last_submitted_at: Option<DateTime<Utc>>,
    pub timeliness: Option<String>,
    pub draft_json: String,
    pub highlights: String,
    pub difficulties: String,
    pub proposals: String,
    pub review_comment: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

impl ReportRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    pub fn draft(&self) -> ReportInput {
        serde_json::from_str(&self.draft_json).unwrap_or_default()
    }

    /// The unit said "không phát sinh trong tuần" (nothing to report this week).
    /// The draft is serde_json's compact text of a ReportInput, where this key can
    /// only appear unescaped as the field itself: no need to parse it (lists of
    /// many reports ask this).
    pub fn nothing_to_report(&self) -> bool {
        self.draft_json.contains("\"nothing_to_report\":true")
    }
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ActivityRow {
    pub position: i64,
    pub title: String,
    pub held_on: NaiveDate,
    pub area: String,
    pub place: String,
    pub participants: Option<i64>,
    pub funds_vnd: Option<i64>,
    pub result: String,
    pub tag: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct VersionRow {
    pub id: i64,
    pub version: i64,
    pub status: String,
    pub action: String,
    pub snapshot_json: String,
    pub saved_at: DateTime<Utc>,
    pub saved_by: String,
}

/// Which report: a unit's weekly report of a period, or its unit plan (period 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportKey {
    pub campaign_id: i64,
    pub unit_id: i64,
    pub kind: ReportKind,
    pub period_seq: i64,
}

const COLUMNS: &str = "id, campaign_id, unit_id, kind, period_seq, status, version, due_at, first_submitted_at, last_submitted_at, timeliness, \
     draft_json, highlights, difficulties, proposals, review_comment, reviewed_at, reviewed_by, created_at, updated_at, updated_by";

pub async fn get(db: &Db, key: &ReportKey) -> Result<Option<ReportRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE campaign_id = $1 AND unit_id = $2 AND kind = $3 AND period_seq = $4"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql)
        .bind(key.campaign_id)
        .bind(key.unit_id)
        .bind(key.kind.as_str())
        .bind(key.period_seq)
        .fetch_optional(pool)
        .await)?)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<ReportRow>> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?)
}

/// The submitted figures of a report.
pub async fn values(db: &Db, report_id: i64) -> Result<BTreeMap<String, i64>> {
    let rows: Vec<(String, i64)> = with_pool!(db, pool => sqlx::query_as("SELECT indicator_key, value FROM report_values WHERE report_id = $1")
        .bind(report_id)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().collect())
}

pub async fn activities(db: &Db, report_id: i64) -> Result<Vec<ActivityRow>> {
    let sql = "SELECT position, title, held_on, area, place, participants, funds_vnd, result, tag FROM report_activities WHERE report_id = $1 ORDER BY position";
    Ok(with_pool!(db, pool => sqlx::query_as(sql).bind(report_id).fetch_all(pool).await)?)
}

pub async fn versions(db: &Db, report_id: i64) -> Result<Vec<VersionRow>> {
    let sql = "SELECT id, version, status, action, snapshot_json, saved_at, saved_by FROM report_versions WHERE report_id = $1 ORDER BY id";
    Ok(with_pool!(db, pool => sqlx::query_as(sql).bind(report_id).fetch_all(pool).await)?)
}

/// Reports of a campaign, optionally of some units and one period.
pub async fn list(
    db: &Db,
    campaign_id: i64,
    kind: ReportKind,
    unit_ids: Option<&[i64]>,
    period_seq: Option<i64>,
) -> Result<Vec<ReportRow>> {
    let mut sql = format!("SELECT {COLUMNS} FROM reports WHERE campaign_id = $1 AND kind = $2");
    if let Some(units) = unit_ids {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = units.iter().map(|u| u.to_string()).collect();
        sql.push_str(&format!(" AND unit_id IN ({})", list.join(",")));
    }
    if period_seq.is_some() {
        sql.push_str(" AND period_seq = $3");
    }
    sql.push_str(" ORDER BY period_seq, unit_id");
    Ok(with_pool!(db, pool => {
        let mut q = sqlx::query_as(&sql).bind(campaign_id).bind(kind.as_str());
        if let Some(seq) = period_seq {
            q = q.bind(seq);
        }
        q.fetch_all(pool).await
    })?)
}

/// Save a draft, or submit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveAction {
    Draft,
    Submit,
}

pub struct SaveRequest<'a> {
    pub key: ReportKey,
    pub due_at: DateTime<Utc>,
    /// The version the person started from (0: a new report).
    pub expected_version: i64,
    pub draft: &'a ReportInput,
    /// The checked content (required to submit).
    pub checked: Option<&'a CheckedReport>,
    pub action: SaveAction,
    pub who: &'a Who,
    pub now: DateTime<Utc>,
    pub idempotency_key: Option<&'a str>,
    /// The campaign's plan, for the consolidated figures.
    pub plan: &'a Plan,
}

/// The outcome of a save, as the API returns it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Saved {
    pub report_id: i64,
    pub version: i64,
    pub status: String,
    pub timeliness: Option<String>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// True when this answer replays an earlier request with the same idempotency key.
    #[serde(default)]
    pub replayed: bool,
}

#[derive(Debug)]
pub enum SaveError {
    /// Someone saved first; `current` is what is stored now.
    Conflict {
        current: Box<ReportRow>,
    },
    /// Submitted or accepted reports change only through review.
    NotEditable(Status),
    /// The save names a version of a report that does not exist.
    Missing,
    Storage(StorageError),
}

impl From<StorageError> for SaveError {
    fn from(e: StorageError) -> Self {
        SaveError::Storage(e)
    }
}

impl From<sqlx::Error> for SaveError {
    fn from(e: sqlx::Error) -> Self {
        SaveError::Storage(e.into())
    }
}

#[derive(Serialize)]
struct Snapshot<'a> {
    draft: &'a ReportInput,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted: Option<&'a CheckedReport>,
}

fn timeliness_str(t: Timeliness) -> &'static str {
    match t {
        Timeliness::OnTime => "on_time",
        Timeliness::Late => "late",
    }
}

/// Keeps a refused (conflicting) save in the history of the report as it stands.
macro_rules! record_refused {
    ($tx:expr, $current:expr, $snapshot:expr, $req:expr, $deferred:expr) => {
        match $deferred {
            Some(deferred) => deferred.versions.push(VersionInsert {
                report_id: $current.id,
                version: $current.version,
                status: $current.status.clone(),
                action: "conflict_refused",
                snapshot: ($snapshot).to_string(),
                at: $req.now,
                by: $req.who.name.clone(),
            }),
            None => {
                sqlx::query(
                    "INSERT INTO report_versions (report_id, version, status, action, snapshot_json, saved_at, saved_by)
                     VALUES ($1, $2, $3, 'conflict_refused', $4, $5, $6)",
                )
                .bind($current.id)
                .bind($current.version)
                .bind(&$current.status)
                .bind($snapshot)
                .bind($req.now)
                .bind(&$req.who.name)
                .execute(&mut **$tx)
                .await?;
            }
        }
    };
}

/// A version row written later, with the others of its batch.
pub(crate) struct VersionInsert {
    report_id: i64,
    version: i64,
    status: String,
    action: &'static str,
    snapshot: String,
    at: DateTime<Utc>,
    by: String,
}

/// Rows a grouped commit writes once for all its saves (multi-row statements).
#[derive(Default)]
pub(crate) struct Deferred {
    versions: Vec<VersionInsert>,
    audit: Vec<(crate::audit::AuditEntry, DateTime<Utc>)>,
    idempotency: Vec<(String, String, i64, String, DateTime<Utc>)>,
}

/// What a grouped commit reads once for all its saves: the reports as they are and
/// each unit with its ancestors.
pub(crate) struct Prefetch {
    existing: HashMap<i64, ReportRow>,
    chains: HashMap<i64, Vec<crate::rollups::StoredUnit>>,
}

/// What a save computes before its transaction.
pub struct PreparedSave {
    draft_json: String,
    snapshot: String,
    select: String,
}

impl PreparedSave {
    pub fn new(req: &SaveRequest<'_>) -> std::result::Result<Self, SaveError> {
        if req.action == SaveAction::Submit && req.checked.is_none() {
            return Err(SaveError::Storage(StorageError::Invalid("submission without checked content".into())));
        }
        let draft_json = serde_json::to_string(req.draft).map_err(|e| StorageError::Invalid(e.to_string()))?;
        let snapshot = serde_json::to_string(&Snapshot { draft: req.draft, submitted: req.checked })
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        let select = format!(
            "SELECT {COLUMNS} FROM reports WHERE campaign_id = $1 AND unit_id = $2 AND kind = $3 AND period_seq = $4"
        );
        Ok(PreparedSave { draft_json, snapshot, select })
    }
}

/// The body of a save inside an open transaction (`$tx`: `&mut Transaction` of either
/// backend). Evaluates to the outcome and the difference to add to the ancestors'
/// figures. A conflict or "not editable" leaves at most the refused attempt's history
/// row (the transaction may commit); a storage error means the transaction must roll
/// back.
macro_rules! save_in_tx {
    ($tx:ident, $req:expr, $prepared:expr, $prefetch:expr, $deferred:expr) => {{
        let tx = &mut *$tx;
        let prefetch: Option<&Prefetch> = $prefetch;
        let mut deferred: Option<&mut Deferred> = $deferred;
        let req: &SaveRequest<'_> = $req;
        let PreparedSave { draft_json, snapshot, select } = $prepared;
        let k = req.key;
        let submit = req.action == SaveAction::Submit;
        let outcome: std::result::Result<(Saved, Option<crate::rollups::Pending>), SaveError> = async {

        let existing: Option<ReportRow> = match prefetch {
            Some(p) => p.existing.get(&k.unit_id).cloned(),
            None => sqlx::query_as(&select).bind(k.campaign_id).bind(k.unit_id).bind(k.kind.as_str()).bind(k.period_seq).fetch_optional(&mut **tx).await?,
        };
        if let Some(row) = &existing {
            if !row.status().editable() {
                return Err(SaveError::NotEditable(row.status()));
            }
        } else if req.expected_version != 0 {
            // A version of a report that does not exist: refused, nothing stored.
            return Err(SaveError::Missing);
        }
        // The person's own later save of exactly this content (an autosave that
        // landed while this request was on its way) is not a conflict: nothing of
        // anyone's would be lost, so the save goes on from the stored version.
        let own_echo = existing.as_ref().filter(|row| {
            row.version > req.expected_version && row.updated_by == req.who.name && row.draft_json == *draft_json
        });
        let expected_version = own_echo.map(|row| row.version).unwrap_or(req.expected_version);
        let stale = existing.as_ref().filter(|row| row.version != expected_version);
        match stale {
            Some(current) => {
                // Keep the refused attempt in the history, then refuse.
                record_refused!(tx, current, &snapshot, req, deferred.as_deref_mut());
                Err(SaveError::Conflict { current: Box::new(current.clone()) })
            }
            None => {
                // What the unit's weekly reports contributed before, to move the
                // difference up the tree.
                let change = if submit && k.kind == ReportKind::Weekly {
                    let chain = match prefetch {
                        Some(p) => p.chains.get(&k.unit_id).cloned().unwrap_or_default(),
                        None => crate::rollups::RollupTx::unit_and_ancestors(&mut **tx, k.unit_id).await?,
                    };
                    crate::rollups::ReportChange::for_save(&mut **tx, req.plan, k.campaign_id, chain, k.period_seq, existing.as_ref().and_then(|r| r.timeliness.as_deref())).await?
                } else {
                    None
                };
                let first_submitted_at = match (&existing, submit) {
                    (Some(row), _) if row.first_submitted_at.is_some() => row.first_submitted_at,
                    (_, true) => Some(req.now),
                    _ => None,
                };
                let timeliness = first_submitted_at.map(|at| timeliness_str(timeliness(at, req.due_at)).to_string());
                let status = if submit {
                    Status::Submitted
                } else {
                    existing.as_ref().map(|r| r.status()).unwrap_or(Status::Draft)
                };
                let last_submitted_at = if submit { Some(req.now) } else { existing.as_ref().and_then(|r| r.last_submitted_at) };
                let new_version = expected_version + 1;
                // The submitted values as one JSON object (what a rebuild reads).
                let submitted_values = match (submit, req.checked) {
                    (true, Some(checked)) => Some(serde_json::to_string(&checked.values).map_err(|e| StorageError::Invalid(e.to_string()))?),
                    _ => None,
                };
                let report_id = match &existing {
                    None => {
                        let inserted: Option<(i64,)> = sqlx::query_as(
                            "INSERT INTO reports (campaign_id, unit_id, kind, period_seq, status, version, due_at, first_submitted_at, last_submitted_at, timeliness, draft_json, created_at, updated_at, updated_by, highlights, difficulties, proposals, submitted_values)
                             VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16)
                             ON CONFLICT (campaign_id, unit_id, kind, period_seq) DO NOTHING RETURNING id",
                        )
                        .bind(k.campaign_id)
                        .bind(k.unit_id)
                        .bind(k.kind.as_str())
                        .bind(k.period_seq)
                        .bind(status.as_str())
                        .bind(req.due_at)
                        .bind(first_submitted_at)
                        .bind(last_submitted_at)
                        .bind(&timeliness)
                        .bind(&draft_json)
                        .bind(req.now)
                        .bind(&req.who.name)
                        .bind(req.checked.filter(|_| submit).map(|c| c.highlights.as_str()).unwrap_or(""))
                        .bind(req.checked.filter(|_| submit).map(|c| c.difficulties.as_str()).unwrap_or(""))
                        .bind(req.checked.filter(|_| submit).map(|c| c.proposals.as_str()).unwrap_or(""))
                        .bind(&submitted_values)
                        .fetch_optional(&mut **tx)
                        .await?;
                        inserted.map(|(id,)| id)
                    }
                    Some(row) => {
                        let n = sqlx::query(
                            "UPDATE reports SET status = $1, version = $2, first_submitted_at = $3, last_submitted_at = $4, timeliness = $5, draft_json = $6, updated_at = $7, updated_by = $8,
                                 submitted_values = COALESCE($11, submitted_values), highlights = COALESCE($12, highlights),
                                 difficulties = COALESCE($13, difficulties), proposals = COALESCE($14, proposals)
                             WHERE id = $9 AND version = $10",
                        )
                        .bind(status.as_str())
                        .bind(new_version)
                        .bind(first_submitted_at)
                        .bind(last_submitted_at)
                        .bind(&timeliness)
                        .bind(&draft_json)
                        .bind(req.now)
                        .bind(&req.who.name)
                        .bind(row.id)
                        .bind(expected_version)
                        .bind(&submitted_values)
                        .bind(req.checked.filter(|_| submit).map(|c| c.highlights.as_str()))
                        .bind(req.checked.filter(|_| submit).map(|c| c.difficulties.as_str()))
                        .bind(req.checked.filter(|_| submit).map(|c| c.proposals.as_str()))
                        .execute(&mut **tx)
                        .await?
                        .rows_affected();
                        (n == 1).then_some(row.id)
                    }
                };
                match report_id {
                    None => {
                        // Another save won the race between our read and our write.
                        let current: ReportRow = sqlx::query_as(&select).bind(k.campaign_id).bind(k.unit_id).bind(k.kind.as_str()).bind(k.period_seq).fetch_one(&mut **tx).await?;
                        record_refused!(tx, current, &snapshot, req, deferred.as_deref_mut());
                        Err(SaveError::Conflict { current: Box::new(current) })
                    }
                    Some(report_id) => {
                        if let (true, Some(checked)) = (submit, req.checked) {
                            if existing.is_some() {
                                sqlx::query("DELETE FROM report_values WHERE report_id = $1").bind(report_id).execute(&mut **tx).await?;
                                sqlx::query("DELETE FROM report_activities WHERE report_id = $1").bind(report_id).execute(&mut **tx).await?;
                            }
                            // One statement for all the values, one for all the activities.
                            let values: Vec<(&String, &i64)> = checked.values.iter().collect();
                            for chunk in values.chunks(200) {
                                let mut sql = String::from("INSERT INTO report_values (report_id, indicator_key, value) VALUES ");
                                for i in 0..chunk.len() {
                                    if i > 0 {
                                        sql.push(',');
                                    }
                                    sql.push_str(&format!("($1, ${}, ${})", 2 * i + 2, 2 * i + 3));
                                }
                                let mut q = sqlx::query(&sql).bind(report_id);
                                for (key, value) in chunk {
                                    q = q.bind(*key).bind(**value);
                                }
                                q.execute(&mut **tx).await?;
                            }
                            let activities: Vec<(usize, &phongtrao_domain::report::CheckedActivity)> = checked.activities.iter().enumerate().collect();
                            for chunk in activities.chunks(50) {
                                let mut sql = String::from("INSERT INTO report_activities (report_id, position, title, held_on, area, place, participants, funds_vnd, result, tag) VALUES ");
                                for i in 0..chunk.len() {
                                    if i > 0 {
                                        sql.push(',');
                                    }
                                    let b = 9 * i;
                                    sql.push_str(&format!("($1, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})", b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9, b + 10));
                                }
                                let mut q = sqlx::query(&sql).bind(report_id);
                                for (position, a) in chunk {
                                    q = q.bind(*position as i64).bind(&a.title).bind(a.held_on).bind(&a.area).bind(&a.place).bind(a.participants).bind(a.funds_vnd).bind(&a.result).bind(&a.tag);
                                }
                                q.execute(&mut **tx).await?;
                            }
                        }
                        let version = if existing.is_some() { new_version } else { 1 };
                        let action = if submit { "submit" } else { "save_draft" };
                        match deferred.as_deref_mut() {
                            Some(d) => d.versions.push(VersionInsert { report_id, version, status: status.as_str().to_string(), action, snapshot: snapshot.clone(), at: req.now, by: req.who.name.clone() }),
                            None => {
                                sqlx::query("INSERT INTO report_versions (report_id, version, status, action, snapshot_json, saved_at, saved_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                                    .bind(report_id)
                                    .bind(version)
                                    .bind(status.as_str())
                                    .bind(action)
                                    .bind(&snapshot)
                                    .bind(req.now)
                                    .bind(&req.who.name)
                                    .execute(&mut **tx)
                                    .await?;
                            }
                        }
                        let saved = Saved { report_id, version, status: status.as_str().to_string(), timeliness: timeliness.clone(), first_submitted_at, replayed: false };
                        let entry = req
                            .who
                            .entry(&format!("report.{action}"), "report", Some(format!("{}/{}/{}", k.kind.as_str(), k.unit_id, k.period_seq)))
                            .unit(Some(k.unit_id))
                            .before(&existing.as_ref().map(|r| serde_json::json!({"status": r.status, "version": r.version})))
                            .after(&serde_json::json!({"status": saved.status, "version": saved.version, "timeliness": saved.timeliness, "values": req.checked.map(|c| &c.values)}));
                        match deferred.as_deref_mut() {
                            Some(d) => d.audit.push((entry, req.now)),
                            None => crate::audit_in_tx!(tx, &entry, req.now),
                        }
                        if let Some(key) = req.idempotency_key {
                            let response = serde_json::to_string(&saved).map_err(|e| StorageError::Invalid(e.to_string()))?;
                            if let Some(d) = deferred.as_deref_mut() {
                                d.idempotency.push((key.to_string(), req.who.name.clone(), report_id, response, req.now));
                            } else {
                            sqlx::query("INSERT INTO idempotency_keys (key, user_name, report_id, response_json, created_at) VALUES ($1, $2, $3, $4, $5)")
                                .bind(key)
                                .bind(&req.who.name)
                                .bind(report_id)
                                .bind(&response)
                                .bind(req.now)
                                .execute(&mut **tx)
                                .await?;
                            }
                        }
                        let pending = change.map(|change| {
                            let on_time = timeliness.as_deref().map(|t| t == "on_time");
                            change.after(req.plan, k.period_seq, req.checked.map(|c| &c.values), on_time)
                        });
                        Ok((saved, pending))
                    }
                }
            }
        }

        }
        .await;
        outcome
    }};
}

/// Saves or submits, all in one transaction with its version row, its audit entry
/// and the consolidated figures of the unit's ancestors.
pub async fn save(db: &Db, req: &SaveRequest<'_>) -> std::result::Result<Saved, SaveError> {
    if let Some(key) = req.idempotency_key {
        if let Some(previous) = replay(db, key, &req.who.name).await? {
            return Ok(previous);
        }
    }
    let prepared = PreparedSave::new(req)?;
    let names = KeyNames::new(req.plan);
    let outcome: std::result::Result<Saved, SaveError> = async {
        in_transaction!(db, tx => {
            match save_in_tx!(tx, req, &prepared, None, None) {
                Ok((saved, pending)) => {
                    if let Some(pending) = pending {
                        pending.apply(&mut **tx, &names).await?;
                    }
                    Ok(saved)
                }
                Err(SaveError::Storage(e)) => return Err(SaveError::Storage(e)),
                Err(other) => Err(other),
            }
        })
    }
    .await;
    match outcome {
        // A concurrent retry with the same key won the race: answer as it did.
        Err(SaveError::Storage(StorageError::Sqlx(e))) if req.idempotency_key.is_some() && is_unique_violation(&e) => {
            match replay(db, req.idempotency_key.unwrap_or_default(), &req.who.name).await? {
                Some(previous) => Ok(previous),
                None => Err(SaveError::Storage(StorageError::Sqlx(e))),
            }
        }
        other => other,
    }
}

/// Several saves: one grouped commit on SQLite, one transaction each on PostgreSQL.
pub async fn save_many(
    db: &Db,
    requests: &[SaveRequest<'_>],
) -> std::result::Result<Vec<std::result::Result<Saved, SaveError>>, StorageError> {
    match db {
        Db::Sqlite(pool) => Ok(save_batch(pool, requests).await?),
        Db::Postgres(_) => {
            let mut out = Vec::with_capacity(requests.len());
            for request in requests {
                out.push(save(db, request).await);
            }
            Ok(out)
        }
    }
}

/// Runs several saves in one SQLite transaction and commits once (see
/// `group_commit`). The common case reads what the saves need in three statements,
/// writes each report with two, and the history, audit and idempotency rows of all
/// of them in a few multi-row statements. Should anything fail, or should two saves
/// touch one report, the batch is redone one savepoint per save, so that one save's
/// failure never touches another's. An Err means nothing was committed.
pub async fn save_batch(
    pool: &sqlx::SqlitePool,
    requests: &[SaveRequest<'_>],
) -> std::result::Result<Vec<std::result::Result<Saved, SaveError>>, sqlx::Error> {
    match save_batch_fast(pool, requests).await {
        Ok(Some(results)) => Ok(results),
        Ok(None) => save_batch_slow(pool, requests).await,
        Err(e) => {
            tracing::debug!(error = %e, "grouped commit redone save by save");
            save_batch_slow(pool, requests).await
        }
    }
}

async fn save_batch_fast(
    pool: &sqlx::SqlitePool,
    requests: &[SaveRequest<'_>],
) -> std::result::Result<Option<Vec<std::result::Result<Saved, SaveError>>>, sqlx::Error> {
    let Some(first) = requests.first() else {
        return Ok(Some(Vec::new()));
    };
    let (campaign_id, kind) = (first.key.campaign_id, first.key.kind);
    // One save per unit (the existing rows are keyed by unit), all of one campaign and kind.
    let mut wanted: HashMap<i64, i64> = HashMap::new();
    for r in requests {
        if r.key.campaign_id != campaign_id
            || r.key.kind != kind
            || wanted.insert(r.key.unit_id, r.key.period_seq).is_some()
        {
            return Ok(None);
        }
    }
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut units: Vec<i64> = wanted.keys().copied().collect();
    units.sort_unstable();
    let mut periods: Vec<i64> = wanted.values().copied().collect();
    periods.sort_unstable();
    periods.dedup();
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE campaign_id = $1 AND kind = $2 AND unit_id IN ({}) AND period_seq IN ({})",
        crate::id_list(&units),
        crate::id_list(&periods)
    );
    let rows: Vec<ReportRow> = sqlx::query_as(&sql).bind(campaign_id).bind(kind.as_str()).fetch_all(&mut *tx).await?;
    let existing: HashMap<i64, ReportRow> =
        rows.into_iter().filter(|r| wanted.get(&r.unit_id) == Some(&r.period_seq)).map(|r| (r.unit_id, r)).collect();
    let chains = crate::rollups::chains(&mut tx, &units).await?;
    let prefetch = Prefetch { existing, chains };
    // Requests repeated with a key already answered get the same answer.
    let keys: Vec<&str> = requests.iter().filter_map(|r| r.idempotency_key).collect();
    let mut answered: HashMap<String, (String, String)> = HashMap::new();
    if !keys.is_empty() {
        let marks: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql =
            format!("SELECT key, response_json, user_name FROM idempotency_keys WHERE key IN ({})", marks.join(","));
        let mut q = sqlx::query_as::<_, (String, String, String)>(&sql);
        for k in &keys {
            q = q.bind(*k);
        }
        answered = q.fetch_all(&mut *tx).await?.into_iter().map(|(k, j, u)| (k, (j, u))).collect();
    }
    let mut deferred = Deferred::default();
    let mut merged = crate::rollups::Merged::default();
    let mut names: HashMap<i64, KeyNames> = HashMap::new();
    let mut results = Vec::with_capacity(requests.len());
    for request in requests {
        if let Some((json, owner)) = request.idempotency_key.and_then(|k| answered.get(k)) {
            results.push(answer_again(json, owner, &request.who.name).map_err(SaveError::Storage));
            continue;
        }
        let prepared = match PreparedSave::new(request) {
            Ok(p) => p,
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        let tx_ref = &mut tx;
        match save_in_tx!(tx_ref, request, &prepared, Some(&prefetch), Some(&mut deferred)) {
            Ok((saved, pending)) => {
                if let Some(pending) = pending {
                    names.entry(pending.campaign_id).or_insert_with(|| KeyNames::new(request.plan));
                    merged.push(pending);
                }
                results.push(Ok(saved));
            }
            // Partial writes of this save may be in the transaction: redo save by save.
            Err(SaveError::Storage(_)) => return Ok(None),
            Err(other) => results.push(Err(other)),
        }
    }
    flush(&mut tx, &deferred).await?;
    merged.apply_all(&mut *tx, &names).await?;
    tx.commit().await?;
    Ok(Some(results))
}

/// Writes the deferred rows of a batch.
async fn flush(tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>, d: &Deferred) -> std::result::Result<(), sqlx::Error> {
    fn placeholders(rows: usize, cols: usize) -> String {
        (0..rows)
            .map(|r| format!("({})", (1..=cols).map(|c| format!("${}", r * cols + c)).collect::<Vec<_>>().join(", ")))
            .collect::<Vec<_>>()
            .join(",")
    }
    for chunk in d.versions.chunks(100) {
        let sql = format!(
            "INSERT INTO report_versions (report_id, version, status, action, snapshot_json, saved_at, saved_by) VALUES {}",
            placeholders(chunk.len(), 7)
        );
        let mut q = sqlx::query(&sql);
        for v in chunk {
            q = q
                .bind(v.report_id)
                .bind(v.version)
                .bind(&v.status)
                .bind(v.action)
                .bind(&v.snapshot)
                .bind(v.at)
                .bind(&v.by);
        }
        q.execute(&mut **tx).await?;
    }
    for chunk in d.audit.chunks(80) {
        let sql = format!(
            "INSERT INTO audit_log (at, actor_user_id, actor_name, action, entity, entity_key, unit_id, before_json, after_json, client) VALUES {}",
            placeholders(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for (e, at) in chunk {
            q = q
                .bind(*at)
                .bind(e.actor_user_id)
                .bind(&e.actor_name)
                .bind(&e.action)
                .bind(&e.entity)
                .bind(&e.entity_key)
                .bind(e.unit_id)
                .bind(&e.before_json)
                .bind(&e.after_json)
                .bind(&e.client);
        }
        q.execute(&mut **tx).await?;
    }
    for chunk in d.idempotency.chunks(150) {
        let sql = format!(
            "INSERT INTO idempotency_keys (key, user_name, report_id, response_json, created_at) VALUES {}",
            placeholders(chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for (key, user, report, response, at) in chunk {
            q = q.bind(key).bind(user).bind(*report).bind(response).bind(*at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Runs several saves in one SQLite transaction, each in a savepoint, merges their
/// consolidated figures and commits once (see `group_commit`). An Err means nothing
/// was committed.
async fn save_batch_slow(
    pool: &sqlx::SqlitePool,
    requests: &[SaveRequest<'_>],
) -> std::result::Result<Vec<std::result::Result<Saved, SaveError>>, sqlx::Error> {
    use sqlx::Acquire;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut merged = crate::rollups::Merged::default();
    let mut names: HashMap<i64, KeyNames> = HashMap::new();
    let mut results = Vec::with_capacity(requests.len());
    for request in requests {
        let prepared = match PreparedSave::new(request) {
            Ok(p) => p,
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        if let Some(key) = request.idempotency_key {
            let row: Option<(String, String)> =
                sqlx::query_as("SELECT response_json, user_name FROM idempotency_keys WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&mut *tx)
                    .await?;
            if let Some((json, owner)) = row {
                results.push(answer_again(&json, &owner, &request.who.name).map_err(SaveError::Storage));
                continue;
            }
        }
        let mut savepoint = (&mut tx).begin().await?;
        let outcome = {
            let sp = &mut savepoint;
            save_in_tx!(sp, request, &prepared, None, None)
        };
        match outcome {
            Ok((saved, pending)) => {
                savepoint.commit().await?;
                if let Some(pending) = pending {
                    names.entry(pending.campaign_id).or_insert_with(|| KeyNames::new(request.plan));
                    merged.push(pending);
                }
                results.push(Ok(saved));
            }
            Err(SaveError::Storage(e)) => {
                savepoint.rollback().await?;
                results.push(Err(SaveError::Storage(e)));
            }
            Err(other) => {
                // A conflict keeps its refused attempt in the history.
                savepoint.commit().await?;
                results.push(Err(other));
            }
        }
    }
    merged.apply_all(&mut *tx, &names).await?;
    tx.commit().await?;
    Ok(results)
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error().is_some_and(|d| d.is_unique_violation())
}

pub(crate) async fn replay(db: &Db, key: &str, user_name: &str) -> Result<Option<Saved>> {
    let row: Option<(String, String)> = with_pool!(db, pool => sqlx::query_as("SELECT response_json, user_name FROM idempotency_keys WHERE key = $1")
        .bind(key)
        .fetch_optional(pool)
        .await)?;
    row.map(|(json, owner)| answer_again(&json, &owner, user_name)).transpose()
}

/// The answer to a request repeated with the same idempotency key.
fn answer_again(json: &str, owner: &str, user_name: &str) -> Result<Saved> {
    if owner != user_name {
        return Err(StorageError::Invalid(
            "khóa chống gửi lặp đã được người khác dùng / idempotency key used by someone else".into(),
        ));
    }
    let mut saved: Saved = serde_json::from_str(json).map_err(|e| StorageError::Invalid(e.to_string()))?;
    saved.replayed = true;
    Ok(saved)
}

/// Accepts or returns a submitted report (with a comment when returning).
#[allow(clippy::too_many_arguments)]
pub async fn review(
    db: &Db,
    plan: &Plan,
    report_id: i64,
    expected_version: i64,
    accept: bool,
    comment: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> std::result::Result<Saved, SaveError> {
    let select = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    in_transaction!(db, tx => {
        let row: Option<ReportRow> = sqlx::query_as(&select).bind(report_id).fetch_optional(&mut **tx).await?;
        let Some(row) = row else {
            return Err(SaveError::Storage(StorageError::NotFound(format!("báo cáo / report {report_id}"))));
        };
        if row.status() != Status::Submitted {
            return Err(SaveError::NotEditable(row.status()));
        }
        if row.version != expected_version {
            return Err(SaveError::Conflict { current: Box::new(row) });
        }
        let status = if accept { Status::Accepted } else { Status::Returned };
        // A returned report stops counting.
        let change = if !accept && row.kind == ReportKind::Weekly.as_str() {
            crate::rollups::ReportChange::before(&mut **tx, plan, row.campaign_id, row.unit_id).await?
        } else {
            None
        };
        sqlx::query("UPDATE reports SET status = $1, version = $2, review_comment = $3, reviewed_at = $4, reviewed_by = $5, updated_at = $4, updated_by = $5 WHERE id = $6 AND version = $7")
            .bind(status.as_str())
            .bind(row.version + 1)
            .bind(comment)
            .bind(now)
            .bind(&who.name)
            .bind(report_id)
            .bind(expected_version)
            .execute(&mut **tx)
            .await?;
        let action = if accept { "accept" } else { "return" };
        let snapshot = serde_json::json!({"comment": comment}).to_string();
        sqlx::query("INSERT INTO report_versions (report_id, version, status, action, snapshot_json, saved_at, saved_by) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(report_id)
            .bind(row.version + 1)
            .bind(status.as_str())
            .bind(action)
            .bind(&snapshot)
            .bind(now)
            .bind(&who.name)
            .execute(&mut **tx)
            .await?;
        let entry = who
            .entry(&format!("report.{action}"), "report", Some(report_id.to_string()))
            .unit(Some(row.unit_id))
            .before(&serde_json::json!({"status": row.status, "version": row.version}))
            .after(&serde_json::json!({"status": status.as_str(), "version": row.version + 1, "comment": comment}));
        crate::audit_in_tx!(tx, &entry, now);
        if let Some(change) = change {
            let on_time = row.timeliness.as_deref().map(|t| t == "on_time");
            change.after(plan, row.period_seq, None, on_time).apply(&mut **tx, &KeyNames::new(plan)).await?;
        }
        Ok(Saved { report_id, version: row.version + 1, status: status.as_str().into(), timeliness: row.timeliness.clone(), first_submitted_at: row.first_submitted_at, replayed: false })
    })
}

/// What a report form needs besides the report itself, read at once: the unit's
/// base figures, its totals of the other weekly periods, the consolidated figures of
/// the units below it (which indicators expect how many of them) and the period's
/// lock.
#[derive(Debug, Clone, Default)]
pub struct FormFacts {
    pub base: BTreeMap<phongtrao_domain::unit::BaseFigure, i64>,
    pub totals_before: HashMap<String, i64>,
    /// Stored consolidated figures of period 0 (name, value).
    pub below: Vec<(String, i64)>,
    /// (locked by hand, reopened, due) of the weekly period.
    pub lock: Option<(bool, bool, DateTime<Utc>)>,
}

pub async fn form_facts(db: &Db, campaign_id: i64, unit_id: i64, seq: i64) -> Result<FormFacts> {
    let sql = "SELECT 'base', figure, CAST(value AS BIGINT), CAST(NULL AS TIMESTAMPTZ) FROM unit_base_figures WHERE unit_id = $2
               UNION ALL
               SELECT 'total', v.indicator_key, CAST(SUM(v.value) AS BIGINT), CAST(NULL AS TIMESTAMPTZ) FROM report_values v JOIN reports r ON r.id = v.report_id
                 WHERE r.campaign_id = $1 AND r.unit_id = $2 AND r.kind = 'weekly' AND r.period_seq <> $3 AND r.status IN ('submitted', 'accepted')
                 GROUP BY v.indicator_key
               UNION ALL
               SELECT 'below', key, CAST(value AS BIGINT), CAST(NULL AS TIMESTAMPTZ) FROM rollups WHERE campaign_id = $1 AND unit_id = $2 AND period_seq = 0
               UNION ALL
               SELECT 'lock', CASE WHEN locked_at IS NULL THEN '' ELSE 'locked' END, CAST(CASE WHEN reopened THEN 1 ELSE 0 END AS BIGINT), due_at
                 FROM periods WHERE campaign_id = $1 AND seq = $3";
    let rows: Vec<(String, String, i64, Option<DateTime<Utc>>)> =
        with_pool!(db, pool => sqlx::query_as(sql).bind(campaign_id).bind(unit_id).bind(seq).fetch_all(pool).await)?;
    let mut facts = FormFacts::default();
    for (tag, key, value, due) in rows {
        match tag.as_str() {
            "base" => {
                if let Some(f) = phongtrao_domain::unit::BaseFigure::parse(&key) {
                    facts.base.insert(f, value);
                }
            }
            "total" => {
                facts.totals_before.insert(key, value);
            }
            "below" => facts.below.push((key, value)),
            _ => facts.lock = due.map(|d| (key == "locked", value == 1, d)),
        }
    }
    Ok(facts)
}

/// Whether a period is locked at `now`, from its (locked by hand, reopened, due).
pub fn locked_at(lock: Option<(bool, bool, DateTime<Utc>)>, lock_after_days: Option<u32>, now: DateTime<Utc>) -> bool {
    match lock {
        Some((true, _, _)) => true,
        Some((false, false, due)) => {
            lock_after_days.is_some_and(|days| now > due + chrono::Duration::days(i64::from(days)))
        }
        _ => false,
    }
}

/// Locks (or reopens) a period by hand.
pub async fn set_period_lock(
    db: &Db,
    campaign_id: i64,
    seq: i64,
    lock: bool,
    who: &Who,
    now: DateTime<Utc>,
) -> Result<()> {
    in_transaction!(db, tx => {
        let n = sqlx::query("UPDATE periods SET locked_at = $1, reopened = $2 WHERE campaign_id = $3 AND seq = $4")
            .bind(lock.then_some(now))
            .bind(!lock)
            .bind(campaign_id)
            .bind(seq)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StorageError::NotFound(format!("kỳ báo cáo / period {seq}")));
        }
        let entry = who.entry(if lock { "period.lock" } else { "period.reopen" }, "period", Some(seq.to_string()));
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}
