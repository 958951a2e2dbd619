//! `phongtrao rebuild`: recomputes every consolidated figure of the running campaign
//! from the raw reports (after a restore, or to check the kept figures). Safe while
//! app instances take writes: the rebuild holds the write lock from its first read
//! to its commit (see `rollups::rebuild_checked`), so the comparison it prints is
//! between the figures kept at that moment and the recomputation.

use std::process::ExitCode;
use std::time::Instant;

use phongtrao_storage::rollups;

use crate::config::DatabaseArgs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub async fn run(args: DatabaseArgs, campaign: crate::config::CampaignArg) -> Result<ExitCode> {
    let db = args.connect().await?;
    super::serve::ensure_schema_current(&db, &args).await?;
    let campaign = campaign.resolve(&db).await?;
    let started = Instant::now();
    let (rows, kept, rebuilt) = rollups::rebuild_checked(&db, &campaign.plan, campaign.row.id).await?;
    let seconds = started.elapsed().as_secs_f64();
    let same = kept == rebuilt;
    println!(
        "{rows} số liệu tổng hợp tính lại trong {seconds:.1} s; {} / {rows} consolidated figures rebuilt in {seconds:.1} s; {}",
        if same { "không có gì sai lệch" } else { "ĐÃ SỬA sai lệch" },
        if same { "nothing differed" } else { "differences were CORRECTED" },
    );
    db.close().await;
    Ok(ExitCode::SUCCESS)
}
