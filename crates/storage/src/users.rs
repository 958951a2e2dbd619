//! User accounts. Password hashes only; never a password.

use chrono::{DateTime, Utc};
use phongtrao_domain::role::Role;

use crate::{in_transaction, with_pool, Db, Result, StorageError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub must_change_password: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserRow {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub must_change_password: bool,
    pub unit_ids: &'a [i64],
}

const COLUMNS: &str = "id, username, display_name, password_hash, role, must_change_password, active, created_at, updated_at";

/// Creates a user with its units; fails if the username is taken.
pub async fn create(db: &Db, user: &NewUser<'_>, now: DateTime<Utc>) -> Result<i64> {
    let id = in_transaction!(db, tx => {
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE username = $1")
            .bind(user.username)
            .fetch_optional(&mut **tx)
            .await?;
        if taken.is_some() {
            return Err(StorageError::Invalid(format!(
                "tên đăng nhập \"{}\" đã có / username already exists",
                user.username
            )));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (username, display_name, password_hash, role, must_change_password, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6) RETURNING id",
        )
        .bind(user.username)
        .bind(user.display_name)
        .bind(user.password_hash)
        .bind(user.role.as_str())
        .bind(user.must_change_password)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
        for unit_id in user.unit_ids {
            sqlx::query("INSERT INTO user_units (user_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(unit_id)
                .execute(&mut **tx)
                .await?;
        }
        id
    });
    Ok(id)
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE username = $1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(username).fetch_optional(pool).await)?)
}

pub async fn list(db: &Db) -> Result<Vec<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY username");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
}

pub async fn count_with_role(db: &Db, role: Role) -> Result<i64> {
    let (n,): (i64,) = with_pool!(db, pool => sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = $1")
        .bind(role.as_str())
        .fetch_one(pool)
        .await)?;
    Ok(n)
}
