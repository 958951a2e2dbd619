//! Previewing and applying an amendment from the plan editor.

use axum::response::{IntoResponse, Response};
use phongtrao_domain::plan::edit::Checked;

use crate::actions::plan_import::Review;
use crate::error::AppError;
use crate::page::Page;
use crate::AppState;

/// "Xem thay đổi" and "Áp dụng điều chỉnh".
pub async fn amend(
    _state: &AppState,
    page: &Page,
    id: i64,
    review: &Review,
    checked: &Checked,
    _apply: bool,
) -> Result<Response, AppError> {
    let view = super::plan_edit::render(page, id, review, checked, None);
    Ok(view.into_response())
}
