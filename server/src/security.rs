//! Headers every response carries so that a browser confines the console: a Content-Security-
//! Policy with no inline script except trunk's loader (allowed by its hash, read from the built
//! `index.html` once at start), no framing, no sniffing, no referrer, no powerful features.

use axum::http::{header, HeaderName, HeaderValue};
use axum::Router;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::path::Path;
use tower_http::set_header::SetResponseHeaderLayer;

/// Nothing the console uses; denied so that an injected script could not ask for them either.
pub const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), \
     midi=(), magnetometer=(), gyroscope=(), accelerometer=(), display-capture=(), interest-cohort=()";

/// The policy for a console built into `dist`. `'wasm-unsafe-eval'` lets the page compile its
/// own WebAssembly (it allows no JavaScript `eval`); styles may be inline because the views set
/// `style` attributes, while scripts may not.
pub fn content_security_policy(dist: &Path) -> String {
    let html = std::fs::read_to_string(dist.join("index.html")).unwrap_or_default();
    let hashes: String = inline_scripts(&html)
        .map(|body| {
            let digest = Sha256::digest(body.as_bytes());
            format!(" 'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The bodies of `<script>` elements without `src`, exactly as the browser hashes them.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices("<script").filter_map(move |(start, _)| {
        let open_end = start + html[start..].find('>')?;
        let tag = &html[start..open_end];
        if tag.contains(" src=") {
            return None;
        }
        let body_start = open_end + 1;
        let body_end = body_start + html[body_start..].find("</script>")?;
        Some(&html[body_start..body_end])
    })
}

pub fn apply<S: Clone + Send + Sync + 'static>(router: Router<S>, dist: &Path) -> Router<S> {
    let csp = HeaderValue::from_str(&content_security_policy(dist)).unwrap_or(HeaderValue::from_static(
        "default-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    ));
    let fixed = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed(header::REFERRER_POLICY, "no-referrer"))
        .layer(fixed(HeaderName::from_static("permissions-policy"), PERMISSIONS_POLICY))
        .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, csp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunks_loader_is_allowed_by_its_hash_and_nothing_else_inline() {
        let dir = tempfile::tempdir().unwrap();
        let loader = "\nimport init from '/app-0123456789abcdef.js';\nawait init();\n";
        let html = format!(
            "<!doctype html><head><script src=\"/x.js\"></script><script type=\"module\">{loader}</script></head>"
        );
        std::fs::write(dir.path().join("index.html"), html).unwrap();
        let csp = content_security_policy(dir.path());
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(loader.as_bytes()));
        let script_src = csp.split(';').find(|d| d.trim().starts_with("script-src")).unwrap();
        assert_eq!(script_src.trim(), format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{expected}'"));
        assert!(csp.contains("frame-ancestors 'none'"));
    }
}
