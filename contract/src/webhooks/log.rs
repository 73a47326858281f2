//! The delivery log: deliveries, their attempts, the filters, and sending again.

use super::CustomHeader;
use serde::{Deserialize, Serialize};

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
