//! `serve` settings that harden the server (issue #15).

use std::net::SocketAddr;

#[derive(clap::Args, Debug, Clone)]
pub struct SecurityArgs {
    /// Days an API token lives after it is made.
    #[arg(long, env = "PHONGTRAO_TOKEN_DAYS", default_value_t = 90, value_parser = clap::value_parser!(i64).range(1..=3650))]
    pub token_days: i64,
    /// GET /metrics answers only with `Authorization: Bearer <this token>`.
    #[arg(long, env = "PHONGTRAO_METRICS_TOKEN")]
    pub metrics_token: Option<String>,
    /// Serve /metrics (without a token) on this separate address only, e.g. 127.0.0.1:9187.
    #[arg(long, env = "PHONGTRAO_METRICS_BIND")]
    pub metrics_bind: Option<SocketAddr>,
    /// Connections served at once; one more gets a 503 and is closed. Keep it below
    /// the process's open-file limit (LimitNOFILE).
    #[arg(long, env = "PHONGTRAO_MAX_CONNECTIONS", default_value_t = 768)]
    pub max_connections: usize,
    /// Seconds a connection has to send its request headers; an idle keep-alive
    /// connection is closed after the same time.
    #[arg(long, env = "PHONGTRAO_HEADER_TIMEOUT_SECONDS", default_value_t = 10)]
    pub header_timeout_seconds: u64,
}

impl SecurityArgs {
    pub fn settings(&self) -> phongtrao_web::security::SecuritySettings {
        phongtrao_web::security::SecuritySettings {
            token_days: self.token_days,
            metrics_token: self.metrics_token.clone().filter(|t| !t.trim().is_empty()),
            metrics_bind: self.metrics_bind,
            max_connections: self.max_connections.max(1),
            header_timeout: std::time::Duration::from_secs(self.header_timeout_seconds.max(1)),
        }
    }
}
