//! A unit's home page (GET /home): what a district or commune official sees after
//! logging in: the next deadline and the time left, the unit's goals and progress,
//! its reports and their status, what the office returned with comments, and the
//! reminders received. The office and the steering committee go to the dashboard.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use phongtrao_domain::format;
use phongtrao_domain::report::{ReportKind, Status};
use phongtrao_domain::role::Role;
use phongtrao_storage::reports::{self, ReportRow};
use phongtrao_storage::{reminders, units};
use serde::Deserialize;

use crate::actions::progress;
use crate::actions::reports::{unit_plan_due, week_href};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::pages::dashboard::{local, target_lines, TargetLine};
use crate::pages::reports::{report_status, timeliness_label};
use crate::AppState;

pub struct ReportLine {
    pub label: String,
    pub range: String,
    pub deadline: String,
    pub href: String,
    pub status: String,
    pub status_key: String,
    pub timeliness: String,
    /// The week's period is locked (shown before anyone opens the form).
    pub locked: bool,
}

pub struct Returned {
    pub label: String,
    pub href: String,
    pub comment: String,
    pub by: String,
    pub at: String,
}

pub struct Notice {
    pub text: String,
    pub at: String,
    pub by: String,
    pub done: bool,
    pub href: String,
}

pub struct Next {
    pub label: String,
    pub deadline: String,
    pub left: String,
    pub overdue: bool,
    pub href: String,
    pub status: String,
    pub status_key: String,
    /// A weekly report: the button reads "Báo cáo tuần này".
    pub weekly: bool,
    /// The week's period is locked: since when, by whom, whom to contact.
    pub locked: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub unit_code: String,
    pub unit_name: String,
    pub reporting: bool,
    pub next: Option<Next>,
    pub targets: Vec<TargetLine>,
    pub at: String,
    pub reports: Vec<ReportLine>,
    pub returned: Vec<Returned>,
    pub notices: Vec<Notice>,
    pub other_units: Vec<(String, String)>,
    /// Units below this officer's that just submitted.
    pub submitted: crate::actions::submit_notices::NoticeBox,
    /// The other running campaigns, each with its next deadline.
    pub other_campaigns: Vec<OtherCampaign>,
}

/// Another running campaign on the home page: its name, next deadline, a link.
pub struct OtherCampaign {
    pub title: String,
    pub deadline: String,
    pub href: String,
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    unit: Option<String>,
}

fn plural(n: i64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// "còn 2 ngày 5 giờ" / "2 days 5 hours left"; "quá hạn" when past.
fn time_left(deadline: DateTime<Utc>, now: DateTime<Utc>, lang: Lang) -> (String, bool) {
    let left = deadline - now;
    if left.num_seconds() <= 0 {
        return (lang.t("dash_home_overdue"), true);
    }
    let (days, hours, minutes) = (left.num_days(), left.num_hours() % 24, left.num_minutes() % 60);
    let text = match lang {
        Lang::Vi if days > 0 => format!("còn {days} ngày {hours} giờ"),
        Lang::Vi => format!("còn {} giờ {minutes} phút", left.num_hours()),
        Lang::En if days > 0 => format!("{} {} left", plural(days, "day"), plural(hours, "hour")),
        Lang::En => format!("{} {} left", plural(left.num_hours(), "hour"), plural(minutes, "minute")),
    };
    (text, false)
}

/// One of the unit's deadlines and its report, if any.
struct Due<'a> {
    label: String,
    range: String,
    at: DateTime<Utc>,
    href: String,
    report: Option<&'a ReportRow>,
    weekly: bool,
    seq: Option<u32>,
}

pub async fn show(State(state): State<AppState>, page: Page, Query(q): Query<HomeQuery>) -> Result<Response, AppError> {
    let actor = page.require_actor()?.clone();
    let lang = page.lang;
    let db = &state.db;
    let err = |e: phongtrao_storage::StorageError| AppError::internal(lang, e);
    if matches!(actor.user.role, Role::Admin | Role::Steering) && q.unit.is_none() {
        return Ok(Redirect::to("/dashboard").into_response());
    }
    // The actor's units in tree order, and the unit asked for: not the whole tree.
    let mut mine: Vec<units::UnitRow> =
        units::by_ids(db, &actor.unit_ids).await.map_err(err)?.into_iter().filter(|u| u.active).collect();
    mine.sort_by_key(|u| (u.level, u.position, u.id));
    let wanted = q.unit.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let unit = match wanted {
        Some(code) => units::by_code(db, code).await.map_err(err)?.ok_or_else(|| AppError::not_found(lang))?,
        None => match mine.first() {
            Some(u) => u.clone(),
            None => return Ok(Redirect::to("/dashboard").into_response()),
        },
    };
    crate::authz::require(&state, &actor, &page.client, phongtrao_domain::policy::Action::ReadUnit, Some(unit.id))
        .await
        .map_err(|f| page.fail(f))?;
    let campaign = page.campaign()?;
    let plan = &campaign.plan;
    let tz = plan.campaign.timezone;
    let now = state.now();
    let reporting = unit.level().is_some_and(|l| plan.reporting.levels.contains(&l));
    let progress = progress::compute_listing(&state, campaign, Some(&unit.code), None, progress::MissingLists::None)
        .await
        .map_err(|f| page.fail(f))?;
    let periods = plan.periods();
    let weekly = reports::list(db, campaign.row.id, ReportKind::Weekly, Some(&[unit.id]), None).await.map_err(err)?;
    let by_seq: HashMap<i64, &ReportRow> = weekly.iter().map(|r| (r.period_seq, r)).collect();
    let unit_plan = reports::list(db, campaign.row.id, ReportKind::UnitPlan, Some(&[unit.id]), None)
        .await
        .map_err(err)?
        .into_iter()
        .next();
    let week_label = |seq: u32| format!("{} {seq}", lang.t("report.weekly"));
    // A weekly deadline is a time (16h00 on Friday); the unit plan's is "before a
    // day", said as the calendar and the form say it.
    let deadline_text = |d: &Due| {
        if d.weekly {
            local(d.at, tz)
        } else {
            format!("{} {}", lang.t("report.before_day"), format::date(d.at.with_timezone(&tz).date_naive()))
        }
    };
    // The unit's deadlines in order: the unit plan (for the units its form takes:
    // active, of a known kind), then each week.
    let mut dues = Vec::new();
    if reporting {
        if unit.active && unit.kind().is_some() {
            dues.push(Due {
                label: lang.t("report.unit_plan"),
                range: String::new(),
                at: unit_plan_due(plan),
                href: format!("/reports/{}/plan", unit.code),
                report: unit_plan.as_ref(),
                weekly: false,
                seq: None,
            });
        }
        for p in &periods {
            dues.push(Due {
                label: week_label(p.seq),
                range: format!("{} – {}", format::date(p.start), format::date(p.end)),
                at: p.deadline.with_timezone(&Utc),
                href: week_href(&unit.code, p.end),
                report: by_seq.get(&i64::from(p.seq)).copied(),
                weekly: true,
                seq: Some(p.seq),
            });
        }
    }
    let locks =
        if reporting { crate::pages::reports::locks_now(&state, campaign).await.map_err(err)? } else { HashMap::new() };
    let lock_of = |d: &Due| {
        let seq = d.seq?;
        match locks.get(&i64::from(seq)) {
            Some((true, l)) => Some(crate::pages::reports::lock_text(lang, seq, l, plan.reporting.lock_after_days)),
            _ => None,
        }
    };
    // The next deadline still to come: the unit plan's only while it can still be sent.
    let next =
        dues.iter().find(|d| d.at > now && (d.weekly || d.report.is_none_or(|r| r.status().editable()))).map(|d| {
            let (status, status_key) = report_status(d.report, false, lang);
            let (left, overdue) = time_left(d.at, now, lang);
            Next {
                label: d.label.clone(),
                deadline: deadline_text(d),
                left,
                overdue,
                href: d.href.clone(),
                status,
                status_key,
                weekly: d.weekly,
                locked: lock_of(d),
            }
        });
    let lines = dues
        .into_iter()
        .map(|d| {
            let (status, status_key) = report_status(d.report, d.at < now, lang);
            let deadline = deadline_text(&d);
            let locked = lock_of(&d).is_some();
            ReportLine {
                locked,
                timeliness: d
                    .report
                    .and_then(|r| r.timeliness.as_deref())
                    .map(|t| timeliness_label(t, lang))
                    .unwrap_or_default(),
                label: d.label,
                range: d.range,
                deadline,
                href: d.href,
                status,
                status_key,
            }
        })
        .collect();
    let returned = weekly
        .iter()
        .chain(unit_plan.as_ref())
        .filter(|r| r.status() == Status::Returned)
        .map(|r| Returned {
            label: if r.kind == "weekly" { week_label(r.period_seq as u32) } else { lang.t("report.unit_plan") },
            href: match periods.iter().find(|p| i64::from(p.seq) == r.period_seq) {
                Some(p) if r.kind == "weekly" => week_href(&unit.code, p.end),
                _ => format!("/reports/{}/plan", unit.code),
            },
            comment: r.review_comment.clone().unwrap_or_default(),
            by: r.reviewed_by.clone().unwrap_or_default(),
            at: r.reviewed_at.map(|t| local(t, tz)).unwrap_or_default(),
        })
        .collect();
    let notices = reminders::for_unit(db, campaign.row.id, unit.id, 20)
        .await
        .map_err(err)?
        .into_iter()
        .map(|n| {
            let p = periods.iter().find(|p| i64::from(p.seq) == n.period_seq);
            let done =
                by_seq.get(&n.period_seq).is_some_and(|r| matches!(r.status(), Status::Submitted | Status::Accepted));
            Notice {
                text: match p {
                    Some(p) => format!(
                        "{} {} ({} {})",
                        lang.t("dash_home_notice"),
                        p.seq,
                        lang.t("dash_deadline"),
                        local(p.deadline.with_timezone(&Utc), tz)
                    ),
                    None => lang.t("dash_home_notice"),
                },
                at: local(n.sent_at, tz),
                by: n.sent_by,
                done,
                href: p.map(|p| week_href(&unit.code, p.end)).unwrap_or_else(|| "/reports".into()),
            }
        })
        .collect();
    // A district officer hears of the units below that submit (a unit with no unit
    // below sees none; the box is not shown then).
    let mut submitted = crate::actions::submit_notices::boxed(
        &state,
        campaign,
        &actor,
        lang,
        &format!("/home?unit={}", crate::error::urlencode(&unit.code)),
    )
    .await
    .map_err(|f| page.fail(f))?;
    if submitted.items.is_empty() && units::children(db, unit.id).await.map_err(err)?.is_empty() {
        submitted.shown = false;
    }
    // Every other running campaign with its next deadline: a unit reports to several
    // at once (Tháng Thanh niên and a volunteer campaign).
    let other_campaigns = crate::actions::campaigns::list(&state, Some(&actor), Some(campaign))
        .await
        .map_err(|f| page.fail(f))?
        .into_iter()
        .filter(|c| c.status == "running" && !c.is_chosen)
        .map(|c| OtherCampaign {
            title: crate::page::with_year(&c.title, c.year),
            deadline: match (c.next_deadline, c.next_period_end) {
                (Some(d), Some(end)) => format!(
                    "{} {} · {} {}",
                    lang.t("campaigns.week_to"),
                    format::date(end),
                    lang.t("dash_deadline"),
                    local(d, tz)
                ),
                _ => lang.t("overview.campaign_over"),
            },
            href: format!(
                "/campaigns/choose?{}",
                serde_urlencoded::to_string([("campaign", c.code.as_str()), ("next", "/home")]).unwrap_or_default()
            ),
        })
        .collect();
    Ok(HomePage {
        chrome: page.chrome(format!("{} · {}", lang.t("dash_nav_home"), unit.name), "home"),
        unit_code: unit.code.clone(),
        unit_name: unit.name.clone(),
        reporting,
        next,
        targets: target_lines(&progress.indicators, lang),
        at: format::date(progress.at),
        reports: lines,
        returned,
        notices,
        other_units: mine.iter().filter(|u| u.id != unit.id).map(|u| (u.code.clone(), u.name.clone())).collect(),
        submitted,
        other_campaigns,
    }
    .into_response())
}
