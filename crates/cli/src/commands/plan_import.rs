//! `phongtrao plan import FILE [--out plan.toml] [--json]`: a plan document to a
//! plan file for review.

use std::path::PathBuf;
use std::process::ExitCode;

use phongtrao_domain::import::{import_file, lint_draft, Confidence};
use phongtrao_domain::plan::lint;
use serde_json::json;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub fn run(file: PathBuf, out: Option<PathBuf>, as_json: bool) -> Result<ExitCode> {
    let bytes = std::fs::read(&file).map_err(|e| format!("không đọc được / cannot read {}: {e}", file.display()))?;
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let draft = import_file(&name, &bytes).map_err(|e| e.to_string())?;
    let toml = draft.to_toml();
    if let Some(path) = &out {
        std::fs::write(path, &toml).map_err(|e| format!("không ghi được / cannot write {}: {e}", path.display()))?;
    }
    let parsed = draft.to_plan();
    let mut notes: Vec<String> =
        lint_draft(&draft).into_iter().map(|f| format!("{} / {}", f.message_vi, f.message_en)).collect();
    if let Ok(plan) = &parsed {
        for f in lint::lint(plan) {
            let line = format!("{} / {}", f.message_vi, f.message_en);
            if !notes.contains(&line) {
                notes.push(line);
            }
        }
    }
    let to_check: Vec<_> = draft.items_at_most(Confidence::Low).collect();
    if as_json {
        let body = json!({
            "file": file.display().to_string(),
            "valid": parsed.is_ok(),
            "targets": parsed.as_ref().map(|p| p.targets.len()).unwrap_or(0),
            "indicators": parsed.as_ref().map(|p| p.indicators().count()).unwrap_or(0),
            "events": parsed.as_ref().map(|p| p.events.len()).unwrap_or(0),
            "errors": parsed.as_ref().err().map(|e| e.0.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap_or_default(),
            "problems": draft.problems,
            "warnings": notes,
            "items": draft.items,
            "toml": if out.is_none() { Some(&toml) } else { None },
        });
        println!("{}", serde_json::to_string_pretty(&body)?);
    } else {
        if out.is_none() {
            println!("{toml}");
        }
        eprintln!("Đã đọc / read: {}", file.display());
        match &parsed {
            Ok(plan) => eprintln!(
                "  {} chỉ tiêu / targets, {} chỉ số / indicators, {} hoạt động / events — bản nháp, hãy rà soát / a draft to review",
                plan.targets.len(),
                plan.indicators().count(),
                plan.events.len()
            ),
            Err(e) => {
                eprintln!("  Bản nháp còn lỗi / the draft has errors:");
                for p in &e.0 {
                    eprintln!("    - {p}");
                }
            }
        }
        for p in &draft.problems {
            eprintln!("  ! {p}");
        }
        for n in &notes {
            eprintln!("  ⚠ {n}");
        }
        eprintln!("  {} giá trị cần kiểm tra / values to check (độ tin cậy thấp / low confidence)", to_check.len());
        if let Some(path) = &out {
            eprintln!("  Đã ghi / written: {}", path.display());
        }
    }
    Ok(if parsed.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
