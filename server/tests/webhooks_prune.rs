//! Pruning the delivery log on an injected clock: succeeded deliveries and their attempts go
//! after the tenant's retention; retrying and failed ones stay however old they are.

mod common;

use common::receiver::{Answer, Receiver};
use common::{expect_error, Api, TestServer};
use serde_json::{json, Value};
use std::time::Duration;

const DAY_MS: u64 = 24 * 3600 * 1000;

fn db(server: &TestServer) -> rusqlite::Connection {
    rusqlite::Connection::open(server.dir.path().join("sluice.db")).expect("open db")
}

async fn add_endpoint(api: &Api, url: &str) -> String {
    let res = api.post("/api/v1/webhooks/endpoints", json!({"url": url})).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

async fn publish(api: &Api, event_id: &str) {
    let res = api.post("/api/v1/events", json!({"type": "order.created", "eventId": event_id, "data": {}})).await;
    assert_eq!(res.status(), 202);
}

/// (event id, endpoint id, status) of the order deliveries left, and their attempts left. (The
/// 410 also raises an issue, whose `issue.opened` event is delivered too: not counted here.)
fn left(server: &TestServer) -> (Vec<(String, String, String)>, i64) {
    let conn = db(server);
    let mut stmt = conn
        .prepare(
            "SELECT event_id, endpoint_id, status FROM webhook_deliveries WHERE event_type = 'order.created'
         ORDER BY event_id, endpoint_id",
        )
        .unwrap();
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().flatten().collect();
    let attempts = conn
        .query_row(
            // An attempt whose delivery is gone counts: pruning must not leave any behind.
            "SELECT count(*) FROM webhook_attempts a LEFT JOIN webhook_deliveries d ON d.id = a.delivery_id
         WHERE d.id IS NULL OR d.event_type = 'order.created'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    (rows, attempts)
}

/// Waits until `n` deliveries are settled (not pending, not leased).
async fn settled(server: &TestServer, n: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let done: i64 = db(server)
            .query_row(
                "SELECT count(*) FROM webhook_deliveries
                 WHERE event_type = 'order.created' AND status != 'pending' AND lease_until IS NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        if done >= n {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "only {done} of {n} deliveries settled");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn succeeded_deliveries_go_after_the_retention_and_queued_or_failed_ones_stay() {
    let server = TestServer::with_private_targets().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    // One day of retention; a week before the only retry, and no auto-disable meanwhile.
    let settings =
        json!({"enabled": true, "retentionDays": 1, "retryScheduleSecs": [604800], "disableAfterHours": 720});
    let res = api.put("/api/v1/webhooks/settings", settings).await;
    assert_eq!(res.status(), 200);
    let ok = Receiver::start(|_| Answer::status(204)).await;
    let failing = Receiver::start(|_| Answer::status(500)).await;
    let gone = Receiver::start(|_| Answer::status(410)).await;
    let ok_id = add_endpoint(&api, &ok.url).await;
    let failing_id = add_endpoint(&api, &failing.url).await;
    let gone_id = add_endpoint(&api, &gone.url).await;

    // Day 0: one success, one retrying (next try in a week), one failed for good (410).
    publish(&api, "old").await;
    settled(&server, 3).await;
    // Day 3: a fresh success and a fresh retry (the 410 endpoint is off now).
    server.clock.advance_ms(3 * DAY_MS);
    publish(&api, "new").await;
    settled(&server, 5).await;
    let (before, attempts_before) = left(&server);
    assert_eq!(before.len(), 5);
    assert_eq!(attempts_before, 5);

    sluice_server::housekeeping::prune(&server.state).await.unwrap();
    let (after, attempts_after) = left(&server);
    let row = |event: &str, endpoint: &str, status: &str| (event.to_string(), endpoint.to_string(), status.to_string());
    let mut expected = vec![
        row("new", &ok_id, "succeeded"),
        row("new", &failing_id, "retrying"),
        row("old", &failing_id, "retrying"),
        row("old", &gone_id, "failed"),
    ];
    expected.sort();
    assert_eq!(after, expected, "only the 3-day-old success is past one day's retention");
    assert_eq!(attempts_after, 4, "its attempt went with it");

    // The retention is the tenant's: at 30 days the fresh success (3 days old then) stays.
    server.clock.advance_ms(DAY_MS);
    let res = api
        .put(
            "/api/v1/webhooks/settings",
            json!({"enabled": true, "retentionDays": 30, "retryScheduleSecs": [604800], "disableAfterHours": 720}),
        )
        .await;
    assert_eq!(res.status(), 200);
    sluice_server::housekeeping::prune(&server.state).await.unwrap();
    assert_eq!(left(&server).0, expected);
    server.stop().await;
}

#[tokio::test]
async fn a_retention_out_of_range_is_a_field_error_and_changes_nothing() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    for days in [0, 366] {
        let res = api.put("/api/v1/webhooks/settings", json!({"enabled": true, "retentionDays": days})).await;
        let body = expect_error(res, 400, "validation_failed").await;
        assert!(body["error"]["fields"]["retentionDays"].is_string(), "{body}");
    }
    let settings = api.get_json("/api/v1/webhooks/settings").await;
    assert_eq!(settings["settings"]["retentionDays"], 30, "{settings}");
    assert_eq!(settings["settings"]["enabled"], false, "{settings}");
    server.stop().await;
}
