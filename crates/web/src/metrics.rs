//! Prometheus metrics, written by hand in the text exposition format: HTTP requests
//! by route and status, request latency, report submissions, reminder runs and
//! reminders sent. Counters of this app instance since it started (Prometheus adds
//! the instances up).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

static BUILD_INFO: std::sync::OnceLock<(&'static str, &'static str)> = std::sync::OnceLock::new();

/// Sets the version and commit shown by `phongtrao_build_info` (the binary's, from
/// its build script); without it, this crate's version and "unknown".
pub fn set_build_info(version: &'static str, commit: &'static str) {
    let _ = BUILD_INFO.set((version, commit));
}

fn build_info() -> (&'static str, &'static str) {
    BUILD_INFO.get().copied().unwrap_or((env!("CARGO_PKG_VERSION"), "unknown"))
}

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → count
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// route class → latency histogram
    latency: Mutex<BTreeMap<&'static str, Histogram>>,
    pub report_submissions: AtomicU64,
    pub reminder_runs: AtomicU64,
    pub reminders_sent: AtomicU64,
    pub reminders_failed: AtomicU64,
}

/// The class of a route, for the latency histogram.
fn class_of(route: &str) -> &'static str {
    if route.starts_with("/api/") {
        "api"
    } else if route.starts_with("/static/") {
        "static"
    } else if route == "/healthz" || route == "/metrics" {
        "ops"
    } else if route == "unmatched" {
        "unmatched"
    } else {
        "page"
    }
}

impl Metrics {
    pub fn new() -> Arc<Metrics> {
        Arc::new(Metrics::default())
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((method.to_string(), route.to_string(), status)).or_insert(0) += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            let h = latency.entry(class_of(route)).or_default();
            for (i, bound) in BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.buckets[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The text exposition format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP phongtrao_build_info The version and git commit of this app instance.\n");
        out.push_str("# TYPE phongtrao_build_info gauge\n");
        let (version, commit) = build_info();
        let _ =
            writeln!(out, "phongtrao_build_info{{version=\"{}\",commit=\"{}\"}} 1", escape(version), escape(commit));
        out.push_str("# HELP phongtrao_http_requests_total HTTP requests by method, route and status.\n");
        out.push_str("# TYPE phongtrao_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((method, route, status), n) in requests.iter() {
                let _ = writeln!(
                    out,
                    "phongtrao_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(method),
                    escape(route)
                );
            }
        }
        out.push_str("# HELP phongtrao_http_request_duration_seconds Time to answer a request, by route class.\n");
        out.push_str("# TYPE phongtrao_http_request_duration_seconds histogram\n");
        if let Ok(latency) = self.latency.lock() {
            for (class, h) in latency.iter() {
                for (i, bound) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "phongtrao_http_request_duration_seconds_bucket{{class=\"{class}\",le=\"{bound}\"}} {}",
                        h.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "phongtrao_http_request_duration_seconds_bucket{{class=\"{class}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "phongtrao_http_request_duration_seconds_sum{{class=\"{class}\"}} {}", h.sum);
                let _ = writeln!(out, "phongtrao_http_request_duration_seconds_count{{class=\"{class}\"}} {}", h.count);
            }
        }
        for (name, help, counter) in [
            (
                "phongtrao_report_submissions_total",
                "Weekly reports submitted (first or later submission).",
                &self.report_submissions,
            ),
            ("phongtrao_reminder_runs_total", "Reminder scheduler runs that held the lease.", &self.reminder_runs),
            ("phongtrao_reminders_sent_total", "Reminders delivered by at least one channel.", &self.reminders_sent),
            ("phongtrao_reminders_failed_total", "Reminders whose e-mail or webhook failed.", &self.reminders_failed),
        ] {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// The method as a metrics label: the methods HTTP defines, and "other" for any
/// method a client makes up (which would otherwise grow the counters without bound).
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Middleware: counts every request and times it.
pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method()).to_string();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let response = next.run(request).await;
    metrics.observe(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

/// GET /metrics
pub async fn show(State(state): State<crate::AppState>) -> Response {
    ([(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render()).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_made_up_method_is_counted_as_other() {
        let made_up = axum::http::Method::from_bytes(b"BREW").unwrap();
        assert_eq!(super::method_label(&made_up), "other");
        assert_eq!(super::method_label(&axum::http::Method::POST), "POST");
    }
}
