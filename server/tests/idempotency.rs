//! Idempotency-Key under faults: clients that vanish mid-request, secrets kept out of the
//! table, records scoped per caller, replayed headers.

mod common;

use common::TestServer;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from)
}

/// A second connection holding SQLite's write lock, as another process would: the server's
/// writes wait (busy timeout) while its reads go on.
fn hold_write_lock(server: &TestServer) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(server.dir.path().join("sluice.db")).expect("open db");
    conn.execute_batch("BEGIN IMMEDIATE").expect("write lock");
    conn
}

#[tokio::test]
async fn a_client_that_drops_mid_request_can_retry_with_the_same_key() {
    let server = TestServer::start().await;
    server.tenant("Acme", "admin@acme.test").await;
    let admin = server.session_client("admin@acme.test").await;
    let create = |timeout: Duration| {
        admin
            .request(Method::POST, "/api/v1/api-keys")
            .header("idempotency-key", "create-once")
            .timeout(timeout)
            .json(&json!({"name": "nightly export"}))
            .send()
    };

    // The insert waits on the lock; the client gives up and disconnects meanwhile.
    let lock = hold_write_lock(&server);
    let dropped = create(Duration::from_millis(300)).await;
    assert!(dropped.is_err_and(|e| e.is_timeout()), "the first attempt must be cut off");
    tokio::time::sleep(Duration::from_millis(200)).await;
    lock.execute_batch("COMMIT").unwrap();

    // The change that had started finishes; the retry is answered, not refused as "in use".
    let mut retry = None;
    for _ in 0..40 {
        let res = create(Duration::from_secs(10)).await.unwrap();
        if res.status() != 409 {
            retry = Some(res);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let retry = retry.expect("the key was still 'in use' after 2 s");
    assert_eq!(retry.status(), 201);
    let keys = admin.get_json("/api/v1/api-keys").await;
    let made = keys["items"].as_array().unwrap().iter().filter(|k| k["name"] == "nightly export").count();
    assert_eq!(made, 1, "the abandoned request and its retry made one key");
    server.stop().await;
}

#[tokio::test]
async fn a_new_api_key_secret_is_never_stored_and_a_replay_says_it_was_shown_once() {
    let server = TestServer::start().await;
    server.tenant("Acme", "admin@acme.test").await;
    let admin = server.session_client("admin@acme.test").await;
    let create = || {
        admin
            .request(Method::POST, "/api/v1/api-keys")
            .header("idempotency-key", "k-secret")
            .json(&json!({"name": "deploy bot"}))
            .send()
    };
    let first = create().await.unwrap();
    assert_eq!(first.status(), 201);
    let location = header(&first, "location").expect("a created key has a Location");
    let first: Value = first.json().await.unwrap();
    let secret = first["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("slk_"));
    assert_eq!(location, format!("/api/v1/api-keys/{}", first["key"]["id"].as_str().unwrap()));

    let db = rusqlite::Connection::open(server.dir.path().join("sluice.db")).unwrap();
    let bodies: Vec<Vec<u8>> =
        db.prepare("SELECT body FROM idempotency").unwrap().query_map([], |r| r.get(0)).unwrap().flatten().collect();
    assert_eq!(bodies.len(), 1, "the create was recorded for replay");
    assert!(!String::from_utf8_lossy(&bodies[0]).contains(&secret), "the secret is at rest in plain text");

    let again = create().await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(header(&again, "idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(header(&again, "location"), Some(location), "the replay keeps Location");
    assert_eq!(header(&again, "set-cookie"), None);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["key"], first["key"], "the replay names the same key");
    assert_eq!(again["secret"], "");
    assert!(again["secretWithheld"].as_str().unwrap().contains("shown once"), "{again}");
    server.stop().await;
}

#[tokio::test]
async fn idempotency_records_belong_to_one_caller_not_the_whole_tenant() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let admin = server.session_client("admin@acme.test").await;
    let program = server.key_client(&t.api_key);
    let create = |api: &common::Api, name: &str| {
        api.request(Method::POST, "/api/v1/api-keys")
            .header("idempotency-key", "same-key")
            .json(&json!({"name": name}))
            .send()
    };
    let by_admin = create(&admin, "made by the admin").await.unwrap();
    assert_eq!(by_admin.status(), 201);
    // Another caller's same key is its own: a new action, neither a 422 nor the admin's answer.
    let by_program = create(&program, "made by the program").await.unwrap();
    assert_eq!(by_program.status(), 201);
    assert_eq!(header(&by_program, "idempotent-replayed"), None);
    let body: Value = by_program.json().await.unwrap();
    assert_eq!(body["key"]["name"], "made by the program");
    server.stop().await;
}
