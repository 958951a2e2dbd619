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
    /// Token lifetime, /metrics access, connection limits (issue #15).
    pub security: crate::security::SecuritySettings,
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
            security: Default::default(),
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
    security: crate::security::SecuritySettings,
    /// The separate /metrics listener (`--metrics-bind`).
    metrics_listener: Option<(TcpListener, Router)>,
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
        .route("/campaigns", get(pages::campaigns::list))
        .route("/campaigns/choose", get(pages::campaigns::choose))
        .route("/campaigns/{code}/status", post(pages::campaigns::set_status))
        .route("/campaigns/{code}/members", post(pages::campaigns::set_members))
        .route("/campaigns/{code}/deadline", post(pages::campaigns::set_deadline_rule))
        .route("/targets/base-complete", post(pages::targets::mark_base_complete))
        .route("/dashboard", get(pages::dashboard::show))
        .route("/home", get(pages::home::show))
        .route("/calendar", get(pages::calendar::show))
        .route("/calendar.ics", get(pages::calendar::ics))
        .route("/dashboard/remind", post(pages::dashboard::remind))
        .route("/units", get(pages::units::list))
        .route("/units/{code}", get(pages::units::show))
        .route("/units/{code}/edit", get(pages::admin_units::edit_form).post(pages::admin_units::update))
        .route("/units/{code}/figures", post(pages::admin_units::set_figures))
        .route("/units/{code}/contact", post(pages::units::save_contact))
        .route("/admin/units", post(pages::admin_units::create))
        .route("/admin/units/new", get(pages::admin_units::new_form))
        .route("/admin/units/import", get(pages::admin_units::import_form).post(pages::admin_units::import_preview))
        .route("/admin/units/import/{id}/confirm", post(pages::admin_units::import_confirm))
        .route("/admin/units/reorganise", get(pages::unit_history::form).post(pages::unit_history::preview))
        .route("/admin/units/reorganise/{id}/confirm", post(pages::unit_history::confirm))
        .route("/admin/export/{file}", get(pages::admin_units::export))
        .route("/admin/users", get(pages::admin_users::list).post(pages::admin_users::create))
        .route("/admin/users/import", get(pages::accounts_bulk::form).post(pages::accounts_bulk::preview))
        .route("/admin/users/import/template.xlsx", get(pages::accounts_bulk::template))
        .route("/admin/users/import/{id}/confirm", post(pages::accounts_bulk::confirm))
        .route("/admin/users/bulk", post(pages::accounts_bulk::bulk))
        .route("/campaigns/new", get(pages::campaign_new::form).post(pages::campaign_new::preview))
        .route("/campaigns/new/confirm", post(pages::campaign_new::confirm))
        .route("/admin/users/{id}", post(pages::admin_users::update))
        .route("/admin/users/{id}/reset", post(pages::admin_users::reset))
        .route("/audit", get(pages::audit::show))
        .route("/emulation", get(pages::emulation::ranking))
        .route("/emulation/ranking.xlsx", get(pages::emulation::ranking_xlsx))
        .route("/emulation/criteria", get(pages::emulation::criteria).post(pages::emulation::save_criteria))
        .route("/emulation/criteria/default", post(pages::emulation::default_criteria))
        .route("/emulation/criteria/import", post(pages::emulation::import_criteria))
        .route("/emulation/settings", post(pages::emulation::save_settings))
        .route("/emulation/self", get(pages::emulation::self_form).post(pages::emulation::save_self))
        .route("/emulation/review", get(pages::emulation::review_form).post(pages::emulation::save_review))
        .route("/emulation/clusters", get(pages::emulation::clusters).post(pages::emulation::save_clusters))
        .route("/emulation/awards", get(pages::commendations::awards).post(pages::commendations::save_awards))
        .route("/emulation/awards/default", post(pages::commendations::default_awards))
        .route("/emulation/nominations", get(pages::commendations::nominations).post(pages::commendations::nominate))
        .route("/emulation/nominations/{id}", post(pages::commendations::resubmit))
        .route("/emulation/nominations/{id}/review", post(pages::commendations::review))
        .route("/emulation/nominations/documents/{file}", get(pages::commendations::document))
        .route("/audit/{file}", get(pages::audit::export))
        .route("/documents", get(pages::documents::show))
        .route("/documents/{file}", get(pages::documents::download))
        .route("/documents/texts/{doc}", post(pages::documents::save_texts))
        .route("/allocations", get(pages::allocations::show).post(pages::allocations::save))
        .route("/allocations/export.xlsx", get(pages::allocations::export))
        .route("/allocations/import", post(pages::allocations::import))
        .route("/allocations/import/{id}/confirm", post(pages::allocations::import_confirm))
        .route("/admin/plan/import", get(pages::plan_import::form).post(pages::plan_import::upload))
        .route("/admin/plan/import/{id}", get(pages::plan_edit::old_address))
        .route("/admin/plan/new", post(pages::plan_edit::start_new))
        .route("/admin/plan/drafts/{id}", get(pages::plan_edit::show).post(pages::plan_edit::submit))
        .route("/admin/plan/drafts/{id}/check", post(pages::plan_edit::live))
        .route("/admin/plan/drafts/{id}/plan.toml", get(pages::plan_edit::download))
        .route("/campaigns/{code}/plan", get(pages::plan_amend_edit::versions))
        .route("/campaigns/{code}/plan/amend", post(pages::plan_amend_edit::start))
        .route(
            "/attachments",
            post(pages::attachments::upload).layer(DefaultBodyLimit::max(pages::attachments::MAX_REQUEST_BYTES)),
        )
        .route("/attachments/{id}", get(pages::attachments::show))
        .route("/attachments/{id}/thumb", get(pages::attachments::thumb))
        .route("/attachments/{id}/delete", post(pages::attachments::delete))
        .route("/reports", get(pages::reports::list))
        .route("/reports/{unit}/{period}", get(pages::reports::show).post(pages::reports::save))
        .route("/reports/{unit}/{period}/review", post(pages::reports::review))
        .route("/reports/{unit}/{period}/history", get(pages::reports::history))
        .route("/reports/{unit}/{period}/up", get(pages::unit_plan::show_up).post(pages::unit_plan::submit_up))
        .route("/campaigns/{code}/units/{unit}/plan", get(pages::unit_plan::show).post(pages::unit_plan::start))
        .route("/unit-plan", get(pages::unit_plan::mine))
        .route("/events", get(pages::events::show))
        .route("/events/{number}", post(pages::events::record_province))
        .route("/events/units/{code}/{kind}", post(pages::events::record_unit))
        .route("/review", get(pages::review::show))
        .route("/review/accept", post(pages::review::accept))
        .route("/periods/{end}/{verb}", post(pages::reports::lock))
        .route("/login", get(pages::login::show).post(pages::login::submit))
        .route("/logout", post(pages::login::logout))
        .route("/account", get(pages::account::show))
        .route("/account/password", post(pages::account::change_password))
        .route("/account/notices", post(pages::submit_notices::set_prefs))
        .route("/notices/read", post(pages::submit_notices::mark_read))
        .route("/account/tokens", post(pages::account::create_token))
        .route("/account/tokens/{id}/revoke", post(pages::account::revoke_token))
        .route("/admin/tokens", get(pages::account::admin_tokens))
        .route("/admin/tokens/{id}/revoke", post(pages::account::admin_revoke_token))
        .route("/lang/{code}", get(pages::lang::switch))
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(crate::security::metrics))
        .route("/admin/reminders", get(pages::reminders::show))
        .route("/admin/reminders/send", post(pages::reminders::send))
        .route("/static/{*path}", get(assets::serve))
        .nest("/api/v1", api::router())
        .fallback(pages::not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(state.clone(), csrf::verify))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::auth::gate::gate))
        .layer(auth_layer);
    let router = hardened(router);
    security::add_headers(router, settings.secure_cookies)
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), crate::metrics::track))
        .layer(axum::middleware::from_fn(crate::request_id::tag))
}

/// Security (issue #15): no-store on sensitive answers, the body limits, and the
/// layer-made errors dressed in the app's shape (inside the security headers).
fn hardened(router: Router) -> Router {
    router
        .layer(axum::middleware::from_fn(security::no_store))
        .layer(DefaultBodyLimit::max(files::MAX_UPLOAD_BYTES + 64 * 1024))
        // The outer bound is the largest any route takes (an attachment upload, 10 MB
        // a file); every other route's extractors stay bounded by DefaultBodyLimit.
        .layer(RequestBodyLimitLayer::new(
            (files::MAX_UPLOAD_BYTES + 64 * 1024).max(pages::attachments::MAX_REQUEST_BYTES),
        ))
        .layer(axum::middleware::from_fn(declared_body_limit))
        .layer(axum::middleware::from_fn(security::dress_layer_errors))
}

/// A body whose declared length is over its route's bound is refused at once (413),
/// before anything reads it: 10 MB + 256 KB for an attachment upload, 5 MB + 64 KB
/// elsewhere.
async fn declared_body_limit(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if pages::attachments::is_upload_path(request.uri().path()) {
        pages::attachments::MAX_REQUEST_BYTES
    } else {
        files::MAX_UPLOAD_BYTES + 64 * 1024
    };
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return axum::http::StatusCode::PAYLOAD_TOO_LARGE.into_response();
    }
    next.run(request).await
}

/// Security (issue #15): expired sessions are deleted every 10 minutes.
fn spawn_session_cleanup(db: &Db) {
    use tower_sessions::session_store::ExpiredDeletion;
    let store = DbSessionStore::new(db);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(e) = store.delete_expired().await {
                tracing::warn!(error = %e, "cannot delete expired sessions");
            }
        }
    });
}

/// Security (issue #15): the router of the separate /metrics address.
fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(crate::metrics::show)).with_state(state)
}

impl Application {
    /// Binds the listener (port 0 picks a free port) and builds the router.
    pub async fn build(settings: &Settings, db: Db) -> std::io::Result<Application> {
        let listener = TcpListener::bind(settings.bind).await?;
        let address = listener.local_addr()?;
        let clock = settings.now.map(crate::Clock::starting_at).unwrap_or_default();
        let mut state = AppState::new(db.clone(), false, clock.offset());
        state.configure(|s| {
            s.trusted_proxies = settings.effective_trusted_proxies();
            s.security = std::sync::Arc::new(settings.security.clone());
        });
        let metrics_listener = match settings.security.metrics_bind {
            Some(bind) => Some((TcpListener::bind(bind).await?, metrics_router(state.clone()))),
            None => None,
        };
        let reminders = match settings.reminders.clone().filter(|c| c.enabled) {
            Some(config) => {
                let r = crate::reminders::Reminders::new(db, config, state.metrics.clone())
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
                r.clone().spawn(clock);
                Some(r)
            }
            None => None,
        };
        let security = settings.security.clone();
        spawn_session_cleanup(&state.db);
        Ok(Application { listener, router: router(state, settings), address, reminders, security, metrics_listener })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until Ctrl-C / SIGTERM, finishing requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        if let Some((listener, router)) = self.metrics_listener {
            tokio::spawn(async move { axum::serve(listener, router).await });
        }
        let served = crate::connections::serve(self.listener, self.router, &self.security, shutdown_signal()).await;
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
        if let Some((listener, router)) = self.metrics_listener {
            tokio::spawn(async move { axum::serve(listener, router).await });
        }
        crate::connections::serve(self.listener, self.router, &self.security, std::future::pending()).await
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
