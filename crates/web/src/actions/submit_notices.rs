//! Notices to the officers above a unit when it submits a report: recorded once per
//! report version by the save itself, in the report's transaction (storage
//! `reports::save` and the grouped commit: pages, API, CLI and demo alike), listed on the officer's landing page (the dashboard for the
//! office and the steering committee, the unit's home page for a district officer),
//! marked read, and delivered by e-mail and/or the webhook to those who chose it.

use chrono::{DateTime, Utc};
use phongtrao_domain::format;
use phongtrao_domain::role::Role;
use phongtrao_storage::campaigns::StoredCampaign;
use phongtrao_storage::submit_notices::{self as notices, NoticeRow, Prefs, Reader};

use crate::actions::reports::week_href;
use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::who;
use crate::error::Failure;
use crate::i18n::Lang;
use crate::AppState;

/// Who reads which notices: the office and the steering committee every one; a
/// unit's officer those of the units below theirs; a viewer none.
pub fn reader(actor: &Actor) -> Reader {
    match actor.user.role {
        Role::Admin | Role::Steering => Reader { user_id: actor.user.id, all: true, unit_ids: Vec::new() },
        Role::Unit | Role::UnitOffice => {
            Reader { user_id: actor.user.id, all: false, unit_ids: actor.unit_ids.clone() }
        }
        Role::Viewer => Reader { user_id: actor.user.id, all: false, unit_ids: Vec::new() },
    }
}

/// One notice as the officer reads it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NoticeLine {
    pub id: i64,
    /// "Huyện đoàn Hòn Đất (mã 903) đã nộp báo cáo tuần 2 lúc 16h05 ngày 10/03/2023".
    pub text: String,
    pub href: String,
    pub unit: String,
    pub unit_name: String,
    pub kind: String,
    pub period_seq: i64,
    pub version: i64,
    pub resubmission: bool,
    pub submitted_at: DateTime<Utc>,
    pub submitted_by: String,
    pub unread: bool,
}

/// The box of notices on a landing page.
#[derive(Debug, Clone, Default)]
pub struct NoticeBox {
    pub items: Vec<NoticeLine>,
    pub unread: i64,
    /// Where "mark read" comes back to.
    pub back: String,
    /// The reader may get notices at all (an officer).
    pub shown: bool,
}

fn line(n: NoticeRow, periods: &[phongtrao_domain::period::Period], tz: chrono_tz::Tz, lang: Lang) -> NoticeLine {
    let local = n.submitted_at.with_timezone(&tz);
    let (time, day) = (format::time(local.time()), format::date(local.date_naive()));
    let period = periods.iter().find(|p| i64::from(p.seq) == n.period_seq);
    let what = match (n.kind.as_str(), lang) {
        ("weekly", Lang::Vi) => format!("báo cáo tuần {}", n.period_seq),
        ("weekly", Lang::En) => format!("the report of week {}", n.period_seq),
        (_, Lang::Vi) => "kế hoạch đơn vị".to_string(),
        (_, Lang::En) => "its unit plan".to_string(),
    };
    let text = match (lang, n.resubmission) {
        (Lang::Vi, false) => format!("{} (mã {}) đã nộp {what} lúc {time} ngày {day}", n.unit_name, n.unit_code),
        (Lang::Vi, true) => format!("{} (mã {}) đã nộp lại {what} lúc {time} ngày {day}", n.unit_name, n.unit_code),
        (Lang::En, false) => format!("{} (code {}) submitted {what} at {time} on {day}", n.unit_name, n.unit_code),
        (Lang::En, true) => format!("{} (code {}) resubmitted {what} at {time} on {day}", n.unit_name, n.unit_code),
    };
    let href = match period {
        Some(p) if n.kind == "weekly" => week_href(&n.unit_code, p.end),
        _ => format!("/reports/{}/plan", n.unit_code),
    };
    NoticeLine {
        id: n.id,
        text,
        href,
        unit: n.unit_code,
        unit_name: n.unit_name,
        kind: n.kind,
        period_seq: n.period_seq,
        version: n.version,
        resubmission: n.resubmission,
        submitted_at: n.submitted_at,
        submitted_by: n.submitted_by,
        unread: n.read_at.is_none(),
    }
}

/// The notices the actor sees, newest first (`unread_only`: those not marked read).
pub async fn list(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    unread_only: bool,
    limit: i64,
    lang: Lang,
) -> Result<(Vec<NoticeLine>, i64), Failure> {
    let reader = reader(actor);
    let rows = notices::list(&state.db, campaign.row.id, &reader, unread_only, limit).await?;
    let unread = notices::unread_count(&state.db, campaign.row.id, &reader).await?;
    let periods = campaign.plan.periods();
    let tz = campaign.plan.campaign.timezone;
    Ok((rows.into_iter().map(|n| line(n, &periods, tz, lang)).collect(), unread))
}

/// The same notices in both languages at once (the API gives a client both): each
/// notice as a Vietnamese and an English line, and the unread count.
pub async fn list_both(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    unread_only: bool,
    limit: i64,
) -> Result<(Vec<(NoticeLine, NoticeLine)>, i64), Failure> {
    let reader = reader(actor);
    let rows = notices::list(&state.db, campaign.row.id, &reader, unread_only, limit).await?;
    let unread = notices::unread_count(&state.db, campaign.row.id, &reader).await?;
    let periods = campaign.plan.periods();
    let tz = campaign.plan.campaign.timezone;
    let lines =
        rows.into_iter().map(|n| (line(n.clone(), &periods, tz, Lang::Vi), line(n, &periods, tz, Lang::En))).collect();
    Ok((lines, unread))
}

/// The box on a landing page: the newest notices (read ones too, marked as such).
pub async fn boxed(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    lang: Lang,
    back: &str,
) -> Result<NoticeBox, Failure> {
    let shown = actor.user.role != Role::Viewer;
    if !shown {
        return Ok(NoticeBox::default());
    }
    let (items, unread) = list(state, campaign, actor, false, 15, lang).await?;
    Ok(NoticeBox { items, unread, back: back.to_string(), shown })
}

/// Marks notices read for the actor: those named, or all they see (None). Reading
/// marks are the reader's own and are not audited. How many were marked.
pub async fn mark_read(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    ids: Option<&[i64]>,
) -> Result<u64, Failure> {
    Ok(notices::mark_read(&state.db, campaign.row.id, &reader(actor), ids, state.now()).await?)
}

/// The actor's choice of channels.
pub async fn prefs(state: &AppState, actor: &Actor) -> Result<Prefs, Failure> {
    Ok(notices::prefs(&state.db, actor.user.id).await?)
}

/// Sets the actor's own choice (audited). A viewer gets no notices to choose for.
pub async fn set_prefs(state: &AppState, actor: &Actor, client: &ClientIp, prefs: Prefs) -> Result<Prefs, Failure> {
    if actor.user.role == Role::Viewer {
        return Err(Failure::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "Tài khoản chỉ xem không nhận thông báo nộp báo cáo",
            "A viewer account gets no submission notices",
        ));
    }
    Ok(notices::set_prefs(&state.db, actor.user.id, prefs, &who(Some(actor), client), state.now()).await?)
}

/// The message of a delivery, in Vietnamese and English, and its link.
pub fn messages(
    n: &NoticeRow,
    periods: &[phongtrao_domain::period::Period],
    tz: chrono_tz::Tz,
) -> (String, String, String) {
    let vi = line(n.clone(), periods, tz, Lang::Vi);
    let en = line(n.clone(), periods, tz, Lang::En);
    (vi.text, en.text, vi.href)
}

/// The officer's choices as the account page shows them.
#[derive(Debug, Clone, Default)]
pub struct PrefsBox {
    pub shown: bool,
    pub by_email: bool,
    pub by_webhook: bool,
    /// The account has an e-mail address (else e-mail notices cannot go out).
    pub has_email: bool,
    /// Just saved: the page says so.
    pub saved: bool,
}

pub async fn prefs_box(state: &AppState, actor: &Actor) -> Result<PrefsBox, Failure> {
    if actor.user.role == Role::Viewer {
        return Ok(PrefsBox::default());
    }
    let p = prefs(state, actor).await?;
    let has_email = notices::email_of(&state.db, actor.user.id).await?.is_some();
    Ok(PrefsBox { shown: true, by_email: p.by_email, by_webhook: p.by_webhook, has_email, saved: false })
}

/// The e-mail / webhook deliveries of notices, newest first: the office only.
pub async fn deliveries(
    state: &AppState,
    campaign: &StoredCampaign,
    actor: &Actor,
    limit: i64,
) -> Result<Vec<phongtrao_storage::submit_notices::DeliveryRow>, Failure> {
    if actor.user.role != Role::Admin {
        return Err(Failure::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            "Chỉ Ban Phong trào xem được danh sách gửi thông báo",
            "Only the campaign office sees the notice deliveries",
        ));
    }
    Ok(notices::deliveries(&state.db, campaign.row.id, limit.clamp(1, 1000)).await?)
}
