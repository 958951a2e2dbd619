//! The unit tree with a search that ignores case and diacritics, and one unit's page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use phongtrao_domain::format;
use phongtrao_domain::policy::{allows, Action};
use phongtrao_domain::text::fold;
use phongtrao_domain::unit::BaseFigure;
use phongtrao_storage::base_figures;
use phongtrao_storage::units::{self, UnitRow};
use serde::Deserialize;

use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

pub struct UnitLine {
    pub code: String,
    pub name: String,
    pub key: String,
    pub active: bool,
    pub children: Vec<UnitLine>,
}

pub struct FoundUnit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub path: String,
    pub active: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "units.html")]
pub struct UnitsPage {
    pub chrome: Chrome,
    pub query: String,
    pub found: Option<Vec<FoundUnit>>,
    pub roots: Vec<UnitLine>,
    pub total: usize,
    /// Units that no longer operate (kept with their history, counted nowhere).
    pub inactive: usize,
    pub counts: Vec<(String, usize)>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

fn kind_label(row: &UnitRow, lang: Lang) -> String {
    row.kind().map(|k| lang.pick(k.label_vi(), k.label_en()).to_string()).unwrap_or_else(|| row.kind.clone())
}

fn tree(rows: &[UnitRow]) -> Vec<UnitLine> {
    let mut by_parent: HashMap<Option<i64>, Vec<&UnitRow>> = HashMap::new();
    for r in rows {
        by_parent.entry(r.parent_id).or_default().push(r);
    }
    fn build(parent: Option<i64>, by_parent: &HashMap<Option<i64>, Vec<&UnitRow>>) -> Vec<UnitLine> {
        by_parent
            .get(&parent)
            .map(|children| {
                children
                    .iter()
                    .map(|r| UnitLine {
                        code: r.code.clone(),
                        name: r.name.clone(),
                        key: fold(&format!("{} {} {}", r.name, r.admin_name.as_deref().unwrap_or(""), r.code)),
                        active: r.active,
                        children: build(Some(r.id), by_parent),
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
    build(None, &by_parent)
}

pub async fn list(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<SearchQuery>,
) -> Result<UnitsPage, AppError> {
    let lang = page.lang;
    // Today's tree: units a reorganisation retired are kept for their campaigns only.
    let rows = units::list_live(&state.db).await.map_err(|e| AppError::internal(lang, e))?;
    let query = q.q.unwrap_or_default().trim().chars().take(100).collect::<String>();
    let found = if query.is_empty() {
        None
    } else {
        let hits = units::search(&state.db, &query, 200).await.map_err(|e| AppError::internal(lang, e))?;
        let by_id: HashMap<i64, &UnitRow> = rows.iter().map(|r| (r.id, r)).collect();
        Some(
            hits.iter()
                .map(|h| {
                    let mut path = Vec::new();
                    let mut parent = h.parent_id;
                    while let Some(p) = parent.and_then(|id| by_id.get(&id)) {
                        path.push(p.name.clone());
                        parent = p.parent_id;
                    }
                    path.reverse();
                    FoundUnit {
                        code: h.code.clone(),
                        name: h.name.clone(),
                        kind: kind_label(h, lang),
                        path: path.join(" › "),
                        active: h.active,
                    }
                })
                .collect(),
        )
    };
    let mut counts: Vec<(String, usize)> = Vec::new();
    for level in phongtrao_domain::plan::Level::ALL {
        let n = rows.iter().filter(|r| r.active && r.level() == Some(level)).count();
        if n > 0 {
            counts.push((lang.pick(level.label_vi(), level.label_en()).to_string(), n));
        }
    }
    Ok(UnitsPage {
        chrome: page.chrome(lang.t("units.title"), "units"),
        query,
        found,
        roots: tree(&rows),
        total: rows.iter().filter(|r| r.active).count(),
        inactive: rows.iter().filter(|r| !r.active).count(),
        counts,
    })
}

pub struct FigureView {
    pub key: String,
    pub label: String,
    pub value: Option<String>,
    pub raw: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "unit.html")]
pub struct UnitPage {
    pub chrome: Chrome,
    pub unit: UnitRow,
    pub kind: String,
    pub level: String,
    pub parent: Option<UnitRow>,
    pub children: Vec<UnitRow>,
    pub figures: Vec<FigureView>,
    pub can_administer: bool,
    pub can_edit_figures: bool,
    pub saved: bool,
    /// The unit's contact, for those who may read the unit (personal data: never anonymous).
    pub contact: Option<phongtrao_storage::unit_contacts::Contact>,
    pub contact_saved: bool,
    /// "Đã tạo đơn vị." / "Đã lưu thay đổi của đơn vị." after the unit form.
    pub unit_message: Option<String>,
    /// Since when the unit exists and what it was formed from (a reorganisation).
    pub history: Option<String>,
}

/// "Hình thành từ ngày 01/07/2025, từ: Đoàn phường Vĩnh Thanh Vân (30730), …".
async fn history_line(db: &phongtrao_storage::Db, unit: &UnitRow, lang: crate::i18n::Lang) -> Option<String> {
    let from = phongtrao_storage::unit_history::predecessors(db, unit.id).await.ok().unwrap_or_default();
    let part = |share: f64| {
        if share < 1.0 {
            let pct = phongtrao_domain::format::number(share * 100.0, 1);
            format!(", {} {pct}%", lang.pick("một phần", "part"))
        } else {
            String::new()
        }
    };
    let names: Vec<String> = from.iter().map(|p| format!("{} ({}{})", p.name, p.code, part(p.share))).collect();
    let since = unit.valid_from.map(|d| d.format("%d/%m/%Y").to_string());
    match (since, names.is_empty()) {
        (Some(day), false) => Some(format!(
            "{} {day}, {}: {}",
            lang.pick("Hình thành từ ngày", "Formed on"),
            lang.pick("từ", "from"),
            names.join(", ")
        )),
        (Some(day), true) => Some(format!("{} {day}", lang.pick("Hình thành từ ngày", "Formed on"))),
        (None, _) => None,
    }
}

pub async fn show(State(state): State<AppState>, page: Page, Path(code): Path<String>) -> Result<UnitPage, AppError> {
    let lang = page.lang;
    let db = &state.db;
    let unit = units::by_code(db, &code)
        .await
        .map_err(|e| AppError::internal(lang, e))?
        .ok_or_else(|| AppError::not_found(lang))?;
    let parent = match unit.parent_id {
        Some(id) => units::by_id(db, id).await.map_err(|e| AppError::internal(lang, e))?,
        None => None,
    };
    let children = units::children(db, unit.id).await.map_err(|e| AppError::internal(lang, e))?;
    // Base figures are not public: only for those allowed to read the unit.
    let ancestry = units::ancestry(db, unit.id).await.map_err(|e| AppError::internal(lang, e))?;
    let may_read = page.actor.as_ref().is_some_and(|a| allows(&a.policy(), Action::ReadUnit, &ancestry));
    let known = if may_read {
        base_figures::for_unit(db, unit.id).await.map_err(|e| AppError::internal(lang, e))?
    } else {
        Default::default()
    };
    let figures = BaseFigure::ALL
        .iter()
        .filter(|_| may_read)
        .map(|f| FigureView {
            label: match lang {
                Lang::Vi => f.label_vi().to_string(),
                Lang::En => f.label_en().to_string(),
            },
            value: known.get(f).map(|v| format::integer(*v)),
            raw: known.get(f).map(|v| v.to_string()).unwrap_or_default(),
            key: f.as_str().to_string(),
        })
        .collect();
    let (can_administer, can_edit_figures, can_read) = match &page.actor {
        Some(actor) => {
            let ancestry = units::ancestry(db, unit.id).await.map_err(|e| AppError::internal(lang, e))?;
            let policy = actor.policy();
            (
                allows(&policy, Action::AdministerUnits, &ancestry),
                allows(&policy, Action::WriteUnit, &ancestry),
                allows(&policy, Action::ReadUnit, &ancestry),
            )
        }
        None => (false, false, false),
    };
    let contact = if can_read {
        Some(phongtrao_storage::unit_contacts::get(db, unit.id).await.map_err(|e| AppError::internal(lang, e))?)
    } else {
        None
    };
    let history = history_line(db, &unit, lang).await;
    Ok(UnitPage {
        history,
        chrome: page.chrome(unit.name.clone(), "units"),
        can_administer,
        can_edit_figures,
        saved: page.path.contains("saved=1"),
        contact_saved: page.path.contains("saved=contact"),
        unit_message: if page.path.contains("saved=created") {
            Some(page.lang.t("office_week.unit_created"))
        } else if page.path.contains("saved=unit") {
            Some(page.lang.t("office_week.unit_updated"))
        } else {
            None
        },
        contact,
        kind: kind_label(&unit, page.lang),
        level: unit.level().map(|l| page.lang.pick(l.label_vi(), l.label_en()).to_string()).unwrap_or_default(),
        parent,
        children,
        figures,
        unit,
    })
}

#[derive(Debug, serde::Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    secretary: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    note: String,
}

/// POST /units/{code}/contact: the unit's reporters or the office save its contact.
pub async fn save_contact(
    State(state): State<AppState>,
    page: Page,
    Path(code): Path<String>,
    axum::Form(f): axum::Form<ContactForm>,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let actor = page.require_actor()?.clone();
    let input = crate::actions::unit_contacts::ContactInput {
        secretary: &f.secretary,
        phone: &f.phone,
        email: &f.email,
        note: &f.note,
    };
    match crate::actions::unit_contacts::set(&state, &actor, &page.client, &code, &input).await {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("/units/{code}?saved=contact#contact")).into_response()),
        Err(failure) => Err(page.fail(failure)),
    }
}
