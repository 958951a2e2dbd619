//! Where the data is: `--data-dir` / PHONGTRAO_DATA_DIR for the embedded SQLite file,
//! or DATABASE_URL for PostgreSQL (or another SQLite file). Every command that
//! touches the database takes the same options.

use std::path::PathBuf;

use clap::Args;
use phongtrao_storage::Db;

#[derive(Args, Debug, Clone)]
pub struct DatabaseArgs {
    /// Directory of the embedded SQLite database (phongtrao.db).
    #[arg(long, env = "PHONGTRAO_DATA_DIR", default_value = "phongtrao-data")]
    pub data_dir: PathBuf,
    /// postgres://... (several app instances) or sqlite://FILE; overrides --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
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
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => Db::connect(url).await,
            _ => Db::open_data_dir(&self.data_dir).await,
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
    fn passwords_in_urls_are_masked() {
        assert_eq!(super::mask_password("postgres://pt:s3cret@localhost/pt"), "postgres://pt:***@localhost/pt");
        assert_eq!(super::mask_password("sqlite://x.db"), "sqlite://x.db");
    }
}
