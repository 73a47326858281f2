//! Acting on issues over real HTTP: Retry through the owning area, Acknowledge and Dismiss one
//! or many, a 409 for a resolved issue, and the API-usage alert that resolves itself.

mod common;

use common::issues::*;
use common::{expect_error, TestServer};
use serde_json::{json, Value};
use sluice_contract::issues::{Area, DistributorIssue, IntegrationIssue, Severity};
use sluice_server::issues::{self, Issues, Key, Resolution, Retried, RetryFn};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[tokio::test]
async fn acting_on_a_resolved_issue_is_409_naming_its_state() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let id = raise(&server, &t.tenant_id, autotask("401 Unauthorized")).await;
    let acked: Value = api.post(&format!("/api/v1/issues/{id}/acknowledge"), json!({})).await.json().await.unwrap();
    assert_eq!(acked["status"], "acknowledged");
    assert!(acked["acknowledgedBy"].as_str().unwrap().starts_with("API key"), "{acked}");
    raise(&server, &t.tenant_id, autotask("still 401")).await;
    let page = api.get_json("/api/v1/issues").await;
    assert_eq!(page["items"][0]["status"], "acknowledged", "recurring keeps the acknowledgement");
    assert_eq!(page["items"][0]["occurrences"], 2);

    clear_autotask(&server, &t.tenant_id, "sync ran").await;
    for action in ["acknowledge", "dismiss", "retry"] {
        let body =
            expect_error(api.post(&format!("/api/v1/issues/{id}/{action}"), json!({})).await, 409, "issue_not_active")
                .await;
        assert!(body["error"]["message"].as_str().unwrap().contains("resolved"), "{body}");
    }
    let issue = api.get_json(&format!("/api/v1/issues/{id}")).await["issue"].clone();
    assert_eq!((issue["status"].as_str(), issue["dismissedBy"].is_null()), (Some("resolved"), true));
    server.stop().await;
}

#[tokio::test]
async fn retry_asks_the_owning_area_and_shows_the_outcome_on_the_row() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let handler: RetryFn = Arc::new(move |_state, issue| {
        let n = seen.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            assert_eq!(issue.entity.id, "autotask");
            if n == 0 {
                Retried::StillFailing { error: "401 Unauthorized: API user is locked".to_string() }
            } else {
                Retried::Resolved { what: "connection test passed".to_string() }
            }
        })
    });
    // Whatever Integrations registers at start-up is taken away: until this test registers its
    // own handler, an Integrations issue cannot be retried from here.
    let registry = &Issues::of(&server.state).retry;
    registry.remove(Area::Integrations);
    let api = server.key_client(&t.api_key);
    let other = report(IntegrationIssue::TokenExpired, "HubSpot", Severity::Error, "Token", "401");
    let hook = raise(&server, &t.tenant_id, other).await;
    let body =
        expect_error(api.post(&format!("/api/v1/issues/{hook}/retry"), json!({})).await, 409, "retry_unavailable")
            .await;
    assert!(body["error"]["message"].as_str().unwrap().contains("Integrations"), "{body}");
    assert_eq!(api.get_json(&format!("/api/v1/issues/{hook}")).await["issue"]["canRetry"], false);

    registry.register(Area::Integrations, handler);
    let id = raise(&server, &t.tenant_id, autotask("401 Unauthorized")).await;
    assert_eq!(api.get_json(&format!("/api/v1/issues/{id}")).await["issue"]["canRetry"], true);

    let failed: Value = api.post(&format!("/api/v1/issues/{id}/retry"), json!({})).await.json().await.unwrap();
    assert_eq!(failed["status"], "open");
    assert_eq!(failed["lastRetry"]["ok"], false);
    assert_eq!(failed["lastRetry"]["message"], "401 Unauthorized: API user is locked", "the error, verbatim");

    server.clock.advance_ms(1_000);
    let fixed: Value = api.post(&format!("/api/v1/issues/{id}/retry"), json!({})).await.json().await.unwrap();
    assert_eq!(fixed["status"], "resolved");
    assert_eq!(fixed["resolution"], "resolved by retry: connection test passed");
    assert_eq!(fixed["lastRetry"]["ok"], true);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    server.stop().await;
}

#[tokio::test]
async fn bulk_actions_report_each_row() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let tid = &t.tenant_id;
    let one = raise(&server, tid, autotask("401")).await;
    let two =
        raise(&server, tid, report(DistributorIssue::EmptyFeed, "Feed", Severity::Error, "Empty", "0 rows")).await;
    let done = raise(&server, tid, report(DistributorIssue::Stale, "Feed", Severity::Error, "Empty", "0 rows")).await;
    issues::clear(
        &server.state,
        tid,
        Key::new(DistributorIssue::Stale, "feed"),
        Resolution::automatic("feed has rows"),
    )
    .await
    .unwrap();
    let console = server.session_client("admin@acme.test").await;

    let res = console
        .post("/api/v1/issues/bulk", json!({"action": "acknowledge", "ids": [one, done, "iss_nope", two]}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let rows = body["results"].as_array().unwrap();
    let summary: Vec<_> = rows
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["ok"].as_bool().unwrap(), r["error"]["code"].as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            (one.as_str(), true, None),
            (done.as_str(), false, Some("issue_not_active")),
            ("iss_nope", false, Some("not_found")),
            (two.as_str(), true, None)
        ]
    );
    assert_eq!(rows[0]["issue"]["acknowledgedBy"], "admin@acme.test");
    let counts = console.get_json("/api/v1/issues/counts").await;
    assert_eq!(
        (counts["byStatus"]["acknowledged"].as_u64(), counts["byStatus"]["resolved"].as_u64()),
        (Some(2), Some(1))
    );

    let too_many: Vec<String> = (0..101).map(|i| format!("iss_{i}")).collect();
    let body = expect_error(
        console.post("/api/v1/issues/bulk", json!({"action": "dismiss", "ids": too_many})).await,
        400,
        "validation_failed",
    )
    .await;
    assert!(body["error"]["fields"]["ids"].is_string());
    expect_error(
        console.post("/api/v1/issues/bulk", json!({"action": "dismiss", "ids": []})).await,
        400,
        "validation_failed",
    )
    .await;
    expect_error(
        console.post("/api/v1/issues/bulk", json!({"action": "explode", "ids": [one]})).await,
        400,
        "invalid_body",
    )
    .await;
    server.stop().await;
}

#[tokio::test]
async fn api_usage_at_80_percent_raises_an_issue_that_clears_itself() {
    let server = TestServer::with_limit(10, 60).await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    for _ in 0..7 {
        assert_eq!(api.get("/api/v1/session").await.status(), 200);
    }
    let page = issues::read::list(&server.state, &t.tenant_id, &Default::default()).await.unwrap();
    assert_eq!(page.items[0].severity, Severity::Warning, "70% warns");
    assert_eq!(api.get("/api/v1/session").await.status(), 200);

    let page = api.get_json("/api/v1/issues?area=api_usage").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "one issue, raised twice: {page}");
    let issue = &page["items"][0];
    assert_eq!(
        (issue["severity"].as_str(), issue["title"].as_str()),
        (Some("error"), Some("API usage at 80% of limit"))
    );
    assert_eq!(issue["occurrences"], 2);
    assert_eq!(issue["entity"]["link"], "/usage");
    assert_eq!(issue["canRetry"], true);
    let id = issue["id"].as_str().unwrap().to_string();

    server.clock.advance_ms(61_000);
    sluice_server::usage::alerts::sweep(&server.state).await;
    let detail = issues::read::detail(&server.state, &t.tenant_id, &id).await.unwrap();
    assert_eq!(detail.issue.status, sluice_contract::issues::IssueStatus::Resolved);
    assert!(detail.issue.resolution.unwrap().starts_with("resolved automatically: usage fell to 0%"));
    server.stop().await;
}

#[tokio::test]
async fn a_retry_that_starts_work_keeps_the_issue_open_until_the_area_clears_it() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let started: RetryFn =
        Arc::new(|_state, _issue| Box::pin(async { Retried::Started { what: "a full sync is running".into() } }));
    Issues::of(&server.state).retry.register(Area::Integrations, started);
    let id = raise(&server, &t.tenant_id, autotask("401 Unauthorized")).await;
    let api = server.key_client(&t.api_key);

    let after: Value = api.post(&format!("/api/v1/issues/{id}/retry"), json!({})).await.json().await.unwrap();
    assert_eq!(after["status"], "open", "started is not resolved: {after}");
    assert_eq!(
        (after["lastRetry"]["ok"].as_bool(), after["lastRetry"]["message"].as_str()),
        (Some(true), Some("started: a full sync is running"))
    );

    // The work ends well: the area clears the issue through the hub's face.
    clear_autotask(&server, &t.tenant_id, "the sync finished").await;
    let issue = api.get_json(&format!("/api/v1/issues/{id}")).await["issue"].clone();
    assert_eq!(issue["resolution"], "resolved automatically: the sync finished");
    server.stop().await;
}
