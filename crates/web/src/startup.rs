//! Building the app and binding it: tests bind port 0 and talk to the real server.

use std::net::SocketAddr;

use axum::routing::get;
use axum::Router;
use phongtrao_storage::Db;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::{api, assets, health, pages, security, AppState};

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
}

/// Every route of the app.
pub fn router(state: AppState) -> Router {
    let router = Router::new()
        .route("/", get(pages::overview::show))
        .route("/targets", get(pages::targets::show))
        .route("/units", get(pages::units::list))
        .route("/units/{code}", get(pages::units::show))
        .route("/lang/{code}", get(pages::lang::switch))
        .route("/healthz", get(health::healthz))
        .route("/static/{*path}", get(assets::serve))
        .nest("/api/v1", api::router())
        .fallback(pages::not_found)
        .with_state(state);
    security::add_headers(router)
        .layer(CompressionLayer::new())
        .layer(RequestBodyLimitLayer::new(2 * 1024 * 1024))
        .layer(TraceLayer::new_for_http())
}

impl Application {
    /// Binds the listener (port 0 picks a free port) and builds the router.
    pub async fn build(settings: &Settings, db: Db) -> std::io::Result<Application> {
        let listener = TcpListener::bind(settings.bind).await?;
        let address = listener.local_addr()?;
        Ok(Application { listener, router: router(AppState { db }), address })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until Ctrl-C / SIGTERM, finishing requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown_signal()).await
    }

    /// Serves until the process ends (tests).
    pub async fn run_forever(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).await
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
