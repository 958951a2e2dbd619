//! Loading the built-in Kiên Giang 2023 plan, its units and base figures.
//! Safe to run at every start: what is there already is left as it is.

use chrono::{DateTime, Utc};
use phongtrao_domain::base_figures::parse_base_figures_csv;
use phongtrao_domain::builtin;
use phongtrao_domain::plan::parse_plan;
use phongtrao_domain::unit::units_from_gso_csv;

use crate::audit::{self, AuditEntry};
use crate::campaigns::{self, Loaded};
use crate::{base_figures, units, Db, Result, StorageError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedReport {
    pub campaign: Loaded,
    pub units_inserted: u64,
    pub base_figures_inserted: u64,
}

pub async fn load_builtin(db: &Db, now: DateTime<Utc>) -> Result<SeedReport> {
    let plan = parse_plan(builtin::PLAN_TOML).map_err(|e| StorageError::Invalid(e.to_string()))?;
    let seeds = units_from_gso_csv(builtin::UNITS_CSV)
        .map_err(|errors| StorageError::Invalid(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")))?;
    let figures = parse_base_figures_csv(builtin::BASE_FIGURES_CSV)
        .map_err(|errors| StorageError::Invalid(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")))?;
    let units_inserted = units::insert_missing(db, &seeds, now).await?;
    let campaign = campaigns::load_plan(db, &plan, builtin::PLAN_TOML, now).await?;
    let base_figures_inserted = base_figures::insert_missing(db, &figures, now).await?;
    let report = SeedReport { campaign, units_inserted, base_figures_inserted };
    if matches!(campaign, Loaded::Created(_)) || units_inserted > 0 {
        let entry = AuditEntry {
            actor_name: "system".into(),
            action: "seed.builtin".into(),
            entity: "campaign".into(),
            entity_key: Some(plan.campaign.code.clone()),
            after_json: Some(format!(
                "{{\"campaign_created\":{},\"units_inserted\":{units_inserted},\"base_figures_inserted\":{base_figures_inserted}}}",
                matches!(campaign, Loaded::Created(_))
            )),
            ..AuditEntry::default()
        };
        audit::record(db, &entry, now).await?;
    }
    Ok(report)
}
