//! Commendations (khen thưởng, issue #22 item 4): the award forms of a campaign with
//! their eligibility rules, the collectives each form may go to (from the emulation
//! ranking, with the reasons the others may not), nominations of collectives and
//! individuals proposed by a unit's account for its subtree and reviewed up the tree
//! (the parent unit or the office), and the accepted nominations the documents list.

use std::collections::HashMap;

use axum::http::StatusCode;
use phongtrao_domain::emulation::commendation::{
    self as rules, check_forms, check_nominee, check_review, default_forms, AwardForm, Decision, NomineeText, Standing,
    Status, Target,
};
use phongtrao_domain::policy::{allows, Action};
use phongtrao_domain::role::Role;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::commendations::{
    self as store, FormsSaved, HistoryRow, NewNomination, NominationRow, StoredForm,
};
use phongtrao_storage::units::{self, UnitRow};
use serde::Serialize;

use crate::actions::emulation::{self as emulation, EmulationRanking};
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, require_in, who};
use crate::campaign_choice::ensure_running;
use crate::error::Failure;
use crate::AppState;

fn invalid(vi: impl Into<String>, en: impl Into<String>) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", vi, en)
}

fn joined(what_vi: &str, what_en: &str, problems: Vec<(String, String)>) -> Failure {
    let (vi, en): (Vec<String>, Vec<String>) = problems.into_iter().unzip();
    invalid(format!("{what_vi}: {}", vi.join("; ")), format!("{what_en}: {}", en.join("; ")))
}

/// The campaign's award forms (empty: none set yet; the pages propose the default).
pub async fn forms(state: &AppState, campaign: &StoredCampaign) -> Result<Vec<StoredForm>, Failure> {
    Ok(store::forms(&state.db, campaign.row.id).await?)
}

/// The default forms built from the plan (not stored).
pub fn proposed_default(campaign: &StoredCampaign) -> Vec<AwardForm> {
    default_forms(&campaign.plan)
}

/// Replaces the award forms (the office): every row checked, all problems named at
/// once, nothing stored unless all are right; removing a form that has nominations
/// is refused (409).
pub async fn save_forms(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    rows: Vec<(Option<i64>, AwardForm)>,
) -> Result<Vec<StoredForm>, Failure> {
    ensure_running(campaign)?;
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    let plain: Vec<AwardForm> = rows.iter().map(|(_, f)| f.clone()).collect();
    let problems = check_forms(&plain);
    if !problems.is_empty() {
        let lines = problems
            .into_iter()
            .map(
                |(row, (vi, en))| {
                    if row == 0 {
                        (vi, en)
                    } else {
                        (format!("Dòng {row}: {vi}"), format!("Row {row}: {en}"))
                    }
                },
            )
            .collect();
        return Err(joined("Hình thức khen thưởng chưa lưu được", "The award forms were not saved", lines));
    }
    match store::save_forms(&state.db, campaign.row.id, &rows, &who(Some(actor), client), state.now()).await? {
        FormsSaved::Saved => forms(state, campaign).await,
        FormsSaved::NominatedRemoved(names) => Err(Failure::new(
            StatusCode::CONFLICT,
            "award_form_used",
            format!("Không xóa được \"{}\" vì đã có đề nghị khen thưởng; chưa lưu thay đổi.", names.join("\", \"")),
            format!("\"{}\" cannot be removed: it has nominations; nothing was changed.", names.join("\", \"")),
        )),
    }
}

/// Stores the default forms when the campaign has none.
pub async fn create_default(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
) -> Result<Vec<StoredForm>, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    if !forms(state, campaign).await?.is_empty() {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "award_forms_exist",
            "Chiến dịch đã có hình thức khen thưởng; sửa từng dòng.",
            "The campaign already has award forms; edit them instead.",
        ));
    }
    let rows = proposed_default(campaign).into_iter().map(|f| (None, f)).collect();
    save_forms(state, campaign, actor, client, rows).await
}

/// A collective's standing for commendations: its rank in its cluster (or overall
/// without clusters), its total and its late/missing reports.
#[derive(Debug, Clone, Serialize)]
pub struct StandingView {
    pub cluster: String,
    pub rank: u32,
    pub total: f64,
    pub late: u64,
    pub missing: u64,
    pub pending: bool,
}

fn standings(r: &EmulationRanking) -> HashMap<String, (StandingView, Standing)> {
    let mut out = HashMap::new();
    let lists = r.clusters.iter().chain(r.overall.iter().filter(|_| r.clusters.is_empty()));
    for c in lists {
        for u in &c.rows {
            out.entry(u.unit.clone()).or_insert_with(|| {
                (
                    StandingView {
                        cluster: c.name.clone(),
                        rank: u.rank,
                        total: u.total.as_f64(),
                        late: u.late,
                        missing: u.missing,
                        pending: u.pending,
                    },
                    Standing { rank: u.rank, total: u.total, late: u.late, missing: u.missing, pending: u.pending },
                )
            });
        }
    }
    out
}

/// One collective the page proposes (or explains why not) for a form.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub unit: String,
    pub unit_name: String,
    pub standing: Option<StandingView>,
    pub eligible: bool,
    /// Why not (empty when eligible), Vietnamese and English.
    pub reasons_vi: Vec<String>,
    pub reasons_en: Vec<String>,
    /// Already nominated for this form (not rejected).
    pub nominated: bool,
    /// What the nomination would say: "Hạng 1 Cụm 1, 86 điểm thi đua".
    pub suggested_achievements: String,
}

/// A collective form with the ranked units the actor may nominate.
#[derive(Debug, Clone, Serialize)]
pub struct FormCandidates {
    pub form: StoredForm,
    pub rules_vi: String,
    pub rules_en: String,
    /// Nominations already made (not rejected).
    pub used: usize,
    pub quota_full: bool,
    pub candidates: Vec<Candidate>,
}

/// The units the actor may nominate: their own subtrees (the office: every unit).
async fn nominable(state: &AppState, actor: &Actor) -> Result<Option<Vec<i64>>, Failure> {
    if actor.user.role == Role::Admin {
        return Ok(None);
    }
    if !allows(&actor.policy(), Action::WriteUnit, &actor.unit_ids) || actor.unit_ids.is_empty() {
        return Ok(Some(Vec::new()));
    }
    let mut ids = Vec::new();
    for u in &actor.unit_ids {
        ids.extend(units::subtree_ids(&state.db, *u).await?);
    }
    Ok(Some(ids))
}

fn used_count(nominations: &[NominationRow], form_id: i64) -> usize {
    nominations.iter().filter(|n| n.award_form_id == form_id && n.status() != Status::Rejected).count()
}

/// For every collective form, the ranked units within the actor's reach: eligible
/// or not, with the reasons.
pub async fn candidates(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
) -> Result<Vec<FormCandidates>, Failure> {
    let forms = forms(state, campaign).await?;
    if !forms.iter().any(|f| f.form.target == Target::Collective) {
        return Ok(Vec::new());
    }
    let ranking = emulation::full_ranking(state, campaign).await?;
    let standings = standings(&ranking);
    // Those who read everything (steering) see every candidate; a unit its subtree.
    let reach =
        if allows(&actor.policy(), Action::ReadEverything, &[]) { None } else { nominable(state, actor).await? };
    let nominations = store::nominations(&state.db, campaign.row.id).await?;
    // The ranked units, in the ranking's order (clusters one after another).
    let mut ranked: Vec<(String, String)> = Vec::new();
    for c in ranking.clusters.iter().chain(ranking.overall.iter().filter(|_| ranking.clusters.is_empty())) {
        for u in &c.rows {
            if !ranked.iter().any(|(code, _)| code == &u.unit) {
                ranked.push((u.unit.clone(), u.unit_name.clone()));
            }
        }
    }
    let codes: Vec<String> = ranked.iter().map(|(c, _)| c.clone()).collect();
    let rows = units::by_codes(&state.db, &codes).await?;
    let id_of: HashMap<String, i64> = rows.iter().map(|u| (u.code.clone(), u.id)).collect();
    let mut out = Vec::new();
    for f in forms.into_iter().filter(|f| f.form.target == Target::Collective) {
        let used = used_count(&nominations, f.id);
        let mut list = Vec::new();
        for (code, name) in &ranked {
            let Some(id) = id_of.get(code) else { continue };
            if reach.as_ref().is_some_and(|r| !r.contains(id)) {
                continue;
            }
            let s = standings.get(code);
            let reasons = rules::ineligibility(&f.form, s.map(|(_, s)| s));
            let nominated = nominations
                .iter()
                .any(|n| n.award_form_id == f.id && n.unit_id == *id && n.status() != Status::Rejected);
            let suggested = s
                .map(|(v, st)| format!("Xếp hạng {} {}, đạt {} điểm thi đua", v.rank, v.cluster, st.total.vi()))
                .unwrap_or_default();
            list.push(Candidate {
                unit: code.clone(),
                unit_name: name.clone(),
                standing: s.map(|(v, _)| v.clone()),
                eligible: reasons.is_empty(),
                reasons_vi: reasons.iter().map(|(vi, _)| vi.clone()).collect(),
                reasons_en: reasons.iter().map(|(_, en)| en.clone()).collect(),
                nominated,
                suggested_achievements: suggested,
            });
        }
        out.push(FormCandidates {
            rules_vi: f.form.rules_vi(),
            rules_en: f.form.rules_en(),
            quota_full: rules::within_quota(&f.form, used).is_err(),
            used,
            form: f,
            candidates: list,
        });
    }
    Ok(out)
}

/// A nomination as the pages and the API show it.
#[derive(Debug, Clone, Serialize)]
pub struct NominationView {
    pub id: i64,
    pub award_form_id: i64,
    pub award_form: String,
    /// collective or individual
    pub target: Target,
    pub unit: String,
    pub unit_name: String,
    pub person_name: String,
    pub birth_year: Option<i64>,
    pub position: String,
    pub achievements: String,
    pub evidence: String,
    pub status: Status,
    pub status_vi: String,
    pub review_comment: String,
    pub proposed_by: String,
    pub reviewed_by: Option<String>,
    pub history: Vec<HistoryRow>,
    /// The actor may decide it now.
    pub can_review: bool,
    /// The actor may correct it and send it again (its proposer, while waiting or returned).
    pub can_edit: bool,
}

impl NominationView {
    /// "Nguyễn Văn An" or the unit's name.
    pub fn nominee(&self) -> &str {
        if self.target == Target::Individual {
            &self.person_name
        } else {
            &self.unit_name
        }
    }
}

/// Why the actor may not review a nomination (None: it may).
async fn review_refusal(state: &AppState, actor: &Actor, n: &NominationRow) -> Result<Option<Failure>, Failure> {
    let own = || {
        Failure::new(
            StatusCode::FORBIDDEN,
            "own_nomination",
            "Không tự duyệt đề nghị khen thưởng của chính mình hoặc của đơn vị mình: đơn vị cấp trên hoặc văn phòng duyệt.",
            "A nomination cannot be reviewed by whoever proposed it or by its own unit: the parent unit or the office reviews it.",
        )
    };
    if n.created_by_user == Some(actor.user.id) {
        return Ok(Some(own()));
    }
    if matches!(actor.user.role, Role::Admin | Role::Steering) {
        return Ok(None);
    }
    if !matches!(actor.user.role, Role::Unit | Role::UnitOffice) {
        return Ok(Some(Failure::forbidden()));
    }
    let Some(proposer) = n.proposer_unit_id else { return Ok(Some(Failure::forbidden())) };
    // Up the tree: the first review is above the proposer, the next above the unit
    // that endorsed it, and so on.
    let level = n.endorsed_unit_id.unwrap_or(proposer);
    if actor.unit_ids.contains(&proposer) || actor.unit_ids.contains(&level) {
        return Ok(Some(own()));
    }
    Ok(reviewer_unit(state, actor, level).await?.is_none().then(Failure::forbidden))
}

/// Two reviewers at once: the second finds it decided.
fn decided_meanwhile() -> Failure {
    Failure::new(
        StatusCode::CONFLICT,
        "nomination_decided",
        "Đề nghị này vừa được người khác xử lý.",
        "Someone else has just decided this nomination.",
    )
}

/// The actor's unit strictly above `level`, the nearest one (None: none).
async fn reviewer_unit(state: &AppState, actor: &Actor, level: i64) -> Result<Option<i64>, Failure> {
    let ancestry = units::ancestry(&state.db, level).await?;
    Ok(ancestry.into_iter().skip(1).find(|a| actor.unit_ids.contains(a)))
}

async fn view(
    state: &AppState,
    actor: &Actor,
    n: &NominationRow,
    forms: &[StoredForm],
    history: &[HistoryRow],
) -> Result<NominationView, Failure> {
    let form = forms.iter().find(|f| f.id == n.award_form_id);
    let status = n.status();
    let can_review = status == Status::Pending && review_refusal(state, actor, n).await?.is_none();
    let can_edit = matches!(status, Status::Pending | Status::Returned)
        && (n.created_by_user == Some(actor.user.id)
            || n.proposer_unit_id.is_some_and(|p| actor.user.role == Role::Unit && actor.unit_ids.contains(&p)));
    Ok(NominationView {
        id: n.id,
        award_form_id: n.award_form_id,
        award_form: form.map(|f| f.form.name.clone()).unwrap_or_default(),
        target: Target::parse(&n.kind).unwrap_or(Target::Collective),
        unit: n.unit_code.clone(),
        unit_name: n.unit_name.clone(),
        person_name: n.person_name.clone(),
        birth_year: n.birth_year,
        position: n.person_position.clone(),
        achievements: n.achievements.clone(),
        evidence: n.evidence.clone(),
        status,
        status_vi: match (status, n.endorsed_unit_id) {
            (Status::Pending, Some(unit)) => {
                let name = units::by_id(&state.db, unit).await?.map(|u| u.name).unwrap_or_default();
                format!("{} cấp trên (đã được {name} duyệt)", status.vi())
            }
            _ => status.vi().to_string(),
        },
        review_comment: n.review_comment.clone(),
        proposed_by: n.created_by.clone(),
        reviewed_by: n.reviewed_by.clone(),
        history: history.iter().filter(|h| h.nomination_id == n.id).cloned().collect(),
        can_review,
        can_edit,
    })
}

/// The nominations the actor may see: the office and steering every one; a unit's
/// account those of its subtree (the ones it made and those its sub-units made).
pub async fn list(state: &AppState, campaign: &StoredCampaign, actor: &Actor) -> Result<Vec<NominationView>, Failure> {
    let forms = forms(state, campaign).await?;
    let rows = store::nominations(&state.db, campaign.row.id).await?;
    let history = store::history(&state.db, campaign.row.id).await?;
    let sees_all = allows(&actor.policy(), Action::ReadEverything, &[]);
    let mut out = Vec::new();
    // Rows in the forms' order, then as they came.
    for f in &forms {
        for n in rows.iter().filter(|n| n.award_form_id == f.id) {
            if !sees_all {
                let ancestry = units::ancestry(&state.db, n.unit_id).await?;
                if !allows(&actor.policy(), Action::ReadUnit, &ancestry) {
                    continue;
                }
            }
            out.push(view(state, actor, n, &forms, &history).await?);
        }
    }
    Ok(out)
}

/// A nomination as typed: the form, the unit (the collective itself, or the
/// individual's unit) and the text.
#[derive(Debug, Clone, Default)]
pub struct NominationInput {
    pub award_form_id: i64,
    pub unit: String,
    pub text: NomineeText,
}

fn form_of(forms: &[StoredForm], id: i64) -> Result<&StoredForm, Failure> {
    forms.iter().find(|f| f.id == id).ok_or_else(|| {
        invalid(
            "Chưa chọn hình thức khen thưởng, hoặc hình thức không có trong chiến dịch.",
            "Choose an award form of the campaign.",
        )
    })
}

/// Nominates a collective or an individual (a unit's account for its subtree, or
/// the office): the text checked, a collective's eligibility and the form's quota
/// enforced, nothing stored unless all is right; audited.
pub async fn nominate(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    input: NominationInput,
) -> Result<NominationView, Failure> {
    ensure_running(campaign)?;
    let forms = forms(state, campaign).await?;
    let code = input.unit.trim();
    if code.is_empty() {
        return Err(invalid("Chưa chọn đơn vị.", "Choose the unit."));
    }
    let unit: UnitRow = crate::campaign_choice::unit_by_code(&state.db, campaign, code)
        .await?
        .filter(|u| u.active)
        .ok_or_else(|| invalid(format!("Không có đơn vị mã {code}."), format!("No unit has the code {code}.")))?;
    let ancestry = units::ancestry(&state.db, unit.id).await?;
    require_in(state, actor, client, Action::WriteUnit, Some(unit.id), &ancestry).await?;
    let form = form_of(&forms, input.award_form_id)?;
    let text = check_nominee(form.form.target, input.text, campaign.plan.campaign.year)
        .map_err(|p| joined("Chưa lưu đề nghị khen thưởng", "The nomination was not saved", p))?;
    let nominations = store::nominations(&state.db, campaign.row.id).await?;
    if form.form.target == Target::Collective {
        if nominations
            .iter()
            .any(|n| n.award_form_id == form.id && n.unit_id == unit.id && n.status() != Status::Rejected)
        {
            return Err(Failure::new(
                StatusCode::CONFLICT,
                "already_nominated",
                format!("{} đã được đề nghị \"{}\".", unit.name, form.form.name),
                format!("{} is already nominated for \"{}\".", unit.name, form.form.name),
            ));
        }
        let needs_ranking = form.form.max_rank.is_some() || form.form.min_points.is_some() || form.form.all_on_time;
        let standing = if needs_ranking {
            let ranking = emulation::full_ranking(state, campaign).await?;
            standings(&ranking).get(&unit.code).map(|(_, s)| *s)
        } else {
            None
        };
        let reasons = rules::ineligibility(&form.form, standing.as_ref());
        if !reasons.is_empty() {
            let (vi, en): (Vec<String>, Vec<String>) = reasons.into_iter().unzip();
            return Err(invalid(
                format!("{} chưa đủ điều kiện \"{}\": {}.", unit.name, form.form.name, vi.join("; ")),
                format!("{} is not eligible for \"{}\": {}.", unit.name, form.form.name, en.join("; ")),
            ));
        }
    }
    let quota_error = || {
        let (vi, en) = rules::within_quota(&form.form, usize::MAX).err().unwrap_or_default();
        Failure::new(StatusCode::CONFLICT, "quota_reached", vi, en)
    };
    if rules::within_quota(&form.form, used_count(&nominations, form.id)).is_err() {
        return Err(quota_error());
    }
    // The proposer: the actor's unit the nominee belongs to (the office: none).
    let proposer_unit_id = if actor.user.role == Role::Admin {
        None
    } else {
        ancestry.iter().copied().find(|a| actor.unit_ids.contains(a))
    };
    let new =
        NewNomination { award_form_id: form.id, target: form.form.target, unit_id: unit.id, proposer_unit_id, text };
    let id = store::nominate(&state.db, campaign.row.id, &new, form.form.quota, &who(Some(actor), client), state.now())
        .await?
        .ok_or_else(quota_error)?;
    one(state, campaign, actor, id).await
}

async fn one(state: &AppState, campaign: &StoredCampaign, actor: &Actor, id: i64) -> Result<NominationView, Failure> {
    let n = store::nomination(&state.db, campaign.row.id, id).await?.ok_or_else(Failure::not_found)?;
    let forms = forms(state, campaign).await?;
    let history = store::history(&state.db, campaign.row.id).await?;
    view(state, actor, &n, &forms, &history).await
}

/// A nomination whose unit the actor may read (404 otherwise: its existence is not told).
async fn readable(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
) -> Result<NominationRow, Failure> {
    let n = store::nomination(&state.db, campaign.row.id, id).await?.ok_or_else(Failure::not_found)?;
    let ancestry = units::ancestry(&state.db, n.unit_id).await?;
    require_in(state, actor, client, Action::ReadUnit, Some(n.unit_id), &ancestry).await?;
    Ok(n)
}

/// Corrects a nomination (its proposer, while it waits or after it was returned) and
/// sends it for review again.
pub async fn resubmit(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
    text: NomineeText,
) -> Result<NominationView, Failure> {
    ensure_running(campaign)?;
    let n = readable(state, campaign, actor, client, id).await?;
    let ancestry = units::ancestry(&state.db, n.unit_id).await?;
    require_in(state, actor, client, Action::WriteUnit, Some(n.unit_id), &ancestry).await?;
    let current = one(state, campaign, actor, id).await?;
    if !current.can_edit {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "nomination_decided",
            format!("Đề nghị này {}, không sửa được.", n.status().vi()),
            format!("This nomination is {}: it cannot be changed.", n.status().en()),
        ));
    }
    let text = check_nominee(current.target, text, campaign.plan.campaign.year)
        .map_err(|p| joined("Chưa lưu đề nghị khen thưởng", "The nomination was not saved", p))?;
    store::resubmit(&state.db, campaign.row.id, id, &text, &who(Some(actor), client), state.now()).await?;
    one(state, campaign, actor, id).await
}

/// Reviews a nomination (the next unit above the level it has reached, a steering
/// member or the office; never its proposer): a unit above that accepts endorses it
/// and sends it up; the office or the steering committee accepts last (checking the
/// quota against the accepted ones), returns it with a comment, or rejects it.
pub async fn review(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
    decision: Decision,
    comment: &str,
) -> Result<NominationView, Failure> {
    ensure_running(campaign)?;
    let n = readable(state, campaign, actor, client, id).await?;
    if let Some(refusal) = review_refusal(state, actor, &n).await? {
        let entry = who(Some(actor), client)
            .entry("access.denied", "permission", Some("commendation.review".into()))
            .unit(Some(n.unit_id));
        if let Err(e) = phongtrao_storage::audit::record(&state.db, &entry, state.now()).await {
            tracing::error!(error = %e, "cannot record a refusal in the audit log");
        }
        return Err(refusal);
    }
    let comment = phongtrao_domain::text::clean_note(comment.trim());
    check_review(n.status(), decision, &comment)
        .map_err(|(vi, en)| Failure::new(StatusCode::CONFLICT, "invalid", vi, en))?;
    // A unit above accepts at its level and sends the nomination up; the office or
    // the steering committee decides last.
    if decision == Decision::Accept && matches!(actor.user.role, Role::Unit | Role::UnitOffice) {
        let level = n.endorsed_unit_id.or(n.proposer_unit_id).ok_or_else(Failure::forbidden)?;
        let unit = reviewer_unit(state, actor, level).await?.ok_or_else(Failure::forbidden)?;
        let changed = store::endorse(
            &state.db,
            campaign.row.id,
            id,
            unit,
            n.endorsed_unit_id,
            &comment,
            &who(Some(actor), client),
            state.now(),
        )
        .await?;
        if !changed {
            return Err(decided_meanwhile());
        }
        return one(state, campaign, actor, id).await;
    }
    if decision == Decision::Accept {
        let forms = forms(state, campaign).await?;
        let form = form_of(&forms, n.award_form_id)?;
        let accepted = store::nominations(&state.db, campaign.row.id)
            .await?
            .iter()
            .filter(|o| o.award_form_id == form.id && o.status() == Status::Accepted)
            .count();
        rules::within_quota(&form.form, accepted)
            .map_err(|(vi, en)| Failure::new(StatusCode::CONFLICT, "quota_reached", vi, en))?;
    }
    let changed =
        store::review(&state.db, campaign.row.id, id, decision, &comment, &who(Some(actor), client), state.now())
            .await?;
    if !changed {
        return Err(decided_meanwhile());
    }
    one(state, campaign, actor, id).await
}

/// The accepted nominations by form, collectives before individuals, each group in
/// the order the nominations came (the office and steering only).
pub async fn accepted(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
) -> Result<Vec<(StoredForm, Vec<NominationRow>)>, Failure> {
    require(state, actor, client, Action::ReadEverything, None).await?;
    let forms = forms(state, campaign).await?;
    let rows = store::nominations(&state.db, campaign.row.id).await?;
    let mut out = Vec::new();
    for f in forms {
        let mut list: Vec<NominationRow> =
            rows.iter().filter(|n| n.award_form_id == f.id && n.status() == Status::Accepted).cloned().collect();
        list.sort_by_key(|n| (n.kind != "collective", n.id));
        if !list.is_empty() {
            out.push((f, list));
        }
    }
    Ok(out)
}

/// The units a nomination form offers: the actor's subtrees (the office: every live unit).
pub async fn unit_choices(state: &AppState, actor: &Actor) -> Result<Vec<UnitRow>, Failure> {
    let all = units::list_live(&state.db).await?;
    Ok(match nominable(state, actor).await? {
        None => all.into_iter().filter(|u| u.active).collect(),
        Some(ids) => all.into_iter().filter(|u| u.active && ids.contains(&u.id)).collect(),
    })
}
