//! The real binary is killed with SIGKILL while a sync has staged part of a feed: after the
//! restart the run is failed with its reason, the previous prices are all still there, the
//! run's staged and seen rows are gone, and the next sync runs normally.

mod common;

use common::binary::{create_tenant, start};

use common::feeds::{create, http_csv, sync, HEADER};
use common::Api;
use serde_json::Value;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An HTTP feed that serves `body` whole, or — while `stall` is set — announces it whole but
/// sends only its first `part` bytes and then holds the connection open.
struct StallingFeed {
    url: String,
    body: Arc<Mutex<(Vec<u8>, usize)>>,
    stall: Arc<AtomicBool>,
}

impl StallingFeed {
    async fn start() -> StallingFeed {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/prices.csv", listener.local_addr().unwrap());
        let body: Arc<Mutex<(Vec<u8>, usize)>> = Default::default();
        let stall = Arc::new(AtomicBool::new(false));
        let (served, stalls) = (body.clone(), stall.clone());
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (body, part) = served.lock().unwrap().clone();
                let stall = stalls.load(Ordering::SeqCst);
                tokio::spawn(async move {
                    let mut request = vec![0u8; 4096];
                    let _ = socket.read(&mut request).await;
                    let head =
                        format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
                    let _ = socket.write_all(head.as_bytes()).await;
                    let sent = if stall { &body[..part] } else { &body[..] };
                    let _ = socket.write_all(sent).await;
                    if stall {
                        // Bounded: long enough for the test to kill the server mid-read.
                        tokio::time::sleep(Duration::from_secs(60)).await;
                    }
                });
            }
        });
        StallingFeed { url, body, stall }
    }

    fn serve(&self, body: String, stall_after: Option<usize>) {
        let len = body.len();
        *self.body.lock().unwrap() = (body.into_bytes(), stall_after.unwrap_or(len));
        self.stall.store(stall_after.is_some(), Ordering::SeqCst);
    }
}

/// `n` rows `S-00000`…; `bump(i)` cents added to row i's price.
fn rows(n: usize, bump: impl Fn(usize) -> usize) -> String {
    let mut body = HEADER.to_string();
    for i in 0..n {
        let cents = 1_000 + i + bump(i);
        body.push_str(&format!("S-{i:05},M{i},Item {i},{}.{:02},EUR,1\n", cents / 100, cents % 100));
    }
    body
}

/// Rows in a table of the server's database, read as a second process would.
fn count(dir: &std::path::Path, table: &str) -> i64 {
    let db = rusqlite::Connection::open(dir.join("sluice.db")).unwrap();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)).unwrap()
}

async fn price(api: &Api, sku: &str) -> Value {
    api.get_json(&format!("/api/v1/products?q={sku}")).await["items"][0]["offers"][0]["costPrice"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_mid_sync_fails_the_run_on_restart_and_changes_no_price() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_tenant(dir.path());

    let feed = StallingFeed::start().await;
    let (mut server, base) = start(dir.path()).await;
    let api = Api { base, client: reqwest::Client::new(), bearer: Some(key.clone()) };
    feed.serve(rows(8_000, |_| 0), None);
    let id = create(&api, http_csv("Ingram", &feed.url, 1)).await;
    assert_eq!(sync(&api, &id).await["status"], "succeeded");
    assert_eq!(price(&api, "S-00001").await, "10.01");

    // Every other price moves by a cent, and the feed stalls after 6,000 of its 20,000 rows: a
    // batch of 5,000 is staged and seen when the kill comes.
    let next = rows(20_000, |i| i % 2);
    let stall_at = next.find("S-06000").unwrap();
    feed.serve(next, Some(stall_at));
    let res = api.post(&format!("/api/v1/distributors/{id}/sync"), serde_json::json!({})).await;
    assert_eq!(res.status(), 202);
    let run: Value = res.json().await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while count(dir.path(), "distributor_seen") == 0 {
        assert!(tokio::time::Instant::now() < deadline, "the run staged nothing");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill().unwrap();
    server.wait().unwrap();

    let (mut server, base) = start(dir.path()).await;
    let api = Api { base, client: reqwest::Client::new(), bearer: Some(key) };
    let run = api.get_json(&format!("/api/v1/distributors/{id}/runs/{}", run["id"].as_str().unwrap())).await;
    assert_eq!(run["status"], "failed", "{run}");
    assert!(run["error"].as_str().unwrap().contains("stopped"), "{run}");
    assert_eq!(price(&api, "S-00001").await, "10.01", "the interrupted run changed no price");
    assert_eq!(price(&api, "S-07999").await, "89.99", "and dropped none");
    assert_eq!(count(dir.path(), "distributor_staging"), 0);
    assert_eq!(count(dir.path(), "distributor_seen"), 0);
    // Webhook subscribers hear of it as of any failed run.
    let db = rusqlite::Connection::open(dir.path().join("sluice.db")).unwrap();
    let failed: i64 = db
        .query_row(
            "SELECT count(*) FROM events WHERE type = 'distributor.sync_failed' AND json_extract(data, '$.runId') = ?1",
            [run["id"].as_str().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failed, 1, "one distributor.sync_failed event for the interrupted run");

    feed.serve(rows(8_000, |_| 1), None);
    let run = sync(&api, &id).await;
    assert_eq!((run["status"].as_str(), run["rowsChanged"].as_u64()), (Some("succeeded"), Some(8_000)), "{run}");
    assert_eq!(price(&api, "S-00001").await, "10.02");
    server.kill().unwrap();
    server.wait().unwrap();
}
