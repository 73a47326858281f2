//! Expiry transitions with an injected clock (14 days, 3 days, expired — raised and cleared),
//! and usage above 80% of the provider's limit naming the top caller.

mod common;

use common::providers::{self, Fakes};
use common::Api;
use serde_json::{json, Value};
use sluice_server::integrations::syncs;

const DAY: u64 = 86_400_000;

/// The issue of `kind`, active or else resolved.
async fn issue(api: &Api, kind: &str) -> Option<Value> {
    for filter in ["", "&status=resolved"] {
        let page = api.get_json(&format!("/api/v1/issues?area=integrations{filter}")).await;
        if let Some(i) = page["items"].as_array().unwrap().iter().find(|i| i["kind"] == kind) {
            return Some(i.clone());
        }
    }
    None
}

async fn badge(api: &Api, provider: &str) -> (String, String) {
    let d = api.get_json(&format!("/api/v1/integrations/{provider}")).await;
    (d["summary"]["status"].as_str().unwrap().into(), d["summary"]["statusLabel"].as_str().unwrap().into())
}

#[tokio::test]
async fn expiry_warns_at_14_and_3_days_then_expires_and_new_credentials_clear_it() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(3).await;
    // T0 is 2026-11-24; the key expires at the start of 2026-12-14 (20 days on).
    let mut body = fakes.credentials("apollo");
    body["expiresOn"] = "2026-12-14".into();
    let saved = providers::save(&api, "apollo", body).await;
    let expires = saved["credential"]["expiresAt"].as_u64().unwrap();
    assert_eq!(expires, common::T0 + 20 * DAY);
    syncs::tick(&server.state).await;
    assert!(issue(&api, "credential_expiring").await.is_none());
    assert_eq!(badge(&api, "apollo").await.0, "connected");

    server.clock.set_ms(expires - 13 * DAY);
    syncs::tick(&server.state).await;
    let warn = issue(&api, "credential_expiring").await.expect("raised at 14 days");
    assert_eq!((warn["severity"].as_str(), warn["status"].as_str()), (Some("warning"), Some("open")));
    assert_eq!(warn["title"], "Apollo.io credentials expire in 13 days");
    assert_eq!(warn["entity"]["link"], "/integrations/apollo/credentials");
    assert_eq!(badge(&api, "apollo").await, ("expiring".into(), "Expiring in 13 days".into()));

    server.clock.set_ms(expires - 2 * DAY);
    syncs::tick(&server.state).await;
    let alert = issue(&api, "credential_expiring").await.unwrap();
    assert_eq!(
        (alert["severity"].as_str(), alert["title"].as_str()),
        (Some("error"), Some("Apollo.io credentials expire in 2 days"))
    );
    assert_eq!(alert["occurrences"], 2, "the same issue, raised again at 3 days");

    server.clock.set_ms(expires + 1);
    syncs::tick(&server.state).await;
    assert_eq!(issue(&api, "credential_expiring").await.unwrap()["status"], "resolved");
    let expired = issue(&api, "credential_expired").await.expect("raised when expired");
    assert_eq!(expired["status"], "open");
    assert_eq!(badge(&api, "apollo").await, ("credential_expired".into(), "Credentials expired".into()));
    // An expired credential's syncs stay put (the last run is from before the expiry).
    server.clock.advance_ms(2 * 3_600_000);
    syncs::tick(&server.state).await;
    let d = api.get_json("/api/v1/integrations/apollo").await;
    assert!(d["syncs"][0]["lastRun"]["startedAt"].as_u64().unwrap() < expires, "{d}");

    // New credentials with a later date: re-entered, tested, and the issue resolves itself.
    let mut body = fakes.credentials("apollo");
    body["expiresOn"] = "2027-06-30".into();
    providers::save(&api, "apollo", body).await;
    let resolved = issue(&api, "credential_expired").await.unwrap();
    assert_eq!(resolved["status"], "resolved", "{resolved}");
    assert_eq!(badge(&api, "apollo").await.0, "connected");
    server.stop().await;
}

#[tokio::test]
async fn usage_above_80_percent_names_the_top_caller_and_clears_when_it_falls() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(7_600).await;
    // A small database's threshold so the test stays small: 20 calls an hour.
    fakes.autotask.state.set_limit(20);
    providers::save(&api, "autotask", fakes.credentials("autotask")).await;
    // The test at saving spends 2 calls, the catalogue 16 pages of 500, and reading the usage 1:
    // ThresholdInformation counts itself, so it reports 19 of 20.
    let run = providers::run_sync(&api, "autotask", "products").await;
    assert_eq!((run["outcome"].as_str(), run["recordsRead"].as_u64()), (Some("succeeded"), Some(7_600)), "{run}");
    let detail = api.get_json("/api/v1/integrations/autotask").await;
    let usage = issue(&api, "usage_threshold").await.unwrap_or_else(|| panic!("usage issue: {detail}"));
    assert_eq!(usage["severity"], "error");
    assert_eq!(usage["title"], "Autotask API usage at 95% of 20/h");
    assert_eq!(usage["message"], "Autotask API usage at 95% of 20/h — product catalogue sync is the top caller.");
    let d = api.get_json("/api/v1/integrations/autotask").await;
    assert_eq!(d["topCaller"], "Product catalogue sync");
    assert_eq!(d["summary"]["usage"]["used"], 19);
    assert_eq!(d["summary"]["usage"]["source"], "provider");
    let hourly = d["hourlyCalls"].as_array().unwrap();
    assert_eq!(hourly.len(), 168);
    assert_eq!(hourly[167], 20, "every outbound call of this hour counted (zone lookup included)");

    // Pause the top caller from the issue's link; a higher limit (the window drained) clears it.
    let paused = api.patch("/api/v1/integrations/autotask/syncs/products", json!({ "paused": true })).await;
    assert_eq!(paused.status(), 200);
    fakes.autotask.state.set_limit(10_000);
    let retried: Value = api
        .post(&format!("/api/v1/issues/{}/retry", usage["id"].as_str().unwrap()), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(retried["status"], "resolved", "{retried}");
    server.stop().await;
}

#[tokio::test]
async fn one_integration_s_issues_are_listed_through_the_entity_filter_and_on_its_page() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(10).await;
    for p in ["hubspot", "apollo"] {
        providers::save(&api, p, fakes.credentials(p)).await;
        fakes.control(p).fail_for(sluice_server::fakes::Fault::RefuseCredentials, None);
        assert_eq!(providers::test(&api, p).await["ok"], false);
    }
    let all = api.get_json("/api/v1/issues?area=integrations").await;
    assert_eq!(all["items"].as_array().unwrap().len(), 2, "{all}");
    let apollo = api.get_json("/api/v1/issues?area=integrations&entity=apollo").await;
    let items = apollo["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{apollo}");
    assert_eq!((items[0]["entity"]["id"].as_str(), items[0]["kind"].as_str()), (Some("apollo"), Some("auth_failed")));
    // The integration's own page carries the same issue, and only its own, in one answer.
    let detail = api.get_json("/api/v1/integrations/apollo").await;
    let briefs = detail["issues"].as_array().unwrap();
    assert_eq!(briefs.len(), 1, "{detail}");
    assert_eq!((&briefs[0]["id"], briefs[0]["kind"].as_str()), (&items[0]["id"], Some("auth_failed")));
    assert!(briefs[0]["message"].as_str().unwrap().len() > 10, "the provider's own words: {detail}");
    server.stop().await;
}
