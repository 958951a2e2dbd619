//! Server-rendered pages, one file per page.

pub mod lang;
pub mod overview;
pub mod targets;
pub mod units;

use crate::error::AppError;
use crate::i18n::Lang;

pub async fn not_found(lang: Lang) -> AppError {
    AppError::NotFound(lang)
}
