//! `phongtrao units reorganise FILE`: applies a reorganisation of the unit tree
//! (sáp nhập, chia tách) with its effective date. Without --yes it previews what it
//! would do and writes nothing; with --yes it applies all of it in one transaction
//! (audited as "cli"), or nothing when a row is wrong.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::Subcommand;
use phongtrao_storage::audit::Who;
use phongtrao_storage::unit_history::Summary;
use phongtrao_web::actions::unit_history::{self, Upload};

use crate::config::DatabaseArgs;

#[derive(Subcommand)]
pub enum UnitsCommand {
    /// Reorganise the unit tree from the state's files: FILE lists the new units
    /// (code,parent_code,level,kind,name[,formed_from]); --mapping gives each old
    /// unit's new unit (old_code,old_name,new_code,new_name,share). Without --yes it
    /// only shows what it would do.
    Reorganise {
        /// The new units (.csv or .xlsx), e.g. data/reorganisations/an-giang-units-2025.csv.
        file: PathBuf,
        /// Old unit → new unit (.csv or .xlsx), e.g. data/reorganisations/kien-giang-2023-to-2025.csv.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// The day the new tree takes effect (YYYY-MM-DD), e.g. 2025-07-01.
        #[arg(long)]
        effective: NaiveDate,
        /// What the reorganisation is ("Sắp xếp đơn vị hành chính 2025").
        #[arg(long)]
        title: Option<String>,
        /// Apply it (else only check and preview).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn read(path: &Path) -> Result<(String, Vec<u8>)> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("").to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("không đọc được tệp / cannot read {}: {e}", path.display()))?;
    Ok((name, bytes))
}

fn print_summary(s: &Summary, effective: NaiveDate) {
    let day = effective.format("%d/%m/%Y");
    println!("Sắp xếp đơn vị có hiệu lực từ ngày {day} (effective {effective}):");
    println!(
        "  Cây mới: {} đơn vị, đứng đầu là {} (new tree: {} units under {})",
        s.new_units, s.new_root, s.new_units, s.new_root
    );
    println!("  Ngừng hoạt động từ ngày {day}: {} đơn vị của cây {} (retired: {})", s.retired, s.old_root, s.retired);
    println!("  Sáp nhập (từ 2 đơn vị trở lên): {} (merges)", s.merges);
    println!("  Chia tách (sang 2 đơn vị trở lên): {} (splits)", s.splits);
    println!("  Giữ nguyên, đổi tên hoặc đổi mã (1-1): {} (one to one)", s.one_to_one);
    if !s.dissolved.is_empty() {
        println!(
            "  Giải thể, các đơn vị trực thuộc đã chuyển đi: {} ({}) (dissolved)",
            s.dissolved.len(),
            s.dissolved.join(", ")
        );
    }
    if !s.without_predecessor.is_empty() {
        println!(
            "  Đơn vị mới không có đơn vị tiền thân trong dữ liệu này: {} (new units with no predecessor here)",
            s.without_predecessor.len()
        );
    }
    if !s.outside.is_empty() {
        println!("  Mã cũ ngoài dữ liệu này, bỏ qua: {} (old codes outside this database, ignored)", s.outside.len());
    }
    println!("  Tài khoản chuyển sang đơn vị kế thừa: {} (account assignments moved)", s.accounts_moved);
    if s.accounts_left > 0 {
        println!(
            "  Tài khoản giữ ở đơn vị cũ (giải thể hoặc chia tách, cần gán lại): {} (assignments left on retired units: reassign them)",
            s.accounts_left
        );
    }
    println!("  Thông tin liên hệ chép sang: {} (contacts copied)", s.contacts_copied);
    println!("  Số liệu nền tính cho đơn vị mới: {} (base figures computed)", s.base_figures);
}

pub async fn run(command: UnitsCommand) -> Result<ExitCode> {
    match command {
        UnitsCommand::Reorganise { file, mapping, effective, title, yes, db } => {
            let args = db;
            let db = args.connect().await?;
            super::serve::ensure_schema_current(&db, &args).await?;
            let both = |f: phongtrao_web::error::Failure| format!("{} / {}", f.vi, f.en);
            let (name, bytes) = read(&file)?;
            let mapped = mapping.as_deref().map(read).transpose()?;
            let upload = Upload { name: &name, bytes: &bytes };
            let mapping_upload = mapped.as_ref().map(|(n, b)| Upload { name: n, bytes: b });
            let reorg = match unit_history::read(&upload, mapping_upload.as_ref()).map_err(both)? {
                Ok(r) => r,
                Err(errors) => return Ok(refused(&errors)),
            };
            let (_, summary) = match unit_history::preview(&db, &reorg, effective).await.map_err(both)? {
                Ok(p) => p,
                Err(errors) => return Ok(refused(&errors)),
            };
            print_summary(&summary, effective);
            if !yes {
                println!("Chưa ghi gì; chạy lại với --yes để áp dụng / nothing written; run again with --yes to apply");
                return Ok(ExitCode::SUCCESS);
            }
            let source = match &mapped {
                Some((m, _)) => format!("{name} + {m}"),
                None => name.clone(),
            };
            let title = title.unwrap_or_else(|| format!("Sắp xếp đơn vị từ ngày {}", effective.format("%d/%m/%Y")));
            let applied = unit_history::apply(
                &db,
                &reorg,
                effective,
                &title,
                &source,
                &Who::cli(),
                phongtrao_web::Clock::system().now(),
            )
            .await
            .map_err(both)?;
            println!(
                "Đã áp dụng (lần sắp xếp số {}): {} đơn vị mới, {} đơn vị ngừng hoạt động / applied",
                applied.reorganisation_id, applied.summary.new_units, applied.summary.retired
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn refused(errors: &[phongtrao_domain::unit_import::RowError]) -> ExitCode {
    eprintln!("Không ghi gì; sửa các lỗi sau / nothing written; fix these:");
    for e in errors {
        if e.row == 0 {
            eprintln!("  {}", e.message);
        } else {
            eprintln!("  dòng / row {}: {}", e.row, e.message);
        }
    }
    ExitCode::FAILURE
}
