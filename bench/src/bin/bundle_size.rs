//! Prints the console's first-load transfer: every file `index.html` pulls in, raw / gzip / brotli.
//!
//! Usage: `bundle_size [dist-dir]` (default `dist`). Build first with `trunk build --release`.

use std::io::Write;
use std::path::{Path, PathBuf};

const BUDGET_KIB: f64 = 200.0;

fn gzip(data: &[u8]) -> usize {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip").len()
}

fn brotli(data: &[u8]) -> usize {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams { quality: 11, lgwin: 22, ..Default::default() };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("brotli");
    out.len()
}

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

fn main() {
    let dist = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "dist".into()));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dist)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (run `make console` first)", dist.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(ext(p), "wasm" | "js" | "css" | "html"))
        .collect();
    files.sort();
    println!("Console first load ({}):", dist.display());
    println!("{:<48} {:>12} {:>12} {:>12}", "file", "raw", "gzip", "brotli");
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for file in &files {
        let data = std::fs::read(file).expect("read");
        let (g, b) = (gzip(&data), brotli(&data));
        raw += data.len();
        gz += g;
        br += b;
        let name = file.file_name().unwrap().to_string_lossy();
        println!("{:<48} {:>12} {:>12} {:>12}", name, kib(data.len()), kib(g), kib(b));
    }
    println!("{:<48} {:>12} {:>12} {:>12}", "total", kib(raw), kib(gz), kib(br));
    let verdict = if (br as f64) / 1024.0 <= BUDGET_KIB { "within" } else { "OVER" };
    println!("brotli total {} — {verdict} the {BUDGET_KIB} KiB budget", kib(br));
}

fn ext(p: &Path) -> &str {
    p.extension().and_then(|e| e.to_str()).unwrap_or("")
}
