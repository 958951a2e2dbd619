//! What happens before the server takes requests: migrations, the built-in plan and
//! units, and the first admin account.

use phongtrao_domain::role::Role;
use phongtrao_storage::audit::Who;
use phongtrao_storage::seed::{self, SeedReport};
use phongtrao_storage::users::{self, NewUser};
use phongtrao_storage::{Db, StorageError};

use crate::password;

pub struct Prepared {
    pub seed: SeedReport,
    /// Set when this start created the admin account: shown once, never stored.
    pub admin_password: Option<String>,
}

pub const FIRST_ADMIN: &str = "admin";

/// Migrates, loads the built-in plan and units (idempotent), and creates the `admin`
/// account with a one-time password when there is no admin yet.
pub async fn prepare(db: &Db) -> Result<Prepared, StorageError> {
    db.migrate().await?;
    crate::auth::store::DbSessionStore::new(db).migrate().await?;
    let now = crate::Clock::system().now();
    let seed = if crate::demo_national::is_national(db).await {
        // A national simulation's database: the Kiên Giang plan and units stay out.
        let current = phongtrao_storage::campaigns::current(db).await?;
        SeedReport {
            campaign: phongtrao_storage::campaigns::Loaded::AlreadyPresent(current.row.id),
            units_inserted: 0,
            base_figures_inserted: 0,
        }
    } else {
        seed::load_builtin(db, now).await?
    };
    let mut admin_password = None;
    if users::count_with_role(db, Role::Admin).await? == 0 {
        let secret = password::generate();
        let hash = password::hash(&secret).map_err(StorageError::Invalid)?;
        users::create(
            db,
            &NewUser {
                username: FIRST_ADMIN,
                display_name: "Ban Phong trào Tỉnh đoàn",
                password_hash: &hash,
                role: Role::Admin,
                must_change_password: true,
                unit_ids: &[],
                email: None,
            },
            &Who::system(),
            now,
        )
        .await?;
        admin_password = Some(secret);
    }
    Ok(Prepared { seed, admin_password })
}
