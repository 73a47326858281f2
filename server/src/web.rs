//! The built console: static files from `dist/`, deep links answered with `index.html`,
//! hashed assets cached for a year, `index.html` always revalidated, and every asset sent
//! brotli- or gzip-compressed: from the `.br`/`.gz` files `sluice-server precompress` writes
//! once per build (best level), else compressed on the fly at a fast level.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get_service;
use axum::Router;
use std::path::Path;
use tower::ServiceExt;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

pub fn console<S: Clone + Send + Sync + 'static>(dist: &Path) -> Router<S> {
    let index = dist.join("index.html");
    if !index.exists() {
        tracing::warn!(dist = %dist.display(), "the console is not built; run `make run` to build it");
        return Router::new().fallback(|| async { not_built() });
    }
    // Deep links get the console; a missing file (an old build's chunk, a favicon) a plain 404,
    // so a loader fails on the status instead of on an HTML page served as wasm.
    let index = ServeFile::new(index);
    let spa = tower::service_fn(move |req: Request| {
        let index = index.clone();
        async move {
            if names_a_file(req.uri().path()) {
                return Ok::<_, std::convert::Infallible>(StatusCode::NOT_FOUND.into_response());
            }
            index.oneshot(req).await.map(IntoResponse::into_response)
        }
    });
    let files = ServeDir::new(dist).precompressed_br().precompressed_gzip().fallback(spa);
    Router::new().fallback_service(get_service(files)).layer(CompressionLayer::new())
}

/// `/split-…/chunk_4.wasm` or `/favicon.ico`, as opposed to a console route like `/issues`.
fn names_a_file(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|last| last.contains('.'))
}

/// What [`precompress`] did: `written` of the `files` needed a fresh `.br`/`.gz`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Precompressed {
    pub files: usize,
    pub written: usize,
}

/// Writes `<file>.br` and `<file>.gz` beside each asset that lacks a fresh one (`make run` and
/// the tests call it after building the console). Brotli at quality 11 is too slow to run per
/// request, and the compression layer's fast level sends about 20% more. Each file is written
/// under a temporary name and renamed, so a running server never sends half a file.
pub fn precompress(dist: &Path) -> Precompressed {
    let mut done = Precompressed::default();
    let mut pending = vec![dist.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if path.is_dir() {
                pending.push(path);
            } else if matches!(ext, "wasm" | "js" | "css" | "html" | "svg" | "bin") {
                done.files += 1;
                let mut wrote = false;
                for (suffix, compress) in [("br", brotli_best as fn(&[u8]) -> Vec<u8>), ("gz", gzip_best)] {
                    match compress_beside(&path, suffix, compress) {
                        Ok(fresh) => wrote |= fresh,
                        Err(e) => tracing::warn!(file = %path.display(), error = %e, "could not precompress"),
                    }
                }
                done.written += usize::from(wrote);
            }
        }
    }
    done
}

/// `Ok(true)` when it wrote the file, `Ok(false)` when the one there is newer than the source.
fn compress_beside(path: &Path, suffix: &str, compress: fn(&[u8]) -> Vec<u8>) -> std::io::Result<bool> {
    let mut target = path.as_os_str().to_owned();
    target.push(format!(".{suffix}"));
    let target = std::path::PathBuf::from(target);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified());
    if matches!((modified(path), modified(&target)), (Ok(source), Ok(done)) if done >= source) {
        return Ok(false);
    }
    let data = std::fs::read(path)?;
    let temporary = target.with_extension(format!("{suffix}.partial"));
    std::fs::write(&temporary, compress(&data))?;
    std::fs::rename(&temporary, &target)?;
    Ok(true)
}

/// Brotli at its best level (quality 11, 4 MiB window), as the `.br` files are written.
pub fn brotli_best(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("compressing into memory");
    out
}

/// Gzip at its best level (9), as the `.gz` files are written.
pub fn gzip_best(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data).expect("compressing into memory");
    encoder.finish().expect("compressing into memory")
}

fn not_built() -> Response {
    Html(
        "<!doctype html><title>Sluice</title><p>The console has not been built. Run <code>make run</code> \
         in the repository, which builds it and starts the server.</p>",
    )
    .into_response()
}

/// Trunk names built assets `name-<hex hash>.ext` (or `_bg.wasm`), and the wasm chunks of a build
/// live in `split-<hash>/` (scripts/split-wasm.sh); none of those ever change.
fn is_hashed_asset(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    let file = segments.next_back().unwrap_or("");
    let hashed = |name: &str| {
        // Trunk prints a 64-bit hash in hex without leading zeros: up to 16 digits.
        name.rsplit_once('-')
            .is_some_and(|(_, hash)| (12..=16).contains(&hash.len()) && hash.chars().all(|c| c.is_ascii_hexdigit()))
    };
    let stem = file.split('.').next().unwrap_or("");
    hashed(stem.strip_suffix("_bg").unwrap_or(stem)) || segments.any(hashed)
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
    // The same URL is sent as brotli, gzip or plain by the request's Accept-Encoding: a shared
    // cache keeping one of them for a year must key it on that header.
    if !path.starts_with("/api/") && !varies_by_encoding(response.headers()) {
        response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

fn varies_by_encoding(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding") || v.trim() == "*")
}

#[cfg(test)]
mod tests {
    #[test]
    fn recognises_trunk_hashed_names() {
        assert!(super::is_hashed_asset("/sluice-console-3f2a9c0d11e4b5a6_bg.wasm"));
        assert!(super::is_hashed_asset("/main-3f2a9c0d11e4b5a6.css"));
        assert!(!super::is_hashed_asset("/index.html"));
        assert!(!super::is_hashed_asset("/issues"));
        assert!(super::is_hashed_asset("/split-3f2a9c0d11e4b5a6/chunk_4.wasm"));
        assert!(super::is_hashed_asset("/split-3f2a9c0d11e4b5a6/__wasm_split.js"));
        assert!(!super::is_hashed_asset("/settings/api-keys"));
        assert!(super::is_hashed_asset("/sluice-console-df564b6d693df6a.js"), "15 digits: a leading zero");
        assert!(!super::is_hashed_asset("/integrations-page"));
    }
}
