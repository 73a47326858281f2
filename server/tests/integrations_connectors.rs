//! Each connector against its local fake, over real HTTP on 127.0.0.1: success, 401, 403,
//! 429 with Retry-After (honoured, then a long one holding the syncs back), 5xx, timeout, an
//! HTML page and malformed JSON — each a clear step result with the provider's words.

mod common;

use common::providers::{self, failed_step, Fakes};
use serde_json::Value;
use sluice_server::fakes::Fault;
use std::time::{Duration, Instant};

async fn scenarios(provider: &str, expect_401: &str, expect_403: &str) {
    let server = providers::server().await;
    let t = server.tenant("Acme", "admin@acme.test").await;
    let api = server.key_client(&t.api_key);
    let fakes = Fakes::start(3).await;
    let control = fakes.control(provider);

    // Success: every step passes and the credential is saved.
    let saved = providers::save(&api, provider, fakes.credentials(provider)).await;
    assert_eq!(saved["saved"], true, "{saved}");
    let steps: Vec<&str> =
        saved["test"]["steps"].as_array().unwrap().iter().map(|s| s["outcome"].as_str().unwrap()).collect();
    assert_eq!(steps, ["passed", "passed", "passed"], "{saved}");
    let listed = api.get_json("/api/v1/integrations").await;
    let row = listed["items"].as_array().unwrap().iter().find(|i| i["provider"] == provider).unwrap().clone();
    assert_eq!(row["status"], "connected", "{row}");

    // 401: the provider's own words, and an issue that links to the credential form.
    control.fail_for(Fault::RefuseCredentials, None);
    let r = providers::test(&api, provider).await;
    let (step, _, words) = failed_step(&r);
    assert_eq!(step, "authenticate", "{r}");
    assert!(words.contains(expect_401), "{provider} 401 said {words:?}");
    let issues = api.get_json("/api/v1/issues?area=integrations").await;
    let issue = issues["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["entity"]["id"] == provider && i["kind"] == "auth_failed");
    let issue = issue.unwrap_or_else(|| panic!("no auth_failed issue for {provider}: {issues}"));
    assert_eq!(issue["entity"]["link"], format!("/integrations/{provider}/credentials"));
    control.heal();
    let r = providers::test(&api, provider).await;
    assert_eq!(r["ok"], true, "{r}");
    let issues = api.get_json("/api/v1/issues?area=integrations&status=resolved").await;
    assert!(
        issues["items"].as_array().unwrap().iter().any(|i| i["kind"] == "auth_failed"),
        "cleared by the test: {issues}"
    );

    // 403: a clear failure with the provider's words.
    control.fail_for(Fault::Forbidden, None);
    let r = providers::test(&api, provider).await;
    let (_, detail, words) = failed_step(&r);
    assert!(detail.contains("403") && words.contains(expect_403), "{provider} 403: {detail} / {words}");
    control.heal();

    // 429 with Retry-After: 1: waited out (not undercut), then one more call succeeds.
    control.fail_next(1, Fault::RateLimited { retry_after_secs: 1 });
    let before = control.calls();
    let started = Instant::now();
    let r = providers::test(&api, provider).await;
    assert_eq!(r["ok"], true, "{r}");
    assert!(started.elapsed() >= Duration::from_millis(1_000), "Retry-After honoured: {:?}", started.elapsed());
    let normal = {
        let n = control.calls();
        providers::test(&api, provider).await;
        control.calls() - n
    };
    assert_eq!(control.calls() - before - normal, normal + 1, "exactly one extra call for the 429");

    // A long Retry-After is not slept through: the call fails and the syncs are held back.
    control.fail_for(Fault::RateLimited { retry_after_secs: 120 }, None);
    let r = providers::test(&api, provider).await;
    let (_, detail, _) = failed_step(&r);
    assert!(detail.contains("429"), "{detail}");
    let d = api.get_json(&format!("/api/v1/integrations/{provider}")).await;
    let until = d["syncs"][0]["pausedUntil"].as_u64().unwrap_or_else(|| panic!("syncs held back: {d}"));
    assert!(until >= server.clock_ms() + 100_000, "until the provider's time");
    control.heal();

    // 5xx: answered once (no retry storm on 500), the provider's words kept.
    control.fail_for(Fault::ServerError, None);
    let n = control.calls();
    let r = providers::test(&api, provider).await;
    let (_, detail, _) = failed_step(&r);
    assert!(detail.contains("500"), "{detail}");
    assert_eq!(control.calls() - n, 1, "one call, then the test stops");
    control.heal();

    // Timeout (the client's is 0.7 s).
    control.slow_down(Duration::from_millis(1_500));
    let r = providers::test(&api, provider).await;
    let (step, detail, _) = failed_step(&r);
    assert_eq!(step, "reach", "{r}");
    assert!(detail.contains("no answer within"), "{detail}");
    control.heal();

    // An HTML page and malformed JSON instead of the provider's JSON.
    control.fail_for(Fault::Html, None);
    let (_, detail, _) = failed_step(&providers::test(&api, provider).await);
    assert!(detail.contains("HTML page instead of JSON"), "{detail}");
    control.fail_for(Fault::Malformed, None);
    let (_, detail, _) = failed_step(&providers::test(&api, provider).await);
    assert!(detail.contains("malformed JSON"), "{detail}");
    control.heal();

    // Unreachable: nothing listens there.
    let mut body: Value = fakes.credentials(provider);
    let url_field = if provider == "salesforce" { "loginUrl" } else { "baseUrl" };
    body["fields"][url_field] = "http://127.0.0.1:9".into();
    let saved = providers::save(&api, provider, body).await;
    assert_eq!(saved["saved"], false, "a failing credential does not replace the working one");
    let (step, detail, _) = failed_step(&saved["test"]);
    assert_eq!((step.as_str(), detail.contains("could not reach")), ("reach", true), "{detail}");
    assert_eq!(providers::test(&api, provider).await["ok"], true, "the old credential still works");
    server.stop().await;
}

#[tokio::test]
async fn autotask() {
    scenarios("autotask", "User authentication failed.", "Insufficient permissions").await;
}

#[tokio::test]
async fn hubspot() {
    scenarios("hubspot", "INVALID_AUTHENTICATION: Authentication credentials not found", "MISSING_SCOPES").await;
}

#[tokio::test]
async fn salesforce() {
    scenarios("salesforce", "invalid_grant: expired access/refresh token", "API_DISABLED_FOR_ORG").await;
}

#[tokio::test]
async fn apollo() {
    scenarios("apollo", r#""is_logged_in":false"#, "API_INACCESSIBLE").await;
}
