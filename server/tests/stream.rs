//! The live stream: a console learns of issue changes without polling.

mod common;

use common::TestServer;
use sluice_contract::issues::{EntityRef, IntegrationIssue, Severity};
use sluice_server::issues::{self, Report};
use std::time::Duration;

async fn next_event(res: &mut reqwest::Response) -> String {
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk = tokio::time::timeout(Duration::from_secs(5), res.chunk()).await.expect("an event within 5 s");
        text.push_str(&String::from_utf8_lossy(&chunk.expect("stream").expect("open stream")));
    }
    text
}

#[tokio::test]
async fn the_stream_sends_counts_on_connect_and_when_an_issue_opens() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let other = server.tenant("Other", "o@other.test").await;
    let console = server.session_client("admin@acme.test").await;
    let mut res = console.get("/api/v1/stream").await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let first = next_event(&mut res).await;
    assert!(first.contains("event: issues") && first.contains("\"active\":0"), "{first}");

    let report = |tenant: &str| Report {
        kind: IntegrationIssue::AuthFailed.into(),
        entity: EntityRef {
            kind: "integration".into(),
            id: "int_1".into(),
            name: "Autotask".into(),
            link: "/integrations".into(),
        },
        severity: Severity::Error,
        title: format!("Autotask authentication error for {tenant}"),
        message: "401 Unauthorized".into(),
    };
    // Another tenant's issue is not this console's news: nothing at all arrives for it.
    issues::raise(&server.state, &other.tenant_id, report("other")).await.unwrap();
    let quiet = tokio::time::timeout(Duration::from_millis(500), res.chunk()).await;
    assert!(quiet.is_err(), "an event reached this console for another tenant's issue: {quiet:?}");
    issues::raise(&server.state, &t.tenant_id, report("acme")).await.unwrap();
    let next = next_event(&mut res).await;
    assert!(next.contains("\"active\":1"), "{next}");
    server.stop().await;
}

#[tokio::test]
async fn signing_out_ends_the_stream_instead_of_telling_more() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let console = server.session_client("admin@acme.test").await;
    let mut res = console.get("/api/v1/stream").await;
    assert!(next_event(&mut res).await.contains("event: issues"));

    assert_eq!(console.delete("/api/v1/session").await.status(), 204);
    // Past the busy re-check interval, a notice for this tenant finds the session gone.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let report = Report {
        kind: IntegrationIssue::AuthFailed.into(),
        entity: EntityRef { kind: "integration".into(), id: "int_1".into(), name: "Autotask".into(), link: "/".into() },
        severity: Severity::Error,
        title: "Autotask authentication error".into(),
        message: "401 Unauthorized".into(),
    };
    issues::raise(&server.state, &t.tenant_id, report).await.unwrap();
    let end = tokio::time::timeout(Duration::from_secs(5), res.chunk()).await.expect("the stream answers");
    assert!(matches!(end, Ok(None)), "the stream ended rather than sending: {end:?}");
    server.stop().await;
}
