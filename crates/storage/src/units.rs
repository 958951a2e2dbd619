//! Units of the union tree.

use chrono::{DateTime, Utc};
use phongtrao_domain::plan::Level;
use phongtrao_domain::text::{fold, nfc};
use phongtrao_domain::unit::{UnitKind, UnitSeed};

use crate::{in_transaction, with_pool, Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitRow {
    pub id: i64,
    pub code: String,
    pub parent_id: Option<i64>,
    pub kind: String,
    pub level: i64,
    pub name: String,
    pub admin_name: Option<String>,
    pub gso_code: Option<String>,
    pub position: i64,
    pub active: bool,
}

impl UnitRow {
    pub fn kind(&self) -> Option<UnitKind> {
        UnitKind::parse(&self.kind)
    }

    pub fn level(&self) -> Option<Level> {
        Level::from_number(self.level)
    }
}

const COLUMNS: &str = "id, code, parent_id, kind, level, name, admin_name, gso_code, position, active";

/// Inserts the seeds whose code is not there yet, parents before children; units
/// already present are left as they are (an office's renames and moves survive).
/// Returns how many were inserted.
pub async fn insert_missing(db: &Db, seeds: &[UnitSeed], now: DateTime<Utc>) -> Result<u64> {
    let mut inserted = 0;
    in_transaction!(db, tx => {
        for (position, seed) in seeds.iter().enumerate() {
            let parent_id: Option<i64> = match &seed.parent_code {
                Some(code) => sqlx::query_as::<_, (i64,)>("SELECT id FROM units WHERE code = $1")
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
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, TRUE, $10, $10)
                 ON CONFLICT (code) DO NOTHING",
            )
            .bind(&seed.code)
            .bind(parent_id)
            .bind(seed.kind.as_str())
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
    });
    Ok(inserted)
}

/// Every unit, in tree order of insertion.
pub async fn list(db: &Db) -> Result<Vec<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units ORDER BY level, position, id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
}

pub async fn by_code(db: &Db, code: &str) -> Result<Option<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE code = $1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(code).fetch_optional(pool).await)?)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE id = $1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?)
}

pub async fn children(db: &Db, parent_id: i64) -> Result<Vec<UnitRow>> {
    let sql = format!("SELECT {COLUMNS} FROM units WHERE parent_id = $1 ORDER BY position, id");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(parent_id).fetch_all(pool).await)?)
}

/// Units whose name, administrative name or code contains every word of `query`,
/// ignoring case and diacritics ("kien giang" finds "Kiên Giang").
pub async fn search(db: &Db, query: &str, limit: i64) -> Result<Vec<UnitRow>> {
    let words: Vec<String> = fold(query).split(' ').filter(|w| !w.is_empty()).map(|w| w.to_string()).collect();
    let mut sql = format!("SELECT {COLUMNS} FROM units WHERE 1 = 1");
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
