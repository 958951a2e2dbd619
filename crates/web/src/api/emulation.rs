//! /api/v1/emulation: the criteria sheet (read, replace, default, import from .xlsx,
//! the self-assessment deadline), a unit's self-assessment and its review, the
//! emulation clusters and the ranking with every score's breakdown.

use axum::extract::{Multipart, Query, State};
use axum::Json;
use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::emulation::{Criterion, Evidence, Points, Rule};
use phongtrao_storage::emulation::Settings;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::body::Object;
use super::doc::{Forbidden, Invalid, JsonBody, NotFound, Unauthenticated};
use crate::actions::emulation::{self as act, ReviewInput, SelfInput};
use crate::auth::client::ClientIp;
use crate::auth::MaybeActor;
use crate::authz::logged_in;
use crate::campaign_choice::InCampaign;
use crate::error::{ApiError, Failure};
use crate::AppState;

/// Points as a JSON number (16.5), at most two decimals.
fn points_of(value: f64, what: &str) -> Result<Points, Failure> {
    let hundredths = (value * 100.0).round();
    if !value.is_finite() || value < 0.0 || (value * 100.0 - hundredths).abs() > 1e-6 || hundredths > 1e9 {
        return Err(Failure::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("{what}: số điểm phải từ 0 trở lên, tối đa 2 chữ số thập phân (nhận {value})."),
            format!("{what}: points must be 0 or more with at most 2 decimals (got {value})."),
        ));
    }
    Ok(Points(hundredths as i64))
}

/// How a criterion is scored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleBody {
    /// goal_completion, reports_on_time or assessed
    #[schema(example = "goal_completion")]
    pub kind: String,
    /// goal_completion: the plan's indicator key ("5", "15a")
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indicator: Option<String>,
    /// goal_completion: the whole maximum only when the goal is met (else max × min(1, achieved ÷ goal))
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all_or_nothing: Option<bool>,
    /// reports_on_time: points deducted per late report
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_late: Option<f64>,
    /// reports_on_time: points deducted per weekly report missing after its deadline
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_missing: Option<f64>,
}

impl RuleBody {
    fn from_rule(r: &Rule) -> RuleBody {
        match r {
            Rule::GoalCompletion { indicator, all_or_nothing } => RuleBody {
                kind: "goal_completion".into(),
                indicator: Some(indicator.clone()),
                all_or_nothing: Some(*all_or_nothing),
                per_late: None,
                per_missing: None,
            },
            Rule::ReportsOnTime { per_late, per_missing } => RuleBody {
                kind: "reports_on_time".into(),
                indicator: None,
                all_or_nothing: None,
                per_late: Some(per_late.as_f64()),
                per_missing: Some(per_missing.as_f64()),
            },
            Rule::Assessed => RuleBody {
                kind: "assessed".into(),
                indicator: None,
                all_or_nothing: None,
                per_late: None,
                per_missing: None,
            },
        }
    }

    fn to_rule(&self, number: &str) -> Result<Rule, Failure> {
        let what = format!("Tiêu chí / criterion {number}");
        match self.kind.as_str() {
            "goal_completion" => Ok(Rule::GoalCompletion {
                indicator: self.indicator.clone().unwrap_or_default().trim().to_string(),
                all_or_nothing: self.all_or_nothing.unwrap_or(false),
            }),
            "reports_on_time" => Ok(Rule::ReportsOnTime {
                per_late: points_of(self.per_late.unwrap_or(0.0), &what)?,
                per_missing: points_of(self.per_missing.unwrap_or(0.0), &what)?,
            }),
            "assessed" => Ok(Rule::Assessed),
            other => Err(Failure::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("{what}: cách tính \"{other}\" không có (goal_completion, reports_on_time, assessed)."),
                format!("{what}: no rule kind \"{other}\" (goal_completion, reports_on_time, assessed)."),
            )),
        }
    }
}

/// One criterion of the sheet.
#[derive(Debug, Serialize, ToSchema)]
pub struct CriterionOut {
    pub id: i64,
    /// "1", "1.1"
    pub number: String,
    pub title: String,
    pub max_points: f64,
    pub rule: RuleBody,
    /// The rule in words
    pub rule_vi: String,
    pub rule_en: String,
}

/// The criteria sheet with its total and the self-assessment settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SheetOut {
    pub criteria: Vec<CriterionOut>,
    pub total_max: f64,
    /// After it, units can no longer change their self-scores (unless reopened)
    pub self_deadline: Option<DateTime<Utc>>,
    pub reopened: bool,
    /// Units may change their self-scores now
    pub self_open: bool,
}

impl From<act::Sheet> for SheetOut {
    fn from(s: act::Sheet) -> SheetOut {
        SheetOut {
            criteria: s
                .criteria
                .into_iter()
                .map(|c| CriterionOut {
                    id: c.id,
                    rule: RuleBody::from_rule(&c.criterion.rule),
                    rule_vi: c.criterion.rule.text_vi(),
                    rule_en: c.criterion.rule.text_en(),
                    number: c.criterion.number,
                    title: c.criterion.title,
                    max_points: c.criterion.max.as_f64(),
                })
                .collect(),
            total_max: s.total_max.as_f64(),
            self_deadline: s.settings.self_deadline,
            reopened: s.settings.reopened,
            self_open: s.self_open,
        }
    }
}

/// The campaign's criteria sheet (any logged-in user).
#[utoipa::path(get, path = "/emulation/criteria", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "The sheet (no criteria: not set yet)", body = SheetOut), Unauthenticated, NotFound))]
pub async fn sheet(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
) -> Result<Json<SheetOut>, ApiError> {
    logged_in(actor)?;
    Ok(Json(act::sheet(&state, campaign).await?.into()))
}

/// One criterion as the office writes it; `id` keeps a stored criterion (and its self-scores).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionIn {
    #[serde(default)]
    pub id: Option<i64>,
    pub number: String,
    pub title: String,
    pub max_points: f64,
    pub rule: RuleBody,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SheetIn {
    pub criteria: Vec<CriterionIn>,
}

/// Replaces the sheet (the office; audited). Every problem named by row, nothing
/// stored unless all rows are right; removing a self-scored criterion is refused (409).
#[utoipa::path(put, path = "/emulation/criteria", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    request_body = SheetIn,
    responses((status = 200, description = "The sheet as stored", body = SheetOut), JsonBody, Unauthenticated, Forbidden,
        (status = 409, description = "A self-scored criterion would be removed, or the campaign is archived", body = super::doc::Error)))]
pub async fn save(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Object(b): Object<SheetIn>,
) -> Result<Json<SheetOut>, ApiError> {
    let actor = logged_in(actor)?;
    let mut rows = Vec::new();
    for c in b.criteria {
        let number = c.number.trim().to_string();
        let rule = c.rule.to_rule(&number)?;
        let max = points_of(c.max_points, &format!("Tiêu chí / criterion {number}"))?;
        rows.push((c.id, Criterion { number, title: c.title, max, rule }));
    }
    Ok(Json(act::save_sheet(&state, campaign, &actor, &client, rows).await?.into()))
}

/// Stores the default sheet built from the plan (one goal-completion criterion per
/// indicator sharing 70 points, reporting discipline 8, activities 22) when the
/// campaign has none (409 otherwise).
#[utoipa::path(post, path = "/emulation/criteria/default", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "The sheet as stored", body = SheetOut), Unauthenticated, Forbidden,
        (status = 409, description = "The campaign has a sheet already", body = super::doc::Error)))]
pub async fn default_sheet(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
) -> Result<Json<SheetOut>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(act::create_default(&state, campaign, &actor, &client).await?.into()))
}

/// Replaces the sheet from an .xlsx (multipart field `file`; columns STT, Tiêu chí,
/// Điểm tối đa, Cách tính). Bad rows named, nothing stored.
#[utoipa::path(post, path = "/emulation/criteria/import", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    request_body(content = inline(super::admin::Upload), content_type = "multipart/form-data"),
    responses((status = 200, description = "The sheet as stored", body = SheetOut), super::doc::BadRequest, Unauthenticated,
        Forbidden, super::doc::TooLarge, Invalid))]
pub async fn import(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    multipart: Multipart,
) -> Result<Json<SheetOut>, ApiError> {
    let actor = logged_in(actor)?;
    let (name, bytes) = crate::pages::admin_units::uploaded_file(multipart).await?;
    Ok(Json(act::import_sheet(&state, campaign, &actor, &client, &name, bytes).await?.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsIn {
    /// RFC 3339; null: no deadline
    #[serde(default)]
    pub self_deadline: Option<DateTime<Utc>>,
    /// Reopens self-assessment after the deadline
    #[serde(default)]
    pub reopened: bool,
}

/// Sets the self-assessment deadline, or reopens it (the office; audited).
#[utoipa::path(put, path = "/emulation/settings", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    request_body = SettingsIn,
    responses((status = 200, description = "The sheet with its settings", body = SheetOut), JsonBody, Unauthenticated, Forbidden))]
pub async fn settings(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Object(b): Object<SettingsIn>,
) -> Result<Json<SheetOut>, ApiError> {
    let actor = logged_in(actor)?;
    let s = Settings { self_deadline: b.self_deadline, reopened: b.reopened };
    Ok(Json(act::set_settings(&state, campaign, &actor, &client, s).await?.into()))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// A unit code (the caller's own unit by default)
    unit: Option<String>,
}

/// One assessed criterion with the unit's score.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreOut {
    /// The criterion's number
    pub criterion: String,
    pub title: String,
    pub max_points: f64,
    /// None: not self-scored yet
    pub self_points: Option<f64>,
    pub doc_number: String,
    pub doc_symbol: String,
    pub doc_date: Option<NaiveDate>,
    pub evidence: String,
    /// The document reference in words ("Số 125-KH/ĐTN ngày 03/03/2023")
    pub reference: String,
    /// None: awaiting review ("chờ duyệt")
    pub reviewed_points: Option<f64>,
    pub review_comment: String,
    pub reviewed_by: Option<String>,
}

/// One change of a score.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryOut {
    pub criterion: String,
    /// self (the unit) or review (the office)
    pub kind: String,
    pub points: f64,
    pub note: String,
    pub at: DateTime<Utc>,
    pub by: String,
}

/// A unit's self-assessment, its review and their history.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitScoresOut {
    pub unit: String,
    pub unit_name: String,
    pub self_open: bool,
    pub self_deadline: Option<DateTime<Utc>>,
    pub scores: Vec<ScoreOut>,
    pub history: Vec<HistoryOut>,
}

impl From<act::UnitScores> for UnitScoresOut {
    fn from(u: act::UnitScores) -> UnitScoresOut {
        let number_of = |id: i64| {
            u.rows
                .iter()
                .find(|r| r.criterion.id == id)
                .map(|r| r.criterion.criterion.number.clone())
                .unwrap_or_default()
        };
        let history = u
            .history
            .iter()
            .map(|h| HistoryOut {
                criterion: number_of(h.criterion_id),
                kind: h.kind.clone(),
                points: Points(h.points).as_f64(),
                note: h.note.clone(),
                at: h.at,
                by: h.by_name.clone(),
            })
            .collect();
        let scores = u
            .rows
            .iter()
            .map(|r| {
                let s = r.score.as_ref();
                ScoreOut {
                    criterion: r.criterion.criterion.number.clone(),
                    title: r.criterion.criterion.title.clone(),
                    max_points: r.criterion.criterion.max.as_f64(),
                    self_points: s.map(|s| Points(s.self_points).as_f64()),
                    doc_number: s.map(|s| s.doc_number.clone()).unwrap_or_default(),
                    doc_symbol: s.map(|s| s.doc_symbol.clone()).unwrap_or_default(),
                    doc_date: s.and_then(|s| s.doc_date),
                    evidence: s.map(|s| s.evidence.clone()).unwrap_or_default(),
                    reference: s.map(|s| s.evidence().reference()).unwrap_or_default(),
                    reviewed_points: s.and_then(|s| s.reviewed_points).map(|p| Points(p).as_f64()),
                    review_comment: s.map(|s| s.review_comment.clone()).unwrap_or_default(),
                    reviewed_by: s.and_then(|s| s.reviewed_by.clone()),
                }
            })
            .collect();
        UnitScoresOut {
            unit: u.unit.code,
            unit_name: u.unit.name,
            self_open: u.self_open,
            self_deadline: u.settings.self_deadline,
            scores,
            history,
        }
    }
}

async fn unit_code(state: &AppState, actor: &crate::auth::Actor, q: &UnitQuery) -> Result<String, Failure> {
    match q.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(c) => Ok(c.to_string()),
        None => act::default_unit_code(state, actor)
            .await?
            .ok_or_else(|| Failure::bad_request("Cần chọn đơn vị (?unit=MÃ).", "Name the unit (?unit=CODE).")),
    }
}

/// A unit's self-assessment (whoever may read the unit).
#[utoipa::path(get, path = "/emulation/self", tag = "emulation", params(crate::campaign_choice::CampaignQuery, UnitQuery),
    responses((status = 200, description = "The unit's scores", body = UnitScoresOut), super::doc::BadRequest, Unauthenticated, Forbidden, NotFound))]
pub async fn show_self(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<UnitQuery>,
) -> Result<Json<UnitScoresOut>, ApiError> {
    let actor = logged_in(actor)?;
    let code = unit_code(&state, &actor, &q).await?;
    Ok(Json(act::unit_scores(&state, campaign, &actor, &client, &code).await?.into()))
}

/// One self-score with its evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfScoreIn {
    /// The assessed criterion's number
    pub criterion: String,
    /// 0 to the criterion's maximum
    pub points: f64,
    /// Số văn bản
    #[serde(default)]
    pub doc_number: String,
    /// Ký hiệu văn bản
    #[serde(default)]
    pub doc_symbol: String,
    #[serde(default)]
    pub doc_date: Option<NaiveDate>,
    /// What was done, in words
    #[serde(default)]
    pub evidence: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfIn {
    pub scores: Vec<SelfScoreIn>,
}

/// Sets a unit's self-scores (its own account, or the office; audited, each change
/// kept). A score outside 0..max is refused (422) and nothing stored; after the
/// deadline a unit's account gets 409 unless the office reopened it.
#[utoipa::path(put, path = "/emulation/self", tag = "emulation", params(crate::campaign_choice::CampaignQuery, UnitQuery),
    request_body = SelfIn,
    responses((status = 200, description = "The unit's scores", body = UnitScoresOut), JsonBody, Unauthenticated, Forbidden, NotFound,
        (status = 409, description = "Self-assessment is closed, or the campaign is archived", body = super::doc::Error)))]
pub async fn save_self(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<UnitQuery>,
    Object(b): Object<SelfIn>,
) -> Result<Json<UnitScoresOut>, ApiError> {
    let actor = logged_in(actor)?;
    let code = unit_code(&state, &actor, &q).await?;
    let inputs: Vec<SelfInput> = b
        .scores
        .into_iter()
        .map(|s| SelfInput {
            criterion: s.criterion,
            points: Points((s.points * 100.0).round() as i64).en(),
            evidence: Evidence {
                doc_number: s.doc_number,
                doc_symbol: s.doc_symbol,
                doc_date: s.doc_date,
                text: s.evidence,
            },
        })
        .collect();
    Ok(Json(act::save_self(&state, campaign, &actor, &client, &code, &inputs).await?.into()))
}

/// One reviewed score.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewScoreIn {
    pub criterion: String,
    /// The accepted points (the self-score, or another with a comment)
    pub points: f64,
    #[serde(default)]
    pub comment: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    pub reviews: Vec<ReviewScoreIn>,
}

/// Accepts or adjusts a unit's self-scores (the office or a steering member; audited,
/// each change kept).
#[utoipa::path(put, path = "/emulation/review", tag = "emulation", params(crate::campaign_choice::CampaignQuery, UnitQuery),
    request_body = ReviewIn,
    responses((status = 200, description = "The unit's scores", body = UnitScoresOut), JsonBody, Unauthenticated, Forbidden, NotFound))]
pub async fn review(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Query(q): Query<UnitQuery>,
    Object(b): Object<ReviewIn>,
) -> Result<Json<UnitScoresOut>, ApiError> {
    let actor = logged_in(actor)?;
    let code = unit_code(&state, &actor, &q).await?;
    let inputs: Vec<ReviewInput> = b
        .reviews
        .into_iter()
        .map(|r| {
            let points =
                if r.points < 0.0 { format!("-{}", -r.points) } else { Points((r.points * 100.0).round() as i64).en() };
            ReviewInput { criterion: r.criterion, points, comment: r.comment }
        })
        .collect();
    Ok(Json(act::save_review(&state, campaign, &actor, &client, &code, &inputs).await?.into()))
}

/// An emulation cluster and its units' codes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterBody {
    pub name: String,
    pub units: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClustersBody {
    pub clusters: Vec<ClusterBody>,
}

fn clusters_out(v: Vec<act::ClusterView>) -> ClustersBody {
    ClustersBody {
        clusters: v
            .into_iter()
            .map(|c| ClusterBody { name: c.name, units: c.units.into_iter().map(|u| u.code).collect() })
            .collect(),
    }
}

/// The campaign's emulation clusters (any logged-in user).
#[utoipa::path(get, path = "/emulation/clusters", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    responses((status = 200, description = "The clusters", body = ClustersBody), Unauthenticated))]
pub async fn clusters(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
) -> Result<Json<ClustersBody>, ApiError> {
    logged_in(actor)?;
    Ok(Json(clusters_out(act::clusters(&state, campaign).await?)))
}

/// Replaces the clusters (the office; audited): a unit in at most one cluster,
/// unknown codes refused, nothing stored then.
#[utoipa::path(put, path = "/emulation/clusters", tag = "emulation", params(crate::campaign_choice::CampaignQuery),
    request_body = ClustersBody,
    responses((status = 200, description = "The clusters as stored", body = ClustersBody), JsonBody, Unauthenticated, Forbidden))]
pub async fn set_clusters(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    client: ClientIp,
    Object(b): Object<ClustersBody>,
) -> Result<Json<ClustersBody>, ApiError> {
    let actor = logged_in(actor)?;
    let wanted: Vec<(String, Vec<String>)> = b.clusters.into_iter().map(|c| (c.name, c.units)).collect();
    Ok(Json(clusters_out(act::set_clusters(&state, campaign, &actor, &client, &wanted).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// A cluster's id or name (every cluster by default)
    cluster: Option<String>,
}

/// The emulation ranking within each cluster and overall, every score broken down
/// criterion by criterion with its source.
#[derive(ToSchema)]
#[schema(as = EmulationRanking, value_type = Object)]
#[allow(dead_code)]
pub struct RankingSchema(act::EmulationRanking);

/// The ranking (the office and steering: every cluster and overall; a unit: the
/// clusters holding its units). Ties share the rank, listed by unit name.
#[utoipa::path(get, path = "/emulation/ranking", tag = "emulation", params(crate::campaign_choice::CampaignQuery, RankingQuery),
    responses((status = 200, description = "The ranking: each cluster's units in rank order with their total and every criterion's points and source", body = RankingSchema), Unauthenticated, Forbidden, NotFound))]
pub async fn ranking(
    State(state): State<AppState>,
    InCampaign(ref campaign): InCampaign,
    actor: MaybeActor,
    Query(q): Query<RankingQuery>,
) -> Result<Json<act::EmulationRanking>, ApiError> {
    let actor = logged_in(actor)?;
    Ok(Json(act::ranking(&state, campaign, &actor, q.cluster.as_deref()).await?))
}
