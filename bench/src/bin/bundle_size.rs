//! Prints the console's first-load transfer, raw / gzip / brotli: the shell (every file
//! `index.html` pulls in), then each lazily loaded page (its chunk, the chunks it shares with
//! other pages, the split loader) and the first load of a visit that lands on that page. When
//! the build packed a page's chunks into `bundle_<page>.bin` (scripts/bundle-chunks.mjs), a
//! first visit fetches that one file instead, and that is what is counted; the sum of the
//! separate files is printed beside it.
//!
//! Compressed exactly as `sluice-server precompress` writes the files the server sends.
//!
//! Usage: `bundle_size [dist-dir]` (default `dist`). Build first with `trunk build --release`.

use sluice_server::web::{brotli_best, gzip_best};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const BUDGET_KIB: f64 = 200.0;

#[derive(Clone, Copy, Default)]
struct Size {
    raw: usize,
    gzip: usize,
    brotli: usize,
}

impl Size {
    fn of(path: &Path) -> Size {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Size { raw: data.len(), gzip: gzip_best(&data).len(), brotli: brotli_best(&data).len() }
    }

    fn add(self, other: Size) -> Size {
        Size { raw: self.raw + other.raw, gzip: self.gzip + other.gzip, brotli: self.brotli + other.brotli }
    }
}

fn kib(n: usize) -> String {
    format!("{:.1} KiB", n as f64 / 1024.0)
}

fn row(name: &str, s: Size) {
    println!("{:<48} {:>12} {:>12} {:>12}", name, kib(s.raw), kib(s.gzip), kib(s.brotli));
}

fn main() {
    let dist = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "dist".into()));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dist)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (run `make console` first)", dist.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && matches!(ext(p), "wasm" | "js" | "css" | "html"))
        .collect();
    files.sort();

    println!("Console shell, loaded on every first visit ({}):", dist.display());
    println!("{:<48} {:>12} {:>12} {:>12}", "file", "raw", "gzip", "brotli");
    let mut shell = Size::default();
    for file in &files {
        let size = Size::of(file);
        row(&file.file_name().unwrap().to_string_lossy(), size);
        shell = shell.add(size);
    }
    row("shell total", shell);

    let mut worst = ("the shell alone".to_string(), shell);
    if let Some(split_dir) = split_dir(&dist) {
        let loader_path = split_dir.join("__wasm_split.js");
        let loader_js = std::fs::read_to_string(&loader_path).expect("read __wasm_split.js");
        let loader = Size::of(&loader_path);
        println!();
        println!("Pages fetched on first visit ({}):", split_dir.display());
        println!(
            "{:<48} {:>12} {:>12} {:>12}",
            "page (its chunks + loader, as first fetched)", "raw", "gzip", "brotli"
        );
        let pages = lazy_pages(&split_dir, &loader_js);
        // Only pages: a part of a page (a dialog: `lazy_part!`) is fetched after its page.
        let pages: Vec<_> = pages.into_iter().filter(|(name, _)| name.ends_with(" page")).collect();
        for (page, chunk_files) in &pages {
            let separate =
                chunk_files.iter().map(|f| Size::of(&split_dir.join(f))).fold(loader, |total, s| total.add(s));
            let bundle = bundle_path(&split_dir, page);
            let page_size = if bundle.exists() {
                let bundled = loader.add(Size::of(&bundle));
                row(&format!("{page} (as {} files)", chunk_files.len()), separate);
                bundled
            } else {
                separate
            };
            row(page, page_size);
            let landing = shell.add(page_size);
            if landing.brotli > worst.1.brotli {
                worst = (format!("a visit that lands on {page}"), landing);
            }
        }
        if pages.is_empty() {
            println!("(no lazy pages in this build)");
        }

        // A link can open a part with its page: it arrives right after the page, its chunks the
        // page has not brought fetched one by one.
        let parts = bundled_loader_parts(&loader_js);
        for (link, page, part) in PARTS_OPENED_BY_LINKS {
            let (Some(page_files), Some(part_files)) =
                (pages.iter().find(|(name, _)| name.as_str() == *page).map(|(_, f)| f), parts.get(*part))
            else {
                continue;
            };
            let missing: Vec<&String> = part_files.iter().filter(|f| !page_files.contains(f)).collect();
            let part_size = missing.iter().fold(Size::default(), |total, f| total.add(Size::of(&split_dir.join(f))));
            let landing = shell.add(loader).add(Size::of(&bundle_path(&split_dir, page))).add(part_size);
            println!();
            row(&format!("{link}: + {part} ({} files)", missing.len()), part_size);
            row(&format!("first load landing on {link}"), landing);
            if landing.brotli > worst.1.brotli {
                worst = (format!("a visit that lands on {link}"), landing);
            }
        }
    }
    println!();
    row(&format!("largest first load: {}", worst.0), worst.1);
    let verdict = if (worst.1.brotli as f64) / 1024.0 <= BUDGET_KIB { "within" } else { "OVER" };
    println!("largest first load {} brotli — {verdict} the {BUDGET_KIB} KiB budget", kib(worst.1.brotli));
}

/// Parts of a page that a link opens with it: (the link, the page, the part).
const PARTS_OPENED_BY_LINKS: &[(&str, &str, &str)] =
    &[("/distributors?id=<distributor>", "distributors page", "distributor_detail")];

/// Part name → its wasm files, from a loader rewritten by scripts/bundle-chunks.mjs, where each
/// loader is `__load("<name>", "26-28,30")` (minified: `x("<name>","26-28,30")`).
fn bundled_loader_parts(loader_js: &str) -> BTreeMap<String, Vec<String>> {
    let mut parts = BTreeMap::new();
    for (at, _) in loader_js.match_indices("(\"") {
        let rest = &loader_js[at + 2..];
        let Some((name, rest)) = rest.split_once('"') else { continue };
        let Some(ranges) = rest.strip_prefix(",\"").or_else(|| rest.strip_prefix(", \"")) else { continue };
        let Some((ranges, _)) = ranges.split_once('"') else { continue };
        if !name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            || !ranges.chars().all(|c| c.is_ascii_digit() || c == ',' || c == '-')
        {
            continue;
        }
        let mut files = vec![format!("split_{name}.wasm")];
        for range in ranges.split(',').filter(|r| !r.is_empty()) {
            let (from, to) = range.split_once('-').unwrap_or((range, range));
            let (Ok(from), Ok(to)) = (from.parse::<u32>(), to.parse::<u32>()) else { continue };
            files.extend((from..=to).map(|n| format!("chunk_{n}.wasm")));
        }
        parts.insert(name.to_string(), files);
    }
    parts
}

fn split_dir(dist: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dist)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.is_dir() && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("split-")))
}

fn bundle_path(split_dir: &Path, page: &str) -> PathBuf {
    split_dir.join(format!("bundle_{}.bin", page.replace(' ', "_")))
}

/// Page name → the wasm files its first visit fetches. A bundled build names them inside each
/// `bundle_<page>.bin` (scripts/bundle-chunks.mjs: repeated `[u32 LE name length][name][u32 LE
/// size][bytes]`), which also holds when the loader is minified; otherwise they are read from
/// wasm-split-cli's loader.
fn lazy_pages(split_dir: &Path, loader_js: &str) -> BTreeMap<String, Vec<String>> {
    let bundled: BTreeMap<String, Vec<String>> = std::fs::read_dir(split_dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let page = name.strip_prefix("bundle_")?.strip_suffix(".bin")?.replace('_', " ");
            Some((page, bundle_parts(&std::fs::read(&path).ok()?)))
        })
        .collect();
    if bundled.is_empty() {
        loader_pages(loader_js)
    } else {
        bundled
    }
}

fn bundle_parts(bundle: &[u8]) -> Vec<String> {
    let u32_at = |at: usize| u32::from_le_bytes(bundle[at..at + 4].try_into().expect("4 bytes")) as usize;
    let mut names = Vec::new();
    let mut at = 0;
    while at < bundle.len() {
        let name_len = u32_at(at);
        names.push(String::from_utf8_lossy(&bundle[at + 4..at + 4 + name_len]).into_owned());
        at += 4 + name_len;
        at += 4 + u32_at(at);
    }
    names
}

/// From an unminified loader: `const __chunk_4 = makeLoad(... "./chunk_4.wasm" ...` and
/// `export const __wasm_split_load_issues_page = ... "./split_issues_page.wasm" ... [__chunk_4, __chunk_5]`
/// (the dependencies are the last `[...]` of the statement).
fn loader_pages(loader_js: &str) -> BTreeMap<String, Vec<String>> {
    let mut chunks = BTreeMap::new();
    let mut pages = BTreeMap::new();
    let starts: Vec<usize> =
        loader_js.match_indices("\nconst ").chain(loader_js.match_indices("\nexport const ")).map(|(i, _)| i).collect();
    let mut starts = starts;
    starts.sort();
    starts.push(loader_js.len());
    for pair in starts.windows(2) {
        let statement = &loader_js[pair[0]..pair[1]];
        let file = quoted_wasm(statement);
        if let Some(rest) = statement.strip_prefix("\nconst __chunk_") {
            let id = rest.split(|c: char| !c.is_ascii_digit()).next().unwrap_or_default();
            if let Some(file) = file {
                chunks.insert(format!("__chunk_{id}"), file);
            }
        } else if let Some(rest) = statement.strip_prefix("\nexport const __wasm_split_load_") {
            let page = rest.split(|c: char| !(c.is_alphanumeric() || c == '_')).next().unwrap_or_default();
            let deps = statement.rsplit_once('[').map(|(_, d)| d.split(']').next().unwrap_or_default()).unwrap_or("");
            let mut wanted: Vec<String> = file.into_iter().collect();
            wanted.extend(deps.split(',').map(str::trim).filter(|d| !d.is_empty()).map(str::to_string));
            pages.insert(page.replace('_', " "), wanted);
        }
    }
    pages
        .into_iter()
        .map(|(page, wanted)| (page, wanted.into_iter().map(|w| chunks.get(&w).cloned().unwrap_or(w)).collect()))
        .collect()
}

/// The wasm file a loader statement fetches: `fetch(new URL("./chunk_4.wasm", …))`, or
/// `__part("chunk_4.wasm")` once scripts/bundle-chunks.mjs has rewritten the loader.
fn quoted_wasm(statement: &str) -> Option<String> {
    let start = match statement.find("__part(\"") {
        Some(at) => at + 8,
        None => statement.find("\"./")? + 3,
    };
    let end = statement[start..].find(".wasm\"")? + start + 5;
    Some(statement[start..end].to_string())
}

fn ext(p: &Path) -> &str {
    p.extension().and_then(|e| e.to_str()).unwrap_or("")
}
