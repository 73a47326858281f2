//! Webhook delivery against a real receiver on 127.0.0.1: signatures, the retry schedule on an
//! injected clock, Retry-After, 410, auto-disable with its issue, rotation.

mod common;

use common::receiver::{verify, Answer, Receiver};
use common::{Api, TestServer, T0};
use serde_json::{json, Value};
use std::time::Duration;

/// Webhooks on, one endpoint at `url` taking every type; answers (endpoint id, secret).
pub async fn endpoint(api: &Api, url: &str) -> (String, String) {
    let res = api.put("/api/v1/webhooks/settings", json!({"enabled": true})).await;
    assert_eq!(res.status(), 200);
    let res = api.post("/api/v1/webhooks/endpoints", json!({"url": url, "description": "orders"})).await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    (body["id"].as_str().unwrap().to_string(), body["secret"].as_str().unwrap().to_string())
}

async fn publish(api: &Api, event_type: &str, data: Value) -> String {
    let res = api.post("/api/v1/events", json!({"type": event_type, "data": data})).await;
    assert_eq!(res.status(), 202);
    let body: Value = res.json().await.unwrap();
    body["eventId"].as_str().unwrap().to_string()
}

/// Waits until the delivery log shows `status` for the only delivery of `event_id`.
async fn delivery_of(api: &Api, event_id: &str, status: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let page = api.get_json(&format!("/api/v1/webhooks/deliveries?eventId={event_id}")).await;
        if let Some(d) = page["items"].as_array().and_then(|i| i.first()) {
            if d["status"] == status {
                return d.clone();
            }
        }
        assert!(tokio::time::Instant::now() < deadline, "no {status} delivery of {event_id}: {page}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn failing_twice_then_succeeding_makes_three_signed_attempts_on_schedule() {
    let server = TestServer::with_private_targets().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let receiver = Receiver::start(|n| Answer::status(if n < 2 { 500 } else { 204 })).await;
    let (_, secret) = endpoint(&api, &receiver.url).await;

    let event_id = publish(&api, "order.created", json!({"orderId": "SO-1"})).await;
    receiver.wait_for(1).await;
    delivery_of(&api, &event_id, "retrying").await;
    // Nothing more until the first retry is due, 2 s later on Sluice's clock.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.count(), 1);
    server.clock.advance_ms(2_000);
    receiver.wait_for(2).await;
    delivery_of(&api, &event_id, "retrying").await;
    server.clock.advance_ms(29_000);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.count(), 2, "the second retry waits 30 s");
    server.clock.advance_ms(1_000);
    let seen = receiver.wait_for(3).await;
    let done = delivery_of(&api, &event_id, "succeeded").await;
    assert_eq!(done["attempts"], 3);

    for r in &seen {
        assert_eq!(r.id, event_id, "every attempt carries the same webhook-id");
        assert!(verify(&secret, r), "signature verifies with the endpoint's secret");
        assert!(!verify("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", r), "and not with another");
        assert_eq!(r.headers["content-type"], "application/json");
    }
    let body = seen[0].json();
    assert_eq!(body["eventId"], event_id.as_str());
    assert_eq!(body["type"], "order.created");
    assert_eq!(body["tenantId"], t.tenant_id.as_str());
    assert_eq!(body["data"]["orderId"], "SO-1");
    let stamps: Vec<u64> = seen.iter().map(|r| r.timestamp.parse().unwrap()).collect();
    assert_eq!(stamps, vec![T0 / 1000, T0 / 1000 + 2, T0 / 1000 + 32], "attempts at 0 s, 2 s, 32 s");

    let detail = api.get_json(&format!("/api/v1/webhooks/deliveries/{}", done["id"].as_str().unwrap())).await;
    let attempts = detail["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3);
    assert_eq!(attempts[0]["statusCode"], 204);
    assert_eq!(attempts[2]["statusCode"], 500);
    assert_eq!(attempts[2]["error"], "HTTP 500 Internal Server Error");
    assert_eq!(attempts[2]["responseBody"], "answer 0");
    assert_eq!(detail["payload"]["data"]["orderId"], "SO-1");
    server.stop().await;
}

#[tokio::test]
async fn a_receivers_retry_after_is_honoured_and_410_disables_with_an_issue() {
    let server = TestServer::with_private_targets().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let receiver = Receiver::start(|n| match n {
        0 => Answer { retry_after: Some("120"), ..Answer::status(429) },
        _ => Answer::status(410),
    })
    .await;
    let (endpoint_id, _) = endpoint(&api, &receiver.url).await;
    let event_id = publish(&api, "order.created", json!({})).await;
    let d = delivery_of(&api, &event_id, "retrying").await;
    assert_eq!(d["nextAttemptAt"], sluice_server::clock::rfc3339(T0 + 120_000), "Retry-After beats the 2 s schedule");
    server.clock.advance_ms(119_000);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.count(), 1);
    server.clock.advance_ms(1_000);
    receiver.wait_for(2).await;
    delivery_of(&api, &event_id, "failed").await;
    let ep = api.get_json(&format!("/api/v1/webhooks/endpoints/{endpoint_id}")).await;
    assert_eq!(ep["status"], "disabled");
    assert!(ep["disabledReason"].as_str().unwrap().contains("410"), "{ep}");
    let issues = api.get_json("/api/v1/issues?area=webhooks").await;
    assert_eq!(issues["items"][0]["kind"], "endpoint_disabled", "{issues}");

    // Nothing goes to a disabled endpoint; turning it on again clears the issue.
    publish(&api, "order.created", json!({})).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(receiver.count(), 2);
    let res = api.patch(&format!("/api/v1/webhooks/endpoints/{endpoint_id}"), json!({"enabled": true})).await;
    assert_eq!(res.status(), 200);
    let issues = api.get_json("/api/v1/issues?area=webhooks").await;
    assert_eq!(issues["items"].as_array().unwrap().len(), 0, "{issues}");
    server.stop().await;
}

#[tokio::test]
async fn an_endpoint_failing_for_three_days_is_disabled_and_a_success_clears_its_issue() {
    let server = TestServer::with_private_targets().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let receiver = Receiver::start(|_| Answer::status(503)).await;
    let (endpoint_id, _) = endpoint(&api, &receiver.url).await;
    let first = publish(&api, "order.created", json!({"n": 1})).await;
    delivery_of(&api, &first, "retrying").await;
    // Walk the schedule: 2 s, 30 s, 2 min, 10 min, 1 h, 6 h, 24 h; then it gives up.
    for wait in [2, 30, 120, 600, 3600, 6 * 3600, 24 * 3600] {
        let before = receiver.count();
        server.clock.advance_ms(wait * 1000);
        receiver.wait_for(before + 1).await;
    }
    delivery_of(&api, &first, "failed").await;
    let issues = api.get_json("/api/v1/issues?area=webhooks").await;
    assert_eq!(issues["items"][0]["kind"], "endpoint_failing", "{issues}");
    assert!(issues["items"][0]["message"].as_str().unwrap().contains("HTTP 503"), "{issues}");
    let ep = api.get_json(&format!("/api/v1/webhooks/endpoints/{endpoint_id}")).await;
    assert_eq!(ep["status"], "active", "31 hours of failures is not yet 3 days");

    // Two days later, still failing: the next failure disables it.
    server.clock.advance_ms(48 * 3600 * 1000);
    let second = publish(&api, "order.created", json!({"n": 2})).await;
    delivery_of(&api, &second, "failed").await;
    let ep = api.get_json(&format!("/api/v1/webhooks/endpoints/{endpoint_id}")).await;
    assert_eq!(ep["status"], "disabled", "{ep}");
    assert!(ep["disabledReason"].as_str().unwrap().contains("72 hours"), "{ep}");
    let issues = api.get_json("/api/v1/issues?area=webhooks").await;
    let kinds: Vec<&str> = issues["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"endpoint_disabled"), "{issues}");

    // The receiver is fixed; Retry from Tools > Issues sends a test, turns it on, resends.
    receiver.answer_with(|_| Answer::status(200));
    let issue_id = issues["items"][0]["id"].as_str().unwrap().to_string();
    let res = api.post(&format!("/api/v1/issues/{issue_id}/retry"), json!({})).await;
    let retried: Value = res.json().await.unwrap();
    assert_eq!(retried["status"], "resolved", "{retried}");
    let ep = api.get_json(&format!("/api/v1/webhooks/endpoints/{endpoint_id}")).await;
    assert_eq!(ep["status"], "active");
    delivery_of(&api, &first, "succeeded").await;
    delivery_of(&api, &second, "succeeded").await;
    let issues = api.get_json("/api/v1/issues?area=webhooks").await;
    assert_eq!(issues["items"].as_array().unwrap().len(), 0, "every webhook issue resolved: {issues}");
    server.stop().await;
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_new_one_for_a_day() {
    let server = TestServer::with_private_targets().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let receiver = Receiver::start(|_| Answer::status(200)).await;
    let (endpoint_id, old) = endpoint(&api, &receiver.url).await;
    let res = api.post(&format!("/api/v1/webhooks/endpoints/{endpoint_id}/rotate-secret"), json!({})).await;
    let rotated: Value = res.json().await.unwrap();
    let new = rotated["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(rotated["previousSecretExpiresAt"], sluice_server::clock::rfc3339(T0 + 24 * 3600 * 1000));

    publish(&api, "order.created", json!({})).await;
    let seen = receiver.wait_for(1).await;
    assert_eq!(seen[0].signature.split(' ').count(), 2);
    assert!(verify(&old, &seen[0]) && verify(&new, &seen[0]), "both secrets verify during the grace day");

    server.clock.advance_ms(24 * 3600 * 1000 + 1);
    publish(&api, "order.created", json!({})).await;
    let seen = receiver.wait_for(2).await;
    assert!(verify(&new, &seen[1]) && !verify(&old, &seen[1]), "only the new secret after it");
    // The secret is never shown again.
    let listed = api.get_json("/api/v1/webhooks/endpoints").await.to_string();
    assert!(!listed.contains(&new) && !listed.contains("whsec_"), "{listed}");
    server.stop().await;
}
