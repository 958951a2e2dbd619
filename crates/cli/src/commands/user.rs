//! `phongtrao user add|passwd|list`: accounts from the command line (audited as "cli").

use std::process::ExitCode;

use clap::Subcommand;
use phongtrao_domain::role::Role;
use phongtrao_storage::audit::Who;
use phongtrao_storage::{units, users};
use phongtrao_web::actions::accounts_bulk;
use phongtrao_web::password;

use crate::config::DatabaseArgs;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account; prints its one-time password.
    Add {
        username: String,
        /// admin, steering, unit or viewer.
        #[arg(long)]
        role: String,
        /// Unit codes, comma separated (e.g. 899,903).
        #[arg(long, default_value = "")]
        units: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// E-mail address for reminders (the unit's reminders go to its accounts).
        #[arg(long)]
        email: Option<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Give an account a new one-time password (printed once).
    Passwd {
        username: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Create accounts from a list (.xlsx or .csv: unit, name, e-mail, phone, optional
    /// user name and role). Without --yes it only checks and shows what it would create;
    /// with --yes it creates all of them (or none) and writes the one-time passwords.
    Import {
        file: std::path::PathBuf,
        /// Create the accounts (else only check the list).
        #[arg(long)]
        yes: bool,
        /// Write the one-time passwords to this CSV file (mode 0600) instead of printing them.
        #[arg(long)]
        slips: Option<std::path::PathBuf>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Deactivate accounts (end of a term): they can no longer log in; history is kept.
    Deactivate {
        #[arg(required = true)]
        usernames: Vec<String>,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// List accounts.
    List {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub async fn run(command: UserCommand) -> Result<ExitCode> {
    match command {
        UserCommand::Add { username, role, units: codes, name, email, db } => {
            let args = db;
            let db = args.connect().await?;
            // SQLite is brought up to date; PostgreSQL is never migrated behind the
            // administrator's back (`phongtrao migrate` does that).
            super::serve::ensure_schema_current(&db, &args).await?;
            let state = phongtrao_web::AppState::local(db.clone());
            let input = phongtrao_web::actions::users::UserInput {
                username: username.clone(),
                display_name: name.unwrap_or_default(),
                role: role.clone(),
                units: codes,
                active: None,
                email,
                confirm_admin: None,
            };
            let (_, secret) = phongtrao_web::actions::users::create_as(&state, &Who::cli(), &input)
                .await
                .map_err(|f| format!("{} / {}", f.vi, f.en))?;
            let username = username.trim().to_lowercase();
            println!("Đã tạo tài khoản / created: {username} ({})", role.trim());
            println!("Mật khẩu dùng một lần / one-time password: {secret}");
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Passwd { username, db } => {
            let db = db.connect().await?;
            let user = users::by_username(&db, username.trim())
                .await?
                .ok_or_else(|| format!("không có tài khoản {username} / no such user"))?;
            let secret = password::generate();
            let hash = password::hash(&secret)?;
            users::set_password(
                &db,
                user.id,
                &hash,
                true,
                &Who::cli(),
                "user.password_reset",
                phongtrao_web::Clock::system().now(),
            )
            .await?;
            println!("Mật khẩu dùng một lần mới của / new one-time password of {}: {secret}", user.username);
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Import { file, yes, slips, db } => {
            let args = db;
            let db = args.connect().await?;
            // SQLite is brought up to date; PostgreSQL is never migrated behind the
            // administrator's back (`phongtrao migrate` does that).
            super::serve::ensure_schema_current(&db, &args).await?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
            let bytes = std::fs::read(&file)
                .map_err(|e| format!("không đọc được tệp / cannot read {}: {e}", file.display()))?;
            let both = |f: phongtrao_web::error::Failure| format!("{} / {}", f.vi, f.en);
            let table = phongtrao_web::files::read_table(&name, &bytes).map_err(both)?;
            let rows = match accounts_bulk::check_table(&db, &table).await.map_err(both)? {
                Ok(rows) => rows,
                Err(errors) => {
                    eprintln!("Chưa tạo tài khoản nào; sửa các dòng sau / nothing created; fix these rows:");
                    for e in errors {
                        eprintln!("  dòng / row {}: {}", e.row, e.message);
                    }
                    return Ok(ExitCode::FAILURE);
                }
            };
            for r in &rows {
                println!(
                    "{:<28} {:<7} {} · {} ({})",
                    r.username,
                    r.role.as_str(),
                    r.display_name,
                    r.unit_name,
                    r.unit_code
                );
            }
            if !yes {
                println!(
                    "{} tài khoản sẽ được tạo; chạy lại với --yes để tạo / {} accounts to create; run again with --yes",
                    rows.len(),
                    rows.len()
                );
                return Ok(ExitCode::SUCCESS);
            }
            let created = accounts_bulk::create_checked(&db, &rows, &Who::cli(), phongtrao_web::Clock::system().now())
                .await
                .map_err(both)?;
            let lines: Vec<Vec<String>> = created
                .iter()
                .map(|s| {
                    vec![
                        s.unit_code.clone(),
                        s.unit_name.clone(),
                        s.display_name.clone(),
                        s.username.clone(),
                        s.one_time_password.clone(),
                    ]
                })
                .collect();
            match slips {
                Some(path) => {
                    let csv = phongtrao_web::files::write_csv(
                        &["unit", "unit_name", "name", "username", "one_time_password"],
                        &lines,
                    )
                    .map_err(both)?;
                    write_secret_file(&path, &csv)?;
                    println!("Đã tạo {} tài khoản; mật khẩu dùng một lần trong / created {} accounts; one-time passwords in {}", created.len(), created.len(), path.display());
                }
                None => {
                    for s in &created {
                        println!("{}\t{}", s.username, s.one_time_password);
                    }
                    println!("Đã tạo / created: {}", created.len());
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Deactivate { usernames, db } => {
            let db = db.connect().await?;
            // Every name is checked before any account changes.
            let mut found = Vec::new();
            for name in &usernames {
                let user = users::by_username(&db, name.trim())
                    .await?
                    .ok_or_else(|| format!("không có tài khoản {name} / no such user"))?;
                found.push(user);
            }
            for user in found {
                let role = Role::parse(&user.role).ok_or("vai trò không hợp lệ / invalid role")?;
                let ids = users::unit_ids(&db, user.id).await?;
                users::set_access(&db, user.id, role, false, &ids, &Who::cli(), phongtrao_web::Clock::system().now())
                    .await?;
                println!("Đã khóa / deactivated: {}", user.username);
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List { json, db } => {
            let db = db.connect().await?;
            let all = users::list(&db).await?;
            if json {
                let mut out = Vec::new();
                for u in &all {
                    let ids = users::unit_ids(&db, u.id).await?;
                    let mut codes = Vec::new();
                    for id in ids {
                        if let Some(unit) = units::by_id(&db, id).await? {
                            codes.push(unit.code);
                        }
                    }
                    out.push(serde_json::json!({"username": u.username, "display_name": u.display_name, "role": u.role, "active": u.active, "units": codes}));
                }
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for u in &all {
                    println!(
                        "{:<24} {:<9} {}{}",
                        u.username,
                        u.role,
                        u.display_name,
                        if u.active { "" } else { " (đã khóa / locked)" }
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A file of secrets: readable by its owner only.
fn write_secret_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| format!("không ghi được / cannot write {}: {e}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}
