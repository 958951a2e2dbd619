//! Errors of handlers: a page in the user's language for the UI, JSON for the API.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;

use crate::i18n::{Chrome, Lang};

#[derive(Debug)]
pub enum AppError {
    NotFound(Lang),
    Internal(Lang, String),
}

impl AppError {
    pub fn internal(lang: Lang, e: impl std::fmt::Display) -> AppError {
        AppError::Internal(lang, e.to_string())
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Chrome,
    heading: String,
    detail: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, lang, heading, detail) = match self {
            AppError::NotFound(lang) => (StatusCode::NOT_FOUND, lang, lang.t("error.not_found"), lang.t("error.not_found_detail")),
            AppError::Internal(lang, message) => {
                tracing::error!(%message, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, lang, lang.t("error.server"), lang.t("error.server_detail"))
            }
        };
        let page = ErrorPage { chrome: Chrome::new(lang, "/", heading.clone(), ""), heading, detail };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, detail_text(status)).into_response(),
        }
    }
}

fn detail_text(status: StatusCode) -> &'static str {
    if status == StatusCode::NOT_FOUND {
        "Không tìm thấy / Not found"
    } else {
        "Có lỗi xảy ra / Something went wrong"
    }
}

/// Errors of the JSON API: `{"error": {"code", "message_vi", "message_en"}}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message_vi: String,
    pub message_en: String,
}

impl ApiError {
    pub fn not_found(what: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message_vi: format!("Không tìm thấy {what}"),
            message_en: format!("{what} not found"),
        }
    }

    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %e, "api request failed");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message_vi: "Có lỗi xảy ra, vui lòng thử lại sau".into(),
            message_en: "Something went wrong, please try again later".into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code, "message_vi": self.message_vi, "message_en": self.message_en }
        });
        (self.status, Json(body)).into_response()
    }
}
