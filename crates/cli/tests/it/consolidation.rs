//! The consolidated figures kept up to date by every write equal, at every step of
//! random histories (submissions, some at once through the grouped writer; returns,
//! acceptances, resubmissions; units created, moved, deactivated; base figures
//! edited), the brute-force sums over the raw reports.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{Duration, Utc};
use phongtrao_domain::plan::Plan;
use phongtrao_domain::progress::figures;
use phongtrao_domain::report::{CheckedReport, ReportInput, ReportKind};
use phongtrao_domain::unit::{BaseFigure, UnitKind};
use phongtrao_storage::audit::Who;
use phongtrao_storage::group_commit::{OwnedSave, Writer};
use phongtrao_storage::reports::{self, ReportKey, SaveAction};
use phongtrao_storage::units::{self, NewUnit, UnitChange, UnitRow};
use phongtrao_storage::{base_figures, campaigns, rollups, Db};

use crate::support::fresh_db;

/// xorshift64*: a small deterministic generator, so a failing seed can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            items.get(self.below(items.len()))
        }
    }
}

fn checked(plan: &Plan, rng: &mut Rng) -> CheckedReport {
    let values: BTreeMap<String, i64> = plan.indicators().map(|i| (i.key.clone(), rng.below(4) as i64 * 3)).collect();
    CheckedReport {
        values,
        activities: Vec::new(),
        highlights: String::new(),
        difficulties: String::new(),
        proposals: String::new(),
        warnings: Vec::new(),
    }
}

type AllFigures = HashMap<i64, phongtrao_domain::progress::figures::Figures>;

/// The first ten figures that differ, named.
fn differences(a: &AllFigures, b: &AllFigures) -> Vec<String> {
    let mut out = Vec::new();
    let units: std::collections::BTreeSet<i64> = a.keys().chain(b.keys()).copied().collect();
    for unit in units {
        let (x, y) = (a.get(&unit).cloned().unwrap_or_default(), b.get(&unit).cloned().unwrap_or_default());
        for key in x.keys().chain(y.keys()) {
            if x.get(key) != y.get(key) {
                out.push(format!("unit {unit} {key:?}: {:?} vs {:?}", x.get(key), y.get(key)));
            }
        }
    }
    out.truncate(10);
    out
}

/// The sums a person would make: for each active unit, over the active units of its
/// subtree, the counted values, the first submissions, the units each indicator expects.
async fn check(db: &Db, plan: &Plan, campaign_id: i64, context: &str) {
    // 1. What is stored equals a rebuild from the raw rows.
    let stored = rollups::stored_all(db, plan, campaign_id).await.expect("stored");
    let rebuilt = rollups::compute_all(db, plan, campaign_id).await.expect("rebuilt");
    let differing = differences(&stored, &rebuilt);
    assert!(differing.is_empty(), "stored figures differ from a rebuild ({context}):\n{}", differing.join("\n"));
    // The rebuild (sums by the database per parent) equals a unit-by-unit computation.
    let by_unit = rollups::compute_all_by_unit(db, plan, campaign_id).await.expect("by unit");
    let differing = differences(&rebuilt, &by_unit);
    assert!(differing.is_empty(), "the rebuild differs from unit-by-unit sums ({context}):\n{}", differing.join("\n"));

    // 2. The figures of every subtree equal brute-force sums over the raw reports.
    let all = units::list(db).await.expect("units");
    let upto = plan.periods().len() as i64;
    let own = phongtrao_storage::progress::own_totals(db, campaign_id, upto).await.expect("own");
    let mut children: HashMap<i64, Vec<&UnitRow>> = HashMap::new();
    for u in &all {
        if let Some(p) = u.parent_id {
            children.entry(p).or_default().push(u);
        }
    }
    let list = reports::list(db, campaign_id, ReportKind::Weekly, None, None).await.expect("reports");
    let ids: Vec<i64> = all.iter().map(|u| u.id).collect();
    let figures_of = rollups::subtree_figures(db, plan, campaign_id, &ids).await.expect("figures");
    for root in all.iter().filter(|u| u.active) {
        let mut subtree = vec![root];
        let mut next = 0;
        while next < subtree.len() {
            let u = subtree[next];
            next += 1;
            subtree.extend(children.get(&u.id).map(|c| c.as_slice()).unwrap_or(&[]));
        }
        let active: Vec<&UnitRow> = subtree.into_iter().filter(|u| u.active).collect();
        let f = &figures_of[&root.id];
        for (idx, ind) in plan.indicators().enumerate() {
            let by_hand: i64 =
                active.iter().map(|u| own.get(&u.id).and_then(|m| m.get(&ind.key)).copied().unwrap_or(0)).sum();
            let expected: i64 = active
                .iter()
                .filter(|u| matches!((u.level(), u.kind()), (Some(l), Some(k)) if ind.expects(l, k)))
                .count() as i64;
            let totals = figures::totals(plan, idx, f, upto);
            assert_eq!(totals.sum, by_hand, "unit {} indicator {} sum ({context})", root.code, ind.key);
            assert_eq!(
                totals.expected_units, expected,
                "unit {} indicator {} expected ({context})",
                root.code, ind.key
            );
        }
        let reporting: Vec<i64> = active
            .iter()
            .filter(|u| u.level().is_some_and(|l| plan.reporting.levels.contains(&l)))
            .map(|u| u.id)
            .collect();
        for p in plan.periods() {
            let seq = i64::from(p.seq);
            let count = |t: &str| {
                list.iter()
                    .filter(|r| {
                        r.period_seq == seq && reporting.contains(&r.unit_id) && r.timeliness.as_deref() == Some(t)
                    })
                    .count() as i64
            };
            let (expected, on_time, late) = figures::timeliness(f, seq);
            assert_eq!(
                (expected, on_time, late),
                (reporting.len() as i64, count("on_time"), count("late")),
                "unit {} period {seq} timeliness ({context})",
                root.code
            );
        }
    }
}

#[tokio::test]
async fn consolidated_figures_equal_brute_force_sums_through_random_histories() {
    for seed in [0x9e37_79b9_7f4a_7c15u64, 42, 2023] {
        let (db, _dir) = fresh_db().await;
        phongtrao_web::prepare::prepare(&db).await.expect("prepare");
        let campaign = campaigns::current(&db).await.expect("campaign");
        let plan: Arc<Plan> = campaign.plan.clone();
        let cid = campaign.row.id;
        let writer = Writer::start(&db);
        let who = Who::cli();
        let mut rng = Rng(seed);
        let periods = plan.periods();
        let mut created = 0;
        for step in 0..90 {
            let all = units::list(&db).await.expect("units");
            let districts: Vec<&UnitRow> = all.iter().filter(|u| u.level == 2).collect();
            let communes: Vec<&UnitRow> = all.iter().filter(|u| u.level == 3).collect();
            match rng.below(12) {
                // Submissions, several at once through the grouped writer.
                0..=4 => {
                    let mut handles = Vec::new();
                    for _ in 0..1 + rng.below(6) {
                        let Some(unit) = rng.pick(&districts).copied() else { continue };
                        let Some(period) = rng.pick(&periods) else { continue };
                        let key = ReportKey {
                            campaign_id: cid,
                            unit_id: unit.id,
                            kind: ReportKind::Weekly,
                            period_seq: i64::from(period.seq),
                        };
                        let existing = reports::get(&db, &key).await.expect("get");
                        if existing.as_ref().is_some_and(|r| !r.status().editable()) || !unit.active {
                            continue;
                        }
                        let due = period.deadline.with_timezone(&Utc);
                        let save = OwnedSave {
                            key,
                            due_at: due,
                            expected_version: existing.map(|r| r.version).unwrap_or(0),
                            draft: ReportInput::default(),
                            checked: Some(checked(&plan, &mut rng)),
                            action: SaveAction::Submit,
                            who: who.clone(),
                            now: due + Duration::minutes(rng.below(600) as i64 - 300),
                            idempotency_key: None,
                            plan: plan.clone(),
                            pressed: Default::default(),
                        };
                        let writer = writer.clone();
                        handles.push(tokio::spawn(async move { writer.save(save).await }));
                    }
                    for h in handles {
                        // Two saves of the same report at once: one may lose with a conflict.
                        let _ = h.await.expect("join");
                    }
                }
                5 | 6 => {
                    let submitted = reports::list(&db, cid, ReportKind::Weekly, None, None).await.expect("list");
                    let submitted: Vec<_> = submitted.into_iter().filter(|r| r.status == "submitted").collect();
                    if let Some(r) = rng.pick(&submitted) {
                        let accept = rng.below(2) == 0;
                        reports::review(&db, &plan, r.id, r.version, accept, "Bổ sung số liệu", &who, Utc::now())
                            .await
                            .expect("review");
                    }
                }
                7 | 8 => {
                    if let (Some(c), Some(d)) = (rng.pick(&communes), rng.pick(&districts)) {
                        let change = UnitChange { name: None, parent_code: Some(d.code.clone()), active: None };
                        units::update(&db, &c.code, &change, &who, Utc::now()).await.expect("move");
                    }
                }
                9 => {
                    if let Some(u) = rng.pick(&districts).or(rng.pick(&communes)) {
                        let change = UnitChange { name: None, parent_code: None, active: Some(!u.active) };
                        units::update(&db, &u.code, &change, &who, Utc::now()).await.expect("toggle");
                    }
                }
                10 => {
                    if let Some(u) = rng.pick(&districts) {
                        let value = if rng.below(4) == 0 { None } else { Some(rng.below(5000) as i64) };
                        let figures = BTreeMap::from([(BaseFigure::DoanVien, value)]);
                        base_figures::set(&db, u.id, &figures, &who, Utc::now()).await.expect("base");
                    }
                }
                _ => {
                    created += 1;
                    let (kind, parent) = if rng.below(2) == 0 {
                        (UnitKind::District, all.iter().find(|u| u.parent_id.is_none()).map(|u| u.code.clone()))
                    } else {
                        (UnitKind::Commune, rng.pick(&districts).map(|d| d.code.clone()))
                    };
                    let unit = NewUnit {
                        code: format!("T{}-{created}", seed % 1000),
                        name: format!("Đơn vị thử {created}"),
                        kind,
                        parent_code: parent,
                        admin_name: None,
                    };
                    units::create(&db, &unit, &who, Utc::now()).await.expect("create");
                }
            }
            if step % 15 == 14 {
                check(&db, &plan, cid, &format!("seed {seed}, step {step}")).await;
            }
        }
        check(&db, &plan, cid, &format!("seed {seed}, end")).await;
        // A rebuild from scratch stores the same figures.
        rollups::rebuild(&db, &plan, cid).await.expect("rebuild");
        check(&db, &plan, cid, &format!("seed {seed}, after rebuild")).await;
    }
}
