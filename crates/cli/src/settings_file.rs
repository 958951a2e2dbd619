//! Configuration by file and environment. `--config FILE` (or PHONGTRAO_CONFIG)
//! names a TOML file of flat keys; each key fills its environment variable unless
//! that variable is already set, so the order is: command-line flag, then
//! environment, then file, then the default. `phongtrao config` prints the
//! effective values with passwords in URLs masked.

use std::path::Path;

/// Every setting: its file key, its environment variable, its default, and whether
/// its value is a URL that may hold a password.
pub const SETTINGS: &[(&str, &str, &str, bool)] = &[
    ("data_dir", "PHONGTRAO_DATA_DIR", "phongtrao-data", false),
    ("database_url", "DATABASE_URL", "", true),
    ("bind", "PHONGTRAO_BIND", "127.0.0.1:8080", false),
    ("trust_forwarded_for", "PHONGTRAO_TRUST_FORWARDED_FOR", "false", false),
    ("trusted_proxy", "PHONGTRAO_TRUSTED_PROXY", "", false),
    ("secure_cookies", "PHONGTRAO_SECURE_COOKIES", "false", false),
    ("now", "PHONGTRAO_NOW", "", false),
    ("smtp_url", "PHONGTRAO_SMTP_URL", "", true),
    ("smtp_from", "PHONGTRAO_SMTP_FROM", "phongtrao <no-reply@localhost>", false),
    ("webhook_url", "PHONGTRAO_WEBHOOK_URL", "", true),
    ("remind_before_minutes", "PHONGTRAO_REMIND_BEFORE_MINUTES", "420", false),
    ("remind_after_minutes", "PHONGTRAO_REMIND_AFTER_MINUTES", "0", false),
    ("no_reminders", "PHONGTRAO_NO_REMINDERS", "false", false),
    ("log_format", "PHONGTRAO_LOG_FORMAT", "text", false),
    ("token_days", "PHONGTRAO_TOKEN_DAYS", "90", false),
    ("metrics_token", "PHONGTRAO_METRICS_TOKEN", "", true),
    ("metrics_bind", "PHONGTRAO_METRICS_BIND", "", false),
    ("max_connections", "PHONGTRAO_MAX_CONNECTIONS", "768", false),
    ("header_timeout_seconds", "PHONGTRAO_HEADER_TIMEOUT_SECONDS", "10", false),
    ("db_acquire_timeout", "PHONGTRAO_DB_ACQUIRE_TIMEOUT", "", false),
    ("sqlite_connections", "PHONGTRAO_SQLITE_CONNECTIONS", "16", false),
    ("log", "RUST_LOG", "info,sqlx=warn,tower_http=info", false),
];

/// The file named by `--config FILE` / `--config=FILE` in the arguments, or PHONGTRAO_CONFIG.
pub fn config_path(args: &[String]) -> Option<String> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--config" {
            return it.next().cloned();
        }
        if let Some(v) = a.strip_prefix("--config=") {
            return Some(v.to_string());
        }
    }
    std::env::var("PHONGTRAO_CONFIG").ok().filter(|s| !s.is_empty())
}

/// Reads the file and sets the environment variables it fills; returns the keys
/// it set. Unknown keys are an error (a typo must not be silently ignored).
pub fn apply(path: &Path) -> Result<Vec<&'static str>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut set = Vec::new();
    for (key, value) in &table {
        let Some((_, env, _, _)) = SETTINGS.iter().find(|(k, ..)| k == key) else {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.0).collect();
            return Err(format!("{}: khóa lạ / unknown key \"{key}\" (known: {})", path.display(), known.join(", ")));
        };
        let value = match value {
            toml::Value::String(s) => s.clone(),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => return Err(format!("{}: {key}: {other} is not a string, number or boolean", path.display())),
        };
        if std::env::var_os(env).is_none() {
            // Single-threaded here: main() calls this before starting the runtime.
            std::env::set_var(env, value);
            set.push(*env);
        }
    }
    Ok(set)
}

/// `phongtrao config`: the effective value of every setting and where it comes from.
pub fn print(from_file: &[&str], file: Option<&str>) {
    println!("# phongtrao: cấu hình hiệu lực / effective configuration");
    if let Some(f) = file {
        println!("# file: {f}");
    }
    for (key, env, default, secret) in SETTINGS {
        let (value, source) = match std::env::var(env) {
            Ok(v) if from_file.contains(env) => (v, "file"),
            Ok(v) => (v, "env"),
            Err(_) => (effective_default(key, default), "default"),
        };
        let shown = if *secret { mask(&value) } else { value };
        println!("{key} = {shown:?}  # {env}, {source}");
    }
}

/// The value a setting without a value takes: its default, or for the database
/// acquire timeout the backend's own (3 s on PostgreSQL, 10 s on SQLite).
fn effective_default(key: &str, default: &str) -> String {
    if key != "db_acquire_timeout" {
        return default.to_string();
    }
    let postgres = std::env::var("DATABASE_URL")
        .is_ok_and(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"));
    let backend = if postgres { phongtrao_storage::Backend::Postgres } else { phongtrao_storage::Backend::Sqlite };
    phongtrao_storage::default_acquire_timeout(backend).as_secs().to_string()
}

/// Passwords in URLs → ***; a URL's query values named like secrets too.
pub fn mask(value: &str) -> String {
    let masked = crate::config::mask_password(value);
    match masked.split_once('?') {
        Some((base, query)) => {
            let parts: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((k, _))
                        if ["password", "token", "secret", "key"].iter().any(|s| k.to_lowercase().contains(s)) =>
                    {
                        format!("{k}=***")
                    }
                    _ => p.to_string(),
                })
                .collect();
            format!("{base}?{}", parts.join("&"))
        }
        None => masked,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_masked() {
        assert_eq!(super::mask("smtp://bot:hunter2@mail.local:25"), "smtp://bot:***@mail.local:25");
        assert_eq!(super::mask("https://chat.local/hook?token=abc&x=1"), "https://chat.local/hook?token=***&x=1");
        assert_eq!(super::mask(""), "");
    }

    /// The table says what `phongtrao serve` does: each key is a flag of `serve` with
    /// the same environment variable and default (the log settings are read by main).
    #[test]
    fn every_setting_is_the_serve_flag_of_the_same_name_with_its_variable_and_default() {
        use clap::CommandFactory;
        let mut cli = crate::Cli::command();
        cli.build();
        let serve = cli.find_subcommand("serve").expect("serve");
        for (key, env, default, _) in super::SETTINGS {
            if matches!(*key, "log" | "log_format") {
                continue;
            }
            let long = key.replace('_', "-");
            let arg = serve.get_arguments().find(|a| a.get_long() == Some(long.as_str())).expect(key);
            assert_eq!(arg.get_env().and_then(|e| e.to_str()), Some(*env), "{key}");
            let defaults: Vec<String> =
                arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
            assert_eq!(defaults.first().map(String::as_str).unwrap_or(""), *default, "{key}");
        }
    }
}
