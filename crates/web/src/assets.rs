//! Static files compiled into the binary: vendored Pico CSS, our CSS and JS.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// A short fingerprint of our own CSS and JS, for cache-busting URLs.
pub const VERSION: &str = env!("PHONGTRAO_ASSET_VERSION");

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        path: "vendor/pico-2.1.1/pico.blue.min.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../static/vendor/pico-2.1.1/pico.blue.min.css"),
    },
    Asset {
        path: "vendor/pico-2.1.1/LICENSE.md",
        content_type: "text/plain; charset=utf-8",
        body: include_bytes!("../static/vendor/pico-2.1.1/LICENSE.md"),
    },
    Asset { path: "app.css", content_type: "text/css; charset=utf-8", body: include_bytes!("../static/app.css") },
    Asset { path: "app.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../static/app.js") },
    Asset { path: "favicon.svg", content_type: "image/svg+xml", body: include_bytes!("../static/favicon.svg") },
];

pub async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        Some(asset) => {
            ([(header::CONTENT_TYPE, asset.content_type), (header::CACHE_CONTROL, "public, max-age=3600")], asset.body)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "Không tìm thấy / Not found").into_response(),
    }
}
