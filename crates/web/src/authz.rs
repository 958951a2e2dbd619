//! Authorization: every handler asks `require`, which asks the domain policy and
//! records every refusal in the audit log.

use phongtrao_domain::policy::{allows, Action};
use phongtrao_storage::audit::{self, Who};
use phongtrao_storage::units;

use crate::auth::client::ClientIp;
use crate::auth::{Actor, MaybeActor};
use crate::error::Failure;
use crate::AppState;

/// Who, for the audit log.
pub fn who(actor: Option<&Actor>, client: &ClientIp) -> Who {
    match actor {
        Some(a) => Who { user_id: Some(a.user.id), name: a.user.username.clone(), client: Some(client.0.to_string()) },
        None => Who { user_id: None, name: "anonymous".into(), client: Some(client.0.to_string()) },
    }
}

/// The logged-in actor, or 401.
pub fn logged_in(actor: MaybeActor) -> Result<Actor, Failure> {
    actor.0.ok_or_else(Failure::unauthenticated)
}

/// Allows `action` on `unit_id` (None: not about a unit) or refuses with 403,
/// recording the refusal.
pub async fn require(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    action: Action,
    unit_id: Option<i64>,
) -> Result<(), Failure> {
    let ancestry = match unit_id {
        Some(id) => units::ancestry(&state.db, id).await?,
        None => Vec::new(),
    };
    require_in(state, actor, client, action, unit_id, &ancestry).await
}

/// Allows `action` on a campaign as a whole: a unit's own plan (issue #21) is its
/// unit's office's to run (the action on the unit it is rooted at); any other
/// campaign is the province office's.
pub async fn require_campaign(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    action: Action,
    campaign: &phongtrao_storage::campaigns::StoredCampaign,
) -> Result<(), Failure> {
    match (campaign.row.parent_campaign_id, campaign.row.root_unit_id) {
        (Some(_), Some(root)) => require(state, actor, client, action, Some(root)).await,
        _ => require(state, actor, client, action, None).await,
    }
}

/// The same when the unit's ancestry (the unit, then its parent … up to the root)
/// is known already.
pub async fn require_in(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    action: Action,
    unit_id: Option<i64>,
    ancestry: &[i64],
) -> Result<(), Failure> {
    if allows(&actor.policy(), action, ancestry) {
        return Ok(());
    }
    let entry =
        who(Some(actor), client).entry("access.denied", "permission", Some(action.as_str().to_string())).unit(unit_id);
    if let Err(e) = audit::record(&state.db, &entry, state.now()).await {
        tracing::error!(error = %e, "cannot record a refusal in the audit log");
    }
    Err(Failure::forbidden())
}
