//! The local fake providers (`sluice_server::fakes`) and a server set up to reach them, with
//! short timeouts and waits so failure tests stay fast.

use super::{Api, TestServer};
use serde_json::{json, Value};
use sluice_contract::retry::RetryPolicy;
use sluice_server::fakes::{apollo, autotask, hubspot, salesforce};
use sluice_server::integrations::client::OutboundSettings;
use std::time::Duration;

pub struct Fakes {
    pub autotask: autotask::AutotaskFake,
    pub hubspot: hubspot::HubspotFake,
    pub salesforce: salesforce::SalesforceFake,
    pub apollo: apollo::ApolloFake,
}

impl Fakes {
    pub async fn start(records: u64) -> Fakes {
        Fakes {
            autotask: autotask::start(records).await.unwrap(),
            hubspot: hubspot::start(records).await.unwrap(),
            salesforce: salesforce::start(records).await.unwrap(),
            apollo: apollo::start().await.unwrap(),
        }
    }

    pub fn control(&self, provider: &str) -> &sluice_server::fakes::Control {
        match provider {
            "autotask" => &self.autotask.control,
            "hubspot" => &self.hubspot.control,
            "salesforce" => &self.salesforce.control,
            _ => &self.apollo.control,
        }
    }

    /// The credential body that works against this fake.
    pub fn credentials(&self, provider: &str) -> Value {
        match provider {
            "autotask" => json!({ "fields": {
                "username": autotask::USERNAME, "secret": autotask::SECRET,
                "integrationCode": autotask::INTEGRATION_CODE,
                "baseUrl": format!("{}/atservicesrest", self.autotask.base_url()) } }),
            "hubspot" => json!({ "fields": {
                "accessToken": hubspot::PRIVATE_TOKEN, "baseUrl": self.hubspot.base_url() } }),
            "salesforce" => json!({ "fields": {
                "clientId": salesforce::CLIENT_ID, "clientSecret": salesforce::CLIENT_SECRET,
                "refreshToken": salesforce::REFRESH_TOKEN, "loginUrl": self.salesforce.base_url() } }),
            _ => json!({ "fields": { "apiKey": apollo::API_KEY, "baseUrl": self.apollo.base_url() } }),
        }
    }

    /// HubSpot through OAuth (client id, secret, refresh token) instead of a private app token.
    pub fn hubspot_oauth(&self) -> Value {
        json!({ "fields": {
            "clientId": hubspot::CLIENT_ID, "clientSecret": hubspot::CLIENT_SECRET,
            "refreshToken": hubspot::REFRESH_TOKEN, "baseUrl": self.hubspot.base_url() } })
    }

    /// Every secret value the fakes accept: none may ever appear in an API answer.
    pub fn secrets() -> Vec<&'static str> {
        vec![
            autotask::SECRET,
            autotask::INTEGRATION_CODE,
            hubspot::PRIVATE_TOKEN,
            hubspot::CLIENT_SECRET,
            hubspot::REFRESH_TOKEN,
            salesforce::CLIENT_SECRET,
            salesforce::REFRESH_TOKEN,
            apollo::API_KEY,
        ]
    }
}

pub const PROVIDERS: [&str; 4] = ["autotask", "hubspot", "salesforce", "apollo"];

/// Timeouts and waits short enough for tests; Retry-After up to 2 s is waited out in the call.
pub fn fast_settings() -> OutboundSettings {
    OutboundSettings {
        timeout: Duration::from_millis(700),
        policy: RetryPolicy { base_ms: 50, cap_ms: 200, max_retry_after_ms: 5_000, max_retries: 2 },
        max_inline_wait: Duration::from_secs(2),
    }
}

/// A server that may reach the fakes on 127.0.0.1, with fast outbound settings.
pub async fn server() -> TestServer {
    let server = TestServer::with_private_targets().await;
    sluice_server::integrations::Integrations::of(&server.state).outbound.configure(fast_settings());
    server
}

/// Saves `body` as `provider`'s credentials; answers the SaveCredentialResult.
pub async fn save(api: &Api, provider: &str, body: Value) -> Value {
    let res = api.put(&format!("/api/v1/integrations/{provider}/credentials"), body).await;
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

pub async fn test(api: &Api, provider: &str) -> Value {
    let res = api.post(&format!("/api/v1/integrations/{provider}/test"), json!({})).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// The first failed step of a TestResult: (step, detail, providerError).
pub fn failed_step(result: &Value) -> (String, String, String) {
    let step = result["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["outcome"] == "failed")
        .unwrap_or_else(|| panic!("no failed step in {result}"));
    (
        step["step"].as_str().unwrap().to_string(),
        step["detail"].as_str().unwrap().to_string(),
        step["providerError"].as_str().unwrap_or("").to_string(),
    )
}

/// Runs a sync through the API and waits for its outcome (bounded).
pub async fn run_sync(api: &Api, provider: &str, sync: &str) -> Value {
    let res = api.post(&format!("/api/v1/integrations/{provider}/syncs/{sync}/run"), json!({})).await;
    let status = res.status();
    let run: Value = res.json().await.unwrap();
    assert_eq!(status, 202, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    for _ in 0..300 {
        let page = api.get_json(&format!("/api/v1/integrations/{provider}/runs?sync={sync}")).await;
        if let Some(r) = page["items"].as_array().unwrap().iter().find(|r| r["id"] == id.as_str()) {
            if r["outcome"] != "running" {
                return r.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("run {id} did not finish");
}
