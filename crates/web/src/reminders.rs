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
    clock_offset: chrono::Duration,
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
        Ok(Reminders { db, config, holder, clock_offset: chrono::Duration::zero(), http, mailer, metrics })
    }

    /// Gives the lease back (on shutdown), so another instance can take over at once.
    /// The current instant as the campaign sees it (the one clock of the app).
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.clock_offset
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
        let campaign = campaigns::current(&self.db).await?;
        let levels = &campaign.plan.reporting.levels;
        let mut run_id = None;
        for period in campaign.plan.periods() {
            let Some(kind) = self.due_kind(&period, at) else { continue };
            if run_id.is_none() {
                run_id = Some(deliveries::start_run(&self.db, &self.holder, at, self.now()).await?);
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
            // one by one.
            for batch in claimed.chunks(1000) {
                let ids: Vec<i64> = batch.iter().map(|c| c.unit_id).collect();
                let units: HashMap<i64, UnitRow> =
                    units::by_ids(&self.db, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
                let mut emails = deliveries::emails_of_units(&self.db, &ids).await?;
                for c in batch {
                    outcome.claimed += 1;
                    let unit = units.get(&c.unit_id).ok_or_else(|| StorageError::NotFound(c.unit_id.to_string()))?;
                    let emails = emails.remove(&c.unit_id).unwrap_or_default();
                    match self.deliver(c.id, unit, &emails, &period, kind).await? {
                        Delivery::Sent => outcome.sent += 1,
                        Delivery::Failed => outcome.failed += 1,
                        Delivery::NoChannel => {}
                    }
                }
            }
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

    async fn deliver(
        &self,
        id: i64,
        unit: &UnitRow,
        emails: &[String],
        period: &Period,
        kind: &str,
    ) -> Result<Delivery, ReminderError> {
        let (message_vi, message_en) = messages(&unit.name, period, kind);
        let deadline = period.deadline.fixed_offset().to_rfc3339();
        let mut ok = false;
        let mut failed = false;
        let email_result = match (&self.mailer, emails.is_empty()) {
            (None, _) => "not_configured".to_string(),
            (Some(_), true) => "no_address".to_string(),
            (Some((mailer, from)), false) => {
                let subject = format!(
                    "{} / {}",
                    rust_i18n::t!(format!("ops_subject_{kind}"), locale = "vi", unit = unit.name),
                    rust_i18n::t!(format!("ops_subject_{kind}"), locale = "en", unit = unit.name)
                );
                match send_mail(mailer, from, emails, &subject, &format!("{message_vi}\n\n---\n\n{message_en}\n")).await
                {
                    Ok(()) => {
                        ok = true;
                        "sent".to_string()
                    }
                    Err(e) => {
                        failed = true;
                        tracing::warn!(unit = %unit.code, error = %e, "reminder e-mail failed");
                        format!("error: {e}")
                    }
                }
            }
        };
        let webhook_result = match self.config.webhook_url.as_deref().filter(|u| !u.trim().is_empty()) {
            None => "not_configured".to_string(),
            Some(url) => {
                let body = json!({
                    "unit": unit.code, "unit_name": unit.name,
                    "period": period.end.to_string(), "period_seq": period.seq,
                    "period_start": period.start.to_string(),
                    "kind": kind, "deadline": deadline,
                    "message_vi": message_vi, "message_en": message_en,
                });
                match self.http.post(url).json(&body).send().await {
                    Ok(r) if r.status().is_success() => {
                        ok = true;
                        r.status().as_u16().to_string()
                    }
                    Ok(r) => {
                        failed = true;
                        format!("error: HTTP {}", r.status().as_u16())
                    }
                    Err(e) => {
                        failed = true;
                        tracing::warn!(unit = %unit.code, error = %e, "reminder webhook failed");
                        format!("error: {e}")
                    }
                }
            }
        };
        let (status, delivery) = match (ok, failed) {
            (_, true) => ("failed", Delivery::Failed),
            (true, false) => ("sent", Delivery::Sent),
            (false, false) => ("no_channel", Delivery::NoChannel),
        };
        deliveries::finish(
            &self.db,
            id,
            status,
            &emails.join(", "),
            Some(&email_result),
            Some(&webhook_result),
            self.now(),
        )
        .await?;
        Ok(delivery)
    }

    /// Runs a tick every `interval` until the process ends; `clock_offset` as in
    /// AppState (a rehearsal's simulated clock).
    pub fn spawn(mut self, clock_offset: chrono::Duration) -> tokio::task::JoinHandle<()> {
        self.clock_offset = clock_offset;
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(self.config.interval);
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticker.tick().await;
                match self.tick(self.now()).await {
                    Ok(o) if o.claimed > 0 => {
                        tracing::info!(claimed = o.claimed, sent = o.sent, failed = o.failed, "reminders sent")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "reminder run failed"),
                }
            }
        })
    }
}

enum Delivery {
    Sent,
    Failed,
    NoChannel,
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
