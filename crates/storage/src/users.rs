//! User accounts. Password hashes only; never a password.

use chrono::{DateTime, Utc};
use phongtrao_domain::role::Role;

use crate::columns::Text;
use crate::{in_transaction, with_pool, Db, Result, StorageError};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    /// The role's text (the API's account type shows it as is), checked when the row
    /// is read: a stored role that is no known role is an error, not a user without
    /// a role.
    #[sqlx(try_from = "Text<Role>")]
    pub role: String,
    pub must_change_password: bool,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl UserRow {
    /// The row from columns `at..at + 9` of a read on the request's thread
    /// (`sqlite_here.rs`), in the order of the struct.
    pub(crate) fn from_here(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<UserRow> {
        use crate::sqlite_here::{checked, time};
        Ok(UserRow {
            id: row.get(at)?,
            username: row.get(at + 1)?,
            display_name: row.get(at + 2)?,
            password_hash: row.get(at + 3)?,
            role: checked::<Role>(row, at + 4)?,
            must_change_password: row.get(at + 5)?,
            active: row.get(at + 6)?,
            created_at: time(row, at + 7)?,
            updated_at: time(row, at + 8)?,
        })
    }

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
    /// Where the unit's reminders are e-mailed.
    pub email: Option<&'a str>,
}

const COLUMNS: &str =
    "id, username, display_name, password_hash, role, must_change_password, active, created_at, updated_at";

/// Creates a user with its units; fails if the username is taken.
pub async fn create(db: &Db, user: &NewUser<'_>, who: &crate::audit::Who, now: DateTime<Utc>) -> Result<i64> {
    let ids = create_many(db, &[(user, None)], who, now).await?;
    ids.first().copied().ok_or_else(|| StorageError::Invalid("không tạo được tài khoản / no account created".into()))
}

/// Creates several users (each with its units and an optional phone number) in one
/// transaction: all of them, or none when one user name is taken. One audit entry each.
pub async fn create_many(
    db: &Db,
    users: &[(&NewUser<'_>, Option<&str>)],
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    for (user, _) in users {
        if let Err(e) = phongtrao_domain::text::check_display(user.display_name) {
            return Err(StorageError::Invalid(
                format!("Tên hiển thị {e}").replace(" / holds", " / The display name holds"),
            ));
        }
    }
    let ids = in_transaction!(db, tx => {
        let mut ids = Vec::with_capacity(users.len());
        for (user, phone) in users {
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
                "INSERT INTO users (username, display_name, password_hash, role, must_change_password, active, created_at, updated_at, email, phone)
                 VALUES ($1, $2, $3, $4, $5, TRUE, $6, $6, $7, $8) RETURNING id",
            )
            .bind(user.username)
            .bind(user.display_name)
            .bind(user.password_hash)
            .bind(Text(user.role))
            .bind(user.must_change_password)
            .bind(now)
            .bind(user.email)
            .bind(*phone)
            .fetch_one(&mut **tx)
            .await?;
            for unit_id in user.unit_ids {
                sqlx::query("INSERT INTO user_units (user_id, unit_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(unit_id)
                    .execute(&mut **tx)
                    .await?;
            }
            let entry = who.entry("user.create", "user", Some(user.username.to_string())).after(&serde_json::json!({
                "id": id, "username": user.username, "role": user.role.as_str(), "units": user.unit_ids, "email": user.email, "phone": phone,
            }));
            crate::audit_in_tx!(tx, &entry, now);
            ids.push(id);
        }
        ids
    });
    Ok(ids)
}

pub async fn by_username(db: &Db, username: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE username = $1");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(username).fetch_optional(pool).await)?)
}

pub async fn list(db: &Db) -> Result<Vec<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY username");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?)
}

/// The active accounts of one role (the office's page lists the steering committee
/// without reading every unit's account).
pub async fn active_with_role(db: &Db, role: Role) -> Result<Vec<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE role = $1 AND active = TRUE ORDER BY username");
    Ok(with_pool!(db, pool => sqlx::query_as(&sql).bind(role.as_str()).fetch_all(pool).await)?)
}

pub async fn count_with_role(db: &Db, role: Role) -> Result<i64> {
    let (n,): (i64,) = with_pool!(db, pool => sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = $1")
        .bind(Text(role))
        .fetch_one(pool)
        .await)?;
    Ok(n)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    match db {
        // On the request's thread (sqlite_here.rs): every page a user opens reads it.
        Db::Sqlite(s) => s.read_here(|c| {
            let mut statement = c.prepare_cached(&sql)?;
            let mut rows = statement.query(rusqlite::named_params! {"$1": id})?;
            rows.next()?.map(|r| UserRow::from_here(r, 0)).transpose()
        }),
        Db::Postgres(pool) => Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?),
    }
}

/// The units given to a user.
pub async fn unit_ids(db: &Db, user_id: i64) -> Result<Vec<i64>> {
    let sql = "SELECT unit_id FROM user_units WHERE user_id = $1 ORDER BY unit_id";
    match db {
        // On the request's thread (sqlite_here.rs): every page a user opens reads them.
        Db::Sqlite(s) => s.read_here(|c| {
            let mut statement = c.prepare_cached(sql)?;
            let rows = statement.query_map(rusqlite::named_params! {"$1": user_id}, |r| r.get(0))?;
            rows.collect()
        }),
        Db::Postgres(pool) => {
            let rows: Vec<(i64,)> = sqlx::query_as(sql).bind(user_id).fetch_all(pool).await?;
            Ok(rows.into_iter().map(|(id,)| id).collect())
        }
    }
}

/// Sets a new password hash (the previous sessions stop working, since their
/// auth hash no longer matches) and revokes the user's API tokens.
pub async fn set_password(
    db: &Db,
    user_id: i64,
    password_hash: &str,
    must_change: bool,
    who: &crate::audit::Who,
    action: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    set_password_with(db, user_id, password_hash, must_change, false, who, action, now).await.map(|_| ())
}

/// The same, keeping the API tokens when `keep_tokens` (the user's own choice when
/// changing their password); how many tokens were revoked.
#[allow(clippy::too_many_arguments)]
pub async fn set_password_with(
    db: &Db,
    user_id: i64,
    password_hash: &str,
    must_change: bool,
    keep_tokens: bool,
    who: &crate::audit::Who,
    action: &str,
    now: DateTime<Utc>,
) -> Result<u64> {
    let revoked = in_transaction!(db, tx => {
        let n = sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, password_changed_at = $3, updated_at = $3 WHERE id = $4")
            .bind(password_hash)
            .bind(must_change)
            .bind(now)
            .bind(user_id)
            .execute(&mut **tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StorageError::NotFound(format!("người dùng / user {user_id}")));
        }
        let revoked = if keep_tokens { 0 } else { crate::revoke_all_tokens_in_tx!(tx, user_id, now) };
        // Never the password or its hash: only that it changed.
        let entry = who.entry(action, "user", Some(user_id.to_string())).after(&serde_json::json!({"must_change_password": must_change, "tokens_revoked": revoked}));
        crate::audit_in_tx!(tx, &entry, now);
        revoked
    });
    Ok(revoked)
}

/// Replaces the units of a user, and optionally its role and active flag.
pub async fn set_access(
    db: &Db,
    user_id: i64,
    role: Role,
    active: bool,
    unit_ids: &[i64],
    who: &crate::audit::Who,
    now: DateTime<Utc>,
) -> Result<()> {
    in_transaction!(db, tx => {
        let before: Option<(Text<Role>, bool)> = sqlx::query_as("SELECT role, active FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut **tx).await?;
        let Some((before_role, before_active)) = before else {
            return Err(StorageError::NotFound(format!("người dùng / user {user_id}")));
        };
        let before_units: Vec<(i64,)> = sqlx::query_as("SELECT unit_id FROM user_units WHERE user_id = $1 ORDER BY unit_id").bind(user_id).fetch_all(&mut **tx).await?;
        sqlx::query("UPDATE users SET role = $1, active = $2, updated_at = $3 WHERE id = $4")
            .bind(Text(role))
            .bind(active)
            .bind(now)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM user_units WHERE user_id = $1").bind(user_id).execute(&mut **tx).await?;
        for unit_id in unit_ids {
            sqlx::query("INSERT INTO user_units (user_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(user_id).bind(unit_id).execute(&mut **tx).await?;
        }
        // A deactivated account's tokens are revoked: reactivating it does not bring them back.
        let revoked = if active { 0 } else { crate::revoke_all_tokens_in_tx!(tx, user_id, now) };
        let entry = who
            .entry("user.access", "user", Some(user_id.to_string()))
            .before(&serde_json::json!({"role": before_role.0.as_str(), "active": before_active, "units": before_units.iter().map(|(u,)| *u).collect::<Vec<_>>()}))
            .after(&serde_json::json!({"role": role.as_str(), "active": active, "units": unit_ids, "tokens_revoked": revoked}));
        crate::audit_in_tx!(tx, &entry, now);
    });
    Ok(())
}

/// Checks a username: 3 to 40 of a-z, 0-9, '.', '_', '-'.
pub fn check_username(username: &str) -> Result<()> {
    let ok = (3..=40).contains(&username.len())
        && username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok {
        Ok(())
    } else {
        Err(StorageError::Invalid(
            "tên đăng nhập gồm 3–40 ký tự a-z, 0-9, . _ - / a username is 3–40 of a-z, 0-9, . _ -".into(),
        ))
    }
}

/// Sets (or clears, with None) a user's e-mail address for reminders.
pub async fn set_email(db: &Db, user_id: i64, email: Option<&str>) -> Result<()> {
    with_pool!(db, pool => sqlx::query("UPDATE users SET email = $2 WHERE id = $1")
        .bind(user_id)
        .bind(email)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}
