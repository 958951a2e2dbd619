//! Consolidated figures kept up to date (table `rollups`): for each unit, the sum of
//! the contributions of every unit strictly below it (see
//! `phongtrao_domain::progress::figures`). A write that changes one unit's
//! contribution adds the difference to the unit's ancestors in the same transaction;
//! reading a subtree's figures is then one indexed read plus the unit's own rows,
//! whatever the size of the tree. `rebuild` recomputes everything from the raw rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;

use phongtrao_domain::period::Timeliness;
use phongtrao_domain::plan::{parse_plan, Level, Plan};
use phongtrao_domain::progress::figures::{
    self, add, report_and_covered_figures, unit_figures, Figures, KeyNames, OwnReports, UnitFacts,
};
use phongtrao_domain::report::Status;
use phongtrao_domain::unit::{BaseFigure, UnitKind};

use crate::columns::Text;
use crate::{id_list, with_pool, Db, Result};

/// One unit's facts, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredUnit {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub facts: UnitFacts,
}

type UnitTuple = (i64, Option<i64>, i64, Text<UnitKind>, bool);
/// A unit of a chain: the unit the chain starts from, then the unit's tuple.
type ChainRow = (i64, i64, Option<i64>, i64, Text<UnitKind>, bool);

fn stored_unit((id, parent_id, level, Text(kind), active): UnitTuple) -> StoredUnit {
    StoredUnit { id, parent_id, facts: UnitFacts { level: Level::from_number(level), kind: Some(kind), active } }
}

pub type OwnTuple = (i64, i64, Text<Status>, Option<Text<Timeliness>>, Option<String>, Option<i64>);

/// What a rebuild reads besides the weekly reports: every unit; per parent its
/// reporting children's base figures (parent, figure, sum, count); and the own rows
/// of the units whose figures depend on their running totals.
pub struct RebuildInputs {
    pub units: Vec<StoredUnit>,
    pub bases: Vec<(i64, String, i64, i64)>,
    pub own: Vec<OwnReportTuple>,
    /// (unit, base figure) of the units whose figures depend on their history.
    pub known: Vec<(i64, String)>,
}

/// One week's counted values of the reporting units that have a base figure, by
/// parent and figure: (parent, figure, the submitted values as a JSON array).
pub type ParentWeekCovered = (i64, String, String);

/// One weekly report of a unit: unit, period, status, timeliness, submitted values
/// (a JSON object).
pub type OwnReportTuple = (i64, i64, Text<Status>, Option<Text<Timeliness>>, Option<String>);

/// Folds report rows into each unit's own reports.
fn own_from_reports(rows: Vec<OwnReportTuple>) -> sqlx::Result<HashMap<i64, OwnReports>> {
    let mut out: HashMap<i64, OwnReports> = HashMap::new();
    for (unit, seq, Text(status), timeliness, values) in rows {
        let own = out.entry(unit).or_default();
        if let Some(Text(t)) = timeliness {
            own.first_on_time.insert(seq, t == Timeliness::OnTime);
        }
        if let (true, Some(json)) = (status.counts(), values) {
            each_value(&json, |key, value| {
                own.values.insert((seq, key.to_string()), value);
            })
            .map_err(|e| sqlx::Error::Protocol(format!("submitted values of unit {unit}, week {seq}: {e}")))?;
        }
    }
    Ok(out)
}

/// One parent unit's week as a rebuild reads it: parent, its counted children's
/// submitted values (a JSON array of their objects), their first submissions on
/// time and late.
pub type ParentWeek = (i64, String, i64, i64);

/// Calls `f` with each (indicator key, value) of submitted values as stored (a JSON
/// object of numbers, or an array of such objects), without building maps.
pub fn each_value(json: &str, mut f: impl FnMut(&str, i64)) -> serde_json::Result<()> {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    /// A key, borrowed from the text unless it has escapes.
    struct Key<'de>(std::borrow::Cow<'de, str>);
    impl<'de> serde::Deserialize<'de> for Key<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
            struct Text;
            impl<'de> Visitor<'de> for Text {
                type Value = Key<'de>;
                fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
                    out.write_str("an indicator key")
                }
                fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Key<'de>, E> {
                    Ok(Key(std::borrow::Cow::Borrowed(v)))
                }
                fn visit_str<E>(self, v: &str) -> std::result::Result<Key<'de>, E> {
                    Ok(Key(std::borrow::Cow::Owned(v.to_string())))
                }
            }
            d.deserialize_str(Text)
        }
    }
    struct Each<'f, F>(&'f mut F);
    impl<'de, F: FnMut(&str, i64)> DeserializeSeed<'de> for Each<'_, F> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de, F: FnMut(&str, i64)> Visitor<'de> for Each<'_, F> {
        type Value = ();
        fn expecting(&self, out: &mut std::fmt::Formatter) -> std::fmt::Result {
            out.write_str("an object of whole numbers, or an array of them")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
            while let Some(key) = map.next_key::<Key<'de>>()? {
                let value: i64 = map.next_value()?;
                (self.0)(&key.0, value);
            }
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            while seq.next_element_seed(Each(&mut *self.0))?.is_some() {}
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(json);
    Each(&mut f).deserialize(&mut de)?;
    de.end()
}

/// Units, base figures (unit, figure, value) and own report rows of a campaign.
pub type Everything = (Vec<StoredUnit>, Vec<(i64, String, i64)>, Vec<OwnTuple>);

/// Folds rows (unit, period, status, timeliness, indicator, value) into each unit's
/// own reports.
fn own_from_rows(rows: Vec<OwnTuple>) -> HashMap<i64, OwnReports> {
    let mut out: HashMap<i64, OwnReports> = HashMap::new();
    for (unit, seq, Text(status), timeliness, key, value) in rows {
        let own = out.entry(unit).or_default();
        if let Some(Text(t)) = timeliness {
            own.first_on_time.insert(seq, t == Timeliness::OnTime);
        }
        if let (Some(key), Some(value)) = (key, value) {
            if status.counts() {
                own.values.insert((seq, key), value);
            }
        }
    }
    out
}

const OWN_SQL: &str = "SELECT r.unit_id, r.period_seq, r.status, r.timeliness, v.indicator_key, v.value
     FROM reports r LEFT JOIN report_values v ON v.report_id = r.id
     WHERE r.campaign_id = $1 AND r.kind = 'weekly'";

/// A condition on units no unit meets.
const NO_UNITS: &str = "1 = 0";

/// What a write transaction needs to keep the figures right; implemented for both
/// backends' connections so that the same code runs inside either transaction.
pub trait RollupTx {
    /// The unit's parent, grandparent … up to the root (not the unit itself).
    fn strict_ancestors(&mut self, unit_id: i64) -> impl Future<Output = sqlx::Result<Vec<i64>>> + Send;
    fn unit(&mut self, unit_id: i64) -> impl Future<Output = sqlx::Result<Option<StoredUnit>>> + Send;
    /// Serializes changes to one unit's reports (PostgreSQL: a row lock until the
    /// transaction ends; SQLite: its write transactions are serial already).
    fn lock_unit(&mut self, unit_id: i64) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// The unit, then its parent, up to the root, in one read.
    fn unit_and_ancestors(&mut self, unit_id: i64) -> impl Future<Output = sqlx::Result<Vec<StoredUnit>>> + Send;
    fn own_reports(&mut self, campaign_id: i64, unit_id: i64) -> impl Future<Output = sqlx::Result<OwnReports>> + Send;
    fn bases(&mut self, unit_id: i64) -> impl Future<Output = sqlx::Result<BTreeMap<BaseFigure, i64>>> + Send;
    /// The stored figures of one unit (its strict descendants' sum).
    fn stored(
        &mut self,
        campaign_id: i64,
        unit_id: i64,
        names: &KeyNames,
    ) -> impl Future<Output = sqlx::Result<Figures>> + Send;
    /// Adds `delta` to the stored figures of each of `unit_ids`.
    fn apply(
        &mut self,
        campaign_id: i64,
        unit_ids: &[i64],
        delta: &Figures,
        names: &KeyNames,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// Adds each delta to its unit's stored figures (and to the unit's row of
    /// `child_summaries`), in a few multi-row statements.
    fn apply_each(
        &mut self,
        campaign_id: i64,
        items: &[(i64, &Figures)],
        names: &KeyNames,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
    /// The current campaign and its plan, if any.
    fn current_plan(&mut self) -> impl Future<Output = sqlx::Result<Option<(i64, Plan)>>> + Send;
    /// Every unit, base figure and own report of a campaign (for a rebuild).
    fn everything(&mut self, campaign_id: i64) -> impl Future<Output = sqlx::Result<Everything>> + Send;
    /// What a rebuild reads besides the weekly reports.
    fn rebuild_inputs(
        &mut self,
        campaign_id: i64,
        reporting_levels: &str,
        history_units: &str,
    ) -> impl Future<Output = sqlx::Result<RebuildInputs>> + Send;
    /// The weekly periods a campaign has reports for.
    fn report_weeks(&mut self, campaign_id: i64) -> impl Future<Output = sqlx::Result<Vec<i64>>> + Send;
    /// One week's reports of the counted units (active, with a parent, figures not
    /// depending on their history), grouped by parent: one row per parent.
    fn week_by_parent(
        &mut self,
        campaign_id: i64,
        period_seq: i64,
        reporting_levels: &str,
        history_units: &str,
    ) -> impl Future<Output = sqlx::Result<Vec<ParentWeek>>> + Send;
    /// One week's counted reports of the reporting units (not depending on their
    /// history) that have one of `figures` (SQL list of quoted names), grouped by
    /// parent and base figure.
    fn week_covered_by_parent(
        &mut self,
        campaign_id: i64,
        period_seq: i64,
        reporting_levels: &str,
        history_units: &str,
        figures: &str,
    ) -> impl Future<Output = sqlx::Result<Vec<ParentWeekCovered>>> + Send;
    /// Replaces a campaign's stored figures with `rows` (unit, figure, period, value),
    /// in key order.
    fn replace_all(
        &mut self,
        campaign_id: i64,
        rows: &[(i64, &str, i64, i64)],
    ) -> impl Future<Output = sqlx::Result<()>> + Send;
}

macro_rules! impl_rollup_tx {
    ($conn:ty, $db:ty, $sqlite:expr, $lock:expr, $bulk_json:expr, $bulk_insert:expr, $concat:expr, $summaries_insert:expr) => {
        impl RollupTx for $conn {
            async fn lock_unit(&mut self, unit_id: i64) -> sqlx::Result<()> {
                let lock: Option<&str> = $lock;
                match lock {
                    Some(sql) => sqlx::query(sql).bind(unit_id).execute(&mut *self).await.map(|_| ()),
                    None => Ok(()),
                }
            }

            async fn strict_ancestors(&mut self, unit_id: i64) -> sqlx::Result<Vec<i64>> {
                let rows: Vec<(i64,)> = sqlx::query_as(
                    "WITH RECURSIVE up(id, parent_id, depth) AS (
                         SELECT id, parent_id, 0 FROM units WHERE id = $1
                         UNION ALL
                         SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 16
                     )
                     SELECT id FROM up WHERE depth > 0 ORDER BY depth",
                )
                .bind(unit_id)
                .fetch_all(&mut *self)
                .await?;
                Ok(rows.into_iter().map(|(id,)| id).collect())
            }

            async fn unit(&mut self, unit_id: i64) -> sqlx::Result<Option<StoredUnit>> {
                let row: Option<UnitTuple> =
                    sqlx::query_as("SELECT id, parent_id, level, kind, active FROM units WHERE id = $1")
                        .bind(unit_id)
                        .fetch_optional(&mut *self)
                        .await?;
                Ok(row.map(stored_unit))
            }

            async fn unit_and_ancestors(&mut self, unit_id: i64) -> sqlx::Result<Vec<StoredUnit>> {
                let rows: Vec<(i64, Option<i64>, i64, Text<UnitKind>, bool, i64)> = sqlx::query_as(
                    "WITH RECURSIVE up(id, parent_id, level, kind, active, depth) AS (
                         SELECT id, parent_id, level, kind, active, CAST(0 AS BIGINT) FROM units WHERE id = $1
                         UNION ALL
                         SELECT u.id, u.parent_id, u.level, u.kind, u.active, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 16
                     )
                     SELECT id, parent_id, level, kind, active, depth FROM up ORDER BY depth",
                )
                .bind(unit_id)
                .fetch_all(&mut *self)
                .await?;
                Ok(rows.into_iter().map(|(id, p, l, k, a, _)| stored_unit((id, p, l, k, a))).collect())
            }

            async fn own_reports(&mut self, campaign_id: i64, unit_id: i64) -> sqlx::Result<OwnReports> {
                let sql = format!("{OWN_SQL} AND r.unit_id = $2");
                let rows: Vec<OwnTuple> =
                    sqlx::query_as(&sql).bind(campaign_id).bind(unit_id).fetch_all(&mut *self).await?;
                Ok(own_from_rows(rows).remove(&unit_id).unwrap_or_default())
            }

            async fn bases(&mut self, unit_id: i64) -> sqlx::Result<BTreeMap<BaseFigure, i64>> {
                let rows: Vec<(Text<BaseFigure>, i64)> =
                    sqlx::query_as("SELECT figure, value FROM unit_base_figures WHERE unit_id = $1")
                        .bind(unit_id)
                        .fetch_all(&mut *self)
                        .await?;
                Ok(rows.into_iter().map(|(Text(f), v)| (f, v)).collect())
            }

            async fn stored(&mut self, campaign_id: i64, unit_id: i64, names: &KeyNames) -> sqlx::Result<Figures> {
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT key, period_seq, value FROM rollups WHERE campaign_id = $1 AND unit_id = $2",
                )
                .bind(campaign_id)
                .bind(unit_id)
                .fetch_all(&mut *self)
                .await?;
                Ok(rows.into_iter().filter_map(|(k, seq, v)| names.parse(&k).map(|k| ((k, seq), v))).collect())
            }

            async fn apply(
                &mut self,
                campaign_id: i64,
                unit_ids: &[i64],
                delta: &Figures,
                names: &KeyNames,
            ) -> sqlx::Result<()> {
                let items: Vec<(i64, &Figures)> = unit_ids.iter().map(|u| (*u, delta)).collect();
                self.apply_each(campaign_id, &items, names).await
            }

            async fn apply_each(
                &mut self,
                campaign_id: i64,
                items: &[(i64, &Figures)],
                names: &KeyNames,
            ) -> sqlx::Result<()> {
                // Every unit's rows in key order, in as few statements as possible.
                let mut rows: Vec<(i64, String, i64, i64)> = Vec::new();
                for (unit, delta) in items {
                    let start = rows.len();
                    rows.extend(
                        delta.iter().filter(|(_, v)| **v != 0).map(|((k, seq), v)| (*unit, names.name(*k), *seq, *v)),
                    );
                    rows[start..].sort();
                }
                if rows.is_empty() {
                    return Ok(());
                }
                // (unit, key, period) are distinct when the units are, so one statement
                // may upsert them all (300 rows of 5 parameters: far under both
                // backends' bind-parameter limits).
                let distinct = items.iter().map(|(u, _)| *u).collect::<BTreeSet<i64>>().len() == items.len();
                let per_statement = if distinct { 300 } else { 1 };
                let mut i = 0;
                while i < rows.len() {
                    // Repeated units: one unit's rows per statement.
                    let end = if distinct {
                        (i + per_statement).min(rows.len())
                    } else {
                        let unit = rows[i].0;
                        (i..rows.len()).find(|&j| rows[j].0 != unit).unwrap_or(rows.len()).min(i + 300)
                    };
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO rollups (campaign_id, unit_id, key, period_seq, value) ",
                    );
                    q.push_values(&rows[i..end], |mut row, (unit, key, seq, value)| {
                        row.push_bind(campaign_id).push_bind(*unit).push_bind(key).push_bind(*seq).push_bind(*value);
                    });
                    q.push(" ON CONFLICT (campaign_id, unit_id, key, period_seq) DO UPDATE SET value = rollups.value + excluded.value");
                    q.build().execute(&mut *self).await?;
                    i = end;
                }
                // The same sums, one row per unit (`child_summaries`): read, add, write back.
                let mut by_unit: BTreeMap<i64, BTreeMap<String, i64>> = BTreeMap::new();
                for (unit, key, seq, value) in &rows {
                    *by_unit.entry(*unit).or_default().entry(format!("{key}@{seq}")).or_default() += *value;
                }
                let list = id_list(&by_unit.keys().copied().collect::<Vec<_>>());
                let sql = if $sqlite {
                    // SQLite's write transactions are serial: nobody else changes them meanwhile.
                    format!("SELECT unit_id, figures FROM child_summaries WHERE campaign_id = $1 AND unit_id IN ({list})")
                } else {
                    // PostgreSQL: concurrent transactions may change the same units' rows
                    // (the top unit's in every save): each row exists, then is locked (in
                    // unit order) until this transaction ends, and read as last committed,
                    // so that no difference is lost.
                    let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO child_summaries (campaign_id, unit_id, figures) ");
                    q.push_values(by_unit.keys(), |mut row, unit| {
                        row.push_bind(campaign_id).push_bind(*unit).push_bind("{}");
                    });
                    q.push(" ON CONFLICT (campaign_id, unit_id) DO NOTHING");
                    q.build().execute(&mut *self).await?;
                    format!("SELECT unit_id, figures FROM child_summaries WHERE campaign_id = $1 AND unit_id IN ({list}) ORDER BY unit_id FOR UPDATE")
                };
                let stored: Vec<(i64, String)> = sqlx::query_as(&sql).bind(campaign_id).fetch_all(&mut *self).await?;
                let mut summaries: Vec<(i64, String)> = Vec::with_capacity(by_unit.len());
                let mut stored: HashMap<i64, String> = stored.into_iter().collect();
                for (unit, delta) in by_unit {
                    let mut figures: BTreeMap<String, i64> = BTreeMap::new();
                    if let Some(json) = stored.remove(&unit) {
                        each_value(&json, |k, v| {
                            figures.insert(k.to_string(), v);
                        })
                        .map_err(|e| sqlx::Error::Protocol(format!("kept figures of unit {unit}: {e}")))?;
                    }
                    for (k, v) in delta {
                        *figures.entry(k).or_default() += v;
                    }
                    figures.retain(|_, v| *v != 0);
                    let json = serde_json::to_string(&figures).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
                    summaries.push((unit, json));
                }
                for chunk in summaries.chunks(200) {
                    let mut q = sqlx::QueryBuilder::<$db>::new("INSERT INTO child_summaries (campaign_id, unit_id, figures) ");
                    q.push_values(chunk, |mut row, (unit, json)| {
                        row.push_bind(campaign_id).push_bind(*unit).push_bind(json);
                    });
                    q.push(" ON CONFLICT (campaign_id, unit_id) DO UPDATE SET figures = excluded.figures");
                    q.build().execute(&mut *self).await?;
                }
                Ok(())
            }

            async fn current_plan(&mut self) -> sqlx::Result<Option<(i64, Plan)>> {
                let row: Option<(i64, String)> =
                    sqlx::query_as("SELECT id, plan_toml FROM campaigns WHERE is_current = TRUE ORDER BY id LIMIT 1")
                        .fetch_optional(&mut *self)
                        .await?;
                Ok(row.and_then(|(id, toml)| parse_plan(&toml).ok().map(|plan| (id, plan))))
            }

            async fn everything(
                &mut self,
                campaign_id: i64,
            ) -> sqlx::Result<Everything> {
                let units: Vec<UnitTuple> = sqlx::query_as("SELECT id, parent_id, level, kind, active FROM units")
                    .fetch_all(&mut *self)
                    .await?;
                let bases: Vec<(i64, String, i64)> =
                    sqlx::query_as("SELECT unit_id, figure, value FROM unit_base_figures").fetch_all(&mut *self).await?;
                let own: Vec<OwnTuple> = sqlx::query_as(OWN_SQL).bind(campaign_id).fetch_all(&mut *self).await?;
                Ok((units.into_iter().map(stored_unit).collect(), bases, own))
            }

            async fn rebuild_inputs(
                &mut self,
                campaign_id: i64,
                reporting_levels: &str,
                history_units: &str,
            ) -> sqlx::Result<RebuildInputs> {
                let units: Vec<UnitTuple> = sqlx::query_as("SELECT id, parent_id, level, kind, active FROM units")
                    .fetch_all(&mut *self)
                    .await?;
                let bases_sql = format!(
                    "SELECT u.parent_id, b.figure, CAST(SUM(b.value) AS BIGINT), CAST(COUNT(*) AS BIGINT)
                     FROM unit_base_figures b JOIN units u ON u.id = b.unit_id
                     WHERE u.active AND u.parent_id IS NOT NULL AND u.level IN ({reporting_levels})
                     GROUP BY u.parent_id, b.figure"
                );
                let bases: Vec<(i64, String, i64, i64)> = sqlx::query_as(&bases_sql).fetch_all(&mut *self).await?;
                // From the (few) units whose figures depend on their history to their
                // reports, not the other way round.
                let own: Vec<OwnReportTuple> = if history_units == NO_UNITS {
                    Vec::new()
                } else {
                    let own_sql = format!(
                        "SELECT r.unit_id, r.period_seq, r.status, r.timeliness, r.submitted_values
                         FROM units u JOIN reports r ON r.unit_id = u.id AND r.campaign_id = $1 AND r.kind = 'weekly'
                         WHERE u.active AND ({history_units})"
                    );
                    sqlx::query_as(&own_sql).bind(campaign_id).fetch_all(&mut *self).await?
                };
                let known: Vec<(i64, String)> = if history_units == NO_UNITS {
                    Vec::new()
                } else {
                    let known_sql = format!(
                        "SELECT b.unit_id, b.figure FROM unit_base_figures b JOIN units u ON u.id = b.unit_id
                         WHERE u.active AND ({history_units})"
                    );
                    sqlx::query_as(&known_sql).fetch_all(&mut *self).await?
                };
                Ok(RebuildInputs { units: units.into_iter().map(stored_unit).collect(), bases, own, known })
            }

            async fn report_weeks(&mut self, campaign_id: i64) -> sqlx::Result<Vec<i64>> {
                let weeks: Vec<(i64,)> =
                    sqlx::query_as("SELECT DISTINCT period_seq FROM reports WHERE campaign_id = $1 AND kind = 'weekly' ORDER BY period_seq")
                        .bind(campaign_id)
                        .fetch_all(&mut *self)
                        .await?;
                Ok(weeks.into_iter().map(|(w,)| w).collect())
            }

            async fn week_by_parent(
                &mut self,
                campaign_id: i64,
                period_seq: i64,
                reporting_levels: &str,
                history_units: &str,
            ) -> sqlx::Result<Vec<ParentWeek>> {
                // One row per parent rather than per report: returning a row through the
                // driver costs far more than the database's grouping.
                let sql = format!(
                    "SELECT u.parent_id,
                            '[' || COALESCE({concat}(CASE WHEN r.status IN ('submitted', 'accepted') THEN r.submitted_values END, ','), '') || ']',
                            CAST(SUM(CASE WHEN r.timeliness = 'on_time' AND u.level IN ({reporting_levels}) THEN 1 ELSE 0 END) AS BIGINT),
                            CAST(SUM(CASE WHEN r.timeliness = 'late' AND u.level IN ({reporting_levels}) THEN 1 ELSE 0 END) AS BIGINT)
                     FROM reports r JOIN units u ON u.id = r.unit_id
                     WHERE r.campaign_id = $1 AND r.kind = 'weekly' AND r.period_seq = $2
                       AND u.active AND u.parent_id IS NOT NULL AND NOT ({history_units})
                     GROUP BY u.parent_id",
                    concat = $concat
                );
                sqlx::query_as(&sql).bind(campaign_id).bind(period_seq).fetch_all(&mut *self).await
            }

            async fn week_covered_by_parent(
                &mut self,
                campaign_id: i64,
                period_seq: i64,
                reporting_levels: &str,
                history_units: &str,
                figures: &str,
            ) -> sqlx::Result<Vec<ParentWeekCovered>> {
                let sql = format!(
                    "SELECT u.parent_id, b.figure, '[' || COALESCE({concat}(r.submitted_values, ','), '') || ']'
                     FROM reports r JOIN units u ON u.id = r.unit_id JOIN unit_base_figures b ON b.unit_id = u.id
                     WHERE r.campaign_id = $1 AND r.kind = 'weekly' AND r.period_seq = $2
                       AND r.status IN ('submitted', 'accepted') AND r.submitted_values IS NOT NULL
                       AND u.active AND u.parent_id IS NOT NULL AND u.level IN ({reporting_levels})
                       AND NOT ({history_units}) AND b.figure IN ({figures})
                     GROUP BY u.parent_id, b.figure",
                    concat = $concat
                );
                sqlx::query_as(&sql).bind(campaign_id).bind(period_seq).fetch_all(&mut *self).await
            }

            async fn replace_all(&mut self, campaign_id: i64, rows: &[(i64, &str, i64, i64)]) -> sqlx::Result<()> {
                let only_this = $sqlite && {
                    let (low, high): (Option<i64>, Option<i64>) =
                        sqlx::query_as("SELECT (SELECT MIN(campaign_id) FROM rollups), (SELECT MAX(campaign_id) FROM rollups)").fetch_one(&mut *self).await?;
                    low.unwrap_or(campaign_id) == campaign_id && high.unwrap_or(campaign_id) == campaign_id
                };
                if only_this {
                    // Only this campaign's figures in the table: SQLite empties a table
                    // at once when no row is named, instead of deleting row by row.
                    sqlx::query("DELETE FROM rollups").execute(&mut *self).await?;
                } else {
                    sqlx::query("DELETE FROM rollups WHERE campaign_id = $1").bind(campaign_id).execute(&mut *self).await?;
                }
                tracing::debug!("old figures deleted");
                // Many rows per statement as one JSON parameter, unpacked by the
                // database: binding millions of parameters one by one costs more than
                // the insert itself.
                for json in $bulk_json(rows) {
                    sqlx::query($bulk_insert).bind(campaign_id).bind(json?).execute(&mut *self).await?;
                }
                // Each unit's figures as one row, from the rows just written.
                sqlx::query("DELETE FROM child_summaries WHERE campaign_id = $1").bind(campaign_id).execute(&mut *self).await?;
                sqlx::query($summaries_insert).bind(campaign_id).execute(&mut *self).await?;
                Ok(())
            }
        }
    };
}

/// Figures to insert as JSON texts of about 20,000 rows each, nested
/// {"unit": {"figure": {"period": value}}} so that SQLite's json_each hands out
/// every part as a column without parsing a row again.
fn nested_json(rows: &[(i64, &str, i64, i64)]) -> Vec<sqlx::Result<String>> {
    use std::fmt::Write;
    let mut out = Vec::new();
    let mut json = String::new();
    let mut count = 0usize;
    let mut i = 0usize;
    while i < rows.len() {
        let unit = rows[i].0;
        let _ = write!(json, "{}\"{unit}\":{{", if json.is_empty() { "{" } else { "," });
        let mut first_key = true;
        while i < rows.len() && rows[i].0 == unit {
            let key = rows[i].1;
            let name = match serde_json::to_string(key) {
                Ok(name) => name,
                Err(e) => return vec![Err(sqlx::Error::Protocol(e.to_string()))],
            };
            let _ = write!(json, "{}{name}:{{", if first_key { "" } else { "," });
            first_key = false;
            let mut first_seq = true;
            while i < rows.len() && rows[i].0 == unit && rows[i].1 == key {
                let _ = write!(json, "{}\"{}\":{}", if first_seq { "" } else { "," }, rows[i].2, rows[i].3);
                first_seq = false;
                i += 1;
                count += 1;
            }
            json.push('}');
        }
        json.push('}');
        if count >= 20_000 {
            json.push('}');
            out.push(Ok(std::mem::take(&mut json)));
            count = 0;
        }
    }
    if !json.is_empty() {
        json.push('}');
        out.push(Ok(json));
    }
    out
}

/// Figures to insert as JSON arrays of 20,000 rows [unit, figure, period, value].
fn flat_json(rows: &[(i64, &str, i64, i64)]) -> Vec<sqlx::Result<String>> {
    rows.chunks(20_000)
        .map(|chunk| serde_json::to_string(chunk).map_err(|e| sqlx::Error::Protocol(e.to_string())))
        .collect()
}

impl_rollup_tx!(
    sqlx::SqliteConnection,
    sqlx::Sqlite,
    true,
    None,
    nested_json,
    "INSERT INTO rollups (campaign_id, unit_id, key, period_seq, value)
     SELECT $1, CAST(u.key AS INTEGER), f.key, CAST(p.key AS INTEGER), p.value
     FROM json_each($2) u, json_each(u.value) f, json_each(f.value) p",
    "group_concat",
    "INSERT INTO child_summaries (campaign_id, unit_id, figures)
     SELECT campaign_id, unit_id, json_group_object(key || '@' || period_seq, value)
     FROM rollups WHERE campaign_id = $1 AND value <> 0 GROUP BY campaign_id, unit_id"
);
impl_rollup_tx!(
    sqlx::PgConnection,
    sqlx::Postgres,
    false,
    Some("SELECT id FROM units WHERE id = $1 FOR UPDATE"),
    flat_json,
    "INSERT INTO rollups (campaign_id, unit_id, key, period_seq, value)
     SELECT $1, (e ->> 0)::BIGINT, e ->> 1, (e ->> 2)::BIGINT, (e ->> 3)::BIGINT FROM jsonb_array_elements($2::JSONB) e",
    "string_agg",
    "INSERT INTO child_summaries (campaign_id, unit_id, figures)
     SELECT campaign_id, unit_id, json_object_agg(key || '@' || period_seq, value)::TEXT
     FROM rollups WHERE campaign_id = $1 AND value <> 0 GROUP BY campaign_id, unit_id"
);

/// Each unit with its ancestors (the unit first), in one read.
pub async fn chains(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    unit_ids: &[i64],
) -> sqlx::Result<HashMap<i64, Vec<StoredUnit>>> {
    if unit_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "WITH RECURSIVE up(start, id, parent_id, level, kind, active, depth) AS (
             SELECT id, id, parent_id, level, kind, active, 0 FROM units WHERE id IN ({})
             UNION ALL
             SELECT up.start, u.id, u.parent_id, u.level, u.kind, u.active, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 16
         )
         SELECT start, id, parent_id, level, kind, active FROM up ORDER BY start, depth",
        id_list(unit_ids)
    );
    let rows: Vec<ChainRow> = sqlx::query_as(&sql).fetch_all(&mut **tx).await?;
    let mut out: HashMap<i64, Vec<StoredUnit>> = HashMap::new();
    for (start, id, parent, level, kind, active) in rows {
        out.entry(start).or_default().push(stored_unit((id, parent, level, kind, active)));
    }
    Ok(out)
}

/// A unit's whole contribution (facts, base figures, own reports) read in a transaction.
pub async fn contribution_in<C: RollupTx + Send>(
    conn: &mut C,
    plan: &Plan,
    campaign_id: i64,
    unit: &StoredUnit,
) -> sqlx::Result<Figures> {
    let bases = conn.bases(unit.id).await?;
    let own = conn.own_reports(campaign_id, unit.id).await?;
    Ok(unit_figures(plan, &unit.facts, &bases, &own))
}

/// Keeps the current campaign's figures right around a change to one unit (its
/// facts, base figures or parent): call `before` first, make the change, then `after`.
pub struct UnitChangeGuard {
    campaign_id: i64,
    plan: Plan,
    unit_id: i64,
    ancestors: Vec<i64>,
    total: Figures,
}

impl UnitChangeGuard {
    /// Reads the unit's subtree total before the change; None without a campaign
    /// or for a unit not yet created.
    pub async fn before<C: RollupTx + Send>(conn: &mut C, unit_id: i64) -> sqlx::Result<Option<Self>> {
        let Some((campaign_id, plan)) = conn.current_plan().await? else {
            return Ok(None);
        };
        let Some(unit) = conn.unit(unit_id).await? else {
            return Ok(None);
        };
        let names = KeyNames::new(&plan);
        let mut total = contribution_in(conn, &plan, campaign_id, &unit).await?;
        add(&mut total, &conn.stored(campaign_id, unit_id, &names).await?, 1);
        let ancestors = conn.strict_ancestors(unit_id).await?;
        Ok(Some(UnitChangeGuard { campaign_id, plan, unit_id, ancestors, total }))
    }

    /// Moves the difference to the ancestors before and after the change.
    pub async fn after<C: RollupTx + Send>(self, conn: &mut C) -> sqlx::Result<()> {
        let names = KeyNames::new(&self.plan);
        let Some(unit) = conn.unit(self.unit_id).await? else {
            return Ok(());
        };
        let mut total = contribution_in(conn, &self.plan, self.campaign_id, &unit).await?;
        add(&mut total, &conn.stored(self.campaign_id, self.unit_id, &names).await?, 1);
        let ancestors = conn.strict_ancestors(self.unit_id).await?;
        if ancestors == self.ancestors {
            let delta = figures::difference(&total, &self.total);
            conn.apply(self.campaign_id, &ancestors, &delta, &names).await
        } else {
            let mut minus = Figures::default();
            add(&mut minus, &self.total, -1);
            conn.apply(self.campaign_id, &self.ancestors, &minus, &names).await?;
            conn.apply(self.campaign_id, &ancestors, &total, &names).await
        }
    }
}

/// Adds a new unit's contribution to its ancestors (call after inserting it).
pub async fn unit_created<C: RollupTx + Send>(conn: &mut C, unit_id: i64) -> sqlx::Result<()> {
    let Some((campaign_id, plan)) = conn.current_plan().await? else {
        return Ok(());
    };
    let Some(unit) = conn.unit(unit_id).await? else {
        return Ok(());
    };
    let names = KeyNames::new(&plan);
    let total = contribution_in(conn, &plan, campaign_id, &unit).await?;
    let ancestors = conn.strict_ancestors(unit_id).await?;
    conn.apply(campaign_id, &ancestors, &total, &names).await
}

/// The figures of each unit's subtree (its own contribution plus the stored sum of
/// everything below it).
pub async fn subtree_figures(
    db: &Db,
    plan: &Plan,
    campaign_id: i64,
    unit_ids: &[i64],
) -> Result<HashMap<i64, Figures>> {
    if unit_ids.is_empty() {
        return Ok(HashMap::new());
    }
    // One row per unit, its kept figures as one JSON object {"figure@period": value}
    // kept by every write (`child_summaries`): a dashboard of 700 children reads 700
    // rows, neither 360,000 nor a grouping of them.
    let list = id_list(unit_ids);
    let units_sql = format!("SELECT id, parent_id, level, kind, active FROM units WHERE id IN ({list})");
    let units: Vec<UnitTuple> = with_pool!(db, pool => sqlx::query_as(&units_sql).fetch_all(pool).await)?;
    figures_of(db, plan, campaign_id, &list, units.into_iter().map(stored_unit)).await
}

/// [`subtree_figures`] of units already read (a dashboard's children): the same
/// figures, one read fewer (#24: the national dashboard reads 700 children).
pub async fn subtree_figures_of_rows(
    db: &Db,
    plan: &Plan,
    campaign_id: i64,
    rows: &[crate::units::UnitRow],
) -> Result<HashMap<i64, Figures>> {
    if rows.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i64> = rows.iter().map(|u| u.id).collect();
    let units = rows.iter().map(|u| StoredUnit {
        id: u.id,
        parent_id: u.parent_id,
        facts: UnitFacts { level: Level::from_number(u.level), kind: u.kind(), active: u.active },
    });
    figures_of(db, plan, campaign_id, &id_list(&ids), units).await
}

/// The figures of `units` (whose ids are `list`): their kept sums, their own weekly
/// reports and base figures.
async fn figures_of(
    db: &Db,
    plan: &Plan,
    campaign_id: i64,
    list: &str,
    units: impl Iterator<Item = StoredUnit>,
) -> Result<HashMap<i64, Figures>> {
    let names = KeyNames::new(plan);
    let stored_sql =
        format!("SELECT unit_id, figures FROM child_summaries WHERE campaign_id = $1 AND unit_id IN ({list})");
    let stored: Vec<(i64, String)> =
        with_pool!(db, pool => sqlx::query_as(&stored_sql).bind(campaign_id).fetch_all(pool).await)?;
    // The units' own weekly reports, one row each (their submitted values as one JSON object).
    let own_sql = format!(
        "SELECT r.unit_id, r.period_seq, r.status, r.timeliness, r.submitted_values FROM reports r
         WHERE r.campaign_id = $1 AND r.kind = 'weekly' AND r.unit_id IN ({list})"
    );
    let own_rows: Vec<OwnReportTuple> =
        with_pool!(db, pool => sqlx::query_as(&own_sql).bind(campaign_id).fetch_all(pool).await)?;
    let mut own = own_from_reports(own_rows)?;
    let bases_sql = format!("SELECT unit_id, figure, value FROM unit_base_figures WHERE unit_id IN ({list})");
    let base_rows: Vec<(i64, String, i64)> = with_pool!(db, pool => sqlx::query_as(&bases_sql).fetch_all(pool).await)?;
    let mut bases: HashMap<i64, BTreeMap<BaseFigure, i64>> = HashMap::new();
    for (unit, figure, value) in base_rows {
        if let Some(f) = BaseFigure::parse(&figure) {
            bases.entry(unit).or_default().insert(f, value);
        }
    }
    let mut out: HashMap<i64, Figures> = HashMap::new();
    for unit in units {
        let figures = unit_figures(
            plan,
            &unit.facts,
            &bases.remove(&unit.id).unwrap_or_default(),
            &own.remove(&unit.id).unwrap_or_default(),
        );
        out.insert(unit.id, figures);
    }
    for (unit, json) in stored {
        let Some(figures) = out.get_mut(&unit) else { continue };
        each_value(&json, |name, value| {
            let Some((key, seq)) = name.rsplit_once('@') else { return };
            if let (Some(key), Ok(seq)) = (names.parse(key), seq.parse::<i64>()) {
                let entry = figures.entry((key, seq)).or_default();
                *entry += value;
                if *entry == 0 {
                    figures.remove(&(key, seq));
                }
            }
        })
        .map_err(|e| crate::StorageError::Invalid(format!("kept figures of unit {unit}: {e}")))?;
    }
    Ok(out)
}

/// Every unit's contribution and the sums over strict descendants, computed unit by
/// unit from the raw rows: what `rollups` must hold (the reference the faster
/// `compute_all` is tested against). Returns unit → stored figures (no empty ones).
pub async fn compute_all_by_unit_in<C: RollupTx + Send>(
    conn: &mut C,
    plan: &Plan,
    campaign_id: i64,
) -> sqlx::Result<HashMap<i64, Figures>> {
    let (units, base_rows, own_rows) = conn.everything(campaign_id).await?;
    let mut bases: HashMap<i64, BTreeMap<BaseFigure, i64>> = HashMap::new();
    for (unit, figure, value) in base_rows {
        if let Some(f) = BaseFigure::parse(&figure) {
            bases.entry(unit).or_default().insert(f, value);
        }
    }
    let mut own = own_from_rows(own_rows);
    let parent: HashMap<i64, Option<i64>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    let mut stored: HashMap<i64, Figures> = HashMap::new();
    for unit in &units {
        let contribution = unit_figures(
            plan,
            &unit.facts,
            &bases.remove(&unit.id).unwrap_or_default(),
            &own.remove(&unit.id).unwrap_or_default(),
        );
        if contribution.is_empty() {
            continue;
        }
        let mut up = unit.parent_id;
        let mut depth = 0;
        while let Some(a) = up {
            add(stored.entry(a).or_default(), &contribution, 1);
            up = parent.get(&a).copied().flatten();
            depth += 1;
            if depth > 16 {
                break;
            }
        }
    }
    stored.retain(|_, f| !f.is_empty());
    Ok(stored)
}

/// What `rollups` must hold, computed from the raw rows with the sums done by the
/// database per parent unit (a few grouped scans), then added up the tree: this is
/// the full rebuild. Units whose figures depend on their running totals (a per-unit
/// minimum) are computed one by one.
pub async fn compute_all_in<C: RollupTx + Send>(
    conn: &mut C,
    plan: &Plan,
    campaign_id: i64,
) -> sqlx::Result<HashMap<i64, Figures>> {
    let names = KeyNames::new(plan);
    let levels = &plan.reporting.levels;
    let reporting_sql = if levels.is_empty() { "NULL".to_string() } else { crate::level_list(levels) };
    // (level, kind) pairs whose units depend on their history (a unit's level is its kind's).
    let mut pairs = Vec::new();
    for kind in UnitKind::ALL {
        let level = kind.level();
        if figures::depends_on_history(plan, &UnitFacts { level: Some(level), kind: Some(kind), active: true }) {
            pairs.push(format!("(u.level = {} AND u.kind = '{}')", level.number(), kind.as_str()));
        }
    }
    let history_sql = if pairs.is_empty() { NO_UNITS.to_string() } else { pairs.join(" OR ") };
    let started = std::time::Instant::now();
    let sums = conn.rebuild_inputs(campaign_id, &reporting_sql, &history_sql).await?;
    tracing::info!(elapsed = ?started.elapsed(), units = sums.units.len(), "units and base figures read");
    let mut acc: HashMap<i64, Figures> = HashMap::new();
    // Structure: what each unit's level and kind contribute, once per kind of unit.
    let mut by_facts: HashMap<(Option<Level>, Option<UnitKind>, bool), Figures> = HashMap::new();
    for u in &sums.units {
        let Some(parent) = u.parent_id else { continue };
        let f = by_facts
            .entry((u.facts.level, u.facts.kind, u.facts.active))
            .or_insert_with(|| figures::structure_figures(plan, &u.facts, &BTreeMap::new()));
        if !f.is_empty() {
            add(acc.entry(parent).or_default(), f, 1);
        }
    }
    // The weekly reports, week by week, grouped by parent: the values of a report
    // go to its unit's parent, its first submission's timeliness too if the unit is
    // a reporting one.
    let done: Vec<bool> = plan.indicators().map(|ind| figures::counts_units_done(ind.kind)).collect();
    let mut row = vec![0i64; done.len()];
    let mut parents = 0usize;
    // The base figures percent-of-base indicators are measured against, and which
    // indicators each one covers.
    let mut covered_by_figure: BTreeMap<BaseFigure, Vec<u16>> = BTreeMap::new();
    for ind in plan.indicators() {
        if let (phongtrao_domain::plan::IndicatorKind::PercentOfBase, Some(b)) = (ind.kind, ind.base) {
            covered_by_figure.entry(b).or_insert_with(|| figures::covered_indicators(plan, b));
        }
    }
    let covered_sql: Vec<String> = covered_by_figure.keys().map(|f| format!("'{}'", f.as_str())).collect();
    for week in conn.report_weeks(campaign_id).await? {
        if !covered_sql.is_empty() && !levels.is_empty() {
            for (parent, figure, json) in conn
                .week_covered_by_parent(campaign_id, week, &reporting_sql, &history_sql, &covered_sql.join(","))
                .await?
            {
                let Some(indexes) = BaseFigure::parse(&figure).and_then(|f| covered_by_figure.get(&f)) else {
                    continue;
                };
                let entry = acc.entry(parent).or_default();
                each_value(&json, |key, value| {
                    if let Some(i) = names.index_of(key) {
                        if indexes.contains(&i) {
                            *entry.entry((figures::Key::Covered(i), week)).or_default() += value;
                        }
                    }
                })
                .map_err(|e| sqlx::Error::Protocol(format!("covered values below unit {parent}, week {week}: {e}")))?;
            }
        }
        for (parent, json, on_time, late) in
            conn.week_by_parent(campaign_id, week, &reporting_sql, &history_sql).await?
        {
            parents += 1;
            row.iter_mut().for_each(|v| *v = 0);
            each_value(&json, |key, value| {
                if let Some(i) = names.index_of(key) {
                    row[usize::from(i)] += value;
                }
            })
            .map_err(|e| sqlx::Error::Protocol(format!("submitted values below unit {parent}, week {week}: {e}")))?;
            let entry = acc.entry(parent).or_default();
            for (i, sum) in row.iter().enumerate().filter(|(_, sum)| **sum != 0) {
                *entry.entry((figures::Key::Value(i as u16), week)).or_default() += sum;
                if done[i] {
                    *entry.entry((figures::Key::Done(i as u16), week)).or_default() += sum;
                }
            }
            for (key, count) in [(figures::Key::OnTime, on_time), (figures::Key::Late, late)] {
                if count != 0 {
                    *entry.entry((key, week)).or_default() += count;
                }
            }
        }
    }
    tracing::info!(elapsed = ?started.elapsed(), parents, "weekly reports read");
    for (parent, figure, sum, count) in sums.bases {
        let Some(f) = BaseFigure::parse(&figure) else { continue };
        let entry = acc.entry(parent).or_default();
        *entry.entry((figures::Key::Base(f), 0)).or_default() += sum;
        *entry.entry((figures::Key::BaseKnown(f), 0)).or_default() += count;
    }
    let mut own = own_from_reports(sums.own)?;
    let mut known: HashMap<i64, BTreeSet<BaseFigure>> = HashMap::new();
    for (unit, figure) in &sums.known {
        if let Some(f) = BaseFigure::parse(figure) {
            known.entry(*unit).or_default().insert(f);
        }
    }
    for u in &sums.units {
        let (Some(parent), Some(o)) = (u.parent_id, own.remove(&u.id)) else { continue };
        let k = known.remove(&u.id).unwrap_or_default();
        add(acc.entry(parent).or_default(), &report_and_covered_figures(plan, &u.facts, &k, &o), 1);
    }
    // Up the tree, children before parents: stored(u) = own sums + children's stored.
    let index: HashMap<i64, usize> = sums.units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let tree = phongtrao_domain::progress::Tree::new(
        sums.units.iter().map(|u| u.parent_id.and_then(|p| index.get(&p).copied())).collect(),
    );
    let order = tree.bottom_up().map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    for i in order {
        let StoredUnit { id, parent_id: Some(parent), .. } = sums.units[i] else { continue };
        if let Some(mine) = acc.remove(&id) {
            add(acc.entry(parent).or_default(), &mine, 1);
            acc.insert(id, mine);
        }
    }
    acc.retain(|_, f| {
        f.retain(|_, v| *v != 0);
        !f.is_empty()
    });
    Ok(acc)
}

pub async fn compute_all_by_unit(db: &Db, plan: &Plan, campaign_id: i64) -> Result<HashMap<i64, Figures>> {
    Ok(with_pool!(db, pool => {
        let mut conn = pool.acquire().await?;
        compute_all_by_unit_in(&mut *conn, plan, campaign_id).await
    })?)
}

pub async fn compute_all(db: &Db, plan: &Plan, campaign_id: i64) -> Result<HashMap<i64, Figures>> {
    Ok(with_pool!(db, pool => {
        let mut conn = pool.acquire().await?;
        compute_all_in(&mut *conn, plan, campaign_id).await
    })?)
}

/// Recomputes every stored figure of a campaign from the raw rows inside the
/// caller's transaction. Returns the number of stored figures.
pub async fn rebuild_in<C: RollupTx + Send>(conn: &mut C, plan: &Plan, campaign_id: i64) -> sqlx::Result<u64> {
    let started = std::time::Instant::now();
    let all = compute_all_in(conn, plan, campaign_id).await?;
    tracing::debug!(computed = ?started.elapsed(), "consolidated figures computed");
    write_all_in(conn, plan, campaign_id, &all).await
}

/// Replaces the stored figures of a campaign by `all`; returns how many were stored.
async fn write_all_in<C: RollupTx + Send>(
    conn: &mut C,
    plan: &Plan,
    campaign_id: i64,
    all: &HashMap<i64, Figures>,
) -> sqlx::Result<u64> {
    let started = std::time::Instant::now();
    let names = KeyNames::new(plan);
    // Rows in key order (unit, figure, period), each figure's name made once.
    let mut named: HashMap<figures::Key, String> = HashMap::new();
    for figures in all.values() {
        for (key, _) in figures.keys() {
            named.entry(*key).or_insert_with(|| names.name(*key));
        }
    }
    let mut units: Vec<i64> = all.keys().copied().collect();
    units.sort_unstable();
    let mut rows: Vec<(i64, &str, i64, i64)> = Vec::with_capacity(all.values().map(HashMap::len).sum());
    for unit in units {
        let start = rows.len();
        for ((key, seq), value) in &all[&unit] {
            rows.push((unit, named.get(key).map(String::as_str).unwrap_or("?"), *seq, *value));
        }
        rows[start..].sort_unstable();
    }
    tracing::debug!(elapsed = ?started.elapsed(), "figures in order");
    conn.replace_all(campaign_id, &rows).await?;
    tracing::info!(figures = rows.len(), written = ?started.elapsed(), "consolidated figures rebuilt");
    Ok(rows.len() as u64)
}

/// The same for the current campaign, if there is one (after bulk changes to units,
/// base figures or the plan).
pub async fn rebuild_current_in<C: RollupTx + Send>(conn: &mut C) -> sqlx::Result<u64> {
    match conn.current_plan().await? {
        Some((campaign_id, plan)) => rebuild_in(conn, &plan, campaign_id).await,
        None => Ok(0),
    }
}

/// Recomputes every stored figure of a campaign in one transaction; returns how many
/// figures it stored, and the figures (to compare with those kept before).
pub async fn rebuild(db: &Db, plan: &Plan, campaign_id: i64) -> Result<(u64, HashMap<i64, Figures>)> {
    let (rows, _, rebuilt) = rebuild_checked(db, plan, campaign_id).await?;
    Ok((rows, rebuilt))
}

/// The same, also returning the figures kept before, read in the same transaction.
/// Safe while app instances take writes: on PostgreSQL the transaction first takes
/// the write lock alone (`crate::WRITE_LOCK`; every write transaction takes it
/// shared), so the writes in flight finish first and the new ones wait until the
/// rebuilt figures are committed; on SQLite `BEGIN IMMEDIATE` holds the one write
/// lock from the first read to the commit.
pub async fn rebuild_checked(
    db: &Db,
    plan: &Plan,
    campaign_id: i64,
) -> Result<(u64, HashMap<i64, Figures>, HashMap<i64, Figures>)> {
    const STORED: &str = "SELECT unit_id, key, period_seq, value FROM rollups WHERE campaign_id = $1";
    let names = KeyNames::new(plan);
    let (rows, kept, all) = match db {
        Db::Sqlite(pool) => {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let kept: Vec<(i64, String, i64, i64)> =
                sqlx::query_as(STORED).bind(campaign_id).fetch_all(&mut *tx).await?;
            let all = compute_all_in(&mut *tx, plan, campaign_id).await?;
            let rows = write_all_in(&mut *tx, plan, campaign_id, &all).await?;
            tx.commit().await?;
            (rows, kept, all)
        }
        Db::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(crate::WRITE_LOCK).execute(&mut *tx).await?;
            let kept: Vec<(i64, String, i64, i64)> =
                sqlx::query_as(STORED).bind(campaign_id).fetch_all(&mut *tx).await?;
            let all = compute_all_in(&mut *tx, plan, campaign_id).await?;
            let rows = write_all_in(&mut *tx, plan, campaign_id, &all).await?;
            tx.commit().await?;
            (rows, kept, all)
        }
    };
    let mut before: HashMap<i64, Figures> = HashMap::new();
    for (unit, key, seq, value) in kept {
        if value == 0 {
            continue;
        }
        if let Some(key) = names.parse(&key) {
            before.entry(unit).or_default().insert((key, seq), value);
        }
    }
    Ok((rows, before, all))
}

/// The stored figures as they are, for comparing with `compute_all`.
pub async fn stored_all(db: &Db, plan: &Plan, campaign_id: i64) -> Result<HashMap<i64, Figures>> {
    let names = KeyNames::new(plan);
    let rows: Vec<(i64, String, i64, i64)> = with_pool!(db, pool => sqlx::query_as("SELECT unit_id, key, period_seq, value FROM rollups WHERE campaign_id = $1").bind(campaign_id).fetch_all(pool).await)?;
    let mut out: HashMap<i64, Figures> = HashMap::new();
    for (unit, key, seq, value) in rows {
        if value == 0 {
            continue;
        }
        if let Some(key) = names.parse(&key) {
            out.entry(unit).or_default().insert((key, seq), value);
        }
    }
    Ok(out)
}

/// A difference to add to some units' stored figures, once the transaction that
/// made it commits.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    pub campaign_id: i64,
    pub ancestors: Vec<i64>,
    pub delta: Figures,
}

impl Pending {
    pub async fn apply<C: RollupTx + Send>(&self, conn: &mut C, names: &KeyNames) -> sqlx::Result<()> {
        conn.apply(self.campaign_id, &self.ancestors, &self.delta, names).await
    }
}

/// The base figures a unit has, when they matter to its figures (a percent-of-base
/// indicator measured against one of them); otherwise none, without a read.
async fn known_bases<C: RollupTx + Send>(
    conn: &mut C,
    plan: &Plan,
    unit: &StoredUnit,
    read: Option<&BTreeSet<BaseFigure>>,
) -> sqlx::Result<BTreeSet<BaseFigure>> {
    let used =
        plan.indicators().any(|i| i.kind == phongtrao_domain::plan::IndicatorKind::PercentOfBase && i.base.is_some());
    let reporting = unit.facts.active && unit.facts.level.is_some_and(|l| plan.reporting.levels.contains(&l));
    if !used || !reporting {
        return Ok(BTreeSet::new());
    }
    match read {
        Some(known) => Ok(known.clone()),
        None => Ok(conn.bases(unit.id).await?.into_keys().collect()),
    }
}

/// The base figures the units have (those with none are absent), in one read: a
/// grouped commit reads them once for all its saves (`ReportChange::for_save`).
pub async fn known_bases_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    unit_ids: &[i64],
) -> sqlx::Result<HashMap<i64, BTreeSet<BaseFigure>>> {
    let mut out: HashMap<i64, BTreeSet<BaseFigure>> = HashMap::new();
    if unit_ids.is_empty() {
        return Ok(out);
    }
    let sql = format!("SELECT unit_id, figure FROM unit_base_figures WHERE unit_id IN ({})", id_list(unit_ids));
    let rows: Vec<(i64, Text<BaseFigure>)> = sqlx::query_as(&sql).fetch_all(&mut **tx).await?;
    for (unit_id, Text(figure)) in rows {
        out.entry(unit_id).or_default().insert(figure);
    }
    Ok(out)
}

/// What one unit's weekly reports contributed before a change.
pub struct ReportChange {
    campaign_id: i64,
    unit: StoredUnit,
    ancestors: Vec<i64>,
    own: OwnReports,
    /// The unit's base figures (its reports count against those bases only).
    known: BTreeSet<BaseFigure>,
    before: Figures,
}

impl ReportChange {
    /// Call before changing one of the unit's weekly reports (two reads: the unit with
    /// its ancestors, and its own reports).
    pub async fn before<C: RollupTx + Send>(
        conn: &mut C,
        plan: &Plan,
        campaign_id: i64,
        unit_id: i64,
    ) -> sqlx::Result<Option<Self>> {
        let mut chain = conn.unit_and_ancestors(unit_id).await?.into_iter();
        let Some(unit) = chain.next() else {
            return Ok(None);
        };
        let ancestors = chain.map(|u| u.id).collect();
        conn.lock_unit(unit_id).await?;
        let own = conn.own_reports(campaign_id, unit_id).await?;
        let known = known_bases(conn, plan, &unit, None).await?;
        let before = report_and_covered_figures(plan, &unit.facts, &known, &own);
        Ok(Some(ReportChange { campaign_id, unit, ancestors, own, known, before }))
    }

    /// The same for a save, from the unit's chain (itself, then its ancestors) and the
    /// timeliness the saved report had. Only a unit whose figures depend on its
    /// running total (a per-unit minimum) has its other reports read: for every other
    /// figure, a report's contribution depends on that report alone.
    pub async fn for_save<C: RollupTx + Send>(
        conn: &mut C,
        plan: &Plan,
        campaign_id: i64,
        chain: Vec<StoredUnit>,
        seq: i64,
        timeliness: Option<Timeliness>,
        read_bases: Option<&BTreeSet<BaseFigure>>,
    ) -> sqlx::Result<Option<Self>> {
        let mut chain = chain.into_iter();
        let Some(unit) = chain.next() else {
            return Ok(None);
        };
        let ancestors = chain.map(|u| u.id).collect();
        let own = if figures::depends_on_history(plan, &unit.facts) {
            conn.lock_unit(unit.id).await?;
            conn.own_reports(campaign_id, unit.id).await?
        } else {
            let mut own = OwnReports::default();
            if let Some(t) = timeliness {
                own.first_on_time.insert(seq, t == Timeliness::OnTime);
            }
            own
        };
        let known = known_bases(conn, plan, &unit, read_bases).await?;
        let before = report_and_covered_figures(plan, &unit.facts, &known, &own);
        Ok(Some(ReportChange { campaign_id, unit, ancestors, own, known, before }))
    }

    /// The difference for the ancestors once the report of period `seq` counts
    /// `values` (None: it no longer counts) and its first submission is on time or not.
    pub fn after(
        mut self,
        plan: &Plan,
        seq: i64,
        values: Option<&BTreeMap<String, i64>>,
        first_on_time: Option<bool>,
    ) -> Pending {
        self.own.values.retain(|(s, _), _| *s != seq);
        if let Some(values) = values {
            for (key, value) in values {
                self.own.values.insert((seq, key.clone()), *value);
            }
        }
        match first_on_time {
            Some(on_time) => {
                self.own.first_on_time.insert(seq, on_time);
            }
            None => {
                self.own.first_on_time.remove(&seq);
            }
        }
        let after = report_and_covered_figures(plan, &self.unit.facts, &self.known, &self.own);
        let delta = figures::difference(&after, &self.before);
        Pending { campaign_id: self.campaign_id, ancestors: self.ancestors, delta }
    }
}

/// Pending differences of several writes, merged per unit (a batch of reports from
/// sibling units touches their common ancestors once).
#[derive(Debug, Default)]
pub struct Merged {
    by_unit: HashMap<(i64, i64), Figures>,
}

impl Merged {
    pub fn push(&mut self, pending: Pending) {
        for unit in pending.ancestors {
            add(self.by_unit.entry((pending.campaign_id, unit)).or_default(), &pending.delta, 1);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_unit.values().all(|f| f.is_empty())
    }

    /// Adds every merged difference; `names` names the figures of each campaign.
    pub async fn apply_all<C: RollupTx + Send>(
        &self,
        conn: &mut C,
        names: &HashMap<i64, KeyNames>,
    ) -> sqlx::Result<()> {
        let mut units: Vec<&(i64, i64)> = self.by_unit.keys().collect();
        units.sort();
        // One campaign at a time, all its units in a few statements.
        let mut i = 0;
        while i < units.len() {
            let campaign = units[i].0;
            let end = units[i..].iter().position(|k| k.0 != campaign).map_or(units.len(), |p| i + p);
            if let Some(names) = names.get(&campaign) {
                let items: Vec<(i64, &Figures)> =
                    units[i..end].iter().filter_map(|k| self.by_unit.get(k).map(|d| (k.1, d))).collect();
                conn.apply_each(campaign, &items, names).await?;
            }
            i = end;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::each_value;

    fn collect(json: &str) -> serde_json::Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        each_value(json, |k, v| out.push((k.to_string(), v)))?;
        Ok(out)
    }

    #[test]
    fn values_are_read_from_one_object_or_an_array_of_them() -> serde_json::Result<()> {
        assert_eq!(collect(r#"{"1a":3,"2b":0}"#)?, vec![("1a".into(), 3), ("2b".into(), 0)]);
        assert_eq!(
            collect(r#"[{"1a":3},{"1a":4,"x\"y":1},{}]"#)?,
            vec![("1a".into(), 3), ("1a".into(), 4), ("x\"y".into(), 1)]
        );
        assert_eq!(collect("[]")?, vec![]);
        Ok(())
    }

    #[test]
    fn values_that_are_not_whole_numbers_are_refused() {
        assert!(collect(r#"{"1a":"3"}"#).is_err());
        assert!(collect(r#"{"1a":1.5}"#).is_err());
        assert!(collect(r#"{"1a":3} trailing"#).is_err());
    }
}
