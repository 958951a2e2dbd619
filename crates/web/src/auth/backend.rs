//! axum-login backend: users from the database, argon2id passwords.

use axum_login::{AuthUser, AuthnBackend};
use phongtrao_domain::role::Role;
use phongtrao_storage::users::{self, UserRow};
use phongtrao_storage::{Db, StorageError};

use crate::password;

#[derive(Clone, Debug)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub must_change_password: bool,
    /// The password hash: changing the password ends every other session.
    auth_hash: Vec<u8>,
}

impl User {
    pub fn from_row(row: UserRow) -> Option<User> {
        Some(User {
            role: row.role()?,
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            must_change_password: row.must_change_password,
            auth_hash: row.password_hash.into_bytes(),
        })
    }
}

impl AuthUser for User {
    type Id = i64;

    fn id(&self) -> i64 {
        self.id
    }

    fn session_auth_hash(&self) -> &[u8] {
        &self.auth_hash
    }
}

#[derive(Clone)]
pub struct Backend {
    pub db: Db,
}

#[derive(Clone)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password, not even in debug logs.
        f.debug_struct("Credentials").field("username", &self.username).finish_non_exhaustive()
    }
}

/// A hash to verify against when the user does not exist, so that a wrong
/// username takes as long as a wrong password.
fn dummy_hash() -> String {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| password::hash("not a real password").unwrap_or_default()).clone()
}

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = StorageError;

    async fn authenticate(&self, creds: Credentials) -> Result<Option<User>, StorageError> {
        let row = users::by_username(&self.db, creds.username.trim()).await?;
        let (hash, row) = match row {
            Some(r) if r.active => (r.password_hash.clone(), Some(r)),
            _ => (dummy_hash(), None),
        };
        let password = creds.password;
        let ok = tokio::task::spawn_blocking(move || password::verify(&password, &hash)).await.unwrap_or(false);
        Ok(if ok { row.and_then(User::from_row) } else { None })
    }

    async fn get_user(&self, id: &i64) -> Result<Option<User>, StorageError> {
        Ok(users::by_id(&self.db, *id).await?.filter(|r| r.active).and_then(User::from_row))
    }
}
