//! The commendation pages (khen thưởng): the award forms the office sets
//! (/emulation/awards) and the nominations (/emulation/nominations): the collectives
//! each form may go to, the nomination form, the list with its review, and the
//! documents. Plain forms: nothing needs JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::emulation::commendation::{AwardForm, Decision, NomineeText, Target};
use phongtrao_domain::emulation::Points;
use phongtrao_domain::policy::{allows, Action};
use phongtrao_storage::campaigns::StoredCampaign;

use crate::actions::commendations::{self as act, FormCandidates, NominationInput, NominationView};
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::documents::commendation::{self as docs, CommendationDoc};
use crate::error::{AppError, Failure};
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::pages::typed::{self, field};
use crate::AppState;

fn invalid(vi: impl Into<String>, en: impl Into<String>) -> Failure {
    Failure::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid", vi, en)
}

/// One row of the award forms' form.
pub struct FormRow {
    pub id: String,
    pub name: String,
    pub collective: bool,
    pub max_rank: String,
    pub min_points: String,
    pub all_on_time: bool,
    pub quota: String,
    pub rules: String,
    /// Ticked "xóa" (a refused save shows the ticks as they were).
    pub removed: bool,
}

fn form_row(id: Option<i64>, f: &AwardForm, vi: bool) -> FormRow {
    FormRow {
        id: id.map(|i| i.to_string()).unwrap_or_default(),
        name: f.name.clone(),
        collective: f.target == Target::Collective,
        max_rank: f.max_rank.map(|r| r.to_string()).unwrap_or_default(),
        min_points: f.min_points.map(|p| if vi { p.vi() } else { p.en() }).unwrap_or_default(),
        all_on_time: f.all_on_time,
        quota: f.quota.map(|q| q.to_string()).unwrap_or_default(),
        rules: if vi { f.rules_vi() } else { f.rules_en() },
        removed: false,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "emulation_awards.html")]
pub struct AwardsPage {
    pub chrome: Chrome,
    pub rows: Vec<FormRow>,
    pub stored: bool,
    pub can_edit: bool,
    pub vi: bool,
    /// Why the last save was refused (nothing was stored).
    pub error: Option<String>,
}

impl AwardsPage {
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        if self.vi {
            vi
        } else {
            en
        }
    }
}

/// GET /emulation/awards: the award forms (the office edits them; the default
/// set from the plan is proposed until they are saved).
pub async fn awards(State(state): State<AppState>, page: Page) -> Result<AwardsPage, AppError> {
    awards_page(&state, &page).await
}

async fn awards_page(state: &AppState, page: &Page) -> Result<AwardsPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let vi = page.lang == Lang::Vi;
    let stored = act::forms(state, campaign).await.map_err(|f| page.fail(f))?;
    let mut rows: Vec<FormRow> = if stored.is_empty() {
        act::proposed_default(campaign).iter().map(|f| form_row(None, f, vi)).collect()
    } else {
        stored.iter().map(|f| form_row(Some(f.id), &f.form, vi)).collect()
    };
    let can_edit = allows(&actor.policy(), Action::AdministerCampaign, &[]);
    if can_edit {
        for _ in 0..2 {
            rows.push(FormRow {
                id: String::new(),
                name: String::new(),
                collective: true,
                max_rank: String::new(),
                min_points: String::new(),
                all_on_time: false,
                quota: String::new(),
                rules: String::new(),
                removed: false,
            });
        }
    }
    let title = if vi { "Hình thức khen thưởng" } else { "Award forms" };
    Ok(AwardsPage {
        chrome: page.chrome(title, "emulation"),
        rows,
        stored: !stored.is_empty(),
        can_edit,
        vi,
        error: None,
    })
}

/// A refused save of the award forms: the page again with the message above the form
/// and every row as typed (nothing was stored); a refusal of access or a fault is the
/// error page.
async fn refused_awards(
    state: &AppState,
    page: &Page,
    pairs: &[(String, String)],
    f: Failure,
) -> Result<Response, AppError> {
    if !typed::shown_on_the_form(&f) {
        return Err(page.fail(f));
    }
    let mut again = awards_page(state, page).await?;
    again.rows = typed::rows(pairs, "name", 100, |get| FormRow {
        id: get("id"),
        name: get("name"),
        collective: get("target") != "individual",
        max_rank: get("max_rank"),
        min_points: get("min_points"),
        all_on_time: !get("all_on_time").is_empty(),
        quota: get("quota"),
        rules: String::new(),
        removed: !get("remove").is_empty(),
    });
    again.error = Some(f.message(page.lang).to_string());
    Ok((f.status, again).into_response())
}

fn number_or_none<T: std::str::FromStr>(
    text: &str,
    line: usize,
    what_vi: &str,
    what_en: &str,
) -> Result<Option<T>, (String, String)> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<T>().map(Some).map_err(|_| {
        (
            format!("Dòng {line}: {what_vi} \"{t}\" không phải số."),
            format!("Row {line}: {what_en} \"{t}\" is not a number."),
        )
    })
}

/// POST /emulation/awards: saves the forms (rows ticked "xóa" and blank rows left out).
pub async fn save_awards(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let count = pairs.iter().filter(|(k, _)| k.starts_with("name.")).count().min(100);
    let mut rows = Vec::new();
    let mut problems: Vec<(String, String)> = Vec::new();
    for i in 0..count {
        let get = |name: &str| field(&pairs, &format!("{name}.{i}")).trim().to_string();
        if !get("remove").is_empty() {
            continue;
        }
        let (name, max_rank, min_points, quota) = (get("name"), get("max_rank"), get("min_points"), get("quota"));
        if name.is_empty() && max_rank.is_empty() && min_points.is_empty() && quota.is_empty() {
            continue;
        }
        let line = i + 1;
        let target = if get("target") == "individual" { Target::Individual } else { Target::Collective };
        let max_rank = number_or_none::<u32>(&max_rank, line, "hạng", "rank");
        let quota = number_or_none::<u32>(&quota, line, "số lượng", "quota");
        let min_points = if min_points.is_empty() {
            Ok(None)
        } else {
            Points::parse(&min_points)
                .map(Some)
                .map_err(|(vi, en)| (format!("Dòng {line}: {vi}"), format!("Row {line}: {en}")))
        };
        match (max_rank, quota, min_points) {
            (Ok(max_rank), Ok(quota), Ok(min_points)) => {
                let id = get("id").parse::<i64>().ok();
                rows.push((
                    id,
                    AwardForm {
                        name,
                        target,
                        max_rank,
                        min_points,
                        all_on_time: !get("all_on_time").is_empty(),
                        quota,
                    },
                ));
            }
            (a, b, c) => {
                problems.extend([a.err(), b.err(), c.err()].into_iter().flatten());
            }
        }
    }
    if !problems.is_empty() {
        let (vi, en): (Vec<String>, Vec<String>) = problems.into_iter().unzip();
        let f = invalid(
            format!("Hình thức khen thưởng chưa lưu được: {}", vi.join("; ")),
            format!("The award forms were not saved: {}", en.join("; ")),
        );
        return refused_awards(&state, &page, &pairs, f).await;
    }
    if let Err(f) = act::save_forms(&state, campaign, &actor, &page.client, rows).await {
        return refused_awards(&state, &page, &pairs, f).await;
    }
    Ok(Redirect::to("/emulation/awards?saved=1").into_response())
}

/// POST /emulation/awards/default: stores the default forms.
pub async fn default_awards(State(state): State<AppState>, page: Page) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    act::create_default(&state, campaign, &actor, &page.client).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to("/emulation/awards?saved=1").into_response())
}

/// One step of a nomination's history, as the page shows it.
pub struct Step {
    pub at: String,
    pub by: String,
    pub what: String,
    pub comment: String,
}

pub struct NominationCard {
    pub n: NominationView,
    pub steps: Vec<Step>,
    /// Its photos and files (report_attachments.html); None: the reader may not see them.
    pub evidence: Option<crate::pages::attachments::EvidenceBox>,
}

#[derive(Template, WebTemplate)]
#[template(path = "emulation_nominations.html")]
pub struct NominationsPage {
    pub chrome: Chrome,
    pub candidates: Vec<FormCandidates>,
    pub cards: Vec<NominationCard>,
    /// (id, name, individual?) of every form.
    pub forms: Vec<(i64, String, bool)>,
    pub units: Vec<(String, String)>,
    pub can_nominate: bool,
    pub can_documents: bool,
    pub vi: bool,
    /// Why the last nomination was not saved (shown above the form, which keeps what
    /// was typed).
    pub error: Option<String>,
    pub typed: Typed,
}

/// What was typed in the new-nomination form, given back with a refusal.
#[derive(Debug, Clone, Default)]
pub struct Typed {
    pub award_form_id: String,
    pub unit: String,
    pub person_name: String,
    pub birth_year: String,
    pub position: String,
    pub achievements: String,
    pub evidence: String,
}

impl Typed {
    fn from_pairs(pairs: &[(String, String)]) -> Typed {
        let f = |k: &str| field(pairs, k).to_string();
        Typed {
            award_form_id: f("award_form_id"),
            unit: f("unit"),
            person_name: f("person_name"),
            birth_year: f("birth_year"),
            position: f("position"),
            achievements: f("achievements"),
            evidence: f("evidence"),
        }
    }
}

impl NominationsPage {
    pub fn t<'a>(&self, vi: &'a str, en: &'a str) -> &'a str {
        if self.vi {
            vi
        } else {
            en
        }
    }
    pub fn pts(&self, p: &f64) -> String {
        let p = Points((p * 100.0).round() as i64);
        if self.vi {
            p.vi()
        } else {
            p.en()
        }
    }
}

fn step_word(action: &str, vi: bool) -> String {
    let (v, e) = match action {
        "submit" => ("đề nghị", "proposed"),
        "resubmit" => ("sửa và gửi lại", "corrected and sent again"),
        "accept" => ("duyệt", "accepted"),
        "endorse" => ("duyệt, chuyển cấp trên", "endorsed and sent up"),
        "return" => ("trả lại", "returned"),
        "reject" => ("không duyệt", "rejected"),
        other => (other, other),
    };
    if vi { v } else { e }.to_string()
}

/// GET /emulation/nominations: the collectives proposed per form, the nomination
/// form, the nominations with their review, and the documents.
pub async fn nominations(State(state): State<AppState>, page: Page) -> Result<NominationsPage, AppError> {
    build(&state, &page).await
}

async fn build(state: &AppState, page: &Page) -> Result<NominationsPage, AppError> {
    let state = state.clone();
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let vi = page.lang == Lang::Vi;
    let fail = |f| page.fail(f);
    let forms = act::forms(&state, campaign).await.map_err(fail)?;
    let candidates = act::candidates(&state, campaign, &actor).await.map_err(fail)?;
    let list = act::list(&state, campaign, &actor).await.map_err(fail)?;
    let units = act::unit_choices(&state, &actor).await.map_err(fail)?;
    let tz = campaign.plan.campaign.timezone;
    let mut boxes = Vec::new();
    for n in &list {
        let r = phongtrao_domain::attachment::OwnerRef {
            kind: phongtrao_domain::attachment::OwnerKind::Nomination,
            unit: n.unit.clone(),
            key: n.id.to_string(),
        };
        let evidence = crate::pages::attachments::evidence_box(
            &state,
            campaign,
            &actor,
            &page.client,
            &r,
            "/emulation/nominations",
            page.lang,
        )
        .await
        .ok();
        boxes.push(evidence);
    }
    let cards = list
        .into_iter()
        .zip(boxes)
        .map(|(n, evidence)| NominationCard {
            evidence,
            steps: n
                .history
                .iter()
                .map(|h| Step {
                    at: phongtrao_domain::format::date_time(&h.at.with_timezone(&tz)),
                    by: h.by_name.clone(),
                    what: step_word(&h.action, vi),
                    comment: h.comment.clone(),
                })
                .collect(),
            n,
        })
        .collect();
    let title = if vi { "Đề nghị khen thưởng" } else { "Nominations" };
    Ok(NominationsPage {
        chrome: page.chrome(title, "emulation"),
        candidates,
        cards,
        forms: forms.iter().map(|f| (f.id, f.form.name.clone(), f.form.target == Target::Individual)).collect(),
        can_nominate: !units.is_empty() && allows(&actor.policy(), Action::WriteUnit, &actor.unit_ids)
            || actor.user.role == phongtrao_domain::role::Role::Admin,
        units: units.into_iter().map(|u| (u.code, u.name)).collect(),
        can_documents: allows(&actor.policy(), Action::ReadEverything, &[]),
        vi,
        error: None,
        typed: Typed::default(),
    })
}

fn nominee_text(pairs: &[(String, String)]) -> Result<NomineeText, Failure> {
    let year = field(pairs, "birth_year").trim();
    let birth_year = if year.is_empty() {
        None
    } else {
        Some(year.parse::<i32>().map_err(|_| {
            invalid(
                format!("Năm sinh \"{year}\" không phải số."),
                format!("The year of birth \"{year}\" is not a number."),
            )
        })?)
    };
    Ok(NomineeText {
        person_name: field(pairs, "person_name").to_string(),
        birth_year,
        position: field(pairs, "position").to_string(),
        achievements: field(pairs, "achievements").to_string(),
        evidence: field(pairs, "evidence").to_string(),
    })
}

/// POST /emulation/nominations: a new nomination.
pub async fn nominate(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let saved = match nominee_text(&pairs) {
        Ok(text) => {
            let input = NominationInput {
                award_form_id: field(&pairs, "award_form_id").trim().parse().unwrap_or(0),
                unit: field(&pairs, "unit").to_string(),
                text,
            };
            act::nominate(&state, campaign, &actor, &page.client, input).await
        }
        Err(f) => Err(f),
    };
    match saved {
        Ok(n) => Ok(Redirect::to(&format!("/emulation/nominations?saved=1#n-{}", n.id)).into_response()),
        // Bad input: the page again, the message above the form, what was typed kept.
        Err(f) if f.status.is_client_error() && f.status != StatusCode::FORBIDDEN => {
            let mut again = build(&state, &page).await?;
            again.error = Some(f.message(page.lang).to_string());
            again.typed = Typed::from_pairs(&pairs);
            Ok((f.status, again).into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}

/// POST /emulation/nominations/{id}: the proposer corrects it and sends it again.
pub async fn resubmit(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let text = nominee_text(&pairs).map_err(|f| page.fail(f))?;
    act::resubmit(&state, campaign, &actor, &page.client, id, text).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/emulation/nominations?saved=1#n-{id}")).into_response())
}

/// POST /emulation/nominations/{id}/review: accept, return or reject.
pub async fn review(
    State(state): State<AppState>,
    page: Page,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let decision = Decision::parse(field(&pairs, "decision")).ok_or_else(|| {
        page.fail(invalid("Chọn duyệt, trả lại hoặc không duyệt.", "Choose accept, return or reject."))
    })?;
    act::review(&state, campaign, &actor, &page.client, id, decision, field(&pairs, "comment"))
        .await
        .map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/emulation/nominations?saved=1#n-{id}")).into_response())
}

/// A commendation document as a download: proposal.docx, list.docx, decision.docx
/// or list.xlsx (the page and the API).
pub async fn document_response(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    file: &str,
) -> Result<Response, Failure> {
    let accepted = act::accepted(state, campaign, actor, client).await?;
    let code = &campaign.row.code;
    let (bytes, content_type, name) = if file == "list.xlsx" {
        (
            docs::list_xlsx(campaign, &accepted)?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("danh-sach-de-nghi-khen-thuong-{code}.xlsx"),
        )
    } else {
        let kind = file.strip_suffix(".docx").and_then(CommendationDoc::parse).ok_or_else(Failure::not_found)?;
        let day = state.now().with_timezone(&campaign.plan.campaign.timezone).date_naive();
        (
            docs::build(kind, campaign, &accepted, day)?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            format!("{}-{code}.docx", kind.file_stem()),
        )
    };
    let name: String = name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect();
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// GET /emulation/nominations/documents/{file}: the documents from the page.
pub async fn document(
    State(state): State<AppState>,
    page: Page,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    document_response(&state, campaign, &actor, &page.client, &file).await.map_err(|f| page.fail(f))
}
