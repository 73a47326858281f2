//! Admin > Integrations > Webhooks: endpoints, the tenant's switch, and durable signed delivery.
//!
//! Events (Sluice's own, written to the outbox by other areas, and the tenant's published ones)
//! are fanned out into deliveries by [`deliver`]'s worker, which claims due deliveries from the
//! store with a lease, sends them with Standard Webhooks signatures, and completes or
//! reschedules them. Failing endpoints raise issues in Tools > Issues and clear them on success.

pub mod deliver;
pub mod demo;
pub mod endpoints;
pub mod log;
pub mod prune;
pub mod publish;
pub mod routes;
mod send;
pub mod signing;

use crate::area::{AreaDef, BoxFuture};
use crate::error::{AppError, AppResult};
use crate::issues::{Report, Retried};
use crate::notices::Notice;
use crate::state::AppState;
use crate::store::webhooks as store;
use sluice_contract::issues::{Area, EntityRef, Issue, Severity};
use sluice_contract::stream::Topic;
use sluice_contract::webhooks::{WebhookOverview, WebhookSettings};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::Notify;

/// Attempts in flight at once across all endpoints, and per endpoint, so that one slow
/// receiver holds at most its own share.
pub const MAX_IN_FLIGHT: usize = 64;
pub const MAX_PER_ENDPOINT: usize = 8;
/// The first 4 KiB of a response body are kept.
pub const MAX_RESPONSE_BYTES: usize = 4096;

pub use sluice_contract::issues::WebhookIssue;

pub const AREA: AreaDef = AreaDef {
    name: "webhooks",
    setup: |setup| {
        let webhooks = Webhooks::new(&setup.shared.targets);
        setup.provide(webhooks);
        crate::issues::register_retry(setup, Area::Webhooks, retry);
        Ok(())
    },
    routes: routes::routes,
    start: Some(|state| deliver::spawn(state.clone())),
    demo: Some(|state, tenant_id| {
        Box::pin(async move { demo::start(&state, &tenant_id).await.map_err(|e| e.to_string()) })
    }),
};

/// The area's own state: the outbound client and what the worker has in flight.
pub struct Webhooks {
    client: reqwest::Client,
    /// Pokes the worker: an event was published, a lease ended, a setting changed.
    pub wake: Notify,
    in_flight: Mutex<HashMap<String, usize>>,
}

impl Webhooks {
    pub fn new(targets: &crate::net_guard::TargetPolicy) -> Webhooks {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(targets.resolver())
            .user_agent(concat!("Sluice-Webhooks/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .pool_max_idle_per_host(MAX_PER_ENDPOINT)
            .build()
            .expect("the webhook HTTP client builds");
        Webhooks { client, wake: Notify::new(), in_flight: Mutex::new(HashMap::new()) }
    }

    pub fn of(state: &AppState) -> &Webhooks {
        state.part::<Webhooks>()
    }

    pub(crate) fn client(&self) -> &reqwest::Client {
        &self.client
    }

    pub(crate) fn in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<String, usize>> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The issue this area raises about an endpoint.
pub fn issue_report(kind: WebhookIssue, endpoint_id: &str, url: &str, message: String) -> Report {
    let (title, link) = match kind {
        WebhookIssue::EndpointFailing => (
            format!("Webhook deliveries to {url} are failing"),
            format!("/webhooks/deliveries?endpointId={endpoint_id}&status=failed"),
        ),
        WebhookIssue::EndpointDisabled => {
            (format!("Webhook endpoint {url} was disabled"), format!("/webhooks?endpoint={endpoint_id}"))
        }
    };
    Report {
        kind: kind.into(),
        entity: EntityRef { kind: "endpoint".into(), id: endpoint_id.to_string(), name: url.to_string(), link },
        severity: Severity::Error,
        title,
        message,
    }
}

/// Tells open consoles which deliveries (and endpoints) changed, so pages refetch just those.
pub(crate) fn notify_changed(state: &AppState, tenant_id: &str, delivery_ids: Vec<String>, endpoint_ids: Vec<String>) {
    let data = serde_json::json!({ "deliveryIds": delivery_ids, "endpointIds": endpoint_ids });
    state.notify(Notice::new(Topic::Webhooks, tenant_id, &data));
}

pub async fn settings(state: &AppState, tenant_id: &str) -> AppResult<WebhookSettings> {
    let tenant = tenant_id.to_string();
    state.store.call(move |c| store::settings(c, &tenant)).await
}

pub async fn overview(state: &AppState, tenant_id: &str) -> AppResult<WebhookOverview> {
    let tenant = tenant_id.to_string();
    state
        .store
        .call(move |c| {
            let settings = store::settings(c, &tenant)?;
            let (active_endpoints, total_endpoints) = store::endpoint_counts(c, &tenant)?;
            let queued = store::log::queued(c, &tenant)?;
            Ok(WebhookOverview { settings, active_endpoints, total_endpoints, queued })
        })
        .await
}

pub async fn put_settings(state: &AppState, tenant_id: &str, s: WebhookSettings) -> AppResult<WebhookOverview> {
    validate_settings(&s)?;
    let tenant = tenant_id.to_string();
    state.store.call(move |c| store::put_settings(c, &tenant, &s)).await?;
    Webhooks::of(state).wake.notify_one();
    overview(state, tenant_id).await
}

fn validate_settings(s: &WebhookSettings) -> AppResult<()> {
    let mut errors = sluice_contract::error::FieldErrors::new();
    if s.retry_schedule_secs.len() > 20 || s.retry_schedule_secs.iter().any(|&d| d == 0 || d > 7 * 24 * 3600) {
        errors.add("retryScheduleSecs", "Give up to 20 waits, each from 1 second to 7 days.");
    } else if s.retry_schedule_secs.windows(2).any(|w| w[1] < w[0]) {
        errors.add("retryScheduleSecs", "Each wait must be at least as long as the one before it.");
    }
    if !(1..=24 * 30).contains(&s.disable_after_hours) {
        errors.add("disableAfterHours", "Use 1 to 720 hours.");
    }
    if !(1..=60).contains(&s.timeout_secs) {
        errors.add("timeoutSecs", "Use 1 to 60 seconds.");
    }
    if !(1..=365).contains(&s.retention_days) {
        errors.add("retentionDays", "Use 1 to 365 days.");
    }
    errors.into_result().map_err(AppError::Validation)
}

/// Tools > Issues' Retry for this area: send a test event to the endpoint now; when it answers,
/// turn it back on if Sluice had disabled it and send its failed deliveries again.
fn retry(state: AppState, issue: Issue) -> BoxFuture<Retried> {
    Box::pin(async move {
        match endpoints::recover(&state, &issue.entity.id).await {
            Ok(what) => Retried::Resolved { what },
            Err(error) => Retried::StillFailing { error },
        }
    })
}
