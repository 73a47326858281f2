//! Admin > Integrations > Webhooks: endpoints, the events they receive, deliveries and attempts.

use serde::{Deserialize, Serialize};

mod log;
pub use log::*;

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
    /// Succeeded deliveries (and their attempts) are kept this many days; failed and queued
    /// ones are kept until they succeed or are retried.
    #[serde(default = "default_retention")]
    pub retention_days: u64,
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
fn default_retention() -> u64 {
    30
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
            retention_days: default_retention(),
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
