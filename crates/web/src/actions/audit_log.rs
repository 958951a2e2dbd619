//! Reading the audit log: the office reads all of it; others read their units'.
//! Filters (unit by code or name, user by login or name, action, date range) combine;
//! every entry reads as a sentence in the reader's language with names and codes
//! instead of internal ids, on the page and in the .xlsx / .csv export alike.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Asia::Ho_Chi_Minh;
use phongtrao_domain::policy::Action;
use phongtrao_domain::role::Role;
use phongtrao_domain::text::fold;
use phongtrao_storage::audit::{self, AuditFilter, AuditRow};
use phongtrao_storage::{units, users};
use serde_json::Value;

use crate::auth::client::ClientIp;
use crate::auth::Actor;
use crate::authz::require;
use crate::error::Failure;
use crate::i18n::Lang;
use crate::AppState;

/// Entries a page shows.
pub const PER_PAGE: i64 = 50;
/// The most entries an export holds.
pub const EXPORT_MAX: i64 = 50_000;

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct AuditQuery {
    /// A unit's code or name: entries about this unit and its subtree.
    pub unit: Option<String>,
    /// A user's login or name (accents and case ignored): entries by this user.
    pub user: Option<String>,
    /// An action code ("unit.update") or a family of them ("report."), chosen in words.
    pub action: Option<String>,
    /// The first day (dd/mm/yyyy or yyyy-mm-dd), Vietnam time.
    pub from: Option<String>,
    /// The last day, included.
    pub to: Option<String>,
    /// The page (from 1) on the page; the API uses limit.
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

impl AuditQuery {
    /// The query string of the filters (no page), for paging and export links.
    pub fn filter_query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("unit", &self.unit),
            ("user", &self.user),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", crate::error::urlencode(v)));
            }
        }
        parts.join("&")
    }
}

/// The actions in words (code, Vietnamese, English), in the order the filter lists them.
pub const ACTIONS: &[(&str, &str, &str)] = &[
    ("report.submit", "nộp báo cáo", "submitted the report"),
    ("report.save_draft", "lưu nháp báo cáo", "saved a draft of the report"),
    ("report.accept", "duyệt báo cáo", "accepted the report"),
    ("report.return", "trả lại để sửa báo cáo", "returned for correction the report"),
    ("period.lock", "khóa kỳ báo cáo", "locked the reporting period"),
    ("period.reopen", "mở lại kỳ báo cáo", "reopened the reporting period"),
    ("reminder.send", "gửi lời nhắc cho kỳ báo cáo", "sent reminders for the period"),
    ("unit.create", "tạo đơn vị", "created the unit"),
    ("unit.update", "sửa thông tin đơn vị", "changed the unit"),
    ("unit.base_figures", "cập nhật số liệu nền của", "updated the base figures of"),
    ("unit.import_create", "thêm từ tệp đơn vị", "added from a file the unit"),
    ("unit.import_update", "cập nhật từ tệp đơn vị", "updated from a file the unit"),
    ("unit.contact", "sửa thông tin liên hệ của", "changed the contact of"),
    ("allocation.set", "giao chỉ tiêu", "allocated goals of"),
    ("base_figures.complete", "xác nhận đã đủ số liệu nền", "marked complete the base figure"),
    ("event.record", "ghi nhận kết quả hoạt động cấp tỉnh", "recorded the province event"),
    ("unit_event.launch", "ghi nhận lễ ra quân của", "recorded the launch of"),
    ("unit_event.closing", "ghi nhận tổng kết của", "recorded the closing of"),
    ("document.texts", "sửa nội dung văn bản", "edited the texts of"),
    (
        "emulation.criteria",
        "sửa bảng tiêu chí thi đua của chiến dịch",
        "changed the emulation criteria sheet of the campaign",
    ),
    (
        "emulation.settings",
        "đặt hạn tự chấm thi đua của chiến dịch",
        "set the self-assessment deadline of the campaign",
    ),
    ("emulation.self_score", "tự chấm điểm thi đua của", "entered the emulation self-scores of"),
    ("emulation.review", "duyệt điểm thi đua tự chấm của", "reviewed the emulation self-scores of"),
    ("emulation.clusters", "sửa cụm thi đua của chiến dịch", "changed the emulation clusters of the campaign"),
    ("plan.load", "nạp kế hoạch", "loaded a plan"),
    ("seed.builtin", "nạp kế hoạch và danh sách đơn vị có sẵn", "loaded the built-in plan and units"),
    ("campaign.activate", "kích hoạt kế hoạch phong trào", "activated the campaign plan"),
    ("campaign.archive", "lưu trữ (kết thúc) chiến dịch", "archived the campaign"),
    ("campaign.unarchive", "mở lại chiến dịch", "reopened the campaign"),
    (
        "campaign.deadline_rule",
        "đổi cách tính hạn báo cáo (giờ bấm Gửi khi mất kết nối) của chiến dịch",
        "changed the deadline rule (the time Send was pressed offline) of the campaign",
    ),
    (
        "campaign.members",
        "phân công Ban Chỉ đạo theo dõi chiến dịch",
        "assigned the steering committee of the campaign",
    ),
    ("user.create", "tạo tài khoản", "created the account"),
    (
        "user.access",
        "đổi vai trò, đơn vị hoặc trạng thái của tài khoản",
        "changed the role, units or status of the account",
    ),
    ("user.password_change", "đổi mật khẩu", "changed their password"),
    ("user.password_reset", "cấp lại mật khẩu một lần cho tài khoản", "issued a one-time password to the account"),
    ("notice.prefs", "chọn cách nhận thông báo nộp báo cáo", "chose how to get submission notices"),
    ("token.create", "tạo mã truy cập API", "created the API token"),
    ("token.revoke", "thu hồi mã truy cập API", "revoked the API token"),
    ("login.success", "đăng nhập", "logged in"),
    ("login.failure", "đăng nhập sai mật khẩu hoặc tên", "failed to log in"),
    ("login.throttled", "bị tạm chặn đăng nhập vì sai nhiều lần", "was held back from logging in after many failures"),
    ("logout", "đăng xuất", "logged out"),
    ("access.denied", "bị từ chối vì không có quyền", "was refused, having no right to"),
    (
        "csrf.refused",
        "gửi yêu cầu bị chặn (thiếu mã chống giả mạo)",
        "sent a request that was blocked (no anti-forgery token)",
    ),
];

/// The action in words (Vietnamese, English); never the code.
pub fn action_words(action: &str) -> (&'static str, &'static str) {
    ACTIONS
        .iter()
        .find(|(code, _, _)| *code == action)
        .map(|(_, vi, en)| (*vi, *en))
        .unwrap_or(("thực hiện một thao tác khác", "did another operation"))
}

/// Actions whose subject is the actor itself: no object follows the verb.
fn without_object(action: &str) -> bool {
    matches!(
        action,
        "login.success"
            | "login.failure"
            | "login.throttled"
            | "logout"
            | "user.password_change"
            | "csrf.refused"
            | "notice.prefs"
    )
}

fn permission_words(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "read_unit" => ("xem số liệu đơn vị", "read a unit"),
        "write_unit" => ("nhập số liệu đơn vị", "write a unit"),
        "review_unit" => ("duyệt báo cáo", "review reports"),
        "administer_units" => ("quản trị đơn vị", "administer units"),
        "administer_users" => ("quản trị tài khoản", "administer accounts"),
        "read_audit" => ("xem nhật ký", "read the audit log"),
        "read_everything" => ("xem toàn bộ", "read everything"),
        "administer_campaign" => ("quản trị phong trào", "administer the campaign"),
        _ => return None,
    })
}

fn field_words(key: &str) -> Option<(&'static str, &'static str)> {
    Some(match key {
        "status" => ("trạng thái", "status"),
        "version" => ("phiên bản", "version"),
        "role" => ("vai trò", "role"),
        "active" => ("đang hoạt động", "active"),
        "units" => ("đơn vị", "units"),
        "must_change_password" => ("phải đổi mật khẩu", "must change password"),
        "tokens_revoked" => ("số mã truy cập bị thu hồi", "tokens revoked"),
        "name" => ("tên", "name"),
        "failures" => ("số lần sai", "failures"),
        "wait_seconds" => ("phải chờ (giây)", "wait (seconds)"),
        "expires_at" => ("hết hạn", "expires"),
        "owner_user_id" => ("chủ mã", "owner"),
        "by_admin" => ("do quản trị viên", "by an admin"),
        "timeliness" => ("đúng hạn", "timeliness"),
        "deadline_by_pressed_at" => ("tính hạn theo giờ bấm Gửi", "deadline by the time Send was pressed"),
        "comment" => ("ghi chú", "comment"),
        "code" => ("mã", "code"),
        "parent" => ("đơn vị cấp trên", "parent"),
        "kind" => ("loại", "kind"),
        "email" => ("e-mail", "e-mail"),
        "phone" => ("điện thoại", "phone"),
        "secretary" => ("bí thư", "secretary"),
        "note" => ("ghi chú", "note"),
        "by_email" => ("nhận qua e-mail", "by e-mail"),
        "by_webhook" => ("nhận qua webhook", "by webhook"),
        "display_name" => ("họ tên", "name"),
        "username" => ("tên đăng nhập", "user name"),
        "values" => ("số liệu", "figures"),
        "campaign_created" => ("tạo kế hoạch", "campaign created"),
        "units_inserted" => ("số đơn vị thêm", "units added"),
        "base_figures_inserted" => ("số liệu nền thêm", "base figures added"),
        "id" => ("số", "no."),
        "activities" => ("hoạt động", "activities"),
        "highlights" => ("kết quả nổi bật", "highlights"),
        "difficulties" => ("khó khăn", "difficulties"),
        "proposals" => ("đề xuất", "proposals"),
        "period" => ("tuần báo cáo", "reporting week"),
        "held_on" => ("ngày tổ chức", "held on"),
        "host_unit_code" => ("đơn vị chủ trì", "host unit"),
        "participants" => ("số người tham gia", "participants"),
        "place" => ("địa điểm", "place"),
        "results" => ("kết quả", "results"),
        "status_reason" => ("lý do", "reason"),
        "updated_at" => ("cập nhật lúc", "updated at"),
        "updated_by" => ("người cập nhật", "updated by"),
        _ => return None,
    })
}

/// What ids in the log stand for: units, users, reports.
pub struct Names {
    units: HashMap<i64, (String, String)>,
    unit_codes: HashMap<String, i64>,
    users: HashMap<i64, (String, String)>,
    logins: HashMap<String, i64>,
    reports: HashMap<i64, (String, i64, i64)>,
}

impl Names {
    /// Reads the units, the users and the reports the rows name.
    pub async fn load(state: &AppState, rows: &[AuditRow]) -> Result<Names, Failure> {
        let db = &state.db;
        let all_units = units::list(db).await?;
        let all_users = users::list(db).await?;
        let report_ids: Vec<i64> = rows
            .iter()
            .filter(|r| r.entity == "report")
            .filter_map(|r| r.entity_key.as_deref().and_then(|k| k.parse::<i64>().ok()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let reports = audit::report_keys(db, &report_ids).await?;
        Ok(Names {
            unit_codes: all_units.iter().map(|u| (u.code.clone(), u.id)).collect(),
            units: all_units.into_iter().map(|u| (u.id, (u.code, u.name))).collect(),
            logins: all_users.iter().map(|u| (u.username.clone(), u.id)).collect(),
            users: all_users.into_iter().map(|u| (u.id, (u.username, u.display_name))).collect(),
            reports: reports.into_iter().map(|(id, kind, unit, seq)| (id, (kind, unit, seq))).collect(),
        })
    }

    fn unit(&self, id: i64, lang: Lang) -> String {
        match self.units.get(&id) {
            Some((code, name)) => unit_label(name, code, lang),
            None => match lang {
                Lang::Vi => format!("đơn vị đã xóa (số {id})"),
                Lang::En => format!("a deleted unit (no. {id})"),
            },
        }
    }

    fn unit_by_code(&self, code: &str, lang: Lang) -> String {
        match self.unit_codes.get(code) {
            Some(id) => self.unit(*id, lang),
            None => match lang {
                Lang::Vi => format!("mã {code}"),
                Lang::En => format!("code {code}"),
            },
        }
    }

    fn user(&self, id: i64) -> String {
        match self.users.get(&id) {
            Some((login, name)) if name != login && !name.is_empty() => format!("{name} ({login})"),
            Some((login, _)) => login.clone(),
            None => format!("#{id}"),
        }
    }

    fn user_by_login(&self, login: &str) -> String {
        match self.logins.get(login) {
            Some(id) => self.user(*id),
            None => login.to_string(),
        }
    }
}

fn unit_label(name: &str, code: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("{name} (mã {code})"),
        Lang::En => format!("{name} (code {code})"),
    }
}

/// One entry as people read it.
#[derive(Debug, Clone)]
pub struct AuditLine {
    pub id: i64,
    /// dd/mm/yyyy HH:MM:SS, Vietnam time.
    pub at: String,
    /// The actor's name and login.
    pub who: String,
    /// What happened, as a sentence in the reader's language.
    pub sentence: String,
    /// The unit the entry is about (name and code), if any.
    pub unit: String,
    /// The values changed, in words ("tên: A → B; đơn vị cấp trên: …").
    pub details: String,
    pub client: String,
}

fn pick(lang: Lang, (vi, en): (&'static str, &'static str)) -> &'static str {
    if lang == Lang::Vi {
        vi
    } else {
        en
    }
}

fn actor_label(r: &AuditRow, names: &Names, lang: Lang) -> (String, String) {
    if let Some((login, name)) = r.actor_user_id.and_then(|id| names.users.get(&id)) {
        let short = if name.is_empty() { login.clone() } else { name.clone() };
        return (short, names.user(r.actor_user_id.unwrap_or_default()));
    }
    let short = match (r.actor_name.as_str(), lang) {
        ("system", Lang::Vi) => "Hệ thống".to_string(),
        ("system", Lang::En) => "The system".to_string(),
        ("cli", Lang::Vi) => "Dòng lệnh (CLI)".to_string(),
        ("cli", Lang::En) => "The command line".to_string(),
        (name, _) => name.to_string(),
    };
    (short.clone(), short)
}

fn parse<T: std::str::FromStr>(s: &str) -> Option<T> {
    s.parse().ok()
}

/// The object of the sentence: the unit, report, account … named, not numbered.
fn object(r: &AuditRow, names: &Names, lang: Lang) -> String {
    let key = r.entity_key.clone().unwrap_or_default();
    let vi = lang == Lang::Vi;
    let row_unit = || r.unit_id.map(|id| names.unit(id, lang)).unwrap_or_default();
    match r.entity.as_str() {
        "unit" => match r.action.as_str() {
            // These name the unit by its id.
            "unit.contact" | "unit_event.launch" | "unit_event.closing" => {
                parse::<i64>(&key).map(|id| names.unit(id, lang)).unwrap_or_else(row_unit)
            }
            _ if key.is_empty() => row_unit(),
            _ => names.unit_by_code(&key, lang),
        },
        "report" => {
            let (kind, unit, seq) = match key.split('/').collect::<Vec<_>>().as_slice() {
                [kind, unit, seq] => (kind.to_string(), parse::<i64>(unit), parse::<i64>(seq).unwrap_or(0)),
                _ => match parse::<i64>(&key).and_then(|id| names.reports.get(&id)) {
                    Some((kind, unit, seq)) => (kind.clone(), Some(*unit), *seq),
                    None => (String::new(), r.unit_id, 0),
                },
            };
            let unit = unit.or(r.unit_id).map(|id| names.unit(id, lang)).unwrap_or_default();
            match (kind.as_str(), vi) {
                ("weekly", true) => format!("tuần {seq} của {unit}"),
                ("weekly", false) => format!("of week {seq} of {unit}"),
                ("unit_plan", true) => format!("kế hoạch đơn vị của {unit}"),
                ("unit_plan", false) => format!("(unit plan) of {unit}"),
                (_, true) => format!("của {unit}"),
                (_, false) => format!("of {unit}"),
            }
        }
        "user" => match parse::<i64>(&key).filter(|id| names.users.contains_key(id)) {
            Some(id) => names.user(id),
            None => names.user_by_login(&key),
        },
        "period" => {
            if vi {
                format!("tuần {key}")
            } else {
                format!("(week {key})")
            }
        }
        "permission" => permission_words(&key).map(|w| pick(lang, w).to_string()).unwrap_or(key),
        "api_token" => {
            if vi {
                format!("số {key}")
            } else {
                format!("no. {key}")
            }
        }
        "event" => {
            if vi {
                format!("số {key}")
            } else {
                format!("no. {key}")
            }
        }
        "document" => match (key.as_str(), vi) {
            ("final_report", true) => "báo cáo tổng kết".into(),
            ("final_report", false) => "the final report".into(),
            ("weekly_report", true) => "báo cáo tuần".into(),
            ("weekly_report", false) => "the weekly report".into(),
            _ => key,
        },
        "indicator" | "allocation" => {
            let unit = row_unit();
            match (unit.is_empty(), vi) {
                (true, true) => format!("chỉ tiêu {key}"),
                (true, false) => format!("indicator {key}"),
                (false, true) => format!("chỉ tiêu {key} cho {unit}"),
                (false, false) => format!("indicator {key} to {unit}"),
            }
        }
        _ => key,
    }
}

/// A unit's snapshot in the log: its parent as a name and code, whether the entry
/// stored them (new entries) or only the parent's id (older ones).
fn parent_of(v: &serde_json::Map<String, Value>, names: &Names, lang: Lang) -> Option<String> {
    if let (Some(Value::String(name)), Some(Value::String(code))) = (v.get("parent_name"), v.get("parent_code")) {
        return Some(unit_label(name, code, lang));
    }
    match v.get("parent_id") {
        Some(Value::Number(n)) => n.as_i64().map(|id| names.unit(id, lang)),
        Some(Value::Null) => Some(if lang == Lang::Vi { "không có".into() } else { "none".into() }),
        _ => v.get("parent_code").and_then(Value::as_str).map(|c| names.unit_by_code(c, lang)),
    }
}

/// The sentence of an entry.
fn sentence(r: &AuditRow, names: &Names, lang: Lang, actor: &str) -> String {
    let vi = lang == Lang::Vi;
    if r.action == "unit.update" {
        let before = r.before_json.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok());
        let after = r.after_json.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok());
        if let (Some(Value::Object(b)), Some(Value::Object(a))) = (before, after) {
            let unit = object(r, names, lang);
            let mut parts = Vec::new();
            let (pb, pa) = (parent_of(&b, names, lang), parent_of(&a, names, lang));
            if pb != pa {
                let (from, to) = (pb.unwrap_or_default(), pa.unwrap_or_default());
                parts.push(if vi {
                    format!("chuyển {unit} từ {from} sang {to}")
                } else {
                    format!("moved {unit} from {from} to {to}")
                });
            }
            if b.get("name") != a.get("name") {
                let old = b.get("name").and_then(Value::as_str).unwrap_or_default();
                let new = a.get("name").and_then(Value::as_str).unwrap_or_default();
                parts.push(if vi {
                    format!("đổi tên \"{old}\" thành \"{new}\"")
                } else {
                    format!("renamed \"{old}\" to \"{new}\"")
                });
            }
            if b.get("active") != a.get("active") {
                let active = a.get("active").and_then(Value::as_bool).unwrap_or(true);
                parts.push(match (active, vi) {
                    (false, true) => format!("cho ngừng hoạt động {unit}"),
                    (false, false) => format!("deactivated {unit}"),
                    (true, true) => format!("cho hoạt động lại {unit}"),
                    (true, false) => format!("reactivated {unit}"),
                });
            }
            if !parts.is_empty() {
                let joined = parts.join(if vi { " và " } else { " and " });
                return format!("{actor} {joined}");
            }
        }
    }
    let verb = pick(lang, action_words(&r.action));
    if without_object(&r.action) {
        return format!("{actor} {verb}");
    }
    let object = object(r, names, lang);
    format!("{actor} {verb} {object}").trim().to_string()
}

fn value_words(key: &str, value: &Value, names: &Names, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    match (key, value) {
        ("units", Value::Array(ids)) if ids.is_empty() => return "—".into(),
        ("units", Value::Array(ids)) => {
            return ids.iter().filter_map(Value::as_i64).map(|id| names.unit(id, lang)).collect::<Vec<_>>().join(", ")
        }
        ("owner_user_id", Value::Number(n)) => return n.as_i64().map(|id| names.user(id)).unwrap_or_default(),
        ("host_unit_code", Value::String(code)) => return names.unit_by_code(code, lang),
        // An event's state in words (chưa tổ chức / đã tổ chức / hoãn).
        ("status", Value::String(s)) if phongtrao_domain::event_record::EventStatus::parse(s).is_some() => {
            return crate::actions::events::status_label(s, vi)
        }
        // A day as dd/mm/yyyy.
        (_, Value::String(s)) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok() => {
            return chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(phongtrao_domain::format::date)
                .unwrap_or_else(|_| s.clone())
        }
        // A report's figures: those entered (not the zeros of every indicator).
        ("values", Value::Object(map)) => {
            let word = pick(lang, ("chỉ số", "indicator"));
            let entered: Vec<String> = map
                .iter()
                .filter(|(_, v)| !matches!(v, Value::Null) && v.as_f64() != Some(0.0) && v.as_str() != Some(""))
                .map(|(k, v)| format!("{word} {k} = {}", value_words("", v, names, lang)))
                .collect();
            return if entered.is_empty() { "—".into() } else { entered.join(", ") };
        }
        _ => {}
    }
    match value {
        Value::Null => "—".into(),
        Value::Bool(true) => (if vi { "có" } else { "yes" }).into(),
        Value::Bool(false) => (if vi { "không" } else { "no" }).into(),
        // Codes are words only where the field holds a code (a username "admin" stays).
        Value::String(s) if matches!(key, "status" | "role" | "timeliness") => match (s.as_str(), vi) {
            ("draft", true) => "nháp".into(),
            ("submitted", true) => "đã nộp".into(),
            ("accepted", true) => "đã duyệt".into(),
            ("returned", true) => "bị trả lại".into(),
            ("admin", true) => "quản trị".into(),
            ("steering", true) => "ban chỉ đạo".into(),
            ("unit", true) => "đơn vị".into(),
            ("viewer", true) => "chỉ xem".into(),
            ("unit_office", true) => "văn phòng đơn vị".into(),
            ("unit_office", false) => "unit office".into(),
            ("on_time", true) => "đúng hạn".into(),
            ("late", true) => "trễ hạn".into(),
            ("on_time", false) => "on time".into(),
            _ => s.clone(),
        },
        // An instant in Vietnam time, as everywhere else on the page.
        Value::String(s) => match DateTime::parse_from_rfc3339(s) {
            Ok(t) => t.with_timezone(&Ho_Chi_Minh).format("%d/%m/%Y %H:%M").to_string(),
            Err(_) => s.clone(),
        },
        Value::Array(items) => items.iter().map(|v| value_words("", v, names, lang)).collect::<Vec<_>>().join(", "),
        Value::Object(map) => format!("({})", fields(map, names, lang).join("; ")),
        other => other.to_string(),
    }
}

/// The fields of a stored value in words, the parent as a name.
fn words_of(map: &serde_json::Map<String, Value>, names: &Names, lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let has_parent = map.contains_key("parent_id") || map.contains_key("parent_code");
    for (k, v) in map {
        if matches!(k.as_str(), "parent_id" | "parent_code" | "parent_name") {
            continue;
        }
        // An account's own number ("số: 4") is no word for anyone: the account by its name.
        if let (true, Some(Value::String(login))) = (k == "id", map.get("username")) {
            let account = match v.as_i64() {
                Some(id) if names.users.contains_key(&id) => names.user(id),
                _ => login.clone(),
            };
            out.push((pick(lang, ("tài khoản", "account")).to_string(), account));
            continue;
        }
        let key = field_words(k).map(|w| pick(lang, w).to_string()).unwrap_or_else(|| k.replace('_', " "));
        out.push((key, value_words(k, v, names, lang)));
    }
    if has_parent {
        if let Some(p) = parent_of(map, names, lang) {
            out.push((pick(lang, ("đơn vị cấp trên", "parent")).to_string(), p));
        }
    }
    out
}

fn fields(map: &serde_json::Map<String, Value>, names: &Names, lang: Lang) -> Vec<String> {
    words_of(map, names, lang).into_iter().map(|(k, v)| format!("{k}: {v}")).collect()
}

/// The values of an entry in words: what changed (before → after), or what was set.
fn details(r: &AuditRow, names: &Names, lang: Lang) -> String {
    let read = |j: &Option<String>| j.as_deref().and_then(|j| serde_json::from_str::<Value>(j).ok());
    match (read(&r.before_json), read(&r.after_json)) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => {
            let before: HashMap<String, String> = words_of(&b, names, lang).into_iter().collect();
            let changed: Vec<String> = words_of(&a, names, lang)
                .into_iter()
                .filter_map(|(k, v)| match before.get(&k) {
                    Some(old) if *old == v => None,
                    Some(old) => Some(format!("{k}: {old} → {v}")),
                    None => Some(format!("{k}: {v}")),
                })
                .collect();
            changed.join("; ")
        }
        (None | Some(Value::Null), Some(Value::Object(a))) => fields(&a, names, lang).join("; "),
        (Some(Value::Object(b)), None | Some(Value::Null)) => {
            let prefix = pick(lang, ("trước đó", "before"));
            format!("{prefix}: {}", fields(&b, names, lang).join("; "))
        }
        (_, Some(other)) if !other.is_null() => value_words("", &other, names, lang),
        _ => String::new(),
    }
}

/// The entries as people read them.
pub fn describe(rows: &[AuditRow], names: &Names, lang: Lang) -> Vec<AuditLine> {
    rows.iter()
        .map(|r| {
            let (short, who) = actor_label(r, names, lang);
            AuditLine {
                id: r.id,
                at: r.at.with_timezone(&Ho_Chi_Minh).format("%d/%m/%Y %H:%M:%S").to_string(),
                who,
                sentence: sentence(r, names, lang, &short),
                unit: r.unit_id.map(|id| names.unit(id, lang)).unwrap_or_default(),
                details: details(r, names, lang),
                client: r.client.clone().unwrap_or_default(),
            }
        })
        .collect()
}

/// A day typed as dd/mm/yyyy (the Vietnamese way) or sent by a date input (yyyy-mm-dd).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"].iter().find_map(|f| NaiveDate::parse_from_str(text, f).ok())
}

/// The first instant of a day in Vietnam time.
fn day_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    Ho_Chi_Minh.from_local_datetime(&day.and_hms_opt(0, 0, 0)?).earliest().map(|t| t.with_timezone(&Utc))
}

fn bad_day(which: &str, which_en: &str, text: &str) -> Failure {
    Failure::invalid(format!(
        "Ngày {which} \"{text}\" không đúng: nhập theo dạng ngày/tháng/năm, ví dụ 03/03/2023 / The {which_en} date \"{text}\" is not a date: type it as dd/mm/yyyy, e.g. 03/03/2023"
    ))
}

/// The filter a query asks for, within what the actor may read.
pub async fn filter_of(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    q: &AuditQuery,
) -> Result<AuditFilter, Failure> {
    let db = &state.db;
    let unit = match q.unit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        // A code, or a name as the officer types it ("hon dat" finds Huyện đoàn Hòn Đất):
        // the highest unit whose name matches.
        Some(text) => Some(crate::actions::unit_lookup::require(db, text).await?),
        None => None,
    };
    let unit_ids = match (&unit, actor.user.role) {
        (Some(u), _) => {
            require(state, actor, client, Action::ReadAudit, Some(u.id)).await?;
            Some(units::subtree_ids(db, u.id).await?)
        }
        (None, Role::Admin) => None,
        (None, _) => {
            // Everything the actor may read: the subtrees of their units; asked of
            // the policy like every other branch (a viewer has no audit right).
            require(state, actor, client, Action::ReadAudit, actor.unit_ids.first().copied()).await?;
            let mut ids = Vec::new();
            for id in &actor.unit_ids {
                ids.extend(units::subtree_ids(db, *id).await?);
            }
            Some(ids)
        }
    };
    // A login as typed, else every user whose name or login holds the words typed
    // (accents and case ignored): "nguyen van a" finds Nguyễn Văn A.
    let actor_user_ids = match q.user.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => match users::by_username(db, text).await? {
            Some(u) => Some(vec![u.id]),
            None => {
                let wanted = fold(text);
                let words: Vec<&str> = wanted.split(' ').filter(|w| !w.is_empty()).collect();
                Some(
                    users::list(db)
                        .await?
                        .into_iter()
                        .filter(|u| {
                            let key = fold(&format!("{} {}", u.display_name, u.username));
                            words.iter().all(|w| key.contains(w))
                        })
                        .map(|u| u.id)
                        .collect(),
                )
            }
        },
        None => None,
    };
    let from = match q.from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => Some(parse_day(text).ok_or_else(|| bad_day("từ", "from", text))?),
        None => None,
    };
    let to = match q.to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => Some(parse_day(text).ok_or_else(|| bad_day("đến", "to", text))?),
        None => None,
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f > t {
            return Err(Failure::invalid(format!(
                "Ngày bắt đầu ({}) sau ngày kết thúc ({}) / The first day ({f}) is after the last ({t})",
                f.format("%d/%m/%Y"),
                t.format("%d/%m/%Y")
            )));
        }
    }
    Ok(AuditFilter {
        unit_ids,
        actor_user_id: None,
        actor_user_ids,
        // The page's choices write "report-submit" (no code shows on a page); codes have no '-'.
        action_prefix: q.action.as_deref().map(|a| a.trim().replace('-', ".")).filter(|a| !a.is_empty()),
        from: from.and_then(day_start),
        until: to.and_then(|t| t.succ_opt()).and_then(day_start),
        limit: q.limit.unwrap_or(200),
        offset: 0,
    })
}

/// The entries the actor asked for (the API's list), newest first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    q: &AuditQuery,
) -> Result<Vec<AuditRow>, Failure> {
    let mut filter = filter_of(state, actor, client, q).await?;
    // `page` (from 1) pages by `limit`, the API's way.
    filter.offset = (q.page.unwrap_or(1).max(1) - 1).saturating_mul(filter.limit.clamp(1, 1000));
    Ok(audit::query(&state.db, &filter).await?)
}

/// One page of entries in words, with how many match in all.
pub struct AuditPageData {
    pub lines: Vec<AuditLine>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
}

pub async fn page(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    q: &AuditQuery,
    lang: Lang,
) -> Result<AuditPageData, Failure> {
    let mut filter = filter_of(state, actor, client, q).await?;
    let total = audit::count(&state.db, &filter).await?;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    filter.limit = PER_PAGE;
    filter.offset = (page - 1) * PER_PAGE;
    let rows = audit::query(&state.db, &filter).await?;
    let names = Names::load(state, &rows).await?;
    Ok(AuditPageData { lines: describe(&rows, &names, lang), total, page, pages })
}

/// The export's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Xlsx,
    Csv,
}

/// The filtered entries as a file (columns in the reader's language): its bytes,
/// content type and file name.
pub async fn export(
    state: &AppState,
    actor: &Actor,
    client: &ClientIp,
    q: &AuditQuery,
    lang: Lang,
    format: ExportFormat,
) -> Result<(Vec<u8>, &'static str, String), Failure> {
    let mut filter = filter_of(state, actor, client, q).await?;
    // Never a silently cut file: too many entries are refused with the count.
    let total = audit::count(&state.db, &filter).await?;
    if total > EXPORT_MAX {
        return Err(Failure::invalid(format!(
            "Có {total} mục, quá {EXPORT_MAX} mục xuất được một lần: hãy lọc theo ngày, đơn vị hoặc hành động / {total} entries match, more than the {EXPORT_MAX} an export holds: filter by dates, unit or action"
        )));
    }
    filter.limit = EXPORT_MAX;
    filter.offset = 0;
    let rows = audit::query(&state.db, &filter).await?;
    let names = Names::load(state, &rows).await?;
    let stamp = state.now().with_timezone(&Ho_Chi_Minh).format("%Y%m%d-%H%M").to_string();
    // Tens of thousands of rows take a while to write: off the request workers.
    tokio::task::spawn_blocking(move || write_export(&rows, &names, lang, format, &stamp))
        .await
        .map_err(Failure::internal)?
}

fn write_export(
    rows: &[AuditRow],
    names: &Names,
    lang: Lang,
    format: ExportFormat,
    stamp: &str,
) -> Result<(Vec<u8>, &'static str, String), Failure> {
    let lines = describe(rows, names, lang);
    let header: [&str; 6] = match lang {
        Lang::Vi => ["Thời gian", "Người thực hiện", "Hành động", "Đơn vị", "Chi tiết", "Địa chỉ máy"],
        Lang::En => ["Time", "By", "Action", "Unit", "Details", "Client address"],
    };
    let name = match lang {
        Lang::Vi => format!("nhat-ky-{stamp}"),
        Lang::En => format!("audit-log-{stamp}"),
    };
    let cells = |l: &AuditLine| {
        [l.at.clone(), l.who.clone(), l.sentence.clone(), l.unit.clone(), l.details.clone(), l.client.clone()]
    };
    match format {
        ExportFormat::Csv => {
            let table: Vec<Vec<String>> = lines.iter().map(|l| cells(l).to_vec()).collect();
            Ok((crate::files::write_csv(&header, &table)?, "text/csv; charset=utf-8", format!("{name}.csv")))
        }
        ExportFormat::Xlsx => {
            let table: Vec<Vec<crate::files::Cell>> =
                lines.iter().map(|l| cells(l).into_iter().map(crate::files::Cell::Text).collect()).collect();
            let sheet = match lang {
                Lang::Vi => "Nhật ký",
                Lang::En => "Audit log",
            };
            Ok((
                crate::files::write_xlsx(sheet, &header, &table)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                format!("{name}.xlsx"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_as_typed_in_vietnam_or_as_a_date_input_sends_them() {
        let day = NaiveDate::from_ymd_opt(2023, 3, 2);
        assert_eq!(parse_day("02/03/2023"), day);
        assert_eq!(parse_day(" 2/3/2023 "), day);
        assert_eq!(parse_day("2023-03-02"), day);
        assert_eq!(parse_day("31/02/2023"), None);
        assert_eq!(parse_day("hôm qua"), None);
        // A day starts at midnight in Vietnam: 17h00 UTC the day before.
        assert_eq!(day.and_then(day_start).map(|t| t.to_rfc3339()), Some("2023-03-01T17:00:00+00:00".to_string()));
    }

    #[test]
    fn every_action_the_filter_offers_has_words_in_both_languages() {
        let mut seen = HashSet::new();
        for (code, vi, en) in ACTIONS {
            assert!(seen.insert(code), "{code} twice");
            assert!(!vi.is_empty() && !en.is_empty() && !code.contains('-'), "{code}");
            assert_eq!(action_words(code), (*vi, *en));
        }
    }
}
