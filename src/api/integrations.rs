//! `/api/v1/integrations`: providers, their write-only credentials, Test connection, usage and
//! syncs. One function per route, all through [`send`].

use super::transport::{self, EventStream};
use super::{send, ApiError, ApiRequest, CancelToken};
use sluice_contract::integrations::{
    CredentialInput, IntegrationDetail, IntegrationPatch, IntegrationSummary, Provider, SaveCredentialResult, SyncInfo,
    SyncPatch, SyncRun, TestResult,
};
use sluice_contract::{Page, API_BASE};
use std::rc::Rc;

/// What the `integrations` topic of the live stream carries: which integration changed, or how
/// far a run in progress has got.
#[derive(Clone, Debug, Default, PartialEq, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntegrationsChanged {
    pub provider: Option<Provider>,
    /// Set when only a run's progress changed, with its counts so far: nothing else changed.
    pub run: Option<String>,
    #[serde(default)]
    pub records_read: u64,
    #[serde(default)]
    pub calls: u32,
    #[serde(default)]
    pub duration_ms: u64,
}

fn root(provider: Provider) -> String {
    format!("/integrations/{}", provider.as_str())
}

/// All four providers, in the server's order.
pub async fn list(cancel: CancelToken) -> Result<Page<IntegrationSummary>, ApiError> {
    send(ApiRequest::get("/integrations", "Load integrations").cancel_with(cancel)).await
}

pub async fn get(provider: Provider, cancel: CancelToken) -> Result<IntegrationDetail, ApiError> {
    send(ApiRequest::get(root(provider), "Load the integration").cancel_with(cancel)).await
}

/// Tests the new credential first; it is stored only if the test passed or `save_anyway`.
pub async fn save_credentials(
    provider: Provider,
    input: &CredentialInput,
    idempotency_key: &str,
) -> Result<SaveCredentialResult, ApiError> {
    let path = format!("{}/credentials", root(provider));
    send(ApiRequest::put(path, input, "Save credentials").idempotent(idempotency_key)).await
}

/// Tests the stored credential, step by step.
pub async fn test(provider: Provider) -> Result<TestResult, ApiError> {
    send(ApiRequest::post(format!("{}/test", root(provider)), &Empty {}, "Test connection")).await
}

pub async fn set_enabled(
    provider: Provider,
    enabled: bool,
    idempotency_key: &str,
) -> Result<IntegrationSummary, ApiError> {
    let action = if enabled { "Enable integration" } else { "Disable integration" };
    send(ApiRequest::patch(root(provider), &IntegrationPatch { enabled }, action).idempotent(idempotency_key)).await
}

/// Cadence and pause; answers 409 `over_provider_limit` when the schedule would exceed the
/// provider's limit and `confirm_over_limit` is not set.
pub async fn update_sync(
    provider: Provider,
    sync: &str,
    patch: &SyncPatch,
    idempotency_key: &str,
) -> Result<SyncInfo, ApiError> {
    let path = format!("{}/syncs/{}", root(provider), super::encode_query_value(sync));
    send(ApiRequest::patch(path, patch, "Save sync").idempotent(idempotency_key)).await
}

/// Run now: answers the run as it starts.
pub async fn run_sync(provider: Provider, sync: &str, idempotency_key: &str) -> Result<SyncRun, ApiError> {
    let path = format!("{}/syncs/{}/run", root(provider), super::encode_query_value(sync));
    send(ApiRequest::post(path, &Empty {}, "Run sync now").idempotent(idempotency_key)).await
}

/// Calls `on_change` for each `integrations` event of the live stream (status, usage, runs).
pub fn watch(on_change: impl Fn(IntegrationsChanged) + 'static) -> Option<EventStream> {
    let on_data = Rc::new(move |data: String| on_change(super::decode(&data).unwrap_or_default()));
    transport::current().open_events(&format!("{API_BASE}/stream?topics=integrations"), "integrations", on_data)
}

#[derive(serde::Serialize)]
struct Empty {}
