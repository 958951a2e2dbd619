//! Logging in and who is acting: database sessions (any app instance accepts them),
//! argon2id passwords, API tokens, CSRF and login throttling.

pub mod backend;
pub mod client;
pub mod csrf;
pub mod current;
pub mod gate;
pub mod store;

pub use backend::{Backend, Credentials, User};
pub use current::{Actor, MaybeActor};

pub type AuthSession = axum_login::AuthSession<Backend>;

/// How long a session lives without use, and at most.
pub const IDLE_MINUTES: i64 = 120;
pub const ABSOLUTE_HOURS: i64 = 12;
