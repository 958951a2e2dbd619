//! `phongtrao campaign new-from SOURCE_CODE --year 2024 [--goal KEY=VALUE ...] [--yes]`:
//! a new campaign from an earlier one ("Tạo kế hoạch từ năm trước"), audited as "cli".
//! Without --yes it prints the review (every moved date, the proposed goals, the
//! copied allocations) and stores nothing.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Subcommand;
use phongtrao_domain::format;
use phongtrao_domain::plan::roll_forward::{parse_goal, DateRule};
use phongtrao_storage::audit::Who;
use phongtrao_storage::campaigns;
use phongtrao_web::actions::campaign_new::{self, Overrides, RollForwardPreview};
use phongtrao_web::AppState;

use crate::config::DatabaseArgs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[derive(Subcommand)]
pub enum CampaignCommand {
    /// Make next year's campaign from an earlier one: dates moved to the new year
    /// (same weekdays; anniversaries such as 26/3 keep their date), goals proposed
    /// from last year's goal and result, allocations copied proportionally. Prints
    /// the review; stores the new campaign only with --yes.
    NewFrom {
        /// The code of the campaign to start from.
        source: String,
        /// The new campaign's year (after the source's).
        #[arg(long)]
        year: i32,
        /// The new campaign's code (default: the source's with the year replaced).
        #[arg(long)]
        code: Option<String>,
        /// A goal in place of the proposal: KEY=VALUE ("17=7.500", "2b=80%"); repeatable.
        #[arg(long = "goal")]
        goals: Vec<String>,
        /// Store the new campaign (else only print the review).
        #[arg(long)]
        yes: bool,
        /// Print the review as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// The campaigns of the database: running ones first, then the archived ones.
    List {
        /// As JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Archive a finished campaign (read-only from then on: its reports stay).
    Archive {
        /// The campaign's code.
        code: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Bring an archived campaign back to running.
    Reopen {
        /// The campaign's code.
        code: String,
        #[command(flatten)]
        db: DatabaseArgs,
    },
}

pub async fn run(command: CampaignCommand) -> Result<ExitCode> {
    match command {
        CampaignCommand::List { json, db: args } => {
            let db = args.connect().await?;
            super::serve::ensure_schema_current(&db, &args).await?;
            let state = AppState::local(db.clone());
            let list = phongtrao_web::actions::campaigns::list(&state, None, None)
                .await
                .map_err(|f| format!("{} / {}", f.vi, f.en))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for c in &list {
                    let status =
                        if c.status == "archived" { "đã lưu trữ / archived" } else { "đang chạy / running" };
                    let default = if c.is_default { " · mặc định / default" } else { "" };
                    println!(
                        "{}  {} ({} – {}) · {status}{default}",
                        c.code,
                        c.title,
                        format::date(c.starts_on),
                        format::date(c.ends_on)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CampaignCommand::Archive { code, db } => set_archived(&code, true, db).await,
        CampaignCommand::Reopen { code, db } => set_archived(&code, false, db).await,
        CampaignCommand::NewFrom { source, year, code, goals, yes, json, db } => {
            let mut chosen = BTreeMap::new();
            for pair in &goals {
                let (key, value) =
                    pair.split_once('=').ok_or_else(|| format!("\"{pair}\": cần dạng MÃ=SỐ / expected KEY=VALUE"))?;
                let value = parse_goal(value)
                    .ok_or_else(|| format!("\"{value}\" không phải số (1.200, 95%) / not a number"))?;
                chosen.insert(key.trim().to_string(), value);
            }
            let args = db;
            let db = args.connect().await?;
            super::serve::ensure_schema_current(&db, &args).await?;
            let state = AppState::local(db.clone());
            let source = campaigns::by_code(&db, &source)
                .await?
                .ok_or_else(|| format!("không có kế hoạch mã \"{source}\" / no campaign \"{source}\""))?;
            let overrides = Overrides { code, goals: chosen };
            let fail = |f: phongtrao_web::error::Failure| format!("{} / {}", f.vi, f.en);
            if !yes {
                let preview = campaign_new::preview_unchecked(&state, &source, year, &overrides).await.map_err(fail)?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&preview)?);
                } else {
                    print!("{}", review_text(&preview));
                    println!(
                        "\nChưa lưu gì. Thêm --yes để tạo kế hoạch này. / Nothing stored: add --yes to create it."
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            let created =
                campaign_new::confirm_as(&state, &Who::cli(), &source, year, &overrides).await.map_err(fail)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&created)?);
            } else {
                print!("{}", review_text(&created.preview));
                println!(
                    "\nĐã tạo kế hoạch \"{}\" (số {}), đang chạy, tiếp nối kế hoạch \"{}\"; {} phần giao chỉ tiêu đã sao chép. / Created.",
                    created.code, created.id, source.row.code, created.allocations
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn goal(kind_percent: bool, value: f64) -> String {
    if kind_percent {
        format::percent(value)
    } else {
        format::number(value, 2)
    }
}

/// The review in Vietnamese, as the office reads it.
pub fn review_text(p: &RollForwardPreview) -> String {
    use std::fmt::Write;
    let r = &p.plan;
    let mut out = String::new();
    let _ = writeln!(out, "Kế hoạch mới từ \"{}\" ({}) → năm {}", r.source_code, r.source_year, r.year);
    let _ = writeln!(out, "Mã: {}   Tên: {}", r.code, r.title);
    if !p.code_available {
        let _ = writeln!(out, "!! Đã có kế hoạch mã \"{}\": hãy chọn mã khác (--code).", r.code);
    }
    let _ = writeln!(
        out,
        "{} chỉ tiêu, {} chỉ số, {} hoạt động; lịch dời {} tuần (giữ nguyên thứ trong tuần).",
        r.targets, r.indicators, r.events, r.weeks
    );
    let _ = writeln!(out, "\nNgày thay đổi ({}):", r.dates.len());
    for c in &r.dates {
        let why = match &c.rule {
            DateRule::Weeks { .. } => String::new(),
            DateRule::Anniversary { name_vi, .. } => format!("  [giữ ngày: {name_vi}]"),
        };
        let _ = writeln!(
            out,
            "  - {}: {} {} → {} {}{why}",
            c.field_vi,
            c.weekday_before_vi,
            format::date(c.old),
            c.weekday_after_vi,
            format::date(c.new)
        );
    }
    let _ = writeln!(out, "\nChữ được sửa theo năm mới ({}):", r.texts.len());
    for t in &r.texts {
        let _ = writeln!(out, "  - {}: «{}» → «{}»", t.field_vi, t.old, t.new);
    }
    let _ = writeln!(out, "\nKỳ báo cáo tuần ({}):", r.periods.len());
    for period in &r.periods {
        let _ = writeln!(out, "  Tuần {}: {} – {}", period.seq, format::date(period.start), format::date(period.end));
    }
    let _ = writeln!(out, "\nChỉ tiêu đề xuất (lớn hơn giữa chỉ tiêu và kết quả năm trước):");
    for g in &r.goals {
        let pct = g.kind.goal_is_percent();
        let last = g.last_result.map_or_else(|| "—".to_string(), |v| goal(pct, v));
        let edited = if g.edited { "  (đã sửa)" } else { "" };
        let _ = writeln!(
            out,
            "  - {}: chỉ tiêu cũ {}, kết quả {} → {}{edited}",
            g.key,
            goal(pct, g.old_goal),
            last,
            goal(pct, g.goal)
        );
    }
    if !p.allocations.is_empty() {
        let _ = writeln!(out, "\nGiao chỉ tiêu sao chép theo tỉ lệ:");
        for a in &p.allocations {
            let _ = writeln!(
                out,
                "  - chỉ số {}: {} đơn vị, tổng {} → {}{}",
                a.indicator,
                a.units,
                format::integer(a.old_total),
                format::integer(a.new_total),
                if a.inactive_units > 0 {
                    format!(" ({} đơn vị không còn hoạt động, không sao chép)", a.inactive_units)
                } else {
                    String::new()
                }
            );
        }
    }
    for f in &r.new_findings {
        let _ = writeln!(out, "! {}", f.message_vi);
    }
    if r.old_year_mentions > 0 {
        let _ = writeln!(
            out,
            "\nLưu ý: văn bản còn {} chỗ ghi năm {} mà phần mềm không tự đổi: hãy soát lại.",
            r.old_year_mentions, r.source_year
        );
    }
    out
}

/// Archives a campaign or brings it back, as the office ("cli" in the audit log).
async fn set_archived(code: &str, archived: bool, args: DatabaseArgs) -> Result<ExitCode> {
    let db = args.connect().await?;
    super::serve::ensure_schema_current(&db, &args).await?;
    let state = AppState::local(db.clone());
    let campaign = campaigns::by_code(&db, code)
        .await?
        .ok_or_else(|| format!("không có chiến dịch mã \"{code}\" / no campaign \"{code}\""))?;
    campaigns::set_status(&db, campaign.row.id, archived, &Who::cli(), state.now()).await?;
    if archived {
        println!("Đã lưu trữ / archived: {} — {}", campaign.row.code, campaign.row.title);
    } else {
        println!("Đã mở lại / reopened: {} — {}", campaign.row.code, campaign.row.title);
    }
    Ok(ExitCode::SUCCESS)
}
