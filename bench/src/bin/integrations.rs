//! Integrations against the local fake providers (127.0.0.1), on a fresh SQLite store:
//! - Test connection p50/p99 per provider (the whole path: session, three steps, outcome kept);
//! - the one outbound client's overhead per call (its counting, SSRF check and retry loop) over
//!   a bare reqwest call to the same endpoint;
//! - a sync of 100,000 Autotask companies while the fake answers 429 (Retry-After) for part of
//!   the run: records lost (must be 0), calls made against the minimum (must be ≤ 1.1×),
//!   records/s and peak memory.
//!
//! Run: `cargo run --profile server -p sluice-bench --bin integrations [records]`

use serde_json::json;
use sluice_bench::{peak_rss_mib, reset_peak_rss};
use sluice_contract::integrations::{CredentialInput, Provider};
use sluice_server::clock::SystemClock;
use sluice_server::config::ServeArgs;
use sluice_server::fakes::{apollo, autotask, hubspot, salesforce, Fault};
use sluice_server::integrations::client::CallCx;
use sluice_server::integrations::{actions, syncs};
use sluice_server::state::AppState;
use sluice_server::tenants::{self, NewTenant};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn save(state: &AppState, tenant: &str, provider: Provider, fields: serde_json::Value) {
    let fields: BTreeMap<String, String> = serde_json::from_value(fields).unwrap();
    let input = CredentialInput { fields, expires_on: None, save_anyway: false };
    let saved = actions::save(state, tenant, provider, input).await.unwrap();
    assert!(saved.saved, "{provider:?}: {:?}", saved.test);
}

#[tokio::main]
async fn main() {
    let records: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let dir = tempfile::tempdir().unwrap();
    let mut args = ServeArgs::for_data_dir(dir.path().join("data"));
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

    let at = autotask::start(records).await.unwrap();
    let hs = hubspot::start(10).await.unwrap();
    let sf = salesforce::start(10).await.unwrap();
    let ap = apollo::start().await.unwrap();
    // The bench calls faster than the providers' small windows allow; their limits are not
    // what is measured here.
    hs.state.ten_second_max.store(1_000_000, Ordering::SeqCst);
    ap.state.minute_limit.store(1_000_000, Ordering::SeqCst);
    ap.state.hourly_limit.store(1_000_000, Ordering::SeqCst);
    ap.state.daily_limit.store(1_000_000, Ordering::SeqCst);
    save(
        &state,
        &tenant,
        Provider::Autotask,
        json!({ "username": autotask::USERNAME, "secret": autotask::SECRET,
        "integrationCode": autotask::INTEGRATION_CODE, "baseUrl": format!("{}/atservicesrest", at.base_url()) }),
    )
    .await;
    save(
        &state,
        &tenant,
        Provider::Hubspot,
        json!({ "clientId": hubspot::CLIENT_ID, "clientSecret": hubspot::CLIENT_SECRET,
        "refreshToken": hubspot::REFRESH_TOKEN, "baseUrl": hs.base_url() }),
    )
    .await;
    save(&state, &tenant, Provider::Salesforce, json!({ "clientId": salesforce::CLIENT_ID,
        "clientSecret": salesforce::CLIENT_SECRET, "refreshToken": salesforce::REFRESH_TOKEN, "loginUrl": sf.base_url() })).await;
    save(&state, &tenant, Provider::Apollo, json!({ "apiKey": apollo::API_KEY, "baseUrl": ap.base_url() })).await;

    println!("Test connection (reach, authenticate, read), 100 runs each, against the local fakes:");
    println!("{:<12} {:>10} {:>10} {:>8}", "provider", "p50 ms", "p99 ms", "calls");
    for provider in Provider::ALL {
        let before = match provider {
            Provider::Autotask => at.control.calls(),
            Provider::Hubspot => hs.control.calls(),
            Provider::Salesforce => sf.control.calls(),
            Provider::Apollo => ap.control.calls(),
        };
        let mut ms = Vec::with_capacity(100);
        for _ in 0..100 {
            let started = Instant::now();
            let r = actions::test_saved(&state, &tenant, provider).await.unwrap();
            assert!(r.ok, "{r:?}");
            ms.push(started.elapsed().as_secs_f64() * 1_000.0);
        }
        ms.sort_by(|a, b| a.total_cmp(b));
        let after = match provider {
            Provider::Autotask => at.control.calls(),
            Provider::Hubspot => hs.control.calls(),
            Provider::Salesforce => sf.control.calls(),
            Provider::Apollo => ap.control.calls(),
        };
        println!(
            "{:<12} {:>10.2} {:>10.2} {:>8}",
            provider.name(),
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            (after - before) / 100
        );
    }

    // The same GET, bare and through the one client.
    let url = format!("{}/api/v1/auth/health", ap.base_url());
    let bare = reqwest::Client::new();
    let n = 2_000;
    let mut bare_us = Vec::with_capacity(n);
    let mut ours_us = Vec::with_capacity(n);
    let calls = AtomicU32::new(0);
    let cx = CallCx {
        state: &state,
        tenant: &tenant,
        provider: Provider::Apollo,
        caller: "bench",
        calls: &calls,
        cancel: None,
    };
    let outbound = &sluice_server::integrations::Integrations::of(&state).outbound;
    for i in 0..(2 * n) {
        // Interleaved, so both see the same machine.
        let started = Instant::now();
        if i % 2 == 0 {
            let r = bare.get(&url).header("x-api-key", apollo::API_KEY).send().await.unwrap();
            let _ = r.text().await.unwrap();
            bare_us.push(started.elapsed().as_secs_f64() * 1e6);
        } else {
            let req = outbound.http().get(&url).header("x-api-key", apollo::API_KEY).build().unwrap();
            let _ = outbound.send(&cx, req).await.unwrap();
            ours_us.push(started.elapsed().as_secs_f64() * 1e6);
        }
    }
    outbound.flush(&state).await;
    bare_us.sort_by(|a, b| a.total_cmp(b));
    ours_us.sort_by(|a, b| a.total_cmp(b));
    println!();
    println!("Outbound client overhead ({n} GETs each, interleaved):");
    println!(
        "  bare reqwest p50 {:.0} µs, p99 {:.0} µs; through the one client p50 {:.0} µs, p99 {:.0} µs; overhead p50 {:+.0} µs per call",
        percentile(&bare_us, 0.5),
        percentile(&bare_us, 0.99),
        percentile(&ours_us, 0.5),
        percentile(&ours_us, 0.99),
        percentile(&ours_us, 0.5) - percentile(&bare_us, 0.5)
    );

    // The sync, with the fake refusing every call for 1.5 s a quarter of the way in.
    let pages = records.div_ceil(autotask::PAGE_MAX);
    let control = at.control.clone();
    let start_calls = control.calls();
    let trigger = tokio::spawn(async move {
        while control.calls() < start_calls + pages / 4 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        control.fail_for(Fault::RateLimited { retry_after_secs: 2 }, Some(Duration::from_millis(1_500)));
    });
    reset_peak_rss();
    let started = Instant::now();
    let run = syncs::run_now(&state, &tenant, Provider::Autotask, "companies").await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    let _ = trigger.await;
    let t = tenant.clone();
    let stored = state
        .store
        .call(move |c| sluice_server::store::integrations::count_records(c, &t, "autotask", "company"))
        .await
        .unwrap();
    println!();
    println!("Sync of {records} Autotask companies (pages of 500) with 429 + Retry-After for 1.5 s a quarter in:");
    println!(
        "  outcome {:?}; read {}, stored {}, lost {}; calls {} for a minimum of {pages} ({:.3}×); {:.2} s, {:.0} records/s; peak RSS {:.1} MiB",
        run.outcome,
        run.records_read,
        stored,
        records.saturating_sub(stored),
        run.calls,
        run.calls as f64 / pages as f64,
        secs,
        run.records_read as f64 / secs,
        peak_rss_mib()
    );
    assert_eq!(stored, records, "records lost");
    assert!(run.calls as f64 <= 1.1 * pages as f64, "calls over 1.1× the minimum");
}
