//! Admin > Integrations > Webhooks: endpoints, the events they receive, deliveries and attempts.

use serde::{Deserialize, Serialize};

/// The event Sluice sends when an admin presses "Send test event".
pub const TEST_EVENT: &str = "sluice.test";
/// The largest event payload (`data`) accepted, in bytes.
pub const MAX_EVENT_BYTES: usize = 256 * 1024;
/// Custom headers an endpoint may carry.
pub const MAX_CUSTOM_HEADERS: usize = 10;

/// Tenant-wide switch and delivery policy (`GET/PUT /webhooks/settings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookSettings {
    pub enabled: bool,
    /// Seconds to wait before each retry; the first retry comes after the first entry.
    #[serde(default = "default_schedule")]
    pub retry_schedule_secs: Vec<u64>,
    /// An endpoint failing this long without one success is disabled.
    #[serde(default = "default_disable_after")]
    pub disable_after_hours: u64,
    /// How long one attempt may take.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_schedule() -> Vec<u64> {
    DEFAULT_RETRY_SCHEDULE_SECS.to_vec()
}
fn default_disable_after() -> u64 {
    72
}
fn default_timeout() -> u64 {
    15
}

/// 2 s (what the support docs promise), then 30 s, 2 min, 10 min, 1 h, 6 h, 24 h.
pub const DEFAULT_RETRY_SCHEDULE_SECS: [u64; 7] = [2, 30, 120, 600, 3600, 6 * 3600, 24 * 3600];

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            enabled: false,
            retry_schedule_secs: default_schedule(),
            disable_after_hours: default_disable_after(),
            timeout_secs: default_timeout(),
        }
    }
}

/// What the page shows at its top: the switch and how many endpoints would receive events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WebhookOverview {
    pub settings: WebhookSettings,
    pub active_endpoints: u32,
    pub total_endpoints: u32,
    /// Deliveries waiting for their first attempt or a retry.
    pub queued: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndpointStatus {
    /// Receives events.
    Active,
    /// Turned off by an admin.
    Paused,
    /// Turned off by Sluice: it answered 410 Gone, or failed too long without a success.
    Disabled,
}

impl EndpointStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointStatus::Active => "active",
            EndpointStatus::Paused => "paused",
            EndpointStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<EndpointStatus> {
        [EndpointStatus::Active, EndpointStatus::Paused, EndpointStatus::Disabled].into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            EndpointStatus::Active => "Active",
            EndpointStatus::Paused => "Paused",
            EndpointStatus::Disabled => "Disabled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CustomHeader {
    pub name: String,
    pub value: String,
}

/// How an endpoint has been doing over the last 24 hours.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EndpointHealth {
    pub attempts_24h: u64,
    pub successes_24h: u64,
    /// Successful attempts per hour, oldest first (24 values).
    pub hourly_successes: Vec<u32>,
    /// Failed attempts per hour, oldest first (24 values).
    pub hourly_failures: Vec<u32>,
    pub last_success_at: Option<String>,
    pub last_failure_at: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub description: String,
    /// Event types it receives; empty means every type.
    pub event_types: Vec<String>,
    pub status: EndpointStatus,
    /// Why Sluice disabled it, in words.
    pub disabled_reason: Option<String>,
    pub custom_headers: Vec<CustomHeader>,
    /// When the previous secret stops being used, after a rotation.
    pub previous_secret_expires_at: Option<String>,
    pub created_at: String,
    pub health: EndpointHealth,
}

/// `POST /webhooks/endpoints`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct NewEndpoint {
    pub url: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub event_types: Vec<String>,
    #[serde(default)]
    pub custom_headers: Vec<CustomHeader>,
}

/// `PATCH /webhooks/endpoints/{id}`: only the fields given change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EndpointChange {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub custom_headers: Option<Vec<CustomHeader>>,
    /// `true` turns a paused or disabled endpoint on again; `false` pauses it.
    pub enabled: Option<bool>,
}

/// The answer to creating an endpoint or rotating its secret: the secret, this once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// `whsec_…`; shown once, never again.
    pub secret: String,
}

/// One entry of the event catalog.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EventType {
    pub name: String,
    pub description: String,
    /// `sluice` for what Sluice produces, `tenant` for the tenant's own published types.
    pub source: String,
    pub example: serde_json::Value,
}

/// `POST /events`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublishEvent {
    #[serde(rename = "type")]
    pub event_type: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
    /// Your own id: publishing the same id twice delivers once.
    pub event_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Published {
    pub event_id: String,
    /// `false` when an event with this id was already published (nothing new is sent).
    pub created: bool,
}

/// `POST /events/batch`: up to 100 events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublishBatch {
    pub events: Vec<PublishEvent>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublishedBatch {
    pub events: Vec<Published>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first attempt.
    Pending,
    /// Failed at least once; another attempt is scheduled.
    Retrying,
    Succeeded,
    /// Every attempt failed, or the endpoint was disabled.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 4] =
        [DeliveryStatus::Pending, DeliveryStatus::Retrying, DeliveryStatus::Succeeded, DeliveryStatus::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Retrying => "retrying",
            DeliveryStatus::Succeeded => "succeeded",
            DeliveryStatus::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        DeliveryStatus::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "Pending",
            DeliveryStatus::Retrying => "Retrying",
            DeliveryStatus::Succeeded => "Succeeded",
            DeliveryStatus::Failed => "Failed",
        }
    }
}

/// One event on its way to one endpoint: a row of the delivery log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    pub id: String,
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: String,
    pub endpoint_url: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub created_at: String,
    pub last_attempt_at: Option<String>,
    pub next_attempt_at: Option<String>,
    pub last_status_code: Option<u16>,
    /// The last failure in words ("timed out after 15 s", "HTTP 500").
    pub last_error: Option<String>,
}

/// Filters of the delivery log (`GET /webhooks/deliveries`), all from the URL.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryQuery {
    /// `pending`, `retrying`, `succeeded` or `failed`.
    #[cfg_attr(feature = "openapi", param(pattern = "^(pending|retrying|succeeded|failed)?$"))]
    pub status: Option<String>,
    pub event_type: Option<String>,
    pub endpoint_id: Option<String>,
    pub event_id: Option<String>,
    /// RFC 3339: created at or after.
    #[cfg_attr(feature = "openapi", param(format = DateTime))]
    pub since: Option<String>,
    /// RFC 3339: created before.
    #[cfg_attr(feature = "openapi", param(format = DateTime))]
    pub until: Option<String>,
    /// 1 to 200; 50 when absent.
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 200))]
    pub limit: Option<u32>,
    pub cursor: Option<String>,
}

/// One try at sending a delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub number: u32,
    pub at: String,
    pub duration_ms: u64,
    pub ok: bool,
    pub status_code: Option<u16>,
    pub response_headers: Vec<CustomHeader>,
    /// The first 4 KiB of the response body.
    pub response_body: Option<String>,
    /// A network failure in words, or why a status counts as a failure.
    pub error: Option<String>,
    /// `scheduled`, or who asked for it (`redelivered by admin@…`).
    pub trigger: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct DeliveryDetail {
    pub delivery: Delivery,
    /// The exact JSON body sent.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    /// Newest first.
    pub attempts: Vec<Attempt>,
}

/// `POST /webhooks/deliveries/retry-failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryFailed {
    /// RFC 3339: failed deliveries created at or after this.
    pub since: String,
    pub endpoint_id: Option<String>,
    /// Only count what would be retried.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a bulk retry covers and how far it has got.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RetryBatch {
    /// Absent for a dry run.
    pub id: Option<String>,
    pub total: u64,
    pub succeeded: u64,
    pub failed: u64,
    pub pending: u64,
}

/// The outcome of "Send test event": the attempt, made while the admin waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TestResult {
    pub delivery_id: String,
    pub event_id: String,
    pub attempt: Attempt,
}

/// `sluice.test`, `issue.opened`, `acme.order_created`: lowercase words joined by dots.
pub fn valid_event_type(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    name.len() <= 100
        && parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_are_dotted_lowercase_words() {
        assert!(valid_event_type("issue.opened"));
        assert!(valid_event_type("acme.order_created.v2"));
        assert!(!valid_event_type("issue"));
        assert!(!valid_event_type("Issue.Opened"));
        assert!(!valid_event_type("issue..opened"));
        assert!(!valid_event_type("issue opened.x"));
    }

    #[test]
    fn settings_fill_defaults() {
        let s: WebhookSettings = serde_json::from_str(r#"{"enabled":true}"#).unwrap();
        assert_eq!(s.retry_schedule_secs[0], 2);
        assert_eq!(s.disable_after_hours, 72);
        assert_eq!(s.timeout_secs, 15);
    }
}
