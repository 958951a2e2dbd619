//! `phongtrao plan check [FILE] [--json]`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;
use phongtrao_domain::builtin;
use phongtrao_domain::plan::{lint, parse_plan, Plan};
use serde_json::{json, Value};

#[derive(Subcommand)]
pub enum PlanCommand {
    /// Check a plan file (the built-in Kiên Giang 2023 plan when FILE is omitted).
    Check {
        file: Option<PathBuf>,
        /// Print a JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Read a plan document (.docx, .txt, .md) into a plan file to review; nothing is
    /// applied (confirm it in the UI, or load the reviewed file).
    Import {
        file: PathBuf,
        /// Write the plan file here (default: print it).
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub fn run(command: PlanCommand) -> Result<ExitCode> {
    match command {
        PlanCommand::Check { file, json } => check(file, json),
        PlanCommand::Import { file, out, json } => super::plan_import::run(file, out, json),
    }
}

fn check(file: Option<PathBuf>, as_json: bool) -> Result<ExitCode> {
    let (name, source) = match &file {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("không đọc được tệp / cannot read {}: {e}", path.display()))?;
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("tệp không phải UTF-8 / {} is not UTF-8 text", path.display()))?;
            (path.display().to_string(), text)
        }
        None => ("(built-in) plans/kien-giang-2023.toml".to_string(), builtin::PLAN_TOML.to_string()),
    };
    match parse_plan(&source) {
        Ok(plan) => {
            let summary = summary(&name, &plan);
            if as_json {
                println!("{}", serde_json::to_string_pretty(&summary)?);
            } else {
                print_text(&name, &plan);
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            let problems: Vec<String> = errors.0.iter().map(|p| format!("{name}: {p}")).collect();
            if as_json {
                let body = json!({
                    "file": name, "valid": false, "target_count": 0, "targets": [], "indicator_count": 0, "indicators": [], "event_count": 0, "events": [],
                    "periods": [], "problems": problems, "warnings": [],
                });
                println!("{}", serde_json::to_string_pretty(&body)?);
            } else {
                eprintln!("Tệp kế hoạch không hợp lệ / invalid plan file: {name}");
                for p in &problems {
                    eprintln!("  - {p}");
                }
            }
            Ok(ExitCode::from(1))
        }
    }
}

fn summary(name: &str, plan: &Plan) -> Value {
    let periods: Vec<Value> = plan
        .periods()
        .iter()
        .map(|p| {
            json!({
                "seq": p.seq,
                "start": p.start.format("%Y-%m-%d").to_string(),
                "end": p.end.format("%Y-%m-%d").to_string(),
                "deadline": p.deadline_rfc3339(),
            })
        })
        .collect();
    let warnings: Vec<Value> = lint::lint(plan)
        .into_iter()
        .map(|f| json!({"rule": f.rule, "message_vi": f.message_vi, "message_en": f.message_en}))
        .collect();
    let targets: Vec<Value> = plan
        .targets
        .iter()
        .map(|t| {
            json!({
                "number": t.number,
                "group": t.group,
                "text": t.text,
                "indicators": t.indicators.iter().map(|i| i.key.as_str()).collect::<Vec<_>>(),
            })
        })
        .collect();
    // Each indicator as the office reads it: key, target number, label, kind, goal.
    let indicators: Vec<Value> = plan
        .indicators()
        .map(|i| {
            json!({
                "key": i.key,
                "target": i.target_number,
                "label": i.label,
                "kind": i.kind.as_str(),
                "comparison": i.comparison.as_str(),
                "goal": i.goal,
                "unit_label": i.unit_label,
                "base": i.base.map(|b| b.as_str()),
                "per_unit_minimum": i.per_unit_minimum,
                "part_of": i.part_of,
            })
        })
        .collect();
    let events: Vec<Value> = plan
        .events
        .iter()
        .map(|e| {
            json!({
                "number": e.number,
                "title": e.title,
                "starts_on": e.starts_on.map(|d| d.format("%Y-%m-%d").to_string()),
                "ends_on": e.ends_on.map(|d| d.format("%Y-%m-%d").to_string()),
                "place": e.place,
            })
        })
        .collect();
    json!({
        "file": name,
        "valid": true,
        "campaign": { "code": plan.campaign.code, "title": plan.campaign.title, "year": plan.campaign.year, "theme": plan.campaign.theme },
        "target_count": plan.targets.len(),
        "targets": targets,
        "target_numbers": plan.targets.iter().map(|t| t.number).collect::<Vec<_>>(),
        "missing_target_numbers": plan.missing_target_numbers(),
        "indicator_count": plan.indicators().count(),
        "indicators": indicators,
        "event_count": plan.events.len(),
        "events": events,
        "milestones": plan.milestones.len(),
        "activity_areas": plan.areas.len(),
        "periods": periods,
        "problems": Vec::<String>::new(),
        "warnings": warnings,
    })
}

fn print_text(name: &str, plan: &Plan) {
    println!("Kế hoạch hợp lệ / valid plan: {name}");
    println!("  {} — “{}”", plan.campaign.title, plan.campaign.theme);
    println!(
        "  {} chỉ tiêu / targets, {} chỉ số / indicators, {} hoạt động cấp tỉnh / events, {} mốc / milestones",
        plan.targets.len(),
        plan.indicators().count(),
        plan.events.len(),
        plan.milestones.len()
    );
    println!("  Kỳ báo cáo tuần / weekly periods:");
    for p in plan.periods() {
        println!(
            "    {}. {} – {}, hạn / due {}",
            p.seq,
            phongtrao_domain::format::date(p.start),
            phongtrao_domain::format::date(p.end),
            p.deadline_rfc3339()
        );
    }
    let findings = lint::lint(plan);
    if !findings.is_empty() {
        println!("  Điểm cần lưu ý / points to check:");
        for f in findings {
            println!("    - {} / {}", f.message_vi, f.message_en);
        }
    }
}
