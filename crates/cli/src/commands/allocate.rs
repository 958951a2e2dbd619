//! `phongtrao allocate --indicator KEY [--parent CODE] (--by FIGURE | --set CODE=N,...)`.

use std::collections::HashMap;
use std::process::ExitCode;

use phongtrao_domain::format;
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::audit::Who;
use phongtrao_storage::units;
use phongtrao_web::actions::allocation;
use phongtrao_web::AppState;

use crate::config::DatabaseArgs;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

pub struct AllocateArgs {
    pub indicator: String,
    pub parent: Option<String>,
    pub by: Option<String>,
    pub set: Option<String>,
    pub json: bool,
}

pub async fn run(args: AllocateArgs, campaign: crate::config::CampaignArg, db: DatabaseArgs) -> Result<ExitCode> {
    let db = db.connect().await?;
    let state = AppState::local(db.clone());
    let campaign = campaign.resolve(&db).await?;
    let campaign = &campaign;
    let parent = match &args.parent {
        Some(p) => p.clone(),
        None => units::list(&db)
            .await?
            .into_iter()
            .find(|u| u.parent_id.is_none())
            .map(|u| u.code)
            .ok_or("chưa có đơn vị / no units")?,
    };
    let fail = |f: phongtrao_web::error::Failure| format!("{} / {}", f.vi, f.en);
    let who = Who::cli();
    let view = match (&args.by, &args.set) {
        (Some(by), None) => {
            let figure = BaseFigure::parse(by)
                .ok_or_else(|| format!("số liệu nền không xác định / unknown base figure: {by}"))?;
            allocation::proportional_as(&state, campaign, &who, &args.indicator, &parent, figure).await.map_err(fail)?
        }
        (None, Some(set)) => {
            let mut goals = HashMap::new();
            for pair in set.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (code, n) =
                    pair.split_once('=').ok_or_else(|| format!("\"{pair}\": cần dạng MÃ=SỐ / expected CODE=NUMBER"))?;
                let n = phongtrao_domain::base_figures::parse_whole(n)
                    .ok_or_else(|| format!("\"{n}\" không phải số / not a number"))?;
                goals.insert(code.trim().to_string(), n);
            }
            allocation::by_hand_as(&state, campaign, &who, &args.indicator, &parent, &goals).await.map_err(fail)?
        }
        (None, None) => allocation::view(&state, campaign, &args.indicator, &parent).await.map_err(fail)?,
        _ => return Err("dùng --by hoặc --set, không cả hai / use --by or --set, not both".into()),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&view)?);
    } else {
        println!(
            "Chỉ tiêu / indicator {} — {}: {}",
            view.indicator,
            view.parent,
            view.whole.map(format::integer).unwrap_or_else(|| "—".into())
        );
        for p in &view.parts {
            println!(
                "  {:<8} {:<40} {:>10}",
                p.code,
                p.name,
                p.goal.map(format::integer).unwrap_or_else(|| "—".into())
            );
        }
        println!("  Tổng / sum: {}", format::integer(view.sum));
        if let Some(m) = &view.message {
            println!("  ⚠ {m}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
