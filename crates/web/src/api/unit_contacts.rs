//! GET / PUT /api/v1/units/{code}/contact: the unit's secretary, phone, e-mail and note.

use axum::extract::{Path, State};
use axum::Json;
use phongtrao_storage::unit_contacts::Contact;
use serde::Deserialize;

use super::body::Object;
use crate::actions::unit_contacts::{self, ContactInput};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::error::ApiError;
use crate::AppState;

pub async fn show(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
) -> Result<Json<Contact>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(unit_contacts::get(&state, &actor, &client, &code).await?.1))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[serde(default)]
    secretary: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    note: String,
}

pub async fn set(
    State(state): State<AppState>,
    actor: MaybeActor,
    client: ClientIp,
    Path(code): Path<String>,
    Object(b): Object<ContactBody>,
) -> Result<Json<Contact>, ApiError> {
    let actor = logged_in(actor)?;
    let input = ContactInput { secretary: &b.secretary, phone: &b.phone, email: &b.email, note: &b.note };
    Ok(Json(unit_contacts::set(&state, &actor, &client, &code, &input).await?))
}
