//! The built console as a browser fetches it: deep links, cache headers, compressed assets.

mod common;

use base64::Engine;
use common::{Options, TestServer};
use sha2::Digest;
use std::path::Path;

const HASH: &str = "0123456789abcdef";

fn write(path: &Path, data: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

async fn get(server: &TestServer, path: &str, encoding: &str) -> reqwest::Response {
    reqwest::Client::new().get(server.url(path)).header("accept-encoding", encoding).send().await.unwrap()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

#[tokio::test]
async fn deep_links_get_the_console_and_assets_come_compressed_and_cached_for_good() {
    let dist = tempfile::tempdir().unwrap();
    let script: Vec<u8> = (0..4000).flat_map(|i| format!("export const f{i} = () => {i};\n").into_bytes()).collect();
    let chunk: Vec<u8> = (0..60_000u32).map(|i| (i % 251) as u8).collect();
    // Trunk's loader is an inline module script: the one inline script the policy allows.
    let loader = format!("import init from '/sluice-console-{HASH}.js';\nawait init();\n");
    let html = format!("<!doctype html><title>Sluice</title><script type=\"module\">{loader}</script><body></body>");
    write(&dist.path().join("index.html"), html.as_bytes());
    write(&dist.path().join(format!("sluice-console-{HASH}.js")), &script);
    write(&dist.path().join(format!("split-{HASH}/chunk_1.wasm")), &chunk);
    // A first visit's chunks for one page, packed as one file (scripts/bundle-chunks.mjs).
    write(&dist.path().join(format!("split-{HASH}/bundle_issues_page.bin")), &chunk);
    // What `sluice-server precompress` does after each build.
    let first = sluice_server::web::precompress(dist.path());
    assert_eq!((first.files, first.written), (4, 4));
    assert_eq!(sluice_server::web::precompress(dist.path()).written, 0, "a second run has nothing to do");
    let server =
        TestServer::start_with(Options { dist_dir: Some(dist.path().to_path_buf()), ..Default::default() }).await;

    let page = get(&server, "/issues?status=open", "identity").await;
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "cache-control"), "no-cache", "the page itself is always revalidated");
    let csp = header(&page, "content-security-policy").to_string();
    let script_src = csp.split(';').map(str::trim).find(|d| d.starts_with("script-src")).unwrap_or("").to_string();
    let digest = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(loader.as_bytes()));
    assert!(script_src.contains(&format!("'sha256-{digest}'")), "the loader's hash is allowed: {csp}");
    assert!(!script_src.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(header(&page, "permissions-policy").contains("camera=()"));
    assert_eq!(header(&page, "x-content-type-options"), "nosniff");
    assert!(page.text().await.unwrap().contains("<title>Sluice</title>"), "a deep link gets the console");

    let js = get(&server, &format!("/sluice-console-{HASH}.js"), "br").await;
    assert_eq!(js.status(), 200);
    assert_eq!(header(&js, "content-encoding"), "br");
    assert_eq!(header(&js, "cache-control"), "public, max-age=31536000, immutable");
    assert_eq!(header(&js, "vary").to_ascii_lowercase(), "accept-encoding", "cached for a year, per encoding");
    let body = js.bytes().await.unwrap();
    let stored = std::fs::read(dist.path().join(format!("sluice-console-{HASH}.js.br"))).unwrap();
    assert_eq!(body.as_ref(), stored.as_slice(), "the best-level file, not a fresh fast compression");
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut body.as_ref(), &mut decoded).unwrap();
    assert_eq!(decoded, script);
    assert!(body.len() * 5 < script.len(), "compressed {} -> {}", script.len(), body.len());

    let wasm = get(&server, &format!("/split-{HASH}/chunk_1.wasm"), "gzip").await;
    assert_eq!(wasm.status(), 200);
    assert_eq!(header(&wasm, "content-encoding"), "gzip");
    assert_eq!(header(&wasm, "content-type"), "application/wasm");
    assert_eq!(header(&wasm, "cache-control"), "public, max-age=31536000, immutable", "chunks of a build never change");
    assert_eq!(header(&wasm, "vary").to_ascii_lowercase(), "accept-encoding");

    let bundle = get(&server, &format!("/split-{HASH}/bundle_issues_page.bin"), "br").await;
    assert_eq!(bundle.status(), 200);
    assert_eq!(header(&bundle, "content-encoding"), "br", "a page's bundle comes at the best level too");
    assert_eq!(header(&bundle, "cache-control"), "public, max-age=31536000, immutable");
    let stored = std::fs::read(dist.path().join(format!("split-{HASH}/bundle_issues_page.bin.br"))).unwrap();
    assert_eq!(bundle.bytes().await.unwrap().as_ref(), stored.as_slice());

    for missing in [format!("/split-{HASH}/chunk_2.wasm"), "/favicon.ico".to_string()] {
        let response = get(&server, &missing, "identity").await;
        assert_eq!(response.status(), 404, "{missing}: a missing file is not the console page");
    }

    let plain = get(&server, &format!("/split-{HASH}/chunk_1.wasm"), "identity").await;
    assert_eq!(header(&plain, "vary").to_ascii_lowercase(), "accept-encoding", "the plain form varies too");
    assert_eq!(plain.bytes().await.unwrap().as_ref(), chunk.as_slice(), "clients without compression get the file");
    server.stop().await;
}
