//! The demo: fills the running campaign with simulated reports (province scale), so
//! that every page has something to show. The database is marked simulated and every
//! page says so; nothing here ever mixes with real figures silently.

use std::collections::BTreeMap;

use chrono::{Duration, Utc};
use phongtrao_domain::plan::IndicatorKind;
use phongtrao_domain::report::{check, ActivityInput, FieldInput, ReportInput, ReportKind};
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::audit::Who;
use phongtrao_storage::reports::{self, SaveAction, SaveRequest};
use phongtrao_storage::{base_figures, campaigns, settings, units, Db, StorageError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::actions::reports::load;
use crate::AppState;

/// What the demo stored.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct DemoSummary {
    /// The default campaign's reporting units and simulated reports.
    pub units: usize,
    pub reports: usize,
    pub late: usize,
    pub missing: usize,
    /// Simulated reports of the other campaigns the demo adds (next year's edition,
    /// the summer campaign).
    pub other_reports: usize,
}

const ACTIVITIES: &[(&str, &str)] = &[
    ("2.1", "Ra quân Ngày Chủ nhật xanh"),
    ("2.1", "Trồng cây xanh tuyến đường thanh niên"),
    ("2.3", "Hướng dẫn người dân cài đặt VNeID"),
    ("3.1", "Ngày hội tư vấn việc làm cho thanh niên"),
    ("3.3", "Lớp dạy bơi miễn phí cho thiếu nhi"),
    ("4", "Lễ kết nạp đoàn viên mới"),
    ("1", "Sinh hoạt chuyên đề kỷ niệm 92 năm thành lập Đoàn"),
];

pub async fn is_simulated(db: &Db) -> bool {
    matches!(settings::get(db, settings::SIMULATED).await, Ok(Some(v)) if v == "true")
}

/// Fills the current campaign with simulated base figures and weekly reports of every
/// reporting unit (a few late, a few missing), deterministic for a given seed.
pub async fn fill(state: &AppState, seed: u64) -> Result<DemoSummary, StorageError> {
    let db = &state.db;
    let now = state.now();
    if is_simulated(db).await {
        // Filled once: a second run adds nothing.
        return Ok(DemoSummary::default());
    }
    settings::set(db, settings::SIMULATED, "true", now).await?;
    let campaign = campaigns::current(db).await?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut summary = fill_campaign(state, &campaign, &mut rng, 1.0).await?;
    // Next year's edition, made from this one as the office would ("Tạo kế hoạch từ
    // năm trước": dates moved, goals proposed, allocations copied), with a little
    // more done, so that every "so với cùng kỳ" has something to show.
    let who = Who { user_id: None, name: "demo".into(), client: None };
    let next_year = campaign.plan.campaign.year + 1;
    let overrides = crate::actions::campaign_new::Overrides::default();
    match crate::actions::campaign_new::confirm_as(state, &who, &campaign, next_year, &overrides).await {
        Ok(created) => {
            if let Some(c) = campaigns::by_id(db, created.id).await? {
                summary.other_reports += fill_campaign(state, &c, &mut rng, 1.12).await?.reports;
            }
        }
        Err(f) => tracing::warn!(error = %f.en, "demo: next year's edition not made"),
    }
    // A campaign of another kind running too (its own weekly rule): the summer
    // volunteer campaign, a demonstration plan.
    let summer = phongtrao_domain::plan::parse_plan(SUMMER_PLAN).map_err(|e| StorageError::Invalid(e.to_string()))?;
    let id = campaigns::load_plan(db, &summer, SUMMER_PLAN, now).await?.id();
    if let Some(c) = campaigns::by_id(db, id).await? {
        summary.other_reports += fill_campaign(state, &c, &mut rng, 1.0).await?.reports;
    }
    Ok(summary)
}

/// The summer volunteer campaign the demo runs beside the built-in one (a
/// demonstration plan, labelled as such).
pub const SUMMER_PLAN: &str = include_str!("../../../plans/kien-giang-he-2024-demo.toml");

/// Fills one campaign with simulated weekly reports of every reporting unit (base
/// figures first where a unit has none); `growth` scales the counts (a later
/// edition reports more).
async fn fill_campaign(
    state: &AppState,
    campaign: &campaigns::StoredCampaign,
    rng: &mut StdRng,
    growth: f64,
) -> Result<DemoSummary, StorageError> {
    let db = &state.db;
    let now = state.now();
    let who = Who { user_id: None, name: "demo".into(), client: None };
    let plan = &campaign.plan;
    let reporting: Vec<units::UnitRow> = units::list(db)
        .await?
        .into_iter()
        .filter(|u| u.active && u.level().is_some_and(|l| plan.reporting.levels.contains(&l)))
        .collect();
    let mut summary = DemoSummary { units: reporting.len(), ..DemoSummary::default() };
    for u in &reporting {
        if base_figures::for_unit(db, u.id).await?.is_empty() {
            let members: i64 = rng.gen_range(2_500..9_000);
            let mut figures = BTreeMap::new();
            figures.insert(BaseFigure::DoanVien, Some(members));
            figures.insert(BaseFigure::CanBoDoan, Some(members / rng.gen_range(20..40)));
            figures.insert(BaseFigure::ThanhNien, Some(members * rng.gen_range(2..4)));
            figures.insert(BaseFigure::ThanhThieuNhi, Some(members * rng.gen_range(4..7)));
            figures.insert(BaseFigure::ClbTsntTtvpl, Some(rng.gen_range(2..12)));
            base_figures::set(db, u.id, &figures, &who, now).await?;
        }
    }
    let share = reporting.len().max(1) as f64;
    let periods = plan.periods();
    let tz = plan.campaign.timezone;
    for u in &reporting {
        let figures = base_figures::for_unit(db, u.id).await?;
        for p in &periods {
            // The campaign as it stands at `now` (the server's clock, `--now`): a week
            // not begun has no report; a report is only sent before `now`.
            let opens = phongtrao_domain::period::before_day_deadline(tz, p.start).with_timezone(&Utc);
            if opens > now {
                continue;
            }
            let due = p.deadline.with_timezone(&Utc);
            // One report in twenty never arrives; one in seven arrives late.
            let fate: f64 = rng.gen();
            if fate < 0.05 {
                if due <= now {
                    summary.missing += 1;
                }
                continue;
            }
            // When this unit sends this week's report: before the deadline (from the
            // week's opening), or late, after it.
            let at = if fate < 0.19 {
                due + Duration::minutes(rng.gen_range(1..2_000))
            } else {
                (due - Duration::minutes(rng.gen_range(10..3_000)))
                    .max(opens + Duration::minutes(rng.gen_range(60..600)))
            };
            if at > now {
                // Not sent yet: open (before the deadline) or missing so far (after it).
                if due <= now {
                    summary.missing += 1;
                }
                continue;
            }
            let late = at > due;
            let ctx = match load(state, campaign, &u.code, ReportKind::Weekly, Some(p.end)).await {
                Ok(c) => c,
                Err(f) => {
                    tracing::warn!(unit = %u.code, period = p.seq, error = %f.en, "demo: no form");
                    continue;
                }
            };
            if ctx.report.is_some() {
                continue;
            }
            let mut input = ReportInput::default();
            for f in &ctx.fields {
                let Some(ind) = plan.indicator(&f.key) else { continue };
                let weekly_share = ind.goal / share / periods.len() as f64;
                let value = match (&f.input, ind.kind) {
                    (FieldInput::Count, IndicatorKind::Count) => {
                        (weekly_share * growth * rng.gen_range(0.4..1.6)).round() as i64
                    }
                    (FieldInput::Count, _) => i64::from(rng.gen_bool(0.35)),
                    (FieldInput::Reached, _) => {
                        let base = ind.base.and_then(|b| figures.get(&b).copied()).unwrap_or(1000);
                        (base as f64 * ind.goal / 100.0 / periods.len() as f64 * growth * rng.gen_range(0.6..1.3))
                            .round() as i64
                    }
                    (FieldInput::YesNo, _) => 0,
                    (FieldInput::UnitsDone { expected }, _) => {
                        let before = ctx.totals_before.get(&f.key).copied().unwrap_or(0);
                        let left = (expected - before).max(0);
                        rng.gen_range(0..=left.min(3))
                    }
                };
                input.values.insert(f.key.clone(), value.max(0).to_string());
            }
            for _ in 0..rng.gen_range(1..3) {
                let (area, title) = ACTIVITIES[rng.gen_range(0..ACTIVITIES.len())];
                let day = p.start + Duration::days(rng.gen_range(0..7));
                // An activity is reported once held: not after the day it is sent.
                let day = day.min(at.with_timezone(&tz).date_naive()).max(p.start);
                input.activities.push(ActivityInput {
                    title: title.into(),
                    held_on: day.format("%Y-%m-%d").to_string(),
                    // A plan without activity areas takes activities without one.
                    area: if plan.areas.is_empty() { String::new() } else { area.into() },
                    place: u.admin_name.clone().unwrap_or_else(|| u.name.clone()),
                    participants: rng.gen_range(30..400).to_string(),
                    funds: (rng.gen_range(0..50) * 100_000).to_string(),
                    result: "Hoàn thành theo kế hoạch (mô phỏng)".into(),
                    tag: String::new(),
                });
            }
            input.highlights = format!("[MÔ PHỎNG] {} tổ chức các hoạt động tuần {}.", u.name, p.seq);
            input.confirm_above_base = true;
            let checked = match check(&ctx.domain_context(), &input) {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(unit = %u.code, period = p.seq, error = ?e, "demo: simulated report refused");
                    continue;
                }
            };
            let request = SaveRequest {
                key: ctx.key(),
                due_at: ctx.due_at,
                expected_version: 0,
                draft: &input,
                checked: Some(&checked),
                action: SaveAction::Submit,
                who: &who,
                now: at,
                idempotency_key: None,
                plan: &ctx.campaign.plan,
            };
            // The office's notice box shows the simulated submissions too (a submission
            // writes its notice with the report).
            if reports::save(db, &request).await.is_ok() {
                summary.reports += 1;
                if late {
                    summary.late += 1;
                }
            }
        }
    }
    Ok(summary)
}
