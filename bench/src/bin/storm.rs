//! A 429 storm: N console-like clients each do a fixed number of actions (GETs) against the real
//! server with a small limit. Prints requests sent, 429s, time to finish and failed actions for
//! Sluice's client (shared gate + the contract's retry policy) and two naive clients:
//! (a) retry immediately, (b) plain exponential backoff without jitter or gate.
//!
//! Talks only to 127.0.0.1; every loop is bounded.

use rand::Rng;
use sluice_contract::gate::GateState;
use sluice_contract::retry::{parse_rate_limit, parse_retry_after, RetryBudget, RetryPolicy};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const CLIENTS: usize = 5;
const ACTIONS_PER_CLIENT: usize = 40;
const LIMIT: u64 = 50;
const WINDOW_SECS: u64 = 5;
/// Retries one action may take before it counts as failed (all strategies).
const MAX_RETRIES: u32 = 8;
/// The immediate-retry client gives up an action after this many tries.
const NAIVE_MAX_RETRIES: u32 = 50;

#[derive(Clone, Copy, Debug)]
enum Strategy {
    Sluice,
    Immediate,
    PlainExponential,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    refused: AtomicU64,
    failed_actions: AtomicU64,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

async fn send(client: &reqwest::Client, url: &str, key: &str, counters: &Counters) -> reqwest::Response {
    counters.requests.fetch_add(1, Ordering::Relaxed);
    let res = client.get(url).bearer_auth(key).send().await.expect("loopback request");
    if res.status() == 429 {
        counters.refused.fetch_add(1, Ordering::Relaxed);
    }
    res
}

async fn action(
    strategy: Strategy,
    client: &reqwest::Client,
    url: &str,
    key: &str,
    counters: &Counters,
    gate: &Mutex<GateState>,
    budget: &Mutex<RetryBudget>,
) {
    let policy = RetryPolicy { base_ms: 250, cap_ms: 5_000, max_retry_after_ms: 60_000, max_retries: MAX_RETRIES };
    let mut retry = 0;
    loop {
        if let Strategy::Sluice = strategy {
            let wait = gate.lock().unwrap().wait_before_send(now_ms());
            if wait > 0 {
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
        }
        let res = send(client, url, key, counters).await;
        let refused = res.status() == 429;
        let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
        let retry_after = header("retry-after").and_then(|v| parse_retry_after(&v, now_ms()));
        if let Strategy::Sluice = strategy {
            let window = parse_rate_limit(header);
            gate.lock().unwrap().on_response(now_ms(), window, refused.then(|| retry_after.unwrap_or(1000)));
        }
        if !refused {
            budget.lock().unwrap().on_success();
            return;
        }
        retry += 1;
        match strategy {
            Strategy::Immediate => {
                if retry > NAIVE_MAX_RETRIES {
                    counters.failed_actions.fetch_add(1, Ordering::Relaxed);
                    return;
                }
            }
            Strategy::PlainExponential => {
                if retry > MAX_RETRIES {
                    counters.failed_actions.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                let delay = (policy.base_ms << (retry - 1)).min(policy.cap_ms);
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            Strategy::Sluice => {
                let random = rand::thread_rng().gen::<f64>();
                let delay = match policy.delay(retry, retry_after, random) {
                    Ok(d) if budget.lock().unwrap().try_spend() => d,
                    _ => {
                        counters.failed_actions.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                };
                // The gate already holds every send until the window reopens; the backoff only
                // matters when the server gave no Retry-After.
                if retry_after.is_none() {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
            }
        }
    }
}

async fn run(strategy: Strategy) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = sluice_server::config::ServeArgs::for_data_dir(dir.path().to_path_buf());
    args.rate_limit = sluice_server::config::RateLimitSpec { count: LIMIT, window_secs: WINDOW_SECS };
    let state = sluice_server::build_state(args, Arc::new(sluice_server::clock::SystemClock)).unwrap();
    let store = state.store.clone();
    let tenant = tokio::task::spawn_blocking(move || {
        let new = sluice_server::tenants::NewTenant {
            name: "Storm".into(),
            admin_email: "storm@bench.test".into(),
            admin_password: "bench password".into(),
        };
        sluice_server::tenants::create(&store, &new, now_ms()).unwrap()
    })
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/v1/session", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sluice_server::serve(listener, state, async {
        let _ = stop_rx.await;
    }));

    let counters = Arc::new(Counters::default());
    let gate = Arc::new(Mutex::new(GateState::new()));
    let budget = Arc::new(Mutex::new(RetryBudget::new(50.0, 0.2)));
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (counters, gate, budget, url, key) =
            (counters.clone(), gate.clone(), budget.clone(), url.clone(), tenant.api_key.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for _ in 0..ACTIONS_PER_CLIENT {
                action(strategy, &client, &url, &key, &counters, &gate, &budget).await;
            }
        }));
    }
    for c in clients {
        c.await.unwrap();
    }
    let elapsed = started.elapsed();
    let _ = stop_tx.send(());
    let _ = server.await;

    let requests = counters.requests.load(Ordering::Relaxed);
    let minimum = (CLIENTS * ACTIONS_PER_CLIENT) as u64;
    println!(
        "{:<22} {:>9} {:>7} {:>9.1} s {:>8} {:>+9.1}%",
        format!("{strategy:?}"),
        requests,
        counters.refused.load(Ordering::Relaxed),
        elapsed.as_secs_f64(),
        counters.failed_actions.load(Ordering::Relaxed),
        (requests as f64 / minimum as f64 - 1.0) * 100.0
    );
}

#[tokio::main]
async fn main() {
    println!(
        "{CLIENTS} clients x {ACTIONS_PER_CLIENT} actions against a {LIMIT}/{WINDOW_SECS}s limit (minimum {} requests, {} s)",
        CLIENTS * ACTIONS_PER_CLIENT,
        ((CLIENTS * ACTIONS_PER_CLIENT) as u64).div_ceil(LIMIT).saturating_sub(1) * WINDOW_SECS
    );
    println!("{:<22} {:>9} {:>7} {:>11} {:>8} {:>10}", "client", "requests", "429s", "time", "failed", "overhead");
    for strategy in [Strategy::Sluice, Strategy::Immediate, Strategy::PlainExponential] {
        run(strategy).await;
    }
}
