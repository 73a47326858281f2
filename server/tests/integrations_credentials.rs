//! Credentials: validation naming fields, test-before-replace and save anyway, sealed at rest
//! (the round trip opens, the database file never holds a secret), no API answer ever carrying
//! a secret, and OAuth access tokens refreshed before they expire.

mod common;

use common::providers::{self, Fakes, PROVIDERS};
use common::{expect_error, Api};
use serde_json::{json, Value};
use sluice_contract::integrations::Provider;
use sluice_server::fakes::hubspot;

#[tokio::test]
async fn bad_input_names_the_field_and_changes_nothing() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let res = api
        .put(
            "/api/v1/integrations/autotask/credentials",
            json!({ "fields": { "username": "x", "baseUrl": "ftp://x" }, "expiresOn": "31/12/2026" }),
        )
        .await;
    let body = expect_error(res, 400, "validation_failed").await;
    for field in ["fields.secret", "fields.integrationCode", "fields.baseUrl", "expiresOn"] {
        assert!(body["error"]["fields"][field].is_string(), "{field} in {body}");
    }
    expect_error(api.put("/api/v1/integrations/zoho/credentials", json!({ "fields": {} })).await, 404, "not_found")
        .await;
    let d = api.get_json("/api/v1/integrations/autotask").await;
    assert_eq!(d["summary"]["status"], "not_configured");
    assert!(d.get("credential").is_none(), "{d}");
    expect_error(api.post("/api/v1/integrations/autotask/test", json!({})).await, 409, "not_configured").await;
}

#[tokio::test]
async fn a_new_credential_replaces_the_old_only_after_its_test_passes_unless_saved_anyway() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(3).await;
    providers::save(&api, "apollo", fakes.credentials("apollo")).await;

    let wrong = json!({ "fields": { "apiKey": "apollo-wrong-key-000000000" } });
    let r = providers::save(&api, "apollo", wrong.clone()).await;
    assert_eq!(r["saved"], false);
    assert_eq!(r["credential"]["fields"][0]["hint"], "…9c3e", "the old credential is still the saved one: {r}");
    assert_eq!(providers::test(&api, "apollo").await["ok"], true, "the old key still works");

    let mut anyway = wrong;
    anyway["saveAnyway"] = true.into();
    let r = providers::save(&api, "apollo", anyway).await;
    assert_eq!((r["saved"].clone(), r["test"]["ok"].clone()), (json!(true), json!(false)), "{r}");
    assert_eq!(r["credential"]["fields"][0]["hint"], "…0000");
    assert_eq!(providers::test(&api, "apollo").await["ok"], false, "now the wrong key is in use");

    // An empty secret keeps the stored one; the base URL (not secret) is shown.
    let keep = json!({ "fields": { "apiKey": "", "baseUrl": fakes.apollo.base_url() }, "saveAnyway": true });
    let r = providers::save(&api, "apollo", keep).await;
    assert_eq!(r["credential"]["fields"][0]["hint"], "…0000", "{r}");
    assert_eq!(r["credential"]["fields"][1]["value"], fakes.apollo.base_url());
}

async fn walk(api: &Api, paths: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    for path in paths {
        let res = api.get(path).await;
        seen.push(format!("{path} {}", res.text().await.unwrap()));
    }
    seen
}

#[tokio::test]
async fn no_answer_of_the_area_ever_carries_a_secret_and_the_file_holds_only_ciphertext() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(25).await;
    let mut answers = Vec::new();
    for p in PROVIDERS {
        let mut body = fakes.credentials(p);
        body["expiresOn"] = "2027-01-31".into();
        let res = api.put(&format!("/api/v1/integrations/{p}/credentials"), body).await;
        answers.push(res.text().await.unwrap());
        answers.push(api.post(&format!("/api/v1/integrations/{p}/test"), json!({})).await.text().await.unwrap());
    }
    // OAuth too, and a failing test whose error text is the provider's.
    answers
        .push(api.put("/api/v1/integrations/hubspot/credentials", fakes.hubspot_oauth()).await.text().await.unwrap());
    fakes.hubspot.control.revoke_tokens();
    answers.push(api.post("/api/v1/integrations/hubspot/test", json!({})).await.text().await.unwrap());
    for p in PROVIDERS {
        let sync = sluice_contract::integrations::syncs_of(Provider::parse(p).unwrap())[0].0;
        answers.push(providers::run_sync(&api, p, sync).await.to_string());
    }
    let mut paths = vec!["/api/v1/integrations".to_string(), "/api/v1/issues".to_string()];
    for p in PROVIDERS {
        paths.push(format!("/api/v1/integrations/{p}"));
        paths.push(format!("/api/v1/integrations/{p}/runs"));
    }
    answers.extend(walk(&api, &paths).await);
    for secret in Fakes::secrets() {
        for answer in &answers {
            assert!(!answer.contains(secret), "{secret} appeared in {answer}");
        }
    }
    let detail: Value = api.get_json("/api/v1/integrations/hubspot").await;
    let fields = &detail["credential"]["fields"];
    assert!(fields
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f.get("value").is_none() || f["name"] == "clientId" || f["name"] == "baseUrl"));

    // Sealed at rest: the round trip opens, and neither the database nor its WAL holds a secret.
    let row = sluice_server::store::integrations::get(
        &rusqlite::Connection::open(server.dir.path().join("sluice.db")).unwrap(),
        &t.tenant_id,
        "apollo",
    )
    .unwrap()
    .unwrap();
    let opened = sluice_server::integrations::credentials::fields(&server.state, &row).await.unwrap().unwrap();
    assert_eq!(opened["apiKey"], sluice_server::fakes::apollo::API_KEY);
    for file in ["sluice.db", "sluice.db-wal"] {
        let bytes = std::fs::read(server.dir.path().join(file)).unwrap_or_default();
        for secret in Fakes::secrets() {
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{secret} in {file}");
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn oauth_access_tokens_are_refreshed_before_they_expire_and_once_on_a_401() {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(150).await;
    let saved = providers::save(&api, "hubspot", fakes.hubspot_oauth()).await;
    assert_eq!(saved["saved"], true, "{saved}");
    let grants = fakes.hubspot.control.grants();
    let expires = saved["credential"]["tokenExpiresAt"].as_u64().expect("tokenExpiresAt");
    assert_eq!(expires, server.clock_ms() + hubspot_expiry_ms());

    // Well before expiry the token is reused.
    assert_eq!(providers::run_sync(&api, "hubspot", "companies").await["outcome"], "succeeded");
    assert_eq!(fakes.hubspot.control.grants(), grants, "no refresh while the token is fresh");

    // 26 minutes on (4 left, under the 5-minute margin): refreshed before the call, never a 401.
    server.clock.advance_ms(26 * 60_000);
    let run = providers::run_sync(&api, "hubspot", "companies").await;
    assert_eq!(run["outcome"], "succeeded", "{run}");
    assert_eq!(fakes.hubspot.control.grants(), grants + 1, "refreshed before it expired");
    assert_eq!(run["calls"], 3, "one grant and two pages: no refused call");
    let d = api.get_json("/api/v1/integrations/hubspot").await;
    assert_eq!(d["credential"]["tokenExpiresAt"], server.clock_ms() + hubspot_expiry_ms());

    // With no sync due, the worker's usage read renews the token before it expires.
    server.clock.advance_ms(26 * 60_000);
    sluice_server::integrations::syncs::tick(&server.state).await;
    for _ in 0..100 {
        if fakes.hubspot.control.grants() == grants + 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(fakes.hubspot.control.grants(), grants + 2, "refreshed by the worker, no sync needed");

    // The provider expires the token early: one 401, one refresh, the call again.
    fakes.hubspot.control.expire_tokens();
    let run = providers::run_sync(&api, "hubspot", "companies").await;
    assert_eq!(run["outcome"], "succeeded", "{run}");
    assert_eq!(fakes.hubspot.control.grants(), grants + 3);

    // Salesforce does not say when its session ends: a 401 refreshes it once.
    providers::save(&api, "salesforce", fakes.credentials("salesforce")).await;
    let sf = fakes.salesforce.control.grants();
    fakes.salesforce.control.expire_tokens();
    assert_eq!(providers::run_sync(&api, "salesforce", "accounts").await["outcome"], "succeeded");
    assert_eq!(fakes.salesforce.control.grants(), sf + 1);
    let _ = hubspot::REFRESH_TOKEN;
    server.stop().await;
}

fn hubspot_expiry_ms() -> u64 {
    1_800_000
}
