//! The crash test: the real binary is killed with SIGKILL in the middle of delivering 1,000
//! events; after a restart every event arrives at least once, with its own webhook-id.

mod common;

use common::binary::{create_tenant, start};

use common::receiver::{Answer, Receiver};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_mid_delivery_loses_no_event() {
    let dir = tempfile::tempdir().unwrap();
    let key = create_tenant(dir.path());

    let receiver = Receiver::start(|_| Answer { delay: Duration::from_millis(20), ..Answer::status(200) }).await;
    let (mut server, base) = start(dir.path()).await;
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Value| {
        client.request(method, format!("{base}{path}")).bearer_auth(&key).json(&body).send()
    };
    call(reqwest::Method::PUT, "/api/v1/webhooks/settings", json!({"enabled": true})).await.unwrap();
    let res = call(reqwest::Method::POST, "/api/v1/webhooks/endpoints", json!({"url": receiver.url})).await.unwrap();
    assert_eq!(res.status(), 201);
    for batch in 0..10 {
        let events: Vec<Value> = (0..100)
            .map(|i| json!({"type": "order.created", "eventId": format!("e{}", batch * 100 + i), "data": {}}))
            .collect();
        let res = call(reqwest::Method::POST, "/api/v1/events/batch", json!({"events": events})).await.unwrap();
        assert_eq!(res.status(), 202);
    }
    receiver.wait_for(100).await;
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let at_kill = receiver.count();
    assert!(at_kill < 1000, "the kill came mid-delivery ({at_kill} received)");

    let (mut restarted, _) = start(dir.path()).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let ids: HashSet<String> = receiver.all().into_iter().map(|r| r.id).collect();
        if ids.len() == 1000 {
            assert!((0..1000).all(|i| ids.contains(&format!("e{i}"))));
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{} of 1000 events arrived after the restart", ids.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}
