//! The built console: static files from `dist/`, deep links answered with `index.html`,
//! hashed assets cached for a year, `index.html` always revalidated.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get_service;
use axum::Router;
use std::path::Path;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

pub fn console<S: Clone + Send + Sync + 'static>(dist: &Path) -> Router<S> {
    let index = dist.join("index.html");
    if !index.exists() {
        tracing::warn!(dist = %dist.display(), "the console is not built; run `make run` to build it");
        return Router::new().fallback(|| async { not_built() });
    }
    let files = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(ServeFile::new(index));
    Router::new().fallback_service(get_service(files)).layer(CompressionLayer::new())
}

fn not_built() -> Response {
    Html(
        "<!doctype html><title>Sluice</title><p>The console has not been built. Run <code>make run</code> \
         in the repository, which builds it and starts the server.</p>",
    )
    .into_response()
}

/// Trunk names built assets `name-<16 hex>.ext` (or `_bg.wasm`); those never change.
fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or("");
    let stem = file.split('.').next().unwrap_or("");
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()))
}

pub async fn cache_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut response = next.run(req).await;
    let value = if path.starts_with("/api/") {
        "no-store"
    } else if is_hashed_asset(&path) && response.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    response.headers_mut().entry(header::CACHE_CONTROL).or_insert(HeaderValue::from_static(value));
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(super::is_hashed_asset("/sluice-console-3f2a9c0d11e4b5a6_bg.wasm"));
        assert!(super::is_hashed_asset("/main-3f2a9c0d11e4b5a6.css"));
        assert!(!super::is_hashed_asset("/index.html"));
        assert!(!super::is_hashed_asset("/issues"));
    }
}
