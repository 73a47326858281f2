//! A 1,000,000-row distributor price file served from 127.0.0.1 over HTTP and over FTP (the
//! libunftp server the demo and the tests run): rows per second for fetch + parse + upsert and
//! peak resident memory, for a first load and for a re-run where 1% of prices changed. Drives
//! the server's own sync (`distributors::sync::run_now`) on a fresh SQLite store per transport.
//! Target: the whole file in under 15 s with under 100 MB resident; the re-run faster than the
//! first load.
//!
//! Run: `cargo run --profile server -p sluice-bench --bin feed_sync [rows] [http|ftp|json]`
//! (HTTP and FTP by default; one per process gives each its own peak-memory figure; `json`
//! serves the same records as one JSON array over HTTP). Memory must
//! not grow with the file: compare `250000`, `1000000` and `3000000` rows, one process each.

use sluice_bench::{peak_rss_mib, reset_peak_rss};
use sluice_contract::distributors::{ColumnMapping, DistributorInput, FeedFormat, FeedKind};
use sluice_server::clock::SystemClock;
use sluice_server::config::ServeArgs;
use sluice_server::distributors::{self, sync};
use sluice_server::tenants::{self, NewTenant};
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

const FTP_USER: &str = "bench";
const FTP_PASSWORD: &str = "bench-feed";

/// The price file: CSV, or (`json`) the same records as one JSON array under the same names.
fn write_feed(path: &Path, rows: usize, changed_every: Option<usize>, json: bool) {
    let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
    if json {
        write!(out, "[").unwrap();
    } else {
        writeln!(out, "SKU,MPN,Description,Price,Currency,Stock").unwrap();
    }
    for n in 0..rows {
        let mut cents = 1_000 + (n * 7919) % 250_000;
        if changed_every.is_some_and(|k| n % k == 0) {
            cents += 1;
        }
        let (price, stock) = (format!("{}.{:02}", cents / 100, cents % 100), n % 500);
        if json {
            let comma = if n + 1 < rows { "," } else { "" };
            writeln!(
                out,
                r#"{{"SKU":"SKU-{n:07}","MPN":"MPN-{n:07}","Description":"Product number {n} with a plain description","Price":"{price}","Currency":"EUR","Stock":{stock}}}{comma}"#
            )
            .unwrap();
        } else {
            writeln!(out, "SKU-{n:07},MPN-{n:07},Product number {n} with a plain description,{price},EUR,{stock}")
                .unwrap();
        }
    }
    if json {
        writeln!(out, "]").unwrap();
    }
}

/// A minimal HTTP/1.1 file server: one GET at a time, the file streamed from disk.
fn serve_file(path: PathBuf) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                line.clear();
            }
            let mut file = std::fs::File::open(&path).unwrap();
            let len = file.metadata().unwrap().len();
            let mut out = BufWriter::new(stream);
            let _ = write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {len}\r\nConnection: close\r\n\r\n"
            );
            let _ = std::io::copy(&mut file, &mut out);
        }
    });
    format!("http://{addr}/prices.csv")
}

/// libunftp over `root` on 127.0.0.1, one login.
async fn serve_ftp(root: PathBuf) -> u16 {
    #[derive(Debug)]
    struct Login;
    #[async_trait::async_trait]
    impl unftp_core::auth::Authenticator for Login {
        async fn authenticate(
            &self,
            username: &str,
            creds: &unftp_core::auth::Credentials,
        ) -> Result<unftp_core::auth::Principal, unftp_core::auth::AuthenticationError> {
            if username == FTP_USER && creds.password.as_deref() == Some(FTP_PASSWORD) {
                Ok(unftp_core::auth::Principal { username: username.to_string() })
            } else {
                Err(unftp_core::auth::AuthenticationError::BadPassword)
            }
        }
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = libunftp::ServerBuilder::with_authenticator(
        Box::new(move || unftp_sbe_fs::Filesystem::new(root.clone()).unwrap()),
        Arc::new(Login),
    )
    .passive_host([127, 0, 0, 1])
    .passive_ports(51_000..=51_999)
    .build()
    .unwrap();
    tokio::spawn(async move {
        let _ = server.listen(format!("127.0.0.1:{port}")).await;
    });
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    port
}

fn mapping() -> ColumnMapping {
    ColumnMapping {
        sku: "SKU".into(),
        mpn: Some("MPN".into()),
        description: Some("Description".into()),
        cost_price: "Price".into(),
        currency: Some("Currency".into()),
        stock: Some("Stock".into()),
    }
}

#[tokio::main]
async fn main() {
    let rows: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let only = std::env::args().nth(2).map(|s| s.to_uppercase());
    let dir = tempfile::tempdir().unwrap();
    let feeds = dir.path().join("feeds");
    std::fs::create_dir_all(&feeds).unwrap();
    let (feed, json_feed) = (feeds.join("prices.csv"), feeds.join("prices.json"));
    write_feed(&feed, rows, None, false);
    let size_mib = std::fs::metadata(&feed).unwrap().len() as f64 / 1_048_576.0;
    let url = serve_file(feed.clone());
    let json_url = serve_file(json_feed.clone());
    let ftp_port = serve_ftp(feeds.clone()).await;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("feed: {rows} rows, {size_mib:.1} MiB CSV from 127.0.0.1 (load average: {})", load.trim());
    println!(
        "{:<34} {:>10} {:>12} {:>14} {:>10} {:>12}",
        "run", "seconds", "rows/s", "peak RSS MiB", "changed", "MiB written"
    );

    let http = DistributorInput { kind: FeedKind::Http, url: Some(url), ..input("Bench feed (HTTP)") };
    let ftp = DistributorInput {
        kind: FeedKind::Ftp,
        host: Some("127.0.0.1".into()),
        port: Some(ftp_port),
        username: Some(FTP_USER.into()),
        password: Some(FTP_PASSWORD.into()),
        path: Some("/prices.csv".into()),
        ..input("Bench feed (FTP)")
    };
    let json = DistributorInput {
        kind: FeedKind::Http,
        url: Some(json_url),
        format: FeedFormat::Json,
        ..input("Bench feed (JSON over HTTP)")
    };
    // JSON only when asked for: the target is set for CSV.
    for (transport, distributor) in [("HTTP", http), ("FTP", ftp), ("JSON", json)] {
        if only.as_deref().map_or(transport == "JSON", |t| t != transport) {
            continue;
        }
        let (feed, is_json) = if transport == "JSON" { (&json_feed, true) } else { (&feed, false) };
        write_feed(feed, rows, None, is_json);
        let mut args = ServeArgs::for_data_dir(dir.path().join(format!("data-{transport}")));
        args.allow_private_targets = true;
        let state = sluice_server::build_state(args, Arc::new(SystemClock)).unwrap();
        let store = state.store.clone();
        let new = NewTenant {
            name: "Bench".into(),
            admin_email: "bench@bench.test".into(),
            admin_password: "bench bench bench".into(),
        };
        let tenant =
            tokio::task::spawn_blocking(move || tenants::create(&store, &new, 0)).await.unwrap().unwrap().tenant_id;
        let id = distributors::create(&state, &tenant, distributor).await.unwrap().id;
        for (label, changed_every) in [("first load", None), ("re-run, 1% prices changed", Some(100))] {
            if changed_every.is_some() {
                write_feed(feed, rows, changed_every, is_json);
            }
            reset_peak_rss();
            let written = written_bytes();
            let started = Instant::now();
            let run = sync::run_now(&state, &tenant, &id, sync::Trigger::Manual).await.unwrap();
            let secs = started.elapsed().as_secs_f64();
            assert!(run.error.is_none(), "run failed: {:?}", run.error);
            println!(
                "{:<34} {:>10.2} {:>12.0} {:>14.1} {:>10} {:>12.0}",
                format!("{transport}: {label}"),
                secs,
                run.rows_read as f64 / secs,
                peak_rss_mib(),
                run.rows_changed,
                (written_bytes() - written) as f64 / 1_048_576.0
            );
            println!("{:<34} {}", "", resident_now());
        }
    }
}

/// Bytes this process has sent to storage (`write_bytes` of /proc/self/io: the SQLite file and
/// its WAL; not the feed servers' socket writes). The feed file is rewritten between runs, so
/// read it around a run only.
fn written_bytes() -> u64 {
    let io = std::fs::read_to_string("/proc/self/io").unwrap_or_default();
    io.lines().find_map(|l| l.strip_prefix("write_bytes:")).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

/// What is resident after a run, by kind: the heap (anon), mapped files (the binary, SQLite's
/// shared WAL index) and shared memory — where a peak that grows with the file would show.
fn resident_now() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mib = |key: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    format!(
        "resident after: heap {:.1} MiB, files {:.1} MiB, shared {:.1} MiB",
        mib("RssAnon:"),
        mib("RssFile:"),
        mib("RssShmem:")
    )
}

fn input(name: &str) -> DistributorInput {
    DistributorInput {
        name: name.into(),
        mapping: mapping(),
        priority: 1,
        cadence_minutes: 10_080,
        stale_after_hours: 48,
        max_rejected_percent: 1,
        ..Default::default()
    }
}
