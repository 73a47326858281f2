//! `--demo`'s integrations go through the real code paths under the SSRF guard (only the fakes'
//! exact addresses exempted), with Apollo.io's key expiring in 2 days and Autotask's usage
//! climbing run after run; without the exemption, a loopback base URL is refused by field.
//! The stream tells open consoles when an integration changes.

mod common;

use common::providers::{self, Fakes};
use common::{expect_error, TestServer};
use std::time::Duration;

#[tokio::test]
async fn the_demo_configures_all_four_through_the_guard_with_the_apollo_key_expiring_in_2_days() {
    // No --allow-private-targets: the demo's exemption is all that lets the fakes through.
    let server = TestServer::start().await;
    let t = server.tenant("Demo", "admin@demo.test").await;
    sluice_server::integrations::demo::start(&server.state, &t.tenant_id).await.unwrap();
    let api = server.key_client(&t.api_key);
    let list = api.get_json("/api/v1/integrations").await;
    let items = list["items"].as_array().unwrap();
    let statuses: Vec<(&str, &str)> =
        items.iter().map(|i| (i["provider"].as_str().unwrap(), i["status"].as_str().unwrap())).collect();
    assert_eq!(
        statuses,
        [("autotask", "connected"), ("hubspot", "connected"), ("salesforce", "connected"), ("apollo", "expiring")],
        "{list}"
    );
    assert_eq!(items[3]["statusLabel"], "Expiring in 2 days");
    let d = api.get_json("/api/v1/integrations/autotask").await;
    let cadences: Vec<u64> =
        d["syncs"].as_array().unwrap().iter().map(|s| s["cadenceMinutes"].as_u64().unwrap()).collect();
    assert_eq!(cadences, [2, 1], "saved through the projection");
    assert_eq!(d["summary"]["usage"]["source"], "provider");
    // The first runs were started: records arrive by sync, not by hand.
    let salesforce = finished_run(&api, "salesforce", "accounts", 0).await;
    assert_eq!(salesforce["recordsRead"], sluice_server::integrations::demo::CRM_RECORDS);

    // Autotask's usage climbs: each minute the catalogue sync runs again on its cadence, and
    // Autotask's own count (ThresholdInformation) grows by its calls.
    let first = finished_run(&api, "autotask", "products", 0).await;
    let used = || async {
        let d = api.get_json("/api/v1/integrations/autotask").await;
        assert_eq!(d["summary"]["usage"]["source"], "provider", "{d}");
        d["summary"]["usage"]["used"].as_u64().unwrap()
    };
    let mut last = used().await;
    for minute in 1..=2 {
        server.clock.advance_ms(60_000);
        sluice_server::integrations::syncs::tick(&server.state).await;
        let run = finished_run(&api, "autotask", "products", minute).await;
        assert_ne!(run["id"], first["id"]);
        let now = used().await;
        assert!(now >= last + 120, "minute {minute}: {last} → {now} calls: a catalogue run is 120 calls");
        last = now;
    }
    server.stop().await;
}

/// Waits (bounded) until `sync` has `earlier + 1` finished runs; answers the newest.
async fn finished_run(api: &common::Api, provider: &str, sync: &str, earlier: usize) -> serde_json::Value {
    for _ in 0..600 {
        let runs = api.get_json(&format!("/api/v1/integrations/{provider}/runs?sync={sync}")).await;
        let items = runs["items"].as_array().unwrap();
        let done = items.iter().filter(|r| r["outcome"] != "running").count();
        if done > earlier && items[0]["outcome"] != "running" {
            assert_eq!(items[0]["outcome"], "succeeded", "{runs}");
            return items[0].clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the demo's {provider} {sync} sync did not finish run {}", earlier + 1);
}

#[tokio::test]
async fn without_the_flag_a_loopback_base_url_is_refused_naming_the_field() {
    let server = TestServer::start().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(1).await;
    let res = api.put("/api/v1/integrations/apollo/credentials", fakes.credentials("apollo")).await;
    let body = expect_error(res, 400, "validation_failed").await;
    assert!(body["error"]["fields"]["fields.baseUrl"].as_str().unwrap().contains("loopback"), "{body}");
    assert_eq!(fakes.apollo.control.calls(), 0, "not one call went out");
}

#[tokio::test]
async fn the_stream_carries_an_integrations_event_when_one_changes() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(1).await;
    let mut res = api.get("/api/v1/stream?topics=integrations").await;
    assert_eq!(res.status(), 200);
    providers::save(&api, "apollo", fakes.credentials("apollo")).await;
    let mut seen = String::new();
    let found = tokio::time::timeout(Duration::from_secs(5), async {
        while let Ok(Some(chunk)) = res.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains("event: integrations") && seen.contains(r#"{"provider":"apollo"}"#) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(found, Ok(true), "{seen}");
}

#[tokio::test]
async fn a_fake_can_be_steered_over_http_for_e2e_journeys() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(1).await;
    providers::save(&api, "apollo", fakes.credentials("apollo")).await;
    let steer = |body: serde_json::Value| {
        let url = format!("{}/__fake/control", fakes.apollo.base_url());
        async move { reqwest::Client::new().post(url).json(&body).send().await.unwrap().status().as_u16() }
    };
    // The key is rotated at Apollo.io: the saved one is refused, an issue links to the form.
    assert_eq!(steer(serde_json::json!({ "action": "rotate", "value": "apollo-new-key-2027-0000" })).await, 204);
    assert_eq!(providers::test(&api, "apollo").await["ok"], false);
    let mut body = fakes.credentials("apollo");
    body["fields"]["apiKey"] = "apollo-new-key-2027-0000".into();
    assert_eq!(providers::save(&api, "apollo", body).await["saved"], true, "the new key passes and is saved");
    // A sticky fault, and heal through the same route.
    assert_eq!(steer(serde_json::json!({ "action": "server_error" })).await, 204);
    assert_eq!(providers::test(&api, "apollo").await["ok"], false);
    assert_eq!(steer(serde_json::json!({ "action": "heal" })).await, 204);
    assert_eq!(providers::test(&api, "apollo").await["ok"], true);
    assert_eq!(steer(serde_json::json!({ "action": "limit", "value": "5" })).await, 400, "Apollo has no such knob");
}

#[tokio::test]
async fn a_run_in_progress_reports_its_records_and_calls_on_the_stream_and_in_its_row() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(10_000).await;
    providers::save(&api, "autotask", fakes.credentials("autotask")).await;
    let mut stream = api.get("/api/v1/stream?topics=integrations").await;
    // 20 pages of 500 at 150 ms each: a run of about 3 s.
    fakes.autotask.control.slow_down(Duration::from_millis(150));
    let res = api.post("/api/v1/integrations/autotask/syncs/companies/run", serde_json::json!({})).await;
    let run: serde_json::Value = res.json().await.unwrap();
    let id = run["id"].as_str().unwrap().to_string();
    let mut seen = String::new();
    let progress = tokio::time::timeout(Duration::from_secs(10), async {
        while let Ok(Some(chunk)) = stream.chunk().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            let line = seen.lines().find(|l| l.starts_with("data:") && l.contains(&id));
            if let Some(line) = line {
                return serde_json::from_str::<serde_json::Value>(line.trim_start_matches("data:").trim()).unwrap();
            }
        }
        serde_json::Value::Null
    })
    .await
    .expect("a progress event while the run goes");
    let read = progress["recordsRead"].as_u64().unwrap_or(0);
    assert!(read > 0 && read < 10_000, "{progress}");
    assert!(progress["calls"].as_u64().unwrap_or(0) >= 1, "{progress}");
    assert_eq!(progress["provider"], "autotask");
    // The run's row says as much to whoever fetches it.
    let runs = api.get_json("/api/v1/integrations/autotask/runs?sync=companies").await;
    let row = &runs["items"][0];
    assert_eq!((row["id"].as_str(), row["outcome"].as_str()), (Some(id.as_str()), Some("running")), "{runs}");
    assert!(row["recordsRead"].as_u64().unwrap() >= read, "{runs}");
    assert!(row["durationMs"].as_u64().unwrap() >= 500, "elapsed so far: {runs}");
    // The notice carries what the console shows of it (it moves the run on in place)...
    assert!(progress["durationMs"].as_u64().unwrap_or(0) >= 100, "elapsed so far: {progress}");
    // ...and the integration's own answer lists it first among its recent runs.
    let detail = api.get_json("/api/v1/integrations/autotask").await;
    let recent = detail["recentRuns"].as_array().unwrap();
    assert_eq!((recent[0]["id"].as_str(), recent[0]["outcome"].as_str()), (Some(id.as_str()), Some("running")));
    assert!(recent.len() <= 10, "{detail}");
    fakes.autotask.control.heal();
    server.stop().await;
}
