//! Products across distributors (priority, freshness, ignored prices, batch lookups), and the
//! scheduler's work with an injected clock: cadence, staleness, Retry from Tools > Issues.

mod common;

use common::expect_error;
use common::feeds::{self, create, http_csv, issues_of, sync, HttpFeed, HEADER};
use serde_json::{json, Value};
use sluice_server::distributors::worker;
use std::time::Duration;

const HOUR: u64 = 3_600_000;

fn offers(product: &Value) -> Vec<(String, String, bool, bool)> {
    product["offers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let name = o["distributorName"].as_str().unwrap().to_string();
            (
                name,
                o["costPrice"].as_str().unwrap().to_string(),
                o["winning"].as_bool().unwrap(),
                o["ignored"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn priority_then_freshness_decides_the_winning_price_and_old_prices_are_ignored() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    feed.put("/a.csv", format!("{HEADER}P-1,M1,Cable,10.00,EUR,5\n"));
    feed.put("/b.csv", format!("{HEADER}P-1,M1,Cable,8.00,EUR,5\n"));
    feed.put("/c.csv", format!("{HEADER}P-1,M1,Cable,7.00,EUR,5\n"));
    let a = create(&api, http_csv("Alpha", &feed.url("/a.csv"), 2)).await;
    let mut cheap = http_csv("Beta", &feed.url("/b.csv"), 1);
    cheap["ignoreOlderThanDays"] = json!(2);
    let b = create(&api, cheap).await;
    let c = create(&api, http_csv("Gamma", &feed.url("/c.csv"), 2)).await;
    for id in [&a, &b, &c] {
        assert_eq!(sync(&api, id).await["status"], "succeeded");
    }
    let p = api.get_json("/api/v1/products?q=M1").await;
    assert_eq!(p["items"].as_array().unwrap().len(), 1);
    let o = offers(&p["items"][0]);
    assert_eq!(o[0], ("Beta".into(), "8.00".into(), true, false), "priority 1 wins over cheaper priority 2: {o:?}");

    // Three days on, Beta's price is past its 2-day limit; Alpha refreshed, Gamma did not.
    server.clock.advance_ms(72 * HOUR);
    assert_eq!(sync(&api, &a).await["status"], "succeeded");
    let p = api.get_json("/api/v1/products?q=P-1").await;
    let o = offers(&p["items"][0]);
    assert_eq!(o[0], ("Alpha".into(), "10.00".into(), true, false), "the fresher of equal priority wins: {o:?}");
    assert_eq!(o[1].0, "Gamma");
    assert_eq!(o[2], ("Beta".into(), "8.00".into(), false, true), "ignored, shown last: {o:?}");
    assert_eq!(p["items"][0]["offers"][0]["ageSecs"], 0);

    let res = api.post("/api/v1/products/batch", json!({"skus": ["P-1", "NOPE"]})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["items"][0]["sku"], "P-1");
    assert_eq!(body["notFound"], json!(["NOPE"]));
    let skus: Vec<String> = (0..101).map(|n| format!("S-{n}")).collect();
    let err =
        expect_error(api.post("/api/v1/products/batch", json!({"skus": skus})).await, 400, "validation_failed").await;
    assert!(err["error"]["fields"]["skus"].as_str().unwrap().contains("100"), "{err}");
    let skus: Vec<String> = (0..100).map(|n| format!("S-{n}")).collect();
    assert_eq!(api.post("/api/v1/products/batch", json!({"skus": skus})).await.status(), 200);
    expect_error(api.get("/api/v1/products?q=").await, 400, "validation_failed").await;
    server.stop().await;
}

#[tokio::test]
async fn stale_prices_raise_an_issue_on_the_injected_clock_and_a_good_run_clears_it() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    feed.put("/prices.csv", format!("{HEADER}A-1,M1,Cable,10.00,EUR,5\n"));
    let mut body = http_csv("Ingram", &feed.url("/prices.csv"), 1);
    body["cadenceMinutes"] = json!(10_080);
    body["staleAfterHours"] = json!(24);
    let id = create(&api, body).await;
    assert_eq!(sync(&api, &id).await["status"], "succeeded");

    server.clock.advance_ms(23 * HOUR);
    worker::tick(&server.state).await;
    assert!(issues_of(&api, &id).await.is_empty());
    assert_eq!(api.get_json(&format!("/api/v1/distributors/{id}")).await["stale"], false);

    server.clock.advance_ms(2 * HOUR);
    worker::tick(&server.state).await;
    worker::tick(&server.state).await;
    let d = api.get_json(&format!("/api/v1/distributors/{id}")).await;
    assert_eq!(d["stale"], true);
    let open = issues_of(&api, &id).await;
    assert_eq!(open["stale"]["occurrences"], 1, "raised once, not at every tick");
    assert!(open["stale"]["message"].as_str().unwrap().contains("(25 h ago), past the 24-hour threshold"));

    assert_eq!(sync(&api, &id).await["status"], "succeeded");
    assert_eq!(api.get_json(&format!("/api/v1/distributors/{id}")).await["stale"], false);
    assert!(issues_of(&api, &id).await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn the_cadence_schedules_runs_and_retry_from_issues_runs_the_sync_again() {
    let (server, api) = feeds::server().await;
    let feed = HttpFeed::start().await;
    let mut body = http_csv("Ingram", &feed.url("/prices.csv"), 1);
    body["cadenceMinutes"] = json!(60);
    let id = create(&api, body).await;

    worker::tick(&server.state).await;
    let runs = api.get_json(&format!("/api/v1/distributors/{id}/runs")).await;
    assert!(runs["items"].as_array().unwrap().is_empty(), "not due yet");

    server.clock.advance_ms(HOUR);
    worker::tick(&server.state).await;
    let mut run = Value::Null;
    for _ in 0..200 {
        run = api.get_json(&format!("/api/v1/distributors/{id}/runs")).await["items"][0].clone();
        if run["status"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!((run["trigger"].as_str(), run["status"].as_str()), (Some("schedule"), Some("failed")));
    assert_eq!(run["error"], "404 on /prices.csv");
    let issue = issues_of(&api, &id).await["connection_failed"].clone();
    assert_eq!(issue["canRetry"], true);

    feed.put("/prices.csv", format!("{HEADER}A-1,M1,Cable,10.00,EUR,5\n"));
    // A later start than the scheduled run, so the list's newest-first order is not a tie.
    server.clock.advance_ms(1_000);
    let res = api.post(&format!("/api/v1/issues/{}/retry", issue["id"].as_str().unwrap()), json!({})).await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "resolved", "{body}");
    let runs = api.get_json(&format!("/api/v1/distributors/{id}/runs")).await;
    assert_eq!(
        (runs["items"][0]["trigger"].as_str(), runs["items"][0]["status"].as_str()),
        (Some("retry"), Some("succeeded"))
    );
    let next = api.get_json(&format!("/api/v1/distributors/{id}")).await["nextRunAt"].as_str().unwrap().to_string();
    assert!(next > sluice_server::clock::rfc3339(server.clock_ms()), "the next run is one cadence on");
    server.stop().await;
}
