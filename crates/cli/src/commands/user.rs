//! `phongtrao user add|passwd|list`: accounts from the command line (audited as "cli").

use std::process::ExitCode;

use chrono::Utc;
use clap::Subcommand;
use phongtrao_domain::role::Role;
use phongtrao_storage::audit::Who;
use phongtrao_storage::{units, users};
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
            let db = db.connect().await?;
            db.migrate().await?;
            let role = Role::parse(&role).ok_or(
                "vai trò phải là admin, steering, unit hoặc viewer / role must be admin, steering, unit or viewer",
            )?;
            let username = username.trim().to_lowercase();
            users::check_username(&username)?;
            let mut ids = Vec::new();
            for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                let unit = units::by_code(&db, code)
                    .await?
                    .ok_or_else(|| format!("không có đơn vị mã {code} / no unit {code}"))?;
                ids.push(unit.id);
            }
            if role == Role::Unit && ids.is_empty() {
                return Err("tài khoản đơn vị cần --units / a unit account needs --units".into());
            }
            let secret = password::generate();
            let hash = password::hash(&secret)?;
            let display = name.unwrap_or_else(|| username.clone());
            let email = phongtrao_domain::email::parse_optional(email.as_deref().unwrap_or(""))?;
            let new = users::NewUser {
                username: &username,
                display_name: &display,
                password_hash: &hash,
                role,
                must_change_password: true,
                unit_ids: &ids,
                email: email.as_deref(),
            };
            users::create(&db, &new, &Who::cli(), Utc::now()).await?;
            println!("Đã tạo tài khoản / created: {username} ({})", role.as_str());
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
            users::set_password(&db, user.id, &hash, true, &Who::cli(), "user.password_reset", Utc::now()).await?;
            println!("Mật khẩu dùng một lần mới của / new one-time password of {}: {secret}", user.username);
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
