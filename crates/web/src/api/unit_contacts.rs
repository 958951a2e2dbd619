//! GET / PUT /api/v1/units/{code}/contact: the unit's secretary, phone, e-mail and note.

use axum::extract::{Path, State};
use axum::Json;
use phongtrao_storage::unit_contacts::Contact;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Object;
use crate::actions::unit_contacts::{self, ContactInput};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

/// A unit's contact (empty strings where nothing is known).
#[derive(Serialize, ToSchema)]
pub struct UnitContact {
    /// The unit's secretary (bí thư)
    pub secretary: String,
    /// 8–15 digits as people write them
    pub phone: String,
    pub email: String,
    pub note: String,
}

impl From<Contact> for UnitContact {
    fn from(c: Contact) -> UnitContact {
        UnitContact { secretary: c.secretary, phone: c.phone, email: c.email, note: c.note }
    }
}

/// A unit's contact; only logged-in users who may read the unit see it.
#[utoipa::path(get, path = "/units/{code}/contact", tag = "units",
    params(("code" = String, Path, description = "A unit code")),
    responses((status = 200, description = "The unit's contact (empty strings where nothing is known)", body = UnitContact),
        super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn show(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
) -> Result<Json<UnitContact>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(unit_contacts::get(&state, &actor, &client, &code).await?.1.into()))
}

/// A unit's contact as its reporters (or the office) write it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[serde(default)]
    #[schema(max_length = 200)]
    secretary: String,
    /// 8–15 digits as people write them, or empty
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    note: String,
}

/// Sets a unit's contact (its reporters or the office; audited).
#[utoipa::path(put, path = "/units/{code}/contact", tag = "units",
    params(("code" = String, Path, description = "A unit code")), request_body = ContactBody,
    responses((status = 200, description = "The unit's contact as stored", body = UnitContact),
        super::doc::JsonBody, super::doc::Unauthenticated, super::doc::Forbidden, super::doc::NotFound))]
pub async fn set(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(b): Object<ContactBody>,
) -> Result<Json<UnitContact>, ApiError> {
    let actor = logged_in(actor)?;
    let input = ContactInput { secretary: &b.secretary, phone: &b.phone, email: &b.email, note: &b.note };
    Ok(Json(unit_contacts::set(&state, &actor, &client, &code, &input).await?.into()))
}
