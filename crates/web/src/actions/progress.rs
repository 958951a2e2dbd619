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
    /// The subtree's total at the end of each counted week (the weekly series).
    pub series: Vec<i64>,
    /// Projected result at the campaign's end at the current pace (same unit as
    /// `achieved`); None without a goal.
    pub projected: Option<f64>,
    /// The projection misses the goal.
    pub at_risk: bool,
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
    /// The figures come from simulated reports (`phongtrao demo`).
    pub simulated: bool,
    /// How the projection is made, as shown to users.
    pub forecast_rule_vi: &'static str,
    pub forecast_rule_en: &'static str,
}

/// The periods that count at `at`: those that have started by then.
pub fn periods_counted(plan: &Plan, at: NaiveDate) -> u32 {
    plan.periods().iter().filter(|p| p.start <= at).map(|p| p.seq).max().unwrap_or(0)
}

pub async fn compute(
    state: &AppState,
    unit_code: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<ProgressReport, Failure> {
    let db = &state.db;
    let campaign: StoredCampaign = campaigns::current(db).await?;
    let plan = &campaign.plan;
    let all: Vec<UnitRow> = units::list(db).await?.into_iter().filter(|u| u.active).collect();
    let root = match unit_code {
        Some(code) => all.iter().find(|u| u.code == code).ok_or_else(Failure::not_found)?,
        None => all.iter().find(|u| u.parent_id.is_none()).ok_or_else(Failure::not_found)?,
    };
    let today = state.now().with_timezone(&plan.campaign.timezone).date_naive();
    let at = at.unwrap_or_else(|| today.min(plan.campaign.ends_on));
    let upto = periods_counted(plan, at);
    let subtree: std::collections::HashSet<i64> = units::subtree_ids(db, root.id).await?.into_iter().collect();
    let in_subtree: Vec<bool> = all.iter().map(|u| subtree.contains(&u.id)).collect();
    let own = phongtrao_storage::progress::own_totals(db, campaign.row.id, i64::from(upto)).await?;
    let by_period = phongtrao_storage::progress::own_by_period(db, campaign.row.id).await?;
    let periods_total = plan.periods().len();
    let bases = phongtrao_storage::progress::base_figures(db).await?;
    let reporting = |u: &UnitRow| u.level().is_some_and(|l| plan.reporting.levels.contains(&l));
    let allocated = phongtrao_storage::allocations::all(db, campaign.row.id).await?;
    let mut indicators = Vec::new();
    for ind in plan.indicators() {
        let mut totals = Totals { sum: 0, base_sum: None, expected_units: 0, units_done: 0 };
        for (i, u) in all.iter().enumerate() {
            if !in_subtree[i] {
                continue;
            }
            let value = own.get(&u.id).and_then(|m| m.get(&ind.key)).copied().unwrap_or(0);
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
                    if let Some(v) = ind.base.and_then(|b| bases.get(&u.id).and_then(|m| m.get(b.as_str()))) {
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
            IndicatorKind::Count if root.parent_id.is_some() => {
                allocated.get(&(ind.key.clone(), root.id)).map(|g| *g as f64)
            }
            _ => Some(ind.goal),
        };
        // The weekly series of the subtree's sum, and the pace projection.
        let mut series = Vec::new();
        let mut running = 0i64;
        for seq in 1..=i64::from(upto) {
            for (i, u) in all.iter().enumerate() {
                if in_subtree[i] {
                    running += by_period
                        .get(&u.id)
                        .and_then(|m| m.get(&ind.key))
                        .and_then(|m| m.get(&seq))
                        .copied()
                        .unwrap_or(0);
                }
            }
            series.push(running);
        }
        let projected_sum = phongtrao_domain::progress::project(&series, periods_total);
        let projected = goal.map(|_| match ind.kind {
            IndicatorKind::Count => projected_sum,
            IndicatorKind::PercentOfBase => match totals.base_sum {
                Some(b) if b > 0 => 100.0 * projected_sum / b as f64,
                _ => 0.0,
            },
            // Shares of units: the share reached so far, at the same pace, at most 100%.
            _ => {
                let achieved = evaluate(ind, ind.goal, &totals).achieved;
                if upto == 0 {
                    0.0
                } else {
                    (achieved / f64::from(upto) * periods_total as f64).min(100.0)
                }
            }
        });
        let at_risk = match (goal, projected) {
            (Some(g), Some(p)) => phongtrao_domain::progress::at_risk(ind.comparison, g, p),
            _ => false,
        };
        let (achieved, ratio, status, text_vi, text_en) = match goal {
            Some(g) => {
                let p = evaluate(ind, g, &totals);
                (p.achieved, p.ratio, p.verdict.as_str(), verdict_text(&p), verdict_text_en(&p))
            }
            None => {
                let p = evaluate(ind, 1.0, &totals);
                (p.achieved, None, "no_goal", "chưa giao chỉ tiêu".to_string(), "no allocated goal".to_string())
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
            series,
            projected,
            at_risk,
        });
    }
    let expected_units: Vec<&UnitRow> =
        all.iter().enumerate().filter(|(i, u)| in_subtree[*i] && reporting(u)).map(|(_, u)| u).collect();
    let mut timeliness = Vec::new();
    for p in plan.periods().into_iter().filter(|p| p.seq <= upto) {
        let rows = phongtrao_storage::progress::period_reports(db, campaign.row.id, i64::from(p.seq)).await?;
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
            rate: if expected == 0 { 0.0 } else { 100.0 * (on_time + late) as f64 / expected as f64 },
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
        simulated: crate::demo::is_simulated(db).await,
        forecast_rule_vi: phongtrao_domain::progress::RULE_VI,
        forecast_rule_en: phongtrao_domain::progress::RULE_EN,
    })
}

/// The emulation ranking (thi đua) of a unit's children, with each score's breakdown.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub parent: String,
    pub at: NaiveDate,
    pub formula_vi: &'static str,
    pub formula_en: &'static str,
    /// Indicator keys, in the order of each breakdown's `indicators`.
    pub indicators: Vec<String>,
    pub rows: Vec<RankingRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankingRow {
    pub unit: String,
    #[serde(flatten)]
    pub ranked: phongtrao_domain::progress::RankedRow,
}

pub async fn ranking(state: &AppState, parent_code: Option<&str>, at: Option<NaiveDate>) -> Result<Ranking, Failure> {
    let db = &state.db;
    let all = units::list(db).await?;
    let parent = match parent_code {
        Some(code) => all.iter().find(|u| u.code == code).ok_or_else(Failure::not_found)?,
        None => all.iter().find(|u| u.parent_id.is_none()).ok_or_else(Failure::not_found)?,
    };
    let children: Vec<&UnitRow> = all.iter().filter(|u| u.parent_id == Some(parent.id) && u.active).collect();
    let mut entries = Vec::new();
    let mut codes = Vec::new();
    let mut keys = Vec::new();
    let mut at_used = at;
    for child in &children {
        let p = compute(state, Some(&child.code), at).await?;
        at_used = Some(p.at);
        keys = p.indicators.iter().map(|i| i.indicator.clone()).collect();
        let ratios = p.indicators.iter().map(|i| if i.status == "no_goal" { None } else { i.ratio }).collect();
        let on_time = p.timeliness.iter().map(|t| t.on_time as i64).sum();
        let expected = p.timeliness.iter().map(|t| t.expected as i64).sum();
        entries.push(phongtrao_domain::progress::RankingEntry {
            name: child.name.clone(),
            ratios,
            on_time,
            expected_reports: expected,
        });
        codes.push(child.code.clone());
    }
    let rows = phongtrao_domain::progress::rank(&entries)
        .into_iter()
        .map(|ranked| RankingRow { unit: codes.get(ranked.input_index).cloned().unwrap_or_default(), ranked })
        .collect();
    Ok(Ranking {
        parent: parent.code.clone(),
        at: at_used.unwrap_or_else(|| state.now().date_naive()),
        formula_vi: phongtrao_domain::progress::FORMULA_VI,
        formula_en: phongtrao_domain::progress::FORMULA_EN,
        indicators: keys,
        rows,
    })
}
