//! The per-tenant rolling window over real HTTP with an injected clock, the headers on every
//! response, and `Idempotency-Key` replay.

mod common;

use common::{expect_error, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers().get(name).map(|v| v.to_str().unwrap().to_string()).unwrap_or_else(|| panic!("no {name} header"))
}

#[tokio::test]
async fn the_limit_passes_the_next_gets_429_and_a_slot_frees_when_the_oldest_leaves() {
    let server = TestServer::with_limit(500, 600).await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);

    let first = api.get("/api/v1/api-keys").await;
    assert_eq!(header(&first, "x-ratelimit-limit"), "500");
    assert_eq!(header(&first, "x-ratelimit-remaining"), "499");
    assert_eq!(header(&first, "x-ratelimit-reset"), "600");
    server.clock.advance_ms(10_000);
    for i in 2..=500 {
        let res = api.get("/api/v1/session").await;
        assert_eq!(res.status(), 200, "request {i}");
        if i == 500 {
            assert_eq!(header(&res, "x-ratelimit-remaining"), "0");
        }
    }
    let refused = api.get("/api/v1/session").await;
    assert_eq!(header(&refused, "retry-after"), "590", "the oldest request leaves 590 s from now");
    assert_eq!(header(&refused, "x-ratelimit-remaining"), "0");
    expect_error(refused, 429, "rate_limited").await;

    server.clock.advance_ms(590_000 - 1);
    let still = api.get("/api/v1/session").await;
    assert_eq!(header(&still, "retry-after"), "1");
    assert_eq!(still.status(), 429);
    server.clock.advance_ms(1);
    assert_eq!(api.get("/api/v1/session").await.status(), 200, "one slot, exactly when the first request left");
    assert_eq!(api.get("/api/v1/session").await.status(), 429, "and only one");
    server.stop().await;
}

#[tokio::test]
async fn tenants_do_not_share_a_window() {
    let server = TestServer::with_limit(5, 60).await;
    let a = server.tenant("A", "a@a.test").await;
    let b = server.tenant("B", "b@b.test").await;
    let key = server.key_client(&a.api_key);
    for _ in 0..5 {
        assert_eq!(key.get("/api/v1/session").await.status(), 200);
    }
    assert_eq!(key.get("/api/v1/session").await.status(), 429);
    let other = server.key_client(&b.api_key).get("/api/v1/session").await;
    assert_eq!(other.status(), 200);
    assert_eq!(header(&other, "x-ratelimit-remaining"), "4");
    // Health is never limited.
    assert_eq!(reqwest::get(server.url("/api/health")).await.unwrap().status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_body() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let create = |name: &str, key: &str| {
        api.request(Method::POST, "/api/v1/api-keys").header("idempotency-key", key).json(&json!({"name": name})).send()
    };
    let first = create("deploy bot", "k-1").await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = create("deploy bot", "k-1").await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(header(&again, "idempotent-replayed"), "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(first["key"], again["key"], "the same key, the same answer (without its secret)");
    let keys = api.get_json("/api/v1/api-keys").await;
    let deploy = keys["items"].as_array().unwrap().iter().filter(|k| k["name"] == "deploy bot").count();
    assert_eq!(deploy, 1, "the retried create made one key, not two");

    expect_error(create("another name", "k-1").await.unwrap(), 422, "unprocessable").await;
    // Replays last a day.
    server.clock.advance_ms(24 * 3600 * 1000 + 1);
    assert_eq!(create("another name", "k-1").await.unwrap().status(), 201);
    server.stop().await;
}

#[tokio::test]
async fn usage_is_recorded_by_route_and_caller_and_thresholds_are_validated() {
    let server = TestServer::with_limit(10, 60).await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    for _ in 0..11 {
        api.get("/api/v1/api-keys").await;
    }
    server.clock.advance_ms(61_000);
    let report = api.get_json("/api/v1/usage?range=1h").await;
    assert_eq!(report["series"].as_array().unwrap().len(), 60);
    // 11 requests earlier (one refused), and the report's own.
    assert_eq!(report["totalRequests"], 12);
    assert_eq!(report["totalRejected"], 1);
    assert_eq!(report["topRoutes"][0]["label"], "GET /api/v1/api-keys");
    assert_eq!(report["topKeys"][0]["label"], "key: provisioning");
    assert_eq!(report["window"]["used"], 1, "the report's own request");
    expect_error(api.get("/api/v1/usage?range=2y").await, 400, "validation_failed").await;

    let bad = expect_error(
        api.put("/api/v1/usage/thresholds", json!({"warningPercent": 90, "errorPercent": 80})).await,
        400,
        "validation_failed",
    )
    .await;
    assert!(bad["error"]["fields"]["warningPercent"].is_string());
    let bad = expect_error(
        api.put("/api/v1/usage/thresholds", json!({"warningPercent": 0, "errorPercent": 101})).await,
        400,
        "validation_failed",
    )
    .await;
    assert!(bad["error"]["fields"]["errorPercent"].is_string());
    let ok = api.put("/api/v1/usage/thresholds", json!({"warningPercent": 50, "errorPercent": 90})).await;
    assert_eq!(ok.status(), 200);
    assert_eq!(api.get_json("/api/v1/usage/thresholds").await["warningPercent"], 50);
    server.stop().await;
}
