//! Year over year, "so với cùng kỳ": a unit's progress beside the same point of the
//! campaign this one follows (last year's edition). The rules are in
//! `phongtrao_domain::progress::compare_years` and docs/year-over-year.md; the
//! figures are last year's consolidated figures (`phongtrao_storage::comparisons`).

use chrono::NaiveDate;
use phongtrao_domain::format::Percent;
use phongtrao_domain::policy::Action;
use phongtrao_domain::progress::compare_years::{self, Lineage, Measure};
use phongtrao_storage::campaigns::{self, StoredCampaign};
use phongtrao_storage::comparisons;
use phongtrao_storage::units::{self, UnitRow};
use serde::Serialize;

use crate::actions::progress::{IndicatorProgress, ProgressReport};
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::require_in;
use crate::error::Failure;
use crate::AppState;

/// One indicator against the same point last year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviousFigure {
    /// This campaign's indicator key.
    pub indicator: String,
    /// Last year's edition's year.
    pub year: i32,
    /// Last year's indicator key (the same key, or the office's match).
    pub key: Option<String>,
    /// Last year's figure at the same week: a count, or a percentage (82.3); None
    /// when there is none.
    pub value: Option<f64>,
    /// Last year's figure as the pages show it ("20.000", "82,3%", "—").
    pub value_text: String,
    /// The same in English ("20,000", "82.3%").
    pub value_text_en: String,
    /// Counts: the change in percent of last year's figure (12.5), rounded once.
    pub change_percent: Option<f64>,
    /// Percentages: the change in percentage points (4.2) of the shown percentages.
    pub change_points: Option<f64>,
    /// "up", "down", "level", "from_zero" (last year 0), "no_data".
    pub trend: &'static str,
    /// "tăng 12,5% so với cùng kỳ năm 2023"
    pub text_vi: String,
    /// "up 12.5% on the same point of 2023"
    pub text_en: String,
    /// Last year's figure at the end of each of its weeks (week 1 first; null where
    /// a percentage had nothing to divide by): the curve under this year's.
    pub series: Vec<Option<f64>>,
}

/// The campaign a progress report is compared with, and at which of its weeks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComparedWith {
    /// Last year's campaign code and title.
    pub campaign: String,
    pub title: String,
    pub year: i32,
    /// Last year's weekly period compared (the same week of the campaign, at most
    /// its last); None before this campaign's first week.
    pub period: Option<u32>,
    pub period_end: Option<NaiveDate>,
    /// "So với cùng kỳ năm 2023 (tuần 2): 5 chỉ số tăng, 2 giảm, 1 bằng.": over the
    /// indicators that apply to the unit ([`applies`]).
    pub headline_vi: String,
    pub headline_en: String,
}

/// A unit's progress against the same point of last year's campaign.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct YearOverYear {
    pub compared_with: ComparedWith,
    /// One per indicator of this campaign, in the plan's order.
    pub indicators: Vec<PreviousFigure>,
}

impl YearOverYear {
    pub fn get(&self, key: &str) -> Option<&PreviousFigure> {
        self.indicators.iter().find(|p| p.indicator == key)
    }
}

/// The use case: `unit`'s progress in `campaign` at `at` (today by default) against
/// the same point last year, for an actor who may read the unit (as the dashboard
/// checks); None when the campaign follows no other. `lineage` maps this campaign's
/// units to last year's (empty: the same tree).
pub async fn year_over_year(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    campaign: &StoredCampaign,
    unit: &UnitRow,
    at: Option<NaiveDate>,
    lineage: &Lineage,
) -> Result<Option<YearOverYear>, Failure> {
    let ancestry = units::ancestry(&state.db, unit.id).await?;
    require_in(state, actor, client, Action::ReadUnit, Some(unit.id), &ancestry).await?;
    let report = crate::actions::progress::compute_listing(
        state,
        campaign,
        Some(&unit.code),
        at,
        crate::actions::progress::MissingLists::None,
    )
    .await?;
    compare(state, campaign, unit, &report, lineage).await
}

/// `report` (the progress of `unit` in `campaign`) against the same point last year,
/// with no access check (the caller made it); None when the campaign follows none.
pub async fn compare(
    state: &AppState,
    campaign: &StoredCampaign,
    unit: &UnitRow,
    report: &ProgressReport,
    lineage: &Lineage,
) -> Result<Option<YearOverYear>, Failure> {
    let Some(previous_id) = campaign.row.previous_campaign_id else { return Ok(None) };
    let Some(previous) = campaigns::by_id(&state.db, previous_id).await? else { return Ok(None) };
    let year = previous.plan.campaign.year;
    let previous_periods = previous.plan.periods();
    let seq = compare_years::same_point(report.periods_counted, previous_periods.len() as u32);
    let links = comparisons::links(&state.db, campaign.row.id).await?;
    let previous_keys: Vec<&str> = previous.plan.indicators().map(|i| i.key.as_str()).collect();
    // Every week of last year (the dashboard's curve); the same week is one of them.
    let weeks = comparisons::previous_weeks(&state.db, &previous, unit.id, lineage).await?;
    let at_week = |key: &str, k: u32| weeks.get(key).and_then(|w| w.get(k as usize - 1)).copied();
    let mut indicators = Vec::new();
    let mut changes = Vec::new();
    for ind in &report.indicators {
        let key = compare_years::previous_key(&ind.indicator, &links, &previous_keys);
        let last = match (seq, key) {
            (Some(week), Some(k)) => at_week(k, week),
            _ => None,
        };
        let change = compare_years::compare(this_year(ind), last, year);
        let value_text = last.map(Measure::text_vi).unwrap_or_else(|| "—".into());
        let value_text_en = last.map(Measure::text_en).unwrap_or_else(|| "—".into());
        indicators.push(PreviousFigure {
            indicator: ind.indicator.clone(),
            year,
            key: key.map(str::to_string),
            value: last.and_then(Measure::value),
            value_text,
            value_text_en,
            change_percent: change.change_percent.map(Percent::value),
            change_points: change.change_points.map(Percent::value),
            trend: change.trend.as_str(),
            text_vi: change.text_vi.clone(),
            text_en: change.text_en.clone(),
            series: key.and_then(|k| weeks.get(k)).map(|w| w.iter().map(|m| m.value()).collect()).unwrap_or_default(),
        });
        // The headline counts only the indicators the unit's progress judges.
        if applies(ind) {
            changes.push(change);
        }
    }
    let refs: Vec<&compare_years::Change> = changes.iter().collect();
    let (headline_vi, headline_en) = compare_years::headline(&refs, year, seq);
    let period_end = seq.and_then(|k| previous_periods.iter().find(|p| p.seq == k).map(|p| p.end));
    Ok(Some(YearOverYear {
        compared_with: ComparedWith {
            campaign: previous.row.code.clone(),
            title: previous.row.title.clone(),
            year,
            period: seq,
            period_end,
            headline_vi,
            headline_en,
        },
        indicators,
    }))
}

/// Whether an indicator applies to the unit whose progress it is part of: one the
/// progress judges (the dashboard's "x/y chỉ số"), not a count never allocated to
/// the unit ("no_goal") nor an indicator retired by an amendment. The headline
/// "So với cùng kỳ" and the final report's lines count these only.
pub fn applies(ind: &IndicatorProgress) -> bool {
    !ind.retired && ind.status != "no_goal"
}

/// This year's figure as the progress page shows it.
fn this_year(ind: &IndicatorProgress) -> Measure {
    if ind.kind == "count" {
        Measure::Count(ind.sum)
    } else if matches!(ind.status, "no_base" | "insufficient_base") {
        Measure::Percent(None)
    } else {
        Measure::Percent(ind.achieved_percent)
    }
}

/// Puts the comparison into a progress report (each indicator's `previous`, the
/// report's `compared_with`), so that every surface reading the report shows it.
pub fn attach(report: &mut ProgressReport, yoy: Option<YearOverYear>) {
    let Some(yoy) = yoy else { return };
    for ind in &mut report.indicators {
        ind.previous = yoy.get(&ind.indicator).cloned();
    }
    report.compared_with = Some(yoy.compared_with);
}

/// The office's match of one of this campaign's indicators with last year's.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorLink {
    /// This campaign's indicator key (taken from the path).
    #[serde(default)]
    pub indicator: Option<String>,
    /// Last year's key it matches; null removes the match (the same key matches again).
    pub previous_key: Option<String>,
}

/// The office matches this campaign's indicator `key` with last year's
/// `previous_key` (None: the same key again): admin only, audited. Refused when the
/// campaign follows none or either key is not in its plan.
pub async fn link_indicator(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    campaign: &StoredCampaign,
    key: &str,
    previous_key: Option<&str>,
) -> Result<IndicatorLink, Failure> {
    crate::authz::require(state, actor, client, Action::AdministerCampaign, None).await?;
    let previous = match campaign.row.previous_campaign_id {
        Some(id) => campaigns::by_id(&state.db, id).await?,
        None => None,
    };
    let Some(previous) = previous else {
        return Err(Failure::invalid(
            "Chiến dịch này không tiếp nối chiến dịch nào: không có gì để so với cùng kỳ / This campaign follows no other: there is nothing to compare with",
        ));
    };
    comparisons::set_link(
        &state.db,
        campaign,
        &previous,
        key,
        previous_key,
        &crate::authz::who(Some(actor), client),
        state.now(),
    )
    .await?;
    Ok(IndicatorLink { indicator: Some(key.to_string()), previous_key: previous_key.map(str::to_string) })
}

/// How this campaign's units map to the units of the campaign it follows: empty
/// (the same units) when both run on the same tree; after a reorganisation, each
/// new unit's predecessors with their shares (`unit_lineage`, across several
/// reorganisations), so that a merged unit compares with the sum of its
/// predecessors.
pub async fn lineage_for(state: &AppState, campaign: &StoredCampaign) -> Result<Lineage, Failure> {
    let Some(previous_id) = campaign.row.previous_campaign_id else { return Ok(Lineage::new()) };
    let Some(previous) = campaigns::by_id(&state.db, previous_id).await? else { return Ok(Lineage::new()) };
    let old = crate::campaign_choice::root(&state.db, &previous).await?;
    let new = crate::campaign_choice::root(&state.db, campaign).await?;
    match (old, new) {
        (Some(old), Some(new)) if old.id != new.id => {
            Ok(phongtrao_storage::unit_history::lineage_between(&state.db, old.id, new.id).await?)
        }
        _ => Ok(Lineage::new()),
    }
}
