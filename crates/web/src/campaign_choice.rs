//! Which campaign a request is about. A database holds many campaigns (several
//! running at once, the past ones archived): a page, an API route or a command
//! names one with `?campaign=CODE` (`--campaign CODE`); without it the user's last
//! choice is used (kept in the database, so it follows the user to every instance
//! and device), else the default campaign. A steering committee member assigned to
//! some campaigns only sees those.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use phongtrao_domain::role::Role;
use phongtrao_storage::campaigns::{self, CampaignRow, StoredCampaign};
use phongtrao_storage::units::{self, UnitRow};
use phongtrao_storage::Db;

use crate::auth::{Actor, MaybeActor};
use crate::error::{ApiError, Failure};
use crate::AppState;

/// `?campaign=CODE` on a page or an API route.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// The campaign's code (see `GET /campaigns`); without it the user's chosen
    /// campaign, else the default one.
    pub campaign: Option<String>,
}

/// The `campaign` query parameter of a request, if any (an empty value is none).
pub fn requested(parts: &Parts) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(parts.uri.query()?).ok()?;
    pairs.into_iter().find(|(k, _)| k == "campaign").map(|(_, v)| v).filter(|v| !v.trim().is_empty())
}

/// No campaign with this code (or one the user may not see): 404.
pub fn unknown(code: &str) -> Failure {
    // The code as typed, but never a page of it: no control characters, at most 60.
    let mut shown: String = code.chars().filter(|c| !c.is_control()).take(60).collect();
    if code.chars().count() > 60 {
        shown.push('…');
    }
    let code = shown.as_str();
    Failure::new(
        StatusCode::NOT_FOUND,
        "unknown_campaign",
        format!("Không có chiến dịch mã \"{code}\" (xem danh sách chiến dịch)."),
        format!("No campaign with the code \"{code}\" (see the list of campaigns)."),
    )
}

/// The campaign a request is about: the one asked for, else the user's last choice,
/// else the default one.
pub async fn resolve(db: &Db, actor: Option<&Actor>, requested: Option<&str>) -> Result<StoredCampaign, Failure> {
    let allowed = match actor {
        Some(a) if a.user.role == Role::Steering => campaigns::member_of(db, a.user.id).await?,
        _ => Vec::new(),
    };
    let may_see = |c: &StoredCampaign| allowed.is_empty() || allowed.contains(&c.row.id);
    if let Some(code) = requested {
        let code = code.trim();
        return match campaigns::by_code(db, code).await? {
            Some(c) if may_see(&c) => Ok(c),
            _ => Err(unknown(code)),
        };
    }
    if let Some(a) = actor.filter(|_| allowed.is_empty()) {
        // Everyone may see every campaign: the chosen one, else the default, in one read.
        return Ok(campaigns::chosen_or_current(db, a.user.id).await?);
    }
    if let Some(a) = actor {
        if let Some(id) = campaigns::chosen_by(db, a.user.id).await? {
            if let Some(c) = campaigns::by_id(db, id).await? {
                if may_see(&c) {
                    return Ok(c);
                }
            }
        }
    }
    if let Some(first) = allowed.first() {
        if let Some(c) = campaigns::by_id(db, *first).await? {
            return Ok(c);
        }
    }
    Ok(campaigns::current(db).await?)
}

/// The campaigns a user may choose among (running first, then archived, newest first).
pub async fn choices(db: &Db, actor: Option<&Actor>) -> Result<Vec<CampaignRow>, Failure> {
    let mut all = campaigns::list(db).await?;
    // A unit's own plan (issue #21) is offered to the units of its subtree; the
    // province office and the steering committee see every one.
    if let Some(a) = actor.filter(|a| !matches!(a.user.role, Role::Admin | Role::Steering)) {
        if all.iter().any(|c| c.parent_campaign_id.is_some()) {
            let mut lineage = Vec::new();
            for id in &a.unit_ids {
                lineage.extend(units::ancestry(db, *id).await?);
            }
            all.retain(|c| c.parent_campaign_id.is_none() || c.root_unit_id.is_some_and(|r| lineage.contains(&r)));
        }
    }
    if let Some(a) = actor.filter(|a| a.user.role == Role::Steering) {
        let allowed = campaigns::member_of(db, a.user.id).await?;
        if !allowed.is_empty() {
            all.retain(|c| allowed.contains(&c.id));
        }
    }
    all.sort_by(|a, b| a.is_archived().cmp(&b.is_archived()).then(b.starts_on.cmp(&a.starts_on)).then(b.id.cmp(&a.id)));
    Ok(all)
}

/// An archived campaign is read-only: every write to it is refused, with why.
pub fn ensure_running(c: &StoredCampaign) -> Result<(), Failure> {
    if c.row.is_archived() {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "campaign_archived",
            format!("Chiến dịch \"{}\" đã kết thúc và được lưu trữ: chỉ xem, không sửa được.", c.row.title),
            format!("The campaign \"{}\" has ended and is archived: it can be read, not changed.", c.row.title),
        ));
    }
    Ok(())
}

/// The root of the unit tree the campaign runs on (its own after a reorganisation),
/// else today's root.
pub async fn root(db: &Db, c: &StoredCampaign) -> Result<Option<UnitRow>, Failure> {
    Ok(units::root_of(db, c.row.root_unit_id).await?)
}

/// A unit of the campaign's own tree by its code: after a reorganisation a code
/// (91, 30742) can name a retired unit of the old tree and a new one; each campaign
/// sees the one of its tree.
pub async fn unit_by_code(db: &Db, c: &StoredCampaign, code: &str) -> Result<Option<UnitRow>, Failure> {
    match root(db, c).await? {
        Some(r) => Ok(units::by_code_under(db, code, r.id).await?),
        None => Ok(units::by_code(db, code).await?),
    }
}

/// The campaign of an API request (`?campaign=CODE`, else the caller's choice, else
/// the default): an unknown code is a 404.
pub struct InCampaign(pub StoredCampaign);

impl FromRequestParts<AppState> for InCampaign {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let wanted = requested(parts);
        let MaybeActor(actor) = match MaybeActor::from_request_parts(parts, state).await {
            Ok(a) => a,
            Err(never) => match never {},
        };
        Ok(InCampaign(resolve(&state.db, actor.as_ref(), wanted.as_deref()).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_code_is_named_short_and_clean() {
        let f = unknown(&format!("\0{}", "x".repeat(5000)));
        assert_eq!(f.status, StatusCode::NOT_FOUND);
        assert!(f.vi.chars().count() < 140 && !f.vi.contains('\0') && f.vi.contains('…'), "{}", f.vi);
        assert!(unknown("kien-giang-2023").en.contains("\"kien-giang-2023\""));
    }
}
