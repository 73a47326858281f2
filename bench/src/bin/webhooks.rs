//! Webhook delivery throughput on the server's own code: the real server (SQLite file, worker,
//! signing, HTTP) on 127.0.0.1 fans 10,000 published events out to 10 local receivers.
//! Prints deliveries per second, publish-to-delivered p50/p99, and peak memory; then the same
//! with one receiver answering in 2 s, to show it does not hold the other nine back; then a
//! steady, unsaturated stream (200 single-event publishes a second for 20 s) for the latency
//! an event sees when the queue is not backed up.
//!
//! Run: `cargo run --profile server -p sluice-bench --bin webhooks [events] [rate/s] [secs]`

use receivers::Receivers;
use serde_json::json;
use sluice_server::clock::{Clock, SystemClock};
use sluice_server::config::{RateLimitSpec, ServeArgs};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ENDPOINTS: usize = 10;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let arg = |n: usize, default: usize| std::env::args().nth(n).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (events, rate, secs) = (arg(1, 10_000), arg(2, 200), arg(3, 20));
    println!("{events} events x {ENDPOINTS} endpoints, SQLite file, 2 cores");
    if events > 0 {
        burst("all endpoints answer at once", events, None).await;
        burst("one endpoint answers in 2 s", events, Some(Duration::from_secs(2))).await;
    }
    steady(rate, secs).await;
    println!("peak resident memory: {} MiB", peak_rss_kib() / 1024);
}

/// A running server with one tenant, webhooks on, and one endpoint per receiver.
struct Bench {
    _dir: tempfile::TempDir,
    base: String,
    api_key: String,
    receivers: Receivers,
    client: reqwest::Client,
    stop: tokio::sync::oneshot::Sender<()>,
    serving: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Bench {
    fn api(&self, path: &str) -> String {
        format!("{}/api/v1{path}", self.base)
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(10), self.serving).await;
    }
}

async fn start(slow: Option<Duration>) -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let mut args = ServeArgs::for_data_dir(dir.path().to_path_buf());
    args.allow_private_targets = true;
    args.rate_limit = RateLimitSpec { count: 1_000_000, window_secs: 60 };
    let state = sluice_server::build_state(args, Arc::new(SystemClock)).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(sluice_server::serve(listener, state.clone(), async {
        let _ = stop_rx.await;
    }));
    let tenant = tokio::task::spawn_blocking({
        let store = state.store.clone();
        move || {
            let new = sluice_server::tenants::NewTenant {
                name: "Bench".into(),
                admin_email: "bench@bench.test".into(),
                admin_password: "bench password 1".into(),
            };
            sluice_server::tenants::create(&store, &new, SystemClock.now_ms())
        }
    })
    .await
    .unwrap()
    .unwrap();
    let receivers = Receivers::start(ENDPOINTS, slow).await;
    let client = reqwest::Client::new();
    let api = |path: &str| format!("{base}/api/v1{path}");
    client
        .put(api("/webhooks/settings"))
        .bearer_auth(&tenant.api_key)
        .json(&json!({"enabled": true}))
        .send()
        .await
        .unwrap();
    for url in &receivers.urls {
        let res = client
            .post(api("/webhooks/endpoints"))
            .bearer_auth(&tenant.api_key)
            .json(&json!({"url": url}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    Bench { _dir: dir, base, api_key: tenant.api_key, receivers, client, stop: stop_tx, serving }
}

async fn burst(title: &str, events: usize, slow: Option<Duration>) {
    let bench = start(slow).await;
    let (client, receivers, api) = (&bench.client, &bench.receivers, |p: &str| bench.api(p));
    let started = Instant::now();
    for batch in 0..events.div_ceil(100) {
        let n = (events - batch * 100).min(100);
        let list: Vec<_> = (0..n)
            .map(|i| json!({"type": "order.created", "eventId": format!("e{}", batch * 100 + i), "data": {"publishedAtUs": receivers.now_us()}}))
            .collect();
        let res = client
            .post(api("/events/batch"))
            .bearer_auth(&bench.api_key)
            .json(&json!({"events": list}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    }
    let published = started.elapsed();
    let fast = if slow.is_some() { ENDPOINTS - 1 } else { ENDPOINTS };
    let expected = events * fast;
    let deadline = Instant::now() + Duration::from_secs(600);
    while receivers.fast_count() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    let pct = percentiles(receivers.fast_latencies_ms());
    println!("\n{title}");
    println!(
        "  published {events} events in {:.2} s ({} batch requests)",
        published.as_secs_f64(),
        events.div_ceil(100)
    );
    println!(
        "  {} of {expected} deliveries to the {fast} prompt endpoints in {:.2} s: {:.0} deliveries/s",
        receivers.fast_count(),
        took.as_secs_f64(),
        receivers.fast_count() as f64 / took.as_secs_f64()
    );
    println!("  publish -> delivered: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms", pct(0.50), pct(0.99), pct(1.0));
    if slow.is_some() {
        println!("  the slow endpoint received {} meanwhile (8 at a time, 2 s each)", receivers.slow_count());
    }
    bench.stop().await;
}

/// `rate` single-event publishes a second for `secs` seconds, each its own request, paced by
/// the clock (not by the answers), to 10 prompt endpoints: publish-to-delivered when the
/// queue is not backed up.
async fn steady(rate: usize, secs: usize) {
    let bench = Arc::new(start(None).await);
    let total = rate * secs;
    let started = Instant::now();
    let mut sends = Vec::with_capacity(total);
    for i in 0..total {
        tokio::time::sleep_until((started + Duration::from_secs_f64(i as f64 / rate as f64)).into()).await;
        let bench = bench.clone();
        sends.push(tokio::spawn(async move {
            let event = json!({"type": "order.created", "eventId": format!("s{i}"), "data": {"publishedAtUs": bench.receivers.now_us()}});
            let res = bench.client.post(bench.api("/events")).bearer_auth(&bench.api_key).json(&event).send().await;
            res.map(|r| r.status().as_u16()).unwrap_or(0)
        }));
    }
    let mut refused = 0;
    for send in sends {
        if send.await.unwrap_or(0) != 202 {
            refused += 1;
        }
    }
    let published = started.elapsed();
    let expected = total * ENDPOINTS;
    let deadline = Instant::now() + Duration::from_secs(120);
    while bench.receivers.fast_count() < expected && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let pct = percentiles(bench.receivers.fast_latencies_ms());
    println!("\nsteady: {rate} events/s for {secs} s, one publish request each, {ENDPOINTS} endpoints");
    println!("  published {total} events in {:.2} s ({refused} not accepted)", published.as_secs_f64());
    println!("  {} of {expected} deliveries", bench.receivers.fast_count());
    println!("  publish -> delivered: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms", pct(0.50), pct(0.99), pct(1.0));
    if let Ok(bench) = Arc::try_unwrap(bench) {
        bench.stop().await;
    }
}

/// The value below which the fraction `p` of the samples lie.
fn percentiles(mut samples: Vec<f64>) -> impl Fn(f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    move |p: f64| {
        let i = ((samples.len() as f64 * p) as usize).min(samples.len().saturating_sub(1));
        samples.get(i).copied().unwrap_or(0.0)
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// Local receivers: nine answer at once, the first optionally after `slow`.
mod receivers {
    use axum::body::Bytes;
    use axum::extract::State;
    use axum::routing::post;
    use axum::Router;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    #[derive(Clone, Default)]
    struct Seen {
        fast: Arc<Mutex<Vec<f64>>>,
        slow: Arc<Mutex<usize>>,
    }

    pub struct Receivers {
        pub urls: Vec<String>,
        seen: Seen,
        epoch: Instant,
    }

    impl Receivers {
        pub async fn start(n: usize, slow: Option<Duration>) -> Receivers {
            let seen = Seen::default();
            let epoch = Instant::now();
            let mut urls = Vec::new();
            for i in 0..n {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                urls.push(format!("http://{}/hook", listener.local_addr().unwrap()));
                let delay = if i == 0 { slow } else { None };
                let app = Router::new()
                    .route(
                        "/hook",
                        post(move |State((seen, epoch)): State<(Seen, Instant)>, body: Bytes| async move {
                            if let Some(d) = delay {
                                tokio::time::sleep(d).await;
                                *seen.slow.lock().unwrap() += 1;
                            } else {
                                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                                let sent = v["data"]["publishedAtUs"].as_f64().unwrap_or(0.0);
                                let now = epoch.elapsed().as_micros() as f64;
                                seen.fast.lock().unwrap().push((now - sent) / 1000.0);
                            }
                            "ok"
                        }),
                    )
                    .with_state((seen.clone(), epoch));
                tokio::spawn(async move {
                    let _ = axum::serve(listener, app).await;
                });
            }
            Receivers { urls, seen, epoch }
        }

        pub fn now_us(&self) -> u64 {
            self.epoch.elapsed().as_micros() as u64
        }

        pub fn fast_count(&self) -> usize {
            self.seen.fast.lock().unwrap().len()
        }

        pub fn slow_count(&self) -> usize {
            *self.seen.slow.lock().unwrap()
        }

        pub fn fast_latencies_ms(&self) -> Vec<f64> {
            self.seen.fast.lock().unwrap().clone()
        }
    }
}
