//! Amending a running plan from the editor ("Xem thay đổi", "Áp dụng điều chỉnh"),
//! and the page of a campaign's plan versions with its "Điều chỉnh kế hoạch" button.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use phongtrao_domain::plan::edit::Checked;
use phongtrao_domain::plan::FileDate;
use phongtrao_storage::campaigns;
use serde::Deserialize;

use crate::actions::plan_amend::{self, AmendInput, VersionView};
use crate::actions::plan_edit;
use crate::actions::plan_import::Review;
use crate::error::{AppError, Failure};
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

/// "Xem thay đổi" (`apply` false) and "Áp dụng điều chỉnh" (`apply` true).
pub async fn amend(
    state: &AppState,
    page: &Page,
    id: i64,
    review: &Review,
    checked: &Checked,
    apply: bool,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let code = review.campaign_code.clone().unwrap_or_default();
    let campaign = campaigns::by_code(&state.db, &code)
        .await
        .map_err(|e| page.fail(Failure::from(e)))?
        .ok_or_else(|| page.fail(Failure::not_found()))?;
    let edit = review.edit.clone().unwrap_or_default();
    let refuse = |status: StatusCode, message: String| {
        let view = super::plan_edit::render(page, id, review, checked, Some(message));
        Ok((status, view).into_response())
    };
    let toml = match (&checked.toml, checked.is_valid()) {
        (Some(t), true) => t.clone(),
        _ => {
            let f = plan_edit::refusal(&edit, checked);
            return refuse(f.status, f.message(page.lang).to_string());
        }
    };
    if !apply {
        return match plan_amend::preview(state, &actor, &page.client, &campaign, &toml).await {
            Ok(p) => {
                let mut view = super::plan_edit::render(page, id, review, checked, None);
                view.preview = p.changes.iter().map(|c| page.lang.pick(&c.vi, &c.en).to_string()).collect();
                if view.preview.is_empty() {
                    view.preview.push(
                        page.lang
                            .pick(
                                "Chưa có gì thay đổi so với kế hoạch đang chạy.",
                                "Nothing differs from the running plan yet.",
                            )
                            .into(),
                    );
                }
                for problem in &p.problems {
                    view.preview.push(format!("⛔ {}", page.lang.pick(&problem.vi, &problem.en)));
                }
                Ok(view.into_response())
            }
            Err(f) if f.status.is_client_error() && f.status != StatusCode::FORBIDDEN => {
                refuse(f.status, f.message(page.lang).to_string())
            }
            Err(f) => Err(page.fail(f)),
        };
    }
    let document_date = match review.amendment.document_date.trim() {
        "" => None,
        d => match FileDate::parse(d) {
            Ok(d) => Some(d.0),
            Err(_) => {
                return refuse(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    page.lang
                        .pick(
                            "Ngày văn bản điều chỉnh không hợp lệ (ghi dd/mm/yyyy).",
                            "The amending document's date is not valid (dd/mm/yyyy).",
                        )
                        .into(),
                )
            }
        },
    };
    let input = AmendInput {
        new_toml: toml,
        reason: review.amendment.reason.clone(),
        document_number: Some(review.amendment.document_number.clone()).filter(|s| !s.trim().is_empty()),
        document_date,
        base_version: None,
    };
    match plan_amend::apply(state, &actor, &page.client, &campaign, &input).await {
        Ok(applied) => {
            plan_edit::close(state, id).await.map_err(|f| page.fail(f))?;
            Ok(Redirect::to(&format!("/campaigns/{}/plan?amended={}", crate::error::urlencode(&code), applied.version))
                .into_response())
        }
        Err(f) if f.status.is_client_error() && f.status != StatusCode::FORBIDDEN => {
            refuse(f.status, f.message(page.lang).to_string())
        }
        Err(f) => Err(page.fail(f)),
    }
}

/// One version as the page lists it.
pub struct VersionLine {
    pub version: i64,
    pub when: String,
    pub by: String,
    pub reason: String,
    pub document: String,
    pub changes: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign_plan.html")]
pub struct PlanVersionsPage {
    pub chrome: Chrome,
    pub code: String,
    pub title: String,
    pub versions: Vec<VersionLine>,
    pub can_amend: bool,
    pub amended: Option<i64>,
}

#[derive(Deserialize)]
pub struct VersionsQuery {
    amended: Option<i64>,
}

fn line(v: &VersionView, lang: Lang) -> VersionLine {
    let when = v.created_at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).format("%d/%m/%Y %H:%M").to_string();
    let document = match (&v.document_number, v.document_date) {
        (Some(n), Some(d)) => {
            format!("{} {n}, {} {}", lang.pick("Văn bản số", "Document"), lang.pick("ngày", "of"), d.format("%d/%m/%Y"))
        }
        (Some(n), None) => format!("{} {n}", lang.pick("Văn bản số", "Document")),
        _ => String::new(),
    };
    VersionLine {
        version: v.version,
        when,
        by: v.created_by.clone().unwrap_or_default(),
        reason: v.reason.clone(),
        document,
        changes: v.changes.iter().map(|c| lang.pick(&c.vi, &c.en).to_string()).collect(),
    }
}

/// `/campaigns/{code}/plan`: every version of the plan with what it changed.
pub async fn versions(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
    axum::extract::Query(q): axum::extract::Query<VersionsQuery>,
) -> Result<PlanVersionsPage, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign =
        crate::campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await.map_err(|f| page.fail(f))?;
    let list = plan_amend::versions(&state, &campaign).await.map_err(|f| page.fail(f))?;
    // A unit's own plan is its office's to amend; any other, the province office's.
    let scope = match (campaign.row.parent_campaign_id, campaign.row.root_unit_id) {
        (Some(_), Some(root)) => {
            phongtrao_storage::units::ancestry(&state.db, root).await.map_err(|e| page.fail(Failure::from(e)))?
        }
        _ => Vec::new(),
    };
    let can_amend = !campaign.row.is_archived()
        && phongtrao_domain::policy::allows(
            &actor.policy(),
            phongtrao_domain::policy::Action::AdministerCampaign,
            &scope,
        );
    Ok(PlanVersionsPage {
        chrome: page
            .chrome(page.lang.pick("Kế hoạch và các lần điều chỉnh", "The plan and its amendments"), "overview"),
        title: crate::page::campaign_label(page.lang, &campaign.row),
        code: campaign.row.code.clone(),
        versions: list.iter().rev().map(|v| line(v, page.lang)).collect(),
        can_amend,
        amended: q.amended,
    })
}

/// "Điều chỉnh kế hoạch": the running version in the editor.
pub async fn start(State(state): State<AppState>, page: Page, Path(code): Path<String>) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign =
        crate::campaign_choice::resolve(&state.db, Some(&actor), Some(&code)).await.map_err(|f| page.fail(f))?;
    let id = plan_edit::start_amend(&state, &actor, &page.client, &campaign).await.map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/admin/plan/drafts/{id}")).into_response())
}
