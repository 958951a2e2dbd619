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

use phongtrao_domain::plan::edit::IndicatorEdit;
use phongtrao_domain::role::Role;
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::users;

use crate::actions::reports::ReportFailure;
use crate::actions::unit_plan::{self, UpInput};
use crate::actions::{plan_edit, plan_import};
use crate::auth::client::ClientIp;
use crate::auth::{Actor, User};
use crate::demo::DemoSummary;
use crate::error::Failure;
use crate::AppState;

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
    // Every unit but the top one reports: the count goals are set for them.
    let toml = simulate::count_goals_for(
        &simulate::plan_toml(phongtrao_domain::builtin::PLAN_TOML),
        tree.len().saturating_sub(1),
    );
    let plan = phongtrao_domain::plan::parse_plan(&toml).map_err(|e| StorageError::Invalid(e.to_string()))?;
    campaigns::load_plan(db, &plan, &toml, now).await?;
    let campaign = campaigns::current(db).await?;
    Ok((tree.len(), campaign.row.id))
}

/// What each unit has reported so far (the totals that bound its next simulated
/// values: a percentage never above its base figure, a yes once) and its base figures.
#[derive(Default)]
pub struct Simulated {
    totals: std::collections::HashMap<(i64, String), i64>,
    base: std::collections::HashMap<i64, BTreeMap<BaseFigure, i64>>,
}

impl Simulated {
    /// Starts from the stored base figures and nothing reported.
    pub async fn read(db: &Db) -> Result<Simulated, StorageError> {
        Ok(Simulated { totals: Default::default(), base: base_figures::all(db).await? })
    }

    /// Simulated values of one report that the unit's form accepts
    /// (`simulate::week_values`), counted in the unit's totals.
    pub fn values(&mut self, plan: &Plan, unit: &units::UnitRow, rng: &mut Rng) -> BTreeMap<String, i64> {
        let (Some(level), Some(kind)) = (unit.level(), unit.kind()) else {
            return BTreeMap::new();
        };
        let none = BTreeMap::new();
        let base = self.base.get(&unit.id).unwrap_or(&none);
        let totals = &self.totals;
        let before = |key: &str| totals.get(&(unit.id, key.to_string())).copied().unwrap_or(0);
        let values = simulate::week_values(plan, level, kind, base, &before, rng);
        // Only the bounded kinds' totals are kept (a count has no bound to keep).
        let bounded = |key: &str| {
            plan.indicator(key)
                .is_some_and(|i| matches!(i.kind, IndicatorKind::PercentOfBase | IndicatorKind::ShareOfUnits))
        };
        for (key, v) in values.iter().filter(|(k, v)| **v > 0 && bounded(k)) {
            *self.totals.entry((unit.id, key.clone())).or_insert(0) += v;
        }
        values
    }
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
    let mut simulated = Simulated::read(db).await?;
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
            let values = simulated.values(&plan, unit, &mut rng);
            let (key, checked) = simulated_week(campaign.row.id, unit.id, &unit.name, period.seq, values);
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

// ---------------------------------------------------------------------------
// The national cascade (issue #21): a national plan issued by Ban Bí thư Trung ương
// Đoàn, each province running its own plan beneath it, the provinces' units
// reporting in their province's plan and each province's report up computed from
// them and sent, week by week, through the use cases the pages use.

/// The shape of the national cascade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cascade {
    /// The communes and branches (`Shape::about`): shared out among the provinces.
    pub shape: simulate::Shape,
    pub provinces: usize,
    /// How many provinces (the first ones) run a plan of their own; the others send
    /// their totals to the national plan directly, typed as today.
    pub own_plans: usize,
}

impl Cascade {
    /// 63 provinces of about 1,600 units, every one with its own plan.
    pub fn national() -> Cascade {
        Cascade { shape: NATIONAL, provinces: simulate::PROVINCES, own_plans: simulate::PROVINCES }
    }
}

/// Set in a database made by the cascade: the number of provinces.
pub const CASCADE_SETTING: &str = "cascade_provinces";

/// What the cascade's setup made.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CascadeSetup {
    pub units: usize,
    pub national_campaign: String,
    /// (province code, its own campaign's code), for the provinces with a plan of their own.
    pub own_plans: Vec<(String, String)>,
    pub seconds: f64,
}

/// What the cascade's fill wrote.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct CascadeSummary {
    /// Reports of communes and branches in their province's plan.
    pub unit_reports: usize,
    pub late: usize,
    pub missing: usize,
    /// Provinces' reports up (computed) and provinces' reports typed directly.
    pub reports_up: usize,
    pub typed_directly: usize,
    pub seconds_units: f64,
    pub seconds_up: f64,
}

/// The national office of a cascade database (its province offices are
/// `vanphong-t01` …, role `unit_office`).
pub const NATIONAL_OFFICE: &str = "vanphong-tw";

/// The account name of a province's office in the cascade.
pub fn office_username(province: usize) -> String {
    format!("vanphong-t{province:02}")
}

fn failed(f: Failure) -> StorageError {
    StorageError::Invalid(format!("{} / {}", f.vi, f.en))
}

fn report_failed(f: ReportFailure) -> StorageError {
    match f {
        ReportFailure::Other(f) => failed(f),
        ReportFailure::Invalid(errors) => StorageError::Invalid(format!("{errors:?}")),
        ReportFailure::Conflict(row) => {
            StorageError::Invalid(format!("báo cáo đã đổi / the report changed (version {})", row.version))
        }
    }
}

/// The actor of an account (for the command line and benchmarks acting as an office).
pub async fn actor_of(db: &Db, username: &str) -> Result<Actor, StorageError> {
    let row = users::by_username(db, username)
        .await?
        .ok_or_else(|| StorageError::NotFound(format!("no account {username}")))?;
    let unit_ids = users::unit_ids(db, row.id).await?;
    let user = User::from_row(row).ok_or_else(|| StorageError::Invalid(format!("account {username}: no role")))?;
    Ok(Actor { user, unit_ids, via_token: false })
}

fn at(state: &AppState, now: chrono::DateTime<Utc>) -> AppState {
    let mut s = state.clone();
    s.configure(|p| p.clock = crate::Clock::starting_at(now));
    s
}

/// The loopback client the demo acts from.
pub const CLIENT: ClientIp = ClientIp(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));

/// Builds the national cascade in an empty database (once): the tree, the national
/// plan, its count goals allocated to the provinces in proportion to their members,
/// an office account per province, and each of the first `own_plans` provinces'
/// own plan, derived from the national one by `unit_plan::start` (goals = the
/// allocation, one province in three raising them by a tenth, one or two indicators
/// of its own, its weekly deadline on Thursday at 16:00 or, one province in two,
/// 10:00), confirmed by `plan_edit::confirm` as the province's office would.
pub async fn setup_cascade(state: &AppState, seed: u64, cascade: Cascade) -> Result<CascadeSetup, StorageError> {
    let started = std::time::Instant::now();
    let db = &state.db;
    db.migrate().await?;
    let now = state.now();
    if !units::list(db).await?.is_empty() {
        return Err(StorageError::Invalid(
            "cơ sở dữ liệu này đã có đơn vị; mô phỏng toàn quốc cần một thư mục dữ liệu mới / this database already has units; the national simulation needs a new data directory".into(),
        ));
    }
    settings::set(db, NATIONAL_SETTING, "national", now).await?;
    settings::set(db, settings::SIMULATED, "true", now).await?;
    settings::set(db, CASCADE_SETTING, &cascade.provinces.to_string(), now).await?;
    let (tree, figures) = simulate::cascade_tree(cascade.shape, cascade.provinces, seed);
    units::insert_missing(db, &tree, now).await?;
    base_figures::insert_missing(db, &figures, now).await?;
    // Its count goals are set for the communes and branches that report (not a
    // province's goals for the whole country).
    let reporting = tree
        .iter()
        .filter(|u| {
            matches!(u.kind.level(), phongtrao_domain::plan::Level::Grassroots | phongtrao_domain::plan::Level::Branch)
        })
        .count();
    let toml = simulate::national_plan_toml(phongtrao_domain::builtin::PLAN_TOML, reporting);
    let plan = phongtrao_domain::plan::parse_plan(&toml).map_err(|e| StorageError::Invalid(e.to_string()))?;
    campaigns::load_plan(db, &plan, &toml, now).await?;
    let national = campaigns::current(db).await?;

    // The national office splits every count goal among the provinces by their members.
    let who = Who { user_id: None, name: "demo (Ban Bí thư Trung ương Đoàn, mô phỏng)".into(), client: None };
    for ind in national.plan.active_indicators().filter(|i| i.kind == IndicatorKind::Count && i.goal > 0.0) {
        crate::actions::allocation::proportional_as(
            state,
            &national,
            &who,
            &ind.key,
            simulate::ROOT_CODE,
            BaseFigure::DoanVien,
        )
        .await
        .map_err(failed)?;
    }

    // Accounts: the national office, and each province's office (no password: the
    // office gives them one from the accounts page).
    let mut accounts = vec![(NATIONAL_OFFICE.to_string(), Role::Admin, Vec::new())];
    for p in 1..=cascade.provinces {
        let unit = units::by_code(db, &simulate::province_code(p))
            .await?
            .ok_or_else(|| StorageError::NotFound(simulate::province_code(p)))?;
        accounts.push((office_username(p), Role::UnitOffice, vec![unit.id]));
    }
    for (username, role, unit_ids) in &accounts {
        users::create(
            db,
            &users::NewUser {
                username,
                display_name: &format!("Văn phòng (mô phỏng) {username}"),
                password_hash: "!",
                role: *role,
                must_change_password: true,
                unit_ids,
                email: None,
            },
            &who,
            now,
        )
        .await?;
    }

    let mut setup = CascadeSetup {
        units: tree.len(),
        national_campaign: national.row.code.clone(),
        own_plans: Vec::new(),
        seconds: 0.0,
    };
    for p in 1..=cascade.own_plans.min(cascade.provinces) {
        let code = own_plan(state, &national, p).await?;
        setup.own_plans.push((simulate::province_code(p), code));
    }
    setup.seconds = started.elapsed().as_secs_f64();
    Ok(setup)
}

/// The own plan of the `p`th province, as its office makes it; returns its code.
async fn own_plan(state: &AppState, national: &campaigns::StoredCampaign, p: usize) -> Result<String, StorageError> {
    let actor = actor_of(&state.db, &office_username(p)).await?;
    let province = simulate::province_code(p);
    let id = unit_plan::start(state, &actor, &CLIENT, national, &province).await.map_err(failed)?;
    let review = plan_import::load(state, &actor, &CLIENT, id).await.map_err(failed)?;
    let mut edit = review.edit().map_err(failed)?;
    let raise = p.is_multiple_of(3);
    let mut template = None;
    for target in &mut edit.targets {
        for ind in &mut target.indicators {
            if ind.kind == "count" {
                if raise {
                    if let Ok(goal) = ind.goal.trim().parse::<i64>() {
                        ind.goal = (goal + (goal / 10).max(1)).to_string();
                    }
                }
                if template.is_none() {
                    template = Some(ind.clone());
                }
            }
        }
    }
    // One or two indicators of its own, in the first target: local, never reported up.
    let own = [
        ("cay-duong", "Cây xanh trồng trên các tuyến đường của tỉnh (chỉ tiêu riêng của tỉnh)", "cây", 500),
        ("sinh-hoat", "Buổi sinh hoạt chuyên đề “Tuổi trẻ tỉnh nhà” (chỉ tiêu riêng của tỉnh)", "buổi", 120),
    ];
    if let (Some(template), Some(first)) = (template, edit.targets.first_mut()) {
        for (key, label, unit_label, goal) in own.iter().take(1 + p % 2) {
            first.indicators.push(IndicatorEdit {
                origin: String::new(),
                key: own_key(p, key),
                label: (*label).into(),
                kind: "count".into(),
                goal: goal.to_string(),
                unit_label: (*unit_label).into(),
                base: String::new(),
                levels: Vec::new(),
                unit_kinds: Vec::new(),
                per_unit_minimum: String::new(),
                part_of: String::new(),
                note: String::new(),
                ..template.clone()
            });
        }
    }
    // Its communes and branches report to it, by Thursday (10:00 for one in two).
    edit.reporting.levels = vec!["grassroots".into(), "branch".into()];
    if p.is_multiple_of(2) {
        edit.reporting.due_time = "10:00".into();
    }
    edit.campaign.signatory_name = format!("Bí thư Tỉnh đoàn mô phỏng {p:02}");
    edit.campaign.contact_office = format!("Văn phòng Tỉnh đoàn mô phỏng {p:02}");
    plan_edit::save_model(state, &actor, &CLIENT, id, edit).await.map_err(failed)?;
    let stored = plan_edit::confirm(state, &actor, &CLIENT, id).await.map_err(failed)?;
    Ok(stored.row.code)
}

/// A unit answers "done" to a share of units once, the week it first does it (the
/// total over the weeks is the number of units that did it).
fn once(
    plan: &Plan,
    unit: i64,
    values: &mut BTreeMap<String, i64>,
    done: &mut std::collections::HashSet<(i64, String)>,
) {
    for ind in plan.indicators().filter(|i| i.kind == IndicatorKind::ShareOfUnits) {
        if let Some(v) = values.get_mut(&ind.key) {
            if *v > 0 && !done.insert((unit, ind.key.clone())) {
                *v = 0;
            }
        }
    }
}

/// The key of a province's own indicator ("t01-cay-duong").
pub fn own_key(province: usize, what: &str) -> String {
    format!("t{province:02}-{what}")
}

/// Fills weeks `1..=periods` of the cascade: every commune and branch of a province
/// with its own plan reports in that plan (before the province's Thursday deadline,
/// about 10% late, 3% missing, in grouped commits); then each such province's office
/// sends its report up (`unit_plan::submit_up`, the page's use case) on Friday at
/// 14:00, adding its own level's figure for the indicators its own level answers
/// (shares of provinces); the other provinces send their totals typed directly.
pub async fn fill_cascade(state: &AppState, seed: u64, periods: u32) -> Result<CascadeSummary, StorageError> {
    let db = &state.db;
    let national = campaigns::current(db).await?;
    let provinces: usize = settings::get(db, CASCADE_SETTING).await?.and_then(|v| v.parse().ok()).unwrap_or(0);
    let who = Who { user_id: None, name: "demo".into(), client: None };
    let mut rng = Rng::new(seed ^ 0x0ca5_cade);
    let mut summary = CascadeSummary::default();
    let mut done = std::collections::HashSet::new();
    let draft = ReportInput::default();
    let all: Vec<units::UnitRow> = units::list(db).await?.into_iter().filter(|u| u.active).collect();
    let mut simulated = Simulated::read(db).await?;
    let mut plans = Vec::new();
    for p in 1..=provinces {
        let code = simulate::province_code(p);
        let Some(unit) = all.iter().find(|u| u.code == code) else { continue };
        let prefix = format!("{code}-");
        let subtree: Vec<&units::UnitRow> = all.iter().filter(|u| u.code.starts_with(&prefix)).collect();
        let own = campaigns::own_plan_of(db, national.row.id, unit.id).await?;
        plans.push((p, unit, subtree, own));
    }
    for period in national.plan.periods().into_iter().filter(|p| p.seq <= periods) {
        let t = std::time::Instant::now();
        let mut typed: Vec<(ReportKey, CheckedReport, chrono::DateTime<Utc>)> = Vec::new();
        for (_, unit, subtree, own) in &plans {
            let Some(own) = own else {
                // Typed directly: the sum of what its units did, as the national plan counts it.
                let mut values = BTreeMap::new();
                for u in subtree {
                    let mut one = simulated.values(&national.plan, u, &mut rng);
                    once(&national.plan, u.id, &mut one, &mut done);
                    // A province answers a per-unit minimum with its units that reached it.
                    for ind in national.plan.indicators().filter(|i| i.kind == IndicatorKind::MinimumPerUnit) {
                        if let Some(v) = one.get_mut(&ind.key) {
                            *v = i64::from(*v > 0 && done.insert((u.id, ind.key.clone())));
                        }
                    }
                    for (k, v) in one {
                        *values.entry(k).or_insert(0) += v;
                    }
                }
                let checked = CheckedReport {
                    values,
                    activities: Vec::new(),
                    highlights: format!("[MÔ PHỎNG] {} — tuần {} (số liệu tổng hợp nhập tay).", unit.name, period.seq),
                    difficulties: String::new(),
                    proposals: String::new(),
                    warnings: Vec::new(),
                };
                let key = ReportKey {
                    campaign_id: national.row.id,
                    unit_id: unit.id,
                    kind: ReportKind::Weekly,
                    period_seq: i64::from(period.seq),
                };
                typed.push((key, checked, period.deadline.with_timezone(&Utc) - Duration::hours(3)));
                continue;
            };
            let Some(own_period) = own.plan.periods().into_iter().find(|p| p.seq == period.seq) else { continue };
            let due = own_period.deadline.with_timezone(&Utc);
            let mut batch: Vec<(ReportKey, CheckedReport, chrono::DateTime<Utc>)> = Vec::new();
            for u in subtree.iter().filter(|u| u.level().is_some_and(|l| own.plan.reporting.levels.contains(&l))) {
                let fate = rng.unit();
                if fate < 0.03 {
                    summary.missing += 1;
                    continue;
                }
                let at = if fate < 0.13 {
                    summary.late += 1;
                    due + Duration::minutes(rng.between(1, 600) as i64)
                } else {
                    due - Duration::minutes(rng.between(10, 3_000) as i64)
                };
                let mut values = simulated.values(&own.plan, u, &mut rng);
                once(&own.plan, u.id, &mut values, &mut done);
                let (key, checked) = simulated_week(own.row.id, u.id, &u.name, period.seq, values);
                batch.push((key, checked, at));
                if batch.len() == 256 {
                    summary.unit_reports += write(db, &own.plan, &who, &draft, due, &batch).await?;
                    batch.clear();
                }
            }
            summary.unit_reports += write(db, &own.plan, &who, &draft, due, &batch).await?;
        }
        let due = period.deadline.with_timezone(&Utc);
        summary.typed_directly += write(db, &national.plan, &who, &draft, due, &typed).await?;
        summary.seconds_units += t.elapsed().as_secs_f64();

        // The provinces' reports up, computed from their units' reports.
        let t = std::time::Instant::now();
        let friday = at(state, due - Duration::hours(2));
        for (p, unit, _, own) in &plans {
            if own.is_none() {
                continue;
            }
            let actor = actor_of(db, &office_username(*p)).await?;
            let mut input = UpInput {
                highlights: format!(
                    "[MÔ PHỎNG] {} — tuần {}: tổng hợp từ báo cáo của các cơ sở trong kế hoạch của tỉnh.",
                    unit.name, period.seq
                ),
                ..UpInput::default()
            };
            // What the province's own level did: the indicators that count provinces.
            for ind in national.plan.active_indicators() {
                let (Some(level), Some(kind)) = (unit.level(), unit.kind()) else { continue };
                if !ind.expects(level, kind) {
                    continue;
                }
                match ind.kind {
                    IndicatorKind::ShareOfUnits => {
                        let did = rng.unit() < 0.2 && done.insert((unit.id, ind.key.clone()));
                        input.own_level.insert(ind.key.clone(), u8::from(did).to_string());
                    }
                    IndicatorKind::MinimumPerUnit => {
                        input.own_level.insert(ind.key.clone(), rng.between(0, 2).to_string());
                    }
                    _ => {}
                }
            }
            unit_plan::submit_up(&friday, &actor, &CLIENT, &national, &unit.code, period.end, &input)
                .await
                .map_err(report_failed)?;
            summary.reports_up += 1;
        }
        summary.seconds_up += t.elapsed().as_secs_f64();
        tracing::info!(
            period = period.seq,
            reports = summary.unit_reports,
            up = summary.reports_up,
            "simulated week of the cascade written"
        );
    }
    Ok(summary)
}

/// A unit's simulated weekly report (labelled MÔ PHỎNG) with its key.
fn simulated_week(
    campaign_id: i64,
    unit_id: i64,
    unit_name: &str,
    seq: u32,
    values: std::collections::BTreeMap<String, i64>,
) -> (ReportKey, CheckedReport) {
    let checked = CheckedReport {
        values,
        activities: Vec::new(),
        highlights: format!("[MÔ PHỎNG] {unit_name} — tuần {seq}."),
        difficulties: String::new(),
        proposals: String::new(),
        warnings: Vec::new(),
    };
    let key = ReportKey { campaign_id, unit_id, kind: ReportKind::Weekly, period_seq: i64::from(seq) };
    (key, checked)
}
