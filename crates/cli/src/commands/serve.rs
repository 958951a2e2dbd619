//! `phongtrao serve` and `phongtrao migrate`.

use std::process::ExitCode;

use phongtrao_storage::campaigns::Loaded;
use phongtrao_web::prepare::{prepare, FIRST_ADMIN};
use phongtrao_web::{Application, Settings};

use crate::config::DatabaseArgs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub async fn migrate(args: DatabaseArgs) -> Result<ExitCode> {
    let db = args.connect().await?;
    let prepared = prepare(&db).await?;
    println!("Cơ sở dữ liệu đã sẵn sàng / database ready: {}", args.describe());
    print_first_start(&prepared);
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

fn print_first_start(prepared: &phongtrao_web::prepare::Prepared) {
    if let Loaded::Created(_) = prepared.seed.campaign {
        println!(
            "Đã nạp kế hoạch có sẵn và {} đơn vị / loaded the built-in plan and {} units.",
            prepared.seed.units_inserted, prepared.seed.units_inserted
        );
    }
    if let Some(password) = &prepared.admin_password {
        println!();
        println!("  Tài khoản quản trị / admin account: {FIRST_ADMIN}");
        println!("  Mật khẩu dùng một lần / one-time password: {password}");
        println!("  (Hãy đổi mật khẩu khi đăng nhập lần đầu / change it at first login; it is not shown again.)");
        println!();
    }
}

pub async fn run(args: DatabaseArgs, settings: Settings, demo: bool) -> Result<ExitCode> {
    let now = settings.now;
    let db = args.connect().await?;
    let prepared = prepare(&db).await?;
    print_first_start(&prepared);
    if demo && !phongtrao_web::demo::is_simulated(&db).await {
        let s = super::demo::fill(&db, 2023, now).await?;
        println!("Chế độ trình diễn / demo mode: {} báo cáo mô phỏng / simulated reports ({} trễ hạn / late, {} không nộp / missing).", s.reports, s.late, s.missing);
    }
    let app = Application::build(&settings, db.clone()).await?;
    let address = app.address();
    let host = if address.ip().is_unspecified() { "localhost".to_string() } else { address.ip().to_string() };
    println!("phongtrao đang chạy / is running: http://{host}:{}/  ({})", address.port(), args.describe());
    if let Some(now) = now {
        println!("Đồng hồ mô phỏng / simulated clock: {}", now.with_timezone(&vietnam()).format("%d/%m/%Y %H:%M"));
    }
    app.run_until_stopped().await?;
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Vietnam time (UTC+7), for messages.
fn vietnam() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).unwrap_or_else(|| chrono::Utc.fix())
}

use chrono::Offset;
