//! /review: the office's review queue (chờ duyệt), oldest submission first, with
//! filters and acceptance of several reports at once. Works without JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use phongtrao_domain::format;
use serde::Deserialize;

use crate::actions::reports::week_href;
use crate::actions::review_queue::{self, BulkOutcome, Pick, QueueFilter, QueueItem};
use crate::error::{AppError, Failure};
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

/// One line of the queue as the page shows it.
pub struct QueueLine {
    pub pick: String,
    pub unit: String,
    pub unit_name: String,
    pub what: String,
    pub href: String,
    pub submitted_at: String,
    pub late: bool,
    pub timeliness: String,
    /// "gửi muộn do mất kết nối" when the report counts on time by the time "Gửi"
    /// was pressed (empty otherwise).
    pub offline_mark: String,
    pub excerpt: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "review.html")]
pub struct ReviewPage {
    pub chrome: Chrome,
    pub lines: Vec<QueueLine>,
    /// (value, label, selected) of each weekly period, for the filter.
    pub periods: Vec<(String, String, bool)>,
    pub late_only: bool,
    pub text: String,
    pub unit: String,
    pub filtered: bool,
    pub accepted: Option<usize>,
    pub skipped: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ReviewQuery {
    #[serde(default)]
    pub period_end: String,
    #[serde(default)]
    pub late: Option<String>,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub unit: String,
    /// After "Duyệt" (Post/Redirect/Get): how many were accepted …
    #[serde(default)]
    pub accepted: Option<usize>,
    /// … and the ids of the ticked reports that were not, comma-separated.
    #[serde(default)]
    pub skipped: String,
}

impl ReviewQuery {
    fn filter(&self) -> Result<QueueFilter, Failure> {
        let period_end = match self.period_end.trim() {
            "" => None,
            text => Some(NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                Failure::invalid(format!("Ngày \"{text}\" không hợp lệ (YYYY-MM-DD) / Invalid date \"{text}\""))
            })?),
        };
        Ok(QueueFilter {
            period_end,
            late_only: self.late.as_deref().is_some_and(|v| v == "on" || v == "true" || v == "1"),
            text: self.q.clone(),
            unit: Some(self.unit.clone()).filter(|u| !u.trim().is_empty()),
        })
    }
}

fn excerpt(item: &QueueItem) -> String {
    let text = [&item.highlights, &item.difficulties, &item.proposals]
        .iter()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .unwrap_or("")
        .to_string();
    if text.chars().count() > 160 {
        format!("{}…", text.chars().take(160).collect::<String>())
    } else {
        text
    }
}

fn line(item: QueueItem, lang: Lang) -> QueueLine {
    let (what, href) = match item.period_end {
        Some(end) => (
            match lang {
                Lang::Vi => format!("Báo cáo tuần đến {}", format::date(end)),
                Lang::En => format!("Weekly report to {}", format::date(end)),
            },
            week_href(&item.unit, end),
        ),
        None => (lang.t("review_unit_plan"), format!("/reports/{}/unit-plan", item.unit)),
    };
    QueueLine {
        pick: format!("{}:{}", item.report_id, item.version),
        submitted_at: item.last_submitted_at.as_ref().map(format::date_time).unwrap_or_default(),
        late: item.timeliness.as_deref() == Some("late"),
        offline_mark: super::reports::offline_mark(item.sent_late_for_connection, lang),
        timeliness: item.timeliness.as_deref().map(|t| super::reports::timeliness_label(t, lang)).unwrap_or_default(),
        excerpt: excerpt(&item),
        unit: item.unit,
        unit_name: item.unit_name,
        what,
        href,
    }
}

async fn build(
    state: &AppState,
    page: &Page,
    query: &ReviewQuery,
    outcome: Option<BulkOutcome>,
) -> Result<ReviewPage, AppError> {
    let actor = page.require_actor()?.clone();
    let lang = page.lang;
    let campaign = page.campaign()?;
    let periods = campaign
        .plan
        .periods()
        .iter()
        .map(|p| {
            let value = p.end.format("%Y-%m-%d").to_string();
            let selected = value == query.period_end.trim();
            let label =
                format!("{} {} ({}–{})", lang.t("review_week"), p.seq, format::date(p.start), format::date(p.end));
            (value, label, selected)
        })
        .collect();
    let (lines, error) = match query.filter() {
        Ok(filter) => match review_queue::list(state, campaign, &actor, &page.client, &filter).await {
            Ok(queue) => (queue.items.into_iter().map(|i| line(i, lang)).collect(), None),
            Err(f) if f.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
                (Vec::new(), Some(f.message(lang).to_string()))
            }
            Err(f) => return Err(page.fail(f)),
        },
        Err(f) => (Vec::new(), Some(f.message(lang).to_string())),
    };
    let (accepted, skipped) = match outcome {
        None => (None, Vec::new()),
        Some(o) => (
            Some(o.accepted.len()),
            o.skipped
                .iter()
                .map(|s| format!("{} — {}", s.unit, if lang == Lang::Vi { &s.vi } else { &s.en }))
                .collect(),
        ),
    };
    Ok(ReviewPage {
        chrome: page.chrome(lang.t("review_title"), "review"),
        lines,
        periods,
        late_only: query.late.is_some(),
        text: query.q.clone(),
        unit: query.unit.clone(),
        filtered: !query.period_end.is_empty() || query.late.is_some() || !query.q.is_empty() || !query.unit.is_empty(),
        accepted,
        skipped,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(query): Query<ReviewQuery>,
) -> Result<ReviewPage, AppError> {
    let mut view = build(&state, &page, &query, None).await?;
    if let Some(n) = query.accepted {
        view.accepted = Some(n);
        view.skipped = skipped_lines(&state, &page, &query.skipped).await?;
    }
    Ok(view)
}

/// The ticked reports that were not accepted, named again after the redirect: each
/// one's unit and status as it is now. Only ids travel in the address (never a text
/// that anyone could put in a link), and only reports this reviewer may see are named.
async fn skipped_lines(state: &AppState, page: &Page, ids: &str) -> Result<Vec<String>, AppError> {
    let actor = page.require_actor()?;
    let lang = page.lang;
    let internal = |e| AppError::internal(lang, e);
    let mut lines = Vec::new();
    for id in ids.split(',').filter_map(|t| t.trim().parse::<i64>().ok()).take(200) {
        let report = phongtrao_storage::reports::by_id(&state.db, id).await.map_err(internal)?;
        let named = match report {
            Some(r) => {
                let ancestry = phongtrao_storage::units::ancestry(&state.db, r.unit_id).await.map_err(internal)?;
                if phongtrao_domain::policy::allows(
                    &actor.policy(),
                    phongtrao_domain::policy::Action::ReviewUnit,
                    &ancestry,
                ) {
                    let unit = phongtrao_storage::units::by_id(&state.db, r.unit_id).await.map_err(internal)?;
                    Some((unit.map(|u| format!("{} {}", u.code, u.name)).unwrap_or_default(), r))
                } else {
                    None
                }
            }
            None => None,
        };
        lines.push(match named {
            Some((unit, r)) => {
                let (status, _) = super::reports::report_status(Some(&r), false, lang);
                match lang {
                    Lang::Vi => format!(
                        "{unit} — báo cáo đã thay đổi sau khi anh/chị mở danh sách (hiện: “{status}”); hãy xem lại"
                    ),
                    Lang::En => {
                        format!(
                            "{unit} — the report changed after you opened the list (now: “{status}”); look at it again"
                        )
                    }
                }
            }
            None => lang.pick("không tìm thấy báo cáo", "no such report").to_string(),
        });
    }
    Ok(lines)
}

/// POST /review/accept: the ticked reports (`r=ID:VERSION`, repeated), accepted at once.
pub async fn accept(State(state): State<AppState>, page: Page, body: String) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let campaign = page.campaign()?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_str(&body)
        .map_err(|_| page.fail(Failure::bad_request("Biểu mẫu không hợp lệ", "Malformed form")))?;
    let mut picks = Vec::new();
    // "Accept all": every report the officer was shown (the list as it was read,
    // each with its version), not whatever is in the queue by now.
    let wanted = if fields.iter().any(|(k, v)| k == "all" && v == "1") { "shown" } else { "r" };
    for (_, value) in fields.iter().filter(|(k, _)| k == wanted) {
        let pick = value
            .split_once(':')
            .and_then(|(id, v)| Some(Pick { report_id: id.parse().ok()?, version: v.parse().ok()? }))
            .ok_or_else(|| page.fail(Failure::bad_request("Biểu mẫu không hợp lệ", "Malformed form")))?;
        picks.push(pick);
    }
    let query = ReviewQuery {
        period_end: field(&fields, "period_end"),
        late: Some(field(&fields, "late")).filter(|v| !v.is_empty()),
        q: field(&fields, "q"),
        unit: field(&fields, "unit"),
        ..ReviewQuery::default()
    };
    match review_queue::accept_many(&state, campaign, &actor, &page.client, &picks).await {
        // Post/Redirect/Get: back to the queue (its filters kept), which says what was done;
        // a reload does not post again.
        Ok(outcome) => {
            let skipped: Vec<String> = outcome.skipped.iter().map(|s| s.report_id.to_string()).collect();
            let mut to = vec![
                ("period_end", query.period_end.clone()),
                ("unit", query.unit.clone()),
                ("q", query.q.clone()),
                ("late", query.late.clone().unwrap_or_default()),
            ];
            to.retain(|(_, v)| !v.is_empty());
            to.push(("accepted", outcome.accepted.len().to_string()));
            if !skipped.is_empty() {
                to.push(("skipped", skipped.join(",")));
            }
            let to = serde_urlencoded::to_string(&to).unwrap_or_default();
            Ok(axum::response::Redirect::to(&format!("/review?{to}")).into_response())
        }
        Err(f) if f.status == axum::http::StatusCode::UNPROCESSABLE_ENTITY => {
            let mut again = build(&state, &page, &query, None).await?;
            again.error = Some(f.message(page.lang).to_string());
            Ok((f.status, again).into_response())
        }
        Err(f) => Err(page.fail(f)),
    }
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}
