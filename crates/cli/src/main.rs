//! `phongtrao`: one binary for the server and every command.
#![deny(clippy::unwrap_used)]

mod commands;
mod config;
mod logging;
mod security_args;
mod settings_file;
mod version;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::DatabaseArgs;

#[derive(Parser)]
#[command(
    name = "phongtrao",
    version = version::LONG,
    about = "Theo dõi phong trào Đoàn từ kế hoạch đến báo cáo tổng kết / Youth Union campaigns from the plan to the final report"
)]
struct Cli {
    /// A TOML file of settings (keys: see `phongtrao config`); flags and environment
    /// variables win over it.
    #[arg(long, global = true, env = "PHONGTRAO_CONFIG")]
    config: Option<std::path::PathBuf>,
    /// Log lines on standard error: text (default), plain (no colours) or json (one
    /// object per line, with the request id).
    #[arg(long, global = true, env = "PHONGTRAO_LOG_FORMAT", default_value = "text")]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (creates and fills the database on first start).
    Serve {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Address to listen on.
        #[arg(long, env = "PHONGTRAO_BIND", default_value = "127.0.0.1:8080")]
        bind: std::net::SocketAddr,
        /// Behind a reverse proxy on this machine: same as --trusted-proxy 127.0.0.1,::1.
        #[arg(long, env = "PHONGTRAO_TRUST_FORWARDED_FOR")]
        trust_forwarded_for: bool,
        /// The reverse proxies whose X-Forwarded-For header is believed, comma-separated
        /// addresses or networks (127.0.0.1,::1 for nginx on the same machine). The client
        /// is the right-most address of the header that is not one of them.
        #[arg(long, env = "PHONGTRAO_TRUSTED_PROXY", default_value = "", value_parser = parse_proxies)]
        trusted_proxy: ProxyList,
        /// Served over HTTPS (by a proxy): mark cookies Secure.
        #[arg(long, env = "PHONGTRAO_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Run as if it were this time (RFC 3339, e.g. 2023-03-10T09:00:00+07:00): for
        /// rehearsals and demos of a past campaign. Every instance must get the same value.
        #[arg(long, env = "PHONGTRAO_NOW")]
        now: Option<chrono::DateTime<chrono::FixedOffset>>,
        /// Demo mode: fill the campaign with simulated reports (clearly labelled) first.
        #[arg(long)]
        demo: bool,
        /// Apply pending migrations to a PostgreSQL database before serving (one
        /// instance only; otherwise run `phongtrao migrate` with every instance stopped).
        #[arg(long)]
        migrate: bool,
        #[command(flatten)]
        reminders: config::ReminderArgs,
        #[command(flatten)]
        security: security_args::SecurityArgs,
    },
    /// Fill the running campaign with simulated reports, clearly labelled as such.
    Demo {
        /// Seed of the simulation (the same seed gives the same reports).
        #[arg(long, default_value_t = 2023)]
        seed: u64,
        /// province: the Kiên Giang plan and units; national: about 100,000 simulated
        /// units, a national plan with 63 provinces' own plans beneath it (needs a new
        /// data directory).
        #[arg(long, value_enum, default_value_t = commands::demo::Scale::Province)]
        scale: commands::demo::Scale,
        /// National scale: how many of the 10 weekly periods to fill.
        #[arg(long, default_value_t = 10)]
        periods: u32,
        /// National scale: how many of the 63 provinces run a plan of their own (default all).
        #[arg(long)]
        own_plans: Option<usize>,
        /// National scale: about this many units in all (default about 100,000).
        #[arg(long)]
        tree_units: Option<usize>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Recompute every consolidated figure of the running campaign from the raw reports.
    Rebuild {
        #[command(flatten)]
        campaign: config::CampaignArg,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Apply database migrations and load the built-in plan and units, then exit.
    /// Refuses while app instances use the database (stop them first) unless --force.
    Migrate {
        /// Migrate even though app instances seem to be serving.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// The unit tree: reorganise it (sáp nhập, chia tách) from the state's files.
    Units {
        #[command(subcommand)]
        command: commands::units::UnitsCommand,
    },
    /// Accounts: add, new password, list.
    User {
        #[command(subcommand)]
        command: commands::user::UserCommand,
    },
    /// Campaigns: `campaign new-from CODE --year 2024` (a new campaign from an earlier one).
    Campaign {
        #[command(subcommand)]
        command: commands::campaign::CampaignCommand,
    },
    /// Allocate a count goal among a unit's children (giao chỉ tiêu), or show it.
    Allocate {
        /// The indicator's key ("17").
        #[arg(long)]
        indicator: String,
        /// The unit whose goal is split (default: the province).
        #[arg(long)]
        parent: Option<String>,
        /// Split proportionally to this base figure (doan_vien, thanh_nien, ...).
        #[arg(long)]
        by: Option<String>,
        /// Set by hand: CODE=NUMBER,CODE=NUMBER.
        #[arg(long)]
        set: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        campaign: config::CampaignArg,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Consolidated progress of a unit's subtree (the province by default).
    Progress {
        #[arg(long)]
        unit: Option<String>,
        /// Cumulative up to this day (YYYY-MM-DD); default today, or the campaign's end.
        #[arg(long)]
        at: Option<chrono::NaiveDate>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        campaign: config::CampaignArg,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Documents: the final report, a weekly report, the workbook, the plan, CSV tables.
    Export {
        /// final-report, weekly-report, workbook, plan, or a table: targets.csv,
        /// units.csv, timeliness.csv, activities.csv, notes.csv.
        what: String,
        /// The weekly report's period (its last day); for the others, figures up to it.
        #[arg(long)]
        period_end: Option<chrono::NaiveDate>,
        /// The unit whose subtree is reported (default: the province).
        #[arg(long)]
        unit: Option<String>,
        /// Cumulative up to this day (default: today, or the campaign's end).
        #[arg(long)]
        at: Option<chrono::NaiveDate>,
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        campaign: config::CampaignArg,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Reports: submit from a JSON file, list.
    Report {
        #[command(subcommand)]
        command: commands::report::ReportCommand,
    },
    /// Copy the database to FILE while the server runs (SQLite: VACUUM INTO, checked
    /// with integrity_check; PostgreSQL: pg_dump).
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: std::path::PathBuf,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Replace the database with a backup (stop the servers first): the backup is
    /// restored into a new database (file), checked, and only then put in place; the
    /// previous database is kept until the office deletes it.
    Restore {
        /// The backup file.
        file: std::path::PathBuf,
        /// Restore even though app instances seem to be serving (PostgreSQL: their
        /// connections are ended).
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Print the effective configuration (file, environment, defaults), secrets masked.
    Config,
    /// Plan files: check one.
    Plan {
        #[command(subcommand)]
        command: commands::plan::PlanCommand,
    },
}

/// The parsed `--trusted-proxy` list.
#[derive(Debug, Clone, Default)]
struct ProxyList(Vec<phongtrao_web::auth::client::TrustedProxy>);

fn parse_proxies(s: &str) -> Result<ProxyList, String> {
    phongtrao_web::auth::client::TrustedProxy::parse_list(s).map(ProxyList)
}

/// mimalloc rather than the system's allocator (#24: many small allocations per
/// request; malloc and free were 13% of the CPU of a submission under glibc).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let config_file = settings_file::config_path(&args);
    let from_file = match config_file.as_deref().map(|f| settings_file::apply(std::path::Path::new(f))) {
        Some(Ok(set)) => set,
        Some(Err(e)) => {
            eprintln!("Lỗi cấu hình / configuration error: {e}");
            return ExitCode::FAILURE;
        }
        None => Vec::new(),
    };
    let cli = Cli::parse();
    logging::init(&cli.log_format);
    phongtrao_web::metrics::set_build_info(version::VERSION, version::COMMIT);
    let _ = &cli.config;
    if let Command::Config = cli.command {
        settings_file::print(&from_file, config_file.as_deref());
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("không khởi động được / cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve {
                db,
                bind,
                trust_forwarded_for,
                trusted_proxy,
                secure_cookies,
                now,
                demo,
                migrate,
                reminders,
                security,
            } => {
                let now = now.map(|t| t.with_timezone(&chrono::Utc));
                let settings = phongtrao_web::Settings {
                    trust_forwarded_for,
                    trusted_proxies: trusted_proxy.0,
                    secure_cookies,
                    now,
                    reminders: Some(reminders.config()),
                    security: security.settings(),
                    ..phongtrao_web::Settings::local(bind)
                };
                commands::serve::run(db, settings, demo, migrate).await
            }
            Command::Demo { seed, scale, periods, own_plans, tree_units, db } => {
                commands::demo::run(db, seed, scale, periods, own_plans, tree_units).await
            }
            Command::Migrate { db, force } => commands::serve::migrate(db, force).await,
            Command::Rebuild { campaign, db } => commands::rebuild::run(db, campaign).await,
            Command::Plan { command } => commands::plan::run(command),
            Command::Config => Ok(ExitCode::SUCCESS),
            Command::Backup { out, db } => commands::backup::backup(db, out).await,
            Command::Restore { file, force, db } => commands::backup::restore(db, file, force).await,
            Command::User { command } => commands::user::run(command).await,
            Command::Campaign { command } => commands::campaign::run(command).await,
            Command::Units { command } => commands::units::run(command).await,
            Command::Report { command } => commands::report::run(command).await,
            Command::Progress { unit, at, json, campaign, db } => {
                commands::progress::run(unit, at, json, campaign, db).await
            }
            Command::Export { what, period_end, unit, at, out, campaign, db } => {
                commands::export::run(commands::export::ExportArgs { what, unit, period_end, at, out }, campaign, db)
                    .await
            }
            Command::Allocate { indicator, parent, by, set, json, campaign, db } => {
                commands::allocate::run(
                    commands::allocate::AllocateArgs { indicator, parent, by, set, json },
                    campaign,
                    db,
                )
                .await
            }
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("Lỗi / error: {e}");
            match e.downcast_ref::<config::Refusal>() {
                Some(refusal) => ExitCode::from(refusal.code),
                None => ExitCode::FAILURE,
            }
        }
    }
}
