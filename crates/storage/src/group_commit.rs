//! Grouped commits for SQLite: report saves queue to one writer task, which runs
//! each waiting save in a savepoint of one transaction, merges their consolidated
//! figures, commits once (synchronous=FULL: on disk before COMMIT returns) and only
//! then answers every caller. Durability is the same as one transaction per save;
//! the cost of the disk flush and of updating common ancestors is shared.
//! One save's failure rolls back its savepoint only.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use phongtrao_domain::plan::Plan;
use phongtrao_domain::report::{CheckedReport, ReportInput};
use tokio::sync::{mpsc, oneshot};

use crate::audit::Who;
use crate::reports::{self, ReportKey, SaveAction, SaveError, SaveRequest, Saved};
use crate::{Db, StorageError};

/// At most this many saves share one commit.
pub const MAX_BATCH: usize = 256;

/// How long a forming batch waits for one more save: a commit costs a disk flush
/// (several milliseconds here), so a short wait that lets a wave of saves join it
/// pays for itself during a burst and costs little when the system is quiet.
const GATHER: std::time::Duration = std::time::Duration::from_millis(1);

/// A save request that owns its data, to cross to the writer task.
pub struct OwnedSave {
    pub key: ReportKey,
    pub due_at: DateTime<Utc>,
    pub expected_version: i64,
    pub draft: ReportInput,
    pub checked: Option<CheckedReport>,
    pub action: SaveAction,
    pub who: Who,
    pub now: DateTime<Utc>,
    pub idempotency_key: Option<String>,
    pub plan: Arc<Plan>,
    /// When "Gửi" was pressed on the phone and the campaign's rule for it.
    pub pressed: reports::Pressed,
}

impl OwnedSave {
    fn request(&self) -> SaveRequest<'_> {
        SaveRequest {
            key: self.key,
            due_at: self.due_at,
            expected_version: self.expected_version,
            draft: &self.draft,
            checked: self.checked.as_ref(),
            action: self.action,
            who: &self.who,
            now: self.now,
            idempotency_key: self.idempotency_key.as_deref(),
            plan: &self.plan,
        }
    }
}

struct Job {
    save: OwnedSave,
    reply: oneshot::Sender<Result<Saved, SaveError>>,
}

/// The handle callers save through: grouped commits on SQLite, one transaction per
/// save on PostgreSQL (where concurrent transactions already share flushes).
#[derive(Clone)]
pub struct Writer {
    db: Db,
    queue: Option<mpsc::Sender<Job>>,
}

impl Writer {
    /// Starts the writer task for a SQLite database (must run inside a Tokio runtime).
    pub fn start(db: &Db) -> Writer {
        match db {
            Db::Sqlite(pool) => {
                let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
                tokio::spawn(run(pool.clone(), rx));
                Writer { db: db.clone(), queue: Some(tx) }
            }
            Db::Postgres(_) => Writer { db: db.clone(), queue: None },
        }
    }

    pub async fn save(&self, save: OwnedSave) -> Result<Saved, SaveError> {
        let Some(queue) = &self.queue else {
            return reports::save_pressed(&self.db, &save.request(), &save.pressed).await;
        };
        // A repeated idempotency key is answered inside the batch (one read per batch).
        let (reply, answer) = oneshot::channel();
        queue.send(Job { save, reply }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> SaveError {
    SaveError::Storage(StorageError::Unavailable("the report writer has stopped".into()))
}

async fn run(sqlite: crate::SqliteDb, mut rx: mpsc::Receiver<Job>) {
    // Saves of a unit already in the batch wait for the next one, so that a batch
    // touches each unit once (the fast path of `save_batch`).
    let mut waiting: std::collections::VecDeque<Job> = std::collections::VecDeque::new();
    loop {
        let first = match waiting.pop_front() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => break,
            },
        };
        let mut units = std::collections::HashSet::from([first.save.key.unit_id]);
        let mut jobs = vec![first];
        let mut later = std::collections::VecDeque::new();
        while jobs.len() < MAX_BATCH {
            let job = match waiting.pop_front() {
                Some(job) => job,
                None => match rx.try_recv() {
                    Ok(job) => job,
                    // Nothing queued: wait a moment for saves on their way, so that a
                    // commit (a disk flush) is not spent on one save during a burst.
                    Err(_) => match tokio::time::timeout(GATHER, rx.recv()).await {
                        Ok(Some(job)) => job,
                        _ => break,
                    },
                },
            };
            if units.insert(job.save.key.unit_id) {
                jobs.push(job);
            } else {
                later.push_back(job);
            }
        }
        later.extend(waiting.drain(..));
        waiting = later;
        let saves: Vec<&OwnedSave> = jobs.iter().map(|j| &j.save).collect();
        let requests: Vec<SaveRequest<'_>> = saves.iter().map(|s| s.request()).collect();
        let t0 = std::time::Instant::now();
        let pressed: Vec<reports::Pressed> = saves.iter().map(|s| s.pressed).collect();
        let results = match reports::save_batch_pressed(sqlite.pool(), &requests, &pressed).await {
            Ok(results) => results,
            Err(e) => {
                // Nothing of the batch was committed: every caller gets the error.
                tracing::error!(error = %e, batch = jobs.len(), "grouped commit failed");
                let text = e.to_string();
                let kind = StorageError::from(e).kind();
                let again = |text: String| match kind {
                    crate::db::ErrorKind::Unavailable => StorageError::Unavailable(text),
                    _ => StorageError::Internal(text),
                };
                jobs.iter().map(|_| Err(SaveError::Storage(again(format!("grouped commit failed: {text}"))))).collect()
            }
        };
        tracing::debug!(saves = jobs.len(), elapsed = ?t0.elapsed(), "grouped commit");
        let mut replays = Vec::new();
        for (job, result) in jobs.into_iter().zip(results) {
            match result {
                // A retry with the same key inside this batch: answer as the first did.
                Err(SaveError::Storage(StorageError::Sqlx(e)))
                    if job.save.idempotency_key.is_some() && reports::is_unique_violation(&e) =>
                {
                    replays.push((job, e));
                }
                other => {
                    let _ = job.reply.send(other);
                }
            }
        }
        let db = Db::Sqlite(sqlite.clone());
        for (job, e) in replays {
            let key = job.save.idempotency_key.as_deref().unwrap_or_default();
            let answer = match reports::replay(&db, key, &job.save.request()).await {
                Ok(Some(previous)) => Ok(previous),
                Ok(None) => Err(SaveError::Storage(StorageError::Sqlx(e))),
                Err(err) => Err(SaveError::Storage(err)),
            };
            let _ = job.reply.send(answer);
        }
    }
}
