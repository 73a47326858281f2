//! Tools > Issues over real HTTP: areas raise and clear through `sluice_server::issues`, the
//! admin lists, reads and acts through `/api/v1/issues`.

mod common;

use common::issues::*;
use common::{expect_error, TestServer, T0};
use serde_json::{json, Value};
use sluice_contract::issues::{DistributorIssue, Severity, WebhookIssue};
use sluice_contract::stream::Topic;
use sluice_server::issues::{self, Key, Resolution};
use sluice_server::store::events;

#[tokio::test]
async fn the_same_problem_100_times_is_one_issue_with_100_occurrences() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    for i in 0..100 {
        raise(&server, &t.tenant_id, autotask(&format!("401 Unauthorized (attempt {i})"))).await;
        server.clock.advance_ms(1_000);
    }
    let api = server.key_client(&t.api_key);
    let page = api.get_json("/api/v1/issues").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    let issue = &page["items"][0];
    assert_eq!(issue["occurrences"], 100);
    assert_eq!(issue["message"], "401 Unauthorized (attempt 99)", "the latest message, verbatim");
    assert_eq!(issue["firstSeenAt"], sluice_server::clock::rfc3339(T0));
    assert_eq!(issue["lastSeenAt"], sluice_server::clock::rfc3339(T0 + 99_000));
    assert_eq!(issue["status"], "open");
    assert_eq!(issue["canRetry"], true, "the integrations area registers a retry (re-test)");

    let detail = api.get_json(&format!("/api/v1/issues/{}", issue["id"].as_str().unwrap())).await;
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 50, "history keeps the last 50");
    assert_eq!(history[0]["message"], "401 Unauthorized (attempt 99)", "newest first");
    assert_eq!(history[49]["message"], "401 Unauthorized (attempt 50)");
    let kept: i64 = server
        .state
        .store
        .call(|c| Ok(c.query_row("SELECT COUNT(*) FROM issue_occurrences", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(kept, 50, "older occurrences are pruned, not just hidden");
    server.stop().await;
}

#[tokio::test]
async fn clear_resolves_it_a_later_raise_reopens_it_and_each_change_is_an_event() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let mut notices = server.state.notices.subscribe();
    let id = raise(&server, &t.tenant_id, autotask("401 Unauthorized")).await;
    let notice = notices.recv().await.unwrap();
    assert_eq!((notice.topic, notice.tenant_id.as_str()), (Topic::Issues, t.tenant_id.as_str()));
    assert_eq!(notice.data["active"], 1, "the notice carries the new counts");

    server.clock.advance_ms(5_000);
    clear_autotask(&server, &t.tenant_id, "connection test passed").await;
    let issue = api.get_json(&format!("/api/v1/issues/{id}")).await["issue"].clone();
    assert_eq!(issue["status"], "resolved");
    assert_eq!(issue["resolution"], "resolved automatically: connection test passed");
    assert_eq!(issue["resolvedAt"], sluice_server::clock::rfc3339(T0 + 5_000));
    assert!(ids(&api.get_json("/api/v1/issues").await).is_empty(), "resolved issues leave the active list");

    server.clock.advance_ms(5_000);
    clear_autotask(&server, &t.tenant_id, "again").await;
    let same = api.get_json(&format!("/api/v1/issues/{id}")).await["issue"].clone();
    assert_eq!(same["resolution"], issue["resolution"], "clearing a resolved issue changes nothing");

    raise(&server, &t.tenant_id, autotask("401 Unauthorized again")).await;
    let reopened = api.get_json(&format!("/api/v1/issues/{id}")).await["issue"].clone();
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["resolution"], Value::Null);
    assert_eq!(reopened["resolvedAt"], Value::Null);
    assert_eq!(reopened["occurrences"], 2, "the same row keeps counting");
    assert_eq!(ids(&api.get_json("/api/v1/issues").await), vec![id.clone()]);

    let outbox = server.state.store.clone();
    let tenant = t.tenant_id.clone();
    let all = outbox.call(move |c| events::recent(c, &tenant, None, 10)).await.unwrap();
    let types: Vec<_> = all.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(
        types,
        vec!["issue.opened", "issue.resolved", "issue.opened"],
        "newest first; no event for a no-op clear"
    );
    assert!(all.iter().all(|e| e.id.starts_with("evt_") && e.data["id"] == id.as_str()));
    assert_eq!(all[1].data["resolution"], "resolved automatically: connection test passed");
    server.stop().await;
}

#[tokio::test]
async fn a_dismissed_issue_stays_out_of_the_list_until_it_happens_again() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let console = server.session_client("admin@acme.test").await;
    let id = raise(&server, &t.tenant_id, autotask("401 Unauthorized")).await;

    let res = console.post(&format!("/api/v1/issues/{id}/dismiss"), json!({})).await;
    assert_eq!(res.status(), 200);
    let dismissed: Value = res.json().await.unwrap();
    assert_eq!(dismissed["status"], "dismissed");
    assert_eq!(dismissed["dismissedBy"], "admin@acme.test");
    assert!(ids(&console.get_json("/api/v1/issues").await).is_empty());
    assert_eq!(ids(&console.get_json("/api/v1/issues?status=dismissed").await), vec![id.clone()]);

    clear_autotask(&server, &t.tenant_id, "sync ran").await;
    assert_eq!(
        console.get_json(&format!("/api/v1/issues/{id}")).await["issue"]["status"],
        "dismissed",
        "clear leaves closed issues alone"
    );

    server.clock.advance_ms(60_000);
    raise(&server, &t.tenant_id, autotask("401 Unauthorized")).await;
    let page = console.get_json("/api/v1/issues").await;
    assert_eq!(ids(&page), vec![id.clone()], "it happened again after dismissal");
    assert_eq!(page["items"][0]["status"], "open");
    assert_eq!(page["items"][0]["dismissedBy"], Value::Null);
    server.stop().await;
}

#[tokio::test]
async fn filters_pagination_and_counts() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let tid = &t.tenant_id;
    let auth = raise(&server, tid, autotask("BillingCode does not exist or is invalid")).await;
    server.clock.advance_ms(1_000);
    let hook = raise(
        &server,
        tid,
        report(
            WebhookIssue::EndpointFailing,
            "Billing hook",
            Severity::Warning,
            "Endpoint keeps failing",
            "HTTP 503 after 30 s",
        ),
    )
    .await;
    server.clock.advance_ms(1_000);
    let feed = raise(
        &server,
        tid,
        report(
            DistributorIssue::EmptyFeed,
            "Ingram Micro",
            Severity::Error,
            "Empty price feed",
            "0 rows in prices.csv",
        ),
    )
    .await;
    server.clock.advance_ms(1_000);
    let gone = raise(
        &server,
        tid,
        report(DistributorIssue::Stale, "TD Synnex", Severity::Warning, "Prices are stale", "last sync 3 days ago"),
    )
    .await;
    issues::clear(
        &server.state,
        tid,
        Key::new(DistributorIssue::Stale, "td synnex"),
        Resolution::automatic("sync finished"),
    )
    .await
    .unwrap();

    let api = server.key_client(&t.api_key);
    assert_eq!(
        ids(&api.get_json("/api/v1/issues").await),
        vec![feed.clone(), hook.clone(), auth.clone()],
        "active, newest first"
    );
    assert_eq!(ids(&api.get_json("/api/v1/issues?area=webhooks").await), vec![hook.clone()]);
    assert_eq!(ids(&api.get_json("/api/v1/issues?severity=error").await), vec![feed.clone(), auth.clone()]);
    assert_eq!(ids(&api.get_json("/api/v1/issues?q=BILLINGCODE").await), vec![auth.clone()], "message, any case");
    assert_eq!(ids(&api.get_json("/api/v1/issues?q=ingram").await), vec![feed.clone()], "entity name");
    assert_eq!(ids(&api.get_json("/api/v1/issues?q=keeps%20failing").await), vec![hook.clone()], "title");
    assert!(ids(&api.get_json("/api/v1/issues?q=%25").await).is_empty(), "% is a character, not a wildcard");
    assert!(ids(&api.get_json("/api/v1/issues?q=%22rows").await).is_empty(), "a quote is a character too");
    assert_eq!(ids(&api.get_json("/api/v1/issues?q=0%20r").await), vec![feed.clone()], "short text still matches");
    assert_eq!(ids(&api.get_json("/api/v1/issues?status=resolved").await), vec![gone.clone()]);
    assert_eq!(
        ids(&api.get_json("/api/v1/issues?status=all&area=distributors").await),
        vec![gone.clone(), feed.clone()]
    );
    assert!(ids(&api.get_json("/api/v1/issues?status=open&area=distributors&severity=warning").await).is_empty());

    let first = api.get_json("/api/v1/issues?status=all&limit=3").await;
    assert_eq!(ids(&first), vec![gone.clone(), feed.clone(), hook.clone()]);
    let cursor = first["nextCursor"].as_str().expect("a next page");
    let second = api.get_json(&format!("/api/v1/issues?status=all&limit=3&cursor={cursor}")).await;
    assert_eq!(ids(&second), vec![auth.clone()]);
    assert_eq!(second["nextCursor"], Value::Null);
    // The search follows the latest message: the old text no longer finds the issue.
    raise(
        &server,
        tid,
        report(DistributorIssue::EmptyFeed, "Ingram Micro", Severity::Error, "Empty price feed", "HTTP 404 on feed"),
    )
    .await;
    assert_eq!(ids(&api.get_json("/api/v1/issues?q=http%20404").await), vec![feed.clone()], "the new message");
    assert!(ids(&api.get_json("/api/v1/issues?q=prices.csv").await).is_empty(), "not the old one");

    let counts = api.get_json("/api/v1/issues/counts").await;
    assert_eq!(counts["active"], 3);
    assert_eq!(counts["byArea"], json!({"integrations": 1, "webhooks": 1, "distributors": 1, "api_usage": 0}));
    assert_eq!(counts["byStatus"], json!({"open": 3, "acknowledged": 0, "resolved": 1, "dismissed": 0}));
    server.stop().await;
}

#[tokio::test]
async fn bad_filters_and_unknown_ids_answer_the_error_body() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let body = expect_error(api.get("/api/v1/issues?status=broken").await, 400, "validation_failed").await;
    assert!(body["error"]["fields"]["status"].as_str().unwrap().contains("active, open"), "{body}");
    let body =
        expect_error(api.get("/api/v1/issues?area=crm&severity=fatal&limit=0").await, 400, "validation_failed").await;
    let fields = body["error"]["fields"].as_object().unwrap();
    assert_eq!(fields.keys().collect::<Vec<_>>(), vec!["area", "limit", "severity"], "every bad field at once: {body}");
    expect_error(api.get("/api/v1/issues?cursor=not-a-cursor").await, 400, "validation_failed").await;
    expect_error(api.get("/api/v1/issues/iss_nope").await, 404, "not_found").await;
    expect_error(api.post("/api/v1/issues/iss_nope/acknowledge", json!({})).await, 404, "not_found").await;
    expect_error(api.post("/api/v1/issues/iss_nope/retry", json!({})).await, 404, "not_found").await;
    let doc: Value = reqwest::get(server.url("/api/openapi.json")).await.unwrap().json().await.unwrap();
    for path in ["/api/v1/issues", "/api/v1/issues/counts", "/api/v1/issues/bulk", "/api/v1/issues/{id}/retry"] {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    server.stop().await;
}

#[tokio::test]
async fn another_tenants_issue_is_not_found() {
    let server = TestServer::start().await;
    let a = server.tenant("A", "a@a.test").await;
    let b = server.tenant("B", "b@b.test").await;
    let id = raise(&server, &a.tenant_id, autotask("401 Unauthorized")).await;
    let other = server.key_client(&b.api_key);
    expect_error(other.get(&format!("/api/v1/issues/{id}")).await, 404, "not_found").await;
    for action in ["acknowledge", "dismiss", "retry"] {
        expect_error(other.post(&format!("/api/v1/issues/{id}/{action}"), json!({})).await, 404, "not_found").await;
    }
    let bulk = other
        .post("/api/v1/issues/bulk", json!({"action": "dismiss", "ids": [id]}))
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(bulk["results"][0]["error"]["code"], "not_found");
    assert!(ids(&other.get_json("/api/v1/issues?status=all").await).is_empty());
    assert_eq!(other.get_json("/api/v1/issues/counts").await["active"], 0);
    let mine = server.key_client(&a.api_key).get_json(&format!("/api/v1/issues/{id}")).await;
    assert_eq!(mine["issue"]["status"], "open", "B's attempts changed nothing");
    server.stop().await;
}
