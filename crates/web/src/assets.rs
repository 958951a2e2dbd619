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
    Asset {
        path: "rules.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../static/rules.js"),
    },
    Asset { path: "sw.js", content_type: "text/javascript; charset=utf-8", body: include_bytes!("../static/sw.js") },
    Asset {
        path: "manifest.webmanifest",
        content_type: "application/manifest+json",
        body: include_bytes!("../static/manifest.webmanifest"),
    },
    Asset { path: "favicon.svg", content_type: "image/svg+xml", body: include_bytes!("../static/favicon.svg") },
];

pub async fn serve(Path(path): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.path == path) {
        // The service worker controls the whole site from /static/ (its scope is "/"),
        // and is checked for a new version on every visit.
        Some(asset) if asset.path == "sw.js" => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "no-cache"),
                (header::HeaderName::from_static("service-worker-allowed"), "/"),
            ],
            asset.body,
        )
            .into_response(),
        Some(asset) => {
            ([(header::CONTENT_TYPE, asset.content_type), (header::CACHE_CONTROL, "public, max-age=3600")], asset.body)
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "Không tìm thấy / Not found").into_response(),
    }
}

#[cfg(test)]
mod tests {
    /// The print rules of our CSS, each `@media print { … }` block's text.
    fn print_blocks(css: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = css;
        while let Some(i) = rest.find("@media print") {
            let after = &rest[i..];
            let Some(open) = after.find('{') else { break };
            let mut depth = 0;
            let mut end = open;
            for (j, ch) in after[open..].char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            end = open + j;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            out.push(after[open..=end].to_string());
            rest = &after[end..];
        }
        out
    }

    #[test]
    fn printed_pages_keep_the_simulated_data_banner_and_the_grid_prints_landscape_full_width() {
        let css = include_str!("../static/app.css");
        let blocks = print_blocks(css);
        assert!(!blocks.is_empty());
        for block in &blocks {
            for rule in block.split('}') {
                let (selectors, body) = rule.split_once('{').unwrap_or(("", ""));
                let hides = body.contains("display: none") || body.contains("display:none");
                assert!(
                    !(hides && selectors.contains(".simulated-banner")),
                    "a print rule hides the simulated-data banner: {rule}"
                );
            }
        }
        assert!(css.contains("@page wide { size: A4 landscape"), "the wide page is A4 landscape");
        assert!(blocks.iter().any(|b| b.contains(".print-grid") && b.contains("page: wide")));
        assert!(blocks.iter().any(|b| b.contains("main.container") && b.contains("max-width: none")), "full width");
    }
}
