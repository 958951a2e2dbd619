//! Reading the audit log: the office reads all of it; others read their units'.

use phongtrao_domain::policy::Action;
use phongtrao_domain::role::Role;
use phongtrao_storage::audit::{self, AuditFilter, AuditRow};
use phongtrao_storage::{units, users};

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::require;
use crate::error::Failure;
use crate::AppState;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditQuery {
    /// A unit code: entries about this unit and its subtree.
    pub unit: Option<String>,
    /// A username: entries by this user.
    pub user: Option<String>,
    pub action: Option<String>,
    pub limit: Option<i64>,
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    q: &AuditQuery,
) -> Result<Vec<AuditRow>, Failure> {
    let db = &state.db;
    let unit = match q.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // A code, or a name as the officer types it ("hon dat" finds Huyện đoàn Hòn Đất):
        // the highest unit whose name matches.
        Some(code) => match units::by_code(db, code).await? {
            Some(u) => Some(u),
            None => Some(units::search(db, code, 1).await?.into_iter().next().ok_or_else(|| {
                Failure::invalid(format!(
                    "Không tìm thấy đơn vị \"{code}\" (mã hoặc tên) / No unit with the code or name \"{code}\""
                ))
            })?),
        },
        None => None,
    };
    let unit_ids = match (&unit, actor.user.role) {
        (Some(u), _) => {
            require(state, actor, client, Action::ReadAudit, Some(u.id)).await?;
            Some(units::subtree_ids(db, u.id).await?)
        }
        (None, Role::Admin) => None,
        (None, _) => {
            // Everything the actor may read: the subtrees of their units; asked of
            // the policy like every other branch (a viewer has no audit right).
            require(state, actor, client, Action::ReadAudit, actor.unit_ids.first().copied()).await?;
            let mut ids = Vec::new();
            for id in &actor.unit_ids {
                ids.extend(units::subtree_ids(db, *id).await?);
            }
            Some(ids)
        }
    };
    let actor_user_id = match q.user.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(name) => Some(users::by_username(db, name).await?.map(|u| u.id).unwrap_or(-1)),
        None => None,
    };
    let filter = AuditFilter {
        unit_ids,
        actor_user_id,
        action_prefix: q.action.clone().filter(|a| !a.trim().is_empty()),
        limit: q.limit.unwrap_or(200),
    };
    Ok(audit::query(db, &filter).await?)
}
