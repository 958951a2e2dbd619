//! Consolidated progress of a unit's subtree at a date: for every indicator the goal,
//! what was achieved, the ratio and đạt / vượt / chưa đạt; and reporting timeliness.
//! The figures are sums of the counted reports (submitted or accepted) and equal what
//! a person gets by adding them by hand.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;
use phongtrao_domain::format::Percent;
use phongtrao_domain::plan::{IndicatorKind, Plan};
use phongtrao_domain::progress::figures::{self, Figures};
use phongtrao_domain::progress::Coverage;
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::rollups;
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
    /// "met", "exceeded", "not_met", "no_goal"; for percent of base also "no_base"
    /// (no unit has the base figure) and "insufficient_base" (some units have it, not
    /// all, and the office has not marked it complete): neither counts as not met.
    pub status: &'static str,
    /// The status in words ("chưa đủ số liệu nền").
    pub status_vi: &'static str,
    pub status_en: &'static str,
    /// The share achieved in percent, rounded once (half away from zero) as every
    /// surface shows it; percentage kinds only, None without a base.
    pub achieved_percent: Option<Percent>,
    /// achieved ÷ goal in percent, rounded ("so với chỉ tiêu"); None with `ratio`.
    pub completion: Option<Percent>,
    /// Percent of base: how much of the base figure is known (units with it /
    /// reporting units, people counted in units without it).
    pub coverage: Option<Coverage>,
    /// The coverage in words, when it is not complete.
    pub coverage_vi: Option<String>,
    pub coverage_en: Option<String>,
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
    /// The same point of last year's campaign (when this campaign follows one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<crate::actions::compare_years::PreviousFigure>,
    /// Retired by an amendment of the plan ("ngừng theo dõi"): its figures are
    /// shown, its label says so, and completion and ranking leave it out.
    pub retired: bool,
}

impl IndicatorProgress {
    /// The label in one language: a retired indicator's says "(ngừng theo dõi)" or
    /// "(retired)" after it.
    pub fn label_in(&self, english: bool) -> String {
        match (self.retired, english) {
            (true, true) => {
                let bare = self.label.strip_suffix(RETIRED_SUFFIX_VI).unwrap_or(&self.label).trim_end();
                format!("{bare} {RETIRED_SUFFIX_EN}")
            }
            _ => self.label.clone(),
        }
    }
}

/// What a retired indicator's label says after it, on every surface.
pub const RETIRED_SUFFIX_VI: &str = "(ngừng theo dõi)";
pub const RETIRED_SUFFIX_EN: &str = "(retired)";

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
    /// Every missing unit is in `missing_units` (false when too many to list).
    pub missing_listed: bool,
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
    /// Last year's campaign the figures are compared with ("so với cùng kỳ"), when
    /// this campaign follows one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<crate::actions::compare_years::ComparedWith>,
}

/// What the reporting units' own subtrees hold for one share or minimum indicator:
/// units done they reported beyond the units the tree has under them cannot be
/// measured (units missing from the tree).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TreeUnits {
    pub reporting: i64,
    pub with_gaps: i64,
    pub done_outside: i64,
    pub expected_ok: i64,
    pub done_ok: i64,
}

impl TreeUnits {
    fn add(&mut self, expected: i64, done: i64) {
        self.reporting += 1;
        if done > expected {
            self.with_gaps += 1;
            self.done_outside += done;
        } else {
            self.expected_ok += expected;
            self.done_ok += done;
        }
    }
}

/// What the base-figure rules need besides a subtree's figures.
#[derive(Debug, Clone, Default)]
pub struct BaseChecks {
    /// The base figures the office marked complete.
    pub marked_complete: BTreeSet<BaseFigure>,
    /// The tree check of the subtree's reporting units (empty: none made).
    pub tree: HashMap<usize, TreeUnits>,
}

/// Reporting units read one by one for the tree check at most (a larger subtree
/// keeps the capped sums).
pub const TREE_CHECK_LIMIT: i64 = 2000;

/// The tree check of `root`'s subtree: for each share or minimum indicator, its
/// reporting units' units done against the units their own subtrees expect.
async fn tree_units(
    state: &AppState,
    plan: &Plan,
    campaign_id: i64,
    root: &UnitRow,
    root_figures: &Figures,
    upto: u32,
) -> Result<HashMap<usize, TreeUnits>, Failure> {
    // Only the indicators some unit of the subtree reported units done for.
    let shares: Vec<usize> = plan
        .indicators()
        .enumerate()
        .filter(|(idx, i)| {
            figures::counts_units_done(i.kind) && figures::units_done_reported(*idx, root_figures, i64::from(upto)) > 0
        })
        .map(|(idx, _)| idx)
        .collect();
    let reporting_root = plan.reporting.levels.iter().any(|r| i64::from(r.number()) == root.level);
    let reporting = root_figures.get(&(figures::Key::Reporting, 0)).copied().unwrap_or(0);
    if shares.is_empty() || reporting_root || reporting == 0 || reporting >= TREE_CHECK_LIMIT {
        return Ok(HashMap::new());
    }
    let ids =
        phongtrao_storage::progress::reporting_units(&state.db, root.id, &plan.reporting.levels, TREE_CHECK_LIMIT)
            .await?;
    if ids.is_empty() || ids.len() as i64 >= TREE_CHECK_LIMIT {
        return Ok(HashMap::new());
    }
    let figs = rollups::subtree_figures(&state.db, plan, campaign_id, &ids).await?;
    let mut out: HashMap<usize, TreeUnits> = HashMap::new();
    for id in &ids {
        let Some(f) = figs.get(id) else { continue };
        for &idx in &shares {
            let expected = figures::totals(plan, idx, f, i64::from(upto)).expected_units;
            let done = figures::units_done_reported(idx, f, i64::from(upto));
            out.entry(idx).or_default().add(expected, done);
        }
    }
    Ok(out)
}

/// The periods that count at `at`: those that have started by then.
pub fn periods_counted(plan: &Plan, at: NaiveDate) -> u32 {
    plan.periods().iter().filter(|p| p.start <= at).map(|p| p.seq).max().unwrap_or(0)
}

/// Reporting units of a subtree listed by name when at most this many are missing
/// (a national subtree lists its missing units child by child instead).
pub const MISSING_LIST_LIMIT: i64 = 500;

/// Which periods' missing units a computation names (each list is a walk of the subtree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingLists {
    /// Every counted period (the API, the CLI, the documents).
    Every,
    /// The last counted period only (the dashboard).
    Last,
    /// None: counts only (the unit's home page).
    None,
}

pub async fn compute(
    state: &AppState,
    campaign: &StoredCampaign,
    unit_code: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<ProgressReport, Failure> {
    compute_listing(state, campaign, unit_code, at, MissingLists::Every).await
}

/// `compute`, naming the missing units of the periods `lists` says.
pub async fn compute_listing(
    state: &AppState,
    campaign: &StoredCampaign,
    unit_code: Option<&str>,
    at: Option<NaiveDate>,
    lists: MissingLists,
) -> Result<ProgressReport, Failure> {
    let db = &state.db;
    let plan = &campaign.plan;
    let root = match unit_code {
        Some(code) => crate::campaign_choice::unit_by_code(db, campaign, code)
            .await?
            .filter(|u| u.active)
            .ok_or_else(Failure::not_found)?,
        None => crate::campaign_choice::root(db, campaign).await?.ok_or_else(Failure::not_found)?,
    };
    let today = state.now().with_timezone(&plan.campaign.timezone).date_naive();
    let at = at.unwrap_or_else(|| today.min(plan.campaign.ends_on));
    let upto = periods_counted(plan, at);
    let mut figures = rollups::subtree_figures(db, plan, campaign.row.id, &[root.id]).await?;
    let figures = figures.remove(&root.id).unwrap_or_default();
    let goals = phongtrao_storage::allocations::for_units(db, campaign.row.id, &[root.id]).await?;
    let marked = phongtrao_storage::base_figures::marked_complete(db, campaign.row.id).await?;
    let tree = tree_units(state, plan, campaign.row.id, &root, &figures, upto).await?;
    let checks = BaseChecks { marked_complete: marked, tree };
    let mut report = from_figures(plan, &root, &figures, &goals, &checks, at, upto);
    for t in &mut report.timeliness {
        let wanted = match lists {
            MissingLists::Every => true,
            MissingLists::Last => t.period == upto,
            MissingLists::None => false,
        };
        if wanted && t.missing > 0 && t.missing as i64 <= MISSING_LIST_LIMIT {
            t.missing_units = phongtrao_storage::progress::missing_units(
                db,
                campaign.row.id,
                root.id,
                i64::from(t.period),
                &plan.reporting.levels,
                MISSING_LIST_LIMIT,
            )
            .await?
            .into_iter()
            .map(|(_, code)| code)
            .collect();
        }
        t.missing_listed = t.missing_units.len() == t.missing;
    }
    report.simulated = crate::demo::is_simulated(db).await;
    // Year over year on every surface that reads a unit's progress (not the home page).
    if lists != MissingLists::None {
        let lineage = crate::actions::compare_years::lineage_for(state, campaign).await?;
        let yoy = crate::actions::compare_years::compare(state, campaign, &root, &report, &lineage).await?;
        crate::actions::compare_years::attach(&mut report, yoy);
    }
    Ok(report)
}

/// One indicator of one subtree judged, without any text: the goal, the totals, the
/// evaluation and the status. The dashboard's table of children and the ranking need
/// no more; [`from_figures`] builds its full lines (texts, series, projection) on the
/// same, so every surface shows the same figures.
#[derive(Debug, Clone, Copy)]
pub struct Judged {
    pub goal: Option<f64>,
    pub totals: phongtrao_domain::progress::Totals,
    pub progress: phongtrao_domain::progress::Progress,
    /// As [`IndicatorProgress::status`].
    pub status: &'static str,
}

impl Judged {
    /// As [`IndicatorProgress::ratio`].
    pub fn ratio(&self) -> Option<f64> {
        if self.status == "no_goal" {
            None
        } else {
            self.progress.ratio
        }
    }

    /// As [`IndicatorProgress::completion`].
    pub fn completion(&self) -> Option<Percent> {
        if self.status == "no_goal" {
            None
        } else {
            self.progress.completion
        }
    }

    /// The verdict in words, as [`IndicatorProgress::text_vi`] / `text_en`, written
    /// where it is shown.
    pub fn text(&self, english: bool) -> JudgedText<'_> {
        JudgedText { judged: self, english }
    }
}

/// [`Judged::text`].
pub struct JudgedText<'a> {
    judged: &'a Judged,
    english: bool,
}

impl std::fmt::Display for JudgedText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.judged.goal, self.english) {
            (Some(_), english) => {
                phongtrao_domain::progress::VerdictText { progress: &self.judged.progress, english }.fmt(f)
            }
            (None, false) => f.write_str(NO_GOAL_VI),
            (None, true) => f.write_str(NO_GOAL_EN),
        }
    }
}

const NO_GOAL_VI: &str = "chưa giao chỉ tiêu";
const NO_GOAL_EN: &str = "no allocated goal";

/// What judging many subtrees against one plan reads once: each indicator's plan
/// goal as an exact decimal, the allocated goals by unit and indicator.
pub struct Judge<'a> {
    plan: &'a Plan,
    plan_goals: Vec<phongtrao_domain::format::Ratio>,
    /// unit → allocated goal of each indicator (by index).
    allocated: HashMap<i64, Vec<Option<i64>>>,
    checks: &'a BaseChecks,
    upto: u32,
}

impl<'a> Judge<'a> {
    pub fn new(plan: &'a Plan, goals: &HashMap<(String, i64), i64>, checks: &'a BaseChecks, upto: u32) -> Self {
        Self::of_units(plan, goals, checks, upto, None)
    }

    /// A judge of one unit's subtree only (the allocated goals of the others unread).
    pub fn for_unit(
        plan: &'a Plan,
        goals: &HashMap<(String, i64), i64>,
        checks: &'a BaseChecks,
        upto: u32,
        unit_id: i64,
    ) -> Self {
        Self::of_units(plan, goals, checks, upto, Some(unit_id))
    }

    fn of_units(
        plan: &'a Plan,
        goals: &HashMap<(String, i64), i64>,
        checks: &'a BaseChecks,
        upto: u32,
        only: Option<i64>,
    ) -> Self {
        let count = plan.indicators().count();
        let mut allocated: HashMap<i64, Vec<Option<i64>>> = HashMap::new();
        match only {
            Some(unit) => {
                let goals: Vec<Option<i64>> =
                    plan.indicators().map(|ind| goals.get(&(ind.key.clone(), unit)).copied()).collect();
                allocated.insert(unit, goals);
            }
            None => {
                let index: HashMap<&str, usize> =
                    plan.indicators().enumerate().map(|(i, ind)| (ind.key.as_str(), i)).collect();
                for ((key, unit), goal) in goals {
                    if let Some(&i) = index.get(key.as_str()) {
                        allocated.entry(*unit).or_insert_with(|| vec![None; count])[i] = Some(*goal);
                    }
                }
            }
        }
        Judge {
            plan,
            plan_goals: plan.indicators().map(|i| phongtrao_domain::progress::exact_goal(i.goal)).collect(),
            allocated,
            checks,
            upto,
        }
    }

    /// Every indicator of `root`'s subtree judged from its consolidated figures.
    pub fn judge(&self, root: &UnitRow, figures: &Figures) -> Vec<Judged> {
        let plan = self.plan;
        let checks = self.checks;
        let reporting_root = plan.reporting.levels.iter().any(|r| i64::from(r.number()) == root.level);
        let upto_seq = i64::from(self.upto);
        let allocated = self.allocated.get(&root.id);
        let mut out = Vec::with_capacity(self.plan_goals.len());
        for (idx, ind) in plan.indicators().enumerate() {
            let mut totals = figures::totals_of(ind, idx, figures, upto_seq);
            totals.base_marked_complete = ind.base.is_some_and(|b| checks.marked_complete.contains(&b));
            if figures::counts_units_done(ind.kind) {
                // Units done beyond the units the tree holds (units missing from the tree):
                // a reporting unit checks itself, a larger subtree its reporting units.
                let check = if reporting_root {
                    let mut own = TreeUnits::default();
                    own.add(totals.expected_units, figures::units_done_reported(idx, figures, upto_seq));
                    Some(own)
                } else {
                    checks.tree.get(&idx).copied()
                };
                if let Some(t) = check {
                    if t.with_gaps > 0 {
                        totals.expected_units = t.expected_ok;
                        totals.units_done = t.done_ok;
                    }
                    totals.tree_gaps = Some((t.reporting, t.with_gaps, t.done_outside));
                }
            }
            let plan_goal =
                self.plan_goals.get(idx).copied().unwrap_or_else(|| phongtrao_domain::progress::exact_goal(ind.goal));
            let goal = match ind.kind {
                IndicatorKind::Count if root.parent_id.is_some() => {
                    allocated.and_then(|a| a.get(idx).copied().flatten()).map(|g| (g as f64, exact_whole(g)))
                }
                _ => Some((ind.goal, plan_goal)),
            };
            let judged = match goal {
                Some((g, exact)) => {
                    let p = phongtrao_domain::progress::evaluate_exact(ind, g, exact, &totals);
                    Judged { goal: Some(g), totals, progress: p, status: p.verdict.as_str() }
                }
                None => {
                    let p = phongtrao_domain::progress::evaluate_exact(
                        ind,
                        1.0,
                        phongtrao_domain::format::Ratio::whole(1),
                        &totals,
                    );
                    Judged { goal: None, totals, progress: p, status: "no_goal" }
                }
            };
            out.push(judged);
        }
        out
    }
}

/// An allocated goal (a whole number) as the exact decimal `exact_goal` reads from
/// its f64: the number itself while the f64 holds it exactly.
fn exact_whole(goal: i64) -> phongtrao_domain::format::Ratio {
    if goal.unsigned_abs() < (1u64 << 53) {
        phongtrao_domain::format::Ratio::whole(goal)
    } else {
        phongtrao_domain::progress::exact_goal(goal as f64)
    }
}

/// The weekly periods counted at `upto` (those whose timeliness a report lists).
pub fn counted_periods(plan: &Plan, upto: u32) -> Vec<u32> {
    plan.periods().into_iter().filter(|p| p.seq <= upto).map(|p| p.seq).collect()
}

/// Reports due, on time and late over the counted periods (`counted_periods`), as
/// the sums of the timeliness lines (each clamped at 0).
pub fn timeliness_sums(figures: &Figures, periods: &[u32]) -> (usize, usize, usize) {
    let (mut expected, mut on_time, mut late) = (0usize, 0usize, 0usize);
    for seq in periods {
        let (e, o, l) = figures::timeliness(figures, i64::from(*seq));
        expected += e.max(0) as usize;
        on_time += o.max(0) as usize;
        late += l.max(0) as usize;
    }
    (expected, on_time, late)
}

/// The progress of one subtree from its consolidated figures (no database).
pub fn from_figures(
    plan: &Plan,
    root: &UnitRow,
    figures: &Figures,
    goals: &HashMap<(String, i64), i64>,
    checks: &BaseChecks,
    at: NaiveDate,
    upto: u32,
) -> ProgressReport {
    let judge = Judge::for_unit(plan, goals, checks, upto, root.id);
    from_judged(plan, root, figures, &judge.judge(root, figures), at, upto)
}

/// [`from_figures`] with the indicators already judged.
fn from_judged(
    plan: &Plan,
    root: &UnitRow,
    figures: &Figures,
    judged: &[Judged],
    at: NaiveDate,
    upto: u32,
) -> ProgressReport {
    let periods_total = plan.periods().len();
    let upto_seq = i64::from(upto);
    let mut indicators = Vec::new();
    for ((idx, ind), j) in plan.indicators().enumerate().zip(judged) {
        let (goal, totals, p, status) = (j.goal, j.totals, j.progress, j.status);
        // The weekly series of the subtree's sum, and the pace projection.
        let series = figures::series(idx, figures, upto_seq);
        let projected_sum = phongtrao_domain::progress::project(&series, periods_total);
        let projected = goal.map(|_| match ind.kind {
            IndicatorKind::Count => projected_sum,
            // Over the units that have the base: their share of the projected sum.
            IndicatorKind::PercentOfBase => match totals.base_sum {
                Some(b) if b > 0 && totals.sum > 0 => {
                    100.0 * projected_sum * (totals.covered as f64 / totals.sum as f64) / b as f64
                }
                _ => 0.0,
            },
            // Shares of units: the share reached so far, at the same pace, at most 100%
            // (what is achieved does not depend on the goal it is judged against).
            _ => {
                if upto == 0 {
                    0.0
                } else {
                    (p.achieved / f64::from(upto) * periods_total as f64).min(100.0)
                }
            }
        });
        let (text_vi, text_en) = (j.text(false).to_string(), j.text(true).to_string());
        let judged = matches!(status, "met" | "exceeded" | "not_met");
        let at_risk = !ind.retired
            && match (goal, projected) {
                (Some(g), Some(pr)) if judged => phongtrao_domain::progress::at_risk(ind.comparison, g, pr),
                _ => false,
            };
        let incomplete = p.coverage.filter(|c| !c.complete);
        indicators.push(IndicatorProgress {
            target: ind.target_number,
            indicator: ind.key.clone(),
            label: if ind.retired { format!("{} {RETIRED_SUFFIX_VI}", ind.label) } else { ind.label.clone() },
            kind: ind.kind.as_str(),
            comparison: ind.comparison.as_str(),
            goal,
            achieved: p.achieved,
            sum: totals.sum,
            ratio: j.ratio(),
            status,
            status_vi: phongtrao_domain::progress::status_label_vi(status),
            status_en: phongtrao_domain::progress::status_label_en(status),
            achieved_percent: p.achieved_percent,
            completion: j.completion(),
            coverage: p.coverage,
            coverage_vi: incomplete.map(|c| c.text_vi()),
            coverage_en: incomplete.map(|c| c.text_en()),
            text_vi,
            text_en,
            unit_label: ind.unit_label.clone(),
            series,
            projected,
            at_risk,
            previous: None,
            retired: ind.retired,
        });
    }
    let mut timeliness = Vec::new();
    for p in plan.periods().into_iter().filter(|p| p.seq <= upto) {
        let (expected, on_time, late) = figures::timeliness(figures, i64::from(p.seq));
        let (expected, on_time, late) = (expected.max(0) as usize, on_time.max(0) as usize, late.max(0) as usize);
        let missing = expected.saturating_sub(on_time + late);
        timeliness.push(Timeliness {
            period: p.seq,
            period_end: p.end,
            expected,
            on_time,
            late,
            missing,
            rate: if expected == 0 { 0.0 } else { 100.0 * (on_time + late) as f64 / expected as f64 },
            missing_units: Vec::new(),
            missing_listed: missing == 0,
        });
    }
    ProgressReport {
        unit: root.code.clone(),
        unit_name: root.name.clone(),
        at,
        periods_counted: upto,
        indicators,
        timeliness,
        simulated: false,
        forecast_rule_vi: phongtrao_domain::progress::RULE_VI,
        forecast_rule_en: phongtrao_domain::progress::RULE_EN,
        compared_with: None,
    }
}

/// What judging a unit's children needs, read once: the parent, its active children
/// in tree order, their kept figures and goals, the base figures marked complete, and
/// the day judged (asked, or today within the campaign) with its counted periods.
struct ChildrenRead {
    parent: UnitRow,
    children: Vec<UnitRow>,
    figures: HashMap<i64, phongtrao_domain::progress::figures::Figures>,
    goals: HashMap<(String, i64), i64>,
    checks: BaseChecks,
    at: NaiveDate,
    upto: u32,
}

async fn read_children(
    state: &AppState,
    campaign: &StoredCampaign,
    parent_code: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<ChildrenRead, Failure> {
    let db = &state.db;
    let plan = &campaign.plan;
    let parent = match parent_code {
        Some(code) => crate::campaign_choice::unit_by_code(db, campaign, code).await?.ok_or_else(Failure::not_found)?,
        None => crate::campaign_choice::root(db, campaign).await?.ok_or_else(Failure::not_found)?,
    };
    let children: Vec<UnitRow> = units::children(db, parent.id).await?.into_iter().filter(|u| u.active).collect();
    let ids: Vec<i64> = children.iter().map(|u| u.id).collect();
    let figures = rollups::subtree_figures_of_rows(db, plan, campaign.row.id, &children).await?;
    let goals = phongtrao_storage::allocations::for_units(db, campaign.row.id, &ids).await?;
    let checks = BaseChecks {
        marked_complete: phongtrao_storage::base_figures::marked_complete(db, campaign.row.id).await?,
        tree: HashMap::new(),
    };
    let today = state.now().with_timezone(&plan.campaign.timezone).date_naive();
    let at = at.unwrap_or_else(|| today.min(plan.campaign.ends_on));
    let upto = periods_counted(plan, at);
    Ok(ChildrenRead { parent, children, figures, goals, checks, at, upto })
}

/// The progress of each child of a unit (for rankings and unit × indicator tables),
/// from one read of their consolidated figures, in tree order; missing units are not
/// listed.
pub async fn compute_children(
    state: &AppState,
    campaign: &StoredCampaign,
    parent_code: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<(UnitRow, Vec<(UnitRow, ProgressReport)>), Failure> {
    let plan = &campaign.plan;
    let ChildrenRead { parent, children, mut figures, goals, checks, at, upto } =
        read_children(state, campaign, parent_code, at).await?;
    let simulated = crate::demo::is_simulated(&state.db).await;
    let judge = Judge::new(plan, &goals, &checks, upto);
    let reports = children
        .into_iter()
        .map(|child| {
            let f = figures.remove(&child.id).unwrap_or_default();
            let mut report = from_judged(plan, &child, &f, &judge.judge(&child, &f), at, upto);
            report.simulated = simulated;
            (child, report)
        })
        .collect();
    Ok((parent, reports))
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

/// One child of a unit with its indicators judged (no texts): a row of the
/// dashboard's table and of the ranking.
#[derive(Debug, Clone)]
pub struct ChildJudged {
    pub unit: UnitRow,
    pub indicators: Vec<Judged>,
    /// Reports due, on time and late over the counted periods (as the sums of the
    /// child's timeliness lines).
    pub expected: usize,
    pub on_time: usize,
    pub late: usize,
}

/// The children of a unit judged at a date.
#[derive(Debug, Clone)]
pub struct ChildrenJudged {
    pub parent: UnitRow,
    pub at: NaiveDate,
    pub upto: u32,
    pub children: Vec<ChildJudged>,
}

/// Each child of a unit judged from one read of their consolidated figures, in tree
/// order: the same figures as [`compute_children`] (whose reports are built on the
/// same judgement), without the texts, series and projections a child's row does
/// not show — the national dashboard judges 700 children × 26 indicators per read.
pub async fn judge_children(
    state: &AppState,
    campaign: &StoredCampaign,
    parent_code: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<ChildrenJudged, Failure> {
    let plan = &campaign.plan;
    let ChildrenRead { parent, children, mut figures, goals, checks, at, upto } =
        read_children(state, campaign, parent_code, at).await?;
    let judge = Judge::new(plan, &goals, &checks, upto);
    let periods = counted_periods(plan, upto);
    let children = children
        .into_iter()
        .map(|unit| {
            let f = figures.remove(&unit.id).unwrap_or_default();
            let indicators = judge.judge(&unit, &f);
            let (expected, on_time, late) = timeliness_sums(&f, &periods);
            ChildJudged { unit, indicators, expected, on_time, late }
        })
        .collect();
    Ok(ChildrenJudged { parent, at, upto, children })
}

pub async fn ranking(
    state: &AppState,
    campaign: &StoredCampaign,
    parent_code: Option<&str>,
    at: Option<NaiveDate>,
) -> Result<Ranking, Failure> {
    let judged = judge_children(state, campaign, parent_code, at).await?;
    let at = if judged.children.is_empty() { at.unwrap_or_else(|| state.now().date_naive()) } else { judged.at };
    Ok(rank_judged(&campaign.plan, &judged.parent.code, at, &judged.children))
}

/// The ranking of a unit's judged children (no database): the same as
/// [`rank_reports`] over their full progress reports.
pub fn rank_judged(plan: &Plan, parent_code: &str, at: NaiveDate, children: &[ChildJudged]) -> Ranking {
    let keys = if children.is_empty() { Vec::new() } else { plan.indicators().map(|i| i.key.clone()).collect() };
    let entries: Vec<phongtrao_domain::progress::RankingEntry> =
        children
            .iter()
            .map(|c| phongtrao_domain::progress::RankingEntry {
                name: c.unit.name.clone(),
                ratios: plan
                    .indicators()
                    .zip(&c.indicators)
                    // A retired indicator is no longer a goal the unit is judged against.
                    .map(|(ind, j)| {
                        if !ind.retired && matches!(j.status, "met" | "exceeded" | "not_met") {
                            j.ratio()
                        } else {
                            None
                        }
                    })
                    .collect(),
                on_time: c.on_time as i64,
                expected_reports: c.expected as i64,
            })
            .collect();
    let codes: Vec<&str> = children.iter().map(|c| c.unit.code.as_str()).collect();
    ranking_of(parent_code, at, keys, &entries, &codes)
}

/// The ranking of `entries` (the children's ratios and report counts, whose unit
/// codes are `codes`, in the same order), by the domain's rule.
fn ranking_of(
    parent_code: &str,
    at: NaiveDate,
    keys: Vec<String>,
    entries: &[phongtrao_domain::progress::RankingEntry],
    codes: &[&str],
) -> Ranking {
    let rows = phongtrao_domain::progress::rank(entries)
        .into_iter()
        .map(|ranked| RankingRow {
            unit: codes.get(ranked.input_index).map(|c| c.to_string()).unwrap_or_default(),
            ranked,
        })
        .collect();
    Ranking {
        parent: parent_code.to_string(),
        at,
        formula_vi: phongtrao_domain::progress::FORMULA_VI,
        formula_en: phongtrao_domain::progress::FORMULA_EN,
        indicators: keys,
        rows,
    }
}

/// The ranking of a unit's children from their progress reports (no database).
pub fn rank_reports<'a>(
    parent_code: &str,
    at: NaiveDate,
    children: impl Iterator<Item = &'a ProgressReport>,
) -> Ranking {
    let mut entries = Vec::new();
    let mut codes = Vec::new();
    let mut keys = Vec::new();
    for p in children {
        if keys.is_empty() {
            keys = p.indicators.iter().map(|i| i.indicator.clone()).collect();
        }
        let ratios = p
            .indicators
            .iter()
            // A retired indicator is no longer a goal the unit is judged against.
            .map(|i| if !i.retired && matches!(i.status, "met" | "exceeded" | "not_met") { i.ratio } else { None })
            .collect();
        let on_time = p.timeliness.iter().map(|t| t.on_time as i64).sum();
        let expected = p.timeliness.iter().map(|t| t.expected as i64).sum();
        entries.push(phongtrao_domain::progress::RankingEntry {
            name: p.unit_name.clone(),
            ratios,
            on_time,
            expected_reports: expected,
        });
        codes.push(p.unit.as_str());
    }
    ranking_of(parent_code, at, keys, &entries, &codes)
}

/// Whether the office marked a base figure complete for the current campaign.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BaseCompleteness {
    /// The base figure ("doan_vien", "thanh_nien", …).
    #[serde(default)]
    pub figure: Option<String>,
    /// Units without this figure are taken to have none: the percentages measured
    /// against it are judged over the units that have it.
    pub complete: bool,
}

/// One base figure's state for the current campaign: its coverage over the whole
/// tree and whether the office marked it complete.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BaseCoverage {
    pub figure: &'static str,
    pub label_vi: &'static str,
    pub label_en: &'static str,
    /// The percent-of-base indicators measured against it.
    pub indicators: Vec<String>,
    pub units_with_base: i64,
    pub units_expected: i64,
    pub marked_complete: bool,
}

/// The base figures the plan's percentages are measured against, with their coverage
/// at the root of the tree.
pub async fn base_coverage(state: &AppState, campaign: &StoredCampaign) -> Result<Vec<BaseCoverage>, Failure> {
    let marked = phongtrao_storage::base_figures::marked_complete(&state.db, campaign.row.id).await?;
    let report = compute_listing(state, campaign, None, None, MissingLists::None).await?;
    let mut out: Vec<BaseCoverage> = Vec::new();
    for ind in campaign.plan.indicators() {
        let (IndicatorKind::PercentOfBase, Some(b)) = (ind.kind, ind.base) else { continue };
        let coverage = report.indicators.iter().find(|i| i.indicator == ind.key).and_then(|i| i.coverage);
        match out.iter_mut().find(|c| c.figure == b.as_str()) {
            Some(c) => c.indicators.push(ind.key.clone()),
            None => out.push(BaseCoverage {
                figure: b.as_str(),
                label_vi: b.label_vi(),
                label_en: b.label_en(),
                indicators: vec![ind.key.clone()],
                units_with_base: coverage.map(|c| c.units_with_base).unwrap_or(0),
                units_expected: coverage.map(|c| c.units_expected).unwrap_or(0),
                marked_complete: marked.contains(&b),
            }),
        }
    }
    Ok(out)
}

/// The office marks a base figure complete (or not) for the current campaign:
/// admin only, audited with the value before and after.
pub async fn set_base_complete(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &crate::auth::Actor,
    client: &crate::auth::client::ClientIp,
    figure: &str,
    complete: bool,
) -> Result<BaseCompleteness, Failure> {
    crate::campaign_choice::ensure_running(campaign)?;
    crate::authz::require(state, actor, client, phongtrao_domain::policy::Action::AdministerCampaign, None).await?;
    let used: Vec<BaseFigure> = campaign.plan.indicators().filter_map(|i| i.base).collect();
    let Some(f) = BaseFigure::parse(figure).filter(|f| used.contains(f)) else {
        let names: Vec<&str> = {
            let mut v: Vec<&str> = used.iter().map(|f| f.as_str()).collect();
            v.dedup();
            v
        };
        return Err(Failure::invalid(format!(
            "Số liệu nền không có trong kế hoạch: \"{figure}\" (có: {}) / Not a base figure of the plan: \"{figure}\" (known: {})",
            names.join(", "),
            names.join(", ")
        )));
    };
    phongtrao_storage::base_figures::set_complete(
        &state.db,
        campaign.row.id,
        f,
        complete,
        &crate::authz::who(Some(actor), client),
        state.now(),
    )
    .await?;
    Ok(BaseCompleteness { figure: Some(f.as_str().to_string()), complete })
}
