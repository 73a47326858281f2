//! Webhooks configuration and the log: the switch, bad input named by field, the SSRF guard,
//! publishing (dedup, batches, limits), filters and paging, redeliver and bulk retry, tenants.

mod common;

use common::receiver::{Answer, Receiver};
use common::{expect_error, Api, TestServer};
use serde_json::{json, Value};
use std::time::Duration;

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn add_endpoint(api: &Api, body: Value) -> Value {
    let res = api.post("/api/v1/webhooks/endpoints", body).await;
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

#[tokio::test]
async fn with_the_switch_off_nothing_is_sent_and_the_overview_says_so() {
    let server = TestServer::with_private_targets().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let receiver = Receiver::start(|_| Answer::status(200)).await;
    let overview = api.get_json("/api/v1/webhooks/settings").await;
    assert_eq!(overview["settings"]["enabled"], false);
    assert_eq!(overview["activeEndpoints"], 0);
    let ep = add_endpoint(&api, json!({"url": receiver.url})).await;
    let id = ep["id"].as_str().unwrap();
    let overview = api.get_json("/api/v1/webhooks/settings").await;
    assert_eq!(overview["activeEndpoints"], 1);

    api.post("/api/v1/events", json!({"type": "order.created", "data": {}})).await;
    let res = api.post(&format!("/api/v1/webhooks/endpoints/{id}/test"), json!({})).await;
    expect_error(res, 409, "webhooks_disabled").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.count(), 0, "switch off: nothing sent");

    let res = api.put("/api/v1/webhooks/settings", json!({"enabled": true})).await;
    assert_eq!(res.status(), 200);
    let res = api.post(&format!("/api/v1/webhooks/endpoints/{id}/test"), json!({})).await;
    assert_eq!(res.status(), 200);
    let test: Value = res.json().await.unwrap();
    assert_eq!(test["attempt"]["ok"], true, "{test}");
    assert_eq!(test["attempt"]["statusCode"], 200);
    let seen = receiver.wait_for(1).await;
    assert_eq!(seen[0].json()["type"], "sluice.test");
    server.stop().await;
}

#[tokio::test]
async fn bad_endpoints_and_settings_get_field_errors_and_nothing_is_saved() {
    let server = TestServer::start().await; // the SSRF guard is on
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let cases = [
        (json!({"url": "not a url"}), "url", "not a valid URL"),
        (json!({"url": "ftp://example.com/hook"}), "url", "http"),
        (json!({"url": "http://127.0.0.1:9/hook"}), "url", "loopback"),
        (json!({"url": "http://localhost:9/hook"}), "url", "127.0.0.1"),
        (json!({"url": "http://169.254.169.254/latest"}), "url", "metadata"),
        (json!({"url": "http://10.0.0.5/hook"}), "url", "private"),
        (json!({"url": "https://example.com/h", "eventTypes": ["nope.never"]}), "eventTypes", "nope.never"),
        (
            json!({"url": "https://example.com/h", "customHeaders": [{"name": "X-A", "value": "1"}, {"name": "x-a", "value": "2"}]}),
            "customHeaders",
            "twice",
        ),
        (
            json!({"url": "https://example.com/h", "customHeaders": [{"name": "webhook-signature", "value": "x"}]}),
            "customHeaders",
            "set by Sluice",
        ),
    ];
    for (body, field, words) in cases {
        let res = api.post("/api/v1/webhooks/endpoints", body.clone()).await;
        let err = expect_error(res, 400, "validation_failed").await;
        let why = err["error"]["fields"][field].as_str().unwrap_or_default();
        assert!(why.contains(words), "{body} -> {err}");
    }
    assert_eq!(api.get_json("/api/v1/webhooks/endpoints").await["items"].as_array().unwrap().len(), 0);
    let res = api
        .put("/api/v1/webhooks/settings", json!({"enabled": true, "retryScheduleSecs": [30, 2], "timeoutSecs": 0}))
        .await;
    let err = expect_error(res, 400, "validation_failed").await;
    assert!(
        err["error"]["fields"]["retryScheduleSecs"].is_string() && err["error"]["fields"]["timeoutSecs"].is_string()
    );
    assert_eq!(api.get_json("/api/v1/webhooks/settings").await["settings"]["enabled"], false, "nothing half-saved");
    server.stop().await;
}

#[tokio::test]
async fn publishing_checks_types_dedups_event_ids_and_limits_batches() {
    let server = TestServer::with_private_targets().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let receiver = Receiver::start(|_| Answer::status(200)).await;
    api.put("/api/v1/webhooks/settings", json!({"enabled": true})).await;
    add_endpoint(&api, json!({"url": receiver.url})).await;

    let res = api.post("/api/v1/events", json!({"type": "Order Created", "data": {}})).await;
    assert!(expect_error(res, 400, "validation_failed").await["error"]["fields"]["type"].is_string());
    let res = api.post("/api/v1/events", json!({"type": "issue.opened", "data": {}})).await;
    assert!(expect_error(res, 400, "validation_failed").await["error"]["fields"]["type"]
        .as_str()
        .unwrap()
        .contains("Sluice"));
    let big = "x".repeat(300 * 1024);
    let res = api.post("/api/v1/events", json!({"type": "order.created", "data": {"blob": big}})).await;
    expect_error(res, 413, "payload_too_large").await;
    let many: Vec<Value> = (0..101).map(|_| json!({"type": "order.created", "data": {}})).collect();
    let res = api.post("/api/v1/events/batch", json!({"events": many})).await;
    assert!(expect_error(res, 400, "validation_failed").await["error"]["fields"]["events"].is_string());

    let once = json!({"type": "order.created", "data": {"n": 1}, "eventId": "ord_1"});
    let first: Value = api.post("/api/v1/events", once.clone()).await.json().await.unwrap();
    let again: Value = api.post("/api/v1/events", once).await.json().await.unwrap();
    assert_eq!((first["created"].clone(), again["created"].clone()), (json!(true), json!(false)));
    let batch: Vec<Value> = (0..3).map(|i| json!({"type": "invoice.paid", "data": {"i": i}})).collect();
    let res = api.post("/api/v1/events/batch", json!({"events": batch})).await;
    assert_eq!(res.status(), 202);
    let seen = receiver.wait_for(4).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.count(), 4, "ord_1 delivered once, the batch three times");
    assert_eq!(seen.iter().filter(|r| r.id == "ord_1").count(), 1);
    // The catalog now lists the tenant's own types with their latest payload.
    let catalog = api.get_json("/api/v1/webhooks/event-types").await;
    let names: Vec<&str> = catalog.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"issue.opened") && names.contains(&"invoice.paid") && names.contains(&"order.created"));
    server.stop().await;
}

#[tokio::test]
async fn the_log_filters_pages_redelivers_and_retries_every_failed_since() {
    let server = TestServer::with_private_targets().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let admin = server.session_client("admin@acme.test").await;
    let receiver = Receiver::start(|_| Answer::status(500)).await;
    // Only order.created, so that the issue its failures raise (issue.opened) is not sent too.
    api.post("/api/v1/events", json!({"type": "order.created", "data": {}})).await;
    let ep = add_endpoint(&api, json!({"url": receiver.url, "eventTypes": ["order.created"]})).await;
    api.put("/api/v1/webhooks/settings", json!({"enabled": true, "retryScheduleSecs": []})).await;
    let events: Vec<Value> = (0..5).map(|i| json!({"type": "order.created", "data": {"i": i}})).collect();
    api.post("/api/v1/events/batch", json!({"events": events})).await;
    wait_until("five failed deliveries", async || {
        api.get_json("/api/v1/webhooks/deliveries?status=failed").await["items"].as_array().unwrap().len() == 5
    })
    .await;

    let page = api.get_json("/api/v1/webhooks/deliveries?limit=2").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let next = page["nextCursor"].as_str().unwrap();
    let rest = api.get_json(&format!("/api/v1/webhooks/deliveries?limit=10&cursor={next}")).await;
    assert_eq!(rest["items"].as_array().unwrap().len(), 3);
    assert!(rest["nextCursor"].is_null());
    assert_eq!(
        api.get_json("/api/v1/webhooks/deliveries?status=succeeded").await["items"].as_array().unwrap().len(),
        0
    );
    let res = api.get("/api/v1/webhooks/deliveries?status=lost").await;
    assert!(expect_error(res, 400, "validation_failed").await["error"]["fields"]["status"].is_string());
    let res = api.get("/api/v1/webhooks/deliveries?since=yesterday").await;
    assert!(expect_error(res, 400, "validation_failed").await["error"]["fields"]["since"].is_string());

    // The receiver is fixed: preview, then retry everything failed since an hour ago.
    receiver.answer_with(|_| Answer::status(200));
    let since = sluice_server::clock::rfc3339(common::T0 - 3_600_000);
    let preview: Value = admin
        .post("/api/v1/webhooks/deliveries/retry-failed", json!({"since": since, "dryRun": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(preview["total"], 5);
    assert!(preview["id"].is_null());
    let res = admin.post("/api/v1/webhooks/deliveries/retry-failed", json!({"since": since})).await;
    assert_eq!(res.status(), 202);
    let batch: Value = res.json().await.unwrap();
    let batch_id = batch["id"].as_str().unwrap().to_string();
    wait_until("the bulk retry to finish", async || {
        api.get_json(&format!("/api/v1/webhooks/retries/{batch_id}")).await["succeeded"] == 5
    })
    .await;
    let seen = receiver.all();
    let ok: std::collections::HashSet<&str> = seen[5..].iter().map(|r| r.id.as_str()).collect();
    assert_eq!((seen.len(), ok.len()), (10, 5), "each event once more, one per webhook-id");

    // Redeliver one: audited with who asked.
    let one = api.get_json("/api/v1/webhooks/deliveries?limit=1").await["items"][0]["id"].as_str().unwrap().to_string();
    let res = admin.post(&format!("/api/v1/webhooks/deliveries/{one}/redeliver"), json!({})).await;
    assert_eq!(res.status(), 200);
    receiver.wait_for(11).await;
    wait_until("the redelivery to be recorded", async || {
        let detail = api.get_json(&format!("/api/v1/webhooks/deliveries/{one}")).await;
        detail["attempts"][0]["trigger"] == "redelivered by admin@acme.test"
    })
    .await;
    let by_endpoint =
        api.get_json(&format!("/api/v1/webhooks/deliveries?endpointId={}", ep["id"].as_str().unwrap())).await;
    assert_eq!(by_endpoint["items"].as_array().unwrap().len(), 5);
    server.stop().await;
}

#[tokio::test]
async fn another_tenants_webhooks_are_not_found_and_its_notices_never_arrive() {
    let server = TestServer::with_private_targets().await;
    let a = server.tenant("Acme", "admin@acme.test").await;
    let b = server.tenant("Other", "o@other.test").await;
    let (api_a, api_b) = (server.key_client(&a.api_key), server.key_client(&b.api_key));
    let receiver = Receiver::start(|_| Answer::status(200)).await;
    let ep = add_endpoint(&api_b, json!({"url": receiver.url})).await;
    let id = ep["id"].as_str().unwrap();
    expect_error(api_a.get(&format!("/api/v1/webhooks/endpoints/{id}")).await, 404, "not_found").await;
    expect_error(
        api_a.post(&format!("/api/v1/webhooks/endpoints/{id}/rotate-secret"), json!({})).await,
        404,
        "not_found",
    )
    .await;
    expect_error(api_a.delete(&format!("/api/v1/webhooks/endpoints/{id}")).await, 404, "not_found").await;

    let console = server.session_client("admin@acme.test").await;
    let mut stream = console.get("/api/v1/stream?topics=webhooks").await;
    assert_eq!(stream.status(), 200);
    api_b.put("/api/v1/webhooks/settings", json!({"enabled": true})).await;
    api_b.post("/api/v1/events", json!({"type": "order.created", "data": {}})).await;
    receiver.wait_for(1).await;
    let chunk = tokio::time::timeout(Duration::from_millis(800), stream.chunk()).await;
    assert!(chunk.is_err(), "tenant A's stream carried tenant B's delivery: {chunk:?}");

    // Its own deliveries do arrive on the stream.
    let own = Receiver::start(|_| Answer::status(200)).await;
    api_a.put("/api/v1/webhooks/settings", json!({"enabled": true})).await;
    add_endpoint(&api_a, json!({"url": own.url})).await;
    api_a.post("/api/v1/events", json!({"type": "order.created", "data": {}})).await;
    let chunk = tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await.unwrap().unwrap().unwrap();
    let text = String::from_utf8_lossy(&chunk);
    assert!(text.contains("event: webhooks") && text.contains("deliveryIds"), "{text}");
    let res = console.get("/api/v1/stream?topics=weather").await;
    expect_error(res, 400, "validation_failed").await;
    server.stop().await;
}
