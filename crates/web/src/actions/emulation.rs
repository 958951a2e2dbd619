//! Emulation scoring (thi đua, issue #22 items 1–3): the criteria sheet of a campaign
//! (edited, imported from .xlsx, or the default built from the plan), units'
//! self-assessment with evidence and the office's review, emulation clusters and the
//! ranking with every score broken down criterion by criterion. Automatic criteria
//! are computed from the progress figures (`actions::progress::from_figures`), never
//! summed again here.

use std::collections::HashMap;

use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use phongtrao_domain::emulation::{
    self as rules, check_score, check_sheet, default_sheet, goal_points, parse_rule, reporting_points, total_max,
    Criterion, Evidence, Points, Rule, SheetProblem,
};
use phongtrao_domain::policy::{allows, Action};
use phongtrao_domain::role::Role;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::emulation::{
    self as store, Cluster, HistoryRow, Review, ScoreRow, SelfScore, Settings, SheetSaved, StoredCriterion,
};
use phongtrao_storage::rollups;
use phongtrao_storage::units::{self, UnitRow};
use serde::Serialize;

use crate::actions::progress::{self, BaseChecks, ProgressReport};
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::{require, require_in, who};
use crate::campaign_choice::ensure_running;
use crate::error::Failure;
use crate::AppState;

fn invalid(vi: impl Into<String>, en: impl Into<String>) -> Failure {
    Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", vi, en)
}

/// All the problems of a sheet in one message, row by row.
fn sheet_failure(problems: &[SheetProblem]) -> Failure {
    let line = |row: usize, text: &str, word: &str| {
        if row == 0 {
            text.to_string()
        } else {
            format!("{word} {row}: {text}")
        }
    };
    let vi: Vec<String> = problems.iter().map(|p| line(p.row, &p.vi, "Dòng")).collect();
    let en: Vec<String> = problems.iter().map(|p| line(p.row, &p.en, "Row")).collect();
    invalid(
        format!("Bảng tiêu chí chưa lưu được: {}", vi.join("; ")),
        format!("The criteria sheet was not saved: {}", en.join("; ")),
    )
}

/// The criteria sheet of a campaign, as the office sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Sheet {
    /// The stored criteria (empty: the office has not set the sheet yet).
    pub criteria: Vec<StoredCriterion>,
    pub total_max: Points,
    pub settings: Settings,
    /// Units may change their self-scores now.
    pub self_open: bool,
}

pub async fn sheet(state: &AppState, campaign: &StoredCampaign) -> Result<Sheet, Failure> {
    let criteria = store::criteria(&state.db, campaign.row.id).await?;
    let settings = store::settings(&state.db, campaign.row.id).await?;
    let plain: Vec<Criterion> = criteria.iter().map(|c| c.criterion.clone()).collect();
    let self_open = rules::self_assessment_open(settings.self_deadline, settings.reopened, state.now());
    Ok(Sheet { total_max: total_max(&plain), criteria, settings, self_open })
}

/// The default sheet of the campaign's plan (not stored).
pub fn proposed_default(campaign: &StoredCampaign) -> Vec<Criterion> {
    default_sheet(&campaign.plan)
}

/// Replaces the sheet (the office): every row checked, all problems named at once,
/// nothing stored unless all are right; removing a criterion units have self-scored
/// is refused (409).
pub async fn save_sheet(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    rows: Vec<(Option<i64>, Criterion)>,
) -> Result<Sheet, Failure> {
    ensure_running(campaign)?;
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    let plain: Vec<Criterion> = rows.iter().map(|(_, c)| c.clone()).collect();
    if plain.is_empty() {
        return Err(invalid("Bảng tiêu chí cần ít nhất một tiêu chí.", "The sheet needs at least one criterion."));
    }
    let problems = check_sheet(&plain, &campaign.plan);
    if !problems.is_empty() {
        return Err(sheet_failure(&problems));
    }
    match store::save_criteria(&state.db, campaign.row.id, &rows, &who(Some(actor), client), state.now()).await? {
        SheetSaved::Saved(_) => sheet(state, campaign).await,
        SheetSaved::ScoredRemoved(numbers) => Err(Failure::new(
            StatusCode::CONFLICT,
            "criterion_scored",
            format!(
                "Không xóa được tiêu chí {} vì đơn vị đã tự chấm; bảng tiêu chí chưa thay đổi.",
                numbers.join(", ")
            ),
            format!(
                "Criteria {} cannot be removed: units have self-scored them; the sheet is unchanged.",
                numbers.join(", ")
            ),
        )),
    }
}

/// Stores the default sheet built from the plan, when the campaign has none yet.
pub async fn create_default(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
) -> Result<Sheet, Failure> {
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    if !store::criteria(&state.db, campaign.row.id).await?.is_empty() {
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "sheet_exists",
            "Chiến dịch đã có bảng tiêu chí; sửa từng dòng hoặc nhập lại từ tệp.",
            "The campaign already has a criteria sheet; edit its rows or import it again from a file.",
        ));
    }
    let rows = proposed_default(campaign).into_iter().map(|c| (None, c)).collect();
    save_sheet(state, campaign, actor, client, rows).await
}

/// A sheet read from a table (columns STT, Tiêu chí, Điểm tối đa, Cách tính; a
/// header row is skipped, empty rows too). Rows keep the id of the stored criterion
/// with the same number, so its self-scores stay.
pub fn sheet_from_table(
    table: &[Vec<String>],
    stored: &[StoredCriterion],
) -> Result<Vec<(Option<i64>, Criterion)>, Failure> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (i, row) in table.iter().enumerate() {
        let cell = |n: usize| row.get(n).map(|s| s.trim()).unwrap_or_default();
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let first = phongtrao_domain::text::fold(cell(0));
        if out.is_empty() && problems.is_empty() && (first == "stt" || first == "no" || first == "so tt") {
            continue;
        }
        let line = i + 1;
        let mut bad = |vi: String, en: String| problems.push(SheetProblem { row: line, vi, en });
        let max = match Points::parse(cell(2)) {
            Ok(p) => p,
            Err((vi, en)) => {
                bad(vi, en);
                continue;
            }
        };
        let rule = match parse_rule(cell(3)) {
            Ok(r) => r,
            Err((vi, en)) => {
                bad(vi, en);
                continue;
            }
        };
        let number = cell(0).trim_end_matches('.').to_string();
        let id = stored.iter().find(|s| s.criterion.number == number).map(|s| s.id);
        out.push((id, Criterion { number, title: cell(1).to_string(), max, rule }));
    }
    if !problems.is_empty() {
        return Err(sheet_failure(&problems));
    }
    if out.is_empty() {
        return Err(invalid(
            "Tệp không có tiêu chí nào (cần các cột STT, Tiêu chí, Điểm tối đa, Cách tính).",
            "The file holds no criterion (columns needed: STT, Tiêu chí, Điểm tối đa, Cách tính).",
        ));
    }
    Ok(out)
}

/// Imports the sheet from an .xlsx (or .csv) file: the whole sheet replaced, or nothing.
pub async fn import_sheet(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Sheet, Failure> {
    ensure_running(campaign)?;
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    let table = crate::files::read_table_off_thread(file_name, bytes).await?;
    let stored = store::criteria(&state.db, campaign.row.id).await?;
    let rows = sheet_from_table(&table, &stored)?;
    // Problems found after reading are named by their row in the file.
    let plain: Vec<Criterion> = rows.iter().map(|(_, c)| c.clone()).collect();
    if !check_sheet(&plain, &campaign.plan).is_empty() {
        let mut line_of = Vec::new();
        for (i, row) in table.iter().enumerate() {
            if row.iter().any(|c| !c.trim().is_empty()) {
                line_of.push(i + 1);
            }
        }
        let skip = line_of.len() - rows.len();
        let problems: Vec<SheetProblem> = check_sheet(&plain, &campaign.plan)
            .into_iter()
            .map(|p| SheetProblem {
                row: if p.row == 0 { 0 } else { line_of.get(p.row - 1 + skip).copied().unwrap_or(p.row) },
                ..p
            })
            .collect();
        return Err(sheet_failure(&problems));
    }
    save_sheet(state, campaign, actor, client, rows).await
}

/// Sets the self-assessment deadline and whether the office reopened it.
pub async fn set_settings(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    settings: Settings,
) -> Result<Sheet, Failure> {
    ensure_running(campaign)?;
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    store::set_settings(&state.db, campaign.row.id, &settings, &who(Some(actor), client), state.now()).await?;
    sheet(state, campaign).await
}

/// A unit's assessed criteria with its scores and their history.
#[derive(Debug, Clone)]
pub struct UnitScores {
    pub unit: UnitRow,
    pub rows: Vec<UnitScoreLine>,
    pub history: Vec<HistoryRow>,
    pub settings: Settings,
    /// The unit may change its self-scores now (before the deadline or reopened).
    pub self_open: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct UnitScoreLine {
    pub criterion: StoredCriterion,
    pub score: Option<ScoreRow>,
}

async fn unit_in_campaign(
    state: &AppState,
    campaign: &StoredCampaign,
    code: &str,
) -> Result<(UnitRow, Vec<i64>), Failure> {
    let unit = crate::campaign_choice::unit_by_code(&state.db, campaign, code)
        .await?
        .filter(|u| u.active)
        .ok_or_else(Failure::not_found)?;
    let ancestry = units::ancestry(&state.db, unit.id).await?;
    Ok((unit, ancestry))
}

/// The unit a self-assessment page is about when none is named: the actor's first unit.
pub async fn default_unit_code(state: &AppState, actor: &Actor) -> Result<Option<String>, Failure> {
    match actor.unit_ids.first() {
        Some(id) => Ok(units::by_id(&state.db, *id).await?.map(|u| u.code)),
        None => Ok(None),
    }
}

pub async fn unit_scores(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
) -> Result<UnitScores, Failure> {
    let (unit, ancestry) = unit_in_campaign(state, campaign, code).await?;
    require_in(state, actor, client, Action::ReadUnit, Some(unit.id), &ancestry).await?;
    let criteria = store::criteria(&state.db, campaign.row.id).await?;
    let scores = store::scores(&state.db, campaign.row.id, &[unit.id]).await?;
    let rows = criteria
        .into_iter()
        .filter(|c| c.criterion.rule.is_assessed())
        .map(|c| {
            let score = scores.iter().find(|s| s.criterion_id == c.id).cloned();
            UnitScoreLine { criterion: c, score }
        })
        .collect();
    let history = store::history(&state.db, campaign.row.id, unit.id).await?;
    let settings = store::settings(&state.db, campaign.row.id).await?;
    let self_open = rules::self_assessment_open(settings.self_deadline, settings.reopened, state.now());
    Ok(UnitScores { unit, rows, history, settings, self_open })
}

/// One self-score as typed: the criterion's number, the points as text, the evidence.
#[derive(Debug, Clone, Default)]
pub struct SelfInput {
    pub criterion: String,
    pub points: String,
    pub evidence: Evidence,
}

fn criterion_by_number<'a>(criteria: &'a [StoredCriterion], number: &str) -> Result<&'a StoredCriterion, Failure> {
    criteria.iter().find(|c| c.criterion.number == number.trim()).ok_or_else(|| {
        invalid(
            format!("Bảng tiêu chí không có tiêu chí {}.", number.trim()),
            format!("The sheet has no criterion {}.", number.trim()),
        )
    })
}

/// A unit's self-scores (its own account, or the office): every score between 0 and
/// its criterion's maximum, all stored or none; after the deadline a unit account
/// is refused (409) unless the office reopened self-assessment.
pub async fn save_self(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    inputs: &[SelfInput],
) -> Result<UnitScores, Failure> {
    ensure_running(campaign)?;
    let (unit, ancestry) = unit_in_campaign(state, campaign, code).await?;
    require_in(state, actor, client, Action::WriteUnit, Some(unit.id), &ancestry).await?;
    let settings = store::settings(&state.db, campaign.row.id).await?;
    if actor.user.role != Role::Admin
        && !rules::self_assessment_open(settings.self_deadline, settings.reopened, state.now())
    {
        let at = settings
            .self_deadline
            .map(|d| phongtrao_domain::format::date_time(&d.with_timezone(&campaign.plan.campaign.timezone)))
            .unwrap_or_default();
        return Err(Failure::new(
            StatusCode::CONFLICT,
            "self_assessment_closed",
            format!("Đã hết hạn tự chấm điểm thi đua ({at}); liên hệ văn phòng nếu cần mở lại."),
            format!("Self-assessment closed at its deadline ({at}); ask the office to reopen it if needed."),
        ));
    }
    let criteria = store::criteria(&state.db, campaign.row.id).await?;
    let mut entries = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for input in inputs {
        // A row left blank (no points, no evidence) is skipped: the unit fills what it can.
        if input.points.trim().is_empty() && input.evidence == Evidence::default() {
            continue;
        }
        let result = (|| {
            let c = criterion_by_number(&criteria, &input.criterion)?;
            let points = Points::parse(&input.points).map_err(|(vi, en)| {
                invalid(
                    format!("Tiêu chí {}: {vi}", c.criterion.number),
                    format!("Criterion {}: {en}", c.criterion.number),
                )
            })?;
            check_score(&c.criterion, points).map_err(|(vi, en)| invalid(vi, en))?;
            let evidence = input.evidence.clone().checked().map_err(|(vi, en)| {
                invalid(
                    format!("Tiêu chí {}: {vi}", c.criterion.number),
                    format!("Criterion {}: {en}", c.criterion.number),
                )
            })?;
            Ok::<_, Failure>(SelfScore { criterion_id: c.id, points, evidence })
        })();
        match result {
            Ok(e) => entries.push(e),
            Err(f) => errors.push((f.vi, f.en)),
        }
    }
    if !errors.is_empty() {
        let (vi, en): (Vec<String>, Vec<String>) = errors.into_iter().unzip();
        return Err(invalid(
            format!("Chưa lưu điểm tự chấm: {}", vi.join("; ")),
            format!("The self-scores were not saved: {}", en.join("; ")),
        ));
    }
    store::set_self_scores(&state.db, campaign.row.id, unit.id, &entries, &who(Some(actor), client), state.now())
        .await?;
    unit_scores(state, campaign, actor, client, code).await
}

/// One review as typed: the criterion's number, the accepted points, the comment.
#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub criterion: String,
    pub points: String,
    pub comment: String,
}

/// The office's (or a steering member's) review of a unit's self-scores: each
/// accepted or adjusted (an adjustment needs its comment), all stored or none.
pub async fn save_review(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    code: &str,
    inputs: &[ReviewInput],
) -> Result<UnitScores, Failure> {
    ensure_running(campaign)?;
    let (unit, ancestry) = unit_in_campaign(state, campaign, code).await?;
    require_in(state, actor, client, Action::ReviewUnit, Some(unit.id), &ancestry).await?;
    let criteria = store::criteria(&state.db, campaign.row.id).await?;
    let scores = store::scores(&state.db, campaign.row.id, &[unit.id]).await?;
    let mut entries = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for input in inputs.iter().filter(|i| !i.points.trim().is_empty()) {
        let result = (|| {
            let c = criterion_by_number(&criteria, &input.criterion)?;
            let n = &c.criterion.number;
            let Some(score) = scores.iter().find(|s| s.criterion_id == c.id) else {
                return Err(invalid(
                    format!("Tiêu chí {n}: đơn vị chưa tự chấm, chưa duyệt được."),
                    format!("Criterion {n}: the unit has not self-scored it yet."),
                ));
            };
            let points = Points::parse(&input.points)
                .map_err(|(vi, en)| invalid(format!("Tiêu chí {n}: {vi}"), format!("Criterion {n}: {en}")))?;
            check_score(&c.criterion, points).map_err(|(vi, en)| invalid(vi, en))?;
            let comment = phongtrao_domain::text::clean_note(input.comment.trim());
            if points.0 != score.self_points && comment.is_empty() {
                return Err(invalid(
                    format!("Tiêu chí {n}: điều chỉnh điểm cần ghi lý do."),
                    format!("Criterion {n}: an adjusted score needs a comment."),
                ));
            }
            if comment.chars().count() > 2000 {
                return Err(invalid(
                    format!("Tiêu chí {n}: nhận xét quá dài (tối đa 2.000 ký tự)."),
                    format!("Criterion {n}: the comment is too long (2,000 characters at most)."),
                ));
            }
            Ok(Review { criterion_id: c.id, points, comment })
        })();
        match result {
            Ok(e) => entries.push(e),
            Err(f) => errors.push((f.vi, f.en)),
        }
    }
    if !errors.is_empty() {
        let (vi, en): (Vec<String>, Vec<String>) = errors.into_iter().unzip();
        return Err(invalid(
            format!("Chưa lưu kết quả duyệt: {}", vi.join("; ")),
            format!("The review was not saved: {}", en.join("; ")),
        ));
    }
    store::review(&state.db, campaign.row.id, unit.id, &entries, &who(Some(actor), client), state.now()).await?;
    unit_scores(state, campaign, actor, client, code).await
}

/// A cluster with its units.
#[derive(Debug, Clone)]
pub struct ClusterView {
    pub id: i64,
    pub name: String,
    pub units: Vec<UnitRow>,
}

pub async fn clusters(state: &AppState, campaign: &StoredCampaign) -> Result<Vec<ClusterView>, Failure> {
    let stored = store::clusters(&state.db, campaign.row.id).await?;
    let ids: Vec<i64> = stored.iter().flat_map(|c| c.unit_ids.iter().copied()).collect();
    let by_id: HashMap<i64, UnitRow> = units::by_ids(&state.db, &ids).await?.into_iter().map(|u| (u.id, u)).collect();
    Ok(stored
        .into_iter()
        .map(|c: Cluster| ClusterView {
            id: c.id,
            name: c.name,
            units: c.unit_ids.iter().filter_map(|id| by_id.get(id).cloned()).collect(),
        })
        .collect())
}

/// Replaces the campaign's clusters (the office): each a name and its unit codes;
/// unknown codes and a unit in two clusters are refused, nothing stored.
pub async fn set_clusters(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    client: &ClientIp,
    wanted: &[(String, Vec<String>)],
) -> Result<Vec<ClusterView>, Failure> {
    ensure_running(campaign)?;
    require(state, actor, client, Action::AdministerCampaign, None).await?;
    if wanted.len() > 200 {
        return Err(invalid("Quá nhiều cụm (tối đa 200).", "Too many clusters (200 at most)."));
    }
    let mut out: Vec<(String, Vec<i64>)> = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut seen: HashMap<i64, String> = HashMap::new();
    for (name, codes) in wanted {
        let name = match rules::check_cluster_name(name) {
            Ok(n) => n,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let mut ids = Vec::new();
        for code in codes {
            match crate::campaign_choice::unit_by_code(&state.db, campaign, code).await?.filter(|u| u.active) {
                None => errors.push((
                    format!("Cụm \"{name}\": không có đơn vị mã {code}."),
                    format!("Cluster \"{name}\": no unit has the code {code}."),
                )),
                Some(u) => {
                    if let Some(other) = seen.get(&u.id) {
                        errors.push((
                            format!("Đơn vị {} ({code}) đã thuộc cụm \"{other}\": mỗi đơn vị chỉ ở một cụm.", u.name),
                            format!(
                                "Unit {} ({code}) is already in cluster \"{other}\": a unit is in one cluster at most.",
                                u.name
                            ),
                        ));
                    } else {
                        seen.insert(u.id, name.clone());
                        ids.push(u.id);
                    }
                }
            }
        }
        out.push((name, ids));
    }
    if !errors.is_empty() {
        let (vi, en): (Vec<String>, Vec<String>) = errors.into_iter().unzip();
        return Err(invalid(
            format!("Chưa lưu cụm thi đua: {}", vi.join("; ")),
            format!("The clusters were not saved: {}", en.join("; ")),
        ));
    }
    store::set_clusters(&state.db, campaign.row.id, &out, &who(Some(actor), client), state.now()).await?;
    clusters(state, campaign).await
}

/// One criterion's score in a unit's breakdown, with where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreLine {
    pub number: String,
    pub title: String,
    pub max: Points,
    pub points: Points,
    /// An assessed score not reviewed yet: it counts 0 ("chờ duyệt").
    pub pending: bool,
    pub source_vi: String,
    pub source_en: String,
}

/// One unit's place in a ranking.
#[derive(Debug, Clone, Serialize)]
pub struct RankedUnit {
    pub rank: u32,
    pub unit: String,
    pub unit_name: String,
    pub total: Points,
    /// Some assessed score is waiting for review.
    pub pending: bool,
    /// Late and missing weekly reports of its subtree (weeks already due), as the
    /// reporting criterion counts them (commendations' "all reports on time").
    pub late: u64,
    pub missing: u64,
    pub lines: Vec<ScoreLine>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterRanking {
    /// None: the overall ranking.
    pub cluster_id: Option<i64>,
    pub name: String,
    pub rows: Vec<RankedUnit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EmulationRanking {
    pub at: NaiveDate,
    pub total_max: Points,
    /// No criteria sheet yet: nothing to rank.
    pub no_sheet: bool,
    pub clusters: Vec<ClusterRanking>,
    /// Every ranked unit together (the office only; None for units).
    pub overall: Option<ClusterRanking>,
}

fn points_words(p: Points) -> (String, String) {
    (p.vi(), p.en())
}

/// Each criterion's score of one unit from its progress report and its scores.
pub fn breakdown(
    criteria: &[StoredCriterion],
    report: &ProgressReport,
    scores: &[ScoreRow],
    due_periods: u32,
) -> Vec<ScoreLine> {
    use phongtrao_domain::format::number;
    criteria
        .iter()
        .map(|sc| {
            let c = &sc.criterion;
            let (points, pending, source_vi, source_en) = match &c.rule {
                Rule::GoalCompletion { indicator, all_or_nothing } => {
                    let ind = report.indicators.iter().find(|i| &i.indicator == indicator);
                    match ind {
                        Some(i) if i.goal.is_some() && i.ratio.is_some() => {
                            let points = goal_points(c.max, *all_or_nothing, i.ratio);
                            let label = i.unit_label.clone().unwrap_or_default();
                            let pct = i.completion.map(|p| (p.vi(), p.en())).unwrap_or_default();
                            let goal = i.goal.unwrap_or_default();
                            let decimals = if i.kind == "count" { 0 } else { 1 };
                            let (a, g) = (number(i.achieved, decimals), number(goal, decimals));
                            let suffix = if i.kind == "count" { format!(" {label}") } else { "%".to_string() };
                            let aon_vi = if *all_or_nothing { ", đạt mới có điểm" } else { "" };
                            let aon_en = if *all_or_nothing { ", all or nothing" } else { "" };
                            (
                                points,
                                false,
                                format!("tự động: hoàn thành {} chỉ tiêu {indicator} ({a}/{g}{}{aon_vi})", pct.0, suffix.trim_end()),
                                format!("automatic: {} of goal {indicator} ({a}/{g}{}{aon_en})", pct.1, suffix.trim_end()),
                            )
                        }
                        _ => (
                            Points::ZERO,
                            false,
                            format!("tự động: chưa có chỉ tiêu {indicator} được giao cho đơn vị"),
                            format!("automatic: no goal {indicator} allocated to the unit"),
                        ),
                    }
                }
                Rule::ReportsOnTime { per_late, per_missing } => {
                    let due = report.timeliness.iter().filter(|t| t.period <= due_periods);
                    let (late, missing) =
                        due.fold((0u64, 0u64), |(l, m), t| (l + t.late as u64, m + t.missing as u64));
                    // A report of a week not yet due is late only once it is due: only due weeks count.
                    let points = reporting_points(c.max, *per_late, *per_missing, late, missing);
                    let (pl, pm) = (points_words(*per_late), points_words(*per_missing));
                    (
                        points,
                        false,
                        format!(
                            "tự động: {late} báo cáo trễ (−{} mỗi báo cáo), {missing} báo cáo thiếu (−{} mỗi báo cáo) trong {due_periods} tuần đã đến hạn",
                            pl.0, pm.0
                        ),
                        format!(
                            "automatic: {late} late reports (−{} each), {missing} missing (−{} each) over {due_periods} weeks due",
                            pl.1, pm.1
                        ),
                    )
                }
                Rule::Assessed => match scores.iter().find(|s| s.criterion_id == sc.id) {
                    None => (Points::ZERO, false, "chưa tự chấm".to_string(), "not self-assessed".to_string()),
                    Some(s) => {
                        let own = Points(s.self_points);
                        let reference = s.evidence().reference();
                        let ev_vi = if reference.is_empty() { String::new() } else { format!(" ({reference})") };
                        match s.reviewed_points {
                            None => (
                                Points::ZERO,
                                true,
                                format!("tự chấm {}{ev_vi}, chờ duyệt (tính 0)", own.vi()),
                                format!("self-score {}{ev_vi}, awaiting review (counts 0)", own.en()),
                            ),
                            Some(r) => {
                                let by = s.reviewed_by.clone().unwrap_or_default();
                                let comment = if s.review_comment.is_empty() {
                                    String::new()
                                } else {
                                    format!(": {}", s.review_comment)
                                };
                                (
                                    Points(r),
                                    false,
                                    format!("tự chấm {}, {by} duyệt {}{comment}", own.vi(), Points(r).vi()),
                                    format!("self-score {}, reviewed by {by}: {}{comment}", own.en(), Points(r).en()),
                                )
                            }
                        }
                    }
                },
            };
            ScoreLine {
                number: c.number.clone(),
                title: c.title.clone(),
                max: c.max,
                points,
                pending,
                source_vi,
                source_en,
            }
        })
        .collect()
}

/// The weeks whose deadline has passed at `now` (a missing report counts only then).
fn due_periods(campaign: &StoredCampaign, now: DateTime<Utc>) -> u32 {
    campaign.plan.periods().iter().filter(|p| p.deadline.with_timezone(&Utc) <= now).map(|p| p.seq).max().unwrap_or(0)
}

/// The progress of the given units (each its own subtree), from one read of their
/// consolidated figures, by the same rules as every other surface.
async fn progress_of(
    state: &AppState,
    campaign: &StoredCampaign,
    list: &[UnitRow],
) -> Result<HashMap<i64, ProgressReport>, Failure> {
    let db = &state.db;
    let plan = &campaign.plan;
    let ids: Vec<i64> = list.iter().map(|u| u.id).collect();
    let mut figures = rollups::subtree_figures_of_rows(db, plan, campaign.row.id, list).await?;
    let goals = phongtrao_storage::allocations::for_units(db, campaign.row.id, &ids).await?;
    let checks = BaseChecks {
        marked_complete: phongtrao_storage::base_figures::marked_complete(db, campaign.row.id).await?,
        tree: HashMap::new(),
    };
    let today = state.now().with_timezone(&plan.campaign.timezone).date_naive();
    let at = today.min(plan.campaign.ends_on);
    let upto = progress::periods_counted(plan, at);
    Ok(list
        .iter()
        .map(|u| {
            let f = figures.remove(&u.id).unwrap_or_default();
            (u.id, progress::from_figures(plan, u, &f, &goals, &checks, at, upto))
        })
        .collect())
}

type Scored = (UnitRow, Vec<ScoreLine>, (u64, u64));

fn ranked(name: String, cluster_id: Option<i64>, scored: &[Scored]) -> ClusterRanking {
    let entries: Vec<(Points, bool)> = scored
        .iter()
        .map(|(_, lines, _)| (Points(lines.iter().map(|l| l.points.0).sum()), lines.iter().any(|l| l.pending)))
        .collect();
    let keys: Vec<rules::Ranked> =
        scored.iter().zip(&entries).map(|((u, _, _), (t, _))| rules::Ranked { name: &u.name, total: *t }).collect();
    let rows = rules::rank(&keys)
        .into_iter()
        .map(|(idx, rank)| {
            let (u, lines, (late, missing)) = &scored[idx];
            RankedUnit {
                rank,
                unit: u.code.clone(),
                unit_name: u.name.clone(),
                total: entries[idx].0,
                pending: entries[idx].1,
                late: *late,
                missing: *missing,
                lines: lines.clone(),
            }
        })
        .collect();
    ClusterRanking { cluster_id, name, rows }
}

/// The ranking within each cluster (one, when `cluster` names it by id or name) and
/// overall. The office and steering see every cluster and the overall ranking; a
/// unit's account sees the clusters holding one of its units.
pub async fn ranking(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    cluster: Option<&str>,
) -> Result<EmulationRanking, Failure> {
    ranking_of(state, campaign, Some(actor), cluster).await
}

/// Every cluster and the overall ranking, whoever asks (commendations check a
/// unit's standing in its cluster with it; the caller checks the actor).
pub async fn full_ranking(state: &AppState, campaign: &StoredCampaign) -> Result<EmulationRanking, Failure> {
    ranking_of(state, campaign, None, None).await
}

async fn ranking_of(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: Option<&Actor>,
    cluster: Option<&str>,
) -> Result<EmulationRanking, Failure> {
    let db = &state.db;
    let sheet = store::criteria(db, campaign.row.id).await?;
    let plain: Vec<Criterion> = sheet.iter().map(|c| c.criterion.clone()).collect();
    let plan = &campaign.plan;
    let at = state.now().with_timezone(&plan.campaign.timezone).date_naive().min(plan.campaign.ends_on);
    let sees_all = actor.is_none_or(|a| allows(&a.policy(), Action::ReadEverything, &[]));
    let mut views = clusters(state, campaign).await?;
    if let Some(wanted) = cluster.map(str::trim).filter(|c| !c.is_empty()) {
        views.retain(|c| {
            c.id.to_string() == wanted || phongtrao_domain::text::fold(&c.name) == phongtrao_domain::text::fold(wanted)
        });
        if views.is_empty() {
            return Err(Failure::new(
                StatusCode::NOT_FOUND,
                "not_found",
                format!("Không có cụm thi đua \"{wanted}\"."),
                format!("No emulation cluster \"{wanted}\"."),
            ));
        }
    }
    if let Some(actor) = actor.filter(|_| !sees_all) {
        let mut visible = Vec::new();
        for v in views {
            let mut mine = false;
            for u in &v.units {
                let ancestry = units::ancestry(db, u.id).await?;
                if allows(&actor.policy(), Action::ReadUnit, &ancestry) {
                    mine = true;
                    break;
                }
            }
            if mine {
                visible.push(v);
            }
        }
        if visible.is_empty() && cluster.is_some() {
            return Err(Failure::forbidden());
        }
        views = visible;
    }
    if sheet.is_empty() {
        return Ok(EmulationRanking {
            at,
            total_max: Points::ZERO,
            no_sheet: true,
            clusters: Vec::new(),
            overall: None,
        });
    }
    // Without clusters the office still sees the units under the root ranked together.
    let mut all_units: Vec<UnitRow> = Vec::new();
    for v in &views {
        all_units.extend(v.units.iter().cloned());
    }
    let unclustered = views.is_empty() && sees_all && cluster.is_none();
    if unclustered {
        if let Some(root) = crate::campaign_choice::root(db, campaign).await? {
            all_units = units::children(db, root.id).await?.into_iter().filter(|u| u.active).collect();
        }
    }
    let reports = progress_of(state, campaign, &all_units).await?;
    let ids: Vec<i64> = all_units.iter().map(|u| u.id).collect();
    let scores = store::scores(db, campaign.row.id, &ids).await?;
    let due = due_periods(campaign, state.now());
    let score_of = |u: &UnitRow| -> Option<Scored> {
        let report = reports.get(&u.id)?;
        let own: Vec<ScoreRow> = scores.iter().filter(|s| s.unit_id == u.id).cloned().collect();
        let counts = report
            .timeliness
            .iter()
            .filter(|t| t.period <= due)
            .fold((0u64, 0u64), |(l, m), t| (l + t.late as u64, m + t.missing as u64));
        Some((u.clone(), breakdown(&sheet, report, &own, due), counts))
    };
    let clusters_ranked: Vec<ClusterRanking> = views
        .iter()
        .map(|v| {
            let scored: Vec<_> = v.units.iter().filter_map(score_of).collect();
            ranked(v.name.clone(), Some(v.id), &scored)
        })
        .collect();
    let overall = (sees_all && cluster.is_none()).then(|| {
        let scored: Vec<_> = all_units.iter().filter_map(score_of).collect();
        let name = if unclustered { "Toàn tỉnh / Whole province" } else { "Toàn bộ / Overall" };
        ranked(name.to_string(), None, &scored)
    });
    Ok(EmulationRanking { at, total_max: total_max(&plain), no_sheet: false, clusters: clusters_ranked, overall })
}

/// The ranking as an .xlsx workbook: one sheet per cluster and one overall, each
/// unit's total and every criterion's points with its source.
pub fn ranking_xlsx(r: &EmulationRanking, vi: bool) -> Result<Vec<u8>, Failure> {
    use crate::files::{Cell, Sheet};
    let mut sheets = Vec::new();
    let all: Vec<&ClusterRanking> = r.overall.iter().chain(r.clusters.iter()).collect();
    for (i, c) in all.iter().enumerate() {
        let criteria: Vec<(String, Points)> =
            c.rows.first().map(|u| u.lines.iter().map(|l| (l.number.clone(), l.max)).collect()).unwrap_or_default();
        let mut header: Vec<String> = if vi {
            vec!["Hạng".into(), "Mã đơn vị".into(), "Đơn vị".into(), "Tổng điểm".into(), "Chờ duyệt".into()]
        } else {
            vec!["Rank".into(), "Unit code".into(), "Unit".into(), "Total".into(), "Awaiting review".into()]
        };
        for (n, max) in &criteria {
            header.push(if vi {
                format!("TC {n} ({} đ)", max.vi())
            } else {
                format!("Criterion {n} ({} pts)", max.en())
            });
            header.push(if vi { format!("TC {n}: nguồn") } else { format!("Criterion {n}: source") });
        }
        let rows: Vec<Vec<Cell>> = c
            .rows
            .iter()
            .map(|u| {
                let mut row = vec![
                    Cell::Integer(i64::from(u.rank)),
                    Cell::Text(u.unit.clone()),
                    Cell::Text(u.unit_name.clone()),
                    Cell::Text(if vi { u.total.vi() } else { u.total.en() }),
                    Cell::Text(if u.pending {
                        if vi {
                            "có".into()
                        } else {
                            "yes".into()
                        }
                    } else {
                        String::new()
                    }),
                ];
                for l in &u.lines {
                    row.push(Cell::Text(if vi { l.points.vi() } else { l.points.en() }));
                    row.push(Cell::Text(if vi { l.source_vi.clone() } else { l.source_en.clone() }));
                }
                row
            })
            .collect();
        // Sheet names: at most 31 characters, none of []:*?/\ and unique.
        let clean: String =
            c.name.chars().filter(|ch| !"[]:*?/\\".contains(*ch)).take(27).collect::<String>().trim().to_string();
        let name = if clean.is_empty() { format!("{}", i + 1) } else { format!("{} {}", i + 1, clean) };
        let title = if vi {
            format!("Xếp hạng thi đua: {} (tổng điểm tối đa {})", c.name, r.total_max.vi())
        } else {
            format!("Emulation ranking: {} (maximum {})", c.name, r.total_max.en())
        };
        sheets.push(Sheet { name, title: Some(title), title_warns: false, header, rows });
    }
    if sheets.is_empty() {
        sheets.push(Sheet {
            name: if vi { "Xếp hạng thi đua".into() } else { "Emulation ranking".into() },
            title: Some(if vi {
                "Chưa có xếp hạng thi đua: chiến dịch chưa có bảng tiêu chí thi đua (văn phòng lập ở trang Thi đua). \
                 Xếp hạng tiến độ theo chỉ tiêu và báo cáo đúng hạn có ở Bảng điều khiển."
                    .into()
            } else {
                "No emulation ranking yet: the campaign has no emulation criteria (the office sets them on the \
                 Emulation page). The progress ranking by targets and on-time reports is on the dashboard."
                    .into()
            }),
            title_warns: false,
            header: Vec::new(),
            rows: Vec::new(),
        });
    }
    crate::files::write_workbook(&sheets)
}
