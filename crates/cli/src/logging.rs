//! Logs on standard error: `--log-format text` (default, coloured on a terminal),
//! `plain`/`keyvalue` (no colours), or `json` (one JSON object per line: time, level,
//! target, message, the event's fields, and the request id of the request the event
//! belongs to).

use std::fmt;

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

pub fn init(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    if format == "json" {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .event_format(JsonLines)
            .init();
        return;
    }
    // NO_COLOR is honoured as tracing-subscriber's default does.
    let plain =
        format == "keyvalue" || format == "plain" || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    tracing_subscriber::fmt().with_env_filter(filter).with_ansi(!plain).with_writer(std::io::stderr).init();
}

struct JsonLines;

#[derive(Default)]
struct Fields(serde_json::Map<String, serde_json::Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_string(), serde_json::Value::String(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_string(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().to_string(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_string(), value.into());
    }
}

impl<S, N> FormatEvent<S, N> for JsonLines
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(&self, ctx: &FmtContext<'_, S, N>, mut writer: Writer<'_>, event: &Event<'_>) -> fmt::Result {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut line = serde_json::Map::new();
        line.insert(
            "time".into(),
            phongtrao_web::Clock::system().now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true).into(),
        );
        line.insert("level".into(), event.metadata().level().as_str().into());
        line.insert("target".into(), event.metadata().target().into());
        if let Some(message) = fields.0.remove("message") {
            line.insert("message".into(), message);
        }
        // The spans the event happened in, outermost first; `key=value` fields of the
        // request span (request_id, method, path) become fields of the line.
        if let Some(scope) = ctx.event_scope() {
            let mut names = Vec::new();
            for span in scope.from_root() {
                names.push(span.name().to_string());
                if let Some(formatted) = span.extensions().get::<FormattedFields<N>>() {
                    for pair in formatted.fields.split(' ') {
                        if let Some((k, v)) = pair.split_once('=') {
                            if matches!(k, "request_id" | "method" | "path") {
                                line.insert(k.to_string(), v.trim_matches('"').into());
                            }
                        }
                    }
                }
            }
            if !names.is_empty() {
                line.insert("spans".into(), names.join(":").into());
            }
        }
        for (k, v) in fields.0 {
            line.entry(k).or_insert(v);
        }
        writeln!(writer, "{}", serde_json::Value::Object(line))
    }
}
