//! Syncs doing real work against the fakes: every provider's records paged into the store with
//! every call counted; Apollo.io enriching what the CRMs brought; a cadence over the provider's
//! limit refused with 409 unless confirmed; pause stops the calls at once; a provider 429 holds
//! the integration's syncs back until its Retry-After.

mod common;

use common::expect_error;
use common::providers::{self, Fakes};
use serde_json::json;
use sluice_server::fakes::Fault;
use sluice_server::integrations::syncs;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn stored(server: &common::TestServer, tenant: &str, provider: &str, kind: &str) -> u64 {
    let conn = rusqlite::Connection::open(server.dir.path().join("sluice.db")).unwrap();
    sluice_server::store::integrations::count_records(&conn, tenant, provider, kind).unwrap()
}

#[tokio::test]
async fn each_provider_s_records_are_paged_into_the_store_with_every_call_counted() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(1_234).await;
    for p in ["autotask", "hubspot", "salesforce", "apollo"] {
        providers::save(&api, p, fakes.credentials(p)).await;
    }
    // (provider, sync, kind stored, calls: pages of 500 / 100 / 2000)
    for (p, sync, kind, calls) in [
        ("autotask", "companies", "company", 3),
        ("hubspot", "contacts", "contact", 13),
        ("salesforce", "accounts", "account", 1),
    ] {
        let before = fakes.control(p).calls();
        let run = providers::run_sync(&api, p, sync).await;
        assert_eq!(run["outcome"], "succeeded", "{run}");
        assert_eq!(run["recordsRead"], 1_234, "{p}");
        assert_eq!(run["calls"], calls, "{p}: {run}");
        // The fake saw exactly the calls counted, and one more: the usage read after the run.
        assert_eq!(fakes.control(p).calls() - before, calls + 1, "{p}");
        assert_eq!(stored(&server, &t.tenant_id, p, kind), 1_234);
    }
    // Enrichment: the distinct company domains the CRMs brought, ten per call; every fifth
    // company is small or new and unknown to Apollo.io, which is not an error.
    let run = providers::run_sync(&api, "apollo", "enrichment").await;
    assert_eq!(run["outcome"], "succeeded", "{run}");
    assert_eq!(run["calls"], 124, "1,234 domains / 10");
    assert_eq!(run["recordsRead"], 1_234 - 1_234 / 5);
    let d = api.get_json("/api/v1/integrations/apollo").await;
    assert_eq!(d["summary"]["usage"]["used"], 125, "Apollo's own day count from its headers: {d}");
    assert_eq!(d["syncs"][0]["callsPerRun"], 124, "measured from the run");
    let runs = api.get_json("/api/v1/integrations/hubspot/runs?limit=1").await;
    assert_eq!(runs["items"].as_array().unwrap().len(), 1);
    expect_error(api.get("/api/v1/integrations/hubspot/runs?sync=orders").await, 400, "validation_failed").await;
    server.stop().await;
}

#[tokio::test]
async fn a_cadence_over_the_provider_s_limit_is_refused_unless_confirmed() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(10).await;
    fakes.autotask.state.set_limit(1_000);
    providers::save(&api, "autotask", fakes.credentials("autotask")).await;
    // Estimates before any run: 40 calls per product run, 20 per company run, hourly each.
    let over = api.patch("/api/v1/integrations/autotask/syncs/products", json!({ "cadenceMinutes": 2 })).await;
    let body = expect_error(over, 409, "over_provider_limit").await;
    assert_eq!(
        body["error"]["message"],
        "This schedule uses 120% of Autotask's 1,000 calls per hour; with the company sync, 122%. That is over Autotask's limit: confirm to save it anyway."
    );
    let d = api.get_json("/api/v1/integrations/autotask").await;
    assert_eq!(d["syncs"][1]["cadenceMinutes"], 60, "nothing saved");
    let ok = api.patch("/api/v1/integrations/autotask/syncs/products", json!({ "cadenceMinutes": 5 })).await;
    assert_eq!(ok.status(), 200, "48% + 2% is within the limit");
    let confirmed = api
        .patch("/api/v1/integrations/autotask/syncs/products", json!({ "cadenceMinutes": 2, "confirmOverLimit": true }))
        .await;
    assert_eq!(confirmed.status(), 200);
    let bad = api.patch("/api/v1/integrations/autotask/syncs/products", json!({ "cadenceMinutes": 0 })).await;
    let body = expect_error(bad, 400, "validation_failed").await;
    assert!(body["error"]["fields"]["cadenceMinutes"].is_string());
    expect_error(
        api.patch("/api/v1/integrations/autotask/syncs/orders", json!({ "paused": true })).await,
        404,
        "not_found",
    )
    .await;
    server.stop().await;
}

#[tokio::test]
async fn pausing_stops_a_running_sync_s_calls_at_once() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(100_000).await;
    providers::save(&api, "hubspot", fakes.credentials("hubspot")).await;
    fakes.hubspot.control.slow_down(Duration::from_millis(100));
    let res = api.post("/api/v1/integrations/hubspot/syncs/companies/run", json!({})).await;
    assert_eq!(res.status(), 202);
    tokio::time::sleep(Duration::from_millis(450)).await;
    let paused = api.patch("/api/v1/integrations/hubspot/syncs/companies", json!({ "paused": true })).await;
    assert_eq!(paused.status(), 200);
    // The call in flight may finish; none starts after it.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let after_pause = fakes.hubspot.control.calls();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fakes.hubspot.control.calls(), after_pause, "no call after the pause");
    let runs = api.get_json("/api/v1/integrations/hubspot/runs").await;
    let run = &runs["items"][0];
    assert_eq!(run["outcome"], "failed");
    assert!(run["error"].as_str().unwrap().contains("paused"), "{run}");
    assert!(run["recordsRead"].as_u64().unwrap() < 1_000, "{run}");
    let d = api.get_json("/api/v1/integrations/hubspot").await;
    assert_eq!(d["summary"]["pausedSyncs"], 1);
    // A paused sync is never started by the schedule.
    server.clock.advance_ms(2 * 3_600_000);
    syncs::tick(&server.state).await;
    let runs = api.get_json("/api/v1/integrations/hubspot/runs?sync=companies").await;
    assert_eq!(runs["items"].as_array().unwrap().len(), 1, "{runs}");
    server.stop().await;
}

#[tokio::test]
async fn a_provider_429_holds_the_integration_s_syncs_back_until_its_retry_after() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(2_000).await;
    providers::save(&api, "salesforce", fakes.credentials("salesforce")).await;
    // Two hours: longer than the sync's hourly cadence.
    fakes.salesforce.control.fail_for(Fault::RateLimited { retry_after_secs: 7_200 }, None);
    let before = fakes.salesforce.control.calls();
    let run = providers::run_sync(&api, "salesforce", "accounts").await;
    assert_eq!(run["outcome"], "failed");
    assert_eq!(fakes.salesforce.control.calls() - before, 1, "one refused call, no retry storm");
    let d = api.get_json("/api/v1/integrations/salesforce").await;
    let until = d["syncs"][0]["pausedUntil"].as_u64().expect("held back");
    assert_eq!(until, server.clock_ms() + 7_200_000);
    let next = d["syncs"][0]["nextRunAt"].as_u64().unwrap();
    assert!(next < until);
    // Due, but held back: the schedule does not call.
    fakes.salesforce.control.heal();
    let n = fakes.salesforce.control.calls();
    server.clock.set_ms(next);
    syncs::tick(&server.state).await;
    server.clock.set_ms(until - 1);
    syncs::tick(&server.state).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(fakes.salesforce.control.calls(), n, "nothing before the provider's time");
    server.clock.set_ms(until + 1);
    syncs::tick(&server.state).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(fakes.salesforce.control.calls() > n, "resumed after it");
    server.stop().await;
}

#[tokio::test]
async fn hubspot_s_daily_limit_holds_the_syncs_until_midnight_and_salesforce_s_403_for_an_hour() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(1_000).await;
    providers::save(&api, "hubspot", fakes.credentials("hubspot")).await;
    // Saving spent 2 of the day's calls; the sync gets 3 pages, then HubSpot's DAILY 429.
    fakes.hubspot.state.daily_limit.store(5, std::sync::atomic::Ordering::SeqCst);
    let before = fakes.hubspot.control.calls();
    let run = providers::run_sync(&api, "hubspot", "companies").await;
    assert_eq!(run["outcome"], "failed");
    assert!(run["error"].as_str().unwrap().contains("You have reached your daily limit."), "{run}");
    assert_eq!(fakes.hubspot.control.calls() - before, 4, "three pages and one refused call: no retries");
    let d = api.get_json("/api/v1/integrations/hubspot").await;
    let midnight = (server.clock_ms() / 86_400_000 + 1) * 86_400_000;
    assert_eq!(d["syncs"][0]["pausedUntil"], midnight, "{d}");

    providers::save(&api, "salesforce", fakes.credentials("salesforce")).await;
    fakes.salesforce.state.daily_max.store(1, std::sync::atomic::Ordering::SeqCst);
    let run = providers::run_sync(&api, "salesforce", "accounts").await;
    assert!(run["error"].as_str().unwrap().contains("REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."), "{run}");
    let d = api.get_json("/api/v1/integrations/salesforce").await;
    assert_eq!(d["syncs"][0]["pausedUntil"], server.clock_ms() + 3_600_000, "{d}");
    server.stop().await;
}

#[tokio::test]
async fn hubspot_s_daily_count_resets_at_midnight_in_the_account_s_zone() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(1_000).await;
    // An account in New York (UTC-5 in November): its day starts at 05:00 UTC.
    let clock: sluice_server::clock::SharedClock = server.clock.clone();
    fakes.hubspot.state.use_clock(clock);
    fakes.hubspot.state.zone_offset_minutes.store(-300, Ordering::SeqCst);
    let account_midnight = fakes.hubspot.state.resets_at();
    let utc_midnight = (server.clock_ms() / 86_400_000 + 1) * 86_400_000;
    assert_ne!(account_midnight, utc_midnight);
    providers::save(&api, "hubspot", fakes.credentials("hubspot")).await;
    let run = providers::run_sync(&api, "hubspot", "companies").await;
    assert_eq!(run["outcome"], "succeeded", "{run}");
    // The meter is HubSpot's own count and limit, with its reset time.
    let usage = api.get_json("/api/v1/integrations/hubspot").await["summary"]["usage"].clone();
    assert_eq!(usage["used"], fakes.hubspot.state.daily_used(), "{usage}");
    assert_eq!(usage["limit"], 250_000);
    assert_eq!(usage["window"], "daily_account_midnight", "{usage}");
    assert_eq!(usage["resetsAt"], account_midnight, "{usage}");

    // The day's calls run out: the syncs wait for the account's midnight, not UTC's.
    let used = fakes.hubspot.state.daily_used();
    fakes.hubspot.state.daily_limit.store(used + 2, Ordering::SeqCst);
    let run = providers::run_sync(&api, "hubspot", "contacts").await;
    assert_eq!(run["outcome"], "failed");
    assert!(run["error"].as_str().unwrap().contains("You have reached your daily limit."), "{run}");
    let d = api.get_json("/api/v1/integrations/hubspot").await;
    assert_eq!(d["syncs"][0]["pausedUntil"], account_midnight, "{d}");
    server.stop().await;
}

#[tokio::test]
async fn apollo_enrichment_asks_only_about_companies_not_enriched_lately() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(300).await;
    providers::save(&api, "hubspot", fakes.credentials("hubspot")).await;
    providers::save(&api, "apollo", fakes.credentials("apollo")).await;
    assert_eq!(providers::run_sync(&api, "hubspot", "companies").await["outcome"], "succeeded");
    let enrich = || async {
        let before = fakes.apollo.control.calls();
        let run = providers::run_sync(&api, "apollo", "enrichment").await;
        assert_eq!(run["outcome"], "succeeded", "{run}");
        (run["calls"].as_u64().unwrap(), fakes.apollo.control.calls() - before, run["recordsRead"].as_u64().unwrap())
    };
    // First run: every company, ten per call (every fifth is unknown to Apollo.io).
    assert_eq!(enrich().await, (30, 30, 240));
    // The same companies again: nothing to ask, no credit spent.
    assert_eq!(enrich().await, (0, 0, 0), "an unchanged set is not enriched again");
    // Fifty new companies: only they are asked about.
    fakes.hubspot.control.set_records(350);
    assert_eq!(providers::run_sync(&api, "hubspot", "companies").await["outcome"], "succeeded");
    assert_eq!(enrich().await, (5, 5, 40));
    // A month on, the old enrichment is stale: every company is asked about once more.
    server.clock.advance_ms(sluice_server::integrations::connectors::apollo::ENRICH_AGAIN_AFTER_MS + 1);
    assert_eq!(enrich().await, (35, 35, 280));
    server.stop().await;
}
