use phongtrao_storage::group_commit::Writer;
use phongtrao_storage::Db;

use crate::metrics::Metrics;

/// What every handler gets. Nothing here is state that another app instance would
/// need: it is all in the database. One reference count to clone (axum clones the
/// state for every layer of every request).
#[derive(Clone)]
pub struct AppState(std::sync::Arc<StateParts>);

impl std::ops::Deref for AppState {
    type Target = StateParts;
    fn deref(&self) -> &StateParts {
        &self.0
    }
}

/// The parts of the state (reached through `AppState`).
#[derive(Clone)]
pub struct StateParts {
    pub db: Db,
    /// The reverse proxies whose X-Forwarded-For is believed (empty: none).
    pub trusted_proxies: Vec<crate::auth::client::TrustedProxy>,
    /// The one clock: the real one, or set to another day for a demo or a rehearsal
    /// (the same setting on every instance).
    pub clock: crate::Clock,
    /// Report saves go through here: grouped commits on SQLite.
    pub writer: Writer,
    /// This instance's counters for GET /metrics.
    pub metrics: std::sync::Arc<Metrics>,
    /// API tokens used since "last used" was last written (every 5 s).
    pub touches: std::sync::Arc<phongtrao_storage::tokens::Touches>,
    /// Token lifetime, metrics access, connection limits (crate::security).
    pub security: std::sync::Arc<crate::security::SecuritySettings>,
}

impl AppState {
    /// The state of one app instance; starts its report writer (inside a Tokio runtime).
    /// `trust_forwarded_for`: a proxy on this machine (127.0.0.1, ::1) is trusted;
    /// the list is set from `Settings::trusted_proxies` by `Application::build`.
    pub fn new(db: Db, trust_forwarded_for: bool, clock_offset: chrono::Duration) -> Self {
        let writer = Writer::start(&db);
        let touches = std::sync::Arc::new(phongtrao_storage::tokens::Touches::default());
        let (flushing, pending) = (db.clone(), touches.clone());
        tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
            loop {
                every.tick().await;
                if let Err(e) = phongtrao_storage::tokens::flush_touches(&flushing, &pending).await {
                    tracing::warn!(error = %e, "cannot record when API tokens were last used");
                }
            }
        });
        let security = std::sync::Arc::new(crate::security::SecuritySettings::default());
        let trusted_proxies =
            if trust_forwarded_for { crate::auth::client::TrustedProxy::loopback() } else { Vec::new() };
        AppState(std::sync::Arc::new(StateParts {
            db,
            trusted_proxies,
            clock: crate::Clock::with_offset(clock_offset),
            writer,
            metrics: Metrics::new(),
            touches,
            security,
        }))
    }

    /// Changes parts of the state (before it is shared: afterwards the change is
    /// made on a copy that only this handle sees).
    pub fn configure(&mut self, change: impl FnOnce(&mut StateParts)) {
        change(std::sync::Arc::make_mut(&mut self.0));
    }

    /// For the command line: the real clock, no proxy.
    pub fn local(db: Db) -> Self {
        Self::new(db, false, chrono::Duration::zero())
    }

    /// The current instant, as the campaign sees it.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
