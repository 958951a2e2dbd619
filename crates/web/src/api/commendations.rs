//! /api/v1/emulation/awards and /api/v1/emulation/nominations: the award forms with
//! their eligibility rules, the collectives each form may go to, nominations and
//! their review, and the commendation documents (accepted nominations only).

use axum::extract::{Path, State};
use axum::response::Response;
use axum::Json;
use phongtrao_domain::emulation::commendation::{AwardForm, Decision, NomineeText, Target};
use phongtrao_domain::emulation::Points;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::Object;
use super::doc::{Forbidden, JsonBody, NotFound, Unauthenticated};
use crate::actions::commendations::{self as act, NominationInput};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::campaign_choice::InCampaign;
use crate::error::{ApiError, Failure};
use crate::AppState;

/// An award form (hình thức khen thưởng) with its eligibility rules.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormBody {
    /// The stored form's id (leave out to add a form)
    #[serde(default)]
    pub id: Option<i64>,
    /// "Bằng khen của BCH Tỉnh đoàn"
    pub name: String,
    /// collective (tập thể) or individual (cá nhân)
    #[schema(example = "collective")]
    pub target: String,
    /// Collectives: ranked at most this within their cluster
    #[serde(default)]
    pub max_rank: Option<u32>,
    /// Collectives: at least this total emulation score
    #[serde(default)]
    pub min_points: Option<f64>,
    /// Collectives: no late and no missing weekly report
    #[serde(default)]
    pub all_on_time: bool,
    /// At most this many nominations (rejected ones not counted)
    #[serde(default)]
    pub quota: Option<u32>,
    /// The rules in words (ignored on input)
    #[serde(default, skip_deserializing)]
    pub rules_vi: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FormsBody {
    pub forms: Vec<FormBody>,
}

fn forms_out(forms: Vec<phongtrao_storage::commendations::StoredForm>) -> FormsBody {
    FormsBody {
        forms: forms
            .into_iter()
            .map(|f| FormBody {
                id: Some(f.id),
                rules_vi: f.form.rules_vi(),
                name: f.form.name,
                target: f.form.target.as_str().into(),
                max_rank: f.form.max_rank,
                min_points: f.form.min_points.map(|p| p.as_f64()),
                all_on_time: f.form.all_on_time,
                quota: f.form.quota,
            })
            .collect(),
    }
}

/// The campaign's award forms (any logged-in user; empty until the office sets them).
#[utoipa::path(get, path = "/emulation/awards", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "The award forms", body = FormsBody), Unauthenticated))]
pub async fn forms(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
) -> Result<Json<FormsBody>, ApiError> {
    logged_in(actor)?;
    Ok(Json(forms_out(act::forms(&state, campaign).await?)))
}

/// Replaces the award forms (the office; audited): every row checked, nothing stored
/// unless all are right; a form with nominations cannot be removed (409).
#[utoipa::path(put, path = "/emulation/awards", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    request_body = FormsBody,
    responses((status = 200, description = "The forms as stored", body = FormsBody), JsonBody, Unauthenticated, Forbidden,
        (status = 409, description = "A removed form has nominations, or the campaign is archived", body = super::doc::Error)))]
pub async fn save_forms(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Object(b): Object<FormsBody>,
) -> Result<Json<FormsBody>, ApiError> {
    let actor = logged_in(actor)?;
    let mut rows = Vec::new();
    for (i, f) in b.forms.into_iter().enumerate() {
        let target = Target::parse(&f.target).ok_or_else(|| {
            Failure::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("Dòng {}: đối tượng \"{}\" không có (collective hoặc individual).", i + 1, f.target),
                format!("Row {}: no target \"{}\" (collective or individual).", i + 1, f.target),
            )
        })?;
        let min_points = match f.min_points {
            Some(p) if !p.is_finite() || p < 0.0 => {
                return Err(Failure::new(
                    axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    format!("Dòng {}: điểm tối thiểu không hợp lệ.", i + 1),
                    format!("Row {}: the minimum score is not valid.", i + 1),
                )
                .into())
            }
            Some(p) => Some(Points((p * 100.0).round() as i64)),
            None => None,
        };
        rows.push((
            f.id,
            AwardForm {
                name: f.name,
                target,
                max_rank: f.max_rank,
                min_points,
                all_on_time: f.all_on_time,
                quota: f.quota,
            },
        ));
    }
    Ok(Json(forms_out(act::save_forms(&state, campaign, &actor, &client, rows).await?)))
}

/// Stores the default award forms built from the plan (the office; 409 when the
/// campaign already has forms).
#[utoipa::path(post, path = "/emulation/awards/default", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "The forms as stored", body = FormsBody), Unauthenticated, Forbidden,
        (status = 409, description = "The campaign already has award forms", body = super::doc::Error)))]
pub async fn default_forms(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
) -> Result<Json<FormsBody>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(forms_out(act::create_default(&state, campaign, &actor, &client).await?)))
}

/// The nominations the caller may see, and for every collective form the ranked
/// units the caller may nominate, eligible or not with the reasons.
#[derive(Serialize, ToSchema)]
pub struct NominationsOut {
    #[schema(value_type = Vec<Object>)]
    pub nominations: Vec<act::NominationView>,
    #[schema(value_type = Vec<Object>)]
    pub candidates: Vec<act::FormCandidates>,
}

/// The nominations (the office and steering: all; a unit: its subtree's) and the
/// collectives proposed for each form from the emulation ranking.
#[utoipa::path(get, path = "/emulation/nominations", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "Nominations and candidates", body = NominationsOut), Unauthenticated))]
pub async fn list(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
) -> Result<Json<NominationsOut>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(NominationsOut {
        nominations: act::list(&state, campaign, &actor).await?,
        candidates: act::candidates(&state, campaign, &actor).await?,
    }))
}

/// What a unit writes about its nominee.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NomineeIn {
    /// Individuals: họ và tên
    #[serde(default)]
    pub person_name: String,
    /// Individuals: năm sinh
    #[serde(default)]
    pub birth_year: Option<i32>,
    /// Individuals: chức vụ
    #[serde(default)]
    pub position: String,
    /// Thành tích
    pub achievements: String,
    /// Minh chứng (documents, in words)
    #[serde(default)]
    pub evidence: String,
}

impl NomineeIn {
    fn text(self) -> NomineeText {
        NomineeText {
            person_name: self.person_name,
            birth_year: self.birth_year,
            position: self.position,
            achievements: self.achievements,
            evidence: self.evidence,
        }
    }
}

/// A nomination: the form, the unit (the collective, or the individual's unit) and
/// what is said about the nominee.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationIn {
    pub award_form_id: i64,
    /// A unit code within the caller's subtree
    pub unit: String,
    #[serde(flatten)]
    pub nominee: NomineeIn,
}

/// A nomination as stored, with its history and what the caller may do with it.
#[derive(ToSchema)]
#[schema(as = Nomination, value_type = Object)]
#[allow(dead_code)]
pub struct NominationSchema(act::NominationView);

/// Nominates a collective or an individual (a unit's account for its subtree, 403
/// elsewhere; or the office): validated, eligibility and quota enforced, audited.
#[utoipa::path(post, path = "/emulation/nominations", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    request_body = NominationIn,
    responses((status = 200, description = "The nomination, waiting for review", body = NominationSchema), JsonBody, Unauthenticated, Forbidden,
        (status = 409, description = "The quota is reached, the unit is already nominated, or the campaign is archived", body = super::doc::Error)))]
pub async fn nominate(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Object(b): Object<NominationIn>,
) -> Result<Json<act::NominationView>, ApiError> {
    let actor = logged_in(actor)?;
    let input = NominationInput { award_form_id: b.award_form_id, unit: b.unit, text: b.nominee.text() };
    Ok(Json(act::nominate(&state, campaign, &actor, &client, input).await?))
}

/// Corrects a nomination waiting for review or returned (its proposer) and sends it again.
#[utoipa::path(put, path = "/emulation/nominations/{id}", tag = "emulation",
    params(crate::campaign_choice::CampaignQuery, ("id" = i64, Path, description = "The nomination")),
    request_body = NomineeIn,
    responses((status = 200, description = "The nomination, waiting for review", body = NominationSchema), JsonBody, Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "Already decided, or the campaign is archived", body = super::doc::Error)))]
pub async fn resubmit(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
    Object(b): Object<NomineeIn>,
) -> Result<Json<act::NominationView>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(act::resubmit(&state, campaign, &actor, &client, id, b.text()).await?))
}

/// A review's decision.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// accept, return or reject
    #[schema(example = "accept")]
    pub decision: String,
    /// Needed to return or reject
    #[serde(default)]
    pub comment: String,
}

/// Reviews a nomination (the next unit above the level it has reached, steering or
/// the office; never its proposer: 403): a unit above that accepts endorses it and
/// sends it up; the office or steering accepts last; or return or reject with a comment.
#[utoipa::path(post, path = "/emulation/nominations/{id}/review", tag = "emulation",
    params(crate::campaign_choice::CampaignQuery, ("id" = i64, Path, description = "The nomination")),
    request_body = ReviewIn,
    responses((status = 200, description = "The nomination as decided", body = NominationSchema), JsonBody, Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "Already decided, quota reached, a comment missing, or the campaign is archived", body = super::doc::Error)))]
pub async fn review(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(id): Path<i64>,
    Object(b): Object<ReviewIn>,
) -> Result<Json<act::NominationView>, ApiError> {
    let actor = logged_in(actor)?;
    let decision = Decision::parse(&b.decision).ok_or_else(|| {
        Failure::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("Quyết định \"{}\" không có (accept, return, reject).", b.decision),
            format!("No decision \"{}\" (accept, return, reject).", b.decision),
        )
    })?;
    Ok(Json(act::review(&state, campaign, &actor, &client, id, decision, &b.comment).await?))
}

/// A commendation document.
#[derive(ToSchema)]
#[allow(dead_code)]
pub enum CommendationFile {
    #[schema(rename = "proposal.docx")]
    Proposal,
    #[schema(rename = "list.docx")]
    List,
    #[schema(rename = "decision.docx")]
    Decision,
    #[schema(rename = "list.xlsx")]
    ListXlsx,
}

/// The proposal (tờ trình), the list (danh sách) or the draft decision (quyết
/// định) as .docx, or the list as .xlsx: accepted nominations only (the office and steering).
#[utoipa::path(get, path = "/emulation/nominations/documents/{file}", tag = "emulation",
    params(crate::campaign_choice::CampaignQuery, ("file" = inline(CommendationFile), Path)),
    responses(
        (status = 200, description = "The file, with Content-Disposition: attachment", content(
            (super::documents::FileBytes = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
            (super::documents::FileBytes = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        Unauthenticated, Forbidden, NotFound))]
pub async fn document(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let actor = logged_in(actor)?;
    Ok(crate::pages::commendations::document_response(&state, campaign, &actor, &client, &file).await?)
}
