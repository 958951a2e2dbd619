//! Reports (weekly reports and unit plans): the working draft, the submitted
//! figures, every version, and idempotent submission. Concurrent edits are detected
//! by a version number: a save against an old version is refused and kept in the
//! history, never silently applied.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::period::Timeliness;
use phongtrao_domain::plan::Plan;
use phongtrao_domain::progress::figures::KeyNames;
use phongtrao_domain::report::deadline::{self, PressedRule};
use phongtrao_domain::report::transition::{self, Current, SaveIntent};
use phongtrao_domain::report::{
    CheckedReport, Decision, LockState, Operation, ReportInput, ReportKind, ReportRuleError, SaveRefusal, Status,
};
use serde::Serialize;

use crate::audit::{AuditEntry, Who};
use crate::columns::{timeliness_text, NullableText, Text, TextColumn};
use crate::rollups::{Pending, ReportChange, RollupTx};
use crate::tx::{IdempotencyInsert, ReportTx, ReportWrite, VersionInsert};
use crate::{in_transaction, with_pool, Db, Result, StorageError};

#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReportRow {
    pub id: i64,
    pub campaign_id: i64,
    pub unit_id: i64,
    #[sqlx(try_from = "Text<ReportKind>")]
    pub kind: String,
    pub period_seq: i64,
    #[sqlx(try_from = "Text<Status>")]
    pub status: String,
    pub version: i64,
    pub due_at: DateTime<Utc>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub last_submitted_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "NullableText<Timeliness>")]
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
    /// When "Gửi" was pressed on the phone, as the phone said with the first
    /// submission (a report sent from the outbox); kept whatever the campaign's rule.
    pub pressed_at: Option<DateTime<Utc>>,
}

impl ReportRow {
    /// Counted on time although it reached the server after its deadline: "Gửi" was
    /// pressed before it without a connection (the campaign's rule; see
    /// `phongtrao_domain::report::deadline`).
    pub fn sent_late_for_connection(&self) -> bool {
        deadline::sent_late_for_connection(self.timeliness(), self.first_submitted_at, self.due_at)
    }

    /// The status (checked when the row was read: an unknown status is a storage
    /// error then, so the fallback is never taken).
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    /// On time or late, once submitted (checked when the row was read).
    pub fn timeliness(&self) -> Option<Timeliness> {
        self.timeliness.as_deref().and_then(Timeliness::from_text)
    }

    /// Weekly report or unit plan (checked when the row was read).
    pub fn kind(&self) -> ReportKind {
        ReportKind::parse(&self.kind).unwrap_or(ReportKind::Weekly)
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
    #[sqlx(try_from = "Text<Status>")]
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

pub(crate) const COLUMNS: &str = "id, campaign_id, unit_id, kind, period_seq, status, version, due_at, first_submitted_at, last_submitted_at, timeliness, \
     draft_json, highlights, difficulties, proposals, review_comment, reviewed_at, reviewed_by, created_at, updated_at, updated_by, pressed_at";

pub async fn get(db: &Db, key: &ReportKey) -> Result<Option<ReportRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE campaign_id = $1 AND unit_id = $2 AND kind = $3 AND period_seq = $4"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql)
        .bind(key.campaign_id)
        .bind(key.unit_id)
        .bind(Text(key.kind))
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
        let mut q = sqlx::query_as(&sql).bind(campaign_id).bind(Text(kind));
        if let Some(seq) = period_seq {
            q = q.bind(seq);
        }
        q.fetch_all(pool).await
    })?)
}

/// A report's period, unit, first receipt and deadline.
type SubmittedWhen = (i64, i64, Option<DateTime<Utc>>, DateTime<Utc>);

/// The units among `unit_ids` whose first weekly report of a period in
/// `from_seq..=to_seq` counts on time by the time "Gửi" was pressed although it
/// reached the server after the deadline ("gửi muộn do mất kết nối"): (period, unit
/// id), by period then tree order. The domain's `deadline::sent_late_for_connection`
/// decides each; the query only narrows to reports on time with a pressed time.
pub async fn sent_late_for_connection(
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
        "SELECT r.period_seq, r.unit_id, r.first_submitted_at, r.due_at FROM reports r JOIN units u ON u.id = r.unit_id
         WHERE r.campaign_id = $1 AND r.kind = 'weekly' AND r.timeliness = 'on_time' AND r.pressed_at IS NOT NULL
           AND r.period_seq >= $2 AND r.period_seq <= $3 AND r.unit_id IN ({})
         ORDER BY r.period_seq, u.level, u.position, u.id",
        crate::id_list(unit_ids)
    );
    let rows: Vec<SubmittedWhen> = with_pool!(db, pool => sqlx::query_as(&sql)
        .bind(campaign_id)
        .bind(from_seq)
        .bind(to_seq)
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, first, due)| deadline::sent_late_for_connection(Some(Timeliness::OnTime), *first, *due))
        .map(|(seq, unit, _, _)| (seq, unit))
        .collect())
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

/// The time "Gửi" was pressed on the phone (a report sent from the outbox) and the
/// campaign's rule for it: what a save adds to its request for the deadline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pressed {
    pub at: Option<DateTime<Utc>>,
    pub rule: PressedRule,
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

/// Why a save or a review did not happen: a conflict, a report rule (the domain's
/// error, unchanged) or a storage failure (`StorageError::kind` sorts those).
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    /// Someone saved first; `current` is what is stored now.
    #[error("the report changed meanwhile (version {} is stored)", current.version)]
    Conflict { current: Box<ReportRow> },
    /// A report rule refuses it (the period is locked, the report awaits review, …),
    /// as the domain said it.
    #[error(transparent)]
    Rule(#[from] ReportRuleError),
    #[error(transparent)]
    Storage(#[from] StorageError),
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

/// Rows a save writes besides the report itself: its submitted figures and
/// activities, its history row, its audit entry and the answer kept for its
/// idempotency key. A grouped commit writes those of all its saves at once
/// (multi-row statements); a single save writes its own after the report.
#[derive(Default)]
pub(crate) struct Deferred {
    versions: Vec<VersionInsert>,
    audit: Vec<(AuditEntry, DateTime<Utc>)>,
    idempotency: Vec<IdempotencyInsert>,
    notices: Vec<crate::tx::NoticeInsert>,
    /// The submitted figures and activities of each report written.
    content: Vec<(i64, CheckedReport)>,
}

impl Deferred {
    async fn flush<C: ReportTx + Send>(&self, conn: &mut C) -> sqlx::Result<()> {
        conn.insert_content(&self.content).await?;
        conn.insert_versions(&self.versions).await?;
        conn.insert_audit(&self.audit).await?;
        conn.insert_idempotency(&self.idempotency).await?;
        conn.insert_notices(&self.notices).await.map(|_| ())
    }

    /// Keeps a refused (conflicting) save in the history of the report as it stands.
    fn refused(&mut self, current: &ReportRow, prepared: &PreparedSave, req: &SaveRequest<'_>) {
        self.versions.push(VersionInsert {
            report_id: current.id,
            version: current.version,
            status: current.status(),
            action: "conflict_refused",
            snapshot: prepared.snapshot.clone(),
            at: req.now,
            by: req.who.name.clone(),
        });
    }
}

/// What a grouped commit reads once for all its saves: the reports as they are, each
/// unit with its ancestors and the locks of the periods.
pub(crate) struct Prefetch {
    existing: HashMap<i64, ReportRow>,
    chains: HashMap<i64, Vec<crate::rollups::StoredUnit>>,
    locks: HashMap<i64, LockState>,
    bases: HashMap<i64, std::collections::BTreeSet<phongtrao_domain::unit::BaseFigure>>,
}

/// What a save computes before its transaction.
pub struct PreparedSave {
    draft_json: String,
    snapshot: String,
}

impl PreparedSave {
    pub fn new(req: &SaveRequest<'_>) -> std::result::Result<Self, SaveError> {
        if req.action == SaveAction::Submit && req.checked.is_none() {
            return Err(SaveError::Storage(StorageError::Invalid("submission without checked content".into())));
        }
        let draft_json = serde_json::to_string(req.draft).map_err(|e| StorageError::Invalid(e.to_string()))?;
        let snapshot = serde_json::to_string(&Snapshot { draft: req.draft, submitted: req.checked })
            .map_err(|e| StorageError::Invalid(e.to_string()))?;
        Ok(PreparedSave { draft_json, snapshot })
    }
}

impl SaveAction {
    fn operation(self) -> Operation {
        match self {
            SaveAction::Draft => Operation::SaveDraft,
            SaveAction::Submit => Operation::Submit,
        }
    }
}

/// One save inside an open transaction (or savepoint), on either backend: reads the
/// report and its period's lock (or takes them from the batch's `prefetch`), asks the
/// domain what the save becomes, writes the report and its figures, and leaves its
/// history, audit and idempotency rows in `rows`. Returns the outcome and the
/// difference to add to the ancestors' figures. A refusal (rule or conflict) writes
/// nothing but the refused attempt's history row in `rows` (the transaction may
/// commit); a storage error means the transaction must roll back.
async fn save_in_tx<C: ReportTx + RollupTx + Send>(
    conn: &mut C,
    req: &SaveRequest<'_>,
    pressed: &Pressed,
    prepared: &PreparedSave,
    prefetch: Option<&Prefetch>,
    rows: &mut Deferred,
) -> std::result::Result<(Saved, Option<Pending>), SaveError> {
    let k = req.key;
    let existing: Option<ReportRow> = match prefetch {
        Some(p) => p.existing.get(&k.unit_id).cloned(),
        None => conn.report(&k).await?,
    };
    let lock = match (k.kind, prefetch) {
        (ReportKind::UnitPlan, _) => None,
        (ReportKind::Weekly, Some(p)) => p.locks.get(&k.period_seq).copied(),
        (ReportKind::Weekly, None) => conn.period_lock(k.campaign_id, k.period_seq).await?,
    };
    let intent = SaveIntent {
        op: req.action.operation(),
        kind: k.kind,
        expected_version: req.expected_version,
        author: &req.who.name,
        now: req.now,
        due_at: req.due_at,
        locked: transition::period_locked(lock, req.plan.reporting.lock_after_days, req.now),
        pressed_at: pressed.at,
        rule: pressed.rule,
    };
    let current = existing.as_ref().map(|row| Current {
        status: row.status(),
        version: row.version,
        first_submitted_at: row.first_submitted_at,
        last_submitted_at: row.last_submitted_at,
        updated_by: &row.updated_by,
        same_draft: row.draft_json == prepared.draft_json,
        created_at: row.created_at,
        pressed_at: row.pressed_at,
        timeliness: row.timeliness(),
    });
    let plan = match transition::plan_save(current, &intent) {
        Ok(plan) => plan,
        Err(SaveRefusal::Rule(rule)) => return Err(SaveError::Rule(rule)),
        Err(SaveRefusal::Stale) => {
            let Some(current) = existing else {
                return Err(SaveError::Rule(ReportRuleError::NoSuchVersion));
            };
            rows.refused(&current, prepared, req);
            return Err(SaveError::Conflict { current: Box::new(current) });
        }
    };
    // What the unit's weekly reports contributed before, to move the difference up
    // the tree.
    // A submission's notice is scoped to the units above (the chain's ids after the unit).
    let submitting = intent.op == Operation::Submit;
    let chain = if plan.moves_figures || submitting {
        Some(match prefetch {
            Some(p) => p.chains.get(&k.unit_id).cloned().unwrap_or_default(),
            None => RollupTx::unit_and_ancestors(conn, k.unit_id).await?,
        })
    } else {
        None
    };
    let above: Vec<i64> = match (&chain, submitting) {
        (Some(chain), true) => chain.iter().map(|u| u.id).filter(|id| *id != k.unit_id).collect(),
        _ => Vec::new(),
    };
    let change = match chain {
        Some(chain) if plan.moves_figures => {
            let before = existing.as_ref().and_then(ReportRow::timeliness);
            // A grouped commit read every unit's base figures at once (an absent unit has none).
            let empty = std::collections::BTreeSet::new();
            let bases = prefetch.map(|p| p.bases.get(&k.unit_id).unwrap_or(&empty));
            ReportChange::for_save(conn, req.plan, k.campaign_id, chain, k.period_seq, before, bases).await?
        }
        _ => None,
    };
    let submitted = req.checked.filter(|_| plan.writes_content);
    let submitted_values = match submitted {
        Some(checked) => {
            Some(serde_json::to_string(&checked.values).map_err(|e| StorageError::Invalid(e.to_string()))?)
        }
        None => None,
    };
    let timeliness = plan.timeliness;
    let write = ReportWrite {
        key: k,
        status: plan.status,
        version: plan.version,
        due_at: req.due_at,
        first_submitted_at: plan.first_submitted_at,
        last_submitted_at: plan.last_submitted_at,
        timeliness,
        pressed_at: plan.pressed_at,
        draft_json: &prepared.draft_json,
        now: req.now,
        by: &req.who.name,
        submitted,
        submitted_values: submitted_values.as_deref(),
    };
    let written = match &existing {
        None => conn.insert_report(&write).await?,
        Some(row) => conn.update_report(row.id, plan.replaces, &write).await?.then_some(row.id),
    };
    let Some(report_id) = written else {
        // Another save won the race between our read and our write.
        let current = conn.report(&k).await?.ok_or(sqlx::Error::RowNotFound)?;
        rows.refused(&current, prepared, req);
        return Err(SaveError::Conflict { current: Box::new(current) });
    };
    if let Some(checked) = submitted {
        // The old figures go now; the new ones are written with the batch's (one
        // statement for all the reports of a grouped commit, #24).
        if existing.is_some() {
            conn.clear_content(report_id).await?;
        }
        rows.content.push((report_id, checked.clone()));
    }
    let action = intent.op.as_str();
    rows.versions.push(VersionInsert {
        report_id,
        version: plan.version,
        status: plan.status,
        action,
        snapshot: prepared.snapshot.clone(),
        at: req.now,
        by: req.who.name.clone(),
    });
    let saved = Saved {
        report_id,
        version: plan.version,
        status: plan.status.as_str().to_string(),
        timeliness: timeliness.map(|t| timeliness_text(t).to_string()),
        first_submitted_at: plan.first_submitted_at,
        replayed: false,
    };
    let entry = req
        .who
        .entry(&format!("report.{action}"), "report", Some(format!("{}/{}/{}", k.kind.as_str(), k.unit_id, k.period_seq)))
        .unit(Some(k.unit_id))
        .before(&existing.as_ref().map(|r| serde_json::json!({"status": r.status, "version": r.version})))
        .after(&serde_json::json!({"status": saved.status, "version": saved.version, "timeliness": saved.timeliness, "values": req.checked.map(|c| &c.values)}));
    rows.audit.push((entry, req.now));
    if submitting {
        // The officers above learn of it (one notice per report version), in the same
        // transaction as the report: no commit of its own.
        rows.notices.push(crate::tx::NoticeInsert {
            notice: crate::submit_notices::NewNotice {
                campaign_id: k.campaign_id,
                report_id,
                version: plan.version,
                unit_id: k.unit_id,
                kind: k.kind.as_str().to_string(),
                period_seq: k.period_seq,
                submitted_at: req.now,
                submitted_by: req.who.name.clone(),
                resubmission: existing.as_ref().is_some_and(|r| r.first_submitted_at.is_some()),
            },
            above,
            created_at: req.now,
        });
    }
    if let Some(key) = req.idempotency_key {
        let response = serde_json::to_string(&saved).map_err(|e| StorageError::Invalid(e.to_string()))?;
        rows.idempotency.push(IdempotencyInsert {
            key: key.to_string(),
            user: req.who.name.clone(),
            report_id,
            response,
            at: req.now,
            request_hash: request_digest(req),
        });
    }
    let pending = change.map(|change| {
        let on_time = plan.timeliness.map(|t| t == Timeliness::OnTime);
        change.after(req.plan, k.period_seq, submitted.map(|c| &c.values), on_time)
    });
    Ok((saved, pending))
}

/// One save and its own history, audit and idempotency rows, inside an open
/// transaction or savepoint (the single save and the savepoint path).
async fn save_alone<C: ReportTx + RollupTx + Send>(
    conn: &mut C,
    req: &SaveRequest<'_>,
    pressed: &Pressed,
    prepared: &PreparedSave,
) -> std::result::Result<(Saved, Option<Pending>), SaveError> {
    let mut rows = Deferred::default();
    let outcome = save_in_tx(conn, req, pressed, prepared, None, &mut rows).await;
    if let Err(SaveError::Storage(_)) = outcome {
        return outcome;
    }
    rows.flush(conn).await?;
    outcome
}

/// Saves or submits, all in one transaction with its version row, its audit entry
/// and the consolidated figures of the unit's ancestors.
pub async fn save(db: &Db, req: &SaveRequest<'_>) -> std::result::Result<Saved, SaveError> {
    save_pressed(db, req, &Pressed::default()).await
}

/// The same, with the time "Gửi" was pressed on the phone and the campaign's rule.
pub async fn save_pressed(db: &Db, req: &SaveRequest<'_>, pressed: &Pressed) -> std::result::Result<Saved, SaveError> {
    if let Some(key) = req.idempotency_key {
        if let Some(previous) = replay(db, key, req).await? {
            return Ok(previous);
        }
    }
    let prepared = PreparedSave::new(req)?;
    let names = KeyNames::new(req.plan);
    let outcome: std::result::Result<Saved, SaveError> = async {
        in_transaction!(db, tx => {
            let conn = &mut **tx;
            match save_alone(conn, req, pressed, &prepared).await {
                Ok((saved, pending)) => {
                    if let Some(pending) = pending {
                        pending.apply(conn, &names).await?;
                    }
                    Ok(saved)
                }
                // Roll back: the transaction is dropped without a commit.
                Err(SaveError::Storage(e)) => return Err(SaveError::Storage(e)),
                // A refusal: at most the refused attempt's history row, committed.
                Err(other) => Err(other),
            }
        })
    }
    .await;
    match outcome {
        // A concurrent retry with the same key won the race: answer as it did.
        Err(SaveError::Storage(StorageError::Sqlx(e))) if req.idempotency_key.is_some() && is_unique_violation(&e) => {
            match replay(db, req.idempotency_key.unwrap_or_default(), req).await? {
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
/// `group_commit`). The common case reads what the saves need in four statements,
/// writes each report with two, and the history, audit and idempotency rows of all
/// of them in a few multi-row statements. Should anything fail, or should two saves
/// touch one report, the batch is redone one savepoint per save, so that one save's
/// failure never touches another's. An Err means nothing was committed.
pub async fn save_batch(
    pool: &sqlx::SqlitePool,
    requests: &[SaveRequest<'_>],
) -> std::result::Result<Vec<std::result::Result<Saved, SaveError>>, sqlx::Error> {
    save_batch_pressed(pool, requests, &[]).await
}

/// The same, with each save's pressed time and rule (`pressed[i]` for `requests[i]`;
/// none given: sent online).
pub async fn save_batch_pressed(
    pool: &sqlx::SqlitePool,
    requests: &[SaveRequest<'_>],
    pressed: &[Pressed],
) -> std::result::Result<Vec<std::result::Result<Saved, SaveError>>, sqlx::Error> {
    match save_batch_fast(pool, requests, pressed).await {
        Ok(Some(results)) => Ok(results),
        Ok(None) => save_batch_slow(pool, requests, pressed).await,
        Err(e) => {
            tracing::debug!(error = %e, "grouped commit redone save by save");
            save_batch_slow(pool, requests, pressed).await
        }
    }
}

fn pressed_of(pressed: &[Pressed], i: usize) -> Pressed {
    pressed.get(i).copied().unwrap_or_default()
}

async fn save_batch_fast(
    pool: &sqlx::SqlitePool,
    requests: &[SaveRequest<'_>],
    pressed: &[Pressed],
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
    let rows: Vec<ReportRow> = sqlx::query_as(&sql).bind(campaign_id).bind(Text(kind)).fetch_all(&mut *tx).await?;
    let existing: HashMap<i64, ReportRow> =
        rows.into_iter().filter(|r| wanted.get(&r.unit_id) == Some(&r.period_seq)).map(|r| (r.unit_id, r)).collect();
    let chains = crate::rollups::chains(&mut tx, &units).await?;
    let locks: HashMap<i64, LockState> = if kind == ReportKind::Weekly {
        let sql = format!(
            "SELECT seq, locked_at IS NOT NULL, reopened, due_at FROM periods WHERE campaign_id = $1 AND seq IN ({})",
            crate::id_list(&periods)
        );
        let rows: Vec<(i64, bool, bool, DateTime<Utc>)> =
            sqlx::query_as(&sql).bind(campaign_id).fetch_all(&mut *tx).await?;
        rows.into_iter()
            .map(|(seq, locked_by_hand, reopened, due_at)| (seq, LockState { locked_by_hand, reopened, due_at }))
            .collect()
    } else {
        HashMap::new()
    };
    let bases = crate::rollups::known_bases_of(&mut tx, &units).await?;
    let prefetch = Prefetch { existing, chains, locks, bases };
    // Requests repeated with a key already answered get the same answer.
    let keys: Vec<&str> = requests.iter().filter_map(|r| r.idempotency_key).collect();
    let mut answered: HashMap<String, Answered> = HashMap::new();
    if !keys.is_empty() {
        let marks: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT key, response_json, user_name, request_hash FROM idempotency_keys WHERE key IN ({})",
            marks.join(",")
        );
        let mut q = sqlx::query_as::<_, (String, String, String, String)>(&sql);
        for k in &keys {
            q = q.bind(*k);
        }
        answered = q
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|(key, response_json, user_name, request_hash)| {
                (key, Answered { response_json, user_name, request_hash })
            })
            .collect();
    }
    let mut deferred = Deferred::default();
    let mut merged = crate::rollups::Merged::default();
    let mut names: HashMap<i64, KeyNames> = HashMap::new();
    let mut results = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        if let Some(earlier) = request.idempotency_key.and_then(|k| answered.get(k)) {
            results.push(earlier.answer_again(request).map_err(SaveError::Storage));
            continue;
        }
        let prepared = match PreparedSave::new(request) {
            Ok(p) => p,
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        match save_in_tx(&mut *tx, request, &pressed_of(pressed, i), &prepared, Some(&prefetch), &mut deferred).await {
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
    deferred.flush(&mut *tx).await?;
    merged.apply_all(&mut *tx, &names).await?;
    tx.commit().await?;
    Ok(Some(results))
}

/// Runs several saves in one SQLite transaction, each in a savepoint, merges their
/// consolidated figures and commits once (see `group_commit`). An Err means nothing
/// was committed.
async fn save_batch_slow(
    pool: &sqlx::SqlitePool,
    requests: &[SaveRequest<'_>],
    pressed: &[Pressed],
) -> std::result::Result<Vec<std::result::Result<Saved, SaveError>>, sqlx::Error> {
    use sqlx::Acquire;
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut merged = crate::rollups::Merged::default();
    let mut names: HashMap<i64, KeyNames> = HashMap::new();
    let mut results = Vec::with_capacity(requests.len());
    for (i, request) in requests.iter().enumerate() {
        let prepared = match PreparedSave::new(request) {
            Ok(p) => p,
            Err(e) => {
                results.push(Err(e));
                continue;
            }
        };
        if let Some(key) = request.idempotency_key {
            let row: Option<Answered> = sqlx::query_as(ANSWERED).bind(key).fetch_optional(&mut *tx).await?;
            if let Some(earlier) = row {
                results.push(earlier.answer_again(request).map_err(SaveError::Storage));
                continue;
            }
        }
        let mut savepoint = (&mut tx).begin().await?;
        let outcome = save_alone(&mut *savepoint, request, &pressed_of(pressed, i), &prepared).await;
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

/// The answer kept for an idempotency key.
#[derive(sqlx::FromRow)]
struct Answered {
    response_json: String,
    user_name: String,
    request_hash: String,
}

const ANSWERED: &str = "SELECT response_json, user_name, request_hash FROM idempotency_keys WHERE key = $1";

/// The answer to `req` if its idempotency key was answered before.
pub(crate) async fn replay(db: &Db, key: &str, req: &SaveRequest<'_>) -> Result<Option<Saved>> {
    let row: Option<Answered> = with_pool!(db, pool => sqlx::query_as(ANSWERED).bind(key).fetch_optional(pool).await)?;
    row.map(|earlier| earlier.answer_again(req)).transpose()
}

impl Answered {
    /// The answer to a request repeated with the same idempotency key: the same
    /// answer for the same request; refused for another person's key (422) or for
    /// another request under the same key (another report, action, version or
    /// content: 409), which would otherwise be dropped while told it was saved.
    fn answer_again(&self, req: &SaveRequest<'_>) -> Result<Saved> {
        if self.user_name != req.who.name {
            return Err(StorageError::Invalid(
                "khóa chống gửi lặp đã được người khác dùng / idempotency key used by someone else".into(),
            ));
        }
        if !self.request_hash.is_empty() && self.request_hash != request_digest(req) {
            return Err(StorageError::Conflict(
                "Khóa chống gửi lặp (Idempotency-Key) này đã dùng cho một yêu cầu khác (báo cáo khác hoặc nội dung \
                 khác); yêu cầu này chưa được lưu. Hãy dùng một khóa mới cho mỗi lần lưu hoặc gửi mới. / \
                 This Idempotency-Key was already used for a different request (another report or another body); \
                 this request was not saved. Use a new key for each new save or submission."
                    .into(),
            ));
        }
        let mut saved: Saved =
            serde_json::from_str(&self.response_json).map_err(|e| StorageError::Invalid(e.to_string()))?;
        saved.replayed = true;
        Ok(saved)
    }
}

/// A digest of what a save asks for: the report (campaign, unit, kind, period), the
/// action, the version it started from and its content. A retry of the same request
/// has the same digest; anything else under the same key does not.
pub(crate) fn request_digest(req: &SaveRequest<'_>) -> String {
    use sha2::{Digest, Sha256};
    let k = &req.key;
    let action = match req.action {
        SaveAction::Draft => "draft",
        SaveAction::Submit => "submit",
    };
    let mut hash = Sha256::new();
    hash.update(
        format!(
            "{}|{}|{}|{}|{action}|{}|",
            k.campaign_id,
            k.unit_id,
            k.kind.as_str(),
            k.period_seq,
            req.expected_version
        )
        .as_bytes(),
    );
    // The content as JSON: its maps are ordered, so the same content gives the same text.
    hash.update(serde_json::to_vec(req.draft).unwrap_or_default());
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
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
    let decision = if accept { Decision::Accept } else { Decision::Return };
    in_transaction!(db, tx => {
        match review_in_tx(&mut **tx, plan, report_id, expected_version, decision, comment, who, now).await {
            Ok(saved) => Ok(saved),
            // Nothing of a refused review is kept: roll back.
            Err(e) => return Err(e),
        }
    })
}

#[allow(clippy::too_many_arguments)]
async fn review_in_tx<C: ReportTx + RollupTx + Send>(
    conn: &mut C,
    plan: &Plan,
    report_id: i64,
    expected_version: i64,
    decision: Decision,
    comment: &str,
    who: &Who,
    now: DateTime<Utc>,
) -> std::result::Result<Saved, SaveError> {
    let Some(row) = conn.report_by_id(report_id).await? else {
        return Err(SaveError::Storage(StorageError::NotFound(format!("báo cáo / report {report_id}"))));
    };
    let review = match transition::plan_review(row.status(), row.version, row.kind(), expected_version, decision) {
        Ok(review) => review,
        Err(SaveRefusal::Rule(rule)) => return Err(SaveError::Rule(rule)),
        Err(SaveRefusal::Stale) => return Err(SaveError::Conflict { current: Box::new(row) }),
    };
    // A returned report stops counting.
    let change = if review.stops_counting {
        ReportChange::before(conn, plan, row.campaign_id, row.unit_id).await?
    } else {
        None
    };
    if !conn.set_review(report_id, row.version, &review, comment, &who.name, now).await? {
        // Another review or save landed between the read and the write.
        let current = conn.report_by_id(report_id).await?.ok_or(sqlx::Error::RowNotFound)?;
        return Err(SaveError::Conflict { current: Box::new(current) });
    }
    let action = review.op.as_str();
    let snapshot = serde_json::json!({"comment": comment}).to_string();
    conn.insert_versions(&[VersionInsert {
        report_id,
        version: review.version,
        status: review.status,
        action,
        snapshot,
        at: now,
        by: who.name.clone(),
    }])
    .await?;
    let entry = who
        .entry(&format!("report.{action}"), "report", Some(report_id.to_string()))
        .unit(Some(row.unit_id))
        .before(&serde_json::json!({"status": row.status, "version": row.version}))
        .after(&serde_json::json!({"status": review.status.as_str(), "version": review.version, "comment": comment}));
    conn.insert_audit(&[(entry, now)]).await?;
    if let Some(change) = change {
        let on_time = row.timeliness().map(|t| t == Timeliness::OnTime);
        change.after(plan, row.period_seq, None, on_time).apply(conn, &KeyNames::new(plan)).await?;
    }
    Ok(Saved {
        report_id,
        version: review.version,
        status: review.status.as_str().into(),
        timeliness: row.timeliness.clone(),
        first_submitted_at: row.first_submitted_at,
        replayed: false,
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
    /// Whether the report of the form exists (a first submission, the usual case at a
    /// deadline, then skips reading it: #24, one read fewer per submission).
    pub report_exists: bool,
}

/// What a report's form needs besides the report itself, in one read: the unit's base
/// figures, its other weeks' totals, the units below it, the period's lock, and
/// whether the report of `key` exists.
pub async fn form_facts(db: &Db, key: &ReportKey) -> Result<FormFacts> {
    let (campaign_id, unit_id, seq) = (key.campaign_id, key.unit_id, key.period_seq);
    let sql = "SELECT 'base', figure, CAST(value AS BIGINT), CAST(NULL AS TIMESTAMPTZ) FROM unit_base_figures WHERE unit_id = $2
               UNION ALL
               SELECT 'total', v.indicator_key, CAST(SUM(v.value) AS BIGINT), CAST(NULL AS TIMESTAMPTZ) FROM report_values v JOIN reports r ON r.id = v.report_id
                 WHERE r.campaign_id = $1 AND r.unit_id = $2 AND r.kind = 'weekly' AND r.period_seq <> $3 AND r.status IN ('submitted', 'accepted')
                 GROUP BY v.indicator_key
               UNION ALL
               SELECT 'below', key, CAST(value AS BIGINT), CAST(NULL AS TIMESTAMPTZ) FROM rollups WHERE campaign_id = $1 AND unit_id = $2 AND period_seq = 0
               UNION ALL
               SELECT 'lock', CASE WHEN locked_at IS NULL THEN '' ELSE 'locked' END, CAST(CASE WHEN reopened THEN 1 ELSE 0 END AS BIGINT), due_at
                 FROM periods WHERE campaign_id = $1 AND seq = $3
               UNION ALL
               SELECT 'report', '', CAST(id AS BIGINT), CAST(NULL AS TIMESTAMPTZ)
                 FROM reports WHERE campaign_id = $1 AND unit_id = $2 AND kind = $4 AND period_seq = $3";
    let rows: Vec<(String, String, i64, Option<DateTime<Utc>>)> = match db {
        // On the request's thread (sqlite_here.rs): every submission reads its form.
        Db::Sqlite(s) => s.read_here(|c| {
            let mut statement = c.prepare_cached(sql)?;
            let params = rusqlite::named_params! {"$1": campaign_id, "$2": unit_id, "$3": seq, "$4": key.kind.as_str()};
            let rows = statement
                .query_map(params, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, crate::sqlite_here::opt_time(r, 3)?)))?;
            rows.collect()
        })?,
        Db::Postgres(pool) => {
            sqlx::query_as(sql).bind(campaign_id).bind(unit_id).bind(seq).bind(Text(key.kind)).fetch_all(pool).await?
        }
    };
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
            "report" => facts.report_exists = true,
            _ => facts.lock = due.map(|d| (key == "locked", value == 1, d)),
        }
    }
    Ok(facts)
}

/// Whether a period is locked at `now`, from its (locked by hand, reopened, due):
/// the domain's rule (`transition::LockState::is_locked`).
pub fn locked_at(lock: Option<(bool, bool, DateTime<Utc>)>, lock_after_days: Option<u32>, now: DateTime<Utc>) -> bool {
    let lock = lock.map(|(locked_by_hand, reopened, due_at)| LockState { locked_by_hand, reopened, due_at });
    transition::period_locked(lock, lock_after_days, now)
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
