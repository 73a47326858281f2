//! How fast Tools > Issues lists with 100,000 stored issues and 1,000,000 occurrences.
//!
//! Seeds a fresh SQLite store (the server's own schema) in one transaction, then times the list
//! query through the same store function the route calls, first page and a deep cursor page.
//!
//! Run: `cargo run --release -p sluice-bench --bin issues_list [data-dir-to-keep]`

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sluice_contract::issues::{Area, EntityRef, IssueStatus, Severity};
use sluice_contract::issues::{DistributorIssue, IntegrationIssue, IssueKind, UsageIssue, WebhookIssue};
use sluice_server::issues::Report;
use sluice_server::store::issues::{self as store, ListFilter, StatusFilter};
use sluice_server::store::Store;
use std::time::{Duration, Instant};

const ISSUES: usize = 100_000;
const OCCURRENCES_PER_ISSUE: usize = 10;
/// The big tenant holds most issues, so its lists are the slow ones.
const TENANTS: [(&str, usize); 4] = [("ten_big", 70_000), ("ten_b", 10_000), ("ten_c", 10_000), ("ten_d", 10_000)];
const RUNS: usize = 20;
const NOW: u64 = 1_795_478_400_000;
const DAY_MS: u64 = 86_400_000;

const PROVIDERS: [&str; 8] =
    ["Autotask", "HubSpot", "Salesforce", "Apollo.io", "Ingram Micro", "TD Synnex", "Billing hook", "CRM sync"];
const PROBLEMS: [(&str, &str, &str); 5] = [
    ("auth_failed", "Authentication error", "401 Unauthorized: the API user is locked or its secret was rotated"),
    ("invalid_field", "Record rejected", "BillingCode does not exist or is invalid"),
    ("rate_limited", "Provider limit reached", "429 Too Many Requests: 10,000 requests per 60 minutes exceeded"),
    ("empty_feed", "Empty price feed", "0 rows in prices.csv after download"),
    ("timeout", "Endpoint timed out", "no answer within 30 s (connect 120 ms)"),
];

/// The problem's kind where the area has one of that name, else the area's usual kind (the
/// area is drawn apart from the problem, so every area holds every kind of text).
fn kind_in(area: Area, name: &str) -> IssueKind {
    IssueKind::parse(area, name).unwrap_or(match area {
        Area::ApiUsage => UsageIssue::Threshold.into(),
        Area::Webhooks => WebhookIssue::EndpointFailing.into(),
        Area::Distributors => DistributorIssue::ConnectionFailed.into(),
        Area::Integrations => IntegrationIssue::SyncFailed.into(),
    })
}

fn seed(store: &Store) {
    let mut rng = StdRng::seed_from_u64(7);
    let started = Instant::now();
    store
        .call_blocking(|c| {
            let tx = c.transaction()?;
            let mut n = 0;
            for (tenant, count) in TENANTS {
                for _ in 0..count {
                    n += 1;
                    let area = Area::ALL[rng.gen_range(0..Area::ALL.len())];
                    let provider = PROVIDERS[rng.gen_range(0..PROVIDERS.len())];
                    let (kind, title, message) = PROBLEMS[rng.gen_range(0..PROBLEMS.len())];
                    let report = Report {
                        kind: kind_in(area, kind),
                        entity: EntityRef {
                            kind: "integration".into(),
                            id: format!("ent_{n}"),
                            name: format!("{provider} {n}"),
                            link: format!("/{}", area.as_str()),
                        },
                        severity: if rng.gen_bool(0.6) { Severity::Error } else { Severity::Warning },
                        title: format!("{provider}: {title}"),
                        message: message.to_string(),
                    };
                    let status = match rng.gen_range(0..10) {
                        0..=3 => IssueStatus::Open,
                        4 => IssueStatus::Acknowledged,
                        5..=8 => IssueStatus::Resolved,
                        _ => IssueStatus::Dismissed,
                    };
                    let first = NOW - rng.gen_range(DAY_MS..30 * DAY_MS);
                    let last = first + rng.gen_range(0..DAY_MS);
                    let id = format!("iss_{n:020}");
                    store::insert_as_is(&tx, &id, tenant, &report, status, first, last, OCCURRENCES_PER_ISSUE as u64)?;
                    for k in 0..OCCURRENCES_PER_ISSUE as u64 {
                        store::insert_occurrence_as_is(&tx, &id, first + k * (last - first) / 10, message)?;
                    }
                }
            }
            tx.commit()?;
            Ok(())
        })
        .expect("seed");
    println!(
        "seeded {ISSUES} issues and {} occurrences in {:.1} s",
        ISSUES * OCCURRENCES_PER_ISSUE,
        started.elapsed().as_secs_f64()
    );
}

/// The cursor after `depth` rows of this filter, paging as a client would.
fn cursor_at(store: &Store, filter: &ListFilter, depth: usize) -> Option<(i64, String)> {
    let mut cursor = None;
    let mut seen = 0;
    while seen < depth {
        let page = store.call_blocking(|c| store::list(c, "ten_big", filter, 200, cursor.clone())).expect("list");
        cursor = Some(page.last()?.0.clone());
        seen += page.len();
    }
    cursor
}

fn time<R>(label: &str, mut f: impl FnMut() -> R) -> Duration {
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(f());
            started.elapsed()
        })
        .collect();
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (median, p95) = (samples[RUNS / 2], samples[(RUNS * 95).div_ceil(100) - 1]);
    println!("{label:<58} median {:>7.3} ms   p95 {:>7.3} ms", ms(median), ms(p95));
    p95
}

fn main() {
    let kept = std::env::args().nth(1).map(std::path::PathBuf::from);
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = kept.unwrap_or_else(|| temp.path().to_path_buf());
    let store = Store::open(&dir).expect("store");
    seed(&store);
    // No ANALYZE: the server never runs it, so the plans timed here are the ones it gets.

    let filter = |status, area, q: Option<&str>| ListFilter {
        status,
        area,
        severity: None,
        entity: None,
        q: q.map(str::to_string),
    };
    let cases = [
        ("active (the default list)", filter(StatusFilter::Active, None, None)),
        ("active + area=integrations", filter(StatusFilter::Active, Some(Area::Integrations), None)),
        (
            "active + area=distributors + q=ingram",
            filter(StatusFilter::Active, Some(Area::Distributors), Some("ingram")),
        ),
        ("active + q=locked (message)", filter(StatusFilter::Active, None, Some("locked"))),
        (
            "status=resolved + area=webhooks",
            filter(StatusFilter::One(IssueStatus::Resolved), Some(Area::Webhooks), None),
        ),
        ("all statuses", filter(StatusFilter::All, None, None)),
        ("active + q matching nothing", filter(StatusFilter::Active, None, Some("no such text"))),
        ("all statuses + q matching nothing", filter(StatusFilter::All, None, Some("no such text"))),
    ];
    println!("\ntenant ten_big: 70,000 issues; {RUNS} runs each, limit 50");
    let mut worst = Duration::ZERO;
    for (label, f) in &cases {
        worst = worst.max(time(&format!("{label}, first page"), || {
            store.call_blocking(|c| store::list(c, "ten_big", f, 51, None)).expect("list")
        }));
        let depth = if f.q.is_some() { 1_000 } else { 10_000 };
        if let Some(cursor) = cursor_at(&store, f, depth) {
            worst = worst.max(time(&format!("{label}, page after {depth} rows"), || {
                store.call_blocking(|c| store::list(c, "ten_big", f, 51, Some(cursor.clone()))).expect("list")
            }));
        }
    }
    time("counts (tabs and badge)", || store.call_blocking(|c| store::counts(c, "ten_big")).expect("counts"));
    time("one issue's history (50 newest)", || {
        store.call_blocking(|c| store::history(c, "iss_00000000000000035000")).expect("history")
    });
    println!("\nworst list p95: {:.3} ms (budget: well under 50 ms)", worst.as_secs_f64() * 1000.0);
}
