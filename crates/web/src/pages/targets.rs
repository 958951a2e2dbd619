//! The targets of the plan, grouped as in the document, goals in Vietnamese format.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use phongtrao_domain::format;
use phongtrao_domain::plan::{Indicator, IndicatorKind, Plan};
use phongtrao_domain::role::Role;

use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

pub struct IndicatorView {
    pub key: String,
    pub label: String,
    pub goal: String,
    pub kind: String,
    pub applies: String,
    pub part_of: Option<String>,
    pub note: Option<String>,
}

pub struct TargetView {
    pub number: u32,
    pub text: String,
    pub indicators: Vec<IndicatorView>,
}

pub struct GroupView {
    pub title: String,
    pub targets: Vec<TargetView>,
}

#[derive(Template, WebTemplate)]
#[template(path = "targets.html")]
pub struct TargetsPage {
    pub chrome: Chrome,
    pub groups: Vec<GroupView>,
    pub missing_numbers: Vec<u32>,
    pub target_count: usize,
    pub indicator_count: usize,
    /// The base figures the percentages are measured against (logged-in users).
    pub bases: Vec<BaseLine>,
    /// The office may mark a base figure complete.
    pub can_mark: bool,
    /// The figure just marked or unmarked.
    pub saved: Option<String>,
}

/// One base figure: how many reporting units have it, and the office's switch.
pub struct BaseLine {
    pub figure: String,
    pub label: String,
    pub indicators: String,
    pub coverage: String,
    pub complete: bool,
    pub marked: bool,
}

/// "20.000 cây", "≥ 70%", "> 7%", "100% đơn vị, mỗi đơn vị ≥ 1".
pub fn goal_text(i: &Indicator, lang: Lang) -> String {
    match i.kind {
        IndicatorKind::Count => i.comparison.count_goal_text(i.goal, i.unit_label.as_deref()),
        IndicatorKind::PercentOfBase | IndicatorKind::ShareOfUnits => i.comparison.percent_goal_text(i.goal),
        IndicatorKind::MinimumPerUnit => {
            let min = format::number(i.per_unit_minimum.unwrap_or(1.0), 2);
            let label = i.unit_label.as_deref().unwrap_or("");
            match lang {
                Lang::Vi => {
                    format!("{} đơn vị, mỗi đơn vị ≥ {min} {label}", format::percent(i.goal)).trim_end().to_string()
                }
                Lang::En => {
                    format!("{} of units, each ≥ {min} {label}", format::percent(i.goal)).trim_end().to_string()
                }
            }
        }
    }
}

fn applies_text(i: &Indicator, lang: Lang) -> String {
    match i.kind {
        IndicatorKind::PercentOfBase => match (i.base, lang) {
            (Some(b), Lang::Vi) => b.label_vi().to_string(),
            (Some(b), Lang::En) => b.label_en().to_string(),
            (None, _) => String::new(),
        },
        IndicatorKind::Count => String::new(),
        IndicatorKind::ShareOfUnits | IndicatorKind::MinimumPerUnit => {
            if i.unit_kinds.is_empty() {
                i.levels.iter().map(|l| lang.pick(l.label_vi(), l.label_en())).collect::<Vec<_>>().join(", ")
            } else {
                i.unit_kinds.iter().map(|k| lang.pick(k.label_vi(), k.label_en())).collect::<Vec<_>>().join(", ")
            }
        }
    }
}

pub fn build(plan: &Plan, page: &Page) -> TargetsPage {
    let lang = page.lang;
    let groups = plan
        .target_groups
        .iter()
        .map(|g| GroupView {
            title: g.title.clone(),
            targets: plan
                .targets_in_group(&g.key)
                .map(|t| TargetView {
                    number: t.number,
                    text: t.text.clone(),
                    indicators: t
                        .indicators
                        .iter()
                        .map(|i| IndicatorView {
                            key: i.key.clone(),
                            label: match (i.retired, lang) {
                                (false, _) => i.label.clone(),
                                (true, Lang::Vi) => {
                                    format!("{} {}", i.label, crate::actions::progress::RETIRED_SUFFIX_VI)
                                }
                                (true, Lang::En) => {
                                    format!("{} {}", i.label, crate::actions::progress::RETIRED_SUFFIX_EN)
                                }
                            },
                            goal: goal_text(i, lang),
                            kind: lang.t(&format!("kind.{}", i.kind.as_str())),
                            applies: applies_text(i, lang),
                            part_of: i.part_of.clone(),
                            note: i.note.clone(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    TargetsPage {
        chrome: page.chrome(lang.t("targets.title"), "targets"),
        groups,
        missing_numbers: plan.missing_target_numbers(),
        target_count: plan.targets.len(),
        indicator_count: plan.indicators().count(),
        bases: Vec::new(),
        can_mark: false,
        saved: None,
    }
}

#[derive(serde::Deserialize)]
pub struct TargetsQuery {
    saved: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<TargetsQuery>,
) -> Result<TargetsPage, AppError> {
    let campaign = page.campaign()?;
    let mut out = build(&campaign.plan, &page);
    if let Some(actor) = &page.actor {
        let lang = page.lang;
        out.can_mark = actor.user.role == Role::Admin;
        out.saved = q.saved.filter(|f| phongtrao_domain::unit::BaseFigure::parse(f).is_some());
        out.bases = crate::actions::progress::base_coverage(&state, campaign)
            .await
            .map_err(|f| page.fail(f))?
            .into_iter()
            .map(|b| BaseLine {
                figure: b.figure.to_string(),
                label: match lang {
                    Lang::Vi => b.label_vi.to_string(),
                    Lang::En => b.label_en.to_string(),
                },
                indicators: b.indicators.join(", "),
                coverage: format!("{}/{}", b.units_with_base, b.units_expected),
                complete: b.units_expected > 0 && b.units_with_base >= b.units_expected,
                marked: b.marked_complete,
            })
            .collect();
    }
    Ok(out)
}

#[derive(serde::Deserialize)]
pub struct MarkForm {
    figure: String,
    complete: String,
}

/// POST /targets/base-complete: the office marks a base figure complete, or not.
pub async fn mark_base_complete(
    State(state): State<AppState>,
    page: Page,
    Form(form): Form<MarkForm>,
) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let complete = form.complete == "true";
    crate::actions::progress::set_base_complete(&state, campaign, &actor, &page.client, &form.figure, complete)
        .await
        .map_err(|f| page.fail(f))?;
    Ok(Redirect::to(&format!("/targets?saved={}#base-figures", form.figure)).into_response())
}
