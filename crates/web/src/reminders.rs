//! Reminders to units that have not submitted their weekly report: before each
//! deadline (by default 7 hours before 16:00 Friday, i.e. Friday 09:00 Vietnam time)
//! and after it, by e-mail (SMTP) and by a generic JSON webhook (a chat bot).
//!
//! Exactly once across app instances: a tick first takes the `reminders` lease (one
//! atomic UPDATE; the other instances skip while it is held), then claims each
//! reminder in `reminder_deliveries`, whose unique key (campaign, unit, period,
//! kind) makes a second claim of the same reminder a no-op. A reminder is claimed
//! before it is sent, so a crash between the two loses it (shown as `pending` to the
//! office) rather than sending it twice. Catching up after downtime needs nothing
//! special: every tick looks at every period whose reminder window contains its
//! instant, and only unclaimed reminders go out.
//!
//! A reminder that fails (the webhook answers 500 or cannot be reached, the mail
//! server refuses) is tried again with exponential backoff (1, 2, 4 … minutes, at most
//! 30) as long as its window lasts (until the deadline for "before", until the end of
//! the catch-up for "after"), then stays `failed`. The retry is claimed with one
//! atomic UPDATE, like the first try, and a channel that already succeeded is not used
//! again; the webhook gets a delivery id (in the body and in the `Idempotency-Key` and
//! `X-Delivery-Id` headers) that is the same on every try, so that a receiver that
//! got a try whose answer was lost can tell it is the same reminder.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use phongtrao_domain::period::Period;
use phongtrao_storage::units::{self, UnitRow};
use phongtrao_storage::{campaigns, leases, reminder_deliveries as deliveries, Db, StorageError};
use serde_json::json;

use crate::metrics::Metrics;

/// The lease's name in the `leases` table.
pub const LEASE: &str = "reminders";

/// How reminders go out; from the environment or the configuration file.
#[derive(Debug, Clone)]
pub struct ReminderConfig {
    /// smtp://[user:password@]host[:port] (plain SMTP; use a local relay for TLS).
    pub smtp_url: Option<String>,
    /// The From address of reminder e-mails.
    pub smtp_from: String,
    /// Where the JSON reminders are POSTed.
    pub webhook_url: Option<String>,
    /// How long before the deadline the first reminder goes out.
    pub before: chrono::Duration,
    /// How long after the deadline the "missed" reminder goes out.
    pub after: chrono::Duration,
    /// After this long past the deadline, a missed reminder is no longer sent
    /// (a server that was down for weeks does not send stale reminders).
    pub catch_up: chrono::Duration,
    /// How often each instance tries a tick.
    pub interval: Duration,
    /// How long a lease lasts without renewal (an instance that dies leaves the job
    /// to another after this).
    pub lease_ttl: chrono::Duration,
    /// Off: no scheduler (tests, one-off commands).
    pub enabled: bool,
    /// The wait before the first retry of a failed reminder; doubled at each try.
    pub retry_base: chrono::Duration,
    /// The longest wait between two tries.
    pub retry_max: chrono::Duration,
    /// How long before the emulation self-assessment deadline the units that have
    /// not self-scored every assessed criterion are reminded (once).
    pub self_assessment_before: chrono::Duration,
}

impl Default for ReminderConfig {
    fn default() -> Self {
        ReminderConfig {
            smtp_url: None,
            smtp_from: "phongtrao <no-reply@localhost>".into(),
            webhook_url: None,
            before: chrono::Duration::hours(7),
            after: chrono::Duration::zero(),
            catch_up: chrono::Duration::days(3),
            interval: Duration::from_secs(60),
            lease_ttl: chrono::Duration::minutes(5),
            enabled: true,
            retry_base: chrono::Duration::minutes(1),
            retry_max: chrono::Duration::minutes(30),
            self_assessment_before: chrono::Duration::days(2),
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TickOutcome {
    /// False: another instance holds the lease; nothing was tried.
    pub ran: bool,
    pub claimed: u64,
    pub sent: u64,
    pub failed: u64,
    /// Failed reminders tried again in this tick.
    pub retried: u64,
    /// Submission notices tried by e-mail / webhook in this tick (first tries and retries).
    pub notices: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ReminderError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("cấu hình nhắc việc sai / bad reminder configuration: {0}")]
    Config(String),
}

/// The scheduler of one app instance.
#[derive(Clone)]
pub struct Reminders {
    db: Db,
    config: ReminderConfig,
    holder: String,
    /// Added to the real clock, as the app's (`--now`): every time this writes is the campaign's.
    clock: crate::Clock,
    http: reqwest::Client,
    mailer: Option<(AsyncSmtpTransport<Tokio1Executor>, lettre::message::Mailbox)>,
    metrics: Arc<Metrics>,
}

impl Reminders {
    pub fn new(db: Db, config: ReminderConfig, metrics: Arc<Metrics>) -> Result<Reminders, ReminderError> {
        let mailer = match config.smtp_url.as_deref().filter(|u| !u.trim().is_empty()) {
            Some(url) => {
                let from = config
                    .smtp_from
                    .parse()
                    .map_err(|e| ReminderError::Config(format!("PHONGTRAO_SMTP_FROM {}: {e}", config.smtp_from)))?;
                Some((smtp_transport(url)?, from))
            }
            None => None,
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| ReminderError::Config(e.to_string()))?;
        let holder = format!("{}-{}", std::process::id(), rand::random::<u32>());
        Ok(Reminders { db, config, holder, clock: crate::Clock::system(), http, mailer, metrics })
    }

    /// Gives the lease back (on shutdown), so another instance can take over at once.
    /// The current instant as the campaign sees it (the one clock of the app).
    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Posts one delivery to the webhook, with its id as the idempotency key: the
    /// HTTP status on success ("200"), else the error as it is stored ("error: …").
    async fn post_webhook(&self, url: &str, delivery_id: &str, body: &serde_json::Value) -> Result<String, String> {
        let request =
            self.http.post(url).header("Idempotency-Key", delivery_id).header("X-Delivery-Id", delivery_id).json(body);
        match request.send().await {
            Ok(r) if r.status().is_success() => Ok(r.status().as_u16().to_string()),
            Ok(r) => Err(format!("error: HTTP {}", r.status().as_u16())),
            Err(e) => Err(format!("error: {e}")),
        }
    }

    pub async fn release(&self) -> Result<(), ReminderError> {
        Ok(leases::release(&self.db, LEASE, &self.holder).await?)
    }

    /// One run of the scheduler as if it were `at` (campaign time). The lease uses
    /// the real clock.
    pub async fn tick(&self, at: DateTime<Utc>) -> Result<TickOutcome, ReminderError> {
        if !leases::try_take(&self.db, LEASE, &self.holder, self.now(), self.config.lease_ttl).await? {
            return Ok(TickOutcome::default());
        }
        Metrics::add(&self.metrics.reminder_runs, 1);
        let mut outcome = TickOutcome { ran: true, ..Default::default() };
        let mut run_id = None;
        // Every running campaign reminds its own units of its own deadlines (an
        // archived campaign reminds no one).
        for row in campaigns::running(&self.db).await? {
            let Some(campaign) = campaigns::by_id(&self.db, row.id).await? else { continue };
            self.tick_campaign(&campaign, at, &mut outcome, &mut run_id).await?;
        }
        if let Some(id) = run_id {
            deliveries::finish_run(
                &self.db,
                id,
                outcome.claimed as i64,
                outcome.sent as i64,
                outcome.failed as i64,
                self.now(),
            )
            .await?;
        }
        Metrics::add(&self.metrics.reminders_sent, outcome.sent);
        Metrics::add(&self.metrics.reminders_failed, outcome.failed);
        Ok(outcome)
    }

    /// One campaign's part of a run: its due reminders, its retries, its notices.
    async fn tick_campaign(
        &self,
        campaign: &campaigns::StoredCampaign,
        at: DateTime<Utc>,
        outcome: &mut TickOutcome,
        run_id: &mut Option<i64>,
    ) -> Result<(), ReminderError> {
        let levels = &campaign.plan.reporting.levels;
        for period in campaign.plan.periods() {
            let Some(kind) = self.due_kind(&period, at) else { continue };
            if run_id.is_none() {
                *run_id = Some(deliveries::start_run(&self.db, &self.holder, at, self.now()).await?);
            }
            let deadline = period.deadline.with_timezone(&Utc);
            let claimed = deliveries::claim_missing(
                &self.db,
                campaign.row.id,
                levels,
                i64::from(period.seq),
                kind,
                deadline,
                &self.holder,
                self.now(),
            )
            .await?;
            // The claimed units and their addresses read a thousand at a time, not
            // one by one; how each went is written a thousand at a time too (a commit
            // per unit held the write lock from the submissions before the deadline,
            // #24).
            let mut finishing = deliveries::Finishing::new(&self.db);
            for batch in claimed.chunks(1000) {
                let ids: Vec<i64> = batch.iter().map(|c| c.unit_id).collect();
                let units: HashMap<i64, UnitRow> =
                    units::by_ids(&self.db, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
                let mut emails = deliveries::emails_of_units(&self.db, &ids).await?;
                for c in batch {
                    outcome.claimed += 1;
                    let unit = units.get(&c.unit_id).ok_or_else(|| StorageError::NotFound(c.unit_id.to_string()))?;
                    let emails = emails.remove(&c.unit_id).unwrap_or_default();
                    let attempt = Attempt { id: c.id, number: 1, campaign_id: campaign.row.id, previous: None };
                    let (delivery, row) = self.deliver(&attempt, unit, &emails, &period, kind, at).await?;
                    outcome.count(delivery);
                    finishing.push(row).await?;
                }
            }
            finishing.done().await?;
        }
        self.remind_self_assessment(campaign, at, outcome, run_id).await?;
        // Failed reminders whose next try is due.
        let retries = deliveries::claim_retries(&self.db, campaign.row.id, &self.holder, at).await?;
        if !retries.is_empty() {
            if run_id.is_none() {
                *run_id = Some(deliveries::start_run(&self.db, &self.holder, at, self.now()).await?);
            }
            let periods = campaign.plan.periods();
            let ids: Vec<i64> = retries.iter().map(|r| r.unit_id).collect();
            let units: HashMap<i64, UnitRow> =
                units::by_ids(&self.db, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
            let mut emails = deliveries::emails_of_units(&self.db, &ids).await?;
            let mut finishing = deliveries::Finishing::new(&self.db);
            for r in retries {
                let (Some(unit), Some(period)) =
                    (units.get(&r.unit_id), periods.iter().find(|p| i64::from(p.seq) == r.period_seq))
                else {
                    continue;
                };
                let kind: &'static str = if r.kind == "before" { "before" } else { "after" };
                outcome.retried += 1;
                let attempt = Attempt {
                    id: r.id,
                    number: r.attempts,
                    campaign_id: campaign.row.id,
                    previous: Some((r.email_result.clone(), r.webhook_result.clone())),
                };
                let emails = emails.remove(&r.unit_id).unwrap_or_default();
                let (delivery, row) = self.deliver(&attempt, unit, &emails, period, kind, at).await?;
                outcome.count(delivery);
                finishing.push(row).await?;
            }
            finishing.done().await?;
        }
        // Submission notices for the officers who chose e-mail or the webhook.
        outcome.notices += self.deliver_notices(campaign, at).await?;
        Ok(())
    }

    /// Reminds the units that have not self-scored every assessed emulation criterion,
    /// once, within `self_assessment_before` of the self-assessment deadline (not
    /// after it, nor when the office has reopened it). The units are those of the
    /// emulation clusters (without clusters: the units under the root, as the
    /// ranking takes them). Same claim-then-send rule as the weekly reminders; a
    /// failed one is not tried again.
    async fn remind_self_assessment(
        &self,
        campaign: &campaigns::StoredCampaign,
        at: DateTime<Utc>,
        outcome: &mut TickOutcome,
        run_id: &mut Option<i64>,
    ) -> Result<(), ReminderError> {
        use phongtrao_storage::emulation;
        let settings = emulation::settings(&self.db, campaign.row.id).await?;
        let Some(deadline) = settings.self_deadline else { return Ok(()) };
        if settings.reopened || at < deadline - self.config.self_assessment_before || at >= deadline {
            return Ok(());
        }
        let assessed = emulation::criteria(&self.db, campaign.row.id)
            .await?
            .iter()
            .filter(|c| c.criterion.rule.is_assessed())
            .count() as i64;
        let mut ids: Vec<i64> =
            emulation::clusters(&self.db, campaign.row.id).await?.into_iter().flat_map(|c| c.unit_ids).collect();
        if ids.is_empty() {
            if let Some(root) = units::root_of(&self.db, campaign.row.root_unit_id).await? {
                ids = units::children(&self.db, root.id).await?.into_iter().map(|u| u.id).collect();
            }
        }
        let claimed = deliveries::claim_self_assessment(
            &self.db,
            campaign.row.id,
            &ids,
            assessed,
            deadline,
            &self.holder,
            self.now(),
        )
        .await?;
        if claimed.is_empty() {
            return Ok(());
        }
        if run_id.is_none() {
            *run_id = Some(deliveries::start_run(&self.db, &self.holder, at, self.now()).await?);
        }
        let ids: Vec<i64> = claimed.iter().map(|c| c.unit_id).collect();
        let units: HashMap<i64, UnitRow> =
            units::by_ids(&self.db, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
        let mut emails = deliveries::emails_of_units(&self.db, &ids).await?;
        let local = deadline.with_timezone(&campaign.plan.campaign.timezone);
        // Written a thousand at a time, as the weekly reminders.
        let mut finishing = deliveries::Finishing::new(&self.db);
        for c in claimed {
            outcome.claimed += 1;
            let Some(unit) = units.get(&c.unit_id) else { continue };
            let emails = emails.remove(&c.unit_id).unwrap_or_default();
            let message_vi = format!(
                "{}: hạn tự chấm điểm thi đua là {} ngày {}; đơn vị chưa tự chấm đủ các tiêu chí. Vào trang Tự chấm điểm thi đua để hoàn thành.",
                unit.name,
                local.format("%Hh%M"),
                local.format("%d/%m/%Y")
            );
            let message_en = format!(
                "{}: the emulation self-assessment closes at {} on {}; the unit has not self-scored every criterion yet.",
                unit.name,
                local.format("%H:%M"),
                local.format("%d/%m/%Y")
            );
            let subject = format!("Nhắc tự chấm điểm thi đua / Self-assessment reminder: {}", unit.name);
            let delivery_id = format!("phongtrao-{}-{}-self-assessment", campaign.row.id, unit.code);
            let body = json!({
                "delivery_id": delivery_id, "attempt": 1, "kind": deliveries::SELF_ASSESSMENT,
                "unit": unit.code, "unit_name": unit.name, "deadline": local.fixed_offset().to_rfc3339(),
                "message_vi": message_vi, "message_en": message_en,
            });
            let sent = self
                .send_both(
                    unit,
                    &emails,
                    &subject,
                    &format!("{message_vi}\n\n---\n\n{message_en}\n"),
                    &delivery_id,
                    &body,
                    (None, None),
                )
                .await;
            let (status, delivery) = sent.outcome();
            outcome.count(delivery);
            let (email_result, webhook_result) = (sent.email, sent.webhook);
            finishing
                .push(deliveries::Finished::new(
                    c.id,
                    status,
                    &emails.join(", "),
                    Some(&email_result),
                    Some(&webhook_result),
                    self.now(),
                    None,
                ))
                .await?;
        }
        finishing.done().await?;
        Ok(())
    }

    /// Which reminder of `period` is due at `at`, if any.
    fn due_kind(&self, period: &Period, at: DateTime<Utc>) -> Option<&'static str> {
        let deadline = period.deadline.with_timezone(&Utc);
        let after_from = deadline + self.config.after;
        if at >= deadline - self.config.before && at < deadline {
            Some("before")
        } else if at >= after_from && at < after_from + self.config.catch_up {
            Some("after")
        } else {
            None
        }
    }

    /// The end of a reminder's window: no try after it.
    fn window_end(&self, period: &Period, kind: &str) -> DateTime<Utc> {
        let deadline = period.deadline.with_timezone(&Utc);
        if kind == "before" {
            deadline
        } else {
            deadline + self.config.after + self.config.catch_up
        }
    }

    /// When the try after try number `attempt`, made at `at`, is due (None: the
    /// window is over). Campaign time, like the windows.
    fn next_attempt(&self, period: &Period, kind: &str, attempt: i64, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let exponent = u32::try_from(attempt.clamp(1, 20) - 1).unwrap_or(0);
        let wait = self.config.retry_base * 2i32.saturating_pow(exponent);
        let wait = if wait > self.config.retry_max { self.config.retry_max } else { wait };
        let next = at + wait;
        (next < self.window_end(period, kind)).then_some(next)
    }

    /// Sends one message by e-mail and by webhook, each when configured; a channel
    /// that already succeeded on an earlier try (`previous`: its result) is not used
    /// again.
    #[allow(clippy::too_many_arguments)]
    async fn send_both(
        &self,
        unit: &UnitRow,
        emails: &[String],
        subject: &str,
        text: &str,
        delivery_id: &str,
        body: &serde_json::Value,
        previous: (Option<String>, Option<String>),
    ) -> Sent {
        let (mut ok, mut failed) = (false, false);
        let email = match (&self.mailer, emails.is_empty()) {
            _ if previous.0.is_some() => {
                ok = true;
                previous.0.unwrap_or_default()
            }
            (None, _) => "not_configured".to_string(),
            (Some(_), true) => "no_address".to_string(),
            (Some((mailer, from)), false) => match send_mail(mailer, from, emails, subject, text).await {
                Ok(()) => {
                    ok = true;
                    "sent".to_string()
                }
                Err(e) => {
                    failed = true;
                    tracing::warn!(unit = %unit.code, error = %e, "reminder e-mail failed");
                    format!("error: {e}")
                }
            },
        };
        let webhook = match self.config.webhook_url.as_deref().filter(|u| !u.trim().is_empty()) {
            _ if previous.1.is_some() => {
                ok = true;
                previous.1.unwrap_or_default()
            }
            None => "not_configured".to_string(),
            Some(url) => match self.post_webhook(url, delivery_id, body).await {
                Ok(status) => {
                    ok = true;
                    status
                }
                Err(error) => {
                    failed = true;
                    tracing::warn!(unit = %unit.code, %error, "reminder webhook failed");
                    error
                }
            },
        };
        Sent { email, webhook, ok, failed }
    }

    async fn deliver(
        &self,
        attempt: &Attempt,
        unit: &UnitRow,
        emails: &[String],
        period: &Period,
        kind: &str,
        at: DateTime<Utc>,
    ) -> Result<(Delivery, deliveries::Finished), ReminderError> {
        let id = attempt.id;
        let (message_vi, message_en) = messages(&unit.name, period, kind);
        let deadline = period.deadline.fixed_offset().to_rfc3339();
        // On a retry, a channel that already succeeded is not used again.
        let previous_email = attempt.previous.as_ref().and_then(|p| p.0.clone()).filter(|r| r == "sent");
        let previous_webhook = attempt
            .previous
            .as_ref()
            .and_then(|p| p.1.clone())
            .filter(|r| r.parse::<u16>().is_ok_and(|s| (200..300).contains(&s)));
        let delivery_id = format!("phongtrao-{}-{}-{}-{kind}", attempt.campaign_id, unit.code, period.seq);
        let subject = format!(
            "{} / {}",
            rust_i18n::t!(format!("ops_subject_{kind}"), locale = "vi", unit = unit.name),
            rust_i18n::t!(format!("ops_subject_{kind}"), locale = "en", unit = unit.name)
        );
        let body = json!({
            "delivery_id": delivery_id, "attempt": attempt.number,
            "unit": unit.code, "unit_name": unit.name,
            "period": period.end.to_string(), "period_seq": period.seq,
            "period_start": period.start.to_string(),
            "kind": kind, "deadline": deadline,
            "message_vi": message_vi, "message_en": message_en,
        });
        let sent = self
            .send_both(
                unit,
                emails,
                &subject,
                &format!("{message_vi}\n\n---\n\n{message_en}\n"),
                &delivery_id,
                &body,
                (previous_email, previous_webhook),
            )
            .await;
        let (status, delivery) = sent.outcome();
        let Sent { email: email_result, webhook: webhook_result, failed, .. } = sent;
        let next = if failed { self.next_attempt(period, kind, attempt.number, at) } else { None };
        if failed {
            tracing::warn!(
                unit = %unit.code, period = period.seq, kind, attempt = attempt.number,
                next_attempt = ?next, "reminder failed{}",
                if next.is_some() { ", will be tried again" } else { " for good (its window is over)" }
            );
        }
        let finished = deliveries::Finished::new(
            id,
            status,
            &emails.join(", "),
            Some(&email_result),
            Some(&webhook_result),
            self.now(),
            next,
        );
        Ok((delivery, finished))
    }

    /// Sends the submission notices whose try is due: each delivery (one per notice
    /// and officer) is claimed by one atomic UPDATE before it is sent, so it goes out
    /// at most once; a failed one is tried again with the reminders' backoff, up to
    /// 8 tries; a channel that already succeeded is not used again.
    async fn deliver_notices(
        &self,
        campaign: &campaigns::StoredCampaign,
        at: DateTime<Utc>,
    ) -> Result<u64, ReminderError> {
        use phongtrao_storage::submit_notices as notices;
        const MAX_TRIES: i64 = 8;
        let claimed = notices::claim_due(&self.db, &self.holder, at, 200).await?;
        if claimed.is_empty() {
            return Ok(0);
        }
        let periods = campaign.plan.periods();
        let tz = campaign.plan.campaign.timezone;
        let mut tried = 0;
        for c in claimed {
            tried += 1;
            let Some(notice) = notices::by_id(&self.db, c.notice_id).await? else {
                let row =
                    deliveries::Finished::new(c.id, "failed", "", Some("error: no notice"), None, self.now(), None);
                notices::finish(&self.db, row).await?;
                continue;
            };
            let (message_vi, message_en, href) = crate::actions::submit_notices::messages(&notice, &periods, tz);
            let delivery_id = format!("phongtrao-notice-{}-{}", c.notice_id, c.user_id);
            let (mut ok, mut failed) = (false, false);
            let mut email_to = String::new();
            let email_result = if !c.by_email {
                None
            } else if c.email_result.as_deref() == Some("sent") {
                ok = true;
                Some("sent".to_string())
            } else {
                let address = notices::email_of(&self.db, c.user_id).await?;
                email_to = address.clone().unwrap_or_default();
                Some(match (&self.mailer, address) {
                    (None, _) => "not_configured".to_string(),
                    (Some(_), None) => "no_address".to_string(),
                    (Some((mailer, from)), Some(address)) => {
                        let subject =
                            format!("{} đã nộp báo cáo / {} submitted a report", notice.unit_name, notice.unit_name);
                        let body = format!("{message_vi}\n{href}\n\n---\n\n{message_en}\n{href}\n");
                        match send_mail(mailer, from, &[address], &subject, &body).await {
                            Ok(()) => {
                                ok = true;
                                "sent".to_string()
                            }
                            Err(e) => {
                                failed = true;
                                tracing::warn!(notice = c.notice_id, error = %e, "notice e-mail failed");
                                format!("error: {e}")
                            }
                        }
                    }
                })
            };
            let previous_webhook =
                c.webhook_result.clone().filter(|r| r.parse::<u16>().is_ok_and(|s| (200..300).contains(&s)));
            let webhook_result = if !c.by_webhook {
                None
            } else if let Some(previous) = previous_webhook {
                ok = true;
                Some(previous)
            } else {
                Some(match self.config.webhook_url.as_deref().filter(|u| !u.trim().is_empty()) {
                    None => "not_configured".to_string(),
                    Some(url) => {
                        let body = json!({
                            "delivery_id": delivery_id, "attempt": c.attempts, "kind": "submitted",
                            "unit": notice.unit_code, "unit_name": notice.unit_name,
                            "report_kind": notice.kind, "period_seq": notice.period_seq,
                            "version": notice.version, "resubmission": notice.resubmission,
                            "submitted_at": notice.submitted_at.to_rfc3339(), "report_path": href,
                            "recipient_user_id": c.user_id,
                            "message_vi": message_vi, "message_en": message_en,
                        });
                        match self.post_webhook(url, &delivery_id, &body).await {
                            Ok(status) => {
                                ok = true;
                                status
                            }
                            Err(error) => {
                                failed = true;
                                tracing::warn!(notice = c.notice_id, %error, "notice webhook failed");
                                error
                            }
                        }
                    }
                })
            };
            let (status, _) = outcome(ok, failed);
            let next = if failed && c.attempts < MAX_TRIES {
                let exponent = u32::try_from(c.attempts.clamp(1, 20) - 1).unwrap_or(0);
                let wait = self.config.retry_base * 2i32.saturating_pow(exponent);
                Some(at + if wait > self.config.retry_max { self.config.retry_max } else { wait })
            } else {
                None
            };
            let row = deliveries::Finished::new(
                c.id,
                status,
                &email_to,
                email_result.as_deref(),
                webhook_result.as_deref(),
                self.now(),
                next,
            );
            notices::finish(&self.db, row).await?;
        }
        Ok(tried)
    }

    /// Runs a tick every `interval` until the process ends; `clock_offset` as in
    /// AppState (a rehearsal's simulated clock).
    pub fn spawn(mut self, clock: crate::Clock) -> tokio::task::JoinHandle<()> {
        self.clock = clock;
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(self.config.interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                match self.tick(self.now()).await {
                    Ok(o) if o.claimed > 0 || o.retried > 0 || o.notices > 0 => tracing::info!(
                        claimed = o.claimed,
                        notices = o.notices,
                        retried = o.retried,
                        sent = o.sent,
                        failed = o.failed,
                        "reminders sent"
                    ),
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "reminder run failed"),
                }
            }
        })
    }
}

/// One try of one reminder.
struct Attempt {
    id: i64,
    /// 1 for the first try.
    number: i64,
    campaign_id: i64,
    /// On a retry: the results of the previous try (email, webhook).
    previous: Option<(Option<String>, Option<String>)>,
}

enum Delivery {
    Sent,
    Failed,
    NoChannel,
}

impl TickOutcome {
    fn count(&mut self, delivery: Delivery) {
        match delivery {
            Delivery::Sent => self.sent += 1,
            Delivery::Failed => self.failed += 1,
            Delivery::NoChannel => {}
        }
    }
}

/// The reminder's text in Vietnamese and English.
pub fn messages(unit_name: &str, period: &Period, kind: &str) -> (String, String) {
    let deadline = period.deadline.with_timezone(&Ho_Chi_Minh);
    let make = |locale: &str| {
        rust_i18n::t!(
            format!("ops_message_{kind}"),
            locale = locale,
            unit = unit_name,
            seq = period.seq,
            start = period.start.format("%d/%m/%Y"),
            end = period.end.format("%d/%m/%Y"),
            time = deadline.format("%Hh%M"),
            date = deadline.format("%d/%m/%Y")
        )
        .into_owned()
    };
    (make("vi"), make("en"))
}

/// smtp://[user:password@]host[:port] → a transport (plain SMTP, no TLS).
fn smtp_transport(url: &str) -> Result<AsyncSmtpTransport<Tokio1Executor>, ReminderError> {
    let rest = url
        .strip_prefix("smtp://")
        .ok_or_else(|| ReminderError::Config("PHONGTRAO_SMTP_URL: smtp://host:port".into()))?
        .trim_end_matches('/');
    let (credentials, host_port) = match rest.rsplit_once('@') {
        Some((c, h)) => (Some(c), h),
        None => (None, rest),
    };
    let (host, port) = match host_port.rsplit_once(':') {
        Some((h, p)) => {
            (h, p.parse::<u16>().map_err(|_| ReminderError::Config(format!("PHONGTRAO_SMTP_URL: bad port {p}")))?)
        }
        None => (host_port, 25),
    };
    let mut builder =
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port).timeout(Some(Duration::from_secs(10)));
    if let Some(c) = credentials {
        let (user, password) = c.split_once(':').unwrap_or((c, ""));
        builder = builder.credentials(Credentials::new(user.to_string(), password.to_string()));
    }
    Ok(builder.build())
}

async fn send_mail(
    mailer: &AsyncSmtpTransport<Tokio1Executor>,
    from: &lettre::message::Mailbox,
    to: &[String],
    subject: &str,
    body: &str,
) -> Result<(), String> {
    let mut builder = Message::builder().from(from.clone()).subject(subject).header(ContentType::TEXT_PLAIN);
    for address in to {
        builder = builder.to(address.parse().map_err(|e| format!("{address}: {e}"))?);
    }
    let message = builder.body(body.to_string()).map_err(|e| e.to_string())?;
    mailer.send(message).await.map(|_| ()).map_err(|e| e.to_string())
}

/// What the two channels did with one message.
struct Sent {
    email: String,
    webhook: String,
    /// A channel delivered it.
    ok: bool,
    /// A channel failed.
    failed: bool,
}

impl Sent {
    fn outcome(&self) -> (&'static str, Delivery) {
        outcome(self.ok, self.failed)
    }
}

/// A delivery's status as stored, and what it counts as: failed if a channel failed,
/// else sent if one delivered it, else no channel.
fn outcome(ok: bool, failed: bool) -> (&'static str, Delivery) {
    match (ok, failed) {
        (_, true) => ("failed", Delivery::Failed),
        (true, false) => ("sent", Delivery::Sent),
        (false, false) => ("no_channel", Delivery::NoChannel),
    }
}
