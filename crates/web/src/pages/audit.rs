//! The audit log page, filterable by unit and user; times in Vietnam time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use chrono_tz::Asia::Ho_Chi_Minh;

use crate::actions::audit_log::{self, AuditQuery};
use crate::error::AppError;
use crate::i18n::{Chrome, Lang};
use crate::page::Page;
use crate::AppState;

pub struct AuditLine {
    pub at: String,
    pub actor: String,
    /// What happened, as a sentence in the page's language.
    pub action: String,
    pub entity: String,
    pub before: String,
    pub after: String,
    pub client: String,
}

/// The action in words (Vietnamese, English); never the code.
fn action_words(action: &str) -> (&'static str, &'static str) {
    match action {
        "access.denied" => ("bị từ chối vì không có quyền", "was refused (no right)"),
        "csrf.refused" => {
            ("gửi yêu cầu bị chặn (thiếu mã chống giả mạo)", "sent a request that was blocked (no anti-forgery token)")
        }
        "login.success" => ("đăng nhập", "logged in"),
        "login.failure" => ("đăng nhập sai mật khẩu hoặc tên", "failed to log in"),
        "login.throttled" => {
            ("bị tạm chặn đăng nhập vì sai nhiều lần", "was held back from logging in after many failures")
        }
        "logout" => ("đăng xuất", "logged out"),
        "user.create" => ("tạo tài khoản", "created an account"),
        "user.access" => {
            ("đổi vai trò, đơn vị hoặc trạng thái tài khoản", "changed an account's role, units or status")
        }
        "user.password_change" => ("đổi mật khẩu", "changed their password"),
        "user.password_reset" => ("cấp lại mật khẩu một lần", "issued a one-time password"),
        "token.create" => ("tạo mã truy cập API", "created an API token"),
        "token.revoke" => ("thu hồi mã truy cập API", "revoked an API token"),
        "unit.create" => ("tạo đơn vị", "created a unit"),
        "unit.update" => ("sửa thông tin đơn vị", "changed a unit"),
        "unit.base_figures" => ("cập nhật số liệu nền", "updated base figures"),
        "unit.import_create" => ("thêm đơn vị từ tệp", "added a unit from a file"),
        "unit.import_update" => ("cập nhật đơn vị từ tệp", "updated a unit from a file"),
        "report.save_draft" => ("lưu nháp báo cáo", "saved a report draft"),
        "report.submit" => ("nộp báo cáo", "submitted a report"),
        "report.accept" => ("duyệt báo cáo", "accepted a report"),
        "report.return" => ("trả lại báo cáo để sửa", "returned a report"),
        "period.lock" => ("khóa kỳ báo cáo", "locked a period"),
        "period.reopen" => ("mở lại kỳ báo cáo", "reopened a period"),
        "allocation.set" => ("giao chỉ tiêu", "allocated goals"),
        "campaign.activate" => ("kích hoạt kế hoạch phong trào", "activated a campaign plan"),
        "plan.load" => ("nạp kế hoạch", "loaded a plan"),
        "document.texts" => ("sửa nội dung văn bản", "edited document texts"),
        "reminder.send" => ("gửi lời nhắc", "sent reminders"),
        "unit.contact" => ("sửa thông tin liên hệ của đơn vị", "changed a unit's contact"),
        "event.record" => ("ghi nhận kết quả hoạt động cấp tỉnh", "recorded a province event"),
        "unit_event.launch" => ("ghi nhận lễ ra quân của đơn vị", "recorded a unit's launch"),
        "unit_event.closing" => ("ghi nhận tổng kết của đơn vị", "recorded a unit's closing"),
        "base_figures.complete" => ("xác nhận số liệu nền đã đủ", "marked a base figure complete"),
        _ => ("thực hiện một thao tác khác", "did another operation"),
    }
}

fn entity_words(entity: &str) -> (&'static str, &'static str) {
    match entity {
        "report" => ("báo cáo", "report"),
        "user" => ("tài khoản", "account"),
        "unit" => ("đơn vị", "unit"),
        "api_token" => ("mã truy cập", "token"),
        "permission" => ("quyền", "right"),
        "period" => ("kỳ", "period"),
        "request" => ("yêu cầu", "request"),
        "allocation" => ("chỉ tiêu", "allocation"),
        "campaign" => ("phong trào", "campaign"),
        "event" => ("hoạt động", "event"),
        _ => ("", ""),
    }
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
        "owner_user_id" => ("chủ mã (số tài khoản)", "owner (account id)"),
        "by_admin" => ("do quản trị viên", "by an admin"),
        "timeliness" => ("đúng hạn", "timeliness"),
        "comment" => ("ghi chú", "comment"),
        "code" => ("mã", "code"),
        "parent" => ("đơn vị cấp trên", "parent"),
        _ => return None,
    })
}

fn value_words(value: &serde_json::Value, lang: Lang) -> String {
    use serde_json::Value;
    let vi = lang == Lang::Vi;
    match value {
        Value::Null => "—".into(),
        Value::Bool(true) => (if vi { "có" } else { "yes" }).into(),
        Value::Bool(false) => (if vi { "không" } else { "no" }).into(),
        Value::String(s) => match (s.as_str(), vi) {
            ("draft", true) => "nháp".into(),
            ("submitted", true) => "đã nộp".into(),
            ("accepted", true) => "đã duyệt".into(),
            ("returned", true) => "bị trả lại".into(),
            ("admin", true) => "quản trị".into(),
            ("steering", true) => "ban chỉ đạo".into(),
            ("unit", true) => "đơn vị".into(),
            ("viewer", true) => "chỉ xem".into(),
            ("on_time", true) => "đúng hạn".into(),
            ("late", true) => "trễ hạn".into(),
            _ => s.clone(),
        },
        Value::Array(items) => items.iter().map(|v| value_words(v, lang)).collect::<Vec<_>>().join(", "),
        Value::Object(_) => {
            let text = details(Some(value.to_string()), lang);
            format!("({text})")
        }
        other => other.to_string(),
    }
}

/// A stored before/after value in words: "trạng thái: đã nộp; phiên bản: 2".
fn details(json: Option<String>, lang: Lang) -> String {
    let Some(json) = json else { return String::new() };
    match serde_json::from_str::<serde_json::Value>(&json) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let key = field_words(k).map(|(vi, en)| if lang == Lang::Vi { vi } else { en }).unwrap_or(k.as_str());
                format!("{key}: {}", value_words(v, lang))
            })
            .collect::<Vec<_>>()
            .join("; "),
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(other) => value_words(&other, lang),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub unit: String,
    pub user: String,
    pub lines: Vec<AuditLine>,
}

pub async fn show(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<AuditQuery>,
) -> Result<AuditPage, AppError> {
    let actor = page.require_actor()?.clone();
    let rows = audit_log::list(&state, &actor, &page.client, &q).await.map_err(|f| page.fail(f))?;
    let lang = page.lang;
    let pick = |(vi, en): (&'static str, &'static str)| if lang == Lang::Vi { vi } else { en };
    let lines = rows
        .into_iter()
        .map(|r| {
            let key = r.entity_key.clone().unwrap_or_default();
            let key = match r.entity.as_str() {
                "permission" => permission_words(&key).map(|w| pick(w).to_string()).unwrap_or(key),
                _ => key,
            };
            let entity = format!("{} {key}", pick(entity_words(&r.entity))).trim().to_string();
            AuditLine {
                at: r.at.with_timezone(&Ho_Chi_Minh).format("%d/%m/%Y %H:%M:%S").to_string(),
                action: format!("{} {}", r.actor_name, pick(action_words(&r.action))),
                actor: r.actor_name,
                entity,
                before: details(r.before_json, lang),
                after: details(r.after_json, lang),
                client: r.client.unwrap_or_default(),
            }
        })
        .collect();
    Ok(AuditPage {
        chrome: page.chrome(page.lang.t("audit.title"), "audit"),
        unit: q.unit.unwrap_or_default(),
        user: q.user.unwrap_or_default(),
        lines,
    })
}
