use axum::http::header;
use axum::response::IntoResponse;

/// The OpenAPI 3.1 document of /api/v1, kept beside the handlers it describes.
pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json"))
}
