//! Units of the union tree.

use chrono::{DateTime, Utc};
use phongtrao_domain::plan::Level;
use phongtrao_domain::text::{fold, nfc};
use phongtrao_domain::unit::{UnitKind, UnitSeed};

use crate::columns::Text;
use crate::{in_transaction, with_pool, Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub id: i64,
    pub code: String,
    pub parent_id: Option<i64>,
    /// The kind's text, checked when the row is read (an unknown kind is an error).
    #[sqlx(try_from = "Text<UnitKind>")]
    pub kind: String,
    pub level: i64,
    pub name: String,
    pub admin_name: Option<String>,
    pub gso_code: Option<String>,
    pub position: i64,
    pub active: bool,
    /// The day the unit took effect (None: since before its history was kept).
    pub valid_from: Option<chrono::NaiveDate>,
    /// The day a reorganisation retired it (None: live, part of today's tree).
    pub valid_until: Option<chrono::NaiveDate>,
}

impl UnitRow {
    /// Whether the unit is part of today's tree (not retired by a reorganisation).
    pub fn is_live(&self) -> bool {
        self.valid_until.is_none()
    }

    pub fn kind(&self) -> Option<UnitKind> {
        UnitKind::parse(&self.kind)
    }

    pub fn level(&self) -> Option<Level> {
        Level::from_number(self.level)
    }

    /// The row from columns `at..at + 12` (`COLUMNS`) of a read on the request's
    /// thread (`sqlite_here.rs`).
    pub(crate) fn from_here(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<UnitRow> {
        use crate::sqlite_here::{checked, opt_date};
        Ok(UnitRow {
            id: row.get(at)?,
            code: row.get(at + 1)?,
            parent_id: row.get(at + 2)?,
            kind: checked::<UnitKind>(row, at + 3)?,
            level: row.get(at + 4)?,
            name: row.get(at + 5)?,
            admin_name: row.get(at + 6)?,
            gso_code: row.get(at + 7)?,
            position: row.get(at + 8)?,
            active: row.get(at + 9)?,
            valid_from: opt_date(row, at + 10)?,
            valid_until: opt_date(row, at + 11)?,
        })
    }
}

const COLUMNS: &str =
    "id, code, parent_id, kind, level, name, admin_name, gso_code, position, active, valid_from, valid_until";

/// Among rows of one code (a code is unique among live units only), the live one
/// first, then the newest.
pub(crate) const LIVE_FIRST: &str = "ORDER BY CASE WHEN valid_until IS NULL THEN 0 ELSE 1 END, id DESC LIMIT 1";

/// Inserts the seeds whose code is not there yet, parents before children; units
/// already present are left as they are (an office's renames and moves survive),
/// and so are units a reorganisation retired (their code is there, retired: the
/// built-in tree is not brought back to life at the next start).
/// Returns how many were inserted.
pub async fn insert_missing(db: &Db, seeds: &[UnitSeed], now: DateTime<Utc>) -> Result<u64> {
    let mut inserted = 0;
    in_transaction!(db, tx => {
        for (position, seed) in seeds.iter().enumerate() {
            let parent_id: Option<i64> = match &seed.parent_code {
                Some(code) => sqlx::query_as::<_, (i64,)>(&format!("SELECT id FROM units WHERE code = $1 {LIVE_FIRST}"))
                    .bind(code)
                    .fetch_optional(&mut **tx)
                    .await?
                    .map(|(id,)| id),
                None => None,
            };
            let name = nfc(&seed.name);
            let search_key = fold(&format!("{} {} {}", name, seed.admin_name.as_deref().unwrap_or(""), seed.code));
            let result = sqlx::query(
                "INSERT INTO units (code, parent_id, kind, level, name, admin_name, gso_code, search_key, position, active, created_at, updated_at)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $10
                 WHERE NOT EXISTS (SELECT 1 FROM units WHERE code = $1)",
            )
            .bind(&seed.code)
            .bind(parent_id)
            .bind(Text(seed.kind))
            .bind(i64::from(seed.level().number()))
            .bind(&name)
            .bind(&seed.admin_name)
            .bind(&seed.gso_code)
            .bind(&search_key)
            .bind(position as i64)
            .bind(now)
            .execute(&mut **tx)
            .await?;
            inserted += result.rows_affected();
        }
        if inserted > 0 {
            crate::rollups::rebuild_current_in(&mut **tx).await?;
        }
    });
    Ok(inserted)
}

/// Every unit, in tree order of insertion, the units a reorganisation retired
/// included (a campaign of their time still names them): see `list_live` for
/// today's tree.
pub async fn list(db: &Db) -> Result<Vec<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units ORDER BY level, position, id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
}

/// Today's tree: every live unit (none retired by a reorganisation), in tree order.
pub async fn list_live(db: &Db) -> Result<Vec<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE valid_until IS NULL ORDER BY level, position, id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
}

/// The unit of this code in today's tree; when no live unit has it, the last
/// retired unit that had it.
pub async fn by_code(db: &Db, code: &str) -> Result<Option<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE code = $1 {LIVE_FIRST}");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(code).fetch_optional(pool).await)?)
}

/// The unit of this code within the tree under `root_id` (a campaign's tree: after
/// a reorganisation a code may name an old unit and a new one).
pub async fn by_code_under(db: &Db, code: &str, root_id: i64) -> Result<Option<UnitRow>> {
    let columns: Vec<String> = COLUMNS.split(',').map(|c| format!("units.{}", c.trim())).collect();
    // Up from the few units that carry the code (an index read), not down the
    // whole tree (100,000 units at national scale).
    let sql = format!(
        "WITH RECURSIVE up(start, id, parent_id, depth) AS (
             SELECT id, id, parent_id, 0 FROM units WHERE code = $1
             UNION ALL
             SELECT up.start, u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 16
         )
         SELECT {} FROM units WHERE units.id = (SELECT start FROM up WHERE up.id = $2 ORDER BY start DESC LIMIT 1)",
        columns.join(", ")
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(code).bind(root_id).fetch_optional(pool).await)?)
}

/// `by_code_under` with the unit's ancestry (its id, then its parent's … up to the
/// top), in one read instead of two (#24: the reads of every report request).
pub async fn by_code_under_with_ancestry(db: &Db, code: &str, root_id: i64) -> Result<Option<(UnitRow, Vec<i64>)>> {
    #[derive(sqlx::FromRow)]
    struct Up {
        up_id: i64,
        #[sqlx(flatten)]
        unit: UnitRow,
    }
    let columns: Vec<String> = COLUMNS.split(',').map(|c| format!("units.{}", c.trim())).collect();
    let sql = format!(
        "WITH RECURSIVE up(start, id, parent_id, depth) AS (
             SELECT id, id, parent_id, 0 FROM units WHERE code = $1
             UNION ALL
             SELECT up.start, u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 16
         ),
         chosen(start) AS (SELECT start FROM up WHERE up.id = $2 ORDER BY start DESC LIMIT 1)
         SELECT up.id AS up_id, {} FROM up JOIN chosen ON chosen.start = up.start JOIN units ON units.id = up.start
         ORDER BY up.depth",
        columns.join(", ")
    );
    let rows: Vec<Up> = match db {
        // On the request's thread (sqlite_here.rs): every submission reads its unit.
        Db::Sqlite(s) => s.read_here(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let rows = statement.query_map(rusqlite::named_params! {"$1": code, "$2": root_id}, |r| {
                Ok(Up { up_id: r.get(0)?, unit: UnitRow::from_here(r, 1)? })
            })?;
            rows.collect()
        })?,
        Db::Postgres(pool) => sqlx::query_as(&sql).bind(code).bind(root_id).fetch_all(pool).await?,
    };
    let ancestry = rows.iter().map(|r| r.up_id).collect();
    Ok(rows.into_iter().next().map(|r| (r.unit, ancestry)))
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE id = $1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?)
}

/// The units with these ids (those that exist), in no particular order.
pub async fn by_ids(db: &Db, ids: &[i64]) -> Result<Vec<UnitRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let sql = format!("SELECT {COLUMNS} FROM units WHERE id IN ({})", crate::id_list(chunk));
        let rows: Vec<UnitRow> = with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
        out.extend(rows);
    }
    Ok(out)
}

/// The units with these codes (those that exist), in no particular order; one per
/// code, chosen as `by_code` does (the live unit first).
pub async fn by_codes(db: &Db, codes: &[String]) -> Result<Vec<UnitRow>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("SELECT {COLUMNS} FROM units WHERE code IN ({})", marks.join(","));
        let rows: Vec<UnitRow> = with_pool!(db, pool => {
            let mut q = sqlx::query_as(&sql);
            for code in chunk {
                q = q.bind(code);
            }
            q.fetch_all(pool).await
        })?;
        out.extend(rows);
    }
    // Several rows of one code: keep the live one, else the newest.
    out.sort_by_key(|u| (u.code.clone(), u.valid_until.is_some(), std::cmp::Reverse(u.id)));
    out.dedup_by(|later, first| later.code == first.code);
    Ok(out)
}

pub async fn children(db: &Db, parent_id: i64) -> Result<Vec<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE parent_id = $1 ORDER BY position, id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(parent_id).fetch_all(pool).await)?)
}

/// Units of today's tree whose name, administrative name or code contains every
/// word of `query`, ignoring case and diacritics ("kien giang" finds "Kiên Giang").
pub async fn search(db: &Db, query: &str, limit: i64) -> Result<Vec<UnitRow>> {
    let words: Vec<String> = fold(query).split(' ').filter(|w| !w.is_empty()).map(|w| w.to_string()).collect();
    let mut sql = format!("SELECT {COLUMNS} FROM units WHERE valid_until IS NULL");
    for i in 0..words.len() {
        sql.push_str(&format!(" AND search_key LIKE ${} ESCAPE '\\'", i + 1));
    }
    sql.push_str(&format!(" ORDER BY level, position, id LIMIT {limit}"));
    let patterns: Vec<String> = words
        .iter()
        .map(|w| format!("%{}%", w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")))
        .collect();
    Ok(with_pool!(db, pool => {
        let mut q = sqlx::query_as(&sql);
        for p in &patterns {
            q = q.bind(p);
        }
        q.fetch_all(pool).await
    })?)
}

/// The top unit (no parent) of today's tree, if any.
pub async fn root(db: &Db) -> Result<Option<UnitRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM units WHERE parent_id IS NULL AND active AND valid_until IS NULL ORDER BY position, id LIMIT 1"
    );
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_optional(pool).await)?)
}

/// The top unit of a campaign's tree (`campaigns.root_unit_id`); a campaign that
/// names none runs on today's tree (`root`). After a reorganisation an old campaign
/// keeps walking its own, retired tree from here.
pub async fn root_of(db: &Db, root_unit_id: Option<i64>) -> Result<Option<UnitRow>> {
    match root_unit_id {
        Some(id) => by_id(db, id).await,
        None => root(db).await,
    }
}

/// A unit by code with its ancestry (the unit's id, then its parent's … up to the
/// root), in one read.
pub async fn by_code_with_ancestry(db: &Db, code: &str) -> Result<Option<(UnitRow, Vec<i64>)>> {
    let columns: Vec<String> = COLUMNS.split(',').map(|c| format!("units.{}", c.trim())).collect();
    let sql = format!(
        "WITH RECURSIVE up(id, depth) AS (
             SELECT id, CAST(0 AS BIGINT) FROM units WHERE id = (SELECT id FROM units WHERE code = $1 {live_first})
             UNION ALL
             SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL AND up.depth < 16
         )
         SELECT {} FROM up JOIN units ON units.id = up.id ORDER BY up.depth",
        columns.join(", "),
        live_first = LIVE_FIRST
    );
    let rows: Vec<UnitRow> = with_pool!(db, pool => sqlx::query_as(&sql).bind(code).fetch_all(pool).await)?;
    let ancestry = rows.iter().map(|u| u.id).collect();
    Ok(rows.into_iter().next().map(|unit| (unit, ancestry)))
}

/// The unit itself, then its parent, up to the root.
pub async fn ancestry(db: &Db, unit_id: i64) -> Result<Vec<i64>> {
    let sql = "WITH RECURSIVE up(id, parent_id, depth) AS (
                   SELECT id, parent_id, 0 FROM units WHERE id = $1
                   UNION ALL
                   SELECT u.id, u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id WHERE up.depth < 16
               )
               SELECT id FROM up ORDER BY depth";
    let rows: Vec<(i64,)> = with_pool!(db, pool => sqlx::query_as(sql).bind(unit_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The unit and every unit below it.
pub async fn subtree_ids(db: &Db, unit_id: i64) -> Result<Vec<i64>> {
    let sql = "WITH RECURSIVE down(id, depth) AS (
                   SELECT id, 0 FROM units WHERE id = $1
                   UNION ALL
                   SELECT u.id, down.depth + 1 FROM units u JOIN down ON u.parent_id = down.id WHERE down.depth < 16
               )
               SELECT id FROM down";
    let rows: Vec<(i64,)> = with_pool!(db, pool => sqlx::query_as(sql).bind(unit_id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// A unit to create.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    pub parent_code: Option<String>,
    pub admin_name: Option<String>,
}

/// What a change to a unit sets; None leaves a field as it is.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UnitChange {
    pub name: Option<String>,
    pub parent_code: Option<String>,
    pub active: Option<bool>,
}

#[derive(Debug, Clone, serde::Serialize)]
struct UnitSnapshot {
    code: String,
    name: String,
    kind: String,
    parent_id: Option<i64>,
    /// The parent's code and name at the time (the audit log reads them, not the id).
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_name: Option<String>,
    active: bool,
}

impl From<&UnitRow> for UnitSnapshot {
    fn from(u: &UnitRow) -> Self {
        UnitSnapshot {
            code: u.code.clone(),
            name: u.name.clone(),
            kind: u.kind.clone(),
            parent_id: u.parent_id,
            parent_code: None,
            parent_name: None,
            active: u.active,
        }
    }
}

fn invalid(message: String) -> crate::StorageError {
    crate::StorageError::Invalid(message)
}

/// Checks a unit code: letters, digits, '-', '_', '.', 1 to 40 characters.
pub fn check_code(code: &str) -> Result<()> {
    let ok =
        !code.is_empty() && code.len() <= 40 && code.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "mã đơn vị \"{code}\" không hợp lệ (chữ, số, - _ . ; tối đa 40 ký tự) / invalid unit code (letters, digits, - _ . ; at most 40)"
        )))
    }
}

/// Checks a unit name: 2 to 200 characters after trimming.
pub fn check_name(name: &str) -> Result<String> {
    let name = nfc(name.trim());
    let len = name.chars().count();
    if let Err(e) = phongtrao_domain::text::check_display(&name) {
        return Err(invalid(format!("tên đơn vị {e}").replace(" / holds", " / a unit name holds")));
    }
    if (2..=200).contains(&len) {
        Ok(name)
    } else {
        Err(invalid("tên đơn vị phải có từ 2 đến 200 ký tự / a unit name needs 2 to 200 characters".into()))
    }
}

/// Creates a unit under its parent (the parent must be of a higher level), recording
/// the change in the audit log in the same transaction.
pub async fn create(db: &Db, unit: &NewUnit, who: &crate::audit::Who, now: DateTime<Utc>) -> Result<i64> {
    check_code(&unit.code)?;
    let name = check_name(&unit.name)?;
    let level = unit.kind.level();
    let id = in_transaction!(db, tx => {
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM units WHERE code = $1 AND valid_until IS NULL").bind(&unit.code).fetch_optional(&mut **tx).await?;
        if taken.is_some() {
            return Err(invalid(format!("mã đơn vị {} đã có / unit code already exists", unit.code)));
        }
        let parent: Option<(i64, i64)> = match &unit.parent_code {
            Some(code) => {
                let p: Option<(i64, i64)> = sqlx::query_as("SELECT id, level FROM units WHERE code = $1 AND valid_until IS NULL").bind(code).fetch_optional(&mut **tx).await?;
                match p {
                    Some(p) => Some(p),
                    None => return Err(invalid(format!("không có đơn vị cấp trên mã {code} / no parent unit {code}"))),
                }
            }
            None => None,
        };
        match parent {
            Some((_, parent_level)) if parent_level >= i64::from(level.number()) => {
                return Err(invalid(format!(
                    "đơn vị {} phải thuộc một đơn vị cấp cao hơn / a {} unit must sit under a higher level",
                    unit.kind.label_vi(),
                    unit.kind.as_str()
                )));
            }
            None if level != Level::Province => {
                return Err(invalid("chỉ tỉnh đoàn mới không có cấp trên / only a province unit has no parent".into()));
            }
            _ => {}
        }
        let (position,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM units").fetch_one(&mut **tx).await?;
        let search_key = fold(&format!("{} {} {}", name, unit.admin_name.as_deref().unwrap_or(""), unit.code));
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO units (code, parent_id, kind, level, name, admin_name, gso_code, search_key, position, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, TRUE, $9, $9) RETURNING id",
        )
        .bind(&unit.code)
        .bind(parent.map(|(id, _)| id))
        .bind(Text(unit.kind))
        .bind(i64::from(level.number()))
        .bind(&name)
        .bind(&unit.admin_name)
        .bind(&search_key)
        .bind(position)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        crate::rollups::unit_created(&mut **tx, id).await?;
        let entry = who.entry("unit.create", "unit", Some(unit.code.clone())).unit(Some(id)).after(unit);
        crate::audit_in_tx!(tx, &entry, now);
        id
    });
    Ok(id)
}

/// Renames, moves or (de)activates a unit, keeping its id and so its history.
/// A unit cannot move under itself or its own descendants, nor under a unit of
/// the same or a lower level.
pub async fn update(
    db: &Db,
    code: &str,
    change: &UnitChange,
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<UnitRow> {
    let name = change.name.as_deref().map(check_name).transpose()?;
    let select = format!("SELECT {COLUMNS} FROM units WHERE code = $1 {LIVE_FIRST}");
    let updated = in_transaction!(db, tx => {
        let before: Option<UnitRow> = sqlx::query_as(&select).bind(code).fetch_optional(&mut **tx).await?;
        let Some(before) = before else {
            return Err(crate::StorageError::NotFound(format!("đơn vị / unit {code}")));
        };
        let mut parent_id = before.parent_id;
        if let Some(parent_code) = &change.parent_code {
            let p: Option<(i64, i64)> = sqlx::query_as("SELECT id, level FROM units WHERE code = $1 AND valid_until IS NULL").bind(parent_code).fetch_optional(&mut **tx).await?;
            let Some((pid, plevel)) = p else {
                return Err(invalid(format!("không có đơn vị cấp trên mã {parent_code} / no parent unit {parent_code}")));
            };
            if plevel >= before.level {
                return Err(invalid("đơn vị cấp trên phải ở cấp cao hơn / the new parent must be of a higher level".into()));
            }
            // Levels strictly decrease upwards, so a higher-level parent can never be a descendant.
            parent_id = Some(pid);
        }
        let name = name.clone().unwrap_or_else(|| before.name.clone());
        let active = change.active.unwrap_or(before.active);
        let search_key = fold(&format!("{} {} {}", name, before.admin_name.as_deref().unwrap_or(""), before.code));
        let figures = crate::rollups::UnitChangeGuard::before(&mut **tx, before.id).await?;
        sqlx::query("UPDATE units SET name = $1, parent_id = $2, active = $3, search_key = $4, updated_at = $5 WHERE id = $6")
            .bind(&name)
            .bind(parent_id)
            .bind(active)
            .bind(&search_key)
            .bind(now)
            .bind(before.id)
            .execute(&mut **tx)
            .await?;
        if let Some(figures) = figures {
            figures.after(&mut **tx).await?;
        }
        let after: UnitRow = sqlx::query_as(&select).bind(code).fetch_one(&mut **tx).await?;
        // The parents by code and name, so that the log reads "from X to Y".
        let mut snapshots = [UnitSnapshot::from(&before), UnitSnapshot::from(&after)];
        for snapshot in &mut snapshots {
            if let Some(pid) = snapshot.parent_id {
                let parent: Option<(String, String)> =
                    sqlx::query_as("SELECT code, name FROM units WHERE id = $1").bind(pid).fetch_optional(&mut **tx).await?;
                if let Some((pcode, pname)) = parent {
                    snapshot.parent_code = Some(pcode);
                    snapshot.parent_name = Some(pname);
                }
            }
        }
        let entry = who
            .entry("unit.update", "unit", Some(code.to_string()))
            .unit(Some(before.id))
            .before(&snapshots[0])
            .after(&snapshots[1]);
        crate::audit_in_tx!(tx, &entry, now);
        after
    });
    Ok(updated)
}

/// Applies checked import rows in one transaction: all of them, or none.
pub async fn apply_import(
    db: &Db,
    rows: &[phongtrao_domain::unit_import::ImportRow],
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let (mut created, mut updated) = (0u64, 0u64);
    in_transaction!(db, tx => {
        for row in rows {
            let parent_id: Option<i64> = match &row.parent_code {
                Some(code) => {
                    let p: Option<(i64,)> = sqlx::query_as("SELECT id FROM units WHERE code = $1 AND valid_until IS NULL").bind(code).fetch_optional(&mut **tx).await?;
                    match p {
                        Some((id,)) => Some(id),
                        None => return Err(invalid(format!("dòng {}: không có đơn vị cấp trên {code} / row {}: no parent {code}", row.row, row.row))),
                    }
                }
                None => None,
            };
            let existing: Option<UnitRow> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM units WHERE code = $1 AND valid_until IS NULL"))
                .bind(&row.code)
                .fetch_optional(&mut **tx)
                .await?;
            let unit_id = match existing {
                Some(before) => {
                    let name = row.name.clone().unwrap_or_else(|| before.name.clone());
                    let parent = parent_id.or(before.parent_id);
                    let search_key = fold(&format!("{} {} {}", name, before.admin_name.as_deref().unwrap_or(""), before.code));
                    sqlx::query("UPDATE units SET name = $1, parent_id = $2, search_key = $3, updated_at = $4 WHERE id = $5")
                        .bind(&name)
                        .bind(parent)
                        .bind(&search_key)
                        .bind(now)
                        .bind(before.id)
                        .execute(&mut **tx)
                        .await?;
                    let entry = who
                        .entry("unit.import_update", "unit", Some(row.code.clone()))
                        .unit(Some(before.id))
                        .before(&UnitSnapshot::from(&before))
                        .after(row);
                    crate::audit_in_tx!(tx, &entry, now);
                    updated += 1;
                    before.id
                }
                None => {
                    let Some(kind) = row.kind else {
                        return Err(invalid(format!("dòng {}: thiếu loại đơn vị / row {}: missing kind", row.row, row.row)));
                    };
                    let name = row.name.clone().unwrap_or_else(|| row.code.clone());
                    let (position,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(position), 0) + 1 FROM units").fetch_one(&mut **tx).await?;
                    let search_key = fold(&format!("{} {}", name, row.code));
                    let (id,): (i64,) = sqlx::query_as(
                        "INSERT INTO units (code, parent_id, kind, level, name, admin_name, gso_code, search_key, position, active, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7, TRUE, $8, $8) RETURNING id",
                    )
                    .bind(&row.code)
                    .bind(parent_id)
                    .bind(Text(kind))
                    .bind(i64::from(kind.level().number()))
                    .bind(&name)
                    .bind(&search_key)
                    .bind(position)
                    .bind(now)
                    .fetch_one(&mut **tx)
                    .await?;
                    let entry = who.entry("unit.import_create", "unit", Some(row.code.clone())).unit(Some(id)).after(row);
                    crate::audit_in_tx!(tx, &entry, now);
                    created += 1;
                    id
                }
            };
            for (figure, value) in &row.figures {
                sqlx::query(
                    "INSERT INTO unit_base_figures (unit_id, figure, value, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (unit_id, figure) DO UPDATE SET value = $3, updated_at = $4",
                )
                .bind(unit_id)
                .bind(Text(*figure))
                .bind(*value)
                .bind(now)
                .execute(&mut **tx)
                .await?;
            }
        }
        crate::rollups::rebuild_current_in(&mut **tx).await?;
    });
    Ok((created, updated))
}

/// Every unit with its base figures, for export: (unit, parent code, figures).
pub async fn export_rows(db: &Db) -> Result<Vec<(UnitRow, Option<String>, std::collections::BTreeMap<String, i64>)>> {
    let all = list(db).await?;
    let code_of: std::collections::HashMap<i64, String> = all.iter().map(|u| (u.id, u.code.clone())).collect();
    let figures: Vec<(i64, String, i64)> = with_pool!(db, pool => sqlx::query_as("SELECT unit_id, figure, value FROM unit_base_figures").fetch_all(pool).await)?;
    let mut by_unit: std::collections::HashMap<i64, std::collections::BTreeMap<String, i64>> =
        std::collections::HashMap::new();
    for (unit_id, figure, value) in figures {
        by_unit.entry(unit_id).or_default().insert(figure, value);
    }
    Ok(all
        .into_iter()
        .map(|u| {
            let parent = u.parent_id.and_then(|p| code_of.get(&p).cloned());
            let figs = by_unit.remove(&u.id).unwrap_or_default();
            (u, parent, figs)
        })
        .collect())
}
