//! The version and the git commit of this binary (see build.rs).

pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub const COMMIT: &str = env!("PHONGTRAO_GIT_COMMIT");
/// "0.1.0 (commit abc123def)", as `phongtrao --version` prints it.
pub const LONG: &str = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("PHONGTRAO_GIT_COMMIT"), ")");
