//! Consolidated progress of a unit's subtree at a date: for every indicator the goal,
//! what was achieved, the ratio and đạt / vượt / chưa đạt; and reporting timeliness.
//! The figures are sums of the counted reports (submitted or accepted) and equal what
//! a person gets by adding them by hand.

use chrono::NaiveDate;
use phongtrao_domain::plan::{IndicatorKind, Plan};
use phongtrao_domain::progress::{evaluate, verdict_text, verdict_text_en, Totals};
use phongtrao_storage::campaigns::{self, StoredCampaign};
use phongtrao_storage::units::{self, UnitRow};
use serde::Serialize;

use crate::error::Failure;
use crate::AppState;

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorProgress {
    /// The plan's target number.
    pub target: u32,
    /// The indicator's key ("5", "15a").
    pub indicator: String,
    pub label: String,
    pub kind: &'static str,
    pub comparison: &'static str,
    /// The goal for this subtree: the plan's goal at the top and for percentages and
    /// shares; None for a count not allocated to this unit.
    pub goal: Option<f64>,
    /// Count for counts; percentage for the other kinds.
    pub achieved: f64,
    /// The summed count (people reached, units done).
    pub sum: i64,
    pub ratio: Option<f64>,
    /// "met", "exceeded", "not_met", or "no_goal".
    pub status: &'static str,
    pub text_vi: String,
    pub text_en: String,
    pub unit_label: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Timeliness {
    pub period: u32,
    pub period_end: NaiveDate,
    pub expected: usize,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
    /// Reports received (on time or late) out of expected, in percent.
    pub rate: f64,
    pub missing_units: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgressReport {
    pub unit: String,
    pub unit_name: String,
    pub at: NaiveDate,
    /// Weekly periods counted (1..=this).
    pub periods_counted: u32,
    pub indicators: Vec<IndicatorProgress>,
    pub timeliness: Vec<Timeliness>,
}

/// The periods that count at `at`: those that have started by then.
pub fn periods_counted(plan: &Plan, at: NaiveDate) -> u32 {
    plan.periods()
        .iter()
        .filter(|p| p.start <= at)
        .map(|p| p.seq)
        .max()
        .unwrap_or(0)
}

pub async fn compute(
    state: &AppState,
    unit_code: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<ProgressReport, Failure> {
    let db = &state.db;
    let campaign: StoredCampaign = campaigns::current(db).await?;
    let plan = &campaign.plan;
    let all: Vec<UnitRow> = units::list(db)
        .await?
        .into_iter()
        .filter(|u| u.active)
        .collect();
    let root = match unit_code {
        Some(code) => all
            .iter()
            .find(|u| u.code == code)
            .ok_or_else(Failure::not_found)?,
        None => all
            .iter()
            .find(|u| u.parent_id.is_none())
            .ok_or_else(Failure::not_found)?,
    };
    let today = state
        .now()
        .with_timezone(&plan.campaign.timezone)
        .date_naive();
    let at = at.unwrap_or_else(|| today.min(plan.campaign.ends_on));
    let upto = periods_counted(plan, at);
    let subtree: std::collections::HashSet<i64> =
        units::subtree_ids(db, root.id).await?.into_iter().collect();
    let in_subtree: Vec<bool> = all.iter().map(|u| subtree.contains(&u.id)).collect();
    let own = phongtrao_storage::progress::own_totals(db, campaign.row.id, i64::from(upto)).await?;
    let bases = phongtrao_storage::progress::base_figures(db).await?;
    let reporting = |u: &UnitRow| {
        u.level()
            .is_some_and(|l| plan.reporting.levels.contains(&l))
    };
    let allocated = phongtrao_storage::allocations::all(db, campaign.row.id).await?;
    let mut indicators = Vec::new();
    for ind in plan.indicators() {
        let mut totals = Totals {
            sum: 0,
            base_sum: None,
            expected_units: 0,
            units_done: 0,
        };
        for (i, u) in all.iter().enumerate() {
            if !in_subtree[i] {
                continue;
            }
            let value = own
                .get(&u.id)
                .and_then(|m| m.get(&ind.key))
                .copied()
                .unwrap_or(0);
            totals.sum += value;
            let (Some(level), Some(kind)) = (u.level(), u.kind()) else {
                continue;
            };
            let expected = ind.expects(level, kind);
            if expected {
                totals.expected_units += 1;
            }
            match ind.kind {
                IndicatorKind::PercentOfBase if reporting(u) => {
                    if let Some(v) = ind
                        .base
                        .and_then(|b| bases.get(&u.id).and_then(|m| m.get(b.as_str())))
                    {
                        totals.base_sum = Some(totals.base_sum.unwrap_or(0) + v);
                    }
                }
                IndicatorKind::ShareOfUnits => totals.units_done += value,
                IndicatorKind::MinimumPerUnit if expected && reporting(u) => {
                    if value as f64 >= ind.per_unit_minimum.unwrap_or(1.0) {
                        totals.units_done += 1;
                    }
                }
                IndicatorKind::MinimumPerUnit => totals.units_done += value,
                _ => {}
            }
        }
        totals.units_done = totals.units_done.min(totals.expected_units.max(0));
        let goal = match ind.kind {
            IndicatorKind::Count if root.parent_id.is_some() => allocated
                .get(&(ind.key.clone(), root.id))
                .map(|g| *g as f64),
            _ => Some(ind.goal),
        };
        let (achieved, ratio, status, text_vi, text_en) = match goal {
            Some(g) => {
                let p = evaluate(ind, g, &totals);
                (
                    p.achieved,
                    p.ratio,
                    p.verdict.as_str(),
                    verdict_text(&p),
                    verdict_text_en(&p),
                )
            }
            None => {
                let p = evaluate(ind, 1.0, &totals);
                (
                    p.achieved,
                    None,
                    "no_goal",
                    "chưa giao chỉ tiêu".to_string(),
                    "no allocated goal".to_string(),
                )
            }
        };
        indicators.push(IndicatorProgress {
            target: ind.target_number,
            indicator: ind.key.clone(),
            label: ind.label.clone(),
            kind: ind.kind.as_str(),
            comparison: ind.comparison.as_str(),
            goal,
            achieved,
            sum: totals.sum,
            ratio,
            status,
            text_vi,
            text_en,
            unit_label: ind.unit_label.clone(),
        });
    }
    let expected_units: Vec<&UnitRow> = all
        .iter()
        .enumerate()
        .filter(|(i, u)| in_subtree[*i] && reporting(u))
        .map(|(_, u)| u)
        .collect();
    let mut timeliness = Vec::new();
    for p in plan.periods().into_iter().filter(|p| p.seq <= upto) {
        let rows =
            phongtrao_storage::progress::period_reports(db, campaign.row.id, i64::from(p.seq))
                .await?;
        let (mut on_time, mut late, mut missing_units) = (0, 0, Vec::new());
        for u in &expected_units {
            match rows.get(&u.id).and_then(|(_, t)| t.as_deref()) {
                Some("on_time") => on_time += 1,
                Some(_) => late += 1,
                None => missing_units.push(u.code.clone()),
            }
        }
        let expected = expected_units.len();
        timeliness.push(Timeliness {
            period: p.seq,
            period_end: p.end,
            expected,
            on_time,
            late,
            missing: missing_units.len(),
            rate: if expected == 0 {
                0.0
            } else {
                100.0 * (on_time + late) as f64 / expected as f64
            },
            missing_units,
        });
    }
    Ok(ProgressReport {
        unit: root.code.clone(),
        unit_name: root.name.clone(),
        at,
        periods_counted: upto,
        indicators,
        timeliness,
    })
}
