//! `phongtrao demo [--seed N]`: fills the running campaign with simulated reports.

use std::process::ExitCode;

use phongtrao_web::prepare::prepare;
use phongtrao_web::{demo, AppState};

use crate::config::DatabaseArgs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Fills the campaign as it stands at `now` (the server's `--now`; default the real
/// clock): no report of a week not begun, none sent after `now`.
pub async fn fill(
    db: &phongtrao_storage::Db,
    seed: u64,
    now: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<demo::DemoSummary> {
    let offset = now.map(phongtrao_web::Clock::starting_at).unwrap_or_default().offset();
    let state = AppState::new(db.clone(), false, offset);
    Ok(demo::fill(&state, seed).await?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    Province,
    National,
}

pub async fn run(
    args: DatabaseArgs,
    seed: u64,
    scale: Scale,
    periods: u32,
    own_plans: Option<usize>,
    tree_units: Option<usize>,
) -> Result<ExitCode> {
    let db = args.connect().await?;
    if scale == Scale::National {
        return national(db, seed, periods, own_plans, tree_units).await;
    }
    let prepared = prepare(&db).await?;
    if let Some(password) = prepared.admin_password {
        println!("Tài khoản quản trị / admin account: admin — mật khẩu dùng một lần / one-time password: {password}");
    }
    if phongtrao_web::demo::is_simulated(&db).await {
        println!("DỮ LIỆU MÔ PHỎNG đã có sẵn; không thêm gì / SIMULATED DATA is already there; nothing added.");
        db.close().await;
        return Ok(ExitCode::SUCCESS);
    }
    let s = fill(&db, seed, None).await?;
    println!(
        "DỮ LIỆU MÔ PHỎNG / SIMULATED DATA: {} báo cáo của {} đơn vị ({} trễ hạn, {} không nộp) / {} reports of {} units ({} late, {} missing). Mọi trang đều ghi rõ là mô phỏng / every page says so.",
        s.reports, s.units, s.late, s.missing, s.reports, s.units, s.late, s.missing
    );
    if s.other_reports > 0 {
        println!(
            "Thêm {} báo cáo mô phỏng của năm sau (so sánh cùng kỳ) và chiến dịch tình nguyện hè: chọn ở ô \"Chiến dịch\" / {} more simulated reports in next year's edition (year-over-year) and the summer campaign: see the campaign switcher.",
            s.other_reports, s.other_reports
        );
    }
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

async fn national(
    db: phongtrao_storage::Db,
    seed: u64,
    periods: u32,
    own_plans: Option<usize>,
    tree_units: Option<usize>,
) -> Result<ExitCode> {
    use phongtrao_web::demo_national::{self, Cascade};
    let started = std::time::Instant::now();
    let mut cascade = Cascade::national();
    if let Some(n) = tree_units {
        cascade.shape = phongtrao_domain::simulate::Shape::about(n);
    }
    if let Some(n) = own_plans {
        cascade.own_plans = n.min(cascade.provinces);
    }
    // Setup and fill run as the national and provincial offices would, with the clock
    // at the campaign's launch (a past campaign, rehearsed).
    let launch = chrono::NaiveDate::from_ymd_opt(2023, 2, 24)
        .and_then(|d| d.and_hms_opt(2, 0, 0))
        .map(|t| t.and_utc())
        .ok_or("date")?;
    let state = AppState::new(db.clone(), false, phongtrao_web::Clock::starting_at(launch).offset());
    let set = demo_national::setup_cascade(&state, seed, cascade).await?;
    let prepared = prepare(&db).await?;
    if let Some(password) = prepared.admin_password {
        println!("Tài khoản quản trị / admin account: admin — mật khẩu dùng một lần / one-time password: {password}");
    }
    println!(
        "{} đơn vị mô phỏng, {} tỉnh có kế hoạch riêng / {} simulated units, {} provinces with their own plan ({:.1} s)",
        set.units,
        set.own_plans.len(),
        set.units,
        set.own_plans.len(),
        set.seconds
    );
    let s = demo_national::fill_cascade(&state, seed, periods.min(10)).await?;
    println!(
        "DỮ LIỆU MÔ PHỎNG / SIMULATED DATA: {} báo cáo của cơ sở ({} trễ hạn, {} không nộp), {} báo cáo lên Trung ương tính từ cơ sở, {} nhập tay / {} unit reports ({} late, {} missing), {} computed reports up, {} typed directly; {:.1} s (units {:.1} s, reports up {:.1} s).",
        s.unit_reports,
        s.late,
        s.missing,
        s.reports_up,
        s.typed_directly,
        s.unit_reports,
        s.late,
        s.missing,
        s.reports_up,
        s.typed_directly,
        started.elapsed().as_secs_f64(),
        s.seconds_units,
        s.seconds_up
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}
