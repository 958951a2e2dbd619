//! Failures of handlers, in Vietnamese and English: a page for the UI, JSON for the API.

use askama::Template;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use phongtrao_storage::StorageError;

use crate::i18n::{Chrome, Lang};

/// What went wrong, in both languages, with the HTTP status that says it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub status: StatusCode,
    pub code: &'static str,
    pub vi: String,
    pub en: String,
    /// Seconds to wait before trying again (429).
    pub retry_after: Option<i64>,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str, vi: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure { status, code, vi: vi.into(), en: en.into(), retry_after: None }
    }

    pub fn bad_request(vi: impl Into<String>, en: impl Into<String>) -> Failure {
        Failure::new(StatusCode::BAD_REQUEST, "bad_request", vi, en)
    }

    /// A message that already holds both languages ("vi / en").
    pub fn invalid(message: impl Into<String>) -> Failure {
        let message = message.into();
        let (vi, en) = match message.split_once(" / ") {
            Some((vi, en)) => (vi.to_string(), en.to_string()),
            None => (message.clone(), message),
        };
        Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", vi, en)
    }

    pub fn not_found() -> Failure {
        Failure::new(StatusCode::NOT_FOUND, "not_found", "Không tìm thấy", "Not found")
    }

    pub fn unauthenticated() -> Failure {
        Failure::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Vui lòng đăng nhập", "Please log in")
    }

    pub fn forbidden() -> Failure {
        Failure::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Bạn không có quyền thực hiện thao tác này",
            "You are not allowed to do this",
        )
    }

    /// A failure of the server (500): logged with a reference id that the user is
    /// shown, never the underlying text.
    pub fn internal(e: impl std::fmt::Display) -> Failure {
        let reference = reference_id();
        tracing::error!(error = %e, reference = %reference, "request failed");
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("Hệ thống gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại sau. Mã tham chiếu: {reference}"),
            format!("The server failed to handle the request. Please try again later. Reference: {reference}"),
        )
    }

    /// The database cannot be reached now (503, with Retry-After): logged, and the
    /// user is asked to try again shortly, never shown the underlying text.
    pub fn unavailable(e: impl std::fmt::Display) -> Failure {
        let reference = reference_id();
        tracing::error!(error = %e, reference = %reference, "storage unavailable");
        let mut f = Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            format!("Hệ thống tạm thời không truy cập được dữ liệu. Vui lòng thử lại sau ít phút. Mã tham chiếu: {reference}"),
            format!("The server cannot reach its data right now. Please try again in a few minutes. Reference: {reference}"),
        );
        f.retry_after = Some(UNAVAILABLE_RETRY_SECONDS);
        f
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Vi => &self.vi,
            Lang::En => &self.en,
        }
    }

    /// As an HTML page in `lang`.
    pub fn page(self, lang: Lang) -> AppError {
        AppError { lang, failure: self, onward: None, context: None }
    }
}

/// How long a client should wait after a 503.
pub const UNAVAILABLE_RETRY_SECONDS: i64 = 5;

/// A short id that ties what a user reports to the server's log line.
pub fn reference_id() -> String {
    let mut bytes = [0u8; 5];
    rand::Rng::fill(&mut rand::thread_rng(), &mut bytes);
    hex::encode(bytes)
}

/// The one place where a storage failure becomes an HTTP answer: the user's own
/// mistakes are 4xx with a message for them; the server's are 503 / 500 with a
/// reference id, and the database's text goes to the log only.
impl From<StorageError> for Failure {
    fn from(e: StorageError) -> Failure {
        match e.kind() {
            phongtrao_storage::ErrorKind::Unavailable => return Failure::unavailable(e),
            phongtrao_storage::ErrorKind::Internal => return Failure::internal(e),
            phongtrao_storage::ErrorKind::Conflict if !matches!(e, StorageError::Conflict(_)) => {
                tracing::warn!(error = %e, "write conflict");
                return Failure::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại trang và thử lại.",
                    "The data was just changed by someone else. Please reload and try again.",
                );
            }
            phongtrao_storage::ErrorKind::NotFound if !matches!(e, StorageError::NotFound(_)) => {
                return Failure::not_found();
            }
            _ => {}
        }
        match e {
            StorageError::Conflict(message) => {
                let mut f = Failure::invalid(message);
                f.status = StatusCode::CONFLICT;
                f.code = "conflict";
                f
            }
            StorageError::NotFound(what) => {
                let (vi, en) =
                    what.split_once(" / ").map(|(a, b)| (a.to_string(), b.to_string())).unwrap_or((what.clone(), what));
                Failure::new(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    format!("Không tìm thấy {vi}"),
                    format!("Not found: {en}"),
                )
            }
            StorageError::Invalid(message) => Failure::invalid(message),
            other => Failure::internal(other),
        }
    }
}

/// A failure shown as a page. Unauthenticated page requests go to the login form.
#[derive(Debug)]
pub struct AppError {
    pub lang: Lang,
    pub failure: Failure,
    /// Instead of an error page, the user is sent elsewhere.
    pub onward: Option<Box<Onward>>,
    /// The page the user was on, when the failure comes from one; None: a bare chrome.
    pub context: Option<Box<PageContext>>,
}

/// What an error page keeps of the page the user was on.
#[derive(Debug)]
pub struct PageContext {
    /// The user's menu, the simulated-data banner.
    pub chrome: Chrome,
    /// The page of this site the user came from, for a "go back" link.
    pub back: Option<String>,
}

/// Where a guard sends the user instead of showing an error page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Onward {
    /// To the login form, and back to `next` (a path of this site) afterwards.
    Login { next: Box<str> },
    /// Straight to a page of this site (e.g. the password change at first login).
    To(Box<str>),
}

impl AppError {
    /// A guard that sends the user to another page of this site instead.
    pub fn redirect_to(lang: Lang, target: &str) -> AppError {
        AppError {
            lang,
            failure: Failure::unauthenticated(),
            onward: Some(Box::new(Onward::To(target.into()))),
            context: None,
        }
    }
}

impl AppError {
    pub fn not_found(lang: Lang) -> AppError {
        Failure::new(StatusCode::NOT_FOUND, "not_found", "Không tìm thấy trang", "Page not found").page(lang)
    }

    pub fn internal(lang: Lang, e: impl std::fmt::Display) -> AppError {
        Failure::internal(e).page(lang)
    }

    pub fn login(lang: Lang, next: &str) -> AppError {
        AppError {
            lang,
            failure: Failure::unauthenticated(),
            onward: Some(Box::new(Onward::Login { next: next.into() })),
            context: None,
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    detail: String,
    /// What the user can do now, in words.
    hint: String,
    back: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let f = self.failure;
        match self.onward.map(|o| *o) {
            Some(Onward::Login { next }) => {
                return Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response();
            }
            Some(Onward::To(target)) => return Redirect::to(&target).into_response(),
            None => {}
        }
        let heading = match f.status {
            StatusCode::NOT_FOUND => lang.t("error.not_found"),
            StatusCode::FORBIDDEN => lang.t("error.forbidden"),
            StatusCode::TOO_MANY_REQUESTS => lang.t("error.too_many"),
            StatusCode::UNPROCESSABLE_ENTITY => lang.t("error.invalid"),
            StatusCode::CONFLICT => lang.t("error.invalid"),
            s if s.is_server_error() => lang.t("error.server"),
            _ => lang.t("error.bad_request"),
        };
        let hint = lang.t(match f.status {
            StatusCode::NOT_FOUND => "error.hint_not_found",
            StatusCode::FORBIDDEN => "error.hint_forbidden",
            StatusCode::TOO_MANY_REQUESTS => "error.hint_wait",
            StatusCode::CONFLICT => "error.hint_reload",
            s if s.is_server_error() => "error.hint_server",
            _ => "error.hint_fix",
        });
        let (chrome, back) = match self.context {
            Some(context) => {
                let PageContext { mut chrome, back } = *context;
                chrome.title = heading.clone();
                (chrome, back)
            }
            None => (Chrome::new(lang, "/", heading.clone(), ""), None),
        };
        let page = ErrorPage { chrome, heading, detail: f.message(lang).to_string(), hint, back };
        let mut response = match page.render() {
            Ok(html) => (f.status, Html(html)).into_response(),
            Err(_) => (f.status, format!("{} / {}", f.vi, f.en)).into_response(),
        };
        if let Some(secs) = f.retry_after {
            if let Ok(v) = secs.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// A failure as JSON: `{"error": {"code", "message_vi", "message_en"}}`.
#[derive(Debug)]
pub struct ApiError(pub Failure);

impl ApiError {
    pub fn not_found(what: &str) -> ApiError {
        ApiError(Failure::new(
            StatusCode::NOT_FOUND,
            "not_found",
            // "đơn vị / unit": each language its own half.
            format!("Không tìm thấy {}", what.split_once(" / ").map_or(what, |(vi, _)| vi)),
            format!("{} not found", what.split_once(" / ").map_or(what, |(_, en)| en)),
        ))
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError(Failure::internal(e))
    }
}

impl From<Failure> for ApiError {
    fn from(f: Failure) -> ApiError {
        ApiError(f)
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let f = self.0;
        let mut body = serde_json::json!({
            "error": { "code": f.code, "message_vi": f.vi, "message_en": f.en }
        });
        if let Some(secs) = f.retry_after {
            body["error"]["retry_after_seconds"] = secs.into();
        }
        let mut response = (f.status, Json(body)).into_response();
        if let Some(secs) = f.retry_after {
            if let Ok(v) = secs.to_string().parse() {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
