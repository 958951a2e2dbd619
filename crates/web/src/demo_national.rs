//! The national-scale demo (`phongtrao demo --scale national`): about 100,000
//! simulated units in four levels, the Kiên Giang plan's 26 indicators over 10 weeks
//! reported by every unit, and simulated weekly reports written through grouped
//! commits. For a database of its own: the Kiên Giang units are not loaded into it.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, Utc};
use phongtrao_domain::plan::{IndicatorKind, Plan};
use phongtrao_domain::report::{CheckedReport, ReportInput, ReportKind};
use phongtrao_domain::simulate::{self, Rng, NATIONAL};
use phongtrao_storage::audit::Who;
use phongtrao_storage::reports::{self, ReportKey, SaveAction, SaveRequest};
use phongtrao_storage::{base_figures, campaigns, settings, units, Db, StorageError};

use crate::demo::DemoSummary;

/// Set in a database made by the national demo: the built-in Kiên Giang plan and
/// units are not loaded into it.
pub const NATIONAL_SETTING: &str = "scale";

pub async fn is_national(db: &Db) -> bool {
    matches!(settings::get(db, NATIONAL_SETTING).await, Ok(Some(v)) if v == "national")
}

/// Creates the national tree and campaign in an empty database (once).
pub async fn setup(db: &Db, seed: u64) -> Result<(usize, i64), StorageError> {
    setup_shaped(db, seed, NATIONAL).await
}

/// The same with a tree of another size (`simulate::Shape::about`; benchmarks of
/// how costs grow with the tree).
pub async fn setup_shaped(db: &Db, seed: u64, shape: simulate::Shape) -> Result<(usize, i64), StorageError> {
    db.migrate().await?;
    let now = crate::Clock::system().now();
    let existing = units::list(db).await?.len();
    if existing > 0 && !is_national(db).await {
        return Err(StorageError::Invalid(
            "cơ sở dữ liệu này đã có đơn vị; mô phỏng toàn quốc cần một thư mục dữ liệu mới / this database already has units; the national simulation needs a new data directory".into(),
        ));
    }
    settings::set(db, NATIONAL_SETTING, "national", now).await?;
    settings::set(db, settings::SIMULATED, "true", now).await?;
    let (tree, figures) = simulate::tree(shape, seed);
    if existing == 0 {
        units::insert_missing(db, &tree, now).await?;
        base_figures::insert_missing(db, &figures, now).await?;
    }
    let toml = simulate::plan_toml(phongtrao_domain::builtin::PLAN_TOML);
    let plan = phongtrao_domain::plan::parse_plan(&toml).map_err(|e| StorageError::Invalid(e.to_string()))?;
    campaigns::load_plan(db, &plan, &toml, now).await?;
    let campaign = campaigns::current(db).await?;
    Ok((tree.len(), campaign.row.id))
}

/// Simulated values of one report: counts for every unit, yes/no and minimum
/// indicators for the units they expect.
pub fn simulated_values(plan: &Plan, unit: &units::UnitRow, rng: &mut Rng) -> BTreeMap<String, i64> {
    let mut values = BTreeMap::new();
    let (Some(level), Some(kind)) = (unit.level(), unit.kind()) else {
        return values;
    };
    for ind in plan.indicators() {
        let v = match ind.kind {
            IndicatorKind::Count | IndicatorKind::PercentOfBase => rng.between(0, 12) as i64,
            IndicatorKind::ShareOfUnits if ind.levels.contains(&level) && ind.expects(level, kind) => {
                i64::from(rng.unit() < 0.3)
            }
            IndicatorKind::MinimumPerUnit if ind.expects(level, kind) => rng.between(0, 2) as i64,
            _ => 0,
        };
        values.insert(ind.key.clone(), v);
    }
    values
}

/// Fills weekly periods `1..=periods` with simulated reports of every unit (about
/// 10% late, 3% missing), in grouped commits.
pub async fn fill(db: &Db, seed: u64, periods: u32) -> Result<DemoSummary, StorageError> {
    let campaign = campaigns::current(db).await?;
    let plan: Arc<Plan> = campaign.plan.clone();
    let all: Vec<units::UnitRow> = units::list(db).await?.into_iter().filter(|u| u.active).collect();
    let who = Who { user_id: None, name: "demo".into(), client: None };
    let mut rng = Rng::new(seed ^ 0x5eed);
    let mut summary = DemoSummary { units: all.len(), ..DemoSummary::default() };
    let draft = ReportInput::default();
    for period in plan.periods().into_iter().filter(|p| p.seq <= periods) {
        let due = period.deadline.with_timezone(&Utc);
        let mut batch: Vec<(ReportKey, CheckedReport, chrono::DateTime<Utc>)> = Vec::new();
        for unit in &all {
            let fate = rng.unit();
            if fate < 0.03 {
                summary.missing += 1;
                continue;
            }
            let at = if fate < 0.13 {
                summary.late += 1;
                due + Duration::minutes(rng.between(1, 2_000) as i64)
            } else {
                due - Duration::minutes(rng.between(10, 3_000) as i64)
            };
            let checked = CheckedReport {
                values: simulated_values(&plan, unit, &mut rng),
                activities: Vec::new(),
                highlights: format!("[MÔ PHỎNG] {} — tuần {}.", unit.name, period.seq),
                difficulties: String::new(),
                proposals: String::new(),
                warnings: Vec::new(),
            };
            let key = ReportKey {
                campaign_id: campaign.row.id,
                unit_id: unit.id,
                kind: ReportKind::Weekly,
                period_seq: i64::from(period.seq),
            };
            batch.push((key, checked, at));
            if batch.len() == 256 {
                summary.reports += write(db, &plan, &who, &draft, due, &batch).await?;
                batch.clear();
            }
        }
        summary.reports += write(db, &plan, &who, &draft, due, &batch).await?;
        tracing::info!(period = period.seq, reports = summary.reports, "simulated period written");
    }
    Ok(summary)
}

async fn write(
    db: &Db,
    plan: &Plan,
    who: &Who,
    draft: &ReportInput,
    due: chrono::DateTime<Utc>,
    batch: &[(ReportKey, CheckedReport, chrono::DateTime<Utc>)],
) -> Result<usize, StorageError> {
    let requests: Vec<SaveRequest<'_>> = batch
        .iter()
        .map(|(key, checked, at)| SaveRequest {
            key: *key,
            due_at: due,
            expected_version: 0,
            draft,
            checked: Some(checked),
            action: SaveAction::Submit,
            who,
            now: *at,
            idempotency_key: None,
            plan,
        })
        .collect();
    let results = reports::save_many(db, &requests).await?;
    Ok(results.iter().filter(|r| r.is_ok()).count())
}
