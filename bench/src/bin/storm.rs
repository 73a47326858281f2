//! A 429 storm: N console-like clients each do a fixed number of actions (GETs) against the real
//! server with a small limit. Prints requests sent, 429s, time to finish and failed actions for
//! Sluice's client (shared gate + the contract's retry policy) and two naive clients:
//! (a) retry immediately, (b) plain exponential backoff without jitter or gate.
//!
//! Talks only to 127.0.0.1; every loop is bounded.

use rand::Rng;
use sluice_contract::gate::{Answer, Gate, Next, Pass, CONSOLE};
use sluice_contract::retry::{parse_rate_limit, parse_retry_after};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;

const CLIENTS: usize = 5;
const ACTIONS_PER_CLIENT: usize = 40;
const LIMIT: u64 = 50;
const WINDOW_SECS: u64 = 5;
/// Retries one action may take before it counts as failed (the baselines; Sluice uses the
/// console's own `CONSOLE.policy.max_retries`).
const MAX_RETRIES: u32 = 8;
/// The immediate-retry client gives up an action after this many tries.
const NAIVE_MAX_RETRIES: u32 = 50;

#[derive(Clone, Copy, Debug)]
enum Strategy {
    /// The console's gate: `contract::gate::Gate` with the console's `CONSOLE` constants.
    Sluice,
    /// What ky (and most fetch wrappers) do: each request honours its own `Retry-After`.
    RetryAfterPerRequest,
    Immediate,
    PlainExponential,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    refused: AtomicU64,
    failed_actions: AtomicU64,
}

/// The shared gate and the wake-up its waiters listen for (the console's shell, natively).
struct Shared {
    gate: Mutex<Gate>,
    changed: Notify,
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

/// Waits at the gate until it lets one request go (and not before `not_before`).
async fn pass(shared: &Shared, not_before: u64) {
    loop {
        let changed = shared.changed.notified();
        let now = now_ms();
        let pass =
            if now < not_before { Pass::Wait(not_before - now) } else { shared.gate.lock().unwrap().try_pass(now) };
        match pass {
            Pass::Go => return,
            Pass::Wait(ms) => {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_millis(ms)) => {}
                    _ = changed => {}
                }
            }
        }
    }
}

/// One action through the shared gate, exactly as the console's `run` drives it.
async fn sluice_action(client: &reqwest::Client, url: &str, key: &str, counters: &Counters, shared: &Shared) {
    let (mut retries, mut not_before) = (0, 0);
    loop {
        pass(shared, not_before).await;
        let res = send(client, url, key, counters).await;
        let header = |name: &str| res.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
        let now = now_ms();
        let answer = match res.status().as_u16() {
            429 => Answer::Refused { retry_after_ms: header("retry-after").and_then(|v| parse_retry_after(&v, now)) },
            503 => Answer::Busy { retry_after_ms: header("retry-after").and_then(|v| parse_retry_after(&v, now)) },
            s => Answer::Done { ok: (200..300).contains(&s) },
        };
        let random = rand::thread_rng().gen::<f64>();
        let next = shared.gate.lock().unwrap().on_answer(now, answer, parse_rate_limit(header), retries, true, random);
        shared.changed.notify_waiters();
        match next {
            Next::Finish => return,
            Next::Retry { not_before_ms } => {
                retries += 1;
                not_before = not_before_ms;
            }
            Next::GiveUp(_) => {
                counters.failed_actions.fetch_add(1, Ordering::Relaxed);
                return;
            }
        }
    }
}

async fn action(
    strategy: Strategy,
    client: &reqwest::Client,
    url: &str,
    key: &str,
    counters: &Counters,
    shared: &Shared,
) {
    if let Strategy::Sluice = strategy {
        return sluice_action(client, url, key, counters, shared).await;
    }
    let policy = CONSOLE.policy;
    let mut retry = 0;
    loop {
        let res = send(client, url, key, counters).await;
        if res.status() != 429 {
            return;
        }
        let retry_after =
            res.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| parse_retry_after(v, now_ms()));
        retry += 1;
        let limit = if let Strategy::Immediate = strategy { NAIVE_MAX_RETRIES } else { MAX_RETRIES };
        if retry > limit {
            counters.failed_actions.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let delay = match strategy {
            Strategy::Immediate | Strategy::Sluice => 0,
            Strategy::PlainExponential => (policy.base_ms << (retry - 1)).min(policy.cap_ms),
            Strategy::RetryAfterPerRequest => {
                retry_after.unwrap_or_else(|| (policy.base_ms << (retry - 1)).min(policy.cap_ms))
            }
        };
        tokio::time::sleep(Duration::from_millis(delay)).await;
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
    let shared = Arc::new(Shared { gate: Mutex::new(Gate::new(CONSOLE)), changed: Notify::new() });
    let started = Instant::now();
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        let (counters, shared, url, key) = (counters.clone(), shared.clone(), url.clone(), tenant.api_key.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for _ in 0..ACTIONS_PER_CLIENT {
                action(strategy, &client, &url, &key, &counters, &shared).await;
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
    for strategy in [Strategy::Sluice, Strategy::RetryAfterPerRequest, Strategy::Immediate, Strategy::PlainExponential]
    {
        run(strategy).await;
    }
}
