use phongtrao_storage::Db;

/// What every handler gets. Nothing here is state that another app instance would
/// need: it is all in the database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    /// Added to the real clock: lets a demo or a rehearsal run as if it were another
    /// day (the same setting on every instance).
    pub clock_offset: chrono::Duration,
}

impl AppState {
    /// The current instant, as the campaign sees it.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now() + self.clock_offset
    }
}
