//! Writing a plan in the browser: a draft (kept in the database, so any instance can
//! show it) edited field by field, checked as it goes, then confirmed as a running
//! campaign, or, for an amendment, applied to the running one.
//!
//! The same drafts hold an imported document (see `plan_import`), a new plan written
//! from nothing, and an amendment of a running plan.

use chrono::Datelike;
use phongtrao_domain::plan::edit::{Checked, PlanEdit};
use phongtrao_domain::policy::Action;
use phongtrao_storage::campaigns::{self, StoredCampaign};
use phongtrao_storage::pending_imports;

use super::plan_import::{self, AmendmentForm, Review, KIND, MODE_AMEND, MODE_NEW};
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::campaign_choice;
use crate::error::Failure;
use crate::AppState;

async fn store(state: &AppState, actor: &Actor, file_name: &str, review: &Review) -> Result<i64, Failure> {
    let payload = serde_json::to_string(review).map_err(Failure::internal)?;
    Ok(pending_imports::create(&state.db, actor.user.id, KIND, file_name, &payload, state.now()).await?)
}

async fn keep(state: &AppState, actor: &Actor, id: i64, review: &Review) -> Result<(), Failure> {
    let payload = serde_json::to_string(review).map_err(Failure::internal)?;
    pending_imports::update_payload(&state.db, id, actor.user.id, &payload).await?;
    Ok(())
}

/// A new plan written in the editor. The office's own header (issuing body, place,
/// signatory, contact, recipients, reporting rule) is taken from the plan it runs now,
/// with this year's dates left for the office to fill in.
pub async fn start_new(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    like: Option<&StoredCampaign>,
) -> Result<i64, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    let year = state.now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).year();
    let mut edit = PlanEdit::default();
    if let Some(c) = like {
        if let Ok(previous) = PlanEdit::from_toml(&c.row.plan_toml) {
            let p = previous.campaign;
            edit.campaign.superior_body = p.superior_body;
            edit.campaign.issuing_body = p.issuing_body;
            edit.campaign.place = p.place;
            edit.campaign.document_type = p.document_type;
            edit.campaign.signatory_on_behalf_of = p.signatory_on_behalf_of;
            edit.campaign.signatory_title = p.signatory_title;
            edit.campaign.signatory_name = p.signatory_name;
            edit.campaign.contact_office = p.contact_office;
            edit.campaign.contact_email = p.contact_email;
            edit.campaign.contact_phone = p.contact_phone;
            edit.recipients = previous.recipients;
            edit.reporting.levels = previous.reporting.levels;
            edit.reporting.send_to = previous.reporting.send_to;
            edit.reporting.due_time = previous.reporting.due_time;
        }
    }
    edit.campaign.year = year.to_string();
    if edit.reporting.levels.is_empty() {
        edit.reporting.levels = vec!["district".into()];
    }
    if edit.reporting.due_time.is_empty() {
        edit.reporting.due_time = "16:00".into();
    }
    edit.campaign.document_type =
        if edit.campaign.document_type.is_empty() { "Kế hoạch".into() } else { edit.campaign.document_type };
    let review = Review::written(edit.clone(), edit.to_toml(), MODE_NEW, None, None);
    store(state, actor, "", &review).await
}

/// An amendment of a running plan: its current version in the editor.
pub async fn start_amend(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    campaign: &StoredCampaign,
) -> Result<i64, Failure> {
    crate::authz::require_campaign(state, actor, client, Action::AdministerCampaign, campaign).await?;
    campaign_choice::ensure_running(campaign)?;
    let edit = PlanEdit::from_toml(&campaign.row.plan_toml).map_err(Failure::invalid)?;
    let review =
        Review::written(edit, campaign.row.plan_toml.to_string(), MODE_AMEND, Some(campaign.row.code.clone()), None);
    store(state, actor, &campaign.row.code, &review).await
}

/// Keeps the editor's form (every field by its path) and applies its button
/// ("add:targets", "remove:events[2]", …); returns the draft and its checks.
pub async fn save_form(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
    pairs: &[(String, String)],
    op: Option<&str>,
) -> Result<(Review, Checked), Failure> {
    let mut review = plan_import::load(state, actor, client, id).await?;
    let sources = review.edit.as_ref().map(|e| e.sources.clone()).unwrap_or_default();
    let mut edit = PlanEdit::from_form(pairs, sources);
    if review.is_amendment() {
        // An amendment keeps its campaign's code.
        if let Some(old) = &review.edit {
            edit.campaign.code = old.campaign.code.clone();
        }
    }
    if let Some(op) = op {
        edit.apply(op).map_err(Failure::invalid)?;
    }
    edit.complete();
    let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    if review.is_amendment() {
        review.amendment = AmendmentForm {
            reason: value("amendment.reason"),
            document_number: value("amendment.document_number"),
            document_date: value("amendment.document_date"),
        };
    }
    let checked = edit.check();
    review.toml = edit.to_toml();
    review.edit = Some(edit);
    keep(state, actor, id, &review).await?;
    Ok((review, checked))
}

/// Keeps a whole plan sent as the editor's model (the API).
pub async fn save_model(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
    mut edit: PlanEdit,
) -> Result<(Review, Checked), Failure> {
    let mut review = plan_import::load(state, actor, client, id).await?;
    if edit.is_too_large() {
        return Err(Failure::invalid(format!(
            "Kế hoạch có một danh sách quá {} mục / a list of the plan has more than {} items",
            phongtrao_domain::plan::edit::MAX_ITEMS,
            phongtrao_domain::plan::edit::MAX_ITEMS
        )));
    }
    // Where values came from is the server's record, not the caller's.
    edit.sources = review.edit.as_ref().map(|e| e.sources.clone()).unwrap_or_default();
    if review.is_amendment() {
        if let Some(old) = &review.edit {
            edit.campaign.code = old.campaign.code.clone();
        }
    }
    edit.complete();
    let checked = edit.check();
    review.toml = edit.to_toml();
    review.edit = Some(edit);
    keep(state, actor, id, &review).await?;
    Ok((review, checked))
}

/// The notes of the checks as one sentence per error, for a refusal.
pub fn refusal(edit: &PlanEdit, checked: &Checked) -> Failure {
    let list = |english: bool| {
        checked
            .errors()
            .take(8)
            .map(|n| match &n.path {
                Some(p) => format!("{}: {}", edit.describe(p, english), if english { &n.en } else { &n.vi }),
                None => {
                    if english {
                        n.en.clone()
                    } else {
                        n.vi.clone()
                    }
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let count = checked.errors().count();
    Failure::invalid(format!(
        "Kế hoạch còn {count} lỗi, chưa thể xác nhận: {} / The plan still has {count} errors and cannot be confirmed: {}",
        list(false),
        list(true)
    ))
}

/// Makes the edited draft (imported or new) the running campaign; refused while any
/// field is missing, still a placeholder or wrong.
pub async fn confirm(state: &AppState, actor: &Actor, client: &ClientIp, id: i64) -> Result<StoredCampaign, Failure> {
    let review = plan_import::load(state, actor, client, id).await?;
    if review.is_amendment() {
        return Err(Failure::invalid(
            "Bản điều chỉnh được áp dụng bằng nút \"Áp dụng điều chỉnh\" / an amendment is applied with \"Apply the amendment\"",
        ));
    }
    let mut edit = review.edit()?;
    edit.complete();
    let checked = edit.check();
    let (Some(plan), Some(toml)) = (checked.plan.clone(), checked.toml.clone()) else {
        return Err(refusal(&edit, &checked));
    };
    if !checked.is_valid() {
        return Err(refusal(&edit, &checked));
    }
    if let Some(own) = &review.own_plan {
        let (parent, unit) = super::unit_plan::draft_scope(state, actor, client, own).await?;
        campaign_choice::ensure_running(&parent)?;
        super::unit_plan::ensure_within_parent(state, &parent, &unit, &plan).await?;
        if campaigns::by_code(&state.db, &plan.campaign.code).await?.is_some() {
            return Err(Failure::new(
                axum::http::StatusCode::CONFLICT,
                "campaign_exists",
                format!("Đã có một chiến dịch mang mã \"{}\": hãy đổi mã của kế hoạch.", plan.campaign.code),
                format!("A campaign with the code \"{}\" exists already.", plan.campaign.code),
            ));
        }
        let own_plan =
            campaigns::OwnPlan { parent_campaign_id: parent.row.id, unit_id: unit.id, who: who(Some(actor), client) };
        let campaign_id = campaigns::load_own_plan(&state.db, &plan, &toml, &own_plan, state.now()).await?;
        pending_imports::mark_confirmed(&state.db, id, state.now()).await?;
        return campaigns::by_id(&state.db, campaign_id).await?.ok_or_else(Failure::not_found);
    }
    if campaigns::by_code(&state.db, &plan.campaign.code).await?.is_some() {
        return Err(Failure::new(
            axum::http::StatusCode::CONFLICT,
            "campaign_exists",
            format!("Đã có một chiến dịch mang mã \"{}\": hãy đổi tên hoặc mã của kế hoạch.", plan.campaign.code),
            format!(
                "A campaign with the code \"{}\" exists already: change the plan's title or code.",
                plan.campaign.code
            ),
        ));
    }
    let campaign_id =
        campaigns::load_and_activate(&state.db, &plan, &toml, &who(Some(actor), client), state.now()).await?;
    pending_imports::mark_confirmed(&state.db, id, state.now()).await?;
    campaigns::by_id(&state.db, campaign_id).await?.ok_or_else(Failure::not_found)
}

/// Closes a draft once what it held was applied (an amendment).
pub async fn close(state: &AppState, id: i64) -> Result<(), Failure> {
    pending_imports::mark_confirmed(&state.db, id, state.now()).await?;
    Ok(())
}
