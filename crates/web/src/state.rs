use phongtrao_storage::Db;

/// What every handler gets. Nothing here is state that another app instance would
/// need: it is all in the database.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// Take the client address from X-Forwarded-For (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
}
