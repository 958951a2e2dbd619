//! The emulation pages (thi đua): the ranking (one card per unit, readable on a
//! phone), the criteria sheet the office edits or imports, a unit's
//! self-assessment form, the office's review of one unit, and the clusters. Plain
//! forms: nothing needs JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{NaiveDateTime, TimeZone};
use phongtrao_domain::emulation::{parse_rule, Criterion, Evidence, Points};
use phongtrao_domain::policy::{allows, Action};
use phongtrao_storage::emulation::Settings;
use serde::Deserialize;

use crate::actions::emulation::{self as act, ClusterView, EmulationRanking, ReviewInput, SelfInput, UnitScores};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::pages::typed::{self as form, field};
use crate::AppState;

#[derive(Deserialize)]
pub struct RankingQuery {
    #[serde(default)]
    cluster: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "emulation.html")]
pub struct RankingPage {
    pub chrome: Chrome,
    pub ranking: EmulationRanking,
    pub is_office: bool,
    pub is_admin: bool,
    pub vi: bool,
}

fn pts(vi: bool, p: &Points) -> String {
    if vi {
        p.vi()
    } else {
        p.en()
    }
}

impl RankingPage {
    pub fn p(&self, p: &Points) -> String {
        pts(self.vi, p)
    }
}

/// GET /emulation: the ranking within each cluster and overall.
pub async fn ranking(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<RankingQuery>,
) -> Result<RankingPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let ranking = act::ranking(&state, campaign, &actor, q.cluster.as_deref()).await.map_err(|f| page.fail(f))?;
    let policy = actor.policy();
    Ok(RankingPage {
        chrome: page.chrome(page.lang.t("emulation.title"), "emulation"),
        ranking,
        is_office: allows(&policy, Action::ReviewUnit, &[]),
        is_admin: allows(&policy, Action::AdministerCampaign, &[]),
        vi: page.lang == Lang::Vi,
    })
}

/// GET /emulation/ranking.xlsx: the ranking with every criterion's points and source.
pub async fn ranking_xlsx(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<RankingQuery>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let ranking = act::ranking(&state, campaign, &actor, q.cluster.as_deref()).await.map_err(|f| page.fail(f))?;
    let bytes = act::ranking_xlsx(&ranking, page.lang == Lang::Vi).map_err(|f| page.fail(f))?;
    let disposition = format!("attachment; filename=\"xep-hang-thi-dua-{}.xlsx\"", campaign.row.code);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// One row of the criteria form.
pub struct CriterionRow {
    pub id: String,
    pub number: String,
    pub title: String,
    pub max: String,
    pub rule: String,
    /// Ticked "xóa" (a refused save shows the ticks as they were).
    pub removed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "emulation_criteria.html")]
pub struct CriteriaPage {
    pub chrome: Chrome,
    pub rows: Vec<CriterionRow>,
    pub total_max: String,
    pub stored: bool,
    pub can_edit: bool,
    /// The deadline as a datetime-local input takes it (local time), empty when none.
    pub deadline: String,
    pub reopened: bool,
    pub self_open: bool,
    pub indicators: Vec<(String, String)>,
    /// Why the last save or upload was refused (nothing was stored).
    pub error: Option<String>,
}

/// GET /emulation/criteria: the sheet as a form (the office), with blank rows to add.
pub async fn criteria(State(state): State<AppState>, page: Page) -> Result<CriteriaPage, AppError> {
    criteria_page(&state, &page).await
}

async fn criteria_page(state: &AppState, page: &Page) -> Result<CriteriaPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let sheet = act::sheet(state, campaign).await.map_err(|f| page.fail(f))?;
    let vi = page.lang == Lang::Vi;
    let stored = !sheet.criteria.is_empty();
    let mut rows: Vec<CriterionRow> = if stored {
        sheet
            .criteria
            .iter()
            .map(|c| CriterionRow {
                id: c.id.to_string(),
                number: c.criterion.number.clone(),
                title: c.criterion.title.clone(),
                max: pts(vi, &c.criterion.max),
                rule: c.criterion.rule.text_vi(),
                removed: false,
            })
            .collect()
    } else {
        // The default sheet of the plan, proposed until the office saves a sheet.
        act::proposed_default(campaign)
            .into_iter()
            .map(|c| CriterionRow {
                id: String::new(),
                number: c.number.clone(),
                title: c.title.clone(),
                max: pts(vi, &c.max),
                rule: c.rule.text_vi(),
                removed: false,
            })
            .collect()
    };
    for _ in 0..3 {
        rows.push(CriterionRow {
            id: String::new(),
            number: String::new(),
            title: String::new(),
            max: String::new(),
            rule: String::new(),
            removed: false,
        });
    }
    let plain: Vec<Criterion> = if stored {
        sheet.criteria.iter().map(|c| c.criterion.clone()).collect()
    } else {
        act::proposed_default(campaign)
    };
    let tz = campaign.plan.campaign.timezone;
    Ok(CriteriaPage {
        chrome: page.chrome(page.lang.t("emulation.criteria_title"), "emulation"),
        rows,
        total_max: pts(vi, &phongtrao_domain::emulation::total_max(&plain)),
        stored,
        can_edit: allows(&actor.policy(), Action::AdministerCampaign, &[]),
        deadline: sheet
            .settings
            .self_deadline
            .map(|d| d.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        reopened: sheet.settings.reopened,
        self_open: sheet.self_open,
        indicators: campaign.plan.indicators().map(|i| (i.key.clone(), i.label.clone())).collect(),
        error: None,
    })
}

/// A refused save or upload of the sheet: the page again with the message above the
/// form and, for a save, every row as typed (nothing was stored); a refusal of access
/// or a fault is the error page.
async fn refused_criteria(
    state: &AppState,
    page: &Page,
    typed: Option<&[(String, String)]>,
    f: crate::error::Failure,
) -> Result<Response, AppError> {
    if !form::shown_on_the_form(&f) {
        return Err(page.fail(f));
    }
    let mut again = criteria_page(state, page).await?;
    if let Some(pairs) = typed {
        again.rows = form::rows(pairs, "number", 500, |get| CriterionRow {
            id: get("id"),
            number: get("number"),
            title: get("title"),
            max: get("max"),
            rule: get("rule"),
            removed: !get("remove").is_empty(),
        });
    }
    again.error = Some(f.message(page.lang).to_string());
    Ok((f.status, again).into_response())
}

/// POST /emulation/criteria: saves the rows (rows ticked "xóa" and blank rows left out).
pub async fn save_criteria(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let count = pairs.iter().filter(|(k, _)| k.starts_with("number.")).count().min(500);
    let mut rows = Vec::new();
    let mut problems: Vec<(String, String)> = Vec::new();
    for i in 0..count {
        let get = |name: &str| field(&pairs, &format!("{name}.{i}")).trim().to_string();
        if !get("remove").is_empty() {
            continue;
        }
        let (number, title, max, rule) = (get("number"), get("title"), get("max"), get("rule"));
        if number.is_empty() && title.is_empty() && max.is_empty() && rule.is_empty() {
            continue;
        }
        let line = i + 1;
        let max = match Points::parse(&max) {
            Ok(p) => p,
            Err((vi, en)) => {
                problems.push((format!("Dòng {line}: {vi}"), format!("Row {line}: {en}")));
                continue;
            }
        };
        let rule = match parse_rule(&rule) {
            Ok(r) => r,
            Err((vi, en)) => {
                problems.push((format!("Dòng {line}: {vi}"), format!("Row {line}: {en}")));
                continue;
            }
        };
        let id = get("id").parse::<i64>().ok();
        rows.push((id, Criterion { number, title, max, rule }));
    }
    if !problems.is_empty() {
        let (vi, en): (Vec<String>, Vec<String>) = problems.into_iter().unzip();
        let f = crate::error::Failure::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("Bảng tiêu chí chưa lưu được: {}", vi.join("; ")),
            format!("The criteria sheet was not saved: {}", en.join("; ")),
        );
        return refused_criteria(&state, &page, Some(&pairs), f).await;
    }
    if let Err(f) = act::save_sheet(&state, campaign, &actor, &page.client, rows).await {
        return refused_criteria(&state, &page, Some(&pairs), f).await;
    }
    Ok(Redirect::to("/emulation/criteria?saved=1").into_response())
}

/// POST /emulation/criteria/import: the sheet from an .xlsx file.
pub async fn import_criteria(
    State(state): State<AppState>,
    page: Page,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let uploaded = match crate::pages::admin_units::uploaded_file(multipart).await {
        Ok(u) => u,
        Err(f) => return refused_criteria(&state, &page, None, f).await,
    };
    let (name, bytes) = uploaded;
    if let Err(f) = act::import_sheet(&state, campaign, &actor, &page.client, &name, bytes).await {
        return refused_criteria(&state, &page, None, f).await;
    }
    Ok(Redirect::to("/emulation/criteria?saved=1").into_response())
}

#[derive(Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    reopened: Option<String>,
}

/// POST /emulation/settings: the self-assessment deadline (local time) and reopening.
pub async fn save_settings(
    State(state): State<AppState>,
    page: Page,
    Form(f): Form<SettingsForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let tz = campaign.plan.campaign.timezone;
    let text = f.deadline.trim();
    let deadline = if text.is_empty() {
        None
    } else {
        let local = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").map_err(|_| {
            page.fail(crate::error::Failure::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("Hạn tự chấm \"{text}\" không hợp lệ."),
                format!("The self-assessment deadline \"{text}\" is not valid."),
            ))
        })?;
        tz.from_local_datetime(&local).earliest().map(|d| d.with_timezone(&chrono::Utc))
    };
    let settings = Settings { self_deadline: deadline, reopened: f.reopened.is_some() };
    act::set_settings(&state, campaign, &actor, &page.client, settings).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to("/emulation/criteria?saved=1").into_response())
}

#[derive(Deserialize)]
pub struct UnitQuery {
    #[serde(default)]
    unit: Option<String>,
}

/// One assessed criterion on the self-assessment and review forms.
pub struct ScoreForm {
    pub number: String,
    pub title: String,
    pub max: String,
    pub self_points: String,
    pub doc_number: String,
    pub doc_symbol: String,
    pub doc_date: String,
    pub evidence: String,
    pub reference: String,
    pub reviewed: String,
    pub comment: String,
    pub reviewed_by: String,
}

pub struct HistoryLine {
    pub number: String,
    pub is_review: bool,
    pub points: String,
    pub note: String,
    pub at: String,
    pub by: String,
}

fn score_forms(u: &UnitScores, vi: bool) -> (Vec<ScoreForm>, Vec<HistoryLine>) {
    let forms = u
        .rows
        .iter()
        .map(|r| {
            let s = r.score.as_ref();
            ScoreForm {
                number: r.criterion.criterion.number.clone(),
                title: r.criterion.criterion.title.clone(),
                max: pts(vi, &r.criterion.criterion.max),
                self_points: s.map(|s| pts(vi, &Points(s.self_points))).unwrap_or_default(),
                doc_number: s.map(|s| s.doc_number.clone()).unwrap_or_default(),
                doc_symbol: s.map(|s| s.doc_symbol.clone()).unwrap_or_default(),
                doc_date: s.and_then(|s| s.doc_date).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                evidence: s.map(|s| s.evidence.clone()).unwrap_or_default(),
                reference: s.map(|s| s.evidence().reference()).unwrap_or_default(),
                reviewed: s.and_then(|s| s.reviewed_points).map(|p| pts(vi, &Points(p))).unwrap_or_default(),
                comment: s.map(|s| s.review_comment.clone()).unwrap_or_default(),
                reviewed_by: s.and_then(|s| s.reviewed_by.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let number_of = |id: i64| {
        u.rows.iter().find(|r| r.criterion.id == id).map(|r| r.criterion.criterion.number.clone()).unwrap_or_default()
    };
    let history = u
        .history
        .iter()
        .rev()
        .map(|h| HistoryLine {
            number: number_of(h.criterion_id),
            is_review: h.kind == "review",
            points: pts(vi, &Points(h.points)),
            note: h.note.clone(),
            at: phongtrao_domain::format::date_time(&h.at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)),
            by: h.by_name.clone(),
        })
        .collect();
    (forms, history)
}

#[derive(Template, WebTemplate)]
#[template(path = "emulation_self.html")]
pub struct ScoresPage {
    pub chrome: Chrome,
    /// "self" or "review": which form the page shows.
    pub mode: &'static str,
    pub unit: String,
    pub unit_name: String,
    pub rows: Vec<ScoreForm>,
    pub history: Vec<HistoryLine>,
    pub self_open: bool,
    pub deadline: String,
    pub can_write: bool,
    /// The evidence files of each assessed criterion (report_attachments.html).
    pub evidence_boxes: Vec<crate::pages::attachments::EvidenceBox>,
    /// Why the last save was refused (the form then shows what was typed).
    pub error: Option<String>,
}

async fn scores_page(
    state: &AppState,
    page: &Page,
    unit: Option<&str>,
    mode: &'static str,
) -> Result<ScoresPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let code = match unit.map(str::trim).filter(|u| !u.is_empty()) {
        Some(c) => c.to_string(),
        None => act::default_unit_code(state, &actor).await.map_err(|f| page.fail(f))?.ok_or_else(|| {
            page.fail(crate::error::Failure::bad_request(
                "Cần chọn đơn vị: mở từ thẻ của đơn vị trên trang xếp hạng thi đua, hoặc thêm ?unit=MÃ vào địa chỉ.",
                "Choose the unit: open it from its card on the emulation ranking, or add ?unit=CODE to the address.",
            ))
        })?,
    };
    let u = act::unit_scores(state, campaign, &actor, &page.client, &code).await.map_err(|f| page.fail(f))?;
    let ancestry = phongtrao_storage::units::ancestry(&state.db, u.unit.id).await.map_err(|e| page.fail(e.into()))?;
    let action = if mode == "review" { Action::ReviewUnit } else { Action::WriteUnit };
    let can_write = allows(&actor.policy(), action, &ancestry);
    let vi = page.lang == Lang::Vi;
    let (rows, history) = score_forms(&u, vi);
    let tz = campaign.plan.campaign.timezone;
    let title = if mode == "review" { "emulation.review_title" } else { "emulation.self_title" };
    let criterion_ids: Vec<i64> = u.rows.iter().map(|r| r.criterion.id).collect();
    let back = format!("/emulation/{mode}?unit={}", safe_code(&u.unit.code));
    let evidence_boxes =
        crate::pages::attachments::score_boxes(state, page, &u.unit.code, &criterion_ids, &back).await?;
    Ok(ScoresPage {
        evidence_boxes,
        chrome: page.chrome(format!("{} — {}", page.lang.t(title), u.unit.name), "emulation"),
        mode,
        unit: u.unit.code.clone(),
        unit_name: u.unit.name.clone(),
        rows,
        history,
        self_open: u.self_open,
        deadline: u
            .settings
            .self_deadline
            .map(|d| phongtrao_domain::format::date_time(&d.with_timezone(&tz)))
            .unwrap_or_default(),
        can_write,
        error: None,
    })
}

/// A refused save of the scores: bad input comes back on the form with its message
/// and every field as typed (nothing was stored); a refusal of access or a fault is
/// the error page.
async fn refused_scores(
    state: &AppState,
    page: &Page,
    code: &str,
    mode: &'static str,
    pairs: &[(String, String)],
    f: crate::error::Failure,
) -> Result<Response, AppError> {
    if !f.status.is_client_error() || f.status == axum::http::StatusCode::FORBIDDEN {
        return Err(page.fail(f));
    }
    let mut again = scores_page(state, page, Some(code), mode).await?;
    for r in &mut again.rows {
        let typed = |name: &str| {
            let key = format!("{name}.{}", r.number);
            pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone())
        };
        if mode == "review" {
            if let Some(v) = typed("points") {
                r.reviewed = v;
            }
            if let Some(v) = typed("comment") {
                r.comment = v;
            }
        } else {
            let fields = [
                ("points", &mut r.self_points),
                ("doc_number", &mut r.doc_number),
                ("doc_symbol", &mut r.doc_symbol),
                ("doc_date", &mut r.doc_date),
                ("evidence", &mut r.evidence),
            ];
            for (name, slot) in fields {
                let key = format!("{name}.{}", r.number);
                if let Some((_, v)) = pairs.iter().find(|(k, _)| *k == key) {
                    *slot = v.clone();
                }
            }
        }
    }
    again.error = Some(f.message(page.lang).to_string());
    Ok((f.status, again).into_response())
}

/// GET /emulation/self?unit=CODE: the unit's self-assessment form.
pub async fn self_form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<UnitQuery>,
) -> Result<ScoresPage, AppError> {
    scores_page(&state, &page, q.unit.as_deref(), "self").await
}

/// GET /emulation/review?unit=CODE: the office's review of one unit.
pub async fn review_form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<UnitQuery>,
) -> Result<ScoresPage, AppError> {
    scores_page(&state, &page, q.unit.as_deref(), "review").await
}

/// A unit code for a redirect's query string (codes are letters, digits, '-', '_', '.').
fn safe_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')).collect()
}

fn numbers_in(pairs: &[(String, String)]) -> Vec<String> {
    pairs.iter().filter(|(k, _)| k == "criterion").map(|(_, v)| v.clone()).take(500).collect()
}

/// POST /emulation/self?unit=CODE: stores the self-scores (all or none).
pub async fn save_self(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<UnitQuery>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let code = q.unit.unwrap_or_default();
    let inputs: Vec<SelfInput> = numbers_in(&pairs)
        .into_iter()
        .map(|n| {
            let get = |name: &str| field(&pairs, &format!("{name}.{n}")).to_string();
            SelfInput {
                points: get("points"),
                evidence: Evidence {
                    doc_number: get("doc_number"),
                    doc_symbol: get("doc_symbol"),
                    doc_date: chrono::NaiveDate::parse_from_str(get("doc_date").trim(), "%Y-%m-%d").ok(),
                    text: get("evidence"),
                },
                criterion: n,
            }
        })
        .collect();
    if let Err(f) = act::save_self(&state, campaign, &actor, &page.client, &code, &inputs).await {
        return refused_scores(&state, &page, &code, "self", &pairs, f).await;
    }
    Ok(Redirect::to(&format!("/emulation/self?unit={}&saved=1", safe_code(&code))).into_response())
}

/// POST /emulation/review?unit=CODE: stores the reviewed scores (all or none).
pub async fn save_review(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<UnitQuery>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let code = q.unit.unwrap_or_default();
    let inputs: Vec<ReviewInput> = numbers_in(&pairs)
        .into_iter()
        .map(|n| {
            let get = |name: &str| field(&pairs, &format!("{name}.{n}")).to_string();
            ReviewInput { points: get("points"), comment: get("comment"), criterion: n }
        })
        .collect();
    if let Err(f) = act::save_review(&state, campaign, &actor, &page.client, &code, &inputs).await {
        return refused_scores(&state, &page, &code, "review", &pairs, f).await;
    }
    Ok(Redirect::to(&format!("/emulation/review?unit={}&saved=1", safe_code(&code))).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "emulation_clusters.html")]
pub struct ClustersPage {
    pub chrome: Chrome,
    /// Name and codes (one line), the stored clusters then two blank ones.
    pub rows: Vec<(String, String)>,
    pub can_edit: bool,
}

/// GET /emulation/clusters: the clusters as a form (name + unit codes).
pub async fn clusters(State(state): State<AppState>, page: Page) -> Result<ClustersPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let views: Vec<ClusterView> = act::clusters(&state, campaign).await.map_err(|f| page.fail(f))?;
    let mut rows: Vec<(String, String)> = views
        .into_iter()
        .map(|c| (c.name, c.units.iter().map(|u| u.code.clone()).collect::<Vec<_>>().join(", ")))
        .collect();
    rows.push((String::new(), String::new()));
    rows.push((String::new(), String::new()));
    Ok(ClustersPage {
        chrome: page.chrome(page.lang.t("emulation.clusters_title"), "emulation"),
        rows,
        can_edit: allows(&actor.policy(), Action::AdministerCampaign, &[]),
    })
}

/// POST /emulation/clusters: replaces the clusters (blank rows left out).
pub async fn save_clusters(
    State(state): State<AppState>,
    page: Page,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let names: Vec<&String> = pairs.iter().filter(|(k, _)| k == "name").map(|(_, v)| v).take(201).collect();
    let codes: Vec<&String> = pairs.iter().filter(|(k, _)| k == "units").map(|(_, v)| v).collect();
    let wanted: Vec<(String, Vec<String>)> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            (n.to_string(), phongtrao_domain::emulation::split_codes(codes.get(i).map(|s| s.as_str()).unwrap_or("")))
        })
        .filter(|(n, c)| !n.trim().is_empty() || !c.is_empty())
        .collect();
    act::set_clusters(&state, campaign, &actor, &page.client, &wanted).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to("/emulation/clusters?saved=1").into_response())
}

/// POST /emulation/criteria/default: stores the plan's default sheet.
pub async fn default_criteria(State(state): State<AppState>, page: Page) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    act::create_default(&state, campaign, &actor, &page.client).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to("/emulation/criteria?saved=1").into_response())
}
