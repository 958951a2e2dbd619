//! A unit's contact: read by whoever may read the unit (never anonymous: it is personal
//! data), written by the unit's own reporters and the office; audited.

use phongtrao_domain::policy::Action;
use phongtrao_storage::unit_contacts::{self, Contact};
use phongtrao_storage::units::{self, UnitRow};

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require_in, who};
use crate::error::Failure;
use crate::AppState;

async fn unit_and_ancestry(state: &AppState, code: &str) -> Result<(UnitRow, Vec<i64>), Failure> {
    units::by_code_with_ancestry(&state.db, code).await?.ok_or_else(Failure::not_found)
}

pub async fn get(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
) -> Result<(UnitRow, Contact), Failure> {
    let (unit, ancestry) = unit_and_ancestry(state, code).await?;
    require_in(state, actor, client, Action::ReadUnit, Some(unit.id), &ancestry).await?;
    let contact = unit_contacts::get(&state.db, unit.id).await?;
    Ok((unit, contact))
}

/// The fields as typed; checked by the domain's rule, stored whole or not at all.
pub struct ContactInput<'a> {
    pub secretary: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub note: &'a str,
}

pub async fn set(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    input: &ContactInput<'_>,
) -> Result<Contact, Failure> {
    let (unit, ancestry) = unit_and_ancestry(state, code).await?;
    require_in(state, actor, client, Action::WriteUnit, Some(unit.id), &ancestry).await?;
    let c = phongtrao_domain::contact::parse(input.secretary, input.phone, input.email, input.note)
        .map_err(|(vi, en)| Failure::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid", vi, en))?;
    let contact = Contact { secretary: c.secretary, phone: c.phone, email: c.email, note: c.note };
    unit_contacts::set(&state.db, unit.id, &contact, &who(Some(actor), client), state.now()).await?;
    Ok(contact)
}
