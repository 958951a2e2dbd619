//! Where the data is: `--data-dir` / PHONGTRAO_DATA_DIR for the embedded SQLite file,
//! or DATABASE_URL for PostgreSQL (or another SQLite file). Every command that
//! touches the database takes the same options.

use std::path::PathBuf;
use std::str::FromStr;

use clap::Args;
use phongtrao_storage::{Db, DbOptions};
use sqlx::sqlite::SqliteConnectOptions;

#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// Directory of the embedded SQLite database (phongtrao.db).
    #[arg(long, env = "PHONGTRAO_DATA_DIR", default_value = "phongtrao-data")]
    pub data_dir: PathBuf,
    /// postgres://... (several app instances) or sqlite://FILE; overrides --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Seconds a request waits for a database connection before it fails (503)
    /// instead of hanging when the database is down; default 3 on PostgreSQL, 10 on
    /// SQLite.
    #[arg(long, env = "PHONGTRAO_DB_ACQUIRE_TIMEOUT", value_parser = parse_seconds)]
    pub db_acquire_timeout: Option<f64>,
    /// How many connections the SQLite pool may open for transactions, as many again
    /// for single statements, and at most as many kept for the reads a request makes
    /// on its own thread (readers run in parallel with the one writer).
    #[arg(long, env = "PHONGTRAO_SQLITE_CONNECTIONS", default_value_t = phongtrao_storage::DEFAULT_SQLITE_CONNECTIONS,
          value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub sqlite_connections: u32,
}

/// A positive number of seconds (fractions allowed: 0.5).
fn parse_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("\"{text}\": cần một số giây lớn hơn 0 / a number of seconds greater than 0 is needed")),
    }
}

impl DatabaseArgs {
    /// Where the data is, for messages (a password in the URL is never shown).
    pub fn describe(&self) -> String {
        match &self.database_url {
            Some(url) => mask_password(url),
            None => format!("SQLite {}", self.data_dir.join("phongtrao.db").display()),
        }
    }

    pub async fn connect(&self) -> Result<Db, phongtrao_storage::StorageError> {
        let options = self.options();
        match self.url() {
            Some(url) => Db::connect_with(url, &options).await,
            None => Db::open_data_dir_with(&self.data_dir, &options).await,
        }
    }

    /// The pool settings of these arguments (storage reads no environment itself).
    pub fn options(&self) -> DbOptions {
        DbOptions {
            acquire_timeout: self.db_acquire_timeout.map(std::time::Duration::from_secs_f64),
            sqlite_connections: self.sqlite_connections,
        }
    }

    fn url(&self) -> Option<&str> {
        self.database_url.as_deref().filter(|u| !u.trim().is_empty())
    }

    /// The PostgreSQL URL, when the data is in PostgreSQL.
    pub fn postgres_url(&self) -> Option<&str> {
        self.url().filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
    }

    /// The SQLite file `connect` opens (when the data is not in PostgreSQL), as
    /// sqlx reads the URL.
    pub fn sqlite_file(&self) -> Result<PathBuf, sqlx::Error> {
        match self.url() {
            Some(url) => Ok(SqliteConnectOptions::from_str(url)?.get_filename().to_path_buf()),
            None => Ok(self.data_dir.join("phongtrao.db")),
        }
    }
}

/// postgres://user:secret@host/db → postgres://user:***@host/db
pub fn mask_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_string();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backup_and_restore_use_the_file_the_server_opens() {
        let args = |url: Option<&str>| super::DatabaseArgs {
            data_dir: "data".into(),
            database_url: url.map(String::from),
            db_acquire_timeout: None,
            sqlite_connections: 16,
        };
        let file = |url| args(url).sqlite_file().expect("url");
        assert_eq!(file(None), std::path::Path::new("data/phongtrao.db"));
        assert_eq!(file(Some(" ")), std::path::Path::new("data/phongtrao.db"));
        assert_eq!(file(Some("sqlite:///srv/pt/x.db?mode=rwc")), std::path::Path::new("/srv/pt/x.db"));
        assert_eq!(file(Some("sqlite:///srv/Đoàn%20KG/x.db")), std::path::Path::new("/srv/Đoàn KG/x.db"));
        assert_eq!(args(Some("postgresql://u@h/db")).postgres_url(), Some("postgresql://u@h/db"));
        assert_eq!(args(Some("sqlite://x.db")).postgres_url(), None);
    }

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(super::mask_password("postgres://pt:s3cret@localhost/pt"), "postgres://pt:***@localhost/pt");
        assert_eq!(super::mask_password("sqlite://x.db"), "sqlite://x.db");
    }
}

/// Reminders: where they go and when (see docs/deploy.md).
#[derive(Args, Debug, Clone)]
pub struct ReminderArgs {
    /// SMTP server for reminder e-mails: smtp://[user:password@]host[:port].
    #[arg(long, env = "PHONGTRAO_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// The From address of reminder e-mails.
    #[arg(long, env = "PHONGTRAO_SMTP_FROM", default_value = "phongtrao <no-reply@localhost>")]
    pub smtp_from: String,
    /// A URL that receives each reminder as JSON (POST), e.g. a chat bot.
    #[arg(long, env = "PHONGTRAO_WEBHOOK_URL", hide_env_values = true)]
    pub webhook_url: Option<String>,
    /// Minutes before the deadline when units that have not submitted are reminded
    /// (420: Friday 09:00 for the 16:00 deadline).
    #[arg(long, env = "PHONGTRAO_REMIND_BEFORE_MINUTES", default_value_t = 420)]
    pub remind_before_minutes: i64,
    /// Minutes after the deadline when the missing units are reminded.
    #[arg(long, env = "PHONGTRAO_REMIND_AFTER_MINUTES", default_value_t = 0)]
    pub remind_after_minutes: i64,
    /// Turn the reminder scheduler off on this instance.
    #[arg(long, env = "PHONGTRAO_NO_REMINDERS")]
    pub no_reminders: bool,
}

impl ReminderArgs {
    pub fn config(&self) -> phongtrao_web::reminders::ReminderConfig {
        phongtrao_web::reminders::ReminderConfig {
            smtp_url: self.smtp_url.clone().filter(|s| !s.trim().is_empty()),
            smtp_from: self.smtp_from.clone(),
            webhook_url: self.webhook_url.clone().filter(|s| !s.trim().is_empty()),
            before: chrono::Duration::minutes(self.remind_before_minutes.max(0)),
            after: chrono::Duration::minutes(self.remind_after_minutes.max(0)),
            enabled: !self.no_reminders,
            ..Default::default()
        }
    }
}

/// A refusal whose cause a restart cannot fix (the schema is newer than this binary,
/// or not migrated yet): the process exits with `code` (see docs/deploy.md,
/// `RestartPreventExitStatus=3`), not 1, so that systemd does not restart it in a loop.
#[derive(Debug)]
pub struct Refusal {
    pub code: u8,
    pub message: String,
}

/// The exit status of a schema refusal.
pub const EXIT_SCHEMA: u8 = 3;
/// The exit status of a refusal because app instances are serving.
pub const EXIT_IN_USE: u8 = 4;

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

/// `--campaign CODE`: the campaign a command reads or writes.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct CampaignArg {
    /// The campaign (its code, see `phongtrao campaign list`); default: the default
    /// campaign (the one the office made current).
    #[arg(long, env = "PHONGTRAO_CAMPAIGN")]
    pub campaign: Option<String>,
}

impl CampaignArg {
    /// The campaign named, or the default one; an unknown code is refused in both
    /// languages.
    pub async fn resolve(
        &self,
        db: &phongtrao_storage::Db,
    ) -> Result<phongtrao_storage::campaigns::StoredCampaign, String> {
        phongtrao_web::campaign_choice::resolve(db, None, self.campaign.as_deref())
            .await
            .map_err(|f| format!("{} / {}", f.vi, f.en))
    }
}
