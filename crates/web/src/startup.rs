//! Building the app and binding it: tests bind port 0 and talk to the real server.

use std::net::SocketAddr;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use axum_login::AuthManagerLayerBuilder;
use phongtrao_storage::Db;
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::auth::store::DbSessionStore;
use crate::auth::{csrf, Backend, IDLE_MINUTES};
use crate::{api, assets, files, health, pages, security, AppState};

/// How to run the server.
#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    /// Behind a reverse proxy on this machine: believe X-Forwarded-For from
    /// 127.0.0.1 and ::1 (the older setting; `trusted_proxies` names them exactly).
    pub trust_forwarded_for: bool,
    /// The reverse proxies whose X-Forwarded-For is believed (addresses or networks);
    /// empty and `trust_forwarded_for` off: the header is ignored.
    pub trusted_proxies: Vec<crate::auth::client::TrustedProxy>,
    /// Served over HTTPS: mark cookies Secure.
    pub secure_cookies: bool,
    /// Run as if it were this instant (demo, rehearsal); None: the real clock.
    pub now: Option<chrono::DateTime<chrono::Utc>>,
    /// The reminder scheduler; None: no reminders from this instance.
    pub reminders: Option<crate::reminders::ReminderConfig>,
}

impl Settings {
    pub fn local(bind: SocketAddr) -> Settings {
        Settings {
            bind,
            trust_forwarded_for: false,
            trusted_proxies: Vec::new(),
            secure_cookies: false,
            now: None,
            reminders: None,
        }
    }

    /// The proxies believed: the list, or the loopback addresses for the older
    /// `trust_forwarded_for`.
    pub fn effective_trusted_proxies(&self) -> Vec<crate::auth::client::TrustedProxy> {
        if !self.trusted_proxies.is_empty() {
            self.trusted_proxies.clone()
        } else if self.trust_forwarded_for {
            crate::auth::client::TrustedProxy::loopback()
        } else {
            Vec::new()
        }
    }
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    reminders: Option<crate::reminders::Reminders>,
}

/// Every route of the app.
pub fn router(state: AppState, settings: &Settings) -> Router {
    let session_layer = SessionManagerLayer::new(DbSessionStore::new(&state.db))
        .with_name("phongtrao_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.secure_cookies)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(IDLE_MINUTES)));
    let auth_layer = AuthManagerLayerBuilder::new(Backend { db: state.db.clone() }, session_layer).build();
    let router = Router::new()
        .route("/", get(pages::overview::show))
        .route("/targets", get(pages::targets::show))
        .route("/dashboard", get(pages::dashboard::show))
        .route("/home", get(pages::home::show))
        .route("/calendar", get(pages::calendar::show))
        .route("/calendar.ics", get(pages::calendar::ics))
        .route("/dashboard/remind", post(pages::dashboard::remind))
        .route("/units", get(pages::units::list))
        .route("/units/{code}", get(pages::units::show))
        .route("/units/{code}/edit", get(pages::admin_units::edit_form).post(pages::admin_units::update))
        .route("/units/{code}/figures", post(pages::admin_units::set_figures))
        .route("/admin/units", post(pages::admin_units::create))
        .route("/admin/units/new", get(pages::admin_units::new_form))
        .route("/admin/units/import", get(pages::admin_units::import_form).post(pages::admin_units::import_preview))
        .route("/admin/units/import/{id}/confirm", post(pages::admin_units::import_confirm))
        .route("/admin/export/{file}", get(pages::admin_units::export))
        .route("/admin/users", get(pages::admin_users::list).post(pages::admin_users::create))
        .route("/admin/users/{id}", post(pages::admin_users::update))
        .route("/admin/users/{id}/reset", post(pages::admin_users::reset))
        .route("/audit", get(pages::audit::show))
        .route("/documents", get(pages::documents::show))
        .route("/documents/{file}", get(pages::documents::download))
        .route("/documents/texts/{doc}", post(pages::documents::save_texts))
        .route("/allocations", get(pages::allocations::show).post(pages::allocations::save))
        .route("/allocations/export.xlsx", get(pages::allocations::export))
        .route("/allocations/import", post(pages::allocations::import))
        .route("/admin/plan/import", get(pages::plan_import::form).post(pages::plan_import::upload))
        .route("/admin/plan/import/{id}", get(pages::plan_import::review).post(pages::plan_import::submit))
        .route("/reports", get(pages::reports::list))
        .route("/reports/{unit}/{period}", get(pages::reports::show).post(pages::reports::save))
        .route("/reports/{unit}/{period}/review", post(pages::reports::review))
        .route("/reports/{unit}/{period}/history", get(pages::reports::history))
        .route("/periods/{end}/{verb}", post(pages::reports::lock))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/account", get(pages::account::show))
        .route("/account/password", post(pages::account::change_password))
        .route("/account/tokens", post(pages::account::create_token))
        .route("/account/tokens/{id}/revoke", post(pages::account::revoke_token))
        .route("/lang/{code}", get(pages::lang::switch))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(crate::metrics::show))
        .route("/admin/reminders", get(pages::reminders::show))
        .route("/static/{*path}", get(assets::serve))
        .nest("/api/v1", api::router())
        .fallback(pages::not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn(csrf::verify))
        .layer(auth_layer);
    security::add_headers(router)
        .layer(CompressionLayer::new())
        .layer(DefaultBodyLimit::max(files::MAX_UPLOAD_BYTES + 64 * 1024))
        .layer(RequestBodyLimitLayer::new(files::MAX_UPLOAD_BYTES + 64 * 1024))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track))
        .layer(axum::middleware::from_fn(crate::request_id::tag))
}

impl Application {
    /// Binds the listener (port 0 picks a free port) and builds the router.
    pub async fn build(settings: &Settings, db: Db) -> std::io::Result<Application> {
        let listener = TcpListener::bind(settings.bind).await?;
        let address = listener.local_addr()?;
        let clock_offset = settings.now.map(|t| t - chrono::Utc::now()).unwrap_or_else(chrono::Duration::zero);
        let mut state = AppState::new(db.clone(), false, clock_offset);
        state.trusted_proxies = settings.effective_trusted_proxies();
        let reminders = match settings.reminders.clone().filter(|c| c.enabled) {
            Some(config) => {
                let r = crate::reminders::Reminders::new(db, config, state.metrics.clone())
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
                r.clone().spawn(clock_offset);
                Some(r)
            }
            None => None,
        };
        Ok(Application { listener, router: router(state, settings), address, reminders })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until Ctrl-C / SIGTERM, finishing requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await;
        if let Some(r) = &self.reminders {
            // Let another instance take the reminders over at once.
            if let Err(e) = r.release().await {
                tracing::warn!(error = %e, "cannot release the reminder lease");
            }
        }
        served
    }

    /// Serves until the process ends (tests).
    pub async fn run_forever(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>()).await
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
