//! Importing a plan document: the draft is kept for review (in the database, so any
//! app instance can show it); nothing runs until a person confirms.

use axum::http::StatusCode;
use phongtrao_domain::import::{import_file, lint_draft, Extracted};
use phongtrao_domain::plan::edit::PlanEdit;
use phongtrao_domain::plan::{lint, parse_plan, PlanProblem};
use phongtrao_domain::policy::Action;
use phongtrao_storage::{campaigns, pending_imports};
use serde::{Deserialize, Serialize};

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, who};
use crate::error::Failure;
use crate::AppState;

pub const KIND: &str = "plan";
/// The largest plan document accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;

/// What the review shows: the extraction and the plan file being edited.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Review {
    pub file_name: String,
    pub toml: String,
    pub items: Vec<ReviewItem>,
    pub problems: Vec<String>,
    /// The plan in the editor (absent in drafts kept before the editor: read from `toml`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edit: Option<PlanEdit>,
    /// "import" (read from a document), "new" (written in the editor) or "amend".
    #[serde(default)]
    pub mode: String,
    /// The campaign an amendment changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign_code: Option<String>,
    /// An amendment's reason and its document, as typed.
    #[serde(default)]
    pub amendment: AmendmentForm,
    /// A unit's own plan beneath a campaign (issue #21): which campaign and unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_plan: Option<super::unit_plan::OwnPlanDraft>,
}

impl Review {
    /// A draft written in the editor (not read from a document): its plan, whether
    /// it is new or amends `campaign_code`, and what it is beneath for a unit's plan.
    pub fn written(
        edit: PlanEdit,
        toml: String,
        mode: &str,
        campaign_code: Option<String>,
        own_plan: Option<super::unit_plan::OwnPlanDraft>,
    ) -> Review {
        Review {
            file_name: String::new(),
            toml,
            items: Vec::new(),
            problems: Vec::new(),
            edit: Some(edit),
            mode: mode.into(),
            campaign_code,
            amendment: AmendmentForm::default(),
            own_plan,
        }
    }
}

/// Why a running plan is amended, and the document that says so.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AmendmentForm {
    pub reason: String,
    pub document_number: String,
    pub document_date: String,
}

impl Review {
    /// The plan in the editor.
    pub fn edit(&self) -> Result<PlanEdit, Failure> {
        match &self.edit {
            Some(e) => Ok(e.clone()),
            None => PlanEdit::from_toml(&self.toml).map_err(Failure::invalid),
        }
    }

    pub fn is_amendment(&self) -> bool {
        self.mode == MODE_AMEND
    }
}

pub const MODE_IMPORT: &str = "import";
pub const MODE_NEW: &str = "new";
pub const MODE_AMEND: &str = "amend";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ReviewItem {
    pub field: String,
    pub value: String,
    pub source: String,
    pub line: usize,
    pub confidence: String,
}

impl From<&Extracted> for ReviewItem {
    fn from(e: &Extracted) -> Self {
        ReviewItem {
            field: e.field.clone(),
            value: e.value.clone(),
            source: e.source.clone(),
            line: e.line,
            confidence: e.confidence.as_str().into(),
        }
    }
}

/// The checks of a plan file as it stands: its errors (with lines) or the linter's notes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Checked {
    pub valid: bool,
    /// "vi / en" (the API's form).
    pub errors: Vec<String>,
    /// The same, one language each, for the page.
    #[serde(skip)]
    pub errors_vi: Vec<String>,
    #[serde(skip)]
    pub errors_en: Vec<String>,
    pub findings_vi: Vec<String>,
    pub findings_en: Vec<String>,
    pub targets: usize,
    pub indicators: usize,
    pub events: usize,
}

pub fn check_toml(toml: &str) -> Checked {
    match parse_plan(toml) {
        Ok(plan) => {
            let findings = lint::lint(&plan);
            Checked {
                valid: true,
                errors: Vec::new(),
                errors_vi: Vec::new(),
                errors_en: Vec::new(),
                findings_vi: findings.iter().map(|f| f.message_vi.clone()).collect(),
                findings_en: findings.iter().map(|f| f.message_en.clone()).collect(),
                targets: plan.targets.len(),
                indicators: plan.indicators().count(),
                events: plan.events.len(),
            }
        }
        Err(e) => Checked {
            valid: false,
            errors: e.0.iter().map(PlanProblem::to_string).collect(),
            errors_vi: e.0.iter().map(|p| p.in_language(false)).collect(),
            errors_en: e.0.iter().map(|p| p.in_language(true)).collect(),
            findings_vi: Vec::new(),
            findings_en: Vec::new(),
            targets: 0,
            indicators: 0,
            events: 0,
        },
    }
}

/// Reads an uploaded document into a draft kept for review; returns its id.
/// The most time a plan document may take to read.
const IMPORT_SECONDS: u64 = 10;

pub async fn upload(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    file_name: &str,
    bytes: &[u8],
) -> Result<(i64, Review), Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    if bytes.len() > MAX_BYTES {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Tệp quá lớn (tối đa 5 MB).",
            "The file is too large (5 MB at most).",
        ));
    }
    // Read on a blocking thread with a time limit: a request worker is never held,
    // and a document that takes too long is refused (its text is bounded too).
    let (name, owned) = (file_name.to_string(), bytes.to_vec());
    let reading = tokio::task::spawn_blocking(move || import_file(&name, &owned));
    let draft = match tokio::time::timeout(std::time::Duration::from_secs(IMPORT_SECONDS), reading).await {
        Ok(Ok(read)) => read.map_err(|e| Failure::invalid(e.to_string()))?,
        Ok(Err(e)) => return Err(Failure::internal(e)),
        Err(_) => {
            return Err(Failure::invalid(format!(
                "Đọc văn bản mất quá {IMPORT_SECONDS} giây nên đã dừng; hãy tách văn bản hoặc bỏ bớt phần không phải kế hoạch / reading the document took over {IMPORT_SECONDS} seconds and was stopped; split it or remove what is not the plan"
            )))
        }
    };
    let mut problems = draft.problems.clone();
    // The linter's notes on a plan that parses are shown with the checks; here only
    // what the draft alone can tell.
    let plan_notes: Vec<String> =
        draft.to_plan().map(|p| lint::lint(&p).into_iter().map(|f| f.message_vi).collect()).unwrap_or_default();
    for f in lint_draft(&draft) {
        if !plan_notes.contains(&f.message_vi) {
            problems.push(format!("{} / {}", f.message_vi, f.message_en));
        }
    }
    let review = Review {
        file_name: file_name.to_string(),
        toml: draft.to_toml(),
        items: draft.items.iter().map(ReviewItem::from).collect(),
        problems,
        edit: PlanEdit::from_import(&draft).ok(),
        mode: MODE_IMPORT.into(),
        campaign_code: None,
        amendment: AmendmentForm::default(),
        own_plan: None,
    };
    let payload = serde_json::to_string(&review).map_err(Failure::internal)?;
    let id = pending_imports::create(&state.db, actor.user.id, KIND, file_name, &payload, state.now()).await?;
    Ok((id, review))
}

pub async fn load(state: &AppState, actor: &Actor, client: &ClientIp, id: i64) -> Result<Review, Failure> {
    let pending = pending_imports::get(&state.db, id, actor.user.id).await?.filter(|p| p.kind == KIND);
    let review: Option<Review> = match pending {
        Some(p) => Some(serde_json::from_str(&p.payload_json).map_err(Failure::internal)?),
        None => None,
    };
    match review.as_ref().and_then(|r| r.own_plan.as_ref()) {
        // A unit's own plan: its office (or the office above) may edit it.
        Some(own) => {
            super::unit_plan::draft_scope(state, actor, client, own).await?;
        }
        None => require(state, actor, client, Action::AdministerCampaign, None).await?,
    }
    review.ok_or_else(Failure::not_found)
}

/// Keeps the reviewer's edited plan file.
pub async fn save_edit(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    id: i64,
    toml: &str,
) -> Result<Review, Failure> {
    let mut review = load(state, actor, client, id).await?;
    if toml.len() > MAX_BYTES {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "Kế hoạch quá dài.",
            "The plan is too long.",
        ));
    }
    review.toml = toml.replace("\r\n", "\n");
    // The editor follows the file (keeping where imported values came from).
    if let Ok(mut edit) = PlanEdit::from_toml(&review.toml) {
        edit.sources = review.edit.take().map(|e| e.sources).unwrap_or_default();
        review.edit = Some(edit);
    }
    let payload = serde_json::to_string(&review).map_err(Failure::internal)?;
    pending_imports::update_payload(&state.db, id, actor.user.id, &payload).await?;
    Ok(review)
}

/// Makes the reviewed plan the running campaign.
pub async fn confirm(state: &AppState, actor: &Actor, client: &ClientIp, id: i64, toml: &str) -> Result<i64, Failure> {
    let review = save_edit(state, actor, client, id, toml).await?;
    if review.is_amendment() {
        return Err(Failure::invalid(
            "Bản điều chỉnh được áp dụng bằng nút \"Áp dụng điều chỉnh\" / an amendment is applied with \"Apply the amendment\"",
        ));
    }
    let plan = parse_plan(&review.toml).map_err(|e| {
        Failure::invalid(format!(
            "Kế hoạch còn lỗi, chưa thể xác nhận: {} / The plan still has errors",
            e.0.iter().map(PlanProblem::to_string).collect::<Vec<_>>().join("; ")
        ))
    })?;
    let campaign_id =
        campaigns::load_and_activate(&state.db, &plan, &review.toml, &who(Some(actor), client), state.now()).await?;
    pending_imports::mark_confirmed(&state.db, id, state.now()).await?;
    Ok(campaign_id)
}
